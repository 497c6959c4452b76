"""Listings: contacts gathered under a rule for an agent to work through (`client.listings`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from . import _aliases

__all__ = ["Listing", "ListingContactsAdded"]


@attrs.frozen(slots=False)
class Listing:
    """A listing: contacts upserted in bulk, worked by an agent under a rule.

    Only `id` is sure to be set (the API sends it as `uuid`); the listing endpoints
    are known from a third-party client, which shows no response body, so every
    other field is read when present. `rule` is kept as the API sends it (`type`,
    `max_calls_per_day`, `retry_interval_minutes` in the requests seen);
    `start_date` and `end_date` are the "YYYY-MM-DD" strings sent.
    """

    id: str = attrs.field(metadata=_aliases("uuid", "listing_uuid", "listing_id"))
    name: str | None = None
    description: str | None = None
    status: str | None = None
    campaign_type: str | None = attrs.field(default=None, metadata=_aliases("type"))
    agent_uuid: str | None = attrs.field(default=None, metadata=_aliases("agent_id", "agentId"))
    campaign_uuid: str | None = attrs.field(default=None, metadata=_aliases("campaign_id"))
    rule: Any = None
    start_date: str | None = None
    end_date: str | None = None
    auto_start: bool | None = None
    contacts_count: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@attrs.frozen(slots=False)
class ListingContactsAdded:
    """What `listings.add_contacts` (and the contacts of `listings.create`) did:
    contacts are upserted by phone number, then email, so each one sent is either
    created or an existing contact updated; `contact_uuids` are the contacts now in
    the listing from this call, in the order sent."""

    listing_uuid: str | None = attrs.field(default=None, metadata=_aliases("listing_id"))
    contacts_created: int | None = None
    contacts_updated: int | None = None
    contact_uuids: tuple[str, ...] = attrs.field(default=(), metadata=_aliases("contact_ids"))
