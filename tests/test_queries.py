"""The questions a user asks: neighbours, path, stats, show, search, and the library behind them.

Everything runs on tests/fixtures/small (15 entities, 16 facts). Its shape, for reading the
expectations below:

    Anna Kowalska --advises--> Volodymyr Zelenskyy --heads--> Office of the President --is in--> Ukraine
    José Álvarez ==met with (x2, symmetric)== Zelenskyy --took part in--> Kyiv Summit --took place in--> Ukraine
    Álvarez, Kowalska --took part in--> Madrid Forum --took place in--> Spain
    Álvarez --heads--> Ministry of Finance --is in--> Spain
    Boris Ivanov --took part in--> Kyiv Summit; Ivanov, Petrov --is a member of--> Trade Council
    Clara Núñez --heads--> Lisbon Choir (a second component); Ida Isolde (isolated)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SMALL

ZEL = "volodymyr-zelenskyy"


def run_json(invoke: Callable[..., Any], *args: str) -> Any:
    """The parsed --json output of a tieline command on the small fixture that must succeed."""
    result = invoke(*args, "--data", SMALL, "--json")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return json.loads(result.stdout)


def neighbours(invoke: Callable[..., Any], entity: str, *options: str) -> list[tuple[int, str]]:
    """(distance, id) of each entity `tieline neighbours` lists, in its order."""
    found = run_json(invoke, "neighbours", entity, *options)["neighbours"]
    return [(n["distance"], n["id"]) for n in found]


def paths(invoke: Callable[..., Any], a: str, b: str, *options: str) -> list[list[str]]:
    """The entity ids along each path `tieline path` prints, in its order."""
    found = run_json(invoke, "path", a, b, *options)["paths"]
    return [[hop["from"]["id"] for hop in p["hops"]] + [p["hops"][-1]["to"]["id"]] for p in found]


def fails(invoke: Callable[..., Any], *args: str) -> Any:
    """Run a command on the small fixture that must end with exit 1 (no result)."""
    result = invoke(*args, "--data", SMALL)
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert result.stdout == ""
    return result


# --- neighbours -----------------------------------------------------------------------------------

def test_neighbours_one_hop(invoke: Callable[..., Any]) -> None:
    assert neighbours(invoke, "Zelenskyy") == [
        (1, "anna-kowalska"), (1, "jose-alvarez"), (1, "kyiv-summit"), (1, "office-of-the-president")]


def test_neighbours_facts_are_worded_from_the_entity_side(invoke: Callable[..., Any]) -> None:
    found = run_json(invoke, "neighbours", ZEL)["neighbours"]
    wordings = {n["id"]: [f["wording"] for f in n["facts"]] for n in found}
    assert wordings == {
        "anna-kowalska": ["Volodymyr Zelenskyy is advised by Anna Kowalska"],
        "jose-alvarez": ["Volodymyr Zelenskyy met with José Álvarez"] * 2,
        "kyiv-summit": ["Volodymyr Zelenskyy took part in Kyiv Summit"],
        "office-of-the-president": ["Volodymyr Zelenskyy heads Office of the President"],
    }
    parallel = next(n for n in found if n["id"] == "jose-alvarez")["facts"]
    assert [f["id"] for f in parallel] == ["alvarez-zelenskyy-2024", "alvarez-zelenskyy-2025"]


@pytest.mark.parametrize(("depth", "added"), [
    (2, [(2, "boris-ivanov"), (2, "madrid-forum"), (2, "ministry-of-finance"), (2, "ukraine")]),
    (3, [(2, "boris-ivanov"), (2, "madrid-forum"), (2, "ministry-of-finance"), (2, "ukraine"),
         (3, "spain"), (3, "trade-council")]),
])
def test_neighbours_depth_lists_nearest_first(invoke: Callable[..., Any], depth: int,
                                              added: list[tuple[int, str]]) -> None:
    first = [(1, "anna-kowalska"), (1, "jose-alvarez"), (1, "kyiv-summit"), (1, "office-of-the-president")]
    assert neighbours(invoke, ZEL, "--depth", str(depth)) == first + added


def test_neighbours_depth_stops_at_the_component(invoke: Callable[..., Any]) -> None:
    found = neighbours(invoke, ZEL, "-n", "10")
    assert len(found) == 11
    assert found[-1] == (4, "boris-petrov")
    assert not {"clara-nunez", "lisbon-choir", "ida-isolde"} & {i for _, i in found}


def test_neighbours_direction_out_follows_symmetric_facts_both_ways(invoke: Callable[..., Any]) -> None:
    # The two meetings are written "José Álvarez met with Zelenskyy": symmetric, so they count as out too.
    assert neighbours(invoke, ZEL, "--direction", "out") == [
        (1, "jose-alvarez"), (1, "kyiv-summit"), (1, "office-of-the-president")]
    assert neighbours(invoke, ZEL, "--direction", "out", "--depth", "2") == [
        (1, "jose-alvarez"), (1, "kyiv-summit"), (1, "office-of-the-president"),
        (2, "madrid-forum"), (2, "ministry-of-finance"), (2, "ukraine")]


def test_neighbours_direction_in(invoke: Callable[..., Any]) -> None:
    assert neighbours(invoke, ZEL, "--direction", "in") == [(1, "anna-kowalska"), (1, "jose-alvarez")]
    assert neighbours(invoke, ZEL, "--direction", "in", "--depth", "3") == [
        (1, "anna-kowalska"), (1, "jose-alvarez")]
    assert neighbours(invoke, "Madrid Forum", "--direction", "in") == [
        (1, "anna-kowalska"), (1, "jose-alvarez")]
    assert neighbours(invoke, "Madrid Forum", "--direction", "out") == [(1, "spain")]


def test_neighbours_relation_filter(invoke: Callable[..., Any]) -> None:
    assert neighbours(invoke, ZEL, "--relation", "met_with") == [(1, "jose-alvarez")]
    assert neighbours(invoke, ZEL, "-r", "heads", "-r", "advises") == [
        (1, "anna-kowalska"), (1, "office-of-the-president")]
    # the walk only follows the chosen relations
    assert neighbours(invoke, ZEL, "-r", "participated_in", "--depth", "3") == [
        (1, "kyiv-summit"), (2, "boris-ivanov")]


def test_neighbours_type_filter_lists_only_that_type_but_walks_through_others(
        invoke: Callable[..., Any]) -> None:
    assert neighbours(invoke, ZEL, "--depth", "2", "--type", "institution") == [
        (1, "office-of-the-president"), (2, "ministry-of-finance")]
    # Trade Council is reached through Kyiv Summit and Boris Ivanov, neither an institution
    assert neighbours(invoke, ZEL, "-n", "3", "-t", "institution", "-t", "country") == [
        (1, "office-of-the-president"), (2, "ministry-of-finance"), (2, "ukraine"),
        (3, "spain"), (3, "trade-council")]


def test_neighbours_json_shape(invoke: Callable[..., Any]) -> None:
    out = run_json(invoke, "neighbours", "anna-kowalska", "--depth", "1")
    assert list(out) == ["entity", "depth", "direction", "neighbours", "total"]
    assert out["entity"] == {"id": "anna-kowalska", "name": "Anna Kowalska", "type": "person"}
    assert (out["depth"], out["direction"]) == (1, "both")
    forum = out["neighbours"][0]
    assert {k: forum[k] for k in ("id", "name", "type", "distance")} == {
        "id": "madrid-forum", "name": "Madrid Forum", "type": "event", "distance": 1}
    assert forum["via"] == {"id": "anna-kowalska", "name": "Anna Kowalska", "type": "person"}
    [fact] = forum["facts"]
    assert {k: fact[k] for k in ("id", "subject", "relation", "object", "certainty", "file", "line")} == {
        "id": "anna-kowalska.participated_in.madrid-forum", "subject": "anna-kowalska",
        "relation": "participated_in", "object": "madrid-forum", "certainty": "confirmed",
        "file": "facts/meetings.yaml", "line": 24}
    assert fact["sources"] == [{"id": "el-pais-2024-06-10", "title": "Álvarez at the Madrid Forum",
                                "publisher": "El País", "published": "2024-06-10", "url": None}]


def test_neighbors_alias_gives_the_same_answer(invoke: Callable[..., Any]) -> None:
    british = invoke("neighbours", ZEL, "-n", "2", "--data", SMALL)
    american = invoke("neighbors", ZEL, "-n", "2", "--data", SMALL)
    assert american.exit_code == british.exit_code == 0
    assert american.stdout == british.stdout
    assert "4 within 1 hop" not in american.stdout and "8 within 2 hops of Volodymyr Zelenskyy" in american.stdout


def test_neighbours_of_an_isolated_entity_is_no_result(invoke: Callable[..., Any]) -> None:
    result = fails(invoke, "neighbours", "Ida Isolde")
    assert result.stderr == "tieline: no neighbours match\n"


def test_neighbours_bad_direction_is_a_usage_error(invoke: Callable[..., Any]) -> None:
    result = invoke("neighbours", ZEL, "--direction", "sideways", "--data", SMALL)
    assert result.exit_code == 2
    assert result.stderr == "tieline: --direction must be one of out, in, both, not 'sideways'\n"


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--relation", "head", "tieline: unknown relation 'head' (did you mean 'heads'?); known: heads, advises, "
                           "member_of, met_with, participated_in, located_in, held_in\n"),
    ("--type", "persn", "tieline: unknown entity type 'persn' (did you mean 'person'?); known: person, "
                        "institution, country, event\n"),
])
def test_neighbours_unknown_filter_is_a_usage_error(invoke: Callable[..., Any], option: str, value: str,
                                                    message: str) -> None:
    result = invoke("neighbours", ZEL, option, value, "--data", SMALL)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", message)


# --- path -----------------------------------------------------------------------------------------

def test_path_hop_by_hop_with_wording_in_travel_direction(invoke: Callable[..., Any]) -> None:
    out = run_json(invoke, "path", "Zelenskyy", "Boris Petrov")
    assert out["from"] == {"id": ZEL, "name": "Volodymyr Zelenskyy", "type": "person"}
    assert out["to"] == {"id": "boris-petrov", "name": "Boris Petrov", "type": "person"}
    [found] = out["paths"]
    assert found["length"] == 4
    assert [[f["wording"] for f in hop["facts"]] for hop in found["hops"]] == [
        ["Volodymyr Zelenskyy took part in Kyiv Summit"],
        ["Kyiv Summit had participant Boris Ivanov"],
        ["Boris Ivanov is a member of Trade Council"],
        ["Trade Council has member Boris Petrov"],
    ]
    assert [s["id"] for hop in found["hops"] for f in hop["facts"] for s in f["sources"]] == [
        "gazeta-2025-01-15"] * 4


def test_path_reversed_words_each_fact_the_other_way(invoke: Callable[..., Any]) -> None:
    out = run_json(invoke, "path", "Boris Petrov", "Zelenskyy")
    assert [hop["facts"][0]["wording"] for hop in out["paths"][0]["hops"]] == [
        "Boris Petrov is a member of Trade Council",
        "Trade Council has member Boris Ivanov",
        "Boris Ivanov took part in Kyiv Summit",
        "Kyiv Summit had participant Volodymyr Zelenskyy",
    ]


def test_path_one_shortest_by_default_all_with_all(invoke: Callable[..., Any]) -> None:
    assert paths(invoke, ZEL, "madrid-forum") == [[ZEL, "anna-kowalska", "madrid-forum"]]
    assert paths(invoke, ZEL, "madrid-forum", "--all") == [
        [ZEL, "anna-kowalska", "madrid-forum"], [ZEL, "jose-alvarez", "madrid-forum"]]


def test_path_all_counts_every_shortest_path(invoke: Callable[..., Any]) -> None:
    found = paths(invoke, "Ukraine", "Spain", "--all")
    assert len(found) == 6
    assert all(len(p) == 6 for p in found)
    assert found == sorted(found)
    assert {p[1] for p in found} == {"kyiv-summit", "office-of-the-president"}
    assert {p[4] for p in found} == {"madrid-forum", "ministry-of-finance"}
    assert paths(invoke, "Ukraine", "Spain", "--all", "--limit", "2") == found[:2]


def test_path_parallel_facts_are_all_on_the_hop(invoke: Callable[..., Any]) -> None:
    out = run_json(invoke, "path", ZEL, "jose-alvarez")
    [hop] = out["paths"][0]["hops"]
    assert [(f["id"], f["certainty"], f["start"]) for f in hop["facts"]] == [
        ("alvarez-zelenskyy-2024", "confirmed", "2024-05-01"), ("alvarez-zelenskyy-2025", "planned", "2025-03")]


def test_path_max_hops(invoke: Callable[..., Any]) -> None:
    assert paths(invoke, ZEL, "boris-petrov", "--max-hops", "4") == [
        [ZEL, "kyiv-summit", "boris-ivanov", "trade-council", "boris-petrov"]]
    result = fails(invoke, "path", ZEL, "boris-petrov", "--max-hops", "3")
    assert result.stderr == "tieline: no path from Volodymyr Zelenskyy to Boris Petrov within 3 hops\n"


def test_path_via_type(invoke: Callable[..., Any]) -> None:
    assert paths(invoke, "jose-alvarez", "spain", "--all") == [
        ["jose-alvarez", "madrid-forum", "spain"], ["jose-alvarez", "ministry-of-finance", "spain"]]
    assert paths(invoke, "jose-alvarez", "spain", "--all", "--via-type", "institution") == [
        ["jose-alvarez", "ministry-of-finance", "spain"]]
    assert paths(invoke, "jose-alvarez", "spain", "--all", "--via-type", "event") == [
        ["jose-alvarez", "madrid-forum", "spain"]]
    result = fails(invoke, "path", "jose-alvarez", "spain", "--via-type", "country")
    assert result.stderr == "tieline: no path from José Álvarez to Spain with these filters\n"


def test_path_via_type_lengthens_the_path_when_it_must(invoke: Callable[..., Any]) -> None:
    # Only through people: Ukraine cannot be left except through an event or an office.
    assert paths(invoke, ZEL, "spain", "--all", "--via-type", "person", "--via-type", "event") == [
        [ZEL, "anna-kowalska", "madrid-forum", "spain"], [ZEL, "jose-alvarez", "madrid-forum", "spain"]]


def test_path_avoid(invoke: Callable[..., Any]) -> None:
    assert paths(invoke, ZEL, "madrid-forum", "--all", "--avoid", "Anna Kowalska") == [
        [ZEL, "jose-alvarez", "madrid-forum"]]
    # Madrid Forum's other neighbour, Spain, is reached only through the forum or Álvarez's ministry
    result = fails(invoke, "path", ZEL, "madrid-forum", "--avoid", "anna-kowalska", "--avoid", "jose alvarez")
    assert result.stderr == "tieline: no path from Volodymyr Zelenskyy to Madrid Forum with these filters\n"
    assert paths(invoke, ZEL, "spain", "--all", "--avoid", "José Álvarez") == [
        [ZEL, "anna-kowalska", "madrid-forum", "spain"]]


def test_path_relation_filter(invoke: Callable[..., Any]) -> None:
    assert paths(invoke, ZEL, "madrid-forum", "--all", "-r", "advises", "-r", "participated_in") == [
        [ZEL, "anna-kowalska", "madrid-forum"]]
    assert paths(invoke, ZEL, "madrid-forum", "--all", "--relation", "met_with", "--relation",
                 "participated_in") == [[ZEL, "jose-alvarez", "madrid-forum"]]
    result = fails(invoke, "path", ZEL, "madrid-forum", "--relation", "heads")
    assert result.stderr == "tieline: no path from Volodymyr Zelenskyy to Madrid Forum with these filters\n"


def test_path_directed_follows_subject_to_object_and_symmetric_both_ways(invoke: Callable[..., Any]) -> None:
    # "Anna advises Zelenskyy" cannot be walked from Zelenskyy; the symmetric meetings can.
    assert paths(invoke, ZEL, "madrid-forum", "--all", "--directed") == [[ZEL, "jose-alvarez", "madrid-forum"]]
    assert paths(invoke, "anna-kowalska", "office-of-the-president", "--directed") == [
        ["anna-kowalska", ZEL, "office-of-the-president"]]
    result = fails(invoke, "path", "madrid-forum", ZEL, "--directed")
    assert result.stderr == "tieline: no path from Madrid Forum to Volodymyr Zelenskyy following fact direction\n"


def test_no_path_between_components(invoke: Callable[..., Any]) -> None:
    result = fails(invoke, "path", ZEL, "Clara Nunez")
    assert result.stderr == "tieline: no path from Volodymyr Zelenskyy to Clara Núñez\n"
    result = fails(invoke, "path", "ida-isolde", ZEL, "--all")
    assert result.stderr == "tieline: no path from Ida Isolde to Volodymyr Zelenskyy\n"


def test_no_path_with_json_still_prints_valid_json(invoke: Callable[..., Any]) -> None:
    result = invoke("path", ZEL, "clara-nunez", "--json", "--data", SMALL)
    assert result.exit_code == 1
    assert json.loads(result.stdout)["paths"] == []
    assert result.stderr == "tieline: no path from Volodymyr Zelenskyy to Clara Núñez\n"


def test_path_to_itself_has_no_hops(invoke: Callable[..., Any]) -> None:
    out = run_json(invoke, "path", ZEL, "Zelensky")
    assert out["paths"] == [{"length": 0, "hops": []}]
    result = invoke("path", ZEL, "Zelensky", "--data", SMALL)
    assert result.stdout == "Volodymyr Zelenskyy → Volodymyr Zelenskyy: 0 hops\n"


def test_path_human_output(invoke: Callable[..., Any]) -> None:
    result = invoke("path", "Zelenskyy", "Madrid Forum", "--all", "--data", SMALL)
    assert result.exit_code == 0
    assert result.stdout == (  # piped: one line per fact, its caveat on it; the strongest level unsaid
        "Path 1: Volodymyr Zelenskyy → Madrid Forum: 2 hops\n"
        "  1. Volodymyr Zelenskyy is advised by Anna Kowalska (reported · Kyiv Post, Gazeta)\n"
        "       “Kowalska, an adviser to the president”\n"
        "       source: President meets Spanish minister (Kyiv Post, 2024-05-01); Trade council members named "
        "(Gazeta, 2025-01)\n"
        "  2. Anna Kowalska took part in Madrid Forum (El País)\n"
        "       source: Álvarez at the Madrid Forum (El País, 2024-06-10)\n"
        "Path 2: Volodymyr Zelenskyy → Madrid Forum: 2 hops\n"
        "  1. Volodymyr Zelenskyy met with José Álvarez (on 1 May 2024 · Kyiv Post)\n"
        "       “Álvarez met Zelenskyy in Kyiv”\n"
        "       source: President meets Spanish minister (Kyiv Post, 2024-05-01)\n"
        "       (+1 more fact on this hop: Volodymyr Zelenskyy met with José Álvarez (planned · in March 2025 · "
        "Gazeta))\n"
        "  2. José Álvarez took part in Madrid Forum (El País)\n"
        "       source: Álvarez at the Madrid Forum (El País, 2024-06-10)\n"
    )


# --- stats, show, search --------------------------------------------------------------------------

def test_stats_numbers(invoke: Callable[..., Any]) -> None:
    out = run_json(invoke, "stats", "--top", "3")
    assert out["dataset"] == {"name": "Small test fact set", "date": "2025-02-01",
                              "description": "Hand-written facts for tieline's tests."}
    assert (out["entities"], out["facts"], out["sources"]) == (15, 16, 3)
    assert out["entity_types"] == {"country": 2, "event": 2, "institution": 4, "person": 7}
    assert out["relations"] == {"advises": 1, "heads": 3, "held_in": 2, "located_in": 2, "member_of": 2,
                                "met_with": 2, "participated_in": 4}
    assert out["certainty"] == {"confirmed": 14, "planned": 1, "reported": 1}
    assert out["facts_without_quote"] == 13
    assert (out["components"], out["largest_component"]) == (3, 12)
    assert out["isolated"] == ["ida-isolde"]
    assert out["most_connected"] == [
        {"id": ZEL, "name": "Volodymyr Zelenskyy", "type": "person", "degree": 5},
        {"id": "jose-alvarez", "name": "José Álvarez", "type": "person", "degree": 4},
        {"id": "kyiv-summit", "name": "Kyiv Summit", "type": "event", "degree": 3},
    ]


def test_stats_human_output(invoke: Callable[..., Any]) -> None:
    result = invoke("stats", "--top", "2", "--data", SMALL)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Small test fact set (as of 2025-02-01)"
    assert lines[1] == ("15 entities, 16 facts, 3 sources; 3 connected components, the largest "
                        "with 12 entities; 13 facts without a quote")
    assert "Entity type\tcount" in lines and "person\t7" in lines
    assert "participated_in\t4" in lines
    assert "Most connected\ttype\tfacts\tid" in lines
    assert "Volodymyr Zelenskyy\tperson\t5\tvolodymyr-zelenskyy" in lines
    assert "José Álvarez\tperson\t4\tjose-alvarez" in lines
    assert not any("Kyiv Summit" in line for line in lines)
    assert lines[-1] == "1 isolated entity (no facts): ida-isolde"


def test_show_words_each_fact_from_the_card_owner(invoke: Callable[..., Any]) -> None:
    zel = run_json(invoke, "show", "Zelenskyy")
    office = run_json(invoke, "show", "Office of the President")
    assert [f["wording"] for f in zel["facts"]] == [
        "Volodymyr Zelenskyy is advised by Anna Kowalska",
        "Volodymyr Zelenskyy met with José Álvarez",
        "Volodymyr Zelenskyy met with José Álvarez",
        "Volodymyr Zelenskyy took part in Kyiv Summit",
        "Volodymyr Zelenskyy heads Office of the President",
    ]
    assert [f["direction"] for f in zel["facts"]] == ["in", "in", "in", "out", "out"]
    assert [f["wording"] for f in office["facts"]] == [
        "Office of the President is in Ukraine",
        "Office of the President is headed by Volodymyr Zelenskyy",
    ]
    # the symmetric meeting reads the same from either side
    jose = run_json(invoke, "show", "jose-alvarez")
    assert [f["wording"] for f in jose["facts"] if f["relation"] == "met_with"] == [
        "José Álvarez met with Volodymyr Zelenskyy"] * 2


def test_show_json_card(invoke: Callable[..., Any]) -> None:
    card = run_json(invoke, "show", ZEL)
    assert list(card) == ["entity", "country", "degree", "facts"]
    assert card["entity"] == {
        "id": ZEL, "type": "person", "name": "Volodymyr Zelenskyy",
        "aliases": ["Zelensky", "Zelenskiy", "Volodymyr Zelensky"], "description": "President of Ukraine.",
        "country": "ukraine", "start": "1978-01-25", "end": None,
        "attributes": {"office": "President", "sanctioned": False}, "merged_ids": [],
        "file": "entities/people.yaml", "line": 2}
    assert card["country"] == {"id": "ukraine", "name": "Ukraine", "type": "country"}
    assert card["degree"] == 5
    heads = card["facts"][-1]
    assert heads["id"] == "volodymyr-zelenskyy.heads.office-of-the-president"
    assert heads["quote"] == "Zelenskyy, who heads the Office of the President"
    assert heads["other"] == {"id": "office-of-the-president", "name": "Office of the President",
                              "type": "institution"}


def test_show_human_output(invoke: Callable[..., Any]) -> None:
    result = invoke("show", "Office of the President", "--data", SMALL)
    assert result.exit_code == 0
    lines = [line.rstrip() for line in result.stdout.splitlines()]
    assert lines[:4] == [
        "Office of the President  (institution, id office-of-the-president)",
        "  country: Ukraine",
        "  defined at: entities/places.yaml:9",
        "2 facts",
    ]
    assert lines[4:] == [  # piped: a header line, one fact a row (its quote in it), then the sources
        "fact\tcertainty · date · source",
        "Office of the President is in Ukraine\tKyiv Post",
        "Office of the President is headed by Volodymyr Zelenskyy — “Zelenskyy, who heads the Office of the "
        "President”\tKyiv Post",
        "sources: President meets Spanish minister (Kyiv Post, 2024-05-01)"]


def test_show_isolated_entity(invoke: Callable[..., Any]) -> None:
    result = invoke("show", "ida isolde", "--data", SMALL)
    assert result.exit_code == 0
    assert result.stdout == ("Ida Isolde  (person, id ida-isolde)\n"
                             "  description: Known to no one in this fact set.\n"
                             "  defined at: entities/people.yaml:30\n"
                             "  no facts\n")


def test_search_is_accent_case_and_typo_tolerant(invoke: Callable[..., Any]) -> None:
    def ids(text: str, *options: str) -> list[str]:
        return [r["id"] for r in run_json(invoke, "search", text, *options)["results"]]

    assert ids("alvarez") == ["jose-alvarez"]
    assert ids("ÁLVAREZ") == ["jose-alvarez"]
    assert ids("kowalsky") == ["anna-kowalska"]
    assert ids("boris") == ["boris-ivanov", "boris-petrov"]
    assert ids("boris", "--limit", "1") == ["boris-ivanov"]
    assert ids("madrid", "--type", "event") == ["madrid-forum"]
    result = fails(invoke, "search", "madrid", "--type", "country")
    assert result.stderr == "tieline: no entity matches 'madrid'\n"

def test_search_json_and_matched_alias(invoke: Callable[..., Any]) -> None:
    out = run_json(invoke, "search", "zelenski")
    assert out["query"] == "zelenski"
    [hit] = out["results"]
    assert {k: hit[k] for k in ("id", "name", "type", "matched")} == {
        "id": ZEL, "name": "Volodymyr Zelenskyy", "type": "person", "matched": "Zelenskiy"}


def test_search_without_match_is_no_result(invoke: Callable[..., Any]) -> None:
    result = fails(invoke, "search", "qwertyuiop")
    assert result.stderr == "tieline: no entity matches 'qwertyuiop'\n"


# --- the library ----------------------------------------------------------------------------------

NODE_KEYS = {"id", "type", "name", "aliases", "description", "country", "start", "end", "attributes", "merged_ids",
             "file", "line"}
EDGE_KEYS = {"id", "subject", "object", "relation", "label", "inverse", "symmetric", "momentary", "sources", "quote",
             "start", "end", "certainty", "note", "file", "line"}


@pytest.fixture(scope="module")
def small_graph() -> nx.MultiDiGraph:
    from graph import load_graph

    return load_graph(SMALL, use_cache=False)


def test_load_graph_nodes(small_graph: nx.MultiDiGraph) -> None:
    assert type(small_graph) is nx.MultiDiGraph
    assert small_graph.number_of_nodes() == 15
    assert all(set(data) == NODE_KEYS for _, data in small_graph.nodes(data=True))
    assert all(data["id"] == node for node, data in small_graph.nodes(data=True))
    assert small_graph.nodes["jose-alvarez"] == {
        "id": "jose-alvarez", "type": "person", "name": "José Álvarez", "aliases": ["Pepe Álvarez"],
        "description": None, "country": "spain", "start": None, "end": None, "attributes": {}, "merged_ids": [],
        "file": "entities/people.yaml", "line": 12}
    assert small_graph.nodes["madrid-forum"]["start"] == "2024-06-10"
    assert small_graph.nodes["madrid-forum"]["end"] == "2024-06-11"


def test_load_graph_edges_are_keyed_by_fact_id(small_graph: nx.MultiDiGraph) -> None:
    edges = list(small_graph.edges(keys=True, data=True))
    assert len(edges) == 16
    assert all(set(data) == EDGE_KEYS for *_, data in edges)
    assert all(key == data["id"] and u == data["subject"] and v == data["object"] for u, v, key, data in edges)
    assert sorted(small_graph["jose-alvarez"][ZEL]) == ["alvarez-zelenskyy-2024", "alvarez-zelenskyy-2025"]
    heads = small_graph.edges[ZEL, "office-of-the-president", "volodymyr-zelenskyy.heads.office-of-the-president"]
    assert heads == {
        "id": "volodymyr-zelenskyy.heads.office-of-the-president", "subject": ZEL,
        "object": "office-of-the-president", "relation": "heads", "label": "heads", "inverse": "is headed by",
        "symmetric": False, "momentary": False, "sources": ["kyiv-post-2024-05-01"],
        "quote": "Zelenskyy, who heads the Office of the President", "start": None, "end": None,
        "certainty": "confirmed", "note": None, "file": "facts/roles.yaml", "line": 2}


def test_load_graph_symmetric_flag(small_graph: nx.MultiDiGraph) -> None:
    flagged = sorted(key for *_, key, sym in small_graph.edges(keys=True, data="symmetric") if sym)
    assert flagged == ["alvarez-zelenskyy-2024", "alvarez-zelenskyy-2025"]
    meeting = small_graph.edges["jose-alvarez", ZEL, "alvarez-zelenskyy-2025"]
    assert (meeting["label"], meeting["inverse"], meeting["note"]) == (
        "met with", "met with", "A second meeting was announced.")
    assert meeting["sources"] == ["gazeta-2025-01-15"]


def test_load_graph_momentary_flag(small_graph: nx.MultiDiGraph) -> None:
    # schema.yaml marks met_with, participated_in and held_in momentary: each fact carries it
    flagged = {data["relation"] for *_, data in small_graph.edges(data=True) if data["momentary"]}
    assert flagged == {"met_with", "participated_in", "held_in"}
    assert small_graph.graph["relations"]["held_in"]["momentary"] is True
    assert small_graph.graph["relations"]["heads"]["momentary"] is False


def test_load_graph_graph_attributes(small_graph: nx.MultiDiGraph) -> None:
    g = small_graph.graph
    assert {"dataset", "entity_types", "relations", "certainty", "sources"} <= set(g)
    assert g["dataset"] == {"name": "Small test fact set", "date": "2025-02-01",
                            "description": "Hand-written facts for tieline's tests."}
    assert g["entity_types"]["event"] == {"label": "Event", "color": "#e15759", "shape": "star",
                                          "description": None}
    assert {k: g["relations"]["met_with"][k] for k in ("label", "inverse", "symmetric", "subject", "object")} == {
        "label": "met with", "inverse": "met with", "symmetric": True, "subject": ["person"],
        "object": ["person"]}
    assert g["relations"]["heads"]["inverse"] == "is headed by"
    assert g["certainty"] == {"confirmed": "Stated as fact by the source.",
                              "reported": "Attributed by the source to others.",
                              "planned": "Announced, not yet happened."}
    assert sorted(g["sources"]) == ["el-pais-2024-06-10", "gazeta-2025-01-15", "kyiv-post-2024-05-01"]
    source = g["sources"]["kyiv-post-2024-05-01"]
    assert {k: source[k] for k in ("id", "title", "publisher", "published", "url", "reprinted_by", "note")} == {
        "id": "kyiv-post-2024-05-01", "title": "President meets Spanish minister", "publisher": "Kyiv Post",
        "published": "2024-05-01", "url": "https://example.org/kyiv-post/2024-05-01", "reprinted_by": None,
        "note": None}


def test_load_graph_from_cache_equals_fresh(small_graph: nx.MultiDiGraph) -> None:
    from graph import load_graph

    first, second = load_graph(SMALL), load_graph(SMALL)  # the second comes from the cache
    for g in (first, second):
        assert list(g.nodes(data=True)) == list(small_graph.nodes(data=True))
        assert list(g.edges(keys=True, data=True)) == list(small_graph.edges(keys=True, data=True))
        assert g.graph == small_graph.graph


def select_subgraph(graph: nx.MultiDiGraph, focus: list[str] | None = None, depth: int = 1,
                    relations: list[str] | None = None, path: tuple[str, str] | None = None) -> nx.MultiDiGraph:
    """What an export of these view options writes (graph.view.View.export_graph)."""
    from graph.view import View

    view = View(focus=tuple(focus or ()), depth=depth, path=path, relations=frozenset(relations or ()))
    return view.export_graph(graph)


def filtered(graph: nx.MultiDiGraph, relations: set[str], *anchors: str) -> nx.MultiDiGraph:
    """The graph a query walks with ``--relation`` options (graph.view.View.apply)."""
    from graph.view import View

    return View(relations=frozenset(relations), anchors=anchors).apply(graph)


def test_select_subgraph_by_relation(small_graph: nx.MultiDiGraph) -> None:
    view = select_subgraph(small_graph, relations=["met_with", "heads"])
    assert sorted(view.edges(keys=True)) == [
        ("clara-nunez", "lisbon-choir", "clara-nunez.heads.lisbon-choir"),
        ("jose-alvarez", "ministry-of-finance", "jose-alvarez.heads.ministry-of-finance"),
        ("jose-alvarez", ZEL, "alvarez-zelenskyy-2024"),
        ("jose-alvarez", ZEL, "alvarez-zelenskyy-2025"),
        (ZEL, "office-of-the-president", "volodymyr-zelenskyy.heads.office-of-the-president"),
    ]
    assert view.graph["selection"]["relations"] == ["heads", "met_with"]
    # entities those facts do not join are left out of the view
    assert sorted(view.nodes) == sorted({n for e in view.edges() for n in e})


def test_select_subgraph_focus_and_relation(small_graph: nx.MultiDiGraph) -> None:
    view = select_subgraph(small_graph, focus=[ZEL], depth=2, relations=["met_with", "heads"])
    assert sorted(view.nodes) == ["jose-alvarez", "ministry-of-finance", "office-of-the-president", ZEL]
    assert view.number_of_edges() == 4
    assert view.graph["selection"]["focus"] == [ZEL]
    assert view.graph["selection"]["depth"] == 2


# --- paths and neighbours agree with networkx on random graphs --------------------------------------

SYMMETRIC = "s"  # of the relations r, s, t in the random graphs, s is symmetric


@st.composite
def random_graphs(draw: Any) -> nx.MultiDiGraph:
    """A small MultiDiGraph shaped like load_graph's: typed nodes, facts keyed by id, one symmetric relation."""
    size = draw(st.integers(2, 9))
    types = draw(st.lists(st.sampled_from("ab"), min_size=size, max_size=size))
    g = nx.MultiDiGraph()
    for i, t in enumerate(types):
        g.add_node(f"n{i}", id=f"n{i}", name=f"N{i}", type=t)
    edges = draw(st.lists(st.tuples(st.integers(0, size - 1), st.integers(0, size - 1), st.sampled_from("rst")),
                          max_size=20))
    for number, (u, v, rel) in enumerate(edges):
        if u == v:
            continue
        key = f"f{number:02d}"
        g.add_edge(f"n{u}", f"n{v}", key, id=key, subject=f"n{u}", object=f"n{v}", relation=rel, label=rel,
                   inverse=f"inv-{rel}" if rel != SYMMETRIC else rel, symmetric=rel == SYMMETRIC,
                   sources=[], quote=None, start=None, end=None, certainty="c", note=None, file="f", line=1)
    return g


def reference_digraph(g: nx.MultiDiGraph, direction: str, relations: set[str]) -> nx.DiGraph:
    """The plain directed graph of the steps a query may take."""
    h = nx.DiGraph()
    h.add_nodes_from(g)
    for u, v, data in g.edges(data=True):
        if relations and data["relation"] not in relations:
            continue
        if direction in ("out", "both") or data["symmetric"]:
            h.add_edge(u, v)
        if direction in ("in", "both") or data["symmetric"]:
            h.add_edge(v, u)
    return h


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(g=random_graphs(), ends=st.tuples(st.integers(0, 8), st.integers(0, 8)), directed=st.booleans(),
       relations=st.sets(st.sampled_from("rst"), max_size=2), avoid=st.sets(st.integers(0, 8), max_size=2),
       via=st.sets(st.sampled_from("ab"), max_size=1), max_hops=st.none() | st.integers(1, 4))
def test_find_paths_matches_networkx(g: nx.MultiDiGraph, ends: tuple[int, int], directed: bool,
                                     relations: set[str], avoid: set[int], via: set[str],
                                     max_hops: int | None) -> None:
    from graph.query import find_paths

    a, b = (f"n{i % len(g)}" for i in ends)
    avoided = {f"n{i}" for i in avoid if f"n{i}" in g}
    h = reference_digraph(g, "out" if directed else "both", relations)
    h.remove_nodes_from([n for n in g if n not in (a, b) and (n in avoided or (via and g.nodes[n]["type"] not in via))])
    expected: list[list[str]] = []
    if a == b:
        expected = [[a]]  # a path of no hops, whatever the filters
    elif a not in avoided and b not in avoided and nx.has_path(h, a, b):
        expected = sorted(nx.all_shortest_paths(h, a, b))
        if max_hops is not None and len(expected[0]) - 1 > max_hops:
            expected = []
    options = dict(max_hops=max_hops, via_types=via, avoid=avoided, directed=directed)
    found = find_paths(filtered(g, relations, a, b), a, b, all_paths=True, limit=1000, **options)
    as_nodes = [[hop["from"]["id"] for hop in p["hops"]] + [p["hops"][-1]["to"]["id"] if p["hops"] else a]
                for p in found]
    assert as_nodes == expected
    assert all(p["length"] == len(n) - 1 for p, n in zip(found, as_nodes))
    one = find_paths(filtered(g, relations, a, b), a, b, **options)
    assert [[h["from"]["id"] for h in p["hops"]] for p in one] == [n[:-1] for n in expected[:1]]
    for path in found:
        for hop in path["hops"]:
            u, v = hop["from"]["id"], hop["to"]["id"]
            keys = sorted(k for x, y, k, d in g.edges(keys=True, data=True)
                          if (not relations or d["relation"] in relations)
                          and ((x, y) == (u, v) or ((x, y) == (v, u) and (not directed or d["symmetric"]))))
            assert [f["id"] for f in hop["facts"]] == keys


@settings(max_examples=200, deadline=None)
@given(g=random_graphs(), start=st.integers(0, 8), depth=st.integers(1, 4),
       direction=st.sampled_from(["out", "in", "both"]), relations=st.sets(st.sampled_from("rst"), max_size=2),
       types=st.sets(st.sampled_from("ab"), max_size=1))
def test_find_neighbours_matches_networkx(g: nx.MultiDiGraph, start: int, depth: int, direction: str,
                                          relations: set[str], types: set[str]) -> None:
    from graph.query import find_neighbours

    node = f"n{start % len(g)}"
    h = reference_digraph(g, direction, relations)
    distances = nx.single_source_shortest_path_length(h, node, cutoff=depth)
    expected = sorted(((d, n) for n, d in distances.items() if n != node
                       and (not types or g.nodes[n]["type"] in types)), key=lambda x: (x[0], g.nodes[x[1]]["name"]))
    found = find_neighbours(filtered(g, relations, node), node, depth, types, direction)
    assert [(r["distance"], r["id"]) for r in found] == expected
    for row in found:
        via = row["via"]["id"]
        assert distances[via] == row["distance"] - 1
        assert row["facts"], row
        assert all({f["subject"], f["object"]} == {via, row["id"]} for f in row["facts"])


def test_select_subgraph_path_in_context(small_graph: nx.MultiDiGraph) -> None:
    view = select_subgraph(small_graph, depth=0, path=("anna-kowalska", "office-of-the-president"))
    assert view.graph["selection"]["path"] == ["anna-kowalska", ZEL, "office-of-the-president"]
    assert view.graph["selection"]["path_edges"] == [
        "anna-kowalska.advises.volodymyr-zelenskyy", "volodymyr-zelenskyy.heads.office-of-the-president"]
    assert sorted(view.nodes) == ["anna-kowalska", "office-of-the-president", ZEL]
    wider = select_subgraph(small_graph, depth=1, path=("anna-kowalska", "office-of-the-president"))
    assert sorted(wider.nodes) == ["anna-kowalska", "jose-alvarez", "kyiv-summit", "madrid-forum",
                                   "office-of-the-president", "ukraine", ZEL]


def test_select_subgraph_keeps_a_highlighted_path_outside_the_focus(small_graph: nx.MultiDiGraph) -> None:
    view = select_subgraph(small_graph, focus=["clara-nunez"], depth=1, path=("boris-petrov", "kyiv-summit"))
    selection = view.graph["selection"]
    assert selection["path"] == ["boris-petrov", "trade-council", "boris-ivanov", "kyiv-summit"]
    assert set(selection["path"]) <= set(view.nodes)
    assert set(selection["path_edges"]) <= {k for *_, k in view.edges(keys=True)}
    assert sorted(view.nodes) == ["boris-ivanov", "boris-petrov", "clara-nunez", "kyiv-summit", "lisbon-choir",
                                  "trade-council"]
