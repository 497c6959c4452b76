"""How long the retry layer waits: full-jitter backoff, and the server's Retry-After."""

from __future__ import annotations

import random
from typing import Any

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
    api_error,
    http_date,
    ok,
    rate_limit_exceeded,
)

import mindhunters_async as mh

pytestmark = pytest.mark.anyio


def limited(headers: dict[str, str]) -> httpx.Response:
    """A 429 whose body has no retryAfter, so that its headers alone say how long to wait."""
    return api_error(429, "RATE_LIMIT_EXCEEDED", message="slow").response(headers)


async def test_backoff_is_full_jitter_within_the_cap(api: respx.MockRouter) -> None:
    sleeps = RecordingSleep()
    policy = mh.RetryPolicy(
        max_retries=6, initial_delay=0.5, max_delay=4.0, sleep=sleeps, random=random.Random(7)
    )
    api.get(f"/calls/{CALL_ID}").mock(return_value=SERVICE_UNAVAILABLE.response())
    async with mh.AsyncMindhunters(api_token=TOKEN, tenant="acme", retry=policy) as client:
        with pytest.raises(mh.ServiceUnavailableError):
            await client.calls.get(CALL_ID)
    caps = [min(4.0, 0.5 * 2**n) for n in range(6)]
    assert len(sleeps.delays) == 6
    assert all(0 <= d <= cap for d, cap in zip(sleeps.delays, caps, strict=True))
    # The same seed gives the same waits: the jitter comes from the policy's random.
    replay = random.Random(7)
    assert sleeps.delays == [replay.uniform(0.0, cap) for cap in caps]


async def test_retry_after_from_the_errors_page_body(
    api: respx.MockRouter, client: mh.AsyncMindhunters, sleeps: RecordingSleep
) -> None:
    # The errors page's example: retryAfter 45 in the body.
    api.post("/call").mock(side_effect=[rate_limit_exceeded(1000, 45).response(), ok(status=201)])
    await client.calls.create(agent_id=AGENT_ID, participant=PARTICIPANT)
    assert sleeps.delays == [45.0]


# openai-python's Retry-After cases (tests/test_client.py::test_parse_retry_after_header),
# with what this SDK does: a finite, positive value up to max_retry_after is waited;
# a larger one stops the retries; anything else falls back to the jittered backoff.
RETRY_AFTER_CASES: list[tuple[dict[str, str], Any]] = [
    ({"retry-after": "20"}, 20.0),
    ({"retry-after": "1.5"}, 1.5),
    ({"retry-after": "0"}, "backoff"),
    ({"retry-after": "-10"}, "backoff"),
    ({"retry-after": "inf"}, "backoff"),
    ({"retry-after": "nan"}, "backoff"),
    ({"retry-after": "-inf"}, "backoff"),
    ({"retry-after": "asdf"}, "backoff"),
    ({"retry-after": ""}, "backoff"),
    ({"retry-after": "Fri, 29 Sep 2023 16:26:57 GMT"}, "backoff"),  # in the past
    ({"retry-after": "Fri, 99 Sep 2023 16:26:57 GMT"}, "backoff"),  # not a date
    ({"retry-after": "Fri, 29 Sep 2023 16:26:57"}, "backoff"),  # no zone
    ({"retry-after-ms": "2000"}, 2.0),
    ({"retry-after-ms": "nan"}, "backoff"),
    ({"retry-after-ms": "-5"}, "backoff"),
    ({"retry-after": "99999999999999999999"}, "too long"),
    ({"retry-after": "1e300"}, "too long"),
    ({"retry-after": "61"}, "too long"),
]


@pytest.mark.parametrize(("headers", "expected"), RETRY_AFTER_CASES, ids=repr)
async def test_retry_after_headers(
    api: respx.MockRouter,
    client: mh.AsyncMindhunters,
    sleeps: RecordingSleep,
    headers: dict[str, str],
    expected: Any,
) -> None:
    route = api.get(f"/calls/{CALL_ID}").mock(side_effect=[limited(headers), ok()])
    if expected == "too long":
        with pytest.raises(mh.RateLimitError) as info:
            await client.calls.get(CALL_ID)
        assert route.call_count == 1
        assert sleeps.delays == []
        assert info.value.retry_after is not None
        assert info.value.retry_after > 60
        assert "max_retry_after" in str(info.value)
        return
    await client.calls.get(CALL_ID)
    assert route.call_count == 2
    (delay,) = sleeps.delays
    if expected == "backoff":
        assert 0 <= delay <= client.retry_policy.initial_delay
    else:
        assert delay == expected


async def test_retry_after_as_a_future_http_date(
    api: respx.MockRouter, client: mh.AsyncMindhunters, sleeps: RecordingSleep
) -> None:
    api.get(f"/calls/{CALL_ID}").mock(side_effect=[limited({"retry-after": http_date(30)}), ok()])
    await client.calls.get(CALL_ID)
    (delay,) = sleeps.delays
    assert 25 < delay <= 30


async def test_retry_after_on_503_is_honoured(
    api: respx.MockRouter, client: mh.AsyncMindhunters, sleeps: RecordingSleep
) -> None:
    # Hand-written on purpose: a 503 without the API's envelope, only a Retry-After header.
    busy = httpx.Response(503, headers={"retry-after": "3"})
    api.post("/call").mock(side_effect=[busy, ok(status=201)])
    await client.calls.create(agent_id=AGENT_ID, participant=PARTICIPANT)
    assert sleeps.delays == [3.0]
