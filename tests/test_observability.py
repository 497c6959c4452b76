"""Logs, client.stats(), support_info() and OpenTelemetry, over one run with a success,
a retried 429, a 422 and a connection error.

Each observer is checked for its fields and for what it must never hold: the token, or
a phone number beyond its last 4 digits.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import respx
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from support import AGENT_ID, CALL, CALL_ID, PHONE, TOKEN, RecordingSleep, ok, validation_error

import mindhunters_async as mh
from mindhunters_async._stats import note_governor_wait
from mindhunters_async.middleware import CallNext, Request
from mindhunters_async.middleware._logging import configure_from_env
from mindhunters_async.middleware._telemetry import OpenTelemetry
from mindhunters_async.testing._envelopes import rate_limit_exceeded

pytestmark = pytest.mark.anyio

LOGGER = "mindhunters_async"
DIGITS = PHONE.lstrip("+")  # no observer may hold the whole number, with or without "+"
MASKED = "+*******2671"
CONTACT_PATH = f"/contacts/{PHONE}"
# The server's 422 quotes the number it refused, as servers do.
REFUSED = validation_error(
    "INVALID_FORMAT", "participant.number", f"The number {PHONE} cannot be called"
)


class Telemetry:
    """An OpenTelemetry SDK with in-memory span and metric exporters."""

    def __init__(self) -> None:
        self.spans = InMemorySpanExporter()
        self.tracer_provider = TracerProvider()
        self.tracer_provider.add_span_processor(SimpleSpanProcessor(self.spans))
        self.reader = InMemoryMetricReader()
        self.meter_provider = MeterProvider(metric_readers=[self.reader])
        self.otel = mh.middleware.OpenTelemetry(
            tracer_provider=self.tracer_provider, meter_provider=self.meter_provider
        )

    def finished(self) -> list[ReadableSpan]:
        return list(self.spans.get_finished_spans())

    def points(self, name: str) -> list[Any]:
        data = self.reader.get_metrics_data()
        assert data is not None
        return [
            point
            for resource in data.resource_metrics
            for scope in resource.scope_metrics
            for metric in scope.metrics
            if metric.name == name
            for point in metric.data.data_points
        ]


@pytest.fixture
def telemetry() -> Iterator[Telemetry]:
    kit = Telemetry()
    yield kit
    kit.tracer_provider.shutdown()
    kit.meter_provider.shutdown()


@pytest.fixture
async def observed(
    sleeps: RecordingSleep, telemetry: Telemetry
) -> AsyncIterator[mh.AsyncMindhunters]:
    async with mh.AsyncMindhunters(
        api_token=TOKEN,
        tenant="acme",
        retry=mh.RetryPolicy(sleep=sleeps),
        telemetry=telemetry.otel,
    ) as client:
        yield client


async def run_scenario(api: respx.MockRouter, client: mh.AsyncMindhunters) -> dict[str, Any]:
    """A success, a 429 then a success, a 422, a connection error: the errors raised."""
    api.post("/call").mock(
        side_effect=[
            _with_id(ok(CALL, status=201), "req-ok"),
            REFUSED.response({"x-request-id": "req-422"}),
        ]
    )
    api.get(f"/calls/{CALL_ID}").mock(
        side_effect=[
            rate_limit_exceeded(1000, 1).response({"x-request-id": "req-429"}),
            _with_id(ok(CALL), "req-ok-2"),
        ]
    )
    api.get(CONTACT_PATH).mock(side_effect=httpx.ConnectError("connection refused"))

    await client.calls.create(agent_id=AGENT_ID, participant={"number": PHONE})
    await client.calls.get(CALL_ID)
    errors: dict[str, Any] = {}
    with pytest.raises(mh.UnprocessableEntityError) as refused:
        await client.calls.create(agent_id=AGENT_ID, participant={"number": PHONE})
    errors["422"] = refused.value
    with pytest.raises(mh.APIConnectionError) as unreachable:
        await client.with_options(max_retries=0).request("GET", CONTACT_PATH)
    errors["connection"] = unreachable.value
    return errors


def _with_id(response: httpx.Response, request_id: str) -> httpx.Response:
    response.headers["x-request-id"] = request_id
    return response


def assert_clean(text: str) -> None:
    assert TOKEN not in text
    assert DIGITS not in text


# Logs ---------------------------------------------------------------------------------


def attempt_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name == LOGGER and hasattr(r, "attempt") and not hasattr(r, "delay")
    ]


async def test_logs_carry_duration_and_template_and_mask_the_number(
    api: respx.MockRouter, observed: mh.AsyncMindhunters, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    await run_scenario(api, observed)
    records = attempt_records(caplog)
    assert [
        (r.levelno, r.method, r.endpoint, r.status, r.error_code, r.request_id, r.attempt)
        for r in records
    ] == [
        (logging.DEBUG, "POST", "/call", 201, None, None, 1),
        (logging.WARNING, "GET", "/calls/{call_id}", 429, "RATE_LIMIT_EXCEEDED", "req-429", 1),
        (logging.DEBUG, "GET", "/calls/{call_id}", 200, None, None, 2),
        (logging.WARNING, "POST", "/call", 422, "INVALID_FORMAT", "req-422", 1),
        # A path given to client.request() is its own template: masked like the rest.
        (logging.WARNING, "GET", CONTACT_PATH, None, None, None, 1),
    ]
    for record in records:
        assert isinstance(record.duration_ms, float)
        assert record.duration_ms >= 0
        assert " ms" in record.getMessage()
    retry = [r for r in caplog.records if hasattr(r, "delay")]
    assert [(r.levelno, r.delay, r.duration_ms) for r in retry] == [(logging.INFO, 1.0, None)]
    assert MASKED in records[3].getMessage()  # the server's text, masked
    assert MASKED in records[4].getMessage()  # the path, masked
    formatter = logging.Formatter("%(message)s")
    for record in caplog.records:
        assert_clean(formatter.format(record))
        for name, value in vars(record).items():
            assert TOKEN not in repr(value), name
            # The endpoint attribute of client.request() is the raw path the caller gave.
            if name != "endpoint":
                assert DIGITS not in repr(value), name


def test_mindhunters_log_turns_on_a_readable_stderr_handler() -> None:
    code = (
        "import anyio\n"
        "from mindhunters_async.testing import FakeMindhunters\n"
        "async def main():\n"
        "    async with FakeMindhunters().client() as client:\n"
        "        await client.calls.list()\n"
        "anyio.run(main)\n"
    )

    def run(env: dict[str, str]) -> str:
        result = subprocess.run(
            [sys.executable, "-W", "error", "-c", code],
            capture_output=True,
            text=True,
            env=env,
            check=True,
            timeout=60,
        )
        return result.stderr

    base = {k: v for k, v in os.environ.items() if k != "MINDHUNTERS_LOG"}
    assert run(base) == ""
    assert run({**base, "MINDHUNTERS_LOG": "loud"}) == ""
    debug = run({**base, "MINDHUNTERS_LOG": "DEBUG"})
    assert "DEBUG mindhunters_async] GET /calls -> 200 (attempt 1, " in debug
    assert "test-token" not in debug


def test_configure_from_env_reads_only_debug_and_info() -> None:
    logger = logging.getLogger(LOGGER)
    assert configure_from_env({}) is None
    assert configure_from_env({"MINDHUNTERS_LOG": "trace"}) is None
    level = logger.level
    handler = configure_from_env({"MINDHUNTERS_LOG": " Info "})
    try:
        assert isinstance(handler, logging.StreamHandler)
        assert handler in logger.handlers
        assert logger.level == logging.INFO
    finally:
        logger.removeHandler(handler)  # type: ignore[arg-type]
        logger.setLevel(level)


# client.stats() -------------------------------------------------------------------------


async def test_stats_count_statuses_errors_and_retries(
    api: respx.MockRouter, observed: mh.AsyncMindhunters, sleeps: RecordingSleep
) -> None:
    before = observed.stats()
    assert (before.requests, before.errors, before.error_rate) == (0, 0, 0.0)
    await run_scenario(api, observed)
    stats = observed.stats()
    assert stats.requests == 5
    assert dict(stats.by_status) == {200: 1, 201: 1, 422: 1, 429: 1}
    assert stats.errors == 3
    assert dict(stats.by_error) == {
        "APIConnectionError": 1,
        "INVALID_FORMAT": 1,
        "RATE_LIMIT_EXCEEDED": 1,
    }
    assert (stats.retries, stats.retry_wait_seconds) == (1, 1.0)
    assert sleeps.delays == [1.0]
    assert stats.error_rate == pytest.approx(3 / 5)
    assert (stats.governor_waits, stats.governor_wait_seconds) == (0, 0.0)
    assert stats.since <= before.since or stats.since == before.since
    # A copy counts into its client's stats, and a snapshot does not move.
    assert observed.with_options(max_retries=0).stats() == stats
    assert before.requests == 0


async def test_stats_need_no_telemetry(api: respx.MockRouter, client: mh.AsyncMindhunters) -> None:
    api.get(f"/calls/{CALL_ID}").mock(side_effect=[rate_limit_exceeded(1000, 2).response(), ok()])
    await client.calls.get(CALL_ID)
    stats = client.stats()
    assert (stats.requests, dict(stats.by_status), stats.retries) == (2, {200: 1, 429: 1}, 1)
    assert stats.retry_wait_seconds == 2.0
    assert client._options.observers == ()


async def test_the_rate_governor_hook_feeds_stats_and_metrics(
    api: respx.MockRouter, telemetry: Telemetry
) -> None:
    # Issue 14's governor is to call note_governor_wait once per wait; a middleware
    # stands in for it here.
    async def governor(request: Request, call_next: CallNext) -> httpx.Response:
        note_governor_wait(request, 0.25)
        return await call_next(request)

    api.get(f"/calls/{CALL_ID}").mock(return_value=ok())
    async with mh.AsyncMindhunters(
        api_token=TOKEN,
        tenant="acme",
        per_call=[*mh.middleware.PER_CALL, governor],
        telemetry=telemetry.otel,
    ) as client:
        await client.calls.get(CALL_ID)
        stats = client.stats()
    assert (stats.governor_waits, stats.governor_wait_seconds) == (1, 0.25)
    [count] = telemetry.points("mindhunters.client.rate_governor.waits")
    assert count.value == 1
    [waited] = telemetry.points("mindhunters.client.rate_governor.wait.duration")
    assert (waited.count, waited.sum) == (1, 0.25)


# support_info() -------------------------------------------------------------------------


async def test_support_info_holds_what_the_errors_page_asks_for(
    api: respx.MockRouter, observed: mh.AsyncMindhunters
) -> None:
    errors = await run_scenario(api, observed)
    refused: mh.UnprocessableEntityError = errors["422"]
    info = refused.support_info()
    data = info.as_dict()
    assert data["request_id"] == "req-422"
    assert data["timestamp"].endswith("Z")
    assert data["timestamp"] == refused.timestamp.isoformat(timespec="milliseconds")[:-6] + "Z"
    assert (data["method"], data["endpoint"]) == ("POST", "https://acme.mindhunters.ai/api/v1/call")
    assert data["request_body"] == {"agentId": AGENT_ID, "participant": {"number": MASKED}}
    assert (data["status"], data["error_code"]) == (422, "INVALID_FORMAT")
    assert data["error_body"]["error"]["details"] == f"The number {MASKED} cannot be called"
    assert data["attempts"] == 1
    assert data["idempotency_key"] == refused.request.headers["Idempotency-Key"]  # type: ignore[union-attr]
    assert data["sdk_version"] == mh.__version__
    assert data["httpx_version"] == httpx.__version__
    assert data["python_version"] == ".".join(map(str, sys.version_info[:3]))
    json.dumps(data)  # ready for a JSON ticket
    text = str(info)
    for line in (
        "Request ID:",
        "req-422",
        "Timestamp (UTC):",
        "Endpoint:          POST https://acme.mindhunters.ai/api/v1/call",
        f'"number": "{MASKED}"',
        "Status:            422 INVALID_FORMAT",
        "Idempotency-Key:",
        "Expected behavior:",
    ):
        assert line in text
    for error in errors.values():
        assert_clean(str(error.support_info()))
        assert_clean(json.dumps(error.support_info().as_dict()))

    unreachable: mh.APIConnectionError = errors["connection"]
    info = unreachable.support_info()
    assert (info.status, info.request_id, info.error_body) == (None, None, None)
    assert info.endpoint == f"https://acme.mindhunters.ai/api/v1/contacts/{MASKED}"
    assert info.error_type == "APIConnectionError"


async def test_support_info_drops_secrets_and_counts_attempts(
    api: respx.MockRouter, client: mh.AsyncMindhunters
) -> None:
    api.post("/webhooks").mock(return_value=rate_limit_exceeded(1000, 1).response())
    with pytest.raises(mh.RateLimitError) as info:
        await client.with_options(max_retries=1).request(
            "POST",
            "/webhooks",
            params={"phone": PHONE, "page": "2"},
            json={"url": "https://example.com/hook", "secret": "whsec_abc", "apiToken": TOKEN},
        )
    support = info.value.support_info()
    assert support.request_body == {"url": "https://example.com/hook"}
    assert support.query == {"phone": MASKED, "page": "2"}
    assert support.attempts == 2
    assert support.retry_note == "gave up after 2 attempts"
    assert "whsec_abc" not in str(support)
    assert_clean(str(support))


# OpenTelemetry --------------------------------------------------------------------------


async def test_a_span_per_call_and_a_child_per_attempt(
    api: respx.MockRouter, observed: mh.AsyncMindhunters, telemetry: Telemetry
) -> None:
    errors = await run_scenario(api, observed)
    spans = telemetry.finished()
    calls = [s for s in spans if s.kind is SpanKind.INTERNAL]
    attempts = [s for s in spans if s.kind is SpanKind.CLIENT]
    assert [s.name for s in calls] == [
        "calls.create",
        "calls.get",
        "calls.create",
        f"request GET /contacts/{MASKED}",
    ]
    assert [s.name for s in attempts] == [
        "POST /call",
        "GET /calls/{call_id}",
        "GET /calls/{call_id}",
        "POST /call",
        f"GET /contacts/{MASKED}",
    ]
    parents = [
        next(c.name for c in calls if c.context.span_id == a.parent.span_id) for a in attempts
    ]  # type: ignore[union-attr]
    assert parents == ["calls.create", "calls.get", "calls.get", "calls.create", calls[3].name]
    for a in attempts:
        assert (
            a.context.trace_id
            == next(c for c in calls if c.context.span_id == a.parent.span_id).context.trace_id
        )  # type: ignore[union-attr]

    created, got, refused, unreachable = (dict(s.attributes or {}) for s in calls)
    assert created["mindhunters.attempts"] == 1
    assert created["http.response.status_code"] == 201
    assert created["mindhunters.idempotency_key"]
    assert got["mindhunters.attempts"] == 2
    assert refused["error.type"] == "422"
    assert refused["mindhunters.error.code"] == "INVALID_FORMAT"
    assert refused["mindhunters.request_id"] == "req-422"
    assert refused["mindhunters.idempotency_key"] == errors["422"].idempotency_key
    assert refused["mindhunters.outcome_unknown"] is False
    assert unreachable["error.type"] == "APIConnectionError"
    assert [s.status.status_code for s in calls] == [
        StatusCode.UNSET,
        StatusCode.UNSET,
        StatusCode.ERROR,
        StatusCode.ERROR,
    ]

    [retry] = calls[1].events
    assert retry.name == "retry"
    assert dict(retry.attributes or {}) == {
        "mindhunters.retry.attempt": 1,
        "mindhunters.retry.delay_s": 1.0,
        "error.type": "429",
        "mindhunters.error.code": "RATE_LIMIT_EXCEEDED",
    }

    first, limited, second, rejected, refused_connection = (
        dict(s.attributes or {}) for s in attempts
    )
    assert first["http.request.method"] == "POST"
    assert first["url.template"] == "/call"
    assert first["url.full"] == "https://acme.mindhunters.ai/api/v1/call"
    assert (first["server.address"], first["server.port"]) == ("acme.mindhunters.ai", 443)
    assert first["http.response.status_code"] == 201
    assert "http.request.resend_count" not in first
    assert limited["http.response.status_code"] == 429
    assert limited["error.type"] == "429"
    assert limited["mindhunters.request_id"] == "req-429"
    assert second["http.request.resend_count"] == 1
    assert second["url.full"] == f"https://acme.mindhunters.ai/api/v1/calls/{CALL_ID}"
    assert rejected["mindhunters.idempotency_key"] == refused["mindhunters.idempotency_key"]
    assert refused_connection["error.type"] == "APIConnectionError"
    assert "http.response.status_code" not in refused_connection

    for span in spans:
        assert_clean(span.to_json())


async def test_metrics_count_requests_errors_retries_and_latency(
    api: respx.MockRouter, observed: mh.AsyncMindhunters, telemetry: Telemetry
) -> None:
    await run_scenario(api, observed)

    def by(points: list[Any], *keys: str) -> dict[tuple[Any, ...], Any]:
        return {tuple(p.attributes.get(k) for k in keys): p for p in points}

    requests = by(
        telemetry.points("mindhunters.client.requests"),
        "http.request.method",
        "url.template",
        "http.response.status_code",
        "error.type",
    )
    assert {key: p.value for key, p in requests.items()} == {
        ("POST", "/call", 201, None): 1,
        ("GET", "/calls/{call_id}", 429, "429"): 1,
        ("GET", "/calls/{call_id}", 200, None): 1,
        ("POST", "/call", 422, "422"): 1,
        ("GET", f"/contacts/{MASKED}", None, "APIConnectionError"): 1,
    }
    errors = by(telemetry.points("mindhunters.client.errors"), "mindhunters.error.code")
    assert {key: p.value for key, p in errors.items()} == {
        ("RATE_LIMIT_EXCEEDED",): 1,
        ("INVALID_FORMAT",): 1,
        ("APIConnectionError",): 1,
    }
    [retries] = telemetry.points("mindhunters.client.retries")
    assert (retries.value, retries.attributes["error.type"]) == (1, "429")
    durations = telemetry.points("http.client.request.duration")
    assert sum(p.count for p in durations) == 5
    assert all(p.sum >= 0 for p in durations)
    calls = telemetry.points("mindhunters.client.call.duration")
    assert sum(p.count for p in calls) == 4
    assert telemetry.points("mindhunters.client.rate_governor.waits") == []
    for point in telemetry.points("mindhunters.client.requests") + durations + calls:
        assert_clean(json.dumps(dict(point.attributes)))


async def test_telemetry_true_uses_the_global_providers(
    api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch, telemetry: Telemetry
) -> None:
    from opentelemetry import trace
    from opentelemetry.metrics import _internal as metrics

    # The global providers can be set once per process: set them under the hood, for
    # this test only (as OpenTelemetry's own test utilities do).
    monkeypatch.setattr(trace, "_TRACER_PROVIDER", telemetry.tracer_provider)
    monkeypatch.setattr(metrics, "_METER_PROVIDER", telemetry.meter_provider)
    api.get(f"/calls/{CALL_ID}").mock(return_value=ok())
    async with mh.AsyncMindhunters(api_token=TOKEN, tenant="acme", telemetry=True) as client:
        await client.calls.get(CALL_ID)
    assert [s.name for s in telemetry.finished()] == ["GET /calls/{call_id}", "calls.get"]
    assert [p.value for p in telemetry.points("mindhunters.client.requests")] == [1]


def test_without_opentelemetry_telemetry_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "opentelemetry", None)
    with pytest.raises(mh.ConfigurationError, match=r"mindhunters-async\[otel\]"):
        OpenTelemetry()
    with pytest.raises(mh.ConfigurationError) as info:
        mh.AsyncMindhunters(api_token=TOKEN, tenant="acme", telemetry=True)
    assert info.value.setting == "telemetry"


def test_opentelemetry_is_imported_only_when_asked_for() -> None:
    code = (
        "import sys, mindhunters_async as mh\n"
        "mh.AsyncMindhunters(api_token='t', tenant='acme')\n"
        "assert not any(m.startswith('opentelemetry') for m in sys.modules), 'imported'\n"
        "mh.AsyncMindhunters(api_token='t', tenant='acme', telemetry=True)\n"
        "assert 'opentelemetry.trace' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-W", "error", "-c", code], check=True, timeout=60)
