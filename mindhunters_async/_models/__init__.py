"""The API's objects, as frozen attrs classes.

Attributes are snake_case; on the wire the API uses camelCase in some places and
snake_case in others, and the converter accepts both (plus the aliases listed in
a field's metadata). Unknown fields are ignored. Every field that the docs do not
promise is optional, and a value of the wrong type in an optional field decodes
as None rather than failing the whole response. Datetimes are always timezone-aware
(UTC when the API sends none).

Models keep their fields in a `__dict__` (`slots=False`), not in slots: the converter
then builds each object in one step instead of setting its fields one by one, which
makes a page of 100 a third faster to decode for about 300 bytes more per object
(benchmarks/README.md).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Generic, TypeVar

import attrs

__all__ = ["AgentRef", "Call", "CallAction", "Message", "Page", "Participant", "Prompt"]

T = TypeVar("T")


def _aliases(*names: str) -> dict[str, tuple[str, ...]]:
    return {"aliases": names}


@attrs.frozen(slots=False)
class Participant:
    """The person called: `number` in E.164 format, and what the agent should know `about` them."""

    number: str
    about: str | None = None


@attrs.frozen(slots=False)
class Prompt:
    """A prompt for this call: `content`, which replaces the agent's prompt when `overwrite`."""

    content: str | None = None
    overwrite: bool | None = None


@attrs.frozen(slots=False)
class Message:
    """Messages for this call: `start` is the agent's opening line."""

    start: str | None = None


@attrs.frozen(slots=False)
class AgentRef:
    """The agent of a call, as the calls endpoints show it."""

    id: str | None = attrs.field(default=None, metadata=_aliases("uuid", "agent_uuid"))
    name: str | None = None


@attrs.frozen(slots=False)
class Call:
    """A phone call placed or taken by an agent.

    `id` is always set (the API sends it as `id` or `uuid`); everything else may be
    None, as the API's documents disagree on which fields they return.
    """

    id: str = attrs.field(metadata=_aliases("uuid", "call_id", "callId", "call_uuid", "callUuid"))
    agent_id: str | None = attrs.field(default=None, metadata=_aliases("agent_uuid"))
    agent: AgentRef | None = None
    status: str | None = None
    direction: str | None = None
    provider: str | None = None
    participant: Participant | None = None
    duration: float | None = None
    handled_by: Any = None
    analysis: Any = None
    communication: Any = None
    conversation_uuid: str | None = None
    contact_uuid: str | None = None
    listen_url: str | None = None
    record_url: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    timestamp: datetime | None = None


@attrs.frozen(slots=False)
class CallAction:
    """What a live-call action (`say`, `mute`, ...) answers: the server's `message`,
    such as "Say dispatched", and its `data` (usually empty)."""

    message: str | None = None
    data: Any = None


@attrs.frozen(slots=False)
class Page(Generic[T]):
    """One page of a list: `items`, and the paging numbers when the API sends them.

    `await page.next_page()` fetches the following page; `has_next_page` says
    whether there is one. To walk every item, iterate the list call instead:
    `async for call in client.calls.list(): ...`.
    """

    items: tuple[T, ...]
    current_page: int = 1
    last_page: int | None = None
    per_page: int | None = None
    total: int | None = None
    has_more: bool | None = None
    _fetch: Callable[[int], Awaitable[Page[T]]] | None = attrs.field(
        default=None, repr=False, eq=False, alias="fetch"
    )

    @property
    def has_next_page(self) -> bool:
        """Whether a later page exists, judged from the paging numbers (or, without
        them, from whether this page was full)."""
        if not self.items:
            return False
        if self.has_more is not None:
            return self.has_more
        if self.last_page is not None:
            return self.current_page < self.last_page
        if self.total is not None and self.per_page:
            return self.current_page * self.per_page < self.total
        # Without numbers, only a full page may have a successor: a page longer than
        # asked for means the server ignored `per_page` and sent everything.
        return self.per_page is not None and len(self.items) == self.per_page

    async def next_page(self) -> Page[T] | None:
        """The next page, or None after the last."""
        if self._fetch is None or not self.has_next_page:
            return None
        return await self._fetch(self.current_page + 1)

    def __len__(self) -> int:
        return len(self.items)
