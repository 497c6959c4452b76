"""`python -m mindhunters_async demo`: the SDK's main job, shown end to end.

Without a tenant it runs against the built-in `FakeMindhunters`, in process, and
shows each behaviour the SDK promises in a few lines. With `--tenant` (or
`--base-url`) and `MINDHUNTERS_API_TOKEN` it runs the read-only part against the
real API.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TextIO

import anyio

from . import _config, _dial, _doctor
from ._client import AsyncMindhunters
from ._exceptions import APIError, MindhuntersError, NotFoundError, RequestValidationError
from .middleware import RetryPolicy

__all__ = ["main"]


class _Printer:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.started = time.perf_counter()
        self.timings: list[tuple[str, float]] = []

    def line(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    async def step(self, title: str, body: Callable[[], Awaitable[None]]) -> None:
        self.line(f"\n== {title}")
        started = time.perf_counter()
        await body()
        elapsed = time.perf_counter() - started
        self.timings.append((title, elapsed))
        self.line(f"   ({elapsed * 1000:.1f} ms)")

    def summary(self) -> None:
        self.line("\n== Timings")
        for title, elapsed in self.timings:
            self.line(f"   {elapsed * 1000:9.1f} ms  {title}")
        self.line(f"   {(time.perf_counter() - self.started) * 1000:9.1f} ms  total")


def _announce_retries(printer: _Printer) -> Callable[[int, float, APIError], None]:
    def on_retry(attempt: int, delay: float, error: APIError) -> None:
        printer.line(
            f"   attempt {attempt} failed: {type(error).__name__}; retrying in {delay:.2f} s"
        )

    return on_retry


async def run_fake(
    printer: _Printer, sleep: Callable[[float], Awaitable[object]] = anyio.sleep
) -> None:
    """Every behaviour, against the in-process fake."""
    from .testing import FakeMindhunters, Fault

    fake = FakeMindhunters()
    agent_id = FakeMindhunters.DEFAULT_AGENT_ID
    for index in range(6):
        fake.add_call(f"+1555010{index:04d}", status="completed", duration=30 + index)
    policy = RetryPolicy(on_retry=_announce_retries(printer), sleep=sleep)
    printer.line(f"Against the built-in fake at {FakeMindhunters.DEFAULT_BASE_URL}")

    async with fake.client(retry=policy) as client:

        async def place_and_read() -> None:
            call = await client.calls.create(
                agent_id=agent_id,
                participant={"number": "+14155552671", "about": "Asked for a demo"},
                message={"start": "Hi, this is Ava from Acme."},
            )
            printer.line(f"   placed call {call.id}: status={call.status} at {call.created_at}")
            again = await client.calls.get(call.id)
            printer.line(f"   read back  {again.id}: status={again.status}")

        async def steer_live_call() -> None:
            call = await client.calls.create(
                agent_id=agent_id, participant={"number": "+14155550199"}
            )
            assert call.conversation_uuid is not None
            said = await client.calls.say(call.conversation_uuid, "One moment, please.")
            printer.line(f"   say -> {said.message!r}")
            await client.calls.hangup(call.conversation_uuid)
            ended = await client.calls.get(call.id)
            printer.line(f"   hangup -> the call is now {ended.status}")

        async def agents_contacts_conversations() -> None:
            agent = await client.agents.create(name="Ava", language="en")
            names = [a.name async for a in client.agents.list()]
            printer.line(f"   agent {agent.id[:8]} created; agents: {', '.join(map(str, names))}")
            contact = await client.contacts.create(
                name="Grace Hopper", phone_number="+14155550123", email="grace@example.com"
            )
            printer.line(f"   contact {contact.id[:8]}: {contact.name} {contact.phone_number}")
            # Conversations come from calls; the fake is given one with two messages.
            conversation_id = fake.add_record(
                "conversations",
                agent_uuid=agent.id,
                contact_uuid=contact.id,
                phone="+14155550123",
                channel="call",
                status="completed",
            )
            for sender, text in (("agent", "Hi Grace, this is Ava."), ("contact", "Hello!")):
                fake.add_record(
                    "conversation_messages",
                    conversation_uuid=conversation_id,
                    sender=sender,
                    content=text,
                )
            conversation = await client.conversations.get(conversation_id)
            printer.line(f"   conversation {conversation.id[:8]}: {conversation.status}")
            async for message in client.conversations.messages(conversation_id):
                printer.line(f"     {message.sender}: {message.content}")

        async def list_pages() -> None:
            async for page in client.calls.list(per_page=3).pages():
                ids = ", ".join(c.id[:8] for c in page.items)
                printer.line(
                    f"   page {page.current_page}/{page.last_page}: {len(page.items)} calls"
                    f" ({ids}) of {page.total}"
                )

        async def refuse_bad_number() -> None:
            before = len(fake.requests)
            try:
                await client.calls.create(agent_id=agent_id, participant={"number": "555-0100"})
            except RequestValidationError as err:
                printer.line(f"   refused: {err.field} {err.code}: {err.details}")
            printer.line(f"   requests sent: {len(fake.requests) - before}")

        async def retry_429() -> None:
            fake.fail(Fault.RATE_LIMIT_EXCEEDED, route="GET /calls", retry_after=1)
            page = await client.calls.list(per_page=2)
            printer.line(f"   then succeeded: {len(page.items)} calls")

        async def retry_503() -> None:
            fake.fail(Fault.SERVICE_UNAVAILABLE, times=2, route="POST /call")
            call = await client.calls.create(
                agent_id=agent_id, participant={"number": "+4930123456"}
            )
            keys = {r.idempotency_key for r in fake.requests_to("POST", "/call")[-3:]}
            printer.line(
                f"   then placed {call.id}; one Idempotency-Key on all 3 attempts: {len(keys) == 1}"
            )

        async def not_found() -> None:
            try:
                await client.calls.get(str(uuid.uuid4()))
            except NotFoundError as err:
                printer.line(f"   {type(err).__name__}: code={err.code} details={err.details!r}")

        async def no_retry_on_500() -> None:
            placed = len(fake.requests_to("POST", "/call"))
            fake.fail(Fault.INTERNAL_SERVER_ERROR, route="POST /call")
            try:
                await client.calls.create(
                    agent_id=agent_id, participant={"number": "+442071234567"}
                )
            except APIError as err:
                printer.line(f"   {type(err).__name__} after {err.attempts} attempt(s)")
                printer.line(f"   outcome_unknown={err.outcome_unknown}: {err}")
            sent = len(fake.requests_to("POST", "/call")) - placed
            printer.line(f"   POST /call requests sent: {sent} (a retry could ring someone twice)")

        await printer.step("A call placed and read back", place_and_read)
        await printer.step("Calls listed page by page", list_pages)
        await printer.step("A live call steered: say, then hang up", steer_live_call)
        await printer.step("An agent, a contact and a conversation", agents_contacts_conversations)
        await printer.step("A bad phone number refused before sending", refuse_bad_number)
        await printer.step("A 429 retried after retryAfter", retry_429)
        await printer.step("A 503 retried with backoff and jitter", retry_503)
        await printer.step("A 404 decoded into NotFoundError", not_found)
        await printer.step("A 500 on POST /call not retried", no_retry_on_500)


async def run_real(printer: _Printer, tenant: str | None, base_url: str | None) -> None:
    """The read-only part, against the real API."""
    async with AsyncMindhunters(tenant=tenant, base_url=base_url) as client:
        printer.line(f"Against {client.base_url} (read-only)")

        async def first_page() -> None:
            page = await client.calls.list(per_page=5)
            printer.line(f"   page {page.current_page}/{page.last_page}, {page.total} calls in all")
            for call in page.items:
                printer.line(f"   {call.id} {call.direction} {call.status} {call.created_at}")
            if page.items:
                call = await client.calls.get(page.items[0].id)
                printer.line(f"   read back {call.id}: status={call.status}")

        async def refuse_bad_number() -> None:
            try:
                await client.calls.create(
                    agent_id=str(uuid.uuid4()), participant={"number": "555-0100"}
                )
            except RequestValidationError as err:
                printer.line(f"   refused before sending: {err.field} {err.code}")

        async def not_found() -> None:
            try:
                await client.calls.get(str(uuid.uuid4()))
            except NotFoundError as err:
                printer.line(f"   {type(err).__name__}: {err}")

        await printer.step("Calls listed, one read back", first_page)
        await printer.step("A bad phone number refused before sending", refuse_bad_number)
        await printer.step("A 404 decoded into NotFoundError", not_found)


def main(
    argv: list[str] | None = None,
    out: TextIO | None = None,
    sleep: Callable[[float], Awaitable[object]] = anyio.sleep,
) -> int:
    """Run the CLI and return its exit status (`sleep` is the retry waits' hook, for tests)."""
    parser = argparse.ArgumentParser(prog="python -m mindhunters_async")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="show the SDK's main job end to end")
    demo.add_argument("--tenant", help="run the read-only part against this tenant")
    demo.add_argument("--base-url", help="run the read-only part against this base URL")
    demo.add_argument("--backend", choices=["asyncio", "trio"], default="asyncio")
    _doctor.add_parser(commands)
    _dial.add_parser(commands)
    args = parser.parse_args(argv)
    if args.command == "doctor":
        return _doctor.run(args, out)
    if args.command == "dial":
        return _dial.run(args, out, sleep)

    printer = _Printer(out or sys.stdout)
    real = args.tenant or args.base_url
    if real and not os.environ.get(_config.ENV_API_TOKEN):
        parser.error(f"--tenant and --base-url need the token in {_config.ENV_API_TOKEN}")
    runner: Callable[[], Awaitable[Any]]
    if real:
        runner = lambda: run_real(printer, args.tenant, args.base_url)  # noqa: E731
    else:
        runner = lambda: run_fake(printer, sleep)  # noqa: E731
    try:
        anyio.run(runner, backend=args.backend)
    except MindhuntersError as err:
        printer.line(f"\nfailed: {type(err).__name__}: {err}")
        return 1
    printer.summary()
    return 0
