"""Framework integrations: FastAPI (`integrations.fastapi`) and aiohttp (`integrations.aiohttp`).

Each is an optional extra (`pip install 'mindhunters-async[fastapi]'`, `[aiohttp]`)
and is never imported by `import mindhunters_async`. This module holds what they
share, free of any framework: how an SDK error becomes an HTTP answer
(`error_reply`), and how a webhook delivery reaches the user's handler.

The translation, the same for both frameworks:

=====================================================  =========================
SDK error                                              answer
=====================================================  =========================
`RequestValidationError` (bad input, before sending)   422, with `field`
`RateLimitError`, `ServiceUnavailableError`            503, with `Retry-After`
`NotFoundError`                                        404
any other `MindhuntersError`                           502
=====================================================  =========================

The body is `{"error": {"code", "message", "field"?, "outcome_unknown"?}}`: the
message is the error's `user_message`, never the API's details or the token.
`outcome_unknown: true` means the API may have acted (say, placed the phone call)
although no answer came back: the caller must not simply retry.
"""

from ._common import (
    DEFAULT_MAX_WEBHOOK_BYTES,
    DEFAULT_RETRY_AFTER,
    ErrorReply,
    EventHandler,
    error_reply,
)

__all__ = [
    "DEFAULT_MAX_WEBHOOK_BYTES",
    "DEFAULT_RETRY_AFTER",
    "ErrorReply",
    "EventHandler",
    "error_reply",
]
