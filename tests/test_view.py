"""The view seam as users meet it: --certainty and --min-certainty on every query and export, the
errors of view options, and the registry of export formats (issue: one seam for every view)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from conftest import SMALL

REPO = Path(__file__).resolve().parents[1]

# A square: Ann–Ben is reported, Ben–Cy confirmed, Ann–Dee and Dee–Cy confirmed, Dee–Eve possible.
# Ann to Cy is two hops either way; over confirmed facts only, it must go through Dee.
SQUARE = {
    "schema.yaml": (SMALL / "schema.yaml").read_text(encoding="utf-8").replace(
        "  planned: Announced, not yet happened.\n",
        "  planned: Announced, not yet happened.\n  possible: Described as possible.\n"),
    "facts.yaml": """
        dataset:
          name: Square
        sources:
          - id: s1
            title: The source
        entities:
          - {id: ann, type: person, name: Ann}
          - {id: ben, type: person, name: Ben}
          - {id: cy, type: person, name: Cy}
          - {id: dee, type: person, name: Dee}
          - {id: eve, type: person, name: Eve}
          - {id: lone, type: person, name: Lone}
        facts:
          - {subject: ann, relation: met_with, object: ben, sources: [s1], certainty: reported}
          - {subject: ben, relation: met_with, object: cy, sources: [s1], certainty: confirmed}
          - {subject: ann, relation: met_with, object: dee, sources: [s1], certainty: confirmed}
          - {subject: dee, relation: met_with, object: cy, sources: [s1], certainty: confirmed}
          - {subject: dee, relation: met_with, object: eve, sources: [s1], certainty: possible}
    """,
}


@pytest.fixture
def square(fact_set: Callable[..., Path]) -> Path:
    return fact_set(SQUARE, base=None)


def path_nodes(result: Any) -> list[list[str]]:
    return [[hop["from"]["id"] for hop in p["hops"]] + [p["hops"][-1]["to"]["id"]]
            for p in json.loads(result.stdout)["paths"]]


def test_path_with_min_certainty_goes_over_confirmed_facts_only(invoke: Callable[..., Any], square: Path) -> None:
    everything = invoke("path", "Ann", "Cy", "--all", "--json", "--data", square)
    assert path_nodes(everything) == [["ann", "ben", "cy"], ["ann", "dee", "cy"]]
    confirmed = invoke("path", "Ann", "Cy", "--all", "--json", "--min-certainty", "confirmed", "--data", square)
    assert confirmed.exit_code == 0, confirmed.stderr
    assert path_nodes(confirmed) == [["ann", "dee", "cy"]]
    facts = [f for p in json.loads(confirmed.stdout)["paths"] for h in p["hops"] for f in h["facts"]]
    assert {f["certainty"] for f in facts} == {"confirmed"}


def test_certainty_picks_levels_and_min_certainty_follows_the_schema_order(invoke: Callable[..., Any],
                                                                          square: Path) -> None:
    reported = invoke("path", "Ann", "Cy", "--certainty", "reported", "--data", square)
    assert (reported.exit_code, reported.stdout) == (1, "")
    assert reported.stderr == "tieline: no path from Ann to Cy with these filters\n"
    both = invoke("path", "Ann", "Cy", "--all", "--json", "--certainty", "reported", "--certainty", "confirmed",
                  "--data", square)
    assert len(path_nodes(both)) == 2
    # schema order: confirmed, reported, planned, possible — "reported" keeps the first two
    up_to_reported = invoke("neighbours", "Dee", "--json", "--min-certainty", "reported", "--data", square)
    assert [n["id"] for n in json.loads(up_to_reported.stdout)["neighbours"]] == ["ann", "cy"]
    all_levels = invoke("neighbours", "Dee", "--json", "--min-certainty", "possible", "--data", square)
    assert [n["id"] for n in json.loads(all_levels.stdout)["neighbours"]] == ["ann", "cy", "eve"]
    # both options: the levels named that are also at least as strong as the minimum
    none = invoke("neighbours", "Dee", "--json", "--certainty", "possible", "--min-certainty", "confirmed",
                  "--data", square)
    assert none.exit_code == 1 and json.loads(none.stdout)["neighbours"] == []


def test_show_and_stats_count_only_the_facts_kept(invoke: Callable[..., Any], square: Path) -> None:
    card = json.loads(invoke("show", "Dee", "--json", "--certainty", "confirmed", "--data", square).stdout)
    assert [f["other"]["id"] for f in card["facts"]] == ["ann", "cy"]
    text = invoke("show", "Ben", "--certainty", "possible", "--data", square)
    assert text.exit_code == 0 and "  no facts" in text.stdout  # the entity is still found, with no facts
    stats = json.loads(invoke("stats", "--json", "--min-certainty", "confirmed", "--data", square).stdout)
    assert stats["certainty"] == {"confirmed": 3}
    # a filter shows who its facts join: Eve (possible only) and Lone (no facts) are left out
    assert (stats["facts"], stats["entities"]) == (3, 4)
    def found(*args: str) -> list[str]:
        return [r["id"] for r in json.loads(invoke("search", "Eve", "--json", *args, "--data", square).stdout)["results"]]
    assert "eve" in found() and "eve" not in found("--min-certainty", "confirmed")


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json", "html"])
def test_every_export_takes_the_certainty_filter(invoke: Callable[..., Any], square: Path, tmp_path: Path,
                                                 fmt: str) -> None:
    out = tmp_path / f"graph.{fmt}"
    result = invoke("export", fmt, "--min-certainty", "confirmed", "--data", square, "--out", out)
    assert result.exit_code == 0, result.stderr
    assert "(%s: 4 entities, 3 facts," % {"graphml": "GraphML", "gexf": "GEXF", "json": "JSON",
                                           "html": "HTML"}[fmt] in result.stderr
    if fmt == "graphml":
        g = nx.read_graphml(out)
        assert sorted(g.nodes) == ["ann", "ben", "cy", "dee"]
        assert {d["certainty"] for *_, d in g.edges(data=True)} == {"confirmed"}
    if fmt == "json":
        document = json.loads(out.read_text(encoding="utf-8"))
        assert {e["certainty"] for e in document["edges"]} == {"confirmed"}
        assert document["graph"]["selection"]["certainty"] == ["confirmed"]


def test_csv_export_takes_the_certainty_filter(invoke: Callable[..., Any], square: Path, tmp_path: Path) -> None:
    result = invoke("export", "csv", "--certainty", "reported", "--data", square, "--out", tmp_path / "csv")
    assert result.exit_code == 0, result.stderr
    with open(tmp_path / "csv" / "edges.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r[":START_ID"], r[":END_ID"], r["certainty"]) for r in rows] == [("ann", "ben", "reported")]


@pytest.mark.parametrize(("args", "message"), [
    (("--certainty", "Confirmed"), "unknown certainty level 'Confirmed' (did you mean 'confirmed'?)"),
    (("--min-certainty", "sure"), "unknown certainty level 'sure'"),
    (("--relation", "met_wth"), "unknown relation 'met_wth' (did you mean 'met_with'?)"),
])
def test_unknown_view_values_are_usage_errors_with_a_suggestion(invoke: Callable[..., Any], square: Path,
                                                                args: tuple[str, ...], message: str) -> None:
    for command in (("path", "Ann", "Cy"), ("neighbours", "Ann"), ("show", "Ann"), ("stats",), ("search", "Ann"),
                    ("export", "json", "--out", "-")):
        result = invoke(*command, *args, "--data", square)
        assert (result.exit_code, result.stdout) == (2, ""), command
        assert result.stderr.startswith(f"tieline: {message}"), (command, result.stderr)
        assert "known: confirmed, reported, planned, possible" in result.stderr or "relation" in message


def test_csv_refuses_stdout_and_creates_nothing(invoke: Callable[..., Any], small_data: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("export", "csv", "--out", "-", "--data", small_data)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == ("tieline: --out -: CSV writes 2 files (nodes.csv, edges.csv); give a folder instead\n")
    assert not (tmp_path / "-").exists()


def test_every_registered_format_has_its_command_and_help(invoke: Callable[..., Any]) -> None:
    from graph.export import FORMATS

    listing = invoke("export", "--help").stdout
    for name, fmt in FORMATS.items():
        assert f"│ {name} " in listing
        own = invoke("export", name, "--help")
        assert own.exit_code == 0
        for option in ("--focus", "--depth", "--path", "--type", "--relation", "--certainty", "--min-certainty",
                       "--out", "--data"):
            assert option in own.stdout, (name, option)
        assert fmt.example.split(" --")[0] in own.stdout


def test_a_mistyped_command_is_suggested_once() -> None:
    result = subprocess.run([sys.executable, str(REPO / "cli.py"), "exprt", "x"], capture_output=True, text=True,
                            env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"}, timeout=60)
    assert result.returncode == 2
    assert result.stderr.count("Did you mean 'export'?") == 1


def test_output_errors_exit_4_through_the_one_table(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = subprocess.run([sys.executable, str(REPO / "cli.py"), "build", "--data", str(SMALL), "--no-cache",
                             "--out-dir", str(blocker / "out")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 4, result.stderr
    assert result.stderr.startswith("tieline: ") and "Traceback" not in result.stderr


def test_exit_code_table_covers_every_error_kind() -> None:
    from graph import errors

    kinds = [getattr(errors, name) for name in errors.__all__]
    leaves = [k for k in kinds if isinstance(k, type) and issubclass(k, errors.TielineError)
              and k not in (errors.TielineError, errors.DataError)]
    assert {k for k, _ in errors.EXIT_CODES} == set(leaves)
    assert errors.exit_code(errors.OutputError("x")) == 4


def test_an_empty_view_is_the_graph_itself(small_data: Path) -> None:
    from graph.pipeline import load_compiled
    from graph.view import ViewSpec

    compiled = load_compiled(small_data)
    assert ViewSpec().resolve(compiled).apply(compiled.graph) is compiled.graph
    assert ViewSpec().resolve(compiled).export_graph(compiled.graph) is compiled.graph
