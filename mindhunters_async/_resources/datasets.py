"""client.datasets: datasets and their records."""

from __future__ import annotations

from ._base import Resource

__all__ = ["Datasets"]


class Datasets(Resource):
    """TODO(issue 12)."""

    __slots__ = ()
