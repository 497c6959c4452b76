"""Production failures at the I/O boundary, reproduced over real sockets on 127.0.0.1.

Each test pins one behaviour that broke in production:

1. cancelling calls (asyncio's `task.cancel()`, `asyncio.wait_for`, `asyncio.timeout`,
   anyio cancel scopes) leaves no pool connection busy, and the client keeps working;
2. on trio, POSTs cancelled mid-attempt leave no abandoned async generator behind
   (trio reports each as a `ResourceWarning` when it is garbage collected);
3. `timeout` bounds a whole attempt, against servers that trickle their reply;
4. the size cap bounds memory, not only the bytes counted, and an error body is cut
   at a small cap of its own;
5. closing: from another event loop, and with calls in flight or queued;
6. a `retryAfter` too large for a float is a long wait, not a reason to retry at once.

The server is a raw HTTP/1.1 peer on its own asyncio loop in a thread (`RawServer`),
so that it keeps answering whatever the test's event loop is (trio included) and
whatever state that loop is in (cancelling, closed). Tests wait for it with anyio
primitives, never with a sleep; only the server sleeps, to be slow on purpose.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import math
import os
import random
import re
import subprocess
import sys
import textwrap
import threading
import uuid
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import anyio.lowlevel
import anyio.to_thread
import httpx
import pytest
from support import RecordingSleep

import mindhunters_async as mh
from mindhunters_async._httpx import pool_connections

pytestmark = pytest.mark.anyio

TOKEN = "sk-test-0123456789abcdef-io-boundary"
AGENT = "550e8400-e29b-41d4-a716-446655440000"
NUMBER = "+14155552671"
ERROR_BODY_CAP = 64 * 1024


# The server ------------------------------------------------------------------------------

# A reply gets the request's head (the body has been read) and the connection; it
# returns True to keep the connection open for the next request.
Reply = Callable[[bytes, asyncio.StreamReader, asyncio.StreamWriter], Awaitable[bool]]


class RawServer:
    """A raw HTTP/1.1 server on 127.0.0.1 (an ephemeral port), run by asyncio in a thread."""

    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        self.url = ""
        self.paths: list[str] = []  # of every request received, in order
        self._arrived = threading.Condition()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="RawServer", daemon=True)

    def __enter__(self) -> RawServer:
        self._thread.start()
        if not self._ready.wait(10) or not self.url:
            raise RuntimeError("the test server did not start")
        return self

    def __exit__(self, *exc_info: object) -> None:
        assert self._loop is not None
        assert self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    async def wait_for_requests(self, count: int) -> None:
        """Return once `count` requests have been received in all (without polling)."""

        def wait() -> None:
            with self._arrived:
                self._arrived.wait_for(lambda: len(self.paths) >= count, timeout=30)

        await anyio.to_thread.run_sync(wait, abandon_on_cancel=True)

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        tasks: set[asyncio.Task[None]] = set()

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.current_task()
            assert task is not None
            tasks.add(task)
            try:
                await self._serve_connection(reader, writer)
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                pass
            except asyncio.CancelledError:
                pass  # the server is stopping: this task ends quietly
            finally:
                writer.close()
                tasks.discard(task)

        server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
        self.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/api/v1"
        self._ready.set()
        async with server:
            await self._stop.wait()
            server.close()
            for task in list(tasks):
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                return
            length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
            if length:
                await reader.readexactly(int(length.group(1)))
            with self._arrived:
                self.paths.append(head.split(b" ", 2)[1].decode())
                self._arrived.notify_all()
            keep_open = await self.reply(head, reader, writer)
            await writer.drain()
            if not keep_open:
                return


def response(status: int, body: bytes, *headers: str, reason: str = "OK") -> bytes:
    lines = [f"HTTP/1.1 {status} {reason}", f"Content-Length: {len(body)}", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def call_json(head: bytes) -> bytes:
    """A successful reply to a calls.get or calls.create: the call of the path's id."""
    path = head.split(b" ", 2)[1].decode()
    call_id = path.rsplit("/", 1)[-1] if "/calls/" in path else str(uuid.uuid4())
    return json.dumps({"success": True, "data": {"id": call_id, "status": "initiated"}}).encode()


def answer_after(low: float, high: float) -> Reply:
    """A 200 with the call, after a random delay between `low` and `high` seconds."""

    async def reply(head: bytes, reader: asyncio.StreamReader, w: asyncio.StreamWriter) -> bool:
        await asyncio.sleep(random.uniform(low, high))
        w.write(response(200, call_json(head), "Content-Type: application/json"))
        return True

    return reply


async def drip_body(head: bytes, reader: asyncio.StreamReader, w: asyncio.StreamWriter) -> bool:
    """The status line and headers at once, then one body byte every 0.3 s, forever."""
    w.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
    while not reader.at_eof():
        w.write(b" ")
        await w.drain()
        await asyncio.sleep(0.3)
    return False


async def drip_head(head: bytes, reader: asyncio.StreamReader, w: asyncio.StreamWriter) -> bool:
    """The status line and then an endless header, one byte every 0.3 s."""
    data = b"HTTP/1.1 200 OK\r\nX-Slow: "
    sent = 0
    while not reader.at_eof():
        w.write(data[sent : sent + 1] if sent < len(data) else b"a")
        sent += 1
        await w.drain()
        await asyncio.sleep(0.3)
    return False


async def processing(head: bytes, reader: asyncio.StreamReader, w: asyncio.StreamWriter) -> bool:
    """An interim `102 Processing` every 0.3 s, and never the final response."""
    while not reader.at_eof():
        w.write(b"HTTP/1.1 102 Processing\r\n\r\n")
        await w.drain()
        await asyncio.sleep(0.3)
    return False


# Clients ---------------------------------------------------------------------------------


@pytest.fixture(params=["httpx", "aiohttp"])
def http_backend(request: pytest.FixtureRequest, anyio_backend: str) -> str:
    if request.param == "aiohttp" and anyio_backend == "trio":
        pytest.skip("aiohttp runs on asyncio only (test_aiohttp_under_trio_says_so)")
    return str(request.param)


def make_client(
    base_url: str, sleeps: RecordingSleep | None = None, http_backend: str = "httpx", **options: Any
) -> mh.AsyncMindhunters:
    options.setdefault("retry", mh.RetryPolicy(sleep=sleeps or RecordingSleep()))
    return mh.AsyncMindhunters(
        api_token=TOKEN,
        base_url=base_url,
        http_backend=http_backend,  # type: ignore[arg-type]
        **options,
    )


async def place(client: mh.AsyncMindhunters) -> mh.Call:
    return await client.calls.create(agent_id=AGENT, participant={"number": NUMBER})


def busy_connections(client: mh.AsyncMindhunters) -> int:
    """How many of the pool's connections are neither idle nor closed.

    httpx has no public view of its pool: this reads httpcore's public `connections`
    through the SDK's one module of httpx internals.
    """
    connections = pool_connections(client._shared.http_client)
    return sum(1 for c in connections if not c.is_idle() and not c.is_closed())


@contextlib.contextmanager
def resource_warnings() -> Iterator[list[str]]:
    """Every ResourceWarning raised inside (garbage collection included), as text."""
    found: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield found
        finally:
            gc.collect()
            found.extend(str(w.message) for w in caught if issubclass(w.category, ResourceWarning))


# 1. Cancellation storms leave no connection busy -----------------------------------------

# 1,000 calls in waves of 200 (twice the pool, so that half of each wave is in flight
# when the cancellations land), each cancelled at a random point within 0.3 s.
STORM_WAVES = 5
WAVE_CALLS = 200
CANCEL_WITHIN = 0.3
STORM_OUTCOMES = (asyncio.CancelledError, asyncio.TimeoutError, TimeoutError)


@contextlib.asynccontextmanager
async def storm_client(
    sleeps: RecordingSleep, http_backend: str = "httpx"
) -> AsyncIterator[mh.AsyncMindhunters]:
    with RawServer(answer_after(0.0, 0.05)) as server:
        async with make_client(
            server.url, sleeps, http_backend, timeout=httpx.Timeout(5.0, pool=5.0)
        ) as client:
            yield client


async def assert_pool_is_healthy(client: mh.AsyncMindhunters, http_backend: str) -> None:
    """No connection left busy, and 200 concurrent calls all succeed promptly."""
    busy = busy_connections(client) if http_backend == "httpx" else 0
    failures: list[BaseException] = []
    once = client.with_options(max_retries=0)

    async def one() -> None:
        try:
            await once.calls.get(uuid.uuid4())
        except mh.MindhuntersError as exc:
            failures.append(exc)

    # A healthy pool answers them in about a second; a pool with connections stuck
    # busy makes them wait for the 5 s pool timeout.
    with anyio.move_on_after(6) as bound:
        async with anyio.create_task_group() as group:
            for _ in range(200):
                group.start_soon(one)
    assert busy == 0, f"{busy} of the pool's connections left busy after the storm"
    assert not bound.cancelled_caught, "200 calls after the storm did not end within 6 s"
    assert failures == [], f"{len(failures)} of 200 calls failed, the first: {failures[0]!r}"


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.parametrize(
    ("how", "http_backend"),
    [
        ("task.cancel", "httpx"),
        ("wait_for", "httpx"),
        ("asyncio.timeout", "httpx"),
        ("task.cancel", "aiohttp"),
    ],
)
async def test_asyncio_cancellation_storm_leaks_no_connection(
    anyio_backend: str, how: str, http_backend: str, sleeps: RecordingSleep
) -> None:
    if how == "asyncio.timeout" and sys.version_info < (3, 11):
        pytest.skip("asyncio.timeout is new in Python 3.11")
    loop = asyncio.get_running_loop()

    async def within(call: Awaitable[Any], seconds: float) -> None:
        async with asyncio.timeout(seconds):  # type: ignore[attr-defined,unused-ignore]
            await call

    async with storm_client(sleeps, http_backend) as client:
        for _ in range(STORM_WAVES):
            tasks: list[asyncio.Future[Any]] = []
            for _ in range(WAVE_CALLS):
                call = client.calls.get(uuid.uuid4())
                seconds = random.uniform(0, CANCEL_WITHIN)
                task: asyncio.Future[Any]
                if how == "task.cancel":
                    task = asyncio.ensure_future(call)
                    loop.call_later(seconds, task.cancel)
                elif how == "wait_for":
                    task = asyncio.ensure_future(asyncio.wait_for(call, seconds))
                else:
                    task = asyncio.ensure_future(within(call, seconds))
                tasks.append(task)
            outcomes = await asyncio.gather(*tasks, return_exceptions=True)
            unexpected = [
                o
                for o in outcomes
                if isinstance(o, BaseException) and not isinstance(o, STORM_OUTCOMES)
            ]
            assert unexpected == []
        await assert_pool_is_healthy(client, http_backend)


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.parametrize("wait", ["on a future", "at checkpoints"])
async def test_a_native_cancellation_never_lands_inside_a_shield(
    anyio_backend: str, wait: str
) -> None:
    # httpcore's clean-up waits inside anyio shields (on futures, and at the
    # checkpoints anyio's locks take). A native cancellation of the caller must let
    # such a wait finish, then end the call, as anyio's would.
    entered, release = anyio.Event(), anyio.Event()
    shielded_wait: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        with anyio.CancelScope(shield=True):
            entered.set()
            try:
                if wait == "on a future":
                    await release.wait()
                else:
                    # Bare yields on purpose (no future to cancel), not an event wait.
                    while not release.is_set():  # noqa: ASYNC110
                        await asyncio.sleep(0)
            except BaseException as exc:
                shielded_wait.append(f"interrupted by {type(exc).__name__}")
                raise
            shielded_wait.append("finished")
        await anyio.sleep(3600)  # unshielded: the cancellation lands here
        return httpx.Response(200, json={"id": "never"})

    async with guarded_client(handler) as client:
        await cancel_during_the_shield(client, entered, release)
    assert shielded_wait == ["finished"]


def guarded_client(handler: Callable[[httpx.Request], Awaitable[httpx.Response]]) -> Any:
    return mh.AsyncMindhunters(
        api_token="sk-test", tenant="acme", transport=httpx.MockTransport(handler), max_retries=0
    )


NOT_FOUND = {"success": False, "message": "no such call"}


async def cancel_during_the_shield(
    client: mh.AsyncMindhunters,
    entered: anyio.Event,
    release: anyio.Event,
    expected: type[BaseException] = asyncio.CancelledError,
) -> None:
    """Start a call, cancel it natively once its transport is inside its shield, then
    let the shielded wait end: the call must end in `expected`."""
    with anyio.fail_after(10):
        task = asyncio.ensure_future(client.calls.get(uuid.uuid4()))
        await entered.wait()
        task.cancel()
        release.set()
        with pytest.raises(expected):
            await task


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.parametrize("where", ["the shield's own", "a scope inside the shield"])
async def test_a_deadline_inside_a_shield_still_ends_its_wait(
    anyio_backend: str, where: str
) -> None:
    # Only native cancellations are kept out of shields: a clean-up bounded by an
    # anyio deadline of its own (a custom transport's, say) still ends on time.
    cut_short: list[bool] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        if where == "the shield's own":
            with anyio.move_on_after(0.05, shield=True) as scope:
                await anyio.sleep(3600)
        else:
            with anyio.CancelScope(shield=True), anyio.move_on_after(0.05) as scope:
                await anyio.sleep(3600)
        cut_short.append(scope.cancelled_caught)
        return httpx.Response(404, json=NOT_FOUND)

    async with guarded_client(handler) as client:
        with anyio.fail_after(10), pytest.raises(mh.NotFoundError):
            await client.calls.get(uuid.uuid4())
    assert cut_short == [True]
    assert asyncio.current_task().cancelling() == 0  # type: ignore[union-attr]


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_cancelling_a_wait_on_a_task_waits_for_the_task_to_end(anyio_backend: str) -> None:
    # A task (or a gather) ends its cancellation a loop turn after `cancel()`: the
    # guard, which cancels the awaited future itself (an anyio deadline inside a
    # shield; a kept cancellation delivered later), must wait for it, not resume.
    entered, release = anyio.Event(), anyio.Event()

    async def deadline(request: httpx.Request) -> httpx.Response:
        with anyio.CancelScope(shield=True), anyio.move_on_after(0.05):
            await asyncio.ensure_future(anyio.sleep(3600))
        return httpx.Response(404, json=NOT_FOUND)

    async def kept(request: httpx.Request) -> httpx.Response:
        with anyio.CancelScope(shield=True):
            entered.set()
            await release.wait()
        await asyncio.gather(anyio.sleep(3600))
        return httpx.Response(404, json=NOT_FOUND)

    async with guarded_client(deadline) as client:
        with anyio.fail_after(10), pytest.raises(mh.NotFoundError):
            await client.calls.get(uuid.uuid4())
    async with guarded_client(kept) as client:
        await cancel_during_the_shield(client, entered, release)


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_cancellations_kept_during_one_shielded_wait_add_no_callbacks(
    anyio_backend: str,
) -> None:
    entered = anyio.Event()
    awaited: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def handler(request: httpx.Request) -> httpx.Response:
        with anyio.CancelScope(shield=True):
            entered.set()
            await awaited
        return httpx.Response(404, json=NOT_FOUND)

    async with guarded_client(handler) as client:
        with anyio.fail_after(10):
            task = asyncio.ensure_future(client.calls.get(uuid.uuid4()))
            await entered.wait()
            try:
                for _ in range(50):
                    task.cancel()
                    await anyio.lowlevel.checkpoint()  # the task takes each in turn
                callbacks = len(awaited._callbacks)  # type: ignore[attr-defined]
            finally:
                awaited.set_result(None)  # the shielded wait ends, whatever happened
            with pytest.raises(asyncio.CancelledError):
                await task
    assert callbacks == 1


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_cancellation_requested_before_the_call_is_delivered(anyio_backend: str) -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        with anyio.CancelScope(shield=True):
            await anyio.sleep(0.01)
        return httpx.Response(404, json=NOT_FOUND)

    async def cancel_myself_then_call(client: mh.AsyncMindhunters) -> None:
        asyncio.current_task().cancel()  # type: ignore[union-attr]
        await client.calls.get(uuid.uuid4())

    async with guarded_client(handler) as client:
        with anyio.fail_after(10), pytest.raises(asyncio.CancelledError):
            await asyncio.ensure_future(cancel_myself_then_call(client))


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_kept_cancellation_gives_way_to_a_base_exception(anyio_backend: str) -> None:
    class Interrupt(BaseException):  # as KeyboardInterrupt or SystemExit would
        pass

    entered, release = anyio.Event(), anyio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        with anyio.CancelScope(shield=True):
            entered.set()
            await release.wait()
        raise Interrupt

    async with guarded_client(handler) as client:
        await cancel_during_the_shield(client, entered, release, expected=Interrupt)


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.skipif(sys.version_info < (3, 11), reason="asyncio.timeout is new in Python 3.11")
async def test_a_native_timeout_inside_a_shield_cancels_nobody_else(anyio_backend: str) -> None:
    # Kept out of the shield like any native cancellation (it cannot be told from
    # the caller's), it has withdrawn its request by the time the wait ends: the call
    # ends as the transport answered, not in a CancelledError nobody asked for.
    async def handler(request: httpx.Request) -> httpx.Response:
        with anyio.CancelScope(shield=True):
            try:
                async with asyncio.timeout(0.01):  # type: ignore[attr-defined,unused-ignore]
                    await anyio.sleep(0.2)
            except TimeoutError:
                pass
        return httpx.Response(404, json=NOT_FOUND)

    async with guarded_client(handler) as client:
        with anyio.fail_after(10), pytest.raises(mh.NotFoundError):
            await client.calls.get(uuid.uuid4())
    assert asyncio.current_task().cancelling() == 0  # type: ignore[attr-defined,union-attr]


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_without_anyios_scope_records_a_child_task_keeps_the_guarantee(
    anyio_backend: str, sleeps: RecordingSleep, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An anyio that keeps its scopes where the guard cannot read them: each attempt
    # runs in a child task that only its anyio scope cancels, as before the guard.
    from mindhunters_async import _transport

    async with guarded_client(lambda r: httpx.Response(404, json=NOT_FOUND)) as warm:
        with pytest.raises(mh.NotFoundError):
            await warm.calls.get(uuid.uuid4())  # the first asyncio loop: _ASYNCIO filled
    monkeypatch.setitem(_transport._ASYNCIO, "task_states", None)
    entered, release = anyio.Event(), anyio.Event()
    shielded_wait: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        with anyio.CancelScope(shield=True):
            entered.set()
            await release.wait()
            shielded_wait.append("finished")
        await anyio.sleep(3600)
        return httpx.Response(200, json={"id": "never"})

    async with guarded_client(handler) as client:
        await cancel_during_the_shield(client, entered, release)
    assert shielded_wait == ["finished"]
    loop = asyncio.get_running_loop()
    async with storm_client(sleeps) as client:
        tasks = []
        for _ in range(WAVE_CALLS):
            task = asyncio.ensure_future(client.calls.get(uuid.uuid4()))
            loop.call_later(random.uniform(0, CANCEL_WITHIN), task.cancel)
            tasks.append(task)
        await asyncio.gather(*tasks, return_exceptions=True)
        await assert_pool_is_healthy(client, "httpx")


async def test_cancel_scope_storm_leaks_no_connection(sleeps: RecordingSleep) -> None:
    # What trio (and anyio on asyncio) users write instead of task.cancel().
    async def one(client: mh.AsyncMindhunters) -> None:
        with anyio.move_on_after(random.uniform(0, CANCEL_WITHIN)):
            await client.calls.get(uuid.uuid4())

    async with storm_client(sleeps) as client:
        for _ in range(STORM_WAVES):
            async with anyio.create_task_group() as group:
                for _ in range(WAVE_CALLS):
                    group.start_soon(one, client)
        await assert_pool_is_healthy(client, "httpx")


# 2. trio: no abandoned async generator after cancelled POSTs ------------------------------


@pytest.mark.parametrize("anyio_backend", ["trio"])
async def test_cancelled_posts_abandon_no_async_generator_on_trio(anyio_backend: str) -> None:
    # trio reports an async generator garbage collected before it was exhausted as a
    # ResourceWarning ("Async generator 'httpx._content.ByteStream.__aiter__' was
    # garbage collected ..."), from its asyncgen hooks: recorded here, not raised.
    async def one(client: mh.AsyncMindhunters) -> None:
        with anyio.move_on_after(random.uniform(0, 0.2)):
            await place(client)

    with RawServer(answer_after(0.0, 0.05)) as server, resource_warnings() as found:
        async with make_client(server.url) as client:
            for _ in range(STORM_WAVES):
                async with anyio.create_task_group() as group:
                    for _ in range(WAVE_CALLS):
                        group.start_soon(one, client)
            await place(client)  # still usable
    assert server.paths  # the POSTs reached the server
    assert found == [], f"{len(found)} warnings, the first: {found[0]}"


# 3. `timeout` bounds a whole attempt ------------------------------------------------------


@pytest.mark.parametrize(
    "reply", [drip_body, drip_head, processing], ids=["drip-body", "drip-head", "102-forever"]
)
async def test_timeout_bounds_the_whole_attempt(reply: Reply, http_backend: str) -> None:
    errors: dict[str, BaseException] = {}
    elapsed: dict[str, float] = {}

    async def timed(name: str, operation: Callable[[], Awaitable[Any]]) -> None:
        started = anyio.current_time()
        with anyio.move_on_after(2.5):  # past the 2 s bound: a hang fails, and fast
            try:
                await operation()
            except Exception as exc:
                errors[name] = exc
        elapsed[name] = anyio.current_time() - started

    with RawServer(reply) as server:
        async with (
            make_client(
                server.url, http_backend=http_backend, timeout=1.0, max_retries=0
            ) as client,
            anyio.create_task_group() as group,
        ):
            group.start_soon(timed, "GET", lambda: client.calls.get(uuid.uuid4()))
            group.start_soon(timed, "POST", lambda: place(client))
    for name in ("GET", "POST"):
        err = errors.get(name)
        assert isinstance(err, mh.APITimeoutError), f"{name}: {err!r} after {elapsed[name]:.1f}s"
        assert elapsed[name] < 2.0, f"{name} took {elapsed[name]:.2f}s"
        assert re.search(r"time(d)? ?out", str(err), re.IGNORECASE), str(err)
        assert err.attempts == 1
    assert errors["POST"].outcome_unknown is True  # type: ignore[attr-defined]


# 4. The size cap bounds memory; an error body has a small cap of its own ------------------

# h11 parses each one-byte chunk on its own, about 16 us apiece here: 1,000,000 of them
# (the production case) took 16 s, so the cap is 700 KB, and the budget is scaled to
# match: 25 bytes per capped byte, i.e. 25 MB for a 1 MB cap. The SDK of e1017c1 kept
# every chunk as its own bytes object: ~56 bytes per body byte, ~39 MB here.
CHUNKED_CAP = 700_000
CHUNKED_BODY_BYTES = CHUNKED_CAP * 3 // 2
MEMORY_BUDGET_BYTES = 25 * CHUNKED_CAP
WARM_UP_ID = "00000000-0000-4000-8000-000000000000"
PACKAGE_ROOT = str(Path(mh.__file__).resolve().parents[1])
PYTHONPATH = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]

MEMORY_SCRIPT = textwrap.dedent(
    """
    import gc, json, resource, sys
    import anyio
    import mindhunters_async as mh

    base_url, http_backend, event_loop, cap, warm_up_id = sys.argv[1:6]

    def kib(field):
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])

    def start():
        # Linux: reset the peak to the current RSS ("5" > clear_refs), measure from there.
        try:
            with open("/proc/self/clear_refs", "w") as clear_refs:
                clear_refs.write("5")
            return kib("VmRSS"), lambda: kib("VmHWM")
        except (OSError, TypeError):
            peak = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
            return peak(), peak

    async def main():
        async with mh.AsyncMindhunters(
            api_token="sk-test-memory", base_url=base_url, http_backend=http_backend,
            max_response_bytes=int(cap), max_retries=0, timeout=60,
        ) as client:
            await client.calls.get(warm_up_id)  # imports, the connection, the pipeline
            gc.collect()
            before, peak = start()
            error = None
            try:
                await client.calls.get("6ba7b810-9dad-11d1-80b4-00c04fd430c8")
            except mh.MindhuntersError as exc:
                error = exc
            after = peak()
        print(json.dumps({
            "growth_bytes": (after - before) * 1024,
            "error": type(error).__name__,
            "message": str(error),
        }))

    anyio.run(main, backend=event_loop)
    """
)


def one_byte_chunks(size: int) -> Iterator[bytes]:
    """A JSON body of about `size` bytes, one byte a chunk, in pieces of 16,384 chunks."""
    payload = b'{"success": true, "data": {"id": "x", "pad": "' + b"a" * size + b'"}}'
    for start in range(0, len(payload), 16384):
        yield b"".join(b"1\r\n%c\r\n" % byte for byte in payload[start : start + 16384])
    yield b"0\r\n\r\n"


def chunked_bomb(size: int) -> Reply:
    """A 2xx of `size` bytes in one-byte chunks (and a small reply to the warm-up call)."""
    pieces = list(one_byte_chunks(size))

    async def reply(head: bytes, reader: asyncio.StreamReader, w: asyncio.StreamWriter) -> bool:
        if WARM_UP_ID.encode() in head:
            w.write(response(200, call_json(head), "Content-Type: application/json"))
            return True
        w.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
        w.write(b"Transfer-Encoding: chunked\r\n\r\n")
        for piece in pieces:
            if reader.at_eof():
                return False
            w.write(piece)
            await w.drain()
        return True

    return reply


@pytest.mark.parametrize("http_backend", ["httpx", "aiohttp"])
def test_the_size_cap_bounds_memory_for_one_byte_chunks(tmp_path: Path, http_backend: str) -> None:
    # A subprocess, so that its peak RSS is this read's alone; the server stays here.
    # (The event loop makes no difference to what the body costs: asyncio only.)
    script = tmp_path / "measure.py"
    script.write_text(MEMORY_SCRIPT)
    with RawServer(chunked_bomb(CHUNKED_BODY_BYTES)) as server:
        run = subprocess.run(
            [
                sys.executable,
                str(script),
                server.url,
                http_backend,
                "asyncio",
                str(CHUNKED_CAP),
                WARM_UP_ID,
            ],
            capture_output=True,
            text=True,
            timeout=60,
            # The package this test process imported, wherever it is.
            env={**os.environ, "PYTHONPATH": os.pathsep.join([PACKAGE_ROOT, *PYTHONPATH])},
        )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["error"] == "ResponseDecodeError", result
    assert "max_response_bytes" in result["message"]
    growth = result["growth_bytes"]
    assert growth < MEMORY_BUDGET_BYTES, (
        f"reading {CHUNKED_CAP:,} bytes of one-byte chunks cost {growth / 1e6:.1f} MB"
        f" (budget {MEMORY_BUDGET_BYTES / 1e6:.1f} MB)"
    )


async def big_error(head: bytes, reader: asyncio.StreamReader, w: asyncio.StreamWriter) -> bool:
    page = b"<html><body>" + b"overloaded " * 200_000 + b"</body></html>"  # ~2 MiB
    w.write(response(503, page, "Content-Type: text/html", reason="Service Unavailable"))
    return True


async def test_an_error_body_is_cut_at_a_small_cap(http_backend: str) -> None:
    with RawServer(big_error) as server:
        async with make_client(
            server.url,
            http_backend=http_backend,
            max_response_bytes=10 * 1024 * 1024,
            max_retries=0,
        ) as client:
            with pytest.raises(mh.ServiceUnavailableError) as info:
                await client.calls.get(uuid.uuid4())
    body = info.value.body
    assert isinstance(body, (str, bytes))
    assert len(body) <= ERROR_BODY_CAP + 1024, f"an error body of {len(body):,} characters"


# 5. Closing -------------------------------------------------------------------------------


def outcome(exc: BaseException | None) -> str:
    """An outcome as text: no reference to the exception (and so to its frames, the
    client and its sockets) outlives the test's garbage collection."""
    return "ok" if exc is None else f"{type(exc).__module__}.{type(exc).__qualname__}: {exc}"


@pytest.mark.parametrize(
    ("http_backend", "first_loop", "second_loop"),
    [
        ("httpx", "asyncio", "asyncio"),
        ("httpx", "trio", "trio"),
        ("httpx", "asyncio", "trio"),
        ("httpx", "trio", "asyncio"),
        ("aiohttp", "asyncio", "asyncio"),
    ],
)
def test_closing_in_another_event_loop_leaves_no_socket_behind(
    http_backend: str, first_loop: str, second_loop: str
) -> None:
    # A client used in one `anyio.run` (an app's startup, a test) and closed in another.
    closing = "ok"
    with RawServer(answer_after(0, 0)) as server, resource_warnings() as found:
        client = make_client(server.url, http_backend=http_backend)
        anyio.run(get_one, client, backend=first_loop)
        try:
            anyio.run(client.aclose, backend=second_loop)
        except mh.MindhuntersError:
            pass  # saying so is fine
        except Exception as exc:
            closing = outcome(exc)
        del client
    assert closing == "ok", closing  # a raw RuntimeError ("Event loop is closed") is not
    assert found == [], found


async def get_one(client: mh.AsyncMindhunters) -> mh.Call:
    return await client.calls.get(uuid.uuid4())


def slow_answer(seconds: float) -> Reply:
    async def reply(head: bytes, reader: asyncio.StreamReader, w: asyncio.StreamWriter) -> bool:
        await asyncio.sleep(seconds)
        w.write(response(200, call_json(head), "Content-Type: application/json"))
        return True

    return reply


async def test_closing_at_once_ends_every_call_with_an_sdk_error(http_backend: str) -> None:
    kinds: dict[str, type[BaseException] | None] = {}
    texts: dict[str, str] = {}

    async def one(client: mh.AsyncMindhunters, call_id: str) -> None:
        try:
            await client.calls.get(call_id)
        except Exception as exc:
            kinds[call_id], texts[call_id] = type(exc), outcome(exc)
        else:
            kinds[call_id], texts[call_id] = None, "ok"

    ids = [str(uuid.uuid4()) for _ in range(300)]
    after_close = "ok"
    with RawServer(slow_answer(1.0)) as server, resource_warnings() as found:
        client = make_client(server.url, http_backend=http_backend, max_retries=0)
        try:
            with anyio.fail_after(15):
                async with anyio.create_task_group() as group:
                    for call_id in ids:
                        group.start_soon(one, client, call_id)
                    # The pool's 100 connections busy, 200 calls queued in the SDK.
                    await server.wait_for_requests(100)
                    await client.aclose(grace=0)  # type: ignore[call-arg,unused-ignore]
            try:
                await client.calls.get(uuid.uuid4())
            except Exception as exc:
                after_close = outcome(exc) if not isinstance(exc, mh.ClientStateError) else ""
        finally:
            await client.aclose()  # a no-op once closed; closes the pool if the test failed
        del client
        sent = {path.rsplit("/", 1)[-1] for path in server.paths}
    assert after_close == "", f"a call after aclose(): {after_close}"
    assert len(kinds) == 300
    queued = {i: texts[i] for i in ids if i not in sent}
    in_flight = {i: texts[i] for i in ids if i in sent}
    assert len(in_flight) == 100
    wrong_queued = [t for i, t in queued.items() if kinds[i] is not mh.ClientStateError]
    assert wrong_queued == [], f"{len(wrong_queued)} queued calls, the first: {wrong_queued[0]}"
    wrong_in_flight = [
        t
        for i, t in in_flight.items()
        if not (kinds[i] is None or issubclass(kinds[i], mh.APIConnectionError))  # type: ignore[arg-type]
    ]
    assert wrong_in_flight == [], (
        f"{len(wrong_in_flight)} calls in flight, the first: {wrong_in_flight[0]}"
    )
    assert found == [], found


async def test_closing_gracefully_lets_calls_in_flight_finish(http_backend: str) -> None:
    results: list[str] = []

    async def one(client: mh.AsyncMindhunters) -> None:
        try:
            await client.calls.get(uuid.uuid4())
        except Exception as exc:
            results.append(outcome(exc))
        else:
            results.append("ok")

    with RawServer(slow_answer(0.2)) as server, resource_warnings() as found:
        client = make_client(server.url, http_backend=http_backend, max_retries=0)
        try:
            with anyio.fail_after(15):
                async with anyio.create_task_group() as group:
                    for _ in range(50):
                        group.start_soon(one, client)
                    await server.wait_for_requests(50)
                    await client.aclose()
        finally:
            await client.aclose()
        with pytest.raises(mh.ClientStateError):
            await client.calls.get(uuid.uuid4())
        del client
    failed = [r for r in results if r != "ok"]
    assert len(results) == 50
    assert failed == [], f"{len(failed)} of 50 calls in flight failed, the first: {failed[0]}"
    assert found == [], found


# 6. A huge retryAfter is a long wait -------------------------------------------------------


def rate_limited(retry_after: str) -> Reply:
    """A 429 whose body's `retryAfter` is `retry_after`, as raw JSON text."""
    body = (
        '{"success": false, "error": {"code": "RATE_LIMIT_EXCEEDED",'
        ' "message": "Too many requests", "retryAfter": ' + retry_after + "}}"
    ).encode()

    async def reply(head: bytes, reader: asyncio.StreamReader, w: asyncio.StreamWriter) -> bool:
        w.write(response(429, body, "Content-Type: application/json", reason="Too Many Requests"))
        return True

    return reply


@pytest.mark.parametrize(
    "retry_after", ["9" * 400, '"' + "9" * 400 + '"'], ids=["number", "string"]
)
async def test_a_retry_after_of_400_digits_is_a_long_wait(
    retry_after: str, sleeps: RecordingSleep
) -> None:
    # float() of 400 digits overflows (a number) or is inf (a string): either way, a
    # wait longer than max_retry_after, so RateLimitError at once, not a quick retry.
    with RawServer(rate_limited(retry_after)) as server:
        async with make_client(server.url, sleeps) as client:
            with pytest.raises(mh.RateLimitError) as info:
                await client.calls.get(uuid.uuid4())
            max_retry_after = client.retry_policy.max_retry_after
    err = info.value
    assert sleeps.delays == []
    assert len(server.paths) == 1
    assert err.attempts == 1
    assert err.retry_after is not None
    assert math.isfinite(err.retry_after)
    assert err.retry_after > max_retry_after


async def test_queued_calls_are_refused_at_once_while_calls_in_flight_get_their_grace(
    http_backend: str,
) -> None:
    refused_at: list[float] = []

    async def one(client: mh.AsyncMindhunters) -> None:
        try:
            await get_one(client)
        except mh.ClientStateError:
            refused_at.append(anyio.current_time())
        except mh.MindhuntersError:
            pass

    with RawServer(slow_answer(5.0)) as server:
        client = make_client(server.url, http_backend=http_backend, max_retries=0)
        try:
            with anyio.fail_after(15):
                async with anyio.create_task_group() as group:
                    for _ in range(110):  # 100 in flight, 10 waiting for a connection
                        group.start_soon(one, client)
                    await server.wait_for_requests(100)
                    started = anyio.current_time()
                    await client.aclose(grace=1.0)
        finally:
            await client.aclose()
    assert len(refused_at) == 10
    # Refused when aclose() began, not after the grace period of the calls in flight.
    assert max(refused_at) - started < 0.5


async def test_a_cancelled_aclose_still_closes_the_pool(http_backend: str) -> None:
    results: list[str] = []
    with RawServer(slow_answer(5.0)) as server, resource_warnings() as found:
        client = make_client(server.url, http_backend=http_backend, max_retries=0)

        async def in_flight(client: mh.AsyncMindhunters) -> None:
            try:
                await get_one(client)
            except mh.MindhuntersError as exc:
                results.append(type(exc).__name__)

        with anyio.fail_after(15):
            async with anyio.create_task_group() as group:
                group.start_soon(in_flight, client)
                await server.wait_for_requests(1)
                # `async with client:` ending inside a cancelled scope: aclose() is
                # cancelled during its grace period.
                with anyio.move_on_after(0.1):
                    async with client:
                        await anyio.sleep_forever()
        assert client._shared.sender.closed
        assert client._shared.http_client.is_closed
        del client
        gc.collect()
    assert results == ["APIConnectionError"]
    assert found == []


def slow_for_one_call(slow_id: str, seconds: float) -> Reply:
    async def reply(head: bytes, reader: asyncio.StreamReader, w: asyncio.StreamWriter) -> bool:
        if slow_id.encode() in head:
            await asyncio.sleep(seconds)
        w.write(response(200, call_json(head), "Content-Type: application/json"))
        return True

    return reply


async def test_waiting_for_a_callers_pool_is_not_the_attempts_time(anyio_backend: str) -> None:
    # With the caller's own client, a request may wait in httpx's pool: that wait is
    # not the server's slowness, and must not end a POST as "outcome unknown".
    slow = str(uuid.uuid4())
    with RawServer(slow_for_one_call(slow, 1.5)) as server:
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=1)) as own:
            client = make_client(server.url, http_client=own, timeout=0.5, max_retries=0)
            async with anyio.create_task_group() as group:
                group.start_soon(client.with_options(timeout=5.0).calls.get, slow)
                await server.wait_for_requests(1)  # the only connection is busy
                call = await place(client)  # waits about 1.5 s for it, then is quick
            await client.aclose()
    assert call.id is not None
    assert len(server.paths) == 2


async def test_the_attempt_time_still_bounds_a_trickling_reply_on_a_callers_client(
    anyio_backend: str,
) -> None:
    with RawServer(drip_body) as server:
        async with httpx.AsyncClient() as own:
            client = make_client(server.url, http_client=own, timeout=1.0, max_retries=0)
            started = anyio.current_time()
            with pytest.raises(mh.APITimeoutError) as info:
                await place(client)
            elapsed = anyio.current_time() - started
            await client.aclose()
    assert elapsed < 2.0
    assert info.value.outcome_unknown  # it was being sent: the call may be placed


async def test_a_deadline_that_ends_in_the_sdks_queue_knows_the_post_never_left(
    anyio_backend: str,
) -> None:
    with RawServer(slow_answer(3.0)) as server:
        client = make_client(server.url)
        try:
            async with anyio.create_task_group() as group:
                for _ in range(100):  # every connection of the pool busy
                    group.start_soon(get_one_quietly, client)
                await server.wait_for_requests(100)
                hurried = client.with_options(retry=mh.RetryPolicy(deadline=0.5))
                with pytest.raises(mh.APITimeoutError) as info:
                    await place(hurried)
                group.cancel_scope.cancel()
        finally:
            await client.aclose(grace=0)
        posts = [p for p in server.paths if p.endswith("/call")]
    assert not info.value.outcome_unknown  # it waited in the SDK's queue, never sent
    assert posts == []


async def get_one_quietly(client: mh.AsyncMindhunters) -> None:
    with contextlib.suppress(mh.MindhuntersError):
        await get_one(client)
