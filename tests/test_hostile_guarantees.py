"""Hostile data, round 2, the remaining classes: outputs kept out of the data folder, a cache that
cannot run code or serve a stale answer, spreadsheet-safe and Neo4j-safe CSV, and data text that
reaches a terminal only escaped, never as rich markup — each checked through the CLI.

The fuzz test across every command is in tests/test_fuzz_commands.py.
"""

from __future__ import annotations

import csv
import re

import json
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import SMALL

from test_hostile_input import SCHEMA  # the same small vocabulary as the first round's tests

__all__: list[str] = []

Invoke = Callable[..., Any]


def snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Every file under ``folder`` with its mode and bytes: what "nothing was written" compares."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_mode, p.read_bytes())
            for p in sorted(folder.rglob("*")) if p.is_file()}


# --- item 5: no command writes into the data folder -------------------------------------------------

@pytest.mark.parametrize("args", [
    ["export", "json", "--out", "{data}/facts.yaml"],
    ["export", "json", "--out", "{data}/entities/people.yaml"],
    ["export", "graphml", "--out", "{data}/new-folder/graph.graphml"],
    ["export", "csv", "--out", "{data}"],
    ["export", "csv", "--out", "{data}/csv"],
    ["export", "html", "--out", "{data}/../data/graph.html"],
    ["build", "--out-dir", "{data}"],
    ["build", "--out-dir", "{data}/output"],
], ids=["json-over-a-new-file", "json-over-a-fact-file", "graphml-new-folder", "csv-the-folder", "csv-inside",
        "dotdot", "build-the-folder", "build-inside"])
def test_an_output_inside_the_data_folder_is_refused_and_nothing_is_written(
        invoke: Invoke, small_data: Path, args: list[str]) -> None:
    before = snapshot(small_data)
    result = invoke(*[a.format(data=small_data) for a in args], "--data", small_data)
    assert result.exit_code == 2, result.output
    assert "inside the data folder" in result.stderr and "\n" not in result.stderr.rstrip("\n")
    assert result.stdout == ""
    assert snapshot(small_data) == before


def test_build_run_from_inside_the_data_folder_is_refused(small_data: Path, monkeypatch: pytest.MonkeyPatch,
                                                         invoke: Invoke) -> None:
    """``cd data && tieline build --data .``: the default output/ would land in data/output/."""
    before = snapshot(small_data)
    monkeypatch.chdir(small_data)
    result = invoke("build", "--data", ".")
    assert result.exit_code == 2 and "inside the data folder" in result.stderr
    assert snapshot(small_data) == before and not (small_data / "output").exists()


def test_a_link_into_the_data_folder_is_refused(invoke: Invoke, small_data: Path, tmp_path: Path) -> None:
    link = tmp_path / "innocent.json"
    link.symlink_to(small_data / "schema.yaml")
    before = snapshot(small_data)
    result = invoke("export", "json", "--data", small_data, "--out", link)
    assert result.exit_code == 2 and "inside the data folder" in result.stderr
    assert snapshot(small_data) == before


def test_outputs_beside_the_data_folder_are_written(invoke: Invoke, small_data: Path, tmp_path: Path) -> None:
    """The check is about the data folder, not its neighbours (``data-out`` shares a prefix with ``data``)."""
    result = invoke("export", "json", "--data", small_data, "--out", tmp_path / "data-out" / "graph.json")
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "data-out" / "graph.json").read_text(encoding="utf-8"))["nodes"]
    assert invoke("build", "--data", small_data, "--out-dir", tmp_path / "out").exit_code == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["graph.graphml", "graph.html"]


def test_a_cache_folder_inside_the_data_folder_is_never_written(invoke: Invoke, small_data: Path) -> None:
    before = snapshot(small_data)
    result = invoke("validate", "--data", small_data, env={"TIELINE_CACHE_DIR": str(small_data / ".cache")})
    assert result.exit_code == 0, result.output
    assert snapshot(small_data) == before and not (small_data / ".cache").exists()


# --- item 8: no cache file can run code ---------------------------------------------------------------

class _Planted:
    """Unpickling this creates ``marker``: what a planted cache file would do to the user."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.mkdir, (str(self.marker),))


@pytest.mark.parametrize("prefix", [b"P", b"M", b"T", b""])
def test_a_planted_pickle_in_the_parse_cache_is_never_run(invoke: Invoke, small_data: Path,
                                                          _private_cache: Path, tmp_path: Path,
                                                          prefix: bytes) -> None:
    assert invoke("validate", "--data", small_data).exit_code == 0
    (folder,) = [p for p in _private_cache.iterdir() if p.is_dir()]
    (folder / "graph.cache").unlink()  # so that the next load reads the per-file caches
    marker = tmp_path / "code-ran"
    planted = list((folder / "files").iterdir())
    assert len(planted) == len(list(small_data.rglob("*.yaml")))
    for path in planted:
        path.write_bytes(prefix + pickle.dumps(_Planted(marker), protocol=pickle.HIGHEST_PROTOCOL))
    result = invoke("validate", "--data", small_data)
    assert not marker.exists(), "a cache file ran code"
    assert result.exit_code == 0 and "15 entities, 16 facts, 3 sources" in result.stdout


def test_no_cache_file_holds_a_pickle(invoke: Invoke, small_data: Path, _private_cache: Path) -> None:
    """Every cache file starts with our own tag and never with a pickle's protocol byte."""
    assert invoke("validate", "--data", small_data).exit_code == 0
    files = list(_private_cache.rglob("*.parsed"))
    assert files and all(p.read_bytes()[:1] in (b"M", b"T") for p in files)
    assert all(b"\x80" != p.read_bytes()[5:6] for p in files)


def test_a_parse_cache_with_a_wrong_checksum_is_parsed_again(invoke: Invoke, small_data: Path,
                                                            _private_cache: Path) -> None:
    import marshal
    import zlib

    def forge(fix_checksum: bool) -> Any:
        (folder / "graph.cache").unlink()
        (folder / "index.sqlite").unlink(missing_ok=True)  # the query index answers without the cache
        for path in sorted((folder / "files").iterdir()):
            data = path.read_bytes()
            state = marshal.loads(data[5:])
            if data[:1] == b"M" and state["entities"]:
                state["entities"][0]["name"] = "Forged Name"
                payload = marshal.dumps(state)
                crc = zlib.crc32(payload).to_bytes(4, "big") if fix_checksum else data[1:5]
                path.write_bytes(data[:1] + crc + payload)
                break
        return json.loads(invoke("search", "Forged Name", "--data", small_data, "--json").stdout)["results"]

    assert invoke("validate", "--data", small_data).exit_code == 0
    (folder,) = [p for p in _private_cache.iterdir() if p.is_dir()]
    assert forge(fix_checksum=False) == [], "a damaged cache file was believed"
    # the control: the same forgery with its checksum is read (it is the checksum that refused it)
    assert [r["name"] for r in forge(fix_checksum=True)][:1] == ["Forged Name"]


# --- item 10: an edit is seen whatever its times -------------------------------------------------------

def test_a_same_size_edit_with_its_times_restored_is_seen(invoke: Invoke, small_data: Path) -> None:
    people = small_data / "entities" / "people.yaml"
    old = 1_600_000_000_000_000_000
    os.utime(people, ns=(old, old))  # long before the cache: trusted by size and times alone
    assert "President of Ukraine." in invoke("show", "zelenskyy", "--data", small_data).stdout
    assert "President of Ukraine." in invoke("show", "zelenskyy", "--data", small_data).stdout  # warm
    text = people.read_text(encoding="utf-8")
    people.write_text(text.replace("President of Ukraine.", "President of Ukraina."), encoding="utf-8")
    os.utime(people, ns=(old, old))  # what `touch -r` does: same size, same times
    assert people.stat().st_size == len(text.encode())
    assert "President of Ukraina." in invoke("show", "zelenskyy", "--data", small_data).stdout


def test_a_same_size_edit_that_breaks_the_data_is_reported_despite_restored_times(invoke: Invoke,
                                                                                 small_data: Path) -> None:
    facts = small_data / "facts" / "roles.yaml"
    old = 1_600_000_000_000_000_000
    os.utime(facts, ns=(old, old))
    assert invoke("validate", "--data", small_data).exit_code == 0
    text = facts.read_text(encoding="utf-8")
    broken = text.replace("certainty: confirmed", "certainty: confirmex", 1)
    assert len(broken) == len(text) and broken != text
    facts.write_text(broken, encoding="utf-8")
    os.utime(facts, ns=(old, old))
    result = invoke("validate", "--data", small_data)
    assert result.exit_code == 3 and "confirmex" in result.stderr


def test_a_file_replaced_by_another_of_the_same_size_and_times_is_seen(invoke: Invoke, small_data: Path,
                                                                      tmp_path: Path) -> None:
    """Editors save by writing a new file and renaming it over the old one: a new inode."""
    people = small_data / "entities" / "people.yaml"
    old = 1_600_000_000_000_000_000
    os.utime(people, ns=(old, old))
    assert invoke("validate", "--data", small_data).exit_code == 0
    new = tmp_path / "people.yaml.new"
    new.write_text(people.read_text(encoding="utf-8").replace("President of Ukraine.", "President of Ukraina."),
                   encoding="utf-8")
    os.utime(new, ns=(old, old))
    os.replace(new, people)
    assert "President of Ukraina." in invoke("show", "zelenskyy", "--data", small_data).stdout


# --- item 15: CSV that a spreadsheet cannot run and Neo4j cannot split ---------------------------------

STORY = """\
sources:
  - id: rferl
    title: A report
entities:
  - id: alice
    type: person
    name: "=HYPERLINK(\\"https://evil.example\\", \\"Click\\")"
    aliases: ["+4912345", "@SUM(A1:A9)", "Smith; John", "Pipe | Name"]
    description: "-2+3+cmd|' /C calc'!A0"
    attributes: {balance: -3, code: "-3", memo: "\\tTAB", plain: "a = b"}
  - id: fund
    type: institution
    name: The Fund
facts:
  - subject: alice
    relation: heads
    object: fund
    sources: [rferl]
    quote: "@cmd and \\rcarriage"
    certainty: confirmed
"""


def csv_rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def formula_story(fact_set: Callable[..., Path]) -> Path:
    return fact_set({"schema.yaml": SCHEMA, "story.yaml": STORY}, base=None)


def test_csv_cells_are_spreadsheet_safe_by_default(invoke: Invoke, formula_story: Path, tmp_path: Path) -> None:
    result = invoke("export", "csv", "--data", formula_story, "--out", tmp_path / "csv")
    assert result.exit_code == 0, result.output
    alice = {row["id:ID"]: row for row in csv_rows(tmp_path / "csv", "nodes.csv")}["alice"]
    assert alice["name"] == "'=HYPERLINK(\"https://evil.example\", \"Click\")"
    assert alice["description"] == "'-2+3+cmd|' /C calc'!A0"
    assert alice["attr.memo"] == "'\tTAB" and alice["attr.code"] == "'-3"
    assert alice["attr.balance:long"] == "-3", "a number is never a formula: left as it is"
    assert alice["attr.plain"] == "a = b"
    (fact,) = csv_rows(tmp_path / "csv", "edges.csv")
    assert fact["quote"] == "'@cmd and \ncarriage"
    every_cell = [cell for name in ("nodes.csv", "edges.csv") for row in csv_rows(tmp_path / "csv", name)
                  for column, cell in row.items() if not column.endswith((":long", ":double", ":int"))]
    assert not [cell for cell in every_cell if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]


def test_exact_cells_write_what_the_data_holds(invoke: Invoke, formula_story: Path, tmp_path: Path) -> None:
    assert invoke("export", "csv", "--exact-cells", "--data", formula_story, "--out", tmp_path / "csv").exit_code == 0
    alice = {row["id:ID"]: row for row in csv_rows(tmp_path / "csv", "nodes.csv")}["alice"]
    assert alice["name"] == "=HYPERLINK(\"https://evil.example\", \"Click\")"
    assert alice["description"] == "-2+3+cmd|' /C calc'!A0"
    assert alice["attr.memo"] == "\tTAB"


def test_an_item_holding_the_array_delimiter_gets_another_delimiter_named_in_a_note(
        invoke: Invoke, formula_story: Path, tmp_path: Path) -> None:
    result = invoke("export", "csv", "--exact-cells", "--data", formula_story, "--out", tmp_path / "csv")
    assert result.exit_code == 0 and "neo4j-import.txt" in result.stderr
    alice = {row["id:ID"]: row for row in csv_rows(tmp_path / "csv", "nodes.csv")}["alice"]
    # ';' and '|' are both in an alias: the next delimiter is U+00A6, and each alias reads back whole
    assert alice["aliases:string[]"].split("\u00a6") == ["+4912345", "@SUM(A1:A9)", "Smith; John", "Pipe | Name"]
    note = (tmp_path / "csv" / "neo4j-import.txt").read_text(encoding="utf-8")
    assert "--array-delimiter=U+00A6" in note


def test_lists_without_a_semicolon_keep_neo4js_default_delimiter(invoke: Invoke, small_data: Path,
                                                                tmp_path: Path) -> None:
    assert invoke("export", "csv", "--data", small_data, "--out", tmp_path / "csv").exit_code == 0
    assert sorted(p.name for p in (tmp_path / "csv").iterdir()) == ["edges.csv", "nodes.csv"]
    zelenskyy = {row["id:ID"]: row for row in csv_rows(tmp_path / "csv", "nodes.csv")}["volodymyr-zelenskyy"]
    assert zelenskyy["aliases:string[]"] == "Zelensky;Zelenskiy;Volodymyr Zelensky"


@pytest.mark.parametrize("schema, story, message", [
    (SCHEMA.replace("relations:\n", "relations:\n  met__with: {label: met too, symmetric: true, subject: [person], "
                                    "object: [person]}\n"),
     STORY + "  - {subject: alice, relation: met_with, object: bob, sources: [rferl], certainty: confirmed}\n"
             "  - {subject: bob, relation: met__with, object: alice, sources: [rferl], certainty: confirmed}\n",
     "relations 'met__with' and 'met_with' would all become the relationship type MET_WITH"),
    (SCHEMA.replace("entity_types:\n", "entity_types:\n  x_1: {label: X one}\n  x1: {label: X1}\n"),
     STORY.replace("facts:", "  - {id: one, type: x_1, name: One}\n  - {id: two, type: x1, name: Two}\nfacts:"),
     "entity types 'x1' and 'x_1' would all become the label X1"),
], ids=["relations", "types"])
def test_names_neo4j_would_merge_are_refused_naming_both(invoke: Invoke, fact_set: Callable[..., Path],
                                                        tmp_path: Path, schema: str, story: str,
                                                        message: str) -> None:
    story = story.replace("facts:", "  - {id: bob, type: person, name: Bob}\nfacts:")
    data = fact_set({"schema.yaml": schema, "story.yaml": story}, base=None)
    assert invoke("validate", "--data", data).exit_code == 0
    result = invoke("export", "csv", "--data", data, "--out", tmp_path / "csv")
    assert result.exit_code == 2 and message in result.stderr, result.output
    assert not (tmp_path / "csv").exists()
    assert invoke("export", "json", "--data", data, "--out", tmp_path / "g.json").exit_code == 0


# --- items 3 and 4: data text reaches a terminal escaped, never as markup ---------------------------------

TERMINAL_SCHEMA = """\
entity_types:
  person: {label: "Person \\e[31m[b]red[/b]"}
  institution: {label: Institution}
certainty:
  confirmed: Stated as fact by the source.
relations:
  heads: {label: "heads \\e]8;;https://evil.example\\e\\\\L\\e]8;;\\e\\\\", inverse: is headed by,
          subject: [person], object: [institution]}
  met_with: {label: met with, symmetric: true, subject: [person], object: [person]}
"""
TERMINAL_STORY = """\
dataset: {name: "Story \\e[2J [link=https://evil.example]CLICK[/link]", date: "2025-01-01"}
sources:
  - {id: rferl, title: "Title \\a\\x9b31m [/]"}
entities:
  - id: zed
    type: person
    name: "Zed [44mBLUE"
    description: "desc \\u202e bidi [sic] \\e[1A"
  - {id: bob, type: person, name: "Bob [/]", aliases: ["Bob [sic]"]}
  - {id: carol, type: person, name: "[link=https://evil.example]CLICK[/link]"}
  - {id: fund, type: institution, name: "Fund [i]"}
facts:
  - {subject: zed, relation: heads, object: fund, sources: [rferl], certainty: confirmed,
     quote: "quote \\e]0;title\\a [bold]x \\u2066"}
  - {subject: bob, relation: met_with, object: zed, sources: [rferl], certainty: confirmed, note: "n\\e[0m"}
"""
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


@pytest.fixture
def terminal_story(fact_set: Callable[..., Path]) -> Path:
    return fact_set({"schema.yaml": TERMINAL_SCHEMA, "story.yaml": TERMINAL_STORY}, base=None)


@pytest.mark.parametrize("args, code, expected", [
    (["stats"], 0, ["Bob [/]", "[link=https://evil.example]CLICK[/link]", "Story \u241b[2J"]),
    (["search", "bob"], 0, ["Bob [/]"]),
    (["show", "zed"], 0, ["Zed [44mBLUE", "[sic]", "<U+202E>", "\u241b[1A", "Title \u2407<U+009B>31m [/]",
                          "\u241b]0;title\u2407 [bold]x <U+2066>", "heads \u241b]8;;https://evil.example"]),
    (["show", "bob"], 0, ["Bob [/]", "Bob [sic]"]),
    (["show", "carol"], 0, ["[link=https://evil.example]CLICK[/link]"]),
    (["neighbours", "bob", "--depth", "2"], 0, ["Bob [/]", "Fund [i]", "Zed [44mBLUE"]),
    (["path", "bob", "fund"], 0, ["Bob [/] met with Zed [44mBLUE", "Title \u2407<U+009B>31m [/]"]),
    (["path", "carol", "fund"], 1, ["no path from [link=https://evil.example]CLICK[/link] to Fund [i]"]),
    (["show", "zd"], 2, ["did you mean: zed (Zed [44mBLUE)"]),
    (["show", "zedd"], 0, ["showing Zed [44mBLUE for 'zedd' (id zed)"]),
    (["search", "\x1b[31mqqqq\u202e"], 1, ["no entity matches '\\x1b[31mqqqq\\u202e'"]),
    (["build", "--out-dir", "{tmp}/out"], 0, ["[link=https://evil.example]CLICK[/link] (0)", "Story \u241b[2J"]),
], ids=["stats", "search", "show-zed", "show-bob", "show-carol", "neighbours", "path", "no-path", "did-you-mean",
        "guessed", "no-match", "build"])
def test_data_text_reaches_the_terminal_escaped_and_never_as_markup(
        invoke: Invoke, terminal_story: Path, tmp_path: Path, args: list[str], code: int,
        expected: list[str]) -> None:
    result = invoke(*[a.format(tmp=tmp_path) for a in args], "--data", terminal_story, env={"COLUMNS": "250"})
    assert result.exit_code == code, result.output
    for stream in (result.stdout, result.stderr):
        assert not RAW_CONTROL.search(stream), stream
        assert "\x1b]8;" not in stream and "MarkupError" not in stream
    text = result.stdout + result.stderr
    for piece in expected:
        assert piece in text, (piece, text)
    if code:
        assert result.stderr.count("\n") == 1, "one message, one line"


def test_file_names_and_located_errors_stay_one_line_each(invoke: Invoke, fact_set: Callable[..., Path]) -> None:
    data = fact_set({"schema.yaml": TERMINAL_SCHEMA, "story.yaml": TERMINAL_STORY})
    (data / "evil\x1b]0;owned\x07\nforged.yaml:1:1: fake.yaml").write_text("entities: []\n", encoding="utf-8")
    result = invoke("validate", "--data", data)
    assert result.exit_code == 3
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and not RAW_CONTROL.search(result.stderr), lines
    assert "evil\\x1b]0;owned\\x07\\nforged.yaml:1:1: fake.yaml" in lines[0]
    assert lines[1].startswith("tieline: 1 problem in ")
