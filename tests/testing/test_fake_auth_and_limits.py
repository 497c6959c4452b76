"""Auth, permissions, routing and the rate limit of the fake."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from mindhunters_async.testing import FakeMindhunters, ManualClock

MakeClient = Callable[..., httpx.Client]
AGENT = FakeMindhunters.DEFAULT_AGENT_ID
NEW_CALL = {"agentId": AGENT, "participant": {"number": "+14155552671"}}


def code_of(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


@pytest.mark.parametrize(
    "authorization",
    ["", "test-token", "Basic dGVzdDp0ZXN0", "Bearer", "Bearer   ", "Token test-token"],
)
def test_no_bearer_token_is_missing(make_client: MakeClient, authorization: str) -> None:
    response = make_client(None).get("/calls", headers={"Authorization": authorization})
    assert code_of(response) == (401, "MISSING_AUTH_TOKEN")


def test_bearer_scheme_is_case_insensitive(make_client: MakeClient) -> None:
    response = make_client(None).get("/calls", headers={"Authorization": "bearer test-token"})
    assert response.status_code == 200


def test_revoked_token_is_invalid(fake: FakeMindhunters, make_client: MakeClient) -> None:
    api = make_client()
    assert api.get("/calls").status_code == 200
    del fake.tokens[fake.DEFAULT_TOKEN]
    assert code_of(api.get("/calls")) == (401, "INVALID_AUTH_TOKEN")


@pytest.mark.parametrize(
    ("granted", "allowed"),
    [
        ({"calls:read"}, {"GET /calls", "GET /calls/{uuid}"}),
        ({"calls:write"}, {"POST /call"}),
        ({"agents:read"}, {"GET /agents", "GET /agents/{uuid}"}),
        (set(), set()),
    ],
)
def test_each_route_needs_its_permission(
    fake: FakeMindhunters, make_client: MakeClient, granted: set[str], allowed: set[str]
) -> None:
    call_id = fake.add_call()
    fake.tokens["limited"] = frozenset(granted)
    api = make_client("limited")
    responses = {
        "POST /call": api.post("/call", json=NEW_CALL),
        "GET /calls": api.get("/calls"),
        "GET /calls/{uuid}": api.get(f"/calls/{call_id}"),
        "GET /agents": api.get("/agents"),
        "GET /agents/{uuid}": api.get(f"/agents/{AGENT}"),
    }
    forbidden = {route for route, r in responses.items() if r.status_code == 403}
    assert forbidden == set(responses) - allowed
    assert all(r.status_code < 300 for route, r in responses.items() if route in allowed)


def test_default_token_has_every_permission() -> None:
    from mindhunters_async.testing._table import ROUTES

    every = frozenset(route.permission for route in ROUTES)
    fake = FakeMindhunters()
    assert fake.tokens == {"test-token": every}
    assert set(fake.ALL_PERMISSIONS) == every
    assert {"calls:read", "calls:write", "agents:read", "agents:write"} <= every


def test_custom_tokens_replace_the_default(make_client: MakeClient) -> None:
    fake = FakeMindhunters(tokens={"mine": FakeMindhunters.ALL_PERMISSIONS})
    assert make_client("mine", of=fake).get("/calls").status_code == 200
    assert code_of(make_client(of=fake).get("/calls")) == (401, "INVALID_AUTH_TOKEN")


def test_unknown_permission_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown permissions"):
        FakeMindhunters(tokens={"t": {"calls:reed"}})


def test_a_forbidden_request_changes_nothing(
    fake: FakeMindhunters, make_client: MakeClient
) -> None:
    fake.tokens["reader"] = frozenset({"calls:read"})
    assert make_client("reader").post("/call", json=NEW_CALL).status_code == 403
    assert fake.calls == {}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/nothing"),
        ("DELETE", "/api/v1/calls"),
        ("GET", "/api/v1/call"),
        ("POST", "/api/v1/calls"),
        ("GET", "/api/v1/calls/"),
        ("GET", "/api/v1/calls/a/b"),
        ("GET", "/api/v1"),
        ("POST", "/call"),
        ("GET", "/api/v2/calls"),
    ],
)
def test_unknown_endpoints_are_404_even_without_a_token(
    make_client: MakeClient, method: str, path: str
) -> None:
    url = "https://fake.mindhunters.ai" + path
    response = make_client(None).request(method, url, json=NEW_CALL)
    assert code_of(response) == (404, "ENDPOINT_NOT_FOUND")


def test_any_host_is_served(make_client: MakeClient) -> None:
    response = make_client().get("http://tenant.example/api/v1/agents")
    assert response.status_code == 200


# Rate limit


def test_rate_limit_window_and_headers(make_client: MakeClient, clock: ManualClock) -> None:
    fake = FakeMindhunters(rate_limit=3, clock=clock)
    api = make_client(of=fake)
    remaining = [api.get("/agents").headers["X-RateLimit-Remaining"] for _ in range(3)]
    assert remaining == ["2", "1", "0"]
    clock.advance(59.5)
    refused = api.get("/agents")
    assert refused.status_code == 429
    assert refused.json()["error"]["retryAfter"] == 1
    assert refused.json()["error"]["details"] == (
        "You have exceeded the rate limit of 3 requests per minute"
    )
    assert refused.headers["Retry-After"] == "1"
    assert refused.headers["X-RateLimit-Limit"] == "3"
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    clock.advance(0.5)
    assert api.get("/agents").status_code == 200


def test_retry_after_counts_from_the_first_request_of_the_window(
    make_client: MakeClient, clock: ManualClock
) -> None:
    fake = FakeMindhunters(rate_limit=2, clock=clock)
    api = make_client(of=fake)
    api.get("/agents")
    clock.advance(10)
    api.get("/agents")
    clock.advance(0.2)
    assert api.get("/agents").json()["error"]["retryAfter"] == 50


def test_refused_requests_do_not_extend_the_limit(
    make_client: MakeClient, clock: ManualClock
) -> None:
    fake = FakeMindhunters(rate_limit=1, clock=clock)
    api = make_client(of=fake)
    assert api.get("/agents").status_code == 200
    for _ in range(5):
        assert api.get("/agents").status_code == 429
    clock.advance(60)
    assert api.get("/agents").status_code == 200
    assert api.get("/agents").status_code == 429


def test_rate_limit_is_per_token(make_client: MakeClient, clock: ManualClock) -> None:
    fake = FakeMindhunters(rate_limit=1, clock=clock)
    fake.tokens["second"] = fake.ALL_PERMISSIONS
    assert make_client(of=fake).get("/agents").status_code == 200
    assert make_client(of=fake).get("/agents").status_code == 429
    assert make_client("second", of=fake).get("/agents").status_code == 200


def test_rate_limit_comes_before_permissions(make_client: MakeClient, clock: ManualClock) -> None:
    fake = FakeMindhunters(tokens={"reader": {"calls:read"}}, rate_limit=1, clock=clock)
    api = make_client("reader", of=fake)
    assert api.post("/call", json=NEW_CALL).status_code == 403
    assert code_of(api.post("/call", json=NEW_CALL)) == (429, "RATE_LIMIT_EXCEEDED")


def test_unauthenticated_requests_are_not_counted(
    make_client: MakeClient, clock: ManualClock
) -> None:
    fake = FakeMindhunters(rate_limit=1, clock=clock)
    for _ in range(3):
        assert make_client(None, of=fake).get("/agents").status_code == 401
    assert make_client(of=fake).get("/agents").status_code == 200


def test_rate_limit_can_change_while_running(make_client: MakeClient) -> None:
    fake = FakeMindhunters(rate_limit=1)
    api = make_client(of=fake)
    api.get("/agents")
    assert api.get("/agents").status_code == 429
    fake.rate_limit = 10
    assert api.get("/agents").status_code == 200
