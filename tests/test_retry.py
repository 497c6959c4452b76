"""The retry layer: which failures retry for which method, the waits, the deadline, the budget."""

from __future__ import annotations

import email.utils
import math
import random
import ssl
import time
from collections.abc import Callable
from typing import Any

import anyio
import httpx
import pytest
import respx
from conftest import AGENT_ID, CALL_ID, TOKEN, RecordingSleep

import mindhunters_async as mh

pytestmark = pytest.mark.anyio

PARTICIPANT = {"number": "+14155552671"}
CALL = {"id": CALL_ID, "agentId": AGENT_ID, "status": "initiated"}
OK_CREATE = httpx.Response(201, json={"success": True, "message": "Call initiated", "data": CALL})
OK_GET = httpx.Response(200, json={"success": True, "message": "ok", "data": CALL})


def envelope(status: int, code: str, **error: Any) -> httpx.Response:
    return httpx.Response(
        status,
        json={"success": False, "message": code.lower(), "error": {"code": code, **error}},
    )


STATUS_FAILURES = {
    400: lambda: envelope(400, "BAD_REQUEST"),
    401: lambda: envelope(401, "INVALID_AUTH_TOKEN"),
    403: lambda: envelope(403, "FORBIDDEN"),
    404: lambda: envelope(404, "RESOURCE_NOT_FOUND"),
    422: lambda: envelope(422, "INVALID_UUID", field="agentId"),
    429: lambda: envelope(429, "RATE_LIMIT_EXCEEDED"),
    500: lambda: envelope(500, "INTERNAL_SERVER_ERROR"),
    502: lambda: httpx.Response(502, text="<html>Bad Gateway</html>"),
    503: lambda: envelope(503, "SERVICE_UNAVAILABLE"),
}
TRANSPORT_FAILURES: dict[str, Callable[[], Exception]] = {
    "ConnectError": lambda: httpx.ConnectError("connection refused"),
    "ConnectTimeout": lambda: httpx.ConnectTimeout("connect timed out"),
    "PoolTimeout": lambda: httpx.PoolTimeout("no connection free"),
    "ReadTimeout": lambda: httpx.ReadTimeout("read timed out"),
    "WriteTimeout": lambda: httpx.WriteTimeout("write timed out"),
    "ReadError": lambda: httpx.ReadError("connection reset"),
    "WriteError": lambda: httpx.WriteError("broken pipe"),
    "RemoteProtocolError": lambda: httpx.RemoteProtocolError("server disconnected"),
}

# What the errors page and the POST rule say, written out as a table:
# failure -> (retried for GET, retried for POST).
EXPECTED: dict[object, tuple[bool, bool]] = {
    400: (False, False),
    401: (False, False),
    403: (False, False),
    404: (False, False),
    422: (False, False),
    429: (True, True),
    500: (True, False),
    502: (True, False),
    503: (True, True),
    "ConnectError": (True, True),
    "ConnectTimeout": (True, True),
    "PoolTimeout": (True, True),
    "ReadTimeout": (True, False),
    "WriteTimeout": (True, False),
    "ReadError": (True, False),
    "WriteError": (True, False),
    "RemoteProtocolError": (True, False),
}
AMBIGUOUS = {
    500,
    502,
    "ReadTimeout",
    "WriteTimeout",
    "ReadError",
    "WriteError",
    "RemoteProtocolError",
}


def failure(kind: object) -> httpx.Response | Exception:
    return STATUS_FAILURES[kind]() if isinstance(kind, int) else TRANSPORT_FAILURES[str(kind)]()


async def call_method(client: mh.AsyncMindhunters, method: str) -> mh.Call:
    if method == "POST":
        return await client.calls.create(agent_id=AGENT_ID, participant=PARTICIPANT)
    return await client.calls.get(CALL_ID)


def route_for(api: respx.MockRouter, method: str) -> respx.Route:
    return api.post("/call") if method == "POST" else api.get(f"/calls/{CALL_ID}")


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("kind", list(EXPECTED), ids=str)
async def test_failure_table(
    api: respx.MockRouter,
    client: mh.AsyncMindhunters,
    sleeps: RecordingSleep,
    method: str,
    kind: object,
) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        result = failure(kind)
        if isinstance(result, Exception):
            raise result
        return result

    route = route_for(api, method).mock(side_effect=fail)
    retried = EXPECTED[kind][method == "POST"]

    with pytest.raises(mh.APIError) as info:
        await call_method(client, method)

    err = info.value
    assert route.call_count == (3 if retried else 1)
    assert len(sleeps.delays) == (2 if retried else 0)
    assert err.attempts == route.call_count
    if isinstance(kind, int):
        assert isinstance(err, mh.APIStatusError)
        assert err.status_code == kind
    else:
        assert isinstance(err, mh.APIConnectionError)
        assert type(err.__cause__).__name__ == kind
    # The server may have acted only on an ambiguous failure of a POST.
    assert err.outcome_unknown is (method == "POST" and kind in AMBIGUOUS)
    if err.outcome_unknown:
        assert "outcome is unknown" in str(err)
        assert err.idempotency_key is not None
        assert err.idempotency_key in str(err)
    keys = {call.request.headers.get("idempotency-key") for call in route.calls}
    if method == "POST":
        assert len(keys) == 1
        assert keys == {err.idempotency_key}
    else:
        assert keys == {None}


@pytest.mark.parametrize("kind", sorted(AMBIGUOUS, key=str), ids=str)
async def test_post_retries_ambiguous_failures_when_the_policy_allows(
    api: respx.MockRouter, sleeps: RecordingSleep, kind: object
) -> None:
    route = api.post("/call").mock(side_effect=[failure(kind), OK_CREATE])
    policy = mh.RetryPolicy(sleep=sleeps, retry_ambiguous=True)
    async with mh.AsyncMindhunters(api_token=TOKEN, tenant="acme", retry=policy) as client:
        call = await client.calls.create(agent_id=AGENT_ID, participant=PARTICIPANT)
    assert call.id == CALL_ID
    assert route.call_count == 2
    first, second = (c.request.headers["idempotency-key"] for c in route.calls)
    assert first == second


async def test_retry_then_success_keeps_one_key(
    api: respx.MockRouter, client: mh.AsyncMindhunters, sleeps: RecordingSleep
) -> None:
    route = api.post("/call").mock(
        side_effect=[failure(503), httpx.ConnectError("refused"), OK_CREATE]
    )
    call = await client.calls.create(
        agent_id=AGENT_ID, participant=PARTICIPANT, idempotency_key="order-42"
    )
    assert call.id == CALL_ID
    assert [c.request.headers["idempotency-key"] for c in route.calls] == ["order-42"] * 3
    assert len(sleeps.delays) == 2


@pytest.mark.parametrize("method", ["PUT", "DELETE", "HEAD", "PATCH"])
async def test_methods_beyond_the_calls_resource(method: str, sleeps: RecordingSleep) -> None:
    # Idempotent methods retry after an ambiguous failure; PATCH, like POST, does not.
    attempts: list[mh.middleware.Request] = []

    async def flaky(request: mh.middleware.Request) -> httpx.Response:
        attempts.append(request)
        raise mh.APIConnectionError("reset") from httpx.ReadError("reset")

    request = make_request(method, mh.RetryPolicy(sleep=sleeps))
    with pytest.raises(mh.APIConnectionError) as info:
        await mh.middleware.retry(request, flaky)
    idempotent = method != "PATCH"
    assert len(attempts) == (3 if idempotent else 1)
    assert [a.attempt for a in attempts] == list(range(1, len(attempts) + 1))
    assert info.value.outcome_unknown is not idempotent


def make_request(method: str, policy: mh.RetryPolicy) -> mh.middleware.Request:
    options = mh.middleware.Options(
        base_url="https://acme.mindhunters.ai/api/v1",
        authorization="Bearer x",
        timeout=httpx.Timeout(5.0),
        retry=policy,
        budget=None,
        max_response_bytes=1024,
    )
    endpoint = mh.middleware.Endpoint("test", method, "/thing")
    return mh.middleware.Request(endpoint, options, "/thing")


# Waits ---------------------------------------------------------------------------------


async def test_backoff_is_full_jitter_within_the_cap(api: respx.MockRouter) -> None:
    sleeps = RecordingSleep()
    policy = mh.RetryPolicy(
        max_retries=6, initial_delay=0.5, max_delay=4.0, sleep=sleeps, random=random.Random(7)
    )
    api.get(f"/calls/{CALL_ID}").mock(return_value=envelope(503, "SERVICE_UNAVAILABLE"))
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
    api.post("/call").mock(
        side_effect=[envelope(429, "RATE_LIMIT_EXCEEDED", retryAfter=45), OK_CREATE]
    )
    await client.calls.create(agent_id=AGENT_ID, participant=PARTICIPANT)
    assert sleeps.delays == [45.0]


def http_date(seconds_from_now: float) -> str:
    return email.utils.formatdate(time.time() + seconds_from_now, usegmt=True)


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
    limited = httpx.Response(429, headers=headers, json={"success": False, "message": "slow"})
    route = api.get(f"/calls/{CALL_ID}").mock(side_effect=[limited, OK_GET])
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
    limited = httpx.Response(429, headers={"retry-after": http_date(30)})
    api.get(f"/calls/{CALL_ID}").mock(side_effect=[limited, OK_GET])
    await client.calls.get(CALL_ID)
    (delay,) = sleeps.delays
    assert 25 < delay <= 30


async def test_retry_after_on_503_is_honoured(
    api: respx.MockRouter, client: mh.AsyncMindhunters, sleeps: RecordingSleep
) -> None:
    busy = httpx.Response(503, headers={"retry-after": "3"})
    api.post("/call").mock(side_effect=[busy, OK_CREATE])
    await client.calls.create(agent_id=AGENT_ID, participant=PARTICIPANT)
    assert sleeps.delays == [3.0]


# Deadline ------------------------------------------------------------------------------


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
    route = api.get(f"/calls/{CALL_ID}").mock(return_value=envelope(503, "SERVICE_UNAVAILABLE"))
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
    route = api.get(f"/calls/{CALL_ID}").mock(
        return_value=envelope(429, "RATE_LIMIT_EXCEEDED", retryAfter=4)
    )
    async with mh.AsyncMindhunters(api_token=TOKEN, tenant="acme", retry=policy) as client:
        with pytest.raises(mh.RateLimitError) as info:
            await client.calls.get(CALL_ID)
    # 4 + 4 fit in 10 s; the third wait would not: the caller gets the 429 to schedule on.
    assert sleeps.delays == [4.0, 4.0]
    assert route.call_count == 3
    assert info.value.retry_after == 4.0
    assert "past the deadline of 10s" in str(info.value)


async def test_deadline_cancels_a_hanging_attempt() -> None:
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
    route = api.get(f"/calls/{CALL_ID}").mock(return_value=OK_GET)
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
    route = api.get(f"/calls/{CALL_ID}").mock(return_value=OK_GET)
    await client.with_options(timeout=7.0).calls.get(CALL_ID)
    assert route.calls.last.request.extensions["timeout"]["read"] == 7.0


# Budget --------------------------------------------------------------------------------


async def test_retry_budget_runs_dry_and_refills(
    api: respx.MockRouter, sleeps: RecordingSleep
) -> None:
    budget = mh.RetryBudget(capacity=10, retry_cost=5, timeout_cost=10, success_refund=1)
    policy = mh.RetryPolicy(sleep=sleeps, budget=budget)
    route = api.get(f"/calls/{CALL_ID}").mock(return_value=envelope(503, "SERVICE_UNAVAILABLE"))
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
        route.mock(return_value=OK_GET)
        for _ in range(5):
            await client.calls.get(CALL_ID)
        route.mock(side_effect=[envelope(503, "SERVICE_UNAVAILABLE"), OK_GET])
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
    route = api.get(f"/calls/{CALL_ID}").mock(return_value=envelope(503, "SERVICE_UNAVAILABLE"))
    async with mh.AsyncMindhunters(api_token=TOKEN, tenant="acme", retry=policy) as client:
        for _ in range(200):
            with pytest.raises(mh.ServiceUnavailableError):
                await client.calls.get(CALL_ID)
    assert route.call_count == 800


# Hooks, TLS, cancellation, connections -------------------------------------------------


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_on_retry_callback(api: respx.MockRouter, sleeps: RecordingSleep, kind: str) -> None:
    seen: list[tuple[int, float, type[Exception]]] = []

    def sync_hook(attempt: int, delay: float, error: mh.APIError) -> None:
        seen.append((attempt, delay, type(error)))

    async def async_hook(attempt: int, delay: float, error: mh.APIError) -> None:
        await anyio.lowlevel.checkpoint()
        seen.append((attempt, delay, type(error)))

    policy = mh.RetryPolicy(sleep=sleeps, on_retry=sync_hook if kind == "sync" else async_hook)
    api.post("/call").mock(
        side_effect=[envelope(429, "RATE_LIMIT_EXCEEDED", retryAfter=2), failure(503), OK_CREATE]
    )
    async with mh.AsyncMindhunters(api_token=TOKEN, tenant="acme", retry=policy) as client:
        await client.calls.create(agent_id=AGENT_ID, participant=PARTICIPANT)
    assert [(a, t) for a, _, t in seen] == [
        (1, mh.RateLimitError),
        (2, mh.ServiceUnavailableError),
    ]
    assert [d for _, d, _ in seen] == sleeps.delays
    assert seen[0][1] == 2.0


async def test_tls_certificate_failures_are_never_retried(
    api: respx.MockRouter, client: mh.AsyncMindhunters, sleeps: RecordingSleep
) -> None:
    def bad_certificate(request: httpx.Request) -> httpx.Response:
        try:
            raise ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] self-signed")
        except ssl.SSLError as exc:
            raise httpx.ConnectError(str(exc), request=request) from exc

    route = api.get(f"/calls/{CALL_ID}").mock(side_effect=bad_certificate)
    with pytest.raises(mh.APIConnectionError) as info:
        await client.calls.get(CALL_ID)
    assert route.call_count == 1
    assert sleeps.delays == []
    assert "TLS certificate" in str(info.value)


async def test_cancellation_during_a_wait_propagates_at_once(api: respx.MockRouter) -> None:
    route = api.get(f"/calls/{CALL_ID}").mock(
        return_value=httpx.Response(429, headers={"retry-after": "30"})
    )
    with anyio.CancelScope() as scope:

        def cancel_on_retry(attempt: int, delay: float, error: mh.APIError) -> None:
            scope.cancel()

        # The real anyio.sleep: the cancellation must cut the 30 s wait short.
        policy = mh.RetryPolicy(on_retry=cancel_on_retry)
        async with mh.AsyncMindhunters(api_token=TOKEN, tenant="acme", retry=policy) as client:
            await client.calls.get(CALL_ID)
    assert scope.cancelled_caught
    assert route.call_count == 1


async def test_a_callers_cancellation_during_an_attempt_propagates_at_once() -> None:
    started = anyio.Event()
    closed: list[bool] = []

    async def hang(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return OK_GET
        started.set()
        try:
            await anyio.sleep_forever()
        finally:
            closed.append(True)
        raise AssertionError("unreachable")

    async with mh.AsyncMindhunters(
        api_token=TOKEN, tenant="acme", transport=httpx.MockTransport(hang)
    ) as client:
        async with anyio.create_task_group() as group:

            async def caller(scope: anyio.CancelScope) -> None:
                with scope:
                    await client.calls.create(agent_id=AGENT_ID, participant=PARTICIPANT)

            scope = anyio.CancelScope()
            group.start_soon(caller, scope)
            await started.wait()
            scope.cancel()
        assert scope.cancelled_caught
        assert closed == [True]
        # The client is still usable: nothing was left half-done.
        assert (await client.calls.get(CALL_ID)).id == CALL_ID


class TrackedStream(httpx.AsyncByteStream):
    """A response body that records whether it was closed, as a pooled connection would."""

    def __init__(self, body: bytes, log: list[str]) -> None:
        self.body = body
        self.log = log

    async def __aiter__(self) -> Any:
        yield self.body

    async def aclose(self) -> None:
        self.log.append("closed")


async def test_failed_responses_are_released_before_the_wait() -> None:
    log: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        log.append("sent")
        if log.count("sent") < 3:
            return httpx.Response(503, stream=TrackedStream(b'{"success":false}', log))
        return httpx.Response(200, stream=TrackedStream(b'{"data":{"id":"x"}}', log))

    async def sleep(delay: float) -> None:
        log.append("sleep")

    policy = mh.RetryPolicy(sleep=sleep)
    async with mh.AsyncMindhunters(
        api_token=TOKEN, tenant="acme", retry=policy, transport=httpx.MockTransport(handler)
    ) as client:
        await client.calls.get(CALL_ID)
    assert log == ["sent", "closed", "sleep", "sent", "closed", "sleep", "sent", "closed"]


async def test_a_body_too_large_is_released_and_not_retried() -> None:
    log: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        log.append("sent")
        return httpx.Response(200, stream=TrackedStream(b"x" * 2048, log))

    async with mh.AsyncMindhunters(
        api_token=TOKEN,
        tenant="acme",
        transport=httpx.MockTransport(handler),
        max_response_bytes=1024,
    ) as client:
        with pytest.raises(mh.ResponseDecodeError):
            await client.calls.get(CALL_ID)
    assert log == ["sent", "closed"]


@pytest.mark.parametrize(
    "settings",
    [
        {"max_retries": -1},
        {"max_retries": "2"},
        {"max_retries": True},
        {"max_retries": 1.5},
        {"deadline": math.nan},
        {"initial_delay": -0.1},
        {"max_delay": math.inf},
        {"max_retry_after": "60"},
        {"sleep": "anyio.sleep"},
        {"on_retry": 3},
    ],
    ids=repr,
)
def test_policy_refuses_bad_settings(settings: dict[str, Any]) -> None:
    with pytest.raises(mh.ConfigurationError) as info:
        mh.RetryPolicy(**settings)
    assert isinstance(info.value, ValueError)
    assert info.value.setting.startswith("retry.")


def test_budget_refuses_bad_settings() -> None:
    with pytest.raises(mh.ConfigurationError, match="capacity"):
        mh.RetryBudget(capacity=-5)


async def test_a_blocking_sleep_is_a_clear_error(api: respx.MockRouter) -> None:
    api.get(f"/calls/{CALL_ID}").mock(side_effect=[failure(503), OK_GET])
    policy = mh.RetryPolicy(sleep=lambda seconds: None)  # type: ignore[arg-type,return-value]
    async with mh.AsyncMindhunters(api_token=TOKEN, tenant="acme", retry=policy) as client:
        with pytest.raises(mh.ConfigurationError, match="async function"):
            await client.calls.get(CALL_ID)


async def test_a_bare_503_on_post_may_come_from_a_proxy_that_forwarded_it(
    api: respx.MockRouter, client: mh.AsyncMindhunters, sleeps: RecordingSleep
) -> None:
    route = api.post("/call").mock(
        side_effect=[httpx.Response(503, text="upstream connect error or disconnect/reset")]
    )
    with pytest.raises(mh.ServiceUnavailableError) as info:
        await client.calls.create(agent_id=AGENT_ID, participant=PARTICIPANT)
    assert route.call_count == 1
    assert info.value.outcome_unknown is True
    assert sleeps.delays == []


@pytest.mark.parametrize(
    "reply",
    [
        httpx.Response(201, text="<html>created</html>"),
        httpx.Response(201, json={"success": True, "data": {"conversation_uuid": "c-1"}}),
    ],
    ids=["not-json", "no-id"],
)
async def test_a_post_that_succeeded_with_an_unreadable_reply_says_it_acted(
    api: respx.MockRouter,
    client: mh.AsyncMindhunters,
    sleeps: RecordingSleep,
    reply: httpx.Response,
) -> None:
    route = api.post("/call").mock(return_value=reply)
    with pytest.raises(mh.ResponseDecodeError) as info:
        await client.calls.create(
            agent_id=AGENT_ID, participant=PARTICIPANT, idempotency_key="order-7"
        )
    assert route.call_count == 1
    assert sleeps.delays == []
    assert info.value.outcome_unknown is True
    assert info.value.idempotency_key == "order-7"
    assert "201" in str(info.value)
