"""Every error envelope of the errors page, compared with the page's own examples."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from mindhunters_async.testing import FakeMindhunters, ManualClock

MakeClient = Callable[..., httpx.Client]
AGENT = FakeMindhunters.DEFAULT_AGENT_ID
MISSING_CALL = "550e8400-e29b-41d4-a716-446655440000"

# Copied from the errors page, example by example.
PAGE_MISSING_TOKEN = {
    "success": False,
    "message": "Authentication required",
    "error": {"code": "MISSING_AUTH_TOKEN", "details": "No authorization header provided"},
}
PAGE_INVALID_TOKEN = {
    "success": False,
    "message": "Invalid authentication token",
    "error": {
        "code": "INVALID_AUTH_TOKEN",
        "details": "The provided token is invalid or has been revoked",
    },
}
PAGE_FORBIDDEN = {
    "success": False,
    "message": "Insufficient permissions",
    "error": {
        "code": "FORBIDDEN",
        "details": "Your API token does not have permission to access this resource",
    },
}
PAGE_MISSING_FIELD = {
    "success": False,
    "message": "Validation failed",
    "error": {
        "code": "VALIDATION_ERROR",
        "field": "agentId",
        "details": "The agentId field is required",
    },
}
PAGE_INVALID_FORMAT = {
    "success": False,
    "message": "Validation failed",
    "error": {
        "code": "INVALID_FORMAT",
        "field": "participant.number",
        "details": "Phone number must be in E.164 format (e.g., +1234567890)",
    },
}
PAGE_INVALID_UUID = {
    "success": False,
    "message": "Validation failed",
    "error": {
        "code": "INVALID_UUID",
        "field": "agentId",
        "details": "agentId must be a valid UUID",
    },
}
PAGE_RESOURCE_NOT_FOUND = {
    "success": False,
    "message": "Resource not found",
    "error": {
        "code": "RESOURCE_NOT_FOUND",
        "details": "Call with ID '550e8400-e29b-41d4-a716-446655440000' not found",
    },
}
PAGE_ENDPOINT_NOT_FOUND = {
    "success": False,
    "message": "Endpoint not found",
    "error": {"code": "ENDPOINT_NOT_FOUND", "details": "The requested endpoint does not exist"},
}
PAGE_RATE_LIMIT = {
    "success": False,
    "message": "Rate limit exceeded",
    "error": {
        "code": "RATE_LIMIT_EXCEEDED",
        "details": "You have exceeded the rate limit of 1000 requests per minute",
        "retryAfter": 45,
    },
}
PAGE_INTERNAL = {
    "success": False,
    "message": "An unexpected error occurred",
    "error": {
        "code": "INTERNAL_SERVER_ERROR",
        "details": "Please try again later or contact support if the issue persists",
    },
}
PAGE_UNAVAILABLE = {
    "success": False,
    "message": "Service temporarily unavailable",
    "error": {
        "code": "SERVICE_UNAVAILABLE",
        "details": "The service is under maintenance or experiencing high load",
    },
}


def assert_envelope(response: httpx.Response, status: int, expected: object) -> None:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert response.json() == expected


def test_missing_token(make_client: MakeClient) -> None:
    assert_envelope(make_client(token=None).get("/calls"), 401, PAGE_MISSING_TOKEN)


def test_invalid_token(make_client: MakeClient) -> None:
    assert_envelope(make_client(token="revoked").get("/calls"), 401, PAGE_INVALID_TOKEN)


def test_forbidden(fake: FakeMindhunters, make_client: MakeClient) -> None:
    fake.tokens["reader"] = frozenset({"calls:read"})
    body = {"agentId": AGENT, "participant": {"number": "+1234567890"}}
    assert_envelope(make_client(token="reader").post("/call", json=body), 403, PAGE_FORBIDDEN)


def test_missing_required_field(api: httpx.Client) -> None:
    response = api.post("/call", json={"participant": {"number": "+1234567890"}})
    assert_envelope(response, 422, PAGE_MISSING_FIELD)


def test_invalid_phone_number(api: httpx.Client) -> None:
    response = api.post("/call", json={"agentId": AGENT, "participant": {"number": "1234567890"}})
    assert_envelope(response, 422, PAGE_INVALID_FORMAT)


def test_invalid_uuid(api: httpx.Client) -> None:
    response = api.post("/call", json={"agentId": "123", "participant": {"number": "+1234567890"}})
    assert_envelope(response, 422, PAGE_INVALID_UUID)


def test_resource_not_found(api: httpx.Client) -> None:
    assert_envelope(api.get(f"/calls/{MISSING_CALL}"), 404, PAGE_RESOURCE_NOT_FOUND)


def test_endpoint_not_found(api: httpx.Client) -> None:
    assert_envelope(api.get("/no-such-endpoint"), 404, PAGE_ENDPOINT_NOT_FOUND)


def test_rate_limit_exceeded(fake: FakeMindhunters, api: httpx.Client, clock: ManualClock) -> None:
    for _ in range(1000):
        assert api.get("/agents").status_code == 200
    clock.advance(15)
    assert_envelope(api.get("/agents"), 429, PAGE_RATE_LIMIT)


@pytest.mark.parametrize(("status", "expected"), [(500, PAGE_INTERNAL), (503, PAGE_UNAVAILABLE)])
def test_server_errors(
    fake: FakeMindhunters, api: httpx.Client, status: int, expected: object
) -> None:
    fake.fail(status)
    assert_envelope(api.get("/calls"), status, expected)


def test_bad_gateway_json_is_in_the_page_style(fake: FakeMindhunters, api: httpx.Client) -> None:
    fake.fail(502)
    expected = {
        "success": False,
        "message": "Bad gateway",
        "error": {"code": "BAD_GATEWAY", "details": "Service temporarily unavailable"},
    }
    assert_envelope(api.get("/calls"), 502, expected)


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b'"text"', b"\xff\xfe"])
def test_invalid_json_body(api: httpx.Client, content: bytes) -> None:
    response = api.post("/call", content=content, headers={"Content-Type": "application/json"})
    expected = {
        "success": False,
        "message": "Invalid JSON",
        "error": {
            "code": "INVALID_JSON",
            "details": "The request body must be a valid JSON object",
        },
    }
    assert_envelope(response, 400, expected)
