"""Each rule has one home, and cli.py stays thin: checks anyone can run with grep, kept as tests."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SOURCES = sorted([*(REPO / "graph").rglob("*.py"), REPO / "cli.py", *(REPO / "bench").glob("*.py")])


def places(pattern: str) -> list[str]:
    """``file:line`` of every source line matching ``pattern``."""
    found = []
    for path in SOURCES:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(pattern, line):
                found.append(f"{path.relative_to(REPO).as_posix()}:{number}")
    return found


def test_names_are_normalised_in_one_module() -> None:
    assert {p.split(":")[0] for p in places(r"unicodedata\.normalize\(")} == {"graph/names.py"}


def test_partial_dates_are_parsed_in_one_module() -> None:
    assert {p.split(":")[0] for p in places(r"\\d\{4\}")} <= {"graph/dates.py", "bench/generate.py"}
    assert [p for p in places(r"^PARTIAL_DATE = ") if not p.startswith("graph/dates.py")] == []


def test_cli_is_thin() -> None:
    lines = (REPO / "cli.py").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 400, f"cli.py has {len(lines)} lines; shared machinery belongs in graph/commandline.py"
    computing = [line for line in lines if re.match(r"\s*(import|from) (networkx|yaml|rich)\b", line)]
    assert computing == [], "cli.py parses and calls; it does not compute or format"
