"""client.appointments, client.appointment_requests and client.schedules."""

from __future__ import annotations

from ._base import Resource

__all__ = ["AppointmentRequests", "Appointments", "Schedules"]


class Appointments(Resource):
    """TODO(issue 12)."""

    __slots__ = ()


class AppointmentRequests(Resource):
    """TODO(issue 12)."""

    __slots__ = ()


class Schedules(Resource):
    """TODO(issue 12)."""

    __slots__ = ()
