"""The fake's contacts and pools endpoints: `/contacts`, `/pools` and below.

Collections: "contacts"; "pools"; "pool_contacts", one record per membership
(`pool_uuid`, `contact_uuid`, `status`, `priority`, ...), the contact's name, phone
and email read from the contact when listed; "contact_fields", the workspace's
custom fields (`fake.add_record("contact_fields", key="tier")`): a contact body
with any other key than the base fields and these is refused with a 422, as the
API refuses it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any, Final

import httpx

from .._api import Incoming, Route, _timestamp_now
from .._envelopes import ApiError, success, validation_error
from .._records import (
    _public,
    action_route,
    create_route,
    delete_route,
    find,
    get_route,
    is_uuid,
    laravel_page,
    list_route,
    update_route,
)
from .._state import FakeState

__all__ = ["ROUTES"]

_E164: Final = re.compile(r"\+[1-9][0-9]{1,14}")
_E164_DETAILS: Final = "Phone number must be in E.164 format (e.g., +1234567890)"
CONTACT_FIELDS: Final = frozenset(
    {
        "name",
        "surname",
        "email",
        "phone_number",
        "number_type",
        "country_code",
        "timezone",
        "primary_language",
        "preferred_contact_channel",
        "preferred_contact_time",
        "status",
    }
)
_STRATEGIES: Final = ("FIFO", "LIFO", "Parallel")


# Contacts


def _contact_error(state: FakeState, body: Any) -> ApiError | None:
    if not isinstance(body, dict):
        return None
    phone = body.get("phone_number")
    if phone is not None and not (isinstance(phone, str) and _E164.fullmatch(phone)):
        return validation_error("INVALID_FORMAT", "phone_number", _E164_DETAILS)
    custom = {r.get("key") for r in state.records.get("contact_fields", {}).values()}
    unknown = sorted(set(body) - CONTACT_FIELDS - custom)
    if unknown:
        return validation_error(
            "VALIDATION_ERROR",
            unknown[0],
            f"Unknown contact field(s): {', '.join(unknown)}. Register custom fields with"
            " POST /api/v1/contacts/fields first",
        )
    return None


def _searched(rows: list[dict[str, Any]], search: str) -> list[dict[str, Any]]:
    """The rows whose name, email or phone number contains `search`, in any case."""
    text = search.strip().lower()
    if not text:
        return rows
    return [
        r
        for r in rows
        if any(text in str(r.get(k) or "").lower() for k in ("name", "email", "phone_number"))
    ]


def _checked(route: Route, *, existing: bool) -> Route:
    """`route`, with a contact body checked against the workspace's fields first
    (after the contact's lookup, as the server binds the route before validating)."""

    def endpoint(state: FakeState, incoming: Incoming) -> httpx.Response:
        if existing and isinstance(found := find(state, "contacts", incoming, "Contact"), ApiError):
            return found.response()
        error = _contact_error(state, incoming.body)
        if error is not None:
            return error.response()
        return route.endpoint(state, incoming)

    return Route(route.method, route.template, route.permission, endpoint)


def list_contacts(
    state: FakeState, incoming: Incoming, body: dict[str, Any]
) -> httpx.Response | ApiError:
    """`GET /contacts`: newest first, filtered, paginated."""
    query = incoming.request.url.params
    contacts = list(reversed(state.records.get("contacts", {}).values()))
    contacts = _searched(contacts, query.get("search", ""))
    for name, key in (
        ("status", "status"),
        ("contact_channel", "preferred_contact_channel"),
        ("stage_uuid", "stage_uuid"),
        ("campaign_uuid", "campaign_uuid"),
    ):
        if wanted := query.get(name):
            contacts = [c for c in contacts if str(c.get(key)) == wanted]
    if tag := query.get("tag_uuid"):
        contacts = [c for c in contacts if tag in (t.get("uuid") for t in c.get("tags") or ())]
    if pool := query.get("pool_uuid"):
        members = {m["contact_uuid"] for m in _members(state, pool)}
        contacts = [c for c in contacts if c["uuid"] in members]
    return laravel_page(incoming, contacts, "Contacts retrieved successfully")


Act = Callable[[FakeState, Incoming, dict[str, Any]], "httpx.Response | ApiError"]


def _tag(adding: bool) -> Act:
    """`POST /contacts/{uuid}/add-tag` or `/remove-tag`: `{"tag_id": <int>}`."""

    def act(
        state: FakeState, incoming: Incoming, body: dict[str, Any]
    ) -> httpx.Response | ApiError:
        contact = find(state, "contacts", incoming, "Contact")
        if isinstance(contact, ApiError):
            return contact
        tag_id = body.get("tag_id")
        if tag_id is None:
            return validation_error("VALIDATION_ERROR", "tag_id", "The tag_id field is required")
        if isinstance(tag_id, bool) or not isinstance(tag_id, int):
            return validation_error("VALIDATION_ERROR", "tag_id", "The tag_id must be an integer")
        tags = [t for t in contact.get("tags") or () if t.get("id") != tag_id]
        if adding:
            tags.append({"id": tag_id})
        contact["tags"] = tags
        contact["updated_at"] = _timestamp_now(state)
        verb = "added to" if adding else "removed from"
        return success(200, f"Tag {verb} contact successfully", _public(contact))

    return act


def blacklist_contact(
    state: FakeState, incoming: Incoming, body: dict[str, Any]
) -> httpx.Response | ApiError:
    """`POST /contacts/{uuid}/blacklist`: `reason` required; `expires_at` unless permanent."""
    contact = find(state, "contacts", incoming, "Contact")
    if isinstance(contact, ApiError):
        return contact
    reason = body.get("reason")
    if not isinstance(reason, str) or len(reason.strip()) < 3:
        return validation_error(
            "VALIDATION_ERROR", "reason", "The reason field is required (min 3 characters)"
        )
    kind = body.get("type", "Both")
    if kind not in ("Phone", "Email", "Both"):
        return validation_error("VALIDATION_ERROR", "type", "The selected type is invalid")
    permanent = body.get("is_permanent", True)
    if permanent is False and not body.get("expires_at"):
        return validation_error(
            "VALIDATION_ERROR",
            "expires_at",
            "The expires_at field is required when is_permanent is false",
        )
    now = _timestamp_now(state)
    contact["status"] = "Blacklisted"
    contact["blacklist"] = {
        "type": kind,
        "reason": reason,
        "is_permanent": permanent is not False,
        "expires_at": body.get("expires_at"),
        "blacklisted_at": now,
    }
    contact["updated_at"] = now
    data = {key: contact[key] for key in ("uuid", "status", "blacklist")}
    return success(200, "Contact added to blacklist", data)


# Pools


def _pool_error(body: dict[str, Any]) -> ApiError | None:
    if "type" in body and body["type"] not in _STRATEGIES:
        return validation_error(
            "VALIDATION_ERROR", "type", "The selected type is invalid (FIFO, LIFO or Parallel)"
        )
    name = body.get("name")
    if name is not None and not (isinstance(name, str) and 3 <= len(name) <= 255):
        return validation_error(
            "VALIDATION_ERROR", "name", "The name must be between 3 and 255 characters"
        )
    return None


def _members(state: FakeState, pool_id: str) -> list[dict[str, Any]]:
    return [m for m in state.records.get("pool_contacts", {}).values() if m["pool_uuid"] == pool_id]


def _add_member(
    state: FakeState, pool: dict[str, Any], contact_id: str, priority: Any, now: str
) -> None:
    member = {
        "uuid": str(uuid.uuid4()),
        "pool_uuid": pool["uuid"],
        "contact_uuid": contact_id,
        "status": "Pending",
        "priority": priority if isinstance(priority, int) else 0,
        "retry_count": 0,
        "added_at": now,
    }
    state.records.setdefault("pool_contacts", {})[member["uuid"]] = member
    pool["contacts_count"] = len(_members(state, pool["uuid"]))


def list_pool_contacts(
    state: FakeState, incoming: Incoming, body: dict[str, Any]
) -> httpx.Response | ApiError:
    """`GET /pools/{uuid}/contacts`: the members, oldest first, 25 a page by default,
    the paginator with `pool_uuid` beside it."""
    pool = find(state, "pools", incoming, "Pool")
    if isinstance(pool, ApiError):
        return pool
    query = incoming.request.url.params
    contacts = state.records.get("contacts", {})
    rows = []
    for member in _members(state, pool["uuid"]):
        contact = contacts.get(member["contact_uuid"])
        if contact is None:  # deleted since
            continue
        row = {
            "contact_uuid": member["contact_uuid"],
            **{key: contact.get(key) for key in ("name", "phone_number", "email")},
            **{key: value for key, value in member.items() if key not in ("uuid", "pool_uuid")},
        }
        rows.append(row)
    rows = _searched(rows, query.get("search", ""))
    if status := query.get("status"):
        rows = [r for r in rows if r["status"] == status]
    return laravel_page(
        incoming,
        rows,
        "Pool contacts retrieved successfully",
        per_page=(25, 100),
        extra={"pool_uuid": pool["uuid"]},
    )


def add_pool_contacts(
    state: FakeState, incoming: Incoming, body: dict[str, Any]
) -> httpx.Response | ApiError:
    """`POST /pools/{uuid}/contacts`: add existing contacts; members already in the
    pool are skipped, unknown ids reported; no campaign runs here, so no tasks."""
    pool = find(state, "pools", incoming, "Pool")
    if isinstance(pool, ApiError):
        return pool
    ids = body.get("contact_uuids")
    if not isinstance(ids, list) or not ids:
        return validation_error(
            "VALIDATION_ERROR", "contact_uuids", "The contact_uuids field is required"
        )
    for index, contact_id in enumerate(ids):
        if not is_uuid(contact_id):
            field = f"contact_uuids.{index}"
            return validation_error("INVALID_UUID", field, f"{field} must be a valid UUID")
    contacts = state.records.get("contacts", {})
    present = {m["contact_uuid"] for m in _members(state, pool["uuid"])}
    now = _timestamp_now(state)
    added, skipped, not_found = 0, 0, []
    for contact_id in dict.fromkeys(ids):  # the server dedupes the array, in order
        if contact_id not in contacts:
            not_found.append(contact_id)
        elif contact_id in present:
            skipped += 1
        else:
            _add_member(state, pool, contact_id, body.get("priority"), now)
            present.add(contact_id)
            added += 1
    data = {
        "pool_uuid": pool["uuid"],
        "contacts_added": added,
        "contacts_skipped": skipped,
        "contact_uuids_not_found": not_found,
        "tasks_created": 0,
        "running_campaign_uuids": [],
    }
    message = f"{added} contact(s) added to pool, 0 task(s) created across 0 running campaign(s)."
    return success(200, message, data)


def duplicate_pool(
    state: FakeState, incoming: Incoming, body: dict[str, Any]
) -> httpx.Response | ApiError:
    """`POST /pools/{uuid}/duplicate`: a new pool, with the members copied as
    "Pending" unless `copy_contacts` is false (the API's default is true)."""
    source = find(state, "pools", incoming, "Pool")
    if isinstance(source, ApiError):
        return source
    name = body.get("name") or f"{source.get('name')} (copy)"
    if (error := _pool_error({"name": name})) is not None:
        return error
    now = _timestamp_now(state)
    pool = {
        **source,
        "uuid": str(uuid.uuid4()),
        "name": name,
        "contacts_count": 0,
        "created_at": now,
        "updated_at": now,
    }
    state.records.setdefault("pools", {})[pool["uuid"]] = pool
    copied = 0
    if body.get("copy_contacts", True) is not False:
        for member in _members(state, source["uuid"]):
            _add_member(state, pool, member["contact_uuid"], member.get("priority"), now)
            copied += 1
    return success(
        201, "Pool duplicated successfully", {**_public(pool), "contacts_copied": copied}
    )


ROUTES: Final[tuple[Route, ...]] = (
    action_route("GET", "/contacts", "contacts:read", list_contacts),
    _checked(
        create_route(
            "/contacts",
            "contacts",
            "contacts:write",
            required=("name",),
            defaults={"status": "Active", "tags": []},
            kind="Contact",
            message="Contact created successfully",
        ),
        existing=False,
    ),
    action_route("POST", "/contacts/{uuid}/add-tag", "contacts:write", _tag(adding=True)),
    action_route("POST", "/contacts/{uuid}/remove-tag", "contacts:write", _tag(adding=False)),
    action_route("POST", "/contacts/{uuid}/blacklist", "contacts:write", blacklist_contact),
    get_route(
        "/contacts/{uuid}",
        "contacts",
        "contacts:read",
        kind="Contact",
        message="Contact retrieved successfully",
    ),
    _checked(
        update_route(
            "PUT",
            "/contacts/{uuid}",
            "contacts",
            "contacts:write",
            kind="Contact",
            message="Contact updated successfully",
        ),
        existing=True,
    ),
    delete_route(
        "/contacts/{uuid}",
        "contacts",
        "contacts:write",
        kind="Contact",
        message="Contact deleted successfully",
    ),
    list_route("/pools", "pools", "pools:read", message="Pools retrieved successfully"),
    create_route(
        "/pools",
        "pools",
        "pools:write",
        required=("name", "description"),
        validate=_pool_error,
        defaults={
            "type": "FIFO",
            "max_parallel_items": 10,
            "max_retries": 3,
            "is_active": True,
            "contacts_count": 0,
        },
        kind="Pool",
        message="Pool created successfully",
    ),
    action_route("GET", "/pools/{uuid}/contacts", "pools:read", list_pool_contacts),
    action_route("POST", "/pools/{uuid}/contacts", "pools:write", add_pool_contacts),
    action_route("POST", "/pools/{uuid}/duplicate", "pools:write", duplicate_pool),
    update_route(
        "PUT",
        "/pools/{uuid}",
        "pools",
        "pools:write",
        kind="Pool",
        validate=_pool_error,
        message="Pool updated successfully",
    ),
)
