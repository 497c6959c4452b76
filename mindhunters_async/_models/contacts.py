"""Contacts and the pools that group them (`client.contacts`, `client.pools`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from .._converter import _camel, converter
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
    custom_fields: dict[str, Any] = attrs.field(factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None


def _wire_keys(cls: type[Any]) -> frozenset[str]:
    keys: set[str] = set()
    for field in attrs.fields(cls):
        keys.update((field.name, _camel(field.name), *field.metadata.get("aliases", ())))
    return frozenset(keys)


_CONTACT_KEYS = _wire_keys(Contact)
_read_contact = converter.get_structure_hook(Contact)


# Whether objects with these keys, in this order, have keys no field takes: the
# objects of one page share their keys, so the answer is worked out once a page.
_HAS_EXTRA: dict[tuple[Any, ...], bool] = {}


def _structure_contact(data: Any, cls: type[Contact]) -> Contact:
    contact = _read_contact(data, cls)
    keys = tuple(data)
    has_extra = _HAS_EXTRA.get(keys)
    if has_extra is None:
        has_extra = bool(data.keys() - _CONTACT_KEYS)
        if len(_HAS_EXTRA) < 64:  # a server varying its keys cannot grow it
            _HAS_EXTRA[keys] = has_extra
    if not has_extra:
        return contact  # type: ignore[no-any-return]
    extra = {
        key: value
        for key, value in data.items()
        if key not in _CONTACT_KEYS and (value is None or isinstance(value, str))
    }
    if not extra:
        return contact  # type: ignore[no-any-return]
    # A nested `custom_fields` object (the older guide's shape) wins over flat keys.
    return attrs.evolve(contact, custom_fields={**extra, **contact.custom_fields})  # type: ignore[no-any-return]


# Registered on the SDK's one converter, so pages of contacts read custom fields too.
converter.register_structure_hook(Contact, _structure_contact)


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
