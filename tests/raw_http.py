"""Real HTTP for the integration tests: `served(app)` (uvicorn on 127.0.0.1, in a thread)
and `request(...)` (one HTTP/1.1 request per connection, with h11).

`request` drives the 500-request tests.
Not httpx: with hundreds of requests queued on one `httpx.AsyncClient`, httpcore's
pool spends seconds re-scanning its queue (500 requests: about 8 s on one pool,
0.5 s on separate connections), and the test would time the driver, not the app.
This is what the SDK's own Sender queue avoids (see the README's Performance).
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import h11
import uvicorn

__all__ = ["request", "served"]


@contextmanager
def served(app: Any) -> Iterator[str]:
    """`app` served by uvicorn on 127.0.0.1, in a thread (its own asyncio loop), with
    httptools: h11 would make the 500-request test several times slower."""
    ready = threading.Event()

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            try:
                await super().startup(sockets)
            finally:
                ready.set()

    config = uvicorn.Config(
        app, http="httptools", loop="asyncio", lifespan="on", log_config=None, access_log=False
    )
    server = Server(config)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1024)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]})
        thread.start()
        try:
            ready.wait(10)
            assert server.started, "uvicorn did not start"
            yield f"http://127.0.0.1:{sock.getsockname()[1]}"
        finally:
            server.should_exit = True
            thread.join()


async def request(port: int, method: str, target: str, body: Any = None) -> tuple[int, bytes]:
    """Send one request on a new connection to 127.0.0.1:`port`; (status, body) back."""
    connection = h11.Connection(h11.CLIENT)
    content = b"" if body is None else json.dumps(body).encode()
    headers = [
        ("Host", f"127.0.0.1:{port}"),
        ("Connection", "close"),
        ("Content-Length", str(len(content))),
    ]
    if body is not None:
        headers.append(("Content-Type", "application/json"))
    async with await anyio.connect_tcp("127.0.0.1", port) as stream:
        await stream.send(
            connection.send(h11.Request(method=method, target=target, headers=headers))
            + connection.send(h11.Data(data=content))
            + connection.send(h11.EndOfMessage())
        )
        status = 0
        chunks: list[bytes] = []
        while True:
            event = connection.next_event()
            if event is h11.NEED_DATA:
                try:
                    connection.receive_data(await stream.receive())
                except anyio.EndOfStream:
                    connection.receive_data(b"")
            elif isinstance(event, h11.Response):
                status = event.status_code
            elif isinstance(event, h11.Data):
                chunks.append(bytes(event.data))
            elif isinstance(event, h11.EndOfMessage):
                return status, b"".join(chunks)
