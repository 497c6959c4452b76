"""client.appointments, client.appointment_requests and client.schedules."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from datetime import date, datetime, timezone
from typing import Any, Final, TypeVar

from .._converter import decoder
from .._exceptions import ErrorCode, RequestValidationError
from .._models.scheduling import (
    Appointment,
    AppointmentRequest,
    AppointmentRequestStatus,
    AppointmentStatus,
    Schedule,
)
from .._pagination import AsyncPager
from .._pipeline import Endpoint, Rule
from .._validators import check_text as _text
from .._validators import validate_uuid
from ._base import Resource, fields, paging_rules, uuid_path, with_id

__all__ = ["AppointmentRequests", "Appointments", "Schedules"]

T = TypeVar("T")

# ASCII classes: `\d` would take other scripts' digits, which the server refuses.
_WALL_TIME: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}", re.ASCII)
_DAY: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_APPOINTMENT_STATUSES: Final = tuple(status.value for status in AppointmentStatus)
_REQUEST_STATUSES: Final = tuple(status.value for status in AppointmentRequestStatus)


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _wall_time_rule(value: object, field: str) -> None:
    if isinstance(value, str) and _WALL_TIME.fullmatch(value):
        try:
            datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
        except ValueError:
            pass
        else:
            return
    raise RequestValidationError(
        field,
        ErrorCode.INVALID_FORMAT,
        f'{field} must be a datetime or a string "YYYY-MM-DD HH:MM:SS" such as'
        f' "2025-12-01 10:00:00", got {_shown(value)}',
    )


def _day_rule(value: object, field: str) -> None:
    if isinstance(value, str) and _DAY.fullmatch(value):
        try:
            date.fromisoformat(value)
        except ValueError:
            pass
        else:
            return
    raise RequestValidationError(
        field,
        ErrorCode.INVALID_FORMAT,
        f'{field} must be a date or a string "YYYY-MM-DD" such as "2025-12-01",'
        f" got {_shown(value)}",
    )


def _status_rule(allowed: tuple[str, ...], enum_name: str) -> Callable[[object, str], None]:
    def check(value: object, field: str) -> None:
        if not isinstance(value, str) or str(value) not in allowed:
            raise RequestValidationError(
                field,
                ErrorCode.VALIDATION_ERROR,
                f"{field} must be an {enum_name}: one of {', '.join(allowed)}, got {_shown(value)}",
            )

    return check


_appointment_status = _status_rule(_APPOINTMENT_STATUSES, "AppointmentStatus")
_request_status = _status_rule(_REQUEST_STATUSES, "AppointmentRequestStatus")


def _optional_uuid(*names: str) -> tuple[Rule, ...]:
    return tuple(Rule(name, validate_uuid, required=False) for name in names)


_APPOINTMENT_FIELDS = (
    *_optional_uuid("contact_uuid"),
    Rule("status", _appointment_status, required=False),
)

# The paths marked inferred come from a third-party client of the API, not from the
# reference: correcting one is a one-line change here.
APPOINTMENTS_LIST = Endpoint(
    "appointments.list", "GET", "/appointments", rules=paging_rules(100), source="inferred"
)
APPOINTMENTS_CREATE = Endpoint(
    "appointments.create",
    "POST",
    "/appointments",
    rules=(
        Rule("schedule_uuid", validate_uuid),
        Rule("title", _text),
        Rule("start_time", _wall_time_rule),
        Rule("end_time", _wall_time_rule),
        *_APPOINTMENT_FIELDS,
    ),
)
APPOINTMENTS_UPDATE = Endpoint(
    "appointments.update",
    "PUT",
    "/appointments/{appointment_id}",
    rules=(
        *uuid_path("appointment_id"),
        *_optional_uuid("schedule_uuid"),
        Rule("title", _text, required=False),
        Rule("start_time", _wall_time_rule, required=False),
        Rule("end_time", _wall_time_rule, required=False),
        *_APPOINTMENT_FIELDS,
    ),
    source="inferred",
)
APPOINTMENTS_DELETE = Endpoint(
    "appointments.delete",
    "DELETE",
    "/appointments/{appointment_id}",
    rules=uuid_path("appointment_id"),
    source="inferred",
)
APPOINTMENTS_SET_STATUS = Endpoint(
    "appointments.set_status",
    "POST",
    "/appointments/{appointment_id}/status",
    rules=(*uuid_path("appointment_id"), Rule("status", _appointment_status)),
    source="inferred",
)

REQUESTS_LIST = Endpoint(
    "appointment_requests.list",
    "GET",
    "/appointment-requests",
    rules=paging_rules(
        100,
        Rule("status", _request_status, "params", required=False),
        Rule("schedule_uuid", validate_uuid, "params", required=False),
        Rule("start_date", _day_rule, "params", required=False),
        Rule("end_date", _day_rule, "params", required=False),
    ),
)
REQUESTS_CREATE = Endpoint(
    "appointment_requests.create",
    "POST",
    "/appointment-requests",
    rules=(
        Rule("schedule_uuid", validate_uuid),
        Rule("title", _text),
        Rule("start_time", _wall_time_rule),
        Rule("end_time", _wall_time_rule, required=False),
        *_optional_uuid("contact_uuid"),
    ),
)
REQUESTS_GET = Endpoint(
    "appointment_requests.get",
    "GET",
    "/appointment-requests/{request_id}",
    rules=uuid_path("request_id"),
)

SCHEDULES_LIST = Endpoint(
    "schedules.list", "GET", "/schedules", rules=paging_rules(100), source="inferred"
)
SCHEDULES_UPDATE = Endpoint(
    "schedules.update",
    "PUT",
    "/schedules/{schedule_id}",
    rules=(*uuid_path("schedule_id"), *_optional_uuid("availability_type_uuid")),
)

_appointment = decoder(Appointment)
_request = decoder(AppointmentRequest)


def wall_time(value: Any) -> Any:
    """A datetime as the API writes times, "YYYY-MM-DD HH:MM:SS": an aware one in UTC
    (the API answers these times in UTC), a naive one as it reads. Anything else is
    passed on as given, for the endpoint's rule to judge."""
    if isinstance(value, datetime):
        if value.utcoffset() is not None:
            value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")
    return value


def _day(value: Any) -> Any:
    # A datetime is a date too: its calendar day is meant, not its time.
    if isinstance(value, datetime):
        value = value.date()
    return value.isoformat() if isinstance(value, date) else value


def _value(value: Any) -> Any:
    """Enum members and UUIDs as their strings; anything else as given."""
    if isinstance(value, (AppointmentStatus, AppointmentRequestStatus)):
        return value.value
    return str(value) if isinstance(value, uuid.UUID) else value


def _appointment_body(**values: Any) -> dict[str, Any]:
    values["start_time"] = wall_time(values.get("start_time"))
    values["end_time"] = wall_time(values.get("end_time"))
    return fields(**{key: _value(value) for key, value in values.items()})


class Appointments(Resource):
    """Appointments booked on a schedule: `list`, `create`, `update`, `delete`, and
    `set_status`. Only `create` is in the API reference; the others are the paths a
    third-party client of the API uses (inferred: see the README's coverage table).

    Times go on the wire as "YYYY-MM-DD HH:MM:SS": pass a `datetime` (an aware one
    is sent in UTC, a naive one as it reads) or a string in exactly that form;
    anything else is refused before sending, naming the field.
    """

    __slots__ = ()

    def list(
        self,
        *,
        per_page: int | None = None,
        page: int = 1,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> AsyncPager[Appointment]:
        """The workspace's appointments (inferred path): `await` for one `Page`,
        `async for` for every appointment. The API answers with a bare array; with
        `per_page` (at most 100) the walk ends on the first page shorter than it."""
        return self._pager(
            APPOINTMENTS_LIST,
            Appointment,
            page=page,
            per_page=per_page,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )

    async def create(
        self,
        *,
        schedule_uuid: str | Any,
        title: str,
        start_time: datetime | str,
        end_time: datetime | str,
        contact_uuid: str | Any | None = None,
        description: str | None = None,
        status: AppointmentStatus | str | None = None,
        notes: str | None = None,
        custom_answers: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Appointment:
        """Book an appointment titled `title` on the schedule `schedule_uuid` (a UUID),
        from `start_time` to `end_time`, optionally for the contact `contact_uuid`.

        `status` is an `AppointmentStatus` or its value ("approved", "pending",
        "cancelled"); `custom_answers` answers the schedule's booking questions.
        Ids, times and status are checked before sending. Returns the `Appointment`.
        """
        payload = _appointment_body(
            schedule_uuid=schedule_uuid,
            title=title,
            start_time=start_time,
            end_time=end_time,
            contact_uuid=contact_uuid,
            description=description,
            status=status,
            notes=notes,
            custom_answers=None if custom_answers is None else dict(custom_answers),
        )
        result: Appointment = await self._send(
            APPOINTMENTS_CREATE,
            _appointment,
            json=payload,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result

    async def update(
        self,
        appointment_id: str | Any,
        *,
        schedule_uuid: str | Any | None = None,
        title: str | None = None,
        start_time: datetime | str | None = None,
        end_time: datetime | str | None = None,
        contact_uuid: str | Any | None = None,
        description: str | None = None,
        status: AppointmentStatus | str | None = None,
        notes: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **body: Any,
    ) -> Appointment:
        """Change the appointment `appointment_id` (a UUID; inferred path): only the
        fields given are sent, checked as in `create`; other keyword arguments go
        into the body as given. Returns the appointment as updated;
        `NotFoundError` when there is none."""
        payload = _appointment_body(
            schedule_uuid=schedule_uuid,
            title=title,
            start_time=start_time,
            end_time=end_time,
            contact_uuid=contact_uuid,
            description=description,
            status=status,
            notes=notes,
        )
        payload.update(body)
        result: Appointment = await self._send(
            APPOINTMENTS_UPDATE,
            with_id(Appointment, appointment_id),
            path={"appointment_id": appointment_id},
            json=payload,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result

    async def delete(
        self,
        appointment_id: str | Any,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> None:
        """Delete the appointment `appointment_id` (a UUID; inferred path);
        `NotFoundError` when there is none."""
        await self._send(
            APPOINTMENTS_DELETE,
            None,
            path={"appointment_id": appointment_id},
            extra_headers=extra_headers,
            extra_query=extra_query,
        )

    async def set_status(
        self,
        appointment_id: str | Any,
        status: AppointmentStatus | str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Appointment:
        """Approve, hold or cancel the appointment `appointment_id` (a UUID; inferred
        path). `status` is an `AppointmentStatus` or its value ("approved",
        "pending", "cancelled"); any other is refused before sending. Returns the
        appointment with its new status."""
        result: Appointment = await self._send(
            APPOINTMENTS_SET_STATUS,
            with_id(Appointment, appointment_id),
            path={"appointment_id": appointment_id},
            json={"status": _value(status)},
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result


class AppointmentRequests(Resource):
    """Appointment requests, proposed bookings to review before they become
    appointments: `list`, `create`, `get`."""

    __slots__ = ()

    def list(
        self,
        *,
        status: AppointmentRequestStatus | str | None = None,
        schedule_uuid: str | Any | None = None,
        start_date: date | str | None = None,
        end_date: date | str | None = None,
        per_page: int | None = None,
        page: int = 1,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> AsyncPager[AppointmentRequest]:
        """Appointment requests, filtered by `status` (an `AppointmentRequestStatus` or
        its value: "pending", "approved", "rejected"), `schedule_uuid` (a UUID), and
        `start_date`/`end_date` (dates, or "YYYY-MM-DD"): all checked before sending.

        `await` for one `Page`, `async for` for every request. The API answers with a
        bare array; with `per_page` (at most 100) the walk ends on the first page
        shorter than it.
        """
        return self._pager(
            REQUESTS_LIST,
            AppointmentRequest,
            params={
                "status": _value(status),
                "schedule_uuid": _value(schedule_uuid),
                "start_date": _day(start_date),
                "end_date": _day(end_date),
            },
            page=page,
            per_page=per_page,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )

    async def create(
        self,
        *,
        schedule_uuid: str | Any,
        title: str,
        start_time: datetime | str,
        end_time: datetime | str | None = None,
        contact_uuid: str | Any | None = None,
        contact_name: str | None = None,
        contact_surname: str | None = None,
        contact_email: str | None = None,
        contact_phone: str | None = None,
        description: str | None = None,
        notes: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> AppointmentRequest:
        """Propose a booking titled `title` on the schedule `schedule_uuid` (a UUID) at
        `start_time` (in the future), until `end_time` (the schedule's default
        duration when not given). Times as in `client.appointments.create`.

        Name the contact by `contact_uuid`, or give `contact_name` and
        `contact_email` (and optionally `contact_surname`, `contact_phone`) for the
        API to find or create one; neither is refused before sending. Returns the
        new `AppointmentRequest`, status "pending".
        """
        payload = _appointment_body(
            schedule_uuid=schedule_uuid,
            title=title,
            start_time=start_time,
            end_time=end_time,
            contact_uuid=contact_uuid,
            contact_name=contact_name,
            contact_surname=contact_surname,
            contact_email=contact_email,
            contact_phone=contact_phone,
            description=description,
            notes=notes,
        )
        sent = {**payload, **(extra_body or {})}
        if sent.get("contact_uuid") is None:
            for field in ("contact_name", "contact_email"):
                if not isinstance(sent.get(field), str) or not sent[field].strip():
                    raise RequestValidationError(
                        field,
                        ErrorCode.VALIDATION_ERROR,
                        f"{field} is required without a contact_uuid: name an existing"
                        " contact by contact_uuid, or give contact_name and contact_email",
                    )
        result: AppointmentRequest = await self._send(
            REQUESTS_CREATE,
            _request,
            json=payload,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result

    async def get(
        self,
        request_id: str | Any,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> AppointmentRequest:
        """The appointment request `request_id` (a UUID); `NotFoundError` when there
        is none."""
        result: AppointmentRequest = await self._send(
            REQUESTS_GET,
            _request,
            path={"request_id": request_id},
            extra_headers=extra_headers,
            extra_query=extra_query,
        )
        return result


class Schedules(Resource):
    """Schedules, the calendars appointments are booked on: `list` (inferred path)
    and `update`. Schedules are made in the dashboard."""

    __slots__ = ()

    def list(
        self,
        *,
        per_page: int | None = None,
        page: int = 1,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
    ) -> AsyncPager[Schedule]:
        """The workspace's schedules (inferred path): `await` for one `Page`,
        `async for` for every schedule. The API answers with a bare array; with
        `per_page` (at most 100) the walk ends on the first page shorter than it."""
        return self._pager(
            SCHEDULES_LIST,
            Schedule,
            page=page,
            per_page=per_page,
            extra_headers=extra_headers,
            extra_query=extra_query,
        )

    async def update(
        self,
        schedule_id: str | Any,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> Schedule:
        """Update the schedule `schedule_id` (a UUID) with the given fields, sent as
        given: `name`, `type` ("appointment"), `color`, `availability_type_uuid` (a
        UUID, checked before sending), `ai_agents` and `human_agents` (lists of
        ids), `custom_questions` (`[{"name", "type", "required", "description"}]`).
        Returns the schedule; `NotFoundError` when there is none."""
        result: Schedule = await self._send(
            SCHEDULES_UPDATE,
            with_id(Schedule, schedule_id),
            path={"schedule_id": schedule_id},
            json={key: _value(value) for key, value in fields.items()},
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
        )
        return result
