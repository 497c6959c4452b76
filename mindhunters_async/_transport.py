"""The I/O boundary: one attempt sent with httpx, its body read under the size cap.

Everything below `Sender` is httpx's; everything above it sees SDK types only:
transport failures become `APIConnectionError` / `APITimeoutError` through one
table (`TRANSPORT_ERRORS`, which also says whether the request surely never left),
bodies that cannot be read become `ResponseDecodeError`, and a body that cannot be
written as JSON is a `RequestValidationError`. A streamed upload (`Request.upload`)
is opened afresh for each attempt and closed after it; an error of its own (its
file changed while sent) reaches the caller as itself, on every transport. A client
whose `send` would add nothing to its transport's work (`_httpx.is_plain`: the SDK's
own, or a caller's without auth, event hooks or default query parameters) is sent
through that transport directly, as its `send` would, at a fraction of the cost.

Three guarantees live here, for every transport:

- **An attempt ends within its timeout.** httpx's timeouts bound each read; a server
  that trickles a byte at a time, or sends endless `102 Processing`, passes every
  one of them. So each attempt also runs in a cancel scope whose deadline is the
  timeout (its largest phase), and ends in `APITimeoutError` when it passes.
- **Cancellation never strands a connection.** httpcore protects its clean-up with
  anyio shields, which a native asyncio cancellation (`task.cancel()`,
  `asyncio.wait_for`, `asyncio.timeout`) passes through, leaving connections
  marked busy forever (encode/httpcore#1093). On asyncio each attempt is awaited
  through `_Guarded`, which keeps a native cancellation out of every shielded wait
  and turns it into a cancellation of the attempt's anyio scope.
- **Shutdown is orderly.** `Sender.aclose` stops queued and new requests with
  `ClientStateError`, lets attempts in flight finish for a grace period, cuts the
  rest short, and only then closes the pool, so no socket is left to the collector.
"""

from __future__ import annotations

import functools
import json
import math
import ssl
import sys
import time
import uuid
import zlib
from collections.abc import Callable, Coroutine, Generator, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeGuard

import anyio
import anyio.lowlevel
import attrs
import httpx

from . import _config
from ._exceptions import (
    APIConnectionError,
    APITimeoutError,
    ClientStateError,
    ErrorCode,
    RequestValidationError,
    ResponseDecodeError,
)
from ._httpx import (
    abandon_connections,
    anyio_task_states,
    build_request,
    close_upload_stream,
    is_plain,
    send_plain,
    set_content,
    set_elapsed,
    upload_failure,
    url_with,
    use_body_stream,
    use_upload_stream,
)

if TYPE_CHECKING:
    import asyncio

    from ._pipeline import Request, Upload

__all__ = [
    "ACCEPT_ENCODING",
    "TRANSPORT_ERRORS",
    "Sender",
    "connection_error",
    "encode_json",
    "read_capped",
]

ACCEPT_ENCODING = "gzip, deflate"
"""The encodings `read_capped` decompresses itself (and so the only ones asked for)."""

_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}
_MAX_CACHED_URLS = 64


# Transport failures ------------------------------------------------------------------


@attrs.frozen
class Failure:
    """How a transport exception reads above the boundary.

    `like` is the httpx exception that httpx's own transport raises in the same
    situation (for another transport's exceptions); `sent` is False when the
    request surely never reached the server; `retryable` is False when another
    attempt cannot help.
    """

    like: type[httpx.HTTPError]
    sent: bool | None
    retryable: bool = True

    @property
    def error(self) -> type[APIConnectionError]:
        timeout = issubclass(self.like, httpx.TimeoutException)
        return APITimeoutError if timeout else APIConnectionError


def _same(kind: type[httpx.HTTPError], sent: bool | None, retryable: bool = True) -> Failure:
    return Failure(kind, sent, retryable)


TRANSPORT_ERRORS: dict[type[BaseException], Failure] = {
    # Never connected: the server cannot have seen the request.
    httpx.ConnectError: _same(httpx.ConnectError, sent=False),
    httpx.ConnectTimeout: _same(httpx.ConnectTimeout, sent=False),
    httpx.PoolTimeout: _same(httpx.PoolTimeout, sent=False),
    httpx.ProxyError: _same(httpx.ProxyError, sent=False, retryable=False),
    httpx.UnsupportedProtocol: _same(httpx.UnsupportedProtocol, sent=False, retryable=False),
    httpx.LocalProtocolError: _same(httpx.LocalProtocolError, sent=False, retryable=False),
    # Connected: the request may have been sent, and acted on.
    httpx.ReadTimeout: _same(httpx.ReadTimeout, sent=None),
    httpx.WriteTimeout: _same(httpx.WriteTimeout, sent=None),
    httpx.ReadError: _same(httpx.ReadError, sent=None),
    httpx.WriteError: _same(httpx.WriteError, sent=None),
    httpx.RemoteProtocolError: _same(httpx.RemoteProtocolError, sent=None),
    httpx.TimeoutException: _same(httpx.TimeoutException, sent=None, retryable=False),
    httpx.TransportError: _same(httpx.TransportError, sent=None, retryable=False),
    httpx.HTTPError: _same(httpx.HTTPError, sent=None, retryable=False),
}
"""Transport exception type -> `Failure`, the most specific class of an exception
winning (as in httpx's `map_httpcore_exceptions`). Another transport adds its own
rows (see `_aiohttp.py`), so the SDK reads every transport's failures alike."""


def failure_of(exc: BaseException) -> Failure | None:
    """The row of `TRANSPORT_ERRORS` for `exc`, or None for an exception of no transport."""
    for cls in type(exc).__mro__:
        row = TRANSPORT_ERRORS.get(cls)
        if row is not None:
            return row
    return None


def connection_error(
    exc: BaseException, http_request: httpx.Request, attempt: int, *, reading: bool = False
) -> APIConnectionError | None:
    """The SDK error for a transport exception, or None when `exc` is not one."""
    row = failure_of(exc)
    if row is None:
        return None
    where = f"{http_request.method} {http_request.url.path}"
    during = " while reading the body" if reading else ""
    name = type(exc).__name__
    if row.error is APITimeoutError:
        message = f"{where}: {name}{during} on attempt {attempt}"
    else:
        message = f"{where}: {name}{during}: {exc}"
    if _is_certificate_failure(exc):
        return row.error(
            message,
            request=http_request,
            sent=False,
            retryable=False,
            reason="TLS certificate verification failed",
        )
    return row.error(message, request=http_request, sent=row.sent, retryable=row.retryable)


def _is_certificate_failure(exc: BaseException | None) -> bool:
    seen = 0
    while exc is not None and seen < 16:
        if isinstance(exc, ssl.SSLCertVerificationError):
            return True
        if "CERTIFICATE_VERIFY_FAILED" in str(exc):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


# Sending ---------------------------------------------------------------------------


def attempt_limit(timeout: httpx.Timeout) -> float | None:
    """The longest a whole attempt may take: the largest of the timeout's phases
    (connect, read, write), or None when none is set. The pool wait is apart."""
    phases = [t for t in (timeout.connect, timeout.read, timeout.write) if t is not None]
    return max(phases) if phases else None


class _Attempt:
    """One attempt in flight: the scope that can cut it short, and why it was.

    The attempt's time limit runs from the start on the SDK's own pool, whose queue
    is the Sender's: the attempt has its connection when it starts. On a caller's
    client (or transport) the request may first wait in httpx's pool, which is not
    the server's slowness: there the limit runs from httpcore's first trace event
    for the request (connecting, or sending on a pooled connection), and the traces
    also say whether the request had begun to be sent when the limit cut it short.
    """

    __slots__ = ("closed", "limit", "loop", "scope", "sending", "timer", "traced")

    def __init__(self, limit: float | None, loop: asyncio.AbstractEventLoop | None) -> None:
        self.limit = limit
        self.loop = loop
        # On asyncio an anyio deadline costs a timer and its bookkeeping on every
        # attempt; a plain timer that cancels the scope does the same, cheaper.
        self.scope = anyio.CancelScope()
        self.timer: asyncio.TimerHandle | None = None
        self.closed = False
        self.traced = False
        self.sending = False

    def start_clock(self) -> None:
        limit = self.limit
        if limit is None:
            return
        if self.loop is None:
            self.scope.deadline = anyio.current_time() + limit
        elif self.timer is None:
            self.timer = self.loop.call_later(limit, self.scope.cancel)

    def stop_clock(self) -> None:
        if self.timer is not None:
            self.timer.cancel()

    async def trace(self, name: str, info: Mapping[str, Any]) -> None:
        """httpcore's `trace` extension: the request has left the pool's queue."""
        if not self.traced:
            self.traced = True
            self.start_clock()
        if name.endswith("send_request_headers.started"):
            self.sending = True


class Sender:
    """The innermost handler of the pipeline: send one attempt, read its body.

    Redirects are never followed: a 3xx comes back as a response, and
    decode_errors turns it into an `APIStatusError`.

    With `max_in_flight` (the size of the connection pool, when the SDK made it),
    attempts beyond it wait here, in an anyio semaphore, instead of in httpx's
    pool: httpcore rescans its whole queue of waiting requests whenever a
    connection frees up, so with thousands waiting its throughput collapses
    (benchmarks/README.md). The wait is bounded by the attempt's `pool` timeout,
    as httpx's would be, and ends in the same `APITimeoutError`.

    One `Sender` serves a client and its `with_options` copies; it also knows the
    event loop they belong to, and whether they are closed.
    """

    def __init__(
        self, http_client: httpx.AsyncClient, *, owns_client: bool, max_in_flight: int | None
    ) -> None:
        self._http_client = http_client
        self._owns_client = owns_client
        self._slots = (
            None if max_in_flight is None else anyio.Semaphore(max_in_flight, fast_acquire=True)
        )
        self._attempts: set[_Attempt] = set()
        self._drained: anyio.Event | None = None
        # Parsing a URL string is a large share of httpx's cost per request: the
        # URLs of paths without parameters (`/call`, `/calls`) are parsed once.
        self._urls: dict[str, httpx.URL] = {}
        self.closing = False
        self.closed = False
        self.loop: object | None = None
        self._asyncio_loop: asyncio.AbstractEventLoop | None = None

    # State

    def check(self) -> None:
        """Raise `ClientStateError` if the client is closed or used from another loop."""
        if self.closing:
            raise ClientStateError(CLOSED)
        mine = self._asyncio_loop
        if (
            mine is not None
            and _ASYNCIO["running_loop"]() is mine
            and _ASYNCIO["current_task"](mine) is not None
        ):
            return  # in an asyncio task of the client's own loop (anyio's check is dearer)
        loop = anyio.lowlevel.current_token().native_token
        if self.loop is None:
            self.loop = loop
            if _is_asyncio_loop(loop):
                self._asyncio_loop = loop
        elif self.loop is not loop:
            raise ClientStateError(
                "this AsyncMindhunters client belongs to another event loop: its connections"
                " cannot be used from this one. Create one client per event loop (for example"
                " in your app's startup hook), not at import time shared across loops"
            )

    # Sending

    async def __call__(self, request: Request) -> httpx.Response:
        options = request.options
        target = options.base_url + request.path
        timeout = request.timeout or options.timeout
        upload = request.upload
        content = _content(request) if upload is None else upload.open()
        client = self._http_client
        try:
            url = self._urls.get(target)
            if url is None:
                base = self._urls.get(options.base_url)
                if base is None:
                    base = httpx.URL(options.base_url)
                    if len(self._urls) < _MAX_CACHED_URLS:
                        self._urls[options.base_url] = base
                url = url_with(base, target, request.path)
                if not request.path_params and len(self._urls) < _MAX_CACHED_URLS:
                    self._urls[target] = url
            plain = is_plain(client) and not url.userinfo
            http_request = build_request(
                client,
                request.endpoint.method,
                url,
                params=request.params,
                content=content,
                headers=request.headers,
                timeout=timeout,
                plain=plain,
            )
        except (httpx.InvalidURL, ValueError, TypeError) as exc:
            # The text of the error may quote a header value: only its kind is named.
            raise RequestValidationError(
                "request",
                ErrorCode.VALIDATION_ERROR,
                f"the request cannot be sent ({type(exc).__name__}): a URL or a query too long"
                " (httpx allows 65,536 characters), or a header or query value that is not"
                " printable ASCII text",
            ) from None
        if upload is None:
            use_body_stream(http_request)
        else:
            _use_upload(http_request, upload, content)
        limit = options.attempt_limit if request.timeout is None else attempt_limit(timeout)
        slots = self._slots
        if slots is None:
            return await self._attempt(request, http_request, limit, plain)
        try:
            slots.acquire_nowait()
        except anyio.WouldBlock:
            await self._wait_for_slot(slots, http_request, request.attempt)
        try:
            return await self._attempt(request, http_request, limit, plain)
        finally:
            slots.release()

    async def _wait_for_slot(
        self, slots: anyio.Semaphore, http_request: httpx.Request, attempt: int
    ) -> None:
        """Take a slot within the attempt's pool timeout, or raise as httpx's pool would."""
        pool_timeout = http_request.extensions.get("timeout", {}).get("pool")
        with anyio.move_on_after(math.inf if pool_timeout is None else pool_timeout):
            await slots.acquire()
            return
        exc = httpx.PoolTimeout("timed out waiting for a connection", request=http_request)
        error = connection_error(exc, http_request, attempt)
        assert error is not None
        raise error from exc

    async def _attempt(
        self, request: Request, http_request: httpx.Request, limit: float | None, plain: bool
    ) -> httpx.Response:
        if self.closing:
            # Queued while the client was closing: it must not start now.
            raise ClientStateError(CLOSED)
        request.on_wire = True
        loop = self._asyncio_loop
        attempt = _Attempt(limit, loop)
        if self._slots is None and limit is not None:
            http_request.extensions["trace"] = attempt.trace
        else:
            attempt.start_clock()
        self._attempts.add(attempt)
        try:
            if loop is None:
                return await self._exchange(attempt, request, http_request, plain)
            if _ASYNCIO["task_states"] is None:
                return await _in_child_task(
                    loop,
                    attempt,
                    functools.partial(self._exchange, attempt, request, http_request, plain),
                )
            return await _Guarded(
                loop, attempt, self._exchange(attempt, request, http_request, plain)
            )
        finally:
            attempt.stop_clock()
            if request.upload is not None:
                close_upload_stream(http_request)
            self._attempts.discard(attempt)
            if self._drained is not None and not self._attempts:
                self._drained.set()

    async def _exchange(
        self, attempt: _Attempt, request: Request, http_request: httpx.Request, plain: bool
    ) -> httpx.Response:
        with attempt.scope:
            return await self._send_and_read(request, http_request, plain)
        raise self._cut_short(attempt, request, http_request)

    async def _send_and_read(
        self, request: Request, http_request: httpx.Request, plain: bool
    ) -> httpx.Response:
        started = time.perf_counter()
        try:
            if plain:
                response = await send_plain(self._http_client, http_request)
            else:
                response = await self._http_client.send(
                    http_request, stream=True, follow_redirects=False
                )
        except Exception as exc:
            if request.upload is not None and (failed := upload_failure(http_request)):
                # The upload's own error (its file changed), whatever the transport made of it.
                raise failed from None
            error = connection_error(exc, http_request, request.attempt)
            if error is None:
                raise
            raise error from exc
        try:
            await read_capped(response, request.options.max_response_bytes, request.attempt)
        except BaseException:
            # Shielded: a deadline or a caller's cancellation must still give
            # the connection back to the pool.
            with anyio.CancelScope(shield=True):
                await response.aclose()
            raise
        if not response.is_closed:  # a body read to its end has closed itself
            await response.aclose()
        if plain:
            set_elapsed(response, started)
        return response

    def _cut_short(
        self, attempt: _Attempt, request: Request, http_request: httpx.Request
    ) -> APIConnectionError:
        where = f"{http_request.method} {http_request.url.path}"
        if attempt.closed:
            return APIConnectionError(
                f"{where}: the client was closed while attempt {request.attempt} was in flight",
                request=http_request,
                sent=None,
                retryable=False,
                reason="the client was closed",
            )
        timeout = request.timeout or request.options.timeout
        limit = attempt_limit(timeout)
        # Traces that never reached "sending" say the request never left.
        sent = False if attempt.traced and not attempt.sending else None
        return APITimeoutError(
            f"{where}: attempt {request.attempt} took longer than its timeout of {limit:g}s"
            " (the server was too slow, or kept its reply trickling)",
            request=http_request,
            sent=sent,
        )

    # Shutdown

    async def aclose(self, grace: float) -> None:
        """Stop new and queued requests, give those in flight `grace` seconds, cut the
        rest short, then close the pool (when the SDK made it)."""
        if self.closed:
            return
        self.closing = True
        loop = anyio.lowlevel.current_token().native_token
        if self.loop is not None and loop is not self.loop:
            self.closed = True
            if not self._owns_client:
                return
            if self._asyncio_loop is None and not _is_asyncio_loop(loop):
                # trio's sockets belong to no loop: one trio run closes another's.
                await self._http_client.aclose()
            else:
                # An asyncio loop's connections cannot be awaited from another
                # loop, but their sockets can still be closed.
                abandon_connections(self._http_client)
            return
        slots = self._slots
        if slots is not None:
            # Calls waiting for a connection are refused at once: each one woken
            # here finds the client closing and raises ClientStateError.
            for _ in range(slots.statistics().tasks_waiting):
                slots.release()
        try:
            if self._attempts:
                self._drained = anyio.Event()
                with anyio.move_on_after(grace):
                    await self._drained.wait()
        finally:
            # Even when the caller's own cancellation cut the grace period short,
            # the attempts still in flight end and the pool closes: nothing may be
            # left to the garbage collector.
            with anyio.CancelScope(shield=True):
                if self._attempts:
                    self._drained = self._drained or anyio.Event()
                    for attempt in list(self._attempts):
                        attempt.closed = True
                        attempt.scope.cancel()
                    if self._attempts:
                        await self._drained.wait()
                self.closed = True
                if self._owns_client:
                    await self._http_client.aclose()


CLOSED = (
    "this AsyncMindhunters client is closed: create a new one (or keep one open for the"
    " life of your application and close it on shutdown)"
)


# asyncio is imported by whoever runs an asyncio loop, not by `import mindhunters_async`
# (it costs the import tens of ms); what the guard needs of it (and of anyio's asyncio
# backend) is noted here when the first asyncio loop is seen.
_ASYNCIO: dict[str, Any] = {}


def _is_asyncio_loop(loop: object) -> TypeGuard[asyncio.AbstractEventLoop]:
    asyncio = sys.modules.get("asyncio")
    if asyncio is None or not isinstance(loop, asyncio.AbstractEventLoop):
        return False
    if not _ASYNCIO:
        _ASYNCIO["CancelledError"] = asyncio.CancelledError
        _ASYNCIO["current_task"] = asyncio.current_task
        _ASYNCIO["running_loop"] = asyncio._get_running_loop
        _ASYNCIO["task_states"] = anyio_task_states()
    return True


class _Guarded:
    """Await an attempt's exchange in the caller's task, never letting a native
    cancellation land while the exchange waits inside an anyio shield.

    httpcore protects its clean-up with anyio shields, which only anyio's own
    cancellation respects; a native one (`task.cancel()`, `asyncio.timeout`) lands
    wherever the task waits, shielded or not, and strands connections
    (encode/httpcore#1093). This awaitable steps the exchange's coroutine itself, as
    the task would, and at each wait looks at the anyio scopes the exchange has entered
    inside the attempt's own:

    - none shielded: the awaited future goes to the task unchanged, and a
      cancellation lands there as anywhere else;
    - one shielded: the task waits on a stand-in instead. A native cancellation
      cancels the stand-in, not the shielded wait, and is kept until the exchange next
      waits unshielded, where it is delivered as the task would have (or re-raised
      when the exchange ends first). A cancellation of a scope at or inside the shield
      (a deadline of the clean-up's own) is anyio's, and is passed on at once.

    It costs nothing while the exchange does not wait (a mock transport) and a few
    attribute reads per wait, where a child task per attempt (`_in_child_task`, the
    fallback for an anyio whose scope records `_httpx.anyio_task_states` cannot read)
    costs two turns of the event loop.

    One limit: a native timeout started inside a shield (`asyncio.timeout`, or
    `asyncio.wait_for` from Python 3.12, in a custom transport's shielded clean-up)
    cannot be told from the caller's cancellation, so it cannot cut that shielded wait
    short (when it has withdrawn its request by the time the wait ends, Python 3.11+,
    nothing is delivered). A shielded clean-up is bounded with anyio's own deadlines
    (`anyio.move_on_after`, `fail_after`), which pass.
    """

    __slots__ = ("attempt", "coro", "loop")

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        attempt: _Attempt,
        coro: Coroutine[Any, Any, httpx.Response],
    ) -> None:
        self.loop = loop
        self.attempt = attempt
        self.coro = coro

    def __await__(self) -> Generator[Any, None, httpx.Response]:
        coro = self.coro
        cancelled = _ASYNCIO["CancelledError"]
        states = _ASYNCIO["task_states"]
        task = _ASYNCIO["current_task"]()
        outer = self.attempt.scope
        # Python 3.11+ counts a task's pending cancellation requests: one withdrawn
        # (`uncancel()`, as `asyncio.timeout` does on exit) is not delivered later.
        cancelling = getattr(task, "cancelling", None)
        # A request made but not yet delivered (the task cancelled itself just before)
        # is not part of the base: it is the caller's, to deliver.
        base = 0 if cancelling is None else cancelling() - bool(task._must_cancel)
        kept: BaseException | None = None  # a native cancellation kept out of a shield
        thrown: BaseException | None = None
        while True:
            try:
                waited = coro.send(None) if thrown is None else coro.throw(thrown)
            except StopIteration as stop:
                if kept is not None and (cancelling is None or cancelling() > base):
                    raise kept from None
                response: httpx.Response = stop.value
                return response
            except Exception:
                if kept is not None and (cancelling is None or cancelling() > base):
                    raise kept  # noqa: B904 (the exchange's error stays its context)
                raise
            thrown = None
            shield = _innermost_shield(states.get(task), outer)
            if shield is None:
                if kept is not None:
                    exc, kept = kept, None
                    if cancelling is None or cancelling() > base:
                        # Delivered where the exchange now waits unshielded, as the
                        # task would have: its future cancelled, or the error thrown.
                        if waited is None:
                            thrown = exc
                            continue
                        waited.cancel(_message(exc))
                        if waited.done():
                            continue
                        # A task or a gather ends its cancellation later: wait for it.
                try:
                    yield waited
                except GeneratorExit:
                    coro.close()
                    raise
                except BaseException as exc:
                    thrown = exc
                continue
            if waited is None:
                # A bare yield (a checkpoint, anyio's locks take one in a shield): the
                # task waits on no future, so a native cancellation is thrown in here.
                try:
                    yield None
                except GeneratorExit:
                    coro.close()
                    raise
                except cancelled as exc:
                    if _cancelled_within(states.get(task), shield):
                        thrown = exc
                    else:
                        kept = kept or exc
                except BaseException as exc:
                    thrown = exc
                continue
            while True:
                stand_in: asyncio.Future[None] = self.loop.create_future()
                complete = functools.partial(_complete, stand_in)
                waited.add_done_callback(complete)
                try:
                    yield from stand_in
                except GeneratorExit:
                    coro.close()
                    raise
                except cancelled as exc:
                    waited.remove_done_callback(complete)  # the next stand-in's replaces it
                    if _cancelled_within(states.get(task), shield):
                        # anyio's own, from a scope the shield does not keep out.
                        if not waited.done():
                            waited.cancel(_message(exc))
                            if not waited.done():
                                continue  # a task or a gather: wait for it to end
                        break
                    kept = kept or exc
                    if not waited.done():
                        continue
                except BaseException as exc:
                    thrown = exc
                break


async def _in_child_task(
    loop: asyncio.AbstractEventLoop,
    attempt: _Attempt,
    exchange: Callable[[], Coroutine[Any, Any, Any]],
) -> httpx.Response:
    """Run `exchange` in a child task that only its anyio scope ever cancels: the
    fallback of `_Guarded`, for an anyio whose scopes it cannot read.

    A native cancellation of the caller reaches the child as a scope cancellation,
    which waits for httpcore's shielded clean-up; the caller then re-raises it. The
    child wakes the caller itself as it ends (not through a done callback), so an
    attempt costs one turn of the event loop more than running it inline.
    """
    waiter: asyncio.Future[None] = loop.create_future()
    outcome: list[Any] = []
    task = loop.create_task(_run_child(exchange, outcome, waiter))
    cancelled = _ASYNCIO["CancelledError"]
    try:
        await waiter
    except cancelled:
        attempt.scope.cancel()
        while not task.done():
            finished: asyncio.Future[None] = loop.create_future()
            task.add_done_callback(functools.partial(_wake, finished))
            try:
                await finished
            except cancelled:
                continue
        raise
    if not outcome:
        await task  # ended by something other than its scope: re-raise that
    result = outcome[0]
    if isinstance(result, BaseException):
        raise result
    response: httpx.Response = result
    return response


async def _run_child(
    exchange: Callable[[], Coroutine[Any, Any, Any]],
    outcome: list[Any],
    waiter: asyncio.Future[None],
) -> None:
    try:
        # Made here, in the child: a child cancelled before it ever ran (at the
        # loop's shutdown) leaves no coroutine that was never awaited.
        outcome.append(await exchange())
    except Exception as exc:
        outcome.append(exc)
    finally:
        if not waiter.done():
            waiter.set_result(None)


def _wake(waiter: asyncio.Future[None], _: object) -> None:
    if not waiter.done():
        waiter.set_result(None)


def _innermost_shield(state: Any, outer: anyio.CancelScope) -> Any:
    """The innermost shielded scope of anyio's `TaskState` `state` inside `outer`, if any."""
    scope = None if state is None else state.cancel_scope
    while scope is not None and scope is not outer:
        if scope.shield:
            return scope
        scope = scope._parent_scope
    return None


def _cancelled_within(state: Any, shield: Any) -> bool:
    """Whether a scope of `state` from the innermost up to `shield` was cancelled."""
    scope = None if state is None else state.cancel_scope
    while scope is not None:
        if scope.cancel_called:
            return True
        if scope is shield:
            return False
        scope = scope._parent_scope
    return False


def _message(exc: BaseException) -> Any:
    return exc.args[0] if exc.args else None


def _complete(stand_in: asyncio.Future[None], _: object) -> None:
    if not stand_in.done():
        stand_in.set_result(None)


def _use_upload(http_request: httpx.Request, upload: Upload, stream: Any) -> None:
    """Give `http_request` the upload's pass as its body, and the upload's headers."""
    use_upload_stream(http_request, stream)
    headers = http_request.headers
    headers["Content-Type"] = upload.content_type
    length = upload.length
    if length is not None:
        # httpx marked the body chunked, not knowing its length.
        headers.pop("Transfer-Encoding", None)
        headers["Content-Length"] = str(length)


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


# Reading ---------------------------------------------------------------------------


async def read_capped(response: httpx.Response, limit: int, attempt: int = 1) -> None:
    """Read the body into `response.content`, decompressed, at most `limit` bytes of it.

    The SDK decompresses gzip and deflate itself, `limit` bytes at a time, so a
    decompression bomb costs no more memory than the cap, and the body grows in one
    buffer, so a reply sent a byte at a time costs no more than its size either. A
    2xx body over the cap raises `ResponseDecodeError`; an error response's body is
    cut at `ERROR_BODY_LIMIT` (or the cap, if smaller) instead, so that its status
    still becomes its typed error (and a 503 is still retried). On any failure the
    stream is closed and the iteration is let run out rather than abandoned, so
    httpx's nested generators finish (trio warns about abandoned ones:
    encode/httpx#3686).
    """
    success = response.is_success
    if not success:
        limit = min(limit, _config.ERROR_BODY_LIMIT)
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
            set_content(response, content[:limit])
        return
    body = _Body(limit, _WBITS.get(encoding))
    try:
        async for chunk in response.aiter_raw():
            if body.failed is None and not body.feed(chunk):
                await response.aclose()
        if body.failed is None:
            body.finish()
    except Exception as exc:
        error = connection_error(exc, response.request, attempt, reading=True)
        if error is None:
            raise
        if body.failed is None:
            raise error from exc
    if body.failed == "decompress":
        raise ResponseDecodeError(
            f"{_where(response)}: the {encoding} body could not be decompressed",
            request=response.request,
            status_code=response.status_code,
        )
    if body.failed == "too large" and success:
        raise _too_large(response, limit)
    set_content(response, bytes(body.data))


class _Body:
    """The decompressed body so far, and why reading stopped, if it did."""

    __slots__ = ("data", "decoder", "failed", "limit", "wbits")

    def __init__(self, limit: int, wbits: int | None) -> None:
        self.limit = limit
        self.wbits = wbits
        self.decoder = None if wbits is None else zlib.decompressobj(wbits)
        self.data = bytearray()
        self.failed: str | None = None

    def feed(self, data: bytes) -> bool:
        """Take a raw chunk; False once reading should stop."""
        decoder = self.decoder
        if decoder is None:
            return self._keep(data)
        try:
            while data:
                # At most one byte past the cap: enough to know it is over.
                if not self._keep(decoder.decompress(data, self.limit - len(self.data) + 1)):
                    return False
                data = decoder.unconsumed_tail
        except zlib.error:
            if self.wbits == zlib.MAX_WBITS and not self.data:
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
        room = self.limit - len(self.data)
        if len(data) > room:
            self.data += data[:room]
            self.failed = "too large"
            return False
        self.data += data
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


# Writing ---------------------------------------------------------------------------


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
