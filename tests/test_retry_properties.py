"""Property tests of the retry layer: waits, deadline and key, whatever the server does."""

from __future__ import annotations

import json
import math
from typing import Any

import anyio
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import AGENT_ID, CALL_ID, TOKEN

import mindhunters_async as mh

retry_after_values = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.sampled_from(["45", "abc", "", "1e400", "-1", "Wed, 21 Oct 2015 07:28:00 GMT"]),
)
outcomes = st.lists(
    st.tuples(st.sampled_from([200, 429, 500, 502, 503, "connect", "read"]), retry_after_values),
    min_size=1,
    max_size=8,
)
policies = st.builds(
    mh.RetryPolicy,
    max_retries=st.integers(0, 6),
    initial_delay=st.floats(0, 5),
    max_delay=st.floats(0, 30),
    max_retry_after=st.floats(0, 120),
    deadline=st.one_of(st.none(), st.floats(0.01, 200)),
    retry_ambiguous=st.booleans(),
    budget=st.none(),
)


def accepted(value: Any, limit: float) -> float | None:
    """What a retry-after value means to the SDK: a wait, or None (backoff)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return seconds if math.isfinite(seconds) and 0 < seconds <= limit else None


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
@pytest.mark.parametrize("method", ["POST", "GET"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(policy=policies, script=outcomes)
def test_waits_deadline_and_key(
    backend: str, method: str, policy: mh.RetryPolicy, script: list[tuple[Any, Any]]
) -> None:
    sent: list[httpx.Request] = []
    answered: list[Any] = []

    def handler(request: httpx.Request) -> httpx.Response:
        outcome, retry_after = script[min(len(sent), len(script) - 1)]
        sent.append(request)
        answered.append(retry_after if isinstance(outcome, int) else None)
        if outcome == "connect":
            raise httpx.ConnectError("refused", request=request)
        if outcome == "read":
            raise httpx.ReadTimeout("slow", request=request)
        if outcome == 200:
            data = {"id": CALL_ID}
            return httpx.Response(200, json={"success": True, "message": "ok", "data": data})
        error: dict[str, Any] = {"code": "X"}
        if retry_after is not None:
            error["retryAfter"] = retry_after
        # json.dumps, not httpx's json=: it writes NaN and Infinity as servers do.
        body = json.dumps({"success": False, "message": "no", "error": error})
        return httpx.Response(outcome, content=body, headers={"content-type": "application/json"})

    delays: list[float] = []

    async def sleep(delay: float) -> None:
        delays.append(delay)

    async def main() -> BaseException | None:
        async with mh.AsyncMindhunters(
            api_token=TOKEN,
            tenant="acme",
            retry=mh.RetryPolicy(**{**_fields(policy), "sleep": sleep}),
            transport=httpx.MockTransport(handler),
        ) as client:
            try:
                if method == "POST":
                    await client.calls.create(
                        agent_id=AGENT_ID, participant={"number": "+14155552671"}
                    )
                else:
                    await client.calls.get(CALL_ID)
            except mh.MindhuntersError as exc:
                return exc
        return None

    error = anyio.run(main, backend=backend)

    assert len(delays) == len(sent) - 1
    assert len(sent) <= policy.max_retries + 1
    for delay, retry_after in zip(delays, answered, strict=False):
        honoured = accepted(retry_after, policy.max_retry_after)
        assert delay == honoured or (honoured is None and 0 <= delay <= policy.max_delay)
    if policy.deadline is not None:
        assert sum(delays) <= policy.deadline
    if method == "POST":
        keys = {request.headers["idempotency-key"] for request in sent}
        assert len(keys) == 1
        if isinstance(error, mh.APIError):
            assert error.idempotency_key in keys
    else:
        assert all("idempotency-key" not in request.headers for request in sent)
    if error is None:
        assert script[len(sent) - 1][0] == 200 or len(sent) > len(script)


def _fields(policy: mh.RetryPolicy) -> dict[str, Any]:
    import attrs

    return {f.name: getattr(policy, f.name) for f in attrs.fields(type(policy))}
