"""client.evaluations and client.analyzers: session evaluations, the workspace
default, analyzers."""

from __future__ import annotations

from ._base import Resource

__all__ = ["Analyzers", "Evaluations"]


class Evaluations(Resource):
    """TODO(issue 12)."""

    __slots__ = ()


class Analyzers(Resource):
    """TODO(issue 12)."""

    __slots__ = ()
