"""The fake's agent sections: notes, guidelines, procedures, training, guard and
routing rules, below `/agents/{uuid}/`.

A section is a list in the agent's details (`state.records["agent_details"][agent
uuid][section]`, the key the agent's JSON shows it under: `notes`, `guard_rules`,
...), so `GET /agents/{uuid}` shows what these routes wrote, and
`PATCH /agents/{uuid}` with a section replaces what they wrote. Each item has its
own `uuid`. Every write answers `{data: <the whole agent>}` (no `success`), as the
API's agent sub-resource writes do:

- `POST` adds an item with a new uuid (201). Its required fields, as the SDK checks
  them: a note's and a guideline's `content`, a procedure's `name`, a training row's
  `question` and `answer` or its `content`, any field at all for a rule; 422
  VALIDATION_ERROR naming the missing one.
- `PUT` replaces the section with the list under its key (`{"guidelines": [...]}`);
  each item must be an object (422 otherwise); an item that carries a `uuid` keeps
  it, the others get a new one; an empty list clears the section.
- `PATCH` merges the body into one item (its uuid kept; a procedure's `steps`, like
  any field, replaced when given); a required field may not be blanked (422).
- `DELETE` removes one item.

An unknown agent, or an item that is not in that agent's section, is 404
RESOURCE_NOT_FOUND. Only the operations the API documents are served: the others
(`PUT .../notes`, ...) are 404 ENDPOINT_NOT_FOUND, as any unknown path.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, Final

import attrs
import httpx

from .._api import Incoming, Route
from .._envelopes import ApiError, not_found, validation_error
from .._records import action_route
from .._state import FakeAgent, FakeState
from .agents import _agent, _agent_json, _blank, _required, _write

__all__ = ["ROUTES"]

_Answer = httpx.Response | ApiError


@attrs.frozen
class _Section:
    """One section: its key in the agent's JSON, its path segment, what its items
    are called in a 404, what an item must fill, and the methods the API has."""

    key: str
    segment: str
    kind: str
    # Groups of fields that together make an item (any one group will do); none:
    # any field will do, for the items whose required fields are not documented.
    needs: tuple[tuple[str, ...], ...]
    methods: frozenset[str]


_SECTIONS: Final = (
    _Section("notes", "notes", "Note", (("content",),), frozenset({"POST", "DELETE"})),
    _Section(
        "guidelines",
        "guidelines",
        "Guideline",
        (("content",),),
        frozenset({"POST", "PUT", "DELETE"}),
    ),
    _Section(
        "procedures",
        "procedures",
        "Procedure",
        (("name",),),
        frozenset({"POST", "PATCH", "DELETE"}),
    ),
    _Section(
        "training",
        "training",
        "Training",
        (("question", "answer"), ("content",)),
        frozenset({"POST", "PUT", "PATCH", "DELETE"}),
    ),
    _Section(
        "guard_rules",
        "guard-rules",
        "Guard rule",
        (),
        frozenset({"POST", "PUT", "PATCH", "DELETE"}),
    ),
    _Section(
        "routing_rules",
        "routing-rules",
        "Routing rule",
        (),
        frozenset({"POST", "PUT", "PATCH", "DELETE"}),
    ),
)


def _items(state: FakeState, agent: FakeAgent, section: _Section) -> list[Any]:
    items = state.records.get("agent_details", {}).get(agent.uuid, {}).get(section.key)
    # A section set through `PATCH /agents/{uuid}` may hold anything: it is kept as sent.
    return list(items) if isinstance(items, list) else []


def _missing(section: _Section, body: dict[str, Any]) -> ApiError | None:
    filled = {key for key, value in body.items() if not _blank(value)}
    if not section.needs:
        return None if filled else _required("name")
    if any(filled.issuperset(group) for group in section.needs):
        return None
    # A blank field sent still says which group the caller meant.
    closest = max(section.needs, key=lambda group: len(body.keys() & group))
    return _required(next(name for name in closest if name not in filled))


def _blanked(section: _Section, body: dict[str, Any]) -> ApiError | None:
    for group in section.needs:
        for name in group:
            if name in body and _blank(body[name]):
                return _required(name)
    return None


def _index(items: list[Any], item_id: str) -> int | None:
    for number, item in enumerate(items):
        if isinstance(item, dict) and item_id in (item.get("uuid"), item.get("id")):
            return number
    return None


def _answer(state: FakeState, agent: FakeAgent, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json={"data": _agent_json(state, agent)})


def _add(section: _Section) -> Callable[[FakeState, Incoming, dict[str, Any]], _Answer]:
    def act(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
        agent = _agent(state, incoming)
        if isinstance(agent, ApiError):
            return agent
        error = _missing(section, body)
        if error is not None:
            return error
        items = _items(state, agent, section)
        items.append({**body, "uuid": str(uuid.uuid4())})
        _write(state, agent, {section.key: items})
        return _answer(state, agent, 201)

    return act


def _replace(section: _Section) -> Callable[[FakeState, Incoming, dict[str, Any]], _Answer]:
    def act(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
        agent = _agent(state, incoming)
        if isinstance(agent, ApiError):
            return agent
        items = body.get(section.key)
        if items is None:
            return _required(section.key)
        if not isinstance(items, list):
            return validation_error(
                "VALIDATION_ERROR", section.key, f"The {section.key} must be an array"
            )
        for number, item in enumerate(items):
            field = f"{section.key}.{number}"
            if not isinstance(item, dict):
                return validation_error("VALIDATION_ERROR", field, f"The {field} must be an object")
        fresh = [{**item, "uuid": item.get("uuid") or str(uuid.uuid4())} for item in items]
        _write(state, agent, {section.key: fresh})
        return _answer(state, agent)

    return act


def _found(
    state: FakeState, incoming: Incoming, section: _Section
) -> tuple[FakeAgent, list[Any], int] | ApiError:
    agent = _agent(state, incoming)
    if isinstance(agent, ApiError):
        return agent
    items = _items(state, agent, section)
    item_id = incoming.params["item_uuid"]
    number = _index(items, item_id)
    if number is None:
        return not_found(section.kind, item_id)
    return agent, items, number


def _change(section: _Section) -> Callable[[FakeState, Incoming, dict[str, Any]], _Answer]:
    def act(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
        found = _found(state, incoming, section)
        if isinstance(found, ApiError):
            return found
        agent, items, number = found
        error = _blanked(section, body)
        if error is not None:
            return error
        item = items[number]
        items[number] = {**item, **body, "uuid": item.get("uuid") or item.get("id")}
        _write(state, agent, {section.key: items})
        return _answer(state, agent)

    return act


def _remove(section: _Section) -> Callable[[FakeState, Incoming, dict[str, Any]], _Answer]:
    def act(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
        found = _found(state, incoming, section)
        if isinstance(found, ApiError):
            return found
        agent, items, number = found
        del items[number]
        _write(state, agent, {section.key: items})
        return _answer(state, agent)

    return act


def _routes(section: _Section) -> tuple[Route, ...]:
    collection = f"/agents/{{uuid}}/{section.segment}"
    item = f"{collection}/{{item_uuid}}"
    every = (
        ("POST", collection, _add),
        ("PUT", collection, _replace),
        ("PATCH", item, _change),
        ("DELETE", item, _remove),
    )
    return tuple(
        action_route(method, template, "agents:write", act(section))
        for method, template, act in every
        if method in section.methods
    )


ROUTES: Final[tuple[Route, ...]] = tuple(
    route for section in _SECTIONS for route in _routes(section)
)
