"""The fake's transcriptions, evaluations, analyzers, contact approvals and custom fields.

`POST /transcriptions` reads a multipart/form-data body (the form and its
`voice_file`): 422 when it has neither `voice_file` nor `voice_url`, when the file
is empty or over 128 MiB, or when `webhook_url` is not a URL; 400 when the body is
not a form. The job is stored in "transcriptions" with `status` "pending"; the
file is not kept, only `_voice_file` (its filename, content type and size) and
`_webhook_header_token`, for tests to read (`fake.records("transcriptions")`). The
fake does not transcribe: `GET /transcriptions/{uuid}/transcript` shows the
record, with no messages until a test seeds them
(`fake.add_record("transcriptions", status="completed", conversation={"messages":
[...]})`); 404 for an unknown uuid.

`GET /evaluations` pages the "evaluations" collection (seed it with `add_record`),
filtered by `session_uuid`, `conversation_uuid`, `contact_uuid`. `PUT
/evaluate/default` merges the body into the workspace default and answers it
whole. `PUT /analyzers/{id}` updates an analyzer seeded in "analyzers" under its
id (`add_record("analyzers", uuid="f_order_number")`): 404 for an unknown one, 422
for an id without a `b_`, `f_` or `p_` prefix, an unknown `update_behavior`, goals
or examples over 1,000 characters, or anything but `update_behavior` for a `b_`.

`GET /contacts/approvals` pages "contact_approvals", filtered by `status`,
`field_name`, `field_key` (`field_name` = "f_<key>"), `contact_uuid`,
`conversation_uuid` and `pipeline_uuid`. `GET /contacts/fields` pages
"contact_fields"; `POST /contacts/fields` registers one (`key` required and
unique, else 422), after which contacts accept that key (see `contacts.py`).
"""

from __future__ import annotations

import email.parser
import email.policy
import uuid
from typing import Any, Final

import httpx

from .._api import Incoming, Route, _timestamp_now
from .._envelopes import ApiError, success, validation_error
from .._records import action_route, find, laravel_page, list_route
from .._state import FakeState

__all__ = ["ROUTES"]

_MAX_VOICE_FILE: Final = 128 * 1024 * 1024
_BEHAVIORS: Final = frozenset(
    {
        "dont_update",
        "update_if_empty",
        "ask_approval_if_existing",
        "manual_approval",
        "automatic_update",
    }
)


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if not key.startswith("_")}


# Transcriptions


def _form(request: httpx.Request) -> tuple[dict[str, str], dict[str, Any] | None] | ApiError:
    """The text fields of a multipart/form-data body, and its `voice_file` (filename,
    content type, size), or the API's 400 for a body that is not such a form."""
    kind = request.headers.get("content-type", "")
    if not kind.lower().startswith("multipart/form-data"):
        return ApiError(
            400, "Invalid request", "INVALID_REQUEST", "The body must be multipart/form-data"
        )
    head = f"Content-Type: {kind}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + request.content)
    if not message.is_multipart():
        return ApiError(
            400, "Invalid request", "INVALID_REQUEST", "The multipart body could not be read"
        )
    values: dict[str, str] = {}
    voice_file = None
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if not isinstance(name, str) or not isinstance(payload, bytes):
            continue
        if name == "voice_file":
            voice_file = {
                "filename": part.get_filename(),
                "content_type": part.get_content_type(),
                "size": len(payload),
            }
        else:
            values[name] = payload.decode("utf-8", "replace")
    return values, voice_file


def _new_transcription(state: FakeState, incoming: Incoming) -> httpx.Response:
    form = _form(incoming.request)
    if isinstance(form, ApiError):
        return form.response()
    values, voice_file = form
    if voice_file is None and not values.get("voice_url", "").strip():
        return validation_error(
            "VALIDATION_ERROR",
            "voice_file",
            "The voice file field is required when voice url is not present",
        ).response()
    if voice_file is not None and not 0 < voice_file["size"] <= _MAX_VOICE_FILE:
        return validation_error(
            "VALIDATION_ERROR", "voice_file", "The voice file must be between 1 byte and 128 MB"
        ).response()
    for name in ("webhook_url", "voice_url"):
        if name in values and not values[name].startswith(("https://", "http://")):
            return validation_error(
                "INVALID_FORMAT", name, f"The {name} field must be a valid URL"
            ).response()
    token = values.pop("webhook_header_token", None)
    now = _timestamp_now(state)
    job_id = str(uuid.uuid4())
    record: dict[str, Any] = {
        **values,
        "uuid": job_id,
        "status": "pending",
        "created_at": now,
        "_voice_file": voice_file,
        "_webhook_header_token": token,
    }
    state.records.setdefault("transcriptions", {})[job_id] = record
    shown = _public(record)
    shown.pop("webhook_url", None)
    return success(201, "Transcription request submitted successfully", shown)


def _transcript(state: FakeState, incoming: Incoming) -> httpx.Response:
    record = find(state, "transcriptions", incoming, "Transcription")
    if isinstance(record, ApiError):
        return record.response()
    data = {
        "id": record["uuid"],
        "reference_id": record.get("reference_id"),
        "status": record.get("status"),
        "qa_agent_uuid": record.get("qa_agent_uuid"),
        "coaching_agent_uuid": record.get("coaching_agent_uuid"),
        "conversation": record.get("conversation") or {"plain": "", "messages": []},
        "session": record.get("session"),
        "evaluations": record.get("evaluations") or {},
        "processed_at": record.get("processed_at"),
    }
    return success(200, "", data)


# Evaluation settings and analyzers


def _set_default(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> httpx.Response:
    settings = state.records.setdefault("evaluation_settings", {}).setdefault(
        "default", {"is_default": True, "is_active": True, "source": "default"}
    )
    for key, value in body.items():
        # Sections merge one level deep, as the docs' partial updates show.
        old = settings.get(key)
        if isinstance(old, dict) and isinstance(value, dict):
            settings[key] = {**old, **value}
        else:
            settings[key] = value
    return success(200, "Default evaluate settings updated", dict(settings))


def _update_analyzer(
    state: FakeState, incoming: Incoming, body: dict[str, Any]
) -> httpx.Response | ApiError:
    analyzer_id = incoming.params["uuid"]
    if not analyzer_id.startswith(("b_", "f_", "p_")):
        return validation_error(
            "VALIDATION_ERROR", "internal_id", "The analyzer id must start with b_, f_ or p_"
        )
    analyzer = find(state, "analyzers", incoming, "Analyzer")
    if isinstance(analyzer, ApiError):
        return analyzer
    behavior = body.get("update_behavior")
    if behavior is not None and behavior not in _BEHAVIORS:
        return validation_error(
            "VALIDATION_ERROR", "update_behavior", "The selected update behavior is invalid"
        )
    for name in ("analysis_goals", "example_values"):
        value = body.get(name)
        if value is not None and (not isinstance(value, str) or len(value) > 1000):
            return validation_error(
                "VALIDATION_ERROR", name, f"The {name} may not be greater than 1000 characters"
            )
    if analyzer_id.startswith("b_") and set(body) - {"update_behavior"}:
        return validation_error(
            "VALIDATION_ERROR",
            sorted(set(body) - {"update_behavior"})[0],
            "Only update_behavior can be changed for built-in fields",
        )
    analyzer.update(body)
    analyzer["updated_at"] = _timestamp_now(state)
    shown = _public(analyzer)
    shown["internal_id"] = shown.pop("uuid")
    return success(200, "Analyzer updated", shown)


# Contact approvals and custom fields


def _approvals(state: FakeState, incoming: Incoming) -> httpx.Response:
    query = incoming.request.url.params
    records = list(reversed(state.records.get("contact_approvals", {}).values()))
    wanted = {
        name: query.get(name)
        for name in ("status", "field_name", "contact_uuid", "conversation_uuid", "pipeline_uuid")
    }
    if query.get("field_key"):
        wanted["field_name"] = f"f_{query['field_key']}"
    for name, value in wanted.items():
        if value:
            records = [r for r in records if str(r.get(name)) == value]
    answer = laravel_page(incoming, records, "Approvals retrieved")
    return answer.response() if isinstance(answer, ApiError) else answer


def _new_contact_field(
    state: FakeState, incoming: Incoming, body: dict[str, Any]
) -> httpx.Response | ApiError:
    key = body.get("key")
    if not isinstance(key, str) or not key.strip():
        return validation_error("VALIDATION_ERROR", "key", "The key field is required")
    fields = state.records.setdefault("contact_fields", {})
    if any(record.get("key") == key for record in fields.values()):
        return validation_error("VALIDATION_ERROR", "key", "The key has already been taken")
    now = _timestamp_now(state)
    record = {**body, "uuid": str(uuid.uuid4()), "created_at": now, "updated_at": now}
    fields[record["uuid"]] = record
    return success(201, "Custom field created successfully", _public(record))


ROUTES: Final[tuple[Route, ...]] = (
    Route("POST", "/transcriptions", "transcriptions:write", _new_transcription),
    Route("GET", "/transcriptions/{uuid}/transcript", "transcriptions:read", _transcript),
    list_route(
        "/evaluations",
        "evaluations",
        "evaluations:read",
        filters=("session_uuid", "conversation_uuid", "contact_uuid"),
        message="Evaluations retrieved successfully",
    ),
    action_route("PUT", "/evaluate/default", "evaluations:write", _set_default),
    action_route("PUT", "/analyzers/{uuid}", "analyzers:write", _update_analyzer),
    Route("GET", "/contacts/approvals", "contacts:read", _approvals),
    list_route("/contacts/fields", "contact_fields", "contacts:read"),
    action_route("POST", "/contacts/fields", "contacts:write", _new_contact_field),
)
