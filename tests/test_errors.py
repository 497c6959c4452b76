"""Errors: every example of the API's errors page, status mapping, hostile bodies, Retry-After."""

from __future__ import annotations

import contextlib
import gc
import gzip
import json
import warnings
from collections.abc import AsyncIterator, Iterator
from typing import Any

import attrs
import httpx
import pytest
import respx
from support import (
    BASE_URL,
    CALL_ID,
    CALL_PATH,
    E164_DETAILS,
    ENDPOINT_NOT_FOUND,
    FORBIDDEN,
    INTERNAL_SERVER_ERROR,
    INVALID_AUTH_TOKEN,
    MISSING_AUTH_TOKEN,
    SERVICE_UNAVAILABLE,
    TOKEN,
    ApiError,
    RecordingSleep,
    api_error,
    http_date,
    not_found,
    ok,
    rate_limit_exceeded,
    validation_error,
)

import mindhunters_async as mh

pytestmark = pytest.mark.anyio

REQUEST_ID = "req-7f3a9c"


def envelope(message: str, **error: Any) -> dict[str, Any]:
    """An envelope by hand, for the bodies below that no server should send (wrong types)."""
    return {"success": False, "message": message, "error": error}


# One row per example response of the errors page, built by the fake's own code
# (tests/testing/test_fake_errors_page.py compares those with the page):
# (id, error, class, code, user_message)
PAGE_EXAMPLES: list[tuple[str, ApiError, type[mh.APIStatusError], mh.ErrorCode, str]] = [
    (
        "401-missing-token",
        MISSING_AUTH_TOKEN,
        mh.AuthenticationError,
        mh.ErrorCode.MISSING_AUTH_TOKEN,
        "Authentication failed. Please check your API token",
    ),
    (
        "401-invalid-token",
        INVALID_AUTH_TOKEN,
        mh.AuthenticationError,
        mh.ErrorCode.INVALID_AUTH_TOKEN,
        "Authentication failed. Please check your API token",
    ),
    (
        "403-forbidden",
        FORBIDDEN,
        mh.PermissionDeniedError,
        mh.ErrorCode.FORBIDDEN,
        "Permission denied. Insufficient permissions",
    ),
    (
        "422-missing-agentId",
        validation_error("VALIDATION_ERROR", "agentId", "The agentId field is required"),
        mh.UnprocessableEntityError,
        mh.ErrorCode.VALIDATION_ERROR,
        "Please check the information you entered",
    ),
    (
        "422-invalid-phone",
        validation_error("INVALID_FORMAT", "participant.number", E164_DETAILS),
        mh.UnprocessableEntityError,
        mh.ErrorCode.INVALID_FORMAT,
        "Please check the phone number format",
    ),
    (
        "422-invalid-uuid",
        validation_error("INVALID_UUID", "agentId", "agentId must be a valid UUID"),
        mh.UnprocessableEntityError,
        mh.ErrorCode.INVALID_UUID,
        "Please check the information you entered",
    ),
    (
        "404-resource",
        not_found("Call", "550e8400-e29b-41d4-a716-446655440000"),
        mh.NotFoundError,
        mh.ErrorCode.RESOURCE_NOT_FOUND,
        "Not found. Please check the identifier",
    ),
    (
        "404-endpoint",
        ENDPOINT_NOT_FOUND,
        mh.NotFoundError,
        mh.ErrorCode.ENDPOINT_NOT_FOUND,
        "Not found. Please check the identifier",
    ),
    (
        "429-rate-limit",
        rate_limit_exceeded(1000, 45),
        mh.RateLimitError,
        mh.ErrorCode.RATE_LIMIT_EXCEEDED,
        "Too many requests. Please try again in a moment",
    ),
    (
        "500-internal",
        INTERNAL_SERVER_ERROR,
        mh.InternalServerError,
        mh.ErrorCode.INTERNAL_SERVER_ERROR,
        "Server error. Please try again later",
    ),
    (
        "503-unavailable",
        SERVICE_UNAVAILABLE,
        mh.ServiceUnavailableError,
        mh.ErrorCode.SERVICE_UNAVAILABLE,
        "Server error. Please try again later",
    ),
]


@pytest.fixture
def once(client: mh.AsyncMindhunters) -> mh.AsyncMindhunters:
    """The test client without retries: one request per call, for pure decoding tests."""
    return client.with_options(max_retries=0)


async def raised(client: mh.AsyncMindhunters) -> Any:
    with pytest.raises(mh.APIError) as info:
        await client.calls.get(CALL_ID)
    return info.value


def one_line(err: BaseException) -> str:
    text = str(err)
    assert "\n" not in text
    assert "\r" not in text
    assert TOKEN not in text
    assert TOKEN not in repr(err)
    return text


@pytest.mark.parametrize(
    ("error", "cls", "code", "user_message"),
    [pytest.param(*row[1:], id=row[0]) for row in PAGE_EXAMPLES],
)
async def test_errors_page_example_decodes_every_field(
    api: respx.MockRouter,
    once: mh.AsyncMindhunters,
    error: ApiError,
    cls: type[mh.APIStatusError],
    code: mh.ErrorCode,
    user_message: str,
) -> None:
    status, body = error.status, error.body()
    route = api.get(CALL_PATH).mock(return_value=error.response({"x-request-id": REQUEST_ID}))

    err = await raised(once)

    assert type(err) is cls
    assert isinstance(err, mh.APIStatusError)
    assert err.status_code == status
    assert isinstance(err.code, mh.ErrorCode)
    assert err.code is code
    assert err.message == body["message"]
    assert err.details == body["error"]["details"]
    assert err.field == body["error"].get("field")
    expected_retry_after = body["error"].get("retryAfter")
    assert err.retry_after == (
        None if expected_retry_after is None else float(expected_retry_after)
    )
    assert err.request_id == REQUEST_ID
    assert err.body == body
    assert isinstance(err.response, httpx.Response)
    assert err.response.status_code == status
    assert err.request is not None
    assert err.request.url.path == f"/api/v1{CALL_PATH}"
    assert err.user_message == user_message
    assert route.call_count == 1

    text = one_line(err)
    assert str(status) in text
    assert code.value in text
    assert body["message"] in text
    assert body["error"]["details"] in text
    assert REQUEST_ID in text
    assert f"GET /api/v1{CALL_PATH}" in text
    if err.field:
        assert err.field in text
    if expected_retry_after is not None:
        assert "45" in text


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, mh.BadRequestError),
        (401, mh.AuthenticationError),
        (403, mh.PermissionDeniedError),
        (404, mh.NotFoundError),
        (409, mh.ConflictError),
        (422, mh.UnprocessableEntityError),
        (429, mh.RateLimitError),
        (500, mh.InternalServerError),
        (502, mh.BadGatewayError),
        (503, mh.ServiceUnavailableError),
        (504, mh.ServerError),
        (599, mh.ServerError),
        (418, mh.APIStatusError),
        (451, mh.APIStatusError),
    ],
)
async def test_status_maps_to_class(
    api: respx.MockRouter, once: mh.AsyncMindhunters, status: int, cls: type[Exception]
) -> None:
    api.get(CALL_PATH).mock(return_value=api_error(status, "SOMETHING", message="Nope").response())
    err = await raised(once)
    assert type(err) is cls
    assert err.status_code == status
    assert (500 <= status <= 599) == isinstance(err, mh.ServerError)


async def test_unknown_code_stays_plain_string(
    api: respx.MockRouter, once: mh.AsyncMindhunters
) -> None:
    api.get(CALL_PATH).mock(
        return_value=api_error(400, "BRAND_NEW_CODE", "x", message="Bad").response()
    )
    err = await raised(once)
    assert type(err.code) is str
    assert err.code == "BRAND_NEW_CODE"
    assert "BRAND_NEW_CODE" in one_line(err)


async def test_lowercase_webhook_limit_reached_maps_to_enum(
    api: respx.MockRouter, once: mh.AsyncMindhunters
) -> None:
    limit = api_error(
        409, "webhook_limit_reached", "At most 5 webhooks", message="Webhook limit reached"
    )
    api.get(CALL_PATH).mock(return_value=limit.response())
    err = await raised(once)
    assert type(err) is mh.ConflictError
    assert err.code is mh.ErrorCode.WEBHOOK_LIMIT_REACHED
    assert err.code == "webhook_limit_reached"


async def test_a_404_is_not_retried(
    api: respx.MockRouter, client: mh.AsyncMindhunters, sleeps: RecordingSleep
) -> None:
    assert client.retry_policy.max_retries > 0
    route = api.get(CALL_PATH).mock(return_value=not_found("Call", CALL_ID).response())
    err = await raised(client)
    assert type(err) is mh.NotFoundError
    assert route.call_count == 1
    assert sleeps.delays == []
    assert err.attempts == 1


async def test_str_never_contains_the_token_even_when_the_server_echoes_it(
    api: respx.MockRouter, once: mh.AsyncMindhunters
) -> None:
    # The page's 401, as a careless server might word it: with the token echoed back.
    echoed = attrs.evolve(
        INVALID_AUTH_TOKEN,
        message=f"Invalid authentication token {TOKEN}",
        details=f"The provided token 'Bearer {TOKEN}' is invalid or has been revoked",
    )
    api.get(CALL_PATH).mock(return_value=echoed.response())
    err = await raised(once)
    assert TOKEN not in str(err)


# --- hostile bodies ------------------------------------------------------------------------


async def test_html_502_from_a_proxy(api: respx.MockRouter, once: mh.AsyncMindhunters) -> None:
    html = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    api.get(CALL_PATH).respond(502, text=html, headers={"content-type": "text/html"})
    err = await raised(once)
    assert type(err) is mh.BadGatewayError
    assert err.code is None
    assert err.details is None
    assert err.body == html
    text = one_line(err)
    assert "502" in text
    assert "text/html" in text
    assert "<html>" not in text


async def test_empty_body(api: respx.MockRouter, once: mh.AsyncMindhunters) -> None:
    api.get(CALL_PATH).respond(500, content=b"")
    err = await raised(once)
    assert type(err) is mh.InternalServerError
    assert err.body is None
    assert err.code is None
    assert "empty body" in one_line(err)


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b'{"success": false, "message": "Validation fa', id="truncated-json"),
        pytest.param(b"\xff\xfe\x00garbage", id="not-utf8"),
        pytest.param(b"[" * 100_000, id="deeply-nested"),
    ],
)
async def test_unreadable_error_body_keeps_the_text(
    api: respx.MockRouter, once: mh.AsyncMindhunters, content: bytes
) -> None:
    api.get(CALL_PATH).respond(400, content=content, headers={"content-type": "application/json"})
    err = await raised(once)
    assert type(err) is mh.BadRequestError
    assert isinstance(err.body, str)
    assert err.code is None
    assert "400" in one_line(err)


async def test_json_array_body(api: respx.MockRouter, once: mh.AsyncMindhunters) -> None:
    api.get(CALL_PATH).respond(400, json=["something", "went", "wrong"])
    err = await raised(once)
    assert type(err) is mh.BadRequestError
    assert err.body == ["something", "went", "wrong"]
    assert err.code is None
    assert err.field is None
    assert "400" in one_line(err)


async def test_json_without_envelope(api: respx.MockRouter, once: mh.AsyncMindhunters) -> None:
    api.get(CALL_PATH).respond(404, json={"message": "No query results for model [Call]."})
    err = await raised(once)
    assert type(err) is mh.NotFoundError
    assert err.message == "No query results for model [Call]."
    assert err.code is None
    assert "No query results for model [Call]." in one_line(err)


async def test_laravel_validation_format(api: respx.MockRouter, once: mh.AsyncMindhunters) -> None:
    body = {
        "message": "The participant.number field format is invalid.",
        "errors": {"participant.number": ["The participant.number field format is invalid."]},
    }
    api.get(CALL_PATH).respond(422, json=body)
    err = await raised(once)
    assert type(err) is mh.UnprocessableEntityError
    assert err.field == "participant.number"
    assert err.details == "The participant.number field format is invalid."
    assert err.message == body["message"]
    assert err.user_message == "Please check the phone number format"
    assert "participant.number" in one_line(err)


async def test_error_as_a_string(api: respx.MockRouter, once: mh.AsyncMindhunters) -> None:
    api.get(CALL_PATH).respond(
        429, json={"success": False, "message": "Slow down", "error": "RATE_LIMIT_EXCEEDED"}
    )
    err = await raised(once)
    assert type(err) is mh.RateLimitError
    assert err.code is mh.ErrorCode.RATE_LIMIT_EXCEEDED
    assert err.message == "Slow down"
    assert err.details is None


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"message": {"nested": "object"}}, id="message-object"),
        pytest.param({"message": "", "error": {"code": ""}}, id="empty-strings"),
        pytest.param({"error": ["a", "list"]}, id="error-list"),
        pytest.param(None, id="json-null"),
    ],
)
async def test_envelope_with_wrong_types_still_gives_a_typed_error(
    api: respx.MockRouter, once: mh.AsyncMindhunters, body: Any
) -> None:
    api.get(CALL_PATH).respond(500, content=json.dumps(body).encode())
    err = await raised(once)
    assert type(err) is mh.InternalServerError
    assert err.code is None
    assert err.message
    assert "500" in one_line(err)


async def test_numeric_error_code_becomes_a_string(
    api: respx.MockRouter, once: mh.AsyncMindhunters
) -> None:
    api.get(CALL_PATH).respond(400, json=envelope("Bad", code=1234))
    err = await raised(once)
    assert err.code == "1234"


async def test_redirect_is_not_followed(api: respx.MockRouter, once: mh.AsyncMindhunters) -> None:
    api.get(CALL_PATH).respond(302, headers={"location": f"{BASE_URL}/elsewhere"})
    elsewhere = api.get("/elsewhere").mock(return_value=ok({"id": CALL_ID}))
    err = await raised(once)
    assert type(err) is mh.APIStatusError
    assert err.status_code == 302
    assert "redirect" in one_line(err)
    assert "/elsewhere" in str(err)
    assert elsewhere.call_count == 0


async def test_non_json_200_is_response_decode_error(
    api: respx.MockRouter, once: mh.AsyncMindhunters
) -> None:
    api.get(CALL_PATH).respond(200, text="<html>maintenance</html>", content_type="text/html")
    with pytest.raises(mh.ResponseDecodeError) as info:
        await once.calls.get(CALL_ID)
    err = info.value
    assert err.status_code == 200
    assert err.body == b"<html>maintenance</html>"
    assert "text/html" in one_line(err)
    assert not isinstance(err, mh.APIStatusError)


async def test_200_that_says_it_failed_is_an_api_status_error(
    api: respx.MockRouter, once: mh.AsyncMindhunters
) -> None:
    failed = api_error(200, "RESOURCE_NOT_FOUND", "gone", message="Call could not be found")
    api.get(CALL_PATH).mock(return_value=failed.response({"x-request-id": REQUEST_ID}))
    err = await raised(once)
    assert type(err) is mh.APIStatusError
    assert err.status_code == 200
    assert err.code is mh.ErrorCode.RESOURCE_NOT_FOUND
    assert err.message == "Call could not be found"
    assert err.request_id == REQUEST_ID


@contextlib.contextmanager
def collected_warnings() -> Iterator[list[warnings.WarningMessage]]:
    """Record warnings, including those raised when garbage (such as an abandoned async
    generator, which trio warns about) is collected at the end of the block."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught
        gc.collect()


def resource_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]


class OneChunk(httpx.AsyncByteStream):
    """A streamed body without Content-Length, as a chunked response arrives."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.data


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
async def test_oversize_body_is_refused(
    api: respx.MockRouter, client: mh.AsyncMindhunters, declared: bool
) -> None:
    small = client.with_options(max_retries=0, max_response_bytes=10_000)
    payload = json.dumps({"data": {"id": CALL_ID, "pad": "x" * 20_000}}).encode()
    if declared:
        api.get(CALL_PATH).respond(200, content=payload)
    else:
        api.get(CALL_PATH).mock(return_value=httpx.Response(200, stream=OneChunk(payload)))
    with collected_warnings() as caught:
        with pytest.raises(mh.ResponseDecodeError, match="max_response_bytes") as info:
            await small.calls.get(CALL_ID)
        assert info.value.status_code == 200
        del info
    assert resource_warnings(caught) == []
    # The same body is fine under the default cap.
    call = await client.with_options(max_retries=0).calls.get(CALL_ID)
    assert call.id == CALL_ID


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
async def test_oversize_error_body_keeps_its_status(
    api: respx.MockRouter, client: mh.AsyncMindhunters, declared: bool
) -> None:
    small = client.with_options(max_retries=0, max_response_bytes=10_000)
    page = b"<html>" + b"x" * 50_000 + b"</html>"
    headers = {"content-type": "text/html", "x-request-id": REQUEST_ID}
    if declared:
        api.get(CALL_PATH).respond(503, content=page, headers=headers)
    else:
        api.get(CALL_PATH).mock(
            return_value=httpx.Response(503, headers=headers, stream=OneChunk(page))
        )
    with collected_warnings() as caught:
        err = await raised(small)
        assert type(err) is mh.ServiceUnavailableError
        assert isinstance(err.body, str)
        assert 0 < len(err.body) <= 10_000
        assert err.request_id == REQUEST_ID
        del err
    assert resource_warnings(caught) == []


async def test_gzip_bomb_is_refused(api: respx.MockRouter, client: mh.AsyncMindhunters) -> None:
    small = client.with_options(max_retries=0, max_response_bytes=100_000)
    bomb = gzip.compress(b'{"data": "' + b"0" * 5_000_000 + b'"}')
    assert len(bomb) < 100_000
    api.get(CALL_PATH).mock(
        return_value=httpx.Response(
            200,
            headers={
                "content-encoding": "gzip",
                "content-length": str(len(bomb)),
                "content-type": "application/json",
            },
            stream=OneChunk(bomb),
        )
    )
    with (
        collected_warnings() as caught,
        pytest.raises(mh.ResponseDecodeError, match="max_response_bytes"),
    ):
        await small.calls.get(CALL_ID)
    assert resource_warnings(caught) == []


async def test_small_gzip_body_is_decoded(api: respx.MockRouter, once: mh.AsyncMindhunters) -> None:
    packed = gzip.compress(json.dumps({"success": True, "data": {"id": CALL_ID}}).encode())
    api.get(CALL_PATH).mock(
        return_value=httpx.Response(
            200, headers={"content-encoding": "gzip"}, stream=OneChunk(packed)
        )
    )
    call = await once.calls.get(CALL_ID)
    assert call.id == CALL_ID


async def test_corrupt_gzip_is_response_decode_error(
    api: respx.MockRouter,
    once: mh.AsyncMindhunters,
) -> None:
    api.get(CALL_PATH).mock(
        return_value=httpx.Response(
            200, headers={"content-encoding": "gzip"}, stream=OneChunk(b"not gzip at all")
        )
    )
    with collected_warnings() as caught, pytest.raises(mh.ResponseDecodeError, match="decompress"):
        await once.calls.get(CALL_ID)
    assert resource_warnings(caught) == []


# --- Retry-After ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "body_retry_after", "expected"),
    [
        pytest.param({"retry-after": "7"}, None, 7.0, id="seconds"),
        pytest.param({"retry-after": "1.5"}, None, 1.5, id="fractional-seconds"),
        pytest.param({"retry-after-ms": "2500"}, None, 2.5, id="retry-after-ms"),
        pytest.param(
            {"retry-after-ms": "nan", "retry-after": "3"}, None, 3.0, id="bad-ms-falls-back"
        ),
        pytest.param({"retry-after": "10"}, 45, 45.0, id="body-wins"),
        pytest.param({}, "12", 12.0, id="body-string"),
        pytest.param({"retry-after": "soon"}, None, None, id="garbage"),
        pytest.param({"retry-after": "-5"}, None, None, id="negative"),
        pytest.param({"retry-after": "0"}, None, None, id="zero"),
        pytest.param({"retry-after": "nan"}, None, None, id="nan"),
        pytest.param({"retry-after": "inf"}, None, None, id="inf"),
        # A number too large to be a float is a wait above any cap: read as a day.
        pytest.param({"retry-after": "1e400"}, None, 86400.0, id="overflow"),
        pytest.param({}, int("9" * 400), 86400.0, id="400-digit-body"),
        pytest.param({"retry-after": "9" * 400}, None, 86400.0, id="400-digit-header"),
        pytest.param({"retry-after-ms": "-100"}, None, None, id="negative-ms"),
        pytest.param({}, -3, None, id="negative-body"),
        pytest.param({}, "NaN", None, id="nan-body"),
        pytest.param({}, True, None, id="bool-body"),
        pytest.param({}, None, None, id="absent"),
        pytest.param({"retry-after": http_date(-3600)}, None, None, id="date-in-the-past"),
        pytest.param({"retry-after": "Mon, 99 Foo 2024 xx:yy:zz GMT"}, None, None, id="bad-date"),
    ],
)
async def test_retry_after_parsing(
    api: respx.MockRouter,
    once: mh.AsyncMindhunters,
    headers: dict[str, str],
    body_retry_after: Any,
    expected: float | None,
) -> None:
    # The fake's 429 envelope, with each row's retryAfter (many of them no server should send).
    body = api_error(429, "RATE_LIMIT_EXCEEDED", "slow down", message="Rate limit exceeded").body()
    if body_retry_after is not None:
        body["error"]["retryAfter"] = body_retry_after
    api.get(CALL_PATH).respond(429, json=body, headers=headers)
    err = await raised(once)
    assert type(err) is mh.RateLimitError
    assert err.retry_after == expected


async def test_retry_after_http_date(api: respx.MockRouter, once: mh.AsyncMindhunters) -> None:
    api.get(CALL_PATH).respond(429, headers={"retry-after": http_date(30)})
    err = await raised(once)
    assert err.retry_after is not None
    assert 25 <= err.retry_after <= 31


# --- connection errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exc", "cls"),
    [
        (httpx.ConnectError("connection refused"), mh.APIConnectionError),
        (httpx.ReadError("connection reset by peer"), mh.APIConnectionError),
        (httpx.ConnectTimeout("timed out"), mh.APITimeoutError),
        (httpx.ReadTimeout("timed out"), mh.APITimeoutError),
    ],
    ids=["connect", "read", "connect-timeout", "read-timeout"],
)
async def test_connection_errors(
    api: respx.MockRouter, once: mh.AsyncMindhunters, exc: Exception, cls: type[Exception]
) -> None:
    route = api.get(CALL_PATH).mock(side_effect=exc)
    with pytest.raises(mh.APIConnectionError) as info:
        await once.calls.get(CALL_ID)
    err = info.value
    assert type(err) is cls
    assert isinstance(err.__cause__, type(exc))
    assert not isinstance(err, mh.APIStatusError)
    assert err.request is not None
    assert err.request.url.path == f"/api/v1{CALL_PATH}"
    assert route.call_count == 1
    text = one_line(err)
    assert type(exc).__name__ in text
    assert err.user_message.startswith(
        "Network error" if cls is mh.APIConnectionError else "The request timed out"
    )
