"""client.listings: listings of contacts with a rule."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from .._converter import decoder, structure, unwrap
from .._exceptions import ErrorCode, RequestValidationError
from .._models.listings import Listing, ListingContactsAdded
from .._pagination import AsyncPager
from .._pipeline import Endpoint, Rule
from .._validators import check_text as _text
from .._validators import validate_e164, validate_uuid
from ._base import Resource, fields, paging_rules, uuid_path

__all__ = ["Listings"]


def _contacts(value: Any, field: str, *, empty_ok: bool = True) -> None:
    """Each contact an object; its phone number, when given, E.164 (named by index:
    `contacts.3.phone_number`), as the server upserts by it."""
    if not isinstance(value, list) or (not value and not empty_ok):
        raise RequestValidationError(
            field,
            ErrorCode.VALIDATION_ERROR,
            f"{field} must be a{'' if empty_ok else ' non-empty'} list of contacts"
            ' ({"phone_number": "+14155552671", "name": ...})',
        )
    for index, contact in enumerate(value):
        if not isinstance(contact, Mapping):
            raise RequestValidationError(
                f"{field}.{index}",
                ErrorCode.VALIDATION_ERROR,
                f"{field}.{index} must be an object, got a {type(contact).__name__}",
            )
        number = contact.get("phone_number")
        if number is not None:
            validate_e164(number, f"{field}.{index}.phone_number")


CREATE = Endpoint(
    "listings.create",
    "POST",
    "/listings",
    rules=(
        Rule("name", _text),
        Rule("agent_uuid", validate_uuid, required=False),
        Rule("contacts", _contacts),
    ),
)
# The paths below are a third-party client's (inferred): correcting one is a one-line change.
LIST = Endpoint("listings.list", "GET", "/listings", rules=paging_rules(100), source="inferred")
ADD_CONTACTS = Endpoint(
    "listings.add_contacts",
    "POST",
    "/listings/{listing_id}/contacts",
    rules=(
        *uuid_path("listing_id"),
        Rule("contacts", lambda value, field: _contacts(value, field, empty_ok=False)),
    ),
    source="inferred",
)
REMOVE_CONTACT = Endpoint(
    "listings.remove_contact",
    "DELETE",
    "/listings/{listing_id}/contacts/{contact_id}",
    rules=uuid_path("listing_id", "contact_id"),
    source="inferred",
)

_listing = decoder(Listing)


def _added(listing_id: Any) -> Any:
    def decode(body: Any) -> ListingContactsAdded:
        data = unwrap(body)
        data = dict(data) if isinstance(data, dict) else {}
        # An answer that does not name the listing still says which one it was.
        data.setdefault("listing_uuid", str(listing_id))
        return structure(data, ListingContactsAdded)

    return decode


def _contact_list(contacts: Any) -> Any:
    """`contacts` as it goes on the wire: a list of dicts; anything else (one contact
    where a list belongs, a string) is passed on for the endpoint's rule to refuse."""
    if isinstance(contacts, (str, bytes, Mapping)) or not isinstance(contacts, Iterable):
        return contacts
    return [dict(c) if isinstance(c, Mapping) else c for c in contacts]


def _day(value: date | str | None, field: str) -> str | None:
    if isinstance(value, datetime):
        # Which day a datetime falls on depends on a time zone the API does not name.
        raise RequestValidationError(
            field,
            ErrorCode.VALIDATION_ERROR,
            f"{field} must be a date (or a 'YYYY-MM-DD' string), not a datetime: pass value.date()",
        )
    return value.isoformat() if isinstance(value, date) else value


class Listings(Resource):
    """Listings: `create` one with a rule and contacts in bulk, `list` them,
    `add_contacts` to one and `remove_contact` from it.

    Contacts are upserted by phone number, then email: sending a contact the
    workspace already has updates it rather than duplicating it, so repeating
    `create`'s contacts or `add_contacts` is safe.
    """

    __slots__ = ()

    async def create(
        self,
        *,
        name: str,
        contacts: Iterable[Mapping[str, Any]] = (),
        agent_uuid: str | Any | None = None,
        campaign_type: str | None = None,
        rule: Mapping[str, Any] | None = None,
        description: str | None = None,
        start_date: date | str | None = None,
        end_date: date | str | None = None,
        auto_start: bool | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **body: Any,
    ) -> Listing:
        """Create a listing called `name` for the agent `agent_uuid` (a UUID), with
        its `rule` (`{"type": ..., "max_calls_per_day": 3, "retry_interval_minutes":
        120}` in the requests seen) and `contacts` in bulk.

        Each contact is a dict of contact fields (`phone_number`, `name`, `surname`,
        `email`, ...); phone numbers are checked as E.164 before sending, an error
        naming the contact by index (`contacts.3.phone_number`). `start_date` and
        `end_date` are dates (sent as "YYYY-MM-DD") or such strings. Other keyword
        arguments go into the body as given. Returns the new `Listing`.
        """
        payload = fields(
            name=name,
            campaign_type=campaign_type,
            agent_uuid=str(agent_uuid) if isinstance(agent_uuid, uuid.UUID) else agent_uuid,
            description=description,
            start_date=_day(start_date, "start_date"),
            end_date=_day(end_date, "end_date"),
            auto_start=auto_start,
            rule=dict(rule) if rule is not None else None,
        )
        # Sent even when empty, as the third-party client sends it.
        payload["contacts"] = _contact_list(contacts)
        payload.update(body)
        result: Listing = await self._send(
            CREATE,
            _listing,
            json=payload,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result

    def list(
        self,
        *,
        per_page: int | None = None,
        page: int = 1,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> AsyncPager[Listing]:
        """The workspace's listings (inferred path): `await` for one `Page`, `async
        for` for every listing.

        The API sends a bare array without paging numbers: with `per_page` (at most
        100) the walk ends on the first page shorter than `per_page`; without it, the
        first page is all there is.
        """
        return self._pager(
            LIST,
            Listing,
            page=page,
            per_page=per_page,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )

    async def add_contacts(
        self,
        listing_id: str | Any,
        contacts: Iterable[Mapping[str, Any]],
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> ListingContactsAdded:
        """Add contacts to the listing `listing_id` (a UUID), upserting each by phone
        number, then email (inferred path).

        `contacts` is a non-empty list of dicts, checked as in `create`. Returns what
        was done (`ListingContactsAdded`: created and updated counts, the contacts'
        ids), as far as the answer says.
        """
        result: ListingContactsAdded = await self._send(
            ADD_CONTACTS,
            _added(listing_id),
            path={"listing_id": listing_id},
            json={"contacts": _contact_list(contacts)},
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result

    async def remove_contact(
        self,
        listing_id: str | Any,
        contact_id: str | Any,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> None:
        """Take the contact `contact_id` out of the listing `listing_id` (both UUIDs;
        inferred path). The contact itself stays in the workspace. `NotFoundError`
        when the listing is unknown or the contact is not in it."""
        await self._send(
            REMOVE_CONTACT,
            None,
            path={"listing_id": listing_id, "contact_id": contact_id},
            extra_headers=extra_headers,
            extra_query=extra_query,
        )
