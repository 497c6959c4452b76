"""End to end through the SDK's own pytest fixtures: the client against the stateful fake.

These are the scenarios users care about, asserted on what the fake saw and did
(requests received, calls placed), not on mocks of the SDK's internals.
"""

from __future__ import annotations

import pytest

import mindhunters_async as mh
from mindhunters_async.testing import FakeMindhunters, Fault, ManualClock

pytestmark = pytest.mark.anyio

AGENT = FakeMindhunters.DEFAULT_AGENT_ID
NUMBER = "+14155552671"


async def place(client: mh.AsyncMindhunters) -> mh.Call:
    return await client.calls.create(agent_id=AGENT, participant={"number": NUMBER})


async def test_place_read_and_list(
    mindhunters_client: mh.AsyncMindhunters, fake_mindhunters: FakeMindhunters
) -> None:
    other = fake_mindhunters.add_agent("Other")
    for _ in range(4):
        fake_mindhunters.add_call(agent_id=other, direction="inbound")
    call = await place(mindhunters_client)
    assert call.status == "initiated"
    assert call.participant == mh.Participant(number=NUMBER)

    again = await mindhunters_client.calls.get(call.id)
    assert again.id == call.id
    assert again.direction == "outbound"

    everything = [c.id async for c in mindhunters_client.calls.list(per_page=2)]
    assert len(everything) == 5
    assert call.id in everything
    pages = fake_mindhunters.requests_to("GET", "/calls")
    assert [r.query.get("page") for r in pages] == ["1", "2", "3"]

    mine = await mindhunters_client.calls.list(agent_id=AGENT, direction="outbound")
    assert [c.id for c in mine.items] == [call.id]
    assert mine.total == 1


# fault -> (requests the fake received, calls placed, error raised or None, outcome unknown)
POST_SCENARIOS = {
    Fault.RATE_LIMIT_EXCEEDED: (2, 1, None, False),
    Fault.SERVICE_UNAVAILABLE: (2, 1, None, False),
    Fault.CONNECT_ERROR: (2, 1, None, False),
    Fault.CONNECT_TIMEOUT: (2, 1, None, False),
    Fault.INTERNAL_SERVER_ERROR: (1, 0, mh.InternalServerError, True),
    Fault.BAD_GATEWAY: (1, 0, mh.BadGatewayError, True),
    Fault.BAD_GATEWAY_HTML: (1, 0, mh.BadGatewayError, True),
    Fault.READ_TIMEOUT: (1, 0, mh.APITimeoutError, True),
    Fault.READ_TIMEOUT_AFTER_COMMIT: (1, 1, mh.APITimeoutError, True),
}


@pytest.mark.parametrize("fault", list(POST_SCENARIOS), ids=lambda f: f.name)
async def test_a_failed_post_never_rings_twice(
    mindhunters_client: mh.AsyncMindhunters, fake_mindhunters: FakeMindhunters, fault: Fault
) -> None:
    requests, placed, error, unknown = POST_SCENARIOS[fault]
    fake_mindhunters.fail(fault, route="POST /call")
    if error is None:
        await place(mindhunters_client)
    else:
        with pytest.raises(error) as info:
            await place(mindhunters_client)
        assert info.value.outcome_unknown is unknown
        assert info.value.attempts == 1
    received = fake_mindhunters.requests_to("POST", "/call")
    assert len(received) == requests
    assert len({r.idempotency_key for r in received}) == 1
    assert len(fake_mindhunters.calls) == placed


@pytest.mark.parametrize(
    "fault", [Fault.READ_TIMEOUT, Fault.INTERNAL_SERVER_ERROR, Fault.BAD_GATEWAY_HTML]
)
async def test_a_read_is_retried_after_any_transient_failure(
    mindhunters_client: mh.AsyncMindhunters, fake_mindhunters: FakeMindhunters, fault: Fault
) -> None:
    call_id = fake_mindhunters.add_call()
    fake_mindhunters.fail(fault, times=2)
    assert (await mindhunters_client.calls.get(call_id)).id == call_id
    assert len(fake_mindhunters.requests) == 3


async def test_the_fakes_rate_limit_is_waited_out_through_the_sleep_hook() -> None:
    clock = ManualClock()
    fake = FakeMindhunters(rate_limit=2, clock=clock)
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock.advance(seconds)

    async with fake.client(retry=mh.RetryPolicy(sleep=sleep)) as client:
        for _ in range(3):
            await place(client)
    # The third call hit the limit, waited the window out as told, and went through.
    assert len(waits) == 1
    assert 0 < waits[0] <= 60
    assert len(fake.calls) == 3
    assert [r.status for r in fake.requests_to("POST", "/call")] == [201, 201, 429, 201]


async def test_auth_errors(fake_mindhunters: FakeMindhunters) -> None:
    fake_mindhunters.tokens["read-only"] = frozenset({"calls:read"})
    for token, error, code in [
        ("wrong-token", mh.AuthenticationError, mh.ErrorCode.INVALID_AUTH_TOKEN),
        ("read-only", mh.PermissionDeniedError, mh.ErrorCode.FORBIDDEN),
    ]:
        async with fake_mindhunters.client(api_token=token) as client:
            with pytest.raises(error) as info:
                await place(client)
        assert info.value.code is code
        assert info.value.attempts == 1
    assert fake_mindhunters.calls == {}


async def test_without_client_side_validation_the_server_refuses_the_same_input(
    fake_mindhunters: FakeMindhunters,
) -> None:
    async with fake_mindhunters.client(per_call=[mh.middleware.idempotency_key]) as client:
        with pytest.raises(mh.UnprocessableEntityError) as server_side:
            await client.calls.create(agent_id=AGENT, participant={"number": "555-0100"})
    with pytest.raises(mh.RequestValidationError) as client_side:
        mh.validate_e164("555-0100", "participant.number")
    assert server_side.value.field == client_side.value.field == "participant.number"
    assert server_side.value.code == client_side.value.code == mh.ErrorCode.INVALID_FORMAT
    assert server_side.value.user_message == "Please check the phone number format"


async def test_not_found(
    mindhunters_client: mh.AsyncMindhunters, fake_mindhunters: FakeMindhunters
) -> None:
    missing = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
    with pytest.raises(mh.NotFoundError) as info:
        await mindhunters_client.calls.get(missing)
    assert info.value.code is mh.ErrorCode.RESOURCE_NOT_FOUND
    assert missing in (info.value.details or "")
    assert len(fake_mindhunters.requests) == 1
