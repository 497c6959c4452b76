"""client.agentic_search: questions answered from the workspace's knowledge, with citations."""

from __future__ import annotations

from ._base import Resource

__all__ = ["AgenticSearch"]


class AgenticSearch(Resource):
    """TODO(issue 12)."""

    __slots__ = ()
