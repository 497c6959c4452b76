"""`APIError.support_info()`: the support ticket the errors page asks for, filled in.

"When contacting support, please provide: request ID, timestamp, endpoint, request
payload (sanitized - remove sensitive data), error response received, expected
behavior." Everything here is built from the error alone (its request, response and
`Outcome`), after the fact, and goes through `_redact`: phone numbers keep their last
4 digits, secrets are dropped, the Authorization header is never read.
"""

from __future__ import annotations

import json
import platform
import sys
from typing import Any

import attrs
import httpx

from ._exceptions import APIError, APIStatusError, ResponseDecodeError
from ._redact import mask_phones, sanitize
from ._version import __version__

__all__ = ["SupportInfo", "support_info"]

SUPPORT_EMAIL = "support@mindhunters.ai"
_MAX_TEXT = 2000
_IDEMPOTENCY_HEADER = "idempotency-key"


@attrs.frozen
class SupportInfo:
    """What to send to Mindhunters support about one failed call (`err.support_info()`).

    `as_dict()` gives it as JSON-ready data, `str(info)` as text to paste into a ticket.
    `request_body` and `error_body` are sanitized: phone numbers masked but for their
    last 4 digits, entries whose key names a secret (token, secret, password, ...)
    dropped. The API token is never part of it.
    """

    request_id: str | None
    timestamp: str
    """When the error was raised, ISO 8601 in UTC."""
    method: str | None
    endpoint: str | None
    """The URL called, without its query (see `query`)."""
    query: dict[str, Any] | None
    request_body: Any
    status: int | None
    error_code: str | None
    error_type: str
    message: str
    error_body: Any
    attempts: int
    idempotency_key: str | None
    outcome_unknown: bool
    retry_note: str | None
    server_date: str | None
    sdk_version: str
    httpx_version: str
    python_version: str
    platform: str

    def as_dict(self) -> dict[str, Any]:
        """The ticket as a dict of JSON values."""
        return attrs.asdict(self)

    def as_text(self) -> str:
        """The ticket as text, one fact a line, for an email to support."""
        rows = [
            ("Request ID", self.request_id or "(none sent by the server)"),
            ("Timestamp (UTC)", self.timestamp),
            ("Endpoint", f"{self.method or '?'} {self.endpoint or '?'}"),
        ]
        if self.query:
            rows.append(("Query", _json(self.query)))
        rows += [
            ("Request payload", _json(self.request_body)),
            ("Status", " ".join(str(p) for p in (self.status, self.error_code) if p) or "-"),
            ("Error", f"{self.error_type}: {self.message}"),
            ("Error response", _json(self.error_body)),
            ("Attempts", str(self.attempts)),
            ("Idempotency-Key", self.idempotency_key or "-"),
            ("Outcome unknown", "yes" if self.outcome_unknown else "no"),
        ]
        if self.retry_note:
            rows.append(("Retry note", self.retry_note))
        if self.server_date:
            rows.append(("Server date", self.server_date))
        rows += [
            (
                "Versions",
                f"mindhunters-async {self.sdk_version}, {httpx.__title__} {self.httpx_version},"
                f" Python {self.python_version} ({self.platform})",
            ),
            ("Expected behavior", "(describe what you expected to happen)"),
        ]
        width = max(len(name) for name, _ in rows) + 2
        lines = [f"Mindhunters API error report, for {SUPPORT_EMAIL}"]
        lines += [f"{name + ':':<{width}}{value}" for name, value in rows]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.as_text()


def support_info(error: APIError) -> SupportInfo:
    """The `SupportInfo` of `error` (see `APIError.support_info`)."""

    request = error.request
    status: int | None = None
    code = request_id = server_date = None
    error_body: Any = None
    if isinstance(error, APIStatusError):
        status, request_id = error.status_code, error.request_id
        code = None if error.code is None else str(error.code)
        error_body = sanitize(error.body)
        server_date = error.response.headers.get("date")
    elif isinstance(error, ResponseDecodeError):
        status = error.status_code
        error_body = _content(error.body)
    key = error.idempotency_key
    if key is None and request is not None:
        key = request.headers.get(_IDEMPOTENCY_HEADER)
    return SupportInfo(
        request_id=request_id,
        timestamp=error.timestamp.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        method=None if request is None else request.method,
        endpoint=None if request is None else mask_phones(str(request.url.copy_with(query=None))),
        query=_query(request),
        request_body=None if request is None else _request_body(request),
        status=status,
        error_code=code,
        error_type=type(error).__name__,
        message=mask_phones(str(error)),
        error_body=error_body,
        attempts=error.attempts,
        idempotency_key=key,
        outcome_unknown=error.outcome_unknown,
        retry_note=error.retry_note,
        server_date=server_date,
        sdk_version=__version__,
        httpx_version=httpx.__version__,
        python_version=platform.python_version(),
        platform=f"{platform.system()} {platform.machine()}".strip() or sys.platform,
    )


def _query(request: httpx.Request | None) -> dict[str, Any] | None:
    if request is None or not request.url.query:
        return None
    params: dict[str, Any] = {}
    for name, value in request.url.params.multi_items():
        params.setdefault(name, []).append(value)
    query = sanitize({k: v[0] if len(v) == 1 else v for k, v in params.items()})
    return query if isinstance(query, dict) else None


def _request_body(request: httpx.Request) -> Any:
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if kind and kind != "application/json":
        # An upload (multipart/form-data) holds a file and may hold secrets in its
        # form fields (a webhook token): it is never shown, even when a transport
        # kept it in memory.
        return f"(a {kind[:60]} body, not shown)"
    try:
        content = request.content
    except httpx.RequestNotRead:
        return "(a streamed upload, not kept)"
    return _content(content)


def _content(content: bytes | None) -> Any:
    if not content:
        return None
    try:
        return sanitize(json.loads(content))
    except (ValueError, RecursionError):
        text = content[:_MAX_TEXT].decode("utf-8", "replace")
        more = f" ... ({len(content)} bytes in all)" if len(content) > _MAX_TEXT else ""
        return mask_phones(text) + more


def _json(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)
