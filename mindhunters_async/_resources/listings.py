"""client.listings: listings of contacts with a rule."""

from __future__ import annotations

from ._base import Resource

__all__ = ["Listings"]


class Listings(Resource):
    """TODO(issue 12)."""

    __slots__ = ()
