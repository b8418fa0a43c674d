"""Many sources, one graph: claims stated by several sources, stories read together (one folder or
``--data A --data B``), ``--min-sources`` and ``tieline conflicts`` — through the CLI, on the bundled
story and a second story written apart from it (tests/fixtures/stories/riyadh)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli import app
from graph.files import Folders
from graph.pipeline import load_indexed

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "data"
RIYADH = ROOT / "tests" / "fixtures" / "stories" / "riyadh"


def run(*args: Any, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def merged(tmp_path: Path) -> Path:
    """The bundled story with the Riyadh story copied into it, as a sub-folder with its own schema and dataset."""
    folder = tmp_path / "data"
    shutil.copytree(BUNDLED, folder)
    shutil.copytree(RIYADH, folder / "riyadh")
    return folder


BOTH = ("--data", BUNDLED, "--data", RIYADH)


def test_each_story_is_valid_alone_merged_in_one_folder_and_as_two_folders(merged: Path) -> None:
    assert run("validate", "--data", RIYADH, "--no-cache")[0] == 0
    assert run("validate", "--data", BUNDLED, "--no-cache")[0] == 0
    code, stdout, stderr = run("validate", "--data", merged, "--no-cache")
    assert code == 0, stderr
    assert "44 entities, 91 facts, 4 sources" in stdout
    assert "4 conflicts between sources or stories" in stderr and "`tieline conflicts`" in stderr
    code, stdout, stderr = run("validate", *BOTH, "--no-cache")
    assert code == 0, stderr
    assert stdout.endswith("is valid: 44 entities, 91 facts, 4 sources\n") and " + " in stdout


def test_tieline_data_takes_a_list_and_answers_cross_both_stories(tmp_path: Path) -> None:
    env = {"TIELINE_DATA": f"{BUNDLED}:{RIYADH}", "TIELINE_CACHE_DIR": str(tmp_path / "cache")}
    code, stdout, stderr = run("path", "Lavrov", "Kirill Dmitriev", "--json", env=env)
    assert code == 0, stderr
    hops = json.loads(stdout)["paths"][0]["hops"]
    assert [h["to"]["id"] for h in hops] == ["us-russia-talks-saudi-arabia", "kirill-dmitriev"]
    title = json.loads(run("stats", "--json", env=env)[1])["dataset"]["name"]
    assert title == "Dmitriev and the US–Russia talks, spring 2025 + The Riyadh talks, February 2025"


def test_a_claim_stated_both_ways_by_two_sources_is_one_claim_with_each_statement(merged: Path) -> None:
    code, stdout, _ = run("show", "United States", "--data", merged, "--json", "--no-cache")
    (claim,) = [f for f in json.loads(stdout)["facts"] if f["relation"] == "negotiates_with"
                and f["other"]["id"] == "russia"]
    assert claim["id"] == "russia.negotiates_with.united-states"
    assert [s["id"] for s in claim["statements"]] == [  # in the order of their ids, whatever the files' order
        "russia.negotiates_with.united-states@reuters-2025-02-18-riyadh",
        "russia.negotiates_with.united-states@rferl-2025-04-02-dmitriev-washington"]
    assert [s["id"] for s in claim["sources"]] == ["reuters-2025-02-18-riyadh", "rferl-2025-04-02-dmitriev-washington"]
    text = run("path", "Rubio", "talks in Saudi Arabia", "--data", merged, "--no-cache")[1]
    assert "2 sources:" in text and text.count("“") == 2
    assert text.count("took part in") == 1


def test_ids_do_not_depend_on_the_order_of_files(merged: Path) -> None:
    """A statement added in a file read earlier changes no id: the claim's comes from how its statements
    write it, each statement's from its sources."""
    def ids(folder: Path) -> dict[str, list[str]]:
        graph = json.loads(run("export", "json", "--out", "-", "--data", folder, "--no-cache")[1])
        return {e["key"]: [s["id"] for s in e.get("statements", [])] for e in graph["edges"]}

    before = ids(merged)
    (merged / "riyadh" / "facts.yaml").rename(merged / "0-first.yaml")
    assert ids(merged) == before
    assert before["marco-rubio.participated_in.us-russia-talks-saudi-arabia"] == [
        "marco-rubio.participated_in.us-russia-talks-saudi-arabia@reuters-2025-02-18-riyadh",
        "marco-rubio.participated_in.us-russia-talks-saudi-arabia@rferl-2025-04-02-dmitriev-washington"]


def test_min_sources_counts_publishers_on_queries_an_analysis_and_an_export(merged: Path) -> None:
    # two publishers (RFE/RL, Reuters): kept; two Reuters reports: one source, dropped
    code, stdout, _ = run("path", "Russia", "United States", "--min-sources", "2", "--data", merged, "--no-cache")
    assert code == 0 and "negotiates with" in stdout
    code, _, stderr = run("path", "Lavrov", "talks in Saudi Arabia", "--min-sources", "2", "--data", merged)
    assert code == 1 and "no path" in stderr
    assert run("path", "Lavrov", "talks in Saudi Arabia", "--data", merged)[0] == 0
    # a Reuters report and its reprint count once too
    assert run("path", "Lavrov", "Rubio", "--min-sources", "2", "--data", merged)[0] == 1
    neighbours = json.loads(run("neighbours", "Russia", "--min-sources", "2", "--json", "--data", merged)[1])
    assert [n["id"] for n in neighbours["neighbours"]] == ["united-states"]
    ranking = json.loads(run("rank", "--min-sources", "2", "--json", "--data", merged)[1])["ranking"]
    assert {r["id"] for r in ranking} == {"russia", "united-states", "marco-rubio", "us-russia-talks-saudi-arabia"}
    graph = json.loads(run("export", "json", "--min-sources", "2", "--out", "-", "--data", merged)[1])
    assert sorted(e["key"] for e in graph["edges"]) == [
        "marco-rubio.participated_in.us-russia-talks-saudi-arabia", "russia.negotiates_with.united-states"]
    assert run("path", "Russia", "United States", "--min-sources", "0", "--data", merged)[0] == 2


def test_conflicts_lists_two_sources_disagreeing_on_when_a_claim_began(merged: Path) -> None:
    code, stdout, stderr = run("conflicts", "--json", "--data", merged)
    assert code == 0, stderr
    result = json.loads(stdout)
    (began,) = [c for c in result["claims"] if c["field"] == "start"]
    assert began["claim"] == "marco-rubio.participated_in.us-russia-talks-saudi-arabia"
    values = {v["value"]: v["statements"] for v in began["values"]}
    assert set(values) == {"2025-03", "2025-02-18"}
    assert [s["id"] for s in values["2025-03"][0]["sources"]] == ["rferl-2025-04-02-dmitriev-washington"]
    assert [s["id"] for s in values["2025-02-18"][0]["sources"]] == ["reuters-2025-02-18-riyadh"]
    assert values["2025-02-18"][0]["file"] == "riyadh/facts.yaml"
    declared = {(d["id"], d["field"]) for d in result["declarations"]}
    assert declared == {("marco-rubio", "description"), ("us-russia-talks-saudi-arabia", "start")}
    only = json.loads(run("conflicts", "Lavrov", "--json", "--data", merged)[1])
    assert [c["field"] for c in only["claims"]] == ["certainty"] and only["declarations"] == []
    assert "2025-02-18" in run("conflicts", "--data", merged)[1]


def test_the_same_statement_twice_is_still_an_error_and_another_type_for_a_shared_id_too(merged: Path) -> None:
    facts = (merged / "riyadh" / "facts.yaml").read_text()
    (merged / "riyadh" / "again.yaml").write_text(facts.split("\n\n")[0] + "\n")
    (merged / "riyadh" / "other.yaml").write_text("entities:\n  - id: rdif\n    type: person\n    name: R D\n")
    code, _, stderr = run("validate", "--data", merged, "--no-cache")
    assert code == 3
    assert "riyadh/facts.yaml:2:5: the same statement twice: 'united-states negotiates_with russia'" in stderr
    assert "riyadh/other.yaml:3:11: entity 'rdif' is a person here and an institution" in stderr


def test_a_same_resolution_that_makes_statements_coincide_corroborates(merged: Path) -> None:
    (merged / "riyadh" / "entities.yaml").write_text(
        (merged / "riyadh" / "entities.yaml").read_text().replace("id: russia", "id: russian-federation"))
    for name in ("facts.yaml", "entities.yaml"):
        path = merged / "riyadh" / name
        path.write_text(path.read_text().replace("object: russia", "object: russian-federation")
                        .replace("country: russia", "country: russian-federation"))
    (merged / "riyadh" / "same.yaml").write_text("resolutions:\n  - same: [russia, russian-federation]\n")
    code, stdout, stderr = run("show", "Russia", "--json", "--data", merged, "--no-cache")
    assert code == 0, stderr
    (claim,) = [f for f in json.loads(stdout)["facts"] if f["id"] == "russia.negotiates_with.united-states"]
    assert len(claim["statements"]) == 2


def test_several_folders_share_the_query_index_answer_byte_for_byte(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIELINE_CACHE_DIR", str(tmp_path / "cache"))
    assert run("search", "zzzz", *BOTH)[0] == 1
    assert load_indexed(Folders.of([BUNDLED, RIYADH])).indexed_in is not None
    assert load_indexed(BUNDLED).indexed_in is None  # keyed on both folders, not on one of them
    for args in (("path", "Lavrov", "Dmitriev", "--all"), ("path", "Russia", "Rubio", "--min-sources", "2", "--json"),
                 ("neighbours", "Russia", "--min-sources", "2", "--depth", "2"), ("show", "Rubio"),
                 ("show", "Lavrov", "--json", "--min-certainty", "confirmed")):
        assert run(*args, *BOTH) == run(*args, *BOTH, "--no-cache"), args


def test_a_warm_min_sources_query_imports_neither_networkx_nor_yaml(tmp_path: Path) -> None:
    env = {**os.environ, "TIELINE_CACHE_DIR": str(tmp_path / "cache"), "TIELINE_DATA": f"{BUNDLED}:{RIYADH}"}
    code = ("import sys, cli; sys.argv = ['tieline', 'path', 'Russia', 'United States', '--min-sources', '2']\n"
            "try:\n    cli.app()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('networkx', 'yaml', 'numpy')))")
    for _ in range(2):  # the first run builds the index, the second reads it
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                                timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]" and "Russia" in result.stdout


def test_exports_carry_each_claims_statements_for_independent_readers(merged: Path, tmp_path: Path) -> None:
    import csv

    import networkx as nx

    from test_export_graphml import assert_valid

    for fmt in ("graphml", "gexf", "csv"):
        assert run("export", fmt, "--data", merged, "--out", tmp_path / fmt)[0] == 0
    assert_valid(tmp_path / "graphml")
    claim = "russia.negotiates_with.united-states"
    for graph in (nx.read_graphml(tmp_path / "graphml"), nx.read_gexf(tmp_path / "gexf")):
        edges = {data.get("id", key): data for _, _, key, data in graph.edges(keys=True, data=True)}
        assert int(edges[claim]["statement_count"]) == 2
        assert [s["sources"] for s in json.loads(edges[claim]["statements"])] == [
            ["reuters-2025-02-18-riyadh"], ["rferl-2025-04-02-dmitriev-washington"]]
    with open(tmp_path / "csv" / "edges.csv", newline="", encoding="utf-8") as handle:
        rows = {row["id"]: row for row in csv.DictReader(handle)}
    assert rows[claim]["statement_count:int"] == "2"
    # a story with one statement per claim exports as before: no claim columns
    assert run("export", "graphml", "--data", BUNDLED, "--out", tmp_path / "alone")[0] == 0
    assert "statement_count" not in (tmp_path / "alone").read_text()


def test_an_edit_that_adds_or_removes_a_statement_is_seen_through_the_cache(merged: Path, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIELINE_CACHE_DIR", str(tmp_path / "cache"))
    shutil.rmtree(merged / "riyadh")

    def statements() -> int:
        card = json.loads(run("show", "Russia", "--json", "--data", merged)[1])
        (claim,) = [f for f in card["facts"] if f["id"] == "russia.negotiates_with.united-states"]
        return len(claim.get("statements", []))

    assert statements() == 0
    extra = merged / "facts" / "extra.yaml"
    extra.write_text("sources:\n  - id: reuters-x\n    title: X\n    publisher: Reuters\n"
                     "facts:\n  - subject: united-states\n    relation: negotiates_with\n    object: russia\n"
                     "    sources: [reuters-x]\n    certainty: confirmed\n")
    assert statements() == 2
    extra.unlink()
    assert statements() == 0


def test_two_folders_whose_schemas_differ_are_refused_naming_both_places(tmp_path: Path) -> None:
    shutil.copytree(RIYADH, tmp_path / "riyadh")
    schema = tmp_path / "riyadh" / "schema.yaml"
    schema.write_text(schema.read_text().replace("label: met with", "label: met"))
    code, _, stderr = run("validate", "--data", BUNDLED, "--data", tmp_path / "riyadh", "--no-cache")
    assert code == 3
    assert "riyadh/schema.yaml:" in stderr and "relation 'met_with' is already defined differently in" in stderr
    assert "data/schema.yaml:" in stderr


def test_the_page_lists_every_statement_of_a_claim(merged: Path, tmp_path: Path) -> None:
    from test_html import Page

    assert run("export", "html", "--data", merged, "--out", tmp_path / "page.html")[0] == 0
    payload = Page((tmp_path / "page.html").read_text(encoding="utf-8")).json_block("tl-data")
    (claim,) = [f for f in payload["facts"] if f["id"] == "russia.negotiates_with.united-states"]
    assert [s["sources"] for s in claim["statements"]] == [["reuters-2025-02-18-riyadh"],
                                                            ["rferl-2025-04-02-dmitriev-washington"]]
    assert claim["statements"][0]["when"] == "since 18 February 2025"
    assert {"reuters-2025-02-18-riyadh", "rferl-2025-04-02-dmitriev-washington"} <= set(payload["sources"])
