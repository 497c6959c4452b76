"""retry: backoff with full jitter, a deadline, a retry budget, and no double phone calls.

Two pure functions decide, and the loop (`retry`) only carries them out:

- `decide(error, method, policy, attempt)`: retry or not, and whether the server
  may have acted (`Decision`);
- `retry_delay(error, policy, attempt)`: how long to wait before the next attempt.

The rules, in the order `decide` applies them to a failed attempt:

1. Only `APIStatusError` with a status in `retry_statuses`, and an
   `APIConnectionError` the I/O boundary marked `retryable`, are retryable. A TLS
   certificate failure, or the client closed under the call, never is.
2. An idempotent method (GET, HEAD, PUT, DELETE, OPTIONS) retries on all of them.
   Any other method (POST creates a phone call) retries only when the server surely
   did not act: a status in `safe_statuses` (429, 503 with the API's own body or a
   `Retry-After`) or a request the boundary knows was never sent (`sent=False`:
   connect errors, connect and pool timeouts). After an ambiguous failure (500,
   502, a bare 503, a timeout or a connection dropped after sending) it is not
   retried unless `retry_ambiguous=True`, and the error says `outcome_unknown`.
3. At most `max_retries` retries.
4. The wait is the server's `retry_after` when it gives one up to `max_retry_after`
   (a longer one raises at once, so the caller can schedule); otherwise full
   jitter: `uniform(0, min(max_delay, initial_delay * 2**n))` for the n-th retry,
   n from 0.

Then the loop applies what needs state: each retry takes tokens from the client's
retry budget, and with a `deadline` the whole call (attempts and waits) runs in an
anyio cancel scope; a wait that would pass the deadline is not started, and each
attempt's timeout is clamped to what remains.
"""

from __future__ import annotations

import inspect
import logging
import math
import random as _random
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import attrs
import httpx

from .. import _config as defaults
from .._config import LOGGER_NAME
from .._exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    ClientStateError,
    ConfigurationError,
    Outcome,
    ResponseDecodeError,
)
from .._pipeline import CallNext, Request
from .._stats import note_retry_wait
from ._idempotency import HEADER as IDEMPOTENCY_HEADER
from ._logging import mask_phones, record_fields

__all__ = [
    "Decision",
    "RetryBudget",
    "RetryPolicy",
    "TokenBucket",
    "decide",
    "retry",
    "retry_delay",
]

logger = logging.getLogger(LOGGER_NAME)

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})

OnRetry = Callable[[int, float, APIError], "Awaitable[object] | object"]


def _seconds(_: object, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is None and attribute.name == "deadline":
        return
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value < 0
    ):
        raise ConfigurationError(
            f"retry.{attribute.name}",
            f"RetryPolicy.{attribute.name} must be a finite number of seconds >= 0, got {value!r}",
        )


def _count(_: object, attribute: attrs.Attribute[Any], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigurationError(
            f"retry.{attribute.name}",
            f"{attribute.name} must be a whole number >= 0, got {value!r}",
        )


def _callable(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not callable(value):
        raise ConfigurationError(
            f"retry.{attribute.name}", f"RetryPolicy.{attribute.name} must be callable"
        )


@attrs.frozen
class RetryBudget:
    """The size of a client's retry budget: a token bucket, as in the AWS SDKs.

    Every retry takes `retry_cost` tokens (`timeout_cost` after a timeout); every
    success gives back what its last retry took, or `success_refund` when it
    needed none. When the bucket cannot pay for a retry, the SDK raises at once
    instead, so a fleet of workers cannot turn an outage into a retry storm.
    One bucket is shared by every call of a client (and its `with_options` copies).
    """

    capacity: int = attrs.field(default=defaults.DEFAULT_BUDGET_CAPACITY, validator=_count)
    retry_cost: int = attrs.field(default=defaults.DEFAULT_BUDGET_RETRY_COST, validator=_count)
    timeout_cost: int = attrs.field(default=defaults.DEFAULT_BUDGET_TIMEOUT_COST, validator=_count)
    success_refund: int = attrs.field(
        default=defaults.DEFAULT_BUDGET_SUCCESS_REFUND, validator=_count
    )


class TokenBucket:
    """The live state of a `RetryBudget`. Not thread-safe: one per client and event loop,
    and nothing awaits between a check and its update."""

    __slots__ = ("budget", "tokens")

    def __init__(self, budget: RetryBudget) -> None:
        self.budget = budget
        self.tokens = budget.capacity

    def take(self, cost: int) -> bool:
        """Take `cost` tokens if there are that many."""
        if self.tokens < cost:
            return False
        self.tokens -= cost
        return True

    def give(self, amount: int) -> None:
        """Give back `amount` tokens, up to the capacity."""
        self.tokens = min(self.budget.capacity, self.tokens + amount)

    def __repr__(self) -> str:
        return f"<TokenBucket {self.tokens}/{self.budget.capacity}>"


@attrs.frozen
class RetryPolicy:
    """When and how the SDK retries. Pass it as `AsyncMindhunters(retry=...)`, or per
    call with `client.with_options(retry=...)`.

    `sleep` is the testing hook: pass an async function that records the delay
    and returns at once, and retries run without waiting (`random` takes a seeded
    `random.Random` for repeatable jitter). `on_retry(attempt, delay, error)`,
    sync or async, is called before each wait with the number of the attempt
    that failed, the planned delay in seconds and the error.
    """

    max_retries: int = attrs.field(default=defaults.DEFAULT_MAX_RETRIES, validator=_count)
    initial_delay: float = attrs.field(default=defaults.DEFAULT_INITIAL_DELAY, validator=_seconds)
    max_delay: float = attrs.field(default=defaults.DEFAULT_MAX_DELAY, validator=_seconds)
    retry_statuses: frozenset[int] = defaults.DEFAULT_RETRY_STATUSES
    safe_statuses: frozenset[int] = defaults.DEFAULT_SAFE_RETRY_STATUSES
    retry_ambiguous: bool = False
    max_retry_after: float = attrs.field(
        default=defaults.DEFAULT_MAX_RETRY_AFTER, validator=_seconds
    )
    deadline: float | None = attrs.field(default=None, validator=_seconds)
    budget: RetryBudget | None = RetryBudget()
    on_retry: OnRetry | None = attrs.field(default=None, validator=_callable)
    sleep: Callable[[float], Awaitable[object]] = attrs.field(
        default=anyio.sleep, validator=_callable
    )
    random: _random.Random | None = attrs.field(default=None, eq=False)

    def backoff(self, retry_number: int) -> float:
        """The full-jitter delay before retry `retry_number` (0 for the first retry)."""
        cap = min(self.max_delay, self.initial_delay * 2.0 ** min(retry_number, 64))
        return (self.random or _random).uniform(0.0, cap)


@attrs.frozen
class Decision:
    """What `decide` says of a failed attempt.

    `retry`: send another attempt. `unknown`: the server may have acted on this
    attempt (only ever for a method that changes something). `note`: why not,
    when the reason is not simply that the error is final.
    """

    retry: bool
    unknown: bool = False
    note: str | None = None


_FINAL = Decision(retry=False)


def decide(error: APIError, method: str, policy: RetryPolicy, attempt: int) -> Decision:
    """Retry after `error` on attempt `attempt` (from 1) of a `method` call, or not?

    A pure function of its arguments (see the module doc for the rules); the
    budget and the deadline are the loop's.
    """
    idempotent = method in IDEMPOTENT_METHODS
    if isinstance(error, ResponseDecodeError):
        status = error.status_code
        if status is not None and 200 <= status < 300:
            # The server answered with success: it acted, whatever the body says.
            return Decision(
                retry=False,
                unknown=not idempotent,
                note=f"the server answered {status}, but its reply is unreadable",
            )
        return _FINAL
    if isinstance(error, APIStatusError):
        status = error.status_code
        if status not in policy.retry_statuses:
            if not idempotent and (status == 408 or status >= 500):
                # A timeout or a 5xx not retried (a gateway's 504, ...): the request
                # may have reached the API before the answer was lost.
                return Decision(
                    retry=False,
                    unknown=True,
                    note=f"a {status} says nothing of whether the server acted",
                )
            return _FINAL
        # A bare 503 may come from a proxy that had already forwarded the request;
        # only the API's own 503 says it did nothing.
        bare_503 = status == 503 and error.code is None and error.retry_after is None
        ambiguous = bare_503 or status not in policy.safe_statuses
    elif isinstance(error, APIConnectionError):
        ambiguous = error.sent is not False
        if not error.retryable:
            note = f"not retried: {error.reason}" if error.reason else None
            return Decision(retry=False, unknown=ambiguous and not idempotent, note=note)
    else:
        return _FINAL
    unknown = ambiguous and not idempotent
    if unknown and not policy.retry_ambiguous:
        return Decision(retry=False, unknown=True)
    if attempt > policy.max_retries:
        note = f"gave up after {attempt} attempts" if attempt > 1 else None
        return Decision(retry=False, unknown=unknown, note=note)
    retry_after = error.retry_after if isinstance(error, APIStatusError) else None
    if retry_after is not None and retry_after > policy.max_retry_after:
        return Decision(
            retry=False,
            unknown=unknown,
            note=f"not retried: the server asked to wait {retry_after:g}s,"
            f" more than max_retry_after={policy.max_retry_after:g}s",
        )
    return Decision(retry=True, unknown=unknown)


def retry_delay(error: APIError, policy: RetryPolicy, attempt: int) -> float:
    """Seconds to wait after attempt `attempt` failed with `error`: the server's
    `retry_after` when it sent one, else full-jitter backoff."""
    retry_after = error.retry_after if isinstance(error, APIStatusError) else None
    return retry_after if retry_after is not None else policy.backoff(attempt - 1)


async def retry(request: Request, call_next: CallNext) -> httpx.Response:
    """Send the attempts of one call under `request.options.retry` (see the module doc)."""
    policy = request.options.retry
    call = _Call(request, call_next, policy)
    if policy.deadline is None:
        return await call.run()
    with anyio.move_on_after(policy.deadline):
        return await call.run()
    where = "during attempt" if call.sending else "while waiting after attempt"
    # An attempt still queued for a connection never left: not "in flight".
    in_flight = call.sending and call.current is not None and call.current.on_wire
    raise call.deadline_error(f"ran out {where} {call.attempt}", in_flight=in_flight)


class _Stop(Exception):
    """Internal: the loop gives up, with this note."""

    def __init__(self, note: str) -> None:
        self.note = note


class _Call:
    """The retry state of one logical call: attempts, waits, the budget and the deadline."""

    __slots__ = (
        "attempt",
        "bucket",
        "call_next",
        "current",
        "key",
        "maybe_acted",
        "paid",
        "policy",
        "request",
        "sending",
        "slept",
        "started",
    )

    def __init__(self, request: Request, call_next: CallNext, policy: RetryPolicy) -> None:
        self.request = request
        self.call_next = call_next
        self.policy = policy
        self.bucket = request.options.budget if policy.budget is not None else None
        self.key = request.headers.get(IDEMPOTENCY_HEADER)
        self.attempt = 0
        self.current: Request | None = None
        self.paid = 0
        self.slept = 0.0
        self.maybe_acted = False
        self.sending = False
        self.started = anyio.current_time() if policy.deadline is not None else 0.0

    async def run(self) -> httpx.Response:
        policy = self.policy
        last: APIError | None = None
        while True:
            self.attempt += 1
            self.sending = True
            self.current = self.request.for_attempt(self.attempt, self._attempt_timeout())
            try:
                response = await self.call_next(self.current)
            except ClientStateError:
                if last is None:
                    raise
                # Closed while waiting to retry: the caller gets the last attempt's
                # error, which knows whether the server may have acted.
                last.outcome = Outcome(
                    self.attempt - 1,
                    self.key,
                    self.maybe_acted,
                    "not retried: the client was closed",
                )
                raise last from None
            except APIError as err:
                self.sending = False
                decision = decide(err, self.request.method, policy, self.attempt)
                self.maybe_acted = self.maybe_acted or decision.unknown
                note = decision.note
                if decision.retry:
                    try:
                        delay = self._afford(err, retry_delay(err, policy, self.attempt))
                    except _Stop as stop:
                        note = stop.note
                    else:
                        await self._wait(err, delay)
                        last = err
                        continue
                err.outcome = Outcome(self.attempt, self.key, self.maybe_acted, note)
                raise
            if self.bucket is not None:
                self.bucket.give(self.paid or self.bucket.budget.success_refund)
            return response

    def _afford(self, err: APIError, delay: float) -> float:
        """`delay`, once the deadline and the budget allow it; `_Stop` otherwise."""
        policy = self.policy
        if policy.deadline is not None and delay >= self._remaining():
            retry_after = err.retry_after if isinstance(err, APIStatusError) else None
            if retry_after is not None:
                # The caller can act on the server's own answer (err.retry_after).
                raise _Stop(
                    f"not retried: the server asked to wait {retry_after:g}s, past the"
                    f" deadline of {policy.deadline:g}s"
                )
            raise self.deadline_error(
                f"would pass during the {delay:.3g}s wait before attempt {self.attempt + 1}",
                in_flight=False,
            ) from err
        if self.bucket is not None:
            budget = self.bucket.budget
            cost = budget.timeout_cost if isinstance(err, APITimeoutError) else budget.retry_cost
            if not self.bucket.take(cost):
                raise _Stop("not retried: the client's retry budget is exhausted")
            self.paid = cost
        return delay

    async def _wait(self, err: APIError, delay: float) -> None:
        policy = self.policy
        if policy.on_retry is not None:
            result = policy.on_retry(self.attempt, delay, err)
            if inspect.isawaitable(result):
                await result
        note_retry_wait(self.request, self.attempt, delay, err)
        if logger.isEnabledFor(logging.INFO):
            _log_retry(self.request, self.attempt, policy, delay, err)
        waiting = policy.sleep(delay)
        if not inspect.isawaitable(waiting):
            raise ConfigurationError(
                "retry.sleep",
                "RetryPolicy.sleep must be an async function such as anyio.sleep,"
                f" not {policy.sleep!r}",
            ) from err
        await waiting
        self.slept += delay

    def _remaining(self) -> float:
        assert self.policy.deadline is not None
        # With the real anyio.sleep the clock covers the waits; with a test's
        # sleep hook it does not, and the waits requested must count all the same.
        elapsed = max(anyio.current_time() - self.started, self.slept)
        return self.policy.deadline - elapsed

    def _attempt_timeout(self) -> httpx.Timeout | None:
        timeout = self.request.timeout
        if self.policy.deadline is None:
            return timeout
        remaining = max(self._remaining(), 0.001)
        base = timeout or self.request.options.timeout
        return httpx.Timeout(
            connect=_clamp(base.connect, remaining),
            read=_clamp(base.read, remaining),
            write=_clamp(base.write, remaining),
            pool=_clamp(base.pool, remaining),
        )

    def deadline_error(self, what: str, *, in_flight: bool) -> APITimeoutError:
        deadline = self.policy.deadline
        assert deadline is not None
        # An attempt cut short in flight may have reached the server.
        unknown = self.maybe_acted or (in_flight and self.request.method not in IDEMPOTENT_METHODS)
        return APITimeoutError(
            f"{self.request.method} {self.request.path}: the deadline of {deadline:g}s"
            f" {what}, after {self.attempt} attempt{'s' if self.attempt != 1 else ''}",
            outcome=Outcome(self.attempt, self.key, unknown),
            sent=None if in_flight else False,
            retryable=False,
        )


def _log_retry(
    request: Request, attempt: int, policy: RetryPolicy, delay: float, err: APIError
) -> None:
    logger.info(
        "retrying %s %s in %.3fs (attempt %d of at most %d) after %s",
        request.method,
        mask_phones(request.path),
        delay,
        attempt + 1,
        policy.max_retries + 1,
        type(err).__name__,
        extra={**record_fields(request, attempt, err), "delay": delay},
    )


def _clamp(value: float | None, remaining: float) -> float:
    return remaining if value is None else min(value, remaining)
