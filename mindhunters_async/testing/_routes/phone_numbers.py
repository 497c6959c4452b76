"""The fake's phone numbers: the owned numbers, buying one, their settings, the rates.

Owned numbers are the "phone_numbers" records (seed them with
`fake.add_record("phone_numbers", number="+14155550100")`), rates the
"phone_number_rates" records; both lists answer in the `data{items, pagination}`
shape, rates 50 a page by default and at most 200.

`POST /phone-numbers` needs `phone_number` (E.164, not already owned) and refuses
a purchase once the workspace owns as many numbers as its limit, with the 403 the
docs describe (`data.error = purchase_limit_reached`, `limit`, `current`). The
limit is `DEFAULT_PURCHASE_LIMIT` (3); set another with
`fake.add_record(SETTINGS, uuid=PURCHASE_LIMIT_KEY, limit=5)`.
"""

from __future__ import annotations

import re
import uuid
from typing import Any, Final

import httpx

from .._api import Incoming, Route, _timestamp_now
from .._envelopes import ApiError, success, validation_error
from .._records import Shape, action_route, list_route, update_route
from .._state import FakeState

__all__ = ["DEFAULT_PURCHASE_LIMIT", "PURCHASE_LIMIT_KEY", "ROUTES", "SETTINGS"]

DEFAULT_PURCHASE_LIMIT: Final = 3
SETTINGS: Final = "settings"
"""The collection of the fake's per-workspace settings."""
PURCHASE_LIMIT_KEY: Final = "phone_numbers.purchase_limit"
"""The settings record whose `limit` is the purchase limit."""

_E164: Final = re.compile(r"\+[1-9][0-9]{1,14}")


def purchase_limit(state: FakeState) -> int:
    """The workspace's purchase limit: the settings record's, else the default."""
    record = state.records.get(SETTINGS, {}).get(PURCHASE_LIMIT_KEY, {})
    limit = record.get("limit")
    return limit if isinstance(limit, int) else DEFAULT_PURCHASE_LIMIT


def _buy(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> httpx.Response | ApiError:
    number = body.get("phone_number")
    if number is None or (isinstance(number, str) and not number.strip()):
        return validation_error(
            "VALIDATION_ERROR", "phone_number", "The phone_number field is required"
        )
    if not isinstance(number, str) or not _E164.fullmatch(number):
        return validation_error(
            "INVALID_FORMAT",
            "phone_number",
            "Phone number must be in E.164 format (e.g., +1234567890)",
        )
    owned = state.records.setdefault("phone_numbers", {})
    limit, current = purchase_limit(state), len(owned)
    if current >= limit:
        # Not the errors page's envelope: the docs put this one's code in `data`.
        return httpx.Response(
            403,
            json={
                "success": False,
                "message": "Purchase limit reached",
                "data": {"error": "purchase_limit_reached", "limit": limit, "current": current},
            },
        )
    if any(record.get("number") == number for record in owned.values()):
        return validation_error(
            "VALIDATION_ERROR", "phone_number", "The phone number is already owned"
        )
    now = _timestamp_now(state)
    record = {
        "channels": {"call": True, "sms": False, "whatsapp": False},
        "status": "active",
        **{key: value for key, value in body.items() if key != "phone_number"},
        "uuid": str(uuid.uuid4()),
        "number": number,
        "created_at": now,
        "updated_at": now,
    }
    owned[record["uuid"]] = record
    return success(201, "Phone number purchased successfully", record)


ROUTES: Final[tuple[Route, ...]] = (
    list_route(
        "/phone-numbers/rates",
        "phone_number_rates",
        "phone_numbers:read",
        shape=Shape.ITEMS_PAGINATION,
        per_page=(50, 200),
    ),
    list_route(
        "/phone-numbers", "phone_numbers", "phone_numbers:read", shape=Shape.ITEMS_PAGINATION
    ),
    action_route("POST", "/phone-numbers", "phone_numbers:write", _buy),
    update_route(
        "PATCH", "/phone-numbers/{uuid}", "phone_numbers", "phone_numbers:write", kind="PhoneNumber"
    ),
)
