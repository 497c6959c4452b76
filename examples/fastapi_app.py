"""A small FastAPI service on mindhunters-async: place a call, list recent calls, take webhooks.

Against the built-in fake (no tenant, no token; calls ring, end and report in real time):

    python examples/fastapi_app.py

Against a real tenant (the API must reach /webhooks/mindhunters over https):

    MINDHUNTERS_API_TOKEN=... MINDHUNTERS_TENANT=acme MINDHUNTERS_AGENT_ID=<uuid> \\
        python examples/fastapi_app.py

Then `curl -X POST localhost:8000/calls -H 'content-type: application/json'
-d '{"phone": "+14155552671"}'`, `curl localhost:8000/calls` and `curl localhost:8000/events`.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

import anyio
from fastapi import FastAPI
from pydantic import BaseModel

from mindhunters_async import webhooks
from mindhunters_async.integrations.fastapi import (
    Client,
    install_error_handlers,
    lifespan,
    webhook_router,
)
from mindhunters_async.testing import FakeMindhunters

WEBHOOK_PATH = "/webhooks/mindhunters"


class PlaceCall(BaseModel):
    phone: str
    about: str | None = None


def create_app(
    client_options: Mapping[str, Any],
    *,
    agent_id: str,
    on_event: Callable[[webhooks.Event], object] | None = None,
) -> FastAPI:
    """The service: one SDK client for the process (`lifespan`), SDK errors answered
    as HTTP errors, and the API's webhook deliveries taken at WEBHOOK_PATH."""
    app = FastAPI(lifespan=lifespan(**client_options))
    install_error_handlers(app)
    received: list[webhooks.Event] = []

    async def record(event: webhooks.Event) -> None:
        received.append(event)
        if on_event is not None:
            on_event(event)

    app.include_router(webhook_router(default=record, path=WEBHOOK_PATH))

    @app.post("/calls", status_code=201)
    async def place_call(order: PlaceCall, client: Client) -> dict[str, Any]:
        # A bad number is refused by the SDK before sending: a 422 naming the field.
        call = await client.calls.create(
            agent_id=agent_id, participant={"number": order.phone, "about": order.about}
        )
        return {"id": call.id, "status": call.status}

    @app.get("/calls")
    async def recent_calls(client: Client, limit: int = 20) -> list[dict[str, Any]]:
        page = await client.calls.list(per_page=min(max(limit, 1), 100))
        return [{"id": c.id, "status": c.status, "direction": c.direction} for c in page.items]

    @app.get("/events")
    async def events() -> list[dict[str, Any]]:
        return [{"event": str(e.event), "call_id": getattr(e, "call_id", None)} for e in received]

    return app


def fake_app(port: int) -> FastAPI:
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
    service_lifespan = app.router.lifespan_context

    @asynccontextmanager
    async def with_fake(app: FastAPI) -> AsyncIterator[None]:
        async with service_lifespan(app):
            client = app.state.mindhunters_client
            await client.agents.webhooks.create(
                fake.DEFAULT_AGENT_ID,
                url=f"https://localhost{WEBHOOK_PATH}",
                events=["conversation_status", "conversation_end_report"],
            )
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(fake.run_lifecycle)
                yield
                tasks.cancel_scope.cancel()

    app.router.lifespan_context = with_fake
    return app


def main() -> None:
    import uvicorn

    port = int(os.environ.get("PORT", "8000"))
    if os.environ.get("MINDHUNTERS_API_TOKEN"):
        app = create_app({}, agent_id=os.environ["MINDHUNTERS_AGENT_ID"])
    else:
        app = fake_app(port)
    uvicorn.run(app, host="127.0.0.1", port=port)


if __name__ == "__main__":
    main()
