"""External SIP trunks (bring-your-own numbers) and SIP trunk connections."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from . import _aliases

__all__ = ["SipTrunkConnection", "Trunk"]


@attrs.frozen(slots=False)
class Trunk:
    """An external trunk: a number owned elsewhere, registered on one channel
    (`client.phone_numbers.trunks`).

    A trunk is identified by `number` and `channel` (the API has no trunk id in its
    paths); `id` is the phone number's uuid. The list shows `bindings` (which agent
    answers on each channel), the writes a per-channel snapshot in `channels`; both,
    and `capabilities`, `channel_settings`, `compliance`, `billing` and
    `additional_settings`, are kept as the API sends them. SIP credentials are
    write-only: the API never returns them, and this model has no field for them.
    """

    id: str = attrs.field(metadata=_aliases("phone_number_uuid", "uuid", "phoneNumberUuid"))
    number: str | None = attrs.field(default=None, metadata=_aliases("phone_number", "e164"))
    channel: str | None = None
    name: str | None = None
    direction: str | None = None
    agent_uuid: str | None = attrs.field(default=None, metadata=_aliases("agent_id", "agentId"))
    country_code: str | None = attrs.field(default=None, metadata=_aliases("country"))
    location: str | None = None
    type: str | None = None
    is_external: bool | None = None
    source: str | None = None
    status: str | None = None
    bindings: Any = None
    channels: Any = None
    capabilities: Any = None
    channel_settings: Any = None
    compliance: Any = None
    billing: Any = None
    additional_settings: Any = None
    created_at: datetime | None = attrs.field(default=None, metadata=_aliases("purchased_at"))
    updated_at: datetime | None = None


@attrs.frozen(slots=False)
class SipTrunkConnection:
    """A SIP trunk connection (`client.sip_trunks.add_connection`): your provider's
    SIP server (`gateway`, and `secondary_gateway` as a fallback) for `phone_number`.

    Its `id` is what `client.agents.channels` takes to route an agent's calls through
    it. The SIP username and password are write-only: never returned by the API,
    never held here.
    """

    id: str = attrs.field(metadata=_aliases("uuid", "connection_uuid", "connectionUuid"))
    name: str | None = None
    phone_number: str | None = attrs.field(default=None, metadata=_aliases("number"))
    gateway: str | None = None
    secondary_gateway: str | None = None
    status: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
