"""The fake's campaigns, contact rules and tasks.

Campaigns have no create endpoint in the API (they are made in the dashboard):
seed them with `fake.add_record("campaigns", name=...)`; updating an unknown one is
404. Rules and tasks are created through the API or seeded the same way
(`"rules"`, `"tasks"`); `set_rule` needs a known rule, `attach_pools` known pools
(`"pools"`), and a task's `agent_uuid` a known agent.

Task control changes `status`: `cancel` -> "cancelled", `queue` -> "queued",
`retry` -> "pending" (with `attempts` counted). A finished task cannot move: cancelling
or queueing a "completed" task, queueing a "cancelled" one, and retrying one that is
neither "failed" nor "cancelled" answer 409 `TASK_STATE_CONFLICT` (a 409 rather
than a 422: the request is well-formed, the task's state refuses it).
"""

from __future__ import annotations

import re
import uuid
from typing import Any, Final

import httpx

from .._api import Incoming, Route, _timestamp_now
from .._envelopes import ApiError, not_found, success, validation_error
from .._records import (
    action_route,
    create_route,
    find,
    get_route,
    is_uuid,
    list_route,
    update_route,
)
from .._state import FakeState

__all__ = ["ROUTES"]

_Answer = httpx.Response | ApiError

_E164: Final = re.compile(r"\+[1-9][0-9]{1,14}")
_E164_DETAILS: Final = "Phone number must be in E.164 format (e.g., +1234567890)"


def _blank(value: Any) -> bool:
    return value is None or value in ([], {}) or (isinstance(value, str) and not value.strip())


# Campaigns


def _set_rule(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    campaign = find(state, "campaigns", incoming, "Campaign")
    if isinstance(campaign, ApiError):
        return campaign
    rule_id = body.get("rule_uuid")
    if _blank(rule_id):
        return validation_error("VALIDATION_ERROR", "rule_uuid", "The rule_uuid field is required")
    if not isinstance(rule_id, str) or not is_uuid(rule_id):
        return validation_error("INVALID_UUID", "rule_uuid", "rule_uuid must be a valid UUID")
    rule = state.records.get("rules", {}).get(rule_id)
    if rule is None:
        return not_found("Rule", rule_id)
    campaign["rule_uuid"] = rule_id
    campaign["rule"] = {"uuid": rule_id, "name": rule.get("name")}
    campaign["updated_at"] = _timestamp_now(state)
    return success(200, "Campaign rule updated successfully", _public(campaign))


def _attach_pools(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    campaign = find(state, "campaigns", incoming, "Campaign")
    if isinstance(campaign, ApiError):
        return campaign
    pool_ids = body.get("pool_uuids")
    if _blank(pool_ids):
        return validation_error(
            "VALIDATION_ERROR", "pool_uuids", "The pool_uuids field is required"
        )
    if not isinstance(pool_ids, list):
        return validation_error("VALIDATION_ERROR", "pool_uuids", "pool_uuids must be an array")
    pools = state.records.get("pools", {})
    for index, pool_id in enumerate(pool_ids):
        if not is_uuid(pool_id):
            field = f"pool_uuids.{index}"
            return validation_error("INVALID_UUID", field, f"{field} must be a valid UUID")
        if pool_id not in pools:
            return not_found("Pool", pool_id)
    attached = list(campaign.get("pool_uuids") or [])
    attached += [pool_id for pool_id in dict.fromkeys(pool_ids) if pool_id not in attached]
    campaign["pool_uuids"] = attached
    campaign["updated_at"] = _timestamp_now(state)
    return success(200, "Pools attached successfully", _public(campaign))


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if not key.startswith("_")}


# Tasks


def _new_task(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    if _blank(body.get("type")):
        return validation_error("VALIDATION_ERROR", "type", "The type field is required")
    agent_id = body.get("agent_uuid")
    if agent_id is not None:
        if not is_uuid(agent_id):
            return validation_error("INVALID_UUID", "agent_uuid", "agent_uuid must be a valid UUID")
        if agent_id not in state.agents:
            return not_found("Agent", agent_id)
    contact = body.get("contact")
    if contact is not None:
        number = contact.get("phone_number") if isinstance(contact, dict) else None
        if number is not None and (not isinstance(number, str) or not _E164.fullmatch(number)):
            return validation_error("INVALID_FORMAT", "contact.phone_number", _E164_DETAILS)
    now = _timestamp_now(state)
    task = {
        **body,
        "uuid": str(uuid.uuid4()),
        "status": "queued" if body.get("auto_queue") is True else "pending",
        "attempts": 0,
        "created_at": now,
        "updated_at": now,
    }
    state.records.setdefault("tasks", {})[task["uuid"]] = task
    return success(201, "Task created successfully", _public(task))


# What each control does: the status it sets, and the statuses it refuses to move.
_CONTROLS: Final = {
    "cancel": ("cancelled", frozenset({"completed"})),
    "queue": ("queued", frozenset({"completed", "cancelled"})),
    "retry": ("pending", frozenset({"pending", "queued", "in_progress", "completed"})),
}


def _control(name: str) -> Route:
    target, refused = _CONTROLS[name]

    def act(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
        task = find(state, "tasks", incoming, "Task")
        if isinstance(task, ApiError):
            return task
        status = task.get("status")
        if status in refused:
            return ApiError(
                409,
                f"Task cannot be {target} while {status}",
                "TASK_STATE_CONFLICT",
                f"The task is {status}",
            )
        task["status"] = target
        if name == "retry":
            task["attempts"] = int(task.get("attempts") or 0) + 1
        task["updated_at"] = _timestamp_now(state)
        return success(200, f"Task {target}", _public(task))

    return action_route("POST", f"/tasks/{{uuid}}/{name}", "tasks:write", act)


ROUTES: Final[tuple[Route, ...]] = (
    update_route("PUT", "/campaigns/{uuid}", "campaigns", "campaigns:write", kind="Campaign"),
    action_route("PUT", "/campaigns/{uuid}/rule", "campaigns:write", _set_rule),
    action_route("POST", "/campaigns/{uuid}/pools", "campaigns:write", _attach_pools),
    list_route("/rules", "rules", "rules:read"),
    create_route("/rules", "rules", "rules:write", required=("name",), kind="Rule"),
    get_route("/rules/{uuid}", "rules", "rules:read", kind="Rule"),
    update_route("PUT", "/rules/{uuid}", "rules", "rules:write", kind="Rule"),
    list_route("/tasks", "tasks", "tasks:read", filters=("status", "type", "agent_uuid")),
    action_route("POST", "/tasks", "tasks:write", _new_task),
    _control("cancel"),
    _control("queue"),
    _control("retry"),
)
