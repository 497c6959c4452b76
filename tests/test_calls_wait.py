"""calls.wait: a call followed to its final status on the fake's clock, without real waits."""

from __future__ import annotations

import anyio
import pytest
from support import RecordingSleep

import mindhunters_async as mh
from mindhunters_async.testing import FakeMindhunters, ManualClock

pytestmark = pytest.mark.anyio

AGENT = FakeMindhunters.DEFAULT_AGENT_ID
NUMBER = "+14155552671"


@pytest.fixture
def fake() -> FakeMindhunters:
    return FakeMindhunters(clock=ManualClock())


async def place(client: mh.AsyncMindhunters) -> mh.Call:
    return await client.calls.create(agent_id=AGENT, participant={"number": NUMBER})


async def test_waits_for_the_end_on_the_fakes_clock(fake: FakeMindhunters) -> None:
    waits: list[float] = []

    async def advance(seconds: float) -> None:
        waits.append(seconds)
        await fake.advance(seconds)

    async with fake.client() as client:
        call = await place(client)
        done = await client.calls.wait(call.id, sleep=advance)
    assert (done.id, done.status, done.duration) == (call.id, "completed", 45)
    # Backoff: each wait half again the last, up to max_poll_interval (15 s).
    assert waits[:6] == [1.0, 1.5, 2.25, 3.375, 5.0625, 7.59375]
    assert max(waits) == 15.0
    assert 53 <= sum(waits) < 53 + 15
    assert len(fake.requests_to("GET", f"/calls/{call.id}")) == len(waits) + 1


@pytest.mark.parametrize("outcome", ["no-answer", "busy", "failed"])
async def test_a_scripted_outcome_is_final_too(fake: FakeMindhunters, outcome: str) -> None:
    fake.script_call(outcome)
    async with fake.client() as client:
        call = await place(client)
        done = await client.calls.wait(call.id, sleep=fake.advance)
    assert done.status == outcome


async def test_a_finished_call_is_returned_without_waiting(fake: FakeMindhunters) -> None:
    call_id = fake.add_call(status="completed")
    sleeps = RecordingSleep()
    async with fake.client() as client:
        done = await client.calls.wait(call_id, sleep=sleeps)
    assert done.status == "completed"
    assert sleeps.delays == []


async def test_gives_up_naming_the_last_status(fake: FakeMindhunters) -> None:
    fake.script_call(ring_after=0, answer_after=3600)
    async with fake.client() as client:
        call = await place(client)
        with pytest.raises(mh.APITimeoutError) as info:
            await client.calls.wait(call.id, timeout=30, sleep=fake.advance)
    assert "within 30s" in str(info.value)
    assert "the last status seen was 'ringing'" in str(info.value)
    assert not info.value.retryable


async def test_the_default_sleep_is_the_retry_policys(fake: FakeMindhunters) -> None:
    sleeps = RecordingSleep()
    async with fake.client(retry=mh.RetryPolicy(sleep=sleeps)) as client:
        call = await place(client)
        with pytest.raises(mh.APITimeoutError, match="'initiated'"):
            await client.calls.wait(call.id, timeout=10, max_poll_interval=4)
    # The clock never moved; the timeout counted the waits asked for, cut to fit.
    assert sleeps.delays == [1.0, 1.5, 2.25, 3.375, pytest.approx(1.875)]
    assert sum(sleeps.delays) == pytest.approx(10)


async def test_the_timeout_also_cuts_a_wait_short() -> None:
    fake = FakeMindhunters()

    async def never(seconds: float) -> None:
        await anyio.sleep_forever()

    async with fake.client() as client:
        call = await place(client)
        with pytest.raises(mh.APITimeoutError, match="'initiated'"):
            await client.calls.wait(call.id, timeout=0.05, sleep=never)


async def test_an_unknown_call_is_not_found(fake: FakeMindhunters) -> None:
    async with fake.client() as client:
        with pytest.raises(mh.NotFoundError):
            await client.calls.wait("6ba7b810-9dad-11d1-80b4-00c04fd430c8")


async def test_through_with_raw_response_it_still_returns_the_call(fake: FakeMindhunters) -> None:
    call_id = fake.add_call(status="busy")
    async with fake.client() as client:
        done = await client.calls.with_raw_response.wait(call_id)
    assert isinstance(done, mh.Call)
    assert done.status == "busy"


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("timeout", 0),
        ("timeout", -1),
        ("timeout", float("inf")),
        ("poll_interval", 0),
        ("max_poll_interval", float("nan")),
        ("timeout", True),
    ],
)
async def test_settings_are_checked_before_any_request(
    fake: FakeMindhunters, setting: str, value: float
) -> None:
    async with fake.client() as client:
        with pytest.raises(mh.RequestValidationError) as info:
            await client.calls.wait(FakeMindhunters.DEFAULT_AGENT_ID, **{setting: value})
    assert info.value.field == setting
    assert fake.requests == []


@pytest.mark.parametrize("status", ["Completed", "no_answer", "NO ANSWER", "cancelled", "BUSY"])
async def test_final_statuses_are_read_whatever_their_spelling(
    fake: FakeMindhunters, status: str
) -> None:
    # The API does not document its spellings: a "cancelled" call must not be polled
    # until the timeout.
    call_id = fake.add_call(status=status)
    sleeps = RecordingSleep()
    async with fake.client() as client:
        done = await client.calls.wait(call_id, sleep=sleeps)
    assert done.status == status
    assert sleeps.delays == []
