"""The aiohttp transport under the SDK's httpx client: `AsyncMindhunters(http_backend="aiohttp")`.

httpx's own connection pool is slow under concurrency (encode/httpx#3215):
`httpx-aiohttp` keeps httpx's client (requests, responses, the SDK's whole
pipeline) and hands the I/O to an `aiohttp.ClientSession`. It needs the
`aiohttp` extra and runs on asyncio only; this module is imported only when
`http_backend="aiohttp"` is asked for.

On top of `httpx_aiohttp.AiohttpTransport`, this subclass corrects one thing:
its exception mapping. httpx-aiohttp 0.2 turns a connection dropped after the
request was sent (`ServerDisconnectedError`, `ClientOSError`) and a refused
connection into `httpx.ConnectTimeout`, which says "the server never saw it"
and so would let the retry layer send a POST again (a second phone call), and
lets a malformed reply escape as a bare aiohttp exception. Here every aiohttp
failure becomes the httpx exception that httpx's own transport raises in the
same situation (the aiohttp one as its `__cause__`), read from the SDK's one
table of transport failures (`_transport.TRANSPORT_ERRORS`, which this module
extends with aiohttp's rows), so the retry layer decides alike on both
transports. A thin transport of our own measured no faster
(benchmarks/README.md), so there is none.

Differences that remain: aiohttp has no write timeout (httpx's `write` is not
applied) and rounds timeouts of 5 s and more up to a whole second; HTTP/1.1 only;
proxies from the environment go through httpx's own transport, as httpx mounts it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport as _AiohttpTransport

from ._exceptions import ConfigurationError
from ._httpx import close_asyncio_transport
from ._transport import TRANSPORT_ERRORS, failure_of

__all__ = ["AiohttpTransport"]

# aiohttp's failures, each as the httpx failure of the same situation. Most
# specific first does not matter: the lookup walks each exception's MRO.
_LIKE: dict[type[BaseException], type[httpx.HTTPError]] = {
    aiohttp.ConnectionTimeoutError: httpx.ConnectTimeout,  # connecting, or a pooled connection
    aiohttp.ServerTimeoutError: httpx.ReadTimeout,
    asyncio.TimeoutError: httpx.ReadTimeout,
    aiohttp.ClientProxyConnectionError: httpx.ProxyError,
    aiohttp.ClientConnectorError: httpx.ConnectError,  # refused, DNS, TLS (the cause keeps it)
    aiohttp.ServerDisconnectedError: httpx.RemoteProtocolError,  # dropped after sending
    aiohttp.ClientPayloadError: httpx.RemoteProtocolError,  # a truncated body
    aiohttp.ClientResponseError: httpx.RemoteProtocolError,  # a reply that is not valid HTTP
    aiohttp.ClientOSError: httpx.ReadError,  # reset mid-exchange
    aiohttp.ClientConnectionError: httpx.ReadError,
    aiohttp.InvalidURL: httpx.UnsupportedProtocol,
    aiohttp.ClientError: httpx.TransportError,
}
TRANSPORT_ERRORS.update({kind: TRANSPORT_ERRORS[like] for kind, like in _LIKE.items()})

_AIOHTTP_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError)


def _as_httpx(exc: BaseException) -> httpx.HTTPError:
    """The httpx exception that httpx's own transport raises where aiohttp raised `exc`."""
    failure = failure_of(exc)
    kind = failure.like if failure is not None else httpx.TransportError
    return kind(str(exc) or type(exc).__name__)


def _corrected(exc: httpx.HTTPError) -> httpx.HTTPError:
    """`exc` as httpx-aiohttp mapped it, mapped again from its aiohttp cause."""
    cause = exc.__cause__
    if isinstance(cause, _AIOHTTP_ERRORS):
        return _as_httpx(cause)
    return exc


class _ResponseStream(httpx.AsyncByteStream):
    __slots__ = ("_stream",)

    def __init__(self, stream: httpx.AsyncByteStream) -> None:
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._stream:
                yield chunk
        except httpx.TransportError as exc:
            raise _corrected(exc) from exc.__cause__
        except _AIOHTTP_ERRORS as exc:
            raise _as_httpx(exc) from exc

    async def aclose(self) -> None:
        await self._stream.aclose()


class AiohttpTransport(_AiohttpTransport):
    """`httpx_aiohttp.AiohttpTransport` with httpx's exceptions (see the module doc),
    and a clear error when used outside asyncio.

    `limits.max_connections` bounds aiohttp's pool; requests beyond it wait for a
    connection for as long as httpx's `pool` timeout allows (no limit by default).
    """

    _on_asyncio = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not self._on_asyncio:
            _check_asyncio()
            self._on_asyncio = True
        try:
            response = await super().handle_async_request(request)
        except httpx.TransportError as exc:
            corrected = _corrected(exc)
            if corrected is exc:
                raise
            raise corrected from exc.__cause__
        except _AIOHTTP_ERRORS as exc:
            raise _as_httpx(exc) from exc
        if isinstance(response.stream, httpx.AsyncByteStream):
            response.stream = _ResponseStream(response.stream)
        return response

    def abandon(self) -> None:
        """Close the pool's sockets without awaiting: its event loop is gone.

        aiohttp's own `close()` needs the loop; its `_close()` skips the sockets
        when the loop is closed, and would otherwise leave them to the collector
        (which warns about the connector, the session and each transport).
        """
        session = self.client
        connector = getattr(session, "connector", None)
        if connector is None:
            return
        for conns in list(getattr(connector, "_conns", {}).values()):
            for proto, _ in conns:
                close_asyncio_transport(getattr(proto, "transport", None))
        for proto in list(getattr(connector, "_acquired", ())):
            close_asyncio_transport(getattr(proto, "transport", None))
        connector._close()


def _check_asyncio() -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        raise ConfigurationError(
            "http_backend",
            "http_backend='aiohttp' runs on asyncio only: under trio, use the default"
            " http_backend='httpx'",
        ) from None
