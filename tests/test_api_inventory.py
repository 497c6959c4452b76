"""The reference's inventory of operations, kept here as data: each has a method, and
the method sends exactly that HTTP method and path.

`INVENTORY` is transcribed from the API reference (`mindhunters-api.md`: every table
of "Endpoints: the full inventory", the third-party client's included), one row per
concrete operation: the path as the reference writes it, its `{...}` filled in order
from the call's positional arguments. A documented operation without a method, or a
method that sends another method or path, fails here.
"""

from __future__ import annotations

import inspect
import re
from datetime import datetime, timezone
from typing import Any, NamedTuple

import pytest
import respx
from support import BASE_URL, ok
from test_api_coverage import endpoints

import mindhunters_async as mh

pytestmark = pytest.mark.anyio

A = "11111111-1111-4111-8111-111111111111"
B = "22222222-2222-4222-8222-222222222222"
C = "33333333-3333-4333-8333-333333333333"
PHONE = "+14155552671"
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)


class Op(NamedTuple):
    """One documented operation and a minimal valid call of its method."""

    method: str
    path: str
    name: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = {}  # noqa: RUF012 - never mutated
    answer: Any = None

    def concrete_path(self) -> str:
        values = iter(self.args)
        return re.sub(r"\{[^}]+\}", lambda _: str(next(values)), self.path)


PAGE: Any = {"items": []}

INVENTORY: list[Op] = [
    # Calls and live call control
    Op("POST", "/call", "calls.create", (), {"agent_id": A, "participant": {"number": PHONE}}),
    Op("GET", "/calls", "calls.list", answer=PAGE),
    Op("GET", "/calls/{uuid}", "calls.get", (A,)),
    Op("POST", "/calls/action/{conversation_uuid}/say", "calls.say", (A, "Hello")),
    Op("POST", "/calls/action/{conversation_uuid}/mute", "calls.mute", (A,)),
    Op("POST", "/calls/action/{conversation_uuid}/unmute", "calls.unmute", (A,)),
    Op("POST", "/calls/action/{conversation_uuid}/hangup", "calls.hangup", (A,)),
    Op("POST", "/calls/action/{conversation_uuid}/forward", "calls.forward", (A, PHONE)),
    # Agents
    Op("GET", "/agents", "agents.list", answer=PAGE),
    Op("GET", "/agents/{uuid}", "agents.get", (A,)),
    Op("POST", "/agents", "agents.create", (), {"name": "Ava"}),
    Op("PATCH", "/agents/{uuid}", "agents.update", (A,), {"name": "Ava"}),
    Op(
        "POST",
        "/agents/from-website",
        "agents.create_from_website",
        (),
        {"source_url": "https://example.com"},
    ),
    Op(
        "POST",
        "/agents/{uuid}/webhooks",
        "agents.webhooks.create",
        (A,),
        {"url": "https://example.com/hook", "events": ["conversation_status"]},
        answer={"uuid": B},
    ),
    Op(
        "PATCH",
        "/agents/{uuid}/webhooks/{webhook_uuid}",
        "agents.webhooks.update",
        (A, B),
        {"is_active": False},
        answer={"uuid": B},
    ),
    # Conversations
    Op("GET", "/conversations", "conversations.list", answer=PAGE),
    Op("GET", "/conversations/{uuid}", "conversations.get", (A,)),
    Op("GET", "/conversations/{uuid}/sessions", "conversations.sessions", (A,), answer=[]),
    Op("GET", "/conversations/{uuid}/messages", "conversations.messages", (A,), answer=PAGE),
    # Contacts, pools, campaigns, rules, tasks
    Op("GET", "/contacts", "contacts.list", answer=PAGE),
    Op("POST", "/contacts", "contacts.create", (), {"name": "Lee", "phone_number": PHONE}),
    Op("GET", "/contacts/{uuid}", "contacts.get", (A,)),
    Op("PUT", "/contacts/{uuid}", "contacts.update", (A,), {"name": "Lee"}),
    Op("DELETE", "/contacts/{uuid}", "contacts.delete", (A,)),
    Op("POST", "/contacts/{uuid}/add-tag", "contacts.add_tag", (A, 7)),
    Op("POST", "/contacts/{uuid}/remove-tag", "contacts.remove_tag", (A, 7)),
    Op("POST", "/contacts/{uuid}/blacklist", "contacts.blacklist", (A,)),
    Op("GET", "/pools", "pools.list", answer=PAGE),
    Op("POST", "/pools", "pools.create", (), {"name": "Leads"}),
    Op("PUT", "/pools/{uuid}", "pools.update", (A,), {"name": "Leads"}),
    Op("GET", "/pools/{uuid}/contacts", "pools.contacts", (A,), answer=PAGE),
    Op("POST", "/pools/{uuid}/contacts", "pools.add_contacts", (A, [B]), answer={}),
    Op("POST", "/pools/{uuid}/duplicate", "pools.duplicate", (A,)),
    Op("PUT", "/campaigns/{uuid}", "campaigns.update", (A,), {"name": "Spring"}),
    Op("PUT", "/campaigns/{uuid}/rule", "campaigns.set_rule", (A, B)),
    Op("POST", "/campaigns/{uuid}/pools", "campaigns.attach_pools", (A, [B])),
    Op("GET", "/rules", "rules.list", answer=PAGE),
    Op("POST", "/rules", "rules.create", (), {"name": "Hot leads"}),
    Op("GET", "/rules/{uuid}", "rules.get", (A,)),
    Op("PUT", "/rules/{uuid}", "rules.update", (A,), {"name": "Hot leads"}),
    Op("GET", "/tasks", "tasks.list", answer=PAGE),
    Op("POST", "/tasks", "tasks.create", (), {"title": "Call back", "type": "call"}),
    Op("POST", "/tasks/{uuid}/cancel", "tasks.cancel", (A,)),
    Op("POST", "/tasks/{uuid}/queue", "tasks.queue", (A,)),
    Op("POST", "/tasks/{uuid}/retry", "tasks.retry", (A,)),
    # Numbers and analytics
    Op("GET", "/phone-numbers", "phone_numbers.list", answer=PAGE),
    Op("POST", "/phone-numbers", "phone_numbers.buy", (), {"phone_number": PHONE}),
    Op("PATCH", "/phone-numbers/{uuid}", "phone_numbers.update", (A,), {"sms_enabled": True}),
    Op("GET", "/phone-numbers/rates", "phone_numbers.rates", answer=PAGE),
    Op("GET", "/analytics/calls", "analytics.calls", (), {"from_": NOW, "to": NOW}),
    Op("POST", "/agents/{uuid}/notes", "agents.notes.create", (A,), {"content": "Be brief"}),
    Op("DELETE", "/agents/{uuid}/notes/{note_uuid}", "agents.notes.delete", (A, B), {}),
    Op(
        "POST",
        "/agents/{uuid}/guidelines",
        "agents.guidelines.create",
        (A,),
        {"content": "Greet by name"},
    ),
    Op(
        "PUT",
        "/agents/{uuid}/guidelines",
        "agents.guidelines.replace",
        (A,),
        {"guidelines": [{"content": "Greet by name"}]},
    ),
    Op(
        "DELETE",
        "/agents/{uuid}/guidelines/{guideline_uuid}",
        "agents.guidelines.delete",
        (A, B),
        {},
    ),
    Op(
        "POST",
        "/agents/{uuid}/procedures",
        "agents.procedures.create",
        (A,),
        {"name": "Refund", "steps": ["Ask for the order", "Refund it"]},
    ),
    Op(
        "PATCH",
        "/agents/{uuid}/procedures/{procedure_uuid}",
        "agents.procedures.update",
        (A, B),
        {"steps": ["Refund it"]},
    ),
    Op(
        "DELETE",
        "/agents/{uuid}/procedures/{procedure_uuid}",
        "agents.procedures.delete",
        (A, B),
        {},
    ),
    Op(
        "POST",
        "/agents/{uuid}/training",
        "agents.training.create",
        (A,),
        {"question": "Opening hours?", "answer": "9 to 5"},
    ),
    Op(
        "PUT",
        "/agents/{uuid}/training",
        "agents.training.replace",
        (A,),
        {"training": [{"content": "We sell shoes"}]},
    ),
    Op(
        "PATCH",
        "/agents/{uuid}/training/{training_uuid}",
        "agents.training.update",
        (A, B),
        {"answer": "10 to 6"},
    ),
    Op("DELETE", "/agents/{uuid}/training/{training_uuid}", "agents.training.delete", (A, B), {}),
    Op(
        "POST",
        "/agents/{uuid}/guard-rules",
        "agents.guard_rules.create",
        (A,),
        {"name": "No prices"},
    ),
    Op(
        "PUT",
        "/agents/{uuid}/guard-rules",
        "agents.guard_rules.replace",
        (A,),
        {"guard_rules": [{"name": "No prices"}]},
    ),
    Op(
        "PATCH",
        "/agents/{uuid}/guard-rules/{rule_uuid}",
        "agents.guard_rules.update",
        (A, B),
        {"action": "decline"},
    ),
    Op("DELETE", "/agents/{uuid}/guard-rules/{rule_uuid}", "agents.guard_rules.delete", (A, B), {}),
    Op(
        "POST",
        "/agents/{uuid}/routing-rules",
        "agents.routing_rules.create",
        (A,),
        {"name": "Billing"},
    ),
    Op(
        "PUT",
        "/agents/{uuid}/routing-rules",
        "agents.routing_rules.replace",
        (A,),
        {"routing_rules": [{"name": "Billing"}]},
    ),
    Op(
        "PATCH",
        "/agents/{uuid}/routing-rules/{rule_uuid}",
        "agents.routing_rules.update",
        (A, B),
        {"condition": "invoice"},
    ),
    Op(
        "DELETE",
        "/agents/{uuid}/routing-rules/{rule_uuid}",
        "agents.routing_rules.delete",
        (A, B),
        {},
    ),
    # Agent setup: intents and their events, channels, appointments, evaluation
    Op("POST", "/agents/{uuid}/intents", "agents.intents.create", (A,), {"key": "book_demo"}),
    Op(
        "PATCH",
        "/agents/{uuid}/intents/{intent_uuid}",
        "agents.intents.update",
        (A, B),
        {"confidence_threshold": 0.8},
    ),
    Op("GET", "/agents/{uuid}/intents/{intent_uuid}/event", "agents.intents.get_event", (A, B)),
    Op(
        "PUT",
        "/agents/{uuid}/intents/{intent_uuid}/event",
        "agents.intents.set_event",
        (A, B),
        {"type": "webhook"},
    ),
    Op(
        "POST",
        "/agents/{uuid}/intents/{intent_uuid}/event/publish",
        "agents.intents.publish_event",
        (A, B),
    ),
    Op("PUT", "/agents/{uuid}/appointments", "agents.set_appointments", (A,), {"enabled": True}),
    Op(
        "POST",
        "/agents/{uuid}/channels/call/provision",
        "agents.channels.provision_call",
        (A,),
        {"phone_number_id": B},
    ),
    Op(
        "POST",
        "/agents/{uuid}/channels/call/sip-trunk",
        "agents.channels.assign_sip_trunk",
        (A,),
        {"connection_id": B, "force": True},
    ),
    Op("POST", "/agents/{uuid}/channels/sms", "agents.channels.bind", (A, "sms")),
    Op("POST", "/agents/{uuid}/channels/whatsapp", "agents.channels.bind", (A, "whatsapp")),
    Op(
        "POST",
        "/agents/{uuid}/channels/whatsapp-calling",
        "agents.channels.bind",
        (A, "whatsapp-calling"),
    ),
    Op("POST", "/agents/{uuid}/channels/instagram", "agents.channels.bind", (A, "instagram")),
    Op("POST", "/agents/{uuid}/channels/messenger", "agents.channels.bind", (A, "messenger")),
    Op("DELETE", "/agents/{uuid}/channels/sms", "agents.channels.unbind", (A, "sms")),
    Op("DELETE", "/agents/{uuid}/channels/whatsapp", "agents.channels.unbind", (A, "whatsapp")),
    Op(
        "DELETE",
        "/agents/{uuid}/channels/whatsapp-calling",
        "agents.channels.unbind",
        (A, "whatsapp-calling"),
    ),
    Op("DELETE", "/agents/{uuid}/channels/instagram", "agents.channels.unbind", (A, "instagram")),
    Op("DELETE", "/agents/{uuid}/channels/messenger", "agents.channels.unbind", (A, "messenger")),
    Op("PUT", "/agents/{uuid}/evaluate", "agents.set_evaluation", (A,), {"threshold": 70}),
    Op("POST", "/agents/{uuid}/evaluate/reassign", "agents.reset_evaluation", (A,)),
    # Messaging, scheduling
    Op(
        "POST",
        "/sms/send",
        "sms.send",
        (),
        {"agent_id": A, "phone_number": "+14155552671", "message": "Hi"},
    ),
    Op(
        "POST",
        "/whatsapp/template",
        "whatsapp.send_template",
        (),
        {"agent_id": A, "template_id": B, "phone_number": "+14155552671", "parameters": ["Ann"]},
    ),
    Op(
        "POST",
        "/whatsapp/templates",
        "whatsapp.create_template",
        (),
        {
            "name": "order_update",
            "language": "en_US",
            "category": "UTILITY",
            "waba_id": "123456789012345",
            "components": [{"type": "BODY", "text": "Hi {{1}}"}],
        },
    ),
    Op(
        "POST",
        "/appointments",
        "appointments.create",
        (),
        {
            "schedule_uuid": A,
            "title": "Visit",
            "start_time": "2030-12-01 10:00:00",
            "end_time": "2030-12-01 11:00:00",
        },
    ),
    Op("GET", "/appointment-requests", "appointment_requests.list", answer=[]),
    Op(
        "POST",
        "/appointment-requests",
        "appointment_requests.create",
        (),
        {
            "schedule_uuid": A,
            "title": "Visit",
            "start_time": "2030-12-01 10:00:00",
            "contact_uuid": B,
        },
    ),
    Op("GET", "/appointment-requests/{uuid}", "appointment_requests.get", (A,)),
    Op("PUT", "/schedules/{uuid}", "schedules.update", (A,), {"name": "Main"}),
    Op(
        "POST",
        "/agentic-search",
        "agentic_search.run",
        (),
        {"query": "What do we sell?"},
        answer={"answer": "Cars", "citations": ["https://example.com"]},
    ),
    # Seen only in a third-party client
    Op("GET", "/appointments", "appointments.list", answer=[]),
    Op("PUT", "/appointments/{uuid}", "appointments.update", (A,), {"title": "Visit"}),
    Op("DELETE", "/appointments/{uuid}", "appointments.delete", (A,)),
    Op(
        "POST",
        "/appointments/{uuid}/status",
        "appointments.set_status",
        (A,),
        {"status": "approved"},
    ),
    Op("GET", "/schedules", "schedules.list", answer=[]),
    # Transcriptions, evaluations, analyzers, contact approvals and custom fields
    Op("POST", "/transcriptions", "transcriptions.create", (), {"audio": b"RIFF0000WAVEfmt "}),
    Op("GET", "/transcriptions/{uuid}/transcript", "transcriptions.transcript", (A,), {}),
    Op(
        "GET",
        "/evaluations",
        "evaluations.list",
        (),
        {},
        answer={"current_page": 1, "data": [], "last_page": 1, "per_page": 15, "total": 0},
    ),
    Op(
        "PUT",
        "/evaluate/default",
        "evaluations.set_default",
        (),
        {"sessionization": {"timeout_minutes": 30}},
    ),
    Op(
        "PUT",
        "/analyzers/{internal_id}",
        "analyzers.update",
        ("f_order_number",),
        {"update_behavior": "automatic_update"},
    ),
    Op(
        "GET",
        "/contacts/approvals",
        "contacts.approvals",
        (),
        {},
        answer={"current_page": 1, "data": [], "last_page": 1, "per_page": 15, "total": 0},
    ),
    Op("GET", "/contacts/fields", "contacts.fields.list", (), {}, answer=[]),
    Op("POST", "/contacts/fields", "contacts.fields.create", (), {"key": "tier"}),
    # Numbers and telephony
    Op("GET", "/phone-numbers/trunks", "phone_numbers.trunks.list", answer={"items": []}),
    Op(
        "POST",
        "/phone-numbers/trunks",
        "phone_numbers.trunks.register",
        (),
        {"phone_number": PHONE, "agent_uuid": A, "channel": "call"},
        answer={"phone_number_uuid": A},
    ),
    Op(
        "PATCH",
        "/phone-numbers/trunks",
        "phone_numbers.trunks.update",
        (),
        {"phone_number": PHONE, "channel": "call", "name": "Main line"},
        answer={"phone_number_uuid": A},
    ),
    Op(
        "DELETE",
        "/phone-numbers/trunks",
        "phone_numbers.trunks.delete",
        (),
        {"phone_number": PHONE, "channel": "call"},
        answer={},
    ),
    Op(
        "PUT",
        "/phone-numbers/trunks/assign",
        "phone_numbers.trunks.assign",
        (),
        {"phone_number": PHONE, "channel": "call", "agent_uuid": B},
        answer={"phone_number_uuid": A},
    ),
    Op(
        "POST",
        "/channels/sip-trunk/connections",
        "sip_trunks.add_connection",
        (),
        {
            "name": "Telnyx",
            "phone_number": PHONE,
            "gateway": "sip.telnyx.com",
            "username": "user",
            "password": "secret",
        },
    ),
    # Flows
    Op("POST", "/flow/{uuid}/deploy", "flows.deploy", (A,)),
    Op("POST", "/flow/{uuid}/undeploy", "flows.undeploy", (A,)),
    Op(
        "POST",
        "/flow/{uuid}/steps",
        "flows.steps.create",
        (A,),
        {"kind": "trigger", "app_uid": "calls", "trigger_key": "call_ended"},
    ),
    Op("PATCH", "/flow/{uuid}/steps/{step}", "flows.steps.update", (A, B), {"config": {}}),
    Op(
        "POST",
        "/flow/{uuid}/steps/{step}/test",
        "flows.steps.test",
        (A, B),
        {"data": {"caller": PHONE}},
        answer={"kind": "trigger", "data": {}},
    ),
    # Listings (create seen; the rest from the third-party client)
    Op(
        "POST",
        "/listings",
        "listings.create",
        (),
        {"name": "Spring", "contacts": [{"phone_number": PHONE}]},
    ),
    Op("GET", "/listings", "listings.list", answer=[]),
    Op(
        "POST",
        "/listings/{uuid}/contacts",
        "listings.add_contacts",
        (A, [{"phone_number": PHONE}]),
        {},
    ),
    Op("DELETE", "/listings/{uuid}/contacts/{contact_uuid}", "listings.remove_contact", (A, B)),
    # Datasets (third-party client)
    Op(
        "POST",
        "/data/import/copypaste",
        "datasets.create",
        (),
        {"name": "Prices", "data": "City,Price\nRome,9"},
    ),
    Op("GET", "/data/{uuid}", "datasets.get", (A,)),
    Op("GET", "/data/{uuid}/records", "datasets.records", (A,), answer=PAGE),
    Op(
        "POST",
        "/data/{uuid}/records",
        "datasets.add_record",
        (A,),
        {"Price": "1999"},
        answer={"id": 7},
    ),
    Op(
        "PUT",
        "/data/{uuid}/records/{id}",
        "datasets.update_record",
        (A, 7),
        {"Price": "2499"},
        answer={"id": 7},
    ),
    Op("DELETE", "/data/{uuid}/records/{id}", "datasets.delete_record", (A, 7)),
    Op("POST", "/data/{uuid}/sync", "datasets.sync", (A,)),
    Op("POST", "/data/{uuid}/assign", "datasets.assign", (A,), {"agent_id": B}),
    # Workspace webhooks (third-party client)
    Op(
        "POST",
        "/webhooks",
        "webhooks.subscribe",
        (),
        {"target_url": "https://example.com/hook", "event": "voice_evaluation"},
    ),
    Op(
        "DELETE",
        "/webhooks",
        "webhooks.unsubscribe",
        (),
        {"target_url": "https://example.com/hook"},
    ),
]


def _method(client: mh.AsyncMindhunters, name: str) -> Any:
    target: Any = client
    for part in name.split("."):
        target = getattr(target, part)
    return target


@pytest.mark.parametrize("op", INVENTORY, ids=lambda op: f"{op.method} {op.path} {op.name}")
async def test_the_method_sends_the_documented_method_and_path(
    op: Op, api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    answer = {"uuid": A, "id": A} if op.answer is None else op.answer
    route = api.route().mock(return_value=ok(answer))
    result = _method(client, op.name)(*op.args, **op.kwargs)
    if inspect.isawaitable(result):
        await result
    assert route.call_count == 1, f"{op.name} sent {route.call_count} requests"
    sent = route.calls.last.request
    assert (sent.method, sent.url.path) == (op.method, "/api/v1" + op.concrete_path())
    assert str(sent.url).startswith(BASE_URL)


def test_every_method_of_the_sdk_is_in_the_inventory() -> None:
    # The other direction: an operation the SDK sends that the reference does not list
    # (a typo in a path template) would otherwise go unnoticed.
    listed = {(op.method, op.name) for op in INVENTORY}
    missing = [(e.method, e.path, e.name) for e in endpoints() if (e.method, e.name) not in listed]
    assert not missing


def test_the_inventory_has_no_duplicates() -> None:
    rows = [(op.method, op.concrete_path()) for op in INVENTORY]
    assert len(rows) == len(set(rows))
