"""The fake as an ASGI 3 application, for uvicorn or `httpx.ASGITransport`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import quote

import httpx

__all__ = ["AsgiApp"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _request(scope: Scope, body: bytes) -> httpx.Request:
    headers: list[tuple[bytes, bytes]] = scope["headers"]
    host = next((value for name, value in headers if name.lower() == b"host"), None)
    if host is None:
        server_host, server_port = scope["server"]
        host = f"{server_host}:{server_port}".encode("ascii")
    target = scope.get("raw_path") or quote(scope["path"]).encode("ascii")
    if query := scope.get("query_string"):
        target += b"?" + query
    url = f"{scope['scheme']}://{host.decode('latin-1')}{target.decode('latin-1')}"
    return httpx.Request(scope["method"], url, headers=headers, content=body)


class AsgiApp:
    """An ASGI 3 application answering HTTP requests with a synchronous handler.

    A transport error raised by the handler (a fault) is raised again from the
    application after the response head has gone out. `httpx.ASGITransport` thus
    hands the very error to the client; a server such as uvicorn, which would
    answer 500 to an error raised before the head, drops the connection instead.
    """

    __slots__ = ("_handle",)

    def __init__(self, handle: Callable[[httpx.Request], httpx.Response]) -> None:
        self._handle = handle

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection scope: "http", or "lifespan" (a no-op)."""
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            raise ValueError(f"unsupported ASGI scope type {scope['type']!r}")
        request = _request(scope, await _read_body(receive))
        try:
            response = self._handle(request)
        except httpx.TransportError:
            await send({"type": "http.response.start", "status": 500, "headers": []})
            raise
        await send(
            {
                "type": "http.response.start",
                "status": response.status_code,
                "headers": response.headers.raw,
            }
        )
        await send({"type": "http.response.body", "body": response.content})

    @staticmethod
    async def _lifespan(receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
