"""An agent's intents, their action events, and the channels an agent can be bound to."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from .._config import TextEnum
from . import _aliases

__all__ = ["Channel", "Intent", "IntentEvent", "IntentWebhook"]


class Channel(TextEnum):
    """The messaging channels an agent is bound to with `client.agents.channels.bind`
    (the call channel has its own methods: `provision_call`, `assign_sip_trunk`).

    Members compare equal to their string values: `"whatsapp-calling"` and
    `Channel.WHATSAPP_CALLING` are interchangeable wherever the SDK takes a channel.
    """

    SMS = "sms"
    WHATSAPP = "whatsapp"
    WHATSAPP_CALLING = "whatsapp-calling"
    INSTAGRAM = "instagram"
    MESSENGER = "messenger"


@attrs.frozen(slots=False)
class IntentWebhook:
    """Where an intent's webhook goes (`url`, https). The auth token is write-only:
    this model shows only whether one is set (`has_auth_token`), never the token,
    even when the API sends it back."""

    url: str | None = None
    has_auth_token: bool | None = None


@attrs.frozen(slots=False)
class Intent:
    """An intent of an agent: its `key`, the `confidence_threshold` above which it
    fires, its `webhook` and `parameters` (the API's JSON as sent: their shape is
    not documented)."""

    id: str = attrs.field(metadata=_aliases("uuid", "intent_uuid", "intent_id"))
    agent_id: str | None = attrs.field(default=None, metadata=_aliases("agent_uuid"))
    key: str | None = None
    confidence_threshold: float | None = None
    webhook: IntentWebhook | None = None
    parameters: Any = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@attrs.frozen(slots=False)
class IntentEvent:
    """The action an intent triggers: set as a draft (`set_event`), then made live
    (`publish_event`).

    `intent_id` is always set (from the request when the API leaves it out);
    `status` is the API's word for the stage ("draft", "published"); `type`,
    `action` and `config` are read when present, the last two as the API's JSON:
    the event's shape is not documented.
    """

    intent_id: str = attrs.field(metadata=_aliases("intent_uuid"))
    id: str | None = attrs.field(default=None, metadata=_aliases("uuid", "event_uuid", "event_id"))
    type: str | None = None
    status: str | None = None
    action: Any = None
    config: Any = None
    published_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
