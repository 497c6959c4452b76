"""idempotency_key: one `Idempotency-Key` per logical POST, the same on every attempt."""

from __future__ import annotations

import uuid

import httpx

from .._pipeline import CallNext, Request

HEADER = "Idempotency-Key"


async def idempotency_key(request: Request, call_next: CallNext) -> httpx.Response:
    """Give every POST an `Idempotency-Key` header, unless the caller set one.

    It runs once per call, before the retry layer, so every attempt of the call
    carries the same key. The API documents no idempotency support yet: the key
    is for reconciling an unknown outcome (`err.idempotency_key`), for proxies
    and logs, and for the day the server honours it.
    """
    if request.endpoint.method == "POST" and HEADER not in request.headers:
        request.headers[HEADER] = str(uuid.uuid4())
    return await call_next(request)
