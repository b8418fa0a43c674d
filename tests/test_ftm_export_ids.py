"""FtM export (issue 27, item 7): ids stay one per thing and valid, free attributes stay inside their
FtM property's type — checked by reading the stream back with the ``followthemoney`` package."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from conftest import write_fact_set

__all__: list[str] = []

SCHEMA = """\
entity_types:
  person: {label: Person}
  institution: {label: Institution}
certainty:
  confirmed: Stated as fact by the source.
relations:
  works_for: {label: works for, inverse: employs, subject: [person], object: [institution]}
"""
STORY = """\
dataset: {name: Ids, date: '2025-01-01'}
sources:
  - {id: registry, title: Official registry extract}
entities:
  - {id: ann, type: person, name: Ann, attributes: {ftm_id: same-id, birthDate: yesterday, email: ann@example.org}}
  - {id: bob, type: person, name: Bob, attributes: {ftm_id: same-id}}
  - {id: cid, type: person, name: Cid, attributes: {ftm_id: ../../etc}}
  - {id: registry-person, type: person, name: Dee, attributes: {ftm_id: registry}}
  - {id: acme, type: institution, name: Acme}
facts:
  - {subject: ann, relation: works_for, object: acme, sources: [registry], certainty: confirmed}
  - {subject: bob, relation: works_for, object: acme, sources: [registry], certainty: confirmed}
  - {subject: cid, relation: works_for, object: acme, sources: [registry], certainty: confirmed}
  - {subject: registry-person, relation: works_for, object: acme, sources: [registry], certainty: confirmed}
"""


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict], str]:
    folder = tmp_path_factory.mktemp("ids")
    data = write_fact_set(folder / "data", {"schema.yaml": SCHEMA, "story.yaml": STORY}, base=None)
    out = folder / "story.ftm.json"
    result = CliRunner().invoke(app, ["export", "ftm", "--data", str(data), "--out", str(out), "--no-cache"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()], result.stderr


def test_every_thing_keeps_an_id_of_its_own(exported: tuple[list[dict], str]) -> None:
    from followthemoney import model

    entities, report = exported
    ids = [e["id"] for e in entities]
    assert len(ids) == len(set(ids)), "two things with one id would be merged by Aleph or nomenklatura"
    proxies = {e["id"]: model.get_proxy(e) for e in entities}
    people = {p.first("name"): i for i, p in proxies.items() if p.schema.name == "Person"}
    assert people["Ann"] == "same-id" and people["Bob"] == "bob", "the first keeps the ftm_id, the other its own id"
    assert people["Cid"] == "cid" and people["Dee"] == "registry-person"
    assert proxies["registry"].schema.name == "Document", "the source keeps its id"
    assert "ftm_id another thing of the stream already has" in report and "not a valid FtM id" in report


def test_every_reference_reaches_a_thing_of_the_stream(exported: tuple[list[dict], str]) -> None:
    from followthemoney import model

    entities, _ = exported
    ids = {e["id"] for e in entities}
    proxies = [model.get_proxy(e) for e in entities]
    references = [(p.id, prop.name, value) for p in proxies for prop, value in p.itervalues() if prop.type.name == "entity"]
    assert references and all(value in ids for _, _, value in references), \
        [r for r in references if r[2] not in ids]
    employers = [p for p in proxies if p.schema.name == "Employment"]
    assert len(employers) == 4 and len({p.first("employee") for p in employers}) == 4


def test_a_free_attribute_outside_its_ftm_type_goes_to_notes(exported: tuple[list[dict], str]) -> None:
    from followthemoney import model

    entities, report = exported
    ann = next(model.get_proxy(e) for e in entities if e["properties"].get("name") == ["Ann"])
    assert ann.get("birthDate") == [] and "birthDate: yesterday" in ann.get("notes")
    assert ann.get("email") == ["ann@example.org"], "a valid value is written as the property"
    assert "attribute birthDate not a valid date for FtM (written to notes)" in report
