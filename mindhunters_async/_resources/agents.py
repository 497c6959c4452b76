"""client.agents: agents, and their webhooks (`client.agents.webhooks`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .._converter import decoder, structure, unwrap
from .._exceptions import ErrorCode, RequestValidationError
from .._models.agents import Agent, AgentWebhook, WebhookEvent
from .._pagination import AsyncPager
from .._pipeline import Endpoint, Rule
from .._validators import check_flag as _flag
from .._validators import check_https_url as _https_url
from .._validators import check_secret as _secret
from .._validators import check_text as _text
from .._validators import check_web_url as _web_url
from ._base import Resource, fields, paging_rules, uuid_path
from .agent_sections import (
    AgentGuardRules,
    AgentGuidelines,
    AgentNotes,
    AgentProcedures,
    AgentRoutingRules,
    AgentTraining,
)
from .agent_setup import AgentChannels, AgentIntents, updated_agent, written_item

__all__ = ["AgentWebhooks", "Agents"]

# The checks are defined below; the lambdas look them up when a request is checked.
LIST = Endpoint("agents.list", "GET", "/agents", rules=paging_rules(100))
GET = Endpoint("agents.get", "GET", "/agents/{agent_id}", rules=uuid_path("agent_id"))
CREATE = Endpoint(
    "agents.create",
    "POST",
    "/agents",
    rules=(Rule("name", lambda value, field: _text(value, field)),),
)
UPDATE = Endpoint(
    "agents.update",
    "PATCH",
    "/agents/{agent_id}",
    rules=(
        *uuid_path("agent_id"),
        Rule("name", lambda value, field: _text(value, field), required=False),
    ),
)
CREATE_FROM_WEBSITE = Endpoint(
    "agents.create_from_website",
    "POST",
    "/agents/from-website",
    rules=(Rule("source_url", lambda value, field: _web_url(value, field)),),
)
SET_APPOINTMENTS = Endpoint(
    "agents.set_appointments", "PUT", "/agents/{agent_id}/appointments", uuid_path("agent_id")
)
SET_EVALUATION = Endpoint(
    "agents.set_evaluation", "PUT", "/agents/{agent_id}/evaluate", uuid_path("agent_id")
)
RESET_EVALUATION = Endpoint(
    "agents.reset_evaluation", "POST", "/agents/{agent_id}/evaluate/reassign", uuid_path("agent_id")
)
_WEBHOOK_BODY = (
    Rule("secret_key", lambda value, field: _secret(value, field), required=False),
    Rule("is_active", lambda value, field: _flag(value, field), required=False),
)
# An inferred path (the reference saw only the update's): correct it here if need be.
WEBHOOKS_CREATE = Endpoint(
    "agents.webhooks.create",
    "POST",
    "/agents/{agent_id}/webhooks",
    rules=(
        *uuid_path("agent_id"),
        Rule("url", lambda value, field: _https_url(value, field)),
        Rule("events", lambda value, field: _events(value, field)),
        *_WEBHOOK_BODY,
    ),
    source="inferred",
)
WEBHOOKS_UPDATE = Endpoint(
    "agents.webhooks.update",
    "PATCH",
    "/agents/{agent_id}/webhooks/{webhook_id}",
    rules=(
        *uuid_path("agent_id", "webhook_id"),
        Rule("url", lambda value, field: _https_url(value, field), required=False),
        Rule("events", lambda value, field: _events(value, field), required=False),
        *_WEBHOOK_BODY,
    ),
)


_EVENTS = frozenset(event.value for event in WebhookEvent)


def _events(value: object, field: str) -> None:
    if not isinstance(value, list) or not value:
        raise RequestValidationError(
            field,
            ErrorCode.VALIDATION_ERROR,
            f"{field} must be a non-empty list of WebhookEvent members or their names",
        )
    unknown = [event for event in value if not isinstance(event, str) or event not in _EVENTS]
    if unknown:
        shown = repr(unknown[0])
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        raise RequestValidationError(
            field,
            ErrorCode.VALIDATION_ERROR,
            f"{field} holds an unknown event ({shown}): use one of {', '.join(sorted(_EVENTS))}",
        )


def _event_list(events: Any) -> Any:
    """`events` as it goes on the wire: a list of names (a single event becomes a list
    of one); anything unreadable is passed on for the endpoint's rule to refuse."""
    if events is None:
        return None
    if isinstance(events, str):
        events = [events]
    elif isinstance(events, Iterable) and not isinstance(events, Mapping):
        events = list(events)
    else:
        return events
    return [event.value if isinstance(event, WebhookEvent) else event for event in events]


_agent = decoder(Agent)


def _webhook(body: Any, *, webhook_id: str | None = None, url: str | None = None) -> AgentWebhook:
    """The webhook in a reply (see `written_item`): by id, or, for a new one, by url."""
    ids = ("id", "uuid", "webhook_uuid", "webhook_id")
    return structure(
        written_item(unwrap(body), "webhooks", ids, webhook_id, ("url", url)), AgentWebhook
    )


class AgentWebhooks(Resource):
    """An agent's webhook subscriptions (at most 5 per agent): `create` and `update`.

    Webhook URLs must be https (checked before sending). The secret key is
    write-only: it is sent, never shown back (`AgentWebhook.has_secret` says
    whether one is set), and the SDK puts it in no repr, log record or error.
    """

    __slots__ = ()

    async def create(
        self,
        agent_id: str | Any,
        *,
        url: str,
        events: Iterable[WebhookEvent | str] | WebhookEvent | str,
        secret_key: str | None = None,
        is_active: bool | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> AgentWebhook:
        """Subscribe `url` (https only) to `events` of the agent `agent_id`.

        `events` are `WebhookEvent` members or their names ("conversation_status",
        ...), or a single one; an unknown name is refused before sending
        (`RequestValidationError` naming `events`). `secret_key` is the key the
        API signs deliveries with (its scheme is not published). An agent has at
        most 5 webhooks: a sixth is a `ConflictError` with `code ==
        ErrorCode.WEBHOOK_LIMIT_REACHED`. Returns the new webhook. Inferred path.
        """
        payload = fields(
            url=url, events=_event_list(events), secret_key=secret_key, is_active=is_active
        )
        result: AgentWebhook = await self._send(
            WEBHOOKS_CREATE,
            lambda body: _webhook(body, url=url),
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
        webhook_id: str | Any,
        *,
        url: str | None = None,
        events: Iterable[WebhookEvent | str] | WebhookEvent | str | None = None,
        secret_key: str | None = None,
        is_active: bool | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **body: Any,
    ) -> AgentWebhook:
        """Change the webhook `webhook_id` of the agent `agent_id`: only the fields
        given are sent, checked as in `create`. Returns the webhook as updated."""
        payload = fields(
            url=url, events=_event_list(events), secret_key=secret_key, is_active=is_active
        )
        payload.update(body)
        result: AgentWebhook = await self._send(
            WEBHOOKS_UPDATE,
            lambda reply: _webhook(reply, webhook_id=str(webhook_id)),
            path={"agent_id": agent_id, "webhook_id": webhook_id},
            json=payload,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result


class Agents(Resource):
    """Voice agents: `list`, `get`, `create`, `update`, `create_from_website`,
    `set_appointments`, `set_evaluation`, `reset_evaluation`; their webhooks are
    `client.agents.webhooks`."""

    __slots__ = ()

    @property
    def webhooks(self) -> AgentWebhooks:
        """The agents' webhook subscriptions, on the same client (and, under
        `with_raw_response`, returning `RawResponse`s too)."""
        return AgentWebhooks(self._client, raw=self._raw)

    @property
    def notes(self) -> AgentNotes:
        """An agent's notes: add one, delete one."""
        return AgentNotes(self._client, raw=self._raw)

    @property
    def guidelines(self) -> AgentGuidelines:
        """An agent's guidelines: add one, replace all, delete one."""
        return AgentGuidelines(self._client, raw=self._raw)

    @property
    def procedures(self) -> AgentProcedures:
        """An agent's procedures (with steps): add, update, delete."""
        return AgentProcedures(self._client, raw=self._raw)

    @property
    def training(self) -> AgentTraining:
        """An agent's training rows: add one, replace all, update one, delete one."""
        return AgentTraining(self._client, raw=self._raw)

    @property
    def guard_rules(self) -> AgentGuardRules:
        """An agent's guard rules: add one, replace all, update one, delete one."""
        return AgentGuardRules(self._client, raw=self._raw)

    @property
    def routing_rules(self) -> AgentRoutingRules:
        """An agent's routing rules: add one, replace all, update one, delete one."""
        return AgentRoutingRules(self._client, raw=self._raw)

    @property
    def intents(self) -> AgentIntents:
        """An agent's intents and their action events."""
        return AgentIntents(self._client, raw=self._raw)

    @property
    def channels(self) -> AgentChannels:
        """An agent's channels: provision calls, assign a SIP trunk, bind and unbind
        the messaging channels."""
        return AgentChannels(self._client, raw=self._raw)

    def list(
        self,
        *,
        per_page: int | None = None,
        page: int = 1,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> AsyncPager[Agent]:
        """The workspace's agents.

        `await client.agents.list()` returns one `Page`; `async for agent in
        client.agents.list()` walks every page. The API sends agents without paging
        numbers, so with `per_page` (at most 100) the walk ends on the first page
        shorter than `per_page`; without it, the first page is all there is.
        """
        return self._pager(
            LIST,
            Agent,
            page=page,
            per_page=per_page,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )

    async def get(
        self,
        agent_id: str | Any,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> Agent:
        """The agent with this id (a UUID); `NotFoundError` when there is none."""
        result: Agent = await self._send(
            GET,
            _agent,
            path={"agent_id": agent_id},
            extra_headers=extra_headers,
            extra_query=extra_query,
        )
        return result

    async def create(
        self,
        *,
        name: str,
        description: str | None = None,
        language: str | None = None,
        settings: Any = None,
        notes: Any = None,
        guidelines: Any = None,
        procedures: Any = None,
        training: Any = None,
        appointments: Any = None,
        routing_rules: Any = None,
        guard_rules: Any = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **body: Any,
    ) -> Agent:
        """Create an agent called `name`, with any of its optional sections.

        The sections (`settings`, `notes`, `guidelines`, `procedures`, `training`,
        `appointments`, `routing_rules`, `guard_rules`) go on the wire as given
        (dicts and lists, as in the API docs); other keyword arguments go into the
        JSON body as given. Returns the new `Agent`.
        """
        payload = fields(
            name=name,
            description=description,
            language=language,
            settings=settings,
            notes=notes,
            guidelines=guidelines,
            procedures=procedures,
            training=training,
            appointments=appointments,
            routing_rules=routing_rules,
            guard_rules=guard_rules,
        )
        payload.update(body)
        result: Agent = await self._send(
            CREATE,
            _agent,
            json=payload,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result

    async def update(
        self,
        agent_id: str | Any,
        *,
        name: str | None = None,
        description: str | None = None,
        language: str | None = None,
        status: str | None = None,
        settings: Any = None,
        notes: Any = None,
        guidelines: Any = None,
        procedures: Any = None,
        training: Any = None,
        appointments: Any = None,
        routing_rules: Any = None,
        guard_rules: Any = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **body: Any,
    ) -> Agent:
        """Change the agent `agent_id`: only the fields given are sent.

        A collection section that is given (`notes`, `guidelines`, `procedures`,
        `training`, `routing_rules`, `guard_rules`, ...) replaces the agent's whole
        section, as the API does; it is not merged. Returns the updated `Agent`.
        """
        payload = fields(
            name=name,
            description=description,
            language=language,
            status=status,
            settings=settings,
            notes=notes,
            guidelines=guidelines,
            procedures=procedures,
            training=training,
            appointments=appointments,
            routing_rules=routing_rules,
            guard_rules=guard_rules,
        )
        payload.update(body)
        result: Agent = await self._send(
            UPDATE,
            _agent,
            path={"agent_id": agent_id},
            json=payload,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result

    async def create_from_website(
        self,
        *,
        source_url: str,
        language: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **body: Any,
    ) -> Agent:
        """Create an agent from the website at `source_url` (http or https, checked
        before sending), in `language` when given. Other keyword arguments go into
        the JSON body as given. Returns the new `Agent`."""
        payload = fields(source_url=source_url, language=language)
        payload.update(body)
        result: Agent = await self._send(
            CREATE_FROM_WEBSITE,
            _agent,
            json=payload,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result

    async def set_appointments(
        self,
        agent_id: str | Any,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **settings: Any,
    ) -> Agent:
        """Replace the agent's appointment settings and schedule assignments with
        the keyword fields, sent as given (the docs do not list them). Returns the
        updated `Agent` (its `appointments`)."""
        result: Agent = await self._send(
            SET_APPOINTMENTS,
            updated_agent(agent_id),
            path={"agent_id": agent_id},
            json=dict(settings),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result

    async def set_evaluation(
        self,
        agent_id: str | Any,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **settings: Any,
    ) -> Agent:
        """Override the workspace's default evaluation settings for this agent with
        the keyword fields, sent as given (the docs do not list them);
        `reset_evaluation` goes back to the default. Returns the updated `Agent`."""
        result: Agent = await self._send(
            SET_EVALUATION,
            updated_agent(agent_id),
            path={"agent_id": agent_id},
            json=dict(settings),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result

    async def reset_evaluation(
        self,
        agent_id: str | Any,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Agent:
        """Drop the agent's evaluation override: it is evaluated with the
        workspace's default settings again. Returns the updated `Agent`."""
        result: Agent = await self._send(
            RESET_EVALUATION,
            updated_agent(agent_id),
            path={"agent_id": agent_id},
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result
