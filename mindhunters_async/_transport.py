"""The I/O boundary: one attempt sent with httpx, its body read under the size cap.

Everything below `send` is httpx's; everything above it sees SDK types only:
httpx failures become `APIConnectionError` / `APITimeoutError` (the httpx
exception as `__cause__`, which the retry layer inspects), bodies that cannot be
read become `ResponseDecodeError`, and a body that cannot be written as JSON is a
`RequestValidationError`.
"""

from __future__ import annotations

import json
import uuid
import zlib
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import TYPE_CHECKING

import anyio
import attrs
import httpx

from ._exceptions import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    ErrorCode,
    RequestValidationError,
    ResponseDecodeError,
)

if TYPE_CHECKING:
    from ._pipeline import Request

__all__ = ["ACCEPT_ENCODING", "encode_json", "make_send", "read_capped"]

ACCEPT_ENCODING = "gzip, deflate"
"""The encodings `read_capped` decompresses itself (and so the only ones asked for)."""

_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}
_MAX_CACHED_URLS = 64


def make_send(
    http_client: httpx.AsyncClient, max_in_flight: int | None = None
) -> Callable[[Request], Awaitable[httpx.Response]]:
    """The innermost handler of the pipeline: send one attempt, read its body.

    Redirects are never followed: a 3xx comes back as a response, and
    decode_errors turns it into an `APIStatusError`.

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
            content=_content(request),
            headers=request.headers,
            timeout=request.timeout or options.timeout,
        )
        if slots is None:
            return await exchange(request, http_request)
        try:
            slots.acquire_nowait()
        except anyio.WouldBlock:
            await _wait_for(slots, http_request)
        try:
            return await exchange(request, http_request)
        finally:
            slots.release()

    async def exchange(request: Request, http_request: httpx.Request) -> httpx.Response:
        try:
            response = await http_client.send(http_request, stream=True, follow_redirects=False)
        except httpx.HTTPError as exc:
            raise _send_error(http_request, exc, request.attempt) from exc
        try:
            await read_capped(response, request.options.max_response_bytes)
        except BaseException:
            # Shielded: a deadline or a caller's cancellation must still give
            # the connection back to the pool.
            with anyio.CancelScope(shield=True):
                await response.aclose()
            raise
        if not response.is_closed:  # a body read to its end has closed itself
            await response.aclose()
        return response

    return send


def _content(request: Request) -> bytes | None:
    if request.json is None:
        return None
    try:
        return encode_json(request.json)
    except (TypeError, ValueError) as exc:
        raise RequestValidationError(
            "body",
            ErrorCode.VALIDATION_ERROR,
            f"the request body cannot be sent as JSON: {exc}; pass str, numbers, bools,"
            " None, lists, dicts, UUIDs, datetimes or the SDK's models",
        ) from None


async def _wait_for(slots: anyio.Semaphore, http_request: httpx.Request) -> None:
    """Take a slot within the attempt's pool timeout, or raise as httpx's pool would."""
    pool_timeout = http_request.extensions.get("timeout", {}).get("pool")
    if pool_timeout is None:
        await slots.acquire()
        return
    with anyio.move_on_after(pool_timeout):
        await slots.acquire()
        return
    exc = httpx.PoolTimeout("timed out waiting for a connection", request=http_request)
    raise _send_error(http_request, exc) from exc


def _send_error(http_request: httpx.Request, exc: httpx.HTTPError, attempt: int = 1) -> APIError:
    where = f"{http_request.method} {http_request.url.path}"
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(
            f"{where}: {type(exc).__name__} on attempt {attempt}", request=http_request
        )
    return APIConnectionError(f"{where}: {type(exc).__name__}: {exc}", request=http_request)


async def read_capped(response: httpx.Response, limit: int) -> None:
    """Read the body into `response.content`, decompressed, at most `limit` bytes of it.

    The SDK decompresses gzip and deflate itself, `limit` bytes at a time, so a
    decompression bomb costs no more memory than the cap. A 2xx body over the cap
    raises `ResponseDecodeError`; an error response's body is cut at the cap
    instead, so that its status still becomes its typed error (and a 503 is still
    retried). On any failure the stream is closed and the iteration is let run
    out rather than abandoned, so httpx's nested generators finish (trio warns
    about abandoned ones: encode/httpx#3686).
    """
    success = response.is_success
    declared = response.headers.get("content-length", "")
    if success and declared.isascii() and declared.isdigit() and int(declared[:19]) > limit:
        raise _too_large(response, limit)
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in _WBITS and encoding not in ("identity", ""):
        raise ResponseDecodeError(
            f"{_where(response)}: unsupported Content-Encoding {encoding!r}",
            request=response.request,
            status_code=response.status_code,
        )
    try:
        content = response.content
    except httpx.ResponseNotRead:
        pass
    else:
        # Already read and decoded when it was made: a mock transport's response.
        if len(content) > limit:
            if success:
                raise _too_large(response, limit)
            response._content = content[:limit]
        return
    body = _Body(limit, _WBITS.get(encoding))
    try:
        async for chunk in response.aiter_raw():
            if body.failed is None and not body.feed(chunk):
                await response.aclose()
        if body.failed is None:
            body.finish()
    except httpx.HTTPError as exc:
        if body.failed is None:
            raise _read_error(response, exc) from exc
    if body.failed == "decompress":
        raise ResponseDecodeError(
            f"{_where(response)}: the {encoding} body could not be decompressed",
            request=response.request,
            status_code=response.status_code,
        )
    if body.failed == "too large" and success:
        raise _too_large(response, limit)
    # httpx has no public way to hand a response a body read in chunks; this
    # is the attribute its own `aread()` fills.
    response._content = b"".join(body.chunks)


class _Body:
    """The decompressed body so far, and why reading stopped, if it did."""

    __slots__ = ("chunks", "decoder", "failed", "limit", "size", "wbits")

    def __init__(self, limit: int, wbits: int | None) -> None:
        self.limit = limit
        self.wbits = wbits
        self.decoder = None if wbits is None else zlib.decompressobj(wbits)
        self.chunks: list[bytes] = []
        self.size = 0
        self.failed: str | None = None

    def feed(self, data: bytes) -> bool:
        """Take a raw chunk; False once reading should stop."""
        decoder = self.decoder
        if decoder is None:
            return self._keep(data)
        try:
            while data:
                # At most one byte past the cap: enough to know it is over.
                if not self._keep(decoder.decompress(data, self.limit - self.size + 1)):
                    return False
                data = decoder.unconsumed_tail
        except zlib.error:
            if self.wbits == zlib.MAX_WBITS and self.size == 0:
                # "deflate" is raw deflate for some servers, as httpx also allows.
                self.wbits = -zlib.MAX_WBITS
                self.decoder = zlib.decompressobj(self.wbits)
                return self.feed(data)
            self.failed = "decompress"
            return False
        return True

    def finish(self) -> None:
        if self.decoder is not None:
            try:
                self._keep(self.decoder.flush())
            except zlib.error:
                self.failed = "decompress"

    def _keep(self, data: bytes) -> bool:
        if self.size + len(data) > self.limit:
            self.chunks.append(data[: self.limit - self.size])
            self.size = self.limit
            self.failed = "too large"
            return False
        self.chunks.append(data)
        self.size += len(data)
        return True


def _where(response: httpx.Response) -> str:
    request = response.request
    return f"{request.method} {request.url.path} -> {response.status_code}"


def _too_large(response: httpx.Response, limit: int) -> ResponseDecodeError:
    return ResponseDecodeError(
        f"{_where(response)}: the response body exceeds max_response_bytes={limit}",
        request=response.request,
        status_code=response.status_code,
    )


def _read_error(response: httpx.Response, exc: httpx.HTTPError) -> APIError:
    request = response.request
    where = f"{request.method} {request.url.path}"
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(
            f"{where}: {type(exc).__name__} while reading the body", request=request
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
