"""aiohttp: one client per application, SDK errors as HTTP answers, a webhook receiver.

::

    from aiohttp import web
    from mindhunters_async.integrations.aiohttp import (
        CLIENT_KEY, error_middleware, setup, webhook_handler,
    )

    async def read_call(request: web.Request) -> web.Response:
        call = await request.app[CLIENT_KEY].calls.get(request.match_info["call_id"])
        return web.json_response({"id": call.id, "status": call.status})

    app = web.Application(middlewares=[error_middleware])
    setup(app, tenant="acme")  # token from MINDHUNTERS_API_TOKEN
    app.router.add_get("/calls/{call_id}", read_call)
    app.router.add_post("/webhooks/mindhunters", webhook_handler({"intent_call": on_intent}))

The client is made when the application starts, on its event loop, and closed
when it stops (its pool with it). aiohttp runs on asyncio only: under trio every
entry point here raises a `RuntimeError` saying so. Needs the `[aiohttp]` extra.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, Final

try:
    from aiohttp import web
except ImportError as exc:  # pragma: no cover - exercised without the extra
    raise ImportError(
        f"mindhunters_async.integrations.aiohttp needs aiohttp ({exc}):"
        " pip install 'mindhunters-async[aiohttp]'"
    ) from exc

from .._client import AsyncMindhunters
from .._exceptions import MindhuntersError
from ..webhooks import Verifier
from ._common import (
    DEFAULT_MAX_WEBHOOK_BYTES,
    EventHandler,
    Receiver,
    error_reply,
    log_error,
    too_large_message,
)

__all__ = ["CLIENT_KEY", "error_middleware", "setup", "webhook_handler"]

CLIENT_KEY: Final = web.AppKey("mindhunters_client", AsyncMindhunters)
"""The application's client: `request.app[CLIENT_KEY]`."""

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _require_asyncio(what: str) -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        raise RuntimeError(
            f"{what} runs on asyncio only, as aiohttp does; this is another event loop"
            " (trio?). Under trio, use the FastAPI integration or the client on its own."
        ) from None


def setup(app: web.Application, **client_kwargs: Any) -> None:
    """Give `app` one `AsyncMindhunters`, under `app[CLIENT_KEY]`, for its lifetime.

    A `cleanup_ctx` makes the client when the application starts and closes it
    (its pool with it) when the application stops. `client_kwargs` go to
    `AsyncMindhunters` (the environment variables fill what is not given); a
    settings error (`ConfigurationError`) stops the start-up.
    """

    async def mindhunters_client(app: web.Application) -> AsyncIterator[None]:
        _require_asyncio("mindhunters_async.integrations.aiohttp.setup")
        async with AsyncMindhunters(**client_kwargs) as client:
            app[CLIENT_KEY] = client
            yield

    app.cleanup_ctx.append(mindhunters_client)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer every `MindhuntersError` a handler lets through as the table of
    `mindhunters_async.integrations` says: 422, 503 with `Retry-After`, 404 or 502,
    with the user-facing message only (the details go to the log)."""
    _require_asyncio("mindhunters_async.integrations.aiohttp.error_middleware")
    try:
        return await handler(request)
    except MindhuntersError as exc:
        reply = error_reply(exc)
        log_error(exc, request.method, request.path, reply.status)
        return web.json_response(reply.body, status=reply.status, headers=reply.headers)


def webhook_handler(
    handlers: Mapping[str, EventHandler] | None = None,
    *,
    default: EventHandler | None = None,
    verify: Verifier | None = None,
    max_body_bytes: int = DEFAULT_MAX_WEBHOOK_BYTES,
) -> Handler:
    """An aiohttp handler for the API's webhook deliveries: `app.router.add_post(path, ...)`.

    `handlers` maps an event name (`mh.WebhookEvent` members are names) to a
    function of the typed event (sync or async); `default` takes every other
    event, `UnknownEvent`s included; events with neither are acknowledged and dropped.

    Each delivery is read (at most `max_body_bytes`, else 413), checked by
    `verify` (see `webhooks.parse_event`; refused: 401) and parsed (malformed:
    400); the sender then gets its 200 in full before the handler runs, so a slow
    handler never makes the API time out and deliver again. A handler's exception
    is logged (logger `mindhunters_async.integrations`), not answered.
    """
    receiver = Receiver.build(handlers, default, verify, max_body_bytes)

    async def receive_webhook(request: web.Request) -> web.StreamResponse:
        _require_asyncio("mindhunters_async.integrations.aiohttp.webhook_handler")
        body = await _read_capped(request, receiver)
        if body is None:
            return web.json_response(too_large_message(receiver.max_body_bytes), status=413)
        status, event = receiver.parse(body, request.headers)
        if event is None:
            return web.json_response({"error": {"code": "REFUSED"}}, status=status)
        response = web.json_response({"received": True})
        handler = receiver.handler_for(event)
        if handler is not None:
            # The answer goes out first; the handler then runs in this request's
            # own task, which aiohttp waits for at shutdown (no stray task).
            await response.prepare(request)
            await response.write_eof()
            await receiver.run(handler, event)
        return response

    return receive_webhook


async def _read_capped(request: web.Request, receiver: Receiver) -> bytes | None:
    """The body, or None when it is over the cap (declared or actual)."""
    if receiver.too_large(request.content_length):
        return None
    chunks: list[bytes] = []
    size = 0
    # Streamed, so that a body without Content-Length (chunked) is cut at the cap too.
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > receiver.max_body_bytes:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
