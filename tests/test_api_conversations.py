"""client.conversations: list, get, sessions, messages, on the wire and against the fake."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx
from support import AGENT_ID, PHONE, ok

import mindhunters_async as mh
from mindhunters_async._models.conversations import (
    Conversation,
    ConversationMessage,
    ConversationSession,
)
from mindhunters_async.testing import FakeMindhunters

pytestmark = pytest.mark.anyio

CONVERSATION_ID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
CONTACT_ID = "9b2d8c1e-4f5a-4b6c-8d7e-0f1a2b3c4d5e"
SESSION_ID = "5f0e3a2b-1c4d-4e5f-8a9b-0c1d2e3f4a5b"
CONVERSATION = {
    "uuid": CONVERSATION_ID,
    "type": "Real",
    "status": "Active",
    "responded_by": "AI",
    "is_simulation": False,
    "created_at": "2023-11-07T05:31:56Z",
    "agent_uuid": AGENT_ID,
    "channel": "Call",
    "contact": {"uuid": CONTACT_ID, "name": "Ada", "phone_number": PHONE},
    "session_uuids": [SESSION_ID],
    "call": {"uuid": SESSION_ID, "duration": 42},
}


def laravel(items: list[Any], *, page: int = 1, last_page: int = 1) -> dict[str, Any]:
    return {"current_page": page, "data": items, "last_page": last_page, "total": len(items)}


def query_of(route: respx.Route) -> dict[str, str]:
    return dict(route.calls.last.request.url.params)


# On the wire


async def test_list_sends_every_filter_and_decodes(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.get("/conversations").respond(json=ok(laravel([CONVERSATION])).json())
    page = await client.conversations.list(
        per_page=10,
        phone=PHONE,
        contact_uuid=CONTACT_ID,
        agent_uuid=AGENT_ID,
        channel="Call",
        status="Active",
        sort_by="created_at",
        sort_dir="asc",
    )
    assert query_of(route) == {
        "per_page": "10",
        "page": "1",
        "phone": PHONE,
        "contact_uuid": CONTACT_ID,
        "agent_uuid": AGENT_ID,
        "channel": "Call",
        "status": "Active",
        "sort_by": "created_at",
        "sort_dir": "asc",
    }
    [conversation] = page.items
    assert isinstance(conversation, Conversation)
    assert (conversation.id, conversation.agent_uuid, conversation.channel) == (
        CONVERSATION_ID,
        AGENT_ID,
        "Call",
    )
    assert conversation.contact is not None
    assert (conversation.contact.id, conversation.contact.phone_number) == (CONTACT_ID, PHONE)
    assert conversation.session_uuids == (SESSION_ID,)
    assert conversation.created_at is not None
    assert conversation.created_at.tzinfo is not None
    assert conversation.call == {"uuid": SESSION_ID, "duration": 42}


async def test_list_leaves_out_unset_filters(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.get("/conversations").respond(json=ok(laravel([])).json())
    await client.conversations.list(extra_query={"responded_by": "AI"})
    assert query_of(route) == {"page": "1", "responded_by": "AI"}


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"phone": "4155552671"}, "phone"),
        ({"contact_uuid": "42"}, "contact_uuid"),
        ({"agent_uuid": "not-a-uuid"}, "agent_uuid"),
        ({"sort_dir": "DESC"}, "sort_dir"),
        ({"per_page": 101}, "per_page"),
    ],
)
async def test_list_refuses_bad_filters_before_sending(
    api: respx.MockRouter, client: mh.AsyncMindhunters, arguments: dict[str, Any], field: str
) -> None:
    route = api.get("/conversations")
    with pytest.raises(mh.RequestValidationError) as raised:
        await client.conversations.list(**arguments)
    assert raised.value.field == field
    assert not route.called


async def test_get(api: respx.MockRouter, client: mh.AsyncMindhunters) -> None:
    route = api.get(f"/conversations/{CONVERSATION_ID}").respond(json=ok(CONVERSATION).json())
    conversation = await client.conversations.get(CONVERSATION_ID)
    assert route.called
    assert (conversation.id, conversation.status, conversation.responded_by) == (
        CONVERSATION_ID,
        "Active",
        "AI",
    )


async def test_get_reads_the_flat_older_shape(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    older = {
        "conversation_uuid": CONVERSATION_ID,
        "contact_uuid": CONTACT_ID,
        "phone_number": PHONE,
        "started_at": "2024-01-15 10:30:00",
        "ended_at": None,
    }
    api.get(f"/conversations/{CONVERSATION_ID}").respond(json=ok(older).json())
    conversation = await client.conversations.get(CONVERSATION_ID)
    assert (conversation.id, conversation.contact_uuid, conversation.phone) == (
        CONVERSATION_ID,
        CONTACT_ID,
        PHONE,
    )
    assert conversation.started_at is not None
    assert conversation.started_at.hour == 10
    assert conversation.ended_at is None


async def test_a_bad_conversation_id_is_refused_before_sending(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.route()
    for call in (
        client.conversations.get("conv-1"),
        client.conversations.sessions("conv-1"),
        client.conversations.messages("conv-1"),
    ):
        with pytest.raises(mh.RequestValidationError) as raised:
            await call
        assert raised.value.field == "conversation_id"
    assert not route.called


async def test_sessions_paged(api: respx.MockRouter, client: mh.AsyncMindhunters) -> None:
    session = {
        "uuid": SESSION_ID,
        "conversation_uuid": CONVERSATION_ID,
        "summary": "Booked a demo",
        "contact": {"uuid": CONTACT_ID},
        "started_at": "2023-11-07T05:31:56Z",
    }
    route = api.get(f"/conversations/{CONVERSATION_ID}/sessions").respond(
        json=ok(laravel([session])).json()
    )
    page = await client.conversations.sessions(CONVERSATION_ID, per_page=5, status="active")
    assert query_of(route) == {"per_page": "5", "page": "1", "status": "active"}
    [read] = page.items
    assert isinstance(read, ConversationSession)
    assert (read.id, read.conversation_uuid, read.summary) == (
        SESSION_ID,
        CONVERSATION_ID,
        "Booked a demo",
    )
    assert read.contact is not None
    assert read.contact.id == CONTACT_ID


async def test_sessions_as_a_bare_list_are_one_page(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    # Older docs show the sessions unpaged: a list in `data`.
    sessions = [{"session_uuid": SESSION_ID}, {"id": CONVERSATION_ID}]
    route = api.get(f"/conversations/{CONVERSATION_ID}/sessions").respond(json=ok(sessions).json())
    ids = [s.id async for s in client.conversations.sessions(CONVERSATION_ID)]
    assert ids == [SESSION_ID, CONVERSATION_ID]
    assert route.call_count == 1


async def test_messages_query_and_decoding(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    messages = [
        {"uuid": SESSION_ID, "sender": "AI", "content": "Hello", "created_at": "2024-01-15"},
        {"sender": "Contact", "text": "Hi"},
    ]
    route = api.get(f"/conversations/{CONVERSATION_ID}/messages").respond(
        json=ok(laravel(messages)).json()
    )
    page = await client.conversations.messages(
        CONVERSATION_ID, per_page=100, sort_dir="desc", sender="AI"
    )
    assert query_of(route) == {"per_page": "100", "page": "1", "sort_dir": "desc", "sender": "AI"}
    first, second = page.items
    assert isinstance(first, ConversationMessage)
    assert (first.id, first.sender, first.content) == (SESSION_ID, "AI", "Hello")
    # No id at all is read, not refused: the docs show no message schema.
    assert (second.id, second.sender, second.content) == (None, "Contact", "Hi")


@pytest.mark.parametrize(("arguments"), [{"per_page": 101}, {"sort_dir": "up"}, {"page": 0}])
async def test_messages_refuse_bad_paging_before_sending(
    api: respx.MockRouter, client: mh.AsyncMindhunters, arguments: dict[str, Any]
) -> None:
    route = api.get(f"/conversations/{CONVERSATION_ID}/messages")
    with pytest.raises(mh.RequestValidationError):
        await client.conversations.messages(CONVERSATION_ID, **arguments)
    assert not route.called


async def test_messages_walk_pages(api: respx.MockRouter, client: mh.AsyncMindhunters) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        number = int(request.url.params["page"])
        items = [{"uuid": f"m{number}-{i}", "content": "x"} for i in range(2)]
        return ok(laravel(items, page=number, last_page=3))

    route = api.get(f"/conversations/{CONVERSATION_ID}/messages").mock(side_effect=answer)
    ids = [m.id async for m in client.conversations.messages(CONVERSATION_ID, per_page=2)]
    assert ids == ["m1-0", "m1-1", "m2-0", "m2-1", "m3-0", "m3-1"]
    assert route.call_count == 3


# Against the fake


def add_conversation(fake: FakeMindhunters, **fields: Any) -> str:
    values = {"agent_uuid": AGENT_ID, "channel": "Call", "status": "Active", **fields}
    return fake.add_record("conversations", **values)


async def test_fake_get_and_not_found() -> None:
    fake = FakeMindhunters()
    conversation_id = add_conversation(fake, contact={"uuid": CONTACT_ID, "phone_number": PHONE})
    async with fake.client() as client:
        conversation = await client.conversations.get(conversation_id)
        assert (conversation.id, conversation.agent_uuid) == (conversation_id, AGENT_ID)
        assert conversation.contact is not None
        assert conversation.contact.phone_number == PHONE
        with pytest.raises(mh.NotFoundError):
            await client.conversations.get(CONVERSATION_ID)


async def test_fake_list_filters_and_sorts() -> None:
    fake = FakeMindhunters()
    first = add_conversation(fake, phone=PHONE, created_at="2024-01-01T00:00:00Z")
    second = add_conversation(
        fake, channel="Whatsapp", contact_uuid=CONTACT_ID, created_at="2024-01-02T00:00:00Z"
    )
    third = add_conversation(fake, status="Closed", created_at="2024-01-03T00:00:00Z")
    async with fake.client() as client:
        newest_first = [c.id async for c in client.conversations.list()]
        assert newest_first == [third, second, first]
        oldest_first = [c.id async for c in client.conversations.list(sort_dir="asc")]
        assert oldest_first == [first, second, third]
        by_phone = await client.conversations.list(phone="+1415")
        assert [c.id for c in by_phone.items] == [first]
        by_contact = await client.conversations.list(contact_uuid=CONTACT_ID)
        assert [c.id for c in by_contact.items] == [second]
        by_channel = await client.conversations.list(channel="Whatsapp")
        assert [c.id for c in by_channel.items] == [second]
        by_status = await client.conversations.list(status="Closed")
        assert [c.id for c in by_status.items] == [third]


async def test_fake_list_walks_three_pages() -> None:
    fake = FakeMindhunters()
    added = [add_conversation(fake) for _ in range(6)]
    async with fake.client() as client:
        ids = [c.id async for c in client.conversations.list(per_page=2)]
    assert sorted(ids) == sorted(added)
    assert len(fake.requests_to("GET", "/conversations")) == 3


async def test_fake_sessions_of_one_conversation_walk_three_pages() -> None:
    fake = FakeMindhunters()
    conversation_id = add_conversation(fake)
    other = add_conversation(fake)
    sessions = [
        fake.add_record("conversation_sessions", conversation_uuid=conversation_id, summary=str(i))
        for i in range(5)
    ]
    fake.add_record("conversation_sessions", conversation_uuid=other)
    path = f"/conversations/{conversation_id}/sessions"
    async with fake.client() as client:
        read = [s async for s in client.conversations.sessions(conversation_id, per_page=2)]
        assert [s.id for s in read] == sessions
        assert {s.conversation_uuid for s in read} == {conversation_id}
        assert len(fake.requests_to("GET", path)) == 3
        with pytest.raises(mh.NotFoundError):
            await client.conversations.sessions(CONVERSATION_ID)


async def test_fake_messages_order_filter_and_pages() -> None:
    fake = FakeMindhunters()
    conversation_id = add_conversation(fake)
    said = []
    for i in range(6):
        sender = "AI" if i % 2 == 0 else "Contact"
        said.append(
            fake.add_record(
                "conversation_messages",
                conversation_uuid=conversation_id,
                sender=sender,
                content=f"line {i}",
                created_at=f"2024-01-01T00:00:0{i}Z",
            )
        )
    path = f"/conversations/{conversation_id}/messages"
    async with fake.client() as client:
        messages = client.conversations.messages
        oldest_first = [m async for m in messages(conversation_id, per_page=2)]
        assert [m.id for m in oldest_first] == said
        assert oldest_first[0].content == "line 0"
        assert len(fake.requests_to("GET", path)) == 3
        newest_first = await messages(conversation_id, sort_dir="desc")
        assert [m.id for m in newest_first.items] == said[::-1]
        assert newest_first.per_page == 25
        from_ai = await messages(conversation_id, sender="AI")
        assert [m.content for m in from_ai.items] == ["line 0", "line 2", "line 4"]


async def test_fake_raw_response_has_status_and_rate_limit() -> None:
    fake = FakeMindhunters()
    conversation_id = add_conversation(fake)
    async with fake.client() as client:
        raw = await client.conversations.with_raw_response.get(conversation_id)
    assert raw.status_code == 200
    assert raw.parse().id == conversation_id
    assert raw.rate_limit is not None
    assert raw.rate_limit.limit == FakeMindhunters.DEFAULT_RATE_LIMIT


async def test_fake_extra_query_reaches_the_wire() -> None:
    fake = FakeMindhunters()
    add_conversation(fake)
    async with fake.client() as client:
        await client.conversations.list(extra_query={"responded_by": "AI"})
    [request] = fake.requests_to("GET", "/conversations")
    assert request.query["responded_by"] == "AI"
