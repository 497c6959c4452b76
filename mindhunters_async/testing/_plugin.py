"""Pytest fixtures for code that uses mindhunters_async, loaded through the pytest11 entry point.

Pytest loads this module in every run of every project that installs the SDK, so
it only defines fixtures: no hooks, nothing autouse, and the SDK's client is
imported by the fixture that needs it.

`mindhunters_client` is an async fixture: request it from tests marked
`@pytest.mark.anyio` (it then runs on each `anyio_backend`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from mindhunters_async import AsyncMindhunters
    from mindhunters_async.testing import FakeMindhunters

__all__ = ["fake_mindhunters", "mindhunters_client"]


@pytest.fixture
def fake_mindhunters() -> FakeMindhunters:
    """A fresh `FakeMindhunters`: one default agent, no calls, the default token."""
    from mindhunters_async.testing import FakeMindhunters

    return FakeMindhunters()


@pytest.fixture
async def mindhunters_client(
    fake_mindhunters: FakeMindhunters,
) -> AsyncIterator[AsyncMindhunters]:
    """An `AsyncMindhunters` answered by `fake_mindhunters`, closed after the test.

    Its retries do not wait (the retry policy's `sleep` hook only yields to the
    event loop), so a test that injects a 503 or a 429 runs at full speed; every
    other setting is the SDK's default.
    """
    from mindhunters_async import RetryPolicy

    async with fake_mindhunters.client(retry=RetryPolicy(sleep=_no_wait)) as client:
        yield client


async def _no_wait(seconds: float) -> None:
    import anyio.lowlevel

    await anyio.lowlevel.checkpoint()
