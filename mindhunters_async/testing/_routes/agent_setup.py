"""The fake's agent setup: intents and their events, channels, appointment settings
and the evaluation override, below `/agents/{uuid}/`.

Everything is kept in the agent's details (`state.records["agent_details"][agent
uuid]`), so `GET /agents/{uuid}` shows what these routes wrote:

- `intents`: a list of intents, each with its own `uuid`. `POST .../intents` needs
  `key` (422 VALIDATION_ERROR when missing, or when the agent already has an intent
  with that key); `confidence_threshold` must be a number and `webhook` an object
  whose `url` is https (422). It answers `{data: <the whole agent>}` (201), as agent
  sub-resource writes do. `PATCH .../intents/{intent_uuid}` merges the body into the
  intent (a `webhook` is merged into its webhook) and answers `{success, data: <the
  intent>}`, as the reference says intent updates do. The auth token is never kept
  nor shown: the webhook shows `has_auth_token` (`auth_token: null` removes it).
- An intent's event is shown under the intent's `event`. `GET .../event` is 404
  until one is set; `PUT .../event` replaces the event's fields with the body and
  makes it a draft (`status: "draft"`); `POST .../event/publish` makes it
  `"published"` with `published_at` (404 when there is no event). Each answers
  `{success, data: <the event>}`.
- `channels`: an object by channel name. `POST .../channels/call/provision` needs
  `phone_number_uuid`, an owned number (a "phone_numbers" record: 404 otherwise),
  and sets `channels.call` to `{phone_number_uuid, phone_number}`.
  `POST .../channels/call/sip-trunk` sets `channels.call` to `{connection_uuid}`;
  when the call channel already has a number or another connection, it is 409
  `CHANNEL_IN_USE` unless `force` is true (the fake's reading of `force`).
  `POST .../channels/{sms|whatsapp|whatsapp-calling|instagram|messenger}` binds
  the channel (its fields as sent, and `bound_at`), `DELETE` unbinds it (404 when
  it is not bound); another channel name is 404 ENDPOINT_NOT_FOUND.
- `appointments`: `PUT .../appointments` replaces it with the body.
- `evaluation`: `PUT .../evaluate` sets the agent's override to the body;
  `POST .../evaluate/reassign` removes it (the workspace default applies again).

Every write but the intent and event ones answers `{data: <the whole agent>}`. An
unknown agent or intent is 404 RESOURCE_NOT_FOUND.
"""

from __future__ import annotations

import math
import urllib.parse
import uuid
from typing import Any, Final

import httpx

from .._api import Incoming, Route, _timestamp_now
from .._envelopes import ENDPOINT_NOT_FOUND, ApiError, not_found, success, validation_error
from .._records import action_route, is_uuid
from .._state import FakeAgent, FakeState
from .agents import _agent, _agent_json, _blank, _details, _required, _write

__all__ = ["ROUTES"]

_EVENTS: Final = "intent_events"
_CHANNELS: Final = frozenset({"sms", "whatsapp", "whatsapp-calling", "instagram", "messenger"})
_INTENT_IDS: Final = frozenset({"uuid", "intent_uuid", "agent_uuid", "event"})

_Answer = httpx.Response | ApiError


def _whole(state: FakeState, agent: FakeAgent, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json={"data": _agent_json(state, agent)})


def _section(state: FakeState, agent: FakeAgent, key: str, kind: type) -> Any:
    """The agent's section `key`, or a new one when it is missing or was replaced by
    something else through `PATCH /agents/{uuid}`."""
    value = _details(state).get(agent.uuid, {}).get(key)
    return value if isinstance(value, kind) else kind()


# Intents ----------------------------------------------------------------------------------


def _intent_error(body: dict[str, Any], *, partial: bool) -> ApiError | None:
    if not partial or "key" in body:
        if _blank(body.get("key")):
            return _required("key")
        if not isinstance(body["key"], str):
            return validation_error("VALIDATION_ERROR", "key", "The key must be a string")
    threshold = body.get("confidence_threshold")
    if threshold is not None and (
        isinstance(threshold, bool)
        or not isinstance(threshold, (int, float))
        or not math.isfinite(threshold)
    ):
        return validation_error(
            "VALIDATION_ERROR", "confidence_threshold", "The confidence threshold must be a number"
        )
    hook = body.get("webhook")
    if hook is None:
        return None
    if not isinstance(hook, dict):
        return validation_error("VALIDATION_ERROR", "webhook", "The webhook must be an object")
    if "url" in hook or not partial:
        url = hook.get("url")
        parts = urllib.parse.urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme != "https" or not parts.netloc:
            return validation_error(
                "INVALID_FORMAT", "webhook.url", "The webhook.url must be a valid https URL"
            )
    token = hook.get("auth_token")
    if token is not None and not isinstance(token, str):
        return validation_error(
            "VALIDATION_ERROR", "webhook.auth_token", "The webhook.auth_token must be a string"
        )
    return None


def _apply_intent(state: FakeState, intent: dict[str, Any], body: dict[str, Any]) -> None:
    for name, value in body.items():
        if name in _INTENT_IDS:
            continue
        if name == "webhook" and isinstance(value, dict):
            hook = dict(intent.get("webhook") or {})
            hook.update({k: v for k, v in value.items() if k != "auth_token"})
            if "auth_token" in value:
                # Only whether there is one: the token itself is never kept.
                hook["has_auth_token"] = bool(value["auth_token"])
            hook.setdefault("has_auth_token", False)
            intent["webhook"] = hook
        else:
            intent[name] = value
    intent["updated_at"] = _timestamp_now(state)


def _intent(
    state: FakeState, incoming: Incoming
) -> tuple[FakeAgent, list[dict[str, Any]], dict[str, Any]] | ApiError:
    agent = _agent(state, incoming)
    if isinstance(agent, ApiError):
        return agent
    intent_id = incoming.params["intent_uuid"]
    intents = _section(state, agent, "intents", list)
    for intent in intents:
        if isinstance(intent, dict) and intent.get("uuid") == intent_id:
            return agent, intents, intent
    return not_found("Intent", intent_id)


def create_intent(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    """`POST /agents/{uuid}/intents`."""
    agent = _agent(state, incoming)
    if isinstance(agent, ApiError):
        return agent
    error = _intent_error(body, partial=False)
    if error is not None:
        return error
    intents = _section(state, agent, "intents", list)
    if any(isinstance(i, dict) and i.get("key") == body["key"] for i in intents):
        return validation_error("VALIDATION_ERROR", "key", "The key has already been taken")
    intent: dict[str, Any] = {
        "uuid": str(uuid.uuid4()),
        "agent_uuid": agent.uuid,
        "created_at": _timestamp_now(state),
    }
    _apply_intent(state, intent, body)
    _write(state, agent, {"intents": [*intents, intent]})
    return _whole(state, agent, 201)


def update_intent(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    """`PATCH /agents/{uuid}/intents/{intent_uuid}`."""
    found = _intent(state, incoming)
    if isinstance(found, ApiError):
        return found
    agent, intents, intent = found
    error = _intent_error(body, partial=True)
    if error is not None:
        return error
    key = body.get("key", intent.get("key"))
    if any(isinstance(i, dict) and i is not intent and i.get("key") == key for i in intents):
        return validation_error("VALIDATION_ERROR", "key", "The key has already been taken")
    _apply_intent(state, intent, body)
    _write(state, agent, {"intents": intents})
    return httpx.Response(200, json={"success": True, "data": intent})


# Events -------------------------------------------------------------------------------------


def _events(state: FakeState) -> dict[str, dict[str, Any]]:
    return state.records.setdefault(_EVENTS, {})


def _show_event(
    state: FakeState, agent: FakeAgent, intents: list[dict[str, Any]], intent: dict[str, Any]
) -> httpx.Response:
    event = _events(state)[intent["uuid"]]
    intent["event"] = event
    _write(state, agent, {"intents": intents})
    return success(200, "Event saved successfully", event)


def get_event(state: FakeState, incoming: Incoming) -> httpx.Response:
    """`GET /agents/{uuid}/intents/{intent_uuid}/event`."""
    found = _intent(state, incoming)
    if isinstance(found, ApiError):
        return found.response()
    event = _events(state).get(found[2]["uuid"])
    if event is None:
        return not_found("Event of intent", found[2]["uuid"]).response()
    return success(200, "Event retrieved successfully", event)


def set_event(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    """`PUT /agents/{uuid}/intents/{intent_uuid}/event`: the draft."""
    found = _intent(state, incoming)
    if isinstance(found, ApiError):
        return found
    agent, intents, intent = found
    now = _timestamp_now(state)
    before = _events(state).get(intent["uuid"], {})
    kept = ("uuid", "created_at", "published_at")
    event = {
        **{key: before[key] for key in kept if key in before},
        **{key: value for key, value in body.items() if key not in (*kept, "intent_uuid")},
        "intent_uuid": intent["uuid"],
        "status": "draft",
        "updated_at": now,
    }
    event.setdefault("uuid", str(uuid.uuid4()))
    event.setdefault("created_at", now)
    _events(state)[intent["uuid"]] = event
    return _show_event(state, agent, intents, intent)


def publish_event(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    """`POST /agents/{uuid}/intents/{intent_uuid}/event/publish`."""
    found = _intent(state, incoming)
    if isinstance(found, ApiError):
        return found
    agent, intents, intent = found
    event = _events(state).get(intent["uuid"])
    if event is None:
        return not_found("Event of intent", intent["uuid"])
    now = _timestamp_now(state)
    event.update(status="published", published_at=now, updated_at=now)
    return _show_event(state, agent, intents, intent)


# Channels -----------------------------------------------------------------------------------

CHANNEL_IN_USE: Final = ApiError(
    409,
    "Channel in use",
    "CHANNEL_IN_USE",
    "The agent's call channel is already set up: send force=true to replace it",
)


def _set_channel(state: FakeState, agent: FakeAgent, name: str, value: Any) -> httpx.Response:
    channels = dict(_section(state, agent, "channels", dict))
    if value is None:
        channels.pop(name, None)
    else:
        channels[name] = value
    _write(state, agent, {"channels": channels})
    return _whole(state, agent)


def provision_call(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    """`POST /agents/{uuid}/channels/call/provision`."""
    agent = _agent(state, incoming)
    if isinstance(agent, ApiError):
        return agent
    number_id = body.get("phone_number_uuid")
    if _blank(number_id):
        return _required("phone_number_uuid")
    if not isinstance(number_id, str) or not is_uuid(number_id):
        return validation_error(
            "INVALID_UUID", "phone_number_uuid", "The phone_number_uuid must be a valid UUID"
        )
    number = state.records.get("phone_numbers", {}).get(number_id)
    if number is None:
        return not_found("Phone number", number_id)
    value = {"phone_number_uuid": number_id, "phone_number": number.get("number")}
    return _set_channel(state, agent, "call", value)


def assign_sip_trunk(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    """`POST /agents/{uuid}/channels/call/sip-trunk`."""
    agent = _agent(state, incoming)
    if isinstance(agent, ApiError):
        return agent
    connection = body.get("connection_uuid")
    if connection is not None and not is_uuid(connection):
        return validation_error(
            "INVALID_UUID", "connection_uuid", "The connection_uuid must be a valid UUID"
        )
    force = body.get("force", False)
    if not isinstance(force, bool):
        return validation_error("VALIDATION_ERROR", "force", "The force must be a boolean")
    current = _section(state, agent, "channels", dict).get("call")
    if current and current != {"connection_uuid": connection} and not force:
        return CHANNEL_IN_USE
    return _set_channel(state, agent, "call", {"connection_uuid": connection})


def _messaging_channel(incoming: Incoming) -> str | None:
    channel = incoming.params["channel"]
    return channel if channel in _CHANNELS else None


def bind_channel(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    """`POST /agents/{uuid}/channels/{channel}`."""
    channel = _messaging_channel(incoming)
    if channel is None:
        return ENDPOINT_NOT_FOUND
    agent = _agent(state, incoming)
    if isinstance(agent, ApiError):
        return agent
    return _set_channel(state, agent, channel, {**body, "bound_at": _timestamp_now(state)})


def unbind_channel(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    """`DELETE /agents/{uuid}/channels/{channel}`."""
    channel = _messaging_channel(incoming)
    if channel is None:
        return ENDPOINT_NOT_FOUND
    agent = _agent(state, incoming)
    if isinstance(agent, ApiError):
        return agent
    if channel not in _section(state, agent, "channels", dict):
        return not_found("Channel", channel)
    return _set_channel(state, agent, channel, None)


# Appointment settings, the evaluation override ------------------------------------------------


def _replacing(key: str) -> Any:
    def act(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
        agent = _agent(state, incoming)
        if isinstance(agent, ApiError):
            return agent
        _write(state, agent, {key: body})
        return _whole(state, agent)

    return act


def reset_evaluation(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    """`POST /agents/{uuid}/evaluate/reassign`: back to the workspace default."""
    agent = _agent(state, incoming)
    if isinstance(agent, ApiError):
        return agent
    _write(state, agent, {})
    _details(state)[agent.uuid].pop("evaluation", None)
    return _whole(state, agent)


_INTENT: Final = "/agents/{uuid}/intents/{intent_uuid}"
ROUTES: Final = (
    action_route("POST", "/agents/{uuid}/intents", "agents:write", create_intent),
    action_route("PATCH", _INTENT, "agents:write", update_intent),
    Route("GET", f"{_INTENT}/event", "agents:read", get_event),
    action_route("PUT", f"{_INTENT}/event", "agents:write", set_event),
    action_route("POST", f"{_INTENT}/event/publish", "agents:write", publish_event),
    action_route("POST", "/agents/{uuid}/channels/call/provision", "agents:write", provision_call),
    action_route(
        "POST", "/agents/{uuid}/channels/call/sip-trunk", "agents:write", assign_sip_trunk
    ),
    action_route("POST", "/agents/{uuid}/channels/{channel}", "agents:write", bind_channel),
    action_route("DELETE", "/agents/{uuid}/channels/{channel}", "agents:write", unbind_channel),
    action_route("PUT", "/agents/{uuid}/appointments", "agents:write", _replacing("appointments")),
    action_route("PUT", "/agents/{uuid}/evaluate", "agents:write", _replacing("evaluation")),
    action_route("POST", "/agents/{uuid}/evaluate/reassign", "agents:write", reset_evaluation),
)
