"""client.conversations: conversations, their sessions and messages."""

from __future__ import annotations

from ._base import Resource

__all__ = ["Conversations"]


class Conversations(Resource):
    """Conversations."""

    __slots__ = ()
