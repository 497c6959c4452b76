"""`python -m mindhunters_async dial leads.csv ...`, against the built-in fake."""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from support import RecordingSleep

from mindhunters_async._demo import main

GOOD = ["+14155550001", "+14155550002", "+14155550003"]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def leads(tmp_path: Path) -> Path:
    path = tmp_path / "leads.csv"
    rows = ["number,about,key", f"{GOOD[0]},Asked for a demo,c1", f"{GOOD[1]},,c2", f"{GOOD[2]},,"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def dial(*argv: str, out: io.StringIO | None = None) -> tuple[int, str]:
    out = out or io.StringIO()
    status = main(["dial", *argv, "--fake"], out=out, sleep=RecordingSleep())
    return status, out.getvalue()


def states(journal: Path) -> dict[str, str]:
    with sqlite3.connect(journal) as db:
        rows = dict(db.execute("SELECT key, state FROM mindhunters_dial").fetchall())
    db.close()
    return rows


def test_a_list_is_dialed_once_and_the_second_run_skips_it(leads: Path, tmp_path: Path) -> None:
    journal = tmp_path / "dial.db"
    status, text = dial(str(leads), "--journal", str(journal), "--json")
    assert status == 0
    lines = [json.loads(line) for line in text.splitlines()]
    assert [line["status"] for line in lines[:-1]] == ["placed"] * 3
    # The key column wins; a row without one is keyed by its number.
    assert {line["key"] for line in lines[:-1]} == {"c1", "c2", GOOD[2]}
    assert lines[-1]["summary"] == {
        "placed": 3,
        "refused": 0,
        "failed": 0,
        "skipped": 0,
        "unknown": 0,
    }
    assert states(journal) == {"c1": "placed", "c2": "placed", GOOD[2]: "placed"}

    status, text = dial(str(leads), "--journal", str(journal), "--concurrency", "2")
    assert status == 0
    assert "3 leads in" in text
    assert "3 skipped" in text


def test_a_bad_lead_makes_the_exit_status_non_zero(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text(f"number\n{GOOD[0]}\n0415 555 000\n\n", encoding="utf-8")
    status, text = dial(str(path), "--journal", str(tmp_path / "dial.db"))
    assert status == 1
    assert "refused  0415 555 000: refused before sending" in text
    assert "1 placed, 1 refused" in text
    assert "need attention" in text


def test_a_terminal_gets_a_progress_line_with_the_counts(leads: Path, tmp_path: Path) -> None:
    out = Terminal()
    status, text = dial(str(leads), "--journal", str(tmp_path / "dial.db"), out=out)
    assert status == 0
    progress = text.split("\r")[-1].splitlines()[0]
    assert progress.startswith("[" + "#" * 24 + "] 3/3")
    assert "placed 3  failed 0  skipped 0  unknown 0" in progress


@pytest.mark.parametrize(
    ("content", "message"),
    [("name\nAda\n", "no 'number' column"), (None, "No such file")],
)
def test_an_unreadable_csv_is_said_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    path = tmp_path / "leads.csv"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    status, _ = dial(str(path), "--journal", str(tmp_path / "dial.db"))
    assert status == 2
    assert message in capsys.readouterr().err


def test_the_real_api_needs_an_agent_and_a_token(
    leads: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MINDHUNTERS_API_TOKEN", raising=False)
    assert main(["dial", str(leads), "--tenant", "acme"]) == 2
    assert "--agent-id is required" in capsys.readouterr().err
    agent = "550e8400-e29b-41d4-a716-446655440000"
    assert main(["dial", str(leads), "--tenant", "acme", "--agent-id", agent]) == 2
    assert "MINDHUNTERS_API_TOKEN" in capsys.readouterr().err


def test_it_runs_as_a_module_on_trio(leads: Path, tmp_path: Path) -> None:
    journal = tmp_path / "dial.db"
    command = [sys.executable, "-m", "mindhunters_async", "dial", str(leads)]
    command += ["--fake", "--journal", str(journal), "--backend", "trio", "--json"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1])["summary"]["placed"] == 3
    assert states(journal) == {"c1": "placed", "c2": "placed", GOOD[2]: "placed"}


def test_a_fake_run_never_touches_the_default_journal(
    leads: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The fake forgets its calls: its run must leave nothing in ./dial.db, where a real
    # run would later read every lead as "placed in an earlier run".
    monkeypatch.chdir(tmp_path)
    for _ in range(2):
        status, text = dial(str(leads))
        assert status == 0
        assert "3 placed, 0 refused" in text  # both runs dial: each its own journal
    assert not (tmp_path / "dial.db").exists()
