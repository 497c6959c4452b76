"""The fake's flows and their steps.

Flows are the "flows" records, with `status` "draft" or "deployed" (seed one with
`fake.add_record("flows", name="Follow-up", status="draft")`); their steps are the
"flow_steps" records, each with its flow's uuid under the private `_flow`, and every
flow answer shows its `steps` by position.

`POST /flow/{uuid}/steps` needs `kind` ("trigger" or "action") and `app_uid`, and
`trigger_key` or `action_key` to match (422 otherwise); a flow has one trigger,
first: a second trigger, or an action before the trigger, is 422. The step goes
last (or after `insert_after_step_uuid`), in status "draft". A step is named in a
path by its uuid or its position. Creating or updating a step of a deployed flow
answers 409 `FLOW_DEPLOYED`, with a message saying to undeploy first.

`.../test` of a trigger keeps the `data` given as its sample; without `data` it
answers 404 with `data.samples == []`, as the API does when the trigger's source has
no record (the fake has none). An action's test is a dry run (unless `live`) whose
`data` is the step's config with `config_override` over it. With `persist` (the
default) the result becomes the step's `last_test` and the step "active".
`deploy` needs a trigger and every step "active" (422 otherwise: the fake's
choice, the docs give no status); `undeploy` sets the flow back to "draft".
"""

from __future__ import annotations

import uuid
from typing import Any, Final

import httpx

from .._api import Incoming, Route, _timestamp_now
from .._envelopes import ApiError, not_found, success, validation_error
from .._records import action_route, find
from .._state import FakeState

__all__ = ["FLOW_DEPLOYED", "ROUTES"]

_Answer = httpx.Response | ApiError

FLOWS: Final = "flows"
STEPS: Final = "flow_steps"

FLOW_DEPLOYED: Final = ApiError(
    409,
    "Cannot edit a deployed flow: undeploy it first",
    "FLOW_DEPLOYED",
    "POST /flow/{uuid}/undeploy puts the flow back to draft",
)
_KEYS: Final = {"trigger": "trigger_key", "action": "action_key"}
# The body's ids and keys, and the object each is shown as in a step (`app_uid`
# -> `app.uid`, ...), as the API shows them.
_SHOWN_AS: Final = {
    "app_uid": ("app", "uid"),
    "trigger_key": ("trigger", "key"),
    "action_key": ("action", "key"),
    "agent_uuid": ("agent", "uuid"),
    "app_connection_uuid": ("app_connection", "uuid"),
}


def _blank(value: Any) -> bool:
    return value is None or value in ([], {}) or (isinstance(value, str) and not value.strip())


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if not key.startswith("_")}


def _steps(state: FakeState, flow_id: str) -> list[dict[str, Any]]:
    steps = [s for s in state.records.get(STEPS, {}).values() if s.get("_flow") == flow_id]
    return sorted(steps, key=lambda step: step.get("position") or 0)


def _flow_json(state: FakeState, flow: dict[str, Any]) -> dict[str, Any]:
    return {**_public(flow), "steps": [_public(step) for step in _steps(state, flow["uuid"])]}


def _editable(state: FakeState, incoming: Incoming) -> dict[str, Any] | ApiError:
    flow = find(state, FLOWS, incoming, "Flow")
    if isinstance(flow, ApiError):
        return flow
    return FLOW_DEPLOYED if flow.get("status") == "deployed" else flow


def _step(state: FakeState, flow_id: str, name: str) -> dict[str, Any] | ApiError:
    for step in _steps(state, flow_id):
        if name in (step["uuid"], str(step.get("position"))):
            return step
    return not_found("Step", name)


def _new_step_error(body: dict[str, Any], steps: list[dict[str, Any]]) -> ApiError | None:
    for name in ("kind", "app_uid"):
        if _blank(body.get(name)):
            return validation_error("VALIDATION_ERROR", name, f"The {name} field is required")
    kind = body["kind"]
    if kind not in _KEYS:
        return validation_error("VALIDATION_ERROR", "kind", "The selected kind is invalid")
    if _blank(body.get(_KEYS[kind])):
        key = _KEYS[kind]
        return validation_error("VALIDATION_ERROR", key, f"The {key} field is required")
    has_trigger = any(step.get("kind") == "trigger" for step in steps)
    if kind == "trigger" and has_trigger:
        return validation_error("VALIDATION_ERROR", "kind", "The flow already has a trigger")
    if kind == "action" and not has_trigger:
        return validation_error("VALIDATION_ERROR", "kind", "Add the flow's trigger first")
    return None


def _apply(state: FakeState, step: dict[str, Any], body: dict[str, Any]) -> None:
    """Write the body's editable fields into `step`, as the API shows them."""
    for key, (shown, inner) in _SHOWN_AS.items():
        if key in body:
            value = body[key]
            step[shown] = None if value is None else {inner: value}
            agent = state.agents.get(value) if key == "agent_uuid" else None
            if agent is not None:
                step[shown]["name"] = agent.name
    if "config" in body:
        step["config"] = body["config"] or {}


def _create_step(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    flow = _editable(state, incoming)
    if isinstance(flow, ApiError):
        return flow
    steps = _steps(state, flow["uuid"])
    if (error := _new_step_error(body, steps)) is not None:
        return error
    position = len(steps) + 1
    after = body.get("insert_after_step_uuid")
    if after is not None:
        anchor = _step(state, flow["uuid"], after)
        if isinstance(anchor, ApiError):
            return anchor
        position = (anchor.get("position") or 0) + 1
        for later in steps:
            if (later.get("position") or 0) >= position:
                later["position"] += 1
    now = _timestamp_now(state)
    step: dict[str, Any] = {
        "uuid": str(uuid.uuid4()),
        "position": position,
        "kind": body["kind"],
        "status": "draft",
        "parent_step_uuid": body.get("parent_step_uuid"),
        "branch_key": body.get("branch_key"),
        "config": {},
        "last_test": None,
        "created_at": now,
        "updated_at": now,
        "_flow": flow["uuid"],
    }
    _apply(state, step, body)
    state.records.setdefault(STEPS, {})[step["uuid"]] = step
    return httpx.Response(201, json={"data": _public(step)})


def _update_step(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    flow = _editable(state, incoming)
    if isinstance(flow, ApiError):
        return flow
    step = _step(state, flow["uuid"], incoming.params["step"])
    if isinstance(step, ApiError):
        return step
    app = step.get("app") or {}
    if "app_uid" in body and body["app_uid"] != app.get("uid"):
        # Switching app clears what belonged to the old one.
        step.update(trigger=None, action=None, app_connection=None, config={})
    _apply(state, step, body)
    step["updated_at"] = _timestamp_now(state)
    return httpx.Response(200, json={"data": _public(step)})


def _test_step(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    flow = find(state, FLOWS, incoming, "Flow")
    if isinstance(flow, ApiError):
        return flow
    step = _step(state, flow["uuid"], incoming.params["step"])
    if isinstance(step, ApiError):
        return step
    if step.get("kind") == "trigger":
        if not isinstance(body.get("data"), dict):
            return httpx.Response(
                404,
                json={
                    "success": False,
                    "message": "No samples found for this trigger",
                    "error": {"code": "RESOURCE_NOT_FOUND", "details": "Pass data to test"},
                    "data": {"samples": []},
                },
            )
        result = {"kind": "trigger", "dry_run": False, "data": body["data"], "samples": []}
    else:
        resolved = {**(step.get("config") or {}), **(body.get("config_override") or {})}
        dry_run = body.get("live") is not True or body.get("dry_run") is True
        result = {"kind": "action", "dry_run": dry_run, "data": resolved, "resolved": resolved}
    result["duration_ms"] = 1
    if body.get("persist", True) is not False:
        step["last_test"] = {"data": result["data"]}
        step["status"] = "active"
        step["updated_at"] = _timestamp_now(state)
    return success(200, "Step tested", result)


def _deploy(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    flow = find(state, FLOWS, incoming, "Flow")
    if isinstance(flow, ApiError):
        return flow
    steps = _steps(state, flow["uuid"])
    if not any(step.get("kind") == "trigger" for step in steps):
        return validation_error("VALIDATION_ERROR", "steps", "The flow has no trigger")
    if any(step.get("status") != "active" for step in steps):
        return validation_error(
            "VALIDATION_ERROR", "steps", "Test every step (persist) before deploying"
        )
    return _set_status(state, flow, "deployed", "Flow deployed")


def _undeploy(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    flow = find(state, FLOWS, incoming, "Flow")
    if isinstance(flow, ApiError):
        return flow
    return _set_status(state, flow, "draft", "Flow undeployed")


def _set_status(
    state: FakeState, flow: dict[str, Any], status: str, message: str
) -> httpx.Response:
    flow["status"] = status
    flow["updated_at"] = _timestamp_now(state)
    return success(200, message, _flow_json(state, flow))


ROUTES: Final[tuple[Route, ...]] = (
    action_route("POST", "/flow/{uuid}/deploy", "flows:write", _deploy),
    action_route("POST", "/flow/{uuid}/undeploy", "flows:write", _undeploy),
    action_route("POST", "/flow/{uuid}/steps", "flows:write", _create_step),
    action_route("PATCH", "/flow/{uuid}/steps/{step}", "flows:write", _update_step),
    action_route("POST", "/flow/{uuid}/steps/{step}/test", "flows:write", _test_step),
)
