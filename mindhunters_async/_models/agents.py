"""Agents and their webhook subscriptions, as the agents endpoints show them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

import attrs

from .._config import TextEnum
from .._converter import converter

__all__ = ["Agent", "AgentWebhook", "WebhookEvent"]


def _aliases(*names: str) -> dict[str, tuple[str, ...]]:
    return {"aliases": names}


class WebhookEvent(TextEnum):
    """The events an agent webhook may subscribe to (the six the API documents).

    Members compare equal to their string values, so `"intent_call"` and
    `WebhookEvent.INTENT_CALL` are interchangeable wherever the SDK takes an event.
    """

    CONVERSATION_STATUS = "conversation_status"
    CONVERSATION_END_REPORT = "conversation_end_report"
    CONVERSATION_UPDATE = "conversation_update"
    VOICE_EVALUATION = "voice_evaluation"
    TEXT_EVALUATION = "text_evaluation"
    INTENT_CALL = "intent_call"


@attrs.frozen(slots=False)
class AgentWebhook:
    """One of an agent's webhook subscriptions: where (`url`, https) and on which `events`.

    The secret key is write-only: the API shows only whether one is set
    (`has_secret`), and so does this model.
    """

    id: str = attrs.field(metadata=_aliases("uuid", "webhook_uuid", "webhook_id"))
    agent_id: str | None = attrs.field(default=None, metadata=_aliases("agent_uuid"))
    url: str | None = None
    events: tuple[str, ...] | None = None
    is_active: bool | None = None
    has_secret: bool | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@attrs.frozen(slots=False)
class Agent:
    """A voice agent.

    `id` is always set (the API sends it as `uuid` or `agent_uuid`); the rest may be
    None, as the API's pages disagree on what they return. The sections (`settings`,
    `notes`, `guidelines`, `procedures`, `training`, `appointments`, `routing_rules`,
    `guard_rules`, `intents`, `channels`, `evaluation`) are the API's JSON as sent, not
    typed models: their shapes are not documented in full. An auth token the API
    echoes in an intent's webhook is replaced by `has_auth_token`.
    """

    id: str = attrs.field(metadata=_aliases("uuid", "agent_uuid", "agent_id"))
    name: str | None = None
    description: str | None = None
    status: str | None = None
    language: str | None = None
    source_url: str | None = None
    settings: Any = None
    notes: Any = None
    guidelines: Any = None
    procedures: Any = None
    training: Any = None
    appointments: Any = None
    routing_rules: Any = None
    guard_rules: Any = None
    intents: Any = None
    channels: Any = None
    webhooks: tuple[AgentWebhook, ...] | None = None
    evaluation: Any = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


_TOKEN_KEYS: Final = ("auth_token", "authToken")


def without_token(intent: Any) -> Any:
    """An intent's JSON with any auth token the API echoes in its webhook replaced by
    `has_auth_token`: the token reaches no model, and so no repr or log."""
    hook = intent.get("webhook") if isinstance(intent, dict) else None
    if not isinstance(hook, dict) or not any(key in hook for key in _TOKEN_KEYS):
        return intent
    shown = {key: value for key, value in hook.items() if key not in _TOKEN_KEYS}
    shown.setdefault("has_auth_token", any(bool(hook.get(key)) for key in _TOKEN_KEYS))
    return {**intent, "webhook": shown}


_read_agent = converter.get_structure_hook(Agent)


def _structure_agent(data: Any, cls: type[Agent]) -> Agent:
    if isinstance(data, dict) and isinstance(data.get("intents"), list):
        data = {**data, "intents": [without_token(intent) for intent in data["intents"]]}
    return _read_agent(data, cls)  # type: ignore[no-any-return]


# Registered on the SDK's one converter, so every agent the SDK reads (one, a page,
# a write's answer) is scrubbed of intent auth tokens the same way.
converter.register_structure_hook(Agent, _structure_agent)
