"""OpenTelemetry: a span per call, a child span per attempt, and the client's metrics.

Turned on with one argument, `AsyncMindhunters(telemetry=True)` (the global tracer
and meter providers) or `telemetry=mh.OpenTelemetry(tracer_provider=...,
meter_provider=...)`. The client then adds `trace_call` after the per-call
middleware and `trace_attempt` outermost of the per-attempt ones; without it, neither
is in the pipeline, so a client without telemetry does no work for it at all.

`opentelemetry-api` (the `otel` extra) is imported when an `OpenTelemetry` is made,
never by `import mindhunters_async`.

Spans (attributes from the HTTP semantic conventions where they have one):

- the call, `INTERNAL`, named after the operation (`calls.create`):
  `mindhunters.operation`, `http.request.method`, `url.template`,
  `mindhunters.idempotency_key`, `mindhunters.attempts`, and on failure
  `error.type`, `mindhunters.error.code`, `http.response.status_code`,
  `mindhunters.request_id`, `mindhunters.outcome_unknown`; an event `retry` before
  each retry (`mindhunters.retry.attempt`, `mindhunters.retry.delay_s`, `error.type`);
- each attempt, `CLIENT`, named `{method} {url.template}` (`POST /call`):
  `http.request.method`, `url.template`, `url.full` (without the query),
  `server.address`, `server.port`, `http.request.resend_count` (from the second
  attempt), `http.response.status_code`, `error.type`, `mindhunters.error.code`,
  `mindhunters.request_id`, `mindhunters.idempotency_key`.

Metrics: `mindhunters.client.requests` (attempts), `mindhunters.client.errors`
(failed attempts, by `mindhunters.error.code`), `mindhunters.client.retries`,
`mindhunters.client.rate_governor.waits` and `.wait.duration` (fed by the rate
governor through `_stats.note_governor_wait`), `http.client.request.duration` (each
attempt, seconds) and `mindhunters.client.call.duration` (each call, retries and
waits included).

Phone numbers in paths and messages are masked but for their last 4 digits; the
token is never read.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import httpx

from .. import _version
from .._exceptions import APIError, APIStatusError, ConfigurationError, ResponseDecodeError
from .._pipeline import CallNext, Request
from .._redact import mask_phones
from ._idempotency import HEADER as IDEMPOTENCY_HEADER

if TYPE_CHECKING:
    from opentelemetry.metrics import MeterProvider
    from opentelemetry.trace import Span, TracerProvider

__all__ = ["SCOPE", "SPAN_KEY", "OpenTelemetry"]

SCOPE = "mindhunters_async"
"""The instrumentation scope of the SDK's spans and metrics."""

SPAN_KEY = "mindhunters_async.otel.span"
"""The `request.context` key of the call's span, for middleware that add to it."""

Attributes = dict[str, Any]


class OpenTelemetry:
    """Traces and metrics of a client's calls: `AsyncMindhunters(telemetry=mh.OpenTelemetry())`.

    Without arguments it uses the global providers (`opentelemetry.trace` /
    `opentelemetry.metrics`, as set up by your OpenTelemetry SDK or distro), which is
    what `telemetry=True` does. Pass `tracer_provider` and `meter_provider` to use
    others. Needs `pip install "mindhunters-async[otel]"` (`opentelemetry-api`);
    raises `ConfigurationError` without it. One instance may serve several clients.
    """

    def __init__(
        self,
        *,
        tracer_provider: TracerProvider | None = None,
        meter_provider: MeterProvider | None = None,
    ) -> None:
        try:
            from opentelemetry import metrics, trace
        except ImportError:
            raise ConfigurationError(
                "telemetry",
                "telemetry needs opentelemetry-api: pip install 'mindhunters-async[otel]'",
            ) from None
        self._trace = trace
        self._error_status = trace.Status(trace.StatusCode.ERROR)
        self._tracer = trace.get_tracer(SCOPE, _version.__version__, tracer_provider)
        meter = metrics.get_meter(SCOPE, _version.__version__, meter_provider)
        self._requests = meter.create_counter(
            "mindhunters.client.requests", unit="{request}", description="Attempts sent."
        )
        self._errors = meter.create_counter(
            "mindhunters.client.errors",
            unit="{error}",
            description="Failed attempts, by the server's error code or the exception.",
        )
        self._retries = meter.create_counter(
            "mindhunters.client.retries", unit="{retry}", description="Retries, by error."
        )
        self._governor_waits = meter.create_counter(
            "mindhunters.client.rate_governor.waits",
            unit="{wait}",
            description="Calls the client's rate governor held back.",
        )
        self._governor_wait = meter.create_histogram(
            "mindhunters.client.rate_governor.wait.duration",
            unit="s",
            description="How long the rate governor held a call back.",
        )
        self._attempt_duration = meter.create_histogram(
            "http.client.request.duration", unit="s", description="Duration of each attempt."
        )
        self._call_duration = meter.create_histogram(
            "mindhunters.client.call.duration",
            unit="s",
            description="Duration of each call, its retries and waits included.",
        )
        self._servers: dict[str, tuple[str, int]] = {}

    def __repr__(self) -> str:
        return f"<OpenTelemetry scope={SCOPE!r}>"

    # Middleware (added by the client; see the module doc)

    async def trace_call(self, request: Request, call_next: CallNext) -> httpx.Response:
        """Per-call middleware: the call's span, current while its attempts run."""
        endpoint = request.endpoint
        template = mask_phones(endpoint.path)
        attributes: Attributes = {
            "mindhunters.operation": mask_phones(endpoint.name),
            "http.request.method": endpoint.method,
            "url.template": template,
        }
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if key:
            attributes["mindhunters.idempotency_key"] = key
        span = self._tracer.start_span(
            attributes["mindhunters.operation"],
            kind=self._trace.SpanKind.INTERNAL,
            attributes=attributes,
        )
        request.context[SPAN_KEY] = span
        metric: Attributes = {"http.request.method": endpoint.method, "url.template": template}
        started = time.perf_counter()
        with self._trace.use_span(
            span, end_on_exit=True, record_exception=False, set_status_on_exception=False
        ):
            try:
                response = await call_next(request)
            except APIError as exc:
                failure = self._failure(exc)
                span.set_attributes(failure)
                span.set_attribute("mindhunters.attempts", exc.attempts)
                span.set_attribute("mindhunters.outcome_unknown", exc.outcome_unknown)
                span.set_status(self._trace.Status(self._trace.StatusCode.ERROR, _text(exc)))
                metric["error.type"] = failure["error.type"]
                self._call_duration.record(time.perf_counter() - started, metric)
                raise
            span.set_attribute("http.response.status_code", response.status_code)
            self._call_duration.record(time.perf_counter() - started, metric)
            return response

    async def trace_attempt(self, request: Request, call_next: CallNext) -> httpx.Response:
        """Per-attempt middleware: the attempt's span, a child of the call's."""
        endpoint = request.endpoint
        template = mask_phones(endpoint.path)
        host, port = self._server(request.options.base_url)
        metric: Attributes = {
            "http.request.method": endpoint.method,
            "url.template": template,
            "server.address": host,
        }
        attributes: Attributes = {
            **metric,
            "server.port": port,
            "url.full": mask_phones(request.options.base_url + request.path),
        }
        if request.attempt > 1:
            attributes["http.request.resend_count"] = request.attempt - 1
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if key:
            attributes["mindhunters.idempotency_key"] = key
        span = self._tracer.start_span(
            f"{endpoint.method} {template}", kind=self._trace.SpanKind.CLIENT, attributes=attributes
        )
        call_span: Span | None = request.context.get(SPAN_KEY)
        if call_span is not None:
            # The last attempt's write stays: the call's number of attempts.
            call_span.set_attribute("mindhunters.attempts", request.attempt)
        started = time.perf_counter()
        with self._trace.use_span(
            span, end_on_exit=True, record_exception=False, set_status_on_exception=False
        ):
            try:
                response = await call_next(request)
            except APIError as exc:
                elapsed = time.perf_counter() - started
                failure = self._failure(exc)
                span.set_attributes(failure)
                span.set_status(self._trace.Status(self._trace.StatusCode.ERROR, _text(exc)))
                status = failure.get("http.response.status_code")
                if status is not None:
                    metric["http.response.status_code"] = status
                metric["error.type"] = failure["error.type"]
                self._requests.add(1, metric)
                self._errors.add(
                    1, {**metric, "mindhunters.error.code": failure["mindhunters.error.code"]}
                )
                self._attempt_duration.record(elapsed, metric)
                raise
            elapsed = time.perf_counter() - started
            span.set_attribute("http.response.status_code", response.status_code)
            metric["http.response.status_code"] = response.status_code
            self._requests.add(1, metric)
            self._attempt_duration.record(elapsed, metric)
            return response

    # Observer (told by the retry layer and the rate governor, see _stats.py)

    def retry_wait(self, request: Request, attempt: int, delay: float, error: APIError) -> None:
        """Count a retry and add a `retry` event, with the wait, to the call's span."""
        failure = self._failure(error)
        metric: Attributes = {
            "http.request.method": request.endpoint.method,
            "url.template": mask_phones(request.endpoint.path),
            "error.type": failure["error.type"],
        }
        self._retries.add(1, metric)
        span: Span | None = request.context.get(SPAN_KEY)
        if span is not None:
            span.add_event(
                "retry",
                {
                    "mindhunters.retry.attempt": attempt,
                    "mindhunters.retry.delay_s": delay,
                    "error.type": failure["error.type"],
                    "mindhunters.error.code": failure["mindhunters.error.code"],
                },
            )

    def governor_wait(self, request: Request, seconds: float) -> None:
        """Count a rate-governor wait, record its length, and note it on the call's span."""
        metric: Attributes = {
            "http.request.method": request.endpoint.method,
            "url.template": mask_phones(request.endpoint.path),
        }
        self._governor_waits.add(1, metric)
        self._governor_wait.record(seconds, metric)
        span: Span | None = request.context.get(SPAN_KEY)
        if span is not None:
            span.add_event("rate_governor.wait", {"mindhunters.wait_s": seconds})

    # Helpers

    def _server(self, base_url: str) -> tuple[str, int]:
        server = self._servers.get(base_url)
        if server is None:
            url = httpx.URL(base_url)
            port = url.port or (443 if url.scheme == "https" else 80)
            server = self._servers[base_url] = (url.host, port)
        return server

    @staticmethod
    def _failure(exc: APIError) -> Attributes:
        """The attributes that describe a failed attempt or call."""
        attributes: Attributes = {}
        if isinstance(exc, APIStatusError):
            attributes["http.response.status_code"] = exc.status_code
            # The semantic conventions' error.type of an HTTP error is its status.
            attributes["error.type"] = str(exc.status_code)
            attributes["mindhunters.error.code"] = (
                type(exc).__name__ if exc.code is None else str(exc.code)
            )
            if exc.request_id:
                attributes["mindhunters.request_id"] = exc.request_id
            return attributes
        if isinstance(exc, ResponseDecodeError) and exc.status_code is not None:
            attributes["http.response.status_code"] = exc.status_code
        attributes["error.type"] = type(exc).__name__
        attributes["mindhunters.error.code"] = type(exc).__name__
        return attributes


def _text(exc: APIError) -> str:
    # The server's message may quote the number it refused.
    return mask_phones(f"{type(exc).__name__}: {exc}")
