"""AsyncMindhunters: settings, the connection pool, and the `_request` every resource uses."""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, TypeVar
from urllib.parse import quote

import anyio.lowlevel
import attrs
import httpx

from . import _config
from ._exceptions import ClientStateError, ConfigurationError, ResponseDecodeError
from ._pipeline import CallNext, Endpoint, Middleware, Options, Request, build_pipeline
from ._resources import Calls
from ._transport import ACCEPT_ENCODING
from ._version import __version__
from .middleware import PER_ATTEMPT, PER_CALL, RetryPolicy
from .middleware import retry as retry_middleware
from .middleware._errors import JSON_BODY, read_body
from .middleware._idempotency import HEADER as IDEMPOTENCY_HEADER
from .middleware._retry import IDEMPOTENT_METHODS, TokenBucket

__all__ = ["AsyncMindhunters"]

_TENANT = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?", re.ASCII)
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
_UNSET: Any = object()
T = TypeVar("T")


def _resolve_base_url(tenant: str | None, base_url: str | None) -> str:
    # Explicit arguments first, then the environment; base_url before tenant
    # at each level, so an explicit tenant beats MINDHUNTERS_BASE_URL.
    if base_url is None and tenant is None:
        base_url = os.environ.get(_config.ENV_BASE_URL) or None
        tenant = os.environ.get(_config.ENV_TENANT) or None
    if base_url is not None:
        return _check_base_url(base_url)
    if tenant is None:
        raise ConfigurationError(
            "tenant",
            "no tenant: pass tenant='your-tenant' (or base_url=...), or set"
            f" {_config.ENV_TENANT} (or {_config.ENV_BASE_URL})",
        )
    if not isinstance(tenant, str) or _TENANT.fullmatch(tenant) is None:
        raise ConfigurationError(
            "tenant",
            f"tenant {tenant!r} is not a single DNS label: use lowercase ASCII letters,"
            " digits and inner hyphens only, as in 'acme' of acme.mindhunters.ai",
        )
    url = _config.BASE_URL_TEMPLATE.format(tenant=tenant)
    # The template is trusted, the tenant is not: check what they built.
    parsed = httpx.URL(url)
    if parsed.host != f"{tenant}.mindhunters.ai" or parsed.path != "/api/v1":
        raise ConfigurationError("tenant", f"tenant {tenant!r} does not give a valid base URL")
    return url


def _check_base_url(base_url: str) -> str:
    try:
        url = httpx.URL(base_url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise ConfigurationError("base_url", f"base_url is not a valid URL: {exc}") from None
    if url.scheme not in ("https", "http") or not url.host:
        raise ConfigurationError(
            "base_url", "base_url must be an absolute https URL such as https://acme.mihu.ai/api/v1"
        )
    if url.scheme == "http" and url.host not in _LOCAL_HOSTS:
        raise ConfigurationError(
            "base_url",
            "base_url must use https (http is allowed only for localhost and 127.0.0.1),"
            " so that the API token is never sent in the clear",
        )
    if url.userinfo or url.query or url.fragment or "#" in base_url or "?" in base_url:
        raise ConfigurationError(
            "base_url", "base_url must not carry credentials, a query or a fragment"
        )
    return str(url).rstrip("/")


def _segment(value: Any) -> str:
    # One path segment whatever the value holds: "/", "?", "#" and "%" are
    # percent-encoded by quote, and dots too so that "." and ".." cannot be
    # read as dot-segments.
    return quote(str(value), safe="").replace(".", "%2E")


class AsyncMindhunters:
    """The async client of the Mindhunters (Mihu AI) API.

    ::

        async with mh.AsyncMindhunters(api_token="...", tenant="acme") as client:
            call = await client.calls.create(agent_id=..., participant={"number": "+14155552671"})

    `api_token`, `tenant` and `base_url` fall back to the environment variables
    `MINDHUNTERS_API_TOKEN`, `MINDHUNTERS_TENANT` and `MINDHUNTERS_BASE_URL`;
    explicit arguments win, and `base_url` wins over `tenant`.

    - `timeout`: an `httpx.Timeout` or seconds, for each attempt.
    - `retry`: a `RetryPolicy`; `max_retries` is a shortcut for its field.
    - `middleware`: your middleware, run once per attempt after the built-ins;
      `per_call` / `per_attempt` replace the built-in lists (see `mh.middleware`).
    - `http_client`: your own `httpx.AsyncClient` (its pool and transport); the
      SDK does not close it. Or `transport`: an httpx transport for the SDK's own client.
    - `max_response_bytes`: the largest body the SDK reads (10 MiB by default).
    - `http_backend`: `"aiohttp"` sends through aiohttp instead of httpx's own
      transport (the `aiohttp` extra; asyncio only): about twice the requests per
      second with many in flight. See "Performance" in benchmarks/README.md.

    One client serves many concurrent tasks; it belongs to the event loop that
    first uses it. Close it with `async with` or `await client.aclose()`.
    """

    calls: Calls
    """Place, read and list phone calls."""

    def __init__(
        self,
        *,
        api_token: str | None = None,
        tenant: str | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = _UNSET,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        middleware: Sequence[Middleware] = (),
        per_call: Sequence[Middleware] = PER_CALL,
        per_attempt: Sequence[Middleware] = PER_ATTEMPT,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        max_response_bytes: int = _config.DEFAULT_MAX_RESPONSE_BYTES,
        http_backend: Literal["httpx", "aiohttp"] = "httpx",
    ) -> None:
        token = api_token if api_token is not None else os.environ.get(_config.ENV_API_TOKEN)
        if not token or not isinstance(token, str) or not token.strip():
            raise ConfigurationError(
                "api_token",
                f"no API token: pass api_token=... or set {_config.ENV_API_TOKEN}",
            )
        if not (token.isascii() and token.strip().isprintable()):
            # It goes into a header: anything else would fail on every request.
            raise ConfigurationError(
                "api_token", "the API token must be printable ASCII (no line breaks or NUL)"
            )
        if http_client is not None and transport is not None:
            raise ConfigurationError("transport", "pass either http_client or transport, not both")
        if http_backend == "aiohttp":
            if http_client is not None or transport is not None:
                raise ConfigurationError(
                    "http_backend",
                    "http_backend='aiohttp' chooses the SDK's transport: pass it without"
                    " http_client or transport",
                )
        elif http_backend != "httpx":
            raise ConfigurationError(
                "http_backend", f"http_backend must be 'httpx' or 'aiohttp', not {http_backend!r}"
            )
        _check_max_response_bytes(max_response_bytes)

        policy = retry if retry is not None else RetryPolicy()
        if max_retries is not None:
            policy = attrs.evolve(policy, max_retries=max_retries)

        # Everything that can be refused is checked before the pool exists, so a
        # ConfigurationError leaves nothing open behind it.
        resolved_url = _resolve_base_url(tenant, base_url)
        resolved_timeout = _timeout(timeout)
        self._owns_http_client = http_client is None
        self._closed = False
        user_agent = f"mindhunters-async/{__version__} python-httpx/{httpx.__version__}"
        static_headers = (
            ("Accept", "application/json"),
            ("Accept-Encoding", ACCEPT_ENCODING),
            ("User-Agent", user_agent),
        )
        if http_backend == "aiohttp":
            transport = _aiohttp_transport()
        self._http_client = http_client or _HTTPClient(
            transport=transport,
            timeout=_config.DEFAULT_TIMEOUT,
            limits=_config.DEFAULT_LIMITS,
            follow_redirects=False,
            trust_env=True,
            # Merged into every request by httpx at no extra cost; a caller's
            # http_client gets them from the auth middleware instead.
            headers=static_headers,
        )
        self._options = Options(
            base_url=resolved_url,
            authorization=f"Bearer {token.strip()}",
            timeout=resolved_timeout,
            retry=policy,
            budget=TokenBucket(policy.budget) if policy.budget is not None else None,
            max_response_bytes=max_response_bytes,
            static_headers=() if self._owns_http_client else static_headers,
        )
        # When the pool is the SDK's own (DEFAULT_LIMITS), requests beyond its size
        # queue in the pipeline, where waiting is cheap (see make_send).
        owns_pool = http_client is None and (transport is None or http_backend == "aiohttp")
        self._pipeline: CallNext = build_pipeline(
            per_call,
            retry_middleware,
            [*per_attempt, *middleware],
            self._http_client,
            max_in_flight=_config.DEFAULT_LIMITS.max_connections if owns_pool else None,
        )
        self._state = _State()
        self.calls = Calls(self)

    @property
    def base_url(self) -> str:
        """The API's base URL, such as https://acme.mindhunters.ai/api/v1."""
        return self._options.base_url

    @property
    def retry_policy(self) -> RetryPolicy:
        """The retry policy of this client."""
        return self._options.retry

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | None = _UNSET,
        retry: RetryPolicy | None = None,
        max_retries: int | None = None,
        max_response_bytes: int | None = None,
    ) -> AsyncMindhunters:
        """A light copy with other settings, sharing this client's connection pool,
        middleware and retry budget (unless `retry` asks for another `RetryBudget`):
        `await client.with_options(max_retries=0).calls.get(id)`.

        Closing the copy makes only the copy unusable; the pool stays open until the
        original is closed (which also ends every copy).
        """
        policy = retry if retry is not None else self._options.retry
        if max_retries is not None:
            policy = attrs.evolve(policy, max_retries=max_retries)
        if max_response_bytes is not None:
            _check_max_response_bytes(max_response_bytes)
        copy = object.__new__(AsyncMindhunters)
        copy._owns_http_client = False
        copy._closed = False
        copy._http_client = self._http_client
        copy._options = attrs.evolve(
            self._options,
            timeout=self._options.timeout if timeout is _UNSET else _timeout(timeout),
            retry=policy,
            budget=(
                # One bucket per client while the budget is the same; a copy asking
                # for another budget gets a bucket of its own.
                self._options.budget
                if policy.budget == self._options.retry.budget
                else None
                if policy.budget is None
                else TokenBucket(policy.budget)
            ),
            max_response_bytes=(
                self._options.max_response_bytes
                if max_response_bytes is None
                else max_response_bytes
            ),
        )
        copy._pipeline = self._pipeline
        copy._state = self._state
        copy.calls = Calls(copy)
        return copy

    async def _request(
        self,
        endpoint: Endpoint,
        decode: Callable[[Any], T],
        *,
        path_params: Mapping[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> T:
        """Send one call through the pipeline and return `decode(body)`, `body` being the
        decoded JSON of the reply (see `_converter.decoder`)."""
        if self._closed:
            raise ClientStateError(_CLOSED)
        self._state.check()
        path = endpoint.path
        if path_params:
            path = path.format_map({k: _segment(v) for k, v in path_params.items()})
        request = Request(
            endpoint,
            self._options,
            path,
            path_params or {},
            params,
            json,
            httpx.Headers(headers) if headers else httpx.Headers(),
        )
        response = await self._pipeline(request)
        extensions = response.extensions
        # decode_errors has parsed the body already, unless a caller removed it.
        body = extensions[JSON_BODY] if JSON_BODY in extensions else read_body(response)
        try:
            return decode(body)
        except ResponseDecodeError as err:
            err.request = response.request
            err.status_code = response.status_code
            if endpoint.method not in IDEMPOTENT_METHODS:
                # The server said it succeeded: it acted (placed the call), and a
                # caller who retried on this error would act twice.
                err.outcome_unknown = True
                err.idempotency_key = request.headers.get(IDEMPOTENCY_HEADER)
                err.retry_note = (
                    f"the server answered {response.status_code}, but its reply is unreadable"
                )
            raise

    async def aclose(self) -> None:
        """Close the connection pool (unless it is the caller's `http_client`)."""
        self._closed = True
        if self._owns_http_client:
            self._state.closed = True
            await self._http_client.aclose()

    async def __aenter__(self) -> AsyncMindhunters:
        if self._closed:
            raise ClientStateError(_CLOSED)
        self._state.check()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"<AsyncMindhunters base_url={self._options.base_url!r}>"

    def __del__(self) -> None:
        # Nothing async may run here: only warn, as an unclosed file does.
        state = getattr(self, "_state", None)
        if (
            getattr(self, "_owns_http_client", False)
            and state is not None
            and state.loop is not None
            and not state.closed
        ):
            warnings.warn(
                f"{self!r} was never closed: use 'async with' or 'await client.aclose()'",
                ResourceWarning,
                stacklevel=2,
                source=self,
            )


_CLOSED = (
    "this AsyncMindhunters client is closed: create a new one (or keep one open for the"
    " life of your application and close it on shutdown)"
)


def _aiohttp_transport() -> httpx.AsyncBaseTransport:
    try:
        from ._aiohttp import AiohttpTransport
    except ImportError as exc:
        raise ConfigurationError(
            "http_backend",
            f"http_backend='aiohttp' needs aiohttp ({exc}):"
            " pip install 'mindhunters-async[aiohttp]'",
        ) from None
    return AiohttpTransport(limits=_config.DEFAULT_LIMITS, trust_env=True)


class _Cookies(httpx.Cookies):
    """A cookie jar that skips the work for responses that set no cookie.

    httpx wraps every response and its request in `urllib` compatibility objects
    before asking the `CookieJar` for cookies: about 28 us a request, a third of
    raw httpx's own time, for a jar that finds nothing without a `Set-Cookie`
    header (the only kind the default cookie policy reads; RFC 2965's
    `Set-Cookie2` is off in it).
    """

    def extract_cookies(self, response: httpx.Response) -> None:
        if "set-cookie" in response.headers:
            super().extract_cookies(response)


class _HTTPClient(httpx.AsyncClient):
    """The SDK's own `httpx.AsyncClient`: the same, with a `_Cookies` jar."""

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


class _State:
    """What a client and its `with_options` copies share: the pool closed or not, and
    the event loop."""

    __slots__ = ("closed", "loop")

    def __init__(self) -> None:
        self.closed = False
        self.loop: object | None = None

    def check(self) -> None:
        if self.closed:
            raise ClientStateError(_CLOSED)
        loop = anyio.lowlevel.current_token().native_token
        if self.loop is None:
            self.loop = loop
        elif self.loop is not loop:
            raise ClientStateError(
                "this AsyncMindhunters client belongs to another event loop: its connections"
                " cannot be used from this one. Create one client per event loop (for example"
                " in your app's startup hook), not at import time shared across loops"
            )


def _check_max_response_bytes(value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigurationError(
            "max_response_bytes", f"max_response_bytes must be a positive int, got {value!r}"
        )


def _timeout(value: float | httpx.Timeout | None) -> httpx.Timeout:
    if value is _UNSET:
        return _config.DEFAULT_TIMEOUT
    if isinstance(value, httpx.Timeout):
        return value
    return httpx.Timeout(value, pool=None)
