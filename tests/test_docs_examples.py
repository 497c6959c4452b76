"""Every fenced Python block of README.md and docs/ runs, and every public name is documented.

The collector is small and ours (see docs/contributing.md, "Examples that run"):

- It finds each fenced block whose info string is `python` or `py` in README.md and
  docs/**/*.md, at any indentation (inside a list or an admonition too).
- Each block runs against a fresh `FakeMindhunters`, on asyncio and on trio, with a
  prelude of names it may use without defining them: `mh` (the SDK), `client` (an open
  `AsyncMindhunters` bound to the fake, whose retries and `calls.wait` sleeps move the
  fake's `ManualClock` instead of waiting), `fake`, `AGENT_ID` (an agent the fake knows),
  `call_id` and `conversation_id` (a live call of that agent). Top-level `await` works:
  the block runs as the body of a coroutine in the test's event loop. A block without
  `await` runs in a worker thread, so that `anyio.run(main)` works as in a script.
- Every request to any `*.mindhunters.ai` or `*.mihu.ai` host, whatever client made it,
  goes to the same fake (through respx), and the environment holds
  `MINDHUNTERS_API_TOKEN` and `MINDHUNTERS_TENANT`: a block that builds its own
  `mh.AsyncMindhunters(api_token="...", tenant="acme")` runs as written. Any other host
  fails the block (respx refuses unmocked requests): no example touches the network.
- A block that defines `async def test_...(fake_mindhunters, mindhunters_client)`
  gets it called, with a fresh fake and client for the pytest fixtures of those names.
- A block preceded by `<!-- example: typecheck ... -->` (the reason after the word)
  needs what a test cannot give (a real tenant, a running server, a user's own
  module): it is compiled and type-checked with mypy, not run. `<!-- example:
  asyncio-only ... -->` runs on asyncio alone (aiohttp, say). Any other marker fails.
- Every block, run or not, is type-checked with mypy (one run for all, the prelude's
  names declared with their types), so an example whose types no longer fit fails
  even where it cannot run.

pytest-examples was weighed: it runs a block as a module (no top-level `await`, no
event-loop choice), has no notion of a prelude or of type-checking, and pins black.
"""

from __future__ import annotations

import ast
import inspect
import linecache
import os
import re
import subprocess
import sys
import textwrap
import types
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import attrs
import pytest
import respx

import mindhunters_async as mh
from mindhunters_async.testing import FakeMindhunters, ManualClock

ROOT = Path(__file__).resolve().parent.parent
DOC_FILES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`]*)$")
MARKER = re.compile(r"^\s*<!--\s*example:\s*(?P<mode>[\w-]+)\b.*-->\s*$")
MODES = {"run", "typecheck", "asyncio-only"}
API_HOSTS = r"^https://[^/]+\.(mindhunters|mihu)\.ai(:\d+)?/"
QUICKSTART_TOKEN = "..."  # the README's placeholder token, accepted by the fake
AGENT_ID = "550e8400-e29b-41d4-a716-446655440000"  # the docs' agent, known to the fake


@dataclass(frozen=True)
class Block:
    path: Path
    line: int  # of the opening fence, 1-based
    mode: str
    source: str

    @property
    def name(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def collect(path: Path) -> list[Block]:
    """The fenced Python blocks of one Markdown file, with their markers."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        indent, fence = opening["indent"], opening["fence"]
        language = (opening["info"].split() or [""])[0].strip("{}.").lower()
        end = index + 1
        while end < len(lines) and not (
            lines[end].strip().startswith(fence) and not lines[end].strip().strip(fence[0])
        ):
            end += 1
        if language in ("python", "py"):
            body = [
                line[len(indent) :] if line.startswith(indent) else line
                for line in lines[index + 1 : end]
            ]
            previous = next((lines[i] for i in range(index - 1, -1, -1) if lines[i].strip()), "")
            marker = MARKER.match(previous)
            mode = marker["mode"] if marker else "run"
            blocks.append(Block(path, index + 1, mode, textwrap.dedent("\n".join(body)) + "\n"))
        index = end + 1
    return blocks


BLOCKS = [block for path in DOC_FILES for block in collect(path)]
RUNNABLE = [block for block in BLOCKS if block.mode != "typecheck"]


def test_the_docs_have_examples_and_every_marker_is_known() -> None:
    assert len(BLOCKS) > 20, [block.name for block in BLOCKS]
    unknown = [f"{block.name}: {block.mode}" for block in BLOCKS if block.mode not in MODES]
    assert not unknown, "unknown <!-- example: ... --> markers:\n" + "\n".join(unknown)


@pytest.mark.parametrize("block", BLOCKS, ids=lambda block: block.name)
def test_every_block_compiles(block: Block) -> None:
    compile_block(block)


def compile_block(block: Block) -> types.CodeType:
    filename = f"<{block.name}>"
    # Tracebacks then show the example's own lines.
    linecache.cache[filename] = (len(block.source), None, block.source.splitlines(True), filename)
    flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    return compile(block.source, filename, "exec", flags=flags, dont_inherit=True)


# Running


@asynccontextmanager
async def docs_world(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[dict[str, Any]]:
    """The prelude: a fake on a manual clock, a client bound to it, every API host routed."""
    fake = FakeMindhunters(
        clock=ManualClock(),
        tokens={
            FakeMindhunters.DEFAULT_TOKEN: FakeMindhunters.ALL_PERMISSIONS,
            QUICKSTART_TOKEN: FakeMindhunters.ALL_PERMISSIONS,
        },
    )
    fake.add_agent("Ava", agent_id=AGENT_ID)
    call_id = fake.add_call(
        "+14155552671", agent_id=AGENT_ID, direction="outbound", status="in-progress"
    )
    monkeypatch.setenv("MINDHUNTERS_API_TOKEN", FakeMindhunters.DEFAULT_TOKEN)
    monkeypatch.setenv("MINDHUNTERS_TENANT", "acme")
    monkeypatch.delenv("MINDHUNTERS_BASE_URL", raising=False)
    monkeypatch.delenv("MINDHUNTERS_LOG", raising=False)
    with respx.mock(assert_all_called=False) as router:
        router.route(url__regex=API_HOSTS).mock(side_effect=fake.handle)
        async with fake.client(retry=mh.RetryPolicy(sleep=fake.advance)) as client:
            yield {
                "__name__": "__docs_example__",
                "mh": mh,
                "fake": fake,
                "client": client,
                "AGENT_ID": AGENT_ID,
                "call_id": call_id,
                "conversation_id": fake.calls[call_id].conversation_uuid,
            }


@pytest.mark.anyio
@pytest.mark.parametrize("block", RUNNABLE, ids=lambda block: block.name)
async def test_every_example_runs(
    block: Block, anyio_backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if block.mode == "asyncio-only" and anyio_backend != "asyncio":
        pytest.skip("marked asyncio-only")
    code = compile_block(block)
    async with docs_world(monkeypatch) as namespace:
        prelude = namespace["client"]
        try:
            if code.co_flags & inspect.CO_COROUTINE:
                await eval(code, namespace)
            else:
                await anyio.to_thread.run_sync(exec, code, namespace)
            await run_defined_tests(namespace)
        finally:
            # A client the example made and left open (`client = mh.AsyncMindhunters(...)`).
            for value in list(namespace.values()):
                if isinstance(value, mh.AsyncMindhunters) and value is not prelude:
                    await value.aclose()


async def run_defined_tests(namespace: dict[str, Any]) -> None:
    """Call the `test_*` functions a block defined, with the SDK's fixtures by name."""
    for name, function in list(namespace.items()):
        if not (name.startswith("test_") and inspect.isfunction(function)):
            continue
        fake = FakeMindhunters()
        async with fake.client(retry=mh.RetryPolicy(sleep=_no_wait)) as client:
            fixtures = {"fake_mindhunters": fake, "mindhunters_client": client}
            arguments = {p: fixtures[p] for p in inspect.signature(function).parameters}
            result = function(**arguments)
            if inspect.isawaitable(result):
                await result


async def _no_wait(seconds: float) -> None:
    pass


# Type-checking


PRELUDE_TYPES = """\
import mindhunters_async as mh
from mindhunters_async.testing import FakeMindhunters

fake: FakeMindhunters
client: mh.AsyncMindhunters
AGENT_ID: str
call_id: str
conversation_id: str
"""


# A typecheck-only block may import what the tests lack (httpx2, say): not an error there.
TYPECHECK_ONLY = '# mypy: disable-error-code="import-not-found, import-untyped"\n'


def as_module(block: Block) -> tuple[str, int]:
    """The block as a module for mypy, and how many lines come before the block's first."""
    code = compile_block(block)
    header = (TYPECHECK_ONLY if block.mode == "typecheck" else "") + PRELUDE_TYPES
    if not code.co_flags & inspect.CO_COROUTINE:
        return header + block.source, header.count("\n")
    header += "\n\nasync def __example() -> None:\n"
    return header + textwrap.indent(block.source, "    "), header.count("\n")


@pytest.fixture(scope="module")
def mypy_errors(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """One mypy run over every block; its errors by block name, at the docs' line numbers."""
    folder = tmp_path_factory.mktemp("docs_examples")
    files: dict[str, tuple[Block, int]] = {}
    for number, block in enumerate(BLOCKS):
        try:
            module, offset = as_module(block)
        except SyntaxError:
            continue  # test_every_block_compiles says where
        filename = f"example_{number}.py"
        (folder / filename).write_text(module, encoding="utf-8")
        files[filename] = (block, offset)
    command = [
        sys.executable,
        "-m",
        "mypy",
        "--config-file=",
        "--python-version=3.10",
        "--check-untyped-defs",
        "--no-error-summary",
        "--hide-error-context",
        "--no-color-output",
        f"--cache-dir={ROOT / '.mypy_cache' / 'docs-examples'}",
        *files,
    ]
    env = {**os.environ, "MYPYPATH": ""}
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, env=env)
    found: dict[str, list[str]] = {}
    for line in done.stdout.splitlines():
        filename, _, rest = line.partition(":")
        number, _, message = rest.partition(":")
        if filename not in files or not number.isdigit():
            continue
        block, offset = files[filename]
        where = block.line + int(number) - offset
        found.setdefault(block.name, []).append(f"{block.path.name}:{where}:{message}")
    assert done.returncode in (0, 1), done.stdout + done.stderr
    return found


@pytest.mark.parametrize("block", BLOCKS, ids=lambda block: block.name)
def test_every_example_type_checks(block: Block, mypy_errors: dict[str, list[str]]) -> None:
    if errors := mypy_errors.get(block.name):
        pytest.fail("mypy:\n" + "\n".join(errors), pytrace=False)


# Docstrings


def public_names() -> Iterator[tuple[str, object]]:
    """Every public name a user reaches: the package's `__all__`s, and what hangs off them."""
    import mindhunters_async._resources as resources
    import mindhunters_async.integrations as integrations
    import mindhunters_async.integrations.aiohttp as aiohttp_integration
    import mindhunters_async.integrations.fastapi as fastapi_integration
    import mindhunters_async.testing as testing

    modules = [mh, mh.middleware, mh.webhooks, testing, resources, integrations]
    modules += [fastapi_integration, aiohttp_integration]
    for module in modules:
        for name in getattr(module, "__all__", ()):
            value = getattr(module, name)
            if isinstance(value, types.ModuleType) or name.startswith("__"):
                continue
            yield f"{module.__name__}.{name}", value
            if inspect.isclass(value):
                yield from _members(f"{module.__name__}.{name}", value)


def _members(prefix: str, cls: type) -> Iterator[tuple[str, object]]:
    fields = {field.name for field in attrs.fields(cls)} if attrs.has(cls) else set()
    for name, value in vars(cls).items():
        if name.startswith("_") or name in fields:
            continue
        function = getattr(value, "__func__", value)
        function = getattr(function, "fget", function)  # a property
        function = getattr(function, "func", function)  # a cached_property
        if inspect.isfunction(function):
            yield f"{prefix}.{name}", function


def _documented(value: object) -> bool:
    # Its own docstring: `inspect.getdoc` would fall back to a base class's.
    doc = value.__doc__
    return bool(doc and doc.strip())


def test_every_public_name_has_a_docstring() -> None:
    missing = sorted(
        name
        for name, value in public_names()
        if (inspect.isclass(value) or inspect.isfunction(value)) and not _documented(value)
    )
    assert not missing, "public names without a docstring:\n" + "\n".join(missing)
