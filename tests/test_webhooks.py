"""webhooks.parse_event: each documented event typed, unknown ones kept, bad bodies refused."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

import pytest

import mindhunters_async as mh
from mindhunters_async import webhooks

CALL_ID = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
CONVERSATION = "9b2f5c1e-3a4d-4e5f-8a9b-0c1d2e3f4a5b"


def delivery(event: str, **data: Any) -> bytes:
    return json.dumps({"event": event, "data": data}).encode()


@pytest.mark.parametrize(
    ("event", "cls"),
    [
        ("conversation_status", webhooks.ConversationStatus),
        ("conversation_end_report", webhooks.ConversationEndReport),
        ("conversation_update", webhooks.ConversationUpdate),
        ("voice_evaluation", webhooks.VoiceEvaluation),
        ("text_evaluation", webhooks.TextEvaluation),
        ("intent_call", webhooks.IntentCall),
    ],
)
def test_each_documented_event_has_its_class(event: str, cls: type[Any]) -> None:
    parsed = webhooks.parse_event(delivery(event, call_id=CALL_ID, extra={"kept": True}))
    assert type(parsed) is cls
    assert parsed.event == event
    assert parsed.event is mh.WebhookEvent(event)
    assert parsed.call_id == CALL_ID
    # What the typed fields do not cover stays reachable, as sent.
    assert parsed.data == {"call_id": CALL_ID, "extra": {"kept": True}}


def test_every_webhook_event_member_is_covered() -> None:
    for member in mh.WebhookEvent:
        assert not isinstance(webhooks.parse_event({"event": member.value}), webhooks.UnknownEvent)


def test_an_end_report_as_a_third_party_integration_shows_it() -> None:
    body = delivery(
        "conversation_end_report",
        callId=CALL_ID,
        conversation_uuid=CONVERSATION,
        agent_id=42,  # a legacy integer id
        session_type="call",
        duration="93",
        number="+14155552671",
        contact_info={"name": "Ada"},
        sentiment_analysis={"overall": "positive"},
        call_end_analysis={"reason": "goal reached"},
        appointment=None,
        timestamp="2024-05-01T10:30:00Z",
        fields={"order": "A-17"},
    )
    event = webhooks.parse_event(body)
    assert event == webhooks.ConversationEndReport(
        call_id=CALL_ID,
        conversation_uuid=CONVERSATION,
        agent_id="42",
        session_type="call",
        duration=93.0,
        number="+14155552671",
        contact_info={"name": "Ada"},
        sentiment_analysis={"overall": "positive"},
        call_end_analysis={"reason": "goal reached"},
        timestamp=datetime(2024, 5, 1, 10, 30, tzinfo=timezone.utc),
        fields={"order": "A-17"},
        data=json.loads(body)["data"],
    )


def test_str_bytes_and_dict_bodies_read_the_same() -> None:
    raw = delivery("intent_call", intent_key="book_demo", parameters={"day": "Monday"})
    events = [webhooks.parse_event(b) for b in (raw, raw.decode(), bytearray(raw), json.loads(raw))]
    assert all(e == events[0] for e in events)
    assert isinstance(events[0], webhooks.IntentCall)
    assert (events[0].intent, events[0].parameters) == ("book_demo", {"day": "Monday"})


def test_a_key_named_data_inside_the_payload_does_not_replace_it() -> None:
    event = webhooks.parse_event(delivery("conversation_update", data=[1, 2]))
    assert event.data == {"data": [1, 2]}


def test_a_flat_delivery_carries_its_data_beside_the_name() -> None:
    event = webhooks.parse_event({"event": "conversation_status", "status": "ringing"})
    assert isinstance(event, webhooks.ConversationStatus)
    assert event.status == "ringing"


def test_an_unknown_event_keeps_its_raw_data() -> None:
    event = webhooks.parse_event(b'{"event": "sms_received", "data": ["any", "json"]}')
    assert event == webhooks.UnknownEvent(event="sms_received", data=["any", "json"])


def test_wrongly_typed_optional_fields_read_as_none() -> None:
    event = webhooks.parse_event(delivery("conversation_end_report", duration={"no": 1}))
    assert isinstance(event, webhooks.ConversationEndReport)
    assert event.duration is None


def test_personal_data_stays_out_of_the_repr() -> None:
    event = webhooks.parse_event(delivery("conversation_status", secret_note="PII-123"))
    assert "PII-123" not in repr(event)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "not JSON"),
        (b"{not json", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "not JSON"),
        (b"[]", "not an object"),
        (b'"conversation_status"', "not an object"),
        (b"{}", "no event name"),
        (b'{"event": 7}', "no event name"),
        (b'{"event": "  "}', "no event name"),
        (b'{"event": "conversation_status", "data": "x"}', "data is not an object"),
        (b'{"event": "intent_call", "data": null}', "data is not an object"),
    ],
)
def test_malformed_bodies_raise_webhook_error(body: bytes, reason: str) -> None:
    with pytest.raises(mh.MindhuntersError) as info:
        webhooks.parse_event(body)
    assert isinstance(info.value, webhooks.WebhookError)
    assert isinstance(info.value, ValueError)
    assert info.value.reason == reason


def test_the_error_never_quotes_the_body() -> None:
    with pytest.raises(webhooks.WebhookError) as info:
        webhooks.parse_event(b'{"event": "x", "data": "+14155552671" oops')
    assert "+1415" not in str(info.value)


# The verify hook

SECRET = b"whsec-test"


def hmac_verifier(body: bytes, headers: Mapping[str, str]) -> bool:
    """A scheme a user might plug in the day the API publishes one."""
    expected = hmac.new(SECRET, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers.get("x-signature", ""), expected)


def test_verify_runs_on_the_raw_body_before_parsing() -> None:
    body = delivery("conversation_status", status="ringing")
    signature = hmac.new(SECRET, body, hashlib.sha256).hexdigest()
    event = webhooks.parse_event(body, {"x-signature": signature}, verify=hmac_verifier)
    assert isinstance(event, webhooks.ConversationStatus)

    with pytest.raises(webhooks.WebhookError) as info:
        webhooks.parse_event(body, {"x-signature": "0" * 64}, verify=hmac_verifier)
    assert info.value.reason == "rejected by verify"


def test_verify_refuses_even_a_malformed_body_first() -> None:
    seen: list[tuple[bytes, Mapping[str, str]]] = []

    def refuse(body: bytes, headers: Mapping[str, str]) -> bool:
        seen.append((body, headers))
        return False

    with pytest.raises(webhooks.WebhookError) as info:
        webhooks.parse_event("not json", verify=refuse)
    assert info.value.reason == "rejected by verify"
    assert seen == [(b"not json", {})]


def test_a_verifier_that_raises_rejects_with_the_cause_chained() -> None:
    def broken(body: bytes, headers: Mapping[str, str]) -> None:
        raise LookupError("no signature header")

    with pytest.raises(webhooks.WebhookError) as info:
        webhooks.parse_event(b"{}", verify=broken)
    assert info.value.reason == "rejected by verify"
    assert isinstance(info.value.__cause__, LookupError)


def test_a_verifier_returning_none_accepts() -> None:
    event = webhooks.parse_event(b'{"event": "x"}', verify=lambda body, headers: None)
    assert event == webhooks.UnknownEvent("x", data={})


def test_verify_needs_the_raw_body() -> None:
    with pytest.raises(TypeError, match="raw body"):
        webhooks.parse_event({"event": "x"}, verify=hmac_verifier)
