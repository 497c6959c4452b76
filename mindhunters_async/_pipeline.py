"""The whole request path, in one file.

A call goes through::

    resource method (calls.create, ...)         builds a Request
      per-call middleware   validate -> idempotency_key        once per call
      retry                                                   loops over attempts
        per-attempt middleware  log -> decode_errors -> auth -> (yours)   once per attempt
          send                                                the I/O boundary: httpx

A middleware is `async (request, call_next) -> httpx.Response`, the shape of a
Starlette middleware. The chain is linked once, when the client is built.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

import anyio
import attrs
import httpx

from ._exceptions import APIConnectionError, APIError, APITimeoutError, ResponseDecodeError

if TYPE_CHECKING:
    from .middleware._retry import RetryPolicy, TokenBucket

__all__ = ["CallNext", "Endpoint", "Middleware", "Options", "Request", "Rule"]

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
    """An API operation: method, path template and the rules its input must meet."""

    name: str
    method: str
    path: str
    rules: tuple[Rule, ...] = ()


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

    def __repr__(self) -> str:
        # Spelled out so that the token in `authorization` can never leak
        # through a repr, whatever attrs does by default.
        return (
            f"Options(base_url={self.base_url!r}, timeout={self.timeout!r}, retry={self.retry!r})"
        )


@attrs.define(slots=True, eq=False, repr=False)
class Request:
    """The SDK's request, as every middleware sees it.

    `path` is relative to the base URL and already percent-encoded; `json` is the
    body as it goes on the wire; `headers` is an `httpx.Headers` (its repr hides
    the Authorization header); `context` is yours, for passing data between
    middleware of one call (the retry layer copies it into each attempt).
    `attempt` counts from 1; `timeout` is the httpx timeout of this attempt.
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
    http_client: httpx.AsyncClient,
    max_in_flight: int | None = None,
) -> CallNext:
    """The request path: per-call middleware, retry, per-attempt middleware, then `send`."""
    return link([*per_call, retry, *per_attempt], make_send(http_client, max_in_flight))


_MAX_CACHED_URLS = 64


def make_send(http_client: httpx.AsyncClient, max_in_flight: int | None = None) -> CallNext:
    """The I/O boundary: send one attempt with httpx and read the body under the size cap.

    Every httpx failure becomes an `APIConnectionError` (or `APITimeoutError`) with
    the httpx exception as `__cause__`, which the retry layer inspects. Redirects
    are never followed: a 3xx comes back as a response, and decode_errors turns it
    into an `APIStatusError`.

    With `max_in_flight` (the size of the connection pool, when the SDK made it),
    attempts beyond it wait here, in an anyio semaphore, instead of in httpx's
    pool: httpcore rescans its whole queue of waiting requests whenever a
    connection frees up, so with thousands waiting its throughput collapses
    (84 req/s with 1,000 in flight against 470 with 100; benchmarks/README.md).
    The wait is bounded by the attempt's `pool` timeout, as httpx's would be,
    and ends in the same `APITimeoutError` caused by `httpx.PoolTimeout`.
    """

    # Parsing a URL string costs httpx about 16 us, a sixth of a whole request:
    # the URLs of paths without parameters (`/call`, `/calls`) are parsed once.
    urls: dict[str, httpx.URL] = {}
    slots = None if max_in_flight is None else anyio.Semaphore(max_in_flight, fast_acquire=True)

    async def send(request: Request) -> httpx.Response:
        options = request.options
        body = request.json
        target = options.base_url + request.path
        url = urls.get(target)
        if url is None:
            url = httpx.URL(target)
            if not request.path_params and len(urls) < _MAX_CACHED_URLS:
                urls[target] = url
        http_request = http_client.build_request(
            request.endpoint.method,
            url,
            params=request.params,
            content=None if body is None else encode_json(body),
            headers=request.headers,
            timeout=request.timeout or options.timeout,
        )
        if slots is None:
            return await exchange(request, http_request)
        try:
            slots.acquire_nowait()
        except anyio.WouldBlock:
            await _wait_for(slots, request, http_request)
        try:
            return await exchange(request, http_request)
        finally:
            slots.release()

    async def exchange(request: Request, http_request: httpx.Request) -> httpx.Response:
        try:
            response = await http_client.send(http_request, stream=True, follow_redirects=False)
        except httpx.HTTPError as exc:
            raise _send_error(request, http_request, exc) from exc
        try:
            await read_capped(response, request.options.max_response_bytes)
        finally:
            await response.aclose()
        return response

    return send


async def _wait_for(slots: anyio.Semaphore, request: Request, http_request: httpx.Request) -> None:
    """Take a slot within the attempt's pool timeout, or raise as httpx's pool would."""
    pool_timeout = http_request.extensions.get("timeout", {}).get("pool")
    if pool_timeout is None:
        await slots.acquire()
        return
    with anyio.move_on_after(pool_timeout):
        await slots.acquire()
        return
    exc = httpx.PoolTimeout("timed out waiting for a connection", request=http_request)
    raise _send_error(request, http_request, exc) from exc


def _send_error(request: Request, http_request: httpx.Request, exc: httpx.HTTPError) -> APIError:
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(
            f"{request.method} {request.path}: {type(exc).__name__} on attempt {request.attempt}",
            request=http_request,
        )
    return APIConnectionError(
        f"{request.method} {request.path}: {type(exc).__name__}: {exc}",
        request=http_request,
    )


async def read_capped(response: httpx.Response, limit: int) -> None:
    """Read the (decompressed) body into `response.content`, at most `limit` bytes of it.

    Decoded bytes are counted, so a decompression bomb counts against the cap. A
    2xx body over the cap raises `ResponseDecodeError`; an error response's body
    is cut at the cap instead, so that its status still becomes its typed error
    (and a 503 is still retried).
    """
    success = response.is_success
    declared = response.headers.get("content-length")
    if success and declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(response, limit)
    chunks: list[bytes] = []
    size = 0
    over = False
    try:
        async for chunk in response.aiter_bytes():
            if over:
                continue
            if size + len(chunk) > limit:
                # Close the stream and let the iteration run out on it rather
                # than break out, so httpx's nested generators finish (trio warns
                # about abandoned ones: encode/httpx#3686).
                over = True
                chunks.append(chunk[: limit - size])
                await response.aclose()
            else:
                chunks.append(chunk)
            size += len(chunk)
    except httpx.HTTPError as exc:
        if not over:
            raise _read_error(response, exc) from exc
    if over and success:
        raise _too_large(response, limit)
    # httpx has no public way to hand a response a body read in chunks; this
    # is the attribute its own `aread()` fills.
    response._content = b"".join(chunks)


def _too_large(response: httpx.Response, limit: int) -> ResponseDecodeError:
    request = response.request
    return ResponseDecodeError(
        f"{request.method} {request.url.path} -> {response.status_code}: the response body"
        f" exceeds max_response_bytes={limit}",
        request=request,
        status_code=response.status_code,
    )


def _read_error(response: httpx.Response, exc: httpx.HTTPError) -> APIError:
    request = response.request
    where = f"{request.method} {request.url.path}"
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(
            f"{where}: {type(exc).__name__} while reading the body", request=request
        )
    if isinstance(exc, httpx.DecodingError):
        return ResponseDecodeError(
            f"{where}: the body could not be decompressed: {exc}",
            request=request,
            status_code=response.status_code,
        )
    return APIConnectionError(
        f"{where}: {type(exc).__name__} while reading the body: {exc}", request=request
    )


def _json_default(value: object) -> object:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if attrs.has(type(value)):
        from ._converter import unstructure

        return unstructure(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


_encoder = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_json_default
)


def encode_json(body: object) -> bytes:
    """The body as compact UTF-8 JSON; UUIDs, datetimes and models are serialised."""
    return _encoder.encode(body).encode()
