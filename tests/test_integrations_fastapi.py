"""The FastAPI integration and the example service, on a real FastAPI (uvicorn on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpcore
import httpx
import pytest
import raw_http
from fastapi import Depends, FastAPI

import mindhunters_async as mh
from mindhunters_async import webhooks
from mindhunters_async.integrations import fastapi as mh_fastapi
from mindhunters_async.testing import FakeMindhunters, Fault, ManualClock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))
import fastapi_app

pytestmark = pytest.mark.anyio

AGENT = FakeMindhunters.DEFAULT_AGENT_ID
NUMBER = "+14155552671"
END_REPORT = json.dumps({"event": "conversation_end_report", "data": {"call_id": "c-1"}}).encode()


def fake_options(fake: FakeMindhunters, **extra: Any) -> dict[str, Any]:
    return {
        "api_token": fake.DEFAULT_TOKEN,
        "base_url": fake.DEFAULT_BASE_URL,
        "transport": fake.transport(),
        **extra,
    }


@asynccontextmanager
async def in_process(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan running, driven through httpx's ASGI transport."""
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app") as http,
    ):
        yield http


# The lifespan and the dependency


async def test_the_lifespan_opens_one_client_and_closes_it() -> None:
    fake = FakeMindhunters()
    app = FastAPI(lifespan=mh_fastapi.lifespan(**fake_options(fake)))
    seen: list[mh.AsyncMindhunters] = []

    @app.get("/agent")
    async def agent(client: mh_fastapi.Client) -> str | None:
        seen.append(client)
        return (await client.agents.get(AGENT)).name

    async with in_process(app) as http:
        assert [(await http.get("/agent")).json() for _ in range(3)] == ["Test Agent"] * 3
        client = app.state.mindhunters_client
    assert seen == [client] * 3
    assert not hasattr(app.state, "mindhunters_client")
    with pytest.raises(mh.ClientStateError):
        await client.agents.get(AGENT)


async def test_the_lifespan_inside_an_apps_own() -> None:
    fake = FakeMindhunters()
    order: list[str] = []

    @asynccontextmanager
    async def own(app: FastAPI) -> AsyncIterator[None]:
        async with mh_fastapi.lifespan(**fake_options(fake))(app):
            order.append("up")
            yield
        order.append("client closed")

    app = FastAPI(lifespan=own)

    @app.get("/ok")
    async def ok(client: mh_fastapi.Client) -> bool:
        return isinstance(client, mh.AsyncMindhunters)

    async with in_process(app) as http:
        assert (await http.get("/ok")).json() is True
    assert order == ["up", "client closed"]


async def test_bad_settings_stop_the_start_up() -> None:
    app = FastAPI(lifespan=mh_fastapi.lifespan(api_token="t", tenant="not a label"))
    with pytest.raises(mh.ConfigurationError):
        async with app.router.lifespan_context(app):
            pass


async def test_without_the_lifespan_get_client_says_what_to_do() -> None:
    app = FastAPI()

    @app.get("/x")
    async def x(client: mh.AsyncMindhunters = Depends(mh_fastapi.get_client)) -> None:  # noqa: B008
        raise AssertionError("not reached")

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://app"
    ) as http:
        with pytest.raises(RuntimeError, match=r"lifespan=mindhunters_async\.integrations"):
            await http.get("/x")


async def test_tests_swap_the_client_for_the_fake() -> None:
    fake = FakeMindhunters()
    # The app as deployed: its own settings (never used here: the override wins).
    app = fastapi_app.create_app({"api_token": "t", "tenant": "acme"}, agent_id=AGENT)
    async with fake.client() as client:
        app.dependency_overrides[mh_fastapi.get_client] = lambda: client
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://app"
        ) as http:
            placed = await http.post("/calls", json={"phone": NUMBER})
    assert placed.status_code == 201
    assert list(fake.calls) == [placed.json()["id"]]


# Errors


async def test_sdk_errors_become_http_answers() -> None:
    fake = FakeMindhunters()
    app = fastapi_app.create_app(
        fake_options(fake, api_token="sk-secret-token", max_retries=0), agent_id=AGENT
    )
    fake.tokens["sk-secret-token"] = fake.ALL_PERMISSIONS
    async with in_process(app) as http:
        bad = await http.post("/calls", json={"phone": "555-0100"})
        fake.fail(Fault.RATE_LIMIT_EXCEEDED, retry_after=7)
        busy = await http.post("/calls", json={"phone": NUMBER})
        fake.fail(Fault.INTERNAL_SERVER_ERROR, route="POST /call")
        unknown = await http.post("/calls", json={"phone": NUMBER})
    assert (bad.status_code, bad.json()) == (
        422,
        {
            "error": {
                "message": "Please check the phone number format",
                "code": "INVALID_FORMAT",
                "field": "participant.number",
            }
        },
    )
    assert (busy.status_code, busy.headers["retry-after"]) == (503, "7")
    assert unknown.status_code == 502
    assert unknown.json()["error"]["outcome_unknown"] is True
    for answer in (bad, busy, unknown):
        assert "sk-secret-token" not in answer.text
        assert "Internal" not in answer.text  # no upstream wording
    assert fake.calls == {}


# The webhook receiver


def receiver_app(**options: Any) -> tuple[FastAPI, list[webhooks.Event]]:
    got: list[webhooks.Event] = []
    app = FastAPI()
    app.include_router(
        mh_fastapi.webhook_router({"conversation_end_report": got.append}, **options)
    )
    return app, got


async def post(app: FastAPI, content: Any, **headers: str) -> httpx.Response:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://app"
    ) as http:
        return await http.post("/webhooks/mindhunters", content=content, headers=headers)


async def test_a_delivery_reaches_its_handler_typed() -> None:
    app, got = receiver_app()
    answer = await post(app, END_REPORT)
    assert (answer.status_code, answer.json()) == (200, {"received": True})
    assert got == [webhooks.ConversationEndReport(call_id="c-1", data={"call_id": "c-1"})]


async def test_events_without_a_handler_go_to_default_or_are_dropped() -> None:
    app, got = receiver_app()
    assert (await post(app, b'{"event": "conversation_status"}')).status_code == 200
    assert got == []

    others: list[webhooks.Event] = []
    app = FastAPI()
    app.include_router(mh_fastapi.webhook_router(default=others.append, prefix="/in"))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://app"
    ) as http:
        answer = await http.post("/in/webhooks/mindhunters", content=b'{"event": "brand_new"}')
    assert answer.status_code == 200
    assert others == [webhooks.UnknownEvent("brand_new", data={})]


async def test_malformed_and_unverified_deliveries_are_refused() -> None:
    app, got = receiver_app(verify=lambda body, headers: headers.get("x-ok") == "1")
    assert (await post(app, END_REPORT, **{"x-ok": "0"})).status_code == 401
    assert (await post(app, b"{oops", **{"x-ok": "1"})).status_code == 400
    assert (await post(app, END_REPORT, **{"x-ok": "1"})).status_code == 200
    assert len(got) == 1


async def test_bodies_over_the_cap_are_refused() -> None:
    app, got = receiver_app(max_body_bytes=len(END_REPORT) - 1)
    assert (await post(app, END_REPORT)).status_code == 413

    # No Content-Length, the body in chunks: the cap holds on what is actually read.
    # (Straight through ASGI: httpx's ASGITransport would leave its body generator
    # unfinished when the app answers early.)
    app, got = receiver_app(max_body_bytes=20)
    chunks = [END_REPORT[start : start + 8] for start in range(0, len(END_REPORT), 8)]
    asked: list[int] = []
    answer: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        asked.append(1)
        chunk = chunks[len(asked) - 1]
        return {"type": "http.request", "body": chunk, "more_body": len(asked) < len(chunks)}

    async def send(message: dict[str, Any]) -> None:
        answer.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/webhooks/mindhunters",
        "raw_path": b"/webhooks/mindhunters",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"transfer-encoding", b"chunked")],
        "client": ("127.0.0.1", 1),
        "server": ("app", 80),
    }
    await app(scope, receive, send)
    assert answer[0]["status"] == 413
    assert len(asked) == 3  # 24 bytes read: it stopped at the cap
    assert got == []


async def test_a_failing_handler_is_logged_after_the_answer(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(event: webhooks.Event) -> None:
        raise ValueError("handler bug")

    app = FastAPI()
    app.include_router(mh_fastapi.webhook_router(default=broken))
    with caplog.at_level(logging.ERROR, "mindhunters_async.integrations"):
        assert (await post(app, END_REPORT)).status_code == 200
    (record,) = caplog.records
    assert "conversation_end_report" in record.getMessage()
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], ValueError)


def test_receiver_settings_are_checked_when_the_app_is_built() -> None:
    with pytest.raises(ValueError, match="max_body_bytes"):
        mh_fastapi.webhook_router(max_body_bytes=0)
    with pytest.raises(TypeError, match="not callable"):
        mh_fastapi.webhook_router({"intent_call": "handler"})  # type: ignore[dict-item]


# The example, served by uvicorn


async def test_the_example_over_real_http() -> None:
    fake = FakeMindhunters()
    app = fastapi_app.create_app(fake_options(fake), agent_id=AGENT)
    with raw_http.served(app) as url:
        async with httpx.AsyncClient(base_url=url) as http:
            placed = await http.post("/calls", json={"phone": NUMBER, "about": "demo"})
            listed = await http.get("/calls", params={"limit": 5})
    assert placed.status_code == 201
    assert placed.json()["status"] == "initiated"
    assert [c["id"] for c in listed.json()] == [placed.json()["id"]]
    (call,) = fake.calls.values()
    assert call.body is not None
    assert call.body["participant"]["about"] == "demo"


class Census:
    """Counts the SDK clients and connection pools made in the server's thread."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.clients: list[mh.AsyncMindhunters] = []
        self.pools: list[httpcore.AsyncConnectionPool] = []
        census = self

        class CountedClient(mh.AsyncMindhunters):
            def __init__(self, **options: Any) -> None:
                super().__init__(**options)
                census.clients.append(self)

        real_pool_init = httpcore.AsyncConnectionPool.__init__

        def pool_init(pool: httpcore.AsyncConnectionPool, *args: Any, **kwargs: Any) -> None:
            real_pool_init(pool, *args, **kwargs)
            if threading.current_thread() is not threading.main_thread():
                census.pools.append(pool)

        monkeypatch.setattr(mh_fastapi, "AsyncMindhunters", CountedClient)
        monkeypatch.setattr(httpcore.AsyncConnectionPool, "__init__", pool_init)


async def test_500_concurrent_requests_share_one_client_and_one_pool(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    census = Census(monkeypatch)
    fake = FakeMindhunters()
    leftovers: list[str] = []
    with raw_http.served(fake.asgi_app) as fake_url:
        app = fastapi_app.create_app(
            {"api_token": fake.DEFAULT_TOKEN, "base_url": fake_url + "/api/v1"}, agent_id=AGENT
        )
        service_lifespan = app.router.lifespan_context

        @asynccontextmanager
        async def checked(app: FastAPI) -> AsyncIterator[None]:
            async with service_lifespan(app):
                yield
            # After shutdown, nothing of the SDK or its pool may still be running.
            for task in asyncio.all_tasks():
                code = getattr(task.get_coro(), "cr_code", None)
                where = "" if code is None else code.co_filename
                if any(
                    name in where
                    for name in ("/mindhunters_async/", "/httpx/", "/httpx2/", "/httpcore/")
                ):
                    leftovers.append(repr(task))

        app.router.lifespan_context = checked
        with raw_http.served(app) as url:
            port = int(url.rsplit(":", 1)[1])
            answers: list[int] = []

            async def place(i: int) -> None:
                status, _ = await raw_http.request(
                    port, "POST", "/calls", {"phone": f"+1415555{i:04d}"}
                )
                answers.append(status)

            async with anyio.create_task_group() as tasks:
                for i in range(500):
                    tasks.start_soon(place, i)
            assert len(census.clients) == 1
            assert len(census.pools) == 1
            assert census.pools[0].connections  # in use until shutdown
    assert answers == [201] * 500
    assert len(fake.calls) == 500
    assert census.pools[0].connections == []  # closed at shutdown
    assert leftovers == []


async def test_end_to_end_a_call_placed_run_and_reported() -> None:
    clock = ManualClock()
    fake = FakeMindhunters(clock=clock)
    reported = threading.Event()
    seen: list[webhooks.Event] = []

    def on_event(event: webhooks.Event) -> None:
        seen.append(event)
        if isinstance(event, webhooks.ConversationEndReport):
            reported.set()

    app = fastapi_app.create_app(fake_options(fake), agent_id=AGENT, on_event=on_event)
    with raw_http.served(app) as url:
        fake.send_webhooks_to(url)
        async with fake.client() as admin:
            await admin.agents.webhooks.create(
                AGENT,
                url="https://service.example/webhooks/mindhunters",
                events=["conversation_end_report"],
            )
        async with httpx.AsyncClient(base_url=url) as http:
            placed = (await http.post("/calls", json={"phone": NUMBER})).json()
            (delivery,) = await fake.advance(60)
            assert delivery.ok
            # The handler runs after the 200; wait for it, not for time.
            assert await anyio.to_thread.run_sync(reported.wait, 30)
            events = (await http.get("/events")).json()
    (event,) = seen
    assert isinstance(event, webhooks.ConversationEndReport)
    assert (event.call_id, event.status, event.duration) == (placed["id"], "completed", 45)
    assert events == [{"event": "conversation_end_report", "call_id": placed["id"]}]
