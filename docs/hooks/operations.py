"""MkDocs hook: each resource group's reference page gets its operations table from the code.

A page that says `<!-- operations: calls -->` gets, in its place, a table of the
`Endpoint`s of `mindhunters_async/_resources/calls.py`: the method (linked to its
entry below, so a method without one fails `mkdocs build --strict`), the HTTP method
and path, the fields checked before anything is sent, and what the retry layer may
do after a failure. The build fails when a module that declares operations has no
such page, so a new group cannot go undocumented.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from typing import Any

from mkdocs.exceptions import PluginError

import mindhunters_async as mh
import mindhunters_async._resources as resources
from mindhunters_async._pipeline import Endpoint

PLACEHOLDER = re.compile(r"<!--\s*operations:\s*(\w+)\s*-->")
CHECKS = {"validate_uuid": "a UUID", "validate_e164": "E.164"}
_placed: set[str] = set()


def _groups() -> dict[str, list[tuple[Endpoint, Any]]]:
    """The operations of each resource module, with the client method that sends each."""
    client = mh.AsyncMindhunters(api_token="docs", tenant="docs")
    groups: dict[str, list[tuple[Endpoint, Any]]] = {}
    for info in pkgutil.iter_modules(resources.__path__):
        module = importlib.import_module(f"{resources.__name__}.{info.name}")
        for value in vars(module).values():
            if not isinstance(value, Endpoint):
                continue
            target: Any = client
            for part in value.name.split("."):
                target = getattr(target, part)
            groups.setdefault(info.name, []).append((value, target))
    return groups


GROUPS = _groups()


def _checks(endpoint: Endpoint) -> str:
    described = []
    for rule in endpoint.rules:
        kind = CHECKS.get(getattr(rule.check, "__name__", ""), "")
        text = f"`{rule.field}`" + (f" ({kind})" if kind else "")
        if text not in described:
            described.append(text)
    return ", ".join(described) or "none"


def _retried(endpoint: Endpoint) -> str:
    if endpoint.method == "POST":
        return "only if surely not acted on; else `outcome_unknown`"
    return "on every retryable failure"


def _table(group: str) -> str:
    rows = [
        "| method | HTTP | refused before sending when wrong | retried | also raises |",
        "| --- | --- | --- | --- | --- |",
    ]
    for endpoint, method in sorted(GROUPS[group], key=lambda pair: pair[0].name):
        # The class the client hands out, which may inherit the method (agent sections do).
        owner = type(method.__self__)
        anchor = f"{owner.__module__}.{owner.__qualname__}.{method.__name__}"
        hints = "; ".join(f"{status} with a hint: {hint}" for status, _, hint in endpoint.hints)
        rows.append(
            f"| [`client.{endpoint.name}()`][{anchor}] | `{endpoint.method} {endpoint.path}`"
            f" | {_checks(endpoint)} | {_retried(endpoint)} | {hints or '-'} |"
        )
    return "\n".join(rows) + "\n\n" + COMMON_ERRORS


COMMON_ERRORS = """\
Each method raises `RequestValidationError` before sending when a field above is
wrong (nothing is sent), and the typed error of any failure: `AuthenticationError`
(401), `PermissionDeniedError` (403), `NotFoundError` (404), `ConflictError` (409),
`UnprocessableEntityError` (422), `RateLimitError` (429), `ServerError` (5xx),
`APIConnectionError` and `APITimeoutError`, `ResponseDecodeError`. All are
`MindhuntersError`s: see [Errors](../../guides/errors.md) and
[Retries](../../guides/retries.md).
"""


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    def replace(match: re.Match[str]) -> str:
        group = match[1]
        if group not in GROUPS:
            raise PluginError(f"{page.file.src_path}: no resource module {group!r} with operations")
        _placed.add(group)
        return _table(group)

    return PLACEHOLDER.sub(replace, markdown)


def on_post_build(**kwargs: Any) -> None:
    missing = sorted(set(GROUPS) - _placed)
    if missing:
        raise PluginError(f"resource modules without a reference page: {missing}")
