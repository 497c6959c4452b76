"""Flows (automations of triggers and actions), their steps, and step test results."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from . import _aliases

__all__ = ["Flow", "FlowStep", "FlowStepTest", "FlowTestSample"]


@attrs.frozen(slots=False)
class FlowStep:
    """One step of a flow: the trigger (`kind` "trigger", always position 1) or an
    action (`kind` "action").

    `status` is "draft" until a test with `persist` succeeds ("active"). A branch
    child of an if_condition step has `parent_step_uuid` and `branch_key` ("true" or
    "false"). `app`, `trigger`, `action`, `agent`, `app_connection`, `config` and
    `last_test` are kept as the API sends them.
    """

    id: str = attrs.field(metadata=_aliases("uuid", "step_uuid", "stepUuid"))
    position: int | None = None
    kind: str | None = None
    status: str | None = None
    parent_step_uuid: str | None = None
    branch_key: str | None = None
    app: Any = None
    trigger: Any = None
    action: Any = None
    agent: Any = None
    app_connection: Any = None
    config: Any = None
    last_test: Any = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@attrs.frozen(slots=False)
class Flow:
    """A flow: a trigger and the actions it runs, in `steps` (ordered; branch
    children appear in the same list). `status` is "draft" (editable) or
    "deployed" (running, and not editable until undeployed)."""

    id: str = attrs.field(metadata=_aliases("uuid", "flow_uuid", "flowUuid"))
    name: str | None = None
    description: str | None = None
    status: str | None = None
    steps: tuple[FlowStep, ...] | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@attrs.frozen(slots=False)
class FlowTestSample:
    """A record a trigger step's test found at its source; its `id` is what
    `client.flows.steps.test(..., sample_uuid=...)` takes to pick it."""

    id: str | None = attrs.field(default=None, metadata=_aliases("sample_uuid", "uuid"))
    label: str | None = None
    timestamp: datetime | None = None


@attrs.frozen(slots=False)
class FlowStepTest:
    """The result of testing a step (`client.flows.steps.test`).

    For a trigger: `samples` found at its source, the one `selected`, and its `data`
    (what later steps' `{{stepN.field}}` read). For an action: the `resolved`
    config, whether it was a `dry_run`, and the `data` it produced. `data`,
    `resolved` and `selected` are kept as the API sends them.
    """

    kind: str | None = None
    dry_run: bool | None = None
    data: Any = None
    duration_ms: float | None = None
    resolved: Any = None
    selected: Any = None
    samples: tuple[FlowTestSample, ...] | None = None
