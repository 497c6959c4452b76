"""The fake's agents: `/agents` and everything below it."""

from __future__ import annotations

from typing import Final

import httpx

from .._api import Incoming, Route
from .._envelopes import not_found, success
from .._state import FakeState

__all__ = ["ROUTES"]


def list_agents(state: FakeState, incoming: Incoming) -> httpx.Response:
    """`GET /agents`: every agent, under `data.items`."""
    items = [agent.to_json() for agent in state.agents.values()]
    return success(200, "Agents retrieved successfully", {"items": items})


def get_agent(state: FakeState, incoming: Incoming) -> httpx.Response:
    """`GET /agents/{uuid}`."""
    agent_id = incoming.params["uuid"]
    agent = state.agents.get(agent_id)
    if agent is None:
        return not_found("Agent", agent_id).response()
    return success(200, "Agent retrieved successfully", agent.to_json())


ROUTES: Final = (
    Route("GET", "/agents", "agents:read", list_agents),
    Route("GET", "/agents/{uuid}", "agents:read", get_agent),
)
