"""`python -m mindhunters_async dial leads.csv ...`: call a list, each person at most once.

The CSV has a `number` column (E.164) and optionally `about` (what the agent should
know) and `key` (your id for the person; the number by default). Every key goes
through `calls.create_many` and its journal, so running the same command again
after a crash, a Ctrl-C or a failure dials only what was not placed. On a terminal a
progress line shows the counts; `--json` prints one JSON object per lead instead,
then a summary. The exit status is 1 when any lead failed, was refused, or is
unknown, else 0.

The progress line is the standard library's: a carriage return and the counts, no
dependency (tqdm or rich would do the same, at the cost of one for every user).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TextIO

import anyio

from . import _config
from ._bulk import DialResult, DialStatus
from ._client import AsyncMindhunters
from ._exceptions import MindhuntersError
from ._journal import Journal, SQLiteJournal
from .middleware import RetryPolicy

__all__ = ["add_parser", "read_leads", "run"]

Sleep = Callable[[float], Awaitable[object]]
_BAR = 24
_SHOWN = (
    DialStatus.PLACED,
    DialStatus.FAILED,
    DialStatus.SKIPPED,
    DialStatus.UNKNOWN,
    DialStatus.REFUSED,
)
_BAD = (DialStatus.FAILED, DialStatus.REFUSED, DialStatus.UNKNOWN)


class LeadsError(ValueError):
    """The CSV cannot be read as leads."""


def add_parser(commands: Any) -> None:
    """Add the `dial` subcommand to the CLI's subparsers."""
    dial = commands.add_parser(
        "dial",
        help="call every number of a CSV at most once, through a journal",
        description="Call every lead of a CSV (columns: number, and optionally about and key)"
        " through the agent, each at most once: the journal remembers every key across runs"
        " and workers. Exit status 1 when any lead failed, was refused or is unknown.",
    )
    dial.add_argument("leads", type=Path, help="the CSV file")
    dial.add_argument("--agent-id", help="the agent that calls (default with --fake: its agent)")
    dial.add_argument(
        "--journal",
        help="a SQLite file (default: dial.db; with --fake, one in memory for the run), or"
        " redis://host:port/db for a RedisJournal",
    )
    dial.add_argument("--namespace", default="mindhunters:dial", help="the RedisJournal's keys")
    dial.add_argument("--concurrency", type=int, default=5, help="calls created at once")
    dial.add_argument("--json", action="store_true", help="print each lead as a JSON line")
    dial.add_argument("--fake", action="store_true", help="dial the built-in fake, in process")
    dial.add_argument("--api-token", help=f"the token (default: ${_config.ENV_API_TOKEN})")
    dial.add_argument("--tenant", help=f"the tenant (default: ${_config.ENV_TENANT})")
    dial.add_argument("--base-url", help=f"the base URL (default: ${_config.ENV_BASE_URL})")
    dial.add_argument("--backend", choices=["asyncio", "trio"], default="asyncio")


def read_leads(path: Path) -> list[tuple[str, dict[str, Any]]]:
    """The leads of a CSV as (key, {"number", "about"?}); `LeadsError` when unreadable."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            columns = [name.strip().lower() for name in reader.fieldnames or ()]
            if "number" not in columns:
                raise LeadsError(f"{path}: no 'number' column (found: {', '.join(columns)})")
            leads = []
            for row in reader:
                row = {str(k).strip().lower(): (v or "").strip() for k, v in row.items() if k}
                if not any(row.values()):
                    continue
                participant = {"number": row["number"]}
                if row.get("about"):
                    participant["about"] = row["about"]
                leads.append((row.get("key") or row["number"], participant))
    except OSError as exc:
        raise LeadsError(f"{path}: {exc.strerror or exc}") from None
    except (csv.Error, UnicodeDecodeError) as exc:
        raise LeadsError(f"{path}: not a readable CSV ({exc})") from None
    return leads


class _Progress:
    """The counts, on one line of a terminal, redrawn as results come."""

    def __init__(self, out: TextIO, total: int, live: bool) -> None:
        self.out = out
        self.total = total
        self.live = live
        self.counts: dict[DialStatus, int] = dict.fromkeys(DialStatus, 0)
        self.started = time.perf_counter()
        self._drawn = 0.0

    def add(self, result: DialResult) -> None:
        self.counts[result.status] += 1
        now = time.perf_counter()
        done = sum(self.counts.values())
        # At most 20 redraws a second: a terminal is slower than the fake.
        if self.live and (now - self._drawn >= 0.05 or done == self.total):
            self._drawn = now
            print("\r" + self.line(), end="", file=self.out, flush=True)

    def line(self) -> str:
        done = sum(self.counts.values())
        filled = _BAR * done // self.total if self.total else _BAR
        counts = "  ".join(
            f"{s.value} {self.counts[s]}"
            for s in _SHOWN
            if self.counts[s] or (s is not DialStatus.REFUSED)
        )
        return f"[{'#' * filled}{'.' * (_BAR - filled)}] {done}/{self.total}  {counts}"

    def end(self) -> None:
        if self.live:
            print(file=self.out, flush=True)


def _journal(args: argparse.Namespace) -> Journal:
    target: str | None = args.journal
    if target is None:
        # The in-process fake forgets its calls when the run ends: a run against it
        # must not leave entries in (or read them from) the real default journal.
        target = ":memory:" if args.fake else "dial.db"
    if target.startswith(("redis://", "rediss://", "unix://")):
        try:
            import redis.asyncio
        except ImportError:
            raise LeadsError(
                "a redis:// journal needs redis-py: pip install 'mindhunters-async[redis]'"
            ) from None
        from ._journal_redis import RedisJournal

        return RedisJournal(redis.asyncio.Redis.from_url(target), namespace=args.namespace)
    return SQLiteJournal(target)


async def _dial(
    args: argparse.Namespace,
    leads: list[tuple[str, dict[str, Any]]],
    out: TextIO,
    sleep: Sleep,
) -> dict[DialStatus, int]:
    policy = RetryPolicy(sleep=sleep)
    agent_id = args.agent_id
    if args.fake:
        from .testing import FakeMindhunters

        fake = FakeMindhunters(call_script=None)
        agent_id = agent_id or FakeMindhunters.DEFAULT_AGENT_ID
        client = fake.client(retry=policy)
    else:
        client = AsyncMindhunters(
            api_token=args.api_token, tenant=args.tenant, base_url=args.base_url, retry=policy
        )
    items = [(key, {"agent_id": agent_id, "participant": who}) for key, who in leads]
    live = not args.json and out.isatty()
    progress = _Progress(out, len(items), live)
    journal = _journal(args)
    try:
        async with client:
            run = client.calls.create_many(
                items, journal=journal, concurrency=args.concurrency, sleep=sleep
            )
            async with run as results:
                async for result in results:
                    progress.add(result)
                    if args.json:
                        print(json.dumps(result.to_json()), file=out, flush=True)
                    elif not live and result.status in _BAD:
                        print(f"{result.status.value:8} {result.key}: {result.reason}", file=out)
    finally:
        progress.end()
        with anyio.CancelScope(shield=True):
            await journal.aclose()
    return progress.counts


def run(args: argparse.Namespace, out: TextIO | None = None, sleep: Sleep = anyio.sleep) -> int:
    """Run `dial` for parsed `args`; return the exit status (1 when any lead went wrong)."""
    out = out or sys.stdout
    if args.concurrency < 1:
        print("dial: --concurrency must be at least 1", file=sys.stderr)
        return 2
    if not args.fake and not args.agent_id:
        print("dial: --agent-id is required (or --fake)", file=sys.stderr)
        return 2
    if not args.fake and not (args.api_token or os.environ.get(_config.ENV_API_TOKEN)):
        print(f"dial: set {_config.ENV_API_TOKEN} or pass --api-token (or --fake)", file=sys.stderr)
        return 2
    try:
        leads = read_leads(args.leads)
        started = time.perf_counter()
        counts = anyio.run(lambda: _dial(args, leads, out, sleep), backend=args.backend)
    except (LeadsError, MindhuntersError) as err:
        print(f"dial: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("dial: interrupted; run the same command again to go on", file=sys.stderr)
        return 130
    elapsed = time.perf_counter() - started
    bad = sum(counts[s] for s in _BAD)
    summary = {s.value: counts[s] for s in DialStatus}
    if args.json:
        print(json.dumps({"summary": summary, "seconds": round(elapsed, 3)}), file=out)
    else:
        text = ", ".join(f"{n} {status}" for status, n in summary.items())
        print(f"{len(leads)} leads in {elapsed:.1f}s: {text}", file=out)
        if bad:
            print(
                f"{bad} lead(s) need attention; run again to retry the failed ones"
                " (unknown ones are never dialed again: check them by hand)",
                file=out,
            )
    return 1 if bad else 0
