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
    assert "2 entities, 1 facts, 1 sources" in result.stdout


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
from graph.load import load_facts
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
    from graph import load

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
    from graph import load

    facts = "".join(f"  - {{id: f{i}, subject: kirill-dmitriev, relation: head, object: rdif, sources: [rferl], "
                    f"certainty: confirmed}}\n" for i in range(500))
    data = folder_with(tmp_path, {"facts.yaml": FACTS, "more.yaml": "facts:\n" + facts})
    words = []
    real_suggest = load.suggest
    monkeypatch.setattr(load, "suggest", lambda word, candidates: words.append(word)
                        or real_suggest(word, candidates))
    lines = problems(data)
    assert len(lines) == 500 and all(line.endswith("unknown relation 'head' (did you mean 'heads'?)")
                                     for line in lines)
    assert words == ["head"]


def test_problems_found_while_parsing_in_parallel_are_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    """Big folders are parsed by several processes; their problems come back intact (they used to crash)."""
    from graph import pipeline

    monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 0)
    case = REPO / "tests" / "fixtures" / "broken" / "errors-in-several-files"
    monkeypatch.chdir(case)
    result = tieline("validate", "--data", ".", "--no-cache")
    assert result.exit_code == 3
    assert result.stderr == (case / "expected.txt").read_text(encoding="utf-8")
