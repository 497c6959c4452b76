"""A clock for tests that moves only when told to."""

from __future__ import annotations

__all__ = ["ManualClock"]


class ManualClock:
    """Seconds since the epoch, advanced by hand: `FakeMindhunters(clock=ManualClock())`.

    Lets a test cross the rate-limit window, or space out timestamps, without sleeping.
    """

    __slots__ = ("now",)

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock `seconds` forward."""
        self.now += seconds

    def __repr__(self) -> str:
        return f"ManualClock({self.now!r})"
