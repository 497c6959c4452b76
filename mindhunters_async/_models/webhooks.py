"""Workspace-level webhook subscriptions (`client.webhooks`)."""

from __future__ import annotations

from datetime import datetime

import attrs

from . import _aliases

__all__ = ["WorkspaceWebhook"]


@attrs.frozen(slots=False)
class WorkspaceWebhook:
    """A workspace-level subscription: deliveries of `event` POSTed to `target_url`.

    Unlike the other models, `id` may be None: the endpoint is known from a
    third-party client that ignores the answer, so the API may send no id at all.
    `target_url` and `event` are what was subscribed (the SDK fills them in from the
    request when the answer leaves them out).
    """

    id: str | None = attrs.field(
        default=None, metadata=_aliases("uuid", "webhook_uuid", "webhook_id")
    )
    target_url: str | None = attrs.field(default=None, metadata=_aliases("url"))
    event: str | None = None
    is_active: bool | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
