"""calls.create_many: a list called at most once each, through faults, cancellation and crashes."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from support import RecordingSleep

import mindhunters_async as mh
from mindhunters_async._bulk import DialResult, DialStatus
from mindhunters_async._journal import Claim, JournalState, SQLiteJournal
from mindhunters_async.middleware import Request
from mindhunters_async.testing import FakeMindhunters, Fault, ManualClock

pytestmark = pytest.mark.anyio

AGENT = FakeMindhunters.DEFAULT_AGENT_ID
FAULTS = (
    Fault.READ_TIMEOUT_AFTER_COMMIT,
    Fault.INTERNAL_SERVER_ERROR_AFTER_COMMIT,
    Fault.INTERNAL_SERVER_ERROR,
    Fault.RATE_LIMIT_EXCEEDED,
    Fault.SERVICE_UNAVAILABLE,
    Fault.CONNECTION_DROPPED,
    Fault.CONNECT_ERROR,
)


def number(index: int) -> str:
    return f"+1415555{index:04d}"


def leads(count: int) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"lead-{i}", {"agent_id": AGENT, "participant": {"number": number(i)}})
        for i in range(count)
    ]


class Clock:
    """The journal's clock: the wall clock, plus what a test adds to expire leases."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


@pytest.fixture
def fake() -> FakeMindhunters:
    return FakeMindhunters(clock=ManualClock(time.time()), call_script=None)


@pytest.fixture
def journal_clock() -> Clock:
    return Clock()


@pytest.fixture
async def journal(tmp_path: Path, journal_clock: Clock) -> AsyncIterator[SQLiteJournal]:
    async with SQLiteJournal(tmp_path / "dial.db", clock=journal_clock) as j:
        yield j


def faulty(fake: FakeMindhunters, seed: int, rate: float = 0.25) -> Any:
    """A per-attempt middleware that aims a random fault at some `POST /call` attempts."""
    chance = random.Random(seed)

    async def inject(request: Request, call_next: Any) -> httpx.Response:
        if request.method == "POST" and request.path.endswith("/call") and chance.random() < rate:
            fake.fail(chance.choice(FAULTS), route="POST /call")
        return await call_next(request)

    return inject


async def dial(
    client: mh.AsyncMindhunters,
    items: Iterable[tuple[str, dict[str, Any]]],
    journal: SQLiteJournal,
    *,
    stop_after: int | None = None,
    **options: Any,
) -> list[DialResult]:
    results: list[DialResult] = []
    with anyio.CancelScope() as scope:
        async with client.calls.create_many(items, journal=journal, **options) as run:
            async for result in run:
                results.append(result)
                if stop_after is not None and len(results) >= stop_after:
                    scope.cancel()
    return results


def ledger(fake: FakeMindhunters) -> Counter[str]:
    """How many times each number was called, by the fake's own record."""
    return Counter(call.number for call in fake.calls.values())


async def test_a_list_is_placed_once_and_a_second_run_skips_it(
    fake: FakeMindhunters, journal: SQLiteJournal
) -> None:
    async with fake.client() as client:
        first = await dial(client, leads(20), journal, concurrency=4)
        second = await dial(client, leads(20), journal, concurrency=4)

    assert Counter(r.status for r in first) == {DialStatus.PLACED: 20}
    assert sorted(r.key for r in first) == sorted(key for key, _ in leads(20))
    assert all(r.call is not None and r.call.id == r.call_id for r in first)
    assert Counter(r.status for r in second) == {DialStatus.SKIPPED: 20}
    assert {r.reason for r in second} == {"placed in an earlier run"}
    assert {r.call_id for r in second} == {r.call_id for r in first}
    assert len(fake.requests_to("POST", "/call")) == 20
    assert set(ledger(fake).values()) == {1}
    entries = await journal.entries()
    assert {e.state for e in entries} == {JournalState.PLACED}
    assert {e.call_id for e in entries} == set(fake.calls)
    # Each request carried its claim's token as the Idempotency-Key.
    assert {r.idempotency_key for r in fake.requests_to("POST", "/call")} == {
        e.token for e in entries
    }


async def test_three_hundred_leads_through_faults_cancelled_midway_then_run_again(
    fake: FakeMindhunters, journal: SQLiteJournal
) -> None:
    items = leads(300)
    sleeps = RecordingSleep()
    async with fake.client(
        retry=mh.RetryPolicy(sleep=sleeps), middleware=[faulty(fake, seed=16)]
    ) as client:
        first = await dial(client, items, journal, concurrency=5, stop_after=150, sleep=sleeps)
        # Cancelled midway: what was in flight is released (its lease ended), for the
        # next run to reconcile; nothing holds a live claim.
        midway = await journal.entries()
        assert len(first) == 150
        assert 150 <= len(midway) < 300
        assert all(
            e.lease_until <= journal.now() for e in midway if e.state is JournalState.CLAIMED
        )
        fake.clear_faults()
        second = await dial(client, items, journal, concurrency=5, sleep=sleeps)

    # No number was called twice.
    assert ledger(fake)
    assert set(ledger(fake).values()) == {1}
    entries = {e.key: e for e in await journal.entries()}
    assert set(entries) == {key for key, _ in items}
    # Every key ends placed, failed with a reason, or unknown with a reason.
    for entry in entries.values():
        assert entry.state in (JournalState.PLACED, JournalState.FAILED, JournalState.UNKNOWN)
        if entry.state is not JournalState.PLACED:
            assert entry.reason
    # Every call placed is known as placed: the numbers are shown, so nothing stays unsure.
    placed = {e.call_id: e for e in entries.values() if e.state is JournalState.PLACED}
    assert set(placed) == set(fake.calls)
    for call_id, entry in placed.items():
        assert fake.calls[call_id].number == entry.number
    assert JournalState.UNKNOWN not in {e.state for e in entries.values()}
    # The faults did their work: answers were lost, and reconciliation found the calls.
    assert any(r.reconciled for r in first + second)
    assert any(r.status is DialStatus.FAILED and r.retry_safe for r in first + second)
    # What the second run reported is what the journal says.
    last = {r.key: r for r in first + second}
    for key, result in last.items():
        state = entries[key].state
        if result.status is DialStatus.PLACED:
            assert state is JournalState.PLACED
        elif result.status is DialStatus.FAILED:
            assert state is JournalState.FAILED


async def test_a_key_left_unsure_is_not_dialed_again(
    tmp_path: Path, journal: SQLiteJournal
) -> None:
    fake = FakeMindhunters(
        clock=ManualClock(time.time()), call_script=None, show_call_numbers=False
    )
    async with fake.client() as client:
        fake.fail(Fault.READ_TIMEOUT_AFTER_COMMIT, route="POST /call")
        [first] = await dial(client, leads(1), journal)
        [second] = await dial(client, leads(1), journal)

    assert first.status is DialStatus.UNKNOWN
    assert first.retry_safe is False
    assert first.reason is not None
    assert "do not show their number" in first.reason
    assert second.status is DialStatus.UNKNOWN
    assert "left unknown by an earlier run" in (second.reason or "")
    assert len(fake.requests_to("POST", "/call")) == 1
    entry = await journal.get("lead-0")
    assert entry is not None
    assert entry.state is JournalState.UNKNOWN


async def test_a_key_left_unknown_is_not_dialed_even_when_the_list_later_shows_nothing(
    fake: FakeMindhunters, journal: SQLiteJournal
) -> None:
    # Run 1 cannot read the list: the key is left unknown. Run 2 reads a list without
    # the call; but an unknown key may have rung (the list may lag, or not show it):
    # it is never dialed again by itself.
    async with fake.client() as client:
        fake.fail(Fault.CONNECTION_DROPPED, route="POST /call")
        fake.fail(500, times=1000, route="GET /calls")
        [first] = await dial(client, leads(1), journal, settle=1, sleep=RecordingSleep())
        fake.clear_faults()
        [second] = await dial(client, leads(1), journal, settle=1, sleep=RecordingSleep())

    assert first.status is DialStatus.UNKNOWN
    assert second.status is DialStatus.UNKNOWN
    assert "never dialed again" in (second.reason or "")
    assert len(fake.requests_to("POST", "/call")) == 1
    entry = await journal.get("lead-0")
    assert entry is not None
    assert entry.state is JournalState.UNKNOWN


async def test_an_unknown_outcome_that_placed_nothing_fails_safe_and_is_dialed_next_run(
    fake: FakeMindhunters, journal: SQLiteJournal
) -> None:
    async with fake.client() as client:
        fake.fail(Fault.CONNECTION_DROPPED, route="POST /call")
        [first] = await dial(client, leads(1), journal, settle=1, sleep=RecordingSleep())
        [second] = await dial(client, leads(1), journal)

    assert first.status is DialStatus.FAILED
    assert first.retry_safe is True
    assert "reconciliation: not placed" in (first.reason or "")
    assert second.status is DialStatus.PLACED
    assert set(ledger(fake).values()) == {1}


async def test_refused_items_send_nothing(fake: FakeMindhunters, journal: SQLiteJournal) -> None:
    items: list[Any] = [
        ("bad-number", {"agent_id": AGENT, "participant": {"number": "0415 555"}}),
        ("not-a-pair",),
        ("", {"agent_id": AGENT, "participant": {"number": number(1)}}),
        ("no-args", None),
        (7, {"agent_id": AGENT, "participant": {"number": number(7)}}),
    ]
    async with fake.client() as client:
        results = {r.key: r for r in await dial(client, items, journal)}

    assert results["bad-number"].status is DialStatus.REFUSED
    assert isinstance(results["bad-number"].error, mh.RequestValidationError)
    assert results["('not-a-pair',)"].status is DialStatus.REFUSED
    assert results[""].status is DialStatus.REFUSED
    assert results["no-args"].status is DialStatus.REFUSED
    assert results["7"].status is DialStatus.PLACED
    assert len(fake.requests_to("POST", "/call")) == 1
    # Refused before the claim: a lead that would be refused leaves no entry behind.
    assert await journal.get("bad-number") is None
    assert (results["bad-number"].reason or "").startswith("refused before sending")


async def test_a_claim_whose_worker_died_is_taken_over_after_its_lease_and_reconciliation(
    fake: FakeMindhunters, journal: SQLiteJournal, journal_clock: Clock
) -> None:
    # A worker claimed three keys and died: it had placed lead-0's call, not lead-1's;
    # lead-2's claim is younger than its lease.
    for index, token in enumerate(("dead-0", "dead-1")):
        granted, _ = await journal.claim(
            Claim(
                key=f"lead-{index}",
                token=token,
                owner="dead-worker",
                agent_id=AGENT,
                number=number(index),
                now=time.time() - 1000,
                lease_until=time.time() - 700,
            ),
            retry_failed=True,
        )
        assert granted
    fake.add_call(number(0), direction="outbound")
    now = time.time()
    await journal.claim(
        Claim("lead-2", "live", "other-worker", AGENT, number(2), now, now + 300),
        retry_failed=True,
    )

    async with fake.client() as client:
        results = {r.key: r for r in await dial(client, leads(3), journal, settle=0)}

    assert results["lead-0"].status is DialStatus.SKIPPED
    assert results["lead-0"].reconciled
    assert results["lead-1"].status is DialStatus.PLACED
    assert results["lead-2"].status is DialStatus.SKIPPED
    assert results["lead-2"].reason == "claimed by another worker, still running"
    assert set(ledger(fake).values()) == {1}
    assert len(fake.requests_to("POST", "/call")) == 1

    # Once the live worker's lease runs out too, reconciliation decides for lead-2.
    journal_clock.offset = 600
    async with fake.client() as client:
        results = {r.key: r for r in await dial(client, leads(3), journal, settle=0)}
    assert results["lead-2"].status is DialStatus.PLACED
    assert set(ledger(fake).values()) == {1}


async def test_concurrency_is_bounded_and_items_may_be_async(
    fake: FakeMindhunters, journal: SQLiteJournal
) -> None:
    in_flight = 0
    most = 0
    three = anyio.Event()

    async def count(request: Request, call_next: Any) -> httpx.Response:
        # The first requests wait until three are in flight at once; more never are.
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        try:
            if in_flight == 3:
                three.set()
            await three.wait()
            return await call_next(request)
        finally:
            in_flight -= 1

    async def items() -> AsyncIterator[tuple[str, dict[str, Any]]]:
        for item in leads(12):
            yield item

    async with (
        fake.client(middleware=[count]) as client,
        client.calls.create_many(items(), journal=journal, concurrency=3) as run,
    ):
        results = [r async for r in run]
        assert run.counts[DialStatus.PLACED] == 12

    assert len(results) == 12
    assert most == 3


async def test_a_key_that_comes_twice_is_dialed_once(
    fake: FakeMindhunters, journal: SQLiteJournal
) -> None:
    twice = leads(1) * 2
    async with fake.client() as client:
        results = await dial(client, twice, journal, concurrency=1)
    assert sorted(r.status.value for r in results) == ["placed", "skipped"]
    assert len(fake.calls) == 1


async def test_failed_keys_are_retried_unless_told_not_to(
    fake: FakeMindhunters, journal: SQLiteJournal
) -> None:
    async with fake.client(max_retries=0) as client:
        fake.fail(Fault.SERVICE_UNAVAILABLE, route="POST /call")
        [first] = await dial(client, leads(1), journal)
        [kept] = await dial(client, leads(1), journal, retry_failed=False)
        [second] = await dial(client, leads(1), journal)

    assert first.status is DialStatus.FAILED
    assert isinstance(first.error, mh.ServiceUnavailableError)
    assert kept.status is DialStatus.SKIPPED
    assert second.status is DialStatus.PLACED
    assert len(fake.calls) == 1


async def test_bad_arguments_are_refused_before_anything_runs(
    fake: FakeMindhunters, journal: SQLiteJournal
) -> None:
    async with fake.client() as client:
        with pytest.raises(mh.ConfigurationError, match="journal"):
            client.calls.create_many(leads(1), journal="dial.db")  # type: ignore[arg-type]
        with pytest.raises(mh.ConfigurationError, match="concurrency"):
            client.calls.create_many(leads(1), journal=journal, concurrency=0)
        with pytest.raises(mh.ConfigurationError, match="lease"):
            client.calls.create_many(leads(1), journal=journal, lease=0)
        with pytest.raises(mh.ConfigurationError, match="iterable"):
            client.calls.create_many(42, journal=journal)  # type: ignore[arg-type]
        run = client.calls.create_many(leads(1), journal=journal)
        with pytest.raises(mh.ClientStateError, match="async with"):
            await run.__anext__()
    assert fake.requests == []
