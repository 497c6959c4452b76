"""The rate governor in one process (`RateLimit`): the window, the queue, the 429 pause.

Every test runs on a virtual clock (`VirtualTime`): the governor's waits take no
real time, and the send times it records are exact, so the window is checked to
the instant rather than with a tolerance.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import anyio
import anyio.lowlevel
import httpx
import pytest

import mindhunters_async as mh
from mindhunters_async._governor import RateLimit, pause_of, remaining_of
from mindhunters_async._pipeline import CallNext, Request
from mindhunters_async.testing import FakeMindhunters
from mindhunters_async.testing._clock import ManualClock

pytestmark = pytest.mark.anyio


class VirtualTime:
    """A clock and a `sleep` that moves it.

    `jump=True`: a sleep moves the clock as soon as every other task is blocked (as
    trio's autojump clock does: replies in flight come back first, taking no time).
    `jump=False`: a sleep waits until the test calls `advance`.
    """

    def __init__(self, *, jump: bool = True) -> None:
        self.now = 0.0
        self.jump = jump
        self.sleeps: list[float] = []
        self._sleepers: list[tuple[float, anyio.Event]] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if self.jump:
            due = self.now + seconds
            await anyio.wait_all_tasks_blocked()
            self.now = max(self.now, due)
            return
        wake = (self.now + seconds, anyio.Event())
        self._sleepers.append(wake)
        try:
            await wake[1].wait()
        finally:
            self._sleepers.remove(wake)

    def advance(self, seconds: float) -> None:
        self.now += seconds
        for due, event in self._sleepers:
            if due <= self.now:
                event.set()


class Sends:
    """A per-attempt middleware (so inside the governor) that records each send."""

    def __init__(self, clock: VirtualTime | ManualClock) -> None:
        self.clock = clock
        self.times: list[float] = []
        self.names: list[str] = []

    async def __call__(self, request: Request, call_next: CallNext) -> httpx.Response:
        self.times.append(self.clock())
        self.names.append(request.endpoint.name)
        return await call_next(request)


def busiest_window(times: Sequence[float], per: float) -> int:
    """The most sends in any window [t, t + per)."""
    return max(sum(1 for u in times if t <= u < t + per) for t in times)


def governed(
    fake: FakeMindhunters, limit: RateLimit, sends: Sends, **options: object
) -> mh.AsyncMindhunters:
    return fake.client(rate_limit=limit, middleware=[sends], **options)


async def test_25_requests_never_more_than_10_in_any_second() -> None:
    vt = VirtualTime()
    limit = RateLimit(requests=10, per=1.0, clock=vt, sleep=vt.sleep)
    fake = FakeMindhunters()
    call_id = fake.add_call()
    sends = Sends(vt)
    async with governed(fake, limit, sends) as client, anyio.create_task_group() as tg:
        for _ in range(25):
            tg.start_soon(client.calls.get, call_id)
    assert len(sends.times) == 25
    assert busiest_window(sends.times, 1.0) == 10
    # As fast as the limit allows, not slower: a slot frees `per` after its reply.
    assert sorted(sends.times) == [0.0] * 10 + [1.0] * 10 + [2.0] * 5
    # Only the head of the queue slept; the others were woken, not polling.
    assert vt.sleeps == [1.0, 1.0]
    stats = client.stats()
    assert stats.governor_waits == 15
    assert stats.governor_wait_seconds == 10 * 1.0 + 5 * 2.0


async def test_two_clients_sharing_one_limit_share_the_window() -> None:
    vt = VirtualTime()
    limit = RateLimit(requests=10, per=1.0, clock=vt, sleep=vt.sleep)
    fake = FakeMindhunters()
    call_id = fake.add_call()
    sends = Sends(vt)
    async with (
        governed(fake, limit, sends) as first,
        governed(fake, limit, sends) as second,
        anyio.create_task_group() as tg,
    ):
        for n in range(25):
            tg.start_soon((first if n % 2 else second).calls.get, call_id)
    assert len(sends.times) == 25
    assert busiest_window(sends.times, 1.0) == 10
    assert first.stats().governor_waits + second.stats().governor_waits == 15


async def test_each_retried_attempt_takes_a_slot() -> None:
    vt = VirtualTime()
    limit = RateLimit(requests=2, per=1.0, clock=vt, sleep=vt.sleep)
    fake = FakeMindhunters()
    call_id = fake.add_call()
    fake.fail(503, times=2)
    sends = Sends(vt)
    retry = mh.RetryPolicy(sleep=vt.sleep, initial_delay=0.0)
    async with governed(fake, limit, sends, retry=retry) as client, anyio.create_task_group() as tg:
        for _ in range(3):
            tg.start_soon(client.calls.get, call_id)
    # Three calls, two of them retried once: five requests, never three in a second.
    assert len(fake.requests) == len(sends.times) == 5
    assert busiest_window(sends.times, 1.0) == 2


async def test_a_429_pauses_every_request_until_its_retry_after() -> None:
    vt = VirtualTime()
    limit = RateLimit(requests=100, per=60.0, clock=vt, sleep=vt.sleep)
    fake = FakeMindhunters()
    call_id = fake.add_call()
    fake.fail(429, retry_after=5)
    sends = Sends(vt)
    limited = anyio.Event()
    retry_waits: list[float] = []

    async def retry_sleep(seconds: float) -> None:
        retry_waits.append(seconds)

    retry = mh.RetryPolicy(sleep=retry_sleep, on_retry=lambda *_: limited.set())
    async with governed(fake, limit, sends, retry=retry) as client, anyio.create_task_group() as tg:
        tg.start_soon(client.calls.get, call_id)
        await limited.wait()
        for _ in range(4):
            tg.start_soon(client.calls.get, call_id)
    assert retry_waits == [5.0]
    # The four started after the 429 went when its pause ended (the head of the
    # queue slept 5 s for them all), and so did the retry; none hit the limit itself.
    assert vt.sleeps == [5.0]
    assert sorted(sends.times) == [0.0] + [5.0] * 5
    assert [r.status for r in fake.requests].count(429) == 1
    assert client.stats().governor_waits >= 4


def test_the_pause_is_capped_at_the_calls_max_retry_after() -> None:
    request = Request(
        mh.middleware.Endpoint("calls.get", "GET", "/calls/x"),
        FakeMindhunters().client()._options,
        "/calls/x",
    )
    response = httpx.Response(429, request=httpx.Request("GET", "https://x/calls/x"))
    assert pause_of(request, mh.RateLimitError("slow", response=response, retry_after=5)) == 5
    assert pause_of(request, mh.RateLimitError("slow", response=response, retry_after=3600)) == 60
    assert pause_of(request, mh.RateLimitError("slow", response=response)) is None
    unavailable = httpx.Response(503, request=response.request)
    assert (
        pause_of(request, mh.ServiceUnavailableError("x", response=unavailable, retry_after=5))
        is None
    )


async def test_x_ratelimit_remaining_counts_requests_sent_by_others() -> None:
    clock = ManualClock()

    async def sleep(seconds: float) -> None:
        clock.advance(seconds)
        await anyio.lowlevel.checkpoint()

    # The server allows 5 a minute; someone else with the same token spent 3 of them.
    fake = FakeMindhunters(rate_limit=5, clock=clock)
    call_id = fake.add_call()
    auth = {"Authorization": f"Bearer {fake.DEFAULT_TOKEN}"}
    for _ in range(3):
        fake.handle(httpx.Request("GET", f"{fake.DEFAULT_BASE_URL}/agents", headers=auth))
    start = clock()
    limit = RateLimit(requests=5, per=60.0, clock=clock, sleep=sleep)
    sends = Sends(clock)
    async with governed(fake, limit, sends) as client:
        await client.calls.get(call_id)  # its reply says 1 remains
        async with anyio.create_task_group() as tg:
            for _ in range(3):
                tg.start_soon(client.calls.get, call_id)
    served = [r.status for r in fake.requests[3:]]
    assert served == [200] * 4  # never a 429
    # The one that remained went at once; the last two waited out the server's window.
    assert [t - start for t in sends.times] == [0.0, 0.0, 60.0, 60.0]


def test_remaining_of_reads_only_whole_numbers() -> None:
    assert remaining_of(httpx.Headers({"X-RateLimit-Remaining": "7"})) == 7
    assert remaining_of(httpx.Headers({"X-RateLimit-Remaining": " 0 "})) == 0
    for bad in ("-1", "1.5", "many", "", "1" * 12):
        assert remaining_of(httpx.Headers({"X-RateLimit-Remaining": bad})) is None
    assert remaining_of(httpx.Headers()) is None


async def test_placing_calls_may_go_ahead_of_reads() -> None:
    vt = VirtualTime(jump=False)
    limit = RateLimit(requests=1, per=1.0, first={"calls.create"}, clock=vt, sleep=vt.sleep)
    fake = FakeMindhunters()
    call_id = fake.add_call()
    sends = Sends(vt)
    participant = {"number": "+14155552671"}
    async with governed(fake, limit, sends) as client, anyio.create_task_group() as tg:
        for _ in range(3):
            tg.start_soon(client.calls.get, call_id)
        await anyio.wait_all_tasks_blocked()
        tg.start_soon(
            lambda: client.calls.create(agent_id=fake.DEFAULT_AGENT_ID, participant=participant)
        )
        for _ in range(3):
            await anyio.wait_all_tasks_blocked()
            vt.advance(1.0)
    # The first read had the slot; the call placed after the other two still went next.
    assert sends.names == ["calls.get", "calls.create", "calls.get", "calls.get"]
    assert sends.times == [0.0, 1.0, 2.0, 3.0]


async def test_a_cancelled_waiter_gives_its_place_to_the_next() -> None:
    vt = VirtualTime(jump=False)
    limit = RateLimit(requests=1, per=1.0, clock=vt, sleep=vt.sleep)
    fake = FakeMindhunters()
    call_id = fake.add_call()
    sends = Sends(vt)
    async with governed(fake, limit, sends) as client, anyio.create_task_group() as tg:
        await client.calls.get(call_id)  # holds the only slot until t=1
        cancelled = anyio.CancelScope()

        async def first_in_line() -> None:
            with cancelled:
                await client.calls.get(call_id)

        tg.start_soon(first_in_line)
        await anyio.wait_all_tasks_blocked()
        tg.start_soon(client.calls.get, call_id)
        await anyio.wait_all_tasks_blocked()
        cancelled.cancel()
        await anyio.wait_all_tasks_blocked()
        vt.advance(1.0)
    assert cancelled.cancelled_caught
    # The second in line took the slot the cancelled one was waiting for, at t=1.
    assert sends.times == [0.0, 1.0]
    assert len(fake.requests) == 2


async def test_an_attempt_that_never_left_gives_its_slot_back() -> None:
    vt = VirtualTime(jump=False)
    limit = RateLimit(requests=1, per=1.0, clock=vt, sleep=vt.sleep)
    fake = FakeMindhunters()
    call_id = fake.add_call()
    refused = 0

    async def refuse_once(request: Request, call_next: CallNext) -> httpx.Response:
        nonlocal refused
        if not refused:
            refused += 1
            raise RuntimeError("refused before sending")
        return await call_next(request)

    sends = Sends(vt)
    async with fake.client(rate_limit=limit, middleware=[refuse_once, sends]) as client:
        with pytest.raises(RuntimeError):
            await client.calls.get(call_id)
        with anyio.fail_after(5):  # real seconds: only a hang would reach them
            await client.calls.get(call_id)
    assert sends.times == [0.0]
    assert vt.sleeps == []


async def test_no_slot_before_the_retry_deadline_fails_at_once() -> None:
    vt = VirtualTime(jump=False)
    limit = RateLimit(requests=1, per=10.0, clock=vt, sleep=vt.sleep)
    fake = FakeMindhunters()
    call_id = fake.add_call()
    async with fake.client(rate_limit=limit) as client:
        await client.calls.get(call_id)
        hurried = client.with_options(retry=mh.RetryPolicy(deadline=2.0))
        with pytest.raises(mh.APITimeoutError) as info:
            await hurried.calls.get(call_id)
    error = info.value
    assert "rate governor" in str(error)
    assert "not sent" in str(error)
    assert error.sent is False
    assert error.outcome_unknown is False
    assert vt.sleeps == []  # it did not wait to find out
    assert len(fake.requests) == 1


async def test_no_slot_within_the_callers_own_timeout_fails_at_once() -> None:
    vt = VirtualTime(jump=False)
    limit = RateLimit(requests=1, per=10.0, clock=vt, sleep=vt.sleep)
    fake = FakeMindhunters()
    call_id = fake.add_call()
    async with fake.client(rate_limit=limit) as client:
        await client.calls.get(call_id)
        with anyio.fail_after(3.0), pytest.raises(mh.APITimeoutError, match="rate governor"):
            await client.calls.create(
                agent_id=fake.DEFAULT_AGENT_ID, participant={"number": "+14155552671"}
            )
    assert vt.sleeps == []
    assert len(fake.calls) == 1


async def test_a_wait_within_the_deadline_is_waited() -> None:
    vt = VirtualTime()
    limit = RateLimit(requests=1, per=10.0, clock=vt, sleep=vt.sleep)
    fake = FakeMindhunters()
    call_id = fake.add_call()
    async with fake.client(rate_limit=limit, retry=mh.RetryPolicy(deadline=30.0)) as client:
        await client.calls.get(call_id)
        await client.calls.get(call_id)
    assert vt.sleeps == [10.0]


async def test_without_a_rate_limit_nothing_waits() -> None:
    fake = FakeMindhunters()
    call_id = fake.add_call()
    async with fake.client() as client, anyio.create_task_group() as tg:
        for _ in range(30):
            tg.start_soon(client.calls.get, call_id)
    assert client.stats().governor_waits == 0
    assert len(fake.requests) == 30


@pytest.mark.parametrize(
    ("requests", "per"),
    [(0, 1.0), (-1, 1.0), (1.5, 1.0), (True, 1.0), (10, 0), (10, -1.0), (10, math.inf)],
)
def test_a_limit_that_cannot_be_kept_is_refused(requests: object, per: object) -> None:
    with pytest.raises(mh.ConfigurationError, match="RateLimit"):
        RateLimit(requests, per)  # type: ignore[arg-type]


def test_rate_limit_must_be_a_governor() -> None:
    with pytest.raises(mh.ConfigurationError, match="rate_limit must be"):
        mh.AsyncMindhunters(api_token="t", tenant="acme", rate_limit=1000)  # type: ignore[arg-type]


def test_the_defaults_are_the_documented_limit() -> None:
    limit = RateLimit()
    assert (limit.requests, limit.per) == (1000, 60.0)
    assert repr(limit) == "RateLimit(requests=1000, per=60)"
