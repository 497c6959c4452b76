"""The retry policy's deadline: it bounds the waits, the attempts and each attempt's timeouts."""

from __future__ import annotations

import random

import anyio
import httpx
import pytest
import respx
from support import (
    AGENT_ID,
    CALL_ID,
    PARTICIPANT,
    SERVICE_UNAVAILABLE,
    TOKEN,
    RecordingSleep,
    ok,
    rate_limit_exceeded,
)

import mindhunters_async as mh

pytestmark = pytest.mark.anyio


async def test_deadline_stops_before_a_wait_that_would_pass_it(
    api: respx.MockRouter, sleeps: RecordingSleep
) -> None:
    class Greatest(random.Random):
        def uniform(self, a: float, b: float) -> float:
            return b

    policy = mh.RetryPolicy(
        sleep=sleeps,
        deadline=10.0,
        max_retries=5,
        initial_delay=3.0,
        max_delay=6.0,
        random=Greatest(),
    )
    route = api.get(f"/calls/{CALL_ID}").mock(return_value=SERVICE_UNAVAILABLE.response())
    async with mh.AsyncMindhunters(api_token=TOKEN, tenant="acme", retry=policy) as client:
        with pytest.raises(mh.APITimeoutError) as info:
            await client.calls.get(CALL_ID)
    # 3 + 6 fit in 10 s; a third wait of 6 would not, so it is never started.
    assert sleeps.delays == [3.0, 6.0]
    assert route.call_count == 3
    message = str(info.value)
    assert "deadline of 10s" in message
    assert "attempt 4" in message
    assert info.value.attempts == 3
    assert isinstance(info.value.__cause__, mh.ServiceUnavailableError)


async def test_a_server_wait_past_the_deadline_raises_the_servers_answer(
    api: respx.MockRouter, sleeps: RecordingSleep
) -> None:
    policy = mh.RetryPolicy(sleep=sleeps, deadline=10.0, max_retries=5)
    route = api.get(f"/calls/{CALL_ID}").mock(return_value=rate_limit_exceeded(1000, 4).response())
    async with mh.AsyncMindhunters(api_token=TOKEN, tenant="acme", retry=policy) as client:
        with pytest.raises(mh.RateLimitError) as info:
            await client.calls.get(CALL_ID)
    # 4 + 4 fit in 10 s; the third wait would not: the caller gets the 429 to schedule on.
    assert sleeps.delays == [4.0, 4.0]
    assert route.call_count == 3
    assert info.value.retry_after == 4.0
    assert "past the deadline of 10s" in str(info.value)


async def test_deadline_cancels_a_hanging_attempt() -> None:
    # A MockTransport, not respx: the handler must hang until the deadline cancels it.
    started = anyio.Event()

    async def hang(request: httpx.Request) -> httpx.Response:
        started.set()
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    policy = mh.RetryPolicy(deadline=0.05)
    async with mh.AsyncMindhunters(
        api_token=TOKEN, tenant="acme", retry=policy, transport=httpx.MockTransport(hang)
    ) as client:
        with pytest.raises(mh.APITimeoutError) as info:
            await client.calls.create(agent_id=AGENT_ID, participant=PARTICIPANT)
    assert started.is_set()
    assert "ran out during attempt 1" in str(info.value)
    # A POST cut short in flight may have reached the server.
    assert info.value.outcome_unknown is True
    assert info.value.idempotency_key is not None


async def test_attempt_timeouts_are_clamped_to_the_deadline(
    api: respx.MockRouter, sleeps: RecordingSleep
) -> None:
    policy = mh.RetryPolicy(sleep=sleeps, deadline=2.0)
    route = api.get(f"/calls/{CALL_ID}").mock(return_value=ok())
    async with mh.AsyncMindhunters(
        api_token=TOKEN, tenant="acme", retry=policy, timeout=30.0
    ) as client:
        await client.calls.get(CALL_ID)
    timeouts = route.calls.last.request.extensions["timeout"]
    assert set(timeouts) == {"connect", "read", "write", "pool"}
    assert all(0 < value <= 2.0 for value in timeouts.values())


async def test_without_deadline_the_client_timeout_applies(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.get(f"/calls/{CALL_ID}").mock(return_value=ok())
    await client.with_options(timeout=7.0).calls.get(CALL_ID)
    assert route.calls.last.request.extensions["timeout"]["read"] == 7.0
