"""AsyncMindhunters: the connection pool, the pipeline, the resources, and `_request`."""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeVar
from urllib.parse import quote

import attrs
import httpx

from . import _config
from ._exceptions import ClientStateError, ConfigurationError, ErrorCode, RequestValidationError
from ._governor import Governor
from ._httpx import HTTPClient, skip_empty_cookie_work
from ._pipeline import (
    CallNext,
    Endpoint,
    Middleware,
    Options,
    Request,
    Upload,
    build_pipeline,
    result_of,
)
from ._settings import (
    NOT_GIVEN,
    NotGiven,
    check_http_backend,
    check_rate_limit,
    resolve_options,
)
from ._stats import ClientStats, Observer, Stats
from ._transport import ACCEPT_ENCODING, CLOSED, Sender
from ._version import __version__
from .middleware import PER_ATTEMPT, PER_CALL, RetryPolicy
from .middleware import retry as retry_middleware
from .middleware._auth import TokenSource
from .middleware._retry import TokenBucket
from .middleware._telemetry import OpenTelemetry

if TYPE_CHECKING:
    from ._resources.agents import Agents
    from ._resources.analytics import Analytics
    from ._resources.calls import Calls
    from ._resources.campaigns import Campaigns, Rules, Tasks
    from ._resources.contacts import Contacts, Pools
    from ._resources.conversations import Conversations
    from ._resources.datasets import Datasets
    from ._resources.evaluations import Analyzers, Evaluations
    from ._resources.flows import Flows
    from ._resources.listings import Listings
    from ._resources.messaging import Sms, WhatsApp
    from ._resources.phone_numbers import PhoneNumbers
    from ._resources.scheduling import AppointmentRequests, Appointments, Schedules
    from ._resources.search import AgenticSearch
    from ._resources.telephony import SipTrunks
    from ._resources.transcriptions import Transcriptions
    from ._resources.webhooks import Webhooks

__all__ = ["AsyncMindhunters"]

T = TypeVar("T")

_STATIC_HEADERS = (
    ("Accept", "application/json"),
    ("Accept-Encoding", ACCEPT_ENCODING),
    # httpx2 aliased as httpx names itself (see "httpx2" in the README).
    ("User-Agent", f"mindhunters-async/{__version__} python-{httpx.__title__}/{httpx.__version__}"),
)


@attrs.frozen
class _Shared:
    """What a client and its `with_options` copies share."""

    http_client: httpx.AsyncClient
    owns_http_client: bool
    sender: Sender
    pipeline: CallNext
    static_headers: tuple[tuple[str, str], ...]
    buckets: dict[Any, TokenBucket]
    stats: Stats
    observers: tuple[Observer, ...]


class AsyncMindhunters:
    """The async client of the Mindhunters (Mihu AI) API.

    ::

        async with mh.AsyncMindhunters(api_token="...", tenant="acme") as client:
            call = await client.calls.create(agent_id=..., participant={"number": "+14155552671"})

    `api_token` is a str, or a callable (sync or async) returning the current token,
    asked again after a 401 (for expiring and OAuth tokens).
    `api_token`, `tenant` and `base_url` fall back to the environment variables
    `MINDHUNTERS_API_TOKEN`, `MINDHUNTERS_TENANT` and `MINDHUNTERS_BASE_URL`;
    explicit arguments win, and `base_url` wins over `tenant`.

    - `timeout`: an `httpx.Timeout` or seconds, for each attempt: httpx's per-read
      timeouts, and the whole attempt bounded by the largest of them.
    - `retry`: a `RetryPolicy`; `max_retries` is a shortcut for its field.
    - `middleware`: your middleware, run once per attempt after the built-ins;
      `per_call` / `per_attempt` replace the built-in lists (see `mh.middleware`).
    - `http_client`: your own `httpx.AsyncClient` (its pool and transport); the
      SDK does not close it. Or `transport`: an httpx transport for the SDK's own client.
    - `max_response_bytes`: the largest body the SDK reads (10 MiB by default).
    - `http_backend`: `"aiohttp"` sends through aiohttp instead of httpx's own
      transport (the `aiohttp` extra; asyncio only): about twice the requests per
      second with many in flight. See "Performance" in benchmarks/README.md.
    - `telemetry`: True (or an `mh.OpenTelemetry(...)` naming the providers) traces
      every call and attempt and records metrics with OpenTelemetry (the `otel` extra);
      `client.stats()` counts without it.
    - `rate_limit`: an `mh.RateLimit(requests=1000, per=60.0)` paces this process's
      requests to stay under the API's limit; `mh.RedisRateLimit(redis, key=...)`
      shares one limit between processes and machines. None (the default): no
      pacing, 429s are retried as the retry policy says. See "Rate limits" in the README.

    One client serves many concurrent tasks; it belongs to the event loop that
    first uses it. Close it with `async with` or `await client.aclose()`.
    """

    def __init__(
        self,
        *,
        api_token: str | TokenSource | None = None,
        tenant: str | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | NotGiven | None = NOT_GIVEN,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        middleware: Sequence[Middleware] = (),
        per_call: Sequence[Middleware] = PER_CALL,
        per_attempt: Sequence[Middleware] = PER_ATTEMPT,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        max_response_bytes: int = _config.DEFAULT_MAX_RESPONSE_BYTES,
        http_backend: Literal["httpx", "aiohttp"] = "httpx",
        telemetry: OpenTelemetry | bool = False,
        rate_limit: Governor | None = None,
        _shared: _Shared | None = None,
    ) -> None:
        otel: OpenTelemetry | None = None
        if _shared is None:
            check_http_backend(http_backend, http_client, transport)
            check_rate_limit(rate_limit)
            # On the SDK's own pool the constant headers are the httpx client's
            # defaults, merged by httpx at no cost; a caller's client gets them
            # from the auth middleware instead.
            static_headers: tuple[tuple[str, str], ...] = (
                () if http_client is None else _STATIC_HEADERS
            )
            buckets: dict[Any, TokenBucket] = {}
            stats = Stats()
            if isinstance(telemetry, OpenTelemetry):
                otel = telemetry
            elif telemetry:
                otel = OpenTelemetry()
            observers: tuple[Observer, ...] = () if otel is None else (otel,)
        else:
            static_headers, buckets = _shared.static_headers, _shared.buckets
            stats, observers = _shared.stats, _shared.observers
        # Everything that can be refused is checked before the pool exists, so a
        # ConfigurationError leaves nothing open behind it.
        self._options: Options = resolve_options(
            api_token=api_token,
            tenant=tenant,
            base_url=base_url,
            timeout=timeout,
            retry=retry,
            max_retries=max_retries,
            max_response_bytes=max_response_bytes,
            static_headers=static_headers,
            buckets=buckets,
            stats=stats,
            observers=observers,
        )
        self._closed = False
        self._is_copy = _shared is not None
        self._shared = _shared or _open(
            http_client,
            transport,
            http_backend,
            static_headers,
            buckets,
            pipeline=_with_telemetry(otel, per_call, [*per_attempt, *middleware]),
            stats=stats,
            observers=observers,
            governor=rate_limit,
        )

    # Resources: each is made on first use, so a copy makes its own.

    @functools.cached_property
    def calls(self) -> Calls:
        """Place, read and list phone calls; steer a live one."""
        from ._resources.calls import Calls

        return Calls(self)

    @functools.cached_property
    def agents(self) -> Agents:
        """Voice agents, and their webhooks (`client.agents.webhooks`)."""
        from ._resources.agents import Agents

        return Agents(self)

    @functools.cached_property
    def conversations(self) -> Conversations:
        """Conversations, their sessions and messages."""
        from ._resources.conversations import Conversations

        return Conversations(self)

    @functools.cached_property
    def contacts(self) -> Contacts:
        """Contacts: list, create, read, update, delete, tag, blacklist."""
        from ._resources.contacts import Contacts

        return Contacts(self)

    @functools.cached_property
    def pools(self) -> Pools:
        """Pools of contacts."""
        from ._resources.contacts import Pools

        return Pools(self)

    @functools.cached_property
    def campaigns(self) -> Campaigns:
        """Campaigns: update, set their rule, attach pools."""
        from ._resources.campaigns import Campaigns

        return Campaigns(self)

    @functools.cached_property
    def rules(self) -> Rules:
        """Contact rules."""
        from ._resources.campaigns import Rules

        return Rules(self)

    @functools.cached_property
    def tasks(self) -> Tasks:
        """Tasks: list, create, cancel, queue, retry."""
        from ._resources.campaigns import Tasks

        return Tasks(self)

    @functools.cached_property
    def analytics(self) -> Analytics:
        """Call analytics."""
        from ._resources.analytics import Analytics

        return Analytics(self)

    @functools.cached_property
    def phone_numbers(self) -> PhoneNumbers:
        """Owned phone numbers, buying numbers, outbound rates."""
        from ._resources.phone_numbers import PhoneNumbers

        return PhoneNumbers(self)

    @functools.cached_property
    def sms(self) -> Sms:
        """Text messages sent by an agent."""
        from ._resources.messaging import Sms

        return Sms(self)

    @functools.cached_property
    def whatsapp(self) -> WhatsApp:
        """WhatsApp templates: send one, create one."""
        from ._resources.messaging import WhatsApp

        return WhatsApp(self)

    @functools.cached_property
    def appointments(self) -> Appointments:
        """Appointments: create, list, update, delete, set their status."""
        from ._resources.scheduling import Appointments

        return Appointments(self)

    @functools.cached_property
    def appointment_requests(self) -> AppointmentRequests:
        """Appointment requests: list, create, read."""
        from ._resources.scheduling import AppointmentRequests

        return AppointmentRequests(self)

    @functools.cached_property
    def schedules(self) -> Schedules:
        """Schedules: list, update."""
        from ._resources.scheduling import Schedules

        return Schedules(self)

    @functools.cached_property
    def agentic_search(self) -> AgenticSearch:
        """Questions answered from the workspace's knowledge, with citations."""
        from ._resources.search import AgenticSearch

        return AgenticSearch(self)

    @functools.cached_property
    def transcriptions(self) -> Transcriptions:
        """Audio uploads for transcription and evaluation, and their transcripts."""
        from ._resources.transcriptions import Transcriptions

        return Transcriptions(self)

    @functools.cached_property
    def evaluations(self) -> Evaluations:
        """Session evaluations, and the workspace-default evaluation settings."""
        from ._resources.evaluations import Evaluations

        return Evaluations(self)

    @functools.cached_property
    def analyzers(self) -> Analyzers:
        """Analyzers: configure one."""
        from ._resources.evaluations import Analyzers

        return Analyzers(self)

    @functools.cached_property
    def sip_trunks(self) -> SipTrunks:
        """SIP trunk connections."""
        from ._resources.telephony import SipTrunks

        return SipTrunks(self)

    @functools.cached_property
    def flows(self) -> Flows:
        """Flows: deploy, undeploy, and their steps."""
        from ._resources.flows import Flows

        return Flows(self)

    @functools.cached_property
    def listings(self) -> Listings:
        """Listings of contacts with a rule."""
        from ._resources.listings import Listings

        return Listings(self)

    @functools.cached_property
    def datasets(self) -> Datasets:
        """Datasets and their records."""
        from ._resources.datasets import Datasets

        return Datasets(self)

    @functools.cached_property
    def webhooks(self) -> Webhooks:
        """Workspace-level webhook subscriptions."""
        from ._resources.webhooks import Webhooks

        return Webhooks(self)

    # Settings

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
        timeout: float | httpx.Timeout | NotGiven | None = NOT_GIVEN,
        retry: RetryPolicy | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        max_response_bytes: int | NotGiven = NOT_GIVEN,
    ) -> AsyncMindhunters:
        """A light copy with other settings, sharing this client's connection pool,
        middleware and retry budget (unless `retry` asks for another `RetryBudget`):
        `await client.with_options(max_retries=0).calls.get(id)`.

        Closing the copy makes only the copy unusable; the pool stays open until the
        original is closed (which also ends every copy).
        """
        options = self._options
        return type(self)(
            api_token=options.api_token,
            base_url=options.base_url,
            timeout=options.timeout if timeout is NOT_GIVEN else timeout,
            retry=options.retry if retry is NOT_GIVEN else retry,
            max_retries=None if max_retries is NOT_GIVEN else max_retries,
            max_response_bytes=(
                options.max_response_bytes
                if max_response_bytes is NOT_GIVEN
                else max_response_bytes
            ),
            _shared=self._shared,
        )

    copy = with_options

    def stats(self) -> ClientStats:
        """What this client (with its `with_options` copies) did since it was opened:
        attempts by status and by error code, retries, waits (see `mh.ClientStats`).
        Counted by the `log` middleware and the retry layer, with no dependency."""
        return self._shared.stats.snapshot()

    # Requests

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Send an operation the SDK does not wrap, through the whole pipeline (auth,
        the retry rules, error decoding, logging), and return the reply's JSON.

        `path` is relative to the base URL, such as "/schedules"; a full URL, a
        scheme, a host, `//`, `.` or `..` segments (also percent-encoded), a query
        or a fragment in it are refused before sending (`RequestValidationError`),
        so the token cannot be sent elsewhere. Query parameters go in `params`.
        """
        endpoint = Endpoint(f"request {method.upper()} {path}", method.upper(), check_path(path))
        request, response = await self._exchange(
            endpoint,
            None,
            params=dict(params) if params else None,
            json=json,
            headers=headers,
        )
        return result_of(request, response)

    async def _exchange(
        self,
        endpoint: Endpoint,
        decode: Callable[[Any], Any] | None,
        *,
        path_params: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        upload: Upload | None = None,
    ) -> tuple[Request, httpx.Response]:
        """Send one call through the pipeline: its request and its final response.

        `upload` is a streamed body instead of `json`; one that cannot be read twice
        gets a single attempt (see `Upload.replayable`)."""
        if self._closed:
            raise ClientStateError(CLOSED)
        self._shared.sender.check()
        path = endpoint.path
        if path_params:
            path = path.format_map({k: _segment(v) for k, v in path_params.items()})
        try:
            http_headers = httpx.Headers(headers) if headers else httpx.Headers()
        except (ValueError, TypeError):
            raise RequestValidationError(
                "headers",
                ErrorCode.VALIDATION_ERROR,
                "header names and values must be printable ASCII text",
            ) from None
        options = self._options
        if upload is not None and not upload.replayable:
            options = attrs.evolve(options, retry=attrs.evolve(options.retry, max_retries=0))
        request = Request(
            endpoint,
            options,
            path,
            path_params or {},
            dict(params) if params else None,
            json,
            http_headers,
            decode=decode,
            upload=upload,
        )
        return request, await self._shared.pipeline(request)

    # Lifecycle

    async def aclose(self, *, grace: float = _config.DEFAULT_CLOSE_GRACE) -> None:
        """Close the client: at once, new calls and calls waiting for a connection raise
        `ClientStateError`; calls in flight get `grace` seconds to finish, then are cut
        short (`APIConnectionError`, with `outcome_unknown` for a POST); then the
        connection pool closes (unless it is the caller's `http_client`).

        Closing a `with_options` copy ends only the copy. Safe to call twice, and
        from another event loop (the pool's sockets are then closed without it).
        """
        self._closed = True
        if not self._is_copy:
            await self._shared.sender.aclose(grace)

    async def __aenter__(self) -> AsyncMindhunters:
        if self._closed:
            raise ClientStateError(CLOSED)
        self._shared.sender.check()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"<AsyncMindhunters base_url={self._options.base_url!r}>"

    def __del__(self) -> None:
        # Nothing async may run here: only warn, as an unclosed file does.
        shared = getattr(self, "_shared", None)
        if (
            shared is not None
            and not getattr(self, "_is_copy", True)
            and shared.owns_http_client
            and shared.sender.loop is not None
            and not shared.sender.closed
        ):
            warnings.warn(
                f"{self!r} was never closed: use 'async with' or 'await client.aclose()'",
                ResourceWarning,
                stacklevel=2,
                source=self,
            )


def _open(
    http_client: httpx.AsyncClient | None,
    transport: httpx.AsyncBaseTransport | None,
    http_backend: str,
    static_headers: tuple[tuple[str, str], ...],
    buckets: dict[Any, TokenBucket],
    pipeline: tuple[Sequence[Middleware], Sequence[Middleware]],
    stats: Stats,
    observers: tuple[Observer, ...],
    governor: Governor | None,
) -> _Shared:
    """The pool, the sender and the pipeline of a new client."""
    owns_http_client = http_client is None
    if http_backend == "aiohttp":
        transport = _aiohttp_transport()
    if http_client is not None:
        skip_empty_cookie_work(http_client)
    else:
        http_client = HTTPClient(
            transport=transport,
            timeout=_config.DEFAULT_TIMEOUT,
            limits=_config.DEFAULT_LIMITS,
            follow_redirects=False,
            trust_env=True,
            headers=_STATIC_HEADERS,
        )
    # When the pool is the SDK's own (DEFAULT_LIMITS), requests beyond its size
    # queue in the Sender, where waiting is cheap.
    owns_pool = owns_http_client and (transport is None or http_backend == "aiohttp")
    sender = Sender(
        http_client,
        owns_client=owns_http_client,
        max_in_flight=_config.DEFAULT_LIMITS.max_connections if owns_pool else None,
    )
    per_call, per_attempt = pipeline
    return _Shared(
        http_client=http_client,
        owns_http_client=owns_http_client,
        sender=sender,
        pipeline=build_pipeline(
            per_call,
            retry_middleware,
            per_attempt,
            sender,
            governor=None if governor is None else governor.govern,
        ),
        static_headers=static_headers,
        buckets=buckets,
        stats=stats,
        observers=observers,
    )


def _with_telemetry(
    otel: OpenTelemetry | None, per_call: Sequence[Middleware], per_attempt: Sequence[Middleware]
) -> tuple[Sequence[Middleware], Sequence[Middleware]]:
    # Added only when asked for, so a client without telemetry runs not one more layer.
    # The call's span starts after idempotency_key (it records the key); each attempt's
    # span is outermost of the attempt, so it times and sees everything below it.
    if otel is None:
        return per_call, per_attempt
    return [*per_call, otel.trace_call], [otel.trace_attempt, *per_attempt]


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


_ENCODED = re.compile(r"%(2e|2f|5c|25)", re.IGNORECASE)
_BAD_PATH = re.compile(r"(^|/)(\.|%2e){1,2}(/|$)", re.IGNORECASE)


def check_path(path: str) -> str:
    """`path` if it is a path below the base URL; `RequestValidationError` otherwise."""
    problem = None
    if not isinstance(path, str) or not path.startswith("/"):
        problem = "must start with '/', relative to the base URL, such as '/schedules'"
    elif path.startswith("//") or "://" in path or "\\" in path:
        problem = "must not name a scheme or a host: it is relative to the base URL"
    elif "?" in path or "#" in path:
        problem = "must not carry a query or a fragment: pass params=... instead"
    elif _BAD_PATH.search(path) or "//" in path:
        problem = "must not hold '.', '..' or empty segments"
    elif _ENCODED.search(path) or ";" in path:
        # An encoded dot, slash, backslash or percent sign, or a `;` path parameter,
        # is how a path escapes its base on servers that decode it again.
        problem = "must not hold encoded dots, slashes or percent signs, or ';'"
    elif not path.isascii() or not path.isprintable() or " " in path:
        problem = "must be printable ASCII without spaces (percent-encode the rest)"
    if problem is not None:
        raise RequestValidationError("path", ErrorCode.VALIDATION_ERROR, f"the path {problem}")
    return path


def _segment(value: Any) -> str:
    # One path segment whatever the value holds: "/", "?", "#" and "%" are
    # percent-encoded by quote, and dots too so that "." and ".." cannot be
    # read as dot-segments.
    return quote(str(value), safe="").replace(".", "%2E")
