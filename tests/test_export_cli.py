"""`tieline export …` and `tieline build` as a user runs them: where files land, what stderr says,
focused views, the page-size limit, exit codes. The formats themselves are checked by independent
readers in test_export_*.py and test_html*.py."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

ZEL = "volodymyr-zelenskyy"
SUMMARY = re.compile(r"^tieline: wrote (?P<path>\S+) \((?P<what>[\w]+): (?P<nodes>\d+) entities, "
                     r"(?P<edges>\d+) facts, (?P<bytes>[\d,]+) bytes\)$")


def summary(stderr: str) -> dict[str, str]:
    """The one summary line an export prints on stderr, parsed."""
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    match = SUMMARY.match(lines[0])
    assert match, lines[0]
    return match.groupdict()


def test_exports_land_in_output_by_default(invoke: Callable[..., Any], small_data: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for fmt, name in (("graphml", "graph.graphml"), ("gexf", "graph.gexf"), ("json", "graph.json"),
                      ("html", "graph.html")):
        result = invoke("export", fmt, "--data", small_data)
        assert result.exit_code == 0, result.stderr
        said = summary(result.stderr)
        written = tmp_path / "output" / name
        assert said["path"] == f"output/{name}"
        assert (said["nodes"], said["edges"]) == ("15", "16")
        assert int(said["bytes"].replace(",", "")) == written.stat().st_size
        assert result.stdout == ""
    result = invoke("export", "csv", "--data", small_data)
    assert result.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "output" / "csv").iterdir()) == ["edges.csv", "nodes.csv"]


def test_the_same_data_gives_the_same_bytes(invoke: Callable[..., Any], small_data: Path, tmp_path: Path) -> None:
    for fmt in ("graphml", "gexf", "json", "html"):
        first, second = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
        assert invoke("export", fmt, "--data", small_data, "--out", first).exit_code == 0
        assert invoke("export", fmt, "--data", small_data, "--no-cache", "--out", second).exit_code == 0
        assert first.read_bytes() == second.read_bytes(), fmt


def test_stdout_gets_the_whole_document_and_stderr_the_summary(invoke: Callable[..., Any],
                                                               small_data: Path) -> None:
    result = invoke("export", "json", "--data", small_data, "--out", "-")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert len(document["nodes"]) == 15 and len(document["edges"]) == 16
    assert result.stderr == "tieline: wrote JSON to stdout (15 entities, 16 facts)\n"


def test_a_focused_view_holds_what_lies_within_depth(invoke: Callable[..., Any], small_data: Path,
                                                     tmp_path: Path) -> None:
    out = tmp_path / "focus.graphml"
    result = invoke("export", "graphml", "--data", small_data, "--focus", "Zelenskyy", "--depth", "1",
                    "--out", out)
    assert result.exit_code == 0, result.stderr
    g = nx.read_graphml(out)
    expected = invoke("neighbours", ZEL, "--data", small_data, "--json")
    around = {n["id"] for n in json.loads(expected.stdout)["neighbours"]}
    assert set(g.nodes) == around | {ZEL}
    assert summary(result.stderr)["nodes"] == str(len(around) + 1)


def test_a_path_view_highlights_the_path(invoke: Callable[..., Any], small_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "path.json"
    result = invoke("export", "json", "--data", small_data, "--path", "Zelenskyy", "Boris Ivanov", "--out", out)
    assert result.exit_code == 0, result.stderr
    selection = json.loads(out.read_text(encoding="utf-8"))["graph"]["selection"]
    found = json.loads(invoke("path", ZEL, "boris-ivanov", "--all", "--data", small_data, "--json").stdout)
    on_paths = {hop[end]["id"] for p in found["paths"] for hop in p["hops"] for end in ("from", "to")}
    assert set(selection["path"]) == on_paths
    assert selection["path_edges"]


def test_a_page_too_large_to_read_is_refused_with_a_way_out(invoke: Callable[..., Any], small_data: Path,
                                                            tmp_path: Path) -> None:
    out = tmp_path / "big.html"
    result = invoke("export", "html", "--data", small_data, "--max-nodes", "10", "--out", out)
    assert result.exit_code == 2
    assert "15 nodes, more than the limit of 10" in result.stderr
    assert "--focus" in result.stderr and "--max-nodes" in result.stderr
    assert not out.exists()
    assert invoke("export", "html", "--data", small_data, "--max-nodes", "15", "--out", out).exit_code == 0
    assert out.stat().st_size > 0


def test_view_options_name_real_things(invoke: Callable[..., Any], small_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.graphml"
    unknown = invoke("export", "graphml", "--data", small_data, "--focus", "Nobody At All", "--out", out)
    assert unknown.exit_code == 2 and "no entity matches 'Nobody At All'" in unknown.stderr
    typo = invoke("export", "graphml", "--data", small_data, "--relation", "meet_with", "--out", out)
    assert typo.exit_code == 2 and "did you mean 'met_with'?" in typo.stderr
    assert not out.exists()


def test_an_unwritable_destination_exits_4(invoke: Callable[..., Any], small_data: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = invoke("export", "graphml", "--data", small_data, "--out", blocker / "graph.graphml")
    assert result.exit_code == 4
    assert result.stderr.startswith(f"tieline: cannot write {blocker / 'graph.graphml'}")
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_build_writes_the_page_and_the_graphml(invoke: Callable[..., Any], small_data: Path,
                                               tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = invoke("build", "--data", small_data, "--out-dir", out)
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["graph.graphml", "graph.html"]
    assert nx.read_graphml(out / "graph.graphml").number_of_edges() == 16
    assert result.stdout.splitlines()[0].endswith(": 15 entities, 16 facts, 3 sources, 3 components")
