"""The command line as people use it (issue 25): pipes, caveats on every line, words that read right,
filters echoed, a clear candidate taken for a misspelt name, shell completion, isolated entities counted.

The wording is tested on the bundled story and on a story of its own with ended states (a Wirecard
employment that ended, a birth date, institutions that take "the", a relation with no passive).
"""

from __future__ import annotations

import json
import os
import pty
import re
import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import write_fact_set

REPO = Path(__file__).resolve().parents[1]
BUNDLED = REPO / "data"
CLI = f"{shlex.quote(sys.executable)} {shlex.quote(str(REPO / 'cli.py'))}"

SCHEMA = """\
entity_types:
  person: {label: Person, start_label: born, end_label: died}
  institution: {label: Institution, start_label: founded, end_label: dissolved}
  country: {label: Country}
certainty:
  confirmed: Stated as fact.
  reported: Attributed to others.
  alleged: Claimed by one party.
relations:
  works_for: {label: works for, inverse: employs, subject: [person], object: [institution]}
  agent_of: {label: is an agent of, inverse: has agent, subject: [person], object: [country, institution]}
  advises: {label: advises, inverse: is advised by, subject: [person], object: [institution, person]}
  envoy_of: {label: is an envoy of, inverse: has envoy, subject: [person], object: [institution]}
  refused_to_engage_with: {label: refused to engage with, active: true, subject: [person], object: [country]}
  speaks_for: {label: speaks for, inverse: is spoken for by, subject: [person], object: [institution]}
"""

STORY = {
    "schema.yaml": SCHEMA,
    "dataset.yaml": """\
        dataset: {name: Wirecard and Moscow, date: "2025-04-02"}
        sources:
          - {id: rferl, title: The Marsalek file, publisher: RFE/RL, published: "2025-04-02"}
        """,
    "entities.yaml": """\
        entities:
          - {id: jan-marsalek, type: person, name: Jan Marsalek, start: "1980-03-15"}
          - {id: wirecard, type: institution, name: Wirecard AG, start: "1999", end: "2020-11"}
          - {id: russia, type: country, name: Russia}
          - {id: kremlin, type: institution, name: Kremlin, aliases: [The Kremlin]}
          - {id: white-house, type: institution, name: White House, aliases: [The White House]}
          - {id: joe-biden, type: person, name: Joe Biden}
          - {id: steve-witkoff, type: person, name: Steve Witkoff}
          - {id: dmitry-peskov, type: person, name: Dmitry Peskov}
        """,
    "facts.yaml": """\
        facts:
          - {subject: jan-marsalek, relation: works_for, object: wirecard, sources: [rferl], certainty: reported,
             start: "2010", end: "2020-06-22", note: The board dismissed him that day.}
          - {subject: jan-marsalek, relation: agent_of, object: russia, sources: [rferl], certainty: alleged}
          - {subject: jan-marsalek, relation: advises, object: kremlin, sources: [rferl], certainty: confirmed,
             start: "2021"}
          - {subject: steve-witkoff, relation: envoy_of, object: white-house, sources: [rferl], certainty: confirmed}
          - {subject: joe-biden, relation: refused_to_engage_with, object: russia, sources: [rferl],
             certainty: confirmed, start: "2022", end: "2025-01-20"}
          - {subject: dmitry-peskov, relation: speaks_for, object: kremlin, sources: [rferl], certainty: confirmed,
             start: "2012", end: "2024"}
        """,
}


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_fact_set(tmp_path_factory.mktemp("story") / "data", STORY, base=None)


def piped(command: str, cache: Path) -> str:
    """``command`` run by a shell, its stdout through a real pipe; returns what the end of the pipe printed."""
    env = {**os.environ, "TIELINE_CACHE_DIR": str(cache), "PYTHONIOENCODING": "utf-8"}
    env.pop("TIELINE_DATA", None)
    result = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True, env=env,
                            encoding="utf-8", timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


# --- pipes ------------------------------------------------------------------------------------------

def test_neighbours_through_grep_finds_one_whole_line_with_entity_wording_and_certainty(
        story: Path, tmp_path: Path) -> None:
    found = piped(f"{CLI} neighbours Marsalek --data {story} | grep Russia", tmp_path)
    assert found.count("\n") == 1
    hops, entity_id, name, kind, how = found.rstrip("\n").split("\t")
    assert (hops, entity_id, name, kind) == ("1", "russia", "Russia", "country")
    assert how == "Jan Marsalek is an agent of Russia (alleged · RFE/RL)"


def test_cut_gives_full_ids(tmp_path: Path) -> None:
    ids = piped(f"{CLI} neighbours Witkoff --depth 2 --data {BUNDLED} | cut -f2", tmp_path).splitlines()
    assert ids[0].endswith("within 2 hops of Steve Witkoff") and ids[1] == "id"  # the title line, then the header
    assert "witkoff-visit-to-moscow" in ids and "dmitriev-witkoff-meeting-washington" in ids
    assert not any("…" in i for i in ids)
    every = json.loads(piped(f"{CLI} neighbours Witkoff --depth 2 --json --data {BUNDLED}", tmp_path))
    assert ids[2:] == [row["id"] for row in every["neighbours"]]


def test_every_table_is_plain_rows_when_piped_and_the_same_twice(tmp_path: Path) -> None:
    for args in ("stats", "search dmitriev", "rank --top 5", "clusters", "show RDIF", "timeline Witkoff",
                 'brokers "United States" Russia --top 3', "dedupe --min-score 0.05"):
        out = piped(f"{CLI} {args} --data {BUNDLED} | cat", tmp_path)
        assert not re.search("[\u2500-\u257f]", out), args
        assert "\t" in out or args.startswith("timeline"), args  # a timeline is lines, not a table
        assert out == piped(f"{CLI} {args} --data {BUNDLED} | cat", tmp_path), args


def on_a_terminal(*args: str, cache: Path) -> str:
    """``tieline ARGS`` with its stdout on a pseudo-terminal (80 columns): what a person at one sees."""
    controller, terminal = pty.openpty()
    env = {**os.environ, "TIELINE_CACHE_DIR": str(cache), "COLUMNS": "80", "TERM": "dumb"}
    process = subprocess.Popen([sys.executable, str(REPO / "cli.py"), *args], stdout=terminal,
                               stderr=subprocess.DEVNULL, env=env)
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=120)
    os.close(controller)
    return b"".join(chunks).decode("utf-8", "replace")


def test_a_terminal_gets_rich_tables_and_plain_gets_rows(tmp_path: Path) -> None:
    rich = on_a_terminal("search", "dmitriev", "--data", str(BUNDLED), cache=tmp_path)
    assert re.search("[\u2500-\u257f]", rich) and "kirill-dmitriev" in rich
    plain = on_a_terminal("search", "dmitriev", "--plain", "--data", str(BUNDLED), cache=tmp_path)
    assert not re.search("[\u2500-\u257f]", plain)
    assert "Kirill Dmitriev\tperson\tkirill-dmitriev" in plain.replace("\r\n", "\n")


# --- caveats on every line ----------------------------------------------------------------------------

def test_every_fact_line_carries_certainty_dates_and_source(invoke: Callable[..., Any]) -> None:
    hosted = invoke("neighbours", "Washington, D.C.", "--data", BUNDLED).stdout
    line = next(row for row in hosted.splitlines() if "expected visit" in row and "hosted" in row)
    assert line.endswith("(possible · in April 2025 · Radio Free Europe/Radio Liberty)"), line
    path = invoke("path", "Dmitriev", "Rubio", "--data", BUNDLED).stdout
    assert "took part in US–Russia talks in Saudi Arabia (March 2025) (in March 2025 · Radio Free Europe/Radio " \
           "Liberty)" in path


def test_notes_appear_under_the_fact_in_show_and_path(invoke: Callable[..., Any], story: Path) -> None:
    card = invoke("show", "RDIF", "--data", BUNDLED).stdout
    assert "note: The article says \"state-backed\"" in card
    path = invoke("path", "Marsalek", "Wirecard", "--data", story).stdout.splitlines()
    assert path[1] == "  1. Jan Marsalek worked for Wirecard AG (reported · from 2010 to 22 June 2020 · RFE/RL)"
    assert path[2] == "       note: The board dismissed him that day."


# --- words that read right ----------------------------------------------------------------------------

def test_an_ended_state_is_in_the_past_and_a_current_one_in_the_present(invoke: Callable[..., Any],
                                                                        story: Path) -> None:
    card = json.loads(invoke("show", "Marsalek", "--json", "--data", story).stdout)
    assert sorted(f["wording"] for f in card["facts"]) == [
        "Jan Marsalek advises the Kremlin", "Jan Marsalek is an agent of Russia", "Jan Marsalek worked for Wirecard AG"]
    employer = json.loads(invoke("show", "Wirecard", "--json", "--data", story).stdout)
    assert [f["wording"] for f in employer["facts"]] == ["Wirecard AG employed Jan Marsalek"]
    peskov = json.loads(invoke("show", "Kremlin", "--json", "--data", story).stdout)
    assert "The Kremlin was spoken for by Dmitry Peskov" in [f["wording"] for f in peskov["facts"]]


def test_entity_dates_read_by_their_type(invoke: Callable[..., Any], story: Path) -> None:
    assert "  dates: born 15 March 1980\n" in invoke("show", "Marsalek", "--data", story).stdout
    assert "  dates: founded 1999, dissolved November 2020\n" in invoke("show", "Wirecard", "--data", story).stdout
    unlabelled = invoke("show", "Marsalek", "--data", story, "--json").stdout  # JSON keeps the dates as written
    assert json.loads(unlabelled)["entity"]["start"] == "1980-03-15"


def test_articles_and_relations_without_a_passive(invoke: Callable[..., Any], story: Path) -> None:
    assert "Steve Witkoff is an envoy of the White House" in invoke("show", "Witkoff", "--data", story).stdout
    russia = invoke("show", "Russia", "--data", story).stdout
    assert "Joe Biden refused to engage with Russia" in russia and "was refused" not in russia
    bundled = invoke("show", "Russia", "--data", BUNDLED).stdout
    assert "Joe Biden refused to engage with Russia" in bundled and "refused engagement" not in bundled
    assert "advises the Kremlin" in invoke("show", "Dmitriev", "--data", BUNDLED).stdout


BAD_WORDS = re.compile(r"\(s\)|\b1 (sources|facts|entities|hops|countries|problems|paths|components|names)\b"
                       r"|\b(works for|heads|speaks for|is an envoy of) [^\n]*\buntil\b")


@pytest.mark.parametrize("args", [
    ("stats",), ("validate",), ("build", "--out-dir", "{out}"), ("show", "RDIF"), ("show", "Marsalek"),
    ("show", "Kremlin"), ("neighbours", "Russia", "--depth", "2"), ("path", "Marsalek", "Biden"),
    ("path", "Dmitriev", "Rubio", "--all"), ("timeline",), ("rank",), ("clusters",), ("search", "a"),
    ("dedupe", "--min-score", "0.2"), ("brokers", "Russia", "Kremlin"), ("neighbours", "Peskov"),
], ids=" ".join)
def test_no_answer_says_1_sources_or_s_or_an_ended_state_in_the_present(
        invoke: Callable[..., Any], story: Path, tmp_path: Path, args: tuple[str, ...]) -> None:
    for data in (BUNDLED, story):
        result = invoke(*(a.replace("{out}", str(tmp_path / "out")) for a in args), "--data", data)
        said = result.stdout + result.stderr
        assert not BAD_WORDS.search(said), (data, BAD_WORDS.search(said))


# --- the filters in the first line -------------------------------------------------------------------

def test_a_filtered_answer_says_so_in_its_first_line(invoke: Callable[..., Any]) -> None:
    result = invoke("path", "Dmitriev", "Rubio", "--as-of", "2025-03-01", "--min-certainty", "confirmed",
                    "--data", BUNDLED)
    assert result.stdout.splitlines()[0] == "(as of 1 March 2025, confirmed facts only)"
    timeline = invoke("timeline", "--between", "2025-03", "2025-04", "--data", BUNDLED)
    assert timeline.stdout.splitlines()[0] == "(between March 2025 and April 2025)"
    excluded = invoke("stats", "--exclude-relation", "quoted", "--exclude-type", "media", "--data", BUNDLED)
    assert excluded.stdout.splitlines()[0] == "(without facts of relation quoted, without entities of type media)"
    assert json.loads(invoke("path", "Dmitriev", "Rubio", "--as-of", "2025-03-01", "--json", "--data",
                             BUNDLED).stdout)["paths"]  # JSON stays one document
    assert not invoke("stats", "--data", BUNDLED).stdout.startswith("(")


def test_exclusions_are_view_filters(invoke: Callable[..., Any]) -> None:
    stats = json.loads(invoke("stats", "--exclude-type", "media", "--json", "--data", BUNDLED).stdout)
    assert "media" not in stats["entity_types"] and "quoted" not in stats["relations"]
    no_reporting = json.loads(invoke("neighbours", "Dmitriev", "--exclude-relation", "quoted", "--exclude-relation",
                                     "reported", "--json", "--data", BUNDLED).stdout)
    assert all(f["relation"] not in ("quoted", "reported") for row in no_reporting["neighbours"] for f in row["facts"])
    page = json.loads(invoke("export", "json", "--exclude-type", "event", "--out", "-", "--data", BUNDLED).stdout)
    assert page["nodes"] and all(node["type"] != "event" for node in page["nodes"])
    assert invoke("neighbours", "RDIF", "--exclude-relation", "headz", "--data", BUNDLED).exit_code == 2


# --- brokers ---------------------------------------------------------------------------------------------

def test_brokers_never_ranks_the_two_sides(invoke: Callable[..., Any]) -> None:
    found = json.loads(invoke("brokers", "United States", "Russia", "--top", "50", "--json", "--data", BUNDLED).stdout)
    assert found["brokers"] and not {"united-states", "russia"} & {row["id"] for row in found["brokers"]}


# --- a misspelt name with one clear candidate ----------------------------------------------------------

def test_a_clear_candidate_is_answered_for_and_stderr_says_so(invoke: Callable[..., Any]) -> None:
    result = invoke("show", "Kiril Dmitriev", "--data", BUNDLED)
    assert result.exit_code == 0
    assert result.stderr == "tieline: showing Kirill Dmitriev for 'Kiril Dmitriev' (id kirill-dmitriev)\n"
    assert result.stdout.startswith("Kirill Dmitriev  (person, id kirill-dmitriev)")
    path = invoke("path", "Kiril Dmitriev", "Marko Rubio", "--json", "--data", BUNDLED)
    assert path.exit_code == 0 and json.loads(path.stdout)["to"]["id"] == "marco-rubio"
    assert "taking Marco Rubio for 'Marko Rubio'" in path.stderr
    vague = invoke("show", "Kiril", "--data", BUNDLED)  # nothing clearly close: still not found
    assert vague.exit_code == 2 and vague.stdout == ""


# --- shell completion -------------------------------------------------------------------------------------

COMPLETE = ("import sys, cli\ntry:\n    cli.app(prog_name='tieline')\nexcept SystemExit:\n    pass\n"
            "print('MODULES', sorted(m for m in sys.modules if m.split('.')[0] in ('networkx', 'yaml', 'numpy')))")


@pytest.mark.parametrize(("shell", "env"), [
    ("bash", {"COMP_WORDS": "tieline show Dmitr", "COMP_CWORD": "2"}),
    ("zsh", {"_TYPER_COMPLETE_ARGS": "tieline show Dmitr"}),
    ("fish", {"_TYPER_COMPLETE_ARGS": "tieline show Dmitr", "_TYPER_COMPLETE_FISH_ACTION": "get-args"}),
])
def test_completion_offers_entities_from_the_index_without_networkx(shell: str, env: dict[str, str],
                                                                    tmp_path: Path) -> None:
    piped(f"{CLI} show RDIF --data {BUNDLED} > /dev/null", tmp_path)  # writes the query index
    result = subprocess.run([sys.executable, "-c", COMPLETE], capture_output=True, text=True, cwd=REPO, timeout=60,
                            env={**os.environ, **env, "_TIELINE_COMPLETE": f"complete_{shell}",
                                 "TIELINE_CACHE_DIR": str(tmp_path), "TIELINE_DATA": str(BUNDLED)})
    out = result.stdout
    assert "Kirill Dmitriev" in out.replace("\\ ", " "), out
    assert "Dmitry Peskov" in out.replace("\\ ", " ")
    assert out.strip().splitlines()[-1] == "MODULES []"
    if shell == "bash":
        assert "Kirill\\ Dmitriev" in out.splitlines()  # one word for bash, which inserts it as it is


def test_the_completion_options_exist(invoke: Callable[..., Any]) -> None:
    help_text = invoke("--help", env={"COLUMNS": "200"}).stdout
    assert "--install-completion" in help_text and "--show-completion" in help_text


# --- stats on imported data --------------------------------------------------------------------------------

def test_stats_counts_isolated_entities_and_lists_the_first_few(invoke: Callable[..., Any], fact_set: Callable[..., Path]) -> None:
    lonely = "".join(f"  - {{id: lonely-{n:02d}, type: person, name: Lonely {n}}}\n" for n in range(12))
    data = fact_set({"entities/lonely.yaml": "entities:\n" + lonely})
    last = invoke("stats", "--data", data).stdout.splitlines()[-1]
    assert last == ("13 isolated entities (no facts): ida-isolde, lonely-00, lonely-01, lonely-02, lonely-03 … and 8 "
                    "more (all of them: tieline stats --json, under \"isolated\")")
    assert len(json.loads(invoke("stats", "--json", "--data", data).stdout)["isolated"]) == 13
