"""`python -m mindhunters_async doctor`: the errors page's quick diagnostics.

Against the fake in process, the fake over a real socket on 127.0.0.1, a closed port
on 127.0.0.1 and bad settings; never a real host. Each run goes through the CLI's
`main`, on asyncio and on trio.
"""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys

import pytest

from mindhunters_async._demo import main
from mindhunters_async.testing import FakeMindhunters

BAD_TOKEN = "sk-live-not-a-known-token-1234"
INVALID_TOKEN_SOLUTION = (
    "Verify your API token is correct and hasn't been revoked. Generate a new token if necessary."
)


@pytest.fixture(params=["asyncio", "trio"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(autouse=True)
def no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MINDHUNTERS_API_TOKEN", "MINDHUNTERS_TENANT", "MINDHUNTERS_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


def doctor(backend: str, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    status = main(["doctor", "--backend", backend, *args], out)
    return status, out.getvalue()


def checks(backend: str, *args: str) -> tuple[int, dict[str, dict[str, str | None]]]:
    status, text = doctor(backend, "--json", *args)
    report = json.loads(text)
    assert report["ok"] is (status == 0)
    return status, {c["name"]: c for c in report["checks"]}


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_passes_against_the_fake(backend: str) -> None:
    status, text = doctor(backend, "--fake")
    assert status == 0
    lines = text.splitlines()
    assert lines[0] == "Mindhunters doctor"
    assert "  PASS  token       present (10 characters, from the fake's default)" in lines
    assert "  PASS  GET /calls  200 OK" in lines
    assert any(line.startswith("  PASS  envelope ") for line in lines)
    assert any(line.startswith("  PASS  latency ") for line in lines)
    assert "  PASS  rate limit  999 of 1000 requests left in this window" in lines
    assert lines[-1] == "All checks passed."
    assert "FAIL" not in text
    assert FakeMindhunters.DEFAULT_TOKEN not in text


def test_a_bad_token_fails_with_the_pages_solution(backend: str) -> None:
    status, text = doctor(backend, "--fake", "--api-token", BAD_TOKEN)
    assert status == 1
    assert "  FAIL  GET /calls  AuthenticationError:" in text
    assert "401 INVALID_AUTH_TOKEN" in text
    assert f"-> {INVALID_TOKEN_SOLUTION}" in text
    assert "  SKIP  envelope    not run: the GET failed" in text
    assert text.splitlines()[-1] == "1 check(s) failed."
    assert BAD_TOKEN not in text


def test_the_token_comes_from_the_environment(
    backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MINDHUNTERS_API_TOKEN", BAD_TOKEN)
    with FakeMindhunters().serve() as base_url:
        status, found = checks(backend, "--base-url", base_url)
    assert status == 1
    assert found["token"]["detail"] == "present (30 characters, from MINDHUNTERS_API_TOKEN)"
    assert found["GET /calls"]["status"] == "fail"
    assert found["GET /calls"]["solution"] == INVALID_TOKEN_SOLUTION


def test_the_fake_ignores_a_tenant_token_in_the_environment(
    backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A developer with a real tenant's token exported can still try the doctor.
    monkeypatch.setenv("MINDHUNTERS_API_TOKEN", BAD_TOKEN)
    status, found = checks(backend, "--fake")
    assert status == 0
    assert found["token"]["detail"] == "present (10 characters, from the fake's default)"


def test_an_unreachable_host_fails_the_connection(backend: str) -> None:
    url = f"http://127.0.0.1:{closed_port()}/api/v1"
    status, found = checks(backend, "--base-url", url, "--api-token", BAD_TOKEN)
    assert status == 1
    assert [(name, c["status"]) for name, c in found.items()] == [
        ("token", "pass"),
        ("base URL", "pass"),
        ("DNS", "pass"),
        ("connection", "fail"),
        ("GET /calls", "skip"),
        ("envelope", "skip"),
        ("latency", "skip"),
        ("rate limit", "skip"),
        ("clock", "skip"),
    ]
    assert found["connection"]["solution"] is not None
    assert "network" in found["connection"]["solution"]
    assert found["GET /calls"]["detail"] == "not run: the API is not reachable"


def test_a_missing_or_malformed_token_and_a_bad_tenant(backend: str) -> None:
    url = f"http://127.0.0.1:{closed_port()}/api/v1"
    status, found = checks(backend, "--base-url", url)
    assert status == 1
    assert (found["token"]["status"], found["token"]["detail"]) == ("fail", "no API token")
    assert "MINDHUNTERS_API_TOKEN" in str(found["token"]["solution"])

    status, found = checks(backend, "--fake", "--api-token", f"Bearer {BAD_TOKEN}")
    assert status == 1
    assert "starts with 'Bearer '" in str(found["token"]["detail"])
    assert found["GET /calls"]["status"] == "skip"

    status, found = checks(backend, "--tenant", "Acme_Corp", "--api-token", BAD_TOKEN)
    assert status == 1
    assert found["base URL"]["status"] == "fail"
    assert "Verify you're using the correct tenant" in str(found["base URL"]["solution"])


def test_over_a_socket_every_check_runs(backend: str) -> None:
    fake = FakeMindhunters()
    with fake.serve() as base_url:
        status, found = checks(
            backend, "--base-url", base_url, "--api-token", FakeMindhunters.DEFAULT_TOKEN
        )
    assert status == 0
    assert {name: c["status"] for name, c in found.items()} == {
        "token": "pass",
        "base URL": "pass",
        "DNS": "pass",
        "connection": "pass",
        "GET /calls": "pass",
        "envelope": "pass",
        "latency": "pass",
        "rate limit": "pass",
        "clock": "pass",  # uvicorn sends a Date header
    }
    assert [r.path for r in fake.requests] == ["/calls"]


def test_rate_limit_headroom_fails_when_nearly_spent(backend: str) -> None:
    fake = FakeMindhunters(rate_limit=1)
    with fake.serve() as base_url:
        status, found = checks(
            backend, "--base-url", base_url, "--api-token", FakeMindhunters.DEFAULT_TOKEN
        )
    assert status == 1
    assert found["rate limit"]["status"] == "fail"
    assert found["rate limit"]["detail"] == "0 of 1 requests left in this window"
    assert "exponential backoff" in str(found["rate limit"]["solution"])


def test_python_dash_m_runs_the_doctor() -> None:
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    env.pop("MINDHUNTERS_API_TOKEN", None)
    result = subprocess.run(
        [sys.executable, "-m", "mindhunters_async", "doctor", "--fake"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "All checks passed." in result.stdout
    assert result.stderr == ""
