"""A small ASGI app that answers like the Mindhunters API, and uvicorn helpers to serve it.

The app knows three routes, with bodies made once at import:

- `POST /api/v1/call`      201 and the success envelope of a new call
- `GET  /api/v1/calls/ID`  200 and the call, or 404 (the API's error envelope)
                           when ID is `MISSING_ID`
- `GET  /api/v1/calls`     200 and one page of `PAGE_SIZE` calls

`serve_in_process()` runs uvicorn in a child process (so that on a small
machine the server does not share the client's GIL); `serve_in_thread()` runs it
in a thread of this process, for tests. Both bind 127.0.0.1 on an ephemeral port,
return once uvicorn says it has started, and stop it on exit.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import multiprocessing
import socket
import threading
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from typing import Any

import uvicorn

__all__ = [
    "AGENT_ID",
    "CALL_ID",
    "CREATE_BODY",
    "MISSING_ID",
    "PAGE_SIZE",
    "app",
    "route",
    "serve_in_process",
    "serve_in_thread",
]

AGENT_ID = "550e8400-e29b-41d4-a716-446655440000"
CALL_ID = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
MISSING_ID = "00000000-0000-4000-8000-000000000000"
PAGE_SIZE = 100
PREFIX = "/api/v1"

CREATE_BODY: dict[str, Any] = {
    "agentId": AGENT_ID,
    "participant": {"number": "+14155552671", "about": "A returning customer"},
    "prompt": {"content": "Confirm the appointment on Tuesday at 10:00.", "overwrite": False},
}
"""The body of `POST /call` in every benchmark, SDK and raw alike."""

_CALL: dict[str, Any] = {
    "id": CALL_ID,
    "agent": {"name": "Front desk", "uuid": AGENT_ID},
    "direction": "outbound",
    "status": "completed",
    "duration": 42.5,
    "provider": "twilio",
    "participant": {"number": "+14155552671"},
    "createdAt": "2025-01-15T10:30:00.000000Z",
    "updatedAt": "2025-01-15T10:31:00.000000Z",
}

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


def _json(status: int, body: object) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    content = json.dumps(body, separators=(",", ":")).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(content)).encode()),
        (b"x-request-id", b"req_0123456789"),
    ]
    return status, headers, content


CREATED = _json(
    201,
    {
        "success": True,
        "message": "Call initiated successfully",
        "data": {
            "id": CALL_ID,
            "agentId": AGENT_ID,
            "provider": "twilio",
            "status": "initiated",
            "participant": {"number": "+14155552671"},
            "createdAt": "2025-01-15T10:30:00.000000Z",
        },
    },
)
FOUND = _json(200, {"success": True, "data": _CALL})
NOT_FOUND = _json(
    404,
    {
        "success": False,
        "message": "Resource not found",
        "error": {
            "code": "RESOURCE_NOT_FOUND",
            "details": f"Call with ID '{MISSING_ID}' not found",
        },
    },
)
PAGE = _json(
    200,
    {
        "success": True,
        "data": {
            "current_page": 1,
            "data": [
                {**_CALL, "id": f"6ba7b810-9dad-11d1-80b4-{i:012d}"} for i in range(PAGE_SIZE)
            ],
            "last_page": 3,
            "per_page": PAGE_SIZE,
            "total": 3 * PAGE_SIZE,
        },
    },
)
NO_ROUTE = _json(404, {"success": False, "message": "Not found"})


def route(method: str, path: str) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """The canned answer to `method path` (the path with the `/api/v1` prefix)."""
    if method == "POST" and path == f"{PREFIX}/call":
        return CREATED
    if method == "GET" and path == f"{PREFIX}/calls":
        return PAGE
    if method == "GET" and path.startswith(f"{PREFIX}/calls/"):
        return NOT_FOUND if path.endswith(MISSING_ID) else FOUND
    return NO_ROUTE


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """The ASGI 3 application."""
    if scope["type"] != "http":
        return  # lifespan is off in the helpers below
    more = True
    while more:  # drain the request body
        message = await receive()
        more = message.get("more_body", False)
    status, headers, content = route(scope["method"], scope["path"])
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": content})


def _config(asgi: Any) -> uvicorn.Config:
    return uvicorn.Config(
        asgi,
        log_level="warning",
        access_log=False,
        lifespan="off",
        # httptools when installed (the dev extra has it): h11 alone would make
        # the server, not the client, the bottleneck of the load benchmark.
        http="httptools" if importlib.util.find_spec("httptools") else "h11",
        backlog=16384,
        timeout_keep_alive=30,
        timeout_graceful_shutdown=1,
    )


def _bind() -> socket.socket:
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY on accepted sockets only when
    # `sock.proto` says TCP, and without it Nagle adds 40 ms to every answer.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16384)
    sock.set_inheritable(True)
    return sock


class _Server(uvicorn.Server):
    """uvicorn.Server that calls `on_started` once `startup` has set `started`."""

    def __init__(self, config: uvicorn.Config, on_started: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_started = on_started

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self._on_started()


@contextlib.contextmanager
def serve_in_thread(asgi: Any = app, *, timeout: float = 10.0) -> Iterator[str]:
    """Serve `asgi` from a thread of this process; yields the base URL (with `/api/v1`)."""
    sock = _bind()
    started = threading.Event()
    server = _Server(_config(asgi), started.set)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        if not started.wait(timeout):
            raise RuntimeError("uvicorn did not start")
        yield f"http://127.0.0.1:{sock.getsockname()[1]}{PREFIX}"
    finally:
        server.should_exit = True
        thread.join(timeout)
        sock.close()


def _child(sock: socket.socket, ready: Any, asgi: Any) -> None:
    _Server(_config(asgi), ready.set).run(sockets=[sock])


@contextlib.contextmanager
def serve_in_process(asgi: Any = app, *, timeout: float = 20.0) -> Iterator[str]:
    """Serve `asgi` from a forked child process; yields the base URL (with `/api/v1`)."""
    sock = _bind()
    context = multiprocessing.get_context("fork")
    ready = context.Event()
    process = context.Process(target=_child, args=(sock, ready, asgi), daemon=True)
    process.start()
    try:
        if not ready.wait(timeout):
            raise RuntimeError("uvicorn did not start in the child process")
        yield f"http://127.0.0.1:{sock.getsockname()[1]}{PREFIX}"
    finally:
        process.terminate()  # SIGTERM: uvicorn shuts down gracefully
        process.join(timeout)
        if process.is_alive():
            process.kill()
            process.join()
        sock.close()
