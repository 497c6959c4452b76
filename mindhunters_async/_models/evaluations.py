"""Session evaluations, evaluation settings, analyzers and contact-field approvals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from .._config import TextEnum
from . import _aliases

__all__ = [
    "Analyzer",
    "ContactApproval",
    "ContactField",
    "Evaluation",
    "EvaluationScore",
    "EvaluationSettings",
    "UpdateBehavior",
]


@attrs.frozen(slots=False)
class EvaluationScore:
    """One judgement of an evaluation: its `value` (a label such as "Positive", or a
    number), the model's `confidence` (0-100) and its `reason`."""

    value: Any = None
    confidence: float | None = None
    reason: str | None = None


@attrs.frozen(slots=False)
class Evaluation:
    """The evaluation of one session: sentiment, emotion, intent, satisfaction, ...

    Each judgement is an `EvaluationScore` (None when the API did not make it).
    """

    id: str = attrs.field(metadata=_aliases("uuid", "evaluation_uuid", "evaluation_id"))
    session_uuid: str | None = attrs.field(default=None, metadata=_aliases("session_id"))
    conversation_uuid: str | None = attrs.field(default=None, metadata=_aliases("conversation_id"))
    contact_uuid: str | None = attrs.field(default=None, metadata=_aliases("contact_id"))
    sentiment: EvaluationScore | None = None
    emotion: EvaluationScore | None = None
    sentiment_strength: EvaluationScore | None = None
    intent: EvaluationScore | None = None
    intent_labels: EvaluationScore | None = None
    knowledge_gap: EvaluationScore | None = None
    human_escalation: EvaluationScore | None = None
    contextual_sentiment: EvaluationScore | None = None
    satisfaction: EvaluationScore | None = None
    success: EvaluationScore | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@attrs.frozen(slots=False)
class EvaluationSettings:
    """Evaluation settings: the workspace default (`client.evaluations.set_default`).

    `source` says where they come from ("default", or "agent" for an agent's own);
    `sessionization`, `text` and `voice` are kept as the API sends them (objects of
    analyzers, each with `enabled` and a `description` or `prompt`).
    """

    agent_uuid: str | None = attrs.field(default=None, metadata=_aliases("agent_id"))
    is_default: bool | None = None
    is_active: bool | None = None
    source: str | None = None
    sessionization: Any = None
    text: Any = None
    voice: Any = None


class UpdateBehavior(TextEnum):
    """What an analyzer does with a value it finds (`client.analyzers.update`)."""

    DONT_UPDATE = "dont_update"
    UPDATE_IF_EMPTY = "update_if_empty"
    ASK_APPROVAL_IF_EXISTING = "ask_approval_if_existing"
    MANUAL_APPROVAL = "manual_approval"
    AUTOMATIC_UPDATE = "automatic_update"


@attrs.frozen(slots=False)
class Analyzer:
    """An analyzer: what the AI extracts from conversations into a contact field
    (`b_` built-in, `f_` custom) or a pipeline stage (`p_`), and how it applies it.

    `id` is the analyzer's identifier, such as "f_order_number"; the docs show no
    response body, so every other field is read when present.
    """

    id: str = attrs.field(metadata=_aliases("internal_id", "analyzer_id", "key", "uuid"))
    update_behavior: str | None = None
    analysis_goals: str | None = None
    example_values: str | None = None
    name: str | None = None
    type: str | None = None


@attrs.frozen(slots=False)
class ContactApproval:
    """A value an analyzer suggests for a contact field, waiting for approval.

    `field_name` is the analyzer's raw name (`b_email`, `f_my_field`,
    `p_stage_change`); `status` is "Pending", "Approved" or "Rejected".
    """

    id: str = attrs.field(metadata=_aliases("uuid", "approval_uuid", "approval_id"))
    contact_uuid: str | None = attrs.field(default=None, metadata=_aliases("contact_id"))
    conversation_uuid: str | None = attrs.field(default=None, metadata=_aliases("conversation_id"))
    pipeline_uuid: str | None = None
    field_name: str | None = None
    current_value: Any = None
    suggested_value: Any = None
    confidence: float | None = None
    status: str | None = None
    ai_notes: str | None = attrs.field(default=None, metadata=_aliases("notes"))
    contact: Any = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@attrs.frozen(slots=False)
class ContactField:
    """A custom contact field of the workspace: its `key` is the name contacts use
    for it on the wire (`client.contacts.update(id, <key>=...)`)."""

    id: str | None = attrs.field(default=None, metadata=_aliases("uuid", "field_uuid"))
    key: str | None = None
    name: str | None = attrs.field(default=None, metadata=_aliases("label"))
    type: str | None = None
    description: str | None = None
    options: Any = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
