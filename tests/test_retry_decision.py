"""The retry decision as pure functions, and the one table of transport failures.

`decide(error, method, policy, attempt)` and `retry_delay(error, policy, attempt)`
are called directly here, with no transport: the table below is the whole POST
rule. `test_retry_rules.py` checks the same table end to end, through the pipeline.
"""

from __future__ import annotations

import random
import ssl

import httpx
import pytest

import mindhunters_async as mh
from mindhunters_async._transport import TRANSPORT_ERRORS, connection_error, failure_of
from mindhunters_async.middleware._errors import error_from_response
from mindhunters_async.middleware._retry import Decision, decide, retry_delay

REQUEST = httpx.Request("POST", "https://acme.mindhunters.ai/api/v1/call")
POLICY = mh.RetryPolicy()


def status_error(status: int, body: dict[str, object] | None = None, **headers: str) -> mh.APIError:
    response = httpx.Response(status, json=body, headers=headers, request=REQUEST)
    return error_from_response(response)


def transport_error(exc: Exception) -> mh.APIError:
    error = connection_error(exc, REQUEST, 1)
    assert error is not None
    return error


API_503 = {"success": False, "message": "down", "error": {"code": "SERVICE_UNAVAILABLE"}}

# failure -> (GET decision, POST decision), with the default policy on attempt 1.
RETRY = Decision(retry=True)
FINAL = Decision(retry=False)
UNKNOWN = Decision(retry=False, unknown=True)
TABLE: list[tuple[str, mh.APIError, Decision, Decision]] = [
    ("400", status_error(400), FINAL, FINAL),
    ("401", status_error(401), FINAL, FINAL),
    ("404", status_error(404), FINAL, FINAL),
    ("422", status_error(422), FINAL, FINAL),
    ("429", status_error(429), RETRY, RETRY),
    ("500", status_error(500), RETRY, UNKNOWN),
    ("502", status_error(502), RETRY, UNKNOWN),
    ("503 from the API", status_error(503, API_503), RETRY, RETRY),
    # Not retried, and after a POST the server (behind a gateway) may have acted.
    (
        "504",
        status_error(504),
        FINAL,
        Decision(False, True, "a 504 says nothing of whether the server acted"),
    ),
    (
        "408",
        status_error(408),
        FINAL,
        Decision(False, True, "a 408 says nothing of whether the server acted"),
    ),
    (
        "501",
        status_error(501),
        FINAL,
        Decision(False, True, "a 501 says nothing of whether the server acted"),
    ),
    ("503 with Retry-After", status_error(503, None, **{"retry-after": "2"}), RETRY, RETRY),
    ("bare 503", status_error(503), RETRY, UNKNOWN),
    ("connect error", transport_error(httpx.ConnectError("refused")), RETRY, RETRY),
    ("connect timeout", transport_error(httpx.ConnectTimeout("slow")), RETRY, RETRY),
    ("pool timeout", transport_error(httpx.PoolTimeout("full")), RETRY, RETRY),
    ("read timeout", transport_error(httpx.ReadTimeout("slow")), RETRY, UNKNOWN),
    ("write timeout", transport_error(httpx.WriteTimeout("slow")), RETRY, UNKNOWN),
    ("read error", transport_error(httpx.ReadError("reset")), RETRY, UNKNOWN),
    ("dropped", transport_error(httpx.RemoteProtocolError("gone")), RETRY, UNKNOWN),
    ("unsupported URL", transport_error(httpx.UnsupportedProtocol("ftp")), FINAL, FINAL),
    ("proxy refused", transport_error(httpx.ProxyError("no")), FINAL, FINAL),
    (
        "unreadable success",
        mh.ResponseDecodeError("not JSON", request=REQUEST, status_code=201),
        Decision(False, False, "the server answered 201, but its reply is unreadable"),
        Decision(False, True, "the server answered 201, but its reply is unreadable"),
    ),
    ("unreadable error", mh.ResponseDecodeError("x", status_code=None), FINAL, FINAL),
]


@pytest.mark.parametrize(
    ("error", "get", "post"), [row[1:] for row in TABLE], ids=[row[0] for row in TABLE]
)
def test_the_decision_table(error: mh.APIError, get: Decision, post: Decision) -> None:
    assert decide(error, "GET", POLICY, 1) == get
    assert decide(error, "PUT", POLICY, 1) == get  # idempotent alike
    assert decide(error, "POST", POLICY, 1) == post
    assert decide(error, "PATCH", POLICY, 1) == post  # changes something alike


def test_ambiguous_posts_are_retried_only_when_the_policy_allows() -> None:
    error = status_error(500)
    allowing = mh.RetryPolicy(retry_ambiguous=True)
    assert decide(error, "POST", allowing, 1) == Decision(retry=True, unknown=True)


def test_the_last_attempt_gives_up_with_a_note() -> None:
    error = status_error(429)
    assert decide(error, "GET", POLICY, 2) == RETRY
    assert decide(error, "GET", POLICY, 3) == Decision(False, False, "gave up after 3 attempts")
    assert decide(error, "GET", mh.RetryPolicy(max_retries=0), 1) == FINAL


def test_a_wait_longer_than_allowed_is_not_retried() -> None:
    error = status_error(429, {"error": {"code": "RATE_LIMIT_EXCEEDED", "retryAfter": 61}})
    decision = decide(error, "GET", POLICY, 1)
    assert decision.retry is False
    assert decision.note is not None
    assert "61s" in decision.note
    huge = status_error(429, {"error": {"retryAfter": int("9" * 400)}})
    assert decide(huge, "GET", POLICY, 1).retry is False


def test_a_certificate_failure_is_final_and_says_why() -> None:
    cause = ssl.SSLCertVerificationError("certificate verify failed")
    exc = httpx.ConnectError("TLS")
    exc.__cause__ = cause
    error = transport_error(exc)
    assert decide(error, "GET", POLICY, 1) == Decision(
        False, False, "not retried: TLS certificate verification failed"
    )


def test_the_delay_is_the_servers_or_full_jitter() -> None:
    assert retry_delay(status_error(429, None, **{"retry-after": "7"}), POLICY, 1) == 7.0
    seeded = mh.RetryPolicy(random=random.Random(3), initial_delay=0.5, max_delay=8.0)
    delays = [retry_delay(status_error(500), seeded, attempt) for attempt in range(1, 8)]
    caps = [min(8.0, 0.5 * 2**n) for n in range(7)]
    assert all(0 <= d <= cap for d, cap in zip(delays, caps, strict=True))
    assert len(set(delays)) == len(delays)  # jittered, not fixed


# The table of transport failures ---------------------------------------------------


@pytest.mark.parametrize(
    ("exc", "kind", "sent", "retryable"),
    [
        (httpx.ConnectError("x"), mh.APIConnectionError, False, True),
        (httpx.ConnectTimeout("x"), mh.APITimeoutError, False, True),
        (httpx.PoolTimeout("x"), mh.APITimeoutError, False, True),
        (httpx.ReadTimeout("x"), mh.APITimeoutError, None, True),
        (httpx.WriteError("x"), mh.APIConnectionError, None, True),
        (httpx.RemoteProtocolError("x"), mh.APIConnectionError, None, True),
        (httpx.UnsupportedProtocol("x"), mh.APIConnectionError, False, False),
        (httpx.TransportError("x"), mh.APIConnectionError, None, False),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else None,
)
def test_each_transport_failure_reads_once(
    exc: Exception, kind: type[mh.APIError], sent: bool | None, retryable: bool
) -> None:
    error = connection_error(exc, REQUEST, 2)
    assert type(error) is kind
    assert isinstance(error, mh.APIConnectionError)
    assert (error.sent, error.retryable) == (sent, retryable)
    assert error.request is REQUEST
    assert "POST /api/v1/call" in str(error)


def test_an_exception_of_no_transport_is_left_alone() -> None:
    assert connection_error(KeyError("bug"), REQUEST, 1) is None
    assert failure_of(ValueError("bug")) is None


def test_aiohttp_failures_read_like_httpx_ones() -> None:
    aiohttp = pytest.importorskip("aiohttp", reason="the [aiohttp] extra is not installed")
    from mindhunters_async import _aiohttp

    cases = {
        aiohttp.ServerDisconnectedError(): httpx.RemoteProtocolError,
        aiohttp.ClientOSError(): httpx.ReadError,
        aiohttp.ConnectionTimeoutError(): httpx.ConnectTimeout,
        aiohttp.ServerTimeoutError(): httpx.ReadTimeout,
        aiohttp.ClientPayloadError(): httpx.RemoteProtocolError,
    }
    for exc, like in cases.items():
        assert type(_aiohttp._as_httpx(exc)) is like
        # The same row of the one table, so the retry layer decides alike.
        assert failure_of(exc) is TRANSPORT_ERRORS[like]
