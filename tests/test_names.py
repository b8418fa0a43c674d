"""Names as the world writes them: homonyms, any script, any word order, duplicates across stories.

Through the CLI on the bundled data (``data/``) and on fact sets written as YAML: shared names,
transliterated and reordered names, ``tieline dedupe``, and ``resolutions`` (same / different).
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from graph.names import latin_key, loose_keys, name_key, sound_key, word_set_key

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"

# A second story by "another curator", about people already in data/: other ids and spellings.
SECOND_STORY = """
sources:
  - id: other-curator-notes
    title: Notes of another curator
entities:
  - id: dmitriev-kirill
    type: person
    name: Dmitriev, Kirill
    country: russia
  - id: putin-v
    type: person
    name: Владимир Путин
    country: russia
  - id: marco-antonio-rubio
    type: person
    name: Marco Antonio Rubio
    country: united-states
  - id: steve-witkof
    type: person
    name: Steve Witkof
    country: united-states
facts:
  - id: second-1
    subject: dmitriev-kirill
    relation: met_with
    object: steve-witkof
    sources: [other-curator-notes]
    certainty: reported
  - id: second-2
    subject: putin-v
    relation: met_with
    object: steve-witkof
    sources: [other-curator-notes]
    certainty: reported
  - id: second-3
    subject: marco-antonio-rubio
    relation: negotiates_with
    object: dmitriev-kirill
    sources: [other-curator-notes]
    certainty: reported
  - id: second-4
    subject: marco-antonio-rubio
    relation: met_with
    object: steve-witkof
    sources: [other-curator-notes]
    certainty: reported
"""
PLANTED = {("dmitriev-kirill", "kirill-dmitriev"), ("putin-v", "vladimir-putin"),
           ("marco-antonio-rubio", "marco-rubio"), ("steve-witkof", "steve-witkoff")}


def two_stories(fact_set: Callable[..., Path], resolutions: str = "") -> Path:
    return fact_set({"facts/second-story.yaml": SECOND_STORY + resolutions}, base=DATA)


def run_json(invoke: Callable[..., Any], *args: str) -> Any:
    result = invoke(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


# --- the keys ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "latin"), [
    ("Дмитриев", "dmitriev"),                     # Russian
    ("Кирилл Дмитриев", "kirill dmitriev"),
    ("Зеленський", "zelenskii"),                  # Ukrainian: the apostrophe of Zelens'kyi is dropped
    ("Ζελένσκι", "zelenski"),                     # Greek
    ("泽连斯基", "zeliansiji"),                    # Chinese
    ("Kirill Dmitriev", "kirill dmitriev"),       # ASCII: the name key itself
    ("★", "★"),                                   # symbols only keep their key
])
def test_latin_key(text: str, latin: str) -> None:
    assert latin_key(text) == latin


def test_word_order_and_sound_keys() -> None:
    assert word_set_key(latin_key("Dmitriev, Kirill")) == word_set_key(latin_key("Кирилл Дмитриев"))
    assert sound_key(latin_key("Зеленский")) == sound_key(name_key("Zelenskyy")) == "zlnsk"
    assert loose_keys("فولوديمير زيلينسكي")[2] == loose_keys("Volodymyr Zelenskyy")[2]  # Arabic, by sound


def test_ascii_names_never_import_the_transliteration_library() -> None:
    code = ("import sys; from graph.names import latin_key, loose_keys; latin_key('Kirill Dmitriev'); "
            "loose_keys('Dmitriev, Kirill'); print('anyascii' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_warm_ascii_query_imports_no_transliteration_or_fuzzy_library(tmp_path: Path) -> None:
    env = {"TIELINE_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    cli = [sys.executable, "-X", "importtime", str(REPO / "cli.py"), "path", "Kirill Dmitriev", "Marco Rubio",
           "--data", str(DATA)]
    subprocess.run(cli, cwd=REPO, env=env, capture_output=True, check=True)  # fills the cache
    warm = subprocess.run(cli, cwd=REPO, env=env, capture_output=True, text=True, check=True)
    imported = {line.split("|")[-1].strip() for line in warm.stderr.splitlines() if "|" in line}
    assert not {"anyascii", "rapidfuzz"} & imported


# --- any script, any order ---------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "entity"), [
    ("Дмитриев", "kirill-dmitriev"),
    ("Кирилл Дмитриев", "kirill-dmitriev"),
    ("Dmitriev, Kirill", "kirill-dmitriev"),
    ("Зеленский", "volodymyr-zelenskyy"),
    ("Зеленський", "volodymyr-zelenskyy"),
    ("فولوديمير زيلينسكي", "volodymyr-zelenskyy"),
    ("Путин Владимир", "vladimir-putin"),
])
def test_names_resolve_across_scripts_and_word_order(invoke: Callable[..., Any], text: str, entity: str) -> None:
    assert run_json(invoke, "show", text, "--data", str(DATA))["entity"]["id"] == entity


@pytest.mark.parametrize(("text", "entity"), [
    ("Дмитриев", "kirill-dmitriev"), ("Зеленский", "volodymyr-zelenskyy"), ("Зеленський", "volodymyr-zelenskyy"),
    ("زيلينسكي", "volodymyr-zelenskyy"), ("Dmitriev, Kirill", "kirill-dmitriev"), ("Уиткофф", "steve-witkoff"),
])
def test_search_finds_names_in_another_script_first(invoke: Callable[..., Any], text: str, entity: str) -> None:
    assert run_json(invoke, "search", text, "--data", str(DATA))["results"][0]["id"] == entity


def test_search_ranks_the_person_before_events_named_after_them(invoke: Callable[..., Any]) -> None:
    results = run_json(invoke, "search", "dmitriv", "--data", str(DATA))["results"]
    assert results[0]["id"] == "kirill-dmitriev"
    assert all(r["type"] == "event" for r in results[1:3])


# --- homonyms --------------------------------------------------------------------------------------

FIRST = ["Sergei", "Ahmad", "Hussein", "Yusuf", "Sultan", "Saad", "Maria", "Anna", "Ivan", "Olga"]
LAST = ["Ivanov", "Khan", "Al-Saud", "Petrova", "Smirnov", "Haddad", "Kuznetsov", "Rahman"]
COUNTRIES = ["russia", "saudi-arabia", "jordan", "pakistan", "ukraine"]


def homonym_folder(fact_set: Callable[..., Path], count: int = 400) -> Path:
    """``count`` people drawn from few first and last names (many share a name), deterministic."""
    rng = random.Random(11)
    countries = "\n".join(f"  - {{id: {c}, type: country, name: {c.replace('-', ' ').title()}}}" for c in COUNTRIES)
    people = []
    for number in range(count):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        people.append(f"  - id: {name_key(name).replace(' ', '-')}-{number}\n    type: person\n    name: {name}\n"
                      f"    country: {rng.choice(COUNTRIES)}\n    description: born {1940 + number % 60}\n")
    schema = (DATA / "schema.yaml").read_text(encoding="utf-8")
    return fact_set({"schema.yaml": schema, "people.yaml": "entities:\n" + countries + "\n" + "".join(people)},
                    base=None)


def test_several_hundred_people_sharing_names_validate(invoke: Callable[..., Any], fact_set: Callable[..., Path]) -> None:
    data = homonym_folder(fact_set)
    result = invoke("validate", "--data", str(data))
    assert result.exit_code == 0, result.stderr
    assert "405 entities" in result.stdout
    assert result.stderr.startswith("tieline: ")
    assert result.stderr.endswith("names are shared by several entities (homonyms or duplicates); "
                                  "`tieline dedupe` reviews them\n")


def test_an_ambiguous_name_lists_each_candidate_and_exits_2(invoke: Callable[..., Any],
                                                            fact_set: Callable[..., Path]) -> None:
    data = homonym_folder(fact_set)
    result = invoke("show", "Sergei Ivanov", "--data", str(data))
    assert (result.exit_code, result.stdout) == (2, "")
    lines = result.stderr.splitlines()
    assert lines[0].startswith("tieline: 'Sergei Ivanov' matches ")
    candidates = lines[1:-1]
    assert len(candidates) == int(lines[0].split(" matches ")[1].split()[0]) > 1
    for line in candidates:  # name, type, country, description, id
        assert line.startswith("  Sergei Ivanov — person · ") and " · born " in line and " — id sergei-ivanov-" in line
    assert lines[-1].startswith("  give the id (e.g. sergei-ivanov-")
    some_id = candidates[0].rsplit(" id ", 1)[1]
    assert run_json(invoke, "show", some_id, "--data", str(data))["entity"]["id"] == some_id  # an id always resolves


def test_a_type_in_brackets_picks_among_homonyms_of_several_types(invoke: Callable[..., Any],
                                                                  fact_set: Callable[..., Path]) -> None:
    data = fact_set({"more.yaml": """
        entities:
          - {id: georgia, type: country, name: Georgia}
          - {id: georgia-smith, type: person, name: Georgia, description: a singer}
        """})
    result = invoke("show", "Georgia", "--data", str(data))
    assert result.exit_code == 2
    assert "or the type in brackets (e.g. 'Georgia (country)')" in result.stderr
    assert run_json(invoke, "show", "Georgia (person)", "--data", str(data))["entity"]["id"] == "georgia-smith"
    assert run_json(invoke, "show", "georgia (country)", "--data", str(data))["entity"]["id"] == "georgia"


# --- dedupe ----------------------------------------------------------------------------------------

def test_dedupe_ranks_the_duplicates_of_a_second_story_first(invoke: Callable[..., Any],
                                                             fact_set: Callable[..., Path]) -> None:
    data = two_stories(fact_set)
    found = run_json(invoke, "dedupe", "--data", str(data))["candidates"]
    top = {tuple(sorted((c["a"]["id"], c["b"]["id"]))) for c in found[:len(PLANTED)]}
    assert top == PLANTED
    first = found[0]
    assert set(first) == {"a", "b", "score", "reasons"} and set(first["a"]) == {"id", "name", "type"}
    assert all(0 <= c["score"] <= 1 for c in found)
    assert [c["score"] for c in found] == sorted((c["score"] for c in found), reverse=True)
    reasons = {tuple(sorted((c["a"]["id"], c["b"]["id"]))): c["reasons"] for c in found}
    assert "same words in another order" in reasons[("dmitriev-kirill", "kirill-dmitriev")]
    assert "same name after transliteration" in reasons[("putin-v", "vladimir-putin")]
    assert "one name is a fuller form of the other" in reasons[("marco-antonio-rubio", "marco-rubio")]
    assert "same country" in reasons[("steve-witkof", "steve-witkoff")]


def test_dedupe_options_and_text(invoke: Callable[..., Any], fact_set: Callable[..., Path]) -> None:
    data = two_stories(fact_set)
    assert len(run_json(invoke, "dedupe", "--data", str(data), "--limit", "2")["candidates"]) == 2
    assert all(c["a"]["type"] == "institution"
               for c in run_json(invoke, "dedupe", "--data", str(data), "--type", "institution", "--min-score", "0"
                                 )["candidates"])
    result = invoke("dedupe", "--data", str(data), "--min-score", "1")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "tieline: no pair of entities scores 1.0 or more\n"
    text = invoke("dedupe", "--data", str(data), "--limit", "1", env={"COLUMNS": "200"})
    assert text.exit_code == 0
    assert "Владимир Путин" in text.stdout and "same name after transliteration" in text.stdout
    assert invoke("dedupe", "--data", str(data), "--type", "persn").exit_code == 2


# --- resolutions -----------------------------------------------------------------------------------

MERGE_ALL = """
resolutions:
  - same: [kirill-dmitriev, dmitriev-kirill]
    note: the second story spells it this way
  - same: [vladimir-putin, putin-v]
  - same: [steve-witkoff, steve-witkof]
  - different: [marco-rubio, marco-antonio-rubio]
    note: pretend they are two people
"""


def test_same_merges_entities_and_keeps_every_fact(invoke: Callable[..., Any], fact_set: Callable[..., Path]) -> None:
    before = run_json(invoke, "stats", "--data", str(two_stories(fact_set)))
    data = fact_set({"facts/second-story.yaml": SECOND_STORY + MERGE_ALL}, base=DATA, name="merged")
    after = run_json(invoke, "stats", "--data", str(data))
    assert after["facts"] == before["facts"] and after["entities"] == before["entities"] - 3
    card = run_json(invoke, "show", "dmitriev-kirill", "--data", str(data))  # a merged id resolves
    assert card["entity"]["id"] == "kirill-dmitriev"
    assert card["entity"]["merged_ids"] == ["dmitriev-kirill"]
    assert "Dmitriev, Kirill" in card["entity"]["aliases"]
    others = {f["other"]["id"] for f in card["facts"]}
    assert {"steve-witkoff", "marco-antonio-rubio", "rdif"} <= others  # facts of both stories
    assert run_json(invoke, "path", "putin-v", "Marco Antonio Rubio", "--data", str(data))["paths"]
    found = run_json(invoke, "dedupe", "--data", str(data), "--min-score", "0")["candidates"]
    assert not any({c["a"]["id"], c["b"]["id"]} == {"marco-rubio", "marco-antonio-rubio"} for c in found)
    validate = invoke("validate", "--data", str(data))
    assert validate.exit_code == 0, validate.stderr


def test_exports_carry_the_merged_ids(invoke: Callable[..., Any], fact_set: Callable[..., Path],
                                      tmp_path: Path) -> None:
    import networkx as nx

    data = two_stories(fact_set, MERGE_ALL)
    out = tmp_path / "graph.graphml"
    assert invoke("export", "graphml", "--data", str(data), "--out", str(out)).exit_code == 0
    read = nx.read_graphml(out)
    assert read.nodes["kirill-dmitriev"]["merged_ids"] == "dmitriev-kirill"
    assert "dmitriev-kirill" not in read
    exported = invoke("export", "json", "--data", str(data), "--out", "-")
    nodes = {n["id"]: n for n in json.loads(exported.stdout)["nodes"]}
    assert nodes["vladimir-putin"]["merged_ids"] == ["putin-v"]


def problems(invoke: Callable[..., Any], data: Path) -> list[str]:
    result = invoke("validate", "--data", str(data))
    assert result.exit_code == 3, result.stderr
    return [line.split(str(data) + "/", 1)[-1] for line in result.stderr.splitlines()[:-1]]


@pytest.mark.parametrize(("resolutions", "expected"), [
    ("resolutions:\n  - same: [kirill-dmitriev, dmitriev-kiril]\n",
     ["facts/second-story.yaml:47:11: unknown entity 'dmitriev-kiril' in 'same' (did you mean 'dmitriev-kirill'?)"]),
    ("resolutions:\n  - same: [kirill-dmitriev, dmitriev-kirill]\n  - same: [dmitriev-kirill, steve-witkof]\n",
     ["facts/second-story.yaml:48:11: 'dmitriev-kirill' is already in a 'same' group at facts/second-story.yaml:47; "
      "put all the ids of one thing in one group"]),
    ("resolutions:\n  - same: [kirill-dmitriev, dmitriev-kirill]\n  - different: [dmitriev-kirill, kirill-dmitriev]\n",
     ["facts/second-story.yaml:48:16: 'dmitriev-kirill' and 'kirill-dmitriev' are judged different here, and the same "
      "at facts/second-story.yaml:47; keep one judgement"]),
    ("resolutions:\n  - same: [russia, putin-v]\n",
     ["facts/second-story.yaml:47:11: 'same' merges entities of one type; these are a country and a person"]),
    ("resolutions:\n  - same: [steve-witkof, marco-antonio-rubio]\n",
     ["facts/second-story.yaml:43:13: 'steve-witkof' met_with itself after the 'same' merge (written as "
      "'marco-antonio-rubio met_with steve-witkof'); the relation does not allow self-relations (set allow_self: "
      "true in the schema if it should)"]),
    ("resolutions:\n  - same: [kirill-dmitriev]\n",
     ["facts/second-story.yaml:47:11: 'same' of a resolution needs two ids or more, found 1"]),
    ("resolutions:\n  - same: [kirill-dmitriev, dmitriev-kirill]\n    different: [a, b]\n",
     ["facts/second-story.yaml:47:5: a resolution says either 'same: [id, id, …]' or 'different: [id, id, …]', "
      "not both"]),
])
def test_judgement_errors_are_located(invoke: Callable[..., Any], fact_set: Callable[..., Path],
                                      resolutions: str, expected: list[str]) -> None:
    assert problems(invoke, two_stories(fact_set, resolutions)) == expected


def test_conflicting_attributes_are_reported_naming_both_places(invoke: Callable[..., Any],
                                                                fact_set: Callable[..., Path]) -> None:
    story = SECOND_STORY.replace("    name: Dmitriev, Kirill\n    country: russia",
                                 "    name: Dmitriev, Kirill\n    country: ukraine\n    description: Banker.")
    data = fact_set({"facts/second-story.yaml": story + "resolutions:\n  - same: [kirill-dmitriev, dmitriev-kirill]\n"},
                    base=DATA)
    description, country = problems(invoke, data)
    assert country.startswith("facts/second-story.yaml:8:14: 'country' of 'dmitriev-kirill' is 'ukraine', but "
                              "'russia' for 'kirill-dmitriev' (entities/people.yaml:5), and 'same' at "
                              "facts/second-story.yaml:")
    assert country.endswith(" merges them; keep one value")
    assert description.startswith("facts/second-story.yaml:5:5: 'description' of 'dmitriev-kirill' is 'Banker.', but ")


def test_a_fact_duplicated_by_a_merge_corroborates(invoke: Callable[..., Any], fact_set: Callable[..., Path]) -> None:
    """Two statements that a 'same' merge makes one claim are two statements of it (issue 23), even
    from one source: the curators wrote them apart."""
    story = SECOND_STORY + """
  - subject: steve-witkof
    relation: met_with
    object: putin-v
    sources: [other-curator-notes]
    certainty: reported
  - subject: steve-witkof
    relation: met_with
    object: vladimir-putin
    sources: [other-curator-notes]
    certainty: reported
resolutions:
  - same: [vladimir-putin, putin-v]
"""
    data = fact_set({"facts/second-story.yaml": story}, base=DATA)
    result = invoke("show", "steve-witkof", "--data", data, "--json", "--no-cache")
    assert result.exit_code == 0, result.stderr
    (claim,) = [f for f in json.loads(result.stdout)["facts"] if f["id"] == "steve-witkof.met_with.vladimir-putin"]
    assert len(claim["statements"]) == 2


def test_editing_a_judgement_gives_the_graph_of_a_fresh_build(fact_set: Callable[..., Path]) -> None:
    from graph.pipeline import load_compiled
    from test_cache import fingerprint

    data = two_stories(fact_set, MERGE_ALL)
    load_compiled(data)  # the cache holds this state
    story = data / "facts" / "second-story.yaml"
    for old, new in (("  - same: [steve-witkoff, steve-witkof]\n", ""),  # a merge undone
                     ("  - different: [marco-rubio, marco-antonio-rubio]\n",  # a judgement reversed
                      "  - same: [marco-rubio, marco-antonio-rubio]\n")):
        story.write_text(story.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
        patched = fingerprint(load_compiled(data))
        assert patched == fingerprint(load_compiled(data, use_cache=False))
    (data / "facts" / "second-story.yaml").write_text(SECOND_STORY, encoding="utf-8")  # every judgement removed
    assert fingerprint(load_compiled(data)) == fingerprint(load_compiled(data, use_cache=False))
    assert load_compiled(data).names.resolve("dmitriev-kirill") == "dmitriev-kirill"
