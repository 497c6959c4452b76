"""Serving an ASGI app with uvicorn on 127.0.0.1, in a thread, for tests over a socket."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

from ._asgi import AsgiApp

__all__ = ["serve"]

_STARTUP_TIMEOUT_SECONDS: Final = 10.0


@contextmanager
def serve(app: AsgiApp, *, host: str = "127.0.0.1") -> Iterator[str]:
    """Run uvicorn with `app` on an ephemeral port of `host`; give its `/api/v1` base URL.

    A thread, rather than a task, so that the server runs on asyncio whatever event
    loop the test runs on (trio included), and a blocking call in a test cannot stall it.
    """
    try:
        import uvicorn
    except ImportError as exc:
        raise ImportError("FakeMindhunters.serve() needs uvicorn: pip install uvicorn") from exc

    ready = threading.Event()

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            try:
                await super().startup(sockets)
            finally:
                ready.set()

    config = uvicorn.Config(
        app,
        interface="asgi3",
        loop="asyncio",
        http="h11",
        ws="none",
        lifespan="on",
        proxy_headers=False,
        # Leave the process's logging configuration alone.
        log_config=None,
        access_log=False,
    )
    server = Server(config)
    # Binding here, not in uvicorn, tells the port before the server starts.
    # IPPROTO_TCP spelled out: asyncio sets TCP_NODELAY only on sockets whose
    # protocol says TCP, and without it Nagle's algorithm adds ~40 ms per reply.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP) as sock:
        sock.bind((host, 0))
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="FakeMindhunters server"
        )
        thread.start()
        try:
            ready.wait(_STARTUP_TIMEOUT_SECONDS)
            if not server.started:
                raise RuntimeError("uvicorn did not start; see the uvicorn.error log")
            port = sock.getsockname()[1]
            yield f"http://{host}:{port}/api/v1"
        finally:
            server.should_exit = True
            thread.join()
