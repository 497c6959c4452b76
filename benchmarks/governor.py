"""The rate governor: 4 processes sharing one limit through Redis, and its own cost.

    python benchmarks/governor.py            # ~1 min: 4 processes x 1,000 requests
    python benchmarks/governor.py --smoke    # 4 x 100, for CI (no thresholds)
    python benchmarks/governor.py --json PATH

- run: the fake Mindhunters served over 127.0.0.1 (uvicorn, in a thread of this
  process) with its rate limit set to the governor's (`rate_window` shrinks its
  minute to `PER` seconds); 4 worker processes, each with its own client, start
  their requests at once (`calls.get`, all in flight together). With one
  `RedisRateLimit` key shared by the 4: how many 429s, and what rate against the
  allowed one. Without a governor (`max_retries=0`, so that every 429 shows): how
  many 429s.
- cost: `RateLimit.govern` around a handler that answers at once, against the
  handler alone, with no waiting (median of interleaved batches): the governor's
  own cost per request in-process.
- redis: one request's two round trips to Redis (take a slot, give it back), one
  after another, against a local redis-server; and a bare PING for scale.

The achieved rate is (requests - the first window's burst) / (last send - first
send): a governor that lets exactly `requests` go every `per` seconds scores 100%.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import pathlib
import statistics
import subprocess
import sys
import time
import uuid
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mindhunters_async.testing._server import redis_server  # noqa: E402

WORKERS = 4


# The worker process ---------------------------------------------------------------


async def _worker(base_url: str, port: int, key: str, count: int, per: float, limit: int) -> None:
    import redis.asyncio

    import mindhunters_async as mh
    from mindhunters_async._redis import RedisRateLimit
    from mindhunters_async.testing import FakeMindhunters

    sends: list[float] = []

    async def record(request: Any, call_next: Any) -> Any:
        sends.append(time.time())
        return await call_next(request)

    redis_client = redis.asyncio.Redis(host="127.0.0.1", port=port)
    governor = None if not key else RedisRateLimit(redis_client, key=key, requests=limit, per=per)
    statuses: dict[int, int] = {}
    try:
        async with mh.AsyncMindhunters(
            api_token=FakeMindhunters.DEFAULT_TOKEN,
            base_url=base_url,
            rate_limit=governor,
            max_retries=0 if governor is None else 2,
            middleware=[record],
        ) as client:

            async def one() -> None:
                try:
                    await client.agents.get(FakeMindhunters.DEFAULT_AGENT_ID)
                except mh.APIStatusError as err:
                    statuses[err.status_code] = statuses.get(err.status_code, 0) + 1

            print("ready", flush=True)
            sys.stdin.readline()
            await asyncio.gather(*(one() for _ in range(count)))
            stats = client.stats()
    finally:
        await redis_client.aclose()
    result = {"sends": sends, "errors": statuses, "governor_waits": stats.governor_waits}
    print(json.dumps(result), flush=True)


def _run(base_url: str, port: int, key: str, count: int, per: float, limit: int) -> dict[str, Any]:
    args = [base_url, str(port), key, str(count), str(per), str(limit)]
    workers = [
        subprocess.Popen(
            [sys.executable, __file__, "--worker", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(WORKERS)
    ]
    for worker in workers:
        assert worker.stdout is not None
        if worker.stdout.readline().strip() != "ready":
            raise RuntimeError("a worker did not start")
    started = time.time()
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    results = []
    for worker in workers:
        out, _ = worker.communicate()
        if worker.returncode != 0:
            raise RuntimeError(f"a worker failed with {worker.returncode}")
        results.append(json.loads(out.strip().splitlines()[-1]))
    elapsed = time.time() - started
    sends = sorted(t for r in results for t in r["sends"])
    errors: dict[str, int] = {}
    for r in results:
        for status, n in r["errors"].items():
            errors[status] = errors.get(status, 0) + n
    span = sends[-1] - sends[0]
    busiest = max(
        sum(1 for u in sends[i : i + limit + 1] if u < t + per) for i, t in enumerate(sends)
    )
    return {
        "requests": len(sends),
        "elapsed_s": round(elapsed, 3),
        "errors_by_status": errors,
        "busiest_window": busiest,
        "achieved_rate": round((len(sends) - limit) / span, 1) if span else None,
        "allowed_rate": limit / per,
        "governor_waits": sum(r["governor_waits"] for r in results),
    }


def fleet(smoke: bool, port: int) -> dict[str, Any]:
    from mindhunters_async.testing import FakeMindhunters

    count, limit, per = (100, 100, 1.0) if smoke else (1000, 250, 1.0)
    out: dict[str, Any] = {"workers": WORKERS, "per_worker": count, "limit": limit, "per": per}
    for name, key in [("governed", f"bench:{uuid.uuid4().hex}"), ("ungoverned", "")]:
        fake = FakeMindhunters(rate_limit=limit, rate_window=per)
        with fake.serve() as base_url:
            row = _run(base_url, port, key, count, per, limit)
        row["server_429s"] = sum(1 for r in fake.requests if r.status == 429)
        if row["achieved_rate"] is not None:
            row["share_of_allowed"] = round(row["achieved_rate"] / row["allowed_rate"], 3)
        out[name] = row
    return out


# The governor's own cost ----------------------------------------------------------


async def _cost(batches: int, size: int) -> dict[str, float]:
    import httpx

    from mindhunters_async._governor import RateLimit
    from mindhunters_async._pipeline import Endpoint, Request
    from mindhunters_async.testing import FakeMindhunters

    options = FakeMindhunters().client()._options
    request = Request(Endpoint("calls.get", "GET", "/calls/x"), options, "/calls/x")
    request.on_wire = True
    response = httpx.Response(200, headers={"X-RateLimit-Remaining": "999999"})

    async def answer(_: Any) -> httpx.Response:
        return response

    limit = RateLimit(requests=10**9, per=60.0)
    bare: list[float] = []
    governed: list[float] = []
    for _ in range(batches):
        t0 = time.perf_counter()
        for _ in range(size):
            await answer(request)
        t1 = time.perf_counter()
        for _ in range(size):
            await limit.govern(request, answer)
        t2 = time.perf_counter()
        bare.append((t1 - t0) / size)
        governed.append((t2 - t1) / size)
    diffs = [g - b for g, b in zip(governed, bare, strict=True)]
    return {
        "handler_alone_us": round(statistics.median(bare) * 1e6, 3),
        "through_governor_us": round(statistics.median(governed) * 1e6, 3),
        "governor_cost_us": round(statistics.median(diffs) * 1e6, 3),
    }


async def _redis_rtt(port: int, rounds: int) -> dict[str, float]:
    import httpx
    import redis.asyncio

    from mindhunters_async._pipeline import Endpoint, Request
    from mindhunters_async._redis import RedisRateLimit
    from mindhunters_async.testing import FakeMindhunters

    client = redis.asyncio.Redis(host="127.0.0.1", port=port)
    try:
        limit = RedisRateLimit(client, key=f"bench:{uuid.uuid4().hex}", requests=10**9, per=60.0)
        options = FakeMindhunters().client()._options
        request = Request(Endpoint("calls.get", "GET", "/calls/x"), options, "/calls/x")
        request.on_wire = True
        response = httpx.Response(200)

        async def answer(_: Any) -> httpx.Response:
            return response

        await client.ping()
        await limit.govern(request, answer)  # loads the scripts
        t0 = time.perf_counter()
        for _ in range(rounds):
            await client.ping()
        t1 = time.perf_counter()
        for _ in range(rounds):
            await limit.govern(request, answer)
        t2 = time.perf_counter()
    finally:
        await client.aclose()
    return {
        "ping_us": round((t1 - t0) / rounds * 1e6, 1),
        "take_and_give_back_us": round((t2 - t1) / rounds * 1e6, 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="4 x 100 requests, for CI")
    parser.add_argument("--json", type=pathlib.Path, help="also write the results here")
    parser.add_argument("--worker", nargs=6, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        base_url, port, key, count, per, limit = args.worker
        asyncio.run(_worker(base_url, int(port), key, int(count), float(per), int(limit)))
        return
    with redis_server() as port:
        results: dict[str, Any] = {
            "cost": asyncio.run(_cost(5 if args.smoke else 41, 2000 if args.smoke else 20000)),
            "redis": asyncio.run(_redis_rtt(port, 200 if args.smoke else 5000)),
            "fleet": fleet(args.smoke, port),
        }
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
