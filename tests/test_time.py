"""Time (issue #13): --as-of, --between, --at and --dated-only on queries and exports; path
--chronological and --routes; lazy path enumeration (#17 item 6); timeline; dates in words; stats dates.

Everything goes through the CLI on fact sets written as YAML and loaded by the real loader."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

REPO = Path(__file__).resolve().parents[1]
SCHEMA = (REPO / "data" / "schema.yaml").read_text(encoding="utf-8")

# A time-ordered story with the bundled data's ids: Witkoff met Putin in Moscow on 11 February
# 2025; the US–Russia talks in Riyadh were on 18 February; the US–Ukraine talks in Jeddah on
# 11 March; Dmitriev was in Washington on 2–3 April. Dmitriev advises Putin (undated).
STORY = {
    "schema.yaml": SCHEMA,
    "story.yaml": """
        dataset:
          name: Spring 2025
        sources:
          - id: s1
            title: The report
            published: "2025-04-03"
        entities:
          - {id: steve-witkoff, type: person, name: Steve Witkoff}
          - {id: vladimir-putin, type: person, name: Vladimir Putin}
          - {id: kirill-dmitriev, type: person, name: Kirill Dmitriev}
          - {id: marco-rubio, type: person, name: Marco Rubio}
          - {id: ukraine, type: country, name: Ukraine}
          - {id: witkoff-visit-to-moscow, type: event, name: Witkoff in Moscow, start: "2025-02-11"}
          - {id: riyadh-talks, type: event, name: Riyadh talks, start: "2025-02-18"}
          - {id: jeddah-talks, type: event, name: Jeddah talks, start: "2025-03-11"}
          - {id: dmitriev-visit-to-washington, type: event, name: Dmitriev in Washington,
             start: "2025-04-02", end: "2025-04-03"}
        facts:
          - {subject: steve-witkoff, relation: met_with, object: vladimir-putin, sources: [s1],
             certainty: confirmed, start: "2025-02-11", quote: Witkoff met Putin}
          - {subject: steve-witkoff, relation: participated_in, object: witkoff-visit-to-moscow,
             sources: [s1], certainty: confirmed, start: "2025-02-11"}
          - {subject: vladimir-putin, relation: participated_in, object: witkoff-visit-to-moscow,
             sources: [s1], certainty: confirmed, start: "2025-02-11"}
          - {subject: marco-rubio, relation: participated_in, object: riyadh-talks, sources: [s1],
             certainty: confirmed, start: "2025-02-18"}
          - {subject: steve-witkoff, relation: participated_in, object: riyadh-talks, sources: [s1],
             certainty: confirmed, start: "2025-02-18"}
          - {subject: kirill-dmitriev, relation: participated_in, object: riyadh-talks, sources: [s1],
             certainty: confirmed, start: "2025-02-18"}
          - {subject: marco-rubio, relation: participated_in, object: jeddah-talks, sources: [s1],
             certainty: confirmed, start: "2025-03-11"}
          - {subject: ukraine, relation: participated_in, object: jeddah-talks, sources: [s1],
             certainty: confirmed, start: "2025-03-11"}
          - {subject: kirill-dmitriev, relation: participated_in, object: dmitriev-visit-to-washington,
             sources: [s1], certainty: reported, start: "2025-04-02", end: "2025-04-03"}
          - {subject: steve-witkoff, relation: participated_in, object: dmitriev-visit-to-washington,
             sources: [s1], certainty: reported, start: "2025-04-02", end: "2025-04-03"}
          - {subject: kirill-dmitriev, relation: advises, object: vladimir-putin, sources: [s1],
             certainty: confirmed}
    """,
}

# Semantics: Hub met each person once, each fact dated differently; Hub took part, undated, in
# an event that begins in May 2025. Meetings are happenings (`met_with` is momentary in the
# bundled schema); Hub has headed Fund since 2011 and advised Advised since March 2025: states
# (`heads`, `advises`), which with only a start hold from then on.
SEMANTICS = {
    "schema.yaml": SCHEMA,
    "facts.yaml": """
        dataset:
          name: Semantics
        sources:
          - {id: s1, title: The source}
        entities:
          - {id: hub, type: person, name: Hub}
          - {id: month, type: person, name: Month}
          - {id: day, type: person, name: Day}
          - {id: closed, type: person, name: Closed}
          - {id: until, type: person, name: Until}
          - {id: undated, type: person, name: Undated}
          - {id: year, type: person, name: Year}
          - {id: may-event, type: event, name: May event, start: "2025-05"}
          - {id: fund, type: institution, name: Fund}
          - {id: advised, type: person, name: Advised}
        facts:
          - {subject: hub, relation: met_with, object: month, sources: [s1], certainty: confirmed, start: "2025-03"}
          - {subject: hub, relation: met_with, object: day, sources: [s1], certainty: confirmed, start: "2025-03-11"}
          - {subject: hub, relation: met_with, object: closed, sources: [s1], certainty: confirmed,
             start: "2025-01", end: "2025-02-15"}
          - {subject: hub, relation: met_with, object: until, sources: [s1], certainty: confirmed, end: "2024"}
          - {subject: hub, relation: met_with, object: undated, sources: [s1], certainty: confirmed}
          - {subject: hub, relation: met_with, object: year, sources: [s1], certainty: confirmed, start: "2025"}
          - {subject: hub, relation: participated_in, object: may-event, sources: [s1], certainty: confirmed}
          - {subject: hub, relation: heads, object: fund, sources: [s1], certainty: confirmed, start: "2011"}
          - {subject: hub, relation: advises, object: advised, sources: [s1], certainty: confirmed, start: "2025-03"}
    """,
}


@pytest.fixture
def story(fact_set: Callable[..., Path]) -> Path:
    return fact_set(STORY, base=None, name="story")


@pytest.fixture
def semantics(fact_set: Callable[..., Path]) -> Path:
    return fact_set(SEMANTICS, base=None, name="semantics")


def run_json(invoke: Callable[..., Any], *args: Any) -> Any:
    result = invoke(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def node_paths(out: dict[str, Any]) -> list[list[str]]:
    return [[h["from"]["id"] for h in p["hops"]] + [p["hops"][-1]["to"]["id"]] for p in out["paths"]]


# --- the semantics table ------------------------------------------------------------------------

@pytest.mark.parametrize(("window", "kept"), [
    # --as-of D: what had begun by D; a partial D means its last day
    (["--as-of", "2025-03-10"], {"month", "closed", "until", "undated", "year", "fund", "advised"}),
    (["--as-of", "2025-02"], {"closed", "until", "undated", "year", "fund"}),
    (["--as-of", "2025-06"], {"month", "day", "closed", "until", "undated", "year", "may-event", "fund", "advised"}),
    (["--as-of", "2010"], {"until", "undated"}),
    # --between: the fact's days overlap the window; a one-date happening is on its date's period,
    # a one-date state holds from its start on
    (["--between", "2025-03-12", "2025-03-31"], {"month", "undated", "year", "fund", "advised"}),
    (["--between", "2024", "2024"], {"until", "undated", "fund"}),
    (["--between", "2025-04", "2025-05"], {"undated", "year", "may-event", "fund", "advised"}),
    # --at D: the fact's days contain D; an end is included; an open start reaches back for ever
    (["--at", "2025-03-11"], {"month", "day", "undated", "year", "fund", "advised"}),
    (["--at", "2025-02-15"], {"closed", "undated", "year", "fund"}),
    (["--at", "2025-02-16"], {"undated", "year", "fund"}),
    (["--at", "2020"], {"until", "undated", "fund"}),
    (["--at", "2010"], {"until", "undated"}),
    # an event exists from its start on: in 2026 the May event is there, with its undated fact;
    # so are the states begun before, not the meetings of 2025
    (["--at", "2026"], {"undated", "may-event", "fund", "advised"}),
    # --dated-only drops undated facts, alone or with a window
    (["--dated-only"], {"month", "day", "closed", "until", "year", "fund", "advised"}),
    (["--between", "2025-03", "2025-03", "--dated-only"], {"month", "day", "year", "fund", "advised"}),
], ids=lambda v: " ".join(v) if isinstance(v, list) else None)
def test_what_each_time_window_keeps(invoke: Callable[..., Any], semantics: Path, window: list[str],
                                     kept: set[str]) -> None:
    out = run_json(invoke, "neighbours", "hub", "--data", semantics, *window)
    assert {n["id"] for n in out["neighbours"]} == kept


def test_undated_facts_are_marked_and_every_fact_says_when(invoke: Callable[..., Any], semantics: Path) -> None:
    out = run_json(invoke, "show", "hub", "--data", semantics, "--as-of", "2025-06")
    when = {f["other"]["id"]: (f["when"], f["undated"]) for f in out["facts"]}
    assert when == {
        "month": ("in March 2025", False), "day": ("on 11 March 2025", False),
        "closed": ("from January 2025 to 15 February 2025", False), "until": ("until 2024", False),
        "undated": (None, True), "year": ("in 2025", False), "may-event": (None, True),
        "fund": ("since 2011", False), "advised": ("since March 2025", False)}


def test_the_card_and_a_path_word_dates(invoke: Callable[..., Any], story: Path) -> None:
    card = invoke("show", "Dmitriev in Washington", "--data", story)
    assert "dates: from 2 April 2025 to 3 April 2025" in card.stdout
    assert "on 18 February 2025" not in card.stdout
    path = invoke("path", "Steve Witkoff", "Putin", "--data", story)
    assert "(on 11 February 2025 · The report)" in path.stdout  # confirmed, the strongest level, goes unsaid
    assert "since" not in path.stdout  # a one-date meeting is not read as still going on


def test_a_state_reads_since_and_a_happening_on_its_date(invoke: Callable[..., Any], semantics: Path) -> None:
    later = ["--data", semantics, "--between", "2025-04", "2025-05"]
    state = invoke("path", "Hub", "Fund", *later)
    assert state.exit_code == 0 and "Hub heads Fund (since 2011 · The source)" in state.stdout  # still heads it in April
    assert invoke("path", "Hub", "Day", *later).exit_code == 1  # the meeting of 11 March is not in April
    assert "Hub met with Day (on 11 March 2025 · The source)" in invoke("path", "Hub", "Day", "--data", semantics).stdout
    timeline = invoke("timeline", "Fund", *later)
    assert timeline.stdout.startswith("(between April 2025 and May 2025)\nSince 2011\n  • Fund is headed by Hub"), \
        timeline.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["--as-of", "2025-13"], "tieline: --as-of '2025-13' is not a date: write YYYY, YYYY-MM or YYYY-MM-DD"),
    (["--as-of", "March"], "tieline: --as-of 'March' is not a date"),
    (["--at", "2025-02-30"], "tieline: --at '2025-02-30' is not a date"),
    (["--between", "2025-04", "2025-x"], "tieline: --between '2025-x' is not a date"),
    (["--between", "2025-04", "2025-03"], "tieline: --between 2025-04 2025-03: the window ends before it begins"),
    (["--as-of", "2025", "--at", "2025"], "tieline: --as-of and --at cannot be used together"),
])
def test_a_bad_date_is_a_usage_error_naming_the_option(invoke: Callable[..., Any], story: Path, args: list[str],
                                                       message: str) -> None:
    for command in (["path", "Steve Witkoff", "Putin"], ["stats"], ["export", "json", "--out", "-"], ["timeline"]):
        result = invoke(*command, "--data", story, *args)
        assert (result.exit_code, result.stdout) == (2, ""), command
        assert result.stderr.startswith(message), result.stderr


# --- names resolved in the whole graph, answered in the window --------------------------------------

def test_no_path_as_of_a_date_says_why(invoke: Callable[..., Any], story: Path) -> None:
    result = invoke("path", "Rubio", "Putin", "--as-of", "2025-02-12", "--data", story, "--dated-only")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == ("tieline: no path from Marco Rubio to Vladimir Putin as of 12 February 2025 with "
                             "these filters: Marco Rubio has no facts before 18 February 2025\n")
    alone = invoke("neighbours", "Jeddah talks", "--as-of", "2025-02-20", "--data", story)
    assert alone.exit_code == 1
    assert alone.stderr == ("tieline: no neighbours match as of 20 February 2025: Jeddah talks had not begun as "
                            "of 20 February 2025 (it is dated on 11 March 2025)\n")


def test_an_event_not_begun_is_not_there_nor_its_facts(invoke: Callable[..., Any], story: Path) -> None:
    out = run_json(invoke, "stats", "--data", story, "--as-of", "2025-02-28")
    assert out["entity_types"] == {"event": 2, "person": 4}
    assert out["facts"] == 7  # the undated advises fact stays; nothing about Jeddah or Washington
    exported = invoke("export", "json", "--out", "-", "--data", story, "--as-of", "2025-02-28")
    g = nx.node_link_graph(json.loads(exported.stdout), edges="edges")
    assert "jeddah-talks" not in g and "ukraine" not in g
    assert sorted(d["start"] or "-" for _, _, d in g.edges(data=True)) == [
        "-", "2025-02-11", "2025-02-11", "2025-02-11", "2025-02-18", "2025-02-18", "2025-02-18"]


# --- chronological paths ---------------------------------------------------------------------------

def test_a_chronological_path_moves_forward_and_equal_dates_are_in_order(invoke: Callable[..., Any],
                                                                        story: Path) -> None:
    out = run_json(invoke, "path", "Putin", "Rubio", "--chronological", "--all", "--data", story)
    # 11 Feb (met Witkoff), 18 Feb (Witkoff at Riyadh), 18 Feb (Rubio at Riyadh): equal dates are in order;
    # through Dmitriev: the undated "advises" can happen at any time, then 18 Feb twice
    assert node_paths(out) == [["vladimir-putin", "kirill-dmitriev", "riyadh-talks", "marco-rubio"],
                               ["vladimir-putin", "steve-witkoff", "riyadh-talks", "marco-rubio"]]
    assert [h["earliest"] for h in out["paths"][1]["hops"]] == ["2025-02-11", "2025-02-18", "2025-02-18"]
    assert [h["earliest"] for h in out["paths"][0]["hops"]] == [None, "2025-02-18", "2025-02-18"]
    assert [[f["when"] for f in h["facts"]] for h in out["paths"][1]["hops"]] == [
        ["on 11 February 2025"], ["on 18 February 2025"], ["on 18 February 2025"]]


def test_backwards_paths_are_left_out_and_when_all_are_it_says_so(invoke: Callable[..., Any], story: Path) -> None:
    everything = run_json(invoke, "path", "Rubio", "Putin", "--all", "--data", story)
    assert node_paths(everything) == [["marco-rubio", "riyadh-talks", "kirill-dmitriev", "vladimir-putin"],
                                      ["marco-rubio", "riyadh-talks", "steve-witkoff", "vladimir-putin"]]
    forward = run_json(invoke, "path", "Rubio", "Putin", "--chronological", "--all", "--data", story)
    assert node_paths(forward) == [["marco-rubio", "riyadh-talks", "kirill-dmitriev", "vladimir-putin"]]
    # without the undated fact, every route from Rubio (18 Feb) to Putin (11 Feb) runs backwards
    backwards = invoke("path", "Rubio", "Putin", "--chronological", "--dated-only", "--data", story)
    assert (backwards.exit_code, backwards.stdout) == (1, "")
    assert "every one runs backwards in time: no chronological path" in backwards.stderr
    plain = invoke("path", "Rubio", "Putin", "--dated-only", "--data", story)
    assert plain.exit_code == 0


def test_a_chronological_path_may_be_longer_than_the_shortest(invoke: Callable[..., Any], story: Path) -> None:
    # Witkoff → Dmitriev: shortest via Washington (2 Apr) or Riyadh (18 Feb), both 2 hops and in order;
    # Putin → Washington: directly none; via Witkoff (11 Feb, then 2–3 Apr) is in order
    out = run_json(invoke, "path", "Putin", "Dmitriev in Washington", "--chronological", "--dated-only",
                   "--data", story)
    assert node_paths(out) == [["vladimir-putin", "steve-witkoff", "dmitriev-visit-to-washington"]]
    late = invoke("path", "Jeddah talks", "Putin", "--chronological", "--dated-only", "--data", story,
                  "--max-hops", "6")
    assert late.exit_code == 1 and "runs backwards" in late.stderr
    windowed = invoke("path", "Putin", "Rubio", "--chronological", "--as-of", "2025-02-17", "--data", story)
    assert windowed.exit_code == 1 and "as of 17 February 2025" in windowed.stderr


# --- routes --------------------------------------------------------------------------------------

def test_routes_lists_simple_paths_shortest_first(invoke: Callable[..., Any], story: Path) -> None:
    out = run_json(invoke, "path", "Steve Witkoff", "Rubio", "--routes", "100", "--data", story)
    found = node_paths(out)
    assert [len(p) for p in found] == sorted(len(p) for p in found)
    assert all(len(set(p)) == len(p) for p in found)
    g = nx.Graph()
    for u, v, _ in nx.node_link_graph(json.loads(invoke("export", "json", "--out", "-", "--data", story).stdout),
                                      edges="edges").edges(keys=True):
        g.add_edge(u, v)
    expected = {tuple(p) for p in nx.all_simple_paths(g, "steve-witkoff", "marco-rubio")}
    assert {tuple(p) for p in found} == expected
    two = run_json(invoke, "path", "Steve Witkoff", "Rubio", "--routes", "2", "--data", story)
    assert node_paths(two) == found[:2]
    assert [len(p) - 1 for p in found[:2]] == [2, 4]
    assert node_paths(run_json(invoke, "path", "Steve Witkoff", "Rubio", "--routes", "100", "--max-hops", "3",
                               "--data", story)) == [p for p in found if len(p) <= 4]
    chrono = node_paths(run_json(invoke, "path", "Steve Witkoff", "Rubio", "--routes", "100", "--chronological",
                                 "--dated-only", "--data", story))
    assert chrono and set(map(tuple, chrono)) < expected
    assert ["steve-witkoff", "dmitriev-visit-to-washington", "kirill-dmitriev", "riyadh-talks",
            "marco-rubio"] not in chrono  # 2 April, then 18 February: backwards


def test_many_shortest_paths_are_generated_lazily(invoke: Callable[..., Any], fact_set: Callable[..., Path]) -> None:
    # 7 layers of 12 people between hubs: 12**7 ≈ 36 million shortest paths of 14 hops. Building them all
    # would not finish; taking the first 5 must (bounded by construction, not by a timer).
    width, layers = 12, 7
    people = ["a"] + [f"h{i}" for i in range(1, layers)] + ["b"]
    entities = [f"  - {{id: {p}, type: person, name: P {p}}}" for p in people]
    facts = []
    for i in range(layers):
        for j in range(width):
            mid = f"l{i}-{j:02d}"
            entities.append(f"  - {{id: {mid}, type: person, name: P {mid}}}")
            for end in (people[i], people[i + 1]):
                facts.append(f"  - {{subject: {end}, relation: met_with, object: {mid}, sources: [s1], "
                             f"certainty: confirmed}}")
    data = fact_set({"schema.yaml": SCHEMA, "facts.yaml": "dataset:\n  name: Many\nsources:\n  - {id: s1, title: S}\n"
                     "entities:\n" + "\n".join(entities) + "\nfacts:\n" + "\n".join(facts) + "\n"},
                    base=None, name="many")
    out = run_json(invoke, "path", "P a", "P b", "--all", "--limit", "5", "--data", data)
    assert [p["length"] for p in out["paths"]] == [14] * 5
    assert node_paths(out)[:2] == [
        ["a", "l0-00", "h1", "l1-00", "h2", "l2-00", "h3", "l3-00", "h4", "l4-00", "h5", "l5-00", "h6", "l6-00", "b"],
        ["a", "l0-00", "h1", "l1-00", "h2", "l2-00", "h3", "l3-00", "h4", "l4-00", "h5", "l5-00", "h6", "l6-01", "b"]]
    exported = invoke("export", "json", "--path", "P a", "P b", "--depth", "0", "--out", "-", "--data", data)
    assert exported.exit_code == 0, exported.stderr
    assert json.loads(exported.stdout)["graph"]["selection"]["path"][:3] == ["a", "l0-00", "h1"]
    routes = run_json(invoke, "path", "P a", "P b", "--routes", "3", "--chronological", "--data", data)
    assert len(routes["paths"]) == 3  # undated facts: every route is in order


# --- timeline and stats ------------------------------------------------------------------------------

def test_timeline_in_date_order_with_events_and_undated_counted(invoke: Callable[..., Any], story: Path) -> None:
    out = run_json(invoke, "timeline", "--data", story)
    assert [e["when"] for e in out["entries"]] == [
        "on 11 February 2025", "on 18 February 2025", "on 11 March 2025", "from 2 April 2025 to 3 April 2025"]
    assert out["undated"] == 1
    feb18 = out["entries"][1]
    assert [(e["id"], [p["id"] for p in e["participants"]]) for e in feb18["events"]] == [
        ("riyadh-talks", ["kirill-dmitriev", "marco-rubio", "steve-witkoff"])]
    text = invoke("timeline", "Rubio", "--data", story)
    assert text.exit_code == 0
    assert text.stdout == (
        "On 18 February 2025\n"
        "  ◆ Riyadh talks — with Kirill Dmitriev, Marco Rubio, Steve Witkoff\n"
        "  • Marco Rubio took part in Riyadh talks (on 18 February 2025 · The report)\n"
        "On 11 March 2025\n"
        "  ◆ Jeddah talks — with Marco Rubio, Ukraine\n"
        "  • Marco Rubio took part in Jeddah talks (on 11 March 2025 · The report)\n"
        "no undated facts\n")
    windowed = run_json(invoke, "timeline", "Steve Witkoff", "--between", "2025-02-12", "2025-03-31", "--data", story)
    assert [e["when"] for e in windowed["entries"]] == ["on 18 February 2025"]
    assert [f["wording"] for f in windowed["entries"][0]["facts"]] == ["Steve Witkoff took part in Riyadh talks"]
    empty = invoke("timeline", "--as-of", "2024", "--data", story)
    assert (empty.exit_code, empty.stderr) == (1, "tieline: no dated facts as of 2024\n")


def test_a_month_comes_before_its_days_in_the_timeline(invoke: Callable[..., Any], semantics: Path) -> None:
    out = run_json(invoke, "timeline", "--data", semantics)
    assert [e["when"] for e in out["entries"]] == [
        "until 2024", "since 2011", "in 2025", "from January 2025 to 15 February 2025", "since March 2025",
        "in March 2025", "on 11 March 2025", "in May 2025"]
    assert out["entries"][-1]["events"][0]["id"] == "may-event" and out["undated"] == 2


def test_stats_gives_first_and_last_dates_and_undated_facts(invoke: Callable[..., Any], story: Path) -> None:
    out = run_json(invoke, "stats", "--data", story)
    assert (out["first_date"], out["last_date"], out["undated_facts"]) == ("2025-02-11", "2025-04-03", 1)
    text = invoke("stats", "--data", story, "--between", "2025-03", "2025-03").stdout
    assert "facts dated on 11 March 2025; 1 undated" in text


def page_payload(invoke: Callable[..., Any], data: Path, out: Path) -> dict[str, Any]:
    import re

    assert invoke("export", "html", "--out", out, "--data", data).exit_code == 0
    return next(json.loads(block) for block in re.findall(
        r'<script type="application/json"[^>]*>(.*?)</script>', out.read_text(encoding="utf-8"), re.S)
        if '"facts"' in block)


def test_the_page_carries_when_for_each_fact(invoke: Callable[..., Any], story: Path, tmp_path: Path) -> None:
    payload = page_payload(invoke, story, tmp_path / "page.html")
    assert {f["id"]: f["when"] for f in payload["facts"]}["steve-witkoff.met_with.vladimir-putin"] == \
        "on 11 February 2025"
    assert payload["entities"]["riyadh-talks"]["when"] == "on 18 February 2025"  # an event with one date


def test_the_page_reads_states_and_happenings_as_the_cli(invoke: Callable[..., Any], semantics: Path,
                                                        tmp_path: Path) -> None:
    facts = {f["object"]: f for f in page_payload(invoke, semantics, tmp_path / "page.html")["facts"]}
    assert (facts["fund"]["when"], facts["fund"]["span"]) == ("since 2011", ["2011-01-01", None])
    assert (facts["month"]["when"], facts["month"]["span"]) == ("in March 2025", ["2025-03-01", "2025-03-31"])
    assert all("when" in fact for fact in facts.values())
