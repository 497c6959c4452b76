"""client.webhooks: workspace-level webhook subscriptions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from .._converter import structure, unwrap
from .._exceptions import ErrorCode, RequestValidationError
from .._models.agents import WebhookEvent
from .._models.webhooks import WorkspaceWebhook
from .._pipeline import Endpoint, Rule
from .._validators import check_https_url as _https_url
from .._validators import check_web_url as _web_url
from ._base import Resource

__all__ = ["Webhooks"]

_EVENTS: Final = frozenset(event.value for event in WebhookEvent)


def _event(value: object, field: str) -> None:
    if not isinstance(value, str) or value not in _EVENTS:
        shown = repr(value)
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        raise RequestValidationError(
            field,
            ErrorCode.VALIDATION_ERROR,
            f"{field} must be one WebhookEvent or its name, got {shown}: use one of"
            f" {', '.join(sorted(_EVENTS))}",
        )


# Both paths are a third-party client's (inferred): correcting one is a one-line change.
SUBSCRIBE = Endpoint(
    "webhooks.subscribe",
    "POST",
    "/webhooks",
    rules=(Rule("targetUrl", _https_url), Rule("event", _event)),
    source="inferred",
)
UNSUBSCRIBE = Endpoint(
    "webhooks.unsubscribe",
    "DELETE",
    "/webhooks",
    rules=(Rule("targetUrl", _web_url),),
    source="inferred",
)

# The keys under which an answer may name the subscription's URL (see WorkspaceWebhook).
_URL_KEYS: Final = ("targetUrl", "target_url", "url")


def _subscription(target_url: str, event: str) -> Any:
    def decode(body: Any) -> WorkspaceWebhook:
        data = unwrap(body)
        data = dict(data) if isinstance(data, dict) else {}
        # The third-party client ignores this answer, so its shape is unknown: what
        # was subscribed fills in what the answer leaves out (the answer's own wins).
        if not any(key in data for key in _URL_KEYS):
            data["targetUrl"] = target_url
        data.setdefault("event", event)
        return structure(data, WorkspaceWebhook)

    return decode


class Webhooks(Resource):
    """Workspace-level webhook subscriptions: `subscribe` a URL to one event,
    `unsubscribe` it. (An agent's own webhooks are `client.agents.webhooks`.)

    Deliveries are `{"event": ..., "data": {...}}` POSTed to the URL; their signing
    scheme is not published. Both paths come from a third-party client (inferred).
    """

    __slots__ = ()

    async def subscribe(
        self,
        *,
        target_url: str,
        event: WebhookEvent | str,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> WorkspaceWebhook:
        """Subscribe `target_url` (https only) to `event`, a `WebhookEvent` or its
        name ("voice_evaluation", ...); both checked before sending, sent as
        `{"targetUrl", "event"}`. Inferred path. Returns the subscription (its `id`
        may be None: the answer's shape is not known)."""
        name = event.value if isinstance(event, WebhookEvent) else event
        result: WorkspaceWebhook = await self._send(
            SUBSCRIBE,
            _subscription(target_url, name),
            json={"targetUrl": target_url, "event": name},
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result

    async def unsubscribe(
        self,
        *,
        target_url: str,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> None:
        """Remove the subscriptions of `target_url` (every event). Inferred path.

        The URL goes in the JSON body of the DELETE (`{"targetUrl": ...}`), as the
        third-party client sends it: some proxies drop a DELETE's body; if the API
        wants it in the query instead, pass `extra_query={"targetUrl": ...}`.
        `NotFoundError` (from the fake at least) when nothing is subscribed there.
        """
        await self._send(
            UNSUBSCRIBE,
            None,
            json={"targetUrl": target_url},
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
