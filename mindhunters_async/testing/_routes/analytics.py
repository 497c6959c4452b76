"""The fake's analytics: `GET /analytics/calls`, computed from the fake's own calls.

The report counts the calls in `FakeMindhunters.calls` whose `created_at` is in
[`from`, `to`), so a test can place calls (`fake.add_call(...)`, `POST /call`)
and read the numbers back. How the fake counts, where the API does not say:

- answered: status "completed", "in-progress" or "answered"; missed: "no-answer",
  "busy", "missed", "canceled" or "cancelled"; failed: "failed";
- every fake call is made by an AI agent: `ai_handled` is the answered count and
  `human_handled` 0;
- the fake's calls are all voice calls on no campaign: `channel` other than "call"
  or "voice", and any `campaign_uuid`, match none;
- `buckets` has one entry per `granularity` step ("hour", "day", the default,
  "week" or "month") that holds a call; `cost` is 0.

Like the real endpoint it answers with a bare object, not the success envelope.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import Any, Final

import httpx

from .._api import Incoming, Route
from .._envelopes import ApiError, validation_error
from .._records import is_uuid
from .._state import FakeCall, FakeState

__all__ = ["ROUTES"]

_ANSWERED: Final = frozenset({"completed", "in-progress", "answered"})
_MISSED: Final = frozenset({"no-answer", "busy", "missed", "canceled", "cancelled"})
_GRANULARITIES: Final = ("hour", "day", "week", "month")
_VOICE: Final = frozenset({"call", "voice"})
_TRUE: Final = frozenset({"1", "true"})


def _moment(query: httpx.QueryParams, name: str) -> datetime | ApiError:
    raw = query.get(name)
    if not raw:
        return validation_error("VALIDATION_ERROR", name, f"The {name} field is required")
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.utcoffset() is None:
        return validation_error(
            "INVALID_FORMAT", name, f"The {name} field must be an ISO-8601 date with an offset"
        )
    return moment


def _created(call: FakeCall) -> datetime:
    # `add_call` takes any datetime: a naive one is read as UTC, as the API would.
    moment = call.created_at
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def _totals(calls: list[FakeCall]) -> dict[str, int]:
    answered = sum(call.status in _ANSWERED for call in calls)
    return {
        "calls": len(calls),
        "inbound": sum(call.direction == "inbound" for call in calls),
        "outbound": sum(call.direction == "outbound" for call in calls),
        "answered": answered,
        "missed": sum(call.status in _MISSED for call in calls),
        "failed": sum(call.status == "failed" for call in calls),
        "ai_handled": answered,
        "human_handled": 0,
    }


def _durations(calls: list[FakeCall]) -> dict[str, float]:
    total = sum(call.duration for call in calls)
    return {"total": total, "average": total / len(calls) if calls else 0}


def _bucket_start(moment: datetime, granularity: str) -> datetime:
    moment = moment.astimezone(timezone.utc)
    if granularity == "hour":
        return moment.replace(minute=0, second=0, microsecond=0)
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    return day


def _buckets(calls: Iterable[FakeCall], granularity: str) -> list[dict[str, Any]]:
    counts = Counter(_bucket_start(_created(call), granularity) for call in calls)
    answered = Counter(
        _bucket_start(_created(call), granularity) for call in calls if call.status in _ANSWERED
    )
    return [
        {"start": start.isoformat(), "calls": counts[start], "answered": answered[start]}
        for start in sorted(counts)
    ]


def _section(calls: list[FakeCall]) -> dict[str, Any]:
    return {
        "totals": _totals(calls),
        "duration_sec": _durations(calls),
        "outcome": dict(Counter(call.status for call in calls)),
        "cost": {"total": 0.0, "currency": "USD"},
    }


def call_analytics(state: FakeState, incoming: Incoming) -> httpx.Response:
    """`GET /analytics/calls`: the report of the calls in the window, as a bare object."""
    query = incoming.request.url.params
    start = _moment(query, "from")
    if isinstance(start, ApiError):
        return start.response()
    end = _moment(query, "to")
    if isinstance(end, ApiError):
        return end.response()
    if end < start:
        return validation_error(
            "VALIDATION_ERROR", "to", "The to field must be a date after or equal to from"
        ).response()
    granularity = query.get("granularity") or "day"
    if granularity not in _GRANULARITIES:
        return validation_error(
            "VALIDATION_ERROR",
            "granularity",
            f"The granularity field must be one of {', '.join(_GRANULARITIES)}",
        ).response()
    for name in ("agent_uuid", "campaign_uuid"):
        value = query.get(name)
        if value and not is_uuid(value):
            return validation_error("INVALID_UUID", name, f"{name} must be a valid UUID").response()
    agent_id = query.get("agent_uuid")
    channel = query.get("channel")
    no_match = bool(query.get("campaign_uuid")) or bool(channel and channel not in _VOICE)

    def chosen(since: datetime, until: datetime) -> list[FakeCall]:
        if no_match:
            return []
        return [
            call
            for call in state.calls.values()
            if since <= _created(call) < until and (not agent_id or call.agent_id == agent_id)
        ]

    calls = chosen(start, end)
    previous = None
    if (query.get("compare_prev") or "").lower() in _TRUE:
        span = end - start
        previous = {
            "meta": {"from": (start - span).isoformat(), "to": start.isoformat()},
            **_section(chosen(start - span, start)),
        }
    body = {
        "meta": {
            "from": start.isoformat(),
            "to": end.isoformat(),
            "granularity": granularity,
            "channel": channel,
            "agent_uuid": agent_id,
            "campaign_uuid": query.get("campaign_uuid"),
        },
        **_section(calls),
        "buckets": _buckets(calls, granularity),
        "previous": previous,
    }
    return httpx.Response(200, json=body)


ROUTES: Final[tuple[Route, ...]] = (
    Route("GET", "/analytics/calls", "analytics:read", call_analytics),
)
