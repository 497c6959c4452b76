"""auth: the Authorization header and the headers every request carries."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable

import anyio
import httpx

from .._exceptions import ConfigurationError
from .._pipeline import CallNext, Request

__all__ = ["TokenProvider", "TokenSource", "auth"]

TokenSource = Callable[[], "str | Awaitable[str]"]
"""A callable, sync or async, that returns the current API token."""


async def auth(request: Request, call_next: CallNext) -> httpx.Response:
    """Set `Authorization: Bearer <token>` and, with a body, `Content-Type:
    application/json`; on a caller's `http_client`, also `Accept` and `User-Agent`.

    (On the SDK's own pool those two constant headers are the httpx client's
    default headers, merged once, not set on every request.) It runs per attempt,
    as late as possible, so that per-call middleware and log records never hold
    the token; `repr(request.headers)` shows it as `[secure]`.

    With a token provider (`api_token=callable`), the token is the provider's
    current one; after a 401 the provider is asked once more and, if it gives
    another token, the request is sent again with it.
    """
    headers = request.headers
    options = request.options
    for name, value in options.static_headers:
        headers[name] = value
    if request.json is not None:
        headers["Content-Type"] = "application/json"
    provider = options.token_provider
    if provider is None:
        headers["Authorization"] = options.authorization
        return await call_next(request)
    token = await provider.token()
    headers["Authorization"] = f"Bearer {token}"
    response = await call_next(request)
    if response.status_code == 401:
        fresh = await provider.refresh(stale=token)
        if fresh != token:
            # A 401 says the server did nothing: sending again cannot act twice.
            headers["Authorization"] = f"Bearer {fresh}"
            response = await call_next(request)
    return response


class TokenProvider:
    """The current token of an `api_token=callable`, asked once and again after a 401.

    Shared by a client and its copies; concurrent refreshes ask the callable once.
    """

    __slots__ = ("_lock", "_source", "_token")

    def __init__(self, source: TokenSource) -> None:
        self._source = source
        self._token: str | None = None
        self._lock: anyio.Lock | None = None

    async def token(self) -> str:
        """The current token, asking the callable the first time."""
        token = self._token
        return token if token is not None else await self.refresh(stale=None)

    async def refresh(self, *, stale: str | None) -> str:
        """A token other than `stale`, if the callable gives one."""
        if self._lock is None:
            self._lock = anyio.Lock()
        async with self._lock:
            if self._token is not None and self._token != stale:
                return self._token  # another task refreshed it meanwhile
            value = self._source()
            if inspect.isawaitable(value):
                value = await value
            self._token = check_token(value, "the token provider returned")
            return self._token

    async def __call__(self) -> str:
        # A provider is itself a token source: a client's copy shares it as is.
        return await self.token()

    def __repr__(self) -> str:
        return "<TokenProvider>"


def check_token(value: object, what: str) -> str:
    """`value` as a token for the Authorization header; `ConfigurationError` otherwise
    (whose message never holds the value)."""
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError("api_token", f"{what} no API token (an empty value or not a str)")
    if not (value.isascii() and value.strip().isprintable()):
        # It goes into a header: anything else would fail on every request.
        raise ConfigurationError(
            "api_token", f"{what} a token that is not printable ASCII (a line break or NUL)"
        )
    return value.strip()
