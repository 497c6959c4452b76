"""The README's main command: `python -m mindhunters_async demo`."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

from mindhunters_async._demo import main
from mindhunters_async.testing import FakeMindhunters


def run(argv: list[str], delays: list[float] | None = None) -> tuple[int, str]:
    async def sleep(seconds: float) -> None:
        if delays is not None:
            delays.append(seconds)

    out = io.StringIO()
    return main(argv, out=out, sleep=sleep), out.getvalue()


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_demo_against_the_fake_shows_every_behaviour(backend: str) -> None:
    delays: list[float] = []
    status, text = run(["demo", "--backend", backend], delays)
    assert status == 0, text
    assert "placed call" in text
    assert "read back" in text
    assert "page 1/3: 3 calls" in text
    assert "page 3/3: 1 calls" in text
    assert "say -> 'Say dispatched'" in text
    assert "hangup -> the call is now completed" in text
    assert "agents: Test Agent, Ava" in text
    assert "Grace Hopper +14155550123" in text
    assert "agent: Hi Grace, this is Ava." in text
    assert "refused: participant.number INVALID_FORMAT" in text
    assert "requests sent: 0" in text
    assert "RateLimitError; retrying in 1.00 s" in text
    assert text.count("ServiceUnavailableError; retrying in") == 2
    assert "one Idempotency-Key on all 3 attempts: True" in text
    assert "NotFoundError: code=RESOURCE_NOT_FOUND" in text
    assert "outcome_unknown=True" in text
    assert "POST /call requests sent: 1" in text
    assert "== Timings" in text
    # The 429 waited the fake's retryAfter; the two 503 waits were jittered backoff.
    assert delays[0] == 1.0
    assert len(delays) == 3
    assert all(0 <= d <= 1.0 for d in delays[1:])


def test_demo_read_only_part_against_a_server_over_a_socket(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = FakeMindhunters()
    fake.add_call("+15550100000")
    monkeypatch.setenv("MINDHUNTERS_API_TOKEN", FakeMindhunters.DEFAULT_TOKEN)
    with fake.serve() as base_url:
        status, text = run(["demo", "--base-url", base_url])
    assert status == 0, text
    assert f"Against {base_url} (read-only)" in text
    assert "1 calls in all" in text
    assert "refused before sending: participant.number INVALID_FORMAT" in text
    assert "NotFoundError" in text
    assert fake.requests_to("POST", "/call") == []


def test_demo_refuses_a_tenant_without_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MINDHUNTERS_API_TOKEN", raising=False)
    with pytest.raises(SystemExit) as info:
        run(["demo", "--tenant", "acme"])
    assert info.value.code == 2


def test_demo_reports_api_errors_with_exit_status_1(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeMindhunters()
    monkeypatch.setenv("MINDHUNTERS_API_TOKEN", "not-a-known-token")
    with fake.serve() as base_url:
        status, text = run(["demo", "--base-url", base_url])
    assert status == 1
    assert "failed: AuthenticationError" in text
    assert "not-a-known-token" not in text


def test_python_dash_m_runs_the_demo() -> None:
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    env.pop("MINDHUNTERS_API_TOKEN", None)
    result = subprocess.run(
        [sys.executable, "-m", "mindhunters_async", "demo"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "A 500 on POST /call not retried" in result.stdout
    assert result.stderr == ""
