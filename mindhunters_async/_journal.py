"""The dial journal: which keys of a list were claimed, placed, failed or left unknown.

`calls.create_many` writes every state change of every key here before it acts
on it, so that a second run, or a second worker, never dials a key again:

- `claimed`: a worker took the key and may send its `POST /call` (written, and
  committed, before the request leaves). The claim carries a `token` (also the
  request's Idempotency-Key), its `owner` (one per `create_many` run), the
  `agent_id` and `number` dialed, `claimed_at` and a lease (`lease_until`) that
  the live worker keeps renewing.
- `placed`: the API answered with the call (`call_id`), or reconciliation found it.
- `failed`: the call was surely not placed (`reason` says why): refused before
  sending, an error after which the server did nothing, or reconciliation said
  "not placed". Retrying it later is safe.
- `unknown`: the call may have been placed and reconciliation could not tell.
  It is never dialed again by `create_many`; a person (or a later reconciliation
  with more facts) decides.

Every change is one compare-and-set on the claim's token, so a worker that lost
its claim (its lease ran out and another took the key over) can no longer write.
Two journals implement the protocol: `SQLiteJournal` here, and `RedisJournal`
(`_journal_redis.py`) for processes on several machines.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol, TypeVar, runtime_checkable

import anyio
import anyio.to_thread
import attrs

if TYPE_CHECKING:
    import sqlite3

from ._config import TextEnum
from ._exceptions import ConfigurationError

__all__ = ["Claim", "Journal", "JournalEntry", "JournalState", "SQLiteJournal"]

T = TypeVar("T")


class JournalState(TextEnum):
    """Where a key stands in a `Journal` (see the module doc)."""

    CLAIMED = "claimed"
    PLACED = "placed"
    FAILED = "failed"
    UNKNOWN = "unknown"


FINISHED: Final = frozenset({JournalState.PLACED, JournalState.FAILED, JournalState.UNKNOWN})


@attrs.frozen
class JournalEntry:
    """One key's record in a journal.

    `state` is a `JournalState`; `token` identifies the latest claim (it is also
    the Idempotency-Key its request carried); `owner` the run that made it;
    `agent_id` and `number` what was dialed (what reconciliation looks for);
    `claimed_at` when that claim was made and `lease_until` when it lapses unless
    renewed (seconds since the epoch, the journal's clock); `updated_at` the last
    change; `call_id` the placed call; `reason` why it failed or is unknown;
    `attempts` how many claims the key has had.
    """

    key: str
    state: JournalState
    token: str
    owner: str
    agent_id: str | None
    number: str | None
    claimed_at: float
    lease_until: float
    updated_at: float
    call_id: str | None = None
    reason: str | None = None
    attempts: int = 1

    def to_json(self) -> dict[str, Any]:
        """The entry as a JSON-ready dict."""
        data = attrs.asdict(self)
        data["state"] = self.state.value
        return data


@attrs.frozen
class Claim:
    """What a worker asks a journal for: `key`, under a new `token`, for `owner`,
    to dial `number` through `agent_id`, leased until `lease_until`."""

    key: str
    token: str
    owner: str
    agent_id: str | None
    number: str | None
    now: float
    lease_until: float


@runtime_checkable
class Journal(Protocol):
    """What `calls.create_many` needs of a journal; every method is one atomic change.

    Implement it to keep the journal elsewhere (a SQL database of yours, say). The
    rules, which every implementation must keep atomically:

    - `claim` grants a key that has no entry, or whose entry is `failed` when
      `retry_failed` is true; it returns (True, the new entry). Otherwise it changes
      nothing and returns (False, the entry as it stands).
    - `take_over` re-claims a key whose entry still has `expected_token` and is
      `claimed` or `unknown` (after reconciliation said the call was not placed).
    - `renew` moves the lease of a claim still holding `token`.
    - `finish` sets a final state on an entry still holding `token`.
    A method that finds another token changes nothing and returns False.
    """

    def now(self) -> float:
        """The journal's clock, in seconds since the epoch (leases are on it)."""
        ...

    async def claim(self, claim: Claim, *, retry_failed: bool) -> tuple[bool, JournalEntry]:
        """Claim `claim.key` (see the class doc)."""
        ...

    async def take_over(self, claim: Claim, *, expected_token: str) -> JournalEntry | None:
        """Re-claim a stale or unknown key: the new entry, or None if it changed meanwhile."""
        ...

    async def renew(self, key: str, token: str, lease_until: float) -> bool:
        """Extend a live claim."""
        ...

    async def finish(
        self,
        key: str,
        token: str,
        state: JournalState,
        *,
        call_id: str | None = None,
        reason: str | None = None,
    ) -> bool:
        """Record `state` (placed, failed or unknown) for the claim `token`."""
        ...

    async def get(self, key: str) -> JournalEntry | None:
        """The entry of `key`, if any."""
        ...

    async def entries(self) -> list[JournalEntry]:
        """Every entry, in no promised order."""
        ...

    async def aclose(self) -> None:
        """Release what the journal holds (connections); safe to call twice."""
        ...


_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS mindhunters_dial (
    key TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    token TEXT NOT NULL,
    owner TEXT NOT NULL,
    agent_id TEXT,
    number TEXT,
    claimed_at REAL NOT NULL,
    lease_until REAL NOT NULL,
    updated_at REAL NOT NULL,
    call_id TEXT,
    reason TEXT,
    attempts INTEGER NOT NULL DEFAULT 1
)
"""
_COLUMNS: Final = (
    "key, state, token, owner, agent_id, number, claimed_at, lease_until, updated_at,"
    " call_id, reason, attempts"
)
_BUSY_TIMEOUT_MS: Final = 30_000


def _entry(row: Sequence[Any]) -> JournalEntry:
    return JournalEntry(
        key=row[0],
        state=JournalState(row[1]),
        token=row[2],
        owner=row[3],
        agent_id=row[4],
        number=row[5],
        claimed_at=row[6],
        lease_until=row[7],
        updated_at=row[8],
        call_id=row[9],
        reason=row[10],
        attempts=row[11],
    )


def _check_clock(clock: object, where: str) -> None:
    if not callable(clock):
        raise ConfigurationError("journal", f"{where}(clock=...) must be callable")


class SQLiteJournal:
    """A dial journal in a SQLite file: the embedded default of `calls.create_many`.

    ::

        async with mh.SQLiteJournal("dial.db") as journal:
            async with client.calls.create_many(leads, journal=journal) as results:
                async for result in results:
                    print(result.key, result.status)

    The standard library's `sqlite3`, in WAL mode, runs off the event loop (in a
    worker thread, through anyio), one transaction per state change; claims take
    the write lock (`BEGIN IMMEDIATE`), so several processes on one machine may
    share the file. Works on asyncio and trio.

    `durable=False` (the default) commits with `synchronous=NORMAL`: every state
    change survives a crash of the process, the case this journal exists for, at
    about 20 us a change. A power cut or an OS crash may lose the last changes,
    a claim included, and a lost claim is a key that may be dialed again: pass
    `durable=True` (`synchronous=FULL`, an fsync per change, about 1 ms each on a
    typical cloud disk) when that matters. `clock` gives the leases' time
    (seconds since the epoch; `time.time` by default).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        durable: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not isinstance(path, (str, Path)) or not str(path):
            raise ConfigurationError("journal", "SQLiteJournal(path) must be a file path")
        _check_clock(clock, "SQLiteJournal")
        self.path = str(path)
        self.durable = bool(durable)
        self._clock = clock
        # One connection for every thread anyio lends us; the lock serializes them.
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._closed = False

    def __repr__(self) -> str:
        return f"SQLiteJournal({self.path!r})"

    async def __aenter__(self) -> SQLiteJournal:
        await self._run(lambda db: None)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def now(self) -> float:
        """The journal's clock (seconds since the epoch)."""
        return float(self._clock())

    # The protocol

    async def claim(self, claim: Claim, *, retry_failed: bool) -> tuple[bool, JournalEntry]:
        """Claim `claim.key` if it is new (or failed, with `retry_failed`): see `Journal`."""

        def run(db: sqlite3.Connection) -> tuple[bool, JournalEntry]:
            row = db.execute(
                f"SELECT {_COLUMNS} FROM mindhunters_dial WHERE key = ?", (claim.key,)
            ).fetchone()
            if row is None:
                db.execute(
                    f"INSERT INTO mindhunters_dial ({_COLUMNS})"
                    " VALUES (?, 'claimed', ?, ?, ?, ?, ?, ?, ?, NULL, NULL, 1)",
                    (
                        claim.key,
                        claim.token,
                        claim.owner,
                        claim.agent_id,
                        claim.number,
                        claim.now,
                        claim.lease_until,
                        claim.now,
                    ),
                )
                return True, _claimed(claim, 1)
            entry = _entry(row)
            if entry.state is JournalState.FAILED and retry_failed:
                self._reclaim(db, claim, entry.token)
                return True, _claimed(claim, entry.attempts + 1)
            return False, entry

        return await self._write(run)

    async def take_over(self, claim: Claim, *, expected_token: str) -> JournalEntry | None:
        """Re-claim a stale claim or an unknown key still holding `expected_token`."""

        def run(db: sqlite3.Connection) -> JournalEntry | None:
            row = db.execute(
                f"SELECT {_COLUMNS} FROM mindhunters_dial WHERE key = ? AND token = ?"
                " AND state IN ('claimed', 'unknown')",
                (claim.key, expected_token),
            ).fetchone()
            if row is None:
                return None
            self._reclaim(db, claim, expected_token)
            return _claimed(claim, _entry(row).attempts + 1)

        return await self._write(run)

    async def renew(self, key: str, token: str, lease_until: float) -> bool:
        """Move the lease of the live claim `token` of `key` to `lease_until`; False
        when the claim is gone, or its lease has already run out (another worker may
        be taking the key over: a lapsed claim is never revived)."""

        def run(db: sqlite3.Connection) -> bool:
            now = self.now()
            cursor = db.execute(
                "UPDATE mindhunters_dial SET lease_until = ?, updated_at = ?"
                " WHERE key = ? AND token = ? AND state = 'claimed' AND lease_until > ?",
                (lease_until, now, key, token, now),
            )
            return cursor.rowcount == 1

        return await self._write(run)

    async def finish(
        self,
        key: str,
        token: str,
        state: JournalState,
        *,
        call_id: str | None = None,
        reason: str | None = None,
    ) -> bool:
        """Record a final `state` for the claim `token` of `key`."""
        state = _final(state)

        def run(db: sqlite3.Connection) -> bool:
            cursor = db.execute(
                "UPDATE mindhunters_dial SET state = ?, call_id = ?, reason = ?, updated_at = ?"
                " WHERE key = ? AND token = ?",
                (state.value, call_id, reason, self.now(), key, token),
            )
            return cursor.rowcount == 1

        return await self._write(run)

    async def get(self, key: str) -> JournalEntry | None:
        """The entry of `key`, or None."""

        def run(db: sqlite3.Connection) -> JournalEntry | None:
            row = db.execute(
                f"SELECT {_COLUMNS} FROM mindhunters_dial WHERE key = ?", (key,)
            ).fetchone()
            return None if row is None else _entry(row)

        return await self._run(run)

    async def entries(self) -> list[JournalEntry]:
        """Every entry, in the order the keys were first claimed."""

        def run(db: sqlite3.Connection) -> list[JournalEntry]:
            rows = db.execute(f"SELECT {_COLUMNS} FROM mindhunters_dial ORDER BY rowid")
            return [_entry(row) for row in rows]

        return await self._run(run)

    async def aclose(self) -> None:
        """Close the connection (the file stays); later use raises `ConfigurationError`."""

        def close() -> None:
            with self._lock:
                self._closed = True
                if self._db is not None:
                    self._db.close()
                    self._db = None

        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(close)

    # The connection

    def _reclaim(self, db: sqlite3.Connection, claim: Claim, old_token: str) -> None:
        db.execute(
            "UPDATE mindhunters_dial SET state = 'claimed', token = ?, owner = ?,"
            " agent_id = ?, number = ?, claimed_at = ?, lease_until = ?, updated_at = ?,"
            " call_id = NULL, reason = NULL, attempts = attempts + 1"
            " WHERE key = ? AND token = ?",
            (
                claim.token,
                claim.owner,
                claim.agent_id,
                claim.number,
                claim.now,
                claim.lease_until,
                claim.now,
                claim.key,
                old_token,
            ),
        )

    def _connect(self) -> sqlite3.Connection:
        if self._closed:
            raise ConfigurationError("journal", f"{self!r} is closed")
        if self._db is None:
            import sqlite3  # here: it costs `import mindhunters_async` 4 ms

            db = sqlite3.connect(
                self.path,
                timeout=_BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,  # transactions are ours, spelled out
                check_same_thread=False,
            )
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute(f"PRAGMA synchronous={'FULL' if self.durable else 'NORMAL'}")
                db.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
                db.execute(_SCHEMA)
            except BaseException:
                db.close()
                raise
            self._db = db
        return self._db

    async def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        def run() -> T:
            with self._lock:
                return work(self._connect())

        # Not abandoned on cancellation: a transaction, once started, completes and
        # its result (a claim) reaches the caller, who records what it knows.
        return await anyio.to_thread.run_sync(run)

    async def _write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        def transaction(db: sqlite3.Connection) -> T:
            db.execute("BEGIN IMMEDIATE")
            try:
                result = work(db)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            return result

        return await self._run(transaction)


def _claimed(claim: Claim, attempts: int) -> JournalEntry:
    return JournalEntry(
        key=claim.key,
        state=JournalState.CLAIMED,
        token=claim.token,
        owner=claim.owner,
        agent_id=claim.agent_id,
        number=claim.number,
        claimed_at=claim.now,
        lease_until=claim.lease_until,
        updated_at=claim.now,
        attempts=attempts,
    )


def _final(state: JournalState | str) -> JournalState:
    state = JournalState(state)
    if state not in FINISHED:
        raise ValueError(f"finish() takes placed, failed or unknown, not {state.value!r}")
    return state


def check_lease(lease: object) -> float:
    """`lease` as seconds, or `ConfigurationError`."""
    if (
        isinstance(lease, bool)
        or not isinstance(lease, (int, float))
        or not math.isfinite(lease)
        or lease <= 0
    ):
        raise ConfigurationError("lease", f"lease must be a number of seconds > 0, got {lease!r}")
    return float(lease)
