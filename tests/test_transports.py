"""The whole pipeline over a real socket, on both transports: httpx's own and aiohttp.

Every test runs with `http_backend="httpx"` and `http_backend="aiohttp"` and asserts
the same outcome for both: errors, retries, timeouts, the deadline, cancellation,
the size cap, and a pool smaller than the concurrency. The server is the test kit's
`FakeMindhunters` served by uvicorn on 127.0.0.1 (behind a small ASGI layer that
injects what respx cannot: slow, oversized, compressed and truncated replies),
plus a bare TCP server for what no ASGI app can send: no reply, or garbage.

aiohttp runs on asyncio only, so the aiohttp cases are skipped under trio by the
`http_backend` fixture, with that reason; `test_aiohttp_under_trio_says_so` checks
what a user gets there.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import gzip
import json
import re
import socket
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator, MutableMapping
from typing import Any

import anyio
import httpx
import pytest
from support import RecordingSleep

import mindhunters_async as mh
from mindhunters_async.testing import FakeMindhunters, Fault
from mindhunters_async.testing._server import serve

pytestmark = pytest.mark.anyio

AGENT = FakeMindhunters.DEFAULT_AGENT_ID
NUMBER = "+14155552671"
MISSING = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
SLOW_SECONDS = 0.5
CAP = 100_000


# Servers --------------------------------------------------------------------------------


class FaultyFake:
    """An ASGI app: the current fake, unless a fault is queued for the next request."""

    def __init__(self) -> None:
        self.fake = FakeMindhunters()
        self.faults: collections.deque[str] = collections.deque()

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not self.faults:
            await self.fake.asgi_app(scope, receive, send)
            return
        fault = self.faults.popleft()
        more = True
        while more:
            more = (await receive()).get("more_body", False)
        headers = [(b"content-type", b"application/json")]
        body = json.dumps({"success": True, "data": {"id": MISSING}}).encode()
        status = 200
        if fault == "slow":
            await asyncio.sleep(SLOW_SECONDS)
        elif fault in ("big", "big 503"):
            body = b'{"success": true, "data": {"id": "x", "pad": "' + b"a" * CAP + b'"}}'
            status = 503 if fault == "big 503" else 200
        elif fault == "gzip bomb":
            body = gzip.compress(b" " * (50 * CAP))
            headers.append((b"content-encoding", b"gzip"))
        elif fault == "truncated":
            headers.append((b"content-length", b"1000"))
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": b'{"success"', "more_body": True})
            raise ConnectionAbortedError("test: drop the connection mid-body")
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[FaultyFake, str]]:
    app = FaultyFake()
    with serve(app) as base_url:  # type: ignore[arg-type]
        yield app, base_url


@pytest.fixture
def fake(server: tuple[FaultyFake, str]) -> FakeMindhunters:
    app, _ = server
    app.fake = FakeMindhunters(rate_limit=10**9)
    app.faults.clear()
    return app.fake


@pytest.fixture
def faults(server: tuple[FaultyFake, str], fake: FakeMindhunters) -> collections.deque[str]:
    return server[0].faults


@contextlib.contextmanager
def bare_server(reply: bytes) -> Iterator[str]:
    """A TCP server that reads each request, then sends `reply` (raw bytes) and closes."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def answer(conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            match = re.search(rb"(?im)^content-length:\s*(\d+)", head)
            while match and len(body) < int(match.group(1)):
                body += conn.recv(65536)
            conn.sendall(reply)

    def accept() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with contextlib.suppress(OSError):
                answer(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/api/v1"
    finally:
        listener.shutdown(socket.SHUT_RDWR)  # wakes accept()
        listener.close()
        thread.join(5)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# Clients --------------------------------------------------------------------------------


@pytest.fixture(params=["httpx", "aiohttp"])
def http_backend(request: pytest.FixtureRequest, anyio_backend: str) -> str:
    if request.param == "aiohttp" and anyio_backend == "trio":
        pytest.skip("aiohttp runs on asyncio only (test_aiohttp_under_trio_says_so)")
    return str(request.param)


@pytest.fixture
def connect(http_backend: str, sleeps: RecordingSleep) -> Any:
    @contextlib.asynccontextmanager
    async def connect(base_url: str, **options: Any) -> AsyncIterator[mh.AsyncMindhunters]:
        options.setdefault("retry", mh.RetryPolicy(sleep=sleeps))
        async with mh.AsyncMindhunters(
            api_token=FakeMindhunters.DEFAULT_TOKEN,
            base_url=base_url,
            http_backend=http_backend,  # type: ignore[arg-type]
            **options,
        ) as client:
            yield client

    return connect


async def place(client: mh.AsyncMindhunters) -> mh.Call:
    return await client.calls.create(agent_id=AGENT, participant={"number": NUMBER})


# Success and status errors ------------------------------------------------------------


async def test_place_read_and_list(
    server: tuple[FaultyFake, str], fake: FakeMindhunters, connect: Any
) -> None:
    async with connect(server[1]) as client:
        call = await place(client)
        assert (await client.calls.get(call.id)).id == call.id
        page = await client.calls.list(per_page=10)
    assert [c.id for c in page.items] == [call.id]
    (sent,) = fake.requests_to("POST", "/call")
    assert sent.headers["Authorization"] == f"Bearer {FakeMindhunters.DEFAULT_TOKEN}"
    assert sent.headers["Idempotency-Key"]
    assert sent.json == {"agentId": AGENT, "participant": {"number": NUMBER}}


async def test_status_errors_are_typed(
    server: tuple[FaultyFake, str], fake: FakeMindhunters, connect: Any
) -> None:
    async with connect(server[1]) as client:
        with pytest.raises(mh.NotFoundError) as info:
            await client.calls.get(MISSING)
    assert info.value.code == mh.ErrorCode.RESOURCE_NOT_FOUND
    assert info.value.request_id is None or isinstance(info.value.request_id, str)


async def test_503_is_retried_and_places_one_call(
    server: tuple[FaultyFake, str], fake: FakeMindhunters, connect: Any, sleeps: RecordingSleep
) -> None:
    fake.fail(Fault.SERVICE_UNAVAILABLE, times=2)
    async with connect(server[1]) as client:
        await place(client)
    assert len(fake.requests_to("POST", "/call")) == 3
    assert len(fake.calls) == 1
    assert len(sleeps.delays) == 2


async def test_500_on_a_post_is_not_retried(
    server: tuple[FaultyFake, str], fake: FakeMindhunters, connect: Any
) -> None:
    fake.fail(Fault.INTERNAL_SERVER_ERROR)
    async with connect(server[1]) as client:
        with pytest.raises(mh.InternalServerError) as info:
            await place(client)
    assert info.value.attempts == 1
    assert info.value.outcome_unknown


async def test_a_drop_after_the_server_acted_is_not_retried(
    server: tuple[FaultyFake, str], fake: FakeMindhunters, connect: Any
) -> None:
    # Over a socket the fake drops the connection after the response head.
    fake.fail(Fault.READ_TIMEOUT_AFTER_COMMIT)
    async with connect(server[1]) as client:
        with pytest.raises(mh.APIConnectionError) as info:
            await place(client)
    assert isinstance(info.value.__cause__, httpx.RemoteProtocolError)
    assert info.value.attempts == 1
    assert info.value.outcome_unknown
    assert len(fake.calls) == 1


# Connection failures --------------------------------------------------------------------


async def test_no_reply_is_ambiguous_for_a_post_and_retried_for_a_get(connect: Any) -> None:
    with bare_server(b"") as base_url:
        async with connect(base_url) as client:
            with pytest.raises(mh.APIConnectionError) as post:
                await place(client)
            with pytest.raises(mh.APIConnectionError) as get:
                await client.calls.get(MISSING)
    assert not isinstance(post.value, mh.APITimeoutError)
    assert isinstance(post.value.__cause__, httpx.RemoteProtocolError)
    assert post.value.attempts == 1
    assert post.value.outcome_unknown
    assert get.value.attempts == 3


async def test_a_garbage_reply_is_a_connection_error(connect: Any) -> None:
    with bare_server(b"SPAM SPAM SPAM\r\n\r\n") as base_url:
        async with connect(base_url, max_retries=0) as client:
            with pytest.raises(mh.APIConnectionError) as info:
                await client.calls.get(MISSING)
    assert isinstance(info.value.__cause__, httpx.HTTPError)


async def test_a_refused_connection_is_retried_even_for_a_post(connect: Any) -> None:
    async with connect(f"http://127.0.0.1:{closed_port()}/api/v1") as client:
        with pytest.raises(mh.APIConnectionError) as info:
            await place(client)
    assert not isinstance(info.value, mh.APITimeoutError)
    assert isinstance(info.value.__cause__, httpx.ConnectError)
    assert info.value.attempts == 3
    assert not info.value.outcome_unknown


async def test_a_truncated_body_is_a_connection_error(
    server: tuple[FaultyFake, str], faults: collections.deque[str], connect: Any
) -> None:
    faults.append("truncated")
    async with connect(server[1], max_retries=0) as client:
        with pytest.raises(mh.APIConnectionError) as info:
            await client.calls.get(MISSING)
    assert isinstance(info.value.__cause__, httpx.RemoteProtocolError)


# Timeouts, deadline, cancellation -----------------------------------------------------


async def test_a_read_timeout_on_a_post_is_not_retried(
    server: tuple[FaultyFake, str], faults: collections.deque[str], connect: Any
) -> None:
    faults.append("slow")
    async with connect(server[1], timeout=httpx.Timeout(5.0, read=0.1)) as client:
        with pytest.raises(mh.APITimeoutError) as info:
            await place(client)
    assert isinstance(info.value.__cause__, httpx.ReadTimeout)
    assert info.value.attempts == 1
    assert info.value.outcome_unknown


async def test_a_read_timeout_on_a_get_is_retried(
    server: tuple[FaultyFake, str], faults: collections.deque[str], connect: Any
) -> None:
    async with connect(server[1], timeout=httpx.Timeout(5.0, read=0.1)) as client:
        placed = await place(client)
        faults.append("slow")
        call = await client.calls.get(placed.id)
    assert call.id == placed.id


async def test_the_deadline_bounds_the_whole_call(
    server: tuple[FaultyFake, str], faults: collections.deque[str], connect: Any
) -> None:
    faults.append("slow")
    async with connect(server[1], retry=mh.RetryPolicy(deadline=0.1)) as client:
        with pytest.raises(mh.APITimeoutError, match="deadline"):
            await client.calls.get(MISSING)


async def test_cancellation_leaves_the_client_usable(
    server: tuple[FaultyFake, str], faults: collections.deque[str], connect: Any
) -> None:
    faults.append("slow")
    async with connect(server[1]) as client:
        with anyio.move_on_after(0.1) as scope:
            await client.calls.get(MISSING)
        assert scope.cancelled_caught
        assert (await place(client)).status == "initiated"


# The size cap -------------------------------------------------------------------------


@pytest.mark.parametrize("fault", ["big", "gzip bomb"])
async def test_a_body_over_the_cap_is_refused(
    server: tuple[FaultyFake, str], faults: collections.deque[str], connect: Any, fault: str
) -> None:
    faults.append(fault)
    async with connect(server[1], max_response_bytes=CAP, max_retries=0) as client:
        with pytest.raises(mh.ResponseDecodeError, match="max_response_bytes"):
            await client.calls.get(MISSING)
        assert (await place(client)).status == "initiated"


async def test_an_error_over_the_cap_keeps_its_status(
    server: tuple[FaultyFake, str], faults: collections.deque[str], connect: Any
) -> None:
    faults.append("big 503")
    async with connect(server[1], max_response_bytes=CAP, max_retries=0) as client:
        with pytest.raises(mh.ServiceUnavailableError):
            await client.calls.get(MISSING)


# The pool -----------------------------------------------------------------------------


async def test_more_calls_than_connections_queue_instead_of_failing(
    server: tuple[FaultyFake, str], fake: FakeMindhunters, connect: Any
) -> None:
    failures: list[BaseException] = []

    async def one(client: mh.AsyncMindhunters) -> None:
        try:
            await place(client)
        except mh.APIError as exc:  # pragma: no cover - the failure is the assertion
            failures.append(exc)

    async with connect(server[1]) as client, anyio.create_task_group() as group:
        for _ in range(300):  # the pool has 100 connections
            group.start_soon(one, client)
    assert failures == []
    assert len(fake.calls) == 300


async def test_the_pool_timeout_bounds_the_wait_for_a_connection(
    server: tuple[FaultyFake, str], faults: collections.deque[str], connect: Any
) -> None:
    faults.extend(["slow"] * 100)  # every connection of the pool busy
    errors: list[mh.APIError] = []

    async def one(client: mh.AsyncMindhunters) -> None:
        try:
            await client.calls.get(MISSING)
        except mh.APIError as exc:
            errors.append(exc)

    timeout = httpx.Timeout(5.0, pool=0.25)
    async with (
        connect(server[1], timeout=timeout, max_retries=0) as client,
        anyio.create_task_group() as group,
    ):
        for _ in range(101):
            group.start_soon(one, client)
    # The 101st request found the pool full for longer than the pool timeout.
    # (aiohttp applies the pool timeout to opening connections too, so on a busy
    # machine one of the first hundred may also give up, as a ConnectTimeout.)
    waited = [e for e in errors if isinstance(e.__cause__, httpx.PoolTimeout)]
    assert len(waited) == 1
    assert all(isinstance(e, mh.APITimeoutError) for e in errors)


async def test_cookies_are_kept_as_httpx_keeps_them() -> None:
    # The SDK's client skips httpx's cookie work for replies without Set-Cookie;
    # a reply that sets one is stored and sent back as before.
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("cookie"))
        headers = {"set-cookie": "lb=node-7; Path=/"} if len(seen) == 1 else {}
        return httpx.Response(200, json={"success": True, "data": {"id": MISSING}}, headers=headers)

    async with mh.AsyncMindhunters(
        api_token="t", tenant="acme", transport=httpx.MockTransport(handler)
    ) as client:
        for _ in range(3):
            await client.calls.get(MISSING)
    assert seen == [None, "lb=node-7", "lb=node-7"]


# The option itself --------------------------------------------------------------------


@pytest.mark.parametrize("anyio_backend", ["trio"])
async def test_aiohttp_under_trio_says_so(anyio_backend: str) -> None:
    async with mh.AsyncMindhunters(
        api_token="t", base_url="http://127.0.0.1:9/api/v1", http_backend="aiohttp"
    ) as client:
        with pytest.raises(mh.ConfigurationError, match="asyncio only"):
            await client.calls.get(MISSING)


def test_http_backend_is_checked() -> None:
    with pytest.raises(mh.ConfigurationError, match="'httpx' or 'aiohttp'"):
        mh.AsyncMindhunters(api_token="t", tenant="acme", http_backend="curl")  # type: ignore[arg-type]
    transport = httpx.MockTransport(lambda request: httpx.Response(200))
    with pytest.raises(mh.ConfigurationError, match="without http_client or transport"):
        mh.AsyncMindhunters(
            api_token="t", tenant="acme", http_backend="aiohttp", transport=transport
        )


def test_aiohttp_is_imported_only_when_asked_for() -> None:
    code = (
        "import sys, mindhunters_async as mh\n"
        "assert 'aiohttp' not in sys.modules, 'imported with the SDK'\n"
        "mh.AsyncMindhunters(api_token='t', tenant='acme')\n"
        "assert 'aiohttp' not in sys.modules, 'imported by the default client'\n"
        "mh.AsyncMindhunters(api_token='t', tenant='acme', http_backend='aiohttp')\n"
        "assert 'aiohttp' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-W", "error", "-c", code], check=True)


def test_import_stays_light_and_every_public_name_resolves() -> None:
    # What keeps `import mindhunters_async` under its time budget (benchmarks/README.md):
    # the groups, webhooks, bulk dialing, sqlite3 and asyncio load on first use.
    code = (
        "import sys, mindhunters_async as mh\n"
        "heavy = ['asyncio', 'sqlite3', 'mindhunters_async.webhooks',\n"
        "         'mindhunters_async._bulk', 'mindhunters_async._resources.agents',\n"
        "         'mindhunters_async._models.telephony']\n"
        "loaded = [name for name in heavy if name in sys.modules]\n"
        "assert not loaded, loaded\n"
        "missing = [name for name in mh.__all__ if getattr(mh, name, None) is None]\n"
        "assert not missing, missing\n"
        "assert set(dir(mh)) >= set(mh.__all__)\n"
        "assert mh.Trunk.__module__ == 'mindhunters_async._models.telephony'\n"
    )
    subprocess.run([sys.executable, "-W", "error", "-c", code], check=True)
