"""FastAPI: one client per process, SDK errors as HTTP answers, a webhook receiver.

::

    from fastapi import FastAPI
    from mindhunters_async.integrations.fastapi import (
        Client, install_error_handlers, lifespan, webhook_router,
    )

    app = FastAPI(lifespan=lifespan(tenant="acme"))  # token from MINDHUNTERS_API_TOKEN
    install_error_handlers(app)
    app.include_router(webhook_router({"conversation_end_report": on_end_report}))

    @app.get("/calls/{call_id}")
    async def read_call(call_id: str, client: Client) -> dict[str, str | None]:
        call = await client.calls.get(call_id)
        return {"id": call.id, "status": call.status}

The client is made at start-up, on the server's event loop, and closed at
shutdown (its pool with it): never one per request, never one shared across event
loops. In tests, swap it with `app.dependency_overrides[get_client] = ...`.
Needs the `[fastapi]` extra.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, aclosing, asynccontextmanager
from typing import Annotated, Any, Final

try:
    from fastapi import APIRouter, Depends, FastAPI, Request
    from fastapi.responses import JSONResponse
    from starlette.background import BackgroundTask
except ImportError as exc:  # pragma: no cover - exercised without the extra
    raise ImportError(
        f"mindhunters_async.integrations.fastapi needs FastAPI ({exc}):"
        " pip install 'mindhunters-async[fastapi]'"
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

__all__ = [
    "STATE_ATTRIBUTE",
    "Client",
    "get_client",
    "install_error_handlers",
    "lifespan",
    "webhook_router",
]

STATE_ATTRIBUTE: Final = "mindhunters_client"
"""Where `lifespan` keeps the client: `app.state.mindhunters_client`."""


def lifespan(**client_kwargs: Any) -> Callable[[Any], AbstractAsyncContextManager[None]]:
    """A lifespan for `FastAPI(lifespan=lifespan(...))` that opens one `AsyncMindhunters`
    at start-up and closes it at shutdown.

    `client_kwargs` go to `AsyncMindhunters` (`tenant=`, `api_token=`, `timeout=`, ...;
    the environment variables fill what is not given). A settings error
    (`ConfigurationError`) stops the app at start-up, not at the first request.
    To keep your own lifespan, enter this one inside it::

        @asynccontextmanager
        async def app_lifespan(app):
            async with lifespan(tenant="acme")(app):
                yield
    """

    @asynccontextmanager
    async def mindhunters_lifespan(app: Any) -> AsyncIterator[None]:
        client = AsyncMindhunters(**client_kwargs)
        async with client:
            setattr(app.state, STATE_ATTRIBUTE, client)
            try:
                yield
            finally:
                delattr(app.state, STATE_ATTRIBUTE)

    return mindhunters_lifespan


async def get_client(request: Request) -> AsyncMindhunters:
    """The app's client, for `Depends(get_client)` (or the `Client` annotation).

    Raises `RuntimeError` when the app was built without `lifespan(...)`. Tests
    swap it: `app.dependency_overrides[get_client] = lambda: fake_client`.
    """
    client = getattr(request.app.state, STATE_ATTRIBUTE, None)
    if not isinstance(client, AsyncMindhunters):
        raise RuntimeError(
            "no Mindhunters client on this app: build it with"
            " FastAPI(lifespan=mindhunters_async.integrations.fastapi.lifespan(...)),"
            " or enter that lifespan inside your own"
        )
    return client


Client = Annotated[AsyncMindhunters, Depends(get_client)]
"""A path operation's parameter `client: Client` is the app's client."""


async def _on_sdk_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, MindhuntersError)
    reply = error_reply(exc)
    log_error(exc, request.method, request.url.path, reply.status)
    return JSONResponse(reply.body, status_code=reply.status, headers=reply.headers)


def install_error_handlers(app: FastAPI) -> None:
    """Answer every `MindhuntersError` a path operation lets through as the module
    table of `mindhunters_async.integrations` says: 422, 503 with `Retry-After`,
    404 or 502, with the user-facing message only (the details go to the log)."""
    app.add_exception_handler(MindhuntersError, _on_sdk_error)


def webhook_router(
    handlers: Mapping[str, EventHandler] | None = None,
    *,
    default: EventHandler | None = None,
    path: str = "/webhooks/mindhunters",
    verify: Verifier | None = None,
    max_body_bytes: int = DEFAULT_MAX_WEBHOOK_BYTES,
    **router_kwargs: Any,
) -> APIRouter:
    """An `APIRouter` with one `POST path` that receives the API's webhook deliveries.

    `handlers` maps an event name (`mh.WebhookEvent` members are names) to a
    function of the typed event (sync or async); `default` takes every other
    event, `UnknownEvent`s included; events with neither are acknowledged and dropped.

    Each delivery is read (at most `max_body_bytes`, else 413), checked by
    `verify` (see `webhooks.parse_event`; refused: 401) and parsed (malformed:
    400); the sender then gets 200 at once and the handler runs after the answer,
    so a slow handler never makes the API time out and deliver again. A handler's
    exception is logged (logger `mindhunters_async.integrations`), not answered.
    `router_kwargs` go to `APIRouter` (`prefix=`, `tags=`, ...).
    """
    receiver = Receiver.build(handlers, default, verify, max_body_bytes)
    router = APIRouter(**router_kwargs)

    async def receive_webhook(request: Request) -> JSONResponse:
        body = await _read_capped(request, receiver)
        if body is None:
            return JSONResponse(too_large_message(receiver.max_body_bytes), status_code=413)
        status, event = receiver.parse(body, request.headers)
        if event is None:
            return JSONResponse({"error": {"code": "REFUSED"}}, status_code=status)
        handler = receiver.handler_for(event)
        # Starlette runs a response's background task after the body is sent, in
        # the same request task: nothing outlives the server's shutdown.
        task = None if handler is None else BackgroundTask(receiver.run, handler, event)
        return JSONResponse({"received": True}, background=task)

    router.add_api_route(
        path, receive_webhook, methods=["POST"], include_in_schema=False, response_model=None
    )
    return router


async def _read_capped(request: Request, receiver: Receiver) -> bytes | None:
    """The body, or None when it is over the cap (declared or actual)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and receiver.too_large(int(declared)):
        return None
    chunks: list[bytes] = []
    size = 0
    # Streamed, so that a body without Content-Length (chunked) is cut at the cap too.
    # aclosing: leaving the loop early must close Starlette's generator now, not in the GC.
    async with aclosing(request.stream()) as stream:
        async for chunk in stream:
            size += len(chunk)
            if size > receiver.max_body_bytes:
                return None
            chunks.append(chunk)
    return b"".join(chunks)
