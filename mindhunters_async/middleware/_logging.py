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
            extra=record_fields(request, request.attempt, status=response.status_code),
        )
    return response


def record_fields(
    request: Request, attempt: int, error: APIError | None = None, status: int | None = None
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
    }


def _log_failure(request: Request, exc: APIError) -> None:
    fields = record_fields(request, request.attempt, exc)
    if isinstance(exc, APIStatusError):
        what = f"{exc.status_code} {fields['error_code'] or ''}".rstrip() + f": {exc.message}"
    else:
        what = f"{type(exc).__name__}: {exc.message}"
    request_id = fields["request_id"]
    logger.warning(
        "%s %s failed on attempt %d: %s%s",
        request.method,
        request.path,
        request.attempt,
        what,
        f" [request id {request_id}]" if request_id else "",
        extra=fields,
    )
