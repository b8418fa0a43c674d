"""The bundled data set (the Dmitriev story), checked through the real CLI.

Every assertion is about what a user of `tieline` sees: the data validates, the paths and
neighbourhoods a reader would ask for exist and are sourced, and every quote can be found
word for word in the archived article (../shared/sources/ next to the repository).
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

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
SOURCE_ID = "rferl-2025-04-02-dmitriev-washington"
ARTICLE = Path(__file__).resolve().parents[2] / "shared" / "sources" / f"{SOURCE_ID}.txt"

# Entities whose name and aliases do not occur in the article: the phrase of the article that
# justifies them (checked to occur verbatim, so a stale justification fails too).
EVIDENCE = {
    "goldman-sachs-subsidiary": "a subsidiary of Goldman Sachs",
    "us-state-department": "Secretary of State Marco Rubio",
}


def run_cli(*args: str) -> Any:
    """Run `tieline ARGS --data <bundled data> --no-cache` and return the click result."""
    return CliRunner().invoke(app, [*args, "--data", str(DATA), "--no-cache"])


def cli_json(*args: str) -> Any:
    """The parsed `--json` output of a command that must succeed."""
    result = run_cli(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def graph_json() -> dict[str, Any]:
    """The whole bundled graph as `tieline export json` writes it."""
    result = CliRunner().invoke(app, ["export", "json", "--data", str(DATA), "--no-cache", "--out", "-"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def article() -> str:
    """The archived article text, or skip when the shared folder is not next to the repo."""
    if not ARTICLE.is_file():
        pytest.skip(f"archived article not found at {ARTICLE}")
    return ARTICLE.read_text(encoding="utf-8")


def hop_facts(path: dict[str, Any]) -> list[dict[str, Any]]:
    """Every fact offered for every hop of one path."""
    return [fact for hop in path["hops"] for fact in hop["facts"]]


def inner_nodes(path: dict[str, Any]) -> list[str]:
    """The ids a path passes through, without its two ends."""
    return [hop["to"]["id"] for hop in path["hops"][:-1]]


def test_bundled_data_validates() -> None:
    result = run_cli("validate")
    assert result.exit_code == 0, result.output
    assert " is valid" in result.stdout
    report = cli_json("validate")
    assert report["valid"] is True and report["errors"] == []
    assert report["entities"] >= 40 and report["facts"] >= 80 and report["sources"] == 1


def test_dataset_and_source_are_registered(graph_json: dict[str, Any]) -> None:
    graph = graph_json["graph"]
    assert graph["dataset"]["name"] == "Dmitriev and the US–Russia talks, spring 2025"
    assert graph["dataset"]["date"] == "2025-04-02"
    source = graph["sources"][SOURCE_ID]
    assert source["publisher"] == "Radio Free Europe/Radio Liberty"
    assert source["published"] == "2025-04-02"
    assert source["url"] is None  # no URL is known; none may be guessed
    assert "AMN" in source["reprinted_by"]


def test_path_dmitriev_to_putin_is_short_and_sourced() -> None:
    report = cli_json("path", "Kirill Dmitriev", "Vladimir Putin")
    path = report["paths"][0]
    assert path["length"] <= 2
    relations = {fact["relation"] for fact in hop_facts(path)}
    assert "advises" in relations  # "Putin’s key investment adviser"
    for fact in hop_facts(path):
        assert [s["id"] for s in fact["sources"]] == [SOURCE_ID]
        assert fact["quote"]


def test_path_dmitriev_to_rubio_goes_through_the_talks_or_witkoff() -> None:
    report = cli_json("path", "Dmitriev", "Rubio", "--all")
    assert report["paths"], "no path from Dmitriev to Rubio"
    sensible = {"us-russia-talks-saudi-arabia", "steve-witkoff"}
    assert any(sensible & set(inner_nodes(path)) for path in report["paths"])
    assert all(path["length"] <= 3 for path in report["paths"])
    for path in report["paths"]:
        for fact in hop_facts(path):
            assert SOURCE_ID in [s["id"] for s in fact["sources"]] and fact["quote"]


def test_rdif_neighbours_include_its_head() -> None:
    report = cli_json("neighbours", "RDIF")
    assert report["entity"]["id"] == "rdif"
    by_id = {n["id"]: n for n in report["neighbours"]}
    assert "kirill-dmitriev" in by_id
    assert {f["relation"] for f in by_id["kirill-dmitriev"]["facts"]} == {"heads"}


def test_who_met_witkoff_includes_dmitriev_and_putin() -> None:
    report = cli_json("neighbours", "Steve Witkoff", "--relation", "met_with")
    met = {n["id"] for n in report["neighbours"]}
    assert {"kirill-dmitriev", "vladimir-putin"} <= met
    assert all(f["relation"] == "met_with" for n in report["neighbours"] for f in n["facts"])


def test_every_fact_quotes_the_article_verbatim(graph_json: dict[str, Any], article: str) -> None:
    missing = [e["id"] for e in graph_json["edges"] if not e["quote"] or e["quote"] not in article]
    assert missing == []
    assert all(e["sources"] == [SOURCE_ID] for e in graph_json["edges"])


def test_every_entity_is_named_in_the_article_or_justified(graph_json: dict[str, Any], article: str) -> None:
    unjustified = []
    for node in graph_json["nodes"]:
        if node["type"] == "event":
            continue  # curator-named; see test_every_event_has_a_participant
        names = [node["name"], *node["aliases"]]
        if not any(re.search(rf"(?<!\w){re.escape(n)}(?!\w)", article) for n in names):
            if node["id"] not in EVIDENCE:
                unjustified.append(node["id"])
    assert unjustified == []
    ids = {node["id"] for node in graph_json["nodes"]}
    for entity_id, phrase in EVIDENCE.items():
        assert entity_id in ids and phrase in article


def test_every_event_has_a_participant(graph_json: dict[str, Any]) -> None:
    events = {n["id"] for n in graph_json["nodes"] if n["type"] == "event"}
    with_participant = {e["object"] for e in graph_json["edges"] if e["relation"] in ("participated_in", "signed")}
    assert len(events) >= 10
    assert sorted(events - with_participant) == []


def test_what_others_said_is_not_confirmed(graph_json: dict[str, Any]) -> None:
    """Claims the article attributes to CNN, Reuters, The Moscow Times or unnamed officials are `reported`."""
    attributed = re.compile(r"unnamed officials|CNN said|Reuters said|reportedly|The Moscow Times reported")
    wrong = [e["id"] for e in graph_json["edges"]
             if e["quote"] and attributed.search(e["quote"])
             and e["relation"] != "reported" and e["certainty"] == "confirmed"]
    assert wrong == []


def test_the_washington_visit_is_not_confirmed(graph_json: dict[str, Any]) -> None:
    visit = [e for e in graph_json["edges"] if "dmitriev-visit-to-washington" in (e["subject"], e["object"])
             and e["relation"] in ("participated_in", "held_in")]
    assert {e["subject"] for e in visit} >= {"kirill-dmitriev", "dmitriev-visit-to-washington"}
    assert {e["certainty"] for e in visit} <= {"possible", "planned", "reported"}
