"""Generic endpoints of the fake: collections of JSON records, created, read back, paged.

Most of the API is plain records (agents, contacts, pools, rules, tasks, ...): the
fake keeps each collection as JSON objects by uuid in `FakeState.records`, and a
group of endpoints is a few lines of routes built from the factories here
(`list_route`, `create_route`, `get_route`, `update_route`, `delete_route`,
`action_route`). Each list answers in the shape the real endpoint documents
(`Shape`), so the SDK's pager is tested against all four.
"""

from __future__ import annotations

import enum
import math
import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final

import httpx

from ._api import DEFAULT_PER_PAGE, Incoming, Route, _paginator, _timestamp_now
from ._envelopes import INVALID_JSON, ApiError, not_found, success, validation_error
from ._state import FakeState

__all__ = [
    "Shape",
    "action_route",
    "create_route",
    "delete_route",
    "get_route",
    "laravel_page",
    "unnumbered_page",
    "list_route",
    "update_route",
]

_UUID: Final = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
_DIGITS: Final = re.compile(r"[0-9]+")

Validator = Callable[[dict[str, Any]], "ApiError | None"]
Render = Callable[[dict[str, Any]], Any]


class Shape(enum.Enum):
    """The four list shapes of the API."""

    LARAVEL = "a Laravel paginator in data"
    ITEMS_PAGINATION = "data.items with data.pagination"
    ITEMS = "data.items alone"
    ARRAY = "a bare array in data"


def _records(state: FakeState, collection: str) -> dict[str, dict[str, Any]]:
    return state.records.setdefault(collection, {})


def _body(incoming: Incoming) -> dict[str, Any] | ApiError:
    from ._api import Body

    body = {} if incoming.body is Body.EMPTY else incoming.body
    if not isinstance(body, dict):
        return INVALID_JSON
    return body


def _paging(query: httpx.QueryParams, default: int, top: int) -> tuple[int, int] | ApiError:
    numbers = []
    for name, fallback, limit in (("page", 1, None), ("per_page", default, top)):
        raw = query.get(name)
        value = fallback if not raw else int(raw) if _DIGITS.fullmatch(raw) else 0
        if value < 1 or (limit is not None and value > limit):
            bounds = "of at least 1" if limit is None else f"between 1 and {limit}"
            return validation_error(
                "VALIDATION_ERROR", name, f"The {name} field must be an integer {bounds}"
            )
        numbers.append(value)
    return numbers[0], numbers[1]


def unnumbered_page(query: httpx.QueryParams, items: list[Any]) -> list[Any] | ApiError:
    """The lists the API sends without paging numbers (a bare array, `data.items`
    alone): every item, or only the page asked for when `per_page` is given."""
    if not query.get("per_page"):
        return items
    paging = _paging(query, DEFAULT_PER_PAGE, 100)
    if isinstance(paging, ApiError):
        return paging
    page, size = paging
    return items[(page - 1) * size : page * size]


def _items_page(items: Sequence[Any], page: int, per_page: int) -> dict[str, Any]:
    total = len(items)
    last_page = max(1, math.ceil(total / per_page))
    start = (page - 1) * per_page
    shown = list(items[start : start + per_page])
    return {
        "items": shown,
        "pagination": {
            "current_page": page,
            "per_page": per_page,
            "total": total,
            "last_page": last_page,
            "from": start + 1 if shown else None,
            "to": start + len(shown) if shown else None,
            "has_more": page < last_page,
        },
    }


def laravel_page(
    incoming: Incoming,
    records: Sequence[Mapping[str, Any]],
    message: str,
    *,
    per_page: tuple[int, int] = (15, 100),
    extra: Mapping[str, Any] | None = None,
) -> httpx.Response | ApiError:
    """`records` (already filtered and ordered) as one page of a Laravel paginator,
    the page and size read from the query; `extra` keys go beside the paginator's."""
    url = incoming.request.url
    paging = _paging(url.params, *per_page)
    if isinstance(paging, ApiError):
        return paging
    page, size = paging
    data = _paginator(url, [_public(r) for r in records], page, size, lambda r: r)
    return success(200, message, {**(extra or {}), **data})


def list_route(
    template: str,
    collection: str,
    permission: str,
    *,
    shape: Shape = Shape.LARAVEL,
    filters: Iterable[str] = (),
    per_page: tuple[int, int] = (DEFAULT_PER_PAGE, 100),
    scope: str | None = None,
    message: str = "Retrieved successfully",
    render: Render = lambda record: record,
) -> Route:
    """`GET template`: the collection's records, newest first, filtered by the query
    parameters named in `filters` (equal values; an empty one is ignored), in `shape`.

    `scope` names a path parameter that records must match (such as `uuid` for
    `/pools/{uuid}/contacts`, matched against the record's `scope` key).
    """
    names = tuple(filters)
    default, top = per_page

    def endpoint(state: FakeState, incoming: Incoming) -> httpx.Response:
        query = incoming.request.url.params
        records = list(reversed(_records(state, collection).values()))
        if scope is not None:
            records = [r for r in records if incoming.params[scope] in r.get("_scopes", ())]
        for name in names:
            wanted = query.get(name)
            if wanted:
                records = [r for r in records if str(r.get(name)) == wanted]
        shown = [render(_public(r)) for r in records]
        if shape in (Shape.ITEMS, Shape.ARRAY):
            some = unnumbered_page(query, shown)
            if isinstance(some, ApiError):
                return some.response()
            return success(200, message, {"items": some} if shape is Shape.ITEMS else some)
        if shape is Shape.LARAVEL:
            answer = laravel_page(incoming, shown, message, per_page=per_page)
            return answer.response() if isinstance(answer, ApiError) else answer
        paging = _paging(query, default, top)
        if isinstance(paging, ApiError):
            return paging.response()
        page, size = paging
        return success(200, message, _items_page(shown, page, size))

    return Route("GET", template, permission, endpoint)


def _public(record: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if not key.startswith("_")}


def create_route(
    template: str,
    collection: str,
    permission: str,
    *,
    required: Iterable[str] = (),
    validate: Validator | None = None,
    defaults: Mapping[str, Any] | None = None,
    id_key: str = "uuid",
    kind: str = "Record",
    message: str = "Created successfully",
    status: int = 201,
    envelope: bool = True,
    render: Render = lambda record: record,
) -> Route:
    """`POST template`: a new record from the JSON body, with a new uuid under `id_key`.

    `required` fields must be present and not blank (422 VALIDATION_ERROR naming the
    field); `validate` may refuse the body with its own error. Path parameters other
    than the collection's own become the record's `_scopes` (a pool's contacts).
    """
    needed = tuple(required)

    def endpoint(state: FakeState, incoming: Incoming) -> httpx.Response:
        body = _body(incoming)
        if isinstance(body, ApiError):
            return body.response()
        for name in needed:
            if _blank(body.get(name)):
                return validation_error(
                    "VALIDATION_ERROR", name, f"The {name} field is required"
                ).response()
        if validate is not None and (error := validate(body)) is not None:
            return error.response()
        now = _timestamp_now(state)
        record = {**(defaults or {}), **body, id_key: str(uuid.uuid4())}
        record.setdefault("created_at", now)
        record["updated_at"] = now
        if incoming.params:
            record["_scopes"] = tuple(incoming.params.values())
        _records(state, collection)[record[id_key]] = record
        shown = render(_public(record))
        if not envelope:
            return httpx.Response(status, json={"data": shown})
        return success(status, message, shown)

    return Route("POST", template, permission, endpoint)


def _blank(value: Any) -> bool:
    return value is None or value in ([], {}) or (isinstance(value, str) and not value.strip())


def find(
    state: FakeState, collection: str, incoming: Incoming, kind: str, key: str = "uuid"
) -> dict[str, Any] | ApiError:
    """The record named by the path parameter `key`, or the API's 404 for it."""
    record_id = incoming.params[key]
    record = _records(state, collection).get(record_id)
    if record is None:
        return not_found(kind, record_id)
    return record


def get_route(
    template: str,
    collection: str,
    permission: str,
    *,
    kind: str = "Record",
    message: str = "Retrieved successfully",
    render: Render = lambda record: record,
) -> Route:
    """`GET template/{uuid}`: one record, or 404 RESOURCE_NOT_FOUND."""

    def endpoint(state: FakeState, incoming: Incoming) -> httpx.Response:
        record = find(state, collection, incoming, kind)
        if isinstance(record, ApiError):
            return record.response()
        return success(200, message, render(_public(record)))

    return Route("GET", template, permission, endpoint)


def update_route(
    method: str,
    template: str,
    collection: str,
    permission: str,
    *,
    kind: str = "Record",
    validate: Validator | None = None,
    message: str = "Updated successfully",
    envelope: bool = True,
    render: Render = lambda record: record,
) -> Route:
    """`PUT`/`PATCH template/{uuid}`: merge the body into the record (ids kept)."""

    def endpoint(state: FakeState, incoming: Incoming) -> httpx.Response:
        record = find(state, collection, incoming, kind)
        if isinstance(record, ApiError):
            return record.response()
        body = _body(incoming)
        if isinstance(body, ApiError):
            return body.response()
        if validate is not None and (error := validate(body)) is not None:
            return error.response()
        ids = {key: record[key] for key in record if key == "uuid" or key.endswith("_uuid")}
        record.update(body)
        record.update(ids)
        record["updated_at"] = _timestamp_now(state)
        shown = render(_public(record))
        if not envelope:
            return httpx.Response(200, json={"data": shown})
        return success(200, message, shown)

    return Route(method, template, permission, endpoint)


def delete_route(
    template: str,
    collection: str,
    permission: str,
    *,
    kind: str = "Record",
    message: str = "Deleted successfully",
) -> Route:
    """`DELETE template/{uuid}`: forget the record; 404 when there is none."""

    def endpoint(state: FakeState, incoming: Incoming) -> httpx.Response:
        record = find(state, collection, incoming, kind)
        if isinstance(record, ApiError):
            return record.response()
        del _records(state, collection)[incoming.params["uuid"]]
        return success(200, message, {})

    return Route("DELETE", template, permission, endpoint)


def action_route(
    method: str,
    template: str,
    permission: str,
    act: Callable[[FakeState, Incoming, dict[str, Any]], httpx.Response | ApiError],
) -> Route:
    """An endpoint of its own: `act(state, incoming, body)` answers, or returns an error."""

    def endpoint(state: FakeState, incoming: Incoming) -> httpx.Response:
        body = _body(incoming)
        if isinstance(body, ApiError):
            return body.response()
        result = act(state, incoming, body)
        return result.response() if isinstance(result, ApiError) else result

    return Route(method, template, permission, endpoint)


def is_uuid(value: object) -> bool:
    """Whether `value` is a UUID string as the server checks it."""
    return isinstance(value, str) and _UUID.fullmatch(value) is not None
