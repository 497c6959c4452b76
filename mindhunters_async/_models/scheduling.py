"""Appointments, appointment requests and the schedules they are booked on."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from .._config import TextEnum
from . import _aliases

__all__ = [
    "Appointment",
    "AppointmentRequest",
    "AppointmentRequestStatus",
    "AppointmentStatus",
    "Schedule",
]


class AppointmentStatus(TextEnum):
    """The statuses an appointment may be set to (`client.appointments.set_status`).

    Members compare equal to their string values ("approved", ...).
    """

    APPROVED = "approved"
    PENDING = "pending"
    CANCELLED = "cancelled"


class AppointmentRequestStatus(TextEnum):
    """The statuses of an appointment request, as `client.appointment_requests.list`
    filters them. Members compare equal to their string values."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


@attrs.frozen(slots=False)
class Appointment:
    """A booked appointment on a schedule.

    The API takes times as "YYYY-MM-DD HH:MM:SS" and answers with ISO-8601; both read
    as aware datetimes (UTC when the API sends no zone). `custom_answers` (the answers
    to the schedule's booking questions) is kept as the API sends it.
    """

    id: str = attrs.field(metadata=_aliases("uuid", "appointment_uuid"))
    schedule_uuid: str | None = None
    title: str | None = None
    description: str | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    contact_uuid: str | None = None
    status: str | None = None
    notes: str | None = None
    custom_answers: Any = None
    schedule: Any = None
    contact: Any = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@attrs.frozen(slots=False)
class AppointmentRequest:
    """A proposed booking, to be reviewed before it becomes an appointment.

    `status` is "pending", "approved" or "rejected". `schedule` (`{id, name}`) and
    `contact` (`{uuid, name, surname, email, phone_number}`) are kept as the API
    sends them.
    """

    id: str = attrs.field(metadata=_aliases("uuid", "appointment_request_uuid"))
    schedule_uuid: str | None = None
    title: str | None = None
    description: str | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    status: str | None = None
    notes: str | None = None
    contact_uuid: str | None = None
    schedule: Any = None
    contact: Any = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@attrs.frozen(slots=False)
class Schedule:
    """A calendar that appointments are booked on.

    `ai_agents` and `human_agents` are who serve it; `custom_questions` and
    `availability` are kept as the API sends them.
    """

    id: str = attrs.field(metadata=_aliases("uuid", "schedule_uuid"))
    name: str | None = None
    type: str | None = None
    color: str | None = None
    timezone: str | None = None
    availability_type_uuid: str | None = None
    ai_agents: Any = None
    human_agents: Any = None
    custom_questions: Any = None
    availability: Any = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
