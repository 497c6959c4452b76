"""Every route of the fake, in the order they are matched (fixed paths before `{uuid}`)."""

from __future__ import annotations

from typing import Final

from ._api import CORE_ROUTES, Route
from ._routes import (
    agents,
    analytics,
    calls,
    campaigns,
    contacts,
    conversations,
    phone_numbers,
)

__all__ = ["PERMISSIONS", "ROUTES", "match_route"]

ROUTES: Final[tuple[Route, ...]] = (
    *CORE_ROUTES,
    *calls.ROUTES,
    *agents.ROUTES,
    *conversations.ROUTES,
    *contacts.ROUTES,
    *campaigns.ROUTES,
    *analytics.ROUTES,
    *phone_numbers.ROUTES,
)
PERMISSIONS: Final = frozenset(route.permission for route in ROUTES)


def match_route(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """The route serving `method` on `path` (below the API prefix), and its path parameters."""
    for route in ROUTES:
        if route.method == method and (found := route.pattern.fullmatch(path)):
            return route, found.groupdict()
    return None
