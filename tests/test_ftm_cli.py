"""`tieline import ftm` and `tieline export ftm` as a user runs them, and the data/imports/NAME
workflow: an FtM extract joins a copy of the bundled story through a schema fragment, validates
with it, and answers `path` from a story entity to an imported one. Exports are checked entity by
entity with followthemoney's own model."""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import FIXTURES

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
STORY = FIXTURES / "ftm" / "story.ftm.json"
JOINS = FIXTURES / "ftm" / "joins-story.ftm.json"  # a Territory "ru", a person, a company, a US sanction
MALFORMED = FIXTURES / "ftm" / "malformed.ftm.json"


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def story_copy(tmp_path: Path) -> Path:
    """A copy of the bundled data folder, safe to import into."""
    return Path(shutil.copytree(DATA, tmp_path / "data"))


def test_import_writes_a_folder_that_validates_and_reports_on_stderr(invoke: Callable[..., Any], tmp_path: Path) -> None:
    out = tmp_path / "extract"
    result = invoke("import", "ftm", STORY, "--out", out, "--source-title", "Test extract",
                    "--source-url", "https://example.org/extract")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith(f"tieline: wrote {out}/\n29 FtM entities read: 20 entities")
    assert "2 × relationship to a thing not in the stream (fact left out): Directorship dir-2 → ghost-person" \
        in result.stderr
    assert "1 × unknown schema" in result.stderr
    valid = invoke("validate", "--data", out, "--json")
    assert valid.exit_code == 0 and json.loads(valid.stdout)["entities"] == 20
    assert "title: Test extract" in (out / "dataset.yaml").read_text(encoding="utf-8")


def test_stdin_and_gzip_give_the_same_folder(invoke: Callable[..., Any], tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    assert invoke("import", "ftm", STORY, "--out", plain, "--source-title", "x").exit_code == 0
    packed = tmp_path / "story.ftm.json.gz"
    packed.write_bytes(gzip.compress(STORY.read_bytes()))
    assert invoke("import", "ftm", packed, "--out", tmp_path / "gz", "--source-title", "x").exit_code == 0
    from typer.testing import CliRunner

    from cli import app
    for name, data in (("stdin", STORY.read_bytes()), ("stdin-gz", packed.read_bytes())):
        result = CliRunner().invoke(app, ["import", "ftm", "-", "--out", str(tmp_path / name), "--source-title", "x"],
                                    input=data, catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
        assert folder_bytes(tmp_path / name) == folder_bytes(plain)
    assert folder_bytes(tmp_path / "gz") == folder_bytes(plain)


def test_certainty_option_and_unknown_level(invoke: Callable[..., Any], tmp_path: Path) -> None:
    assert invoke("import", "ftm", STORY, "--out", tmp_path / "a", "--certainty", "confirmed").exit_code == 0
    facts = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "a" / "facts").glob("*.yaml"))
    assert "certainty: confirmed" in facts and "certainty: reported" not in facts
    bad = invoke("import", "ftm", STORY, "--out", tmp_path / "b", "--certainty", "sure")
    assert bad.exit_code == 2 and "unknown certainty 'sure'" in bad.stderr
    assert not (tmp_path / "b").exists()


def test_a_malformed_line_is_exit_3_with_file_and_line_and_nothing_written(invoke: Callable[..., Any],
                                                                           tmp_path: Path) -> None:
    result = invoke("import", "ftm", MALFORMED, "--out", tmp_path / "out")
    assert result.exit_code == 3
    assert f"{MALFORMED}:2:1: not a JSON entity" in result.stderr
    assert result.stderr.rstrip().endswith("nothing was written") and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_out_must_be_new_or_empty_and_never_elsewhere_in_the_data_folder(invoke: Callable[..., Any], tmp_path: Path,
                                                                         story_copy: Path) -> None:
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "notes.txt").write_text("mine", encoding="utf-8")
    result = invoke("import", "ftm", STORY, "--out", taken)
    assert result.exit_code == 2 and "exists and is not an empty folder" in result.stderr
    assert [p.name for p in taken.iterdir()] == ["notes.txt"]
    before = folder_bytes(story_copy)
    for inside in (story_copy / "facts" / "more", story_copy / "imports" / "a" / "b", story_copy / "new"):
        result = invoke("import", "ftm", STORY, "--out", inside, "--data", story_copy)
        assert result.exit_code == 2 and "imports/NAME" in result.stderr, result.stderr
    assert folder_bytes(story_copy) == before
    (tmp_path / "empty").mkdir()
    assert invoke("import", "ftm", STORY, "--out", tmp_path / "empty").exit_code == 0


def test_an_extract_joins_the_story_in_data_imports(invoke: Callable[..., Any], story_copy: Path) -> None:
    out = story_copy / "imports" / "sanctions"
    result = invoke("import", "ftm", JOINS, "--out", out, "--data", story_copy)
    assert result.exit_code == 0, result.stderr
    assert "joins the story" in result.stderr
    assert "dataset:" not in (out / "dataset.yaml").read_text(encoding="utf-8")  # the story's is the one
    assert not (out / "entities" / "country.yaml").read_text(encoding="utf-8").count("name: Russia")
    valid = invoke("validate", "--data", story_copy, "--json")
    assert valid.exit_code == 0, valid.stdout + valid.stderr
    assert json.loads(valid.stdout)["entities"] == 43 + 3  # the person, the company, Cyprus
    card = json.loads(invoke("show", "Ivan Testov", "--data", story_copy, "--json").stdout)
    assert card["country"]["id"] == "russia"  # the story's Russia, not a second one
    found = invoke("path", "Kirill Dmitriev", "Ivan Testov", "--data", story_copy, "--json")
    assert found.exit_code == 0, found.stderr
    hops = json.loads(found.stdout)["paths"][0]["hops"]
    assert [h["to"]["id"] for h in hops] == ["united-states", "nk-testov"]
    assert hops[-1]["facts"][0]["relation"] == "sanctions" and hops[-1]["facts"][0]["certainty"] == "reported"
    # the fragment declares only what the story's schema lacks
    fragment = (out / "schema.yaml").read_text(encoding="utf-8")
    assert "linked_to:" in fragment and "owns:" in fragment and "sanctions:" not in fragment
    assert "\n  person:" not in fragment


def test_an_import_already_in_the_story_is_refused(invoke: Callable[..., Any], story_copy: Path) -> None:
    assert invoke("import", "ftm", JOINS, "--out", story_copy / "imports" / "one", "--data", story_copy).exit_code == 0
    again = invoke("import", "ftm", JOINS, "--out", story_copy / "imports" / "two", "--data", story_copy)
    assert again.exit_code == 2
    assert "nothing new to import" in again.stderr and "nothing was written" in again.stderr
    assert not (story_copy / "imports" / "two").exists()


def test_schema_fragments_conflicting_with_the_root_are_located_errors(invoke: Callable[..., Any],
                                                                      story_copy: Path) -> None:
    fragment = story_copy / "imports" / "mine" / "schema.yaml"
    fragment.parent.mkdir(parents=True)
    fragment.write_text("entity_types:\n  person:\n    label: Human\n  vessel:\n    label: Vessel\n"
                        "relations:\n  heads:\n    label: runs\n    inverse: is run by\n"
                        "    subject: [vessel]\n    object: [institution]\n"
                        "  crews:\n    label: crews\n    inverse: is crewed by\n    subject: [person]\n"
                        "    object: [ship]\n", encoding="utf-8")
    result = invoke("validate", "--data", story_copy)
    assert result.exit_code == 3
    lines = result.stderr.splitlines()
    where = str(fragment)
    assert any(line.startswith(f"{where}:2:3: entity type 'person' is already defined differently in schema.yaml:")
               for line in lines), lines
    assert any(line.startswith(f"{where}:7:3: relation 'heads' is already defined differently") for line in lines)
    assert any(line.startswith(f"{where}:12:3: relation 'crews': unknown entity type 'ship' as object")
               for line in lines), lines
    assert not any("vessel" in line for line in lines)  # a new type is fine


def test_a_fragment_may_repeat_a_definition_and_widen_a_relation(invoke: Callable[..., Any], story_copy: Path) -> None:
    (story_copy / "imports" / "mine").mkdir(parents=True)
    (story_copy / "imports" / "mine" / "schema.yaml").write_text(
        "entity_types:\n  vessel:\n    label: Vessel\n"
        "relations:\n  sanctions:\n    label: sanctions\n    inverse: is sanctioned by\n"
        "    subject: [country]\n    object: [vessel]\n", encoding="utf-8")
    (story_copy / "imports" / "mine" / "facts.yaml").write_text(
        "entities:\n  - id: mv-test\n    type: vessel\n    name: MV Test\n"
        "facts:\n  - subject: united-states\n    relation: sanctions\n    object: mv-test\n"
        "    sources: [rferl-2025-04-02-dmitriev-washington]\n    certainty: reported\n", encoding="utf-8")
    result = invoke("validate", "--data", story_copy)
    assert result.exit_code == 0, result.stderr


def test_the_cache_patch_sees_fragments_and_rebuilds_when_one_changes(invoke: Callable[..., Any],
                                                                     story_copy: Path) -> None:
    out = story_copy / "imports" / "sanctions"
    assert invoke("import", "ftm", JOINS, "--out", out, "--data", story_copy).exit_code == 0
    assert invoke("validate", "--data", story_copy).exit_code == 0  # cached
    owns = out / "facts" / "owns.yaml"
    owns.write_text(owns.read_text(encoding="utf-8").replace("start: 2019", "start: 2020"), encoding="utf-8")
    assert invoke("validate", "--data", story_copy).exit_code == 0  # patched: owns still known from the fragment
    card = json.loads(invoke("show", "Testov Holdings", "--data", story_copy, "--json").stdout)
    assert [f["start"] for f in card["facts"]] == ["2020"]
    schema = out / "schema.yaml"
    schema.write_text(schema.read_text(encoding="utf-8").replace("  owns:", "  owned:"), encoding="utf-8")
    broken = invoke("validate", "--data", story_copy)
    assert broken.exit_code == 3 and "unknown relation 'owns'" in broken.stderr


def test_export_ftm_takes_the_view_options_and_every_entity_is_valid_ftm(invoke: Callable[..., Any],
                                                                        tmp_path: Path) -> None:
    from followthemoney import model

    result = invoke("export", "ftm", "--data", DATA, "--out", tmp_path / "story.ftm.json")
    assert result.exit_code == 0, result.stderr
    assert "(FollowTheMoney: 43 entities, 89 facts" in result.stderr
    entities = [json.loads(line) for line in (tmp_path / "story.ftm.json").read_text(encoding="utf-8").splitlines()]
    ids = {e["id"] for e in entities}
    for entity in entities:
        proxy = model.get_proxy(entity, cleaned=False)
        for prop, values in proxy.properties.items():
            if proxy.schema.properties[prop].type.name == "entity":
                assert set(values) <= ids, (entity["id"], prop)
    focused = invoke("export", "ftm", "--data", DATA, "--focus", "RDIF", "--out", "-")
    assert focused.exit_code == 0
    lines = [json.loads(line) for line in focused.stdout.splitlines()]
    assert 0 < len(lines) < len(entities) and any(e["id"] == "rdif" for e in lines)
    again = invoke("import", "ftm", tmp_path / "story.ftm.json", "--out", tmp_path / "back")
    assert again.exit_code == 0 and invoke("validate", "--data", tmp_path / "back").exit_code == 0


def test_unreadable_input_is_a_message_not_a_traceback(invoke: Callable[..., Any], tmp_path: Path) -> None:
    missing = invoke("import", "ftm", tmp_path / "nothere.json", "--out", tmp_path / "a")
    assert missing.exit_code == 2 and "cannot read" in missing.stderr and "No such file" in missing.stderr
    damaged = tmp_path / "damaged.json.gz"
    damaged.write_bytes(gzip.compress(STORY.read_bytes())[:200])
    result = invoke("import", "ftm", damaged, "--out", tmp_path / "b")
    assert result.exit_code == 3 and f"{damaged}:" in result.stderr and "nothing was written" in result.stderr
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
