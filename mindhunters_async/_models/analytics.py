"""Call analytics: the bare report object of `GET /analytics/calls`."""

from __future__ import annotations

from typing import Any

import attrs

__all__ = ["CallAnalytics", "CallAnalyticsPeriod", "CallTotals"]


@attrs.frozen(slots=False)
class CallTotals:
    """Call counts over the report's window; a count the API leaves out is None."""

    calls: int | None = None
    inbound: int | None = None
    outbound: int | None = None
    answered: int | None = None
    missed: int | None = None
    failed: int | None = None
    ai_handled: int | None = None
    human_handled: int | None = None


@attrs.frozen(slots=False)
class CallAnalyticsPeriod:
    """The numbers of the period before the report's window (`compare_prev=True`)."""

    meta: Any = None
    totals: CallTotals | None = None
    duration_sec: Any = None
    outcome: Any = None
    cost: Any = None


@attrs.frozen(slots=False)
class CallAnalytics:
    """A call-analytics report (`client.analytics.calls`).

    `totals` are typed (`CallTotals`); the other sections are kept as the API sends
    them, their inner shapes not being documented: `meta` (the window and filters),
    `duration_sec`, `buckets` (one entry per `granularity` step), `outcome`, `cost`.
    `previous` is the period before, when asked for with `compare_prev`, else None.
    A report has no id.
    """

    meta: Any = None
    totals: CallTotals | None = None
    duration_sec: Any = None
    buckets: Any = None
    outcome: Any = None
    cost: Any = None
    previous: CallAnalyticsPeriod | None = None
