"""Faults the fake injects on demand: error statuses, dropped connections, timeouts."""

from __future__ import annotations

import enum

import attrs
import httpx

from ._envelopes import (
    BAD_GATEWAY,
    BAD_GATEWAY_HTML,
    INTERNAL_SERVER_ERROR,
    SERVICE_UNAVAILABLE,
    rate_limit_exceeded,
)

__all__ = ["Fault", "FaultQueue", "PendingFault"]


class Fault(enum.Enum):
    """What goes wrong; `FakeMindhunters.fail` takes a member or a status code (`Fault(503)`).

    The status faults answer with the errors page's envelope for that status
    (`BAD_GATEWAY` is JSON with code "BAD_GATEWAY"; `BAD_GATEWAY_HTML` is the
    `text/html` page a reverse proxy sends). The others raise from the transport,
    with the request attached, as httpx would: `CONNECT_ERROR` raises
    `httpx.ConnectError`, `CONNECT_TIMEOUT` `httpx.ConnectTimeout` and `READ_TIMEOUT`
    `httpx.ReadTimeout`, all without the fake acting on the request.
    `READ_TIMEOUT_AFTER_COMMIT` lets the fake act first (a `POST /call` places its
    call) and then raises `httpx.ReadTimeout`: the client cannot tell whether the
    request took effect, which is what duplicate-call safety is about.
    `INTERNAL_SERVER_ERROR_AFTER_COMMIT` likewise acts, then answers 500 (the server
    failed after committing). `CONNECTION_DROPPED` raises `httpx.RemoteProtocolError`
    (the server closed the connection without a reply) without acting: to the client
    it is as ambiguous as the others, but nothing happened.

    Over a real socket (`FakeMindhunters.serve`) the transport faults cannot be
    raised in the client: the server drops the connection after the response head,
    and the client sees `httpx.RemoteProtocolError` instead.
    """

    RATE_LIMIT_EXCEEDED = 429
    INTERNAL_SERVER_ERROR = 500
    BAD_GATEWAY = 502
    SERVICE_UNAVAILABLE = 503
    BAD_GATEWAY_HTML = "502 html"
    CONNECT_ERROR = "connect error"
    CONNECT_TIMEOUT = "connect timeout"
    READ_TIMEOUT = "read timeout"
    READ_TIMEOUT_AFTER_COMMIT = "read timeout after commit"
    INTERNAL_SERVER_ERROR_AFTER_COMMIT = "500 after commit"
    CONNECTION_DROPPED = "connection dropped"

    @property
    def after_commit(self) -> bool:
        """Whether the fake serves the request before this fault strikes."""
        return self in (Fault.READ_TIMEOUT_AFTER_COMMIT, Fault.INTERNAL_SERVER_ERROR_AFTER_COMMIT)


@attrs.define
class PendingFault:
    """A fault waiting for `times` more requests to `route` (a route name; None: any)."""

    fault: Fault
    route: str | None
    times: int
    retry_after: int

    def strike(self, request: httpx.Request, rate_limit: int) -> httpx.Response:
        """The faulty response, or raise the transport error this fault stands for."""
        match self.fault:
            case Fault.RATE_LIMIT_EXCEEDED:
                error = rate_limit_exceeded(rate_limit, self.retry_after)
                return error.response({"Retry-After": str(self.retry_after)})
            case Fault.INTERNAL_SERVER_ERROR | Fault.INTERNAL_SERVER_ERROR_AFTER_COMMIT:
                return INTERNAL_SERVER_ERROR.response()
            case Fault.BAD_GATEWAY:
                return BAD_GATEWAY.response()
            case Fault.SERVICE_UNAVAILABLE:
                return SERVICE_UNAVAILABLE.response()
            case Fault.BAD_GATEWAY_HTML:
                return httpx.Response(
                    502, content=BAD_GATEWAY_HTML, headers={"Content-Type": "text/html"}
                )
            case Fault.CONNECT_ERROR:
                raise httpx.ConnectError("fake: connection refused", request=request)
            case Fault.CONNECT_TIMEOUT:
                raise httpx.ConnectTimeout("fake: connect timed out", request=request)
            case Fault.READ_TIMEOUT | Fault.READ_TIMEOUT_AFTER_COMMIT:
                raise httpx.ReadTimeout("fake: read timed out", request=request)
            case Fault.CONNECTION_DROPPED:
                raise httpx.RemoteProtocolError(
                    "fake: server disconnected without sending a response", request=request
                )


class FaultQueue:
    """Faults in the order they were asked for; the first one that matches a request fires."""

    __slots__ = ("_pending",)

    def __init__(self) -> None:
        self._pending: list[PendingFault] = []

    def add(self, fault: PendingFault) -> None:
        """Queue `fault` behind those already waiting."""
        self._pending.append(fault)

    def take(self, route: str | None) -> PendingFault | None:
        """Use up one strike of the first fault aimed at `route` or at any route."""
        for pending in self._pending:
            if pending.route is None or pending.route == route:
                pending.times -= 1
                if pending.times == 0:
                    self._pending.remove(pending)
                return pending
        return None

    def clear(self) -> None:
        """Forget every waiting fault."""
        self._pending.clear()

    def __len__(self) -> int:
        return len(self._pending)
