"""An agent's collection sections: notes, guidelines, procedures, training, guard and
routing rules (`client.agents.notes`, ...), one item at a time or replaced whole.

Every write answers `{data: <the whole agent>}`, so every method returns the updated
`Agent`; the section's items are in its fields (`agent.notes`, ...), each with its id.
The items' fields are not documented in full: the known ones are keyword arguments,
any others go into the JSON body as given.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .._exceptions import ErrorCode, RequestValidationError
from .._models.agents import Agent
from .._pipeline import Endpoint, Rule
from .._validators import check_text as _text
from ._base import Resource, uuid_path
from ._base import fields as body_fields
from .agent_setup import updated_agent

__all__ = [
    "AgentGuardRules",
    "AgentGuidelines",
    "AgentNotes",
    "AgentProcedures",
    "AgentRoutingRules",
    "AgentTraining",
]


def _items(value: object, field: str) -> None:
    """A whole section: a list of items, each a JSON object (an empty list clears it)."""
    if not isinstance(value, list):
        raise RequestValidationError(
            field,
            ErrorCode.VALIDATION_ERROR,
            f"{field} must be a list of items (dicts), got a {type(value).__name__}",
        )
    for index, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise RequestValidationError(
                f"{field}.{index}",
                ErrorCode.VALIDATION_ERROR,
                f"each item of {field} must be a dict of its fields, got a {type(item).__name__}",
            )


def _steps(value: object, field: str) -> None:
    if not isinstance(value, list):
        raise RequestValidationError(
            field,
            ErrorCode.VALIDATION_ERROR,
            f"{field} must be a list of steps, got a {type(value).__name__}",
        )
    for index, step in enumerate(value):
        if not (isinstance(step, str) and step.strip()) and not isinstance(step, Mapping):
            raise RequestValidationError(
                f"{field}.{index}",
                ErrorCode.VALIDATION_ERROR,
                "each step must be a non-empty string or a dict of the step's fields",
            )


def _given(*names: str) -> tuple[Rule, ...]:
    """Rules: each of these text fields, when given, is a non-empty string."""
    return tuple(Rule(name, _text, required=False) for name in names)


_NOTE = uuid_path("agent_id", "note_id")
_GUIDELINE = uuid_path("agent_id", "guideline_id")
_PROCEDURE = uuid_path("agent_id", "procedure_id")
_TRAINING = uuid_path("agent_id", "training_id")
_RULE = uuid_path("agent_id", "rule_id")

# Every path of the group is here. A non-"seen" one is the reference's inference
# (or another page's mention): correcting it is a one-line change on its Endpoint.
NOTES_CREATE = Endpoint(
    "agents.notes.create",
    "POST",
    "/agents/{agent_id}/notes",
    rules=(*uuid_path("agent_id"), Rule("content", _text), *_given("title")),
)
NOTES_DELETE = Endpoint(
    "agents.notes.delete",
    "DELETE",
    "/agents/{agent_id}/notes/{note_id}",
    rules=_NOTE,
    source="inferred",
)
GUIDELINES_CREATE = Endpoint(
    "agents.guidelines.create",
    "POST",
    "/agents/{agent_id}/guidelines",
    rules=(*uuid_path("agent_id"), Rule("content", _text)),
)
GUIDELINES_REPLACE = Endpoint(
    "agents.guidelines.replace",
    "PUT",
    "/agents/{agent_id}/guidelines",
    rules=(*uuid_path("agent_id"), Rule("guidelines", _items)),
)
GUIDELINES_DELETE = Endpoint(
    "agents.guidelines.delete",
    "DELETE",
    "/agents/{agent_id}/guidelines/{guideline_id}",
    rules=_GUIDELINE,
    source="inferred",
)
PROCEDURES_CREATE = Endpoint(
    "agents.procedures.create",
    "POST",
    "/agents/{agent_id}/procedures",
    rules=(
        *uuid_path("agent_id"),
        Rule("name", _text),
        *_given("description"),
        Rule("steps", _steps, required=False),
    ),
)
PROCEDURES_UPDATE = Endpoint(
    "agents.procedures.update",
    "PATCH",
    "/agents/{agent_id}/procedures/{procedure_id}",
    rules=(*_PROCEDURE, *_given("name", "description"), Rule("steps", _steps, required=False)),
)
PROCEDURES_DELETE = Endpoint(
    "agents.procedures.delete",
    "DELETE",
    "/agents/{agent_id}/procedures/{procedure_id}",
    rules=_PROCEDURE,
)
TRAINING_CREATE = Endpoint(
    "agents.training.create",
    "POST",
    "/agents/{agent_id}/training",
    rules=(*uuid_path("agent_id"), *_given("question", "answer", "content")),
    source="inferred",
)
TRAINING_REPLACE = Endpoint(
    "agents.training.replace",
    "PUT",
    "/agents/{agent_id}/training",
    rules=(*uuid_path("agent_id"), Rule("training", _items)),
)
TRAINING_UPDATE = Endpoint(
    "agents.training.update",
    "PATCH",
    "/agents/{agent_id}/training/{training_id}",
    rules=(*_TRAINING, *_given("question", "answer", "content")),
)
TRAINING_DELETE = Endpoint(
    "agents.training.delete",
    "DELETE",
    "/agents/{agent_id}/training/{training_id}",
    rules=_TRAINING,
    source="inferred",
)
GUARD_RULES_CREATE = Endpoint(
    "agents.guard_rules.create",
    "POST",
    "/agents/{agent_id}/guard-rules",
    rules=(*uuid_path("agent_id"), *_given("name", "condition", "action")),
)
GUARD_RULES_REPLACE = Endpoint(
    "agents.guard_rules.replace",
    "PUT",
    "/agents/{agent_id}/guard-rules",
    rules=(*uuid_path("agent_id"), Rule("guard_rules", _items)),
)
GUARD_RULES_UPDATE = Endpoint(
    "agents.guard_rules.update",
    "PATCH",
    "/agents/{agent_id}/guard-rules/{rule_id}",
    rules=(*_RULE, *_given("name", "condition", "action")),
)
GUARD_RULES_DELETE = Endpoint(
    "agents.guard_rules.delete",
    "DELETE",
    "/agents/{agent_id}/guard-rules/{rule_id}",
    rules=_RULE,
    source="inferred",
)
ROUTING_RULES_CREATE = Endpoint(
    "agents.routing_rules.create",
    "POST",
    "/agents/{agent_id}/routing-rules",
    rules=(*uuid_path("agent_id"), *_given("name", "condition", "action")),
    source="inferred",
)
ROUTING_RULES_REPLACE = Endpoint(
    "agents.routing_rules.replace",
    "PUT",
    "/agents/{agent_id}/routing-rules",
    rules=(*uuid_path("agent_id"), Rule("routing_rules", _items)),
    source="referenced",
)
ROUTING_RULES_UPDATE = Endpoint(
    "agents.routing_rules.update",
    "PATCH",
    "/agents/{agent_id}/routing-rules/{rule_id}",
    rules=(*_RULE, *_given("name", "condition", "action")),
)
ROUTING_RULES_DELETE = Endpoint(
    "agents.routing_rules.delete",
    "DELETE",
    "/agents/{agent_id}/routing-rules/{rule_id}",
    rules=_RULE,
)


def _as_list(values: Any) -> Any:
    """An iterable of items as the JSON list it goes on the wire as; anything else
    (a string, a dict, None) as given, for the endpoint's rules to judge."""
    if isinstance(values, Iterable) and not isinstance(values, (str, bytes, Mapping)):
        return [dict(v) if isinstance(v, Mapping) else v for v in values]
    return values


def _filled(body: Mapping[str, Any]) -> set[str]:
    """The fields given a value the server would count as present (as Laravel's
    `required` does: not None, not blank, not an empty list or object)."""
    return {
        key
        for key, value in body.items()
        if value is not None
        and value != []
        and value != {}
        and not (isinstance(value, str) and not value.strip())
    }


def _require_one_of(
    body: Mapping[str, Any], groups: tuple[tuple[str, ...], ...], what: str
) -> None:
    """Refuse an item that fills none of `groups` (fields that together make one),
    naming a field missing from the group the caller came closest to filling."""
    filled = _filled(body)
    if any(filled.issuperset(group) for group in groups):
        return
    # A blank field given still says which group the caller meant.
    closest = max(groups, key=lambda group: len(body.keys() & group))
    field = next(name for name in closest if name not in filled)
    raise RequestValidationError(
        field, ErrorCode.VALIDATION_ERROR, f"The {field} field is required: {what}"
    )


def _require_some(body: Mapping[str, Any], what: str) -> None:
    """Refuse an item without any field: its required ones are not documented."""
    if not _filled(body):
        raise RequestValidationError(
            "name",
            ErrorCode.VALIDATION_ERROR,
            f"{what} needs its fields (name, condition, action, or others as keyword"
            " arguments): none were given",
        )


class _Section(Resource):
    """What the six sections share: a write on an agent, answered by the whole agent."""

    __slots__ = ()

    async def _write(
        self,
        endpoint: Endpoint,
        path: Mapping[str, Any],
        payload: dict[str, Any] | None,
        extra_headers: Mapping[str, str] | None,
        extra_query: Mapping[str, Any] | None,
        extra_body: Mapping[str, Any] | None,
    ) -> Agent:
        result: Agent = await self._send(
            endpoint,
            updated_agent(path["agent_id"]),
            path=path,
            json=payload,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result


class AgentNotes(_Section):
    """An agent's notes: `create` (add one) and `delete` (remove one).

    The whole list is replaced through `client.agents.update(agent_id, notes=[...])`.
    """

    __slots__ = ()

    async def create(
        self,
        agent_id: str | Any,
        *,
        content: str,
        title: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> Agent:
        """Add a note (`content`, non-empty; an optional `title`) to the agent `agent_id`.

        Other keyword arguments go into the JSON body as given. Returns the updated
        `Agent` (the new note is the last of `agent.notes`); `NotFoundError` when
        there is no such agent.
        """
        payload = {**body_fields(content=content, title=title), **fields}
        return await self._write(
            NOTES_CREATE, {"agent_id": agent_id}, payload, extra_headers, extra_query, extra_body
        )

    async def delete(
        self,
        agent_id: str | Any,
        note_id: str | Any,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> Agent:
        """Remove the note `note_id` from the agent `agent_id`; returns the updated
        `Agent`. `NotFoundError` when either is unknown. Inferred path."""
        path = {"agent_id": agent_id, "note_id": note_id}
        return await self._write(NOTES_DELETE, path, None, extra_headers, extra_query, None)


class AgentGuidelines(_Section):
    """An agent's guidelines: `create` (add one), `replace` (all), `delete` (one)."""

    __slots__ = ()

    async def create(
        self,
        agent_id: str | Any,
        *,
        content: str,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> Agent:
        """Add a guideline (`content`, non-empty) to the agent `agent_id`.

        Other keyword arguments go into the JSON body as given. Returns the updated
        `Agent`; `NotFoundError` when there is no such agent.
        """
        payload = {**body_fields(content=content), **fields}
        return await self._write(
            GUIDELINES_CREATE,
            {"agent_id": agent_id},
            payload,
            extra_headers,
            extra_query,
            extra_body,
        )

    async def replace(
        self,
        agent_id: str | Any,
        guidelines: Iterable[Mapping[str, Any]],
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Agent:
        """Replace all the guidelines of the agent `agent_id` with `guidelines`, a
        list of dicts (`[{"content": ...}, ...]`; an empty list removes them all).

        Sent as `{"guidelines": [...]}`, the key `agents.create` uses for the
        section. Anything but a list of dicts is refused before sending. Returns the
        updated `Agent`.
        """
        payload = {"guidelines": _as_list(guidelines)}
        return await self._write(
            GUIDELINES_REPLACE,
            {"agent_id": agent_id},
            payload,
            extra_headers,
            extra_query,
            extra_body,
        )

    async def delete(
        self,
        agent_id: str | Any,
        guideline_id: str | Any,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> Agent:
        """Remove the guideline `guideline_id` from the agent `agent_id`; returns the
        updated `Agent`. `NotFoundError` when either is unknown. Inferred path."""
        path = {"agent_id": agent_id, "guideline_id": guideline_id}
        return await self._write(GUIDELINES_DELETE, path, None, extra_headers, extra_query, None)


class AgentProcedures(_Section):
    """An agent's procedures, each a named list of steps: `create`, `update`, `delete`."""

    __slots__ = ()

    async def create(
        self,
        agent_id: str | Any,
        *,
        name: str,
        description: str | None = None,
        steps: Iterable[str | Mapping[str, Any]] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> Agent:
        """Add a procedure called `name` to the agent `agent_id`, with its `steps` (a
        list of strings or dicts, in order) and an optional `description`.

        Other keyword arguments go into the JSON body as given. Returns the updated
        `Agent`; `NotFoundError` when there is no such agent.
        """
        payload = {
            **body_fields(name=name, description=description, steps=_as_list(steps)),
            **fields,
        }
        return await self._write(
            PROCEDURES_CREATE,
            {"agent_id": agent_id},
            payload,
            extra_headers,
            extra_query,
            extra_body,
        )

    async def update(
        self,
        agent_id: str | Any,
        procedure_id: str | Any,
        *,
        name: str | None = None,
        description: str | None = None,
        steps: Iterable[str | Mapping[str, Any]] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> Agent:
        """Change the procedure `procedure_id` of the agent `agent_id`: only the
        fields given are sent. `steps`, when given, replaces all the procedure's
        steps (the API does not merge them). Returns the updated `Agent`;
        `NotFoundError` when either is unknown.
        """
        payload = {
            **body_fields(name=name, description=description, steps=_as_list(steps)),
            **fields,
        }
        path = {"agent_id": agent_id, "procedure_id": procedure_id}
        return await self._write(
            PROCEDURES_UPDATE, path, payload, extra_headers, extra_query, extra_body
        )

    async def delete(
        self,
        agent_id: str | Any,
        procedure_id: str | Any,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> Agent:
        """Remove the procedure `procedure_id` from the agent `agent_id`; returns the
        updated `Agent`. `NotFoundError` when either is unknown."""
        path = {"agent_id": agent_id, "procedure_id": procedure_id}
        return await self._write(PROCEDURES_DELETE, path, None, extra_headers, extra_query, None)


_TRAINING_ROW = (("question", "answer"), ("content",))


class AgentTraining(_Section):
    """An agent's training rows (a question with its answer, or a content):
    `create` (add one), `replace` (all), `update` (one), `delete` (one)."""

    __slots__ = ()

    async def create(
        self,
        agent_id: str | Any,
        *,
        question: str | None = None,
        answer: str | None = None,
        content: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> Agent:
        """Add a training row to the agent `agent_id`: a `question` with its `answer`,
        or a `content`; a row with neither is refused before sending
        (`RequestValidationError` naming the missing field).

        Other keyword arguments go into the JSON body as given. Returns the updated
        `Agent`; `NotFoundError` when there is no such agent. Inferred path.
        """
        payload = {
            **body_fields(question=question, answer=answer, content=content),
            **fields,
        }
        _require_one_of(
            {**payload, **(extra_body or {})},
            _TRAINING_ROW,
            "a training row is a question with its answer, or a content",
        )
        return await self._write(
            TRAINING_CREATE,
            {"agent_id": agent_id},
            payload,
            extra_headers,
            extra_query,
            extra_body,
        )

    async def replace(
        self,
        agent_id: str | Any,
        training: Iterable[Mapping[str, Any]],
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Agent:
        """Replace all the training rows of the agent `agent_id` with `training`, a
        list of dicts (`[{"question": ..., "answer": ...}, ...]`; an empty list
        removes them all).

        Sent as `{"training": [...]}`, the key `agents.create` uses for the
        section. Anything but a list of dicts is refused before sending. Returns the
        updated `Agent`.
        """
        payload = {"training": _as_list(training)}
        return await self._write(
            TRAINING_REPLACE,
            {"agent_id": agent_id},
            payload,
            extra_headers,
            extra_query,
            extra_body,
        )

    async def update(
        self,
        agent_id: str | Any,
        training_id: str | Any,
        *,
        question: str | None = None,
        answer: str | None = None,
        content: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> Agent:
        """Change the training row `training_id` of the agent `agent_id`: only the
        fields given are sent. Returns the updated `Agent`; `NotFoundError` when
        either is unknown."""
        payload = {
            **body_fields(question=question, answer=answer, content=content),
            **fields,
        }
        path = {"agent_id": agent_id, "training_id": training_id}
        return await self._write(
            TRAINING_UPDATE, path, payload, extra_headers, extra_query, extra_body
        )

    async def delete(
        self,
        agent_id: str | Any,
        training_id: str | Any,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> Agent:
        """Remove the training row `training_id` from the agent `agent_id`; returns
        the updated `Agent`. `NotFoundError` when either is unknown. Inferred path."""
        path = {"agent_id": agent_id, "training_id": training_id}
        return await self._write(TRAINING_DELETE, path, None, extra_headers, extra_query, None)


class AgentGuardRules(_Section):
    """An agent's guard rules (what the agent must not do or say): `create` (add
    one), `replace` (all), `update` (one), `delete` (one)."""

    __slots__ = ()

    async def create(
        self,
        agent_id: str | Any,
        *,
        name: str | None = None,
        condition: str | None = None,
        action: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> Agent:
        """Add a guard rule to the agent `agent_id`.

        The rule's fields are not documented in full: `name`, `condition` and
        `action` when given (non-empty strings), and any other keyword arguments
        as given; a rule without any field is refused before sending. Returns the
        updated `Agent`; `NotFoundError` when there is no such agent.
        """
        payload = {**body_fields(name=name, condition=condition, action=action), **fields}
        _require_some({**payload, **(extra_body or {})}, "a guard rule")
        return await self._write(
            GUARD_RULES_CREATE,
            {"agent_id": agent_id},
            payload,
            extra_headers,
            extra_query,
            extra_body,
        )

    async def replace(
        self,
        agent_id: str | Any,
        guard_rules: Iterable[Mapping[str, Any]],
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Agent:
        """Replace all the guard rules of the agent `agent_id` with `guard_rules`, a
        list of dicts (an empty list removes them all).

        Sent as `{"guard_rules": [...]}`, the key `agents.create` uses for the
        section. Anything but a list of dicts is refused before sending. Returns the
        updated `Agent`.
        """
        payload = {"guard_rules": _as_list(guard_rules)}
        return await self._write(
            GUARD_RULES_REPLACE,
            {"agent_id": agent_id},
            payload,
            extra_headers,
            extra_query,
            extra_body,
        )

    async def update(
        self,
        agent_id: str | Any,
        rule_id: str | Any,
        *,
        name: str | None = None,
        condition: str | None = None,
        action: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> Agent:
        """Change the guard rule `rule_id` of the agent `agent_id`: only the fields
        given are sent. Returns the updated `Agent`; `NotFoundError` when either is
        unknown."""
        payload = {**body_fields(name=name, condition=condition, action=action), **fields}
        path = {"agent_id": agent_id, "rule_id": rule_id}
        return await self._write(
            GUARD_RULES_UPDATE, path, payload, extra_headers, extra_query, extra_body
        )

    async def delete(
        self,
        agent_id: str | Any,
        rule_id: str | Any,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> Agent:
        """Remove the guard rule `rule_id` from the agent `agent_id`; returns the
        updated `Agent`. `NotFoundError` when either is unknown. Inferred path."""
        path = {"agent_id": agent_id, "rule_id": rule_id}
        return await self._write(GUARD_RULES_DELETE, path, None, extra_headers, extra_query, None)


class AgentRoutingRules(_Section):
    """An agent's routing rules (where a conversation goes, and when): `create` (add
    one), `replace` (all), `update` (one), `delete` (one)."""

    __slots__ = ()

    async def create(
        self,
        agent_id: str | Any,
        *,
        name: str | None = None,
        condition: str | None = None,
        action: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> Agent:
        """Add a routing rule to the agent `agent_id`.

        The rule's fields are not documented in full: `name`, `condition` and
        `action` when given (non-empty strings), and any other keyword arguments
        as given; a rule without any field is refused before sending. Returns the
        updated `Agent`; `NotFoundError` when there is no such agent. Inferred path.
        """
        payload = {**body_fields(name=name, condition=condition, action=action), **fields}
        _require_some({**payload, **(extra_body or {})}, "a routing rule")
        return await self._write(
            ROUTING_RULES_CREATE,
            {"agent_id": agent_id},
            payload,
            extra_headers,
            extra_query,
            extra_body,
        )

    async def replace(
        self,
        agent_id: str | Any,
        routing_rules: Iterable[Mapping[str, Any]],
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Agent:
        """Replace all the routing rules of the agent `agent_id` with
        `routing_rules`, a list of dicts (an empty list removes them all).

        Sent as `{"routing_rules": [...]}`, the key `agents.create` uses for the
        section. Anything but a list of dicts is refused before sending. Returns the
        updated `Agent`. Referenced path: another page of the reference mentions
        it, its own page was not seen.
        """
        payload = {"routing_rules": _as_list(routing_rules)}
        return await self._write(
            ROUTING_RULES_REPLACE,
            {"agent_id": agent_id},
            payload,
            extra_headers,
            extra_query,
            extra_body,
        )

    async def update(
        self,
        agent_id: str | Any,
        rule_id: str | Any,
        *,
        name: str | None = None,
        condition: str | None = None,
        action: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> Agent:
        """Change the routing rule `rule_id` of the agent `agent_id`: only the fields
        given are sent. Returns the updated `Agent`; `NotFoundError` when either is
        unknown."""
        payload = {**body_fields(name=name, condition=condition, action=action), **fields}
        path = {"agent_id": agent_id, "rule_id": rule_id}
        return await self._write(
            ROUTING_RULES_UPDATE, path, payload, extra_headers, extra_query, extra_body
        )

    async def delete(
        self,
        agent_id: str | Any,
        rule_id: str | Any,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> Agent:
        """Remove the routing rule `rule_id` from the agent `agent_id`; returns the
        updated `Agent`. `NotFoundError` when either is unknown."""
        path = {"agent_id": agent_id, "rule_id": rule_id}
        return await self._write(ROUTING_RULES_DELETE, path, None, extra_headers, extra_query, None)
