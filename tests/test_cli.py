"""What every `tieline` command shares: where the data comes from, exit codes, JSON, output width.

In-process through CliRunner where only the output matters; as a real process (`python cli.py`)
where the exit status, the streams or the terminal width are the point.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import SMALL, write_fact_set
from graph import render

REPO = Path(__file__).resolve().parents[1]
ZEL = "volodymyr-zelenskyy"
ANSI = re.compile(r"\x1b\[")


def run_process(*args: str | Path, columns: int = 80, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    """Run `python cli.py ARGS` as a separate process with piped output and an 80-column terminal."""
    env = {**os.environ, "COLUMNS": str(columns), "PYTHONIOENCODING": "utf-8"}
    env.pop("TIELINE_DATA", None)
    return subprocess.run([sys.executable, str(REPO / "cli.py"), *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=60)


def too_wide(text: str, width: int = 80) -> list[str]:
    """The lines of ``text`` longer than ``width`` characters."""
    return [line for line in text.splitlines() if len(line) > width]


# --- version and where the data comes from --------------------------------------------------------

def test_version(invoke: Callable[..., Any]) -> None:
    from graph import __version__

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert __version__ == project["version"]
    result = invoke("--version")
    assert (result.exit_code, result.stdout) == (0, f"tieline {__version__}\n")


def test_no_command_shows_help(invoke: Callable[..., Any]) -> None:
    result = invoke()
    assert result.exit_code == 2
    assert "Usage: tieline [OPTIONS] COMMAND [ARGS]..." in result.output
    for command in ("validate", "stats", "search", "show", "neighbours", "path", "export", "build"):
        assert f"│ {command} " in result.output


def entities_in(result: Any) -> int:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["entities"]


def test_data_option(invoke: Callable[..., Any]) -> None:
    assert entities_in(invoke("stats", "--json", "--data", SMALL)) == 15
    assert entities_in(invoke("stats", "--json", "-d", SMALL)) == 15


def test_data_from_environment(invoke: Callable[..., Any], fact_set: Callable[..., Path]) -> None:
    assert entities_in(invoke("stats", "--json", env={"TIELINE_DATA": str(SMALL)})) == 15
    # --data wins over the environment
    bigger = fact_set({"entities/extra.yaml": "entities:\n  - id: extra\n    type: person\n    name: Extra\n"})
    assert entities_in(invoke("stats", "--json", "--data", bigger, env={"TIELINE_DATA": str(SMALL)})) == 16


def test_data_defaults_to_data_in_the_working_folder(invoke: Callable[..., Any], small_data: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(small_data.parent)
    assert small_data.name == "data"
    result = invoke("validate")
    assert result.stdout == "data/ is valid: 15 entities, 16 facts, 3 sources\n"


def test_no_cache_gives_the_same_answer(invoke: Callable[..., Any], _private_cache: Path) -> None:
    cached = [invoke("show", ZEL, "--json", "--data", SMALL).stdout for _ in range(2)]
    fresh = invoke("show", ZEL, "--json", "--data", SMALL, "--no-cache").stdout
    assert cached[0] == cached[1] == fresh
    assert json.loads(fresh)["entity"]["id"] == ZEL
    assert list(_private_cache.iterdir()), "the cache is written to TIELINE_CACHE_DIR"


def test_an_edit_is_seen_at_once(invoke: Callable[..., Any], small_data: Path) -> None:
    assert entities_in(invoke("stats", "--json", "--data", small_data)) == 15
    people = small_data / "entities" / "people.yaml"
    people.write_text(people.read_text(encoding="utf-8").replace("name: Ida Isolde", "name: Ida Isolda"),
                      encoding="utf-8")
    result = invoke("show", "ida-isolde", "--json", "--data", small_data)
    assert json.loads(result.stdout)["entity"]["name"] == "Ida Isolda"


# --- invalid data: exit 3, for every command ------------------------------------------------------

BROKEN = {"facts/bad.yaml": "facts:\n  - subject: anna-kowalska\n    relation: member\n    object: trade-council\n"
                            "    sources: [gazeta-2025-01-15]\n    certainty: confirmed\n"}
PROBLEM = ("data/facts/bad.yaml:3:15: unknown relation 'member' (did you mean 'member_of'?); if it is new, "
           "declare it under 'relations:' in schema.yaml (label, inverse, subject, object)")


@pytest.mark.parametrize("args", [
    ("stats",), ("search", "anna"), ("show", ZEL), ("neighbours", ZEL), ("neighbors", ZEL),
    ("path", ZEL, "spain"), ("stats", "--json"), ("search", "anna", "--json"), ("show", ZEL, "--json"),
    ("neighbours", ZEL, "--json"), ("path", ZEL, "spain", "--json"),
], ids=" ".join)
def test_invalid_data_exits_3_for_every_query(invoke: Callable[..., Any], fact_set: Callable[..., Path],
                                              monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]) -> None:
    monkeypatch.chdir(fact_set(BROKEN).parent)
    result = invoke(*args, "--data", "data")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr == f"{PROBLEM}\ntieline: 1 problem in data/ (nothing was written)\n"


def test_invalid_data_exits_3_for_validate(invoke: Callable[..., Any], fact_set: Callable[..., Path],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(fact_set(BROKEN).parent)
    result = invoke("validate", "--data", "data")
    assert (result.exit_code, result.stdout, result.stderr) == (3, "", f"{PROBLEM}\ntieline: 1 problem in data/\n")


@pytest.mark.parametrize("args", [
    ("export", "json", "--out", "out.json"), ("export", "html", "--out", "out.html"),
    ("export", "graphml", "--out", "out.graphml"), ("export", "gexf", "--out", "out.gexf"),
    ("export", "csv", "--out", "out"), ("build", "--out-dir", "out"),
], ids=" ".join)
def test_invalid_data_exits_3_and_writes_nothing(invoke: Callable[..., Any], fact_set: Callable[..., Path],
                                                 monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]) -> None:
    folder = fact_set(BROKEN).parent
    monkeypatch.chdir(folder)
    result = invoke(*args, "--data", "data")
    assert (result.exit_code, result.stdout) == (3, "")
    assert result.stderr == f"{PROBLEM}\ntieline: 1 problem in data/ (nothing was written)\n"
    assert sorted(p.name for p in folder.iterdir()) == ["data"]


# --- usage errors ---------------------------------------------------------------------------------

def test_bad_option_value_is_a_usage_error(invoke: Callable[..., Any]) -> None:
    result = invoke("neighbours", ZEL, "--depth", "0", "--data", SMALL)
    assert (result.exit_code, result.stdout) == (2, "")
    assert "Invalid value for '--depth' / '-n': 0 is not in the range x>=1." in result.stderr


def test_unknown_via_type_is_a_usage_error(invoke: Callable[..., Any]) -> None:
    result = invoke("path", ZEL, "spain", "--via-type", "events", "--data", SMALL)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == ("tieline: unknown entity type 'events' (did you mean 'event'?); "
                             "known: person, institution, country, event\n")


# --- real processes: exit status, streams, width --------------------------------------------------

def test_process_exit_statuses_and_clean_stderr() -> None:
    found = run_process("path", "Zelenskyy", "Boris Petrov", "--data", SMALL)
    assert (found.returncode, found.stderr) == (0, "")
    assert found.stdout.splitlines()[0] == "Volodymyr Zelenskyy → Boris Petrov: 4 hops"
    none = run_process("path", "Zelenskyy", "Clara Núñez", "--data", SMALL)
    assert (none.returncode, none.stdout) == (1, "")
    assert none.stderr == "tieline: no path from Volodymyr Zelenskyy to Clara Núñez\n"
    ambiguous = run_process("show", "boris", "--json", "--data", SMALL)
    assert (ambiguous.returncode, ambiguous.stdout) == (2, "")
    assert ambiguous.stderr.splitlines()[0] == "tieline: 'boris' matches 2 entities; say which:"
    assert "Traceback" not in found.stderr + none.stderr + ambiguous.stderr


def test_process_invalid_data(tmp_path: Path, fact_set: Callable[..., Path]) -> None:
    fact_set(BROKEN)
    result = run_process("stats", "--data", "data", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (3, "")
    assert result.stderr == f"{PROBLEM}\ntieline: 1 problem in data/ (nothing was written)\n"


def test_console_script(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "tieline"
    if not script.exists():
        pytest.skip("tieline is not installed next to this Python (run `make venv`)")
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    from graph import __version__

    assert (result.returncode, result.stdout, result.stderr) == (0, f"tieline {__version__}\n", "")


BOX_DRAWING = re.compile("[\u2500-\u257f]")


@pytest.mark.parametrize("args", [
    ("path", "Ukraine", "Spain", "--all"),
    ("path", "Zelenskyy", "Madrid Forum", "--all"),
    ("stats",),
    ("show", "Zelenskyy"),
    ("neighbours", "Zelenskyy", "--depth", "3"),
    ("search", "o"),
], ids=" ".join)
def test_piped_output_is_plain_rows_without_escape_codes(args: tuple[str, ...]) -> None:
    """Piped, tables are a header line and tab-separated rows: no box drawing, no escape codes."""
    result = run_process(*args, "--data", SMALL)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.count("\n") >= 3
    assert not ANSI.search(result.stdout) and not BOX_DRAWING.search(result.stdout)
    assert "…" not in result.stdout


LONG = {"entities/places.yaml": (SMALL / "entities" / "places.yaml").read_text(encoding="utf-8").replace(
    "name: Kyiv Summit", "name: The Kyiv Summit on Security and Reconstruction (January 2025)")}


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Print as at an 80-column terminal (CliRunner's stdout is not one): rich tables, wrapped lines."""
    monkeypatch.setattr(render, "is_plain", lambda: False)
    monkeypatch.setenv("COLUMNS", "80")


def test_path_output_wraps_long_names_in_80_columns_at_a_terminal(invoke: Callable[..., Any],
                                                                  fact_set: Callable[..., Path],
                                                                  terminal: None) -> None:
    data = fact_set(LONG)
    result = invoke("path", "Zelenskyy", "Boris Ivanov", "--data", data)
    assert result.exit_code == 0
    assert "Security and" in result.stdout
    assert too_wide(result.stdout) == []


def test_tables_wrap_long_names_in_80_columns_at_a_terminal(invoke: Callable[..., Any],
                                                            fact_set: Callable[..., Path], terminal: None) -> None:
    data = fact_set(LONG)
    for args in (("show", "Zelenskyy"), ("neighbours", "Zelenskyy"), ("stats",), ("search", "kyiv")):
        result = invoke(*args, "--data", data)
        assert result.exit_code == 0, args
        assert "Reconstruction" in result.stdout
        assert too_wide(result.stdout) == [], args
        assert BOX_DRAWING.search(result.stdout), args


def test_plain_rows_keep_long_names_whole(invoke: Callable[..., Any], fact_set: Callable[..., Path]) -> None:
    """Not at a terminal, a long name is on one line, whole, in its column."""
    data = fact_set(LONG)
    for args in (("neighbours", "Zelenskyy"), ("search", "kyiv")):
        result = invoke(*args, "--data", data)
        row = next(line for line in result.stdout.splitlines() if "Reconstruction" in line)
        assert "The Kyiv Summit on Security and Reconstruction (January 2025)" in row.split("\t"), args


def test_untrusted_text_is_printed_as_text(invoke: Callable[..., Any], fact_set: Callable[..., Path]) -> None:
    """Rich markup in the data ([bold], [/]) is shown literally, not interpreted or dropped."""
    people = (SMALL / "entities" / "people.yaml").read_text(encoding="utf-8")
    data = fact_set({"entities/people.yaml": people.replace(
        "description: Known to no one in this fact set.", "description: '[bold red]not bold[/] <b>&amp;'")})
    result = invoke("show", "ida-isolde", "--data", data)
    assert "  description: [bold red]not bold[/] <b>&amp;\n" in result.stdout


# --- JSON shapes ----------------------------------------------------------------------------------

def dicts_in(value: Any) -> Iterator[dict[str, Any]]:
    """Every mapping nested anywhere in a parsed JSON value."""
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from dicts_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from dicts_in(item)


FACT_KEYS = {"id", "subject", "relation", "object", "wording", "symmetric", "certainty", "start", "end", "quote",
             "sources", "note", "file", "line", "when", "undated"}


@pytest.mark.parametrize(("args", "top_keys"), [
    (("stats",), ["dataset", "entities", "facts", "sources", "entity_types", "relations", "certainty",
                  "facts_without_quote", "components", "largest_component", "isolated", "most_connected",
                  "first_date", "last_date", "undated_facts"]),
    (("search", "boris"), ["query", "results"]),
    (("show", "Zelenskyy"), ["entity", "country", "degree", "facts"]),
    (("neighbours", "Zelenskyy", "-n", "2"), ["entity", "depth", "direction", "neighbours", "total"]),
    (("path", "Ukraine", "Spain", "--all"), ["from", "to", "paths"]),
    (("validate",), ["valid", "errors", "entities", "facts", "sources"]),
], ids=lambda v: " ".join(v) if isinstance(v, tuple) else "")
def test_json_shapes(invoke: Callable[..., Any], args: tuple[str, ...], top_keys: list[str]) -> None:
    result = invoke(*args, "--json", "--data", SMALL)
    assert (result.exit_code, result.stderr) == (0, "")
    out = json.loads(result.stdout)
    assert list(out) == top_keys
    facts = [d for d in dicts_in(out) if "relation" in d and "subject" in d]
    entities = [d for d in dicts_in(out) if "type" in d and "name" in d]
    assert bool(entities) == (args[0] != "validate"), "every answer but validate's names entities"
    for entity in entities:
        assert {"id", "name", "type"} <= set(entity)
        assert isinstance(entity["id"], str) and isinstance(entity["name"], str)
    for fact in facts:
        assert set(fact) >= FACT_KEYS, set(fact) ^ FACT_KEYS
        assert fact["sources"] and all(set(s) == {"id", "title", "publisher", "published", "url"}
                                       for s in fact["sources"])
    if args[0] in ("show", "neighbours", "path"):
        assert facts


@pytest.mark.parametrize(("args", "empty"), [
    (("neighbours", "ida-isolde"), {"neighbours": []}),
    (("search", "qwertyuiop"), {"results": []}),
    (("path", "ida-isolde", "spain"), {"paths": []}),
], ids=lambda v: " ".join(v) if isinstance(v, tuple) else "")
def test_json_no_result_is_still_json_and_exits_1(invoke: Callable[..., Any], args: tuple[str, ...],
                                                  empty: dict[str, Any]) -> None:
    result = invoke(*args, "--json", "--data", SMALL)
    assert result.exit_code == 1
    out = json.loads(result.stdout)
    assert {k: out[k] for k in empty} == empty
    assert result.stderr.startswith("tieline: no ")


@pytest.mark.parametrize("command", [("validate",), ("stats",), ("path", "Zelenskyy", "Boris Ivanov")])
def test_a_file_vanishing_while_it_is_read_is_a_data_error(invoke: Callable[..., Any], small_data: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           command: tuple[str, ...]) -> None:
    """A file deleted between listing and reading: one located line and exit 3, no traceback."""
    import graph.pipeline

    gone = small_data / "facts.yaml"

    def vanished(*args: Any, **kwargs: Any) -> Any:
        raise FileNotFoundError(2, "No such file or directory", str(gone))

    monkeypatch.setattr(graph.pipeline, "_load", vanished)  # after listing the files, while reading them
    result = invoke(*command, "--data", small_data)
    assert result.exit_code == 3
    assert result.stderr.splitlines()[0] == f"{gone}: cannot read: No such file or directory"
    assert result.stdout == ""


def _big_fact_set(folder: Path) -> Path:
    """SMALL plus 3,000 entities with long descriptions: past the 3 MB that shows a progress bar."""
    data = write_fact_set(folder)
    filler = "A description long enough to make this file weigh what a real newsroom file does. " * 13
    lines = ["entities:"] + [f"  - {{id: filler-{n}, type: person, name: Filler Person {n}, "
                             f"description: '{filler}{n}'}}" for n in range(3000)]
    (data / "filler.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert (data / "filler.yaml").stat().st_size > 3_000_000
    return data


def _stderr_on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run the CLI with stderr on a pseudo-terminal (as in an interactive shell); what it showed there."""
    import pty
    import threading

    leader, follower = pty.openpty()
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the terminal closed
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    subprocess.run([sys.executable, str(REPO / "cli.py"), *args], stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=follower, env=env, timeout=300, check=True)
    os.close(follower)
    reader.join(timeout=10)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def test_a_big_load_shows_progress_on_a_terminal_only(tmp_path: Path) -> None:
    data = _big_fact_set(tmp_path / "data")
    env = {**os.environ, "TIELINE_CACHE_DIR": str(tmp_path / "cache"), "COLUMNS": "80"}
    shown = _stderr_on_a_terminal(["validate", "--no-cache", "--data", str(data)], env)
    assert "parsing fact files" in shown
    piped = subprocess.run([sys.executable, str(REPO / "cli.py"), "validate", "--no-cache", "--data", str(data)],
                           capture_output=True, text=True, env=env, timeout=300)
    assert piped.returncode == 0
    assert piped.stderr == ""
    assert piped.stdout == f"{data}/ is valid: 3015 entities, 16 facts, 3 sources\n"
