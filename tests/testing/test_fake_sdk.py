"""The SDK's client against the fake: the round trip users' tests will make."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

import mindhunters_async as mh
from mindhunters_async.testing import FakeMindhunters, Fault

pytestmark = pytest.mark.anyio

NUMBER = "+14155552671"


@pytest.fixture
def delays() -> list[float]:
    return []


@pytest.fixture
async def client(fake: FakeMindhunters, delays: list[float]) -> AsyncIterator[mh.AsyncMindhunters]:
    async def sleep(seconds: float) -> None:
        delays.append(seconds)

    async with fake.client(retry=mh.RetryPolicy(sleep=sleep)) as client:
        yield client


async def place(client: mh.AsyncMindhunters) -> mh.Call:
    return await client.calls.create(
        agent_id=FakeMindhunters.DEFAULT_AGENT_ID, participant={"number": NUMBER}
    )


async def test_create_get_and_list(fake: FakeMindhunters, client: mh.AsyncMindhunters) -> None:
    created = await place(client)
    assert (created.status, created.provider) == ("initiated", "twilio")
    fetched = await client.calls.get(created.id)
    assert fetched.agent is not None
    assert (fetched.id, fetched.direction, fetched.agent.name) == (
        created.id,
        "outbound",
        "Test Agent",
    )
    for _ in range(4):
        fake.add_call()
    ids = [call.id async for call in client.calls.list(per_page=2)]
    assert ids == [*reversed(list(fake.calls))]
    assert len(fake.requests_to("GET", "/calls")) == 3


async def test_errors_become_the_sdk_exceptions(client: mh.AsyncMindhunters) -> None:
    missing = "550e8400-e29b-41d4-a716-446655440000"
    with pytest.raises(mh.NotFoundError) as raised:
        await client.calls.get(missing)
    assert raised.value.code == mh.ErrorCode.RESOURCE_NOT_FOUND


async def test_a_503_is_retried_and_places_one_call(
    fake: FakeMindhunters, client: mh.AsyncMindhunters, delays: list[float]
) -> None:
    fake.fail(503, route="POST /call")
    await place(client)
    assert len(fake.calls) == 1
    first, second = fake.requests_to("POST", "/call")
    assert (first.status, second.status) == (503, 201)
    assert first.idempotency_key is not None
    assert first.idempotency_key == second.idempotency_key
    assert len(delays) == 1


async def test_a_timeout_after_the_call_was_placed_is_not_retried(
    fake: FakeMindhunters, client: mh.AsyncMindhunters
) -> None:
    fake.fail(Fault.READ_TIMEOUT_AFTER_COMMIT, route="POST /call")
    with pytest.raises(mh.APITimeoutError):
        await place(client)
    assert len(fake.calls) == 1
    assert len(fake.requests_to("POST", "/call")) == 1
