"""log: one log record per attempt on the `mindhunters_async` logger."""

from __future__ import annotations

import logging

import httpx

from .._config import LOGGER_NAME
from .._exceptions import APIError, APIStatusError
from .._pipeline import CallNext, Request

logger = logging.getLogger(LOGGER_NAME)
# A library leaves output to the application: without this, Python's
# last-resort handler would print every failed attempt to stderr.
logger.addHandler(logging.NullHandler())


async def log(request: Request, call_next: CallNext) -> httpx.Response:
    """Log each attempt: failures at WARNING, successes at DEBUG.

    Records carry `method`, `endpoint`, `status`, `error_code`, `request_id` and
    `attempt` as attributes (the record's own timestamp dates them), for
    structured handlers; the message says the same in words. Neither ever holds
    the token: the only header value logged is the server's request id.
    """
    try:
        response = await call_next(request)
    except APIError as exc:
        if logger.isEnabledFor(logging.WARNING):
            _log_failure(request, exc)
        raise
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(
            "%s %s -> %d (attempt %d)",
            request.method,
            request.path,
            response.status_code,
            request.attempt,
            extra={
                "method": request.method,
                "endpoint": request.endpoint.path,
                "status": response.status_code,
                "error_code": None,
                "request_id": None,
                "attempt": request.attempt,
            },
        )
    return response


def _log_failure(request: Request, exc: APIError) -> None:
    if isinstance(exc, APIStatusError):
        status: int | None = exc.status_code
        code = None if exc.code is None else str(exc.code)
        request_id = exc.request_id
        what = f"{status} {code or ''}".rstrip() + f": {exc.message}"
    else:
        status, code, request_id = None, None, None
        what = f"{type(exc).__name__}: {exc.message}"
    logger.warning(
        "%s %s failed on attempt %d: %s%s",
        request.method,
        request.path,
        request.attempt,
        what,
        f" [request id {request_id}]" if request_id else "",
        extra={
            "method": request.method,
            "endpoint": request.endpoint.path,
            "status": status,
            "error_code": code,
            "request_id": request_id,
            "attempt": request.attempt,
        },
    )
