"""Decoding a page of 100 items, for every list operation: the SDK against raw httpx + `.json()`.

    python benchmarks/lists.py            # about a minute
    python benchmarks/lists.py --smoke    # a few requests each, for CI

Each list's page is what `FakeMindhunters` answers for 100 records (agents, calls,
contacts, conversations, messages, pools, rules, tasks, phone numbers, rates), captured
once; both sides then read those bytes from the same `httpx.MockTransport`, so the
difference is the SDK's own work: validation, the pipeline, and decoding 100 items
into models (datetimes included). Timed in interleaved batches, median ratio, as
`overhead.py` does.
"""

from __future__ import annotations

import argparse
import gc
import json
import pathlib
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import anyio.to_thread
import httpx

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

import mindhunters_async as mh
from mindhunters_async.testing import FakeMindhunters

BASE_URL = FakeMindhunters.DEFAULT_BASE_URL
N = 100
WHEN = "2025-01-15T10:30:00.000000Z"


def _seed(fake: FakeMindhunters) -> dict[str, str]:
    """100 records in each collection; returns the path of each list to time."""
    agent = FakeMindhunters.DEFAULT_AGENT_ID
    conversation = str(uuid.uuid4())
    fake.add_record("conversations", uuid=conversation, agent_uuid=agent, status="completed")
    for i in range(N):
        fake.add_agent(f"Agent {i}", description="Books appointments", language="en")
        fake.add_call(f"+1415555{i:04d}", duration=30 + i)
        number = f"+1415555{i:04d}"
        fake.add_record(
            "contacts",
            name=f"Contact {i}",
            phone_number=number,
            email=f"c{i}@example.com",
            status="active",
            tags=[{"id": 1, "name": "lead"}],
        )
        fake.add_record(
            "conversations",
            agent_uuid=agent,
            contact_uuid=str(uuid.uuid4()),
            phone=number,
            channel="call",
            status="completed",
            started_at=WHEN,
            ended_at=WHEN,
        )
        fake.add_record(
            "conversation_messages",
            conversation_uuid=conversation,
            sender="agent" if i % 2 else "contact",
            content=f"Message {i}",
        )
        fake.add_record("pools", name=f"Pool {i}", type="FIFO", description="Leads", is_active=True)
        fake.add_record("rules", name=f"Rule {i}", conditions=[{"field": "status"}], is_active=True)
        fake.add_record(
            "tasks",
            title=f"Call {i}",
            type="call",
            status="pending",
            agent_uuid=agent,
            scheduled_at=WHEN,
        )
        fake.add_record(
            "phone_numbers", number=number, country="US", status="active", channel="call"
        )
        fake.add_record(
            "phone_number_rates", country="US", prefix="+1", rate_per_minute=0.013, currency="USD"
        )
    return {
        "agents": "/agents",
        "calls": "/calls",
        "contacts": "/contacts",
        "conversations": "/conversations",
        "conversations.messages": f"/conversations/{conversation}/messages",
        "pools": "/pools",
        "rules": "/rules",
        "tasks": "/tasks",
        "phone_numbers": "/phone-numbers",
        "phone_numbers.rates": "/phone-numbers/rates",
    }


def _capture(fake: FakeMindhunters, paths: dict[str, str]) -> dict[str, bytes]:
    """The first page of 100 of each list, as the fake answers it."""
    bodies: dict[str, bytes] = {}
    headers = {"Authorization": f"Bearer {fake.DEFAULT_TOKEN}"}
    with httpx.Client(transport=fake.transport(), base_url=BASE_URL) as capture:
        for path in paths.values():
            response = capture.get(path, params={"per_page": N}, headers=headers)
            response.raise_for_status()
            bodies[path] = response.content
    return bodies


def _sdk_list(client: mh.AsyncMindhunters, name: str, path: str) -> Awaitable[Any]:
    if name == "conversations.messages":
        return client.conversations.messages(path.split("/")[2], per_page=N)
    resource, _, method = name.partition(".")
    pager = getattr(getattr(client, resource), method or "list")(per_page=N)
    return pager  # type: ignore[no-any-return]


async def _batch(op: Callable[[], Awaitable[Any]], n: int) -> float:
    gc.collect()
    start = time.perf_counter()
    for _ in range(n):
        await op()
    return (time.perf_counter() - start) / n


async def measure(rounds: int, batch: int) -> dict[str, dict[str, float]]:
    fake = FakeMindhunters(rate_limit=10**9)
    paths = _seed(fake)
    bodies = await anyio.to_thread.run_sync(_capture, fake, paths)
    by_path = {f"/api/v1{path}": body for path, body in bodies.items()}

    def answer(request: httpx.Request) -> httpx.Response:
        content = by_path[request.url.path]
        return httpx.Response(200, content=content, headers={"content-type": "application/json"})

    results: dict[str, dict[str, float]] = {}
    raw = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    sdk = mh.AsyncMindhunters(
        api_token="sk-bench", base_url=BASE_URL, transport=httpx.MockTransport(answer)
    )
    async with raw, sdk:
        for name, path in paths.items():
            url = BASE_URL + path

            async def raw_op(url: str = url) -> Any:
                response = await raw.get(url, params={"per_page": N, "page": 1})
                response.raise_for_status()
                return response.json()

            async def sdk_op(name: str = name, path: str = path) -> Any:
                return await _sdk_list(sdk, name, path)

            page = await sdk_op()
            assert len(page.items) == N, (name, len(page.items))
            for _ in range(5):
                await raw_op()
                await sdk_op()
            raws, sdks, ratios = [], [], []
            for i in range(rounds):
                if i % 2:
                    s, r = await _batch(sdk_op, batch), await _batch(raw_op, batch)
                else:
                    r, s = await _batch(raw_op, batch), await _batch(sdk_op, batch)
                raws.append(r)
                sdks.append(s)
                ratios.append(s / r)
            results[name] = {
                "raw_us": statistics.median(raws) * 1e6,
                "sdk_us": statistics.median(sdks) * 1e6,
                "ratio": statistics.median(ratios),
                "bytes": len(bodies[path]),
            }
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="a few requests each, for CI")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--batch", type=int, default=40)
    parser.add_argument("--json", type=pathlib.Path, help="also write the results here")
    args = parser.parse_args(argv)
    rounds, batch = (2, 3) if args.smoke else (args.rounds, args.batch)
    results = anyio.run(measure, rounds, batch)
    print(f"one page of {N} items, median of {rounds} interleaved batches of {batch}")
    print(f"{'list':24s} {'bytes':>8s} {'raw httpx':>11s} {'SDK':>11s} {'ratio':>7s}")
    for name, row in results.items():
        print(
            f"{name:24s} {row['bytes']:8.0f} {row['raw_us']:9.1f}us {row['sdk_us']:9.1f}us"
            f" {row['ratio']:6.2f}x"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
