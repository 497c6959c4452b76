"""Shared fixtures: every async test runs on asyncio and on trio.

Fixtures only: constants, helpers and envelopes are in support.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

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
