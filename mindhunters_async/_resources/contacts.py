"""client.contacts and client.pools: contacts, and the pools that group them."""

from __future__ import annotations

from ._base import Resource

__all__ = ["Contacts", "Pools"]


class Contacts(Resource):
    """Contacts."""

    __slots__ = ()


class Pools(Resource):
    """Pools of contacts."""

    __slots__ = ()
