"""The retry budget: a token bucket shared by a client and its copies, refilled by successes."""

from __future__ import annotations

import httpx
import pytest
import respx
from support import CALL_ID, SERVICE_UNAVAILABLE, TOKEN, RecordingSleep, ok

import mindhunters_async as mh

pytestmark = pytest.mark.anyio


async def test_retry_budget_runs_dry_and_refills(
    api: respx.MockRouter, sleeps: RecordingSleep
) -> None:
    budget = mh.RetryBudget(capacity=10, retry_cost=5, timeout_cost=10, success_refund=1)
    policy = mh.RetryPolicy(sleep=sleeps, budget=budget)
    route = api.get(f"/calls/{CALL_ID}").mock(return_value=SERVICE_UNAVAILABLE.response())
    async with mh.AsyncMindhunters(api_token=TOKEN, tenant="acme", retry=policy) as client:
        with pytest.raises(mh.ServiceUnavailableError):
            await client.calls.get(CALL_ID)
        assert route.call_count == 3  # two retries paid 5 + 5: the bucket is empty

        with pytest.raises(mh.ServiceUnavailableError) as info:
            await client.calls.get(CALL_ID)
        assert route.call_count == 4  # no tokens: raised at once, not retried
        assert "retry budget is exhausted" in str(info.value)

        # A copy made with with_options shares the bucket.
        with pytest.raises(mh.ServiceUnavailableError):
            await client.with_options(timeout=3.0).calls.get(CALL_ID)
        assert route.call_count == 5

        # Successes refill it, one token each, until a retry is affordable again.
        route.mock(return_value=ok())
        for _ in range(5):
            await client.calls.get(CALL_ID)
        route.mock(side_effect=[SERVICE_UNAVAILABLE.response(), ok()])
        await client.calls.get(CALL_ID)
    assert len(sleeps.delays) == 3


async def test_a_timeout_costs_more_of_the_budget(
    api: respx.MockRouter, sleeps: RecordingSleep
) -> None:
    budget = mh.RetryBudget(capacity=10, retry_cost=5, timeout_cost=10)
    policy = mh.RetryPolicy(sleep=sleeps, budget=budget)
    route = api.get(f"/calls/{CALL_ID}").mock(side_effect=httpx.ReadTimeout("slow"))
    async with mh.AsyncMindhunters(api_token=TOKEN, tenant="acme", retry=policy) as client:
        with pytest.raises(mh.APITimeoutError) as info:
            await client.calls.get(CALL_ID)
    assert route.call_count == 2  # the first timeout retry took all 10 tokens
    assert "retry budget" in str(info.value)


async def test_budget_none_turns_it_off(api: respx.MockRouter, sleeps: RecordingSleep) -> None:
    policy = mh.RetryPolicy(
        sleep=sleeps, budget=None, max_retries=3, initial_delay=0.0, max_delay=0.0
    )
    route = api.get(f"/calls/{CALL_ID}").mock(return_value=SERVICE_UNAVAILABLE.response())
    async with mh.AsyncMindhunters(api_token=TOKEN, tenant="acme", retry=policy) as client:
        for _ in range(200):
            with pytest.raises(mh.ServiceUnavailableError):
                await client.calls.get(CALL_ID)
    assert route.call_count == 800


def test_budget_refuses_bad_settings() -> None:
    with pytest.raises(mh.ConfigurationError, match="capacity"):
        mh.RetryBudget(capacity=-5)
