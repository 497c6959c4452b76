"""client.analytics: call analytics."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .._converter import structure, unwrap
from .._exceptions import ErrorCode, RequestValidationError
from .._models.analytics import CallAnalytics
from .._pipeline import Endpoint, Rule
from .._validators import validate_uuid
from .._validators import wire_id as _text_id
from ._base import Resource

__all__ = ["Analytics", "aware_iso"]

# Path from the older docs.
CALLS = Endpoint(
    "analytics.calls",
    "GET",
    "/analytics/calls",
    rules=(
        Rule("agent_uuid", validate_uuid, "params", required=False),
        Rule("campaign_uuid", validate_uuid, "params", required=False),
    ),
)


def aware_iso(value: datetime, field: str) -> str:
    """`value` as ISO-8601 with its offset (`RequestValidationError` naming `field`
    for a naive datetime, which the server would read in a zone of its choosing)."""
    if not isinstance(value, datetime):
        raise RequestValidationError(
            field,
            ErrorCode.VALIDATION_ERROR,
            f"{field} must be a timezone-aware datetime, got a {type(value).__name__}:"
            " pass an aware datetime, e.g. datetime.now(timezone.utc)",
        )
    if value.utcoffset() is None:
        raise RequestValidationError(
            field,
            ErrorCode.VALIDATION_ERROR,
            f"{field} is a naive datetime: pass an aware datetime, e.g. datetime.now(timezone.utc)",
        )
    return value.isoformat()


def _report(body: Any) -> CallAnalytics:
    # Documented as a bare object; read it inside an envelope too, and keep a `meta`
    # that an envelope carries beside `data`.
    if isinstance(body, dict) and "totals" in body:
        return structure(body, CallAnalytics)
    data = unwrap(body)
    if (
        isinstance(data, dict)
        and isinstance(body, dict)
        and "meta" not in data
        and isinstance(body.get("meta"), dict)
    ):
        data = {**data, "meta": body["meta"]}
    return structure(data, CallAnalytics)


class Analytics(Resource):
    """Analytics: `calls` reports call counts, durations, outcomes and costs over a window."""

    __slots__ = ()

    async def calls(
        self,
        *,
        from_: datetime,
        to: datetime,
        compare_prev: bool | None = None,
        granularity: str | None = None,
        channel: str | None = None,
        agent_uuid: str | Any | None = None,
        campaign_uuid: str | Any | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> CallAnalytics:
        """The call report from `from_` to `to` (sent as `from` and `to`).

        Both are timezone-aware datetimes, sent as ISO-8601 with their offset; a
        naive one is refused before sending (`RequestValidationError` naming `from`
        or `to`). `compare_prev=True` adds the period before as `previous` (sent as
        1/0, which Laravel's boolean rule accepts, unlike "true"). `granularity`
        (such as "hour" or "day") sizes the `buckets`; `channel`, `agent_uuid` and
        `campaign_uuid` (UUIDs, checked before sending) filter the calls.
        """
        params: dict[str, Any] = {
            "from": aware_iso(from_, "from"),
            "to": aware_iso(to, "to"),
            "compare_prev": None if compare_prev is None else int(bool(compare_prev)),
            "granularity": granularity,
            "channel": channel,
            "agent_uuid": _text_id(agent_uuid),
            "campaign_uuid": _text_id(campaign_uuid),
        }
        result: CallAnalytics = await self._send(
            CALLS,
            _report,
            params=params,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )
        return result
