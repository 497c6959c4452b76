"""decode_errors: every reply becomes the call's result or its typed error."""

from __future__ import annotations

import json
import math
import time
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from .._config import REQUEST_ID_HEADERS, RETRY_AFTER_CEILING
from .._exceptions import APIStatusError, ErrorCode, ResponseDecodeError, error_class_for
from .._httpx import request_of
from .._pipeline import RESULT, CallNext, Request

Hints = tuple[tuple[int, str, str], ...]


async def decode_errors(request: Request, call_next: CallNext) -> httpx.Response:
    """Turn the reply into the call's result, or raise its typed error.

    Non-2xx responses become `APIStatusError` subclasses, whatever their body (the
    API's JSON envelope, JSON without it, HTML from a proxy, empty, truncated); a 2xx
    whose body is not JSON, or not the shape the call expects, is a
    `ResponseDecodeError`, and a 2xx that says `"success": false` an
    `APIStatusError`. The decoded result (the model, the page) is left in
    `response.extensions[RESULT]`. Running per attempt, it lets the log and retry
    layers (and your middleware) see every one of these failures alike.
    """
    response = await call_next(request)
    if request_of(response) is None:
        # A middleware answered with a response of its own, built without a request.
        response.request = httpx.Request(request.method, request.options.base_url + request.path)
    response.extensions[RESULT] = decode(request, response)
    return response


def decode(request: Request, response: httpx.Response) -> Any:
    """The result of a reply: `request.decode` applied to its JSON; the typed error
    for a reply that is not a readable success."""
    body = read_body(response, request.endpoint.hints)
    if request.decode is None:
        return body
    try:
        return request.decode(body)
    except ResponseDecodeError as exc:
        http_request = response.request
        raise ResponseDecodeError(
            f"{http_request.method} {http_request.url.path} -> {response.status_code}:"
            f" {exc.message}",
            request=http_request,
            status_code=response.status_code,
            body=response.content,
        ) from exc


def read_body(response: httpx.Response, hints: Hints = ()) -> Any:
    """The decoded JSON of a successful response; the typed error for anything else
    (with the endpoint's `hints`, see `Endpoint`)."""
    if not 200 <= response.status_code < 300:
        raise error_from_response(response, hints)
    content = response.content
    if not content:
        return None
    try:
        body = json.loads(content)
    except (ValueError, RecursionError) as exc:
        request = response.request
        kind = response.headers.get("content-type", "no content type").split(";")[0]
        raise ResponseDecodeError(
            f"{request.method} {request.url.path} -> {response.status_code}: the body is not"
            f" valid JSON ({kind}, {len(content)} bytes)",
            request=request,
            status_code=response.status_code,
            body=content,
        ) from exc
    if isinstance(body, dict) and body.get("success") is False:
        raise error_from_response(response, hints)
    return body


def error_from_response(response: httpx.Response, hints: Hints = ()) -> APIStatusError:
    """Build the typed error for a non-2xx `response` whose body has been read; a hint
    of `hints` for its status is appended to the message (see `Endpoint.hints`)."""
    status = response.status_code
    body, envelope = _parse_body(response.content)
    error = envelope.get("error")
    error = error if isinstance(error, dict) else {}

    code = _text(error.get("code"))
    if code is None and isinstance(envelope.get("error"), str):
        code = envelope["error"]
    data = envelope.get("data")
    if code is None and isinstance(data, dict) and isinstance(data.get("error"), str):
        code = _text(data["error"])  # 403 purchase_limit_reached keeps its code in `data`
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

    # A server (or proxy) that echoes the request's credentials must not put the
    # token into str(err) and from there into logs.
    token = response.request.headers.get("authorization", "").partition(" ")[2]
    if len(token) >= 8:
        message, details, field, code = (
            None if text is None else text.replace(token, "[redacted]")
            for text in (message, details, field, code)
        )
    assert message is not None
    for hint_status, word, hint in hints:
        if hint_status == status and word.lower() not in message.lower():
            message = f"{message} ({hint})"

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


_MAX_TEXT = 500


def _text(value: object) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    # One line, bounded: the text goes into str(err) and log lines, where a
    # server's newline could forge a record.
    text = " ".join(str(value).split())
    if len(text) > _MAX_TEXT:
        text = text[: _MAX_TEXT - 3] + "..."
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
    if isinstance(value, int):
        seconds = float(min(value, int(RETRY_AFTER_CEILING)))
    else:
        try:
            seconds = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError, OverflowError):
            return None
        if math.isinf(seconds) and "inf" in str(value).lower():
            return None  # the word, not a number
    if math.isnan(seconds) or seconds <= 0:
        return None
    # A number too large for a float (400 digits, 1e400) is +inf: a wait above any cap.
    return min(seconds, RETRY_AFTER_CEILING)
