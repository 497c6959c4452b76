"""A small aiohttp service on mindhunters-async: place a call, list recent calls, take webhooks.

Against the built-in fake (no tenant, no token; calls ring, end and report in real time):

    python examples/aiohttp_app.py

Against a real tenant (the API must reach /webhooks/mindhunters over https):

    MINDHUNTERS_API_TOKEN=... MINDHUNTERS_TENANT=acme MINDHUNTERS_AGENT_ID=<uuid> \\
        python examples/aiohttp_app.py

Then `curl -X POST localhost:8080/calls -d '{"phone": "+14155552671"}'`,
`curl localhost:8080/calls` and `curl localhost:8080/events`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

from aiohttp import web

from mindhunters_async import webhooks
from mindhunters_async.integrations.aiohttp import (
    CLIENT_KEY,
    error_middleware,
    setup,
    webhook_handler,
)
from mindhunters_async.testing import FakeMindhunters

WEBHOOK_PATH = "/webhooks/mindhunters"
EVENTS_KEY = web.AppKey("events", list)


def create_app(
    client_options: Mapping[str, Any],
    *,
    agent_id: str,
    on_event: Callable[[webhooks.Event], object] | None = None,
) -> web.Application:
    """The service: one SDK client for the application (`setup`), SDK errors answered
    as HTTP errors (`error_middleware`), and webhook deliveries at WEBHOOK_PATH."""
    app = web.Application(middlewares=[error_middleware])
    setup(app, **client_options)
    received: list[webhooks.Event] = []
    app[EVENTS_KEY] = received

    async def record(event: webhooks.Event) -> None:
        received.append(event)
        if on_event is not None:
            on_event(event)

    async def place_call(request: web.Request) -> web.Response:
        try:
            order = await request.json()
            phone = order["phone"]
        except (ValueError, KeyError, TypeError):
            return web.json_response({"error": {"message": "send {'phone': ...}"}}, status=400)
        # A bad number is refused by the SDK before sending: a 422 naming the field.
        call = await request.app[CLIENT_KEY].calls.create(
            agent_id=agent_id, participant={"number": phone, "about": order.get("about")}
        )
        return web.json_response({"id": call.id, "status": call.status}, status=201)

    async def recent_calls(request: web.Request) -> web.Response:
        limit = request.query.get("limit", "20")
        per_page = min(max(int(limit), 1), 100) if limit.isdigit() else 20
        page = await request.app[CLIENT_KEY].calls.list(per_page=per_page)
        return web.json_response(
            [{"id": c.id, "status": c.status, "direction": c.direction} for c in page.items]
        )

    async def events(request: web.Request) -> web.Response:
        return web.json_response(
            [{"event": str(e.event), "call_id": getattr(e, "call_id", None)} for e in received]
        )

    app.router.add_post("/calls", place_call)
    app.router.add_get("/calls", recent_calls)
    app.router.add_get("/events", events)
    app.router.add_post(WEBHOOK_PATH, webhook_handler(default=record))
    return app


def fake_app(port: int) -> web.Application:
    """The service wired to an in-process fake that delivers webhooks back to it."""
    fake = FakeMindhunters()
    app = create_app(
        {
            "api_token": fake.DEFAULT_TOKEN,
            "base_url": fake.DEFAULT_BASE_URL,
            "transport": fake.transport(),
        },
        agent_id=fake.DEFAULT_AGENT_ID,
    )
    fake.send_webhooks_to(f"http://127.0.0.1:{port}")

    async def run_fake(app: web.Application) -> AsyncIterator[None]:
        await app[CLIENT_KEY].agents.webhooks.create(
            fake.DEFAULT_AGENT_ID,
            url=f"https://localhost{WEBHOOK_PATH}",
            events=["conversation_status", "conversation_end_report"],
        )
        task = asyncio.create_task(fake.run_lifecycle())
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    app.cleanup_ctx.append(run_fake)  # after setup's: the client exists by then
    return app


def main() -> None:
    port = int(os.environ.get("PORT", "8080"))
    if os.environ.get("MINDHUNTERS_API_TOKEN"):
        app = create_app({}, agent_id=os.environ["MINDHUNTERS_AGENT_ID"])
    else:
        app = fake_app(port)
    web.run_app(app, host="127.0.0.1", port=port)


if __name__ == "__main__":
    main()
