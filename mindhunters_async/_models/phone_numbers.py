"""Phone numbers the workspace owns, and the outbound rates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from . import _aliases

__all__ = ["PhoneNumber", "PhoneNumberRate"]


@attrs.frozen(slots=False)
class PhoneNumber:
    """A phone number the workspace owns (`client.phone_numbers`).

    `id` is the number's uuid (what `update` takes); `number` is the number itself
    in E.164. `channels` and `settings` (the channel settings `update` changes) and
    `capabilities` are kept as the API sends them.
    """

    id: str = attrs.field(metadata=_aliases("uuid", "phone_number_uuid", "phoneNumberUuid"))
    number: str | None = attrs.field(
        default=None, metadata=_aliases("phone_number", "phoneNumber", "e164")
    )
    friendly_name: str | None = attrs.field(default=None, metadata=_aliases("name", "label"))
    country: str | None = attrs.field(
        default=None, metadata=_aliases("country_code", "countryCode", "iso_country")
    )
    type: str | None = None
    status: str | None = None
    provider: str | None = None
    agent_uuid: str | None = attrs.field(default=None, metadata=_aliases("agent_id", "agentId"))
    capabilities: Any = None
    channels: Any = None
    settings: Any = None
    monthly_cost: float | None = attrs.field(
        default=None, metadata=_aliases("monthly_price", "monthlyPrice", "price")
    )
    currency: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@attrs.frozen(slots=False)
class PhoneNumberRate:
    """One outbound rate (`client.phone_numbers.rates`): the price of calling `prefix`
    or `country`. Rates may have no id on the wire, so `id` may be None here."""

    id: str | None = attrs.field(default=None, metadata=_aliases("uuid"))
    country: str | None = attrs.field(default=None, metadata=_aliases("country_name"))
    country_code: str | None = attrs.field(default=None, metadata=_aliases("iso_country"))
    prefix: str | None = attrs.field(default=None, metadata=_aliases("dial_code", "dialCode"))
    type: str | None = None
    rate: float | None = attrs.field(
        default=None,
        metadata=_aliases("price", "price_per_minute", "pricePerMinute", "rate_per_minute"),
    )
    currency: str | None = None
