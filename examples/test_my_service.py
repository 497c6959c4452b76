"""How to test your own code with the SDK's pytest fixtures: no tenant, no network.

`fake_mindhunters` is an in-memory Mindhunters API; `mindhunters_client` is an
`AsyncMindhunters` bound to it whose retries do not wait. Both come with the SDK.
"""

from __future__ import annotations

import pytest
from my_service import remind_customer

import mindhunters_async as mh
from mindhunters_async.testing import FakeMindhunters, Fault

pytestmark = pytest.mark.anyio

AGENT = FakeMindhunters.DEFAULT_AGENT_ID


# Usually in your conftest.py: run every async test on both event loops.
@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def test_places_exactly_one_call(
    mindhunters_client: mh.AsyncMindhunters, fake_mindhunters: FakeMindhunters
) -> None:
    call_id = await remind_customer(mindhunters_client, AGENT, "+14155552671", "A-17")

    (placed,) = fake_mindhunters.requests_to("POST", "/call")
    assert placed.json["participant"] == {"number": "+14155552671", "about": "Order A-17 is ready"}
    assert placed.idempotency_key == "remind-A-17"
    assert fake_mindhunters.calls[call_id].number == "+14155552671"


async def test_a_bad_number_places_nothing(
    mindhunters_client: mh.AsyncMindhunters, fake_mindhunters: FakeMindhunters
) -> None:
    assert await remind_customer(mindhunters_client, AGENT, "555-0100", "A-18") == ""
    assert fake_mindhunters.requests == []


async def test_survives_a_busy_api(
    mindhunters_client: mh.AsyncMindhunters, fake_mindhunters: FakeMindhunters
) -> None:
    fake_mindhunters.fail(Fault.SERVICE_UNAVAILABLE, times=2)
    assert await remind_customer(mindhunters_client, AGENT, "+14155552671", "A-19")
    assert len(fake_mindhunters.calls) == 1


async def test_never_rings_twice_when_the_outcome_is_unknown(
    mindhunters_client: mh.AsyncMindhunters, fake_mindhunters: FakeMindhunters
) -> None:
    # The server places the call, then the connection times out before the reply.
    fake_mindhunters.fail(Fault.READ_TIMEOUT_AFTER_COMMIT)
    with pytest.raises(mh.APITimeoutError) as info:
        await remind_customer(mindhunters_client, AGENT, "+14155552671", "A-20")
    assert info.value.outcome_unknown
    assert info.value.idempotency_key == "remind-A-20"
    assert len(fake_mindhunters.calls) == 1
