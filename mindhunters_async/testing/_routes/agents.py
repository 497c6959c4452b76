"""The fake's agents: `/agents` and everything below it.

Agents are the state's `FakeAgent`s (so `POST /call` finds them); what the API
keeps beyond a `FakeAgent`'s fields (sections, timestamps, `source_url`) is in
`state.records["agent_details"]` by agent uuid, and webhooks are records of
`state.records["agent_webhooks"]`, each with its secret key under a private
`_secret_key` that no answer shows.
"""

from __future__ import annotations

import urllib.parse
import uuid
from typing import Any, Final

import httpx

from .._api import Incoming, Route, _timestamp_now
from .._envelopes import ApiError, not_found, success, validation_error
from .._records import action_route, unnumbered_page
from .._state import FakeAgent, FakeState

__all__ = ["ROUTES"]

_DETAILS: Final = "agent_details"
_WEBHOOKS: Final = "agent_webhooks"
_WEBHOOK_LIMIT: Final = 5
_EVENTS: Final = frozenset(
    {
        "conversation_status",
        "conversation_end_report",
        "conversation_update",
        "voice_evaluation",
        "text_evaluation",
        "intent_call",
    }
)
# What a `FakeAgent` holds itself; every other field of a body goes to the details.
_OWN: Final = ("name", "description", "status", "language")
_IDS: Final = frozenset({"uuid", "agent_uuid", "id", "webhooks"})

WEBHOOK_LIMIT_REACHED: Final = ApiError(
    409,
    "Webhook limit reached",
    "webhook_limit_reached",
    f"An agent can have at most {_WEBHOOK_LIMIT} webhooks",
)


def _details(state: FakeState) -> dict[str, dict[str, Any]]:
    return state.records.setdefault(_DETAILS, {})


def _webhooks(state: FakeState) -> dict[str, dict[str, Any]]:
    return state.records.setdefault(_WEBHOOKS, {})


def _webhooks_of(state: FakeState, agent_id: str) -> list[dict[str, Any]]:
    return [hook for hook in _webhooks(state).values() if hook["agent_uuid"] == agent_id]


def _webhook_json(hook: dict[str, Any]) -> dict[str, Any]:
    shown = {key: value for key, value in hook.items() if not key.startswith("_")}
    shown["has_secret"] = bool(hook.get("_secret_key"))
    return shown


def _agent_json(state: FakeState, agent: FakeAgent) -> dict[str, Any]:
    # An agent added with `add_agent` and never written to shows as it always did.
    shown = {**agent.to_json(), **_details(state).get(agent.uuid, {})}
    hooks = _webhooks_of(state, agent.uuid)
    if hooks:
        shown["webhooks"] = [_webhook_json(hook) for hook in hooks]
    return shown


def _agent(state: FakeState, incoming: Incoming) -> FakeAgent | ApiError:
    agent_id = incoming.params["uuid"]
    agent = state.agents.get(agent_id)
    return not_found("Agent", agent_id) if agent is None else agent


def _required(name: str) -> ApiError:
    return validation_error("VALIDATION_ERROR", name, f"The {name} field is required")


def _blank(value: Any) -> bool:
    return value is None or value in ([], {}) or (isinstance(value, str) and not value.strip())


def _url_error(body: dict[str, Any], name: str, schemes: tuple[str, ...]) -> ApiError | None:
    value = body.get(name)
    if _blank(value):
        return _required(name)
    parts = urllib.parse.urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme not in schemes or not parts.netloc:
        wanted = " or ".join(schemes)
        return validation_error("INVALID_FORMAT", name, f"The {name} must be a valid {wanted} URL")
    return None


def _agent_fields_error(body: dict[str, Any]) -> ApiError | None:
    for name in _OWN:
        if name in body and not isinstance(body[name], str):
            return validation_error("VALIDATION_ERROR", name, f"The {name} must be a string")
    return None


def _write(state: FakeState, agent: FakeAgent, body: dict[str, Any]) -> None:
    """Apply a create or update body: an included section replaces the one before."""
    for name in _OWN:
        if name in body:
            setattr(agent, name, body[name])
    details = _details(state).setdefault(agent.uuid, {"created_at": _timestamp_now(state)})
    details.update({key: value for key, value in body.items() if key not in (*_OWN, *_IDS)})
    details["updated_at"] = _timestamp_now(state)


def list_agents(state: FakeState, incoming: Incoming) -> httpx.Response:
    """`GET /agents`: the agents, oldest first, under `data.items` alone.

    Paged by `page` and `per_page` (at most 100) when `per_page` is given, every
    agent otherwise; either way without paging numbers, as the API documents.
    """
    items = [_agent_json(state, agent) for agent in state.agents.values()]
    page = unnumbered_page(incoming.request.url.params, items)
    if isinstance(page, ApiError):
        return page.response()
    return success(200, "Agents retrieved successfully", {"items": page})


def get_agent(state: FakeState, incoming: Incoming) -> httpx.Response:
    """`GET /agents/{uuid}`."""
    agent = _agent(state, incoming)
    if isinstance(agent, ApiError):
        return agent.response()
    return success(200, "Agent retrieved successfully", _agent_json(state, agent))


def _create(state: FakeState, body: dict[str, Any]) -> httpx.Response:
    agent = FakeAgent(uuid=str(uuid.uuid4()), name=body["name"])
    _write(state, agent, body)
    state.add_agent(agent)
    return success(201, "Agent created successfully", _agent_json(state, agent))


def create_agent(
    state: FakeState, incoming: Incoming, body: dict[str, Any]
) -> httpx.Response | ApiError:
    """`POST /agents`: `name` is required; every other field is kept as sent."""
    if _blank(body.get("name")):
        return _required("name")
    return _agent_fields_error(body) or _create(state, body)


def create_agent_from_website(
    state: FakeState, incoming: Incoming, body: dict[str, Any]
) -> httpx.Response | ApiError:
    """`POST /agents/from-website`: an agent named after the site's host."""
    error = _url_error(body, "source_url", ("http", "https")) or _agent_fields_error(body)
    if error is not None:
        return error
    host = urllib.parse.urlsplit(body["source_url"]).hostname or "website"
    return _create(state, {"name": host, **body})


def update_agent(
    state: FakeState, incoming: Incoming, body: dict[str, Any]
) -> httpx.Response | ApiError:
    """`PATCH /agents/{uuid}`: the fields sent replace the agent's."""
    agent = _agent(state, incoming)
    if isinstance(agent, ApiError):
        return agent
    if "name" in body and _blank(body["name"]):
        return _required("name")
    error = _agent_fields_error(body)
    if error is not None:
        return error
    _write(state, agent, body)
    return success(200, "Agent updated successfully", _agent_json(state, agent))


def _webhook_error(body: dict[str, Any], *, partial: bool) -> ApiError | None:
    if not partial or "url" in body:
        error = _url_error(body, "url", ("https",))
        if error is not None:
            return error
    if not partial or "events" in body:
        events = body.get("events")
        if _blank(events):
            return _required("events")
        if not isinstance(events, list) or not all(event in _EVENTS for event in events):
            return validation_error("VALIDATION_ERROR", "events", "The selected events are invalid")
    if "is_active" in body and not isinstance(body["is_active"], bool):
        return validation_error("VALIDATION_ERROR", "is_active", "The is_active must be a boolean")
    secret = body.get("secret_key")
    if secret is not None and not isinstance(secret, str):
        return validation_error("VALIDATION_ERROR", "secret_key", "The secret key must be a string")
    return None


def _apply_webhook(state: FakeState, hook: dict[str, Any], body: dict[str, Any]) -> None:
    for name in ("url", "events", "is_active"):
        if name in body:
            hook[name] = body[name]
    if "secret_key" in body:
        hook["_secret_key"] = body["secret_key"] or None
    hook["updated_at"] = _timestamp_now(state)


def create_webhook(
    state: FakeState, incoming: Incoming, body: dict[str, Any]
) -> httpx.Response | ApiError:
    """`POST /agents/{uuid}/webhooks`: answers `{data: <the whole agent>}`, as agent
    sub-resource writes do; 409 `webhook_limit_reached` beyond 5 per agent."""
    agent = _agent(state, incoming)
    if isinstance(agent, ApiError):
        return agent
    error = _webhook_error(body, partial=False)
    if error is not None:
        return error
    if len(_webhooks_of(state, agent.uuid)) >= _WEBHOOK_LIMIT:
        return WEBHOOK_LIMIT_REACHED
    now = _timestamp_now(state)
    hook: dict[str, Any] = {
        "webhook_uuid": str(uuid.uuid4()),
        "agent_uuid": agent.uuid,
        "is_active": True,
        "created_at": now,
    }
    _apply_webhook(state, hook, body)
    _webhooks(state)[hook["webhook_uuid"]] = hook
    return httpx.Response(201, json={"data": _agent_json(state, agent)})


def update_webhook(
    state: FakeState, incoming: Incoming, body: dict[str, Any]
) -> httpx.Response | ApiError:
    """`PATCH /agents/{uuid}/webhooks/{webhook_uuid}`: answers `{success, data: <the
    webhook>}`, as the API's webhook updates do; `secret_key: null` removes the key."""
    agent = _agent(state, incoming)
    if isinstance(agent, ApiError):
        return agent
    webhook_id = incoming.params["webhook_uuid"]
    hook = _webhooks(state).get(webhook_id)
    if hook is None or hook["agent_uuid"] != agent.uuid:
        return not_found("Webhook", webhook_id)
    error = _webhook_error(body, partial=True)
    if error is not None:
        return error
    _apply_webhook(state, hook, body)
    return httpx.Response(200, json={"success": True, "data": _webhook_json(hook)})


ROUTES: Final = (
    Route("GET", "/agents", "agents:read", list_agents),
    action_route("POST", "/agents", "agents:write", create_agent),
    action_route("POST", "/agents/from-website", "agents:write", create_agent_from_website),
    Route("GET", "/agents/{uuid}", "agents:read", get_agent),
    action_route("PATCH", "/agents/{uuid}", "agents:write", update_agent),
    action_route("POST", "/agents/{uuid}/webhooks", "agents:write", create_webhook),
    action_route("PATCH", "/agents/{uuid}/webhooks/{webhook_uuid}", "agents:write", update_webhook),
)
