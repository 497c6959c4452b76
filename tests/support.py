"""What the tests share besides fixtures: the test tenant, a sleep hook, and the API's bodies.

A plain module (fixtures stay in conftest.py): `from support import TOKEN, ok, ...`.
pytest puts `tests/` on `sys.path` for its rootdir conftest, which makes it importable.

Every envelope here comes from the fake's own builders
(`mindhunters_async/testing/_envelopes.py`): the errors page's bodies, byte for byte,
and its success envelope. A test that answers with a canned body therefore sends what
`FakeMindhunters` would. Tests whose subject is a malformed or hostile body (not an
envelope, a truncated one, wrong types) still write those bytes by hand.
"""

from __future__ import annotations

import email.utils
import time
from typing import Any, Final

import httpx

from mindhunters_async.testing._envelopes import (
    BAD_GATEWAY,
    BAD_GATEWAY_HTML,
    ENDPOINT_NOT_FOUND,
    FORBIDDEN,
    INTERNAL_SERVER_ERROR,
    INVALID_AUTH_TOKEN,
    INVALID_JSON,
    MISSING_AUTH_TOKEN,
    SERVICE_UNAVAILABLE,
    ApiError,
    not_found,
    rate_limit_exceeded,
    success,
    validation_error,
)

__all__ = [
    "AGENT_ID",
    "BAD_GATEWAY",
    "BASE_URL",
    "CALL",
    "CALL_ID",
    "CALL_PATH",
    "E164_DETAILS",
    "ENDPOINT_NOT_FOUND",
    "FORBIDDEN",
    "INTERNAL_SERVER_ERROR",
    "INVALID_AUTH_TOKEN",
    "INVALID_JSON",
    "MISSING_AUTH_TOKEN",
    "PARTICIPANT",
    "PHONE",
    "SERVICE_UNAVAILABLE",
    "TOKEN",
    "ApiError",
    "RecordingSleep",
    "api_error",
    "bad_gateway_html",
    "http_date",
    "not_found",
    "ok",
    "rate_limit_exceeded",
    "validation_error",
]

# The test tenant.
TOKEN: Final = "sk-test-0123456789abcdef-SECRET"
BASE_URL: Final = "https://acme.mindhunters.ai/api/v1"
AGENT_ID: Final = "550e8400-e29b-41d4-a716-446655440000"
CALL_ID: Final = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
CALL_PATH: Final = f"/calls/{CALL_ID}"
PHONE: Final = "+14155552671"
PARTICIPANT: Final = {"number": PHONE}
CALL: Final = {"id": CALL_ID, "agentId": AGENT_ID, "status": "initiated"}
# The errors page's details for a phone number that is not E.164.
E164_DETAILS: Final = "Phone number must be in E.164 format (e.g., +1234567890)"


class RecordingSleep:
    """The retry layer's `sleep` hook for tests: records each delay, waits for none."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


def ok(data: Any = CALL, *, status: int = 200, message: str = "OK") -> httpx.Response:
    """The success envelope `{"success": true, "message", "data"}` around `data`."""
    return success(status, message, data)


def api_error(
    status: int,
    code: str,
    details: str = "",
    *,
    message: str | None = None,
    field: str | None = None,
    retry_after: int | None = None,
) -> ApiError:
    """An error envelope the errors page has no example of, built as the fake builds its own.

    `message` defaults to the code in words ("SERVICE_UNAVAILABLE": "Service unavailable").
    Use `.body()` for the dict and `.response(headers)` for an `httpx.Response`.
    """
    if message is None:
        message = code.replace("_", " ").capitalize()
    return ApiError(status, message, code, details, field=field, retry_after=retry_after)


def bad_gateway_html() -> httpx.Response:
    """The HTML 502 a reverse proxy sends, as the fake's `Fault.BAD_GATEWAY_HTML` does."""
    return httpx.Response(502, content=BAD_GATEWAY_HTML, headers={"Content-Type": "text/html"})


def http_date(seconds_from_now: float) -> str:
    """An HTTP date `seconds_from_now` (negative: in the past), for a Retry-After header."""
    return email.utils.formatdate(time.time() + seconds_from_now, usegmt=True)
