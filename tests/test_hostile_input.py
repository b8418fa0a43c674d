"""Hostile and broken input: every failure is a clear, located message, and nothing is lost.

Encodings and line endings, tags that would build objects, alias bombs (memory measured in a
subprocess), special files in the data folder, huge files and huge lines, messages that cannot
be used to mangle a terminal, and "did you mean" hints that stay cheap. The exact wording of each
kind of problem is pinned by the corpus in tests/test_broken_corpus.py.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli import app

__all__: list[str] = []

REPO = Path(__file__).resolve().parents[1]
LOCATED = re.compile(r"^\S+:\d+(:\d+)?: ")
SCHEMA = """\
entity_types:
  person: {label: Person}
  institution: {label: Institution}
certainty:
  confirmed: Stated as fact by the source.
relations:
  heads: {label: heads, inverse: is headed by, subject: [person], object: [institution]}
  met_with: {label: met with, symmetric: true, subject: [person], object: [person]}
"""
FACTS = """\
sources:
  - id: rferl
    title: A report
entities:
  - id: kirill-dmitriev
    type: person
    name: Kirill Dmitriev
    description: Head of the fund.
  - id: rdif
    type: institution
    name: Russian Direct Investment Fund
facts:
  - subject: kirill-dmitriev
    relation: heads
    object: rdif
    sources: [rferl]
    certainty: confirmed
"""


def folder_with(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    """A data folder in tmp_path holding the schema above and ``files`` (text is dedented)."""
    data = tmp_path / "data"
    data.mkdir(parents=True, exist_ok=True)
    for rel, content in {"schema.yaml": SCHEMA, **files}.items():
        path = data / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else textwrap.dedent(content).encode("utf-8"))
    return data


def tieline(*args: str | Path) -> Any:
    """``tieline ARGS`` in-process; a traceback of any kind fails the test."""
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


def problems(data: Path) -> list[str]:
    """The problem lines ``tieline validate`` prints for ``data`` (which must be invalid)."""
    result = tieline("validate", "--data", data)
    assert result.exit_code == 3, result.output
    assert result.stdout == ""
    *lines, summary = result.stderr.splitlines()
    assert summary == f"tieline: {len(lines)} problem{'s' if len(lines) != 1 else ''} in {data}/"
    return lines


def card(data: Path, entity: str) -> dict[str, Any]:
    result = tieline("show", entity, "--data", data, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def run_python(code: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter with the repository importable."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=timeout,
                          env=env, cwd=REPO, check=False)


# --- encodings, line endings, empty files ---------------------------------------------------------

def test_a_bom_and_crlf_line_endings_give_the_same_graph_and_lines(tmp_path: Path) -> None:
    plain = folder_with(tmp_path / "plain", {"facts.yaml": FACTS})
    windows = folder_with(tmp_path / "windows", {"facts.yaml": b"\xef\xbb\xbf" + FACTS.replace("\n", "\r\n").encode()})
    assert card(windows, "kirill-dmitriev") == card(plain, "kirill-dmitriev")
    entity = card(windows, "kirill-dmitriev")["entity"]
    assert (entity["description"], entity["line"]) == ("Head of the fund.", 5)


def test_crlf_line_numbers_in_errors(tmp_path: Path) -> None:
    broken = FACTS.replace("certainty: confirmed", "certainty: sure").replace("\n", "\r\n")
    data = folder_with(tmp_path, {"facts.yaml": broken})
    assert problems(data) == [f"{data}/facts.yaml:17:16: unknown certainty 'sure'; the schema has: confirmed"]


@pytest.mark.parametrize("content", ["", "\n\n", "# only a comment\n", "---\n", "--- \n...\n", "\ufeff"],
                         ids=["empty", "blank lines", "comment", "document start", "empty document", "bom only"])
def test_an_empty_fact_file_adds_nothing(tmp_path: Path, content: str) -> None:
    data = folder_with(tmp_path, {"facts.yaml": FACTS, "empty.yaml": content})
    result = tieline("validate", "--data", data)
    assert result.exit_code == 0, result.output
    assert "2 entities, 1 fact, 1 source" in result.stdout


def test_two_documents_in_one_file_are_refused(tmp_path: Path) -> None:
    data = folder_with(tmp_path, {"facts.yaml": FACTS + "---\nfacts: []\n"})
    assert problems(data) == [f"{data}/facts.yaml:18:1: YAML syntax error: expected a single document in the "
                              "stream, but found another document"]


@pytest.mark.parametrize("raw, where", [
    (b"name: Kirill \x93Dmitriev\x94\n", "2:16: not valid UTF-8: byte 0x93 at byte offset 24"),  # Windows-1252
    (b"name: Kirill Dmitri\xc3\n", "2:22: not valid UTF-8: byte 0xc3 at byte offset 30"),  # cut mid-character
    (b"name: \xed\xa0\x80\n", "2:9: not valid UTF-8: byte 0xed at byte offset 17"),  # an encoded surrogate
])
def test_bytes_that_are_not_utf8_are_located_by_line_and_byte_offset(tmp_path: Path, raw: bytes, where: str) -> None:
    data = folder_with(tmp_path, {"facts.yaml": b"dataset:\n  " + raw})
    assert problems(data) == [f"{data}/facts.yaml:{where} (save the file as UTF-8)"]


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x9b", "\ufffe"])
def test_characters_yaml_forbids_are_located(tmp_path: Path, char: str) -> None:
    data = folder_with(tmp_path, {"facts.yaml": f"dataset:\n  name: Über {char}talks\n"})
    (line,) = problems(data)
    assert line.startswith(f"{data}/facts.yaml:2:14: cannot read the file: character U+{ord(char):04X} "
                           "is not allowed in YAML")


def test_escaped_control_characters_are_data_and_stay_as_written(tmp_path: Path) -> None:
    data = folder_with(tmp_path, {"facts.yaml": FACTS.replace("Head of the fund.", r'"bell\a, esc\e[2J, nul\0"')})
    assert card(data, "rdif")  # the graph loads
    assert card(data, "kirill-dmitriev")["entity"]["description"] == "bell\x07, esc\x1b[2J, nul\x00"


# --- tags that would build objects ----------------------------------------------------------------

@pytest.mark.parametrize("payload", [
    "name: !!python/object/apply:os.system ['touch {marker}']",
    "name: !!python/object/new:subprocess.check_output [['touch', '{marker}']]",
    "name: !!python/name:os.system",
    "name: !!python/module:os",
    "? !!python/object/apply:os.system ['touch {marker}']\n  : 1",
    "!!python/str name: x",
    "name: [a, !!python/object/apply:os.system ['touch {marker}']]",
    "name: !<tag:yaml.org,2002:python/object/apply:os.system> ['touch {marker}']",
    "name: !custom thing",
    "name: !!binary aGVsbG8=\n  description: !!set {{a, b}}",
])
def test_tags_are_refused_never_constructed(tmp_path: Path, payload: str) -> None:
    marker = tmp_path / "pwned"
    data = folder_with(tmp_path, {"facts.yaml": "dataset:\n  " + payload.format(marker=marker) + "\n"})
    lines = problems(data)
    assert lines and all(LOCATED.match(line) for line in lines), lines
    assert any("is not allowed" in line or "complex key" in line for line in lines), lines
    assert not marker.exists()


# --- alias bombs: refused quickly, memory measured in a subprocess --------------------------------

BOMB = "".join(f'{c}: &{c} ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' if c == "a" else
               f"{c}: &{c} [" + ",".join([f"*{p}"] * 9) + "]\n" for p, c in zip(" abcdefgh", "abcdefghi"))
MEASURE = """\
import json, resource, sys
from graph.errors import DataErrors
from graph.validate import load_facts
import yaml, graph.fields, graph.schema, graph.yamlfile  # imported before measuring
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    load_facts(sys.argv[1])
    errors = []
except DataErrors as exc:
    errors = [str(e) for e in exc.errors]
growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024
print(json.dumps({"growth": growth, "errors": errors}))
"""


def measure_load(data: Path) -> dict[str, Any]:
    """Peak memory growth (bytes) and problems of loading ``data``, in a fresh interpreter."""
    done = run_python(MEASURE, str(data))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("padding", ["", "# " + "p" * 10_000_000 + "\n",
                                     "pad: [" + ",".join(["1"] * 200_000) + "]\n"],
                         ids=["bare", "after a 10 MB comment", "after 200,000 values"])
def test_an_alias_bomb_is_refused_without_expanding(tmp_path: Path, padding: str) -> None:
    """The bomb would expand to 387 million values; it costs no more memory than a file of its size."""
    bomb = folder_with(tmp_path / "bomb", {"facts.yaml": padding + BOMB})
    plain = folder_with(tmp_path / "plain", {"facts.yaml": padding + "dataset: {name: No bomb}\n"})
    size = (bomb / "facts.yaml").stat().st_size
    report, baseline = measure_load(bomb), measure_load(plain)
    assert len(report["errors"]) == 1
    assert re.match(rf"{bomb}/facts.yaml:\d+:4: aliases would expand this document to more than [\d,]+ values "
                    r"from [\d,]+ written \(an alias bomb\?\); refused$", report["errors"][0]), report["errors"]
    assert report["growth"] < 2 * baseline["growth"] + 16_000_000, (report, baseline)
    if padding.startswith("#"):
        assert report["growth"] < 4 * size, report


def test_a_recursive_alias_is_refused(tmp_path: Path) -> None:
    data = folder_with(tmp_path, {"facts.yaml": "entities: &loop\n  - *loop\n"})
    assert problems(data) == [f"{data}/facts.yaml:1:11: an alias refers to the collection that contains it "
                              "(a recursive alias); refused"]


def test_ordinary_anchors_and_aliases_still_work(tmp_path: Path) -> None:
    many = "".join(f"  - {{subject: kirill-dmitriev, relation: heads, object: fund-{i}, sources: *src, "
                   f"certainty: confirmed}}\n" for i in range(200))
    funds = "".join(f"  - {{id: fund-{i}, type: institution, name: Fund {i}}}\n" for i in range(200))
    data = folder_with(tmp_path, {"facts.yaml": FACTS.replace("sources: [rferl]", "sources: &src [rferl]") + many,
                                  "funds.yaml": "entities:\n" + funds})
    result = tieline("validate", "--data", data)
    assert result.exit_code == 0, result.output
    assert "202 entities, 201 facts" in result.stdout
    facts = card(data, "kirill-dmitriev")["facts"]
    assert all([s["id"] for s in fact["sources"]] == ["rferl"] for fact in facts)


# --- the data folder: special files ---------------------------------------------------------------

def test_a_broken_link_is_reported_not_skipped(tmp_path: Path) -> None:
    data = folder_with(tmp_path, {"facts.yaml": FACTS})
    (data / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    assert problems(data) == [f"{data}/gone.yaml: cannot read this file: a broken link: No such file or directory"]


def test_a_pipe_in_the_data_folder_is_reported_without_hanging(tmp_path: Path) -> None:
    data = folder_with(tmp_path, {"facts.yaml": FACTS})
    os.mkfifo(data / "pipe.yaml")
    done = subprocess.run([sys.executable, "-c", "import cli; cli.main()", "validate", "--data", str(data)],
                          capture_output=True, text=True, timeout=60, cwd=REPO, check=False,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 3
    assert done.stderr.splitlines()[0] == (f"{data}/pipe.yaml: not a regular file (a pipe, a device or a socket); "
                                           "fact files must be plain files")


def test_folders_named_yaml_hidden_files_and_other_files_are_ignored(tmp_path: Path) -> None:
    data = folder_with(tmp_path, {"facts.yaml": FACTS, ".hidden.yaml": "{{{", ".git/x.yaml": "{{{",
                                  "notes.txt": "{{{", "folder.yaml/inner.yml": "dataset: {name: Inner}\n"})
    result = tieline("validate", "--data", data)
    assert result.exit_code == 0, result.output
    assert tieline("stats", "--data", data, "--json").stdout.count('"Inner"') == 1  # .yml inside is read


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_an_unreadable_file_is_reported(tmp_path: Path) -> None:
    data = folder_with(tmp_path, {"facts.yaml": FACTS, "secret.yaml": "dataset: {name: x}\n"})
    (data / "secret.yaml").chmod(0)
    assert problems(data) == [f"{data}/secret.yaml: cannot read this file: permission denied"]


# --- messages: one line each, quoted, escaped, short ----------------------------------------------

def test_hostile_keys_and_values_cannot_break_lines_or_drive_the_terminal(tmp_path: Path) -> None:
    data = folder_with(tmp_path, {"facts.yaml": textwrap.dedent("""\
        entities:
          - id: "evil\\nid\\e[2J"
            type: person
            name: x
            "key\\nwith\\e]0;title\\a": 1
        facts:
          - subject: "a\\nb\\e[31m"
            relation: heads
            object: rdif
        """)})
    lines = problems(data)
    assert len(lines) == 5 and all(LOCATED.match(line) for line in lines), lines
    assert not any(ch in "".join(lines) for ch in "\x1b\x07\r")
    assert "unknown key 'key\\nwith\\x1b]0;title\\x07'" in lines[1]
    assert "fact 'a\\nb\\x1b[31m heads rdif'" in lines[2]


def test_non_finite_numbers_stay_text(tmp_path: Path) -> None:
    data = folder_with(tmp_path, {"facts.yaml": FACTS.replace(
        "    description: Head of the fund.\n",
        "    attributes:\n      big: 1.0e+999\n      small: -1.0e+999\n      fine: 2.5\n      nan: .nan\n")})
    attributes = card(data, "kirill-dmitriev")["entity"]["attributes"]
    assert attributes == {"big": "1.0e+999", "small": "-1.0e+999", "fine": 2.5, "nan": ".nan"}
    exported = tieline("export", "json", "--data", data, "--out", "-")
    json.loads(exported.stdout, parse_constant=lambda name: pytest.fail(f"{name} in JSON"))


# --- very large inputs ------------------------------------------------------------------------------

def test_a_100_mb_file_loads(tmp_path: Path) -> None:
    """100 entities with a 1 MB description each: about 106 MB of valid, boring YAML."""
    data = folder_with(tmp_path, {"facts.yaml": FACTS})
    paragraph = b"      lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\n"
    with open(data / "big.yaml", "wb") as handle:
        handle.write(b"entities:\n")
        for i in range(100):
            handle.write(b"  - id: e%d\n    type: person\n    name: Person %d\n    description: >-\n" % (i, i))
            handle.write(paragraph * 12_500)
    assert (data / "big.yaml").stat().st_size > 100_000_000
    done = subprocess.run([sys.executable, "-c", "import cli; cli.main()", "show", "e99", "--json", "--data",
                           str(data)], capture_output=True, text=True, timeout=600, cwd=REPO, check=False,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr[-2000:]
    description = json.loads(done.stdout)["entity"]["description"]
    assert description == " ".join([paragraph.strip().decode()] * 12_500)  # folded: lines joined by spaces


def test_a_100_mb_quoted_scalar_loads(tmp_path: Path) -> None:
    data = folder_with(tmp_path, {"facts.yaml": FACTS})
    with open(data / "dataset.yaml", "wb") as handle:
        handle.write(b'dataset:\n  name: Big\n  description: "')
        for _ in range(100):
            handle.write(b"word " * 200_000)
        handle.write(b'"\n')
    done = subprocess.run([sys.executable, "-c", "import cli; cli.main()", "stats", "--json", "--data", str(data)],
                          capture_output=True, text=True, timeout=600, cwd=REPO, check=False,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)["dataset"]["name"] == "Big"


@pytest.mark.parametrize("line, outcome", [
    ("dataset:\n  name: " + "x" * 10_000_000, "valid"),
    ('dataset:\n  name: "' + '\\u00e9 \\" ' * 1_250_000 + '"', "valid"),
    ("dataset:\n  name: Big\n# " + "#" * 10_000_000, "valid"),
    ("entities:\n  - {id: e, type: person, name: E, aliases: ["
     + ",".join(f"alias number {i:07d}" for i in range(500_000)) + "]}", "valid"),
    ("entities:\n  - {id: e, type: person, name: E, aliases: ["
     + "".join(f"alias number {i:07d}," for i in range(500_000)), "problem"),
    ("dataset:\n  name: " + "x" * 10_000_000 + ": y", "problem"),
], ids=["plain scalar", "quoted scalar with escapes", "comment", "flow list of 500,000", "unclosed flow list",
        "10 MB key"])
def test_a_10_mb_line_does_not_hang(tmp_path: Path, line: str, outcome: str) -> None:
    data = folder_with(tmp_path, {"facts.yaml": FACTS, "line.yaml": line + "\n"})
    result = tieline("validate", "--data", data)
    if outcome == "valid":
        assert result.exit_code == 0, result.stderr[:2000]
    else:
        (problem,) = problems(data)
        assert LOCATED.match(problem) and len(problem) < 300, problem[:300]


# --- "did you mean": cheap even with thousands of unknown references -------------------------------

def test_hints_for_many_unknown_references_stay_within_a_budget(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from graph import validate as load

    entities = "".join(f"  - {{id: person-{i}, type: person, name: Person {i}}}\n" for i in range(3000))
    facts = "".join(f"  - {{subject: persn-{i}, relation: met_with, object: person-{i}, sources: [rferl], "
                    f"certainty: confirmed}}\n" for i in range(3000))
    data = folder_with(tmp_path, {"facts.yaml": FACTS, "people.yaml": "entities:\n" + entities,
                                  "meetings.yaml": "facts:\n" + facts})
    compared = []
    real_suggest = load.suggest
    monkeypatch.setattr(load, "suggest", lambda word, candidates: compared.append(len(candidates))
                        or real_suggest(word, candidates))
    lines = problems(data)
    assert len(lines) == 3000
    assert lines[0] == f"{data}/meetings.yaml:2:15: unknown entity 'persn-0' (did you mean 'person-0'?)"
    assert sum(compared) <= load.SUGGEST_BUDGET  # without the budget: 3000 × 3002 comparisons


def test_the_same_unknown_reference_is_looked_up_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from graph import validate as load

    facts = "".join(f"  - {{id: f{i}, subject: kirill-dmitriev, relation: head, object: rdif, sources: [rferl], "
                    f"certainty: confirmed}}\n" for i in range(500))
    data = folder_with(tmp_path, {"facts.yaml": FACTS, "more.yaml": "facts:\n" + facts})
    words = []
    real_suggest = load.suggest
    monkeypatch.setattr(load, "suggest", lambda word, candidates: words.append(word)
                        or real_suggest(word, candidates))
    lines = problems(data)
    assert len(lines) == 500 and all("unknown relation 'head' (did you mean 'heads'?); if it is new, declare it" in line
                                     for line in lines)
    assert words == ["head"]


def test_problems_found_while_parsing_in_parallel_are_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    """Big folders are parsed by several processes; their problems come back intact (they used to crash)."""
    from graph import build as pipeline

    monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 0)
    case = REPO / "tests" / "fixtures" / "broken" / "errors-in-several-files"
    monkeypatch.chdir(case)
    result = tieline("validate", "--data", ".", "--no-cache")
    assert result.exit_code == 3
    assert result.stderr == (case / "expected.txt").read_text(encoding="utf-8")


# --- reuse multiplies: aliases bounded by the characters they repeat ----------------------------------

def reused_quote_facts(quote_chars: int, facts: int) -> str:
    """One long quote anchored on the first fact and reused by alias on the others."""
    entities = "".join(f"  - {{id: fund-{i}, type: institution, name: Fund {i}}}\n" for i in range(facts))
    first = (f"  - subject: kirill-dmitriev\n    relation: heads\n    object: fund-0\n    sources: [rferl]\n"
             f"    certainty: confirmed\n    quote: &q \"{'x' * quote_chars}\"\n")
    rest = "".join(f"  - {{subject: kirill-dmitriev, relation: heads, object: fund-{i}, sources: [rferl], "
                   f"certainty: confirmed, quote: *q}}\n" for i in range(1, facts))
    return "entities:\n" + entities + "facts:\n" + first + rest


def test_a_2_mb_quote_reused_999_times_is_refused_before_anything_is_built(tmp_path: Path) -> None:
    """The issue's example: it validated, then `export json` took 42 s, 6 GB and wrote 2 GB."""
    data = folder_with(tmp_path / "reuse", {"facts.yaml": FACTS, "more.yaml": reused_quote_facts(2_000_000, 1000)})
    plain = folder_with(tmp_path / "plain", {"facts.yaml": FACTS, "more.yaml": reused_quote_facts(2_000_000, 1)})
    report, baseline = measure_load(data), measure_load(plain)
    line = 1 + 1000 + 1 + 6  # "entities:", 1000 entities, "facts:", then the quote on the 6th line of the fact
    assert report["errors"] == [f"{data}/more.yaml:{line}:12: aliases would repeat 1,998,000,000 characters of "
                                "text (2,120,683 written; at most 9,482,732 may be repeated): every export would "
                                "hold each copy; refused"]
    assert report["growth"] < 2 * baseline["growth"] + 16_000_000, (report, baseline)
    assert baseline["errors"] == []


@pytest.mark.parametrize("document", [
    # a description on 200 entities: small each time, 20 MB in all
    "entities:\n  - {id: e0, type: person, name: E0, description: &d \"" + "y" * 100_000 + "\"}\n"
    + "".join(f"  - {{id: e{i}, type: person, name: E{i}, description: *d}}\n" for i in range(1, 200)),
    # a list of long aliases anchored once, reused as a whole
    "entities:\n  - {id: e0, type: person, name: E0, aliases: &a [" + ", ".join(["z" * 20_000] * 10) + "]}\n"
    + "".join(f"  - {{id: e{i}, type: person, name: E{i}, aliases: *a}}\n" for i in range(1, 30)),
    # nested reuse: a quote reused inside a reused mapping
    "dataset: {name: x, description: &s \"" + "w" * 300_000 + "\"}\nx: &m {a: *s, b: *s, c: *s, d: *s}\n"
    "y: [*m, *m, *m, *m]\n",
], ids=["description on 200 entities", "list of aliases", "reuse inside reuse"])
def test_text_repeated_by_aliases_is_bounded_in_characters(tmp_path: Path, document: str) -> None:
    data = folder_with(tmp_path, {"facts.yaml": FACTS, "more.yaml": document})
    (line,) = problems(data)
    assert re.match(rf"{data}/more.yaml:\d+:\d+: aliases would repeat [\d,]+ characters of text \([\d,]+ written; "
                    r"at most [\d,]+ may be repeated\): every export would hold each copy; refused$", line), line


def test_modest_reuse_of_text_is_fine(tmp_path: Path) -> None:
    """A 1 KB quote reused on 500 facts (500 KB repeated) stays within the margin."""
    data = folder_with(tmp_path, {"facts.yaml": FACTS, "more.yaml": reused_quote_facts(1000, 500)})
    result = tieline("validate", "--data", data)
    assert result.exit_code == 0, result.stderr[:2000]


# --- free attributes: what the curator typed ------------------------------------------------------

def attributes_of(tmp_path: Path, attributes: str) -> dict[str, Any]:
    """The attributes ``show --json`` and ``export json`` give for ``attributes`` (YAML flow mapping)."""
    data = folder_with(tmp_path, {"facts.yaml": FACTS.replace(
        "    description: Head of the fund.\n", f"    attributes: {attributes}\n")})
    shown_attributes = card(data, "kirill-dmitriev")["entity"]["attributes"]
    exported = json.loads(tieline("export", "json", "--data", data, "--out", "-").stdout)
    node = next(n for n in exported["nodes"] if n["id"] == "kirill-dmitriev")
    assert node["attributes"] == shown_attributes
    return shown_attributes


@pytest.mark.parametrize("typed, value", [
    ("NO", "NO"), ("no", "no"), ("yes", "yes"), ("On", "On"), ("True", "True"), ("true", True), ("false", False),
    ("1.10", "1.10"), ("2.5", 2.5), ("-0.75", -0.75), ("1.0", 1.0), ("+4912345", "+4912345"), ("4912345", 4912345),
    ("-3", -3), ("007", "007"), ("0x1F", "0x1F"), ("0o17", "0o17"), ("1_000", "1_000"), ("1e3", "1e3"),
    ("1:30", "1:30"), (".inf", ".inf"), ("-0", "-0"), ("0", 0), ("9007199254740991", 9007199254740991),
    ("9007199254740992", "9007199254740992"), ("-9007199254740991", -9007199254740991),
    ("3.14159265358979323846", "3.14159265358979323846"), ("'12'", "12"), ('"true"', "true"),
    ("2025-04-02", "2025-04-02"),
])
def test_a_free_attribute_is_what_the_curator_typed(tmp_path: Path, typed: str, value: Any) -> None:
    got = attributes_of(tmp_path, f"{{v: {typed}}}")["v"]
    assert got == value and type(got) is type(value)


def test_a_list_attribute_keeps_each_item_as_typed(tmp_path: Path) -> None:
    assert attributes_of(tmp_path, "{countries: [NO, SE, 'DK'], versions: [1.10, 1.9, 2]}") == {
        "countries": ["NO", "SE", "DK"], "versions": ["1.10", 1.9, 2]}


@pytest.mark.parametrize("digits", ["0x" + "f" * 3_600, "9" * 5_000, "-" + "1" * 4_400, "0b" + "1" * 20_000,
                                    "1" * 400 + "." + "5" * 400])
def test_a_huge_number_stays_text_and_every_output_works(tmp_path: Path, digits: str) -> None:
    """The issue's example (3,600 hex digits) killed every export and `show` with a traceback."""
    data = folder_with(tmp_path, {"facts.yaml": FACTS.replace(
        "    description: Head of the fund.\n", f"    attributes: {{n: {digits}, m: [{digits}]}}\n")})
    assert card(data, "kirill-dmitriev")["entity"]["attributes"] == {"n": digits, "m": [digits]}
    assert tieline("show", "kirill-dmitriev", "--data", data).exit_code == 0
    for fmt in ("json", "graphml", "gexf", "csv", "html"):
        out = tmp_path / f"out-{fmt}"
        result = tieline("export", fmt, "--data", data, "--out", out)
        assert result.exit_code == 0, (fmt, result.stderr[-2000:])
    assert digits in (tmp_path / "out-json").read_text(encoding="utf-8")


def test_schema_flags_still_accept_yes_and_no(tmp_path: Path) -> None:
    """``symmetric:`` and ``allow_self:`` are declared booleans: yes/no/on/off read as true/false there."""
    schema = SCHEMA.replace("symmetric: true", "symmetric: yes").replace(
        "object: [institution]}", "object: [institution], symmetric: no, allow_self: off}")
    data = folder_with(tmp_path, {"schema.yaml": schema, "facts.yaml": FACTS})
    graph = json.loads(tieline("export", "json", "--data", data, "--out", "-").stdout)
    assert graph["graph"]["relations"]["met_with"]["symmetric"] is True
    assert graph["graph"]["relations"]["heads"]["symmetric"] is False
    assert graph["graph"]["relations"]["heads"]["allow_self"] is False


# --- the data folder: depth, names, links, sizes ----------------------------------------------------

def nested(data: Path, levels: int) -> Path:
    """``data/d/d/…`` ``levels`` folders deep; returns the deepest (made one by one: mkdir -p recurses)."""
    deepest = data
    for _ in range(levels):
        deepest = deepest / "d"
        deepest.mkdir()
    return deepest


def remove_nested(top: Path) -> None:
    """Remove a deep chain of folders from the bottom up (shutil.rmtree, and so pytest's clean-up, recurse)."""
    chain = [top]
    while (chain[-1] / "d").is_dir():
        chain.append(chain[-1] / "d")
    for folder in reversed(chain):
        for item in folder.iterdir():
            item.unlink()
        folder.rmdir()


@pytest.fixture
def deep_folders(tmp_path: Path) -> Iterator[Path]:
    """A data folder holding ``d/d/…/deep.yaml`` 1,000 folders deep; removed afterwards."""
    data = folder_with(tmp_path, {"facts.yaml": FACTS})
    try:
        (nested(data, 1000) / "deep.yaml").write_text("dataset: {name: Deep}\n", encoding="utf-8")
        yield data
    finally:
        if (data / "d").exists():
            remove_nested(data / "d")


def test_a_thousand_nested_folders_are_refused_at_the_documented_depth(deep_folders: Path) -> None:
    """The issue's example: about 1,000 nested folders gave a RecursionError traceback."""
    from graph.files import MAX_FOLDER_DEPTH

    data = deep_folders
    done = subprocess.run([sys.executable, "-c", "import cli; cli.main()", "validate", "--data", str(data)],
                          capture_output=True, text=True, timeout=120, cwd=REPO, check=False,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    too_deep = "/".join(["d"] * (MAX_FOLDER_DEPTH + 1))
    assert (done.returncode, done.stdout) == (3, "")
    assert done.stderr.splitlines() == [
        f"{data}/{too_deep}: folders nested more than {MAX_FOLDER_DEPTH} levels below the data folder; "
        "this one and everything in it is refused", f"tieline: 1 problem in {data}/"]


def test_files_at_the_deepest_allowed_folder_are_read(tmp_path: Path) -> None:
    from graph.files import MAX_FOLDER_DEPTH

    data = folder_with(tmp_path, {"facts.yaml": FACTS})
    (nested(data, MAX_FOLDER_DEPTH) / "deep.yml").write_text("dataset: {name: Deep}\n", encoding="utf-8")
    assert json.loads(tieline("stats", "--data", data, "--json").stdout)["dataset"]["name"] == "Deep"
    (data.joinpath(*["d"] * MAX_FOLDER_DEPTH) / "d").mkdir()
    (line,) = problems(data)
    assert "folders nested more than" in line


def test_yaml_and_yml_files_in_any_case_are_read(tmp_path: Path) -> None:
    data = folder_with(tmp_path, {"facts.yaml": FACTS, "people.YAML": "entities:\n  - {id: a, type: person, name: A}\n",
                                  "more.yml": "entities:\n  - {id: b, type: person, name: B}\n",
                                  "sub/Other.Yml": "entities:\n  - {id: c, type: person, name: C}\n"})
    result = tieline("validate", "--data", data)
    assert result.exit_code == 0, result.output
    assert "5 entities" in result.stdout


@pytest.mark.parametrize("name, tail, fixed", [("more.yaml ", "' '", "more.yaml"), ("more.yml.", "'.'", "more.yml"),
                                                ("more.YAML . ", "' . '", "more.YAML")])
def test_a_name_that_only_looks_like_a_fact_file_is_reported(tmp_path: Path, name: str, tail: str,
                                                              fixed: str) -> None:
    """The issue's example: ``more.yaml `` (a trailing space) was ignored without a word."""
    data = folder_with(tmp_path, {"facts.yaml": FACTS, name: "dataset: {name: x}\n"})
    assert problems(data) == [f"{data}/{name}: the file name has {tail} after its extension; rename it to "
                              f"'{fixed}' (fact files are the names ending in .yaml or .yml)"]


SECRET = "root:$6$saltsalt$SECRETHASH:19000:0:99999:7:::\n"


def test_a_link_to_a_file_outside_the_data_folder_is_refused_never_read(tmp_path: Path) -> None:
    """The issue's example: ``passwd.yaml -> /etc/passwd`` printed /etc/shadow-like lines in messages."""
    outside = tmp_path / "elsewhere" / "shadow"
    outside.parent.mkdir()
    outside.write_text(SECRET, encoding="utf-8")
    data = folder_with(tmp_path, {"facts.yaml": FACTS})
    (data / "passwd.yaml").symlink_to(outside)
    (data / "etc.yaml").symlink_to("/etc/passwd")
    result = tieline("validate", "--data", data)
    assert result.exit_code == 3
    assert "SECRETHASH" not in result.output and "root:" not in result.output
    assert result.stderr.splitlines()[:2] == [
        f"{data}/etc.yaml: a link to a file outside the data folder ({os.path.realpath('/etc/passwd')}); "
        "refused, never read: copy the file into the data folder instead",
        f"{data}/passwd.yaml: a link to a file outside the data folder ({outside}); refused, never read: "
        "copy the file into the data folder instead"]


def test_a_link_to_a_folder_is_reported_and_a_link_to_a_file_inside_is_read(tmp_path: Path) -> None:
    outside = tmp_path / "shared"
    outside.mkdir()
    (outside / "people.yaml").write_text("entities:\n  - {id: a, type: person, name: A}\n", encoding="utf-8")
    data = folder_with(tmp_path, {"facts.yaml": FACTS, "more/people.yaml": "entities:\n  - {id: b, type: person, "
                                                                           "name: B}\n"})
    (data / "linked.yaml").symlink_to(data / "more" / "people.yaml")
    result = tieline("validate", "--data", data)  # the link is read: b is defined twice
    assert result.exit_code == 3
    assert result.stderr.startswith(f"{data}/more/people.yaml:2:10: duplicate entity id 'b' (first at linked.yaml:2)")
    (data / "linked.yaml").unlink()
    (data / "shared").symlink_to(outside)
    (data / "again").symlink_to(data / "more")
    assert problems(data) == [
        f"{data}/again: a link to a folder inside the data folder ({data / 'more'}); links to folders are never "
        "followed (files would be read twice, or from anywhere): move or copy the folder in instead",
        f"{data}/shared: a link to a folder outside the data folder ({outside}); links to folders are never "
        "followed (files would be read twice, or from anywhere): move or copy the folder in instead"]


def test_a_2_gb_sparse_file_is_refused_at_once(tmp_path: Path) -> None:
    """The issue's example cost 25 s and 8.4 GB before the NUL error; the size is checked first."""
    from graph.files import MAX_FILE_BYTES

    data = folder_with(tmp_path, {"facts.yaml": FACTS})
    with open(data / "huge.yaml", "wb") as handle:
        handle.truncate(2 * 1024**3)
    baseline = measure_load(folder_with(tmp_path / "plain", {"facts.yaml": FACTS}))
    report = measure_load(data)
    assert report["errors"] == [f"{data}/huge.yaml: the file is 2,147,483,648 bytes, more than the limit of "
                                f"{MAX_FILE_BYTES:,} bytes (256 MiB) for one fact file; split it into several files"]
    assert report["growth"] < baseline["growth"] + 16_000_000, (report, baseline)
    done = subprocess.run([sys.executable, "-c", "import cli; cli.main()", "validate", "--data", str(data)],
                          capture_output=True, text=True, timeout=120, cwd=REPO, check=False,
                          env={**os.environ, "PYTHONPATH": str(REPO)})  # with the cache: nothing hashes it first
    assert (done.returncode, done.stderr.splitlines()[0]) == (3, report["errors"][0])


def test_the_size_limit_is_a_limit_on_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from graph import files as load

    data = folder_with(tmp_path, {"facts.yaml": FACTS})
    size = (data / "facts.yaml").stat().st_size
    monkeypatch.setattr(load, "MAX_FILE_BYTES", size)
    assert tieline("validate", "--data", data, "--no-cache").exit_code == 0
    monkeypatch.setattr(load, "MAX_FILE_BYTES", size - 1)
    (line,) = problems(data)
    assert line == (f"{data}/facts.yaml: the file is {size:,} bytes, more than the limit of {size - 1:,} bytes "
                    f"(0 MiB) for one fact file; split it into several files")


@pytest.mark.parametrize("name, message", [
    (b"ok\xff.yaml", "ok\\xff.yaml: the file name is not valid UTF-8 (byte 0xff); rename the file"),
    (b"caf\xe9/people.yaml", "caf\\xe9: the folder name is not valid UTF-8 (byte 0xe9); rename the folder"),
    (b"evil\x1b[2J.yaml", "evil\\x1b[2J.yaml: the file name holds an invisible or control character "
                          "(U+001B unnamed); rename the file"),
    ("zero\u200bwidth.yaml".encode(), "zero\\u200bwidth.yaml: the file name holds an invisible or control "
                                      "character (U+200B ZERO WIDTH SPACE); rename the file"),
], ids=["latin-1 byte", "folder", "escape sequence", "zero-width space"])
def test_a_file_name_that_cannot_be_shown_is_reported_escaped(tmp_path: Path, name: bytes, message: str) -> None:
    """The issue's example (``ok\\xff.yaml``) crashed every command while the cache was on."""
    data = folder_with(tmp_path, {"facts.yaml": FACTS})
    path = os.path.join(os.fsencode(data), name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(b"dataset: {name: x}\n")
    for command in (["validate"], ["stats", "--json"], ["show", "rdif"]):
        done = subprocess.run([sys.executable, "-c", "import cli; cli.main()", *command, "--data", str(data)],
                              capture_output=True, timeout=120, cwd=REPO, check=False,
                              env={**os.environ, "PYTHONPATH": str(REPO)})  # with the cache on
        assert done.returncode == 3, done.stderr
        lines = done.stderr.decode("utf-8").splitlines()
        assert lines[0] == f"{data}/{message}", lines
        assert "\x1b" not in done.stderr.decode("utf-8")


# --- lookalike names: invisible characters and mixed alphabets ------------------------------------

def entity_named(name: str, aliases: str = "[]", entity_id: str = "alice-2") -> str:
    return (f"entities:\n  - {{id: alice, type: person, name: Alice}}\n"
            f"  - {{id: {entity_id}, type: person, name: {name}, aliases: {aliases}}}\n")


@pytest.mark.parametrize("name, problem", [
    ('"Ali\\u200dce"', "name 'Ali\\u200dce' of entity 'alice-2' holds an invisible character, U+200D ZERO WIDTH "
                       "JOINER (character 4); remove it"),
    ('"\\u202eecilA"', "name '\\u202eecilA' of entity 'alice-2' holds an invisible character, U+202E RIGHT-TO-LEFT "
                       "OVERRIDE (character 1); remove it"),
    ('"Al\\u00adice"', "name 'Al\\xadice' of entity 'alice-2' holds an invisible character, U+00AD SOFT HYPHEN "
                       "(character 3); remove it"),
    ('"Alice\\u3164"', "name 'Alice<U+3164>' of entity 'alice-2' holds an invisible character, U+3164 HANGUL FILLER "
                       "(character 6); remove it"),
    ("Аlice", "name 'Аlice' of entity 'alice-2' mixes Cyrillic and Latin letters in the word 'Аlice' "
              "(А is U+0410 CYRILLIC CAPITAL LETTER A), a lookalike; write each word in one alphabet"),
    ("Alicе Smith", "name 'Alicе Smith' of entity 'alice-2' mixes Cyrillic and Latin letters in the word 'Alicе' "
                    "(е is U+0435 CYRILLIC SMALL LETTER IE), a lookalike; write each word in one alphabet"),
    ("Αθήνα Athens", None), ("Иван Smith", None), ('"احمدی\\u200cنژاد"', None),
    ("José Müller-Lüdenscheidt", None),
], ids=["zero-width joiner", "bidi override", "soft hyphen", "hangul filler", "cyrillic A", "cyrillic e",
        "greek word, latin word", "cyrillic word, latin word", "persian non-joiner", "accents"])
def test_invisible_characters_and_lookalike_words_in_names_are_errors(tmp_path: Path, name: str,
                                                                       problem: str | None) -> None:
    data = folder_with(tmp_path, {"facts.yaml": FACTS, "people.yaml": entity_named(name)})
    if problem is None:
        assert tieline("validate", "--data", data).exit_code == 0
    else:
        assert problems(data) == [f"{data}/people.yaml:3:39: {problem}"]


def test_aliases_and_ids_are_checked_too(tmp_path: Path) -> None:
    data = folder_with(tmp_path, {"facts.yaml": FACTS, "people.yaml": entity_named(
        "Bob", '[Bob B, "B\\u2066ob", Воb]', entity_id='"bob\\u200b"')})
    assert problems(data) == [
        f"{data}/people.yaml:3:10: 'id' 'bob\\u200b' of entity 'bob\\u200b' holds an invisible character, "
        "U+200B ZERO WIDTH SPACE (character 4); remove it",
        f"{data}/people.yaml:3:65: alias 'B\\u2066ob' of entity 'bob\\u200b' holds an invisible character, U+2066 "
        "LEFT-TO-RIGHT ISOLATE (character 2); remove it",
        f"{data}/people.yaml:3:78: alias 'Воb' of entity 'bob\\u200b' mixes Latin and Cyrillic letters in the word "
        "'Воb' (b is U+0062 LATIN SMALL LETTER B), a lookalike; write each word in one alphabet"]


# --- outputs: permissions kept, never inside the data folder --------------------------------------

@pytest.mark.parametrize("mode", [0o600, 0o640, 0o604])
def test_an_export_keeps_the_mode_of_the_file_it_replaces(tmp_path: Path, mode: int) -> None:
    data = folder_with(tmp_path, {"facts.yaml": FACTS})
    out = tmp_path / "graph.json"
    assert tieline("export", "json", "--data", data, "--out", out).exit_code == 0
    out.chmod(mode)
    out.write_text("old", encoding="utf-8")
    assert tieline("export", "json", "--data", data, "--out", out).exit_code == 0
    assert (out.stat().st_mode & 0o777, json.loads(out.read_text(encoding="utf-8"))["directed"]) == (mode, True)


def test_a_new_output_file_gets_0644_less_the_umask(tmp_path: Path) -> None:
    from graph.atomic import write_atomic

    old = os.umask(0o027)
    try:
        write_atomic(tmp_path / "new.txt", b"x")
    finally:
        os.umask(old)
    assert (tmp_path / "new.txt").stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize("out", ["data/facts.yaml", "data", "data/output/graph.html", "data/sub/../x.json",
                                 "./data/csv", "link-into-data/graph.json", "data-link/x.json"])
def test_refuse_inside_refuses_every_path_into_the_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              out: str) -> None:
    from graph.atomic import refuse_inside
    from graph.errors import UsageError

    data = folder_with(tmp_path, {"facts.yaml": FACTS})
    (tmp_path / "link-into-data").symlink_to(data)
    (tmp_path / "data-link").symlink_to(data, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    for folder in ("data", str(data), "data-link"):
        with pytest.raises(UsageError, match=r"^refusing to write .*: it is inside the data folder .*, which "
                                             r"tieline never writes to; choose an output path outside it$"):
            refuse_inside(out, folder)


def test_refuse_inside_from_within_the_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``cd data && tieline build --data .`` would write data/output/…"""
    from graph.atomic import refuse_inside
    from graph.errors import UsageError

    data = folder_with(tmp_path, {"facts.yaml": FACTS})
    monkeypatch.chdir(data)
    with pytest.raises(UsageError):
        refuse_inside("output/graph.html", ".")
    refuse_inside("../output/graph.html", ".")  # beside the data folder: fine


@pytest.mark.parametrize("out", ["output/graph.html", "data2/x.json", "data.json", "/dev/null", "../elsewhere"])
def test_refuse_inside_allows_paths_outside(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, out: str) -> None:
    from graph.atomic import refuse_inside

    folder_with(tmp_path, {"facts.yaml": FACTS})
    monkeypatch.chdir(tmp_path)
    refuse_inside(out, "data")  # no exception
