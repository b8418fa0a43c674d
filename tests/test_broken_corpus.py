"""A corpus of hand-written broken fact folders and the exact problems tieline reports for each.

Each case is a tiny data folder, ``tests/fixtures/broken/<case>/``: a ``schema.yaml`` and the broken
file(s), with ``expected.txt`` holding the exact stderr of ``tieline validate --data .`` run from
inside the case folder (so paths print as ``./facts.yaml``). The files hold exact bytes (tabs, CRLF,
a BOM, Latin-1, UTF-16: see the folder's ``.gitattributes``). To add a case, write the folder, run
the command, read the output line by line, and save it as ``expected.txt`` once it is right.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli import app

__all__: list[str] = []

BROKEN = Path(__file__).resolve().parent / "fixtures" / "broken"
CASES = sorted(p for p in BROKEN.iterdir() if p.is_dir())
LOCATED = re.compile(r"^\S+:\d+(:\d+)?: ")
FOLDER_LEVEL = {"missing-schema", "file-name-trailing-space"}  # problems about a file as a whole carry no line


def run(case: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> Any:
    """``tieline ARGS --data .`` run from inside ``case``; an uncaught exception fails the test."""
    monkeypatch.chdir(case)
    result = CliRunner().invoke(app, [*args, "--data", "."], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def expected_lines(case: Path) -> list[str]:
    return (case / "expected.txt").read_text(encoding="utf-8").splitlines()


def test_the_corpus_has_enough_cases() -> None:
    assert len(CASES) >= 25
    assert all((case / "expected.txt").is_file() for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_validate_prints_exactly_the_expected_problems(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for attempt in ("first run", "second run, cache in place"):
        result = run(case, monkeypatch, "validate")
        assert result.exit_code == 3, attempt
        assert result.stdout == "", attempt
        assert result.stderr.splitlines() == expected_lines(case), attempt


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_every_problem_is_located_and_counted(case: Path) -> None:
    *problems, summary = expected_lines(case)
    assert summary == f"tieline: {len(problems)} problem{'s' if len(problems) != 1 else ''} in ./"
    assert problems == sorted(set(problems), key=problems.index)  # no line twice
    if case.name not in FOLDER_LEVEL:
        assert all(LOCATED.match(line) for line in problems), problems


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_validate_json_lists_the_same_problems_on_a_clean_stdout(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = run(case, monkeypatch, "validate", "--json")
    assert result.exit_code == 3
    report = json.loads(result.stdout)
    assert report["valid"] is False
    *problems, _ = expected_lines(case)
    shown = [f"{e['path']}" + (f":{e['line']}" if e["line"] else "") + (f":{e['column']}" if e["column"] else "")
             + f": {e['message']}" for e in report["errors"]]
    assert shown == problems
    assert result.stderr.splitlines() == expected_lines(case)


@pytest.mark.parametrize("command", [["show", "kirill-dmitriev", "--json"], ["stats", "--json"],
                                     ["path", "kirill-dmitriev", "rdif", "--json"], ["search", "rdif", "--json"],
                                     ["neighbours", "rdif", "--json"]], ids=lambda c: c[0])
@pytest.mark.parametrize("case", [BROKEN / "unclosed-quote", BROKEN / "unknown-references",
                                  BROKEN / "alias-bomb", BROKEN / "not-utf8"], ids=lambda p: p.name)
def test_query_commands_with_json_keep_stdout_empty(case: Path, command: list[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    result = run(case, monkeypatch, *command)
    assert result.exit_code == 3
    assert result.stdout == ""
    *problems, summary = result.stderr.splitlines()
    assert problems == expected_lines(case)[:-1]
    assert summary.startswith(f"tieline: {len(problems)} problem")


@pytest.mark.parametrize("fmt", ["json", "graphml", "gexf", "html", "csv"])
def test_exports_of_broken_data_write_nothing(fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    case = BROKEN / "unknown-references"
    out = tmp_path / f"graph.{fmt}"
    result = run(case, monkeypatch, "export", fmt, "--out", str(out))
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.splitlines()[:-1] == expected_lines(case)[:-1]
    assert list(tmp_path.iterdir()) == []
