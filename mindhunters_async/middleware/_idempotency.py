"""idempotency_key: one `Idempotency-Key` per logical POST, the same on every attempt."""

from __future__ import annotations

import os

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
        request.headers[HEADER] = new_key()
    return await call_next(request)


def new_key() -> str:
    """A random (version 4) UUID as text, as `str(uuid.uuid4())` gives it, at half its
    cost: 16 random bytes, with the version and variant bits set."""
    h = os.urandom(16).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"
