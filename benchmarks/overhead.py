"""The SDK's cost per request over raw httpx, on the same in-process mock transport.

    python benchmarks/overhead.py            # about two minutes
    python benchmarks/overhead.py --smoke    # a few hundred requests, for CI

Each scenario is timed in batches, SDK and raw httpx alternating (which one goes
first alternates too), so that both see the same machine state; the ratio of
each pair of batches is taken and the median reported. Both sides run on one
`httpx.MockTransport` answering from `benchmarks._server.route`, so the
transport and the server cost nothing and the difference is the SDK's own work:
building and validating the request, auth and idempotency headers, the retry
layer, logging, error decoding, the size-capped body read, JSON decoding and
structuring into the model.

Scenarios:
- create: `client.calls.create(...)` vs `client.post(url, json=body)` + `.json()`
- get:    `client.calls.get(id)` vs `client.get(url)` + `.json()`
- list:   one page of 100 calls, `await client.calls.list(per_page=100)` vs raw
- error:  a 404 raised as `NotFoundError` vs raw `.json()` + `raise_for_status()`
- create-unguarded: `create` with each attempt awaited directly, without the guard
  that keeps a native cancellation out of httpcore's shielded clean-up
  (`_transport._Guarded`): the difference with `create` is the guard's cost

Each scenario also runs as `NAME-own-client` (`create-own-client`, ...): the same
SDK call, but on an SDK given the caller's own client,
`AsyncMindhunters(http_client=httpx.AsyncClient(transport=...))` with the same
mock transport, instead of the client the SDK builds for itself. The raw side
is unchanged, so the two ratios compare the two ways of constructing the SDK.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import pathlib
import statistics
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import anyio
import httpx

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

import mindhunters_async as mh
from benchmarks._server import CALL_ID, CREATE_BODY, MISSING_ID, route

BASE_URL = "http://127.0.0.1:8000/api/v1"
Op = Callable[[], Awaitable[Any]]


def _handler(request: httpx.Request) -> httpx.Response:
    status, headers, content = route(request.method, request.url.path)
    return httpx.Response(status, headers=headers, content=content)


OWN_CLIENT = "-own-client"


def scenarios(
    raw: httpx.AsyncClient, sdk: mh.AsyncMindhunters, own: mh.AsyncMindhunters
) -> dict[str, tuple[Op, Op]]:
    """name -> (raw httpx operation, SDK operation); `own` is the SDK on the caller's
    own `httpx.AsyncClient`, for the `-own-client` variants."""
    raw_ops = _raw_ops(raw)
    table = {name: (raw_ops[name], op) for name, op in _sdk_ops(sdk).items()}
    for name, op in _sdk_ops(own).items():
        table[name + OWN_CLIENT] = (raw_ops[name], op)
    table["create" + UNGUARDED] = (raw_ops["create"], _unguarded(sdk, _sdk_ops(sdk)["create"]))
    return table


UNGUARDED = "-unguarded"


def _unguarded(sdk: mh.AsyncMindhunters, op: Op) -> Op:
    """`op` with each attempt awaited directly instead of through the guard against
    native cancellations (see "Cancellation safety at no cost" in
    benchmarks/README.md), measured for its cost only. On trio the SDK awaits
    attempts directly anyway."""
    sender = sdk._shared.sender

    async def unguarded() -> Any:
        loop = sender._asyncio_loop
        sender._asyncio_loop = None
        try:
            return await op()
        finally:
            sender._asyncio_loop = loop

    return unguarded


def _raw_ops(raw: httpx.AsyncClient) -> dict[str, Op]:
    async def raw_create() -> Any:
        response = await raw.post(f"{BASE_URL}/call", json=CREATE_BODY)
        response.raise_for_status()
        return response.json()

    async def raw_get() -> Any:
        response = await raw.get(f"{BASE_URL}/calls/{CALL_ID}")
        response.raise_for_status()
        return response.json()

    async def raw_list() -> Any:
        response = await raw.get(f"{BASE_URL}/calls", params={"per_page": 100, "page": 1})
        response.raise_for_status()
        return response.json()

    async def raw_error() -> Any:
        response = await raw.get(f"{BASE_URL}/calls/{MISSING_ID}")
        body = response.json()
        try:
            response.raise_for_status()
        except httpx.HTTPStatusError:
            return body
        raise AssertionError("expected a 404")

    return {"create": raw_create, "get": raw_get, "list": raw_list, "error": raw_error}


def _sdk_ops(sdk: mh.AsyncMindhunters) -> dict[str, Op]:
    async def sdk_create() -> Any:
        return await sdk.calls.create(
            agent_id=CREATE_BODY["agentId"],
            participant=CREATE_BODY["participant"],
            prompt=CREATE_BODY["prompt"],
        )

    async def sdk_get() -> Any:
        return await sdk.calls.get(CALL_ID)

    async def sdk_list() -> Any:
        return await sdk.calls.list(per_page=100)

    async def sdk_error() -> Any:
        try:
            await sdk.calls.get(MISSING_ID)
        except mh.NotFoundError as exc:
            return exc
        raise AssertionError("expected a 404")

    return {"create": sdk_create, "get": sdk_get, "list": sdk_list, "error": sdk_error}


@contextlib.asynccontextmanager
async def clients() -> AsyncIterator[
    tuple[httpx.AsyncClient, mh.AsyncMindhunters, mh.AsyncMindhunters]
]:
    """Raw httpx, the SDK on the client it builds, and the SDK on a client of the
    caller's, each on a `MockTransport` of `_handler`; all closed on exit."""
    raw = httpx.AsyncClient(transport=httpx.MockTransport(_handler))
    sdk = mh.AsyncMindhunters(
        api_token="sk-bench", base_url=BASE_URL, transport=httpx.MockTransport(_handler)
    )
    mine = httpx.AsyncClient(transport=httpx.MockTransport(_handler))
    own = mh.AsyncMindhunters(api_token="sk-bench", base_url=BASE_URL, http_client=mine)
    async with raw, sdk, mine, own:  # the SDK does not close the caller's client
        yield raw, sdk, own


async def _batch(op: Op, n: int) -> float:
    """Seconds per call of `op`, over `n` calls."""
    gc.collect()
    start = time.perf_counter()
    for _ in range(n):
        await op()
    return (time.perf_counter() - start) / n


async def measure(rounds: int, batch: int, only: list[str] | None) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    async with clients() as (raw, sdk, own):
        table = scenarios(raw, sdk, own)
        for name in ("create", "create" + OWN_CLIENT):
            assert (await table[name][1]()).id == CALL_ID
        for name, (raw_op, sdk_op) in table.items():
            if only and name not in only:
                continue
            for _ in range(max(batch // 4, 5)):  # warm up both
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
                "requests": 2 * rounds * batch,
            }
    return results


async def profile(name: str, n: int, sort: str) -> None:
    """Run the SDK side of scenario `name` `n` times under cProfile and print the top."""
    import cProfile
    import pstats

    async with clients() as (raw, sdk, own):
        op = scenarios(raw, sdk, own)[name][1]
        for _ in range(100):
            await op()
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(n):
            await op()
        profiler.disable()
    pstats.Stats(profiler).sort_stats(sort).print_stats(30)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="a few hundred requests, for CI")
    parser.add_argument("--rounds", type=int, default=41)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--backend", choices=["asyncio", "trio"], default="asyncio")
    parser.add_argument("--only", nargs="*", help="scenarios to run (default: all)")
    parser.add_argument("--json", type=pathlib.Path, help="also write the results here")
    parser.add_argument("--profile", metavar="SCENARIO", help="profile the SDK side of one")
    parser.add_argument("--sort", default="tottime", help="cProfile sort key for --profile")
    args = parser.parse_args(argv)
    if args.profile:
        anyio.run(profile, args.profile, 2000, args.sort, backend=args.backend)
        return
    rounds, batch = (3, 20) if args.smoke else (args.rounds, args.batch)

    results = anyio.run(measure, rounds, batch, args.only, backend=args.backend)
    print(f"per-request time, median of {rounds} interleaved batches of {batch} ({args.backend})")
    print(f"{'scenario':<17} {'raw httpx':>11} {'SDK':>11} {'ratio':>7}")
    for name, row in results.items():
        print(f"{name:<17} {row['raw_us']:>9.1f}us {row['sdk_us']:>9.1f}us {row['ratio']:>6.2f}x")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
