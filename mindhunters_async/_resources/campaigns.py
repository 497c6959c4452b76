"""client.campaigns, client.rules and client.tasks."""

from __future__ import annotations

from ._base import Resource

__all__ = ["Campaigns", "Rules", "Tasks"]


class Campaigns(Resource):
    """Campaigns."""

    __slots__ = ()


class Rules(Resource):
    """Contact rules."""

    __slots__ = ()


class Tasks(Resource):
    """Tasks."""

    __slots__ = ()
