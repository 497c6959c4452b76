"""The rate governor: stay under the tenant's rate limit instead of finding it by 429s.

`RateLimit` paces one process; `RedisRateLimit` (in `_redis.py`) keeps the same
state in Redis for every process that uses the same key. Both sit in the request
path between the retry layer and the per-attempt middleware (see
`_pipeline.build_pipeline`), so each attempt takes a slot: a retried attempt is a
request to the server too.

The algorithm is a sliding log, with one twist. A slot is held from the moment an
attempt is let go until its reply (or failure) is back, and then for `per` more
seconds. A request may go when fewer than `requests` slots are held. Holding the
slot until the reply, not only from the send, is what makes the guarantee hold at
the server as well as at the client: the server counts a request when it arrives,
which is after it was sent and before its reply, so two requests through the same
slot arrive at least `per` apart, and no window of `per` seconds (sliding, or fixed
and aligned however the server likes) sees more than `requests` of them. The price
is each request's own latency, once per `per` seconds.

On top of the log:

- a 429 with `retryAfter` (body or header) pauses every request through the
  governor until then (up to the call's `max_retry_after`: a longer wait is the
  caller's to schedule, as in the retry layer);
- a reply's `X-RateLimit-Remaining` that counts more requests in the window than
  the governor let go means someone else spends the same limit: the governor
  holds that many slots more, for `per` seconds, so that it sends no more than the
  server says remain;
- waiters queue in FIFO order (optionally with some endpoints first), the head of
  the queue sleeps until the log says a slot frees, the others until they are
  woken; a cancelled waiter leaves the queue and takes nothing;
- a wait that cannot end before the deadline of the enclosing cancel scopes (the
  retry policy's `deadline`, the caller's `anyio.fail_after`) fails at once with
  `APITimeoutError`, and nothing is sent.
"""

from __future__ import annotations

import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Collection
from typing import TYPE_CHECKING, Protocol

import anyio
import httpx

from ._config import API_RATE_LIMIT_PER, API_RATE_LIMIT_REQUESTS, LOGGER_NAME
from ._exceptions import APIStatusError, APITimeoutError, ConfigurationError
from ._stats import note_governor_wait

if TYPE_CHECKING:
    from ._pipeline import CallNext, Request

__all__ = ["Governor", "RateLimit", "remaining_of"]

logger = logging.getLogger(LOGGER_NAME)

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[object]]


class Governor(Protocol):
    """What the pipeline needs of a rate governor: one middleware-shaped method."""

    async def govern(self, request: Request, call_next: CallNext) -> httpx.Response:
        """Send `request` through `call_next` once the governor lets it go."""
        ...


def check_limit(requests: object, per: object, owner: str) -> None:
    """Refuse a limit that cannot be kept, naming `owner` (`RateLimit`, ...)."""
    if isinstance(requests, bool) or not isinstance(requests, int) or requests < 1:
        raise ConfigurationError(
            "rate_limit", f"{owner}(requests=...) must be a whole number >= 1, got {requests!r}"
        )
    if (
        isinstance(per, bool)
        or not isinstance(per, (int, float))
        or not math.isfinite(per)
        or per <= 0
    ):
        raise ConfigurationError(
            "rate_limit", f"{owner}(per=...) must be a finite number of seconds > 0, got {per!r}"
        )


def remaining_of(headers: httpx.Headers) -> int | None:
    """The reply's `X-RateLimit-Remaining`, when it is a whole number."""
    value = headers.get("x-ratelimit-remaining")
    if value is None:
        return None
    value = value.strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


def pause_of(request: Request, error: APIStatusError) -> float | None:
    """How long a 429 asks everyone to hold back: its `retry_after`, up to the call's
    `max_retry_after` (a longer wait raises at once in the retry layer, for the
    caller to schedule; the governor does not stall every other call that long)."""
    if error.status_code != 429 or error.retry_after is None:
        return None
    return min(error.retry_after, request.options.retry.max_retry_after)


def no_slot_error(request: Request, what: str, wait: float, left: float) -> APITimeoutError:
    """The error of a request that cannot get a slot before its deadline."""
    return APITimeoutError(
        f"{request.method} {request.path}: the rate governor ({what}) has no free slot for"
        f" another {wait:.3g}s, past the deadline ({max(left, 0.0):.3g}s left); the request"
        " was not sent",
        sent=False,
        retryable=False,
        reason="no rate-governor slot before the deadline",
    )


def time_left() -> float:
    """Seconds until the deadline of the enclosing cancel scopes (inf: none)."""
    deadline = anyio.current_effective_deadline()
    return deadline - anyio.current_time() if deadline != math.inf else math.inf


class Waiter:
    """One request waiting for a slot; `wake()` makes it look again."""

    __slots__ = ("scope", "woken")

    def __init__(self) -> None:
        self.scope: anyio.CancelScope | None = None
        self.woken = False

    def wake(self) -> None:
        self.woken = True
        if self.scope is not None:
            self.scope.cancel()


class Queue:
    """FIFO waiters, those of the `first` endpoints ahead of the rest.

    Only the head looks at the clock (and, for Redis, asks the server); the others
    sleep until the head leaves, so a long queue costs no work while it waits.
    """

    __slots__ = ("first", "high", "low")

    def __init__(self, first: frozenset[str]) -> None:
        self.first = first
        self.high: deque[Waiter] = deque()
        self.low: deque[Waiter] = deque()

    def __bool__(self) -> bool:
        return bool(self.high or self.low)

    def head(self) -> Waiter | None:
        if self.high:
            return self.high[0]
        return self.low[0] if self.low else None

    def join(self, request: Request) -> Waiter:
        waiter = Waiter()
        if request.endpoint.name in self.first:
            if not self.high and self.low:
                # The head of the reads steps back: this one goes first.
                self.low[0].wake()
            self.high.append(waiter)
        else:
            self.low.append(waiter)
        return waiter

    def leave(self, waiter: Waiter) -> None:
        was_head = self.head() is waiter
        for line in (self.high, self.low):
            try:
                line.remove(waiter)
            except ValueError:
                continue
            break
        if was_head:
            self.wake_head()

    def wake_head(self) -> None:
        head = self.head()
        if head is not None:
            head.wake()


class Slots(Protocol):
    """The state a waiter polls: `take` a slot, or learn how long until one frees."""

    async def take(self, request: Request) -> tuple[object | None, float]:
        """(a slot, 0.0), or (None, seconds until one may free: a lower bound)."""
        ...


async def wait_for_slot(
    queue: Queue,
    slots: Slots,
    request: Request,
    *,
    clock: Clock,
    sleep: Sleep,
    what: str,
) -> object:
    """Queue for a slot and return it once taken (see the module doc).

    Raises `APITimeoutError` at once when the head learns its wait would pass the
    deadline; a cancelled waiter leaves the queue without a slot.
    """
    waiter = queue.join(request)
    started = clock()
    try:
        while True:
            waiter.woken = False
            delay = math.inf
            if queue.head() is waiter:
                slot, delay = await slots.take(request)
                if slot is not None:
                    break
                left = time_left()
                if delay > left:
                    raise no_slot_error(request, what, delay, left)
            if waiter.woken:
                continue
            with anyio.CancelScope() as scope:
                waiter.scope = scope
                if delay == math.inf:
                    await anyio.sleep_forever()
                else:
                    await sleep(delay)
            waiter.scope = None
    finally:
        queue.leave(waiter)
    waited = clock() - started
    if waited > 0:
        try:
            note_governor_wait(request, waited)
        except Exception:
            # An observer that fails must not take the slot with it: the slot is
            # counted as taken, and only the caller's `finally` gives it back.
            logger.exception("a rate-governor wait observer failed")
    return slot


class RateLimit:
    """Pace this process's requests to stay under the API's rate limit.

    ::

        limit = mh.RateLimit(requests=1000, per=60.0)  # the API's documented limit
        client = mh.AsyncMindhunters(rate_limit=limit)

    The guarantee: no window of `per` seconds ever holds more than `requests`
    requests sent through this governor (retried attempts included), as the
    client sends them and as the server receives them. Requests beyond that wait,
    in FIFO order, without polling; `first` names endpoints that go ahead of the
    others when both wait, such as `first={"calls.create"}` to place calls before
    reads. A 429 with `retryAfter` pauses every request through the governor
    until then, and a reply's `X-RateLimit-Remaining` is respected (see the
    README's "Rate limits").

    Waiting counts against `RetryPolicy(deadline=...)` and the caller's own
    timeouts: a request that cannot get a slot before its deadline raises
    `APITimeoutError` at once, unsent. Cancelling a waiting request frees its
    place for the next.

    Share one `RateLimit` between the clients of a process (they then share the
    limit); for several processes or machines, use `mh.RedisRateLimit`. Like a
    client, a `RateLimit` belongs to one event loop at a time.

    `clock` (seconds, monotonic) and `sleep` are for tests: pass a fake clock and
    an async `sleep` that moves it, and waits take no real time.
    """

    __slots__ = (
        "_clock",
        "_ends",
        "_foreign",
        "_foreign_until",
        "_in_flight",
        "_paused_until",
        "_queue",
        "_sleep",
        "first",
        "per",
        "requests",
    )

    def __init__(
        self,
        requests: int = API_RATE_LIMIT_REQUESTS,
        per: float = API_RATE_LIMIT_PER,
        *,
        first: Collection[str] = (),
        clock: Clock = time.monotonic,
        sleep: Sleep = anyio.sleep,
    ) -> None:
        check_limit(requests, per, "RateLimit")
        if not callable(clock) or not callable(sleep):
            raise ConfigurationError("rate_limit", "RateLimit clock and sleep must be callables")
        self.requests = requests
        self.per = float(per)
        self.first = frozenset(first)
        self._clock = clock
        self._sleep = sleep
        # End times of the attempts that came back, oldest first: each holds its
        # slot until end + per.
        self._ends: deque[float] = deque()
        self._in_flight = 0
        self._paused_until = -math.inf
        self._foreign = 0
        self._foreign_until = -math.inf
        self._queue = Queue(self.first)

    def __repr__(self) -> str:
        return f"RateLimit(requests={self.requests}, per={self.per:g})"

    # The pipeline's side

    async def govern(self, request: Request, call_next: CallNext) -> httpx.Response:
        """Let `request` go when a slot is free, and hold the slot until its reply."""
        if self._queue or self._wait(self._clock()) > 0.0:
            await wait_for_slot(
                self._queue, self, request, clock=self._clock, sleep=self._sleep, what=str(self)
            )
        else:
            self._in_flight += 1
        try:
            response = await call_next(request)
        except APIStatusError as err:
            self._done(request, err.response.headers, pause_of(request, err))
            raise
        except BaseException:
            self._done(request, None, None)
            raise
        self._done(request, response.headers, None)
        return response

    async def take(self, request: Request) -> tuple[object | None, float]:
        """The head's look at the log (see `Slots`)."""
        wait = self._wait(self._clock())
        if wait > 0.0:
            return None, wait
        self._in_flight += 1
        return True, 0.0

    # The log

    def _wait(self, now: float) -> float:
        """0.0 when a request may go now, else the seconds until a slot may free (a
        lower bound when the slots are held by attempts still in flight)."""
        ends, per = self._ends, self.per
        while ends and ends[0] + per <= now:
            ends.popleft()
        pause = self._paused_until - now
        foreign = self._foreign if now < self._foreign_until else 0
        excess = self._in_flight + len(ends) + foreign - self.requests + 1
        if excess <= 0:
            return pause if pause > 0.0 else 0.0
        # The excess-th slot to free: finished attempts free at end + per, the
        # foreign block at once at _foreign_until, attempts in flight at now + per
        # at the earliest.
        free_at = now + per
        for end in ends:
            if foreign and self._foreign_until <= end + per:
                if excess <= foreign:
                    free_at = self._foreign_until
                    break
                excess, foreign = excess - foreign, 0
            if excess == 1:
                free_at = end + per
                break
            excess -= 1
        else:
            if foreign and excess <= foreign:
                free_at = self._foreign_until
        return max(free_at - now, pause)

    def _done(self, request: Request, headers: httpx.Headers | None, pause: float | None) -> None:
        self._in_flight -= 1
        if not request.on_wire:
            # It never left the SDK: the server did not count it, so neither does the log.
            self._queue.wake_head()
            return
        now = self._clock()
        self._ends.append(now)
        if pause is not None:
            until = now + pause
            if until > self._paused_until:
                self._paused_until = until
                log_pause(request, pause)
        elif headers is not None and (remaining := remaining_of(headers)) is not None:
            # Requests the server counted beyond those held here are someone else's.
            held = self._in_flight + len(self._ends)
            self._foreign = max(self.requests - remaining - held, 0)
            self._foreign_until = now + self.per


def log_pause(request: Request, seconds: float) -> None:
    logger.info(
        "rate governor: a 429 on %s %s pauses every request for %.3gs",
        request.method,
        request.path,
        seconds,
        extra={"method": request.method, "endpoint": request.endpoint.name, "pause": seconds},
    )
