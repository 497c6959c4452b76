"""calls: live-call control, and what every operation shares (raw responses, extras,
the `client.request` escape hatch, token providers)."""

from __future__ import annotations

import json
from typing import Any

import anyio
import httpx
import pytest
import respx
from support import AGENT_ID, BASE_URL, CALL, CALL_ID, PHONE, TOKEN, ok

import mindhunters_async as mh
from mindhunters_async.testing import FakeMindhunters

pytestmark = pytest.mark.anyio

CONVERSATION = "9b2c7d4e-1f3a-4b5c-8d6e-7f8091a2b3c4"
ACTIONS = f"/calls/action/{CONVERSATION}"
DISPATCHED = {"success": True, "message": "Say dispatched", "data": {}}


# Live-call control, request by request ------------------------------------------------


@pytest.mark.parametrize(
    ("action", "args", "body"),
    [
        ("say", ("Hello there",), {"message": "Hello there"}),
        ("mute", (), {}),
        ("unmute", (), {}),
        ("hangup", (), {}),
        ("forward", (PHONE,), {"number": PHONE}),
    ],
)
async def test_each_action_sends_its_request(
    api: respx.MockRouter,
    client: mh.AsyncMindhunters,
    action: str,
    args: tuple[Any, ...],
    body: Any,
) -> None:
    route = api.post(f"{ACTIONS}/{action}").respond(200, json=DISPATCHED)
    result = await getattr(client.calls, action)(CONVERSATION, *args)
    assert result == mh.CallAction(message="Say dispatched", data={})
    (call,) = route.calls
    assert json.loads(call.request.content) == body
    assert call.request.headers["content-type"] == "application/json"
    assert call.request.headers["idempotency-key"]  # a POST: one key, for every attempt


@pytest.mark.parametrize(
    ("action", "args", "field"),
    [
        ("say", ("hi",), "conversation_id"),
        ("forward", ("+1 415 555 2671",), "number"),
        ("say", ("  ",), "message"),
    ],
)
async def test_bad_input_is_refused_before_sending(
    api: respx.MockRouter,
    client: mh.AsyncMindhunters,
    action: str,
    args: tuple[Any, ...],
    field: str,
) -> None:
    route = api.post(url__regex=r".*/calls/action/.*").respond(200, json=DISPATCHED)
    conversation = "not-a-uuid" if field == "conversation_id" else CONVERSATION
    with pytest.raises(mh.RequestValidationError) as info:
        await getattr(client.calls, action)(conversation, *args)
    assert info.value.field == field
    assert not route.called


async def test_create_returns_the_newer_fields() -> None:
    fake = FakeMindhunters()
    async with fake.client() as client:
        call = await client.calls.create(
            agent_id=fake.DEFAULT_AGENT_ID, participant={"number": PHONE}
        )
    (placed,) = fake.calls.values()
    assert call.conversation_uuid == placed.conversation_uuid
    assert call.contact_uuid == placed.contact_uuid
    assert call.listen_url is not None
    assert call.listen_url.endswith(placed.conversation_uuid)
    assert call.record_url is not None


async def test_a_live_call_is_steered_against_the_fake() -> None:
    fake = FakeMindhunters()
    async with fake.client() as client:
        call = await client.calls.create(
            agent_id=fake.DEFAULT_AGENT_ID, participant={"number": PHONE}
        )
        assert call.conversation_uuid is not None
        said = await client.calls.say(call.conversation_uuid, "One moment please")
        await client.calls.mute(call.conversation_uuid)
        (placed,) = fake.calls.values()
        assert placed.muted
        await client.calls.unmute(call.conversation_uuid)
        await client.calls.forward(call.conversation_uuid, "+442071838750")
        await client.calls.hangup(call.conversation_uuid)
        assert placed.status == "completed"
        with pytest.raises(mh.ConflictError):
            await client.calls.say(call.conversation_uuid, "too late")
        with pytest.raises(mh.NotFoundError):
            await client.calls.say("00000000-0000-4000-8000-00000000abcd", "nobody")
    assert said.message == "Say dispatched"
    assert [name for name, _ in placed.actions] == ["say", "mute", "unmute", "forward", "hangup"]
    assert placed.actions[0][1] == {"message": "One moment please"}
    assert placed.actions[3][1] == {"number": "+442071838750"}
    assert not placed.muted


# Raw responses and extras ----------------------------------------------------------------


async def test_with_raw_response_gives_the_model_and_the_metadata() -> None:
    fake = FakeMindhunters()
    call_id = fake.add_call()
    async with fake.client() as client:
        raw = await client.calls.with_raw_response.get(call_id)
        page = await client.calls.with_raw_response.list(per_page=5)
    assert isinstance(raw, mh.RawResponse)
    assert raw.status_code == 200
    assert raw.parse().id == call_id
    assert raw.rate_limit == mh.RateLimitInfo(limit=1000, remaining=999, reset=None)
    assert raw.headers["content-type"] == "application/json"
    assert raw.request_id is None
    assert [c.id for c in page.parse().items] == [call_id]
    assert page.rate_limit is not None
    assert page.rate_limit.remaining == 998


async def test_rate_limit_is_none_without_the_headers(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    reply = ok(CALL)
    reply.headers["x-request-id"] = "r-1"
    api.get(f"/calls/{CALL_ID}").mock(return_value=reply)
    raw = await client.calls.with_raw_response.get(CALL_ID)
    assert raw.rate_limit is None
    assert raw.request_id == "r-1"


async def test_extras_reach_the_wire(api: respx.MockRouter, client: mh.AsyncMindhunters) -> None:
    route = api.post("/call").mock(return_value=ok(CALL, status=201))
    await client.calls.create(
        agent_id=AGENT_ID,
        participant={"number": PHONE},
        extra_headers={"X-Team": "voice"},
        extra_query={"dry_run": "1"},
        extra_body={"metadata": {"lead": 7}},
    )
    request = route.calls.last.request
    assert request.headers["x-team"] == "voice"
    assert request.url.params["dry_run"] == "1"
    assert json.loads(request.content)["metadata"] == {"lead": 7}
    listed = api.get("/calls").mock(return_value=ok([]))
    await client.calls.list(extra_query={"since": "2026-01-01"})
    assert listed.calls.last.request.url.params["since"] == "2026-01-01"


# The escape hatch ------------------------------------------------------------------------


async def test_request_sends_through_the_whole_pipeline() -> None:
    fake = FakeMindhunters()
    call_id = fake.add_call()
    async with fake.client() as client:
        body = await client.request("GET", f"/calls/{call_id}")
        listed = await client.request("get", "/calls", params={"per_page": 1})
        with pytest.raises(mh.NotFoundError):
            await client.request("GET", "/schedules-that-do-not-exist")
    assert body["data"]["id"] == call_id
    assert listed["data"]["per_page"] == 1
    (first, second, third) = fake.requests
    assert first.headers["authorization"] == f"Bearer {fake.DEFAULT_TOKEN}"
    assert second.query["per_page"] == "1"
    assert third.status == 404


async def test_request_gives_a_post_an_idempotency_key(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.post("/sms/send").mock(return_value=ok({"sent": True}))
    body = await client.request("POST", "/sms/send", json={"message": "hi"})
    assert body == {"success": True, "message": "OK", "data": {"sent": True}}
    request = route.calls.last.request
    assert request.headers["idempotency-key"]
    assert json.loads(request.content) == {"message": "hi"}


@pytest.mark.parametrize(
    "path",
    [
        "https://evil.example/api",
        "//evil.example/api",
        "evil",
        "/a/../../admin",
        "/a/%2e%2e/admin",
        "/%2e%2e%2f%2e%2e%2fadmin",
        "/..;/..;/admin",
        "/a/%252e%252e/admin",
        "/a%5cb",
        "/calls?agent_id=x",
        "/calls#x",
        "/a//b",
        "/a\\b",
        "/a b",
    ],
)
async def test_request_refuses_paths_that_could_leave_the_base_url(
    api: respx.MockRouter, client: mh.AsyncMindhunters, path: str
) -> None:
    route = api.route().respond(200, json={})
    with pytest.raises(mh.RequestValidationError) as info:
        await client.request("GET", path)
    assert info.value.field == "path"
    assert not route.called


# Token providers -------------------------------------------------------------------------


async def test_a_token_provider_is_asked_once_and_again_after_a_401() -> None:
    fake = FakeMindhunters(tokens={"old": fake_permissions(), "new": fake_permissions()})
    tokens = iter(["old", "new"])
    asked: list[str] = []

    async def provider() -> str:
        asked.append("x")
        await anyio.lowlevel.checkpoint()
        return next(tokens)

    async with fake.client(api_token=provider) as client:
        await client.calls.list()
        await client.calls.list()
        assert len(asked) == 1  # cached
        fake.tokens.pop("old")  # the old token expires
        await client.calls.list()
        assert len(asked) == 2
    statuses = [(r.headers["authorization"], r.status) for r in fake.requests]
    assert statuses == [
        ("Bearer old", 200),
        ("Bearer old", 200),
        ("Bearer old", 401),
        ("Bearer new", 200),
    ]


async def test_a_sync_provider_and_concurrent_calls_ask_once() -> None:
    fake = FakeMindhunters()
    asked: list[int] = []

    def provider() -> str:
        asked.append(1)
        return fake.DEFAULT_TOKEN

    async with fake.client(api_token=provider) as client:

        async def one() -> None:
            await client.calls.list()

        async with anyio.create_task_group() as group:
            for _ in range(10):
                group.start_soon(one)
        copy = client.with_options(max_retries=0)
        await copy.calls.list()
    assert asked == [1]


async def test_a_provider_that_keeps_failing_gives_the_401() -> None:
    fake = FakeMindhunters()
    async with fake.client(api_token=lambda: "wrong-token") as client:
        with pytest.raises(mh.AuthenticationError):
            await client.calls.list()
    assert len(fake.requests) == 1  # the same token again: not sent twice


async def test_a_bad_token_from_a_provider_is_a_clear_error_without_it() -> None:
    fake = FakeMindhunters()
    async with fake.client(api_token=lambda: "line\nbreak-SECRET") as client:
        with pytest.raises(mh.ConfigurationError) as info:
            await client.calls.list()
    assert info.value.setting == "api_token"
    assert "SECRET" not in str(info.value)
    assert fake.requests == []


def fake_permissions() -> frozenset[str]:
    return FakeMindhunters.ALL_PERMISSIONS


async def test_the_base_url_of_the_test_tenant_is_used(api: respx.MockRouter) -> None:
    route = api.get(f"/calls/{CALL_ID}").mock(return_value=ok(CALL))
    async with mh.AsyncMindhunters(api_token=lambda: TOKEN, tenant="acme") as client:
        await client.calls.get(CALL_ID)
    assert str(route.calls.last.request.url).startswith(BASE_URL)
    assert route.calls.last.request.headers["authorization"] == f"Bearer {TOKEN}"
    assert isinstance(route.calls.last.request, httpx.Request)


@pytest.mark.parametrize(
    ("send", "field"),
    [
        (lambda c: c.contacts.list(search="x" * 70_000), "request"),
        (lambda c: c.request("GET", "/a" * 40_000), "request"),
        (lambda c: c.calls.get(CALL_ID, extra_headers={"X-Note": "caf\u00e9 \u20ac"}), "headers"),
    ],
    ids=["query-too-long", "path-too-long", "non-ascii-header"],
)
async def test_a_request_that_cannot_be_built_is_a_validation_error(
    api: respx.MockRouter, client: mh.AsyncMindhunters, send: Any, field: str
) -> None:
    route = api.route().respond(200, json={})
    with pytest.raises(mh.RequestValidationError) as info:
        await send(client)
    assert info.value.field == field
    assert not route.called


async def test_a_raw_list_gives_a_raw_first_page_and_walks_plain_pages() -> None:
    fake = FakeMindhunters()
    for i in range(5):
        fake.add_call(f"+1415555010{i}")
    async with fake.client() as client:
        raw = await client.calls.with_raw_response.list(per_page=2)
        following = await raw.parse().next_page()
        walked = [call async for call in client.calls.with_raw_response.list(per_page=2)]
    assert isinstance(raw, mh.RawResponse)
    assert raw.status_code == 200
    assert isinstance(following, mh.Page)
    assert following.current_page == 2
    assert len(walked) == 5
    assert all(isinstance(call, mh.Call) for call in walked)
