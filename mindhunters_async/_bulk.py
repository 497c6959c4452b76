"""Reconciliation and bulk dialing: did that call go out, and a list called at most once.

`find_placed` answers "did agent A call number N since T?" from `GET /calls`:
placed (the `Call`), surely not placed, or unsure. It walks the agent's calls
newest first and stops at the first one older than the attempt minus a clock-skew
margin. A call matches on the agent, the direction (not inbound) and the
participant's number, read from `participant.number` or, as list items most likely
carry it, from the `communication` field (a string, or an object with `number`,
`to`, `phone` or `phone_number`). It answers "placed" only when exactly one call in
the window matches and every other call in the window shows a different number;
a call whose number cannot be read (also after `GET /calls/{id}`), two matches, or
a list that cannot be read make it "unsure". "Not placed" waits until the list has
had `settle` seconds after the attempt to show the call (the list may lag).

`BulkDial` (`calls.create_many`) dials a list of (key, arguments) through a
`Journal` (see `_journal.py` for the states): a key is claimed, durably, before
its `POST /call` leaves; an answer, a refusal or an error is recorded on that
claim; an unknown outcome is reconciled at once, and a key whose outcome stays
unknown is never dialed again. A claim left behind by a dead worker is taken over
only once its lease has run out and reconciliation says the call was not placed.
"""

from __future__ import annotations

import enum
import json
import logging
import math
import os
import socket
import uuid
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Mapping,
)
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Final

import anyio
import attrs
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from ._config import LOGGER_NAME, TextEnum
from ._exceptions import (
    APIError,
    ClientStateError,
    ConfigurationError,
    ErrorCode,
    MindhuntersError,
    RequestValidationError,
)
from ._journal import Claim, Journal, JournalEntry, JournalState, check_lease
from ._models import Call, Participant
from ._validators import is_e164, validate_e164, validate_uuid

if TYPE_CHECKING:
    from ._resources.calls import Calls

__all__ = [
    "BulkDial",
    "DialResult",
    "DialStatus",
    "Reconciliation",
    "Verdict",
    "find_placed",
    "reconcile",
]

logger = logging.getLogger(LOGGER_NAME)

Sleep = Callable[[float], Awaitable[object]]

DEFAULT_SKEW: Final = 60.0
"""Seconds of clock difference allowed between this machine and the API's."""
DEFAULT_SETTLE: Final = 10.0
"""Seconds after an attempt during which the call list may not show its call yet."""
DEFAULT_LEASE: Final = 300.0
"""Seconds a claim stays held without being renewed (renewed every third of it)."""
DEFAULT_CONCURRENCY: Final = 5
_MAX_PAGES: Final = 20
_MAX_LOOKUPS: Final = 20
_FIRST_LOOK_AGAIN: Final = 0.5
_NUMBER_KEYS: Final = ("number", "to", "phone", "phone_number", "participant_number")
_FORMATTING: Final = str.maketrans("", "", " -().")


# Reconciliation


class Verdict(TextEnum):
    """What reconciliation concluded about one `POST /call`."""

    PLACED = "placed"
    NOT_PLACED = "not placed"
    UNSURE = "unsure"


@attrs.frozen
class Reconciliation:
    """The answer of `calls.reconcile` / `calls.find_placed`.

    - `verdict`: `Verdict.PLACED` (then `call` is the call found), `NOT_PLACED`
      (no such call appeared, also after the list had time to catch up: dialing
      again is safe), or `UNSURE` (do not dial again without a person looking).
    - `reason`: why, in a sentence, for logs and the journal.
    - `candidates`: the calls in the window that might have been this one (for
      `UNSURE`: the ones that could not be told apart).
    """

    verdict: Verdict
    reason: str
    call: Call | None = None
    candidates: tuple[Call, ...] = ()

    @property
    def placed(self) -> bool:
        """True when the call was surely placed."""
        return self.verdict is Verdict.PLACED

    @property
    def not_placed(self) -> bool:
        """True when the call was surely not placed."""
        return self.verdict is Verdict.NOT_PLACED


def _moment(value: datetime | float, name: str) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ConfigurationError(name, f"{name} must be an aware datetime (with a timezone)")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigurationError(
            name, f"{name} must be an aware datetime or seconds since the epoch, not {value!r}"
        )
    return datetime.fromtimestamp(value, tz=timezone.utc)


def _seconds(value: object, name: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value < 0
    ):
        raise ConfigurationError(name, f"{name} must be a number of seconds >= 0, not {value!r}")
    return float(value)


def _e164(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    text = value.translate(_FORMATTING)
    return text if is_e164(text) else None


def number_of(call: Call) -> str | None:
    """The participant's number as the API shows it on `call`, if it can be read for sure.

    `participant.number` first; else the `communication` field, which the docs name on
    call-list items without describing it: a string, or an object whose `number`,
    `to`, `phone`, `phone_number` or `participant_number` holds it. Formatting
    (spaces, dashes, parentheses) is dropped; anything that is then not E.164 (a
    national number, say) is not read, rather than guessed at.
    """
    if call.participant is not None and (number := _e164(call.participant.number)):
        return number
    communication = call.communication
    if isinstance(communication, str):
        return _e164(communication)
    if isinstance(communication, Mapping):
        for name in _NUMBER_KEYS:
            if number := _e164(communication.get(name)):
                return number
        participant = communication.get("participant")
        if isinstance(participant, Mapping):
            return _e164(participant.get("number"))
    return None


def _agent_of(call: Call) -> str | None:
    if call.agent_id:
        return call.agent_id.lower()
    if call.agent is not None and call.agent.id:
        return call.agent.id.lower()
    return None


@attrs.define
class _Look:
    matches: dict[str, Call] = attrs.Factory(dict)
    unreadable: dict[str, Call] = attrs.Factory(dict)
    # Calls to the number stamped outside the window: the server's clock (or its time
    # zone: Laravel writes local times without one) may be off by more than `skew`.
    outside: dict[str, Call] = attrs.Factory(dict)
    complete: bool = True


# How far past the window the list is read for calls to the number with odd times.
_FAR = timedelta(hours=26)


async def _look(
    calls: Calls, agent_id: str, number: str, lower: datetime, upper: datetime
) -> _Look:
    look = _Look()
    pages = 0
    async for page in calls.list(agent_id=agent_id, per_page=100).pages():
        pages += 1
        older = False
        for call in page.items:
            created = call.created_at or call.timestamp
            agent = _agent_of(call)
            if (agent is not None and agent != agent_id) or call.direction == "inbound":
                continue
            if created is not None and not lower <= created <= upper:
                if created < lower - _FAR:
                    # Newest first: everything after this is older still.
                    older = True
                    break
                if number_of(call) == number:
                    look.outside[call.id] = call
                continue
            seen = number_of(call)
            if created is None:
                # No time: it cannot be placed in or out of the window.
                if seen is None or seen == number:
                    look.unreadable[call.id] = call
            elif seen is None:
                look.unreadable[call.id] = call
            elif seen == number:
                look.matches[call.id] = call
        if older:
            return look
        if pages >= _MAX_PAGES:
            # Past the window itself, only stray times were being looked for.
            last = page.items[-1] if page.items else None
            stamped = None if last is None else (last.created_at or last.timestamp)
            look.complete = stamped is not None and stamped < lower
            return look
    return look


async def _read_unreadable(calls: Calls, look: _Look, number: str) -> None:
    # The single-call endpoint may show what the list leaves out.
    if len(look.unreadable) > _MAX_LOOKUPS:
        return
    for call_id, call in list(look.unreadable.items()):
        full = await calls.get(call_id)
        seen = number_of(full)
        created = full.created_at or full.timestamp or call.created_at or call.timestamp
        if seen is None or created is None:
            continue
        del look.unreadable[call_id]
        if seen == number:
            look.matches[call_id] = full


async def find_placed(
    calls: Calls,
    *,
    agent_id: str,
    number: str,
    since: datetime | float,
    until: datetime | float | None = None,
    skew: float = DEFAULT_SKEW,
    settle: float = DEFAULT_SETTLE,
    sleep: Sleep | None = None,
) -> Reconciliation:
    """Did `agent_id` call `number` between `since` and `until`? See `Calls.find_placed`."""
    agent = validate_uuid(agent_id, "agent_id").lower()
    wanted = validate_e164(number, "number")
    start = _moment(since, "since")
    end = datetime.now(timezone.utc) if until is None else _moment(until, "until")
    margin = timedelta(seconds=_seconds(skew, "skew"))
    settle = _seconds(settle, "settle")
    lower, upper = start - margin, end + margin
    pause = calls._client.retry_policy.sleep if sleep is None else sleep
    # The list has had this long to show the call already.
    waited = max(0.0, (datetime.now(timezone.utc) - end).total_seconds())
    delay = _FIRST_LOOK_AGAIN
    looks = 0
    while True:
        looks += 1
        try:
            look = await _look(calls, agent, wanted, lower, upper)
            if look.unreadable:
                await _read_unreadable(calls, look, wanted)
        except MindhuntersError as err:
            return Reconciliation(Verdict.UNSURE, f"the call list could not be read: {err}")
        found = tuple(look.matches.values())
        if look.unreadable:
            doubt = len(look.unreadable)
            return Reconciliation(
                Verdict.UNSURE,
                f"{doubt} call(s) of this agent in the window do not show their number",
                candidates=found + tuple(look.unreadable.values()),
            )
        if len(found) == 1:
            return Reconciliation(
                Verdict.PLACED,
                f"call {found[0].id} to this number is in the list",
                call=found[0],
                candidates=found,
            )
        if found:
            return Reconciliation(
                Verdict.UNSURE,
                f"{len(found)} calls to this number in the window: which one is this attempt's"
                " cannot be told",
                candidates=found,
            )
        if look.outside:
            return Reconciliation(
                Verdict.UNSURE,
                f"{len(look.outside)} call(s) to this number stamped outside the window (the"
                " server's clock or time zone may be off): which one is this attempt's, if"
                " any, cannot be told",
                candidates=tuple(look.outside.values()),
            )
        if not look.complete:
            return Reconciliation(
                Verdict.UNSURE,
                f"more than {_MAX_PAGES} pages of calls in the window; not all were read",
            )
        if waited >= settle:
            return Reconciliation(
                Verdict.NOT_PLACED,
                f"no call to this number in the list after {looks} look(s), {settle:g}s or"
                " more after the attempt",
            )
        step = min(delay, settle - waited)
        await pause(step)
        waited += step
        delay *= 1.5


def _attempt(err: APIError) -> tuple[str, str]:
    request = err.request
    if request is None or request.method != "POST" or not request.url.path.endswith("/call"):
        raise ConfigurationError(
            "error", "reconcile() takes an error raised by calls.create (a POST /call)"
        )
    try:
        body = json.loads(request.content)
    except ValueError:
        body = None
    participant = body.get("participant") if isinstance(body, dict) else None
    agent_id = body.get("agentId") if isinstance(body, dict) else None
    number = participant.get("number") if isinstance(participant, dict) else None
    if not isinstance(agent_id, str) or not isinstance(number, str):
        raise ConfigurationError(
            "error", "the error's request does not show the agentId and participant.number"
        )
    return agent_id, number


async def reconcile(
    calls: Calls,
    err: APIError,
    *,
    since: datetime | float | None = None,
    skew: float = DEFAULT_SKEW,
    settle: float = DEFAULT_SETTLE,
    sleep: Sleep | None = None,
) -> Reconciliation:
    """Placed, not placed or unsure, for an error of `calls.create`. See `Calls.reconcile`."""
    if not isinstance(err, APIError):
        raise ConfigurationError("error", f"reconcile() takes an mh.APIError, not {err!r}")
    agent_id, number = _attempt(err)
    if not err.outcome_unknown:
        return Reconciliation(
            Verdict.NOT_PLACED, f"the error says the server did not act: {err.message}"
        )
    if since is None:
        # The call can only have been made during the last attempt (an ambiguous one
        # is never retried, unless the policy says so), which the attempt's time
        # limit bounds.
        options = calls._client._options
        window = options.attempt_limit or 3600.0
        if options.retry.retry_ambiguous and err.attempts > 1:
            wait = max(options.retry.max_delay, options.retry.max_retry_after)
            window = err.attempts * (window + wait)
        since = err.timestamp - timedelta(seconds=window)
    return await find_placed(
        calls,
        agent_id=agent_id,
        number=number,
        since=since,
        until=err.timestamp,
        skew=skew,
        settle=settle,
        sleep=sleep,
    )


# Bulk dialing


class DialStatus(TextEnum):
    """How one item of `calls.create_many` ended (see `DialResult`)."""

    PLACED = "placed"
    REFUSED = "refused"
    FAILED = "failed"
    SKIPPED = "skipped"
    UNKNOWN = "unknown"


@attrs.frozen
class DialResult:
    """One item's outcome in `calls.create_many`, yielded as soon as it is known.

    - `PLACED`: the call was placed in this run (`call`; `reconciled` when the
      answer was lost and reconciliation found it).
    - `REFUSED`: refused before sending (`error` is the `RequestValidationError`);
      nothing was sent.
    - `FAILED`: not placed (`error`, `reason`); `retry_safe` says a later run may
      dial it again, which it does unless `retry_failed=False`.
    - `SKIPPED`: not dialed in this run: placed in an earlier one (`call_id`, and
      `call` when reconciliation found it), claimed by a live worker, failed earlier
      (with `retry_failed=False`), or the key came twice; `reason` says which.
    - `UNKNOWN`: the call may have been placed and reconciliation could not tell
      (`reason`); the journal keeps it as unknown and no run dials it again.
    """

    key: str
    status: DialStatus
    call: Call | None = None
    call_id: str | None = None
    error: BaseException | None = None
    reason: str | None = None
    retry_safe: bool | None = None
    reconciled: bool = False

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (the error as its type and message)."""
        data: dict[str, Any] = {
            "key": self.key,
            "status": self.status.value,
            "call_id": self.call_id,
            "reason": self.reason,
        }
        if self.error is not None:
            data["error"] = f"{type(self.error).__name__}: {self.error}"
        if self.retry_safe is not None:
            data["retry_safe"] = self.retry_safe
        if self.reconciled:
            data["reconciled"] = True
        return data


Item = tuple[str, Mapping[str, Any]]


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _participant_number(args: Mapping[str, Any]) -> str | None:
    participant = args.get("participant")
    if isinstance(participant, Participant):
        return participant.number
    if isinstance(participant, Mapping):
        number = participant.get("number")
        return number if isinstance(number, str) else None
    return None


def _refusal(field: str, details: str) -> RequestValidationError:
    return RequestValidationError(field, ErrorCode.VALIDATION_ERROR, details)


class _Source:
    """The items, sync or async, handed out one at a time to the workers."""

    def __init__(self, items: Iterable[Item] | AsyncIterable[Item]) -> None:
        self._lock = anyio.Lock()
        self._sync: Iterator[Item] | None = None
        self._async: AsyncIterator[Item] | None = None
        if isinstance(items, AsyncIterable):
            self._async = aiter(items)
        elif isinstance(items, Iterable):
            self._sync = iter(items)
        else:
            raise ConfigurationError(
                "items", "create_many(items) takes an iterable or async iterable of (key, args)"
            )

    async def next(self) -> Item | _End:
        """The next item, or `END` (a None item is an item, refused like any non-pair)."""
        async with self._lock:
            if self._sync is not None:
                return next(self._sync, END)
            assert self._async is not None
            try:
                return await anext(self._async)
            except StopAsyncIteration:
                return END


class _End(enum.Enum):
    END = enum.auto()


END: Final = _End.END


class BulkDial:
    """What `calls.create_many` returns: an async context manager whose value yields a
    `DialResult` per item as each completes.

    ::

        async with client.calls.create_many(items, journal=journal) as results:
            async for result in results:
                ...

    Leaving the block stops the run: items in flight are cancelled and their claims
    released (their lease ends at once), so the next run reconciles each: recorded as
    placed, dialed when surely not placed, left unknown when unsure. The journal is
    consistent whatever happens. `counts` tallies the
    results so far by `DialStatus`. (A context manager, not a bare async generator:
    the workers are tasks, and an async generator cannot own tasks safely.)
    """

    def __init__(
        self,
        calls: Calls,
        items: Iterable[Item] | AsyncIterable[Item],
        *,
        journal: Journal,
        concurrency: int = DEFAULT_CONCURRENCY,
        lease: float = DEFAULT_LEASE,
        retry_failed: bool = True,
        skew: float = DEFAULT_SKEW,
        settle: float = DEFAULT_SETTLE,
        sleep: Sleep | None = None,
    ) -> None:
        if not isinstance(journal, Journal):
            raise ConfigurationError(
                "journal",
                "create_many(journal=...) takes a journal such as mh.SQLiteJournal('dial.db')",
            )
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise ConfigurationError(
                "concurrency", f"concurrency must be a whole number >= 1, not {concurrency!r}"
            )
        self._calls = calls
        self._source = _Source(items)
        self.journal = journal
        self.concurrency = concurrency
        self.lease = check_lease(lease)
        self.retry_failed = bool(retry_failed)
        self._skew = _seconds(skew, "skew")
        self._settle = _seconds(settle, "settle")
        self._sleep = sleep
        self.owner = _owner()
        self.counts: dict[DialStatus, int] = dict.fromkeys(DialStatus, 0)
        self._held: dict[str, str] = {}
        self._fatal: MindhuntersError | None = None
        self._workers: anyio.CancelScope | None = None
        self._task_group: anyio.abc.TaskGroup | None = None
        self._receive: MemoryObjectReceiveStream[DialResult] | None = None

    def __repr__(self) -> str:
        counts = ", ".join(f"{status.value}={n}" for status, n in self.counts.items())
        return f"<BulkDial {counts}>"

    async def __aenter__(self) -> BulkDial:
        if self._task_group is not None:
            raise ClientStateError("a create_many run can be entered only once")
        send, receive = anyio.create_memory_object_stream[DialResult](self.concurrency)
        self._receive = receive
        self._task_group = anyio.create_task_group()
        await self._task_group.__aenter__()
        self._task_group.start_soon(self._run, send)
        return self

    async def __aexit__(self, *exc_info: Any) -> bool | None:
        assert self._task_group is not None
        assert self._receive is not None
        self._task_group.cancel_scope.cancel()
        self._receive.close()
        error = exc_info[1]
        if error is not None and not isinstance(error, anyio.get_cancelled_exc_class()):
            # The block's own error (or the journal's, from __anext__) goes out as it
            # is, not inside an exception group; a cancellation goes through the
            # task group, whose scope may be the one it belongs to.
            await self._task_group.__aexit__(None, None, None)
            return None
        return await self._task_group.__aexit__(*exc_info)

    def __aiter__(self) -> BulkDial:
        return self

    async def __anext__(self) -> DialResult:
        if self._receive is None:
            raise ClientStateError("use create_many(...) as `async with ... as results:`")
        try:
            result = await self._receive.receive()
        except (anyio.EndOfStream, anyio.ClosedResourceError):
            if self._fatal is not None:
                raise self._fatal from None
            raise StopAsyncIteration from None
        self.counts[result.status] += 1
        return result

    # The run

    async def _run(self, send: MemoryObjectSendStream[DialResult]) -> None:
        async with send, anyio.create_task_group() as outer:
            outer.start_soon(self._renew_leases)
            async with anyio.create_task_group() as workers:
                self._workers = workers.cancel_scope
                for _ in range(self.concurrency):
                    workers.start_soon(self._work, send.clone())
            outer.cancel_scope.cancel()

    async def _work(self, send: MemoryObjectSendStream[DialResult]) -> None:
        async with send:
            try:
                while (item := await self._source.next()) is not END:
                    await send.send(await self._one(item))
            except MindhuntersError as err:
                # The journal cannot be used (a RedisJournal on trio, a closed one):
                # stop every worker, and tell the caller this error, not a group.
                if self._fatal is None:
                    self._fatal = err
                if self._workers is not None:
                    self._workers.cancel()

    async def _renew_leases(self) -> None:
        while True:
            await anyio.sleep(self.lease / 3)
            until = self.journal.now() + self.lease
            for key, token in list(self._held.items()):
                if not await self.journal.renew(key, token, until):
                    logger.warning(
                        "create_many: the claim on key %r was lost (its lease ran out and"
                        " another worker took it over)",
                        key,
                    )

    def _claim(self, key: str, args: Mapping[str, Any]) -> Claim:
        now = self.journal.now()
        agent_id = args.get("agent_id")
        return Claim(
            key=key,
            token=uuid.uuid4().hex,
            owner=self.owner,
            agent_id=agent_id if isinstance(agent_id, str) else None,
            number=_participant_number(args),
            now=now,
            lease_until=now + self.lease,
        )

    async def _one(self, item: Any) -> DialResult:
        if not (isinstance(item, (tuple, list)) and len(item) == 2):
            key = str(item)
            error = _refusal("items", "each item must be a (key, create-arguments) pair")
            return DialResult(key, DialStatus.REFUSED, error=error, reason=error.details)
        key, args = item
        if not isinstance(key, (str, int)) or isinstance(key, bool) or str(key) == "":
            error = _refusal("key", f"a key must be a non-empty str or an int, not {key!r}")
            return DialResult(str(key), DialStatus.REFUSED, error=error, reason=error.details)
        key = str(key)
        if not isinstance(args, Mapping):
            error = _refusal("args", "the create-arguments must be a mapping (a dict)")
            return DialResult(key, DialStatus.REFUSED, error=error, reason=error.details)
        try:
            # The checks `calls.create` makes first, made before the claim: a lead that
            # would be refused leaves no entry in the journal.
            validate_uuid(args.get("agent_id"), "agent_id")
            validate_e164(_participant_number(args), "participant.number")
        except RequestValidationError as err:
            reason = f"refused before sending: {err}"
            return DialResult(key, DialStatus.REFUSED, error=err, reason=reason, retry_safe=True)
        claim = self._claim(key, args)
        # Shielded: a claim the journal granted must reach us, to be settled.
        with anyio.CancelScope(shield=True):
            granted, entry = await self.journal.claim(claim, retry_failed=self.retry_failed)
        if granted:
            return await self._dial(entry, args)
        return await self._existing(entry, args)

    async def _existing(self, entry: JournalEntry, args: Mapping[str, Any]) -> DialResult:
        key = entry.key
        if entry.state is JournalState.PLACED:
            return DialResult(
                key,
                DialStatus.SKIPPED,
                call_id=entry.call_id,
                reason="placed in an earlier run",
            )
        if entry.state is JournalState.FAILED:
            return DialResult(
                key,
                DialStatus.SKIPPED,
                reason=f"failed in an earlier run ({entry.reason}); retry_failed is off",
            )
        if entry.state is JournalState.CLAIMED:
            if entry.owner == self.owner:
                return DialResult(key, DialStatus.SKIPPED, reason="the key came twice in this run")
            if entry.lease_until > self.journal.now():
                return DialResult(
                    key, DialStatus.SKIPPED, reason="claimed by another worker, still running"
                )
        return await self._recover(entry, args)

    async def _recover(self, entry: JournalEntry, args: Mapping[str, Any]) -> DialResult:
        """A claim whose worker died, or a key left unknown: reconcile, then act on it."""
        key = entry.key
        verdict = await self._find(entry, until=None)
        if verdict.placed:
            assert verdict.call is not None
            with anyio.CancelScope(shield=True):
                done = await self.journal.finish(
                    key,
                    entry.token,
                    JournalState.PLACED,
                    call_id=verdict.call.id,
                    reason=f"found by reconciliation: {verdict.reason}",
                )
            if not done:
                return DialResult(key, DialStatus.SKIPPED, reason="settled by another worker")
            return DialResult(
                key,
                DialStatus.SKIPPED,
                call=verdict.call,
                call_id=verdict.call.id,
                reason="placed in an earlier run (found by reconciliation)",
                reconciled=True,
            )
        if verdict.not_placed and entry.state is JournalState.UNKNOWN:
            # Left unknown by an earlier run: the list may lag, its numbers may not be
            # what it seems; an unknown key is never dialed again by itself.
            reason = (
                "left unknown by an earlier run; reconciliation now finds no call, but an"
                " unknown key is never dialed again by itself: check it by hand, and dial"
                f" it again under a new key if need be ({verdict.reason})"
            )
            return DialResult(key, DialStatus.UNKNOWN, reason=reason, retry_safe=False)
        if verdict.not_placed:
            claim = self._claim(key, args)
            with anyio.CancelScope(shield=True):
                taken = await self.journal.take_over(claim, expected_token=entry.token)
            if taken is None:
                return DialResult(key, DialStatus.SKIPPED, reason="taken over by another worker")
            return await self._dial(taken, args)
        was = "left unknown" if entry.state is JournalState.UNKNOWN else "left claimed"
        reason = f"{was} by an earlier run; reconciliation is unsure: {verdict.reason}"
        with anyio.CancelScope(shield=True):
            await self.journal.finish(key, entry.token, JournalState.UNKNOWN, reason=reason)
        return DialResult(key, DialStatus.UNKNOWN, reason=reason, retry_safe=False)

    async def _find(self, entry: JournalEntry, *, until: float | None) -> Reconciliation:
        if not (entry.agent_id and entry.number):
            return Reconciliation(Verdict.UNSURE, "the journal does not say what was dialed")
        try:
            return await find_placed(
                self._calls,
                agent_id=entry.agent_id,
                number=entry.number,
                since=entry.claimed_at,
                until=until,
                skew=self._skew,
                settle=self._settle,
                sleep=self._sleep,
            )
        except RequestValidationError as err:
            return Reconciliation(Verdict.UNSURE, f"what was dialed cannot be looked up: {err}")

    async def _dial(self, entry: JournalEntry, args: Mapping[str, Any]) -> DialResult:
        key, token = entry.key, entry.token
        self._held[key] = token
        try:
            return await self._send(entry, args)
        except BaseException as exc:
            if self._held.get(key) != token:
                raise  # its outcome is in the journal already
            if isinstance(exc, anyio.get_cancelled_exc_class()):
                # Cancelled (also while reconciling): the request may or may not have
                # left. The claim is released (its lease ends now), so the next run
                # reconciles it as a claim whose worker stopped: recorded as placed,
                # dialed when surely not placed, left unknown when unsure.
                with anyio.CancelScope(shield=True):
                    await self.journal.renew(key, token, self.journal.now())
                raise
            # A failure the SDK does not know, after the claim: the request may have left.
            reason = f"{exc!r} while dialing"
            await self._finish(key, token, JournalState.UNKNOWN, reason=reason)
            if isinstance(exc, Exception) and not isinstance(exc, MindhuntersError):
                return DialResult(key, DialStatus.UNKNOWN, error=exc, reason=reason)
            raise
        finally:
            self._held.pop(key, None)

    async def _send(self, entry: JournalEntry, args: Mapping[str, Any]) -> DialResult:
        key, token = entry.key, entry.token
        try:
            call = await self._calls.create(**{**args, "idempotency_key": token})
        except RequestValidationError as err:
            reason = f"refused before sending: {err}"
            await self._finish(key, token, JournalState.FAILED, reason=reason)
            return DialResult(key, DialStatus.REFUSED, error=err, reason=reason, retry_safe=True)
        except APIError as err:
            if not err.outcome_unknown:
                reason = str(err)
                await self._finish(key, token, JournalState.FAILED, reason=reason)
                return DialResult(key, DialStatus.FAILED, error=err, reason=reason, retry_safe=True)
            return await self._settle_unknown(entry, err)
        except (ClientStateError, ConfigurationError) as err:
            # Raised before the request is handed to the pool: nothing was sent.
            reason = str(err)
            await self._finish(key, token, JournalState.FAILED, reason=reason)
            return DialResult(key, DialStatus.FAILED, error=err, reason=reason, retry_safe=True)
        await self._finish(key, token, JournalState.PLACED, call_id=call.id)
        return DialResult(key, DialStatus.PLACED, call=call, call_id=call.id)

    async def _settle_unknown(self, entry: JournalEntry, err: APIError) -> DialResult:
        key, token = entry.key, entry.token
        verdict = await self._find(entry, until=err.timestamp.timestamp())
        if verdict.placed:
            assert verdict.call is not None
            await self._finish(
                key,
                token,
                JournalState.PLACED,
                call_id=verdict.call.id,
                reason=f"answer lost ({err.message}); found by reconciliation",
            )
            return DialResult(
                key,
                DialStatus.PLACED,
                call=verdict.call,
                call_id=verdict.call.id,
                error=err,
                reconciled=True,
            )
        if verdict.not_placed:
            reason = f"{err}; reconciliation: not placed ({verdict.reason})"
            await self._finish(key, token, JournalState.FAILED, reason=reason)
            return DialResult(key, DialStatus.FAILED, error=err, reason=reason, retry_safe=True)
        reason = f"{err.message}; reconciliation is unsure: {verdict.reason}"
        await self._finish(key, token, JournalState.UNKNOWN, reason=reason)
        return DialResult(key, DialStatus.UNKNOWN, error=err, reason=reason, retry_safe=False)

    async def _finish(
        self,
        key: str,
        token: str,
        state: JournalState,
        *,
        call_id: str | None = None,
        reason: str | None = None,
    ) -> None:
        # Shielded: what happened to a key must be written even when the run is cancelled.
        with anyio.CancelScope(shield=True):
            done = await self.journal.finish(key, token, state, call_id=call_id, reason=reason)
        if self._held.get(key) == token:
            del self._held[key]
        if not done:
            logger.warning(
                "create_many: key %r ended %s, but its claim had been taken over meanwhile;"
                " the journal keeps the other worker's record",
                key,
                state.value,
            )
