"""client.webhooks: workspace-level webhook subscriptions."""

from __future__ import annotations

from ._base import Resource

__all__ = ["Webhooks"]


class Webhooks(Resource):
    """TODO(issue 12)."""

    __slots__ = ()
