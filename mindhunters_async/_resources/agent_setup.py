"""client.agents.intents and client.agents.channels: an agent's intents (and their
action events) and its channels."""

from __future__ import annotations

from ._base import Resource

__all__ = ["AgentChannels", "AgentIntents"]


class AgentIntents(Resource):
    """TODO(issue 12)."""

    __slots__ = ()


class AgentChannels(Resource):
    """TODO(issue 12)."""

    __slots__ = ()
