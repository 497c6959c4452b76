"""client.calls: place, read and list phone calls, and steer a live one."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

import anyio

from .._converter import decoder, structure
from .._exceptions import APITimeoutError, ErrorCode, RequestValidationError
from .._models import Call, CallAction, Message, Participant, Prompt
from .._pagination import AsyncPager
from .._pipeline import Endpoint, Rule
from .._validators import validate_e164, validate_uuid
from ._base import Resource, paging_rules, uuid_path, wire

__all__ = ["FINAL_CALL_STATUSES", "Calls"]

FINAL_CALL_STATUSES: Final = frozenset({"completed", "no-answer", "busy", "failed", "canceled"})
"""The statuses after which a call changes no more (`calls.wait` stops at them)."""

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
                if last in FINAL_CALL_STATUSES:
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
