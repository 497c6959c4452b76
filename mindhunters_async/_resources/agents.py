"""client.agents: agents, and their webhooks (`client.agents.webhooks`)."""

from __future__ import annotations

from ._base import Resource

__all__ = ["AgentWebhooks", "Agents"]


class AgentWebhooks(Resource):
    """An agent's webhook subscriptions."""

    __slots__ = ()


class Agents(Resource):
    """Voice agents."""

    __slots__ = ()
