"""log: one log record per attempt on the `mindhunters_async` logger, and the client's counters.

`MINDHUNTERS_LOG=debug` (or `info`) in the environment adds a readable stderr handler
when the SDK is imported, as `OPENAI_LOG` does: no code needed to see what it sends.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Mapping

import httpx

from .._config import LOGGER_NAME
from .._exceptions import APIError, APIStatusError, ResponseDecodeError
from .._pipeline import CallNext, Request
from .._redact import mask_phones

__all__ = ["ENV_LOG", "log", "mask_phones", "record_fields"]

ENV_LOG = "MINDHUNTERS_LOG"
_ENV_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}
_FORMAT = "[%(asctime)s %(levelname)s %(name)s] %(message)s"

logger = logging.getLogger(LOGGER_NAME)
# A library leaves output to the application: without this, Python's
# last-resort handler would print every failed attempt to stderr.
logger.addHandler(logging.NullHandler())


async def log(request: Request, call_next: CallNext) -> httpx.Response:
    """Log each attempt (failures at WARNING, successes at DEBUG) and count it in
    `client.stats()`.

    Records carry `method`, `endpoint` (the path template, `/calls/{call_id}`),
    `status`, `error_code`, `request_id`, `attempt` and `duration_ms` as
    attributes (the record's own timestamp dates them), for structured handlers;
    the message says the same in words, with the path itself. Neither ever holds
    the token (the only header value logged is the server's request id) nor a
    whole phone number (masked but for the last 4 digits).
    """
    stats = request.options.stats
    started = time.perf_counter()
    try:
        response = await call_next(request)
    except APIError as exc:
        status = exc.status_code if isinstance(exc, (APIStatusError, ResponseDecodeError)) else None
        code = exc.code if isinstance(exc, APIStatusError) else None
        stats.failed(status, type(exc).__name__ if code is None else str(code))
        if logger.isEnabledFor(logging.WARNING):
            _log_failure(request, exc, time.perf_counter() - started)
        raise
    status = response.status_code
    stats.answered(status)
    if logger.isEnabledFor(logging.DEBUG):
        duration_ms = _ms(time.perf_counter() - started)
        logger.debug(
            "%s %s -> %d (attempt %d, %.1f ms)",
            request.method,
            mask_phones(request.path),
            status,
            request.attempt,
            duration_ms,
            extra=record_fields(request, request.attempt, status=status, duration_ms=duration_ms),
        )
    return response


def record_fields(
    request: Request,
    attempt: int,
    error: APIError | None = None,
    status: int | None = None,
    duration_ms: float | None = None,
) -> dict[str, object]:
    """The structured attributes of every record the SDK logs about a request."""
    code = request_id = None
    if isinstance(error, APIStatusError):
        status, request_id = error.status_code, error.request_id
        code = None if error.code is None else str(error.code)
    return {
        "method": request.method,
        "endpoint": request.endpoint.path,
        "status": status,
        "error_code": code,
        "request_id": request_id,
        "attempt": attempt,
        "duration_ms": duration_ms,
    }


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _log_failure(request: Request, exc: APIError, elapsed: float) -> None:
    duration_ms = _ms(elapsed)
    fields = record_fields(request, request.attempt, exc, duration_ms=duration_ms)
    if isinstance(exc, APIStatusError):
        what = f"{exc.status_code} {fields['error_code'] or ''}".rstrip() + f": {exc.message}"
        if exc.field:
            what += f" (field {exc.field})"
        if exc.details and exc.details != exc.message:
            what += f" - {exc.details}"
    else:
        what = f"{type(exc).__name__}: {exc.message}"
    request_id = fields["request_id"]
    logger.warning(
        "%s %s failed on attempt %d after %.1f ms: %s%s",
        request.method,
        mask_phones(request.path),
        request.attempt,
        duration_ms,
        # The server's text may quote the number it refused.
        mask_phones(what),
        f" [request id {request_id}]" if request_id else "",
        extra=fields,
    )


def configure_from_env(environ: Mapping[str, str] = os.environ) -> logging.Handler | None:
    """Add a readable stderr handler to the SDK's logger when `MINDHUNTERS_LOG` is
    `debug` or `info` (any case), at that level; return it (None when not asked for).

    Called once, when the SDK is imported. Any other value is ignored, so a typo
    cannot break an application's start.
    """
    level = _ENV_LEVELS.get(environ.get(ENV_LOG, "").strip().lower())
    if level is None:
        return None
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(_FORMAT))
    logger.addHandler(handler)
    logger.setLevel(level)
    return handler


configure_from_env()
