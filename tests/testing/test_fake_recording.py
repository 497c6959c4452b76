"""What the fake records of each request, and that no token shows in a repr."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from mindhunters_async.testing import FakeMindhunters, Fault

MakeClient = Callable[..., httpx.Client]
AGENT = FakeMindhunters.DEFAULT_AGENT_ID
NEW_CALL = {"agentId": AGENT, "participant": {"number": "+14155552671"}}


def test_every_request_is_recorded_in_order(fake: FakeMindhunters, api: httpx.Client) -> None:
    api.post("/call", json=NEW_CALL, headers={"Idempotency-Key": "key-1"})
    api.get("/calls", params={"status": "initiated", "page": 1})
    api.get("/nowhere")
    first, second, third = fake.requests
    assert (first.method, first.path, first.route, first.status) == (
        "POST",
        "/call",
        "POST /call",
        201,
    )
    assert first.json == NEW_CALL
    assert first.idempotency_key == "key-1"
    assert first.headers["Authorization"] == "Bearer test-token"
    assert first.url == "https://fake.mindhunters.ai/api/v1/call"
    assert (second.route, second.query["status"], second.query["page"]) == (
        "GET /calls",
        "initiated",
        "1",
    )
    assert (second.json, second.idempotency_key) == (None, None)
    assert (third.path, third.route, third.status, third.served) == ("/nowhere", None, 404, True)


def test_requests_to(fake: FakeMindhunters, api: httpx.Client) -> None:
    fake.fail(503, route="POST /call")
    api.post("/call", json=NEW_CALL)
    api.post("/call", json=NEW_CALL)
    api.get("/calls")
    posts = fake.requests_to("post", "/call")
    assert [(r.fault, r.status, r.served) for r in posts] == [
        (Fault.SERVICE_UNAVAILABLE, 503, False),
        (None, 201, True),
    ]
    assert len(fake.calls) == 1
    assert [r.path for r in fake.requests_to("GET", "/calls")] == ["/calls"]


def test_invalid_body_is_kept_as_bytes(fake: FakeMindhunters, api: httpx.Client) -> None:
    api.post("/call", content=b"{oops")
    (record,) = fake.requests
    assert (record.json, record.content, record.status) == (None, b"{oops", 400)


def test_request_outside_the_api_prefix_keeps_its_whole_path(
    fake: FakeMindhunters, api: httpx.Client
) -> None:
    api.get("https://fake.mindhunters.ai/health")
    assert fake.requests[0].path == "/health"


def test_requests_is_a_snapshot(fake: FakeMindhunters, api: httpx.Client) -> None:
    before = fake.requests
    api.get("/calls")
    assert (len(before), len(fake.requests)) == (0, 1)


def test_no_repr_shows_the_token(make_client: MakeClient) -> None:
    secret = "s3cr3t-token-value"
    fake = FakeMindhunters(tokens={secret: FakeMindhunters.ALL_PERMISSIONS})
    make_client(secret, of=fake).post("/call", json=NEW_CALL)
    (record,) = fake.requests
    for text in (repr(record), str(record), repr(fake.requests), repr(fake), repr(record.headers)):
        assert secret not in text
    assert "'authorization': '[secure]'" in repr(record)
    assert repr(fake) == "<FakeMindhunters agents=1 calls=1 requests=1>"
