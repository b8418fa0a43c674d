"""FollowTheMoney in and out (graph/ftm): streams imported into data folders the real loader
accepts and queries answer; exports checked entity by entity with followthemoney's own model;
the bundled story survives export → import.

Fixtures: tests/fixtures/ftm/story.ftm.json (names in Cyrillic, Arabic and Chinese, every
relationship schema tieline maps, a Sanction, a Document cited as proof, two dangling
references, an unknown schema, an unknown property, an invalid date) and malformed.ftm.json.
No fixture shares a name between two entities: the loader still refuses homonyms (README: Homonyms).
"""

from __future__ import annotations

import gzip
import io
import json
import random
from pathlib import Path
from typing import Any

import pytest

from graph import load_graph
from graph.errors import DataErrors, OutputError, UsageError
from graph.ftm import export_ftm, import_ftm
from graph.query import entity_card, find_neighbours, find_paths

from conftest import FIXTURES

FTM = FIXTURES / "ftm"
STORY = FTM / "story.ftm.json"
BUNDLED = Path(__file__).resolve().parent.parent / "data"


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    out = tmp_path_factory.mktemp("ftm") / "story"
    report = import_ftm(STORY, out, source_title="Test extract", source_url="https://example.org/extract")
    return out, report


@pytest.fixture(scope="module")
def story_graph(story: tuple[Path, Any]) -> Any:
    return load_graph(story[0])


# --- import -------------------------------------------------------------------------------------------

def test_imported_folder_validates_and_counts(story: tuple[Path, Any], story_graph: Any) -> None:
    _, report = story
    # 17 things (less the Document used as proof and the unknown Spaceship) + 6 new countries + OFAC
    assert story_graph.number_of_nodes() == report.entities == 20
    assert story_graph.number_of_edges() == report.facts == 14  # OFAC is an authority of the United States
    assert report.countries == 7
    assert report.lines == 29


def test_problems_are_counted_with_examples(story: tuple[Path, Any]) -> None:
    report = story[1]
    dangling = "relationship to a thing not in the stream (fact left out)"
    assert dict(report.problems) == {dangling: 2, "invalid value (left out)": 1, "unknown property (left out)": 1,
                                     "unknown schema": 1}
    assert report.examples[dangling] == ["Directorship dir-2 → ghost-person", "Ownership own-3 → missing-company"]
    assert report.examples["invalid value (left out)"] == ["ofac-5001.deathDate = 'not a date'"]
    assert report.examples["unknown schema"] == ["x-1: Spaceship"]
    summary = report.summary()
    assert summary.startswith("29 FtM entities read: 20 entities (7 countries), 14 facts, 4 sources")
    assert f"2 × {dangling}: " in summary
    assert report.by_schema["Directorship"]["read"] == 2 and report.by_schema["Directorship"]["dropped"] == 1


def test_names_in_several_scripts_and_aliases(story_graph: Any) -> None:
    petrov = story_graph.nodes["q1001"]
    assert petrov["name"] == "Владимир Петров"
    assert petrov["aliases"] == ["Vladimir Petrov", "Volodya"]
    assert petrov["start"] == "1961-03-02" and petrov["country"] == "russia"
    assert petrov["attributes"]["ftm_id"] == "Q1001"
    assert story_graph.nodes["q1002"]["name"] == "أحمد الخطيب"
    assert story_graph.nodes["q1003"]["aliases"] == ["Wang Wei"]  # previousName
    assert story_graph.nodes["russia"]["type"] == "country"
    assert story_graph.nodes["russia"]["name"] == "Russia"


def test_ids_are_slugs_and_keep_the_ftm_id(story_graph: Any) -> None:
    company = story_graph.nodes["e3b0c44298fc1c149afbf4c8996fb92427ae41e4"]
    assert company["type"] == "institution"
    assert company["attributes"]["ftm_schema"] == "Company"
    assert company["start"] == "2004-05-17" and company["country"] == "cyprus"
    assert company["aliases"] == ["BSH"]
    assert story_graph.nodes["imo-9000001"]["type"] == "vessel"


def test_every_relationship_schema_becomes_a_relation(story_graph: Any) -> None:
    found = {(u, d["relation"], v) for u, v, d in story_graph.edges(data=True)}
    assert found == {
        ("q1001", "owns", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4"),
        ("e3b0c44298fc1c149afbf4c8996fb92427ae41e4", "owns", "imo-9000001"),
        ("ofac-5001", "directs", "co-2"),
        ("co-2", "member_of", "org-1"),
        ("q1003", "works_for", "co-2"),
        ("ofac-5001", "family_sister", "ofac-5002"),  # worded from both ends: has sister / is sister of
        ("q1001", "associate_business_partner", "q1002"),
        ("q1002", "represents", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4"),
        ("co-2", "preceded", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4"),
        ("q1001", "holds", "pos-1"),
        ("q1003", "linked_to", "org-1"),
        ("co-2", "paid", "q1002"),
        ("office-of-foreign-assets-control", "sanctions", "ofac-5001"),
        ("office-of-foreign-assets-control", "authority_of", "united-states"),
    }
    sister = story_graph.graph["relations"]["family_sister"]
    assert (sister["label"], sister["inverse"], sister["symmetric"]) == ("has sister", "is sister of", False)
    # a Payment is a transfer on its date (a happening); every other imported relation a state
    assert {r for r, spec in story_graph.graph["relations"].items() if spec["momentary"]} == {"paid"}


def test_fact_fields_dates_notes_sources(story_graph: Any) -> None:
    facts = {k: d for _, _, k, d in story_graph.edges(keys=True, data=True)}
    directs = facts["dir-1"]
    assert (directs["start"], directs["end"], directs["note"]) == ("2018-01-01", "2020-12-31", "role: Managing director")
    assert directs["certainty"] == "reported"
    assert directs["sources"] == ["test-extract"]  # no provenance of its own: the file
    assert facts["own-1"]["sources"] == ["doc-1"] and facts["own-1"]["note"] == "percentage held: 51"
    assert facts["fam-1"]["note"] is None  # the relationship is the relation
    sources = story_graph.graph["sources"]
    assert sources["doc-1"]["publisher"] == "OCCRP" and sources["doc-1"]["published"] == "2024-02-01"
    assert sources["test-extract"]["url"] == "https://example.org/extract"
    equasis = facts["own-2"]["sources"]
    assert [sources[s]["url"] for s in equasis] == ["https://example.org/equasis/9000001"]


def test_sanction_is_a_fact_from_the_authority(story_graph: Any) -> None:
    fact = story_graph.edges["office-of-foreign-assets-control", "ofac-5001", "ofac-sanction-5001"]
    assert fact["start"] == "2022-04-06"
    assert fact["note"] == "program: RUSSIA-EO14024"
    assert story_graph.graph["sources"][fact["sources"][0]]["url"] == "https://example.org/ofac/5001"
    assert story_graph.nodes["office-of-foreign-assets-control"]["type"] == "institution"


def test_the_imported_graph_answers_queries(story_graph: Any) -> None:
    paths = find_paths(story_graph, "ofac-5002", "imo-9000001")
    assert paths[0]["length"] == 4  # sister → director of co-2 → preceded the holding → owns the ship
    hops = [hop["to"]["id"] for hop in paths[0]["hops"]]
    assert hops == ["ofac-5001", "co-2", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4", "imo-9000001"]
    near = {n["id"] for n in find_neighbours(story_graph, "co-2")}
    assert near == {"ofac-5001", "org-1", "q1003", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4", "q1002"}
    card = entity_card(story_graph, "ofac-5001")
    assert card["country"]["id"] == "russia"
    assert {f["relation"] for f in card["facts"]} == {"directs", "family_sister", "sanctions"}


def test_certainty_parameter(tmp_path: Path) -> None:
    import_ftm(STORY, tmp_path / "out", certainty="confirmed")
    graph = load_graph(tmp_path / "out")
    assert {d["certainty"] for *_, d in graph.edges(data=True)} == {"confirmed"}
    with pytest.raises(UsageError, match="unknown certainty 'sure'"):
        import_ftm(STORY, tmp_path / "x", certainty="sure")


def test_malformed_lines_are_located_and_nothing_is_written(tmp_path: Path) -> None:
    with pytest.raises(DataErrors) as caught:
        import_ftm(FTM / "malformed.ftm.json", tmp_path / "out")
    shown = [str(e) for e in caught.value.errors]
    assert len(shown) == 2
    assert shown[0].startswith(f"{FTM / 'malformed.ftm.json'}:2:")
    assert "not a JSON entity" in shown[0]
    assert shown[1] == f"{FTM / 'malformed.ftm.json'}:4:1: not a JSON entity: expected an object with id, " \
                       "schema and properties"
    assert not (tmp_path / "out").exists()


def test_gzip_and_stream_objects_give_the_same_folder(tmp_path: Path, story: tuple[Path, Any]) -> None:
    data = STORY.read_bytes()
    packed = tmp_path / "story.ijson.gz"
    packed.write_bytes(gzip.compress(data, mtime=0))
    options = {"source_title": "Test extract", "source_url": "https://example.org/extract"}
    import_ftm(packed, tmp_path / "gz", **options)
    import_ftm(io.BytesIO(data), tmp_path / "bytes", **options)
    import_ftm(io.StringIO(data.decode("utf-8")), tmp_path / "text", **options)
    expected = folder_bytes(story[0])
    for name in ("gz", "bytes", "text"):
        assert folder_bytes(tmp_path / name) == expected, name


def test_output_does_not_depend_on_line_order(tmp_path: Path, story: tuple[Path, Any]) -> None:
    lines = STORY.read_text(encoding="utf-8").splitlines()
    random.Random(7).shuffle(lines)
    shuffled = tmp_path / "shuffled.json"
    shuffled.write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_ftm(shuffled, tmp_path / "out", source_title="Test extract", source_url="https://example.org/extract")
    assert folder_bytes(tmp_path / "out") == folder_bytes(story[0])


def test_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.yaml").write_text("facts: []\n", encoding="utf-8")
    with pytest.raises(OutputError, match="exists and is not an empty folder"):
        import_ftm(STORY, tmp_path / "out")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["keep.yaml"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging folder left behind


def test_progress_reports_bytes(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    import_ftm(STORY, tmp_path / "out", progress=lambda done, total: calls.append((done, total)))
    size = STORY.stat().st_size
    assert calls and calls[-1] == (size, size)


# --- export -------------------------------------------------------------------------------------------

def exported(graph: Any) -> list[dict[str, Any]]:
    buffer = io.BytesIO()
    export_ftm(graph, buffer)
    return [json.loads(line) for line in buffer.getvalue().decode("utf-8").splitlines()]


def check_stream(entities: list[dict[str, Any]]) -> None:
    """Each entity as followthemoney reads it: known schema and properties, every value kept, no dangling id."""
    from followthemoney import model

    ids = {e["id"] for e in entities}
    assert len(ids) == len(entities)
    for entity in entities:
        assert set(entity) == {"id", "schema", "properties"}
        proxy = model.get_proxy(entity, cleaned=False)
        assert proxy.schema.name == entity["schema"]
        for key, values in entity["properties"].items():
            prop = proxy.schema.properties[key]  # KeyError: a property FtM does not know
            assert proxy.get(key) == values, (entity["id"], key)  # FtM drops invalid values silently
            if prop.type.name == "entity":
                assert set(values) <= ids, (entity["id"], key, values)
        if proxy.schema.edge:
            assert proxy.get(proxy.schema.edge_source) and proxy.get(proxy.schema.edge_target)


def test_bundled_export_is_valid_ftm() -> None:
    graph = load_graph(BUNDLED)
    entities = exported(graph)
    check_stream(entities)
    schemata = {e["id"]: e["schema"] for e in entities}
    assert schemata["kirill-dmitriev"] == "Person"
    assert schemata["rdif"] == "Organization"
    assert schemata["russia"] == "Territory"
    assert schemata["kirill-dmitriev.heads.rdif"] == "Directorship"
    assert schemata["vladimir-putin.heads.russia"] == "UnknownLink"  # Directorship needs an Organization
    edge = next(e for e in entities if e["id"] == "kirill-dmitriev.heads.rdif")
    assert edge["properties"]["role"] == ["heads"]
    assert edge["properties"]["summary"] == ["Dmitriev, who heads the Russian Direct Investment Fund"]
    assert edge["properties"]["description"] == ["certainty: confirmed"]
    assert edge["properties"]["publisher"] == ["Radio Free Europe/Radio Liberty"]
    russia = next(e for e in entities if e["id"] == "russia")
    assert russia["properties"]["country"] == ["ru"]
    assert len(graph.graph["sources"]) + graph.number_of_nodes() + graph.number_of_edges() == len(entities)


def test_export_is_deterministic_and_atomic(tmp_path: Path) -> None:
    graph = load_graph(BUNDLED)
    export_ftm(graph, tmp_path / "a.ftm.json")
    export_ftm(graph, tmp_path / "b.ftm.json")
    assert (tmp_path / "a.ftm.json").read_bytes() == (tmp_path / "b.ftm.json").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.ftm.json", "b.ftm.json"]  # no temporary left


def test_imported_story_exports_with_its_original_ids(story_graph: Any) -> None:
    entities = exported(story_graph)
    check_stream(entities)
    by_id = {e["id"]: e for e in entities}
    assert by_id["Q1001"]["schema"] == "Person"  # the FtM id restored from ftm_id
    assert by_id["e3b0c44298fc1c149afbf4c8996fb92427ae41e4"]["schema"] == "Company"
    assert by_id["own-1"]["schema"] == "Ownership"  # `owns` read back through import_relations
    assert by_id["own-1"]["properties"]["owner"] == ["Q1001"]
    assert by_id["fam-1"]["schema"] == "Family"


# --- round trip ---------------------------------------------------------------------------------------

def test_bundled_data_survives_export_then_import(tmp_path: Path) -> None:
    before = load_graph(BUNDLED)
    stream = tmp_path / "story.ftm.json"
    export_ftm(before, stream)
    report = import_ftm(stream, tmp_path / "back", vocabulary=BUNDLED / "schema.yaml")
    assert set(report.problems) <= {"property repeating a relationship of the stream (not a second fact)"}  # involved
    after = load_graph(tmp_path / "back")

    def entities(graph: Any) -> dict[str, tuple]:
        return {n: (d["name"], sorted(d["aliases"]), d["type"], d["description"], d["country"], d["start"],
                    d["end"]) for n, d in graph.nodes(data=True)}

    def facts(graph: Any) -> dict[str, tuple]:
        return {k: (u, d["relation"], v, d["start"], d["end"], d["sources"], d["quote"], d["certainty"], d["note"])
                for u, v, k, d in graph.edges(keys=True, data=True)}

    assert entities(after) == entities(before)
    assert facts(after) == facts(before)
    for source_id, source in before.graph["sources"].items():
        assert after.graph["sources"][source_id] == source
