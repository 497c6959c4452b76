"""The fake's flows endpoints (issue 12)."""

from __future__ import annotations

from typing import Final

from .._api import Route

__all__ = ["ROUTES"]

ROUTES: Final[tuple[Route, ...]] = ()
