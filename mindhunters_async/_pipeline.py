"""The whole request path, in one file.

A call goes through::

    resource method (calls.create, ...)          builds a Request (endpoint, decode)
      per-call middleware   validate -> idempotency_key          once per call
      retry                                                     decides, waits, loops
      rate governor (rate_limit=...)                            waits for a slot, per attempt
        per-attempt middleware  log -> decode_errors -> auth -> (yours)   per attempt
          Sender                                                the I/O boundary
    <- response.extensions[RESULT]                              the decoded model

`decode_errors` turns each reply into the call's result (the model, through the
one converter) or its typed error, inside the pipeline, so every layer above it
(logging, retry, yours) sees a 500, a timeout and an unreadable success alike.
A middleware is `async (request, call_next) -> httpx.Response`, the shape of a
Starlette middleware. The chain is linked once, when the client is built.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol

import attrs
import httpx

from ._stats import Stats
from ._transport import Sender, attempt_limit

if TYPE_CHECKING:
    from ._stats import Observer
    from .middleware._auth import TokenProvider
    from .middleware._retry import RetryPolicy, TokenBucket

__all__ = [
    "RESULT",
    "CallNext",
    "Endpoint",
    "Middleware",
    "Options",
    "Request",
    "Rule",
    "Upload",
    "UploadStream",
]

RESULT = "mindhunters_async.result"
"""The `response.extensions` key under which `decode_errors` leaves the decoded result."""

CallNext = Callable[["Request"], Awaitable[httpx.Response]]
"""What a middleware calls to pass the request on: `await call_next(request)`."""

Middleware = Callable[["Request", CallNext], Awaitable[httpx.Response]]
"""`async def middleware(request, call_next) -> httpx.Response`."""


@attrs.frozen
class Rule:
    """One pre-validation rule of an endpoint: where a value is, and how to check it.

    `check(value, field)` raises `RequestValidationError` (see `validate_e164`,
    `validate_uuid`); `field` is the name the server uses, dotted for nested JSON.
    """

    field: str
    check: Callable[[Any, str], object]
    source: Literal["json", "params", "path"] = "json"
    required: bool = True


@attrs.frozen
class Endpoint:
    """An API operation: method, path template and the rules its input must meet.

    `source` says how sure the path is: "seen" on the operation's own page of the
    API reference, "inferred" from sibling pages, or "referenced" by another page
    only (see the README's API coverage table).

    `hints` are `(status, word, hint)`: an error reply with that status whose message
    does not mention `word` (case-insensitively) gets `hint`, what to do about it,
    appended to its message; the server's message and code are kept.
    """

    name: str
    method: str
    path: str
    rules: tuple[Rule, ...] = ()
    source: Literal["seen", "inferred", "referenced"] = "seen"
    hints: tuple[tuple[int, str, str], ...] = ()


@attrs.frozen(repr=False)
class Options:
    """The client's settings that every request carries; middleware reads them here.

    One `Options` is built per client (and per `with_options` copy), not per request.
    """

    base_url: str
    authorization: str = attrs.field(repr=False)
    timeout: httpx.Timeout
    retry: RetryPolicy
    budget: TokenBucket | None
    max_response_bytes: int
    static_headers: tuple[tuple[str, str], ...] = ()
    token_provider: TokenProvider | None = attrs.field(default=None, repr=False)
    """Set when `api_token` is a callable; `authorization` is then unused."""
    stats: Stats = attrs.field(factory=Stats, eq=False, repr=False)
    """The client's counters (`client.stats()`), shared with its copies."""
    observers: tuple[Observer, ...] = attrs.field(default=(), eq=False, repr=False)
    """Told of every retry and rate-governor wait (see `_stats.note_retry_wait`)."""
    attempt_limit: float | None = attrs.field(init=False)
    """The longest one attempt may take (see `_transport.attempt_limit`)."""

    @property
    def api_token(self) -> str | TokenProvider:
        """The API token, or its provider (for a copy of the client; never shown in a repr)."""
        if self.token_provider is not None:
            return self.token_provider
        return self.authorization.partition(" ")[2]

    @attempt_limit.default
    def _attempt_limit(self) -> float | None:
        return attempt_limit(self.timeout)

    def __repr__(self) -> str:
        # Spelled out so that the token in `authorization` can never leak
        # through a repr, whatever attrs does by default.
        return (
            f"Options(base_url={self.base_url!r}, timeout={self.timeout!r}, retry={self.retry!r})"
        )


class UploadStream(Protocol):
    """One attempt's pass over an upload's bytes: a class-based async iterator (an async
    generator abandoned mid-body is left to the collector, see `_httpx.BodyStream`)."""

    def __aiter__(self) -> AsyncIterator[bytes]: ...

    async def __anext__(self) -> bytes: ...

    def close(self) -> None:
        """Release what the pass holds (an open file); safe to call twice."""


class Upload(Protocol):
    """A request body streamed from its source (a file upload), sent instead of `json`.

    The I/O boundary asks `open()` for a fresh pass on every attempt, so a retried
    attempt sends the whole body again from its start; no middleware reads it.
    `length` is the Content-Length (None: sent chunked); `replayable` is False when
    the source can be read only once (a file object that cannot seek back): such a
    call gets one attempt, never a retry.
    """

    @property
    def content_type(self) -> str: ...

    @property
    def length(self) -> int | None: ...

    @property
    def replayable(self) -> bool: ...

    def open(self) -> UploadStream: ...


@attrs.define(slots=True, eq=False, repr=False)
class Request:
    """The SDK's request, as every middleware sees it.

    `path` is relative to the base URL and already percent-encoded; `json` is the
    body as it goes on the wire; `headers` is an `httpx.Headers` (its repr hides
    the Authorization header); `context` is yours, for passing data between
    middleware of one call (the retry layer copies it into each attempt).
    `attempt` counts from 1; `timeout` is the httpx timeout of this attempt.
    `decode` turns the reply's JSON into the call's result (None: the JSON itself).
    `upload`, when set, is the body instead of `json` (a streamed file upload).
    """

    endpoint: Endpoint
    options: Options
    path: str
    path_params: Mapping[str, Any] = attrs.Factory(dict)
    params: dict[str, Any] | None = None
    json: Any = None
    headers: httpx.Headers = attrs.Factory(httpx.Headers)
    context: dict[str, Any] = attrs.Factory(dict)
    attempt: int = 1
    timeout: httpx.Timeout | None = None
    decode: Callable[[Any], Any] | None = None
    on_wire: bool = False
    """Set by the I/O boundary when the attempt leaves the SDK's queue for the network:
    until then, whatever cuts the attempt short, the server cannot have seen it."""
    upload: Upload | None = None

    @property
    def method(self) -> str:
        """The HTTP method."""
        return self.endpoint.method

    def for_attempt(self, attempt: int, timeout: httpx.Timeout | None) -> Request:
        """A copy for one attempt, so that what one attempt's middleware sets
        cannot leak into the next."""
        return Request(
            self.endpoint,
            self.options,
            self.path,
            self.path_params,
            self.params,
            self.json,
            self.headers.copy(),
            dict(self.context),
            attempt,
            timeout,
            self.decode,
            upload=self.upload,
        )

    def __repr__(self) -> str:
        return (
            f"<Request {self.method} {self.path} attempt={self.attempt} headers={self.headers!r}>"
        )


def link(middleware: Sequence[Middleware], innermost: CallNext) -> CallNext:
    """Chain middleware around `innermost`, the first of the list outermost."""
    handler = innermost
    for mw in reversed(middleware):
        handler = _bind(mw, handler)
    return handler


def _bind(mw: Middleware, call_next: CallNext) -> CallNext:
    # A plain function that returns the middleware's coroutine, not an `async
    # def` around it: one coroutine per layer instead of two.
    def handler(request: Request) -> Awaitable[httpx.Response]:
        return mw(request, call_next)

    handler.__qualname__ = f"link({getattr(mw, '__qualname__', mw)!s})"
    return handler


def build_pipeline(
    per_call: Sequence[Middleware],
    retry: Middleware,
    per_attempt: Sequence[Middleware],
    sender: Sender,
    governor: Middleware | None = None,
) -> CallNext:
    """The request path: per-call middleware, retry, the rate governor (when the
    client has one: each attempt takes a slot), per-attempt middleware, then the
    `Sender` (in `_transport.py`, the I/O boundary)."""
    governed = [] if governor is None else [governor]
    return link([*per_call, retry, *governed, *per_attempt], sender)


def result_of(request: Request, response: httpx.Response) -> Any:
    """The decoded result of a call, as `decode_errors` left it (or decoded now, for a
    pipeline from which a caller removed `decode_errors`)."""
    extensions = response.extensions
    if RESULT in extensions:
        # Taken out, not read: an httpx Response sits in a reference cycle with its
        # stream, and a decoded page left on it would wait for the cycle collector.
        return extensions.pop(RESULT)
    from .middleware._errors import decode

    return decode(request, response)
