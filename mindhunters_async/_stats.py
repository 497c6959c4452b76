"""The client's counters (`client.stats()`), and the hooks that feed them and OpenTelemetry.

One `Stats` per client, shared with its `with_options` copies. The `log` middleware
counts every attempt (it already runs once per attempt, so counting costs a few dict
updates and nothing else); the retry layer reports each wait through
`note_retry_wait`, and the rate governor (issue 14) is to report each of its waits
through `note_governor_wait`. Both also tell the client's `observers` (OpenTelemetry,
when it is on), so a wait is reported in one place whoever listens.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Protocol

import attrs

if TYPE_CHECKING:
    from ._exceptions import APIError
    from ._pipeline import Request

__all__ = ["ClientStats", "Observer", "Stats", "note_governor_wait", "note_retry_wait"]


class Observer(Protocol):
    """Told of the waits of a client's calls (see `AsyncMindhunters(telemetry=...)`)."""

    def retry_wait(self, request: Request, attempt: int, delay: float, error: APIError) -> None:
        """Attempt `attempt` of the call of `request` failed with `error`; the retry
        layer now waits `delay` seconds before the next one."""

    def governor_wait(self, request: Request, seconds: float) -> None:
        """The rate governor held the call of `request` for `seconds` before sending."""


@attrs.frozen
class ClientStats:
    """What a client did since it was opened: `client.stats()`.

    - `since`: when the client was opened (UTC);
    - `requests`: attempts sent (a call retried twice counts 3);
    - `by_status`: attempts by the HTTP status of their reply;
    - `errors`: failed attempts, and `by_error` the same by the server's error code
      (`RATE_LIMIT_EXCEEDED`, ...) or, without one, the exception's class name
      (`APIConnectionError`, `APITimeoutError`, `BadGatewayError`, ...);
    - `retries` and `retry_wait_seconds`: retries and the time spent waiting before them;
    - `governor_waits` and `governor_wait_seconds`: calls the client's rate governor
      held back, and for how long (always 0 until the client has a governor).

    `error_rate` is `errors / requests`: the number to alert on.
    """

    since: datetime
    requests: int
    by_status: Mapping[int, int]
    errors: int
    by_error: Mapping[str, int]
    retries: int
    retry_wait_seconds: float
    governor_waits: int
    governor_wait_seconds: float

    @property
    def error_rate(self) -> float:
        """Failed attempts over attempts sent (0.0 before the first)."""
        return self.errors / self.requests if self.requests else 0.0


class Stats:
    """The live counters behind `client.stats()`. Not thread-safe, like the client:
    nothing awaits between reading a counter and writing it back."""

    __slots__ = (
        "by_error",
        "by_status",
        "errors",
        "governor_wait_seconds",
        "governor_waits",
        "requests",
        "retries",
        "retry_wait_seconds",
        "since",
    )

    def __init__(self) -> None:
        self.since = datetime.now(timezone.utc)
        self.requests = 0
        self.by_status: dict[int, int] = {}
        self.errors = 0
        self.by_error: dict[str, int] = {}
        self.retries = 0
        self.retry_wait_seconds = 0.0
        self.governor_waits = 0
        self.governor_wait_seconds = 0.0

    def answered(self, status: int) -> None:
        """One attempt got a reply the SDK could use."""
        self.requests += 1
        self.by_status[status] = self.by_status.get(status, 0) + 1

    def failed(self, status: int | None, error: str) -> None:
        """One attempt failed: with this reply status (None: no reply) and error key."""
        self.requests += 1
        self.errors += 1
        if status is not None:
            self.by_status[status] = self.by_status.get(status, 0) + 1
        self.by_error[error] = self.by_error.get(error, 0) + 1

    def snapshot(self) -> ClientStats:
        """The counters as they are now, in a value that does not change afterwards."""
        return ClientStats(
            since=self.since,
            requests=self.requests,
            by_status=dict(sorted(self.by_status.items())),
            errors=self.errors,
            by_error=dict(sorted(self.by_error.items())),
            retries=self.retries,
            retry_wait_seconds=self.retry_wait_seconds,
            governor_waits=self.governor_waits,
            governor_wait_seconds=self.governor_wait_seconds,
        )


def note_retry_wait(request: Request, attempt: int, delay: float, error: APIError) -> None:
    """Report that the call of `request` waits `delay` seconds after attempt `attempt`
    failed with `error` (called by the retry layer, before it sleeps)."""
    options = request.options
    stats = options.stats
    stats.retries += 1
    stats.retry_wait_seconds += delay
    for observer in options.observers:
        observer.retry_wait(request, attempt, delay, error)


def note_governor_wait(request: Request, seconds: float) -> None:
    """Report that the rate governor held the call of `request` for `seconds`.

    The hook for issue 14's rate governor: call it once per wait, after waiting. It
    feeds `ClientStats.governor_waits` / `governor_wait_seconds` and the OpenTelemetry
    metrics `mindhunters.client.rate_governor.waits` and
    `mindhunters.client.rate_governor.wait.duration`.
    """
    options = request.options
    stats = options.stats
    stats.governor_waits += 1
    stats.governor_wait_seconds += seconds
    for observer in options.observers:
        observer.governor_wait(request, seconds)
