"""`tieline validate`: every kind of problem, reported as `file:line:column: message`, all at once.

Each test writes a broken file next to a copy of tests/fixtures/small in tmp_path, runs the CLI
from tmp_path with `--data data` (so messages show paths the way a user typed them), and compares
stderr line by line.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import SMALL

BAD = "data/facts/bad.yaml"


@pytest.fixture
def problems(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fact_set: Callable[..., Path],
             invoke: Callable[..., Any]) -> Callable[..., list[str]]:
    """``problems(files, base=SMALL)``: the problem lines `tieline validate` prints for that fact set."""
    monkeypatch.chdir(tmp_path)

    def run(files: dict[str, str | None], base: Path | None = SMALL) -> list[str]:
        fact_set(files, base)
        result = invoke("validate", "--data", "data")
        assert result.exit_code == 3, (result.stdout, result.stderr)
        assert result.stdout == ""
        *lines, summary = result.stderr.splitlines()
        assert summary == f"tieline: {len(lines)} problem{'s' if len(lines) != 1 else ''} in data/"
        return lines
    return run


FACT = """\
  - subject: {subject}
    relation: {relation}
    object: {object}
    sources: [{source}]
    certainty: {certainty}
"""


def facts(*items: dict[str, str]) -> str:
    """A `facts:` section; each item overrides a valid fact's fields (5 lines per fact, from line 2)."""
    valid = {"subject": "anna-kowalska", "relation": "member_of", "object": "trade-council",
             "source": "gazeta-2025-01-15", "certainty": "confirmed"}
    return "facts:\n" + "".join(FACT.format(**{**valid, **item}) for item in items)


# --- a valid fact set -----------------------------------------------------------------------------

def test_the_fixture_is_valid(invoke: Callable[..., Any]) -> None:
    result = invoke("validate", "--data", SMALL)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == f"{SMALL}/ is valid: 15 entities, 16 facts, 3 sources\n"


def test_the_fixture_is_valid_as_json(invoke: Callable[..., Any]) -> None:
    result = invoke("validate", "--data", SMALL, "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"valid": True, "errors": [], "entities": 15, "facts": 16, "sources": 3}


def test_the_bundled_data_is_valid(invoke: Callable[..., Any]) -> None:
    data = Path(__file__).resolve().parents[1] / "data"
    result = invoke("validate", "--data", data)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"{data}/ is valid: ")


# --- duplicates -----------------------------------------------------------------------------------

def test_duplicate_entity_id(problems: Callable[..., list[str]]) -> None:
    assert problems({"facts/bad.yaml": """
        entities:
          - id: anna-kowalska
            type: person
            name: Anna Kowalska Junior
        """}) == [f"{BAD}:2:9: duplicate entity id 'anna-kowalska' (first at entities/people.yaml:17)"]


def test_duplicate_source_id(problems: Callable[..., list[str]]) -> None:
    assert problems({"facts/bad.yaml": """
        sources:
          - id: el-pais-2024-06-10
            title: Another article
        """}) == [f"{BAD}:2:9: duplicate source id 'el-pais-2024-06-10' (first at dataset.yaml:12)"]


def test_duplicate_fact_id(problems: Callable[..., list[str]]) -> None:
    assert problems({"facts/bad.yaml": """
        facts:
          - id: alvarez-zelenskyy-2024
            subject: boris-ivanov
            relation: met_with
            object: boris-petrov
            sources: [gazeta-2025-01-15]
            certainty: confirmed
        """}) == [
        # facts/bad.yaml is read before facts/meetings.yaml, so the bundled fact is the second one
        "data/facts/meetings.yaml:3:9: duplicate fact id 'alvarez-zelenskyy-2024' (first at facts/bad.yaml:2)"]


def test_the_same_statement_twice_is_an_error(problems: Callable[..., list[str]]) -> None:
    """Same claim, same sources, one story: a copy-paste slip (another source's statement is corroboration)."""
    assert problems({"facts/bad.yaml": facts({"subject": "boris-ivanov"})}) == [
        "data/facts/roles.yaml:24:5: the same statement twice: 'boris-ivanov member_of trade-council' "
        "from the same sources as at facts/bad.yaml:2; remove one (another source's statement of it is welcome)"]


def test_a_symmetric_statement_written_both_ways_from_one_source_is_an_error(problems: Callable[..., list[str]]) -> None:
    """'a met_with b' and 'b met_with a' are one meeting: from the same source, the second repeats the first."""
    meeting = {"relation": "met_with", "source": "kyiv-post-2024-05-01"}
    assert problems({
        "facts/a.yaml": facts({**meeting, "subject": "anna-kowalska", "object": "boris-ivanov"}),
        "facts/bad.yaml": facts({**meeting, "subject": "boris-ivanov", "object": "anna-kowalska"},
                                {**meeting, "subject": "boris-petrov", "object": "anna-kowalska"}),
    }) == [
        f"{BAD}:2:5: the same statement twice: 'boris-ivanov met_with anna-kowalska' from the same sources "
        "as at facts/a.yaml:2; remove one (another source's statement of it is welcome)"]


def test_a_symmetric_fact_both_ways_with_ids_is_two_facts(invoke: Callable[..., Any],
                                                          fact_set: Callable[..., Path]) -> None:
    both_ways = facts({"relation": "met_with", "subject": "anna-kowalska", "object": "boris-ivanov"},
                      {"relation": "met_with", "subject": "boris-ivanov", "object": "anna-kowalska"})
    with_ids = both_ways.replace("  - subject: anna", "  - id: first-meeting\n    subject: anna") \
                        .replace("  - subject: boris", "  - id: second-meeting\n    subject: boris")
    data = fact_set({"facts/extra.yaml": with_ids})
    result = invoke("show", "Anna Kowalska", "--data", data, "--json")
    assert result.exit_code == 0, result.stderr
    meetings = [f["id"] for f in json.loads(result.stdout)["facts"] if f["relation"] == "met_with"]
    assert meetings == ["first-meeting", "second-meeting"]


def test_a_second_dataset_section_is_located_with_its_column(problems: Callable[..., list[str]]) -> None:
    assert problems({"facts/bad.yaml": "dataset:\n  name: Another\n"}) == [
        f"{BAD}:2:3: a second 'dataset' section (the first is in dataset.yaml:2); keep one"]


def test_two_entities_may_share_a_name(invoke: Callable[..., Any], fact_set: Callable[..., Any]) -> None:
    data = fact_set({"more-people.yaml": """
        entities:
          - {id: zed, type: person, name: Zed, aliases: [Zelenskiy]}
          - {id: zed-two, type: person, name: Zed}
        """})
    result = invoke("validate", "--data", str(data))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ("tieline: 2 names are shared by several entities (homonyms or duplicates); "
                             "`tieline dedupe` reviews them\n")


def test_duplicate_yaml_key(problems: Callable[..., list[str]]) -> None:
    assert problems({"facts/bad.yaml": facts({}) + "    certainty: reported\n"}) == [
        f"{BAD}:7:5: duplicate key 'certainty' (first at line 6); YAML would silently keep only the last one"]


# --- references -----------------------------------------------------------------------------------

def test_unknown_entity_with_suggestion(problems: Callable[..., list[str]]) -> None:
    assert problems({"facts/bad.yaml": facts({"object": "volodymyr-zelensky", "relation": "advises"})}) == [
        f"{BAD}:4:13: unknown entity 'volodymyr-zelensky' (did you mean 'volodymyr-zelenskyy'?)"]


def test_unknown_entity_close_to_an_id(problems: Callable[..., list[str]]) -> None:
    assert problems({"facts/bad.yaml": facts({"subject": "ivanov"})}) == [
        f"{BAD}:2:14: unknown entity 'ivanov' (did you mean 'boris-ivanov'?)"]


def test_unknown_entity_named_by_its_alias_suggests_the_id(problems: Callable[..., list[str]]) -> None:
    assert problems({"facts/bad.yaml": facts({"subject": "zelensky", "relation": "heads",
                                              "object": "office-of-the-president"})}) == [
        f"{BAD}:2:14: unknown entity 'zelensky' (did you mean 'volodymyr-zelenskyy', Volodymyr Zelenskyy?)"]


def test_unknown_entity_without_suggestion(problems: Callable[..., list[str]]) -> None:
    assert problems({"facts/bad.yaml": facts({"subject": "nobody-at-all"})}) == [
        f"{BAD}:2:14: unknown entity 'nobody-at-all'"]


def test_unknown_relation(problems: Callable[..., list[str]]) -> None:
    assert problems({"facts/bad.yaml": facts({"relation": "member"})}) == [
        f"{BAD}:3:15: unknown relation 'member' (did you mean 'member_of'?); if it is new, declare it under "
        "'relations:' in schema.yaml (label, inverse, subject, object)"]


def test_unknown_source(problems: Callable[..., list[str]]) -> None:
    assert problems({"facts/bad.yaml": facts({"source": "gazeta-2025-01-16"})}) == [
        f"{BAD}:5:14: unknown source 'gazeta-2025-01-16' (did you mean 'gazeta-2025-01-15'?)"]


def test_unknown_certainty(problems: Callable[..., list[str]]) -> None:
    assert problems({"facts/bad.yaml": facts({"certainty": "confirmd"})}) == [
        f"{BAD}:6:16: unknown certainty 'confirmd' (did you mean 'confirmed'?); "
        "the schema has: confirmed, reported, planned"]


@pytest.mark.parametrize(("field", "value", "meant", "column"), [
    ("subject", "Anna Kowalska", "anna-kowalska", 14),
    ("subject", "Ivanov", "boris-ivanov", 14),          # an alias
    ("relation", "is a member of", "member_of", 15),    # a label
    ("relation", "Member Of", "member_of", 15),         # the id, written as words
    ("certainty", "Confirmed", "confirmed", 16),
])
def test_a_name_where_an_id_belongs_says_which_id(problems: Callable[..., list[str]], field: str, value: str,
                                                  meant: str, column: int) -> None:
    line = {"subject": 2, "relation": 3, "certainty": 6}[field]
    shown_fact = " ".join({"subject": "anna-kowalska", "relation": "member_of", "object": "trade-council",
                           field: value}[k] for k in ("subject", "relation", "object"))
    assert problems({"facts/bad.yaml": facts({field: value})}) == [
        f"{BAD}:{line}:{column}: {field!r} {value!r} of fact {shown_fact!r} is not a valid id "
        f"(did you mean {meant!r}?)"]


def test_a_country_by_its_name_says_which_id(problems: Callable[..., list[str]]) -> None:
    assert problems({"entities/bad.yaml": """
        entities:
          - id: zed
            type: person
            name: Zed
            country: España
          - id: zoe
            type: person
            name: Zoe
            country: Nowhere Land
        """}) == [
        "data/entities/bad.yaml:5:14: 'country' 'España' of entity 'zed' is not a valid id (did you mean 'spain'?)",
        "data/entities/bad.yaml:9:14: 'country' 'Nowhere Land' of entity 'zoe' is not a valid id "
        "(lowercase letters, digits and single hyphens: did you mean 'nowhere-land'?)"]


def test_unknown_entity_type_and_country(problems: Callable[..., list[str]]) -> None:
    assert problems({"facts/bad.yaml": """
        entities:
          - id: zed
            type: persn
            name: Zed
            country: spian
          - id: ed
            type: person
            name: Ed
            country: madrid-forum
        """}) == [
        f"{BAD}:3:11: unknown entity type 'persn' (did you mean 'person'?); "
        "the schema has: person, institution, country, event",
        f"{BAD}:5:14: unknown entity 'spian' as country of 'zed' (did you mean 'spain'?)",
        f"{BAD}:9:14: 'madrid-forum' is an event, not a country",
    ]


# --- types ----------------------------------------------------------------------------------------

def test_wrong_subject_and_object_types(problems: Callable[..., list[str]]) -> None:
    assert problems({"facts/bad.yaml": facts({"subject": "ukraine", "relation": "heads", "object": "spain"},
                                             {"relation": "held_in", "object": "spain"})}) == [
        f"{BAD}:2:14: 'ukraine' is a country, but 'heads' takes person as subject",
        f"{BAD}:4:13: 'spain' is a country, but 'heads' takes institution as object",
        f"{BAD}:7:14: 'anna-kowalska' is a person, but 'held_in' takes event as subject",
    ]


def test_self_relation(problems: Callable[..., list[str]]) -> None:
    assert problems({"facts/bad.yaml": facts({"relation": "advises", "object": "anna-kowalska"})}) == [
        f"{BAD}:4:13: 'anna-kowalska' advises itself; the relation does not allow self-relations "
        "(set allow_self: true in the schema if it should)"]


# --- dates ----------------------------------------------------------------------------------------

def test_malformed_dates(problems: Callable[..., list[str]]) -> None:
    assert problems({"facts/bad.yaml": """
        entities:
          - id: zed
            type: person
            name: Zed
            start: 2025-13-01
            end: April
          - id: ed
            type: person
            name: Ed
            start: "2024-02-30"
        """}) == [
        f"{BAD}:5:12: 'start' of entity 'zed' is not a real date: 2025-13-01 (month must be in 1..12)",
        f"{BAD}:6:10: 'end' of entity 'zed' must be a date as YYYY, YYYY-MM or YYYY-MM-DD, found 'April'",
        f"{BAD}:10:12: 'start' of entity 'ed' is not a real date: 2024-02-30 (day is out of range for month)",
    ]


def test_end_before_start(problems: Callable[..., list[str]]) -> None:
    assert problems({"facts/bad.yaml": facts({}) + '    start: "2025-04"\n    end: "2025-03-31"\n'}) == [
        f"{BAD}:8:10: fact 'anna-kowalska member_of trade-council' ends (2025-03-31) before it starts (2025-04)"]


# --- shapes ---------------------------------------------------------------------------------------

def test_missing_required_fields(problems: Callable[..., list[str]]) -> None:
    assert problems({"facts/bad.yaml": """
        sources:
          - id: untitled
        entities:
          - id: nameless
            type: person
        facts:
          - subject: anna-kowalska
            relation: member_of
            object: trade-council
            certainty: confirmed
        """}) == [
        f"{BAD}:2:5: source 'untitled' is missing 'title'",
        f"{BAD}:4:5: entity 'nameless' is missing 'name'",
        f"{BAD}:7:5: fact 'anna-kowalska member_of trade-council' is missing 'sources'",
    ]


def test_two_problems_at_the_same_place_are_both_reported(problems: Callable[..., list[str]]) -> None:
    assert sorted(problems({"facts/bad.yaml": """
        facts:
          - subject: anna-kowalska
            relation: member_of
            object: trade-council
        """})) == [  # in either order
        f"{BAD}:2:5: fact 'anna-kowalska member_of trade-council' is missing 'certainty'",
        f"{BAD}:2:5: fact 'anna-kowalska member_of trade-council' is missing 'sources'",
    ]


def test_unknown_key_names_the_right_one(problems: Callable[..., list[str]]) -> None:
    text = facts({}).replace("sources:", "soruces:")
    assert problems({"facts/bad.yaml": text}) == [
        f"{BAD}:2:5: fact 'anna-kowalska member_of trade-council' is missing 'sources'",
        f"{BAD}:5:5: unknown key 'soruces' in fact 'anna-kowalska member_of trade-council' "
        "(did you mean 'sources'?); allowed: id, subject, relation, object, sources, quote, start, end, "
        "certainty, note",
    ]


def test_unknown_section(problems: Callable[..., list[str]]) -> None:
    assert problems({"facts/bad.yaml": "fact:\n  - subject: x\n"}) == [
        f"{BAD}:1:1: unknown key 'fact' in a fact file (did you mean 'facts'?); "
        "allowed: dataset, sources, entities, facts, resolutions, tour"]


def test_yaml_syntax_error_with_its_line(problems: Callable[..., list[str]]) -> None:
    broken = facts({}).replace("    object:", "     object:")
    assert problems({"facts/bad.yaml": broken}) == [
        f"{BAD}:4:12: YAML syntax error: mapping values are not allowed in this context"]


def test_a_colon_in_a_plain_value_says_to_quote_it(problems: Callable[..., list[str]]) -> None:
    quoted = facts({}).replace("    certainty:", "    quote: Rubio said: the talks went well\n    certainty:")
    assert problems({"facts/bad.yaml": quoted}) == [
        f"{BAD}:6:22: YAML syntax error: mapping values are not allowed in this context — the value contains "
        "': ', so put the value in quotes"]


def test_yaml_tags_never_build_objects(problems: Callable[..., list[str]]) -> None:
    broken = facts({}).replace("object: trade-council", "object: !!python/object/apply:os.system [ls]")
    assert problems({"facts/bad.yaml": broken}) == [
        f"{BAD}:4:13: YAML tag '!!python/object/apply:os.system' is not allowed here (tags never build objects)"]


def test_missing_schema(problems: Callable[..., list[str]]) -> None:
    assert problems({"schema.yaml": None}) == [
        "data/schema.yaml: missing: every data folder needs a schema.yaml (see data/README.md)"]


def test_missing_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, invoke: Callable[..., Any]) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("validate", "--data", "nowhere")
    assert (result.exit_code, result.stdout) == (3, "")
    assert result.stderr == "nowhere: no such data folder\ntieline: 1 problem in nowhere/\n"


# --- all problems at once -------------------------------------------------------------------------

def test_every_reference_problem_in_every_file_is_listed_sorted(problems: Callable[..., list[str]]) -> None:
    assert problems({
        "facts/zz-last.yaml": facts({"relation": "member"}, {"source": "gazeta"}),
        "facts/aa-first.yaml": facts({"subject": "anna"}, {"object": "trade-councel"}),
        "entities/more.yaml": "entities:\n  - id: zed\n    type: persn\n    name: Zed\n",
    }) == [
        "data/entities/more.yaml:3:11: unknown entity type 'persn' (did you mean 'person'?); "
        "the schema has: person, institution, country, event",
        "data/facts/aa-first.yaml:2:14: unknown entity 'anna'",
        "data/facts/aa-first.yaml:9:13: unknown entity 'trade-councel' (did you mean 'trade-council'?)",
        "data/facts/zz-last.yaml:3:15: unknown relation 'member' (did you mean 'member_of'?); if it is new, "
        "declare it under 'relations:' in schema.yaml (label, inverse, subject, object)",
        "data/facts/zz-last.yaml:10:14: unknown source 'gazeta'",
    ]


def test_every_shape_problem_in_every_file_is_listed_sorted(problems: Callable[..., list[str]]) -> None:
    assert problems({
        "facts/b.yaml": facts({}).replace("sources:", "soruces:") + "    start: 2025-13\n",
        "facts/a.yaml": "facts:\n  - subject: anna-kowalska\n   relation: x\n",
        "entities/c.yaml": "entities:\n  - id: Bad_ID\n    type: person\n    name: Bad\n",
    }) == [
        "data/entities/c.yaml:2:9: 'id' 'Bad_ID' of entity 'Bad_ID' is not a valid id "
        "(lowercase letters, digits and single hyphens: did you mean 'bad-id'?)",
        "data/facts/a.yaml:3:4: YAML syntax error: did not find expected '-' indicator "
        "(while parsing a block collection that starts at line 2, column 3)",
        "data/facts/b.yaml:2:5: fact 'anna-kowalska member_of trade-council' is missing 'sources'",
        "data/facts/b.yaml:5:5: unknown key 'soruces' in fact 'anna-kowalska member_of trade-council' "
        "(did you mean 'sources'?); allowed: id, subject, relation, object, sources, quote, start, end, "
        "certainty, note",
        "data/facts/b.yaml:7:12: 'start' of fact 'anna-kowalska member_of trade-council' is not a real date: "
        "2025-13 (month must be in 1..12)",
    ]


def test_shape_and_reference_problems_are_reported_together(problems: Callable[..., list[str]]) -> None:
    assert problems({
        "facts/a.yaml": facts({}).replace("sources:", "soruces:"),
        "facts/b.yaml": facts({"subject": "nobody-at-all"}),
    }) == [
        "data/facts/a.yaml:2:5: fact 'anna-kowalska member_of trade-council' is missing 'sources'",
        "data/facts/a.yaml:5:5: unknown key 'soruces' in fact 'anna-kowalska member_of trade-council' "
        "(did you mean 'sources'?); allowed: id, subject, relation, object, sources, quote, start, end, "
        "certainty, note",
        "data/facts/b.yaml:2:14: unknown entity 'nobody-at-all'",
    ]


def test_invalid_data_as_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fact_set: Callable[..., Path],
                              invoke: Callable[..., Any]) -> None:
    monkeypatch.chdir(tmp_path)
    fact_set({"facts/bad.yaml": facts({"relation": "member"}, {"source": "gazeta"})})
    result = invoke("validate", "--data", "data", "--json")
    assert result.exit_code == 3
    assert json.loads(result.stdout) == {"valid": False, "errors": [
        {"path": BAD, "line": 3, "column": 15, "message": "unknown relation 'member' (did you mean 'member_of'?); "
         "if it is new, declare it under 'relations:' in schema.yaml (label, inverse, subject, object)"},
        {"path": BAD, "line": 10, "column": 14, "message": "unknown source 'gazeta'"},
    ]}
    assert result.stderr.splitlines()[-1] == "tieline: 2 problems in data/"


# --- relation flags -------------------------------------------------------------------------------

def test_momentary_is_a_true_or_false_flag_of_a_relation(problems: Callable[..., list[str]]) -> None:
    schema = (SMALL / "schema.yaml").read_text(encoding="utf-8")
    bad = schema.replace("    momentary: true\n", "    momentary: sometimes\n", 1).replace(
        "    momentary: true\n", "    momentry: true\n", 1)
    assert problems({"schema.yaml": bad}) == [
        "data/schema.yaml:43:16: 'momentary' of relation 'met_with' must be true or false, found 'sometimes'",
        "data/schema.yaml:49:5: unknown key 'momentry' in relation 'participated_in' (did you mean 'momentary'?); "
        "allowed: label, inverse, symmetric, momentary, subject, object, allow_self, description, active"]
