"""Every route of the fake, in the order they are matched (fixed paths before `{uuid}`)."""

from __future__ import annotations

from typing import Final

from ._api import CORE_ROUTES, Route
from ._routes import (
    agent_sections,
    agent_setup,
    agents,
    analytics,
    calls,
    campaigns,
    contacts,
    conversations,
    flows,
    listings,
    messaging,
    phone_numbers,
    scheduling,
    telephony,
    transcriptions,
)

__all__ = ["PERMISSIONS", "ROUTES", "match_route"]

ROUTES: Final[tuple[Route, ...]] = (
    *CORE_ROUTES,
    # The groups of issue 12 go first: their fixed paths (`/contacts/fields`,
    # `/phone-numbers/trunks`) must match before the older groups' `{uuid}` ones.
    *agent_sections.ROUTES,
    *agent_setup.ROUTES,
    *messaging.ROUTES,
    *scheduling.ROUTES,
    *transcriptions.ROUTES,
    *telephony.ROUTES,
    *flows.ROUTES,
    *listings.ROUTES,
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
