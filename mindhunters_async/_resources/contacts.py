"""client.contacts and client.pools: contacts, and the pools that group them."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from .._converter import decoder, structure, unwrap
from .._exceptions import ErrorCode, RequestValidationError
from .._models.contacts import Contact, Pool, PoolContact, PoolContactsAdded
from .._models.evaluations import ContactApproval, ContactField
from .._pagination import AsyncPager
from .._pipeline import Endpoint, Rule
from .._validators import missing, validate_e164, validate_uuid
from ._base import Resource, fields, paging_rules, uuid_path

__all__ = ["Contacts", "Pools"]

_PHONE = Rule("phone_number", validate_e164, required=False)
_CONTACT = uuid_path("contact_id")
_POOL = uuid_path("pool_id")
POOL_STRATEGIES = ("FIFO", "LIFO", "Parallel")


def _tag_id(value: object, field: str) -> None:
    # The one integer id of the API: a UUID or "7" here is a mistake the server
    # would answer with a 422.
    if isinstance(value, bool) or not isinstance(value, int):
        raise RequestValidationError(
            field, ErrorCode.VALIDATION_ERROR, f"{field} must be an integer, got {value!r:.60}"
        )


def _strategy(value: object, field: str) -> None:
    if value not in POOL_STRATEGIES:
        raise RequestValidationError(
            field,
            ErrorCode.VALIDATION_ERROR,
            f'{field} must be "FIFO", "LIFO" or "Parallel", got {value!r:.60}',
        )


def _contact_uuids(value: object, field: str) -> None:
    if not isinstance(value, list) or not value:
        raise missing(field)
    for index, item in enumerate(value):
        validate_uuid(item, f"{field}.{index}")


_STRATEGY = Rule("type", _strategy, required=False)

CONTACTS_LIST = Endpoint(
    "contacts.list",
    "GET",
    "/contacts",
    rules=paging_rules(
        100,
        *(
            Rule(name, validate_uuid, "params", required=False)
            for name in ("stage_uuid", "campaign_uuid", "tag_uuid", "pool_uuid")
        ),
    ),
)
CONTACTS_CREATE = Endpoint(
    "contacts.create", "POST", "/contacts", rules=(_PHONE,), source="inferred"
)
CONTACTS_GET = Endpoint("contacts.get", "GET", "/contacts/{contact_id}", rules=_CONTACT)
CONTACTS_UPDATE = Endpoint(
    "contacts.update", "PUT", "/contacts/{contact_id}", rules=(*_CONTACT, _PHONE)
)
CONTACTS_DELETE = Endpoint("contacts.delete", "DELETE", "/contacts/{contact_id}", rules=_CONTACT)
CONTACTS_ADD_TAG = Endpoint(
    "contacts.add_tag",
    "POST",
    "/contacts/{contact_id}/add-tag",
    rules=(*_CONTACT, Rule("tag_id", _tag_id)),
)
CONTACTS_REMOVE_TAG = Endpoint(
    "contacts.remove_tag",
    "POST",
    "/contacts/{contact_id}/remove-tag",
    rules=(*_CONTACT, Rule("tag_id", _tag_id)),
)
CONTACTS_BLACKLIST = Endpoint(
    "contacts.blacklist", "POST", "/contacts/{contact_id}/blacklist", rules=_CONTACT
)

POOLS_LIST = Endpoint("pools.list", "GET", "/pools", rules=paging_rules(100), source="inferred")
POOLS_CREATE = Endpoint("pools.create", "POST", "/pools", rules=(_STRATEGY,))
POOLS_UPDATE = Endpoint("pools.update", "PUT", "/pools/{pool_id}", rules=(*_POOL, _STRATEGY))
POOLS_CONTACTS = Endpoint(
    "pools.contacts", "GET", "/pools/{pool_id}/contacts", rules=(*_POOL, *paging_rules(100))
)
POOLS_ADD_CONTACTS = Endpoint(
    "pools.add_contacts",
    "POST",
    "/pools/{pool_id}/contacts",
    rules=(*_POOL, Rule("contact_uuids", _contact_uuids)),
)
POOLS_DUPLICATE = Endpoint("pools.duplicate", "POST", "/pools/{pool_id}/duplicate", rules=_POOL)
CONTACTS_APPROVALS = Endpoint(
    "contacts.approvals",
    "GET",
    "/contacts/approvals",
    rules=paging_rules(
        100,
        *(
            Rule(name, validate_uuid, "params", required=False)
            for name in ("contact_uuid", "conversation_uuid", "pipeline_uuid")
        ),
    ),
)
# Referenced paths (no page of their own in the reference): correct them here if need be.
CONTACT_FIELDS_LIST = Endpoint(
    "contacts.fields.list",
    "GET",
    "/contacts/fields",
    rules=paging_rules(100),
    source="referenced",
)
CONTACT_FIELDS_CREATE = Endpoint(
    "contacts.fields.create",
    "POST",
    "/contacts/fields",
    rules=(Rule("key", lambda value, field: _field_key(value, field)),),
    source="referenced",
)

_contact = decoder(Contact)
_pool = decoder(Pool)


def _maybe_contact(body: Any) -> Contact | None:
    # The tag endpoints are from older docs that do not show their answer: the
    # contact when there is one, None when the API answers with a message only.
    data = unwrap(body)
    if isinstance(data, dict) and data.keys() & {"id", "uuid", "contact_uuid"}:
        return structure(data, Contact)
    return None


def _added(body: Any) -> PoolContactsAdded:
    data = unwrap(body)
    return structure(data if isinstance(data, dict) else {}, PoolContactsAdded)


def _ids(values: Iterable[str | Any]) -> list[Any]:
    if isinstance(values, (str, uuid.UUID)):
        # One id where a list belongs: iterating it would send its characters.
        values = [values]
    return [str(v) if isinstance(v, uuid.UUID) else v for v in values]


class Contacts(Resource):
    """Contacts: `list`, `create`, `get`, `update`, `delete`; `add_tag` and
    `remove_tag`; `blacklist`.

    Custom fields are top-level keys of a contact on the wire: pass them as keyword
    arguments or as `custom_fields={...}` to `create` and `update`, read them from
    `Contact.custom_fields`. The API refuses a key that is not a registered custom
    field (422).
    """

    __slots__ = ()

    def list(
        self,
        *,
        per_page: int | None = None,
        page: int = 1,
        search: str | None = None,
        status: str | None = None,
        contact_channel: str | None = None,
        stage_uuid: str | Any | None = None,
        campaign_uuid: str | Any | None = None,
        tag_uuid: str | Any | None = None,
        pool_uuid: str | Any | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> AsyncPager[Contact]:
        """Contacts matching `search` (name, email or phone) and the filters:
        `status` ("Active" or "Inactive"), `contact_channel` ("Call", "SMS" or
        "WhatsApp"), and the UUIDs of a pipeline stage, campaign, tag or pool.

        `await` it for one `Page`, or `async for` it for every contact.
        `per_page` is at most 100 (the API's default is 15).
        """
        return self._pager(
            CONTACTS_LIST,
            Contact,
            params={
                "search": search,
                "status": status,
                "contact_channel": contact_channel,
                "stage_uuid": stage_uuid,
                "campaign_uuid": campaign_uuid,
                "tag_uuid": tag_uuid,
                "pool_uuid": pool_uuid,
            },
            page=page,
            per_page=per_page,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )

    async def create(
        self,
        *,
        name: str | None = None,
        phone_number: str | None = None,
        email: str | None = None,
        custom_fields: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **body: Any,
    ) -> Contact:
        """Create a contact (inferred path: `POST /contacts`).

        `phone_number` must be E.164 ("+14155552671"; checked before sending).
        Other fields of the API (`surname`, `country_code`, `timezone`,
        `primary_language`, `preferred_contact_channel`, `preferred_contact_time`,
        `status`, ...) and custom-field keys go into the body as given.
        """
        payload = {
            **(custom_fields or {}),
            **fields(name=name, phone_number=phone_number, email=email),
            **body,
        }
        result: Contact = await self._send(
            CONTACTS_CREATE,
            _contact,
            json=payload,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result

    async def get(
        self,
        contact_id: str | Any,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> Contact:
        """The contact with this id (a UUID); `NotFoundError` when there is none."""
        result: Contact = await self._send(
            CONTACTS_GET,
            _contact,
            path={"contact_id": contact_id},
            extra_headers=extra_headers,
            extra_query=extra_query,
        )
        return result

    async def update(
        self,
        contact_id: str | Any,
        *,
        custom_fields: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **body: Any,
    ) -> Contact:
        """Change the given fields of a contact (`PUT`; only what is sent changes).

        Fields are keyword arguments as the API names them (`name`, `surname`,
        `email`, `phone_number` (E.164, checked), `status`, ...); custom fields too,
        or in `custom_fields`. An empty string or None clears a custom field: None
        values are sent as null, not left out.
        """
        result: Contact = await self._send(
            CONTACTS_UPDATE,
            _contact,
            path={"contact_id": contact_id},
            json={**(custom_fields or {}), **body},
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result

    async def delete(
        self,
        contact_id: str | Any,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> None:
        """Delete a contact (inferred path: `DELETE /contacts/{uuid}`)."""
        await self._send(
            CONTACTS_DELETE,
            None,
            path={"contact_id": contact_id},
            extra_headers=extra_headers,
            extra_query=extra_query,
        )

    async def add_tag(
        self,
        contact_id: str | Any,
        tag_id: int,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Contact | None:
        """Tag a contact. `tag_id` is the tag's integer id (checked before sending).

        Returns the contact when the API sends it back, else None.
        """
        return await self._tag(CONTACTS_ADD_TAG, contact_id, tag_id, extra_headers, extra_body)

    async def remove_tag(
        self,
        contact_id: str | Any,
        tag_id: int,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Contact | None:
        """Remove a tag (by its integer id) from a contact; as `add_tag`."""
        return await self._tag(CONTACTS_REMOVE_TAG, contact_id, tag_id, extra_headers, extra_body)

    async def _tag(
        self,
        endpoint: Endpoint,
        contact_id: Any,
        tag_id: int,
        extra_headers: Mapping[str, str] | None,
        extra_body: Mapping[str, Any] | None,
    ) -> Contact | None:
        result: Contact | None = await self._send(
            endpoint,
            _maybe_contact,
            path={"contact_id": contact_id},
            json={"tag_id": tag_id},
            extra_headers=extra_headers,
            extra_body=extra_body,
        )
        return result

    async def blacklist(
        self,
        contact_id: str | Any,
        *,
        reason: str | None = None,
        type: str | None = None,
        is_permanent: bool | None = None,
        expires_at: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Contact:
        """Blacklist a contact: agents stop calling or messaging them.

        The API requires a `reason` (3 characters or more); `type` is "Phone",
        "Email" or "Both"; a blacklisting that is not `is_permanent` needs an
        `expires_at` date ("YYYY-MM-DD", after today). The returned contact has
        `status` "Blacklisted" and the details in `blacklist`.
        """
        result: Contact = await self._send(
            CONTACTS_BLACKLIST,
            _contact,
            path={"contact_id": contact_id},
            json=fields(reason=reason, type=type, is_permanent=is_permanent, expires_at=expires_at),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result

    @property
    def fields(self) -> ContactFields:
        """The workspace's custom contact fields: `list` them, `create` one."""
        return ContactFields(self._client, raw=self._raw)

    def approvals(
        self,
        *,
        per_page: int | None = None,
        page: int = 1,
        status: str | None = None,
        field_name: str | None = None,
        field_key: str | None = None,
        confidence: str | None = None,
        contact_uuid: str | Any | None = None,
        conversation_uuid: str | Any | None = None,
        pipeline_uuid: str | Any | None = None,
        search: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> AsyncPager[ContactApproval]:
        """Values the analyzers suggest for contact fields, waiting for approval.

        Filters: `status` ("Pending", "Approved", "Rejected"), `field_name` (the raw
        name: "b_email", "f_my_field", "p_stage_change"), `field_key` (a custom
        field's key: matches "f_<key>"), `confidence` ("high", "medium", "low"),
        the UUIDs of a contact, conversation or pipeline (checked before sending),
        and `search`. `await` it for one `Page`, `async for` it for every
        `ContactApproval`; `per_page` is at most 100 (the API's default is 15).
        """
        return self._pager(
            CONTACTS_APPROVALS,
            ContactApproval,
            params={
                "status": status,
                "field_name": field_name,
                "field_key": field_key,
                "confidence": confidence,
                "contact_uuid": contact_uuid,
                "conversation_uuid": conversation_uuid,
                "pipeline_uuid": pipeline_uuid,
                "search": search,
            },
            page=page,
            per_page=per_page,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )


class Pools(Resource):
    """Pools of contacts that campaigns work through: `list`, `create`, `update`;
    `contacts` lists a pool's members, `add_contacts` adds existing contacts, and
    `duplicate` copies a pool."""

    __slots__ = ()

    def list(
        self,
        *,
        per_page: int | None = None,
        page: int = 1,
        search: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> AsyncPager[Pool]:
        """Pools (inferred path: `GET /pools`; read in any of the API's list shapes).

        `per_page` is at most 100.
        """
        return self._pager(
            POOLS_LIST,
            Pool,
            params={"search": search},
            page=page,
            per_page=per_page,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )

    async def create(
        self,
        name: str,
        *,
        description: str | None = None,
        strategy: str | None = None,
        max_parallel_items: int | None = None,
        max_retries: int | None = None,
        is_active: bool | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **body: Any,
    ) -> Pool:
        """Create an empty pool; fill it with `add_contacts`.

        `name` is 3 to 255 characters; the API requires a `description` too.
        `strategy` (sent as `type`) is "FIFO" (the API's default), "LIFO" or
        "Parallel" (checked before sending); `max_parallel_items` (1 to 100)
        applies to "Parallel" pools.
        """
        payload = fields(
            name=name,
            description=description,
            type=strategy,
            max_parallel_items=max_parallel_items,
            max_retries=max_retries,
            is_active=is_active,
        )
        payload.update(body)
        result: Pool = await self._send(
            POOLS_CREATE,
            _pool,
            json=payload,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result

    async def update(
        self,
        pool_id: str | Any,
        *,
        name: str | None = None,
        description: str | None = None,
        strategy: str | None = None,
        max_parallel_items: int | None = None,
        max_retries: int | None = None,
        is_active: bool | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **body: Any,
    ) -> Pool:
        """Change the given settings of a pool (`PUT`; what is not given is kept).

        A new `strategy` applies to future dispatches only; deactivating a pool
        (`is_active=False`) hides it from new campaigns without stopping running ones.
        """
        payload = fields(
            name=name,
            description=description,
            type=strategy,
            max_parallel_items=max_parallel_items,
            max_retries=max_retries,
            is_active=is_active,
        )
        payload.update(body)
        result: Pool = await self._send(
            POOLS_UPDATE,
            _pool,
            path={"pool_id": pool_id},
            json=payload,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result

    def contacts(
        self,
        pool_id: str | Any,
        *,
        per_page: int | None = None,
        page: int = 1,
        search: str | None = None,
        status: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> AsyncPager[PoolContact]:
        """The members of a pool, with their progress in it, matching `search`
        (name, surname, email or phone) and `status` ("Pending", "Processing",
        "Completed", "Failed", ...). `per_page` is at most 100 (the API's default is 25).
        """
        return self._pager(
            POOLS_CONTACTS,
            PoolContact,
            path={"pool_id": pool_id},
            params={"search": search, "status": status},
            page=page,
            per_page=per_page,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )

    async def add_contacts(
        self,
        pool_id: str | Any,
        contact_ids: Iterable[str | Any],
        *,
        priority: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> PoolContactsAdded:
        """Add existing contacts (by UUID, each checked before sending) to a pool.

        Safe to repeat: contacts already in the pool are skipped, and ids that match
        no contact are reported in `contact_uuids_not_found` rather than failing the
        call. `priority` orders "Parallel" pools (higher first). Running campaigns
        of the pool get tasks for the new members (`tasks_created`).
        """
        result: PoolContactsAdded = await self._send(
            POOLS_ADD_CONTACTS,
            _added,
            path={"pool_id": pool_id},
            json=fields(contact_uuids=_ids(contact_ids), priority=priority),
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result

    async def duplicate(
        self,
        pool_id: str | Any,
        *,
        with_contacts: bool = False,
        name: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Pool:
        """A copy of a pool, named `name` (the API's default: "<name> (copy)"), empty
        unless `with_contacts`, in which case every member is copied as "Pending"
        (`Pool.contacts_copied` says how many).

        `with_contacts` is always sent (as `copy_contacts`): the API's own default
        is to copy.
        """
        result: Pool = await self._send(
            POOLS_DUPLICATE,
            _pool,
            path={"pool_id": pool_id},
            json={"copy_contacts": with_contacts, **fields(name=name)},
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result


def _field_key(value: object, field: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise RequestValidationError(
            field, ErrorCode.VALIDATION_ERROR, f"{field} must be a non-empty string"
        )


_contact_field = decoder(ContactField)


class ContactFields(Resource):
    """The workspace's custom contact fields (`client.contacts.fields`): `list`,
    `create`. A contact accepts a custom field's `key` only once it is registered."""

    __slots__ = ()

    def list(
        self,
        *,
        per_page: int | None = None,
        page: int = 1,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> AsyncPager[ContactField]:
        """The custom fields: `await` for one `Page`, `async for` for every
        `ContactField` (read whatever list shape the API sends). Referenced path."""
        return self._pager(
            CONTACT_FIELDS_LIST,
            ContactField,
            page=page,
            per_page=per_page,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )

    async def create(
        self,
        *,
        key: str,
        name: str | None = None,
        type: str | None = None,
        description: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **body: Any,
    ) -> ContactField:
        """Register a custom contact field under `key` (the name contacts use for
        it); `name`, `type`, `description` and other keyword arguments go into the
        body as given (the docs do not list them). Returns the new `ContactField`;
        a key already taken is a 422 (`UnprocessableEntityError`). Referenced path.
        """
        payload = fields(key=key, name=name, type=type, description=description)
        payload.update(body)
        result: ContactField = await self._send(
            CONTACT_FIELDS_CREATE,
            _contact_field,
            json=payload,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result
