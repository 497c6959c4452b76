"""`python -m mindhunters_async doctor`: the errors page's quick diagnostics, run for you.

Checks, in order, each with pass, fail or skip and, on failure, the page's solution:
the token (present, well-formed), the base URL (valid, its host resolving), the
connection (TLS for https), a simple authenticated GET (`GET /calls?per_page=1`), the
reply's envelope, the latency, the rate-limit headroom (when the server sends
`X-RateLimit-*`), and the local clock against the server's `Date`. A check that
cannot run because an earlier one failed is skipped. `--fake` runs them against the
built-in fake, in process. The token is never printed.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import time
from collections.abc import Awaitable, Callable
from email.utils import parsedate_to_datetime
from typing import Any, Literal, TextIO

import anyio
import attrs
import httpx
from anyio.abc import ByteStream
from anyio.streams.tls import TLSAttribute

from . import _config
from ._client import AsyncMindhunters
from ._exceptions import APIConnectionError, APIError, APIStatusError, ConfigurationError
from ._pipeline import CallNext, Request
from ._settings import _resolve_base_url
from .middleware._auth import check_token

__all__ = ["Check", "add_parser", "diagnose", "run"]

Status = Literal["pass", "fail", "skip"]

# The errors page's solutions, by what went wrong.
SOLUTIONS = {
    "MISSING_AUTH_TOKEN": "Include the Authorization: Bearer YOUR_API_TOKEN header in your"
    f" request: pass --api-token or set {_config.ENV_API_TOKEN}.",
    "INVALID_AUTH_TOKEN": "Verify your API token is correct and hasn't been revoked."
    " Generate a new token if necessary.",
    "FORBIDDEN": "Ensure your API token has the necessary permissions. Contact your"
    " workspace admin.",
    "ENDPOINT_NOT_FOUND": "Check the endpoint URL and HTTP method. Verify you're using the"
    " correct API version (the base URL ends in /api/v1).",
    "RATE_LIMIT_EXCEEDED": "Implement exponential backoff and retry logic. Wait for the time"
    " specified in retryAfter (seconds).",
    "INTERNAL_SERVER_ERROR": "This is a temporary server error. Retry the request. If the error"
    " persists, contact support@mindhunters.ai with the request details.",
    "SERVICE_UNAVAILABLE": "Wait a few minutes and retry. Check the Mindhunters status page"
    " for ongoing incidents.",
    "tenant": "Verify you're using the correct tenant in your base URL"
    " (https://<tenant>.mindhunters.ai/api/v1).",
    "network": "Inconsistent errors: network instability. Check your network connection"
    " (proxy, firewall), then retry.",
    "timeout": "Timeout errors: slow network or server overload. Implement retry logic with"
    " exponential backoff.",
    "envelope": "Check that the base URL points at the Mindhunters API (.../api/v1) and not"
    " at a proxy or a web page.",
    "clock": "Set the machine's clock (enable NTP): Retry-After dates and signed webhooks"
    " depend on it.",
}
LATENCY_LIMIT_MS = 2000.0
HEADROOM_MIN = 0.1
CLOCK_SKEW_LIMIT_S = 60.0


@attrs.frozen
class Check:
    """One diagnostic: its name, pass/fail/skip, what was found, and what to do."""

    name: str
    status: Status
    detail: str
    solution: str | None = None


@attrs.define
class _Reply:
    response: httpx.Response | None = None


async def diagnose(
    *,
    api_token: str | None,
    tenant: str | None,
    base_url: str | None,
    fake: bool = False,
    seconds: float = 10.0,
) -> list[Check]:
    """Run every check, in order, and return them (`seconds`: the limit of each)."""
    checks: list[Check] = []
    token = _check_token(checks, api_token, fake)
    url = _check_base_url(checks, tenant, base_url, fake)
    reachable = url is not None and await _check_network(checks, url, fake, seconds)
    if token is None or not reachable:
        reason = "the token is missing or malformed" if reachable else "the API is not reachable"
        for name in ("GET /calls", "envelope", "latency", "rate limit", "clock"):
            checks.append(Check(name, "skip", f"not run: {reason}"))
        return checks
    assert url is not None
    await _check_api(checks, token, url, fake, seconds)
    return checks


def _check_token(checks: list[Check], api_token: str | None, fake: bool) -> str | None:
    source = "--api-token"
    if api_token is None and fake:
        # The in-process fake knows only its own token: the environment's is for a
        # real tenant, and would make every --fake run fail with a 401.
        from .testing import FakeMindhunters

        api_token, source = FakeMindhunters.DEFAULT_TOKEN, "the fake's default"
    if api_token is None:
        api_token, source = os.environ.get(_config.ENV_API_TOKEN), _config.ENV_API_TOKEN
    if not api_token:
        checks.append(Check("token", "fail", "no API token", SOLUTIONS["MISSING_AUTH_TOKEN"]))
        return None
    problem = None
    try:
        token = check_token(api_token, "api_token is")
    except ConfigurationError as exc:
        problem = exc.message
    else:
        if token.lower().startswith("bearer "):
            problem = "it starts with 'Bearer ': give the token alone, the SDK adds the scheme"
        elif token[0] in "'\"" or token[-1] in "'\"":
            problem = "it is wrapped in quotes"
        elif any(c.isspace() for c in token):
            problem = "it contains spaces"
    if problem is not None:
        checks.append(
            Check("token", "fail", f"malformed: {problem}", SOLUTIONS["INVALID_AUTH_TOKEN"])
        )
        return None
    checks.append(Check("token", "pass", f"present ({len(token)} characters, from {source})"))
    return token


def _check_base_url(
    checks: list[Check], tenant: str | None, base_url: str | None, fake: bool
) -> str | None:
    if fake:
        from .testing import FakeMindhunters

        url = FakeMindhunters.DEFAULT_BASE_URL
        checks.append(Check("base URL", "pass", f"{url} (the built-in fake, in process)"))
        return url
    try:
        url = _resolve_base_url(tenant, base_url)
    except ConfigurationError as exc:
        checks.append(Check("base URL", "fail", exc.message, SOLUTIONS["tenant"]))
        return None
    checks.append(Check("base URL", "pass", url))
    return url


async def _check_network(checks: list[Check], url: str, fake: bool, seconds: float) -> bool:
    tls = url.startswith("https:")
    name = "TLS" if tls else "connection"
    if fake:
        checks.append(Check("DNS", "skip", "the fake runs in process"))
        checks.append(Check(name, "skip", "the fake runs in process"))
        return True
    parsed = httpx.URL(url)
    host, port = parsed.host, parsed.port or (443 if tls else 80)
    try:
        with anyio.fail_after(seconds):
            addresses = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, TimeoutError) as exc:
        checks.append(Check("DNS", "fail", f"{host} does not resolve: {exc}", SOLUTIONS["tenant"]))
        return False
    checks.append(Check("DNS", "pass", f"{host} -> {addresses[0][4][0]}"))
    started = time.perf_counter()
    try:
        with anyio.fail_after(seconds):
            stream: ByteStream
            if tls:
                # httpx's context: the same CA store the SDK's requests verify against.
                stream = await anyio.connect_tcp(
                    host, port, tls=True, ssl_context=httpx.create_ssl_context()
                )
            else:
                stream = await anyio.connect_tcp(host, port)
    except TimeoutError:
        checks.append(
            Check(name, "fail", f"{host}:{port}: no answer in {seconds:g} s", SOLUTIONS["timeout"])
        )
        return False
    except OSError as exc:
        checks.append(Check(name, "fail", f"{host}:{port}: {exc}", SOLUTIONS["network"]))
        return False
    elapsed = (time.perf_counter() - started) * 1000
    detail = f"{host}:{port} connected in {elapsed:.0f} ms"
    if tls:
        version = stream.extra(TLSAttribute.tls_version, None)
        detail += f", {version}, certificate verified"
    else:
        detail += " (http: allowed for localhost only, no TLS)"
    await stream.aclose()
    checks.append(Check(name, "pass", detail))
    return True


async def _check_api(checks: list[Check], token: str, url: str, fake: bool, seconds: float) -> None:
    reply = _Reply()

    async def keep_reply(request: Request, call_next: CallNext) -> httpx.Response:
        reply.response = await call_next(request)
        return reply.response

    options: dict[str, Any] = {
        "api_token": token,
        "base_url": url,
        "max_retries": 0,
        "timeout": seconds,
        "middleware": [keep_reply],
    }
    if fake:
        from .testing import FakeMindhunters

        options["transport"] = FakeMindhunters().transport()
    started = time.perf_counter()
    body: Any = None
    failure: Check | None = None
    try:
        async with AsyncMindhunters(**options) as client:
            body = await client.request("GET", "/calls", params={"per_page": 1})
    except APIStatusError as exc:
        code = None if exc.code is None else str(exc.code)
        solution = SOLUTIONS.get(code or "", SOLUTIONS["envelope"])
        failure = Check("GET /calls", "fail", _describe(exc), solution)
    except APIError as exc:
        solution = SOLUTIONS["timeout" if "Timeout" in type(exc).__name__ else "network"]
        failure = Check("GET /calls", "fail", _describe(exc), solution)
    elapsed_ms = (time.perf_counter() - started) * 1000
    response = reply.response
    if failure is not None:
        checks.append(failure)
        for name in ("envelope", "latency", "rate limit", "clock"):
            checks.append(Check(name, "skip", "not run: the GET failed"))
        return
    assert response is not None
    checks.append(Check("GET /calls", "pass", f"{response.status_code} {response.reason_phrase}"))
    checks.append(_envelope(body))
    if elapsed_ms <= LATENCY_LIMIT_MS:
        checks.append(Check("latency", "pass", f"{elapsed_ms:.0f} ms"))
    else:
        checks.append(
            Check(
                "latency",
                "fail",
                f"{elapsed_ms:.0f} ms, over {LATENCY_LIMIT_MS:.0f} ms",
                SOLUTIONS["timeout"],
            )
        )
    checks.append(_headroom(response.headers))
    checks.append(_clock(response.headers))


def _describe(exc: APIError) -> str:
    text = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, APIConnectionError) and exc.__cause__ is not None:
        text += f" ({type(exc.__cause__).__name__})"
    return text


def _envelope(body: Any) -> Check:
    if not isinstance(body, dict):
        problem = "the reply is not a JSON object"
    elif body.get("success") is not True:
        problem = 'no "success": true'
    elif "data" not in body:
        problem = 'no "data"'
    else:
        return Check("envelope", "pass", '{"success": true, "message", "data"} as documented')
    return Check("envelope", "fail", problem, SOLUTIONS["envelope"])


def _headroom(headers: httpx.Headers) -> Check:
    try:
        limit = int(headers["x-ratelimit-limit"])
        remaining = int(headers["x-ratelimit-remaining"])
    except (KeyError, ValueError):
        return Check("rate limit", "skip", "the server sent no X-RateLimit headers")
    detail = f"{remaining} of {limit} requests left in this window"
    if limit > 0 and remaining / limit < HEADROOM_MIN:
        return Check("rate limit", "fail", detail, SOLUTIONS["RATE_LIMIT_EXCEEDED"])
    return Check("rate limit", "pass", detail)


def _clock(headers: httpx.Headers) -> Check:
    date = headers.get("date")
    if date is None:
        return Check("clock", "skip", "the server sent no Date header")
    try:
        server = parsedate_to_datetime(date).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return Check("clock", "skip", f"the server's Date is unreadable: {date!r}")
    skew = time.time() - server
    detail = f"local clock {skew:+.0f} s from the server's"
    if abs(skew) > CLOCK_SKEW_LIMIT_S:
        return Check("clock", "fail", detail, SOLUTIONS["clock"])
    return Check("clock", "pass", detail)


# The command line


def add_parser(commands: Any) -> None:
    """Add the `doctor` subcommand to the CLI's subparsers."""
    doctor = commands.add_parser(
        "doctor", help="check the token, the tenant, the network and the API, and say what to fix"
    )
    doctor.add_argument("--api-token", help=f"the token (default: ${_config.ENV_API_TOKEN})")
    doctor.add_argument("--tenant", help=f"the tenant (default: ${_config.ENV_TENANT})")
    doctor.add_argument("--base-url", help=f"the base URL (default: ${_config.ENV_BASE_URL})")
    doctor.add_argument("--fake", action="store_true", help="check against the built-in fake")
    doctor.add_argument("--timeout", type=float, default=10.0, help="seconds per check")
    doctor.add_argument("--json", action="store_true", help="print the checks as JSON")
    doctor.add_argument("--backend", choices=["asyncio", "trio"], default="asyncio")


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Run the doctor for parsed `args`, print the checks, and return the exit status:
    1 when any check failed, else 0."""
    out = out or sys.stdout
    runner: Callable[[], Awaitable[list[Check]]] = lambda: diagnose(  # noqa: E731
        api_token=args.api_token,
        tenant=args.tenant,
        base_url=args.base_url,
        fake=args.fake,
        seconds=args.timeout,
    )
    checks = anyio.run(runner, backend=args.backend)
    failed = [c for c in checks if c.status == "fail"]
    if args.json:
        report = {"ok": not failed, "checks": [attrs.asdict(c) for c in checks]}
        print(json.dumps(report, indent=2), file=out)
    else:
        print("Mindhunters doctor", file=out)
        for check in checks:
            print(f"  {check.status.upper():4}  {check.name:<11} {check.detail}", file=out)
            if check.solution:
                print(f"{'':19}-> {check.solution}", file=out)
        verdict = f"{len(failed)} check(s) failed." if failed else "All checks passed."
        print(verdict, file=out)
    return 1 if failed else 0


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    """`python -m mindhunters_async doctor ...` without the rest of the CLI (for tests)."""
    parser = argparse.ArgumentParser(prog="python -m mindhunters_async")
    add_parser(parser.add_subparsers(dest="command", required=True))
    return run(parser.parse_args(argv), out)
