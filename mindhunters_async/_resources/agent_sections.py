"""An agent's collection sections: notes, guidelines, procedures, training, guard and
routing rules (`client.agents.notes`, ...), one item at a time or replaced whole."""

from __future__ import annotations

from ._base import Resource

__all__ = [
    "AgentGuardRules",
    "AgentGuidelines",
    "AgentNotes",
    "AgentProcedures",
    "AgentRoutingRules",
    "AgentTraining",
]


class AgentNotes(Resource):
    """TODO(issue 12)."""

    __slots__ = ()


class AgentGuidelines(Resource):
    """TODO(issue 12)."""

    __slots__ = ()


class AgentProcedures(Resource):
    """TODO(issue 12)."""

    __slots__ = ()


class AgentTraining(Resource):
    """TODO(issue 12)."""

    __slots__ = ()


class AgentGuardRules(Resource):
    """TODO(issue 12)."""

    __slots__ = ()


class AgentRoutingRules(Resource):
    """TODO(issue 12)."""

    __slots__ = ()
