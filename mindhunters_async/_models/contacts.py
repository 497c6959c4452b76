"""Contacts and the pools that group them (`client.contacts`, `client.pools`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from .._converter import EXTRA_KEYS
from . import _aliases

__all__ = ["Contact", "ContactTag", "Pool", "PoolContact", "PoolContactsAdded"]


@attrs.frozen(slots=False)
class ContactTag:
    """A tag on a contact. Its `id` is an integer in older answers (the one
    `contacts.add_tag` takes) and a UUID in newer ones."""

    id: str = attrs.field(metadata=_aliases("uuid", "tag_id", "tag_uuid"))
    name: str | None = None


@attrs.frozen(slots=False)
class Contact:
    """A person the agents can call or message.

    `custom_fields` holds the workspace's custom fields: the API sends them as
    top-level string properties of the contact, which land here by key (with an
    empty string for a field the contact has no value for). `blacklist` is set
    after `contacts.blacklist` (type, reason, is_permanent, expires_at, ...).
    """

    id: str = attrs.field(metadata=_aliases("uuid", "contact_uuid", "contact_id"))
    name: str | None = None
    surname: str | None = None
    email: str | None = None
    # The older guide calls it `phone`; the API reference `phone_number`.
    phone_number: str | None = attrs.field(default=None, metadata=_aliases("phone"))
    number_type: str | None = None
    country_code: str | None = None
    timezone: str | None = None
    primary_language: str | None = attrs.field(default=None, metadata=_aliases("language"))
    preferred_contact_channel: str | None = None
    preferred_contact_time: str | None = None
    status: str | None = None
    tags: tuple[ContactTag, ...] | None = None
    blacklist: Any = None
    custom_fields: dict[str, Any] = attrs.field(factory=dict, metadata={EXTRA_KEYS: True})
    created_at: datetime | None = None
    updated_at: datetime | None = None


@attrs.frozen(slots=False)
class Pool:
    """A pool of contacts that campaigns work through.

    `strategy` (the API's `type`) is the processing order: "FIFO" (oldest first),
    "LIFO" (newest first) or "Parallel" (up to `max_parallel_items` at once, by
    priority). `contacts_copied` is set on the answer of `pools.duplicate`.
    """

    id: str = attrs.field(metadata=_aliases("uuid", "pool_uuid", "pool_id"))
    name: str | None = None
    description: str | None = None
    strategy: str | None = attrs.field(default=None, metadata=_aliases("type"))
    max_parallel_items: int | None = None
    max_retries: int | None = None
    is_active: bool | None = None
    contacts_count: int | None = None
    contacts_copied: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@attrs.frozen(slots=False)
class PoolContact:
    """A contact in a pool, with its progress there: `status` ("Pending",
    "Processing", "Completed", "Failed", ...), `priority` and `retry_count`."""

    id: str = attrs.field(metadata=_aliases("contact_uuid", "uuid", "contact_id"))
    name: str | None = None
    phone_number: str | None = attrs.field(default=None, metadata=_aliases("phone"))
    email: str | None = None
    status: str | None = None
    priority: int | None = None
    retry_count: int | None = None
    notes: str | None = None
    added_at: datetime | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    failed_at: datetime | None = None
    next_retry_at: datetime | None = None


@attrs.frozen(slots=False)
class PoolContactsAdded:
    """What `pools.add_contacts` did: how many contacts were added, how many were
    skipped (already in the pool), which ids matched no contact, and how many
    tasks the pool's running campaigns got for the new members."""

    pool_uuid: str | None = None
    contacts_added: int | None = None
    contacts_skipped: int | None = None
    contact_uuids_not_found: tuple[str, ...] = ()
    tasks_created: int | None = None
    running_campaign_uuids: tuple[str, ...] = ()
