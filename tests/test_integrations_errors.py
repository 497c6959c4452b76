"""integrations.error_reply: one table from SDK errors to the app's HTTP answers."""

from __future__ import annotations

import httpx
import pytest
from support import TOKEN

import mindhunters_async as mh
from mindhunters_async.integrations import DEFAULT_RETRY_AFTER, ErrorReply, error_reply

REQUEST = httpx.Request("POST", "https://acme.mindhunters.ai/api/v1/call")


def status_error(cls: type[mh.APIStatusError], status: int, **facts: object) -> mh.APIStatusError:
    response = httpx.Response(status, request=REQUEST)
    return cls(f"upstream detail {TOKEN}", response=response, **facts)  # type: ignore[arg-type]


def test_a_validation_error_is_a_422_naming_the_field() -> None:
    error = mh.RequestValidationError(
        "participant.number", mh.ErrorCode.INVALID_FORMAT, "must be E.164, got 555"
    )
    assert error_reply(error) == ErrorReply(
        422,
        {
            "error": {
                "message": "Please check the phone number format",
                "code": "INVALID_FORMAT",
                "field": "participant.number",
            }
        },
    )


@pytest.mark.parametrize(
    ("error", "retry_after"),
    [
        (status_error(mh.RateLimitError, 429, retry_after=2.5), "3"),
        (status_error(mh.ServiceUnavailableError, 503, retry_after=30.0), "30"),
        (status_error(mh.ServiceUnavailableError, 503), str(DEFAULT_RETRY_AFTER)),
    ],
)
def test_busy_upstream_is_a_503_with_retry_after(error: mh.APIError, retry_after: str) -> None:
    reply = error_reply(error)
    assert (reply.status, reply.headers) == (503, {"Retry-After": retry_after})
    assert reply.body["error"]["code"] == "SERVICE_UNAVAILABLE"


def test_not_found_is_a_404() -> None:
    reply = error_reply(status_error(mh.NotFoundError, 404))
    assert reply.status == 404
    assert reply.body == {
        "error": {"message": "Not found. Please check the identifier", "code": "NOT_FOUND"}
    }


@pytest.mark.parametrize(
    "error",
    [
        status_error(mh.InternalServerError, 500),
        status_error(mh.AuthenticationError, 401),
        status_error(mh.UnprocessableEntityError, 422, field="agentId"),
        mh.APITimeoutError("read timed out"),
        mh.ResponseDecodeError("not JSON"),
        mh.ClientStateError("closed"),
        mh.ConfigurationError("tenant", "no tenant"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_anything_else_is_a_502(error: mh.MindhuntersError) -> None:
    reply = error_reply(error)
    assert reply.status == 502
    assert reply.body["error"]["code"] == "UPSTREAM_ERROR"
    assert "outcome_unknown" not in reply.body["error"]


def test_an_unknown_outcome_is_surfaced_so_the_caller_does_not_retry() -> None:
    error = mh.APITimeoutError("read timed out", outcome=mh.Outcome(1, "key-1", unknown=True))
    reply = error_reply(error)
    assert reply.status == 502
    assert reply.body["error"]["outcome_unknown"] is True


def test_never_upstream_details_nor_the_token() -> None:
    for error in (
        status_error(mh.InternalServerError, 500, details=f"trace {TOKEN}"),
        status_error(mh.RateLimitError, 429),
    ):
        text = str(error_reply(error))
        assert TOKEN not in text
        assert "upstream detail" not in text
        assert "trace" not in text


def test_the_operator_log_masks_phone_numbers(caplog: pytest.LogCaptureFixture) -> None:
    from mindhunters_async.integrations._common import log_error

    error = status_error(mh.UnprocessableEntityError, 422)
    error = mh.UnprocessableEntityError(
        "The number +14155552671 is blacklisted", response=error.response
    )
    with caplog.at_level("WARNING", "mindhunters_async.integrations"):
        log_error(error, "POST", "/leads/+14155552671/call", 422)
    (record,) = caplog.records
    assert "+14155552671" not in record.getMessage()
    assert record.getMessage().count("2671") == 2  # the last 4 digits say which one
