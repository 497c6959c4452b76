"""RedisRateLimit: the rate governor of `_governor.py`, shared through Redis.

The log of held slots is a sorted set, and the 429 pause and the estimate of
others' requests a hash beside it; two Lua scripts read and change them
atomically, on Redis's clock (`TIME`), so every process and machine using the
same key sees one log and one clock. Same algorithm as `RateLimit`:

- `ACQUIRE` drops the slots that have freed (end + per <= now), and takes one
  when fewer than `requests` are held and no pause runs; the new slot's score is
  `now + lease` while its attempt is in flight (so that a process that dies mid
  request frees it after `lease + per`), else it says how long until one frees;
- `RELEASE` sets the slot's score to the time its reply came back (or removes it,
  when the attempt never left the SDK), and records a 429's pause or what
  `X-RateLimit-Remaining` says of others' requests.

Within a process the waiters queue locally (FIFO, `first` endpoints ahead), and
only the head asks Redis. The waiting is not FIFO across processes.

redis-py is imported only when a `RedisRateLimit` is made: `import
mindhunters_async` never imports it.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
import time
import uuid
from collections.abc import Collection
from typing import TYPE_CHECKING, Any, Literal

import anyio
import httpx

from ._config import API_RATE_LIMIT_PER, API_RATE_LIMIT_REQUESTS, LOGGER_NAME
from ._exceptions import APIConnectionError, APIStatusError, ConfigurationError
from ._governor import (
    Queue,
    RateLimit,
    check_limit,
    log_pause,
    pause_of,
    remaining_of,
    wait_for_slot,
)

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from ._pipeline import CallNext, Request

__all__ = ["RedisRateLimit"]

logger = logging.getLogger(LOGGER_NAME)

ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local limit = tonumber(ARGV[1])
local per = tonumber(ARGV[2])
local lease = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - per)
local state = redis.call('HMGET', KEYS[2], 'paused_until', 'foreign', 'foreign_until')
local pause = (tonumber(state[1]) or 0) - now
local foreign = tonumber(state[2]) or 0
local foreign_until = tonumber(state[3]) or 0
if foreign_until <= now then foreign = 0 end
local excess = redis.call('ZCARD', KEYS[1]) + foreign - limit + 1
if excess <= 0 and pause <= 0 then
  redis.call('ZADD', KEYS[1], now + lease, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.ceil((lease + per) * 1000))
  return {1, string.format('%.6f', now)}
end
local free_at = now
if excess > 0 then
  -- The excess-th slot to free: a finished attempt's at end + per, the others'
  -- block at foreign_until, one still in flight at now + per at the earliest.
  free_at = now + per
  local held = redis.call('ZRANGE', KEYS[1], 0, excess - 1, 'WITHSCORES')
  local i = 2
  while true do
    local ends = tonumber(held[i])
    local frees = nil
    if ends ~= nil then
      if ends <= now then frees = ends + per else frees = now + per end
    end
    if foreign > 0 and (frees == nil or foreign_until <= frees) then
      if excess <= foreign then
        free_at = foreign_until
        break
      end
      excess = excess - foreign
      foreign = 0
    elseif frees ~= nil then
      if excess == 1 then
        free_at = frees
        break
      end
      excess = excess - 1
      i = i + 2
    else
      break
    end
  end
end
local wait = free_at - now
if pause > wait then wait = pause end
return {0, string.format('%.6f', wait)}
"""

RELEASE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
if ARGV[2] ~= '1' then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 0
end
local limit = tonumber(ARGV[5])
local per = tonumber(ARGV[6])
local lease = tonumber(ARGV[7])
redis.call('ZADD', KEYS[1], 'XX', now, ARGV[1])
if ARGV[3] ~= '' then
  local pause = tonumber(ARGV[3])
  local until_ = now + pause
  local current = tonumber(redis.call('HGET', KEYS[2], 'paused_until')) or 0
  if until_ > current then
    redis.call('HSET', KEYS[2], 'paused_until', string.format('%.6f', until_))
  end
  redis.call('PEXPIRE', KEYS[2], math.ceil((pause + per + lease) * 1000))
elseif ARGV[4] ~= '' then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - per)
  local foreign = limit - tonumber(ARGV[4]) - redis.call('ZCARD', KEYS[1])
  if foreign < 0 then foreign = 0 end
  redis.call('HSET', KEYS[2], 'foreign', foreign,
             'foreign_until', string.format('%.6f', now + per))
  redis.call('PEXPIRE', KEYS[2], math.ceil((per + lease) * 1000))
end
return 1
"""

_FALLBACK_RECHECK = 1.0
"""Seconds a `fallback="local"` governor paces locally before it asks Redis again."""

_REDIS_CALLS = 16
"""At most this many script calls of one governor at a time: a burst of replies must not
take more connections than redis-py's pool has (100 by default)."""

_LOCAL = object()
"""The slot of a request that the local fallback paces instead."""


def _require_asyncio() -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        raise ConfigurationError(
            "rate_limit",
            "RedisRateLimit runs on asyncio only (redis-py's asyncio client does not run"
            " under trio): on trio, use mh.RateLimit, which paces one process",
        ) from None


class RedisRateLimit:
    """The rate governor of `mh.RateLimit`, shared by every process that uses the same
    Redis and `key`: gunicorn or uvicorn workers, Celery or arq workers, machines.

    ::

        import redis.asyncio

        redis_client = redis.asyncio.Redis(host="redis", port=6379)
        limit = mh.RedisRateLimit(redis_client, key="mindhunters:acme", requests=1000, per=60.0)
        client = mh.AsyncMindhunters(rate_limit=limit)

    The same guarantee as `RateLimit` (no window of `per` seconds holds more than
    `requests` requests of all of them together), the same 429 pause, seen by
    every process, all on Redis's clock, atomically (two Lua scripts, two round
    trips per request). Needs the `redis` extra (`pip install
    "mindhunters-async[redis]"`) and asyncio: on trio it raises
    `ConfigurationError`. `redis` is yours: the SDK never closes it.

    When Redis cannot be reached, a request raises `APIConnectionError` naming
    Redis, unsent; with `fallback="local"` it is paced by a local `RateLimit` of
    the same numbers instead (a warning is logged), and Redis is asked again a
    second later. Never is a request let through unpaced.

    `first` is as in `RateLimit` (within a process; across processes the waiting
    is not FIFO). `lease` bounds how long a process that died mid-request keeps its
    slot (plus `per`): longer than any attempt's timeout. In a Redis Cluster, put
    the key in braces (`key="{mindhunters}:acme"`): the governor also uses
    `key + ":state"`.
    """

    def __init__(
        self,
        redis: Redis,
        *,
        key: str,
        requests: int = API_RATE_LIMIT_REQUESTS,
        per: float = API_RATE_LIMIT_PER,
        fallback: Literal["local"] | None = None,
        first: Collection[str] = (),
        lease: float = 600.0,
    ) -> None:
        check_limit(requests, per, "RedisRateLimit")
        if not isinstance(key, str) or not key:
            raise ConfigurationError(
                "rate_limit", "RedisRateLimit(key=...) must be a non-empty str"
            )
        if fallback not in (None, "local"):
            raise ConfigurationError(
                "rate_limit",
                f"RedisRateLimit(fallback=...) must be None or 'local', not {fallback!r}",
            )
        if not (isinstance(lease, (int, float)) and math.isfinite(lease) and lease > 0):
            raise ConfigurationError("rate_limit", "RedisRateLimit(lease=...) must be seconds > 0")
        try:
            from redis.exceptions import ConnectionError as RedisConnectionError
            from redis.exceptions import RedisError
            from redis.exceptions import TimeoutError as RedisTimeoutError
        except ImportError as exc:
            raise ConfigurationError(
                "rate_limit",
                f"RedisRateLimit needs redis-py ({exc}): pip install 'mindhunters-async[redis]'",
            ) from None
        if not callable(getattr(redis, "register_script", None)):
            raise ConfigurationError(
                "rate_limit",
                f"RedisRateLimit needs a redis.asyncio.Redis client, not {type(redis).__name__}",
            )
        self.redis = redis
        self.key = key
        self.requests = requests
        self.per = float(per)
        self.fallback = fallback
        self.lease = float(lease)
        self.first = frozenset(first)
        self._keys = [key, f"{key}:state"]
        self._acquire = redis.register_script(ACQUIRE)
        self._release = redis.register_script(RELEASE)
        self._unreachable_errors: tuple[type[BaseException], ...] = (
            RedisConnectionError,
            RedisTimeoutError,
            OSError,
        )
        self._redis_errors: tuple[type[BaseException], ...] = (RedisError,)
        self._queue = Queue(self.first)
        self._local = RateLimit(requests, per, first=first) if fallback == "local" else None
        self._local_until = -math.inf
        self._taking = False
        self._calls: anyio.Semaphore | None = None
        self._members = (f"{uuid.uuid4().hex}:{n}" for n in itertools.count())

    def __repr__(self) -> str:
        return f"RedisRateLimit(key={self.key!r}, requests={self.requests}, per={self.per:g})"

    # The pipeline's side

    async def govern(self, request: Request, call_next: CallNext) -> httpx.Response:
        """Let `request` go when Redis gives it a slot; hold the slot until its reply."""
        _require_asyncio()
        local = self._local
        if local is not None and time.monotonic() < self._local_until:
            return await local.govern(request, call_next)
        slot: object | None = None
        if not self._queue and not self._taking:
            slot, _ = await self.take(request)
        if slot is None:
            slot = await wait_for_slot(
                self._queue,
                self,
                request,
                clock=time.monotonic,
                sleep=anyio.sleep,
                what=str(self),
            )
        if slot is _LOCAL:
            assert local is not None
            return await local.govern(request, call_next)
        assert isinstance(slot, str)
        try:
            response = await call_next(request)
        except APIStatusError as err:
            await self._done(slot, request, err.response.headers, pause_of(request, err))
            raise
        except BaseException:
            await self._done(slot, request, None, None)
            raise
        await self._done(slot, request, response.headers, None)
        return response

    async def take(self, request: Request) -> tuple[object | None, float]:
        """Ask Redis for a slot: (its member, 0.0), or (None, seconds until one may free)."""
        member = next(self._members)
        # One take at a time per process: the others queue behind it, so a burst of
        # a thousand calls is a queue here, not a thousand connections to Redis.
        self._taking = True
        try:
            # Shielded: a slot Redis granted must reach this process, to be given back.
            with anyio.CancelScope(shield=True):
                async with self._limit_calls():
                    granted, value = await self._acquire(
                        keys=self._keys, args=[self.requests, self.per, member, self.lease]
                    )
        except self._unreachable_errors as exc:
            return self._unreachable(request, exc), 0.0
        except self._redis_errors as exc:
            raise self._refused(exc) from exc
        finally:
            self._taking = False
        if self._local_until != -math.inf:
            self._local_until = -math.inf
            logger.warning("rate governor: Redis is reachable again; pacing through it")
        if int(granted) == 1:
            return member, 0.0
        return None, float(value)

    async def _done(
        self, member: str, request: Request, headers: httpx.Headers | None, pause: float | None
    ) -> None:
        remaining = None if headers is None or pause is not None else remaining_of(headers)
        args: list[Any] = [
            member,
            "1" if request.on_wire else "0",
            "" if pause is None else repr(pause),
            "" if remaining is None else str(remaining),
            self.requests,
            self.per,
            self.lease,
        ]
        try:
            # Shielded: a cancelled caller must still give its slot back.
            with anyio.CancelScope(shield=True):
                async with self._limit_calls():
                    await self._release(keys=self._keys, args=args)
        except self._redis_errors + self._unreachable_errors as exc:
            # The reply is in hand and must reach the caller. The slot stays held as
            # if in flight, so the log errs on the safe side until the lease ends.
            logger.warning(
                "rate governor: could not give back a slot to Redis (%s: %s); it frees"
                " after its lease of %gs",
                type(exc).__name__,
                exc,
                self.lease,
            )
            return
        if pause is not None:
            log_pause(request, pause)
        elif not request.on_wire:
            self._queue.wake_head()

    def _limit_calls(self) -> anyio.Semaphore:
        if self._calls is None:
            # Made on first use, inside the event loop it belongs to.
            self._calls = anyio.Semaphore(_REDIS_CALLS)
        return self._calls

    def _unreachable(self, request: Request, exc: BaseException) -> object:
        if self._local is None:
            raise APIConnectionError(
                f"{request.method} {request.path}: the rate governor cannot reach Redis"
                f" ({type(exc).__name__}: {exc}); the request was not sent. Check the Redis"
                " server, or pass RedisRateLimit(..., fallback='local') to pace each process"
                " on its own while Redis is down",
                sent=False,
                retryable=False,
                reason="the rate governor cannot reach Redis",
            ) from exc
        if self._local_until == -math.inf:
            logger.warning(
                "rate governor: Redis unreachable (%s: %s); pacing this process alone"
                " (%d requests per %gs) until it is back",
                type(exc).__name__,
                exc,
                self.requests,
                self.per,
            )
        self._local_until = time.monotonic() + _FALLBACK_RECHECK
        return _LOCAL

    def _refused(self, exc: BaseException) -> ConfigurationError:
        return ConfigurationError(
            "rate_limit",
            f"Redis refused the rate governor's script on key {self.key!r}"
            f" ({type(exc).__name__}: {exc}): is the key used for something else?",
        )
