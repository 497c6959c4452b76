"""client.agents.intents and client.agents.channels: an agent's intents (and their
action events) and its channels."""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Mapping
from typing import Any, Final

from .._converter import structure, unwrap
from .._exceptions import ErrorCode, RequestValidationError, ResponseDecodeError
from .._models.agent_setup import Channel, Intent, IntentEvent
from .._models.agents import Agent, without_token
from .._pipeline import Endpoint, Rule
from .._validators import check_flag as _flag
from .._validators import check_https_url as _https
from .._validators import check_secret as _secret
from .._validators import check_text as _text
from .._validators import validate_uuid
from ._base import Resource, fields, uuid_path, with_id

__all__ = ["AgentChannels", "AgentIntents", "updated_agent", "written_item"]


def _number(value: object, field: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise RequestValidationError(field, ErrorCode.VALIDATION_ERROR, f"{field} must be a number")


def _object(value: object, field: str) -> None:
    # Never echoed: it may hold the auth token.
    if not isinstance(value, dict):
        raise RequestValidationError(
            field,
            ErrorCode.VALIDATION_ERROR,
            f'{field} must be a mapping such as {{"url": "https://...", "auth_token": "..."}},'
            f" got a {type(value).__name__}",
        )


_INTENT_BODY = (
    Rule("confidence_threshold", _number, required=False),
    Rule("webhook", _object, required=False),
    Rule("webhook.url", _https, required=False),
    Rule("webhook.auth_token", _secret, required=False),
)
_INTENT_PATH = uuid_path("agent_id", "intent_id")

# An inferred path (the reference saw only the update's): correct it here if need be.
INTENTS_CREATE = Endpoint(
    "agents.intents.create",
    "POST",
    "/agents/{agent_id}/intents",
    rules=(*uuid_path("agent_id"), Rule("key", _text), *_INTENT_BODY),
    source="inferred",
)
INTENTS_UPDATE = Endpoint(
    "agents.intents.update",
    "PATCH",
    "/agents/{agent_id}/intents/{intent_id}",
    rules=(*_INTENT_PATH, Rule("key", _text, required=False), *_INTENT_BODY),
)
INTENTS_GET_EVENT = Endpoint(
    "agents.intents.get_event", "GET", "/agents/{agent_id}/intents/{intent_id}/event", _INTENT_PATH
)
INTENTS_SET_EVENT = Endpoint(
    "agents.intents.set_event", "PUT", "/agents/{agent_id}/intents/{intent_id}/event", _INTENT_PATH
)
# Referenced by another page only: correct the path here if need be.
INTENTS_PUBLISH_EVENT = Endpoint(
    "agents.intents.publish_event",
    "POST",
    "/agents/{agent_id}/intents/{intent_id}/event/publish",
    _INTENT_PATH,
    source="referenced",
)

CHANNELS_PROVISION_CALL = Endpoint(
    "agents.channels.provision_call",
    "POST",
    "/agents/{agent_id}/channels/call/provision",
    rules=(*uuid_path("agent_id"), Rule("phone_number_uuid", validate_uuid)),
)
CHANNELS_ASSIGN_SIP_TRUNK = Endpoint(
    "agents.channels.assign_sip_trunk",
    "POST",
    "/agents/{agent_id}/channels/call/sip-trunk",
    rules=(
        *uuid_path("agent_id"),
        Rule("connection_uuid", validate_uuid, required=False),
        Rule("force", _flag, required=False),
    ),
)


def _channel_endpoint(name: str, method: str, path: str) -> Endpoint:
    return Endpoint(name, method, path, uuid_path("agent_id"), source="inferred")


# Inferred paths (the reference names the channels, not each page's path): correcting
# one is a change to its line.
BIND_SMS = _channel_endpoint("agents.channels.bind", "POST", "/agents/{agent_id}/channels/sms")
BIND_WHATSAPP = _channel_endpoint(
    "agents.channels.bind", "POST", "/agents/{agent_id}/channels/whatsapp"
)
BIND_WHATSAPP_CALLING = _channel_endpoint(
    "agents.channels.bind", "POST", "/agents/{agent_id}/channels/whatsapp-calling"
)
BIND_INSTAGRAM = _channel_endpoint(
    "agents.channels.bind", "POST", "/agents/{agent_id}/channels/instagram"
)
BIND_MESSENGER = _channel_endpoint(
    "agents.channels.bind", "POST", "/agents/{agent_id}/channels/messenger"
)
UNBIND_SMS = _channel_endpoint(
    "agents.channels.unbind", "DELETE", "/agents/{agent_id}/channels/sms"
)
UNBIND_WHATSAPP = _channel_endpoint(
    "agents.channels.unbind", "DELETE", "/agents/{agent_id}/channels/whatsapp"
)
UNBIND_WHATSAPP_CALLING = _channel_endpoint(
    "agents.channels.unbind", "DELETE", "/agents/{agent_id}/channels/whatsapp-calling"
)
UNBIND_INSTAGRAM = _channel_endpoint(
    "agents.channels.unbind", "DELETE", "/agents/{agent_id}/channels/instagram"
)
UNBIND_MESSENGER = _channel_endpoint(
    "agents.channels.unbind", "DELETE", "/agents/{agent_id}/channels/messenger"
)
_BIND: Final = {
    Channel.SMS: BIND_SMS,
    Channel.WHATSAPP: BIND_WHATSAPP,
    Channel.WHATSAPP_CALLING: BIND_WHATSAPP_CALLING,
    Channel.INSTAGRAM: BIND_INSTAGRAM,
    Channel.MESSENGER: BIND_MESSENGER,
}
_UNBIND: Final = {
    Channel.SMS: UNBIND_SMS,
    Channel.WHATSAPP: UNBIND_WHATSAPP,
    Channel.WHATSAPP_CALLING: UNBIND_WHATSAPP_CALLING,
    Channel.INSTAGRAM: UNBIND_INSTAGRAM,
    Channel.MESSENGER: UNBIND_MESSENGER,
}


def _channel(channel: object) -> Channel:
    try:
        return Channel(channel)
    except (ValueError, TypeError):
        pass
    shown = repr(channel)
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    hint = (
        ": the call channel has provision_call and assign_sip_trunk"
        if channel == "call"
        else f": use one of {', '.join(member.value for member in Channel)}"
    )
    raise RequestValidationError(
        "channel", ErrorCode.VALIDATION_ERROR, f"channel {shown} is not a channel to bind{hint}"
    )


def _id_text(value: Any) -> Any:
    # A uuid.UUID goes into the JSON body as its string; anything else as given,
    # for the endpoint's rules to judge.
    return str(value) if isinstance(value, uuid.UUID) else value


def _webhook_body(webhook: Mapping[str, Any] | None) -> Any:
    return dict(webhook) if isinstance(webhook, Mapping) else webhook


def updated_agent(agent_id: Any) -> Callable[[Any], Agent]:
    """The decoder of an agent sub-resource write: its answer is `{data: <the whole
    agent>}`. An answer without the agent's id (`data: {}`) still reads, with the id
    the caller sent (an id the server sends wins)."""
    return with_id(Agent, agent_id)


def written_item(
    data: Any, section: str, ids: tuple[str, ...], item_id: Any, match: tuple[str, Any]
) -> Any:
    """The item an agent sub-resource write answered with: the reply's `data` itself,
    or, when `data` is the whole agent (as those writes answer), the item of its
    `section` with `item_id` under one of `ids`, or (for a new one, `item_id` None)
    the last whose `match` field holds the value written."""
    if not (isinstance(data, dict) and isinstance(data.get(section), list)):
        return data
    items = [item for item in data[section] if isinstance(item, dict)]
    if item_id is not None:
        items = [item for item in items if str(item_id) in (item.get(k) for k in ids)]
    else:
        name, value = match
        items = [item for item in items if item.get(name) == value]
    if not items:
        raise ResponseDecodeError(
            f"the response is an agent without the {section.rstrip('s')} just written to it"
        )
    return items[-1]


def _intent(agent_id: Any, *, intent_id: Any = None, key: Any = None) -> Callable[[Any], Intent]:
    """The decoder of an intent write (see `written_item`); auth tokens dropped."""
    ids = ("uuid", "intent_uuid", "id")

    def decode(body: Any) -> Intent:
        data = written_item(unwrap(body), "intents", ids, intent_id, ("key", key))
        intent = dict(without_token(data)) if isinstance(data, dict) else {}
        if intent_id is not None:
            intent.setdefault("uuid", str(intent_id))
        intent.setdefault("agent_uuid", str(agent_id))
        return structure(intent, Intent)

    return decode


def _event(intent_id: Any) -> Callable[[Any], IntentEvent]:
    """The decoder of an intent's event: the answer's `data`, or the `event` of the
    intent (or of the intent in the whole agent) when the API answers with those."""

    def decode(body: Any) -> IntentEvent:
        data = unwrap(body)
        data = data if isinstance(data, dict) else {}
        if isinstance(data.get("intents"), list):
            ids = ("uuid", "intent_uuid", "id")
            intents = [i for i in data["intents"] if isinstance(i, dict)]
            data = next((i for i in intents if str(intent_id) in (i.get(k) for k in ids)), {})
        if isinstance(data.get("event"), dict):
            data = data["event"]
        event = dict(data)
        event.setdefault("intent_uuid", str(intent_id))
        return structure(event, IntentEvent)

    return decode


class AgentIntents(Resource):
    """An agent's intents: `create`, `update`, and each intent's action event:
    `get_event`, `set_event` (a draft), `publish_event`.

    An intent's webhook (`{"url": "https://...", "auth_token": "..."}`) must be
    https (checked before sending). The auth token is write-only: it is sent, never
    shown back (`IntentWebhook.has_auth_token` says whether one is set, even when
    the API echoes the token), and the SDK puts it in no repr, log record or error.

    `create` and `update` return the `Intent`, whether the API answers with the
    intent alone (as the reference says intent updates do) or with the whole agent
    (as agent sub-resource writes do: the intent is then picked out of it).
    """

    __slots__ = ()

    async def create(
        self,
        agent_id: str | Any,
        *,
        key: str,
        confidence_threshold: float | None = None,
        webhook: Mapping[str, Any] | None = None,
        parameters: Any = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **body: Any,
    ) -> Intent:
        """Add the intent `key` to the agent `agent_id`. Inferred path.

        `confidence_threshold` is a number; `webhook` a mapping with `url` (https)
        and `auth_token`; `parameters` and other keyword arguments go on the wire as
        given. A blank `key` or a non-https webhook URL is refused before sending
        (`RequestValidationError`). Returns the new `Intent`.
        """
        payload = fields(
            key=key,
            confidence_threshold=confidence_threshold,
            webhook=_webhook_body(webhook),
            parameters=parameters,
        )
        payload.update(body)
        result: Intent = await self._send(
            INTENTS_CREATE,
            _intent(agent_id, key=key),
            path={"agent_id": agent_id},
            json=payload,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result

    async def update(
        self,
        agent_id: str | Any,
        intent_id: str | Any,
        *,
        key: str | None = None,
        confidence_threshold: float | None = None,
        webhook: Mapping[str, Any] | None = None,
        parameters: Any = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **body: Any,
    ) -> Intent:
        """Change the intent `intent_id` of the agent `agent_id`: only the fields
        given are sent, checked as in `create`. Returns the `Intent` as updated."""
        payload = fields(
            key=key,
            confidence_threshold=confidence_threshold,
            webhook=_webhook_body(webhook),
            parameters=parameters,
        )
        payload.update(body)
        result: Intent = await self._send(
            INTENTS_UPDATE,
            _intent(agent_id, intent_id=intent_id),
            path={"agent_id": agent_id, "intent_id": intent_id},
            json=payload,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result

    async def get_event(
        self,
        agent_id: str | Any,
        intent_id: str | Any,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> IntentEvent:
        """The action event of the intent `intent_id`: its draft or published stage
        is `IntentEvent.status`. `NotFoundError` when there is no such intent."""
        result: IntentEvent = await self._send(
            INTENTS_GET_EVENT,
            _event(intent_id),
            path={"agent_id": agent_id, "intent_id": intent_id},
            extra_headers=extra_headers,
            extra_query=extra_query,
        )
        return result

    async def set_event(
        self,
        agent_id: str | Any,
        intent_id: str | Any,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **body: Any,
    ) -> IntentEvent:
        """Set the intent's action event as a draft (a PUT: the fields given replace
        the draft); the keyword fields are sent as given (`type="webhook"`,
        `config={...}`: the docs do not list them). It takes effect once published
        with `publish_event`. Returns the event."""
        result: IntentEvent = await self._send(
            INTENTS_SET_EVENT,
            _event(intent_id),
            path={"agent_id": agent_id, "intent_id": intent_id},
            json=dict(body),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result

    async def publish_event(
        self,
        agent_id: str | Any,
        intent_id: str | Any,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> IntentEvent:
        """Publish the intent's draft event: the intent triggers it from now on.
        Returns the event. Referenced path."""
        result: IntentEvent = await self._send(
            INTENTS_PUBLISH_EVENT,
            _event(intent_id),
            path={"agent_id": agent_id, "intent_id": intent_id},
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result


class AgentChannels(Resource):
    """An agent's channels: `provision_call` (with an owned number),
    `assign_sip_trunk`, and `bind` / `unbind` for the messaging channels
    (`Channel`: SMS, WhatsApp, WhatsApp Calling, Instagram, Messenger).

    Every method returns the updated `Agent` (the API answers these writes with
    the whole agent; `Agent.channels` is its JSON as sent).
    """

    __slots__ = ()

    async def provision_call(
        self,
        agent_id: str | Any,
        *,
        phone_number_id: str | Any,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **body: Any,
    ) -> Agent:
        """Provision the agent's call channel on the owned number `phone_number_id`
        (its uuid, `PhoneNumber.id`, checked before sending; sent as
        `phone_number_uuid`). Returns the updated `Agent`."""
        payload = fields(phone_number_uuid=_id_text(phone_number_id))
        payload.update(body)
        result: Agent = await self._send(
            CHANNELS_PROVISION_CALL,
            updated_agent(agent_id),
            path={"agent_id": agent_id},
            json=payload,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result

    async def assign_sip_trunk(
        self,
        agent_id: str | Any,
        *,
        connection_id: str | Any | None = None,
        force: bool | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **body: Any,
    ) -> Agent:
        """Route the agent's calls through a SIP trunk connection.

        `connection_id` is the connection's uuid (checked before sending), sent as
        `connection_uuid`: the docs show only `force`, so that name is inferred
        (`extra_body` can send another). `force=True` replaces a call channel the
        agent already has. Returns the updated `Agent`.
        """
        payload = fields(connection_uuid=_id_text(connection_id), force=force)
        payload.update(body)
        result: Agent = await self._send(
            CHANNELS_ASSIGN_SIP_TRUNK,
            updated_agent(agent_id),
            path={"agent_id": agent_id},
            json=payload,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result

    async def bind(
        self,
        agent_id: str | Any,
        channel: Channel | str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **body: Any,
    ) -> Agent:
        """Bind the agent to a messaging `channel` (a `Channel` or its name: "sms",
        "whatsapp", "whatsapp-calling", "instagram", "messenger"; another is refused
        before sending). The keyword fields are sent as given (the docs do not list
        them). Returns the updated `Agent`. Inferred path."""
        result: Agent = await self._send(
            _BIND[_channel(channel)],
            updated_agent(agent_id),
            path={"agent_id": agent_id},
            json=dict(body),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result

    async def unbind(
        self,
        agent_id: str | Any,
        channel: Channel | str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> Agent:
        """Unbind the agent from a messaging `channel` (as in `bind`). Returns the
        updated `Agent`. Inferred path."""
        result: Agent = await self._send(
            _UNBIND[_channel(channel)],
            updated_agent(agent_id),
            path={"agent_id": agent_id},
            extra_headers=extra_headers,
            extra_query=extra_query,
        )
        return result
