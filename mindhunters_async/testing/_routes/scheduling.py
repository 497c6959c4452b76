"""The fake's scheduling endpoints: appointments, appointment requests, schedules.

Schedules have no create endpoint (they are made in the dashboard): seed them with
`fake.add_record("schedules", name=...)`. Appointments and appointment requests
need a known schedule (404 otherwise); both take times as "YYYY-MM-DD HH:MM:SS"
(422 INVALID_FORMAT otherwise), keep them as sent in the records, and answer them
as ISO-8601 in UTC, as the API does. `end_time` must be after `start_time`.

Appointments ("appointments") start "approved" unless given a status; a status is
one of approved, pending, cancelled (422 otherwise). Appointment requests
("appointment_requests") start "pending", must start after the fake's clock
(422, as the API's "must be in the future"), end by default 30 minutes after
they start (a schedule's `default_duration`, in minutes, when seeded), and name
their contact by `contact_uuid` or by `contact_name` and `contact_email`, which
find the contact of that email in "contacts" or create it.

The three lists answer a bare array in `data`, as the API does; with `per_page`
they answer that page only (without paging numbers), so the SDK's pager walks
them. Appointment requests filter by `status`, `schedule_uuid`, and
`start_date`/`end_date` (the day of `start_time`, inclusive).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, timezone
from typing import Any, Final

import httpx

from .._api import Incoming, Route, _timestamp_now
from .._envelopes import ApiError, not_found, success, validation_error
from .._records import (
    _public,
    action_route,
    delete_route,
    find,
    get_route,
    is_uuid,
    unnumbered_page,
    update_route,
)
from .._state import FakeState

__all__ = ["ROUTES"]

_Answer = httpx.Response | ApiError
_Keep = Callable[[httpx.QueryParams, dict[str, Any]], bool]

_WALL_TIME: Final = "%Y-%m-%d %H:%M:%S"
_APPOINTMENT_STATUSES: Final = ("approved", "pending", "cancelled")
_DEFAULT_DURATION: Final = timedelta(minutes=30)


def _blank(value: Any) -> bool:
    return value is None or value in ([], {}) or (isinstance(value, str) and not value.strip())


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str) or len(value) != 19:
        return None
    try:
        return datetime.strptime(value, _WALL_TIME).replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def _iso(value: Any) -> Any:
    moment = _moment(value)
    return value if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _render(record: dict[str, Any]) -> dict[str, Any]:
    """A record as the API shows it: its times in ISO-8601, UTC."""
    shown = _public(record)
    for key in ("start_time", "end_time"):
        if key in shown:
            shown[key] = _iso(shown[key])
    return shown


def _required(body: dict[str, Any], names: Iterable[str]) -> ApiError | None:
    for name in names:
        if _blank(body.get(name)):
            return validation_error("VALIDATION_ERROR", name, f"The {name} field is required")
    return None


def _booking_error(state: FakeState, body: dict[str, Any]) -> ApiError | None:
    """The checks of any field given, shared by creates and updates."""
    for name in ("schedule_uuid", "contact_uuid"):
        value = body.get(name)
        if value is not None and not is_uuid(value):
            return validation_error("INVALID_UUID", name, f"{name} must be a valid UUID")
    for name in ("start_time", "end_time"):
        if name in body and _moment(body[name]) is None:
            return validation_error(
                "INVALID_FORMAT", name, f"The {name} must match the format Y-m-d H:i:s"
            )
    schedule_id = body.get("schedule_uuid")
    if schedule_id is not None and schedule_id not in state.records.get("schedules", {}):
        return not_found("Schedule", schedule_id)
    return None


def _order_error(record: dict[str, Any]) -> ApiError | None:
    start, end = _moment(record.get("start_time")), _moment(record.get("end_time"))
    if start is not None and end is not None and end <= start:
        return validation_error(
            "VALIDATION_ERROR", "end_time", "The end_time must be a date after start_time"
        )
    return None


def _status_error(body: dict[str, Any]) -> ApiError | None:
    status = body.get("status")
    if status is not None and status not in _APPOINTMENT_STATUSES:
        return validation_error(
            "VALIDATION_ERROR",
            "status",
            f"The selected status is invalid: use one of {', '.join(_APPOINTMENT_STATUSES)}",
        )
    return None


def _store(state: FakeState, collection: str, record: dict[str, Any]) -> dict[str, Any]:
    now = _timestamp_now(state)
    record = {**record, "uuid": str(uuid.uuid4()), "created_at": now, "updated_at": now}
    state.records.setdefault(collection, {})[record["uuid"]] = record
    return record


def array_list(
    template: str, collection: str, permission: str, *, filters: Iterable[_Keep] = ()
) -> Route:
    """`GET template`: the records, oldest first, as a bare array in `data`; only the
    page asked for when `per_page` is given. Each filter says which records it keeps."""
    keeps = tuple(filters)

    def endpoint(state: FakeState, incoming: Incoming) -> httpx.Response:
        query = incoming.request.url.params
        records = [
            record
            for record in state.records.get(collection, {}).values()
            if all(keep(query, record) for keep in keeps)
        ]
        page = unnumbered_page(query, records)
        if isinstance(page, ApiError):
            return page.response()
        return success(200, "", [_render(record) for record in page])

    return Route("GET", template, permission, endpoint)


def _equal(name: str) -> _Keep:
    # An empty filter is ignored, as Laravel's `$request->filled()` ignores it.
    return lambda query, record: not query.get(name) or str(record.get(name)) == query[name]


def _day(name: str, *, after: bool) -> _Keep:
    def keep(query: httpx.QueryParams, record: dict[str, Any]) -> bool:
        wanted, day = query.get(name), str(record.get("start_time", ""))[:10]
        return not wanted or (day >= wanted if after else day <= wanted)

    return keep


# Appointments


def _create_appointment(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    required = ("schedule_uuid", "title", "start_time", "end_time")
    for check in (_required(body, required), _booking_error(state, body), _status_error(body)):
        if check is not None:
            return check
    if (error := _order_error(body)) is not None:
        return error
    record = _store(state, "appointments", {"status": "approved", **body})
    return success(201, "Appointment created successfully", _render(record))


def _update_appointment(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    appointment = find(state, "appointments", incoming, "Appointment")
    if isinstance(appointment, ApiError):
        return appointment
    for check in (_booking_error(state, body), _status_error(body)):
        if check is not None:
            return check
    body = {key: value for key, value in body.items() if key not in ("uuid", "id")}
    if (error := _order_error({**appointment, **body})) is not None:
        return error
    appointment.update(body)
    appointment["updated_at"] = _timestamp_now(state)
    return success(200, "Appointment updated successfully", _render(appointment))


def _set_status(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    appointment = find(state, "appointments", incoming, "Appointment")
    if isinstance(appointment, ApiError):
        return appointment
    for check in (_required(body, ("status",)), _status_error(body)):
        if check is not None:
            return check
    appointment["status"] = body["status"]
    appointment["updated_at"] = _timestamp_now(state)
    return success(200, "Appointment status updated successfully", _render(appointment))


# Appointment requests


def _contact(state: FakeState, body: dict[str, Any]) -> str | ApiError:
    """The contact a request names: its `contact_uuid`, or the contact of its email,
    created when there is none."""
    contact_id = body.get("contact_uuid")
    if contact_id is not None:
        return str(contact_id)
    if (error := _required(body, ("contact_name", "contact_email"))) is not None:
        return error
    contacts = state.records.setdefault("contacts", {})
    for contact in contacts.values():
        if contact.get("email") == body["contact_email"]:
            return str(contact["uuid"])
    fields = {
        "name": body["contact_name"],
        "surname": body.get("contact_surname"),
        "email": body["contact_email"],
        "phone_number": body.get("contact_phone"),
    }
    return str(_store(state, "contacts", fields)["uuid"])


def _create_request(state: FakeState, incoming: Incoming, body: dict[str, Any]) -> _Answer:
    required = ("schedule_uuid", "title", "start_time")
    for check in (_required(body, required), _booking_error(state, body)):
        if check is not None:
            return check
    start = _moment(body["start_time"])
    if start is not None and start <= state.now():
        return validation_error(
            "VALIDATION_ERROR", "start_time", "The start_time must be a date after now"
        )
    if (error := _order_error(body)) is not None:
        return error
    contact_id = _contact(state, body)
    if isinstance(contact_id, ApiError):
        return contact_id
    record = {"status": "pending", **body, "contact_uuid": contact_id}
    if "end_time" not in record and start is not None:
        schedule = state.records["schedules"][body["schedule_uuid"]]
        minutes = schedule.get("default_duration")
        duration = timedelta(minutes=minutes) if isinstance(minutes, int) else _DEFAULT_DURATION
        record["end_time"] = (start + duration).strftime(_WALL_TIME)
    record = _store(state, "appointment_requests", record)
    return success(201, "Appointment request created successfully", _render(record))


ROUTES: Final[tuple[Route, ...]] = (
    array_list("/appointments", "appointments", "appointments:read"),
    action_route("POST", "/appointments", "appointments:write", _create_appointment),
    action_route("PUT", "/appointments/{uuid}", "appointments:write", _update_appointment),
    delete_route("/appointments/{uuid}", "appointments", "appointments:write", kind="Appointment"),
    action_route("POST", "/appointments/{uuid}/status", "appointments:write", _set_status),
    array_list(
        "/appointment-requests",
        "appointment_requests",
        "appointments:read",
        filters=(
            _equal("status"),
            _equal("schedule_uuid"),
            _day("start_date", after=True),
            _day("end_date", after=False),
        ),
    ),
    action_route("POST", "/appointment-requests", "appointments:write", _create_request),
    get_route(
        "/appointment-requests/{uuid}",
        "appointment_requests",
        "appointments:read",
        kind="Appointment request",
        render=_render,
    ),
    array_list("/schedules", "schedules", "schedules:read"),
    update_route("PUT", "/schedules/{uuid}", "schedules", "schedules:write", kind="Schedule"),
)
