"""FollowTheMoney as it really comes (issue 22): real streams from ../shared/ftm-real/ and the smallest case of
each shape that once broke, each imported through the CLI and validated alone and under data/imports/NAME
beside the bundled story; determinism under shuffled lines; exports checked with followthemoney, ranges included.
Real streams are skipped cleanly when ../shared/ftm-real/ is absent."""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
REAL = REPO.parent / "shared" / "ftm-real"
STREAMS = sorted(p.name for p in REAL.glob("*") if p.suffix in (".json", ".ijson")) if REAL.is_dir() else []
needs_real = pytest.mark.skipif(not STREAMS, reason="../shared/ftm-real/ is absent")


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def lines(*entities: dict[str, Any]) -> str:
    return "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entities)


def thing(entity_id: str, schema: str = "Person", **props: Any) -> dict[str, Any]:
    return {"id": entity_id, "schema": schema, "properties": {k: v if isinstance(v, list) else [v]
                                                              for k, v in props.items()}}


@pytest.fixture
def story_copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(DATA, tmp_path / "data", ignore=shutil.ignore_patterns("imports")))


def imported(invoke: Callable[..., Any], stream: Path, out: Path, *more: Any) -> Any:
    result = invoke("import", "ftm", stream, "--out", out, *more)
    assert result.exit_code == 0, result.stderr
    return result


def validates(invoke: Callable[..., Any], folder: Path) -> dict[str, Any]:
    result = invoke("validate", "--data", folder, "--json")
    assert result.exit_code == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def alone_and_beside_the_story(invoke: Callable[..., Any], stream: Path, tmp_path: Path, story: Path) -> Any:
    """Import ``stream`` into a folder of its own and into the story's imports/; both must validate."""
    imported(invoke, stream, tmp_path / "alone")
    validates(invoke, tmp_path / "alone")
    joined = imported(invoke, stream, story / "imports" / "extract", "--data", story)
    validates(invoke, story)
    return joined


# --- the real streams ---------------------------------------------------------------------------------

@needs_real
@pytest.mark.parametrize("name", STREAMS)
def test_every_real_stream_validates_alone_and_beside_the_story(invoke: Callable[..., Any], tmp_path: Path,
                                                               story_copy: Path, name: str) -> None:
    result = alone_and_beside_the_story(invoke, REAL / name, tmp_path, story_copy)
    assert "Traceback" not in result.stderr and "schema" in result.stderr  # the table per schema


@needs_real
@pytest.mark.parametrize("name", ["yente_zala.ftm.json", "nomenklatura_donations.ijson"])
def test_real_streams_in_any_line_order_give_the_same_bytes(invoke: Callable[..., Any], tmp_path: Path,
                                                           name: str) -> None:
    text = (REAL / name).read_text(encoding="utf-8").splitlines()
    imported(invoke, REAL / name, tmp_path / "a", "--source-title", "x")
    random.Random(22).shuffle(text)
    shuffled = tmp_path / name
    shuffled.write_text("\n".join(text) + "\n", encoding="utf-8")
    imported(invoke, shuffled, tmp_path / "b", "--source-title", "x")
    assert folder_bytes(tmp_path / "a") == folder_bytes(tmp_path / "b")


@needs_real
def test_donors_at_one_address_are_joined_through_it(invoke: Callable[..., Any], tmp_path: Path) -> None:
    out = tmp_path / "donations"
    imported(invoke, REAL / "nomenklatura_donations.ijson", out)
    addresses = (out / "facts" / "has_address.yaml").read_text(encoding="utf-8")
    objects = [line.split(": ", 1)[1] for line in addresses.splitlines() if line.startswith("    object: ")]
    shared = next(a for a in sorted(set(objects)) if objects.count(a) >= 2)
    near = json.loads(invoke("neighbours", shared, "--data", out, "--json").stdout)
    found = near.get("neighbours") or near.get("entities") or []
    assert len(found) >= 2, near
    one, two = (n["id"] for n in found[:2])
    path = json.loads(invoke("path", one, two, "--data", out, "--json").stdout)
    assert shared in [h["to"]["id"] for h in path["paths"][0]["hops"]]


@needs_real
def test_zala_sanctions_read_right_and_export_back_as_sanctions(invoke: Callable[..., Any], tmp_path: Path) -> None:
    out = tmp_path / "zala"
    result = imported(invoke, REAL / "yente_zala.ftm.json", out)
    institutions = (out / "entities" / "institution.yaml").read_text(encoding="utf-8")
    assert institutions.count("name: Office of Foreign Assets Control") == 1 and "aliases: [OFAC]" in institutions
    assert "name: OFAC\n" not in institutions
    authority = (out / "facts" / "authority_of.yaml").read_text(encoding="utf-8")
    assert "subject: office-of-foreign-assets-control\n    relation: authority_of\n    object: united-states" in authority
    sanctions = (out / "facts" / "sanctions.yaml").read_text(encoding="utf-8")
    assert sanctions.count("id: gb-fcdo-46e77fa780c231118802a291639978704d2267de\n") == 1  # FCDO + UK: one measure
    assert "also imposed by: United Kingdom" in sanctions
    family = (out / "schema.yaml").read_text(encoding="utf-8")
    assert "label: is family member of\n    inverse: has family member" in family
    assert "reference to an address not in the stream" in result.stderr
    exported = tmp_path / "zala.ftm.json"
    assert invoke("export", "ftm", "--data", out, "--out", exported).exit_code == 0
    entities = check_ranges(exported)
    schemata = {e["schema"] for e in entities}
    assert {"Sanction", "Family", "Ownership", "Directorship", "PublicBody", "Address"} <= schemata
    assert "UnknownLink" not in {e["schema"] for e in entities if e["id"].startswith("gb-fcdo")}
    person = next(e for e in entities if e["schema"] == "Person" and e["properties"].get("addressEntity"))
    assert person["properties"]["addressEntity"]


def check_ranges(path: Path) -> list[dict[str, Any]]:
    """Every entity of an exported stream as followthemoney reads it, every entity value inside its range."""
    from followthemoney import model

    entities = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    schemata = {e["id"]: model.get(e["schema"]) for e in entities}
    for entity in entities:
        proxy = model.get_proxy(entity, cleaned=False)
        for key, values in entity["properties"].items():
            prop = proxy.schema.properties[key]
            assert proxy.get(key) == values, (entity["id"], key)
            if prop.type.name == "entity":
                for value in values:
                    assert schemata[value].is_a(prop.range), (entity["id"], key, value, prop.range.name)
    return entities


def test_the_bundled_story_exports_inside_every_range(invoke: Callable[..., Any], tmp_path: Path) -> None:
    result = invoke("export", "ftm", "--data", DATA, "--out", tmp_path / "story.ftm.json")
    assert result.exit_code == 0
    check_ranges(tmp_path / "story.ftm.json")  # no Territory in Event.involved (issue 22, item 11)
    assert "outside Event.involved's range" in result.stderr and "UnknownLink" in result.stderr


@needs_real
def test_two_extracts_join_one_story_one_after_the_other(invoke: Callable[..., Any], tmp_path: Path,
                                                        story_copy: Path) -> None:
    text = (REAL / "nomenklatura_donations.ijson").read_text(encoding="utf-8").splitlines()
    things = [line for line in text if '"Payment"' not in line]
    payments = [line for line in text if '"Payment"' in line]
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    first.write_text("\n".join(things + payments[:100]) + "\n", encoding="utf-8")
    second.write_text("\n".join(things[:20] + payments[100:]) + "\n", encoding="utf-8")
    imported(invoke, first, story_copy / "imports" / "first", "--data", story_copy)
    validates(invoke, story_copy)
    result = imported(invoke, second, story_copy / "imports" / "second", "--data", story_copy)
    assert "thing already in the story" in result.stderr
    facts = validates(invoke, story_copy)["facts"]
    assert not (story_copy / "imports" / "second" / "entities").exists()  # every payer is the first's
    paid = (story_copy / "imports" / "second" / "facts" / "paid.yaml").read_text(encoding="utf-8")
    assert paid.count("relation: paid") == len(payments) - 100 and facts > len(payments)


# --- the smallest case of each breakage (issue 22, items 1–12) ---------------------------------------

def test_smallest_cases_validate_alone_and_beside_the_story(invoke: Callable[..., Any], tmp_path: Path,
                                                           story_copy: Path) -> None:
    cases = {
        "no-relations": lines(thing("p1", name="Ann Example"), thing("o1", "Organization", name="Acme")),
        "edges-all-dropped": lines(thing("p1", name="Ann Example"), thing("occ", "Occupancy", holder="p1")),
        "lookalikes": lines(thing("p1", name="Mакhtab", alias=["Mакhtab Two", "A\u200bnn"])),
        "three-facts": lines(thing("a", name="A"), thing("b", name="B"), thing("c", name="C"), thing("d", name="D"),
                             {"id": "s1", "schema": "Sanction", "properties": {"entity": ["b", "c", "d"],
                                                                              "authority": ["OFAC"]}}),
        "proof-only": lines(thing("p1", name="Ann", proof="doc1"),
                            thing("doc1", "Document", title="A register", sourceUrl="https://example.org/r")),
    }
    for name, text in cases.items():
        stream = tmp_path / f"{name}.json"
        stream.write_text(text, encoding="utf-8")
        alone_and_beside_the_story(invoke, stream, tmp_path / name, story_copy)
        shutil.rmtree(story_copy / "imports")
    lookalike = tmp_path / "lookalikes" / "alone" / "entities" / "person.yaml"
    assert "name: Makhtab" in lookalike.read_text(encoding="utf-8")
    proof = (tmp_path / "proof-only" / "alone" / "dataset.yaml").read_text(encoding="utf-8")
    assert "id: doc1" in proof and "title: A register" in proof  # item 9: a source, cited by the person
    three = (tmp_path / "three-facts" / "alone" / "facts" / "sanctions.yaml").read_text(encoding="utf-8")
    ids = [line for line in three.splitlines() if line.startswith("  - id: ")]
    assert len(ids) == len(set(ids)) == 3  # item 4


def test_several_files_each_keep_their_own_provenance(invoke: Callable[..., Any], tmp_path: Path) -> None:
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    one.write_text(lines(thing("a", name="A"), thing("b", name="B"),
                         thing("ab", "Associate", person="a", associate="b")), encoding="utf-8")
    two.write_text(lines(thing("c", name="C"), thing("bc", "Associate", person="b", associate="c")), encoding="utf-8")
    imported(invoke, one, tmp_path / "out", "--source-title", "Extract")
    shutil.rmtree(tmp_path / "out")
    imported(invoke, one, tmp_path / "out")
    shutil.rmtree(tmp_path / "out")
    result = invoke("import", "ftm", one, two, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    facts = (tmp_path / "out" / "facts" / "associate_of.yaml").read_text(encoding="utf-8")
    assert "id: ab\n" in facts and "id: bc\n" in facts
    cited = {block.split("\n")[0]: block for block in facts.split("  - id: ")[1:]}
    assert "sources: [one-json]" in cited["ab"] and "sources: [two-json]" in cited["bc"]
    validates(invoke, tmp_path / "out")


def test_fragments_merge_the_same_whatever_the_order(invoke: Callable[..., Any], tmp_path: Path) -> None:
    parts = [thing("p1", name="Maria Aleksandrovna Osetrova", birthDate="1970"),
             thing("p1", name="OSETROVA, Maria Aleksandrovna", description="First."),
             thing("p1", description="Second.", birthDate="1971-02-03", weakAlias="Masha")]
    outs = []
    for n, order in enumerate([parts, parts[::-1], [parts[1], parts[2], parts[0]]]):
        stream = tmp_path / f"{n}.json"
        stream.write_text(lines(*order), encoding="utf-8")
        imported(invoke, stream, tmp_path / f"out{n}", "--source-title", "x")
        outs.append(folder_bytes(tmp_path / f"out{n}"))
    assert outs[0] == outs[1] == outs[2]
    person = outs[0]["entities/person.yaml"].decode()
    assert "name: Maria Aleksandrovna Osetrova\n" in person  # FtM's caption
    assert "start: 1970\n" in person and "birthDate: 1971-02-03" in person  # item 8: the second date kept
    assert "Second." in person and "Masha" in person


def test_a_delta_stream_is_read_and_a_json_array_refused(invoke: Callable[..., Any], tmp_path: Path) -> None:
    delta = tmp_path / "delta.json"
    delta.write_text(lines({"op": "ADD", "entity": thing("p1", name="Ann")},
                           {"op": "MOD", "entity": thing("p2", name="Bob")},
                           {"op": "DEL", "entity": {"id": "p3", "schema": "Person"}}), encoding="utf-8")
    result = imported(invoke, delta, tmp_path / "out")
    assert "deletion in a delta stream" in result.stderr
    assert validates(invoke, tmp_path / "out")["entities"] == 2
    array = tmp_path / "array.json"
    array.write_text(json.dumps([thing("p1", name="Ann")]), encoding="utf-8")
    refused = invoke("import", "ftm", array, "--out", tmp_path / "arr")
    assert refused.exit_code == 2 and "a JSON array" in refused.stderr and not (tmp_path / "arr").exists()


def test_a_bom_and_latin1_are_read_and_latin1_is_reported(invoke: Callable[..., Any], tmp_path: Path) -> None:
    stream = tmp_path / "odd.json"
    stream.write_bytes(b"\xef\xbb\xbf" + lines(thing("p1", name="Ann")).encode() +
                       lines(thing("p2", name="Jos\u00e9")).encode("latin-1"))
    result = imported(invoke, stream, tmp_path / "out")
    assert "line not in UTF-8 (read as Latin-1)" in result.stderr
    assert "name: José" in (tmp_path / "out" / "entities" / "person.yaml").read_text(encoding="utf-8")


def test_weak_aliases_make_no_shared_names(invoke: Callable[..., Any], tmp_path: Path) -> None:
    stream = tmp_path / "weak.json"
    stream.write_text(lines(thing("p1", name="Ahmad One", weakAlias=["Abu Ahmad", "Rare One"]),
                            thing("p2", name="Ahmad Two", weakAlias="Abu Ahmad")), encoding="utf-8")
    imported(invoke, stream, tmp_path / "out")
    result = invoke("validate", "--data", tmp_path / "out")
    assert result.exit_code == 0 and "shared by several" not in result.stderr
    people = (tmp_path / "out" / "entities" / "person.yaml").read_text(encoding="utf-8")
    assert "aliases: [Rare One]" in people and "weak_aliases: Abu Ahmad" in people
    found = json.loads(invoke("search", "Rare One", "--data", tmp_path / "out", "--json").stdout)
    assert "p1" in json.dumps(found)


@needs_real
def test_sorted_runs_spilled_to_disk_give_the_same_folder(tmp_path: Path) -> None:
    from graph.ftm import import_ftm

    stream = REAL / "yente_zala.ftm.json"
    import_ftm(stream, tmp_path / "memory", source_title="x")
    import_ftm(stream, tmp_path / "disk", source_title="x", spill_bytes=2_000)  # dozens of runs merged
    assert folder_bytes(tmp_path / "memory") == folder_bytes(tmp_path / "disk")
