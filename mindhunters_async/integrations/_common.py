"""What the FastAPI and aiohttp integrations share, free of any framework."""

from __future__ import annotations

import inspect
import logging
import math
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

import attrs

from .._config import LOGGER_NAME
from .._exceptions import (
    APIError,
    MindhuntersError,
    NotFoundError,
    RateLimitError,
    RequestValidationError,
    ServiceUnavailableError,
    WebhookError,
)
from .._redact import mask_phones
from ..webhooks import Event, UnknownEvent, Verifier, parse_event

__all__ = [
    "DEFAULT_MAX_WEBHOOK_BYTES",
    "DEFAULT_RETRY_AFTER",
    "ErrorReply",
    "EventHandler",
    "Receiver",
    "error_reply",
    "log_error",
    "too_large_message",
]

logger = logging.getLogger(LOGGER_NAME + ".integrations")

DEFAULT_MAX_WEBHOOK_BYTES: Final = 1024 * 1024
"""The largest webhook body a receiver reads (1 MiB); a larger one gets 413."""

DEFAULT_RETRY_AFTER: Final = 5
"""`Retry-After` (seconds) of a 503 when the API named no wait of its own."""

EventHandler = Callable[[Event], "Awaitable[object] | object"]
"""A webhook handler: `async def on_end(event)` (a plain function works too)."""


@attrs.frozen
class ErrorReply:
    """An HTTP answer for an SDK error: `status`, `headers` and the JSON `body`."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = attrs.Factory(dict)


def error_reply(error: MindhuntersError) -> ErrorReply:
    """The answer an app gives its own caller when an SDK call failed with `error`.

    See the table in `mindhunters_async.integrations`. A pure function: the FastAPI
    and aiohttp error handlers are this plus the framework's response class, and an
    app with its own error format can start from it.
    """
    detail: dict[str, Any] = {"message": error.user_message}
    headers: dict[str, str] = {}
    if isinstance(error, RequestValidationError):
        status = 422
        detail.update(code=str(error.code), field=error.field)
    elif isinstance(error, (RateLimitError, ServiceUnavailableError)):
        status = 503
        detail["code"] = "SERVICE_UNAVAILABLE"
        wait = error.retry_after
        headers["Retry-After"] = str(DEFAULT_RETRY_AFTER if wait is None else math.ceil(wait))
    elif isinstance(error, NotFoundError):
        status = 404
        detail["code"] = "NOT_FOUND"
    else:
        status = 502
        detail["code"] = "UPSTREAM_ERROR"
    if isinstance(error, APIError) and error.outcome_unknown:
        detail["outcome_unknown"] = True
    return ErrorReply(status=status, body={"error": detail}, headers=headers)


def log_error(error: MindhuntersError, method: str, path: str, status: int) -> None:
    """Log, for the operator, what the app's caller is not shown (never the token:
    the SDK's error text is built without it; phone numbers, in the app's path or the
    server's text, masked but for their last 4 digits, as the SDK's own log does)."""
    logger.warning(
        "%s %s -> %d after %s: %s",
        method,
        mask_phones(path),
        status,
        type(error).__name__,
        mask_phones(str(error)),
    )


@attrs.frozen
class Receiver:
    """What both webhook receivers do once they hold the body: check, parse, pick a handler."""

    handlers: Mapping[str, EventHandler]
    default: EventHandler | None
    verify: Verifier | None
    max_body_bytes: int

    @classmethod
    def build(
        cls,
        handlers: Mapping[str, EventHandler] | None,
        default: EventHandler | None,
        verify: Verifier | None,
        max_body_bytes: int,
    ) -> Receiver:
        """Check the settings once, when the app is built, not per delivery."""
        if isinstance(max_body_bytes, bool) or not (
            isinstance(max_body_bytes, int) and max_body_bytes > 0
        ):
            raise ValueError(f"max_body_bytes must be a positive int, got {max_body_bytes!r}")
        table = {str(name): handler for name, handler in (handlers or {}).items()}
        for name, handler in [*table.items(), ("default", default)]:
            if handler is not None and not callable(handler):
                raise TypeError(f"the handler for {name!r} is not callable: {handler!r}")
        return cls(table, default, verify, max_body_bytes)

    def too_large(self, content_length: int | None) -> bool:
        """Whether a declared length is over the cap (checked before reading)."""
        return content_length is not None and content_length > self.max_body_bytes

    def parse(self, body: bytes, headers: Mapping[str, str]) -> tuple[int, Event | None]:
        """(status to answer, the event or None when refused)."""
        try:
            event = parse_event(body, headers, verify=self.verify)
        except WebhookError as exc:
            status = 401 if exc.reason == "rejected by verify" else 400
            logger.warning("webhook delivery refused (%d): %s", status, exc)
            return status, None
        return 200, event

    def handler_for(self, event: Event) -> EventHandler | None:
        """The user's handler for this event's name, else `default`, else None."""
        return self.handlers.get(str(event.event), self.default)

    async def run(self, handler: EventHandler, event: Event) -> None:
        """Run `handler` after the sender got its answer: a failure can no longer
        reach the sender, so it is logged (with the traceback), not raised."""
        try:
            result = handler(event)
            if inspect.isawaitable(result):
                await result
        except Exception:
            kind = event.event if isinstance(event, UnknownEvent) else event.event.value
            logger.exception("the webhook handler for %s failed", kind)


def too_large_message(limit: int) -> dict[str, Any]:
    """The body of a 413 for a webhook over the size cap."""
    return {"error": {"code": "TOO_LARGE", "message": f"the body is over {limit} bytes"}}
