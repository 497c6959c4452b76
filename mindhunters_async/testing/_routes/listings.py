"""The fake's listings, datasets and workspace webhooks: `/listings`, `/data`, `/webhooks`.

All three are known from a third-party client only; what the fake answers beyond
its requests is this fake's choice, in the API's style.

Listings ("listings"): `POST /listings` needs `name`; its `contacts` (and those of
`POST /listings/{uuid}/contacts`) are upserted into the workspace's "contacts" by
`phone_number`, then `email` (a contact with neither is a 422, as is a number that
is not E.164, named `contacts.N.phone_number`), and joined to the listing in
"listing_contacts" (`listing_uuid`, `contact_uuid`). A listing shows
`contacts_count`; `GET /listings` is a bare array, newest first, sliced by `page`
when `per_page` is given. Removing a contact ends its membership only; a contact
not in the listing is a 404.

Datasets ("datasets"; records in "dataset_records", with integer `id`s and their
columns in `data`): `POST /data/import/copypaste` reads `data` as a header line
and one record a line, split on tabs when the header has one, else on commas.
Records page as a Laravel paginator, oldest first. `PUT .../records/{id}` merges the
columns given into the record. `sync` sets `status` "synced" and `synced_at`;
`assign` adds a known agent to `agent_uuids` (an unknown one is a 404). Seed records
with `fake.add_record("dataset_records", dataset_uuid=..., id=1, data={...})`.

Workspace webhooks ("workspace_webhooks", `targetUrl` and `event`): subscribing the
same URL to the same event again is idempotent (200 with the existing
subscription, not a 409), since the third-party client re-subscribes each time
it starts. `DELETE /webhooks` removes every subscription of the `targetUrl` in its
body (or query); a URL with none is a 404.
"""

from __future__ import annotations

import re
import urllib.parse
import uuid
from collections.abc import Iterable
from typing import Any, Final

import httpx

from ..._models.agents import WebhookEvent
from .._api import Incoming, Route, _timestamp_now
from .._envelopes import ApiError, not_found, success, validation_error
from .._records import (
    _public,
    action_route,
    find,
    is_uuid,
    laravel_page,
    unnumbered_page,
)
from .._state import FakeState

__all__ = ["ROUTES"]

_Answer = httpx.Response | ApiError

_E164: Final = re.compile(r"\+[1-9][0-9]{1,14}")
_E164_DETAILS: Final = "Phone number must be in E.164 format (e.g., +1234567890)"
_EVENTS: Final = frozenset(event.value for event in WebhookEvent)


def _blank(value: Any) -> bool:
    return value is None or value in ([], {}) or (isinstance(value, str) and not value.strip())


def _required(name: str) -> ApiError:
    return validation_error("VALIDATION_ERROR", name, f"The {name} field is required")


def _table(state: FakeState, collection: str) -> dict[str, dict[str, Any]]:
    return state.records.setdefault(collection, {})


# Listings


def _contacts_error(contacts: Any) -> ApiError | None:
    if not isinstance(contacts, list):
        return validation_error("VALIDATION_ERROR", "contacts", "The contacts must be an array")
    for index, contact in enumerate(contacts):
        field = f"contacts.{index}"
        if not isinstance(contact, dict):
            return validation_error("VALIDATION_ERROR", field, f"The {field} must be an object")
        phone = contact.get("phone_number")
        if _blank(phone) and _blank(contact.get("email")):
            return validation_error(
                "VALIDATION_ERROR",
                f"{field}.phone_number",
                f"The {field}.phone_number field is required when {field}.email is not present",
            )
        if phone is not None and not (isinstance(phone, str) and _E164.fullmatch(phone)):
            return validation_error("INVALID_FORMAT", f"{field}.phone_number", _E164_DETAILS)
    return None


def _upsert(state: FakeState, fields: dict[str, Any], now: str) -> tuple[str, bool]:
    """The contact with this phone number, else this email, updated; or a new one.
    Returns its uuid and whether it was created."""
    contacts = _table(state, "contacts")
    given = {key: value for key, value in fields.items() if value is not None}
    phone, email = given.get("phone_number"), str(given.get("email") or "").lower()
    match = next((c for c in contacts.values() if phone and c.get("phone_number") == phone), None)
    if match is None and email:
        match = next(
            (c for c in contacts.values() if str(c.get("email") or "").lower() == email), None
        )
    if match is not None:
        match.update({key: value for key, value in given.items() if key != "uuid"})
        match["updated_at"] = now
        return match["uuid"], False
    contact = {"status": "Active", "tags": [], **given, "uuid": str(uuid.uuid4())}
    contact["created_at"] = contact["updated_at"] = now
    contacts[contact["uuid"]] = contact
    return contact["uuid"], True


def _members(state: FakeState, listing_id: str) -> list[dict[str, Any]]:
    return [
        m for m in _table(state, "listing_contacts").values() if m["listing_uuid"] == listing_id
    ]


def _join(state: FakeState, listing: dict[str, Any], contacts: Iterable[dict[str, Any]]) -> Any:
    """Upsert `contacts` and put them in the listing: what `add_contacts` answers."""
    now = _timestamp_now(state)
    present = {m["contact_uuid"] for m in _members(state, listing["uuid"])}
    ids, created = [], 0
    for fields in contacts:
        contact_id, new = _upsert(state, fields, now)
        created += new
        ids.append(contact_id)
        if contact_id not in present:
            member = {"uuid": str(uuid.uuid4()), "listing_uuid": listing["uuid"]}
            member.update(contact_uuid=contact_id, added_at=now)
            _table(state, "listing_contacts")[member["uuid"]] = member
            present.add(contact_id)
    listing["updated_at"] = now
    return {
        "listing_uuid": listing["uuid"],
        "contacts_created": created,
        "contacts_updated": len(ids) - created,
        "contact_uuids": list(dict.fromkeys(ids)),
    }


def _listing_json(state: FakeState, listing: dict[str, Any]) -> dict[str, Any]:
    return {**_public(listing), "contacts_count": len(_members(state, listing["uuid"]))}


def create_listing(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    """`POST /listings`: a listing, its contacts upserted and joined to it."""
    if _blank(body.get("name")):
        return _required("name")
    agent_id = body.get("agent_uuid")
    if agent_id is not None:
        if not is_uuid(agent_id):
            return validation_error("INVALID_UUID", "agent_uuid", "agent_uuid must be a valid UUID")
        if agent_id not in state.agents:
            return not_found("Agent", agent_id)
    contacts = body.get("contacts", [])
    if (error := _contacts_error(contacts)) is not None:
        return error
    now = _timestamp_now(state)
    listing = {key: value for key, value in body.items() if key != "contacts"}
    listing.update(
        uuid=str(uuid.uuid4()),
        status="active" if body.get("auto_start") is True else "draft",
        created_at=now,
        updated_at=now,
    )
    _table(state, "listings")[listing["uuid"]] = listing
    _join(state, listing, contacts)
    return success(201, "Listing created successfully", _listing_json(state, listing))


def list_listings(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    """`GET /listings`: a bare array, newest first; a page of it when `per_page` is given."""
    listings = [_listing_json(state, r) for r in reversed(_table(state, "listings").values())]
    page = unnumbered_page(incoming.request.url.params, listings)
    if isinstance(page, ApiError):
        return page
    return success(200, "Listings retrieved successfully", page)


def add_listing_contacts(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    """`POST /listings/{uuid}/contacts`: upsert the contacts and join them to the listing."""
    listing = find(state, "listings", incoming, "Listing")
    if isinstance(listing, ApiError):
        return listing
    contacts: Any = body.get("contacts")
    if _blank(contacts):
        return _required("contacts")
    if (error := _contacts_error(contacts)) is not None:
        return error
    added = _join(state, listing, contacts)
    return success(200, "Contacts added to listing successfully", added)


def remove_listing_contact(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    """`DELETE /listings/{uuid}/contacts/{contact_uuid}`: end the membership."""
    listing = find(state, "listings", incoming, "Listing")
    if isinstance(listing, ApiError):
        return listing
    contact_id = incoming.params["contact_uuid"]
    members = _table(state, "listing_contacts")
    member = next(
        (m for m in _members(state, listing["uuid"]) if m["contact_uuid"] == contact_id), None
    )
    if member is None:
        return not_found("Contact", contact_id)
    del members[member["uuid"]]
    listing["updated_at"] = _timestamp_now(state)
    return success(200, "Contact removed from listing", {})


# Datasets


def _rows(text: str) -> tuple[list[str], list[dict[str, str]]]:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    if not lines:
        return [], []
    sep = "\t" if "\t" in lines[0] else ","
    columns = [name.strip() for name in lines[0].split(sep)]
    rows = []
    for line in lines[1:]:
        values = [value.strip() for value in line.split(sep)]
        padded = (values + [""] * len(columns))[: len(columns)]
        rows.append(dict(zip(columns, padded, strict=True)))
    return columns, rows


def _dataset_records(state: FakeState, dataset_id: str) -> list[dict[str, Any]]:
    rows = [
        r for r in _table(state, "dataset_records").values() if r.get("dataset_uuid") == dataset_id
    ]
    return sorted(rows, key=lambda r: r["id"] if isinstance(r.get("id"), int) else 0)


def _record_json(record: dict[str, Any]) -> dict[str, Any]:
    shown = {key: value for key, value in _public(record).items() if key not in ("id", "uuid")}
    return {"id": record.get("id", record.get("uuid")), **shown}


def _dataset_json(state: FakeState, dataset: dict[str, Any]) -> dict[str, Any]:
    return {**_public(dataset), "records_count": len(_dataset_records(state, dataset["uuid"]))}


def _add_record(
    state: FakeState, dataset_id: str, data: dict[str, Any], now: str
) -> dict[str, Any]:
    table = _table(state, "dataset_records")
    ids = [r["id"] for r in table.values() if isinstance(r.get("id"), int)]
    record = {"id": max(ids, default=0) + 1, "dataset_uuid": dataset_id, "data": dict(data)}
    record["created_at"] = record["updated_at"] = now
    table[str(record["id"])] = record
    return record


def create_dataset(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    """`POST /data/import/copypaste`: a dataset from pasted text, one record a line."""
    for name in ("name", "data"):
        if _blank(body.get(name)):
            return _required(name)
    if not isinstance(body["data"], str):
        return validation_error("VALIDATION_ERROR", "data", "The data must be a string")
    columns, rows = _rows(body["data"])
    now = _timestamp_now(state)
    dataset = {
        "uuid": str(uuid.uuid4()),
        "name": body["name"],
        "description": body.get("description"),
        "source": "copypaste",
        "status": "ready",
        "columns": columns,
        "agent_uuids": [],
        "created_at": now,
        "updated_at": now,
    }
    _table(state, "datasets")[dataset["uuid"]] = dataset
    for row in rows:
        _add_record(state, dataset["uuid"], row, now)
    return success(201, "Dataset created successfully", _dataset_json(state, dataset))


def get_dataset(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    """`GET /data/{uuid}`."""
    dataset = find(state, "datasets", incoming, "Dataset")
    if isinstance(dataset, ApiError):
        return dataset
    return success(200, "Dataset retrieved successfully", _dataset_json(state, dataset))


def list_records(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    """`GET /data/{uuid}/records`: a Laravel page of the records, oldest first."""
    dataset = find(state, "datasets", incoming, "Dataset")
    if isinstance(dataset, ApiError):
        return dataset
    rows = [_record_json(r) for r in _dataset_records(state, dataset["uuid"])]
    return laravel_page(incoming, rows, "Records retrieved successfully")


def _columns(body: dict[str, Any]) -> dict[str, Any] | ApiError:
    record = body.get("record")
    if _blank(record):
        return _required("record")
    if not isinstance(record, dict):
        return validation_error("VALIDATION_ERROR", "record", "The record must be an object")
    return record


def add_record(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    """`POST /data/{uuid}/records`: `{"record": {column: value}}`, a new integer id."""
    dataset = find(state, "datasets", incoming, "Dataset")
    if isinstance(dataset, ApiError):
        return dataset
    columns = _columns(body)
    if isinstance(columns, ApiError):
        return columns
    record = _add_record(state, dataset["uuid"], columns, _timestamp_now(state))
    return success(201, "Record created successfully", _record_json(record))


def _find_record(state: FakeState, incoming: Incoming) -> tuple[str, dict[str, Any]] | ApiError:
    dataset = find(state, "datasets", incoming, "Dataset")
    if isinstance(dataset, ApiError):
        return dataset
    record_id = incoming.params["record_id"]
    for key, record in _table(state, "dataset_records").items():
        same = str(record.get("id", record.get("uuid"))) == record_id
        if same and record.get("dataset_uuid") == dataset["uuid"]:
            return key, record
    return not_found("Record", record_id)


def update_record(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    """`PUT /data/{uuid}/records/{record_id}`: the columns given change, the rest stay."""
    found = _find_record(state, incoming)
    if isinstance(found, ApiError):
        return found
    columns = _columns(body)
    if isinstance(columns, ApiError):
        return columns
    record = found[1]
    record["data"] = {**(record.get("data") or {}), **columns}
    record["updated_at"] = _timestamp_now(state)
    return success(200, "Record updated successfully", _record_json(record))


def delete_record(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    """`DELETE /data/{uuid}/records/{record_id}`."""
    found = _find_record(state, incoming)
    if isinstance(found, ApiError):
        return found
    del _table(state, "dataset_records")[found[0]]
    return success(200, "Record deleted successfully", {})


def sync_dataset(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    """`POST /data/{uuid}/sync`: status "synced", `synced_at` now."""
    dataset = find(state, "datasets", incoming, "Dataset")
    if isinstance(dataset, ApiError):
        return dataset
    dataset["status"] = "synced"
    dataset["synced_at"] = dataset["updated_at"] = _timestamp_now(state)
    return success(200, "Dataset synced successfully", _dataset_json(state, dataset))


def assign_dataset(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    """`POST /data/{uuid}/assign`: `{"agent_uuid"}`, a known agent, added once."""
    dataset = find(state, "datasets", incoming, "Dataset")
    if isinstance(dataset, ApiError):
        return dataset
    agent_id: Any = body.get("agent_uuid")
    if _blank(agent_id):
        return _required("agent_uuid")
    if not is_uuid(agent_id):
        return validation_error("INVALID_UUID", "agent_uuid", "agent_uuid must be a valid UUID")
    if agent_id not in state.agents:
        return not_found("Agent", agent_id)
    agents = list(dataset.get("agent_uuids") or [])
    dataset["agent_uuids"] = agents if agent_id in agents else [*agents, agent_id]
    dataset["updated_at"] = _timestamp_now(state)
    return success(200, "Dataset assigned successfully", _dataset_json(state, dataset))


# Workspace webhooks


def _https(value: Any) -> bool:
    if not isinstance(value, str) or any(c.isspace() for c in value):
        return False
    try:
        parts = urllib.parse.urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() == "https" and bool(parts.hostname)


def subscribe(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    """`POST /webhooks`: `{targetUrl, event}`; the same pair again answers the existing one."""
    for name in ("targetUrl", "event"):
        if _blank(body.get(name)):
            return _required(name)
    target, event = body["targetUrl"], body["event"]
    if not _https(target):
        return validation_error("INVALID_FORMAT", "targetUrl", "The targetUrl must be an https URL")
    if event not in _EVENTS:
        return validation_error("VALIDATION_ERROR", "event", "The selected event is invalid")
    hooks = _table(state, "workspace_webhooks")
    for hook in hooks.values():
        if hook.get("targetUrl") == target and hook.get("event") == event:
            return success(200, "Webhook already subscribed", _public(hook))
    now = _timestamp_now(state)
    hook = {"uuid": str(uuid.uuid4()), "targetUrl": target, "event": event, "is_active": True}
    hook["created_at"] = hook["updated_at"] = now
    hooks[hook["uuid"]] = hook
    return success(201, "Webhook subscribed successfully", _public(hook))


def unsubscribe(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    """`DELETE /webhooks`: every subscription of the body's (or query's) `targetUrl`."""
    target = body.get("targetUrl") or incoming.request.url.params.get("targetUrl")
    if _blank(target):
        return _required("targetUrl")
    hooks = _table(state, "workspace_webhooks")
    matching = [key for key, hook in hooks.items() if hook.get("targetUrl") == target]
    if not matching:
        # The URL is not echoed: it may carry a token in its query.
        return ApiError(
            404,
            "Resource not found",
            "RESOURCE_NOT_FOUND",
            "No webhook subscription for this targetUrl",
        )
    for key in matching:
        del hooks[key]
    return success(200, "Webhook unsubscribed successfully", {})


ROUTES: Final[tuple[Route, ...]] = (
    action_route("GET", "/listings", "listings:read", list_listings),
    action_route("POST", "/listings", "listings:write", create_listing),
    action_route("POST", "/listings/{uuid}/contacts", "listings:write", add_listing_contacts),
    action_route(
        "DELETE",
        "/listings/{uuid}/contacts/{contact_uuid}",
        "listings:write",
        remove_listing_contact,
    ),
    action_route("POST", "/data/import/copypaste", "datasets:write", create_dataset),
    action_route("GET", "/data/{uuid}", "datasets:read", get_dataset),
    action_route("GET", "/data/{uuid}/records", "datasets:read", list_records),
    action_route("POST", "/data/{uuid}/records", "datasets:write", add_record),
    action_route("PUT", "/data/{uuid}/records/{record_id}", "datasets:write", update_record),
    action_route("DELETE", "/data/{uuid}/records/{record_id}", "datasets:write", delete_record),
    action_route("POST", "/data/{uuid}/sync", "datasets:write", sync_dataset),
    action_route("POST", "/data/{uuid}/assign", "datasets:write", assign_dataset),
    action_route("POST", "/webhooks", "webhooks:write", subscribe),
    action_route("DELETE", "/webhooks", "webhooks:write", unsubscribe),
)
