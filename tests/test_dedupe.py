"""Duplicates as curators make them (`tieline dedupe`), and a story matched against reference data (`tieline xref`).

Through the CLI on YAML fact folders loaded by the real loader: the labelled set
(tests/fixtures/dedupe/labelled, its answers in tests/fixtures/dedupe/labels.yaml), large blocks of
one name, and a story's officials against a politicians extract imported from an FtM stream
(tests/fixtures/xref).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import FIXTURES

LABELLED = FIXTURES / "dedupe" / "labelled"
GROUPS = yaml.safe_load((FIXTURES / "dedupe" / "labels.yaml").read_text(encoding="utf-8"))["groups"]
PLANTED = {frozenset(pair) for group in GROUPS for pair in combinations(group["ids"], 2)}
XREF = FIXTURES / "xref"


def run_json(invoke: Callable[..., Any], *args: str) -> Any:
    result = invoke(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def pairs(found: list[dict[str, Any]]) -> list[frozenset[str]]:
    return [frozenset((c["a"]["id"], c["b"]["id"])) for c in found]


@pytest.fixture(scope="module")
def labelled() -> list[dict[str, Any]]:
    """`dedupe` of the labelled set at its defaults (run once for the module)."""
    from typer.testing import CliRunner

    from cli import app

    result = CliRunner().invoke(app, ["dedupe", "--data", str(LABELLED), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["candidates"]


# --- the labelled set ---------------------------------------------------------------------------------

def test_every_planted_duplicate_is_within_the_first_twice_as_many(labelled: list[dict[str, Any]]) -> None:
    listed = pairs(labelled)[:2 * len(PLANTED)]
    assert PLANTED <= set(listed), sorted(map(sorted, PLANTED - set(listed)))


def test_no_pair_joined_by_a_fact_is_listed(labelled: list[dict[str, Any]]) -> None:
    joined = {frozenset(p) for p in (("goldman-sachs", "goldman-sachs-subsidiary"), ("gazprom", "gazprom-neft"),
                                     ("russia", "ukraine"))}
    assert not joined & set(pairs(labelled))


def test_precision_and_recall_at_the_defaults(labelled: list[dict[str, Any]]) -> None:
    listed = set(pairs(labelled))
    assert len(listed & PLANTED) / len(PLANTED) == 1.0
    assert len(listed & PLANTED) / len(listed) >= 0.9


@pytest.mark.parametrize("group", GROUPS, ids=[g["class"] + ": " + g["ids"][0] for g in GROUPS])
def test_each_variant_class_is_found(labelled: list[dict[str, Any]], group: dict[str, Any]) -> None:
    listed = set(pairs(labelled))
    for pair in combinations(group["ids"], 2):
        assert frozenset(pair) in listed, pair


@pytest.mark.parametrize(("pair", "reason"), [
    (("roldugin", "sergei-roldugin"), "one name is the surname of the other (Roldugin)"),
    (("occrp", "occrp-acronym"), "OCCRP is the initials of Organized Crime and Corruption Reporting Project"),
    (("cdu", "christian-democratic-union"), "CDU is the initials of Christian Democratic Union"),
    (("uk", "united-kingdom"), "the same country in rigour's territory data (gb)"),
    (("britain", "united-kingdom"), "the same country in rigour's territory data (gb)"),
    (("bih", "bosnia"), "the same country in rigour's territory data (ba)"),
    (("ivan-saric", "ivan-saric-bih"), "same name"),
    (("zelenskiy", "zelenskyys"), "names that sound alike (another transliteration or a typo)"),
    (("gazprom", "pao-gazprom"), "same name once 'pao' is set aside"),
    (("putin-president", "vladimir-putin"), "one name is the surname of the other (Putin)"),
    (("dmitriev-kirill", "kirill-dmitriev"), "same words in another order"),
])
def test_reasons_in_words(labelled: list[dict[str, Any]], pair: tuple[str, str], reason: str) -> None:
    reasons = {frozenset((c["a"]["id"], c["b"]["id"])): c["reasons"] for c in labelled}
    assert reason in reasons[frozenset(pair)]


def test_countries_resolved_first_lift_their_nationals(labelled: list[dict[str, Any]]) -> None:
    """``russia`` and ``russian-federation`` are likely one: their nationals have the same country, not different ones."""
    reasons = {frozenset((c["a"]["id"], c["b"]["id"])): c["reasons"] for c in labelled}
    why = reasons[frozenset(("deripaska-oleg", "oleg-deripaska"))]
    assert "same country (Российская Федерация and Russia are likely one)" in why
    assert not any("different countries" in r for r in why)


def test_legal_forms_do_not_make_names_alike(invoke: Callable[..., Any]) -> None:
    found = run_json(invoke, "dedupe", "--data", str(LABELLED), "--min-score", "0", "--limit", "500")["candidates"]
    assert frozenset(("ooo-sps", "ooo-tsst")) not in set(pairs(found))
    joined = {frozenset(("goldman-sachs", "goldman-sachs-subsidiary")): "Goldman Sachs subsidiary (unnamed) is a "
              "subsidiary of Goldman Sachs"}
    reasons = {frozenset((c["a"]["id"], c["b"]["id"])): c["reasons"] for c in found}
    for pair, words in joined.items():
        assert f"a fact joins them ({words}): two entities" in reasons[pair]


def test_homonyms_rank_below_the_duplicates(labelled: list[dict[str, Any]]) -> None:
    listed = pairs(labelled)
    homonyms = [listed.index(p) for p in (frozenset(("sergei-ivanov-1953", "sergei-ivanov-1960")),
                                          frozenset(("ahmad-khan-kabul", "ahmad-khan-karachi"))) if p in listed]
    assert all(at >= len(PLANTED) for at in homonyms)


def test_resolutions_format_pastes_into_a_fact_file(invoke: Callable[..., Any], tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(LABELLED, data)
    result = invoke("dedupe", "--data", str(data), "--format", "resolutions", "--type", "country")
    assert result.exit_code == 0, result.stderr
    section = yaml.safe_load(result.stdout)["resolutions"]
    groups = {frozenset(g["ids"]) for g in GROUPS if g["ids"][0] in {"russia", "united-kingdom", "bosnia", "ukraine",
                                                                      "germany"}}
    assert {frozenset(r["same"]) for r in section} == groups  # U.K, UK and Britain: one group of three
    (data / "facts" / "judged.yaml").write_text(result.stdout, encoding="utf-8")
    validated = invoke("validate", "--data", str(data))
    assert validated.exit_code == 0, validated.stderr
    card = run_json(invoke, "show", "BiH", "--data", str(data))["entity"]
    assert {card["id"], *card["merged_ids"]} == {"bosnia", "bih"}


def test_a_bad_format_is_a_usage_error(invoke: Callable[..., Any]) -> None:
    result = invoke("dedupe", "--data", str(LABELLED), "--format", "csv")
    assert result.exit_code == 2 and "csv" in result.stderr


# --- large blocks: bounded and said, never skipped ------------------------------------------------------

def namesakes(fact_set: Callable[..., Path], count: int) -> Path:
    """``count`` people called Sergei Ivanov, in two countries, born in a few years."""
    people = "".join(f"  - {{id: sergei-ivanov-{n}, type: person, name: Sergei Ivanov, country: "
                     f"{'russia' if n % 2 else 'ukraine'}, start: \"{1950 + n % 7}\"}}\n" for n in range(count))
    countries = "  - {id: russia, type: country, name: Russia}\n  - {id: ukraine, type: country, name: Ukraine}\n"
    schema = (LABELLED / "schema.yaml").read_text(encoding="utf-8")
    return fact_set({"schema.yaml": schema, "people.yaml": "entities:\n" + countries + people}, base=None)


@pytest.mark.parametrize("count", [51, 2000])
def test_a_large_block_is_bounded_and_said(invoke: Callable[..., Any], fact_set: Callable[..., Path],
                                           count: int) -> None:
    from graph.dedupe import WINDOW

    data = namesakes(fact_set, count)
    result = invoke("dedupe", "--data", str(data), "--json", "--limit", "100000")
    assert result.exit_code == 0, result.stderr
    found = json.loads(result.stdout)
    bounded = found["bounded"]
    assert bounded["count"] >= 1 and bounded["window"] == WINDOW
    largest = bounded["largest"][0]
    assert (largest["type"], largest["entities"], largest["pairs"]) == ("person", count, count * (count - 1) // 2)
    assert bounded["pairs_left_out"] == largest["pairs"] - largest["compared"] > 0 or bounded["count"] > 1
    assert len(found["candidates"]) > count  # every namesake is compared with its neighbours in the ranking
    best = found["candidates"][0]
    assert "same name" in best["reasons"] and "same country" in best["reasons"]
    assert any(r.startswith("same start date") for r in best["reasons"])  # ranked by country and date: nearest first
    text = invoke("dedupe", "--data", str(data), "--limit", "1")
    assert text.stderr.startswith("tieline: ") and f"(the largest: {count:,} for " in text.stderr
    assert f"each was compared with its {WINDOW} closest" in text.stderr


def test_a_block_of_fifty_is_compared_whole(invoke: Callable[..., Any], fact_set: Callable[..., Path]) -> None:
    found = run_json(invoke, "dedupe", "--data", str(namesakes(fact_set, 50)), "--min-score", "0", "--limit", "5000")
    assert found["bounded"]["count"] == 0
    assert len(found["candidates"]) == 50 * 49 // 2


# --- xref: a story against a reference ----------------------------------------------------------------

EXPECTED = {"mohammed-bin-salman": "q6892467", "tamim-al-thani": "q312174", "sergei-lavrov": "q48476",
            "zelenskyy": "q3874799", "sisi": "q57364", "erdogan": "q39259", "peskov": "q4163047",
            "faisal-bin-farhan": "q5938013"}


@pytest.fixture
def politicians(invoke: Callable[..., Any], tmp_path: Path) -> Path:
    """The politicians extract imported (tieline import ftm) into a folder of its own."""
    out = tmp_path / "peps"
    result = invoke("import", "ftm", str(XREF / "politicians.ftm.json"), "--out", str(out))
    assert result.exit_code == 0, result.stderr
    return out


def test_xref_matches_officials_across_transliterations_and_particles(invoke: Callable[..., Any],
                                                                       politicians: Path) -> None:
    story = XREF / "story"
    found = run_json(invoke, "xref", str(politicians), "--data", str(story), "--type", "person")["candidates"]
    best: dict[str, str] = {}
    for candidate in found:
        best.setdefault(candidate["a"]["id"], candidate["b"]["id"])
        assert set(candidate) == {"a", "b", "score", "reasons"} and set(candidate["a"]) == {"id", "name", "type"}
    assert best == EXPECTED  # Anna Kowalska is no one's match; each official's best is the right one
    assert [c["score"] for c in found] == sorted((c["score"] for c in found), reverse=True)
    story_ids = set(EXPECTED) | {"anna-kowalska"}
    assert all(c["a"]["id"] in story_ids and c["b"]["id"].startswith("q") for c in found)  # never one side's pair


def test_xref_homonyms_score_lower(invoke: Callable[..., Any], politicians: Path) -> None:
    found = run_json(invoke, "xref", str(politicians), "--data", str(XREF / "story"), "--min-score", "0")["candidates"]
    score = {(c["a"]["id"], c["b"]["id"]): c["score"] for c in found}
    assert score[("sergei-lavrov", "q48476")] > 0.75 > score[("sergei-lavrov", "q1000002")]
    assert score[("mohammed-bin-salman", "q6892467")] > 0.7 > score.get(("mohammed-bin-salman", "q1000001"), 0)


def test_xref_options_and_text(invoke: Callable[..., Any], politicians: Path) -> None:
    story = str(XREF / "story")
    assert len(run_json(invoke, "xref", str(politicians), "--data", story, "--limit", "2")["candidates"]) == 2
    countries = run_json(invoke, "xref", str(politicians), "--data", story, "--type", "country")["candidates"]
    assert countries and all(c["a"]["type"] == c["b"]["type"] == "country" for c in countries)
    text = invoke("xref", str(politicians), "--data", story, env={"COLUMNS": "200"})
    assert text.exit_code == 0 and "Mohammad bin Salman Al Saud" in text.stdout and "in the story" in text.stdout
    none = invoke("xref", str(politicians), "--data", story, "--min-score", "1")
    assert (none.exit_code, none.stdout) == (1, "")
    assert invoke("xref", str(politicians / "nowhere"), "--data", story).exit_code == 2
    itself = invoke("xref", story, "--data", story)
    assert itself.exit_code == 2 and "the story itself" in itself.stderr
    assert invoke("xref", str(politicians), "--data", story, "--type", "persn").exit_code == 2


def test_xref_reads_the_reference_from_its_query_index(invoke: Callable[..., Any], politicians: Path) -> None:
    from graph.index import INDEX_FILE
    from graph.store import Store

    first = run_json(invoke, "xref", str(politicians), "--data", str(XREF / "story"))
    index = Store(politicians).folder / INDEX_FILE
    assert index.exists()  # built once, after the first answer
    inode = index.stat().st_ino
    assert run_json(invoke, "xref", str(politicians), "--data", str(XREF / "story")) == first
    assert index.stat().st_ino == inode  # read, not rebuilt


def test_xref_of_a_joined_import_pastes_as_resolutions(invoke: Callable[..., Any], tmp_path: Path) -> None:
    """The reference imported into DATA/imports/NAME: xref pairs story with import, and its resolutions validate."""
    data = tmp_path / "story"
    shutil.copytree(XREF / "story", data)
    out = data / "imports" / "peps"
    imported = invoke("import", "ftm", str(XREF / "politicians.ftm.json"), "--data", str(data), "--out", str(out))
    assert imported.exit_code == 0, imported.stderr
    result = invoke("xref", str(out), "--data", str(data), "--type", "person", "--format", "resolutions")
    assert result.exit_code == 0, result.stderr
    section = yaml.safe_load(result.stdout)["resolutions"]
    assert {r["same"][0]: r["same"][1] for r in section} == EXPECTED
    (data / "entities" / "judged.yaml").write_text(result.stdout, encoding="utf-8")
    validated = invoke("validate", "--data", str(data))
    assert validated.exit_code == 0, validated.stderr
    card = run_json(invoke, "show", "q312174", "--data", str(data))
    assert card["entity"]["id"] == "tamim-al-thani"
