"""agents: agents and their webhooks, request by request (respx) and against the fake."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import respx
from support import AGENT_ID, PHONE, ApiError, ok, validation_error

import mindhunters_async as mh
from mindhunters_async._models.agents import Agent, AgentWebhook, WebhookEvent
from mindhunters_async._resources.agents import AgentWebhooks
from mindhunters_async.testing import FakeMindhunters

pytestmark = pytest.mark.anyio

WEBHOOK_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
OTHER_WEBHOOK_ID = "16fd2706-8baf-433b-82eb-8c7fada847da"
HOOK_URL = "https://hooks.example.com/mindhunters"
SECRET = "whsec-XYZ-secret"
AGENT = {
    "agent_uuid": AGENT_ID,
    "name": "Sales",
    "description": "Sells",
    "status": "active",
    "language": "en",
    "created_at": "2026-01-15T10:30:00.000000Z",
}
HOOK = {
    "webhook_uuid": WEBHOOK_ID,
    "url": HOOK_URL,
    "events": ["conversation_status", "intent_call"],
    "is_active": True,
    "has_secret": True,
    "created_at": "2026-01-15T10:30:00.000000Z",
}
OTHER_HOOK = {**HOOK, "webhook_uuid": OTHER_WEBHOOK_ID, "url": "https://other.example.com/"}
WEBHOOKS = f"/agents/{AGENT_ID}/webhooks"
LIMIT_REACHED = ApiError(
    409,
    "Webhook limit reached",
    "webhook_limit_reached",
    "An agent can have at most 5 webhooks",
)


def agent(number: int) -> dict[str, Any]:
    return {"agent_uuid": f"00000000-0000-4000-8000-{number:012d}", "name": f"Agent {number}"}


def sent(route: respx.Route) -> Any:
    return json.loads(route.calls.last.request.content)


# Agents, request by request --------------------------------------------------------------


async def test_list_sends_the_paging_query_and_reads_data_items(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.get("/agents").mock(return_value=ok({"items": [AGENT, agent(2)]}))
    page = await client.agents.list(per_page=10, page=1)
    assert dict(route.calls.last.request.url.params) == {"per_page": "10", "page": "1"}
    assert [a.id for a in page.items] == [AGENT_ID, agent(2)["agent_uuid"]]
    assert page.items[0].name == "Sales"
    assert page.items[0].created_at is not None
    assert page.items[0].created_at.tzinfo is not None
    assert not page.has_next_page


async def test_a_page_shorter_than_per_page_is_the_last(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.get("/agents").mock(return_value=ok({"items": [agent(1), agent(2)]}))
    names = [a.name async for a in client.agents.list(per_page=5)]
    assert names == ["Agent 1", "Agent 2"]
    assert route.call_count == 1


async def test_without_per_page_the_first_page_is_all(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.get("/agents").mock(return_value=ok({"items": [agent(n) for n in range(20)]}))
    assert len([a async for a in client.agents.list()]) == 20
    assert route.call_count == 1
    assert "per_page" not in route.calls.last.request.url.params


@pytest.mark.parametrize(("returned", "requests"), [(3, 1), (2, 2)])
async def test_the_walk_ends_when_the_server_ignores_paging(
    api: respx.MockRouter, client: mh.AsyncMindhunters, returned: int, requests: int
) -> None:
    # Every page the same agents: longer than per_page, or exactly as long.
    everyone = [agent(n) for n in range(returned)]
    route = api.get("/agents").mock(return_value=ok({"items": everyone}))
    ids = []
    async for found in client.agents.list(per_page=2):
        ids.append(found.id)
        if len(ids) > 10:  # without the guard the walk would never end
            break
    assert ids == [a["agent_uuid"] for a in everyone]
    assert route.call_count == requests


@pytest.mark.parametrize("id_key", ["agent_uuid", "uuid"])
async def test_get_reads_the_agent_under_either_id(
    api: respx.MockRouter, client: mh.AsyncMindhunters, id_key: str
) -> None:
    body = {id_key: AGENT_ID, "name": "Sales", "settings": {"voice": "alloy"}, "webhooks": [HOOK]}
    route = api.get(f"/agents/{AGENT_ID}").mock(return_value=ok(body))
    found = await client.agents.get(AGENT_ID)
    assert route.called
    assert found.id == AGENT_ID
    assert found.settings == {"voice": "alloy"}
    assert found.webhooks is not None
    assert found.webhooks[0].id == WEBHOOK_ID
    assert found.webhooks[0].events == ("conversation_status", "intent_call")


async def test_create_sends_the_name_and_sections_and_reads_a_bare_data_answer(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    # No `success`: what agent writes answer with.
    route = api.post("/agents").respond(201, json={"data": AGENT})
    created = await client.agents.create(
        name="Sales",
        language="en",
        settings={"voice": "alloy"},
        guard_rules=[{"rule": "no prices"}],
        routing_rules=[{"to": "support"}],
        first_message="Hi!",
    )
    assert sent(route) == {
        "name": "Sales",
        "language": "en",
        "settings": {"voice": "alloy"},
        "guard_rules": [{"rule": "no prices"}],
        "routing_rules": [{"to": "support"}],
        "first_message": "Hi!",
    }
    assert created == Agent(
        id=AGENT_ID,
        name="Sales",
        description="Sells",
        status="active",
        language="en",
        created_at=created.created_at,
    )


async def test_update_patches_only_the_fields_given(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.patch(f"/agents/{AGENT_ID}").mock(
        return_value=ok({**AGENT, "status": "inactive", "notes": [{"text": "new"}]})
    )
    updated = await client.agents.update(AGENT_ID, status="inactive", notes=[{"text": "new"}])
    assert sent(route) == {"status": "inactive", "notes": [{"text": "new"}]}
    assert updated.status == "inactive"
    assert updated.notes == [{"text": "new"}]


@pytest.mark.parametrize("source_url", ["https://acme.example/", "http://acme.example/about"])
async def test_create_from_website_sends_the_source_url(
    api: respx.MockRouter, client: mh.AsyncMindhunters, source_url: str
) -> None:
    route = api.post("/agents/from-website").mock(
        return_value=ok({**AGENT, "source_url": source_url}, status=201)
    )
    created = await client.agents.create_from_website(source_url=source_url, language="de")
    assert sent(route) == {"source_url": source_url, "language": "de"}
    assert created.source_url == source_url


# Webhooks, request by request ------------------------------------------------------------


async def test_webhook_create_sends_its_body_and_picks_the_new_webhook_out_of_the_agent(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    reply = {"data": {**AGENT, "webhooks": [OTHER_HOOK, HOOK]}}
    route = api.post(WEBHOOKS).respond(201, json=reply)
    hook = await client.agents.webhooks.create(
        AGENT_ID,
        url=HOOK_URL,
        events=[WebhookEvent.CONVERSATION_STATUS, "intent_call"],
        secret_key=SECRET,
        is_active=True,
    )
    assert sent(route) == {
        "url": HOOK_URL,
        "events": ["conversation_status", "intent_call"],
        "secret_key": SECRET,
        "is_active": True,
    }
    assert hook.id == WEBHOOK_ID
    assert hook.has_secret is True
    assert hook.events == ("conversation_status", "intent_call")


async def test_webhook_create_reads_a_webhook_answer_and_takes_one_event(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.post(WEBHOOKS).mock(return_value=ok(HOOK, status=201))
    hook = await client.agents.webhooks.create(
        AGENT_ID, url=HOOK_URL, events=WebhookEvent.INTENT_CALL
    )
    assert sent(route) == {"url": HOOK_URL, "events": ["intent_call"]}
    assert hook == AgentWebhook(
        id=WEBHOOK_ID,
        url=HOOK_URL,
        events=("conversation_status", "intent_call"),
        is_active=True,
        has_secret=True,
        created_at=hook.created_at,
    )


async def test_webhook_update_patches_the_webhook(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.patch(f"{WEBHOOKS}/{WEBHOOK_ID}").respond(
        200, json={"success": True, "data": {**HOOK, "is_active": False}}
    )
    hook = await client.agents.webhooks.update(
        AGENT_ID, WEBHOOK_ID, is_active=False, events=("voice_evaluation",)
    )
    assert sent(route) == {"is_active": False, "events": ["voice_evaluation"]}
    assert hook.id == WEBHOOK_ID
    assert hook.is_active is False


async def test_webhook_update_picks_its_webhook_out_of_a_whole_agent(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    reply = {"data": {**AGENT, "webhooks": [HOOK, OTHER_HOOK]}}
    api.patch(f"{WEBHOOKS}/{WEBHOOK_ID}").respond(200, json=reply)
    hook = await client.agents.webhooks.update(AGENT_ID, WEBHOOK_ID, url=HOOK_URL)
    assert hook.id == WEBHOOK_ID
    api.patch(f"{WEBHOOKS}/{WEBHOOK_ID}").respond(200, json={"data": {**AGENT, "webhooks": []}})
    with pytest.raises(mh.ResponseDecodeError):
        await client.agents.webhooks.update(AGENT_ID, WEBHOOK_ID, url=HOOK_URL)


async def test_the_webhook_limit_is_a_conflict(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    api.post(WEBHOOKS).mock(return_value=LIMIT_REACHED.response())
    with pytest.raises(mh.ConflictError) as info:
        await client.agents.webhooks.create(AGENT_ID, url=HOOK_URL, events=["intent_call"])
    assert info.value.code is mh.ErrorCode.WEBHOOK_LIMIT_REACHED
    assert info.value.status_code == 409


Call = Callable[[mh.AsyncMindhunters], Awaitable[Any]]

REFUSED: list[tuple[str, Call, str]] = [
    ("get: bad id", lambda c: c.agents.get("not-a-uuid"), "agent_id"),
    ("update: bad id", lambda c: c.agents.update("42", name="x"), "agent_id"),
    ("update: blank name", lambda c: c.agents.update(AGENT_ID, name=" "), "name"),
    ("create: blank name", lambda c: c.agents.create(name=""), "name"),
    ("list: per_page", lambda c: c.agents.list(per_page=101), "per_page"),
    (
        "from website: ftp",
        lambda c: c.agents.create_from_website(source_url="ftp://acme.example/"),
        "source_url",
    ),
    (
        "from website: no scheme",
        lambda c: c.agents.create_from_website(source_url="acme.example"),
        "source_url",
    ),
    (
        "webhook: bad agent id",
        lambda c: c.agents.webhooks.create("x", url=HOOK_URL, events=["intent_call"]),
        "agent_id",
    ),
    (
        "webhook: http url",
        lambda c: c.agents.webhooks.create(
            AGENT_ID, url="http://hooks.example.com/", events=["intent_call"]
        ),
        "url",
    ),
    (
        "webhook: localhost over http",
        lambda c: c.agents.webhooks.create(
            AGENT_ID, url="http://127.0.0.1:8000/hook", events=["intent_call"]
        ),
        "url",
    ),
    (
        "webhook: no host",
        lambda c: c.agents.webhooks.create(AGENT_ID, url="https:///x", events=["intent_call"]),
        "url",
    ),
    (
        "webhook: unknown event",
        lambda c: c.agents.webhooks.create(AGENT_ID, url=HOOK_URL, events=["call_started"]),
        "events",
    ),
    (
        "webhook: one good event, one unknown",
        lambda c: c.agents.webhooks.create(
            AGENT_ID, url=HOOK_URL, events=[WebhookEvent.INTENT_CALL, "INTENT_CALL"]
        ),
        "events",
    ),
    (
        "webhook: no events",
        lambda c: c.agents.webhooks.create(AGENT_ID, url=HOOK_URL, events=[]),
        "events",
    ),
    (
        "webhook: empty secret",
        lambda c: c.agents.webhooks.create(
            AGENT_ID, url=HOOK_URL, events=["intent_call"], secret_key=""
        ),
        "secret_key",
    ),
    (
        "webhook: is_active not a bool",
        lambda c: c.agents.webhooks.create(
            AGENT_ID,
            url=HOOK_URL,
            events=["intent_call"],
            is_active="yes",  # type: ignore[arg-type]
        ),
        "is_active",
    ),
    (
        "webhook update: bad webhook id",
        lambda c: c.agents.webhooks.update(AGENT_ID, "nope", is_active=True),
        "webhook_id",
    ),
    (
        "webhook update: http url",
        lambda c: c.agents.webhooks.update(AGENT_ID, WEBHOOK_ID, url="http://x.example/"),
        "url",
    ),
    (
        "webhook update: unknown event",
        lambda c: c.agents.webhooks.update(AGENT_ID, WEBHOOK_ID, events="everything"),
        "events",
    ),
]


@pytest.mark.parametrize(("case", "call", "field"), REFUSED, ids=[r[0] for r in REFUSED])
async def test_bad_input_is_refused_before_sending(
    api: respx.MockRouter, client: mh.AsyncMindhunters, case: str, call: Call, field: str
) -> None:
    route = api.route().respond(200, json={"data": {}})
    with pytest.raises(mh.RequestValidationError) as info:
        await call(client)
    assert info.value.field == field
    assert not route.called


# The secret key ---------------------------------------------------------------------------


def leaks(secret: str, *things: object) -> list[str]:
    return [text for text in map(repr, things) if secret in text]


async def test_the_secret_key_is_in_no_repr_error_or_log_of_a_refused_create(
    api: respx.MockRouter, client: mh.AsyncMindhunters, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="mindhunters_async")
    refused = validation_error(
        "VALIDATION_ERROR", "secret_key", "The secret key must be at least 32 characters"
    )
    route = api.post(WEBHOOKS).mock(return_value=refused.response())
    with pytest.raises(mh.UnprocessableEntityError) as info:
        await client.agents.webhooks.create(
            AGENT_ID, url=HOOK_URL, events=["intent_call"], secret_key=SECRET
        )
    error = info.value
    assert SECRET in route.calls.last.request.content.decode()  # it was sent, once
    assert error.field == "secret_key"
    assert not leaks(SECRET, error, str(error), error.request, error.response, error.body)
    assert not leaks(SECRET, error.args, error.__dict__, error.user_message)
    assert caplog.records  # the attempt was logged
    assert SECRET not in caplog.text
    assert not leaks(SECRET, *(record.__dict__ for record in caplog.records))


async def test_the_secret_key_is_in_no_error_refused_before_sending(
    api: respx.MockRouter, client: mh.AsyncMindhunters, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="mindhunters_async")
    route = api.route().respond(200, json={})
    for bad in ({"url": "http://hooks.example.com/"}, {"events": ["nope"]}):
        arguments: dict[str, Any] = {
            "url": HOOK_URL,
            "events": ["intent_call"],
            "secret_key": SECRET,
            **bad,
        }
        with pytest.raises(mh.RequestValidationError) as info:
            await client.agents.webhooks.create(AGENT_ID, **arguments)
        assert not leaks(SECRET, info.value, str(info.value), info.value.__dict__)
    # A secret of the wrong type is not shown either.
    with pytest.raises(mh.RequestValidationError) as info:
        await client.agents.webhooks.update(AGENT_ID, WEBHOOK_ID, secret_key=[SECRET])  # type: ignore[arg-type]
    assert info.value.field == "secret_key"
    assert not leaks(SECRET, info.value, str(info.value), info.value.__dict__)
    assert SECRET not in caplog.text
    assert not route.called


# Raw responses, extras, the webhooks resource ------------------------------------------------


async def test_with_raw_response_works_for_agents_and_their_webhooks() -> None:
    fake = FakeMindhunters()
    async with fake.client() as client:
        assert isinstance(client.agents.webhooks, AgentWebhooks)
        raw = await client.agents.with_raw_response.get(fake.DEFAULT_AGENT_ID)
        # The raw-responses protocol types methods only, not sub-resources.
        hooks: Any = client.agents.with_raw_response.webhooks
        hook = await hooks.create(
            fake.DEFAULT_AGENT_ID, url=HOOK_URL, events=["intent_call"], secret_key=SECRET
        )
    assert isinstance(raw, mh.RawResponse)
    assert raw.status_code == 200
    assert raw.parse().id == fake.DEFAULT_AGENT_ID
    assert raw.rate_limit == mh.RateLimitInfo(limit=1000, remaining=999, reset=None)
    assert isinstance(hook, mh.RawResponse)
    assert hook.status_code == 201
    assert hook.parse().has_secret is True
    assert hook.rate_limit is not None
    assert hook.rate_limit.remaining == 998
    assert SECRET.encode() not in hook.http_response.content


async def test_extras_reach_the_wire(api: respx.MockRouter, client: mh.AsyncMindhunters) -> None:
    route = api.post("/agents").mock(return_value=ok(AGENT, status=201))
    await client.agents.create(
        name="Sales",
        extra_headers={"X-Team": "voice"},
        extra_query={"dry_run": "1"},
        extra_body={"metadata": {"lead": 7}},
    )
    request = route.calls.last.request
    assert request.headers["x-team"] == "voice"
    assert request.url.params["dry_run"] == "1"
    assert json.loads(request.content) == {"name": "Sales", "metadata": {"lead": 7}}
    hooks = api.patch(f"{WEBHOOKS}/{WEBHOOK_ID}").mock(return_value=ok(HOOK))
    await client.agents.webhooks.update(
        AGENT_ID, WEBHOOK_ID, extra_query={"v": "2"}, extra_body={"secret_key": None}
    )
    assert hooks.calls.last.request.url.params["v"] == "2"
    assert sent(hooks) == {"secret_key": None}
    listed = api.get("/agents").mock(return_value=ok({"items": []}))
    await client.agents.list(extra_query={"status": "active"})
    assert listed.calls.last.request.url.params["status"] == "active"


# Against the fake ------------------------------------------------------------------------------


async def test_agents_are_created_read_listed_and_updated_against_the_fake() -> None:
    fake = FakeMindhunters()
    async with fake.client() as client:
        created = await client.agents.create(
            name="Sales",
            description="Sells",
            language="de",
            settings={"voice": "alloy"},
            notes=[{"text": "one"}, {"text": "two"}],
        )
        read = await client.agents.get(created.id)
        listed = [a.id async for a in client.agents.list()]
        updated = await client.agents.update(
            created.id, status="inactive", notes=[{"text": "only"}]
        )
        reread = await client.agents.get(created.id)
        # A created agent is a real one: it can place a call.
        call = await client.calls.create(agent_id=created.id, participant={"number": PHONE})
    assert read == created
    assert created.name == "Sales"
    assert created.language == "de"
    assert created.settings == {"voice": "alloy"}
    assert created.created_at is not None
    assert listed == [fake.DEFAULT_AGENT_ID, created.id]
    assert updated.status == "inactive"
    assert updated.notes == [{"text": "only"}]  # the section is replaced, not merged
    assert updated.settings == {"voice": "alloy"}
    assert reread == updated
    assert fake.agents[created.id].status == "inactive"
    assert call.agent_id == created.id


async def test_an_agent_is_created_from_a_website_against_the_fake() -> None:
    fake = FakeMindhunters()
    async with fake.client() as client:
        created = await client.agents.create_from_website(
            source_url="https://acme.example/about", language="fr"
        )
        read = await client.agents.get(created.id)
    assert read.source_url == "https://acme.example/about"
    assert read.name == "acme.example"
    assert read.language == "fr"


async def test_walking_three_pages_of_agents() -> None:
    fake = FakeMindhunters()
    added = [fake.add_agent(f"Agent {n}") for n in range(4)]
    async with fake.client() as client:
        ids = [a.id async for a in client.agents.list(per_page=2)]
    assert ids == [fake.DEFAULT_AGENT_ID, *added]
    requests = fake.requests_to("GET", "/agents")
    assert [r.query["page"] for r in requests] == ["1", "2", "3"]
    assert all(r.query["per_page"] == "2" for r in requests)


async def test_a_short_first_page_is_the_only_request_against_the_fake() -> None:
    fake = FakeMindhunters()
    fake.add_agent("Second")
    async with fake.client() as client:
        names = [a.name async for a in client.agents.list(per_page=10)]
    assert names == ["Test Agent", "Second"]
    assert len(fake.requests_to("GET", "/agents")) == 1


async def test_webhooks_against_the_fake() -> None:
    fake = FakeMindhunters()
    agent_id = fake.DEFAULT_AGENT_ID
    async with fake.client() as client:
        hook = await client.agents.webhooks.create(
            agent_id,
            url=HOOK_URL,
            events=[WebhookEvent.CONVERSATION_END_REPORT],
            secret_key=SECRET,
        )
        changed = await client.agents.webhooks.update(
            agent_id,
            hook.id,
            url="https://new.example.com/hook",
            is_active=False,
            extra_body={"secret_key": None},
        )
        raw = await client.agents.with_raw_response.get(agent_id)
    assert hook.url == HOOK_URL
    assert hook.events == ("conversation_end_report",)
    assert hook.is_active is True
    assert hook.has_secret is True
    assert changed.id == hook.id
    assert changed.url == "https://new.example.com/hook"
    assert changed.is_active is False
    assert changed.has_secret is False
    assert raw.parse().webhooks == (changed,)
    bodies = [r.content for r in fake.requests]
    assert sum(SECRET.encode() in body for body in bodies) == 1  # sent once, never shown
    assert SECRET.encode() not in raw.http_response.content


async def test_the_sixth_webhook_is_refused_by_the_fake() -> None:
    fake = FakeMindhunters()
    other = fake.add_agent("Other")
    async with fake.client() as client:
        for n in range(5):
            await client.agents.webhooks.create(
                fake.DEFAULT_AGENT_ID, url=f"{HOOK_URL}/{n}", events=["intent_call"]
            )
        with pytest.raises(mh.ConflictError) as info:
            await client.agents.webhooks.create(
                fake.DEFAULT_AGENT_ID, url=f"{HOOK_URL}/6", events=["intent_call"]
            )
        # The limit is per agent.
        await client.agents.webhooks.create(other, url=HOOK_URL, events=["intent_call"])
        agent = await client.agents.get(fake.DEFAULT_AGENT_ID)
    assert info.value.code == mh.ErrorCode.WEBHOOK_LIMIT_REACHED
    assert info.value.body == LIMIT_REACHED.body()
    assert len(agent.webhooks or ()) == 5
    assert len(fake.records("agent_webhooks")) == 6


async def test_the_fake_answers_unknown_ids_with_404() -> None:
    fake = FakeMindhunters()
    nobody = "00000000-0000-4000-8000-00000000dead"
    async with fake.client() as client:
        with pytest.raises(mh.NotFoundError):
            await client.agents.get(nobody)
        with pytest.raises(mh.NotFoundError):
            await client.agents.update(nobody, name="x")
        with pytest.raises(mh.NotFoundError):
            await client.agents.webhooks.create(nobody, url=HOOK_URL, events=["intent_call"])
        with pytest.raises(mh.NotFoundError) as info:
            await client.agents.webhooks.update(fake.DEFAULT_AGENT_ID, nobody, is_active=True)
    assert info.value.details == f"Webhook with ID '{nobody}' not found"


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("POST", "/agents", {"description": "no name"}, "name"),
        ("POST", "/agents/from-website", {"source_url": "ftp://acme.example"}, "source_url"),
        ("POST", "/agents/from-website", {}, "source_url"),
        ("POST", WEBHOOKS.replace(AGENT_ID, "{agent}"), {"events": ["intent_call"]}, "url"),
        (
            "POST",
            WEBHOOKS.replace(AGENT_ID, "{agent}"),
            {"url": "http://x.example/", "events": ["intent_call"]},
            "url",
        ),
        ("POST", WEBHOOKS.replace(AGENT_ID, "{agent}"), {"url": HOOK_URL}, "events"),
        (
            "POST",
            WEBHOOKS.replace(AGENT_ID, "{agent}"),
            {"url": HOOK_URL, "events": ["call_started"]},
            "events",
        ),
        ("PATCH", "/agents/{agent}", {"name": ""}, "name"),
    ],
)
async def test_the_fake_validates_like_the_server(
    method: str, path: str, body: dict[str, Any], field: str
) -> None:
    fake = FakeMindhunters()
    async with fake.client() as client:
        # Through the escape hatch: the SDK's own methods would refuse these first.
        with pytest.raises(mh.UnprocessableEntityError) as info:
            await client.request(method, path.format(agent=fake.DEFAULT_AGENT_ID), json=body)
    assert info.value.field == field
    assert fake.records("agent_webhooks") == {}
    assert list(fake.agents) == [fake.DEFAULT_AGENT_ID]
