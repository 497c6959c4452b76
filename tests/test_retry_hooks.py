"""The retry layer's hooks and edges: on_retry, the sleep hook, the policy's settings,
cancellation, and the release of each failed attempt's connection."""

from __future__ import annotations

import math
from typing import Any

import anyio
import httpx
import pytest
import respx
from support import (
    AGENT_ID,
    CALL_ID,
    PARTICIPANT,
    SERVICE_UNAVAILABLE,
    TOKEN,
    RecordingSleep,
    ok,
    rate_limit_exceeded,
)

import mindhunters_async as mh

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_on_retry_callback(api: respx.MockRouter, sleeps: RecordingSleep, kind: str) -> None:
    seen: list[tuple[int, float, type[Exception]]] = []

    def sync_hook(attempt: int, delay: float, error: mh.APIError) -> None:
        seen.append((attempt, delay, type(error)))

    async def async_hook(attempt: int, delay: float, error: mh.APIError) -> None:
        await anyio.lowlevel.checkpoint()
        seen.append((attempt, delay, type(error)))

    policy = mh.RetryPolicy(sleep=sleeps, on_retry=sync_hook if kind == "sync" else async_hook)
    api.post("/call").mock(
        side_effect=[
            rate_limit_exceeded(1000, 2).response(),
            SERVICE_UNAVAILABLE.response(),
            ok(status=201),
        ]
    )
    async with mh.AsyncMindhunters(api_token=TOKEN, tenant="acme", retry=policy) as client:
        await client.calls.create(agent_id=AGENT_ID, participant=PARTICIPANT)
    assert [(a, t) for a, _, t in seen] == [
        (1, mh.RateLimitError),
        (2, mh.ServiceUnavailableError),
    ]
    assert [d for _, d, _ in seen] == sleeps.delays
    assert seen[0][1] == 2.0


async def test_a_blocking_sleep_is_a_clear_error(api: respx.MockRouter) -> None:
    api.get(f"/calls/{CALL_ID}").mock(side_effect=[SERVICE_UNAVAILABLE.response(), ok()])
    policy = mh.RetryPolicy(sleep=lambda seconds: None)  # type: ignore[arg-type,return-value]
    async with mh.AsyncMindhunters(api_token=TOKEN, tenant="acme", retry=policy) as client:
        with pytest.raises(mh.ConfigurationError, match="async function"):
            await client.calls.get(CALL_ID)


@pytest.mark.parametrize(
    "settings",
    [
        {"max_retries": -1},
        {"max_retries": "2"},
        {"max_retries": True},
        {"max_retries": 1.5},
        {"deadline": math.nan},
        {"initial_delay": -0.1},
        {"max_delay": math.inf},
        {"max_retry_after": "60"},
        {"sleep": "anyio.sleep"},
        {"on_retry": 3},
    ],
    ids=repr,
)
def test_policy_refuses_bad_settings(settings: dict[str, Any]) -> None:
    with pytest.raises(mh.ConfigurationError) as info:
        mh.RetryPolicy(**settings)
    assert isinstance(info.value, ValueError)
    assert info.value.setting.startswith("retry.")


# Cancellation ---------------------------------------------------------------------------


async def test_cancellation_during_a_wait_propagates_at_once(api: respx.MockRouter) -> None:
    route = api.get(f"/calls/{CALL_ID}").mock(
        return_value=rate_limit_exceeded(1000, 30).response({"Retry-After": "30"})
    )
    with anyio.CancelScope() as scope:

        def cancel_on_retry(attempt: int, delay: float, error: mh.APIError) -> None:
            scope.cancel()

        # The real anyio.sleep: the cancellation must cut the 30 s wait short.
        policy = mh.RetryPolicy(on_retry=cancel_on_retry)
        async with mh.AsyncMindhunters(api_token=TOKEN, tenant="acme", retry=policy) as client:
            await client.calls.get(CALL_ID)
    assert scope.cancelled_caught
    assert route.call_count == 1


async def test_a_callers_cancellation_during_an_attempt_propagates_at_once() -> None:
    # A MockTransport, not respx: the handler hangs, and records that it was cut short.
    started = anyio.Event()
    closed: list[bool] = []

    async def hang(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return ok()
        started.set()
        try:
            await anyio.sleep_forever()
        finally:
            closed.append(True)
        raise AssertionError("unreachable")

    async with mh.AsyncMindhunters(
        api_token=TOKEN, tenant="acme", transport=httpx.MockTransport(hang)
    ) as client:
        async with anyio.create_task_group() as group:

            async def caller(scope: anyio.CancelScope) -> None:
                with scope:
                    await client.calls.create(agent_id=AGENT_ID, participant=PARTICIPANT)

            scope = anyio.CancelScope()
            group.start_soon(caller, scope)
            await started.wait()
            scope.cancel()
        assert scope.cancelled_caught
        assert closed == [True]
        # The client is still usable: nothing was left half-done.
        assert (await client.calls.get(CALL_ID)).id == CALL_ID


# Connections ----------------------------------------------------------------------------


class TrackedStream(httpx.AsyncByteStream):
    """A response body that records whether it was closed, as a pooled connection would."""

    def __init__(self, body: bytes, log: list[str]) -> None:
        self.body = body
        self.log = log

    async def __aiter__(self) -> Any:
        yield self.body

    async def aclose(self) -> None:
        self.log.append("closed")


async def test_failed_responses_are_released_before_the_wait() -> None:
    # A MockTransport with tracked streams: respx would read the bodies up front.
    log: list[str] = []
    unavailable = SERVICE_UNAVAILABLE.response().content
    found = ok({"id": "x"}).content

    def handler(request: httpx.Request) -> httpx.Response:
        log.append("sent")
        if log.count("sent") < 3:
            return httpx.Response(503, stream=TrackedStream(unavailable, log))
        return httpx.Response(200, stream=TrackedStream(found, log))

    async def sleep(delay: float) -> None:
        log.append("sleep")

    policy = mh.RetryPolicy(sleep=sleep)
    async with mh.AsyncMindhunters(
        api_token=TOKEN, tenant="acme", retry=policy, transport=httpx.MockTransport(handler)
    ) as client:
        await client.calls.get(CALL_ID)
    assert log == ["sent", "closed", "sleep", "sent", "closed", "sleep", "sent", "closed"]


async def test_a_body_too_large_is_released_and_not_retried() -> None:
    log: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        log.append("sent")
        return httpx.Response(200, stream=TrackedStream(b"x" * 2048, log))

    async with mh.AsyncMindhunters(
        api_token=TOKEN,
        tenant="acme",
        transport=httpx.MockTransport(handler),
        max_response_bytes=1024,
    ) as client:
        with pytest.raises(mh.ResponseDecodeError):
            await client.calls.get(CALL_ID)
    assert log == ["sent", "closed"]


async def test_closing_during_a_retry_wait_keeps_what_the_last_attempt_knew() -> None:
    from mindhunters_async.testing import FakeMindhunters, Fault

    fake = FakeMindhunters()
    fake.fail(Fault.INTERNAL_SERVER_ERROR, route="POST /call")
    waiting = anyio.Event()
    release = anyio.Event()

    async def sleep(seconds: float) -> None:
        waiting.set()
        await release.wait()

    policy = mh.RetryPolicy(retry_ambiguous=True, sleep=sleep)
    client = fake.client(retry=policy)
    errors: list[mh.APIError] = []

    async def place() -> None:
        try:
            await client.calls.create(agent_id=fake.DEFAULT_AGENT_ID, participant=PARTICIPANT)
        except mh.APIError as exc:
            errors.append(exc)

    async with anyio.create_task_group() as group:
        group.start_soon(place)
        await waiting.wait()  # the 500 came back; the call waits to retry
        await client.aclose()
        release.set()
    (error,) = errors
    assert isinstance(error, mh.InternalServerError)  # not a bare ClientStateError
    assert error.outcome_unknown  # a 500 on POST /call: the phone may have rung
    assert error.attempts == 1
    assert error.retry_note == "not retried: the client was closed"
    assert len(fake.requests_to("POST", "/call")) == 1
