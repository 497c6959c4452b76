"""Conversations, their sessions and their messages (`client.conversations`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from . import _aliases

__all__ = ["ContactSummary", "Conversation", "ConversationMessage", "ConversationSession"]


@attrs.frozen(slots=False)
class ContactSummary:
    """A contact as a conversation or a session embeds it: who the agent talked to."""

    id: str | None = attrs.field(default=None, metadata=_aliases("uuid", "contact_uuid"))
    name: str | None = None
    surname: str | None = None
    phone_number: str | None = attrs.field(default=None, metadata=_aliases("phone"))
    email: str | None = None


@attrs.frozen(slots=False)
class Conversation:
    """One conversation between an agent and a contact, on one channel.

    A conversation groups sessions (each call or chat thread is a session: see
    `client.conversations.sessions`). `contact_uuid` and `phone` are set when the
    API sends them flat; newer answers embed the `contact` instead.
    """

    id: str = attrs.field(metadata=_aliases("uuid", "conversation_uuid", "conversation_id"))
    agent_uuid: str | None = attrs.field(default=None, metadata=_aliases("agent_id"))
    contact_uuid: str | None = attrs.field(default=None, metadata=_aliases("contact_id"))
    contact: ContactSummary | None = None
    phone: str | None = attrs.field(default=None, metadata=_aliases("phone_number"))
    channel: str | None = None
    status: str | None = None
    type: str | None = None
    responded_by: str | None = None
    is_simulation: bool | None = None
    session_uuids: tuple[str, ...] | None = None
    task_uuids: tuple[str, ...] | None = None
    campaign_uuid: str | None = None
    listing_uuid: str | None = None
    call: Any = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    timestamp: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@attrs.frozen(slots=False)
class ConversationSession:
    """One session of a conversation: a call, or a stretch of a chat, with its summary."""

    id: str = attrs.field(metadata=_aliases("uuid", "session_uuid", "session_id"))
    conversation_uuid: str | None = attrs.field(default=None, metadata=_aliases("conversation_id"))
    agent_uuid: str | None = attrs.field(default=None, metadata=_aliases("agent_id"))
    contact: ContactSummary | None = None
    status: str | None = None
    summary: str | None = None
    call_uuid: str | None = None
    campaign_uuid: str | None = None
    listing_uuid: str | None = None
    task_uuids: tuple[str, ...] | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    last_activity_at: datetime | None = None
    evaluated_at: datetime | None = None
    summary_generated_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@attrs.frozen(slots=False)
class ConversationMessage:
    """One message of a conversation: who sent it (`sender`: "AI", "Human" or
    "Contact") and what it says (`content`).

    The API documents no schema for messages, so `id` may be None here (unlike
    other models) and `content` is read from `content`, `text`, `message` or `body`.
    """

    id: str | None = attrs.field(
        default=None, metadata=_aliases("uuid", "message_uuid", "message_id")
    )
    sender: str | None = None
    content: str | None = attrs.field(default=None, metadata=_aliases("text", "message", "body"))
    type: str | None = None
    conversation_uuid: str | None = attrs.field(default=None, metadata=_aliases("conversation_id"))
    session_uuid: str | None = attrs.field(default=None, metadata=_aliases("session_id"))
    created_at: datetime | None = None
    updated_at: datetime | None = None
    timestamp: datetime | None = None
