"""Logging: one structured record per attempt, failures at WARNING, and never the token."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import httpx
import pytest
import respx
from support import (
    AGENT_ID,
    CALL_ID,
    E164_DETAILS,
    SERVICE_UNAVAILABLE,
    TOKEN,
    not_found,
    ok,
    validation_error,
)

import mindhunters_async as mh

pytestmark = pytest.mark.anyio

LOGGER = "mindhunters_async"
OTHER_ID = "123e4567-e89b-42d3-a456-426614174000"
Scenario = Callable[[], Awaitable[pytest.LogCaptureFixture]]
FIELDS = ("method", "endpoint", "status", "error_code", "request_id", "attempt")


def attempt_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """The records of the log middleware: one per attempt (the retry layer's carry a delay)."""
    return [
        r
        for r in caplog.records
        if r.name == LOGGER and hasattr(r, "attempt") and not hasattr(r, "delay")
    ]


def fields(record: logging.LogRecord) -> tuple[object, ...]:
    return tuple(getattr(record, name) for name in FIELDS)


@pytest.fixture
def scenario(
    api: respx.MockRouter, client: mh.AsyncMindhunters, caplog: pytest.LogCaptureFixture
) -> Scenario:
    """Run the scenario below (in the test itself, where caplog records)."""

    async def run() -> pytest.LogCaptureFixture:
        await run_scenario(api, client, caplog)
        return caplog

    return run


async def run_scenario(
    api: respx.MockRouter, client: mh.AsyncMindhunters, caplog: pytest.LogCaptureFixture
) -> None:
    """A run with a 404, a 503 then a success, a 422, and a connection error, logged at DEBUG."""
    api.get(f"/calls/{CALL_ID}").mock(
        return_value=not_found("Call", CALL_ID).response({"x-request-id": "req-404"})
    )
    api.get("/calls").mock(
        side_effect=[SERVICE_UNAVAILABLE.response({"x-request-id": "req-503"}), ok([])]
    )
    invalid_phone = validation_error("INVALID_FORMAT", "participant.number", E164_DETAILS)
    api.post("/call").mock(return_value=invalid_phone.response({"x-request-id": "req-422"}))
    api.get(f"/calls/{OTHER_ID}").mock(side_effect=httpx.ConnectError("connection refused"))

    caplog.set_level(logging.DEBUG, logger=LOGGER)
    with pytest.raises(mh.NotFoundError):
        await client.calls.get(CALL_ID)
    page = await client.calls.list()
    assert page.items == ()
    with pytest.raises(mh.UnprocessableEntityError):
        await client.calls.create(agent_id=AGENT_ID, participant={"number": "+14155552671"})
    with pytest.raises(mh.APIConnectionError):
        await client.with_options(max_retries=0).calls.get(OTHER_ID)


async def test_one_structured_record_per_attempt(scenario: Scenario) -> None:
    caplog = await scenario()
    records = attempt_records(caplog)
    assert [(r.levelno, *fields(r)) for r in records] == [
        (
            logging.WARNING,
            "GET",
            "/calls/{call_id}",
            404,
            "RESOURCE_NOT_FOUND",
            "req-404",
            1,
        ),
        (logging.WARNING, "GET", "/calls", 503, "SERVICE_UNAVAILABLE", "req-503", 1),
        (logging.DEBUG, "GET", "/calls", 200, None, None, 2),
        (logging.WARNING, "POST", "/call", 422, "INVALID_FORMAT", "req-422", 1),
        (logging.WARNING, "GET", "/calls/{call_id}", None, None, None, 1),
    ]
    for record in records:
        assert record.name == LOGGER
        assert type(record.error_code) in (str, type(None))  # plain text for handlers


async def test_messages_say_the_same_in_words(scenario: Scenario) -> None:
    caplog = await scenario()
    messages = [r.getMessage() for r in attempt_records(caplog)]
    assert f"GET /calls/{CALL_ID}" in messages[0]
    assert "404" in messages[0]
    assert "RESOURCE_NOT_FOUND" in messages[0]
    assert "req-404" in messages[0]
    assert "503" in messages[1]
    assert "200" in messages[2]
    assert "attempt 2" in messages[2]
    assert "POST /call" in messages[3]
    assert "422" in messages[3]
    assert "ConnectError" in messages[4] or "APIConnectionError" in messages[4]
    for message in messages:
        assert "\n" not in message


async def test_successes_at_debug_failures_at_warning(
    scenario: Scenario,
) -> None:
    caplog = await scenario()
    for record in attempt_records(caplog):
        expected = logging.DEBUG if record.status == 200 else logging.WARNING
        assert record.levelno == expected


async def test_the_token_appears_in_no_record(scenario: Scenario) -> None:
    caplog = await scenario()
    records = [r for r in caplog.records if r.name.startswith(LOGGER)]
    assert len(records) >= 5
    formatter = logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s %(method)s %(endpoint)s",
        defaults={"method": "", "endpoint": ""},
    )
    for record in records:
        assert TOKEN not in record.getMessage()
        assert TOKEN not in repr(record.args)
        for name, value in vars(record).items():
            assert TOKEN not in repr(value), name
        assert TOKEN not in formatter.format(record)
    assert TOKEN not in caplog.text


async def test_nothing_is_logged_above_the_level(
    api: respx.MockRouter, client: mh.AsyncMindhunters, caplog: pytest.LogCaptureFixture
) -> None:
    api.get(f"/calls/{CALL_ID}").mock(return_value=ok({"id": CALL_ID}))
    caplog.set_level(logging.INFO, logger=LOGGER)
    await client.calls.get(CALL_ID)
    assert attempt_records(caplog) == []


async def test_every_record_carries_the_structured_fields(
    scenario: Scenario,
) -> None:
    caplog = await scenario()
    records = [r for r in caplog.records if r.name.startswith(LOGGER)]
    for record in records:
        missing = [name for name in FIELDS if not hasattr(record, name)]
        assert missing == [], record.getMessage()


async def test_a_2xx_that_says_it_failed_is_logged_as_a_failure(
    api: respx.MockRouter, client: mh.AsyncMindhunters, caplog: pytest.LogCaptureFixture
) -> None:
    # Hand-written: a 2xx whose body says it failed, without the error object.
    api.get(f"/calls/{CALL_ID}").respond(
        200, json={"success": False, "message": "Call could not be placed"}
    )
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    with pytest.raises(mh.APIStatusError):
        await client.calls.get(CALL_ID)
    assert [r.levelno for r in attempt_records(caplog)] == [logging.WARNING]


async def test_attempt_records_carry_their_duration(scenario: Scenario) -> None:
    caplog = await scenario()
    records = attempt_records(caplog)
    assert len(records) == 5
    for record in records:
        assert isinstance(record.duration_ms, float)
        assert record.duration_ms >= 0
        assert f"{record.duration_ms:.1f} ms" in record.getMessage()
    # The retry layer's records are about a wait, not an attempt: no duration.
    waits = [r for r in caplog.records if hasattr(r, "delay")]
    assert waits
    assert all(r.duration_ms is None for r in waits)
