"""RedisJournal: the dial journal (see `_journal.py`) in Redis, for many processes and machines.

Each key is a hash (`<namespace>:k:<key>`), and a sorted set (`<namespace>:keys`)
lists the keys in the order they were first claimed. Every change is one Lua
script, so a claim, a take-over, a renewal or a final state is atomic: two workers
that claim the same key at once get one "yes" and one "no". Leases are on the
callers' clock (`clock`, `time.time` by default): machines that share a journal
should keep their clocks in sync (NTP); the lease (minutes) dwarfs their skew.

redis-py is imported only when a `RedisJournal` is made: `import mindhunters_async`
never imports it. redis-py's asyncio client runs on asyncio only.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Final

from ._exceptions import ConfigurationError
from ._journal import Claim, JournalEntry, JournalState, _check_clock, _final

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["RedisJournal"]

_FIELDS: Final = """
local function fields(entry)
  return {'key', ARGV[1], 'state', 'claimed', 'token', ARGV[2], 'owner', ARGV[3],
          'agent_id', ARGV[4], 'number', ARGV[5], 'claimed_at', ARGV[6],
          'lease_until', ARGV[7], 'updated_at', ARGV[6]}
end
local function reclaim()
  redis.call('HDEL', KEYS[1], 'call_id', 'reason')
  redis.call('HSET', KEYS[1], unpack(fields()))
  redis.call('HINCRBY', KEYS[1], 'attempts', 1)
end
"""

CLAIM: Final = (
    _FIELDS
    + """
local state = redis.call('HGET', KEYS[1], 'state')
if not state then
  redis.call('HSET', KEYS[1], 'attempts', 1, unpack(fields()))
  redis.call('ZADD', KEYS[2], 'NX', ARGV[6], ARGV[1])
  return {1, redis.call('HGETALL', KEYS[1])}
end
if state == 'failed' and ARGV[8] == '1' then
  reclaim()
  return {1, redis.call('HGETALL', KEYS[1])}
end
return {0, redis.call('HGETALL', KEYS[1])}
"""
)

TAKE_OVER: Final = (
    _FIELDS
    + """
local entry = redis.call('HMGET', KEYS[1], 'state', 'token')
if entry[2] ~= ARGV[8] or (entry[1] ~= 'claimed' and entry[1] ~= 'unknown') then
  return {0, {}}
end
reclaim()
return {1, redis.call('HGETALL', KEYS[1])}
"""
)

RENEW: Final = """
local entry = redis.call('HMGET', KEYS[1], 'state', 'token', 'lease_until')
if entry[1] ~= 'claimed' or entry[2] ~= ARGV[1] then return 0 end
-- a lapsed claim is never revived: another worker may be taking the key over
if tonumber(entry[3]) <= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], 'lease_until', ARGV[2], 'updated_at', ARGV[3])
return 1
"""

FINISH: Final = """
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'updated_at', ARGV[5])
for i, name in ipairs({'call_id', 'reason'}) do
  local value = ARGV[2 + i]
  if value == '' then redis.call('HDEL', KEYS[1], name)
  else redis.call('HSET', KEYS[1], name, value) end
end
return 1
"""


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _entry(flat: Sequence[Any]) -> JournalEntry:
    data = {_text(flat[i]): _text(flat[i + 1]) for i in range(0, len(flat), 2)}
    return JournalEntry(
        key=data["key"],
        state=JournalState(data["state"]),
        token=data["token"],
        owner=data["owner"],
        agent_id=data.get("agent_id") or None,
        number=data.get("number") or None,
        claimed_at=float(data["claimed_at"]),
        lease_until=float(data["lease_until"]),
        updated_at=float(data["updated_at"]),
        call_id=data.get("call_id") or None,
        reason=data.get("reason") or None,
        attempts=int(data.get("attempts", 1)),
    )


def _require_asyncio() -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        raise ConfigurationError(
            "journal",
            "RedisJournal runs on asyncio only (redis-py's asyncio client does not run under"
            " trio): on trio, use mh.SQLiteJournal, which several processes of one machine"
            " may share",
        ) from None


class RedisJournal:
    """A dial journal in Redis, shared by every process and machine that uses the same
    Redis and `namespace`: for `calls.create_many` run by many workers at once.

    ::

        import redis.asyncio

        journal = mh.RedisJournal(redis.asyncio.Redis(host="redis"), namespace="dial:june")
        async with client.calls.create_many(leads, journal=journal) as results:
            ...

    Every state change is one Lua script, atomic: a key is claimed by one worker
    only. Needs the `redis` extra (`pip install "mindhunters-async[redis]"`) and
    asyncio: on trio every method raises `ConfigurationError`. `redis` is yours:
    `aclose()` leaves it open. Durability is Redis's: with the default snapshotting
    a Redis crash can lose recent claims; use `appendonly yes` (and `appendfsync
    always` to survive a power cut) when a lost claim must never mean a second call.
    In a Redis Cluster, put the namespace in braces (`"{dial}:june"`) so that a
    key's hash and the index share a slot. `clock` gives the leases' time.
    """

    def __init__(
        self,
        redis: Redis,
        *,
        namespace: str = "mindhunters:dial",
        clock: Callable[[], float] = time.time,
    ) -> None:
        try:
            import redis.exceptions as redis_exceptions
        except ImportError as exc:
            raise ConfigurationError(
                "journal",
                f"RedisJournal needs redis-py ({exc}): pip install 'mindhunters-async[redis]'",
            ) from None
        if not callable(getattr(redis, "register_script", None)):
            raise ConfigurationError(
                "journal",
                f"RedisJournal needs a redis.asyncio.Redis client, not {type(redis).__name__}",
            )
        if not isinstance(namespace, str) or not namespace:
            raise ConfigurationError(
                "journal", "RedisJournal(namespace=...) must be a non-empty str"
            )
        _check_clock(clock, "RedisJournal")
        del redis_exceptions  # imported only to tell that redis-py is there
        self.redis = redis
        self.namespace = namespace
        self._clock = clock
        self._index = f"{namespace}:keys"
        self._claim = redis.register_script(CLAIM)
        self._take_over = redis.register_script(TAKE_OVER)
        self._renew = redis.register_script(RENEW)
        self._finish = redis.register_script(FINISH)

    def __repr__(self) -> str:
        return f"RedisJournal(namespace={self.namespace!r})"

    async def __aenter__(self) -> RedisJournal:
        _require_asyncio()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def _key(self, key: str) -> str:
        return f"{self.namespace}:k:{key}"

    def now(self) -> float:
        """The journal's clock (seconds since the epoch)."""
        return float(self._clock())

    def _args(self, claim: Claim) -> list[Any]:
        return [
            claim.key,
            claim.token,
            claim.owner,
            claim.agent_id or "",
            claim.number or "",
            repr(claim.now),
            repr(claim.lease_until),
        ]

    async def claim(self, claim: Claim, *, retry_failed: bool) -> tuple[bool, JournalEntry]:
        """Claim `claim.key` if it is new (or failed, with `retry_failed`): see `Journal`."""
        _require_asyncio()
        args = [*self._args(claim), "1" if retry_failed else "0"]
        granted, flat = await self._claim(keys=[self._key(claim.key), self._index], args=args)
        return int(granted) == 1, _entry(flat)

    async def take_over(self, claim: Claim, *, expected_token: str) -> JournalEntry | None:
        """Re-claim a stale claim or an unknown key still holding `expected_token`."""
        _require_asyncio()
        args = [*self._args(claim), expected_token]
        taken, flat = await self._take_over(keys=[self._key(claim.key)], args=args)
        return _entry(flat) if int(taken) == 1 else None

    async def renew(self, key: str, token: str, lease_until: float) -> bool:
        """Move the lease of the live claim `token` of `key` to `lease_until`."""
        _require_asyncio()
        args = [token, repr(lease_until), repr(self.now())]
        return int(await self._renew(keys=[self._key(key)], args=args)) == 1

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
        _require_asyncio()
        state = _final(state)
        args = [token, state.value, call_id or "", reason or "", repr(self.now())]
        return int(await self._finish(keys=[self._key(key)], args=args)) == 1

    async def get(self, key: str) -> JournalEntry | None:
        """The entry of `key`, or None."""
        _require_asyncio()
        found: dict[Any, Any] = await self.redis.hgetall(self._key(key))
        if not found:
            return None
        return _entry([item for pair in found.items() for item in pair])

    async def entries(self) -> list[JournalEntry]:
        """Every entry, in the order the keys were first claimed."""
        _require_asyncio()
        keys = [_text(k) for k in await self.redis.zrange(self._index, 0, -1)]
        found = []
        for key in keys:
            entry = await self.get(key)
            if entry is not None:
                found.append(entry)
        return found

    async def aclose(self) -> None:
        """Nothing to release: the Redis client is the caller's to close."""
