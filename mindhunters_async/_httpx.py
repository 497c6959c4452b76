"""Every use of httpx's (and httpcore's) internals, in one place.

The SDK depends on httpx's public API everywhere else. What is here reaches past
it, each for a reason given at the function; each was checked against httpx
0.28.1 / httpcore 1.0.9 and against httpx2 2.16 aliased as `httpx` (see
"httpx2" in the README), and `tests/test_httpx_internals.py` fails if one of
them stops applying after an upgrade.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
import re
import socket
import time
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

import anyio
import httpx

if TYPE_CHECKING:
    from ._pipeline import UploadStream

__all__ = [
    "BodyStream",
    "HTTPClient",
    "abandon_connections",
    "anyio_task_states",
    "build_request",
    "close_asyncio_transport",
    "is_plain",
    "close_upload_stream",
    "pool_connections",
    "url_with",
    "request_of",
    "send_plain",
    "set_content",
    "set_elapsed",
    "skip_empty_cookie_work",
    "upload_failure",
    "use_body_stream",
    "use_upload_stream",
]


class _Cookies(httpx.Cookies):
    """A cookie jar that skips the work for responses that set no cookie.

    httpx wraps every response and its request in `urllib` compatibility objects
    before asking the `CookieJar` for cookies: a large share of raw httpx's own
    time per request, for a jar that finds nothing without a `Set-Cookie`
    header (the only kind the default cookie policy reads; RFC 2965's
    `Set-Cookie2` is off in it).
    """

    def extract_cookies(self, response: httpx.Response) -> None:
        if "set-cookie" in response.headers:
            super().extract_cookies(response)


class HTTPClient(httpx.AsyncClient):
    """The SDK's own `httpx.AsyncClient`: the same, with a `_Cookies` jar.

    httpx keeps the jar behind the `cookies` property (`self._cookies`) and calls
    `self.cookies.extract_cookies(response)` on every response; overriding the
    property is the only way to give it another jar class.
    """

    _jar: _Cookies

    @property
    def cookies(self) -> httpx.Cookies:
        return self._jar

    @cookies.setter
    def cookies(self, cookies: Any) -> None:
        self._jar = _Cookies(cookies)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cookies = kwargs.get("cookies") or {}


# Jars whose `extract_cookies` finds nothing without a Set-Cookie header (see `_Cookies`).
_SKIPPABLE_JARS = (httpx.Cookies, _Cookies)


def skip_empty_cookie_work(http_client: httpx.AsyncClient) -> None:
    """Give a caller's `http_client` the SDK's cookie shortcut, keeping its jar.

    The jar object stays the same (every cookie, every reference the caller
    holds); only its class becomes `_Cookies`, which behaves identically except
    that it skips the standard library's work for replies that set no cookie. A
    caller's own subclass of `httpx.Cookies` is left alone.
    """
    jar = http_client.cookies
    if type(jar) is httpx.Cookies:
        jar.__class__ = _Cookies


# Sending through the client's transport ------------------------------------------------


def _unwrapped(function: Any) -> Any:
    while hasattr(function, "__wrapped__"):
        function = function.__wrapped__
    return function


# httpx's own methods (unwrapped: an instrumentation that patched them before this
# import is seen as a patch all the same).
_PLAIN_METHODS = {
    name: _unwrapped(getattr(httpx.AsyncClient, name, None))
    for name in (
        "build_request",
        "send",
        "_build_redirect_request",
        "_build_request_auth",
        "_merge_cookies",
        "_merge_headers",
        "_merge_queryparams",
        "_merge_url",
        "_send_handling_auth",
        "_send_handling_redirects",
        "_send_single_request",
        "_set_timeout",
        "_transport_for_url",
    )
}
_HTTPX_LOG = logging.getLogger("httpx")
_INFO = logging.INFO


# What httpx's URL parser leaves as it is: a path of unreserved characters, sub-delims,
# ":" and "@", and valid percent escapes, with no "." or ".." segment (it would remove
# them); a query of those and "/" and "?". The SDK's paths (ids are percent-encoded,
# dots too) and its queries (`QueryParams` encodes them) are of that kind.
_PLAIN_PATH = re.compile(
    r"(?:/(?!\.\.?(?:/|$))(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})*)*"
)
_PLAIN_QUERY = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*")
_MAX_PLAIN_URL = 60_000  # under httpx's limit of 65,536 characters


def url_with(base: httpx.URL, text: str, tail: str = "", query: str | None = None) -> httpx.URL:
    """`httpx.URL(text)`, where `text` is `base` followed by `tail` (more path) and,
    if given, `?` and `query`.

    Parsing a URL is a large share of httpx's cost per request (it checks every
    character in Python): 10 to 20 us for an API URL. A path and query that the parser
    would leave as they are (`_PLAIN_PATH`, `_PLAIN_QUERY`) are set on a copy of the
    already parsed base instead (`_uri_reference`, a named tuple, is where httpx's
    `URL` keeps its parts); anything else is parsed by httpx.
    """
    ref = getattr(base, "_uri_reference", None)
    if not hasattr(ref, "_replace"):
        return httpx.URL(text)  # an httpx that keeps its URLs otherwise
    assert ref is not None
    path = ref.path + tail
    if (
        len(text) < _MAX_PLAIN_URL
        and ref.query is None
        and ref.fragment is None
        and _PLAIN_PATH.fullmatch(path)
        and (query is None or _PLAIN_QUERY.fullmatch(query))
    ):
        url = httpx.URL.__new__(httpx.URL)
        url._uri_reference = ref._replace(path=path, query=query)
        return url
    return httpx.URL(text)


def is_plain(client: httpx.AsyncClient) -> bool:
    """Whether `client.send` would do nothing more than send through its transport.

    httpx's client adds about 40 us a request on top of its transport (headers
    merged and copied twice, the auth and redirect loops, a stream wrapper, cookie
    and log work): as much as the whole SDK. For a client with no auth, no event
    hooks and no default query parameters, of httpx's own class (or the SDK's, which
    only swaps the cookie jar's class), whose methods are httpx's own (no
    instrumentation, such as Sentry's or ddtrace's, patching them on the class or the
    instance), `build_request` and `send_plain` do what `build_request` and
    `send(stream=True, follow_redirects=False)` would, cheaper: the client's headers
    and cookies merged in, the transport chosen by its mounts (proxies), the response
    given its request, `next_request`, elapsed time and default encoding, its cookies
    stored, the client marked open, httpx's own log line written. Checked on every
    request, so a patch applied later counts (one applied before the SDK was imported
    is recognised through `__wrapped__`, which `functools.wraps` and `wrapt` set).

    Two differences, on purpose: the response's stream is the transport's own (not
    wrapped in httpx's timing stream; `set_elapsed` sets `elapsed` instead), and a 3xx
    whose `Location` is not a valid URL is returned without `next_request`, as httpx2
    does, where httpx 0.28 raises `RemoteProtocolError`: the SDK then reports the 3xx
    as the status error it is, not as a connection failure.
    """
    cls = type(client)
    if cls is not httpx.AsyncClient and cls is not HTTPClient:
        return False  # a subclass may add to any step
    patched = client.__dict__
    for name, original in _PLAIN_METHODS.items():
        if original is None or getattr(cls, name, None) is not original or name in patched:
            return False
    hooks = client.event_hooks
    return (
        client.auth is None
        and not hooks.get("request")
        and not hooks.get("response")
        and not client.params
        and not client.is_closed
    )


def build_request(
    client: httpx.AsyncClient,
    method: str,
    url: httpx.URL,
    *,
    params: Any,
    content: Any,
    headers: httpx.Headers,
    timeout: httpx.Timeout,
    plain: bool,
) -> httpx.Request:
    """`client.build_request(...)`, built here for a plain client (`is_plain`) and an
    absolute URL without credentials (httpx turns those into Basic auth in `send`):
    the client's headers with `headers` over them, its cookies, the timeout."""
    if not plain:
        return client.build_request(
            method, url, params=params, content=content, headers=headers, timeout=timeout
        )
    if params and not url.query:
        # httpx would merge them into the URL by parsing it afresh (the encoding is
        # httpx's own, `QueryParams`).
        query = str(httpx.QueryParams(params))
        url = url_with(url, f"{url}?{query}", "", query)
        params = None
    names = set(headers)  # lower-cased, as httpx.Headers iterates them
    merged = [(k, v) for k, v in client.headers.raw if k.decode("latin-1").lower() not in names]
    merged.extend(headers.raw)
    cookies = client.cookies
    return httpx.Request(
        method,
        url,
        params=params,
        content=content,
        headers=merged,
        # As build_request merges them: the Request sets the Cookie header from a copy.
        cookies=cookies if cookies else None,
        extensions={"timeout": timeout.as_dict()},
    )


async def send_plain(client: httpx.AsyncClient, request: httpx.Request) -> httpx.Response:
    """`client.send(request, stream=True, follow_redirects=False)` for a plain client.

    The response is left unread, as with `stream=True`; `set_elapsed` gives it its
    elapsed time once the SDK has read and closed it.
    """
    transport = client._transport_for_url(request.url)
    try:
        response = await transport.handle_async_request(request)
    except httpx.RequestError as exc:
        exc.request = request
        raise
    response.request = request
    response.default_encoding = getattr(client, "_default_encoding", "utf-8")
    jar = client.cookies
    if "set-cookie" in response.headers or type(jar) not in _SKIPPABLE_JARS:
        jar.extract_cookies(response)
    state = getattr(client, "_state", None)
    if state is not None and state.name == "UNOPENED":
        client._state = type(state).OPENED  # as send marks it: `async with` now refuses it
    if response.has_redirect_location:
        # Never followed; what the redirect would be, as send leaves it on the response.
        with contextlib.suppress(httpx.RemoteProtocolError):
            response.next_request = client._build_redirect_request(request, response)
    if _HTTPX_LOG.isEnabledFor(_INFO):
        _HTTPX_LOG.info(
            'HTTP Request: %s %s "%s %d %s"',
            request.method,
            request.url,
            response.http_version,
            response.status_code,
            response.reason_phrase,
        )
    return response


def set_elapsed(response: httpx.Response, started: float) -> None:
    """`response.elapsed`, as httpx's stream wrapper sets it when the body is closed."""
    response.elapsed = datetime.timedelta(seconds=time.perf_counter() - started)


def anyio_task_states() -> Any:
    """anyio's asyncio backend's record of each task's innermost cancel scope, or None
    if this anyio keeps it otherwise.

    A `WeakKeyDictionary` of task -> `TaskState`, whose `cancel_scope` links to its
    parents through `_parent_scope`; the I/O boundary reads it to know whether an
    exchange waits inside a shield (see `_transport._Guarded`), and falls back to a
    child task per attempt when it is not there. Called in a running asyncio loop,
    when the client first sees it.
    """
    try:
        from anyio._backends import _asyncio

        states = _asyncio._task_states
        probe = anyio.CancelScope()
    except (ImportError, AttributeError):
        return None
    scope_fields = ("_parent_scope", "shield", "cancel_called")
    if not all(hasattr(probe, name) for name in scope_fields) or not hasattr(states, "get"):
        return None
    if "cancel_scope" not in getattr(_asyncio.TaskState, "__slots__", ()):
        return None
    return states


def set_content(response: httpx.Response, content: bytes) -> None:
    """Give `response` a body read by the SDK (in chunks, under its size cap).

    httpx has no public way to do so; `_content` is the attribute its own
    `aread()` fills, and `response.content` reads it.
    """
    response._content = content


def request_of(response: httpx.Response) -> httpx.Request | None:
    """The request of `response`, or None for a response a middleware built itself
    (httpx raises `RuntimeError` from the property when none was set)."""
    try:
        return response.request
    except RuntimeError:
        return None


class BodyStream(httpx.AsyncByteStream):
    """A request body whose iterator is a plain object, not an async generator.

    httpx's own `ByteStream.__aiter__` is an async generator: when an attempt is
    cancelled while httpcore writes the body, the suspended generator is left to
    the garbage collector, and trio reports each one as a `ResourceWarning`.
    """

    __slots__ = ("_content",)

    def __init__(self, content: bytes) -> None:
        self._content = content

    def __aiter__(self) -> AsyncIterator[bytes]:
        return _Once(self._content)

    def __iter__(self) -> Iterator[bytes]:
        return iter((self._content,))


class _Once(AsyncIterator[bytes]):
    __slots__ = ("_content",)

    def __init__(self, content: bytes) -> None:
        self._content: bytes | None = content

    async def __anext__(self) -> bytes:
        content = self._content
        if content is None:
            raise StopAsyncIteration
        self._content = None
        return content


def use_body_stream(request: httpx.Request) -> None:
    """Swap the body stream of a request built with `content=bytes` for a `BodyStream`.

    The request's `_content` is already set by httpx when it was built from bytes,
    so `request.content` and `aread()` (used by mock transports) are unchanged.
    """
    stream = request.stream
    if isinstance(stream, httpx.ByteStream):
        request.stream = BodyStream(request.content)


class _UploadBody(httpx.AsyncByteStream):
    """An upload's pass (`Upload.open()`) as httpx's request body, iterated as is, and
    what it raised, if it did: aiohttp reports a body that failed as a connection
    error, in which the pass's own error (a file changed while sent) would be lost."""

    __slots__ = ("failed", "stream")

    def __init__(self, stream: UploadStream) -> None:
        self.stream = stream
        self.failed: Exception | None = None

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self

    async def __anext__(self) -> bytes:
        try:
            return await self.stream.__anext__()
        except StopAsyncIteration:
            raise
        except Exception as exc:
            self.failed = exc
            raise

    async def aclose(self) -> None:
        self.stream.close()


def use_upload_stream(request: httpx.Request, stream: UploadStream) -> None:
    """Make `stream` the body of a request built with `content=stream`.

    httpx wraps an async iterable in its own stream, whose `__aiter__` is an async
    generator (see `BodyStream`); `request.stream` is public, its wrapper is not.
    """
    request.stream = _UploadBody(stream)


def upload_failure(request: httpx.Request) -> Exception | None:
    """What the upload pass of `request` raised while it was sent, if anything."""
    stream = request.stream
    return stream.failed if isinstance(stream, _UploadBody) else None


def close_upload_stream(request: httpx.Request) -> None:
    """Close the upload pass of `request`, if it still has one (a mock transport that
    read the body has swapped it for the bytes it read)."""
    stream = request.stream
    if isinstance(stream, _UploadBody):
        stream.stream.close()


def pool_connections(http_client: httpx.AsyncClient) -> list[Any]:
    """The httpcore connections of `http_client`'s default transport (empty if it has
    none, such as a mock or the aiohttp transport).

    `AsyncConnectionPool.connections` is public in httpcore; reaching the pool
    from an httpx client (`_transport._pool`) is not.
    """
    pool = getattr(getattr(http_client, "_transport", None), "_pool", None)
    connections = getattr(pool, "connections", None)
    return list(connections) if connections is not None else []


def abandon_connections(http_client: httpx.AsyncClient) -> None:
    """Close the sockets of the pool without awaiting anything.

    For a client whose event loop is gone (closed after the client was used in
    it): nothing can be awaited on that loop any more, but its sockets are still
    open and would otherwise be left to the garbage collector. A transport of
    another kind (the aiohttp one) closes its own through its `abandon()`.
    """
    transport = getattr(http_client, "_transport", None)
    abandon = getattr(transport, "abandon", None)
    if abandon is not None:
        abandon()
    for connection in pool_connections(http_client):
        stream = getattr(getattr(connection, "_connection", None), "_network_stream", None)
        if stream is None:
            continue
        anyio_stream = getattr(stream, "_stream", None)
        # Over TLS, anyio's TLSStream wraps the socket stream that owns the transport.
        inner = getattr(anyio_stream, "transport_stream", anyio_stream)
        asyncio_transport = getattr(inner, "_transport", None)
        if asyncio_transport is not None:
            close_asyncio_transport(asyncio_transport)
            continue
        raw = stream.get_extra_info("socket")
        if isinstance(raw, socket.socket):
            raw.close()
        elif raw is not None and hasattr(raw, "detach"):
            # A trio socket: its close() needs a running trio; the file
            # descriptor does not.
            os.close(raw.detach())
    pool = getattr(transport, "_pool", None)
    if pool is not None and hasattr(pool, "_connections"):
        pool._connections = []


def close_asyncio_transport(transport: Any) -> None:
    """Close an asyncio transport's socket when its loop is closed.

    `transport.close()` would schedule the rest on the dead loop and raise; an
    asyncio transport warns when collected with its socket open, and closes it
    then, so this does what it would, now, and marks it done.
    """
    sock = getattr(transport, "_sock", None)
    if sock is not None:
        sock.close()
        transport._sock = None
