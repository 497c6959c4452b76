"""The aiohttp integration and the example service, on aiohttp's own test server.

aiohttp runs on asyncio only: each test's trio case checks that the integration
says so clearly instead of failing somewhere inside aiohttp.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpcore
import pytest
import raw_http
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer, make_mocked_request

import mindhunters_async as mh
from mindhunters_async import webhooks
from mindhunters_async.integrations import aiohttp as mh_aiohttp
from mindhunters_async.testing import FakeMindhunters, Fault, ManualClock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))
import aiohttp_app

pytestmark = pytest.mark.anyio

AGENT = FakeMindhunters.DEFAULT_AGENT_ID
NUMBER = "+14155552671"
END_REPORT = json.dumps({"event": "conversation_end_report", "data": {"call_id": "c-1"}}).encode()
ASYNCIO_ONLY = "runs on asyncio only"


@pytest.fixture
def on_asyncio(anyio_backend: str) -> bool:
    return anyio_backend == "asyncio"


def fake_options(fake: FakeMindhunters, **extra: Any) -> dict[str, Any]:
    return {
        "api_token": fake.DEFAULT_TOKEN,
        "base_url": fake.DEFAULT_BASE_URL,
        "transport": fake.transport(),
        **extra,
    }


@asynccontextmanager
async def app_client(
    app: web.Application,
) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        yield client


# Under trio: a clear error from every entry point


async def test_under_trio_every_entry_point_says_asyncio_only(on_asyncio: bool) -> None:
    fake = FakeMindhunters()
    app = web.Application()
    mh_aiohttp.setup(app, **fake_options(fake))
    context = app.cleanup_ctx[0](app)
    if on_asyncio:
        # The same entry point works here: the client is there, then closed.
        await context.__anext__()
        client = app[mh_aiohttp.CLIENT_KEY]
        await client.agents.get(AGENT)
        with pytest.raises(StopAsyncIteration):
            await context.__anext__()
        with pytest.raises(mh.ClientStateError):
            await client.agents.get(AGENT)
        return
    with pytest.raises(RuntimeError, match=ASYNCIO_ONLY):
        await context.__anext__()
    handler = mh_aiohttp.webhook_handler()
    with pytest.raises(RuntimeError, match=ASYNCIO_ONLY):
        await handler(make_mocked_request("POST", "/webhooks/mindhunters"))

    async def inner(request: web.Request) -> web.StreamResponse:
        raise AssertionError("not reached")

    with pytest.raises(RuntimeError, match=ASYNCIO_ONLY):
        await mh_aiohttp.error_middleware(make_mocked_request("GET", "/"), inner)


# setup and the client


async def test_setup_opens_one_client_and_closes_it(on_asyncio: bool) -> None:
    if not on_asyncio:
        return await test_under_trio_every_entry_point_says_asyncio_only(False)
    fake = FakeMindhunters()
    app = web.Application()
    mh_aiohttp.setup(app, **fake_options(fake))
    seen: list[mh.AsyncMindhunters] = []

    async def agent(request: web.Request) -> web.Response:
        client = request.app[mh_aiohttp.CLIENT_KEY]
        seen.append(client)
        return web.json_response((await client.agents.get(AGENT)).name)

    app.router.add_get("/agent", agent)
    async with app_client(app) as http:
        for _ in range(3):
            assert await (await http.get("/agent")).json() == "Test Agent"
    assert len(set(map(id, seen))) == 1
    with pytest.raises(mh.ClientStateError):
        await seen[0].agents.get(AGENT)
    return None


async def test_bad_settings_stop_the_start_up(on_asyncio: bool) -> None:
    if not on_asyncio:
        return await test_under_trio_every_entry_point_says_asyncio_only(False)
    app = web.Application()
    mh_aiohttp.setup(app, api_token="t", tenant="not a label")
    with pytest.raises(mh.ConfigurationError):
        async with TestServer(app, host="127.0.0.1"):
            pass
    return None


# Errors


async def test_sdk_errors_become_http_answers(on_asyncio: bool) -> None:
    if not on_asyncio:
        return await test_under_trio_every_entry_point_says_asyncio_only(False)
    fake = FakeMindhunters()
    fake.tokens["sk-secret-token"] = fake.ALL_PERMISSIONS
    app = aiohttp_app.create_app(
        fake_options(fake, api_token="sk-secret-token", max_retries=0), agent_id=AGENT
    )
    async with app_client(app) as http:
        bad = await http.post("/calls", json={"phone": "555-0100"})
        fake.fail(Fault.SERVICE_UNAVAILABLE)
        busy = await http.post("/calls", json={"phone": NUMBER})
        fake.fail(Fault.READ_TIMEOUT_AFTER_COMMIT)
        unknown = await http.post("/calls", json={"phone": NUMBER})
        answers = [
            (r.status, await r.json(), r.headers.get("Retry-After")) for r in (bad, busy, unknown)
        ]
    assert answers[0] == (
        422,
        {
            "error": {
                "message": "Please check the phone number format",
                "code": "INVALID_FORMAT",
                "field": "participant.number",
            }
        },
        None,
    )
    assert (answers[1][0], answers[1][2]) == (503, "5")
    assert answers[2][0] == 502
    assert answers[2][1]["error"]["outcome_unknown"] is True
    assert "sk-secret-token" not in json.dumps(answers)
    assert len(fake.calls) == 1  # placed once, reply lost: the app said not to retry
    return None


# The webhook receiver


async def test_the_webhook_handler(on_asyncio: bool) -> None:
    if not on_asyncio:
        return await test_under_trio_every_entry_point_says_asyncio_only(False)
    got: list[webhooks.Event] = []
    others: list[webhooks.Event] = []
    app = web.Application()
    app.router.add_post(
        "/in",
        mh_aiohttp.webhook_handler(
            {"conversation_end_report": got.append},
            default=others.append,
            verify=lambda body, headers: headers.get("x-ok") == "1",
            max_body_bytes=200,
        ),
    )
    ok = {"x-ok": "1"}
    async with app_client(app) as http:
        assert (await http.post("/in", data=END_REPORT, headers=ok)).status == 200
        assert (await http.post("/in", data=b'{"event": "brand_new"}', headers=ok)).status == 200
        assert (await http.post("/in", data=END_REPORT, headers={"x-ok": "0"})).status == 401
        assert (await http.post("/in", data=b"{oops", headers=ok)).status == 400
        assert (await http.post("/in", data=b" " * 201, headers=ok)).status == 413

        async def chunked() -> AsyncIterator[bytes]:
            for _ in range(30):
                yield b" " * 10

        assert (await http.post("/in", data=chunked(), headers=ok)).status == 413
    assert got == [webhooks.ConversationEndReport(call_id="c-1", data={"call_id": "c-1"})]
    assert others == [webhooks.UnknownEvent("brand_new", data={})]
    return None


async def test_a_failing_handler_is_logged_after_the_answer(
    on_asyncio: bool, caplog: pytest.LogCaptureFixture
) -> None:
    if not on_asyncio:
        return await test_under_trio_every_entry_point_says_asyncio_only(False)

    def broken(event: webhooks.Event) -> None:
        raise ValueError("handler bug")

    app = web.Application()
    app.router.add_post("/in", mh_aiohttp.webhook_handler(default=broken))
    async with app_client(app) as http:
        answer = await http.post("/in", data=END_REPORT)
        assert (answer.status, await answer.json()) == (200, {"received": True})
    (record,) = [r for r in caplog.records if r.name == "mindhunters_async.integrations"]
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], ValueError)
    return None


# The example on aiohttp's test server


async def test_500_concurrent_requests_share_one_client_and_one_pool(
    on_asyncio: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not on_asyncio:
        return await test_under_trio_every_entry_point_says_asyncio_only(False)
    clients: list[mh.AsyncMindhunters] = []
    pools: list[httpcore.AsyncConnectionPool] = []

    class CountedClient(mh.AsyncMindhunters):
        def __init__(self, **options: Any) -> None:
            super().__init__(**options)
            clients.append(self)

    real_pool_init = httpcore.AsyncConnectionPool.__init__

    def pool_init(pool: httpcore.AsyncConnectionPool, *args: Any, **kwargs: Any) -> None:
        real_pool_init(pool, *args, **kwargs)
        pools.append(pool)

    monkeypatch.setattr(mh_aiohttp, "AsyncMindhunters", CountedClient)
    monkeypatch.setattr(httpcore.AsyncConnectionPool, "__init__", pool_init)
    fake = FakeMindhunters()
    with raw_http.served(fake.asgi_app) as fake_url:
        app = aiohttp_app.create_app(
            {"api_token": fake.DEFAULT_TOKEN, "base_url": fake_url + "/api/v1"}, agent_id=AGENT
        )
        server = TestServer(app, host="127.0.0.1")
        async with server:
            answers: list[int] = []

            async def place(i: int) -> None:
                status, _ = await raw_http.request(
                    server.port or 0, "POST", "/calls", {"phone": f"+1415555{i:04d}"}
                )
                answers.append(status)

            async with anyio.create_task_group() as tasks:
                for i in range(500):
                    tasks.start_soon(place, i)
            assert len(clients) == 1
            assert len(pools) == 1
            assert pools[0].connections
    leftovers = [
        task
        for task in asyncio.all_tasks()
        if task is not asyncio.current_task()
        and any(
            name in getattr(getattr(task.get_coro(), "cr_code", None), "co_filename", "")
            for name in ("/mindhunters_async/", "/httpx/", "/httpx2/", "/httpcore/")
        )
    ]
    assert answers == [201] * 500
    assert len(fake.calls) == 500
    assert pools[0].connections == []  # closed at shutdown
    assert leftovers == []
    return None


async def test_end_to_end_a_call_placed_run_and_reported(on_asyncio: bool) -> None:
    if not on_asyncio:
        return await test_under_trio_every_entry_point_says_asyncio_only(False)
    fake = FakeMindhunters(clock=ManualClock())
    reported = anyio.Event()
    seen: list[webhooks.Event] = []

    def on_event(event: webhooks.Event) -> None:
        seen.append(event)
        reported.set()

    app = aiohttp_app.create_app(fake_options(fake), agent_id=AGENT, on_event=on_event)
    async with app_client(app) as http:
        fake.send_webhooks_to(str(http.make_url("/")))
        async with fake.client() as admin:
            await admin.agents.webhooks.create(
                AGENT,
                url="https://service.example/webhooks/mindhunters",
                events=["conversation_end_report"],
            )
        placed = await (await http.post("/calls", json={"phone": NUMBER})).json()
        (delivery,) = await fake.advance(60)
        assert delivery.ok
        with anyio.fail_after(30):  # a guard only: the event is set by the handler
            await reported.wait()
        events = await (await http.get("/events")).json()
    (event,) = seen
    assert isinstance(event, webhooks.ConversationEndReport)
    assert (event.call_id, event.status, event.duration) == (placed["id"], "completed", 45)
    assert events == [{"event": "conversation_end_report", "call_id": placed["id"]}]
    return None
