"""Which failures the retry layer retries, for which method: the errors page and the POST rule.

The same table as `test_retry_decision.py`, end to end through the client and respx.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable

import httpx
import pytest
import respx
from support import (
    AGENT_ID,
    CALL_ID,
    FORBIDDEN,
    INTERNAL_SERVER_ERROR,
    INVALID_AUTH_TOKEN,
    INVALID_JSON,
    PARTICIPANT,
    SERVICE_UNAVAILABLE,
    TOKEN,
    RecordingSleep,
    bad_gateway_html,
    not_found,
    ok,
    rate_limit_exceeded,
    validation_error,
)

import mindhunters_async as mh

pytestmark = pytest.mark.anyio

INVALID_AGENT_ID = validation_error("INVALID_UUID", "agentId", "agentId must be a valid UUID")

# Each failing status as the fake answers it: the errors page's envelopes, and for 502
# the HTML page of a reverse proxy.
STATUS_FAILURES: dict[int, Callable[[], httpx.Response]] = {
    400: lambda: INVALID_JSON.response(),
    401: lambda: INVALID_AUTH_TOKEN.response(),
    403: lambda: FORBIDDEN.response(),
    404: lambda: not_found("Call", CALL_ID).response(),
    422: lambda: INVALID_AGENT_ID.response(),
    429: lambda: rate_limit_exceeded(1000, 45).response(),
    500: lambda: INTERNAL_SERVER_ERROR.response(),
    502: bad_gateway_html,
    503: lambda: SERVICE_UNAVAILABLE.response(),
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
    route = api.post("/call").mock(side_effect=[failure(kind), ok(status=201)])
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
        side_effect=[failure(503), httpx.ConnectError("refused"), ok(status=201)]
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
    # No transport: the retry middleware is called directly, with a failing next step.
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


async def test_a_bare_503_on_post_may_come_from_a_proxy_that_forwarded_it(
    api: respx.MockRouter, client: mh.AsyncMindhunters, sleeps: RecordingSleep
) -> None:
    # Hand-written on purpose: not the API's envelope, a proxy's plain text.
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
        # Successes the client cannot read: not JSON (by hand), or no call id in the data.
        httpx.Response(201, text="<html>created</html>"),
        ok({"conversation_uuid": "c-1"}, status=201),
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
