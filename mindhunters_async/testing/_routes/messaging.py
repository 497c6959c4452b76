"""The fake's messaging endpoints: SMS, WhatsApp templates, and agentic search.

Nothing is delivered: every message sent is recorded, so a test can assert what
went out. `fake.records("sms")` holds each SMS (`agentId`, `phoneNumber`,
`message`, `conversationId`) by message id; `fake.records("whatsapp_messages")`
each template sent (`agentId`, `templateId`, `phoneNumber`, `parameters`,
`header`). Senders must be known agents (404 otherwise); the fake does not model
channel bindings, so any known agent can send. Numbers must be E.164, an SMS 1 to
1,600 characters (422 naming the field, as the API answers).

WhatsApp templates are records of "whatsapp_templates": made with
`create_template` (approved at once: the fake has no Meta review) or seeded with
`fake.add_record("whatsapp_templates", name=..., status="APPROVED")`. Sending an
unknown template is 404; one whose `status` is not "APPROVED" is 422. A second
template with the same name and language in one WABA is 422.

Agentic search answers deterministically from the query: the answer of a record
of "agentic_search_answers" whose `query` equals it
(`fake.add_record("agentic_search_answers", query=..., answer=..., citations=[...])`),
otherwise a canned answer quoting the query with one citation derived from it.
Each search is recorded in "agentic_searches".
"""

from __future__ import annotations

import hashlib
import re
import uuid
from typing import Any, Final

import httpx

from .._api import Incoming, Route, _timestamp_now
from .._envelopes import ApiError, not_found, success, validation_error
from .._records import action_route, is_uuid
from .._state import FakeState

__all__ = ["ROUTES"]

_Answer = httpx.Response | ApiError

_E164: Final = re.compile(r"\+[1-9][0-9]{1,14}")
_E164_DETAILS: Final = "Phone number must be in E.164 format (e.g., +1234567890)"
_SMS_MAX: Final = 1600
_QUERY_MAX: Final = 4000
_CATEGORIES: Final = ("MARKETING", "UTILITY", "AUTHENTICATION")
_TEMPLATE_NAME: Final = re.compile(r"[a-z0-9_]{1,512}")


def _blank(value: Any) -> bool:
    return value is None or value in ([], {}) or (isinstance(value, str) and not value.strip())


def _required(body: dict[str, Any], *names: str) -> ApiError | None:
    for name in names:
        if _blank(body.get(name)):
            return validation_error("VALIDATION_ERROR", name, f"The {name} field is required")
    return None


def _sender(state: FakeState, body: dict[str, Any]) -> ApiError | None:
    """The checks every message shares: a known agent, an E.164 recipient."""
    if (error := _required(body, "agentId", "phoneNumber")) is not None:
        return error
    agent_id = body["agentId"]
    if not is_uuid(agent_id):
        return validation_error("INVALID_UUID", "agentId", "agentId must be a valid UUID")
    number = body["phoneNumber"]
    if not isinstance(number, str) or not _E164.fullmatch(number):
        return validation_error("INVALID_FORMAT", "phoneNumber", _E164_DETAILS)
    if agent_id not in state.agents:
        return not_found("Agent", agent_id)
    return None


def _send_sms(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    if (error := _sender(state, body)) is not None:
        return error
    message = body.get("message")
    if _blank(message) or not isinstance(message, str):
        return validation_error("VALIDATION_ERROR", "message", "The message field is required")
    if len(message) > _SMS_MAX:
        return validation_error(
            "VALIDATION_ERROR",
            "message",
            f"The message field must not be greater than {_SMS_MAX} characters.",
        )
    record = {
        "uuid": str(uuid.uuid4()),
        "agentId": body["agentId"],
        "phoneNumber": body["phoneNumber"],
        "message": message,
        "conversationId": str(uuid.uuid4()),
        "created_at": _timestamp_now(state),
    }
    state.records.setdefault("sms", {})[record["uuid"]] = record
    data = {
        "messageId": record["uuid"],
        "recipientPhone": record["phoneNumber"],
        "conversationId": record["conversationId"],
    }
    return success(200, "SMS message sent successfully", data)


def _send_template(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    if (error := _sender(state, body)) is not None:
        return error
    if (error := _required(body, "templateId")) is not None:
        return error
    template_id = body["templateId"]
    if not is_uuid(template_id):
        return validation_error("INVALID_UUID", "templateId", "templateId must be a valid UUID")
    parameters = body.get("parameters")
    if parameters is not None and not isinstance(parameters, dict):
        return validation_error(
            "VALIDATION_ERROR", "parameters", "The parameters field must be an object"
        )
    template = state.records.get("whatsapp_templates", {}).get(template_id)
    if template is None:
        return not_found("Template", template_id)
    if template.get("status") != "APPROVED":
        return validation_error(
            "VALIDATION_ERROR", "templateId", "The template is not approved by WhatsApp"
        )
    # A wamid is base64 of the recipient and a random id; its shape is all that matters.
    message_id = "wamid." + uuid.uuid4().hex.upper()
    record = {
        "uuid": message_id,
        **{key: body.get(key) for key in ("agentId", "templateId", "phoneNumber")},
        "parameters": parameters,
        "header": body.get("header"),
        "conversationId": str(uuid.uuid4()),
        "created_at": _timestamp_now(state),
    }
    state.records.setdefault("whatsapp_messages", {})[message_id] = record
    data = {
        "messageId": message_id,
        "templateName": template.get("name"),
        "recipientPhone": body["phoneNumber"],
        "conversationId": record["conversationId"],
    }
    return success(200, "WhatsApp template message sent successfully", data)


def _create_template(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    if (error := _template_error(state, body)) is not None:
        return error
    now = _timestamp_now(state)
    template = {
        **body,
        "uuid": str(uuid.uuid4()),
        "status": "APPROVED",
        "type": "whatsapp",
        "template_id": str(uuid.uuid4().int % 10**15),
        "created_at": now,
        "updated_at": now,
    }
    state.records.setdefault("whatsapp_templates", {})[template["uuid"]] = template
    return success(201, "Template created successfully", template)


def _template_error(state: FakeState, body: dict[str, Any]) -> ApiError | None:
    required = ("name", "language", "category", "waba_id", "components")
    if (error := _required(body, *required)) is not None:
        return error
    name = body["name"]
    if not isinstance(name, str) or not _TEMPLATE_NAME.fullmatch(name):
        return validation_error(
            "VALIDATION_ERROR", "name", "The name must be lowercase snake_case, 1-512 chars"
        )
    if body.get("category") not in _CATEGORIES:
        return validation_error(
            "VALIDATION_ERROR", "category", f"The category must be one of {', '.join(_CATEGORIES)}"
        )
    components = body["components"]
    if not isinstance(components, list) or not all(isinstance(c, dict) for c in components):
        return validation_error(
            "VALIDATION_ERROR", "components", "The components must be an array of objects"
        )
    key = (name, body["language"], str(body["waba_id"]))
    for template in state.records.get("whatsapp_templates", {}).values():
        if (template.get("name"), template.get("language"), str(template.get("waba_id"))) == key:
            return validation_error(
                "VALIDATION_ERROR", "name", "A template with this name and language exists"
            )
    return None


def _search(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    query = body.get("query")
    if _blank(query) or not isinstance(query, str):
        return validation_error("VALIDATION_ERROR", "query", "The query field is required")
    if len(query) > _QUERY_MAX:
        return validation_error(
            "VALIDATION_ERROR",
            "query",
            f"The query field must not be greater than {_QUERY_MAX} characters.",
        )
    seeded = state.records.get("agentic_search_answers", {}).values()
    answer = next((record for record in seeded if record.get("query") == query), None)
    if answer is None:
        digest = hashlib.sha256(query.encode()).hexdigest()[:12]
        data: dict[str, Any] = {
            "answer": f"Fake answer to: {query}",
            "citations": [f"https://fake.mindhunters.ai/sources/{digest}"],
        }
    else:
        data = {"answer": answer.get("answer"), "citations": answer.get("citations") or []}
    record_id = str(uuid.uuid4())
    state.records.setdefault("agentic_searches", {})[record_id] = {
        "uuid": record_id,
        **body,
        **data,
        "created_at": _timestamp_now(state),
    }
    return success(200, "Search completed successfully", data)


ROUTES: Final[tuple[Route, ...]] = (
    action_route("POST", "/sms/send", "sms:send", _send_sms),
    action_route("POST", "/whatsapp/template", "whatsapp:send", _send_template),
    action_route("POST", "/whatsapp/templates", "whatsapp:write", _create_template),
    action_route("POST", "/agentic-search", "agentic_search:run", _search),
)
