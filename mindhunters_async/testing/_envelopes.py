"""The bodies the fake answers with: the errors page's envelopes, verbatim.

Every fixed error below is copied from the Mindhunters errors page, so a test that
compares a fake response with the page compares it with the real API's contract.
`BAD_GATEWAY` and `INVALID_JSON` are not on the page (it lists the statuses only):
their codes are this fake's choice, in the page's style.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import attrs
import httpx

__all__ = [
    "BAD_GATEWAY",
    "BAD_GATEWAY_HTML",
    "ENDPOINT_NOT_FOUND",
    "FORBIDDEN",
    "INTERNAL_SERVER_ERROR",
    "INVALID_AUTH_TOKEN",
    "INVALID_JSON",
    "MISSING_AUTH_TOKEN",
    "SERVICE_UNAVAILABLE",
    "ApiError",
    "not_found",
    "rate_limit_exceeded",
    "success",
    "validation_error",
]


@attrs.frozen
class ApiError:
    """One error answer: its status and the fields of the page's error envelope."""

    status: int
    message: str
    code: str
    details: str
    field: str | None = None
    retry_after: int | None = None

    def body(self) -> dict[str, Any]:
        """The envelope `{"success": false, "message", "error": {...}}` as the page shows it."""
        error: dict[str, Any] = {"code": self.code, "details": self.details}
        if self.field is not None:
            error["field"] = self.field
        if self.retry_after is not None:
            error["retryAfter"] = self.retry_after
        return {"success": False, "message": self.message, "error": error}

    def response(self, headers: Mapping[str, str] | None = None) -> httpx.Response:
        """This error as a JSON response."""
        return httpx.Response(self.status, json=self.body(), headers=headers)


MISSING_AUTH_TOKEN: Final = ApiError(
    401, "Authentication required", "MISSING_AUTH_TOKEN", "No authorization header provided"
)
INVALID_AUTH_TOKEN: Final = ApiError(
    401,
    "Invalid authentication token",
    "INVALID_AUTH_TOKEN",
    "The provided token is invalid or has been revoked",
)
FORBIDDEN: Final = ApiError(
    403,
    "Insufficient permissions",
    "FORBIDDEN",
    "Your API token does not have permission to access this resource",
)
ENDPOINT_NOT_FOUND: Final = ApiError(
    404, "Endpoint not found", "ENDPOINT_NOT_FOUND", "The requested endpoint does not exist"
)
INTERNAL_SERVER_ERROR: Final = ApiError(
    500,
    "An unexpected error occurred",
    "INTERNAL_SERVER_ERROR",
    "Please try again later or contact support if the issue persists",
)
SERVICE_UNAVAILABLE: Final = ApiError(
    503,
    "Service temporarily unavailable",
    "SERVICE_UNAVAILABLE",
    "The service is under maintenance or experiencing high load",
)
BAD_GATEWAY: Final = ApiError(502, "Bad gateway", "BAD_GATEWAY", "Service temporarily unavailable")
INVALID_JSON: Final = ApiError(
    400, "Invalid JSON", "INVALID_JSON", "The request body must be a valid JSON object"
)

# What a reverse proxy (nginx here) sends when the application behind it is down:
# not JSON at all, which is the point of offering it.
BAD_GATEWAY_HTML: Final = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)


def validation_error(code: str, field: str, details: str) -> ApiError:
    """A 422 for one field, as the page's validation examples."""
    return ApiError(422, "Validation failed", code, details, field=field)


def not_found(kind: str, resource_id: str) -> ApiError:
    """A 404 for a missing resource: `kind` is "Call" or "Agent"."""
    return ApiError(
        404,
        "Resource not found",
        "RESOURCE_NOT_FOUND",
        f"{kind} with ID '{resource_id}' not found",
    )


def rate_limit_exceeded(limit: int, retry_after: int) -> ApiError:
    """A 429 saying `limit` requests per minute, to retry after `retry_after` seconds."""
    return ApiError(
        429,
        "Rate limit exceeded",
        "RATE_LIMIT_EXCEEDED",
        f"You have exceeded the rate limit of {limit} requests per minute",
        retry_after=retry_after,
    )


def success(status: int, message: str, data: Any) -> httpx.Response:
    """The success envelope `{"success": true, "message", "data"}`."""
    return httpx.Response(status, json={"success": True, "message": message, "data": data})
