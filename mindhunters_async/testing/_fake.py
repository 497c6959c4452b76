"""FakeMindhunters: the whole fake API behind one synchronous `handle(request)`."""

from __future__ import annotations

import math
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Final

import httpx

from ._api import Body, Incoming, Route, parse_body
from ._asgi import AsgiApp
from ._envelopes import (
    ENDPOINT_NOT_FOUND,
    FORBIDDEN,
    INVALID_AUTH_TOKEN,
    MISSING_AUTH_TOKEN,
    rate_limit_exceeded,
)
from ._faults import Fault, FaultQueue, PendingFault
from ._recording import RecordedRequest
from ._state import CallScript, FakeAgent, FakeCall, FakeState
from ._table import PERMISSIONS, ROUTES, match_route
from ._webhooks import WebhookDelivery, WebhookTarget, send

if TYPE_CHECKING:
    import respx

    from .._client import AsyncMindhunters

__all__ = ["FakeMindhunters"]

API_PREFIX: Final = "/api/v1"
_RATE_WINDOW_SECONDS: Final = 60.0
_ROUTE_NAMES: Final = frozenset(route.name for route in ROUTES)
_DEFAULT_SCRIPT: Final = CallScript()


class _RateLimiter:
    """Laravel's throttle: a fixed window (60 s) per token, opened by its first hit."""

    __slots__ = ("_clock", "_window", "_windows")

    def __init__(self, clock: Callable[[], float], window: float = _RATE_WINDOW_SECONDS) -> None:
        self._clock = clock
        self._window = window
        self._windows: dict[str, tuple[float, int]] = {}

    def hit(self, key: str, limit: int) -> tuple[int, int | None]:
        """Count one request: (requests left in the window, seconds to wait or None)."""
        now = self._clock()
        opened, hits = self._windows.get(key, (-math.inf, 0))
        if now >= opened + self._window:
            opened, hits = now, 0
            self._windows[key] = (opened, hits)
        if hits >= limit:
            # Refused requests do not count, as with Laravel's ThrottleRequests.
            return 0, max(1, math.ceil(opened + self._window - now))
        self._windows[key] = (opened, hits + 1)
        return limit - hits - 1, None


def _bearer_token(authorization: str | None) -> str | None:
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


class FakeMindhunters:
    """An in-memory Mindhunters API for tests, with state, auth, rate limits and faults.

    Connect a client through `transport()` (an `httpx.MockTransport`), `mock()`
    (respx), `asgi_app` (any ASGI server, or `httpx.ASGITransport`) or `serve()`
    (a real socket on 127.0.0.1). It serves, below `/api/v1` of any host, every
    operation of the README's API coverage table: calls and live-call actions,
    agents and their webhooks, conversations, contacts, pools, campaigns, rules,
    tasks, call analytics and phone numbers (see `testing/_routes/`). Records that
    the API cannot create (conversations, campaigns) are put in with `add_record`.

    A request goes through, in order: an injected fault (see `fail`); routing
    (unknown path or method: 404 ENDPOINT_NOT_FOUND, before auth, as Laravel routes
    first); the bearer token (401 MISSING_AUTH_TOKEN / INVALID_AUTH_TOKEN); the rate
    limit, per token (429 RATE_LIMIT_EXCEEDED); the token's permission for the route
    (403 FORBIDDEN); then the endpoint: 400 INVALID_JSON for a body that is not a JSON
    object, 422 as the errors page for a bad field, 404 RESOURCE_NOT_FOUND for an
    unknown call or agent (also for a `POST /call` through an unknown agent).

    `tokens` maps each accepted token to its permissions, from `ALL_PERMISSIONS`
    (default: `DEFAULT_TOKEN` with all of them). `rate_limit` is requests per
    minute per token (per `rate_window` seconds, when given: the benchmarks shrink the
    window to pace a run in seconds, not minutes). `clock` (seconds since the epoch)
    drives the rate-limit window and the timestamps; inject one to move time without
    sleeping.
    `replay_idempotency_keys` makes a `POST /call` that repeats an Idempotency-Key
    answer with the call that key created; it is off by default because the real
    API documents no idempotency support. The agent `DEFAULT_AGENT_ID` exists from
    the start.

    `GET /calls` shows each call's participant number in its `communication`
    field (`{"channel": "call", "number": ...}`: an assumed shape, see
    `FakeCall.to_list_item`); `show_call_numbers=False` leaves it out, as an API
    that does not show it would. `call_list_lag` (seconds on `clock`) keeps a new
    call out of the list that long, as a lagging replica would: what
    `calls.reconcile` must wait out.

    A call placed through `POST /call` lives on the clock: initiated, ringing,
    in-progress, completed (or the outcome of `script_call`), per `call_script`
    (None: calls stay "initiated" until a test moves them). Each change queues the
    webhooks registered for the call's agent (`client.agents.webhooks.create`);
    `await fake.advance(seconds)` moves a `ManualClock` and sends them, to each
    webhook's URL or wherever `send_webhooks_to` says (a base URL, an ASGI app).

    `handle` takes a lock, so a served fake may be inspected from the test's thread.
    """

    DEFAULT_TOKEN: ClassVar[str] = "test-token"
    DEFAULT_AGENT_ID: ClassVar[str] = "00000000-0000-4000-8000-000000000001"
    DEFAULT_BASE_URL: ClassVar[str] = "https://fake.mindhunters.ai" + API_PREFIX
    DEFAULT_RATE_LIMIT: ClassVar[int] = 1000
    ALL_PERMISSIONS: ClassVar[frozenset[str]] = PERMISSIONS

    tokens: dict[str, frozenset[str]]
    """Accepted tokens and their permissions; tests may add or revoke tokens."""
    rate_limit: int
    """Requests per minute per token."""
    asgi_app: AsgiApp
    """This fake as an ASGI 3 application (for uvicorn or `httpx.ASGITransport`)."""

    def __init__(
        self,
        *,
        tokens: Mapping[str, Iterable[str]] | None = None,
        rate_limit: int = DEFAULT_RATE_LIMIT,
        rate_window: float = _RATE_WINDOW_SECONDS,
        clock: Callable[[], float] = time.time,
        replay_idempotency_keys: bool = False,
        call_script: CallScript | None = _DEFAULT_SCRIPT,
        call_list_lag: float = 0.0,
        show_call_numbers: bool = True,
    ) -> None:
        if tokens is None:
            tokens = {self.DEFAULT_TOKEN: self.ALL_PERMISSIONS}
        self.tokens = {token: frozenset(granted) for token, granted in tokens.items()}
        for granted in self.tokens.values():
            if unknown := granted - self.ALL_PERMISSIONS:
                raise ValueError(f"unknown permissions {sorted(unknown)}: use ALL_PERMISSIONS")
        self.rate_limit = rate_limit
        self.asgi_app = AsgiApp(self.handle)
        # Reentrant, so that a user's `clock` may look at the fake while a request is handled.
        self._lock = threading.RLock()
        self._clock = clock
        self._state = FakeState(
            clock,
            replay_idempotency_keys=replay_idempotency_keys,
            default_script=call_script,
            call_list_lag=call_list_lag,
            show_call_numbers=show_call_numbers,
        )
        self._webhook_target: WebhookTarget = None
        self._deliveries: list[WebhookDelivery] = []
        self._limiter = _RateLimiter(clock, rate_window)
        self._faults = FaultQueue()
        self._requests: list[RecordedRequest] = []
        self.add_agent("Test Agent", agent_id=self.DEFAULT_AGENT_ID)

    def __repr__(self) -> str:
        with self._lock:
            counts = (len(self._state.agents), len(self._state.calls), len(self._requests))
        return "<FakeMindhunters agents={} calls={} requests={}>".format(*counts)

    # State

    @property
    def agents(self) -> dict[str, FakeAgent]:
        """A snapshot of the agents by uuid."""
        with self._lock:
            return dict(self._state.agents)

    @property
    def calls(self) -> dict[str, FakeCall]:
        """A snapshot of the calls by id, oldest first; the `FakeCall`s themselves are live."""
        with self._lock:
            return dict(self._state.calls)

    def add_agent(
        self,
        name: str = "Agent",
        *,
        agent_id: str | None = None,
        description: str = "",
        status: str = "active",
        language: str = "en",
    ) -> str:
        """Create an agent (a new uuid unless `agent_id` is given) and return its uuid."""
        agent = FakeAgent(
            uuid=str(uuid.uuid4()) if agent_id is None else agent_id,
            name=name,
            description=description,
            status=status,
            language=language,
        )
        with self._lock:
            return self._state.add_agent(agent)

    def add_call(
        self,
        number: str = "+15550100000",
        *,
        agent_id: str | None = None,
        direction: str = "inbound",
        status: str = "completed",
        duration: int = 0,
        created_at: datetime | None = None,
    ) -> str:
        """Put a call in the state as if it had happened (default: a completed inbound call).

        `agent_id` defaults to `DEFAULT_AGENT_ID` and must be a known agent;
        `created_at` defaults to the clock's now. Returns the call's id.
        """
        with self._lock:
            call = self._state.add_call(
                agent_id=self.DEFAULT_AGENT_ID if agent_id is None else agent_id,
                number=number,
                direction=direction,
                status=status,
                duration=duration,
                created_at=created_at,
            )
        return call.id

    def add_record(self, collection: str, /, **fields: Any) -> str:
        """Put a record in one of the fake's collections ("contacts", "pools", ...) as if
        it had been created through the API; returns its uuid (given as `uuid=` or new).

        The record is stored as given (JSON values), with `created_at`/`updated_at`
        from the clock unless given.
        """
        now = self._state.now().strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        record = {"created_at": now, "updated_at": now, **fields}
        record.setdefault("uuid", str(uuid.uuid4()))
        with self._lock:
            self._state.records.setdefault(collection, {})[record["uuid"]] = record
        return str(record["uuid"])

    def records(self, collection: str) -> dict[str, dict[str, Any]]:
        """A snapshot of one collection ("contacts", "pools", ...): records by uuid, oldest
        first (the records themselves are live)."""
        with self._lock:
            return dict(self._state.records.get(collection, {}))

    # The call lifecycle and webhooks

    def script_call(
        self,
        outcome: str = "completed",
        *,
        number: str | None = None,
        ring_after: float = 2.0,
        answer_after: float = 6.0,
        talk: float = 45.0,
    ) -> None:
        """Make the next call placed (to `number`, if given) unfold so: `outcome` is
        "completed", "no-answer", "busy" or "failed"; the seconds are as in `CallScript`.
        Scripts queue up, and each is used once; other calls follow `call_script`."""
        script = CallScript(outcome, ring_after, answer_after, talk)
        with self._lock:
            self._state.scripts.append((number, script))

    def send_webhooks_to(self, target: WebhookTarget) -> None:
        """Where webhook deliveries go: an ASGI app (straight in, no network), a base
        URL such as "http://127.0.0.1:8000" (each webhook's path and query kept), or
        None (each webhook's own URL, the default)."""
        if not (target is None or isinstance(target, str) or callable(target)):
            raise TypeError(f"target must be an ASGI app, a base URL or None, not {target!r}")
        with self._lock:
            self._webhook_target = target

    @property
    def deliveries(self) -> list[WebhookDelivery]:
        """Every webhook delivery sent so far, in order, with the receiver's answer."""
        with self._lock:
            return list(self._deliveries)

    async def advance(self, seconds: float = 0.0) -> list[WebhookDelivery]:
        """Move the clock `seconds` forward (it must be a `ManualClock`, or have an
        `advance` method), apply the call steps now due, and send the webhook
        deliveries they queued; return those deliveries.

        With `seconds=0` it works on any clock: for a real clock, call it from time
        to time (or run `run_lifecycle`). It also fits the `sleep` hooks:
        `await client.calls.wait(call_id, sleep=fake.advance)` ends as soon as the
        fake's clock gets there, without waiting for real.
        """
        if seconds:
            move = getattr(self._clock, "advance", None)
            if move is None:
                raise TypeError(
                    "advance(seconds) needs a clock that can move:"
                    " FakeMindhunters(clock=ManualClock())"
                )
            move(seconds)
        with self._lock:
            self._state.advance_calls()
            outgoing, self._state.outbox = self._state.outbox, []
            target = self._webhook_target
        sent = await send(outgoing, target)
        with self._lock:
            self._deliveries.extend(sent)
        return sent

    async def run_lifecycle(self, *, interval: float = 0.5) -> None:
        """Run calls and send webhooks on a real clock, every `interval` seconds, until
        cancelled: for a fake served to a running app (see examples/). Tests use
        `advance` with a `ManualClock` instead."""
        import anyio

        while True:
            await self.advance()
            await anyio.sleep(interval)

    # Requests

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, in order, faulted ones included."""
        with self._lock:
            return list(self._requests)

    def requests_to(self, method: str, path: str) -> list[RecordedRequest]:
        """The requests with this method on this path below `/api/v1`, such as ("POST", "/call")."""
        method = method.upper()
        return [r for r in self.requests if r.method == method and r.path == path]

    # Faults

    def fail(
        self,
        fault: Fault | int | str,
        /,
        *,
        times: int = 1,
        route: str | None = None,
        retry_after: int = 1,
    ) -> None:
        """Make the next `times` requests (to `route` only, if given) fail with `fault`.

        `fault` is a `Fault` or its value: a status (429, 500, 502, 503) or a name
        such as "connect error". `route` is a route name such as "POST /call" or
        "GET /calls/{uuid}". `retry_after` is the 429 fault's `retryAfter`, in seconds.
        Faults fire in the order they were added, each before the fake does anything
        else with the request (except the `..._AFTER_COMMIT` faults, after).
        """
        fault = Fault(fault)
        if times < 1:
            raise ValueError(f"times must be at least 1, got {times}")
        if route is not None and route not in _ROUTE_NAMES:
            raise ValueError(f"unknown route {route!r}: use one of {sorted(_ROUTE_NAMES)}")
        with self._lock:
            self._faults.add(PendingFault(fault, route, times, retry_after))

    def clear_faults(self) -> None:
        """Cancel every fault not yet fired."""
        with self._lock:
            self._faults.clear()

    # The API

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request as the API would, or raise the httpx error of a fault.

        The request body must have been read (httpx's MockTransport and respx do it).
        """
        url_path = request.url.path
        api_path = (
            url_path.removeprefix(API_PREFIX) if url_path.startswith(API_PREFIX + "/") else None
        )
        body = parse_body(request.content)
        with self._lock:
            # The clock may have passed steps of live calls since the last request.
            self._state.advance_calls()
            matched = None if api_path is None else match_route(request.method, api_path)
            route_name = None if matched is None else matched[0].name
            pending = self._faults.take(route_name)
            status = None
            try:
                if pending is None:
                    response = self._serve(request, matched, body)
                else:
                    if pending.fault.after_commit:
                        self._serve(request, matched, body)
                    response = pending.strike(request, self.rate_limit)
                status = response.status_code
                return response
            finally:
                record = RecordedRequest(
                    method=request.method,
                    url=request.url,
                    path=url_path if api_path is None else api_path,
                    route=route_name,
                    query=request.url.params,
                    headers=httpx.Headers(request.headers),
                    json=None if isinstance(body, Body) else body,
                    content=request.content,
                    served=pending is None or pending.fault.after_commit,
                    fault=None if pending is None else pending.fault,
                    status=status,
                )
                self._requests.append(record)

    def _serve(
        self, request: httpx.Request, matched: tuple[Route, dict[str, str]] | None, body: Any
    ) -> httpx.Response:
        if matched is None:
            return ENDPOINT_NOT_FOUND.response()
        route, params = matched
        token = _bearer_token(request.headers.get("Authorization"))
        if token is None:
            return MISSING_AUTH_TOKEN.response()
        granted = self.tokens.get(token)
        if granted is None:
            return INVALID_AUTH_TOKEN.response()
        remaining, retry_after = self._limiter.hit(token, self.rate_limit)
        headers = {
            "X-RateLimit-Limit": str(self.rate_limit),
            "X-RateLimit-Remaining": str(remaining),
        }
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
            return rate_limit_exceeded(self.rate_limit, retry_after).response(headers)
        if route.permission not in granted:
            response = FORBIDDEN.response()
        else:
            response = route.endpoint(self._state, Incoming(request, params, body))
        response.headers.update(headers)
        return response

    # Adapters

    def transport(self) -> httpx.MockTransport:
        """A transport answering from this fake, for `httpx.AsyncClient(transport=...)`."""
        return httpx.MockTransport(self.handle)

    def client(self, **options: Any) -> AsyncMindhunters:
        """An `AsyncMindhunters` answered by this fake, in process, with `DEFAULT_TOKEN`.

        `options` go to the client's constructor and win over those defaults:
        `fake.client(retry=mh.RetryPolicy(sleep=...))`, `fake.client(api_token="x")`.
        Use it as `async with fake.client() as client:`.
        """
        from .._client import AsyncMindhunters

        settings: dict[str, Any] = {
            "api_token": self.DEFAULT_TOKEN,
            "base_url": self.DEFAULT_BASE_URL,
            "transport": self.transport(),
        }
        settings.update(options)
        return AsyncMindhunters(**settings)

    def mock(
        self, router: respx.MockRouter | None = None, *, base_url: str = DEFAULT_BASE_URL
    ) -> AbstractContextManager[respx.MockRouter]:
        """Route every request to the host of `base_url` to this fake, with respx.

        Pass a started router (such as respx's `respx_mock` fixture) to add the route
        to it for the duration of the `with` block; without one, a new router mocks
        httpx for that block. Either way the block gets the router.
        """
        try:
            from ._respx import route_to
        except ImportError as exc:
            raise ImportError("FakeMindhunters.mock() needs respx: pip install respx") from exc
        return route_to(self.handle, router, base_url)

    def serve(self) -> AbstractContextManager[str]:
        """Serve this fake with uvicorn on 127.0.0.1 (an ephemeral port) in a thread.

        `with fake.serve() as base_url:` gives "http://127.0.0.1:<port>/api/v1";
        the server stops when the block ends. Needs uvicorn installed. Over a real
        socket the transport faults cannot be raised in the client: they drop the
        connection after the response head instead (the client sees
        `httpx.RemoteProtocolError`).
        """
        from ._server import serve

        return serve(self.asgi_app)
