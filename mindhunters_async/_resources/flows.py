"""client.flows: deploying flows and editing their steps."""

from __future__ import annotations

from ._base import Resource

__all__ = ["Flows"]


class Flows(Resource):
    """TODO(issue 12)."""

    __slots__ = ()
