"""Shared fixtures: every async test runs on asyncio and on trio."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import respx

import mindhunters_async as mh

TOKEN = "sk-test-0123456789abcdef-SECRET"
BASE_URL = "https://acme.mindhunters.ai/api/v1"
AGENT_ID = "550e8400-e29b-41d4-a716-446655440000"
CALL_ID = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class RecordingSleep:
    """The retry layer's `sleep` hook for tests: records each delay, waits for none."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


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
