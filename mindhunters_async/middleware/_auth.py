"""auth: the Authorization header and the headers every request carries."""

from __future__ import annotations

import httpx

from .._pipeline import CallNext, Request


async def auth(request: Request, call_next: CallNext) -> httpx.Response:
    """Set `Authorization: Bearer <token>` and, with a body, `Content-Type:
    application/json`; on a caller's `http_client`, also `Accept` and `User-Agent`.

    (On the SDK's own pool those two constant headers are the httpx client's
    default headers, merged once, not set on every request.) It runs per attempt,
    as late as possible, so that per-call middleware and log records never hold
    the token; `repr(request.headers)` shows it as `[secure]`.
    """
    headers = request.headers
    options = request.options
    headers["Authorization"] = options.authorization
    for name, value in options.static_headers:
        headers[name] = value
    if request.json is not None:
        headers["Content-Type"] = "application/json"
    return await call_next(request)
