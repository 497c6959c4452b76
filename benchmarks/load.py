"""Load on one client: the SDK against raw httpx and raw aiohttp, over a real socket.

    python benchmarks/load.py             # a few minutes; writes benchmarks/plot.png
    python benchmarks/load.py --smoke     # a few hundred requests, for CI
    python benchmarks/load.py --evaluate  # also plain httpx-aiohttp, raw and under the SDK

A uvicorn server (benchmarks/_server.py) runs in a child process on 127.0.0.1;
every measurement runs in a fresh Python process of its own (so that its peak
memory is its own), on asyncio, one client, `POST /call` with a JSON body:

- sweep: 1, 10, 100 and 1,000 requests in flight (that many tasks, each sending
  one request after another), per-request time = wall time / requests;
- burst: 1,000 and 10,000 `calls.create` started at once: the client's pool has
  100 connections, so most of them must wait for one (and must not fail with
  `PoolTimeout`).

Clients (each with the SDK's pool: 100 connections, no pool timeout):
  raw-httpx    httpx.AsyncClient.post + .json()
  raw-aiohttp  aiohttp.ClientSession.post + .json()
  sdk-httpx    AsyncMindhunters(...).calls.create(...)
  sdk-aiohttp  AsyncMindhunters(..., http_backend="aiohttp").calls.create(...)
with --evaluate also (the SDK's aiohttp backend is httpx-aiohttp plus corrected
exception mapping, see mindhunters_async/_aiohttp.py):
  raw-httpxaiohttp       httpx.AsyncClient over httpx_aiohttp.AiohttpTransport
  sdk-httpxaiohttp       AsyncMindhunters(transport=httpx_aiohttp.AiohttpTransport())
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import pathlib
import resource
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._server import CREATE_BODY, serve_in_process  # noqa: E402

MAIN_KINDS = ["raw-httpx", "raw-aiohttp", "sdk-httpx", "sdk-aiohttp"]
EVALUATION_KINDS = ["raw-httpxaiohttp", "sdk-httpxaiohttp"]
POOL = 100


async def _client(kind: str, url: str) -> tuple[Callable[[], Awaitable[Any]], Any]:
    """(one request, an async close function) for a kind of client."""
    if kind == "raw-aiohttp":
        import aiohttp

        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=POOL),
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=5, sock_read=30),
        )

        async def aiohttp_post() -> Any:
            async with session.post(f"{url}/call", json=CREATE_BODY) as response:
                response.raise_for_status()
                return await response.json()

        return aiohttp_post, session.close

    import httpx

    from mindhunters_async import _config

    transport: httpx.AsyncBaseTransport | None = None
    if kind.endswith("httpxaiohttp"):
        import httpx_aiohttp

        transport = httpx_aiohttp.AiohttpTransport(limits=_config.DEFAULT_LIMITS)

    if kind.startswith("raw-"):
        client = httpx.AsyncClient(
            transport=transport, limits=_config.DEFAULT_LIMITS, timeout=_config.DEFAULT_TIMEOUT
        )

        async def httpx_post() -> Any:
            response = await client.post(f"{url}/call", json=CREATE_BODY)
            response.raise_for_status()
            return response.json()

        return httpx_post, client.aclose

    import mindhunters_async as mh

    sdk = mh.AsyncMindhunters(
        api_token="sk-bench",
        base_url=url,
        transport=transport,
        http_backend="aiohttp" if kind == "sdk-aiohttp" else "httpx",
    )

    async def sdk_create() -> Any:
        return await sdk.calls.create(
            agent_id=CREATE_BODY["agentId"],
            participant=CREATE_BODY["participant"],
            prompt=CREATE_BODY["prompt"],
        )

    return sdk_create, sdk.aclose


async def _worker(kind: str, url: str, in_flight: int, total: int, burst: bool) -> dict[str, Any]:
    op, close = await _client(kind, url)
    latencies: list[float] = []
    errors: collections.Counter[str] = collections.Counter()
    pool_timeouts = 0

    async def one() -> None:
        nonlocal pool_timeouts
        start = time.perf_counter()
        try:
            await op()
        except Exception as exc:
            errors[type(exc).__name__] += 1
            cause: BaseException | None = exc
            while cause is not None:
                pool_timeouts += type(cause).__name__ == "PoolTimeout"
                cause = cause.__cause__
        else:
            latencies.append(time.perf_counter() - start)

    # Warm up: fill the pool, as a long-running service has it.
    await asyncio.gather(*(op() for _ in range(min(in_flight, POOL))))
    for _ in range(20):
        await op()

    started = time.perf_counter()
    if burst:
        await asyncio.gather(*(one() for _ in range(total)))
    else:
        remaining = total

        async def loop() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                await one()

        await asyncio.gather(*(loop() for _ in range(in_flight)))
    wall = time.perf_counter() - started
    await close()
    latencies.sort()
    return {
        "kind": kind,
        "in_flight": in_flight,
        "requests": total,
        "burst": burst,
        "req_per_s": total / wall,
        "per_request_us": wall / total * 1e6,
        "p50_ms": latencies[len(latencies) // 2] * 1e3 if latencies else None,
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1e3 if latencies else None,
        "errors": dict(errors),
        "pool_timeouts": pool_timeouts,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _measure(kind: str, url: str, in_flight: int, total: int, burst: bool) -> dict[str, Any]:
    """One measurement, in a fresh process."""
    command = [sys.executable, __file__, "--worker", kind, "--url", url]
    command += ["--in-flight", str(in_flight), "--requests", str(total)]
    command += ["--burst"] if burst else []
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=900)
    if done.returncode:
        raise RuntimeError(f"{kind} at {in_flight} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _median_row(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The run of median throughput, with errors summed over all runs."""
    rows = sorted(rows, key=lambda r: r["req_per_s"])
    row = dict(rows[len(rows) // 2])
    errors: collections.Counter[str] = collections.Counter()
    for r in rows:
        errors.update(r["errors"])
    row["errors"] = dict(errors)
    row["pool_timeouts"] = sum(r["pool_timeouts"] for r in rows)
    row["runs"] = len(rows)
    return row


def run(
    kinds: list[str], levels: list[int], bursts: list[int], sweep_requests: int, repeat: int
) -> dict[str, list[dict[str, Any]]]:
    results: dict[str, list[dict[str, Any]]] = {"sweep": [], "burst": []}
    with serve_in_process() as url:
        for level in levels:
            runs: dict[str, list[dict[str, Any]]] = {kind: [] for kind in kinds}
            for i in range(repeat):  # interleaved: every kind once per round
                for kind in kinds[i % len(kinds) :] + kinds[: i % len(kinds)]:
                    total = max(sweep_requests, 2 * level)
                    runs[kind].append(_measure(kind, url, level, total, burst=False))
            for kind in kinds:
                row = _median_row(runs[kind])
                results["sweep"].append(row)
                _print(row)
        for size in bursts:
            for kind in kinds:
                row = _median_row([_measure(kind, url, size, size, burst=True)])
                results["burst"].append(row)
                _print(row)
    return results


def _print(row: dict[str, Any]) -> None:
    what = f"burst {row['requests']}" if row["burst"] else f"{row['in_flight']} in flight"
    print(
        f"{row['kind']:<24} {what:>16}: {row['req_per_s']:8.0f} req/s"
        f" {row['per_request_us']:8.0f} us/req  p50 {row['p50_ms']:8.2f} ms"
        f"  p99 {row['p99_ms']:8.2f} ms  peak {row['peak_rss_mib']:6.1f} MiB"
        f"  errors {row['errors'] or 0}  PoolTimeout {row['pool_timeouts']}",
        flush=True,
    )


def plot(results: dict[str, list[dict[str, Any]]], path: pathlib.Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 4.5), dpi=110)
    by_kind: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    for row in results["sweep"]:
        by_kind[row["kind"]].append(row)
    styles = {
        "raw-httpx": "C0--",
        "sdk-httpx": "C0-",
        "raw-aiohttp": "C1--",
        "sdk-aiohttp": "C1-",
        "raw-httpxaiohttp": "C2:",
        "sdk-httpxaiohttp": "C3:",
    }
    for kind, rows in by_kind.items():
        rows.sort(key=lambda r: r["in_flight"])
        axes.plot(
            [r["in_flight"] for r in rows],
            [r["per_request_us"] for r in rows],
            styles.get(kind, ":"),
            marker="o",
            label=kind,
        )
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("requests in flight (one client, pool of 100 connections)")
    axes.set_ylabel("wall time per request (us, log), lower is better")
    axes.set_title("POST /call to a local uvicorn server (1 / throughput)")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="a few hundred requests, for CI")
    parser.add_argument("--evaluate", action="store_true", help="also the transport candidates")
    parser.add_argument("--repeat", type=int, default=3, help="runs per sweep point (median)")
    parser.add_argument("--requests", type=int, default=3000, help="requests per sweep point")
    parser.add_argument("--json", type=pathlib.Path, help="also write the results here")
    parser.add_argument("--plot", type=pathlib.Path, default=ROOT / "benchmarks" / "plot.png")
    parser.add_argument("--replot", type=pathlib.Path, help="plot results saved by --json")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--in-flight", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--burst", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        worker = _worker(args.worker, args.url, args.in_flight, args.requests, args.burst)
        print(json.dumps(asyncio.run(worker)))
        return

    if args.replot:
        plot(json.loads(args.replot.read_text()), args.plot)
        return
    kinds = MAIN_KINDS + (EVALUATION_KINDS if args.evaluate else [])
    if args.smoke:
        results = run(kinds, levels=[1, 10], bursts=[200], sweep_requests=50, repeat=1)
    else:
        results = run(kinds, [1, 10, 100, 1000], [1000, 10000], args.requests, args.repeat)
    failed = [r for r in results["sweep"] + results["burst"] if r["errors"] or r["pool_timeouts"]]
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    if not args.smoke:
        plot(results, args.plot)
        print(f"plot: {args.plot}")
    if failed:
        raise SystemExit(f"{len(failed)} measurements had errors")


if __name__ == "__main__":
    main()
