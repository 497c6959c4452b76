"""The endpoints the fake serves: routing, body and query validation, responses.

Each endpoint is a function of the fake's state and one `Incoming` request; auth,
rate limiting and faults happen before, in `FakeMindhunters.handle`.
"""

from __future__ import annotations

import enum
import json
import math
import re
from collections.abc import Callable, Sequence
from typing import Any, Final, TypeVar

import attrs
import httpx

from ._envelopes import INVALID_JSON, ApiError, not_found, success, validation_error
from ._state import FakeState

__all__ = ["CORE_ROUTES", "Body", "Incoming", "Route", "parse_body"]

# ASCII only: `\d` would also accept other scripts' digits, which the server rejects.
_UUID: Final = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
_E164: Final = re.compile(r"\+[1-9][0-9]{1,14}")
_DIGITS: Final = re.compile(r"[0-9]+")
_E164_DETAILS: Final = "Phone number must be in E.164 format (e.g., +1234567890)"

DEFAULT_PER_PAGE: Final = 15
MAX_PER_PAGE: Final = 100

T = TypeVar("T")


class Body(enum.Enum):
    """A request body that is not a JSON value."""

    EMPTY = enum.auto()
    INVALID = enum.auto()


def parse_body(content: bytes) -> Any:
    """The JSON value of `content`, or `Body.EMPTY` / `Body.INVALID`."""
    if not content.strip():
        return Body.EMPTY
    try:
        return json.loads(content)
    except ValueError:
        return Body.INVALID


@attrs.frozen
class Incoming:
    """One request as an endpoint sees it: `params` from the path, `body` parsed once."""

    request: httpx.Request
    params: dict[str, str]
    body: Any


Endpoint = Callable[[FakeState, Incoming], httpx.Response]


def _blank(value: Any) -> bool:
    # Laravel's `required`: missing, null, "" (after trimming) and empty arrays all fail.
    return value is None or value in ([], {}) or (isinstance(value, str) and not value.strip())


def _new_call_error(body: dict[str, Any]) -> ApiError | None:
    agent_id = body.get("agentId")
    if _blank(agent_id):
        return validation_error("VALIDATION_ERROR", "agentId", "The agentId field is required")
    if not isinstance(agent_id, str) or not _UUID.fullmatch(agent_id):
        return validation_error("INVALID_UUID", "agentId", "agentId must be a valid UUID")
    participant = body.get("participant")
    number = participant.get("number") if isinstance(participant, dict) else None
    if _blank(number):
        return validation_error(
            "VALIDATION_ERROR", "participant.number", "The participant.number field is required"
        )
    if not isinstance(number, str) or not _E164.fullmatch(number):
        return validation_error("INVALID_FORMAT", "participant.number", _E164_DETAILS)
    return None


def create_call(state: FakeState, incoming: Incoming) -> httpx.Response:
    """`POST /call`: validate, then record an outbound call in status "initiated"."""
    body = {} if incoming.body is Body.EMPTY else incoming.body
    if not isinstance(body, dict):
        return INVALID_JSON.response()
    error = _new_call_error(body)
    if error is not None:
        return error.response()
    agent_id: str = body["agentId"]
    if agent_id not in state.agents:
        return not_found("Agent", agent_id).response()
    key = incoming.request.headers.get("Idempotency-Key")
    replayed = state.call_ids_by_idempotency_key.get(key) if key is not None else None
    if state.replay_idempotency_keys and replayed is not None:
        call = state.calls[replayed]
    else:
        call = state.add_call(
            agent_id=agent_id,
            number=body["participant"]["number"],
            direction="outbound",
            status="initiated",
            idempotency_key=key,
            body=body,
        )
        state.start_script(call)
    return success(201, "Call initiated successfully", call.to_created_json())


def _paging(query: httpx.QueryParams) -> tuple[int, int] | ApiError:
    numbers = []
    for name, default, top in (("page", 1, None), ("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)):
        raw = query.get(name)
        # Laravel turns an empty parameter into null, which means "the default".
        value = default if not raw else int(raw) if _DIGITS.fullmatch(raw) else 0
        if value < 1 or (top is not None and value > top):
            bounds = "of at least 1" if top is None else f"between 1 and {top}"
            return validation_error(
                "VALIDATION_ERROR", name, f"The {name} field must be an integer {bounds}"
            )
        numbers.append(value)
    return numbers[0], numbers[1]


def _paginator(
    url: httpx.URL, items: Sequence[T], page: int, per_page: int, render: Callable[[T], Any]
) -> dict[str, Any]:
    # Laravel's LengthAwarePaginator, minus `links`; page URLs keep the other query
    # parameters (as `withQueryString()` does) so that following them keeps the filters.
    total = len(items)
    last_page = max(1, math.ceil(total / per_page))
    start = (page - 1) * per_page
    shown = [render(item) for item in items[start : start + per_page]]

    def page_url(number: int) -> str:
        return str(url.copy_set_param("page", number))

    return {
        "current_page": page,
        "data": shown,
        "first_page_url": page_url(1),
        "from": start + 1 if shown else None,
        "last_page": last_page,
        "last_page_url": page_url(last_page),
        "next_page_url": page_url(page + 1) if page < last_page else None,
        "path": str(url.copy_with(query=None)),
        "per_page": per_page,
        "prev_page_url": page_url(page - 1) if page > 1 else None,
        "to": start + len(shown) if shown else None,
        "total": total,
    }


def list_calls(state: FakeState, incoming: Incoming) -> httpx.Response:
    """`GET /calls`: newest first, filtered by `agent_id`, `status`, `direction`; paginated."""
    query = incoming.request.url.params
    paging = _paging(query)
    if isinstance(paging, ApiError):
        return paging.response()
    calls = state.calls_newest_first()
    for name in ("agent_id", "status", "direction"):
        wanted = query.get(name)
        # An empty filter is ignored, as Laravel's `$request->filled()` ignores it.
        if wanted:
            calls = [call for call in calls if getattr(call, name) == wanted]
    page, per_page = paging
    data = _paginator(
        incoming.request.url,
        calls,
        page,
        per_page,
        lambda call: call.to_list_item(
            state.agents[call.agent_id], show_number=state.show_call_numbers
        ),
    )
    return success(200, "Calls retrieved successfully", data)


def get_call(state: FakeState, incoming: Incoming) -> httpx.Response:
    """`GET /calls/{uuid}`."""
    call_id = incoming.params["uuid"]
    call = state.calls.get(call_id)
    if call is None:
        return not_found("Call", call_id).response()
    shown = call.to_json(state.agents[call.agent_id], show_number=state.show_call_numbers)
    return success(200, "Call retrieved successfully", shown)


@attrs.frozen
class Route:
    """An endpoint: `name` ("POST /call") is how faults are aimed at it."""

    method: str
    template: str
    permission: str
    endpoint: Endpoint
    pattern: re.Pattern[str] = attrs.field(init=False)

    @pattern.default
    def _compile(self) -> re.Pattern[str]:
        return re.compile(re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.template))

    @property
    def name(self) -> str:
        """The method and path template, such as "GET /calls/{uuid}"."""
        return f"{self.method} {self.template}"


CORE_ROUTES: Final = (
    Route("POST", "/call", "calls:write", create_call),
    Route("GET", "/calls", "calls:read", list_calls),
    Route("GET", "/calls/{uuid}", "calls:read", get_call),
)
"""The routes of the first endpoints; `_table.py` adds every other group's."""


def _timestamp_now(state: FakeState) -> str:
    """The clock's now as the API writes timestamps."""
    return state.now().strftime("%Y-%m-%dT%H:%M:%S.%fZ")
