"""The fake's external trunks and SIP trunk connections.

Trunks are the "phone_number_trunks" records, one per (`number`, `channel`) pair,
listed in the `data{items, pagination}` shape (seed them with
`fake.add_record("phone_number_trunks", number="+14155550100", channel="call")`).
`POST /phone-numbers/trunks` needs `phone_number` (E.164, not a number the
workspace bought, not already registered on that channel: 422), `channel` ("call"
or "whatsapp") and `agent_uuid` (a known agent, else 404); `PATCH` and `DELETE`
find the trunk by `phone_number` and `channel` (in the body; in the query for
`DELETE`), 404 when there is none; `PUT .../assign` moves it to another known
agent. Writes answer the trunk with its per-channel snapshot (`channels`), lists
show `bindings`.

SIP trunk connections are the "sip_trunk_connections" records; `name`,
`phone_number` (E.164), `gateway`, `username` and `password` are required. SIP
credentials (a trunk's `sip.username`/`sip.password`, a connection's `username`
and `password`) are kept under private keys that no answer shows, as the API
never returns them.
"""

from __future__ import annotations

import re
import uuid
from typing import Any, Final

import httpx

from .._api import Incoming, Route, _timestamp_now
from .._envelopes import ApiError, not_found, success, validation_error
from .._records import Shape, action_route, is_uuid, list_route
from .._state import FakeState

__all__ = ["ROUTES"]

_Answer = httpx.Response | ApiError

TRUNKS: Final = "phone_number_trunks"
CONNECTIONS: Final = "sip_trunk_connections"

_E164: Final = re.compile(r"\+[1-9][0-9]{1,14}")
_E164_DETAILS: Final = "Phone number must be in E.164 format (e.g., +1234567890)"
_CHANNELS: Final = ("call", "whatsapp")
_DIRECTIONS: Final = ("inbound", "outbound", "both")


def _blank(value: Any) -> bool:
    return value is None or value in ([], {}) or (isinstance(value, str) and not value.strip())


def _required(values: dict[str, Any], *names: str) -> ApiError | None:
    for name in names:
        if _blank(values.get(name)):
            return validation_error("VALIDATION_ERROR", name, f"The {name} field is required")
    return None


def _identity(values: dict[str, Any]) -> ApiError | None:
    """The checks of the `phone_number` and `channel` that name a trunk."""
    if (error := _required(values, "phone_number", "channel")) is not None:
        return error
    if not isinstance(values["phone_number"], str) or not _E164.fullmatch(values["phone_number"]):
        return validation_error("INVALID_FORMAT", "phone_number", _E164_DETAILS)
    if values["channel"] not in _CHANNELS:
        return validation_error(
            "VALIDATION_ERROR", "channel", "The selected channel is invalid (call, whatsapp)"
        )
    return None


def _settings(body: dict[str, Any]) -> ApiError | None:
    direction = body.get("direction")
    if direction is not None and direction not in _DIRECTIONS:
        return validation_error(
            "VALIDATION_ERROR", "direction", "The selected direction is invalid"
        )
    sip = body.get("sip")
    if sip is not None and not isinstance(sip, dict):
        return validation_error("VALIDATION_ERROR", "sip", "The sip field must be an object")
    return None


def _agent(state: FakeState, agent_id: Any) -> dict[str, Any] | ApiError:
    if not isinstance(agent_id, str) or not is_uuid(agent_id):
        return validation_error("INVALID_UUID", "agent_uuid", "agent_uuid must be a valid UUID")
    agent = state.agents.get(agent_id)
    if agent is None:
        return not_found("Agent", agent_id)
    return {"bound": True, "agent_uuid": agent_id, "agent_name": agent.name}


def _find(state: FakeState, number: str, channel: str) -> dict[str, Any] | ApiError:
    for record in state.records.get(TRUNKS, {}).values():
        if record.get("number") == number and record.get("channel") == channel:
            return record
    return not_found("Trunk", f"{number} ({channel})")


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if not key.startswith("_")}


def _written(record: dict[str, Any], message: str, status: int = 200) -> httpx.Response:
    # The writes answer the per-channel snapshot, the lists the bindings.
    return success(status, message, {**_public(record), "channels": record.get("bindings", {})})


def _keep_sip(record: dict[str, Any], sip: dict[str, Any] | None) -> None:
    """Store the `sip` keys given (an empty string clears one) under the private
    `_sip`: the API never shows them."""
    if sip is None:
        return
    stored = record.setdefault("_sip", {})
    for key, value in sip.items():
        if value == "":
            stored.pop(key, None)
        else:
            stored[key] = value


def _register(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    if (error := _identity(body) or _required(body, "agent_uuid") or _settings(body)) is not None:
        return error
    binding = _agent(state, body["agent_uuid"])
    if isinstance(binding, ApiError):
        return binding
    number, channel = body["phone_number"], body["channel"]
    if any(r.get("number") == number for r in state.records.get("phone_numbers", {}).values()):
        return validation_error(
            "VALIDATION_ERROR", "phone_number", "The number is in your purchased inventory"
        )
    if not isinstance(_find(state, number, channel), ApiError):
        return validation_error(
            "VALIDATION_ERROR", "phone_number", f"The number is already bound on {channel}"
        )
    now = _timestamp_now(state)
    record_id = str(uuid.uuid4())
    record: dict[str, Any] = {
        "uuid": record_id,
        "phone_number_uuid": record_id,
        "number": number,
        "channel": channel,
        "name": body.get("name") or f"{channel}_trunk_{number[1:]}",
        "direction": (body.get("direction") or "both") if channel == "call" else None,
        "agent_uuid": body["agent_uuid"],
        "is_external": True,
        "source": "external",
        "status": "active",
        "additional_settings": body.get("additional_settings") or {},
        "bindings": {channel: binding},
        "created_at": now,
        "updated_at": now,
    }
    _keep_sip(record, body.get("sip"))
    state.records.setdefault(TRUNKS, {})[record_id] = record
    return _written(record, "Trunk created", 201)


def _update(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    if (error := _identity(body) or _settings(body)) is not None:
        return error
    record = _find(state, body["phone_number"], body["channel"])
    if isinstance(record, ApiError):
        return record
    for key in ("name", "direction", "additional_settings"):
        if key in body:
            record[key] = body[key]
    _keep_sip(record, body.get("sip"))
    record["updated_at"] = _timestamp_now(state)
    return _written(record, "Trunk updated")


def _delete(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    query = dict(incoming.request.url.params)
    if (error := _identity(query)) is not None:
        return error
    record = _find(state, query["phone_number"], query["channel"])
    if isinstance(record, ApiError):
        return record
    del state.records[TRUNKS][record["uuid"]]
    return success(200, "Trunk deleted", {})


def _assign(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    if (error := _identity(body) or _required(body, "agent_uuid")) is not None:
        return error
    binding = _agent(state, body["agent_uuid"])
    if isinstance(binding, ApiError):
        return binding
    record = _find(state, body["phone_number"], body["channel"])
    if isinstance(record, ApiError):
        return record
    record["agent_uuid"] = body["agent_uuid"]
    record["bindings"] = {**record.get("bindings", {}), record["channel"]: binding}
    record["updated_at"] = _timestamp_now(state)
    return _written(record, "Trunk assigned")


def _add_connection(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    error = _required(body, "name", "phone_number", "gateway", "username", "password")
    if error is not None:
        return error
    if not isinstance(body["phone_number"], str) or not _E164.fullmatch(body["phone_number"]):
        return validation_error("INVALID_FORMAT", "phone_number", _E164_DETAILS)
    now = _timestamp_now(state)
    record = {
        "uuid": str(uuid.uuid4()),
        "name": body["name"],
        "phone_number": body["phone_number"],
        "gateway": body["gateway"],
        "secondary_gateway": body.get("secondary_gateway"),
        "status": "active",
        "created_at": now,
        "updated_at": now,
        "_username": body["username"],
        "_password": body["password"],
    }
    state.records.setdefault(CONNECTIONS, {})[record["uuid"]] = record
    return success(201, "Connection created", _public(record))


ROUTES: Final[tuple[Route, ...]] = (
    action_route("PUT", "/phone-numbers/trunks/assign", "phone_numbers:write", _assign),
    list_route(
        "/phone-numbers/trunks",
        TRUNKS,
        "phone_numbers:read",
        shape=Shape.ITEMS_PAGINATION,
        filters=("channel",),
    ),
    action_route("POST", "/phone-numbers/trunks", "phone_numbers:write", _register),
    action_route("PATCH", "/phone-numbers/trunks", "phone_numbers:write", _update),
    action_route("DELETE", "/phone-numbers/trunks", "phone_numbers:write", _delete),
    action_route("POST", "/channels/sip-trunk/connections", "sip_trunks:write", _add_connection),
)
