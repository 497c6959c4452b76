"""auth: the Authorization header and the headers every request carries."""

from __future__ import annotations

import httpx

from .._pipeline import CallNext, Request


async def auth(request: Request, call_next: CallNext) -> httpx.Response:
    """Set `Authorization: Bearer <token>`, `Accept`, `User-Agent` and, with a body,
    `Content-Type: application/json`.

    It runs per attempt, as late as possible, so that per-call middleware and
    logs never hold the token; `repr(request.headers)` shows it as `[secure]`.
    """
    headers = request.headers
    options = request.options
    headers["Authorization"] = options.authorization
    for name, value in options.static_headers:
        headers[name] = value
    if request.json is not None:
        headers["Content-Type"] = "application/json"
    return await call_next(request)
