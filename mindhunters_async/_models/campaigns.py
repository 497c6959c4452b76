"""Campaigns, the contact rules they follow, and tasks (one call or message to make)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from . import _aliases

__all__ = ["Campaign", "ContactRule", "Task"]


@attrs.frozen(slots=False)
class Campaign:
    """An outbound campaign: an agent working through pools of contacts under a rule.

    Only `id` is sure to be set (the API sends it as `uuid`); the campaign pages of
    the docs show no response body, so every other field is read when present.
    `pool_uuids` are the attached pools (`attach_pools` adds to them), `rule_uuid`
    the rule set with `set_rule`; `rule`, `pools` and `settings` are kept as the
    API sends them.
    """

    id: str = attrs.field(metadata=_aliases("uuid", "campaign_uuid", "campaignUuid"))
    name: str | None = None
    description: str | None = None
    status: str | None = None
    type: str | None = None
    agent_uuid: str | None = attrs.field(default=None, metadata=_aliases("agent_id", "agentId"))
    rule_uuid: str | None = attrs.field(default=None, metadata=_aliases("rule_id", "ruleId"))
    rule: Any = None
    pool_uuids: tuple[str, ...] | None = attrs.field(
        default=None, metadata=_aliases("pool_ids", "poolIds")
    )
    pools: Any = None
    settings: Any = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@attrs.frozen(slots=False)
class ContactRule:
    """A contact rule (`client.rules`): which contacts a campaign or listing takes, and
    how it treats them. Not to be confused with `Rule`, the SDK's pre-validation rule.

    `conditions`, `actions` and `settings` are kept as the API sends them: their
    shapes are not documented.
    """

    id: str = attrs.field(metadata=_aliases("uuid", "rule_uuid", "ruleUuid"))
    name: str | None = None
    description: str | None = None
    status: str | None = None
    type: str | None = None
    conditions: Any = None
    actions: Any = None
    settings: Any = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@attrs.frozen(slots=False)
class Task:
    """A task: one call or message an agent is to make, now or at `scheduled_at`.

    `status` moves through values such as "pending", "queued", "completed",
    "failed" and "cancelled" (`client.tasks.cancel`, `queue` and `retry` move it).
    `contact` is kept as the API sends it (a `{"phone_number": ...}` object in the
    requests seen; `contact_uuid` when the API names the contact by id).
    """

    id: str = attrs.field(metadata=_aliases("uuid", "task_uuid", "taskUuid"))
    title: str | None = None
    type: str | None = None
    status: str | None = None
    agent_uuid: str | None = attrs.field(default=None, metadata=_aliases("agent_id", "agentId"))
    contact: Any = None
    contact_uuid: str | None = None
    campaign_uuid: str | None = None
    scheduled_at: datetime | None = None
    auto_queue: bool | None = None
    attempts: int | None = None
    result: Any = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    completed_at: datetime | None = None
