"""The fake's call lifecycle on its clock, and the agent webhooks it delivers."""

from __future__ import annotations

import json
import socket
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import httpx
import pytest

import mindhunters_async as mh
from mindhunters_async import webhooks
from mindhunters_async.testing import CallScript, FakeMindhunters, ManualClock
from mindhunters_async.testing._server import serve

pytestmark = pytest.mark.anyio

AGENT = FakeMindhunters.DEFAULT_AGENT_ID
NUMBER = "+14155552671"
HOOK_URL = "https://app.example/hooks/mindhunters?tenant=acme"
Message = MutableMapping[str, Any]


class Receiver:
    """A bare ASGI app that records each POST it gets and answers `status`."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.received: list[tuple[str, str, dict[str, Any]]] = []

    async def __call__(
        self,
        scope: Message,
        receive: Callable[[], Awaitable[Message]],
        send: Callable[[Message], Awaitable[None]],
    ) -> None:
        if scope["type"] == "lifespan":
            while (message := await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        target = scope["path"] + (
            "?" + scope["query_string"].decode() if scope["query_string"] else ""
        )
        self.received.append((scope["method"], target, json.loads(body)))
        await send({"type": "http.response.start", "status": self.status, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    @property
    def events(self) -> list[tuple[str, str | None]]:
        return [(body["event"], body["data"].get("status")) for _, _, body in self.received]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def fake(clock: ManualClock) -> FakeMindhunters:
    return FakeMindhunters(clock=clock)


async def subscribe(client: mh.AsyncMindhunters, *events: str, **options: Any) -> None:
    await client.agents.webhooks.create(AGENT, url=HOOK_URL, events=list(events), **options)


async def place(client: mh.AsyncMindhunters, number: str = NUMBER) -> mh.Call:
    return await client.calls.create(agent_id=AGENT, participant={"number": number})


async def test_a_call_rings_is_answered_and_completes_on_the_clock(fake: FakeMindhunters) -> None:
    async with fake.client() as client:
        call = await place(client)
        seen = [(await client.calls.get(call.id)).status]
        for seconds in (1.9, 0.1, 6, 44, 1):
            await fake.advance(seconds)
            seen.append((await client.calls.get(call.id)).status)
        final = await client.calls.get(call.id)
    assert seen == ["initiated", "initiated", "ringing", "in-progress", "in-progress", "completed"]
    assert final.duration == 45
    assert final.updated_at is not None
    assert final.created_at is not None
    assert (final.updated_at - final.created_at).total_seconds() == 53


@pytest.mark.parametrize(
    ("outcome", "statuses"),
    [
        ("completed", ["ringing", "in-progress", "completed"]),
        ("no-answer", ["ringing", "no-answer"]),
        ("busy", ["busy"]),
        ("failed", ["failed"]),
    ],
)
async def test_scripted_outcomes(fake: FakeMindhunters, outcome: str, statuses: list[str]) -> None:
    receiver = Receiver()
    fake.send_webhooks_to(receiver)
    fake.script_call(outcome, ring_after=1, answer_after=1, talk=1)
    async with fake.client() as client:
        await subscribe(client, "conversation_status")
        call = await place(client)
        await fake.advance(10)
        assert (await client.calls.get(call.id)).status == outcome
    assert [status for _, status in receiver.events] == ["initiated", *statuses]


async def test_scripts_are_used_once_and_may_name_a_number(fake: FakeMindhunters) -> None:
    fake.script_call("busy", number="+15550100001")
    fake.script_call("failed")
    async with fake.client() as client:
        first = await place(client)  # the number-free script
        second = await place(client, "+15550100001")
        third = await place(client)  # the default script
        await fake.advance(3)
    assert [fake.calls[c.id].status for c in (first, second, third)] == [
        "failed",
        "busy",
        "ringing",
    ]


async def test_webhooks_go_to_the_agents_subscriptions_only(fake: FakeMindhunters) -> None:
    receiver = Receiver()
    fake.send_webhooks_to(receiver)
    async with fake.client() as client:
        await subscribe(client, "conversation_end_report")
        await client.agents.webhooks.create(
            AGENT, url="https://off.example/x", events="conversation_status", is_active=False
        )
        other = fake.add_agent("Other")
        await client.agents.webhooks.create(
            other, url="https://other.example/x", events="conversation_status"
        )
        call = await place(client)
        sent = await fake.advance(60)
    ((method, target, body),) = receiver.received
    assert (method, target) == ("POST", "/hooks/mindhunters?tenant=acme")
    assert [d.event for d in sent] == ["conversation_end_report"]
    assert sent[0].ok
    assert sent[0].status == 200
    assert fake.deliveries == sent
    event = webhooks.parse_event(json.dumps(body))
    assert isinstance(event, webhooks.ConversationEndReport)
    assert (event.call_id, event.agent_id, event.number) == (call.id, AGENT, NUMBER)
    assert (event.status, event.duration, event.session_type) == ("completed", 45, "call")
    assert event.conversation_uuid == call.conversation_uuid


async def test_every_status_then_the_end_report_in_order(fake: FakeMindhunters) -> None:
    receiver = Receiver()
    fake.send_webhooks_to(receiver)
    async with fake.client() as client:
        await subscribe(client, "conversation_status", "conversation_end_report")
        await place(client)
        # One big step: the steps still come out in their own order.
        await fake.advance(3600)
    assert receiver.events == [
        ("conversation_status", "initiated"),
        ("conversation_status", "ringing"),
        ("conversation_status", "in-progress"),
        ("conversation_status", "completed"),
        ("conversation_end_report", "completed"),
    ]
    stamps = [body["data"]["timestamp"] for _, _, body in receiver.received]
    assert stamps[1:4] == [
        "2023-11-14T22:13:22.000000Z",
        "2023-11-14T22:13:28.000000Z",
        "2023-11-14T22:14:13.000000Z",
    ]


async def test_a_hangup_ends_the_call_and_reports_it(fake: FakeMindhunters) -> None:
    receiver = Receiver()
    fake.send_webhooks_to(receiver)
    async with fake.client() as client:
        await subscribe(client, "conversation_end_report")
        call = await place(client)
        await fake.advance(8 + 12)  # answered at 8 s, 12 s of talk
        assert call.conversation_uuid is not None
        await client.calls.hangup(call.conversation_uuid)
        await fake.advance(3600)
        ended = await client.calls.get(call.id)
    assert (ended.status, ended.duration) == ("completed", 12)
    ((_, _, body),) = receiver.received
    assert body["data"]["duration"] == 12


async def test_a_status_set_by_the_test_stops_the_script(fake: FakeMindhunters) -> None:
    async with fake.client() as client:
        call = await place(client)
        fake.calls[call.id].status = "failed"
        await fake.advance(3600)
        assert (await client.calls.get(call.id)).status == "failed"


async def test_without_a_script_calls_stay_as_placed(clock: ManualClock) -> None:
    fake = FakeMindhunters(clock=clock, call_script=None)
    async with fake.client() as client:
        call = await place(client)
        await fake.advance(3600)
        assert (await client.calls.get(call.id)).status == "initiated"


async def test_a_slower_default_script(clock: ManualClock) -> None:
    fake = FakeMindhunters(clock=clock, call_script=CallScript("no-answer", answer_after=30))
    async with fake.client() as client:
        call = await place(client)
        await fake.advance(31)
        assert (await client.calls.get(call.id)).status == "ringing"
        await fake.advance(1)
        assert (await client.calls.get(call.id)).status == "no-answer"


async def test_advance_needs_a_clock_that_moves() -> None:
    fake = FakeMindhunters()
    with pytest.raises(TypeError, match="ManualClock"):
        await fake.advance(1)
    assert await fake.advance() == []


def test_script_settings_are_checked() -> None:
    fake = FakeMindhunters()
    with pytest.raises(ValueError, match="outcome"):
        fake.script_call("hung-up")
    with pytest.raises(ValueError, match="talk"):
        CallScript(talk=-1)
    with pytest.raises(TypeError, match="ASGI app"):
        fake.send_webhooks_to(42)  # type: ignore[arg-type]


async def test_deliveries_over_a_real_socket_to_a_base_url(fake: FakeMindhunters) -> None:
    receiver = Receiver()
    with serve(receiver) as api_url:  # type: ignore[arg-type]
        fake.send_webhooks_to(api_url.removesuffix("/api/v1"))
        async with fake.client() as client:
            await subscribe(client, "conversation_end_report")
            await place(client)
            (sent,) = await fake.advance(60)
    assert sent.url == api_url.removesuffix("/api/v1") + "/hooks/mindhunters?tenant=acme"
    assert sent.status == 200
    assert receiver.events == [("conversation_end_report", "completed")]


async def test_a_failed_delivery_is_recorded_not_raised(fake: FakeMindhunters) -> None:
    # Bound but not listening: the connection is refused, on every platform, at once.
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        fake.send_webhooks_to(f"http://127.0.0.1:{port}")
        async with fake.client() as client:
            await subscribe(client, "conversation_end_report")
            await place(client)
            (sent,) = await fake.advance(60)
    assert sent.status is None
    assert not sent.ok
    assert sent.error is not None
    assert "ConnectError" in sent.error


async def test_a_receiver_error_status_is_recorded(fake: FakeMindhunters) -> None:
    fake.send_webhooks_to(Receiver(status=500))
    async with fake.client() as client:
        await subscribe(client, "conversation_status")
        await place(client)
        sent = await fake.advance(2)
    assert [(d.status, d.ok) for d in sent] == [(500, False), (500, False)]


async def test_the_lifecycle_over_plain_http(fake: FakeMindhunters) -> None:
    # Through the fake's own routes, as any HTTP client sees it.
    async with httpx.AsyncClient(
        transport=fake.transport(),
        base_url=FakeMindhunters.DEFAULT_BASE_URL,
        headers={"Authorization": f"Bearer {FakeMindhunters.DEFAULT_TOKEN}"},
    ) as http:
        placed = await http.post(
            "/call", json={"agentId": AGENT, "participant": {"number": NUMBER}}
        )
        call_id = placed.json()["data"]["id"]
        await fake.advance(2)
        listed = await http.get("/calls", params={"status": "ringing"})
    assert [c["uuid"] for c in listed.json()["data"]["data"]] == [call_id]
