"""decode_errors: every non-2xx response becomes a typed `APIStatusError`."""

from __future__ import annotations

import json
import math
import time
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from .._config import REQUEST_ID_HEADERS
from .._exceptions import APIStatusError, ErrorCode, error_class_for
from .._pipeline import CallNext, Request


async def decode_errors(request: Request, call_next: CallNext) -> httpx.Response:
    """Return 2xx responses untouched; raise the typed error for anything else.

    Works on the API's JSON envelope, on JSON without it, on HTML from a proxy,
    on empty and on truncated bodies; it never raises anything but an
    `APIStatusError` subclass.
    """
    response = await call_next(request)
    if 200 <= response.status_code < 300:
        return response
    raise error_from_response(response)


def error_from_response(response: httpx.Response) -> APIStatusError:
    """Build the typed error for a non-2xx `response` whose body has been read."""
    status = response.status_code
    body, envelope = _parse_body(response.content)
    error = envelope.get("error")
    error = error if isinstance(error, dict) else {}

    code = _text(error.get("code"))
    if code is None and isinstance(envelope.get("error"), str):
        code = envelope["error"]
    details = _text(error.get("details"))
    field = _text(error.get("field"))
    message = _text(envelope.get("message")) or _text(error.get("message"))

    if field is None:
        # Laravel's own validation format: {"message": ..., "errors": {"field": ["..."]}}
        errors = envelope.get("errors")
        if isinstance(errors, dict) and errors:
            field, problems = next(iter(errors.items()))
            if isinstance(problems, list) and problems:
                details = details or _text(problems[0])
            field = _text(field)

    if message is None:
        message = _fallback_message(response, body)

    if 300 <= status < 400:
        location = response.headers.get("location", "")
        message = f"unexpected redirect to {location!r}: the SDK does not follow redirects"

    return error_class_for(status)(
        message,
        response=response,
        body=body,
        code=ErrorCode.parse(code) if code is not None else None,
        details=details,
        field=field,
        retry_after=_retry_after(error.get("retryAfter"), response.headers),
        request_id=_request_id(response.headers),
    )


def _parse_body(content: bytes) -> tuple[Any, dict[str, Any]]:
    if not content:
        return None, {}
    try:
        body = json.loads(content)
    except (ValueError, RecursionError):
        # Not JSON (an HTML page from a proxy) or truncated JSON: keep the text.
        return content.decode("utf-8", "replace"), {}
    return body, body if isinstance(body, dict) else {}


def _text(value: object) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


def _fallback_message(response: httpx.Response, body: Any) -> str:
    reason = response.reason_phrase or "Error"
    if body is None:
        return f"{reason} (empty body)"
    if isinstance(body, str):
        kind = response.headers.get("content-type", "unknown content type").split(";")[0]
        return f"{reason} (non-JSON body: {kind})"
    return f"{reason} (JSON body without an error message)"


def _request_id(headers: httpx.Headers) -> str | None:
    for name in REQUEST_ID_HEADERS:
        value: str | None = headers.get(name)
        if value:
            return value
    return None


def _retry_after(from_body: object, headers: httpx.Headers) -> float | None:
    """Seconds to wait, from the body's `retryAfter`, then `retry-after-ms`, then
    `Retry-After` (seconds or an HTTP date). Only a finite, positive value counts."""
    seconds = _seconds(from_body)
    if seconds is not None:
        return seconds
    ms = headers.get("retry-after-ms")
    if ms is not None:
        seconds = _seconds(ms)
        if seconds is not None:
            return seconds / 1000
    value = headers.get("retry-after")
    if value is None:
        return None
    seconds = _seconds(value)
    if seconds is not None:
        return seconds
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        return None
    delta = when.timestamp() - time.time()
    return delta if delta > 0 else None


def _seconds(value: object) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None
    return seconds if math.isfinite(seconds) and seconds > 0 else None
