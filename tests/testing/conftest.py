"""Fixtures for the tests of mindhunters_async.testing; anyio_backend is in tests/conftest.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from mindhunters_async.testing import FakeMindhunters, ManualClock

MakeClient = Callable[..., httpx.Client]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def fake(clock: ManualClock) -> FakeMindhunters:
    return FakeMindhunters(clock=clock)


@pytest.fixture
def make_client(fake: FakeMindhunters) -> Iterator[MakeClient]:
    """Synchronous clients on a fake's MockTransport (default: `fake`), with a given token.

    A token of None sends no Authorization header.
    """
    clients: list[httpx.Client] = []

    def make(
        token: str | None = FakeMindhunters.DEFAULT_TOKEN, of: FakeMindhunters = fake
    ) -> httpx.Client:
        headers = {} if token is None else {"Authorization": f"Bearer {token}"}
        client = httpx.Client(
            transport=of.transport(), base_url=of.DEFAULT_BASE_URL, headers=headers
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def api(make_client: MakeClient) -> httpx.Client:
    return make_client()
