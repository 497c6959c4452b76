"""appointments, appointment_requests and schedules: requests, decoding, the fake, paging."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
import respx
from support import ok

import mindhunters_async as mh
from mindhunters_async._models.scheduling import (
    Appointment,
    AppointmentRequest,
    AppointmentRequestStatus,
    AppointmentStatus,
    Schedule,
)
from mindhunters_async.testing import FakeMindhunters

pytestmark = pytest.mark.anyio

SCHEDULE_ID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
APPOINTMENT_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
REQUEST_ID = "550e8400-e29b-41d4-a716-446655440000"
CONTACT_ID = "660e8400-e29b-41d4-a716-446655440001"
UNKNOWN = "00000000-0000-4000-8000-00000000dead"
START = datetime(2030, 12, 1, 10, 0, tzinfo=timezone.utc)
END = datetime(2030, 12, 1, 11, 0, tzinfo=timezone.utc)


def body_of(route: respx.Route) -> Any:
    return json.loads(route.calls.last.request.content)


# Appointments, request by request -----------------------------------------------------------

APPOINTMENT = {
    "uuid": APPOINTMENT_ID,
    "schedule_uuid": SCHEDULE_ID,
    "title": "Team Meeting",
    "start_time": "2030-12-01T10:00:00.000000Z",
    "end_time": "2030-12-01T11:00:00.000000Z",
    "status": "approved",
}


async def test_create_formats_the_times_and_reads_the_appointment(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.post("/appointments").mock(return_value=ok(APPOINTMENT, status=201))
    istanbul = timezone(timedelta(hours=3))
    appointment = await client.appointments.create(
        schedule_uuid=uuid.UUID(SCHEDULE_ID),
        title="Team Meeting",
        start_time=datetime(2030, 12, 1, 13, 0, 0, 999, tzinfo=istanbul),  # 10:00 UTC
        end_time="2030-12-01 11:00:00",
        contact_uuid=CONTACT_ID,
        status=AppointmentStatus.APPROVED,
        custom_answers={"Reason for visit": "Checkup"},
    )
    assert body_of(route) == {
        "schedule_uuid": SCHEDULE_ID,
        "title": "Team Meeting",
        "start_time": "2030-12-01 10:00:00",
        "end_time": "2030-12-01 11:00:00",
        "contact_uuid": CONTACT_ID,
        "status": "approved",
        "custom_answers": {"Reason for visit": "Checkup"},
    }
    assert appointment == Appointment(
        id=APPOINTMENT_ID,
        schedule_uuid=SCHEDULE_ID,
        title="Team Meeting",
        start_time=START,
        end_time=END,
        status="approved",
    )


async def test_a_naive_datetime_is_sent_as_it_reads(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.post("/appointments").mock(return_value=ok(APPOINTMENT, status=201))
    await client.appointments.create(
        schedule_uuid=SCHEDULE_ID,
        title="T",
        start_time=datetime(2030, 12, 1, 9, 5, 7),
        end_time=datetime(2030, 12, 1, 9, 35),
    )
    assert body_of(route)["start_time"] == "2030-12-01 09:05:07"
    assert body_of(route)["end_time"] == "2030-12-01 09:35:00"


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"start_time": "2030-12-01T10:00:00"}, "start_time"),
        ({"start_time": "2030-12-01 10:00"}, "start_time"),
        ({"start_time": "2030-13-01 10:00:00"}, "start_time"),
        ({"end_time": date(2030, 12, 1)}, "end_time"),
        ({"end_time": 1893456000}, "end_time"),
        ({"schedule_uuid": "schedule-1"}, "schedule_uuid"),
        ({"contact_uuid": "42"}, "contact_uuid"),
        ({"title": " "}, "title"),
        ({"status": "done"}, "status"),
    ],
)
async def test_create_input_is_checked_before_sending(
    api: respx.MockRouter, client: mh.AsyncMindhunters, arguments: dict[str, Any], field: str
) -> None:
    route = api.post("/appointments").mock(return_value=ok(APPOINTMENT))
    call = {
        "schedule_uuid": SCHEDULE_ID,
        "title": "T",
        "start_time": START,
        "end_time": END,
        **arguments,
    }
    with pytest.raises(mh.RequestValidationError) as info:
        await client.appointments.create(**call)
    assert info.value.field == field
    assert not route.called


async def test_update_puts_only_the_given_fields_and_reads_an_empty_answer(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.put(f"/appointments/{APPOINTMENT_ID}").mock(return_value=ok({}))
    appointment = await client.appointments.update(
        APPOINTMENT_ID, end_time=END + timedelta(minutes=30), notes="Bring the car", room="B"
    )
    assert body_of(route) == {
        "end_time": "2030-12-01 11:30:00",
        "notes": "Bring the car",
        "room": "B",
    }
    assert appointment == Appointment(id=APPOINTMENT_ID)


async def test_delete_and_set_status_send_their_requests(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    deleted = api.delete(f"/appointments/{APPOINTMENT_ID}").mock(return_value=ok({}))
    status = api.post(f"/appointments/{APPOINTMENT_ID}/status").mock(
        return_value=ok({**APPOINTMENT, "status": "cancelled"})
    )
    changed = await client.appointments.set_status(APPOINTMENT_ID, AppointmentStatus.CANCELLED)
    pending = await client.appointments.set_status(APPOINTMENT_ID, "pending")
    await client.appointments.delete(uuid.UUID(APPOINTMENT_ID))
    assert [json.loads(call.request.content) for call in status.calls] == [
        {"status": "cancelled"},
        {"status": "pending"},
    ]
    assert deleted.calls.last.request.method == "DELETE"
    assert changed.status == pending.status == "cancelled"  # what the server said


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.appointments.set_status(APPOINTMENT_ID, "done"), "status"),
        (lambda c: c.appointments.set_status(APPOINTMENT_ID, "APPROVED"), "status"),
        (lambda c: c.appointments.set_status(APPOINTMENT_ID, None), "status"),
        (lambda c: c.appointments.set_status("appt-1", "approved"), "appointment_id"),
        (lambda c: c.appointments.update("appt-1", title="T"), "appointment_id"),
        (lambda c: c.appointments.update(APPOINTMENT_ID, start_time="tomorrow"), "start_time"),
        (lambda c: c.appointments.delete("appt-1"), "appointment_id"),
    ],
)
async def test_appointment_ids_and_status_are_checked_before_sending(
    api: respx.MockRouter, client: mh.AsyncMindhunters, call: Any, field: str
) -> None:
    route = api.route(url__regex=r".*/appointments.*").mock(return_value=ok({}))
    with pytest.raises(mh.RequestValidationError) as info:
        await call(client)
    assert info.value.field == field
    assert not route.called


async def test_list_reads_a_bare_array(api: respx.MockRouter, client: mh.AsyncMindhunters) -> None:
    route = api.get("/appointments").mock(return_value=ok([APPOINTMENT]))
    page = await client.appointments.list(per_page=10, page=2)
    assert dict(route.calls.last.request.url.params) == {"page": "2", "per_page": "10"}
    assert [item.id for item in page.items] == [APPOINTMENT_ID]
    assert page.current_page == 2
    assert not page.has_next_page


# Appointment requests, request by request ---------------------------------------------------

REQUEST = {
    "uuid": REQUEST_ID,
    "title": "Medical Consultation",
    "description": "Annual checkup",
    "start_time": "2030-11-25T10:00:00.000000Z",
    "end_time": "2030-11-25T10:30:00.000000Z",
    "status": "pending",
    "notes": "Prefers mornings",
    "schedule": {"id": 5, "name": "Dr. Smith - General Practice"},
    "contact": {"id": 123, "uuid": CONTACT_ID, "name": "John", "surname": "Doe"},
    "created_at": "2030-11-23T08:00:00.000000Z",
}


async def test_requests_list_sends_the_filters_and_reads_a_bare_array(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.get("/appointment-requests").mock(return_value=ok([REQUEST], message=""))
    page = await client.appointment_requests.list(
        status=AppointmentRequestStatus.PENDING,
        schedule_uuid=uuid.UUID(SCHEDULE_ID),
        start_date=datetime(2030, 11, 1, 23, 0, tzinfo=timezone.utc),
        end_date="2030-11-30",
    )
    assert dict(route.calls.last.request.url.params) == {
        "status": "pending",
        "schedule_uuid": SCHEDULE_ID,
        "start_date": "2030-11-01",
        "end_date": "2030-11-30",
        "page": "1",
    }
    (request,) = page.items
    assert request == AppointmentRequest(
        id=REQUEST_ID,
        title="Medical Consultation",
        description="Annual checkup",
        start_time=datetime(2030, 11, 25, 10, 0, tzinfo=timezone.utc),
        end_time=datetime(2030, 11, 25, 10, 30, tzinfo=timezone.utc),
        status="pending",
        notes="Prefers mornings",
        schedule=REQUEST["schedule"],
        contact=REQUEST["contact"],
        created_at=datetime(2030, 11, 23, 8, 0, tzinfo=timezone.utc),
    )


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"status": "cancelled"}, "status"),
        ({"schedule_uuid": "5"}, "schedule_uuid"),
        ({"start_date": "2030/11/01"}, "start_date"),
        ({"end_date": "2030-02-30"}, "end_date"),
        ({"per_page": 101}, "per_page"),
    ],
)
async def test_requests_list_filters_are_checked_before_sending(
    api: respx.MockRouter, client: mh.AsyncMindhunters, arguments: dict[str, Any], field: str
) -> None:
    route = api.get("/appointment-requests").mock(return_value=ok([]))
    with pytest.raises(mh.RequestValidationError) as info:
        await client.appointment_requests.list(**arguments)
    assert info.value.field == field
    assert not route.called


async def test_requests_create_and_get_send_their_requests(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    created = api.post("/appointment-requests").mock(return_value=ok({"id": 1, **REQUEST}))
    fetched = api.get(f"/appointment-requests/{REQUEST_ID}").mock(return_value=ok(REQUEST))
    new = await client.appointment_requests.create(
        schedule_uuid=SCHEDULE_ID,
        title="Medical Consultation",
        start_time="2030-11-25 10:00:00",
        contact_name="John",
        contact_email="john.doe@example.com",
        contact_phone="+1-555-0100",
    )
    got = await client.appointment_requests.get(uuid.UUID(REQUEST_ID))
    assert body_of(created) == {
        "schedule_uuid": SCHEDULE_ID,
        "title": "Medical Consultation",
        "start_time": "2030-11-25 10:00:00",
        "contact_name": "John",
        "contact_email": "john.doe@example.com",
        "contact_phone": "+1-555-0100",
    }
    assert fetched.calls.last.request.content == b""
    # Laravel's integer `id` comes first; the uuid is the id.
    assert new.id == got.id == REQUEST_ID


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({}, "contact_name"),
        ({"contact_name": "John"}, "contact_email"),
        ({"contact_uuid": "john"}, "contact_uuid"),
        ({"contact_uuid": CONTACT_ID, "start_time": "2030-11-25"}, "start_time"),
        ({"contact_uuid": CONTACT_ID, "end_time": "soon"}, "end_time"),
    ],
)
async def test_requests_create_input_is_checked_before_sending(
    api: respx.MockRouter, client: mh.AsyncMindhunters, arguments: dict[str, Any], field: str
) -> None:
    route = api.route(url__regex=r".*/appointment-requests.*").mock(return_value=ok(REQUEST))
    call = {"schedule_uuid": SCHEDULE_ID, "title": "T", "start_time": START, **arguments}
    with pytest.raises(mh.RequestValidationError) as info:
        await client.appointment_requests.create(**call)
    assert info.value.field == field
    assert not route.called


async def test_a_contact_uuid_in_extra_body_names_the_contact(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    route = api.post("/appointment-requests").mock(return_value=ok(REQUEST))
    contact = {"contact_uuid": CONTACT_ID}
    await client.appointment_requests.create(
        schedule_uuid=SCHEDULE_ID, title="T", start_time=START, extra_body=contact
    )
    assert body_of(route)["contact_uuid"] == CONTACT_ID


# Schedules, request by request --------------------------------------------------------------


async def test_schedules_list_and_update_send_their_requests(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    schedule = {"uuid": SCHEDULE_ID, "name": "Service", "type": "appointment"}
    listed = api.get("/schedules").mock(return_value=ok([schedule]))
    updated = api.put(f"/schedules/{SCHEDULE_ID}").mock(return_value=ok({}))
    page = await client.schedules.list()
    changed = await client.schedules.update(
        SCHEDULE_ID,
        name="Service",
        availability_type_uuid=uuid.UUID(CONTACT_ID),
        custom_questions=[{"name": "Plate", "type": "text", "required": True}],
    )
    assert dict(listed.calls.last.request.url.params) == {"page": "1"}
    assert page.items == (Schedule(id=SCHEDULE_ID, name="Service", type="appointment"),)
    assert body_of(updated) == {
        "name": "Service",
        "availability_type_uuid": CONTACT_ID,
        "custom_questions": [{"name": "Plate", "type": "text", "required": True}],
    }
    assert changed == Schedule(id=SCHEDULE_ID)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.schedules.update("main", name="x"), "schedule_id"),
        (
            lambda c: c.schedules.update(SCHEDULE_ID, availability_type_uuid="t"),
            "availability_type_uuid",
        ),
        (lambda c: c.schedules.list(per_page=0), "per_page"),
    ],
)
async def test_schedule_input_is_checked_before_sending(
    api: respx.MockRouter, client: mh.AsyncMindhunters, call: Any, field: str
) -> None:
    route = api.route(url__regex=r".*/schedules.*").mock(return_value=ok([]))
    with pytest.raises(mh.RequestValidationError) as info:
        await call(client)
    assert info.value.field == field
    assert not route.called


# Against the fake ---------------------------------------------------------------------------


async def test_appointments_against_the_fake() -> None:
    fake = FakeMindhunters()
    schedule = fake.add_record("schedules", name="Service")
    async with fake.client() as client:
        made = await client.appointments.create(
            schedule_uuid=schedule, title="Oil change", start_time=START, end_time=END
        )
        moved = await client.appointments.update(made.id, end_time=END + timedelta(hours=1))
        cancelled = await client.appointments.set_status(made.id, "cancelled")
        listed = await client.appointments.list()
        with pytest.raises(mh.NotFoundError):
            await client.appointments.create(
                schedule_uuid=UNKNOWN, title="T", start_time=START, end_time=END
            )
        with pytest.raises(mh.UnprocessableEntityError) as backwards:
            await client.appointments.update(made.id, end_time=START - timedelta(hours=1))
        await client.appointments.delete(made.id)
        with pytest.raises(mh.NotFoundError):
            await client.appointments.set_status(made.id, "approved")
        with pytest.raises(mh.NotFoundError):
            await client.appointments.delete(made.id)
    assert (made.status, made.start_time, made.end_time) == ("approved", START, END)
    assert moved.end_time == END + timedelta(hours=1)
    assert cancelled.status == "cancelled"
    assert [item.id for item in listed.items] == [made.id]
    assert listed.items[0].status == "cancelled"
    assert backwards.value.field == "end_time"
    assert fake.records("appointments") == {}


async def test_appointment_requests_against_the_fake() -> None:
    fake = FakeMindhunters(clock=lambda: datetime(2030, 1, 1, tzinfo=timezone.utc).timestamp())
    clinic = fake.add_record("schedules", name="Clinic", default_duration=45)
    other = fake.add_record("schedules", name="Other")
    async with fake.client() as client:
        new = await client.appointment_requests.create(
            schedule_uuid=clinic,
            title="Checkup",
            start_time="2030-02-01 09:00:00",
            contact_name="Ann",
            contact_email="ann@example.com",
        )
        again = await client.appointment_requests.create(
            schedule_uuid=other,
            title="Follow-up",
            start_time="2030-03-01 09:00:00",
            end_time="2030-03-01 09:15:00",
            contact_name="Ann",
            contact_email="ann@example.com",
        )
        got = await client.appointment_requests.get(new.id)
        in_february = await client.appointment_requests.list(end_date="2030-02-28")
        for_other = await client.appointment_requests.list(
            schedule_uuid=other, status="pending", start_date=date(2030, 3, 1)
        )
        with pytest.raises(mh.UnprocessableEntityError) as past:
            await client.appointment_requests.create(
                schedule_uuid=clinic,
                title="Too late",
                start_time="2029-12-31 09:00:00",
                contact_uuid=new.contact_uuid,
            )
        with pytest.raises(mh.NotFoundError):
            await client.appointment_requests.get(UNKNOWN)
    assert got == new
    assert (new.status, new.end_time) == (
        "pending",
        datetime(2030, 2, 1, 9, 45, tzinfo=timezone.utc),
    )
    # Both requests name the one contact the first created from its email.
    assert new.contact_uuid == again.contact_uuid
    assert [c["email"] for c in fake.records("contacts").values()] == ["ann@example.com"]
    assert [r.id for r in in_february.items] == [new.id]
    assert [r.id for r in for_other.items] == [again.id]
    assert past.value.field == "start_time"


async def test_schedules_against_the_fake() -> None:
    fake = FakeMindhunters()
    schedule = fake.add_record("schedules", name="Service", type="appointment")
    async with fake.client() as client:
        renamed = await client.schedules.update(schedule, name="Workshop", color="#ff0000")
        listed = await client.schedules.list()
        with pytest.raises(mh.NotFoundError):
            await client.schedules.update(UNKNOWN, name="nobody")
    assert (renamed.id, renamed.name, renamed.color, renamed.type) == (
        schedule,
        "Workshop",
        "#ff0000",
        "appointment",
    )
    assert listed.items == (renamed,)


# Every list: a 3-page walk, one request a page ------------------------------------------------


def _seed_appointments(fake: FakeMindhunters) -> None:
    schedule = fake.add_record("schedules", name="Service")
    for day in range(1, 6):
        fake.add_record(
            "appointments",
            schedule_uuid=schedule,
            title=f"Visit {day}",
            start_time=f"2030-12-0{day} 10:00:00",
            end_time=f"2030-12-0{day} 11:00:00",
        )


def _seed_requests(fake: FakeMindhunters) -> None:
    for day in range(1, 6):
        fake.add_record(
            "appointment_requests", title=f"Request {day}", start_time=f"2030-12-0{day} 10:00:00"
        )


LISTS: dict[str, tuple[Callable[[FakeMindhunters], object], Callable[..., Any], str]] = {
    "appointments.list": (
        _seed_appointments,
        lambda client: client.appointments.list(per_page=2),
        "/appointments",
    ),
    "appointment_requests.list": (
        _seed_requests,
        lambda client: client.appointment_requests.list(per_page=2),
        "/appointment-requests",
    ),
    "schedules.list": (
        lambda fake: [fake.add_record("schedules", name=f"Schedule {i}") for i in range(5)],
        lambda client: client.schedules.list(per_page=2),
        "/schedules",
    ),
}


@pytest.mark.parametrize("name", list(LISTS))
async def test_a_three_page_bare_array_list_is_walked_one_request_a_page(name: str) -> None:
    fill, listing, path = LISTS[name]
    fake = FakeMindhunters()
    fill(fake)
    async with fake.client() as client:
        items = [item async for item in listing(client)]
        first = await listing(client)
    assert len({item.id for item in items}) == 5
    pages = [dict(r.query) for r in fake.requests_to("GET", path)]
    assert pages == [
        {"per_page": "2", "page": "1"},
        {"per_page": "2", "page": "2"},
        {"per_page": "2", "page": "3"},
        {"per_page": "2", "page": "1"},  # the awaited first page
    ]
    assert isinstance(first, mh.Page)
    assert len(first.items) == 2
