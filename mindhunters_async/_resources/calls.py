"""client.calls: place, read and list phone calls, and steer a live one."""

from __future__ import annotations

import math
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

import anyio

from .. import _bulk
from .._converter import decoder, structure
from .._exceptions import APIError, APITimeoutError, ErrorCode, RequestValidationError
from .._models import Call, CallAction, Message, Participant, Prompt
from .._pagination import AsyncPager
from .._pipeline import Endpoint, Rule
from .._validators import validate_e164, validate_uuid
from ._base import Resource, paging_rules, uuid_path, wire

if TYPE_CHECKING:
    from .._bulk import BulkDial, Reconciliation
    from .._journal import Journal

__all__ = ["FINAL_CALL_STATUSES", "Calls", "is_final"]

FINAL_CALL_STATUSES: Final = frozenset({"completed", "no-answer", "busy", "failed", "canceled"})
"""The statuses after which a call changes no more (`calls.wait` stops at them), in any
case, with "_" or " " for "-", and "cancelled" for "canceled": the API does not
document its spellings."""


def is_final(status: str | None) -> bool:
    """Whether a call with this status changes no more (see `FINAL_CALL_STATUSES`)."""
    if not status:
        return False
    word = status.strip().lower().replace("_", "-").replace(" ", "-")
    return (word if word != "cancelled" else "canceled") in FINAL_CALL_STATUSES


CREATE = Endpoint(
    "calls.create",
    "POST",
    "/call",
    rules=(Rule("agentId", validate_uuid), Rule("participant.number", validate_e164)),
)
GET = Endpoint("calls.get", "GET", "/calls/{call_id}", rules=uuid_path("call_id"))
LIST = Endpoint(
    "calls.list",
    "GET",
    "/calls",
    rules=paging_rules(100, Rule("agent_id", validate_uuid, "params", required=False)),
)
_ACTION_RULES = uuid_path("conversation_id")
SAY = Endpoint(
    "calls.say",
    "POST",
    "/calls/action/{conversation_id}/say",
    rules=(*_ACTION_RULES, Rule("message", lambda value, field: _text(value, field))),
)
MUTE = Endpoint(
    "calls.mute", "POST", "/calls/action/{conversation_id}/mute", _ACTION_RULES, source="inferred"
)
UNMUTE = Endpoint(
    "calls.unmute",
    "POST",
    "/calls/action/{conversation_id}/unmute",
    _ACTION_RULES,
    source="referenced",
)
HANGUP = Endpoint(
    "calls.hangup",
    "POST",
    "/calls/action/{conversation_id}/hangup",
    _ACTION_RULES,
    source="inferred",
)
FORWARD = Endpoint(
    "calls.forward",
    "POST",
    "/calls/action/{conversation_id}/forward",
    rules=(*_ACTION_RULES, Rule("number", validate_e164)),
    source="inferred",
)

_call = decoder(Call)


def _action(body: Any) -> CallAction:
    # The message is beside `data`, not in it: read the whole envelope.
    return structure(body if isinstance(body, dict) else {}, CallAction)


def _text(value: object, field: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise RequestValidationError(
            field, ErrorCode.VALIDATION_ERROR, f"{field} must be a non-empty string"
        )


def _wait_setting(name: str, value: object, *, positive: bool = True) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value < 0
        or (positive and value == 0)
    ):
        bound = "> 0" if positive else ">= 0"
        raise RequestValidationError(
            name, ErrorCode.VALIDATION_ERROR, f"{name} must be a finite number of seconds {bound}"
        )
    return float(value)


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


class Calls(Resource):
    """Phone calls: `create` places one, `get` reads one, `list` pages through them;
    `say`, `mute`, `unmute`, `hangup` and `forward` steer a live one (by the
    `conversation_uuid` that `create` returns)."""

    __slots__ = ()

    async def create(
        self,
        *,
        agent_id: str | Any,
        participant: Participant | Mapping[str, Any],
        prompt: Prompt | Mapping[str, Any] | None = None,
        message: Message | Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **body: Any,
    ) -> Call:
        """Place a phone call: the agent `agent_id` (a UUID) calls `participant`.

        `participant` is a `Participant` or a dict with `number` (E.164, such as
        "+14155552671") and optionally `about`; `prompt` and `message` are as in
        the API docs. Other keyword arguments go into the JSON body as given.
        `idempotency_key` is sent as the `Idempotency-Key` header (one is made
        for you otherwise); it is on any error raised, to reconcile with `list`.

        A POST is retried only when the server surely did not act (see Retries in
        the README): this never rings someone twice on its own. The returned
        `Call` has `conversation_uuid`, `contact_uuid`, `listen_url` and
        `record_url` when the API sends them.
        """
        payload: dict[str, Any] = {"agentId": agent_id, "participant": wire(participant)}
        if prompt is not None:
            payload["prompt"] = wire(prompt)
        if message is not None:
            payload["message"] = wire(message)
        payload.update(body)
        headers = None
        if idempotency_key is not None:
            headers = {"Idempotency-Key": _idempotency_key(idempotency_key)}
        result: Call = await self._send(
            CREATE,
            _call,
            json=payload,
            headers=headers,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result

    async def get(
        self,
        call_id: str | Any,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> Call:
        """The call with this id (a UUID); `NotFoundError` when there is none."""
        result: Call = await self._send(
            GET,
            _call,
            path={"call_id": call_id},
            extra_headers=extra_headers,
            extra_query=extra_query,
        )
        return result

    def list(
        self,
        *,
        per_page: int | None = None,
        page: int = 1,
        agent_id: str | Any | None = None,
        status: str | None = None,
        direction: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> AsyncPager[Call]:
        """Calls, newest first as the API orders them, filtered by agent, status or direction.

        `await client.calls.list(...)` returns one `Page`; `async for call in
        client.calls.list(...)` walks every page. `per_page` is at most 100.
        """
        return self._pager(
            LIST,
            Call,
            params={"agent_id": agent_id, "status": status, "direction": direction},
            page=page,
            per_page=per_page,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )

    # Live call control

    async def say(
        self,
        conversation_id: str | Any,
        message: str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> CallAction:
        """Make the agent say `message` in the live call `conversation_id`."""
        return await self._act(
            SAY, conversation_id, {"message": message}, extra_headers, extra_body
        )

    async def mute(
        self,
        conversation_id: str | Any,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> CallAction:
        """Mute the agent in the live call (inferred path: see the README's coverage table)."""
        return await self._act(MUTE, conversation_id, None, extra_headers, extra_body)

    async def unmute(
        self,
        conversation_id: str | Any,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> CallAction:
        """Unmute the agent in the live call (path referenced, not seen, in the docs)."""
        return await self._act(UNMUTE, conversation_id, None, extra_headers, extra_body)

    async def hangup(
        self,
        conversation_id: str | Any,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> CallAction:
        """The agent says goodbye, then ends the live call (inferred path)."""
        return await self._act(HANGUP, conversation_id, None, extra_headers, extra_body)

    async def forward(
        self,
        conversation_id: str | Any,
        number: str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> CallAction:
        """Warm-transfer the live call to `number` (E.164, checked before sending;
        inferred path)."""
        return await self._act(
            FORWARD, conversation_id, {"number": number}, extra_headers, extra_body
        )

    async def _act(
        self,
        endpoint: Endpoint,
        conversation_id: Any,
        body: dict[str, Any] | None,
        extra_headers: Mapping[str, str] | None,
        extra_body: Mapping[str, Any] | None,
    ) -> CallAction:
        result: CallAction = await self._send(
            endpoint,
            _action,
            path={"conversation_id": conversation_id},
            json=body if body is not None else {},
            extra_headers=extra_headers,
            extra_body=extra_body,
        )
        return result

    # Following a call

    async def wait(
        self,
        call_id: str | Any,
        *,
        # A parameter, not only the caller's cancel scope: it also counts the waits
        # of a `sleep` hook that returns at once, which no cancel scope can see.
        timeout: float = 600.0,  # noqa: ASYNC109
        poll_interval: float = 1.0,
        max_poll_interval: float = 15.0,
        sleep: Callable[[float], Awaitable[object]] | None = None,
    ) -> Call:
        """Poll the call until it reaches a final status (`FINAL_CALL_STATUSES`:
        completed, no-answer, busy, failed, canceled) and return it.

        The first read is at once; the waits between reads start at `poll_interval`
        and grow by half each time, up to `max_poll_interval`. After `timeout`
        seconds it gives up with `APITimeoutError`, naming the last status seen
        (the call itself goes on: read it later, or hang up). Each read is a
        `calls.get`, retried as any read is.

        `sleep` waits between reads: by default the client's retry policy's
        (`RetryPolicy(sleep=...)`), so a test whose retries do not wait does not
        wait here either; with the fake, `sleep=fake.advance` moves its clock.
        The timeout counts both the time that passed and the waits asked for,
        so it holds with a `sleep` that returns at once.
        """
        limit = _wait_setting("timeout", timeout)
        delay = _wait_setting("poll_interval", poll_interval)
        ceiling = max(delay, _wait_setting("max_poll_interval", max_poll_interval))
        pause = self._client.retry_policy.sleep if sleep is None else sleep
        # A raw resource would hand back RawResponses: read through a plain one.
        get = type(self)(self._client).get if self._raw else self.get
        started = anyio.current_time()
        slept = 0.0
        last: str | None = None
        with anyio.move_on_after(limit):
            while True:
                call = await get(call_id)
                last = call.status
                if is_final(last):
                    return call
                remaining = limit - max(anyio.current_time() - started, slept)
                if remaining <= 0:
                    break
                step = min(delay, remaining)
                await pause(step)
                slept += step
                delay = min(delay * 1.5, ceiling)
        seen = "no status was read" if last is None else f"the last status seen was {last!r}"
        raise APITimeoutError(
            f"calls.wait: call {call_id} reached no final status within {limit:g}s; {seen}",
            sent=None,
            retryable=False,
        )

    # Reconciliation and bulk dialing (the logic is in _bulk.py)

    def _plain(self) -> Calls:
        # A raw resource would hand back RawResponses: read through a plain one.
        return type(self)(self._client) if self._raw else self

    async def find_placed(
        self,
        *,
        agent_id: str | Any,
        number: str,
        since: datetime | float,
        until: datetime | float | None = None,
        skew: float = _bulk.DEFAULT_SKEW,
        settle: float = _bulk.DEFAULT_SETTLE,
        sleep: Callable[[float], Awaitable[object]] | None = None,
    ) -> Reconciliation:
        """Did the agent `agent_id` call `number` (E.164) between `since` and `until`?

        Walks `calls.list(agent_id=...)` newest first, from `until` (default: now)
        back to `since` (an aware datetime or seconds since the epoch), each widened
        by `skew` seconds for the difference between this clock and the API's, and
        answers a `Reconciliation`: `PLACED` with the `Call` when exactly one call of
        the agent in that window went to `number`; `NOT_PLACED` when none did and the
        list has had `settle` seconds after `until` to show it (it is read again,
        through `sleep`, until then); `UNSURE` when it cannot be told: two matching
        calls, a call in the window whose number the API does not show (even through
        `calls.get`), or a list that cannot be read. A number is read from the item's
        `participant`, or its `communication` field (see the README, "Calling a
        list"). `sleep` defaults to the client's `RetryPolicy.sleep`.
        """
        return await _bulk.find_placed(
            self._plain(),
            agent_id=agent_id,
            number=number,
            since=since,
            until=until,
            skew=skew,
            settle=settle,
            sleep=sleep,
        )

    async def reconcile(
        self,
        error: APIError,
        *,
        since: datetime | float | None = None,
        skew: float = _bulk.DEFAULT_SKEW,
        settle: float = _bulk.DEFAULT_SETTLE,
        sleep: Callable[[float], Awaitable[object]] | None = None,
    ) -> Reconciliation:
        """Was the call of this failed `calls.create` placed after all?

        For an error with `outcome_unknown` (a timeout or a 500 after the request
        left): reads the agent and number from the error's request and runs
        `find_placed` for the time of its last attempt (bounded by the client's
        timeout; pass `since` to widen it). `verdict` is `PLACED` (`.call` is the
        call), `NOT_PLACED` (dialing again is safe) or `UNSURE` (do not dial again
        without a look). An error whose outcome is known answers `NOT_PLACED` at
        once: the server did not act. `ConfigurationError` for an error that did
        not come from `calls.create`.
        """
        return await _bulk.reconcile(
            self._plain(), error, since=since, skew=skew, settle=settle, sleep=sleep
        )

    def create_many(
        self,
        items: Iterable[tuple[str, Mapping[str, Any]]]
        | AsyncIterable[tuple[str, Mapping[str, Any]]],
        *,
        journal: Journal,
        concurrency: int = _bulk.DEFAULT_CONCURRENCY,
        lease: float = _bulk.DEFAULT_LEASE,
        retry_failed: bool = True,
        skew: float = _bulk.DEFAULT_SKEW,
        settle: float = _bulk.DEFAULT_SETTLE,
        sleep: Callable[[float], Awaitable[object]] | None = None,
    ) -> BulkDial:
        """Call each person of a list at most once, even across crashes, runs and workers.

        `items` (an iterable or async iterable) gives `(key, arguments)` pairs: `key`
        is your stable id for the person (a contact id, or the number), `arguments`
        the keyword arguments of `calls.create` (`agent_id`, `participant`, ...).
        `journal` (`mh.SQLiteJournal(path)`, `mh.RedisJournal(redis, namespace=...)`)
        records each key's claim before its request leaves and its outcome after, so
        a key placed, or whose outcome stays unknown, is never dialed again.

        ::

            async with mh.SQLiteJournal("dial.db") as journal:
                async with client.calls.create_many(leads, journal=journal) as results:
                    async for result in results:  # a DialResult, as each completes
                        print(result.key, result.status, result.reason)

        At most `concurrency` calls are created at once (the client's rate governor
        applies to them). An unknown outcome is reconciled at once (`reconcile`);
        a key left claimed by a worker that died is taken over once its `lease`
        (seconds, renewed every third of it while alive) has run out and only when
        reconciliation says its call was not placed. Failed keys are dialed again by
        a later run unless `retry_failed=False`. `skew`, `settle` and `sleep` are
        those of `find_placed`. Leaving the block early stops the run cleanly.
        """
        return _bulk.BulkDial(
            self._plain(),
            items,
            journal=journal,
            concurrency=concurrency,
            lease=lease,
            retry_failed=retry_failed,
            skew=skew,
            settle=settle,
            sleep=sleep,
        )
