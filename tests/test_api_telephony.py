"""External trunks (`client.phone_numbers.trunks`) and SIP trunk connections
(`client.sip_trunks`): the requests they send, their decoding, their secrets, and the fake."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

import httpx
import pytest
import respx
from support import AGENT_ID, PHONE, ok, validation_error

import mindhunters_async as mh
from mindhunters_async._models.telephony import SipTrunkConnection, Trunk
from mindhunters_async.testing import FakeMindhunters

pytestmark = pytest.mark.anyio

TRUNKS = "/phone-numbers/trunks"
CONNECTIONS = "/channels/sip-trunk/connections"
NUMBER_ID = "9bcb8f00-c0c5-4ee1-9b75-ad1e87a2bd8b"
OTHER_AGENT = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
CONNECTION_ID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
PASSWORD = "sip-pass-Z9x!secret"
USERNAME = "acme-sip-user-42"
# The per-channel snapshot that the trunk writes answer with (the docs' example).
SNAPSHOT = {
    "phone_number_uuid": NUMBER_ID,
    "number": PHONE,
    "is_external": True,
    "source": "external",
    "channels": {"call": {"bound": True, "agent_uuid": AGENT_ID, "agent_name": "Ava"}},
}


def body_of(route: respx.Route) -> Any:
    return json.loads(route.calls.last.request.content)


def leaks(secret: str, *things: object) -> list[str]:
    return [text for text in map(repr, things) if secret in text]


# Trunks, request by request -----------------------------------------------------------------


async def test_trunks_list_sends_the_paging_and_reads_items_with_pagination(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    item = {
        "phone_number_uuid": NUMBER_ID,
        "number": PHONE,
        "country_code": "US",
        "is_external": True,
        "bindings": {"call": {"bound": True, "agent_uuid": AGENT_ID}},
        "purchased_at": "2026-01-02T03:04:05Z",
    }
    pagination = {"current_page": 2, "per_page": 1, "total": 3, "last_page": 3, "has_more": True}
    route = api.get(TRUNKS).mock(return_value=ok({"items": [item], "pagination": pagination}))
    page = await client.phone_numbers.trunks.list(page=2, per_page=1)
    assert dict(route.calls.last.request.url.params) == {"page": "2", "per_page": "1"}
    (trunk,) = page.items
    assert (trunk.id, trunk.number, trunk.country_code, trunk.is_external) == (
        NUMBER_ID,
        PHONE,
        "US",
        True,
    )
    assert trunk.bindings == {"call": {"bound": True, "agent_uuid": AGENT_ID}}
    assert trunk.created_at is not None
    assert trunk.created_at.year == 2026
    assert (page.current_page, page.last_page, page.total) == (2, 3, 3)


async def test_register_posts_the_trunk_and_reads_the_snapshot(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.post(TRUNKS).mock(return_value=ok(SNAPSHOT, status=201))
    sip = {"gateway": "sip.acme.com", "port": 5060, "username": USERNAME, "password": PASSWORD}
    trunk = await client.phone_numbers.trunks.register(
        phone_number=PHONE,
        agent_uuid=uuid.UUID(AGENT_ID),
        channel="call",
        name="Main line",
        direction="both",
        sip=sip,
        additional_settings={"ani_format": "e164"},
    )
    assert body_of(route) == {
        "phone_number": PHONE,
        "agent_uuid": AGENT_ID,
        "channel": "call",
        "name": "Main line",
        "direction": "both",
        "sip": sip,
        "additional_settings": {"ani_format": "e164"},
    }
    assert trunk == Trunk(
        id=NUMBER_ID,
        number=PHONE,
        is_external=True,
        source="external",
        channels=SNAPSHOT["channels"],
    )
    assert not leaks(PASSWORD, trunk)


async def test_update_patches_only_the_fields_given(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.patch(TRUNKS).mock(return_value=ok(SNAPSHOT))
    trunk = await client.phone_numbers.trunks.update(
        phone_number=PHONE, channel="whatsapp", name="Support", sip={"password": ""}
    )
    assert body_of(route) == {
        "phone_number": PHONE,
        "channel": "whatsapp",
        "name": "Support",
        "sip": {"password": ""},  # an empty string clears a credential
    }
    assert trunk.id == NUMBER_ID


async def test_delete_names_the_trunk_in_the_query(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.delete(TRUNKS).mock(return_value=ok({}, message="Deleted"))
    result = await client.phone_numbers.trunks.delete(phone_number=PHONE, channel="call")
    request = route.calls.last.request
    assert result is None
    assert dict(request.url.params) == {"phone_number": PHONE, "channel": "call"}
    # The "+" is escaped: sent bare, a server reads it as a space.
    assert b"phone_number=%2B14155552671" in request.url.query
    assert request.content == b""


async def test_assign_puts_the_agent(api: respx.MockRouter, client: mh.AsyncMindhunters) -> None:
    route = api.put(f"{TRUNKS}/assign").mock(return_value=ok(SNAPSHOT))
    trunk = await client.phone_numbers.trunks.assign(
        phone_number=PHONE, channel="call", agent_uuid=OTHER_AGENT
    )
    assert body_of(route) == {"phone_number": PHONE, "channel": "call", "agent_uuid": OTHER_AGENT}
    assert trunk.channels == SNAPSHOT["channels"]


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (
            lambda t: t.register(phone_number="4155552671", agent_uuid=AGENT_ID, channel="call"),
            "phone_number",
        ),
        (
            lambda t: t.register(phone_number=PHONE, agent_uuid="agent-1", channel="call"),
            "agent_uuid",
        ),
        (lambda t: t.register(phone_number=PHONE, agent_uuid=AGENT_ID, channel="sms"), "channel"),
        (
            lambda t: t.register(
                phone_number=PHONE, agent_uuid=AGENT_ID, channel="call", direction="sideways"
            ),
            "direction",
        ),
        (
            lambda t: t.register(
                phone_number=PHONE,
                agent_uuid=AGENT_ID,
                channel="call",
                sip={"gateway": "sip://sip.acme.com"},
            ),
            "sip.gateway",
        ),
        (
            lambda t: t.update(phone_number=PHONE, channel="call", sip={"port": 70000}),
            "sip.port",
        ),
        (lambda t: t.update(phone_number=PHONE, channel="call", sip="gateway"), "sip"),
        (lambda t: t.update(phone_number="+0123", channel="call"), "phone_number"),
        (lambda t: t.delete(phone_number=PHONE, channel="voice"), "channel"),
        (lambda t: t.delete(phone_number="", channel="call"), "phone_number"),
        (
            lambda t: t.assign(phone_number=PHONE, channel="call", agent_uuid="x"),
            "agent_uuid",
        ),
        (lambda t: t.list(per_page=101), "per_page"),
    ],
)
async def test_trunk_input_is_checked_before_sending(
    api: respx.MockRouter, client: mh.AsyncMindhunters, call: Any, field: str
) -> None:
    route = api.route(url__regex=r".*/phone-numbers/trunks.*").mock(return_value=ok(SNAPSHOT))
    with pytest.raises(mh.RequestValidationError) as info:
        await call(client.phone_numbers.trunks)
    assert info.value.field == field
    assert not route.called


# SIP trunk connections ----------------------------------------------------------------------


async def test_add_connection_posts_it_and_keeps_no_credential(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    # Even a server that echoed the credentials back would not put them in the model.
    answer = {
        "uuid": CONNECTION_ID,
        "name": "Telnyx",
        "phone_number": PHONE,
        "gateway": "sip.telnyx.com",
        "status": "active",
        "username": USERNAME,
        "password": PASSWORD,
    }
    route = api.post(CONNECTIONS).mock(return_value=ok(answer, status=201))
    connection = await client.sip_trunks.add_connection(
        name="Telnyx",
        phone_number=PHONE,
        gateway="sip.telnyx.com",
        username=USERNAME,
        password=PASSWORD,
        secondary_gateway="sip2.telnyx.com",
    )
    assert body_of(route) == {
        "name": "Telnyx",
        "phone_number": PHONE,
        "gateway": "sip.telnyx.com",
        "username": USERNAME,
        "password": PASSWORD,
        "secondary_gateway": "sip2.telnyx.com",
    }
    assert connection == SipTrunkConnection(
        id=CONNECTION_ID,
        name="Telnyx",
        phone_number=PHONE,
        gateway="sip.telnyx.com",
        status="active",
    )
    assert not leaks(PASSWORD, connection)
    assert not leaks(USERNAME, connection)


CONNECTION: dict[str, Any] = {
    "name": "Telnyx",
    "phone_number": PHONE,
    "gateway": "sip.telnyx.com",
    "username": USERNAME,
    "password": PASSWORD,
}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"gateway": "https://sip.telnyx.com"}, "gateway"),
        ({"gateway": "sip.telnyx.com/path"}, "gateway"),
        ({"secondary_gateway": "sip two"}, "secondary_gateway"),
        ({"phone_number": "0044 20 7946 0000"}, "phone_number"),
        ({"name": "n" * 256}, "name"),
        ({"password": ""}, "password"),
        ({"password": PASSWORD * 20}, "password"),
        ({"username": "   "}, "username"),
        ({"username": USERNAME * 20}, "username"),
    ],
)
async def test_connection_input_is_checked_before_sending_without_showing_secrets(
    api: respx.MockRouter,
    client: mh.AsyncMindhunters,
    caplog: pytest.LogCaptureFixture,
    change: dict[str, Any],
    field: str,
) -> None:
    caplog.set_level(logging.DEBUG, logger="mindhunters_async")
    route = api.post(CONNECTIONS).mock(return_value=ok({"uuid": CONNECTION_ID}))
    with pytest.raises(mh.RequestValidationError) as info:
        await client.sip_trunks.add_connection(**{**CONNECTION, **change})
    error = info.value
    assert error.field == field
    assert not route.called
    for secret in (PASSWORD, USERNAME):
        assert not leaks(secret, error, str(error), error.__dict__)
    assert PASSWORD not in caplog.text


async def test_sip_credentials_are_in_no_error_or_log_record_of_a_refused_request(
    api: respx.MockRouter, client: mh.AsyncMindhunters, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="mindhunters_async")
    refused = validation_error("VALIDATION_ERROR", "gateway", "The gateway is unreachable")
    route = api.post(CONNECTIONS).mock(return_value=refused.response())
    trunk_route = api.patch(TRUNKS).mock(return_value=refused.response())
    with pytest.raises(mh.UnprocessableEntityError) as connection_error:
        await client.sip_trunks.add_connection(**CONNECTION)
    with pytest.raises(mh.UnprocessableEntityError) as trunk_error:
        await client.phone_numbers.trunks.update(
            phone_number=PHONE, channel="call", sip={"username": USERNAME, "password": PASSWORD}
        )
    assert PASSWORD in route.calls.last.request.content.decode()  # sent, once each
    assert PASSWORD in trunk_route.calls.last.request.content.decode()
    assert len(caplog.records) >= 2  # both attempts were logged
    for error in (connection_error.value, trunk_error.value):
        assert error.field == "gateway"
        for secret in (PASSWORD, USERNAME):
            assert not leaks(secret, error, str(error), error.__dict__, error.request)
    for secret in (PASSWORD, USERNAME):
        assert secret not in caplog.text
        assert not leaks(secret, *(record.__dict__ for record in caplog.records))


# Against the fake ---------------------------------------------------------------------------


async def test_trunks_against_the_fake() -> None:
    fake = FakeMindhunters()
    ava = fake.add_agent("Ava")
    bob = fake.add_agent("Bob")
    trunks_of = fake.records
    async with fake.client() as client:
        trunks = client.phone_numbers.trunks
        created = await trunks.register(
            phone_number=PHONE,
            agent_uuid=ava,
            channel="call",
            sip={"gateway": "sip.acme.com", "username": USERNAME, "password": PASSWORD},
        )
        listed = await trunks.list()
        moved = await trunks.assign(phone_number=PHONE, channel="call", agent_uuid=bob)
        renamed = await trunks.update(phone_number=PHONE, channel="call", name="Main line")
        raw = await trunks.with_raw_response.update(
            phone_number=PHONE, channel="call", sip={"password": ""}
        )
        with pytest.raises(mh.UnprocessableEntityError) as twice:
            await trunks.register(phone_number=PHONE, agent_uuid=ava, channel="call")
        with pytest.raises(mh.NotFoundError):
            await trunks.register(
                phone_number="+14155550199", agent_uuid=str(uuid.uuid4()), channel="call"
            )
        with pytest.raises(mh.NotFoundError):
            await trunks.assign(phone_number=PHONE, channel="whatsapp", agent_uuid=bob)
        stored = dict(trunks_of("phone_number_trunks")[created.id])
        await trunks.delete(phone_number=PHONE, channel="call")
        with pytest.raises(mh.NotFoundError):
            await trunks.delete(phone_number=PHONE, channel="call")
        after = await trunks.list()
    assert (created.number, created.channel, created.agent_uuid) == (PHONE, "call", ava)
    assert created.channels == {"call": {"bound": True, "agent_uuid": ava, "agent_name": "Ava"}}
    assert [t.id for t in listed.items] == [created.id]
    assert listed.items[0].bindings == created.channels
    assert moved.agent_uuid == bob
    assert moved.channels["call"]["agent_name"] == "Bob"
    assert (renamed.name, renamed.agent_uuid) == ("Main line", bob)
    assert twice.value.field == "phone_number"
    # The credentials are kept (the password cleared by the empty string), never shown.
    assert stored["_sip"] == {"gateway": "sip.acme.com", "username": USERNAME}
    assert USERNAME.encode() not in raw.http_response.content
    assert after.items == ()
    deletes = fake.requests_to("DELETE", TRUNKS)
    assert deletes[0].query["phone_number"] == PHONE


async def test_sip_trunk_connections_against_the_fake() -> None:
    fake = FakeMindhunters()
    async with fake.client() as client:
        raw = await client.sip_trunks.with_raw_response.add_connection(**CONNECTION)
    connection = raw.parse()
    stored = fake.records("sip_trunk_connections")[connection.id]
    assert (connection.name, connection.gateway, connection.status) == (
        "Telnyx",
        "sip.telnyx.com",
        "active",
    )
    assert (stored["_username"], stored["_password"]) == (USERNAME, PASSWORD)
    assert PASSWORD.encode() not in raw.http_response.content
    assert USERNAME.encode() not in raw.http_response.content


async def test_the_fake_refuses_a_connection_without_a_password() -> None:
    fake = FakeMindhunters()
    async with fake.client() as client:
        # Past the SDK's own check, to see the fake's.
        with pytest.raises(mh.UnprocessableEntityError) as info:
            await client.request(
                "POST", CONNECTIONS, json={k: v for k, v in CONNECTION.items() if k != "password"}
            )
    assert info.value.field == "password"


async def test_trunks_walk_three_pages() -> None:
    fake = FakeMindhunters()
    for n in range(5):
        fake.add_record("phone_number_trunks", number=f"+1415555010{n}", channel="call")
    async with fake.client() as client:
        numbers = [t.number async for t in client.phone_numbers.trunks.list(per_page=2)]
    assert numbers == [f"+1415555010{n}" for n in reversed(range(5))]  # newest first
    requests = fake.requests_to("GET", TRUNKS)
    assert [(r.query["page"], r.query["per_page"]) for r in requests] == [
        ("1", "2"),
        ("2", "2"),
        ("3", "2"),
    ]


def test_a_trunk_reads_an_odd_answer() -> None:
    # Unknown fields are ignored, a wrong-typed optional one reads as None.
    from mindhunters_async._converter import structure

    trunk = structure({"uuid": NUMBER_ID, "is_external": "yes", "extra": [1]}, Trunk)
    assert trunk == Trunk(id=NUMBER_ID)
    with pytest.raises(mh.ResponseDecodeError):
        structure({"number": PHONE}, Trunk)


async def test_an_odd_write_answer_is_a_decode_error_not_a_key_error(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    api.put(f"{TRUNKS}/assign").mock(return_value=httpx.Response(200, json={"data": [1, 2]}))
    with pytest.raises(mh.ResponseDecodeError):
        await client.phone_numbers.trunks.assign(
            phone_number=PHONE, channel="call", agent_uuid=AGENT_ID
        )
