"""Faults injected with `FakeMindhunters.fail`: statuses, transport errors, targeting."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from mindhunters_async.testing import FakeMindhunters, Fault

MakeClient = Callable[..., httpx.Client]
AGENT = FakeMindhunters.DEFAULT_AGENT_ID
NEW_CALL = {"agentId": AGENT, "participant": {"number": "+14155552671"}}


def test_a_fault_fires_once_by_default(fake: FakeMindhunters, api: httpx.Client) -> None:
    fake.fail(503)
    assert api.get("/calls").status_code == 503
    assert api.get("/calls").status_code == 200


def test_times(fake: FakeMindhunters, api: httpx.Client) -> None:
    fake.fail(Fault.INTERNAL_SERVER_ERROR, times=2)
    assert [api.get("/calls").status_code for _ in range(3)] == [500, 500, 200]


def test_faults_fire_in_order(fake: FakeMindhunters, api: httpx.Client) -> None:
    fake.fail(502)
    fake.fail(503, times=2)
    fake.fail(500)
    assert [api.get("/calls").status_code for _ in range(5)] == [502, 503, 503, 500, 200]


def test_a_status_fault_acts_before_auth_and_changes_nothing(
    fake: FakeMindhunters, make_client: MakeClient
) -> None:
    fake.fail(500)
    assert make_client(None).post("/call", json=NEW_CALL).status_code == 500
    assert fake.calls == {}


def test_route_targeting(fake: FakeMindhunters, api: httpx.Client) -> None:
    fake.fail(503, route="POST /call")
    assert api.get("/calls").status_code == 200
    assert api.post("/call", json=NEW_CALL).status_code == 503
    assert api.post("/call", json=NEW_CALL).status_code == 201


def test_untargeted_fault_hits_unknown_endpoints_too(
    fake: FakeMindhunters, api: httpx.Client
) -> None:
    fake.fail(503)
    assert api.get("/nowhere").status_code == 503


def test_targeted_fault_waits_behind_others_only_for_its_route(
    fake: FakeMindhunters, api: httpx.Client
) -> None:
    fake.fail(500, route="GET /calls/{uuid}")
    fake.fail(503)
    call_id = fake.add_call()
    assert api.get("/calls").status_code == 503
    assert api.get(f"/calls/{call_id}").status_code == 500
    assert api.get(f"/calls/{call_id}").status_code == 200


def test_clear_faults(fake: FakeMindhunters, api: httpx.Client) -> None:
    fake.fail(503, times=5)
    fake.clear_faults()
    assert api.get("/calls").status_code == 200


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((404,), {}, "404"),
        (("nope",), {}, "nope"),
        ((503,), {"times": 0}, "times must be at least 1"),
        ((503,), {"route": "GET /call"}, "unknown route 'GET /call'"),
    ],
)
def test_bad_fault_requests_are_refused(
    fake: FakeMindhunters, args: tuple[object], kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        fake.fail(*args, **kwargs)


def test_429_fault(fake: FakeMindhunters, api: httpx.Client) -> None:
    fake.fail(429, retry_after=7)
    response = api.get("/calls")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response.json() == {
        "success": False,
        "message": "Rate limit exceeded",
        "error": {
            "code": "RATE_LIMIT_EXCEEDED",
            "details": "You have exceeded the rate limit of 1000 requests per minute",
            "retryAfter": 7,
        },
    }


def test_html_502_as_a_proxy_sends_it(fake: FakeMindhunters, api: httpx.Client) -> None:
    fake.fail(Fault.BAD_GATEWAY_HTML)
    response = api.get("/calls")
    assert response.status_code == 502
    assert response.headers["Content-Type"] == "text/html"
    assert "<title>502 Bad Gateway</title>" in response.text
    with pytest.raises(ValueError, match="Expecting value"):
        response.json()


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault.CONNECT_ERROR, httpx.ConnectError),
        (Fault.CONNECT_TIMEOUT, httpx.ConnectTimeout),
        (Fault.READ_TIMEOUT, httpx.ReadTimeout),
    ],
)
def test_transport_faults_raise_without_acting(
    fake: FakeMindhunters, api: httpx.Client, fault: Fault, error: type[httpx.TransportError]
) -> None:
    fake.fail(fault)
    with pytest.raises(error) as raised:
        api.post("/call", json=NEW_CALL)
    assert type(raised.value) is error
    assert raised.value.request.url == "https://fake.mindhunters.ai/api/v1/call"
    assert fake.calls == {}
    (record,) = fake.requests
    assert (record.served, record.fault, record.status) == (False, fault, None)


def test_read_timeout_after_commit_places_the_call(
    fake: FakeMindhunters, api: httpx.Client
) -> None:
    fake.fail(Fault.READ_TIMEOUT_AFTER_COMMIT, route="POST /call")
    with pytest.raises(httpx.ReadTimeout):
        api.post("/call", json=NEW_CALL, headers={"Idempotency-Key": "once"})
    (call,) = fake.calls.values()
    assert call.idempotency_key == "once"
    (record,) = fake.requests
    assert (record.served, record.fault, record.status) == (
        True,
        Fault.READ_TIMEOUT_AFTER_COMMIT,
        None,
    )
    listed = api.get("/calls").json()["data"]["data"]
    assert [item["uuid"] for item in listed] == [call.id]


def test_fault_names_are_accepted(fake: FakeMindhunters, api: httpx.Client) -> None:
    fake.fail("connect error")
    with pytest.raises(httpx.ConnectError):
        api.get("/calls")
