"""The README's API coverage table is the code's: every operation, its method and path."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import mindhunters_async as mh
import mindhunters_async._resources as resources
from mindhunters_async._pipeline import Endpoint

README = Path(__file__).resolve().parent.parent / "README.md"
ROW = re.compile(r"^\| `(\w+)` \| `([^`]+)` \| `client\.([\w.]+)\(\)` \| (\w+) \|$")


def endpoints() -> list[Endpoint]:
    """Every operation the SDK wraps: the `Endpoint` constants of the resource modules."""
    found = []
    for info in pkgutil.iter_modules(resources.__path__):
        module = importlib.import_module(f"{resources.__name__}.{info.name}")
        found += [value for value in vars(module).values() if isinstance(value, Endpoint)]
    return sorted(found, key=lambda e: e.name)


def readme_rows() -> list[tuple[str, str, str, str]]:
    text = README.read_text()
    section = text.split("## API coverage", 1)[1].split("\n## ", 1)[0]
    return [m.groups() for line in section.splitlines() if (m := ROW.match(line))]  # type: ignore[misc]


def table_row(endpoint: Endpoint) -> str:
    return (
        f"| `{endpoint.method}` | `{endpoint.path}` | `client.{endpoint.name}()` |"
        f" {endpoint.source} |"
    )


def test_the_readme_lists_every_operation_as_the_code_sends_it() -> None:
    expected = [(e.method, e.path, e.name, e.source) for e in endpoints()]
    assert sorted(readme_rows()) == sorted(expected), "\n" + "\n".join(
        table_row(e) for e in endpoints()
    )


def test_every_operation_is_a_method_of_the_client() -> None:
    client = mh.AsyncMindhunters(api_token="t", tenant="acme")
    for endpoint in endpoints():
        target: object = client
        for part in endpoint.name.split("."):
            target = getattr(target, part)
        assert callable(target), endpoint.name
        assert (target.__doc__ or "").strip(), f"{endpoint.name} has no docstring"
        if endpoint.source != "seen":
            # An unsure path says so where a user reads about the method.
            doc = (target.__doc__ or "").lower()
            assert endpoint.source in doc or "inferred" in doc, endpoint.name


def test_no_two_operations_share_a_method_and_path() -> None:
    pairs = [(e.method, e.path) for e in endpoints()]
    assert len(pairs) == len(set(pairs))
