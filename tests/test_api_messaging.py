"""sms, whatsapp and agentic_search: the requests they send, their decoding, and the fake."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest
import respx
from support import AGENT_ID, PHONE, ok

import mindhunters_async as mh
from mindhunters_async._models.messaging import (
    AgenticSearchResult,
    SentMessage,
    TemplateCategory,
    WhatsAppTemplate,
)
from mindhunters_async.testing import FakeMindhunters

pytestmark = pytest.mark.anyio

TEMPLATE_ID = "a1b2c3d4-e5f6-4789-abcd-ef1234567890"
MESSAGE_ID = "4010122d-3cf7-4670-b74c-2f5e2f3e79c0"
CONVERSATION_ID = "a1b2c3d4-e5f6-7890-abcd-ef1234567890"
UNKNOWN = "00000000-0000-4000-8000-00000000dead"
BODY = [{"type": "BODY", "text": "Hi {{1}}, your order {{2}} ships today."}]


def body_of(route: respx.Route) -> Any:
    return json.loads(route.calls.last.request.content)


# SMS, request by request ------------------------------------------------------------------


async def test_sms_send_posts_the_wire_names_and_reads_the_answer(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    answer = {"messageId": MESSAGE_ID, "recipientPhone": PHONE, "conversationId": CONVERSATION_ID}
    route = api.post("/sms/send").mock(return_value=ok(answer, message="SMS message sent"))
    sent = await client.sms.send(agent_id=uuid.UUID(AGENT_ID), phone_number=PHONE, message="Hi")
    assert route.calls.last.request.method == "POST"
    assert body_of(route) == {"agentId": AGENT_ID, "phoneNumber": PHONE, "message": "Hi"}
    assert sent == SentMessage(
        message_id=MESSAGE_ID, recipient_phone=PHONE, conversation_id=CONVERSATION_ID
    )


async def test_an_sms_of_exactly_1600_characters_is_sent(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.post("/sms/send").mock(return_value=ok({}))
    await client.sms.send(agent_id=AGENT_ID, phone_number=PHONE, message="x" * 1600)
    assert len(body_of(route)["message"]) == 1600


async def test_a_long_sms_is_refused_naming_the_field_the_limit_and_its_length(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.post("/sms/send").mock(return_value=ok({}))
    with pytest.raises(mh.RequestValidationError) as info:
        await client.sms.send(agent_id=AGENT_ID, phone_number=PHONE, message="é" * 1601)
    assert info.value.field == "message"
    assert "1600" in info.value.details
    assert "1601" in info.value.details
    assert not route.called


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"message": ""}, "message"),
        ({"message": "   "}, "message"),
        ({"phone_number": "4155552671"}, "phoneNumber"),
        ({"phone_number": "+1 (415) 555-2671"}, "phoneNumber"),
        ({"agent_id": "agent-7"}, "agentId"),
    ],
)
async def test_sms_input_is_checked_before_sending(
    api: respx.MockRouter, client: mh.AsyncMindhunters, arguments: dict[str, Any], field: str
) -> None:
    route = api.post("/sms/send").mock(return_value=ok({}))
    call = {"agent_id": AGENT_ID, "phone_number": PHONE, "message": "Hi", **arguments}
    with pytest.raises(mh.RequestValidationError) as info:
        await client.sms.send(**call)
    assert info.value.field == field
    assert not route.called


# WhatsApp, request by request ---------------------------------------------------------------

SENT_TEMPLATE = {
    "messageId": "wamid.HBgMOTA1NDM1NTA2Njc3FQIAEhgg",
    "templateName": "order_confirmation",
    "recipientPhone": PHONE,
    "conversationId": 456,
}


async def test_send_template_numbers_a_list_of_parameters_and_sends_the_header(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.post("/whatsapp/template").mock(return_value=ok(SENT_TEMPLATE))
    sent = await client.whatsapp.send_template(
        agent_id=AGENT_ID,
        template_id=uuid.UUID(TEMPLATE_ID),
        phone_number=PHONE,
        parameters=["John Doe", "Order #12345"],
        header={"type": "image", "url": "https://cdn.example.com/banner.png"},
    )
    assert body_of(route) == {
        "agentId": AGENT_ID,
        "templateId": TEMPLATE_ID,
        "phoneNumber": PHONE,
        "parameters": {"field1": "John Doe", "field2": "Order #12345"},
        "header": {"type": "image", "url": "https://cdn.example.com/banner.png"},
    }
    # The docs' example numbers the conversation: it reads as its string.
    assert sent == SentMessage(
        message_id="wamid.HBgMOTA1NDM1NTA2Njc3FQIAEhgg",
        recipient_phone=PHONE,
        conversation_id="456",
        template_name="order_confirmation",
    )


async def test_send_template_sends_the_apis_own_parameters_as_given_and_omits_none(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.post("/whatsapp/template").mock(return_value=ok(SENT_TEMPLATE))
    await client.whatsapp.send_template(
        agent_id=AGENT_ID, template_id=TEMPLATE_ID, phone_number=PHONE, parameters={"field2": "B"}
    )
    await client.whatsapp.send_template(
        agent_id=AGENT_ID, template_id=TEMPLATE_ID, phone_number=PHONE
    )
    first, second = (json.loads(call.request.content) for call in route.calls)
    assert first["parameters"] == {"field2": "B"}
    assert second == {"agentId": AGENT_ID, "templateId": TEMPLATE_ID, "phoneNumber": PHONE}


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"template_id": "order_confirmation"}, "templateId"),
        ({"phone_number": "0543 550 66 77"}, "phoneNumber"),
        ({"parameters": {"name": "John"}}, "parameters"),
        ({"parameters": "John"}, "parameters"),
        ({"header": {"type": "audio", "url": "https://cdn.example.com/a.mp3"}}, "header"),
        ({"header": {"type": "image"}}, "header.url"),
        ({"header": {"type": "image", "url": "ftp://cdn.example.com/a.png"}}, "header.url"),
    ],
)
async def test_send_template_input_is_checked_before_sending(
    api: respx.MockRouter, client: mh.AsyncMindhunters, arguments: dict[str, Any], field: str
) -> None:
    route = api.post("/whatsapp/template").mock(return_value=ok(SENT_TEMPLATE))
    call = {"agent_id": AGENT_ID, "template_id": TEMPLATE_ID, "phone_number": PHONE, **arguments}
    with pytest.raises(mh.RequestValidationError) as info:
        await client.whatsapp.send_template(**call)
    assert info.value.field == field
    assert not route.called


TEMPLATE = {
    "uuid": TEMPLATE_ID,
    "name": "order_confirmation",
    "language": "en_US",
    "category": "UTILITY",
    "status": "PENDING",
    "components": BODY,
    "template_id": "1234567890",
    "waba_id": "123456789012345",
    "type": "whatsapp",
}


async def test_create_template_posts_its_fields_and_reads_the_template(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.post("/whatsapp/templates").mock(return_value=ok(TEMPLATE, status=201))
    template = await client.whatsapp.create_template(
        name="order_confirmation",
        language="en_US",
        category=TemplateCategory.UTILITY,
        waba_id="123456789012345",
        components=BODY,
    )
    assert body_of(route) == {
        "name": "order_confirmation",
        "language": "en_US",
        "category": "UTILITY",
        "waba_id": "123456789012345",
        "components": BODY,
    }
    assert template == WhatsAppTemplate(
        id=TEMPLATE_ID,
        name="order_confirmation",
        language="en_US",
        category="UTILITY",
        status="PENDING",
        components=BODY,
        template_id="1234567890",
        waba_id="123456789012345",
        type="whatsapp",
    )


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"name": "Order Confirmation"}, "name"),
        ({"name": "x" * 513}, "name"),
        ({"language": ""}, "language"),
        ({"category": "PROMOTION"}, "category"),
        ({"category": "utility"}, "category"),
        ({"waba_id": ""}, "waba_id"),
        ({"components": []}, "components"),
        ({"components": ["BODY"]}, "components"),
    ],
)
async def test_create_template_input_is_checked_before_sending(
    api: respx.MockRouter, client: mh.AsyncMindhunters, arguments: dict[str, Any], field: str
) -> None:
    route = api.post("/whatsapp/templates").mock(return_value=ok(TEMPLATE))
    call = {
        "name": "order_confirmation",
        "language": "en_US",
        "category": "UTILITY",
        "waba_id": "123456789012345",
        "components": BODY,
        **arguments,
    }
    with pytest.raises(mh.RequestValidationError) as info:
        await client.whatsapp.create_template(**call)
    assert info.value.field == field
    assert not route.called


# Agentic search, request by request ---------------------------------------------------------


async def test_agentic_search_posts_the_query_and_reads_answer_and_citations(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    answer = {"answer": "Example Corp sells home services.", "citations": ["https://example.com"]}
    route = api.post("/agentic-search").mock(return_value=ok(answer))
    result = await client.agentic_search.run(
        query="What does example.com do?", language="en", search_latitude=41.0082
    )
    assert body_of(route) == {
        "query": "What does example.com do?",
        "language": "en",
        "search_latitude": 41.0082,
    }
    assert result == AgenticSearchResult(
        answer="Example Corp sells home services.", citations=("https://example.com",)
    )


@pytest.mark.parametrize(
    ("arguments", "field", "words"),
    [
        ({"query": ""}, "query", ()),
        ({"query": "q" * 4001}, "query", ("4000", "4001")),
        ({"query": "q", "search_latitude": "41.0"}, "search_latitude", ()),
    ],
)
async def test_agentic_search_input_is_checked_before_sending(
    api: respx.MockRouter,
    client: mh.AsyncMindhunters,
    arguments: dict[str, Any],
    field: str,
    words: tuple[str, ...],
) -> None:
    route = api.post("/agentic-search").mock(return_value=ok({}))
    with pytest.raises(mh.RequestValidationError) as info:
        await client.agentic_search.run(**arguments)
    assert info.value.field == field
    assert all(word in info.value.details for word in words)
    assert not route.called


# Against the fake ---------------------------------------------------------------------------


async def test_sent_messages_are_recorded_by_the_fake() -> None:
    fake = FakeMindhunters()
    agent = fake.DEFAULT_AGENT_ID
    async with fake.client() as client:
        sms = await client.sms.send(agent_id=agent, phone_number=PHONE, message="Your code: 1234")
        template = await client.whatsapp.create_template(
            name="order_update", language="en_US", category="UTILITY", waba_id=42, components=BODY
        )
        whatsapp = await client.whatsapp.send_template(
            agent_id=agent, template_id=template.id, phone_number=PHONE, parameters=["Ann", "#7"]
        )
        with pytest.raises(mh.NotFoundError):
            await client.sms.send(agent_id=UNKNOWN, phone_number=PHONE, message="Hi")
        with pytest.raises(mh.NotFoundError):
            await client.whatsapp.send_template(
                agent_id=agent, template_id=UNKNOWN, phone_number=PHONE
            )
        with pytest.raises(mh.UnprocessableEntityError) as duplicate:
            # The same name and language in the same WABA (42 and "42" are one id).
            await client.whatsapp.create_template(
                name="order_update",
                language="en_US",
                category="UTILITY",
                waba_id="42",
                components=BODY,
            )
    assert (template.status, template.name, template.waba_id) == ("APPROVED", "order_update", "42")
    assert duplicate.value.field == "name"
    texts = list(fake.records("sms").values())
    assert [(t["agentId"], t["phoneNumber"], t["message"]) for t in texts] == [
        (agent, PHONE, "Your code: 1234")
    ]
    assert sms.message_id in fake.records("sms")
    assert sms.conversation_id == texts[0]["conversationId"]
    sent = fake.records("whatsapp_messages")[whatsapp.message_id or ""]
    assert sent["templateId"] == template.id
    assert sent["parameters"] == {"field1": "Ann", "field2": "#7"}
    assert whatsapp.template_name == "order_update"


async def test_the_fake_sends_approved_templates_only() -> None:
    fake = FakeMindhunters()
    pending = fake.add_record("whatsapp_templates", name="promo", status="PENDING")
    async with fake.client() as client:
        with pytest.raises(mh.UnprocessableEntityError) as info:
            await client.whatsapp.send_template(
                agent_id=fake.DEFAULT_AGENT_ID, template_id=pending, phone_number=PHONE
            )
    assert info.value.field == "templateId"
    assert fake.records("whatsapp_messages") == {}


async def test_the_fake_refuses_a_long_sms_from_any_client() -> None:
    # Users' tests may call the fake without the SDK's checks: it answers as the API.
    fake = FakeMindhunters()
    async with httpx.AsyncClient(transport=fake.transport()) as http:
        reply = await http.post(
            f"{fake.DEFAULT_BASE_URL}/sms/send",
            headers={"Authorization": f"Bearer {fake.DEFAULT_TOKEN}"},
            json={"agentId": fake.DEFAULT_AGENT_ID, "phoneNumber": PHONE, "message": "x" * 1601},
        )
    assert reply.status_code == 422
    assert reply.json()["error"]["field"] == "message"
    assert fake.records("sms") == {}


async def test_the_fake_answers_agentic_search_deterministically() -> None:
    fake = FakeMindhunters()
    fake.add_record(
        "agentic_search_answers",
        query="Who are we?",
        answer="A test company.",
        citations=["https://example.com/about"],
    )
    async with fake.client() as client:
        seeded = await client.agentic_search.run(query="Who are we?")
        first = await client.agentic_search.run(query="What do dentists get asked?")
        again = await client.agentic_search.run(query="What do dentists get asked?")
        other = await client.agentic_search.run(query="Something else")
    assert seeded == AgenticSearchResult(
        answer="A test company.", citations=("https://example.com/about",)
    )
    assert first == again
    assert first.answer is not None
    assert "What do dentists get asked?" in first.answer
    assert first.citations
    assert first.citations != other.citations
    asked = [record["query"] for record in fake.records("agentic_searches").values()]
    assert asked == [
        "Who are we?",
        "What do dentists get asked?",
        "What do dentists get asked?",
        "Something else",
    ]
