"""agent setup: intents and their events, channels, appointment settings and the
evaluation override, request by request (respx) and against the fake."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
import respx
from support import AGENT_ID, PHONE, ok, validation_error

import mindhunters_async as mh
from mindhunters_async._models.agent_setup import Channel, Intent, IntentEvent, IntentWebhook
from mindhunters_async._models.agents import Agent
from mindhunters_async.testing import FakeMindhunters

pytestmark = pytest.mark.anyio

INTENT_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
NUMBER_ID = "16fd2706-8baf-433b-82eb-8c7fada847da"
CONNECTION_ID = "9b2f3c1e-55a4-4c1d-9a7e-3f0d2b8c6e11"
OTHER_CONNECTION_ID = "0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6"
HOOK_URL = "https://hooks.example.com/intent"
TOKEN = "intent-auth-TOKEN-xyz"
INTENTS = f"/agents/{AGENT_ID}/intents"
INTENT_PATH = f"{INTENTS}/{INTENT_ID}"
AGENT = {"agent_uuid": AGENT_ID, "name": "Sales", "status": "active"}
# As the API might echo it: the token must not reach any model.
INTENT = {
    "uuid": INTENT_ID,
    "agent_uuid": AGENT_ID,
    "key": "book_demo",
    "confidence_threshold": 0.8,
    "webhook": {"url": HOOK_URL, "auth_token": TOKEN},
    "parameters": [{"name": "date"}],
}
EVENT_ID = "5d1c6a0e-3b8f-4c27-9f1a-2e6d7c8b9a01"
EVENT: dict[str, Any] = {
    "uuid": EVENT_ID,
    "intent_uuid": INTENT_ID,
    "type": "webhook",
    "status": "draft",
    "config": {"retries": 2},
}


def sent(route: respx.Route) -> Any:
    return json.loads(route.calls.last.request.content)


def whole_agent(**sections: Any) -> httpx.Response:
    """An agent sub-resource write's answer: `{data: <the whole agent>}`, no `success`."""
    return httpx.Response(200, json={"data": {**AGENT, **sections}})


# Intents, request by request -----------------------------------------------------------------


async def test_create_sends_the_intent_and_picks_it_out_of_the_agent_it_answers_with(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.post(INTENTS).mock(return_value=whole_agent(intents=[INTENT]))
    result = await client.agents.intents.create(
        AGENT_ID,
        key="book_demo",
        confidence_threshold=0.8,
        webhook={"url": HOOK_URL, "auth_token": TOKEN},
        parameters=[{"name": "date"}],
        description="Books a demo",
    )
    assert sent(route) == {
        "key": "book_demo",
        "confidence_threshold": 0.8,
        "webhook": {"url": HOOK_URL, "auth_token": TOKEN},
        "parameters": [{"name": "date"}],
        "description": "Books a demo",
    }
    assert result == Intent(
        id=INTENT_ID,
        agent_id=AGENT_ID,
        key="book_demo",
        confidence_threshold=0.8,
        webhook=IntentWebhook(url=HOOK_URL, has_auth_token=True),
        parameters=[{"name": "date"}],
    )
    assert TOKEN not in repr(result)


async def test_create_refuses_an_agent_without_the_new_intent(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    api.post(INTENTS).mock(return_value=whole_agent(intents=[{**INTENT, "key": "other"}]))
    with pytest.raises(mh.ResponseDecodeError, match="without the intent"):
        await client.agents.intents.create(AGENT_ID, key="book_demo")


async def test_create_returns_the_intent_when_the_answer_is_the_intent(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.post(INTENTS).mock(return_value=ok(INTENT, status=201))
    result = await client.agents.intents.create(AGENT_ID, key="book_demo")
    assert sent(route) == {"key": "book_demo"}
    assert result == Intent(
        id=INTENT_ID,
        agent_id=AGENT_ID,
        key="book_demo",
        confidence_threshold=0.8,
        webhook=IntentWebhook(url=HOOK_URL, has_auth_token=True),
        parameters=[{"name": "date"}],
    )
    assert TOKEN not in repr(result)


async def test_update_patches_only_the_fields_given_and_returns_the_intent(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    # The reference: intent updates answer `{success, data}`; this one leaves out
    # the ids, which come from the request.
    reply = {"key": "book_call", "webhook": {"url": HOOK_URL, "has_auth_token": False}}
    route = api.patch(INTENT_PATH).respond(200, json={"success": True, "data": reply})
    result = await client.agents.intents.update(
        AGENT_ID, uuid.UUID(INTENT_ID), key="book_call", webhook={"auth_token": TOKEN}
    )
    assert route.calls.last.request.url.path.endswith(INTENT_PATH)
    assert sent(route) == {"key": "book_call", "webhook": {"auth_token": TOKEN}}
    assert result == Intent(
        id=INTENT_ID,
        agent_id=AGENT_ID,
        key="book_call",
        webhook=IntentWebhook(url=HOOK_URL, has_auth_token=False),
    )


async def test_update_picks_the_intent_out_of_a_whole_agent_answer(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    other = {**INTENT, "uuid": str(uuid.uuid4()), "key": "other"}
    api.patch(INTENT_PATH).mock(return_value=whole_agent(intents=[INTENT, other]))
    result = await client.agents.intents.update(AGENT_ID, INTENT_ID, confidence_threshold=1)
    assert isinstance(result, Intent)
    assert (result.id, result.key) == (INTENT_ID, "book_demo")
    assert TOKEN not in repr(result)


async def test_get_event_reads_the_event(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.get(f"{INTENT_PATH}/event").mock(return_value=ok(EVENT))
    event = await client.agents.intents.get_event(AGENT_ID, INTENT_ID)
    assert route.called
    assert event == IntentEvent(
        intent_id=INTENT_ID,
        id=EVENT_ID,
        type="webhook",
        status="draft",
        config={"retries": 2},
    )


@pytest.mark.parametrize(
    "data",
    [
        {"type": "sms"},  # no intent id: the request's
        {"uuid": INTENT_ID, "key": "book_demo", "event": {"type": "sms"}},  # the intent
        {
            **AGENT,
            "intents": [
                {**INTENT, "uuid": CONNECTION_ID, "event": {"type": "call"}},
                {"uuid": INTENT_ID, "event": {"type": "sms"}},
            ],
        },
    ],
    ids=["event", "intent", "whole-agent"],
)
async def test_set_event_puts_the_draft_and_reads_the_event_in_any_answer(
    api: respx.MockRouter, client: mh.AsyncMindhunters, data: dict[str, Any]
) -> None:
    route = api.put(f"{INTENT_PATH}/event").mock(return_value=ok(data))
    event = await client.agents.intents.set_event(
        AGENT_ID, INTENT_ID, type="sms", config={"text": "Hi"}
    )
    assert sent(route) == {"type": "sms", "config": {"text": "Hi"}}
    assert event.intent_id == INTENT_ID
    assert event.type == "sms"
    assert event.id is None


async def test_publish_event_posts_without_a_body(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    published = {**EVENT, "status": "published", "published_at": "2026-01-15T10:30:00Z"}
    route = api.post(f"{INTENT_PATH}/event/publish").mock(return_value=ok(published))
    event = await client.agents.intents.publish_event(AGENT_ID, INTENT_ID)
    assert route.calls.last.request.content == b""
    assert event.status == "published"
    assert event.published_at is not None
    assert event.published_at.tzinfo is not None


# Channels, appointments, evaluation, request by request --------------------------------------


async def test_provision_call_sends_the_number_uuid(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    channels = {"call": {"phone_number_uuid": NUMBER_ID}}
    route = api.post(f"/agents/{AGENT_ID}/channels/call/provision").mock(
        return_value=whole_agent(channels=channels)
    )
    agent = await client.agents.channels.provision_call(
        AGENT_ID, phone_number_id=uuid.UUID(NUMBER_ID)
    )
    assert sent(route) == {"phone_number_uuid": NUMBER_ID}
    assert agent == Agent(id=AGENT_ID, name="Sales", status="active", channels=channels)


@pytest.mark.parametrize(
    ("arguments", "body"),
    [
        ({"connection_id": CONNECTION_ID, "force": True}, {"connection_uuid": CONNECTION_ID}),
        ({}, {}),
    ],
)
async def test_assign_sip_trunk_sends_the_connection_and_force(
    api: respx.MockRouter,
    client: mh.AsyncMindhunters,
    arguments: dict[str, Any],
    body: dict[str, Any],
) -> None:
    route = api.post(f"/agents/{AGENT_ID}/channels/call/sip-trunk").mock(return_value=whole_agent())
    agent = await client.agents.channels.assign_sip_trunk(AGENT_ID, **arguments)
    expected = {**body, "force": True} if arguments else body
    assert sent(route) == expected
    assert agent.id == AGENT_ID


CHANNELS = [
    (Channel.SMS, "sms"),
    ("sms", "sms"),
    (Channel.WHATSAPP, "whatsapp"),
    ("whatsapp-calling", "whatsapp-calling"),
    (Channel.WHATSAPP_CALLING, "whatsapp-calling"),
    (Channel.INSTAGRAM, "instagram"),
    ("messenger", "messenger"),
]


@pytest.mark.parametrize(("channel", "segment"), CHANNELS)
async def test_bind_and_unbind_go_to_the_channels_path(
    api: respx.MockRouter, client: mh.AsyncMindhunters, channel: Channel | str, segment: str
) -> None:
    path = f"/agents/{AGENT_ID}/channels/{segment}"
    bound = api.post(path).mock(return_value=whole_agent(channels={segment: {"page_id": "42"}}))
    unbound = api.delete(path).mock(return_value=whole_agent(channels={}))
    agent = await client.agents.channels.bind(AGENT_ID, channel, page_id="42")
    assert sent(bound) == {"page_id": "42"}
    assert agent.channels == {segment: {"page_id": "42"}}
    agent = await client.agents.channels.unbind(AGENT_ID, channel)
    assert unbound.calls.last.request.content == b""
    assert agent.channels == {}


async def test_appointment_and_evaluation_settings(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    settings: dict[str, Any] = {"enabled": True, "schedule_uuids": [NUMBER_ID]}
    appointments = api.put(f"/agents/{AGENT_ID}/appointments").mock(
        return_value=whole_agent(appointments=settings)
    )
    evaluation = api.put(f"/agents/{AGENT_ID}/evaluate").mock(return_value=whole_agent())
    reset = api.post(f"/agents/{AGENT_ID}/evaluate/reassign").mock(return_value=whole_agent())
    agent = await client.agents.set_appointments(AGENT_ID, **settings)
    assert sent(appointments) == settings
    assert agent.appointments == settings
    agent = await client.agents.set_evaluation(AGENT_ID, criteria=["greets"], threshold=70)
    assert sent(evaluation) == {"criteria": ["greets"], "threshold": 70}
    assert agent.id == AGENT_ID
    agent = await client.agents.reset_evaluation(AGENT_ID, extra_query={"v": "2"})
    assert reset.calls.last.request.content == b""
    assert reset.calls.last.request.url.params["v"] == "2"
    assert agent.name == "Sales"


@pytest.mark.parametrize("reply", [{"data": {}}, {"success": True, "data": None}])
async def test_an_agent_write_without_the_agent_still_reads(
    api: respx.MockRouter, client: mh.AsyncMindhunters, reply: dict[str, Any]
) -> None:
    api.post(f"/agents/{AGENT_ID}/evaluate/reassign").respond(200, json=reply)
    assert await client.agents.reset_evaluation(AGENT_ID) == Agent(id=AGENT_ID)


async def test_extras_reach_the_wire(api: respx.MockRouter, client: mh.AsyncMindhunters) -> None:
    route = api.post(f"/agents/{AGENT_ID}/channels/sms").mock(return_value=whole_agent())
    await client.agents.channels.bind(
        AGENT_ID,
        "sms",
        phone_number_uuid=NUMBER_ID,
        extra_headers={"X-Team": "voice"},
        extra_query={"dry_run": "1"},
        extra_body={"sender": "ACME"},
    )
    request = route.calls.last.request
    assert request.headers["x-team"] == "voice"
    assert request.url.params["dry_run"] == "1"
    assert sent(route) == {"phone_number_uuid": NUMBER_ID, "sender": "ACME"}


# Refused before sending ------------------------------------------------------------------------

Call = Callable[[mh.AsyncMindhunters], Awaitable[Any]]
HOOK = {"url": HOOK_URL, "auth_token": TOKEN}

REFUSED: list[tuple[str, Call, str]] = [
    ("intent: bad agent id", lambda c: c.agents.intents.create("x", key="k"), "agent_id"),
    ("intent: blank key", lambda c: c.agents.intents.create(AGENT_ID, key=" "), "key"),
    (
        "intent: no key",
        lambda c: c.agents.intents.create(AGENT_ID, key=None),  # type: ignore[arg-type]
        "key",
    ),
    (
        "intent: threshold not a number",
        lambda c: c.agents.intents.create(AGENT_ID, key="k", confidence_threshold="high"),  # type: ignore[arg-type]
        "confidence_threshold",
    ),
    (
        "intent: threshold a bool",
        lambda c: c.agents.intents.create(AGENT_ID, key="k", confidence_threshold=True),
        "confidence_threshold",
    ),
    (
        "intent: threshold nan",
        lambda c: c.agents.intents.create(AGENT_ID, key="k", confidence_threshold=float("nan")),
        "confidence_threshold",
    ),
    (
        "intent: webhook a string",
        lambda c: c.agents.intents.create(AGENT_ID, key="k", webhook=HOOK_URL),  # type: ignore[arg-type]
        "webhook",
    ),
    (
        "intent: http webhook",
        lambda c: c.agents.intents.create(
            AGENT_ID, key="k", webhook={**HOOK, "url": "http://hooks.example.com/"}
        ),
        "webhook.url",
    ),
    (
        "intent: empty auth token",
        lambda c: c.agents.intents.create(AGENT_ID, key="k", webhook={**HOOK, "auth_token": ""}),
        "webhook.auth_token",
    ),
    (
        "intent update: bad intent id",
        lambda c: c.agents.intents.update(AGENT_ID, "nope", key="k"),
        "intent_id",
    ),
    (
        "intent update: blank key",
        lambda c: c.agents.intents.update(AGENT_ID, INTENT_ID, key=""),
        "key",
    ),
    (
        "intent update: http webhook",
        lambda c: c.agents.intents.update(AGENT_ID, INTENT_ID, webhook={"url": "ftp://x.y/"}),
        "webhook.url",
    ),
    ("get event: bad intent", lambda c: c.agents.intents.get_event(AGENT_ID, "1"), "intent_id"),
    ("set event: bad agent", lambda c: c.agents.intents.set_event("1", INTENT_ID), "agent_id"),
    (
        "publish event: bad intent",
        lambda c: c.agents.intents.publish_event(AGENT_ID, "1"),
        "intent_id",
    ),
    (
        "provision: bad number id",
        lambda c: c.agents.channels.provision_call(AGENT_ID, phone_number_id=PHONE),
        "phone_number_uuid",
    ),
    (
        "provision: no number id",
        lambda c: c.agents.channels.provision_call(AGENT_ID, phone_number_id=None),
        "phone_number_uuid",
    ),
    (
        "sip trunk: bad connection id",
        lambda c: c.agents.channels.assign_sip_trunk(AGENT_ID, connection_id="conn-1"),
        "connection_uuid",
    ),
    (
        "sip trunk: force not a bool",
        lambda c: c.agents.channels.assign_sip_trunk(AGENT_ID, force="yes"),  # type: ignore[arg-type]
        "force",
    ),
    ("bind: unknown channel", lambda c: c.agents.channels.bind(AGENT_ID, "telegram"), "channel"),
    ("bind: the call channel", lambda c: c.agents.channels.bind(AGENT_ID, "call"), "channel"),
    ("bind: not a string", lambda c: c.agents.channels.bind(AGENT_ID, 3), "channel"),  # type: ignore[arg-type]
    ("bind: bad agent id", lambda c: c.agents.channels.bind("x", Channel.SMS), "agent_id"),
    ("unbind: upper case", lambda c: c.agents.channels.unbind(AGENT_ID, "SMS"), "channel"),
    ("unbind: bad agent id", lambda c: c.agents.channels.unbind("x", "sms"), "agent_id"),
    ("appointments: bad id", lambda c: c.agents.set_appointments("x", enabled=True), "agent_id"),
    ("evaluation: bad id", lambda c: c.agents.set_evaluation("x", threshold=1), "agent_id"),
    ("reset evaluation: bad id", lambda c: c.agents.reset_evaluation("x"), "agent_id"),
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


async def test_an_unknown_channel_is_named_with_the_known_ones(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    with pytest.raises(mh.RequestValidationError) as info:
        await client.agents.channels.bind(AGENT_ID, "telegram")
    assert "'telegram'" in str(info.value)
    assert "whatsapp-calling" in str(info.value)
    with pytest.raises(mh.RequestValidationError, match="provision_call"):
        await client.agents.channels.unbind(AGENT_ID, "call")


# The auth token ----------------------------------------------------------------------------------


def leaks(secret: str, *things: object) -> list[str]:
    return [text for text in map(repr, things) if secret in text]


async def test_the_auth_token_is_in_no_repr_error_or_log_of_a_refused_create(
    api: respx.MockRouter, client: mh.AsyncMindhunters, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="mindhunters_async")
    refused = validation_error(
        "VALIDATION_ERROR", "webhook.auth_token", "The auth token must be at least 32 characters"
    )
    route = api.post(INTENTS).mock(return_value=refused.response())
    with pytest.raises(mh.UnprocessableEntityError) as info:
        await client.agents.intents.create(AGENT_ID, key="k", webhook=HOOK)
    error = info.value
    assert TOKEN in route.calls.last.request.content.decode()  # it was sent, once
    assert not leaks(TOKEN, error, str(error), error.request, error.response, error.body)
    assert not leaks(TOKEN, error.args, error.__dict__, error.user_message)
    assert caplog.records
    assert TOKEN not in caplog.text
    assert not leaks(TOKEN, *(record.__dict__ for record in caplog.records))


async def test_the_auth_token_is_in_no_error_refused_before_sending(
    api: respx.MockRouter, client: mh.AsyncMindhunters, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="mindhunters_async")
    route = api.route().respond(200, json={})
    bad_calls: list[Call] = [
        lambda c: c.agents.intents.create(AGENT_ID, key="", webhook=HOOK),
        lambda c: c.agents.intents.create(AGENT_ID, key="k", webhook={**HOOK, "url": "http://x"}),
        lambda c: c.agents.intents.update(AGENT_ID, INTENT_ID, webhook={"auth_token": [TOKEN]}),
        lambda c: c.agents.intents.update(AGENT_ID, INTENT_ID, webhook=[HOOK]),  # type: ignore[arg-type]
    ]
    for call in bad_calls:
        with pytest.raises(mh.RequestValidationError) as info:
            await call(client)
        assert not leaks(TOKEN, info.value, str(info.value), info.value.__dict__)
    assert TOKEN not in caplog.text
    assert not route.called


# Against the fake --------------------------------------------------------------------------------


async def test_intents_are_created_updated_and_read_back_against_the_fake() -> None:
    fake = FakeMindhunters()
    agent_id = fake.DEFAULT_AGENT_ID
    async with fake.client() as client:
        created = await client.agents.intents.create(
            agent_id, key="book_demo", confidence_threshold=0.7, webhook=HOOK
        )
        # The fake answers a create with the whole agent, as agent writes do.
        assert isinstance(created, Intent)
        updated = await client.agents.intents.update(
            agent_id, created.id, confidence_threshold=0.9, webhook={"auth_token": None}
        )
        read = await client.agents.get(agent_id)
        raw = await client.agents.intents.with_raw_response.create(
            agent_id, key="other", webhook=HOOK
        )
    assert created.key == "book_demo"
    assert created.webhook == IntentWebhook(url=HOOK_URL, has_auth_token=True)
    assert isinstance(updated, Intent)  # ... and intent updates as the reference says
    assert updated.id == created.id
    assert updated.agent_id == agent_id
    assert updated.confidence_threshold == 0.9
    assert updated.webhook == IntentWebhook(url=HOOK_URL, has_auth_token=False)
    assert [i["key"] for i in read.intents] == ["book_demo"]
    assert read.intents[0]["confidence_threshold"] == 0.9
    assert isinstance(raw, mh.RawResponse)
    assert raw.status_code == 201
    # The fake keeps no token and shows none.
    assert TOKEN.encode() not in raw.http_response.content
    assert raw.parse().webhook == IntentWebhook(url=HOOK_URL, has_auth_token=True)
    assert TOKEN not in repr(fake.records("agent_details"))


async def test_the_fake_refuses_bad_intents() -> None:
    fake = FakeMindhunters()
    agent_id = fake.DEFAULT_AGENT_ID
    async with fake.client() as client:
        await client.agents.intents.create(agent_id, key="book_demo")
        with pytest.raises(mh.UnprocessableEntityError) as taken:
            await client.agents.intents.create(agent_id, key="book_demo")
        with pytest.raises(mh.UnprocessableEntityError) as missing:
            await client.request("POST", f"/agents/{agent_id}/intents", json={"parameters": []})
        with pytest.raises(mh.UnprocessableEntityError) as http:
            await client.request(
                "POST",
                f"/agents/{agent_id}/intents",
                json={"key": "x", "webhook": {"url": "http://x.example/"}},
            )
        with pytest.raises(mh.NotFoundError):
            await client.agents.intents.create(str(uuid.uuid4()), key="x")
        with pytest.raises(mh.NotFoundError):
            await client.agents.intents.update(agent_id, str(uuid.uuid4()), key="x")
    assert taken.value.field == "key"
    assert missing.value.field == "key"
    assert http.value.field == "webhook.url"


async def test_an_event_is_drafted_published_and_read_back_against_the_fake() -> None:
    fake = FakeMindhunters()
    agent_id = fake.DEFAULT_AGENT_ID
    async with fake.client() as client:
        intent_id = (await client.agents.intents.create(agent_id, key="book_demo")).id
        with pytest.raises(mh.NotFoundError):
            await client.agents.intents.get_event(agent_id, intent_id)
        with pytest.raises(mh.NotFoundError):
            await client.agents.intents.publish_event(agent_id, intent_id)
        draft = await client.agents.intents.set_event(
            agent_id, intent_id, type="webhook", config={"url": HOOK_URL}
        )
        read_draft = await client.agents.intents.get_event(agent_id, intent_id)
        published = await client.agents.intents.publish_event(agent_id, intent_id)
        redrafted = await client.agents.intents.set_event(agent_id, intent_id, type="sms")
        read = await client.agents.intents.get_event(agent_id, intent_id)
        shown = await client.agents.get(agent_id)
        with pytest.raises(mh.NotFoundError):
            await client.agents.intents.get_event(agent_id, str(uuid.uuid4()))
    assert draft.status == "draft"
    assert draft.intent_id == intent_id
    assert draft.config == {"url": HOOK_URL}
    assert read_draft == draft
    assert published.status == "published"
    assert published.published_at is not None
    assert published.id == draft.id
    assert redrafted.status == "draft"
    assert redrafted.type == "sms"
    assert redrafted.config is None  # a PUT replaces the draft's fields
    assert redrafted.published_at == published.published_at
    assert read == redrafted
    assert shown.intents[0]["event"]["status"] == "draft"


async def test_channels_against_the_fake() -> None:
    fake = FakeMindhunters()
    agent_id = fake.DEFAULT_AGENT_ID
    number_id = fake.add_record("phone_numbers", number=PHONE)
    async with fake.client() as client:
        with pytest.raises(mh.NotFoundError):
            await client.agents.channels.provision_call(agent_id, phone_number_id=NUMBER_ID)
        provisioned = await client.agents.channels.provision_call(
            agent_id, phone_number_id=number_id
        )
        with pytest.raises(mh.ConflictError):
            await client.agents.channels.assign_sip_trunk(agent_id, connection_id=CONNECTION_ID)
        trunked = await client.agents.channels.assign_sip_trunk(
            agent_id, connection_id=CONNECTION_ID, force=True
        )
        again = await client.agents.channels.assign_sip_trunk(agent_id, connection_id=CONNECTION_ID)
        with pytest.raises(mh.ConflictError):
            await client.agents.channels.assign_sip_trunk(
                agent_id, connection_id=OTHER_CONNECTION_ID
            )
        await client.agents.channels.bind(agent_id, Channel.WHATSAPP, phone_number_uuid=number_id)
        bound = await client.agents.channels.bind(agent_id, "instagram", page_id="42")
        unbound = await client.agents.channels.unbind(agent_id, "whatsapp")
        with pytest.raises(mh.NotFoundError):
            await client.agents.channels.unbind(agent_id, "whatsapp")
        with pytest.raises(mh.NotFoundError):
            await client.agents.channels.bind(str(uuid.uuid4()), "sms")
        with pytest.raises(mh.UnprocessableEntityError) as missing:
            await client.request("POST", f"/agents/{agent_id}/channels/call/provision", json={})
        read = await client.agents.get(agent_id)
    assert provisioned.channels == {"call": {"phone_number_uuid": number_id, "phone_number": PHONE}}
    assert trunked.channels == {"call": {"connection_uuid": CONNECTION_ID}}
    assert again.channels == trunked.channels
    assert set(bound.channels) == {"call", "whatsapp", "instagram"}
    assert bound.channels["whatsapp"]["phone_number_uuid"] == number_id
    assert bound.channels["instagram"]["page_id"] == "42"
    assert set(unbound.channels) == {"call", "instagram"}
    assert missing.value.field == "phone_number_uuid"
    assert read.channels == unbound.channels


async def test_appointments_and_the_evaluation_override_against_the_fake() -> None:
    fake = FakeMindhunters()
    agent_id = fake.DEFAULT_AGENT_ID
    async with fake.client() as client:
        agent = await client.agents.set_appointments(agent_id, enabled=True, duration=30)
        again = await client.agents.set_appointments(agent_id, enabled=False)
        await client.agents.set_evaluation(agent_id, criteria=["greets"])
        overridden = await client.agents.with_raw_response.get(agent_id)
        await client.agents.reset_evaluation(agent_id)
        reset = await client.agents.with_raw_response.get(agent_id)
        read = await client.agents.get(agent_id)
        with pytest.raises(mh.NotFoundError):
            await client.agents.set_evaluation(str(uuid.uuid4()), criteria=[])
    assert agent.appointments == {"enabled": True, "duration": 30}
    assert again.appointments == {"enabled": False}  # replaced, not merged
    assert read.appointments == {"enabled": False}
    assert overridden.http_response.json()["data"]["evaluation"] == {"criteria": ["greets"]}
    assert "evaluation" not in reset.http_response.json()["data"]


async def test_an_intent_token_the_api_echoes_is_in_no_agent_it_reads(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    # Every agent the SDK reads goes through the same converter hook: one, and a page.
    agent = {"uuid": AGENT_ID, "name": "Sales", "intents": [INTENT]}
    api.get(f"/agents/{AGENT_ID}").mock(return_value=ok(agent))
    api.get("/agents").mock(return_value=ok({"items": [agent]}))
    one = await client.agents.get(AGENT_ID)
    page = await client.agents.list()
    for read in (one, page.items[0]):
        assert read.intents == [{**INTENT, "webhook": {"url": HOOK_URL, "has_auth_token": True}}]
        assert TOKEN not in repr(read)
