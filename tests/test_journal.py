"""The dial journal's protocol, on SQLite: claims, take-overs, leases, compare-and-set."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import mindhunters_async as mh
from mindhunters_async._journal import Claim, Journal, JournalState, SQLiteJournal

pytestmark = pytest.mark.anyio

AGENT = "00000000-0000-4000-8000-000000000001"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def journal(tmp_path: Path, clock: Clock) -> AsyncIterator[SQLiteJournal]:
    async with SQLiteJournal(tmp_path / "dial.db", clock=clock) as j:
        yield j


def claim(key: str, token: str, *, owner: str = "me", now: float = 1_000.0) -> Claim:
    return Claim(
        key=key,
        token=token,
        owner=owner,
        agent_id=AGENT,
        number="+14155552671",
        now=now,
        lease_until=now + 60,
    )


async def test_a_new_key_is_claimed_once(journal: SQLiteJournal) -> None:
    assert isinstance(journal, Journal)
    granted, entry = await journal.claim(claim("k", "t1"), retry_failed=True)
    assert granted
    assert (entry.state, entry.token, entry.attempts) == (JournalState.CLAIMED, "t1", 1)

    granted, entry = await journal.claim(claim("k", "t2", owner="other"), retry_failed=True)
    assert not granted
    assert (entry.state, entry.token, entry.owner) == (JournalState.CLAIMED, "t1", "me")
    assert entry.number == "+14155552671"
    assert entry.lease_until == 1_060.0


async def test_finish_is_a_compare_and_set_on_the_claim(journal: SQLiteJournal) -> None:
    await journal.claim(claim("k", "t1"), retry_failed=True)
    assert not await journal.finish("k", "stale", JournalState.PLACED, call_id="c")
    assert await journal.finish("k", "t1", JournalState.PLACED, call_id="c")
    entry = await journal.get("k")
    assert entry is not None
    assert (entry.state, entry.call_id) == (JournalState.PLACED, "c")

    granted, entry = await journal.claim(claim("k", "t2"), retry_failed=True)
    assert not granted
    assert entry.state is JournalState.PLACED
    with pytest.raises(ValueError, match="placed, failed or unknown"):
        await journal.finish("k", "t1", JournalState.CLAIMED)


async def test_a_failed_key_is_claimed_again_only_when_asked(journal: SQLiteJournal) -> None:
    await journal.claim(claim("k", "t1"), retry_failed=True)
    await journal.finish("k", "t1", JournalState.FAILED, reason="503 three times")

    granted, entry = await journal.claim(claim("k", "t2"), retry_failed=False)
    assert not granted
    assert (entry.state, entry.reason) == (JournalState.FAILED, "503 three times")

    granted, entry = await journal.claim(claim("k", "t2"), retry_failed=True)
    assert granted
    assert (entry.token, entry.attempts, entry.reason) == ("t2", 2, None)


async def test_take_over_needs_the_token_it_saw(journal: SQLiteJournal) -> None:
    await journal.claim(claim("k", "dead"), retry_failed=True)
    assert await journal.take_over(claim("k", "t2"), expected_token="other") is None
    taken = await journal.take_over(claim("k", "t2", owner="new"), expected_token="dead")
    assert taken is not None
    assert (taken.token, taken.owner, taken.attempts) == ("t2", "new", 2)
    # The dead worker, were it to wake up, can no longer write.
    assert not await journal.finish("k", "dead", JournalState.PLACED, call_id="c")
    # A placed key is never taken over.
    assert await journal.finish("k", "t2", JournalState.PLACED, call_id="c")
    assert await journal.take_over(claim("k", "t3"), expected_token="t2") is None


async def test_renew_moves_a_live_lease_only(journal: SQLiteJournal, clock: Clock) -> None:
    await journal.claim(claim("k", "t1"), retry_failed=True)
    clock.now = 1_030.0
    assert await journal.renew("k", "t1", 1_090.0)
    entry = await journal.get("k")
    assert entry is not None
    assert (entry.lease_until, entry.updated_at) == (1_090.0, 1_030.0)
    assert not await journal.renew("k", "other", 2_000.0)
    await journal.finish("k", "t1", JournalState.UNKNOWN, reason="timed out")
    assert not await journal.renew("k", "t1", 2_000.0)


async def test_a_lapsed_lease_is_never_revived(journal: SQLiteJournal, clock: Clock) -> None:
    # Its worker stalled past the lease: another may be taking the key over, so the
    # stalled one learns it lost the claim instead of quietly keeping it.
    await journal.claim(claim("k", "t1"), retry_failed=True)
    entry = await journal.get("k")
    assert entry is not None
    clock.now = entry.lease_until
    assert not await journal.renew("k", "t1", entry.lease_until + 60)
    # Ending a live lease early (a cancelled run releasing its claim) is allowed.
    await journal.claim(claim("j", "t2", now=clock.now), retry_failed=True)
    assert await journal.renew("j", "t2", clock.now)


async def test_entries_survive_a_reopen_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "dial.db"
    async with SQLiteJournal(path) as journal:
        for index in range(3):
            await journal.claim(claim(f"k{index}", f"t{index}"), retry_failed=True)
        await journal.finish("k1", "t1", JournalState.PLACED, call_id="c1")
    async with SQLiteJournal(str(path)) as again:
        entries = await again.entries()
        assert [(e.key, e.state.value) for e in entries] == [
            ("k0", "claimed"),
            ("k1", "placed"),
            ("k2", "claimed"),
        ]
        assert entries[1].to_json()["state"] == "placed"
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    db.close()


async def test_durable_journals_sync_every_change(tmp_path: Path) -> None:
    async with SQLiteJournal(tmp_path / "d.db", durable=True) as journal:
        granted, _ = await journal.claim(claim("k", "t"), retry_failed=True)
        assert granted
        assert journal.durable


async def test_a_closed_journal_says_so(tmp_path: Path) -> None:
    journal = SQLiteJournal(tmp_path / "dial.db")
    await journal.claim(claim("k", "t"), retry_failed=True)
    await journal.aclose()
    await journal.aclose()
    with pytest.raises(mh.ConfigurationError, match="closed"):
        await journal.get("k")


def test_bad_settings_are_refused() -> None:
    with pytest.raises(mh.ConfigurationError):
        SQLiteJournal("")
    with pytest.raises(mh.ConfigurationError):
        SQLiteJournal("x.db", clock=42)  # type: ignore[arg-type]
