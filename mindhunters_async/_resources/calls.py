"""client.calls: place, read and list phone calls."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from .._converter import decoder, unstructure
from .._exceptions import ErrorCode, RequestValidationError
from .._models import Call, Message, Page, Participant, Prompt
from .._pagination import AsyncPager, decode_page
from .._pipeline import Endpoint, Rule
from .._validators import validate_e164, validate_uuid

if TYPE_CHECKING:
    from .._client import AsyncMindhunters

__all__ = ["Calls"]

MAX_PER_PAGE = 100


def _page_number(value: Any, field: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise RequestValidationError(
            field,
            ErrorCode.VALIDATION_ERROR,
            f"{field} must be a whole number from 1, got {value!r}",
        )
    if field == "per_page" and value > MAX_PER_PAGE:
        raise RequestValidationError(
            field,
            ErrorCode.VALIDATION_ERROR,
            f"per_page must be at most {MAX_PER_PAGE}, got {value}: walk the pages instead",
        )


CREATE = Endpoint(
    "calls.create",
    "POST",
    "/call",
    rules=(Rule("agentId", validate_uuid), Rule("participant.number", validate_e164)),
)
GET = Endpoint(
    "calls.get", "GET", "/calls/{call_id}", rules=(Rule("call_id", validate_uuid, "path"),)
)
LIST = Endpoint(
    "calls.list",
    "GET",
    "/calls",
    rules=(
        Rule("agent_id", validate_uuid, "params", required=False),
        Rule("page", _page_number, "params", required=False),
        Rule("per_page", _page_number, "params", required=False),
    ),
)


_call = decoder(Call)


def _idempotency_key(value: object) -> str:
    if (
        not isinstance(value, str)
        or not 0 < len(value) <= 255
        or not (value.isascii() and value.isprintable())
    ):
        raise RequestValidationError(
            "idempotency_key",
            ErrorCode.VALIDATION_ERROR,
            "idempotency_key must be 1 to 255 printable ASCII characters, such as a UUID"
            " or 'order-42'",
        )
    return value


def _wire(value: Any) -> Any:
    return unstructure(value) if attrs.has(type(value)) else value


class Calls:
    """Phone calls: `create` places one, `get` reads one, `list` pages through them."""

    __slots__ = ("_client",)

    def __init__(self, client: AsyncMindhunters) -> None:
        self._client = client

    async def create(
        self,
        *,
        agent_id: str | Any,
        participant: Participant | Mapping[str, Any],
        prompt: Prompt | Mapping[str, Any] | None = None,
        message: Message | Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
        **body: Any,
    ) -> Call:
        """Place a phone call: the agent `agent_id` (a UUID) calls `participant`.

        `participant` is a `Participant` or a dict with `number` (E.164, such as
        "+14155552671") and optionally `about`; `prompt` and `message` are as in
        the API docs. Other keyword arguments go into the JSON body as given.
        `idempotency_key` is sent as the `Idempotency-Key` header (one is made
        for you otherwise); it is on any error raised, to reconcile with `list`.

        A POST is retried only when the server surely did not act (see Retries in
        the README): this never rings someone twice on its own.
        """
        payload: dict[str, Any] = {"agentId": agent_id, "participant": _wire(participant)}
        if prompt is not None:
            payload["prompt"] = _wire(prompt)
        if message is not None:
            payload["message"] = _wire(message)
        payload.update(body)
        headers = None
        if idempotency_key is not None:
            headers = {"Idempotency-Key": _idempotency_key(idempotency_key)}
        return await self._client._request(CREATE, _call, json=payload, headers=headers)

    async def get(self, call_id: str | Any) -> Call:
        """The call with this id (a UUID); `NotFoundError` when there is none."""
        return await self._client._request(GET, _call, path_params={"call_id": call_id})

    def list(
        self,
        *,
        per_page: int | None = None,
        page: int = 1,
        agent_id: str | Any | None = None,
        status: str | None = None,
        direction: str | None = None,
    ) -> AsyncPager[Call]:
        """Calls, newest first as the API orders them, filtered by agent, status or direction.

        `await client.calls.list(...)` returns one `Page`; `async for call in
        client.calls.list(...)` walks every page. `per_page` is at most 100.
        """
        params: dict[str, Any] = {}
        for name, value in (
            ("per_page", per_page),
            ("agent_id", agent_id),
            ("status", status),
            ("direction", direction),
        ):
            if value is not None:
                params[name] = value

        async def fetch(number: int) -> Page[Call]:
            def decode(body: Any) -> Page[Call]:
                return decode_page(body, Call, fetch, page=number, per_page=per_page)

            return await self._client._request(LIST, decode, params={**params, "page": number})

        return AsyncPager(fetch, page)
