"""The fake's conversations endpoints: `/conversations` and below.

The API has no endpoint that creates a conversation: put them in the fake with
`fake.add_record("conversations", agent_uuid=..., contact_uuid=..., phone=...,
channel="Call", status="Active")`, their sessions with
`fake.add_record("conversation_sessions", conversation_uuid=..., ...)` and their
messages with `fake.add_record("conversation_messages", conversation_uuid=...,
sender="AI", content="Hello")`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

import httpx

from .._api import Incoming, Route
from .._envelopes import ApiError, validation_error
from .._records import action_route, find, get_route, is_uuid, laravel_page
from .._state import FakeState

__all__ = ["ROUTES"]


def _matching(records: Iterable[dict[str, Any]], key: str, wanted: str | None) -> list[Any]:
    # An empty filter is ignored, as Laravel's `$request->filled()` ignores it.
    if not wanted:
        return list(records)
    return [r for r in records if str(r.get(key)) == wanted]


def _sorted(
    records: list[dict[str, Any]], key: str, direction: str
) -> list[dict[str, Any]] | ApiError:
    if direction not in ("asc", "desc"):
        return validation_error(
            "VALIDATION_ERROR", "sort_dir", "The selected sort_dir is invalid (asc or desc)"
        )
    # Stable, so that equal keys keep the order the records were added in
    # (reversed for "desc": the newest first).
    ordered = sorted(records, key=lambda r: str(r.get(key) or ""))
    return ordered[::-1] if direction == "desc" else ordered


def _contact_of(record: Mapping[str, Any]) -> Mapping[str, Any]:
    contact = record.get("contact")
    return contact if isinstance(contact, dict) else {}


def list_conversations(
    state: FakeState, incoming: Incoming, body: dict[str, Any]
) -> httpx.Response | ApiError:
    """`GET /conversations`: filtered, sorted (default: newest first), paginated."""
    query = incoming.request.url.params
    for name in ("contact_uuid", "agent_uuid"):
        value = query.get(name)
        if value and not is_uuid(value):
            return validation_error("INVALID_UUID", name, f"{name} must be a valid UUID")
    records = list(state.records.get("conversations", {}).values())
    if contact_id := query.get("contact_uuid"):
        records = [
            r for r in records if contact_id in (r.get("contact_uuid"), _contact_of(r).get("uuid"))
        ]
    if phone := query.get("phone"):
        # A partial match, on the flat `phone` or the embedded contact's number.
        records = [
            r
            for r in records
            if phone in str(r.get("phone") or _contact_of(r).get("phone_number") or "")
        ]
    for name in ("agent_uuid", "channel", "status"):
        records = _matching(records, name, query.get(name))
    ordered = _sorted(records, query.get("sort_by") or "created_at", query.get("sort_dir", "desc"))
    if isinstance(ordered, ApiError):
        return ordered
    return laravel_page(incoming, ordered, "Conversations retrieved successfully")


def _children(
    state: FakeState, incoming: Incoming, collection: str
) -> list[dict[str, Any]] | ApiError:
    conversation = find(state, "conversations", incoming, "Conversation")
    if isinstance(conversation, ApiError):
        return conversation
    return [
        r
        for r in state.records.get(collection, {}).values()
        if r.get("conversation_uuid") == conversation["uuid"]
    ]


def list_sessions(
    state: FakeState, incoming: Incoming, body: dict[str, Any]
) -> httpx.Response | ApiError:
    """`GET /conversations/{uuid}/sessions`: oldest first, filtered by `status`."""
    sessions = _children(state, incoming, "conversation_sessions")
    if isinstance(sessions, ApiError):
        return sessions
    sessions = _matching(sessions, "status", incoming.request.url.params.get("status"))
    return laravel_page(incoming, sessions, "Sessions retrieved successfully")


def list_messages(
    state: FakeState, incoming: Incoming, body: dict[str, Any]
) -> httpx.Response | ApiError:
    """`GET /conversations/{uuid}/messages`: by `created_at` in `sort_dir` (default
    "asc"), filtered by `sender`, 25 a page by default."""
    query = incoming.request.url.params
    messages = _children(state, incoming, "conversation_messages")
    if isinstance(messages, ApiError):
        return messages
    messages = _matching(messages, "sender", query.get("sender"))
    ordered = _sorted(messages, "created_at", query.get("sort_dir", "asc"))
    if isinstance(ordered, ApiError):
        return ordered
    return laravel_page(
        incoming, ordered, "Conversation messages retrieved successfully", per_page=(25, 100)
    )


ROUTES: Final[tuple[Route, ...]] = (
    action_route("GET", "/conversations", "conversations:read", list_conversations),
    action_route("GET", "/conversations/{uuid}/sessions", "conversations:read", list_sessions),
    action_route("GET", "/conversations/{uuid}/messages", "conversations:read", list_messages),
    get_route(
        "/conversations/{uuid}",
        "conversations",
        "conversations:read",
        kind="Conversation",
        message="Conversation retrieved successfully",
    ),
)
