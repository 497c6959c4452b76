"""calls.reconcile / calls.find_placed: placed, not placed, or unsure, and never a guess."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone

import pytest
from support import RecordingSleep

import mindhunters_async as mh
from mindhunters_async._bulk import Verdict, number_of
from mindhunters_async._models import Call
from mindhunters_async.testing import FakeMindhunters, Fault, ManualClock

pytestmark = pytest.mark.anyio

AGENT = FakeMindhunters.DEFAULT_AGENT_ID
NUMBER = "+14155552671"


@pytest.fixture
def fake() -> FakeMindhunters:
    # On the wall clock's time, so that the fake's timestamps and the SDK's agree.
    return FakeMindhunters(clock=ManualClock(time.time()), call_script=None)


@pytest.fixture
async def client(
    fake: FakeMindhunters, sleeps: RecordingSleep
) -> AsyncIterator[mh.AsyncMindhunters]:
    async with fake.client(retry=mh.RetryPolicy(sleep=sleeps)) as c:
        yield c


async def lost_answer(client: mh.AsyncMindhunters, number: str = NUMBER) -> mh.APIError:
    with pytest.raises(mh.APIError) as caught:
        await client.calls.create(agent_id=AGENT, participant={"number": number})
    assert caught.value.outcome_unknown
    return caught.value


@pytest.mark.parametrize(
    "fault", [Fault.READ_TIMEOUT_AFTER_COMMIT, Fault.INTERNAL_SERVER_ERROR_AFTER_COMMIT]
)
async def test_a_call_placed_behind_a_lost_answer_is_found(
    client: mh.AsyncMindhunters, fake: FakeMindhunters, fault: Fault
) -> None:
    fake.fail(fault, route="POST /call")
    err = await lost_answer(client)
    [placed] = fake.calls.values()

    found = await client.calls.reconcile(err)

    assert found.verdict is Verdict.PLACED
    assert found.placed
    assert found.call is not None
    assert found.call.id == placed.id
    assert number_of(found.call) == NUMBER
    assert len(fake.requests_to("POST", "/call")) == 1


async def test_a_dropped_connection_that_placed_nothing_is_not_placed_after_looking_again(
    client: mh.AsyncMindhunters, fake: FakeMindhunters, sleeps: RecordingSleep
) -> None:
    fake.fail(Fault.CONNECTION_DROPPED, route="POST /call")
    err = await lost_answer(client)
    assert fake.calls == {}

    found = await client.calls.reconcile(err, settle=5)

    assert found.verdict is Verdict.NOT_PLACED
    assert found.not_placed
    assert found.call is None
    # It looked again for the list to catch up, through the sleep hook: no real waiting.
    assert sum(sleeps.delays) == pytest.approx(5, abs=0.5)
    assert len(fake.requests_to("GET", "/calls")) == len(sleeps.delays) + 1


async def test_a_lagging_list_is_read_again_until_the_call_shows() -> None:
    fake = FakeMindhunters(clock=ManualClock(time.time()), call_script=None, call_list_lag=3)
    async with fake.client(retry=mh.RetryPolicy(sleep=RecordingSleep())) as client:
        fake.fail(Fault.READ_TIMEOUT_AFTER_COMMIT, route="POST /call")
        err = await lost_answer(client)
        assert (await client.calls.list()).items == ()

        found = await client.calls.reconcile(err, sleep=fake.advance)

    assert found.verdict is Verdict.PLACED
    assert found.call is not None
    assert found.call.id in fake.calls
    assert len(fake.requests_to("GET", "/calls")) > 2


async def test_calls_whose_number_the_list_does_not_show_leave_it_unsure() -> None:
    fake = FakeMindhunters(
        clock=ManualClock(time.time()), call_script=None, show_call_numbers=False
    )
    async with fake.client(retry=mh.RetryPolicy(sleep=RecordingSleep())) as client:
        fake.fail(Fault.READ_TIMEOUT_AFTER_COMMIT, route="POST /call")
        err = await lost_answer(client)

        found = await client.calls.reconcile(err)

    assert found.verdict is Verdict.UNSURE
    assert "do not show their number" in found.reason
    assert [c.id for c in found.candidates] == list(fake.calls)
    # It asked the single-call endpoint too before giving up.
    assert len(fake.requests_to("GET", f"/calls/{next(iter(fake.calls))}")) == 1


async def test_two_calls_to_the_number_in_the_window_leave_it_unsure(
    client: mh.AsyncMindhunters, fake: FakeMindhunters
) -> None:
    fake.add_call(NUMBER, direction="outbound", status="completed")
    fake.fail(Fault.READ_TIMEOUT_AFTER_COMMIT, route="POST /call")
    err = await lost_answer(client)

    found = await client.calls.reconcile(err)

    assert found.verdict is Verdict.UNSURE
    assert len(found.candidates) == 2


async def test_older_calls_and_other_numbers_and_inbound_calls_do_not_match(
    client: mh.AsyncMindhunters, fake: FakeMindhunters
) -> None:
    an_hour_ago = datetime.now(timezone.utc) - timedelta(hours=1)
    fake.add_call(NUMBER, direction="outbound", created_at=an_hour_ago)
    fake.add_call(NUMBER, direction="inbound")
    fake.add_call("+14155550000", direction="outbound")
    other_agent = fake.add_agent("Other")
    fake.add_call(NUMBER, direction="outbound", agent_id=other_agent)
    fake.fail(Fault.READ_TIMEOUT_AFTER_COMMIT, route="POST /call")
    err = await lost_answer(client)
    ours = [c.id for c in fake.calls.values() if c.body is not None]

    found = await client.calls.reconcile(err)

    assert found.verdict is Verdict.PLACED
    assert found.call is not None
    assert [found.call.id] == ours


async def test_the_walk_stops_at_the_first_call_older_than_the_window(
    client: mh.AsyncMindhunters, fake: FakeMindhunters
) -> None:
    old = datetime.now(timezone.utc) - timedelta(days=3)
    for index in range(250):
        fake.add_call(f"+1415555{index:04d}", direction="outbound", created_at=old)
    fake.fail(Fault.CONNECTION_DROPPED, route="POST /call")
    err = await lost_answer(client)

    found = await client.calls.reconcile(err, settle=0)

    assert found.verdict is Verdict.NOT_PLACED
    # One page of 100 showed a call older than the window: no need for pages 2 and 3.
    assert len(fake.requests_to("GET", "/calls")) == 1


@pytest.mark.parametrize("offset", [-7200.0, -3600.0, 3600.0, 7200.0])
async def test_a_server_clock_off_by_hours_leaves_it_unsure_never_not_placed(
    sleeps: RecordingSleep, offset: float
) -> None:
    # A server (or its Laravel time zone) hours off stamps the call outside the window
    # around the attempt: "not placed" there would ring the person twice.
    fake = FakeMindhunters(clock=ManualClock(time.time() + offset), call_script=None)
    async with fake.client(retry=mh.RetryPolicy(sleep=sleeps)) as client:
        fake.fail(Fault.READ_TIMEOUT_AFTER_COMMIT, route="POST /call")
        err = await lost_answer(client)
        found = await client.calls.reconcile(err, settle=0)

    assert len(fake.calls) == 1
    assert found.verdict is Verdict.UNSURE
    assert "outside the window" in found.reason


async def test_a_list_that_cannot_be_read_leaves_it_unsure(
    client: mh.AsyncMindhunters, fake: FakeMindhunters
) -> None:
    fake.fail(Fault.CONNECTION_DROPPED, route="POST /call")
    err = await lost_answer(client)
    fake.fail(Fault.INTERNAL_SERVER_ERROR, route="GET /calls", times=10)

    found = await client.calls.reconcile(err)

    assert found.verdict is Verdict.UNSURE
    assert "could not be read" in found.reason


async def test_an_error_whose_outcome_is_known_is_not_placed_without_looking(
    fake: FakeMindhunters,
) -> None:
    async with fake.client(max_retries=0) as client:
        fake.fail(Fault.RATE_LIMIT_EXCEEDED, route="POST /call")
        with pytest.raises(mh.RateLimitError) as caught:
            await client.calls.create(agent_id=AGENT, participant={"number": NUMBER})

        found = await client.calls.reconcile(caught.value)

    assert found.verdict is Verdict.NOT_PLACED
    assert fake.requests_to("GET", "/calls") == []


async def test_reconcile_takes_only_errors_of_calls_create(
    client: mh.AsyncMindhunters, fake: FakeMindhunters
) -> None:
    with pytest.raises(mh.NotFoundError) as caught:
        await client.calls.get("6ba7b810-9dad-11d1-80b4-00c04fd430c8")
    with pytest.raises(mh.ConfigurationError, match=r"calls\.create"):
        await client.calls.reconcile(caught.value)
    with pytest.raises(mh.ConfigurationError, match="APIError"):
        await client.calls.reconcile(ValueError("no"))  # type: ignore[arg-type]


async def test_find_placed_checks_its_arguments_and_answers_for_a_window(
    client: mh.AsyncMindhunters, fake: FakeMindhunters
) -> None:
    call = await client.calls.create(agent_id=AGENT, participant={"number": NUMBER})
    since = datetime.now(timezone.utc) - timedelta(minutes=1)

    found = await client.calls.find_placed(agent_id=AGENT, number=NUMBER, since=since)
    assert found.call is not None
    assert found.call.id == call.id

    later = await client.calls.find_placed(
        agent_id=AGENT, number="+14155550000", since=since.timestamp(), settle=0
    )
    assert later.verdict is Verdict.NOT_PLACED

    with pytest.raises(mh.RequestValidationError):
        await client.calls.find_placed(agent_id=AGENT, number="0415", since=since)
    with pytest.raises(mh.ConfigurationError, match="aware"):
        await client.calls.find_placed(agent_id=AGENT, number=NUMBER, since=datetime.now())


@pytest.mark.parametrize(
    ("fields", "number"),
    [
        ({"participant": {"number": NUMBER}}, NUMBER),
        ({"communication": NUMBER}, NUMBER),
        ({"communication": {"channel": "call", "number": NUMBER}}, NUMBER),
        ({"communication": {"from": "+14155550000", "to": "+1 (415) 555-2671"}}, NUMBER),
        ({"communication": {"phone_number": NUMBER}}, NUMBER),
        ({"communication": {"number": "4155552671"}}, None),  # national: not guessed at
        ({"communication": {"channel": "call"}}, None),
        ({"communication": ["+14155552671"]}, None),
        ({}, None),
    ],
)
def test_where_the_number_is_read_from(fields: dict[str, object], number: str | None) -> None:
    from mindhunters_async._converter import structure

    call = structure({"id": "x", **fields}, Call)
    assert number_of(call) == number
