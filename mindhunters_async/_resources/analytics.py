"""client.analytics: call analytics."""

from __future__ import annotations

from ._base import Resource

__all__ = ["Analytics"]


class Analytics(Resource):
    """Analytics."""

    __slots__ = ()
