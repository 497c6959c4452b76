"""Sending the fake's webhook deliveries: over HTTP, or straight into an ASGI app."""

from __future__ import annotations

import urllib.parse
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any, Final, Union

import attrs
import httpx

from ._state import Outgoing

__all__ = ["WebhookDelivery", "WebhookTarget", "send"]

_ASGIApp = Callable[
    [
        MutableMapping[str, Any],
        Callable[[], Awaitable[MutableMapping[str, Any]]],
        Callable[[MutableMapping[str, Any]], Awaitable[None]],
    ],
    Awaitable[None],
]
WebhookTarget = Union[str, _ASGIApp, None]  # noqa: UP007 (a runtime alias on Python 3.10)
"""Where deliveries go: None (each webhook's own URL), a base URL, or an ASGI app."""

_HEADERS: Final = {"Content-Type": "application/json", "User-Agent": "FakeMindhunters-Webhooks"}
_TIMEOUT: Final = httpx.Timeout(10.0)


@attrs.frozen
class WebhookDelivery:
    """One webhook delivery the fake sent, and how the receiver answered.

    `url` is where it went (the webhook's URL, or rebased on the target's);
    `json` is the body (`{"event", "data"}`); `status` is the receiver's HTTP
    status, None when the request failed (`error` then says how).
    """

    url: str
    event: str
    json: dict[str, Any]
    status: int | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the receiver answered 2xx."""
        return self.status is not None and 200 <= self.status < 300


def _rebase(url: str, base: str) -> str:
    # Keep the webhook's path and query: a test serves the app on 127.0.0.1 over
    # http, while the API accepts only https webhook URLs.
    parts = urllib.parse.urlsplit(url)
    target = base.rstrip("/") + (parts.path or "/")
    return f"{target}?{parts.query}" if parts.query else target


async def send(outgoing: Sequence[Outgoing], target: WebhookTarget) -> list[WebhookDelivery]:
    """POST each delivery, in order, one at a time; failures are recorded, not raised."""
    if not outgoing:
        return []
    if target is None or isinstance(target, str):
        transport: httpx.AsyncBaseTransport | None = None
    else:
        # The app's own exceptions become a 500, as a server would answer.
        transport = httpx.ASGITransport(app=target, raise_app_exceptions=False)
    sent = []
    async with httpx.AsyncClient(
        transport=transport, headers=_HEADERS, timeout=_TIMEOUT, follow_redirects=False
    ) as http:
        for item in outgoing:
            url = _rebase(item.url, target) if isinstance(target, str) else item.url
            try:
                response = await http.post(url, json=item.body)
            except httpx.HTTPError as exc:
                delivery = WebhookDelivery(
                    url, item.event, item.body, None, f"{type(exc).__name__}: {exc}"
                )
            else:
                delivery = WebhookDelivery(url, item.event, item.body, response.status_code)
            sent.append(delivery)
    return sent
