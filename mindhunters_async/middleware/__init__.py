"""The middleware pipeline: the built-ins, and what you need to write your own.

A middleware is an async callable `(request, call_next) -> httpx.Response`::

    async def tag_requests(request: mh.middleware.Request, call_next):
        request.headers["X-Team"] = "billing"
        return await call_next(request)

    client = mh.AsyncMindhunters(middleware=[tag_requests])

Middleware passed as `middleware=` runs once per attempt, after the built-ins,
just before the request is sent. To remove or reorder built-ins, pass full lists
as `per_call=` and `per_attempt=`, starting from `PER_CALL` and `PER_ATTEMPT`.
The retry layer always sits between the two lists.
"""

from .._pipeline import RESULT, CallNext, Endpoint, Middleware, Options, Request, Rule
from ._auth import auth
from ._errors import decode_errors
from ._idempotency import idempotency_key
from ._logging import log
from ._retry import Decision, RetryBudget, RetryPolicy, decide, retry, retry_delay
from ._telemetry import OpenTelemetry
from ._validation import validate

PER_CALL: tuple[Middleware, ...] = (validate, idempotency_key)
"""The built-in per-call middleware, outermost first: they run once per call."""

PER_ATTEMPT: tuple[Middleware, ...] = (log, decode_errors, auth)
"""The built-in per-attempt middleware, outermost first: they run on every attempt."""

__all__ = [
    "PER_ATTEMPT",
    "PER_CALL",
    "RESULT",
    "CallNext",
    "Decision",
    "Endpoint",
    "Middleware",
    "OpenTelemetry",
    "Options",
    "Request",
    "RetryBudget",
    "RetryPolicy",
    "Rule",
    "auth",
    "decide",
    "decode_errors",
    "idempotency_key",
    "log",
    "retry",
    "retry_delay",
    "validate",
]
