"""Fuzz across commands: random fact sets from the hostile alphabet through every command, text and JSON.

Names, aliases, descriptions, quotes, notes, source titles, the dataset name and free attributes
are drawn from control characters (C0, C1, ESC, BEL, DEL), rich markup brackets, bidi controls,
zero-width characters, huge numbers and YAML anchors; each fact set is written as YAML files and
run through validate, stats, search, show, neighbours, path and every export. Whatever the data,
no command raises (the runner re-raises a traceback), no terminal stream carries a raw control
or invisible character, every exit code is a documented one for that command, and with ``--json``
stdout is one complete JSON document or nothing. FtM streams of random shapes, encodings and sizes go through ``import ftm``: a documented exit code,
no traceback, and a folder written only when it validates. Derandomized under CI (tests/conftest.py).
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cli import app
from graph.export import FORMATS

__all__: list[str] = []

HOSTILE = ["\x1b[31m", "\x1b]8;;https://evil.example\x1b\\", "\x07", "\x9b", "\x85", "\x7f", "\u202e", "\u2066",
           "\u200b", "\u200d", "\ufeff", "[/]", "[sic]", "[link=https://evil.example]", "[bold]", "\n", "\r",
           "\t", "=", "+", "-", "@", ";", "|", "&a", "*a", "'", '"', "\\", ":", "#", "\u2028", "Жук", "é", "★",
           "Alice", "Bob", " "]
"""Pieces that text is made of: each one broke a promise somewhere once."""
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
"""What must never reach a terminal stream raw (a newline and a tab are layout)."""
SCHEMA = """\
entity_types:
  person: {label: Person}
  institution: {label: Institution}
certainty:
  confirmed: Stated as fact by the source.
  alleged: Claimed, not shown.
relations:
  heads: {label: heads, inverse: is headed by, subject: [person], object: [institution]}
  met_with: {label: met with, symmetric: true, subject: [person], object: [person]}
"""
EXITS = {"validate": {0, 3}, "query": {0, 1, 2, 3}, "export": {0, 2, 3}}

texts = st.lists(st.sampled_from(HOSTILE), min_size=1, max_size=6).map("".join)
visible = st.lists(st.sampled_from([p for p in HOSTILE if not RAW.search(p) and p.strip() and p not in "\n\r\t"]),
                   min_size=1, max_size=6).map(" ".join)
"""Text a name may hold: most names are valid, so the answers (not only the errors) are fuzzed."""
numbers = st.sampled_from(["12", "-3", "2.5", "0x" + "f" * 4000, "9" * 5000, "1e999", "NO", "+4912345", "007"])


def quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar (JSON's escapes are valid YAML ones)."""
    return json.dumps(text, ensure_ascii=True)


@st.composite
def fact_sets(draw: Any) -> dict[str, str]:
    """A schema and one fact file: 3–5 entities with hostile text, facts between them, anchors reused."""
    count = draw(st.integers(3, 5))
    kinds = ["institution"] + ["person"] * (count - 1)
    hostile_name = draw(st.integers(0, 3)) == 0  # then e2's name is refused (exit 3) and only errors are fuzzed
    names = [f"{draw(texts if hostile_name and number == 2 else visible)} {number}" for number in range(count)]
    lines = [f"dataset: {{name: {quoted(draw(texts))}, date: '2025-01-01'}}",
             "sources:", f"  - {{id: s1, title: {quoted(draw(texts))}}}", "entities:"]
    for number, (kind, name) in enumerate(zip(kinds, names)):
        lines += [f"  - id: e{number}", f"    type: {kind}", f"    name: {quoted(name)}",
                  f"    aliases: [{quoted(draw(visible) + f' alias {number}')}]",
                  f"    description: {quoted(draw(texts))}",
                  f"    attributes: {{n: {draw(numbers)}, t: {quoted(draw(texts))}}}"]
    lines.append("facts:")
    anchor = quoted(draw(texts))
    for number in range(1, count):
        relation = "heads" if number == 1 else "met_with"
        subject, obj = (f"e{number}", "e0") if relation == "heads" else (f"e{number - 1}", f"e{number}")
        quote = f"&q {anchor}" if number == 1 else "*q" if draw(st.booleans()) else quoted(draw(texts))
        lines += [f"  - subject: {subject}", f"    relation: {relation}", f"    object: {obj}",
                  "    sources: [s1]", f"    quote: {quote}", f"    note: {quoted(draw(texts))}",
                  f"    certainty: {draw(st.sampled_from(['confirmed', 'alleged']))}"]
    return {"schema.yaml": SCHEMA, "story.yaml": "\n".join(lines) + "\n"}


def commands(out: Path, query: str) -> list[tuple[str, list[str]]]:
    """Every command with arguments that reach its answer and its error messages."""
    queries = [["stats"], ["search", query], ["search", "e1"], ["show", "e1"], ["show", query],
               ["neighbours", "e1", "--depth", "2"], ["path", "e1", "e0"], ["path", "e0", "e2", "--all"],
               ["path", "e1", "e2", "--relation", "heads"]]
    runs = [("validate", ["validate"]), ("validate", ["validate", "--json"])]
    runs += [("query", q + j) for q in queries for j in ([], ["--json"])]
    runs += [("export", ["export", name, "--out", str(out / name)]) for name in FORMATS]
    runs.append(("export", ["build", "--out-dir", str(out / "build")]))
    return runs


KNOWN_OPTIONS = {"--json", "--depth", "--all", "--relation", "--out", "--out-dir", "--data", "--no-cache"}
"""The options commands() gives; a hostile text that starts with "-" is read as an unknown option."""


def check(kind: str, args: list[str], result: Any) -> None:
    assert result.exit_code in EXITS[kind], (args, result.exit_code, result.output)
    for stream in (result.stdout, result.stderr):
        assert not RAW.search(stream), (args, RAW.search(stream), stream)
    assert "MarkupError" not in result.stderr
    if "--json" in args and result.stdout:
        json.loads(result.stdout)
    if result.exit_code == 2 and any(a.startswith("-") and a not in KNOWN_OPTIONS for a in args):
        assert result.stderr.startswith("Usage: tieline "), (args, result.stderr)  # click: no such option
        return
    if result.exit_code:
        assert result.stderr.startswith(("tieline: ", "story.yaml", "schema.yaml", "/", "Usage: ")) or \
            re.match(r"^\S+:\d+(:\d+)?: ", result.stderr), (args, result.stderr)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])  # no shrinking: each example runs 22 commands
@given(files=fact_sets(), query=texts)
def test_every_command_survives_hostile_text(files: dict[str, str], query: str) -> None:
    runner = CliRunner()
    work = Path(tempfile.mkdtemp(prefix="tieline-fuzz-"))
    try:
        data = work / "data"
        data.mkdir()
        for name, text in files.items():
            (data / name).write_text(text, encoding="utf-8")
        for kind, args in commands(work / "out", query.replace("\x00", "")):
            result = runner.invoke(app, [*args, "--data", str(data)], env={"COLUMNS": "80"},
                                   catch_exceptions=False)
            check(kind, args, result)
    finally:
        shutil.rmtree(work, ignore_errors=True)


# --- time and analysis options: random dates, depths, route counts, measures ----------------------------

TIME_SCHEMA = SCHEMA.replace("  institution: {label: Institution}\n",
                             "  institution: {label: Institution}\n  event: {label: Event}\n") + """\
  took_part_in: {label: took part in, momentary: true, subject: [person, institution], object: [event]}
"""
HOSTILE_DATES = ["١٩٧٠", "２０２５", "2025-٠٣", "0000", "9999-12", "9999-12-31", "0001-01-01", "2025-02-30",
                 "2024-02-29", "2025-13", "25", "2025-3", "", " 2025", "2025\n", "+2025", "2025-03-11T00:00"]
"""Dates a curator or an attacker may type: other digits, the ends of the calendar, near-misses."""
real_dates = st.one_of(
    st.integers(1, 9999).map(lambda y: f"{y:04d}"),
    st.tuples(st.integers(1, 9999), st.integers(1, 12)).map(lambda t: f"{t[0]:04d}-{t[1]:02d}"),
    st.dates().map(lambda d: d.isoformat()))
dates = st.one_of(real_dates, st.sampled_from(HOSTILE_DATES))
"""On the command line: half of them hostile."""
data_dates = st.one_of(*[real_dates] * 9, st.sampled_from(HOSTILE_DATES))
"""In the data: one in ten hostile (one refused date makes every command answer exit 3)."""
depths = st.one_of(st.integers(0, 4), st.sampled_from([100, 100_000_000, -1]))
counts = st.one_of(st.integers(0, 6), st.sampled_from([1_000_000, 10 ** 12, -5]))


def _no_constants(name: str) -> None:
    raise AssertionError(f"{name} in --json output: not JSON")


@st.composite
def dated_sets(draw: Any) -> dict[str, str]:
    """A schema and one fact file: people, an institution and events, with random (often hostile) dates."""
    people = draw(st.integers(2, 6))
    lines = ["dataset: {name: Dated, date: '2025-01-01'}", "sources:", "  - {id: s1, title: Source}", "entities:",
             "  - {id: club, type: institution, name: Club}", "  - {id: summit, type: event, name: Summit}"]
    for number in range(people):
        start = draw(st.one_of(st.none(), data_dates))
        lines.append(f"  - {{id: p{number}, type: person, name: Person {number}"
                     + ("" if start is None else f", start: {quoted(start)}") + "}")
    lines.append("facts:")
    for number in range(people):
        for relation, obj in (("heads", "club"), ("took_part_in", "summit"), ("met_with", f"p{(number + 1) % people}")):
            if relation == "met_with" and people < 3 and number:
                continue
            if not draw(st.booleans()):
                continue
            when = sorted(draw(st.lists(data_dates, max_size=2)))  # mostly in order: reversed dates are refused
            fields = "".join(f", {key}: {quoted(value)}" for key, value in zip(("start", "end"), when))
            lines.append(f"  - {{subject: p{number}, relation: {relation}, object: {obj}, sources: [s1], "
                         f"certainty: confirmed{fields}}}")
    return {"schema.yaml": TIME_SCHEMA, "story.yaml": "\n".join(lines) + "\n"}


@st.composite
def time_commands(draw: Any) -> list[tuple[str, list[str]]]:
    """Queries and analyses with random time windows, depths, route counts and measures."""
    window = draw(st.sampled_from([[], ["--as-of"], ["--at"], ["--between"], ["--dated-only"]]))
    if window[:1] in (["--as-of"], ["--at"]):
        window = [window[0], draw(dates)]
    elif window == ["--between"]:
        window = ["--between", draw(dates), draw(dates)]
    runs = [
        ["neighbours", "p0", "--depth", str(draw(depths))],
        ["export", "json", "--focus", "p0", "--depth", str(draw(depths)), "--out", "-"],
        ["path", "p0", "p1", "--routes", str(draw(counts))],
        ["path", "p0", f"p{draw(st.integers(1, 2))}", "--chronological", *draw(st.sampled_from(
            [[], ["--all"], ["--routes", "3"], ["--max-hops", "2"]]))],
        ["rank", "--by", draw(st.sampled_from(["degree", "betweenness", "pagerank", "closeness", "eigenvector"])),
         *draw(st.sampled_from([[], ["--project", "event"], ["--project", "institution"]]))],
        ["brokers", "club", "summit"], ["clusters", *draw(st.sampled_from([[], ["--project", "event"]]))],
        ["timeline"], ["show", "p0"], ["stats"]]
    return [("export" if args[0] == "export" else "query", [*args, *window, *draw(st.sampled_from([[], ["--json"]]))])
            for args in runs]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(files=dated_sets(), runs=time_commands())
def test_time_and_analysis_options_survive_random_dates_depths_and_counts(files: dict[str, str],
                                                                          runs: list[tuple[str, list[str]]]) -> None:
    runner = CliRunner()
    work = Path(tempfile.mkdtemp(prefix="tieline-fuzz-time-"))
    try:
        data = work / "data"
        data.mkdir()
        for name, text in files.items():
            (data / name).write_text(text, encoding="utf-8")
        for kind, args in [("validate", ["validate"]), *runs]:
            result = runner.invoke(app, [*args, "--data", str(data)], env={"COLUMNS": "80"}, catch_exceptions=False)
            check(kind, args, result)
            if result.exit_code == 0 and ("--json" in args or args[:3] == ["export", "json", "--focus"]):
                json.loads(result.stdout, parse_constant=_no_constants)  # no NaN, no Infinity
    finally:
        shutil.rmtree(work, ignore_errors=True)


# --- FollowTheMoney streams: random JSON shapes, encodings, sizes ------------------------------------

_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) |
                     st.text(st.sampled_from(["a", "Ж", " ", "\u200b", "\x1b", "é", "-"]), max_size=8),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
                     max_leaves=8)
_NAMES = st.text(st.sampled_from(["A", "n", "a", "Ж", "é", " ", "\u200b", "-", "'", "M", "а", "к"]), min_size=0, max_size=12)


@st.composite
def ftm_lines(draw: Any) -> list[Any]:
    """Lines of an FtM stream: entities (some fragments of one id), edges, deltas, and random JSON."""
    ids = [f"id-{n}" for n in range(draw(st.integers(1, 5)))] + draw(st.lists(_NAMES, max_size=2))
    lines: list[Any] = []
    for _ in range(draw(st.integers(0, 10))):
        kind = draw(st.sampled_from(["person", "company", "ownership", "delta", "random", "address"]))
        entity_id = draw(st.sampled_from(ids))
        if kind in ("person", "company", "address"):
            schema = {"person": "Person", "company": "Company", "address": "Address"}[kind]
            props = {"name": draw(st.lists(_NAMES, max_size=3)), "country": draw(st.lists(st.sampled_from(["ru", "us", "xx", ""]), max_size=2))}
            if kind == "address":
                props = {"full": draw(st.lists(_NAMES, min_size=1, max_size=2))}
            elif draw(st.booleans()):
                props["addressEntity"] = [draw(st.sampled_from(ids))]
            lines.append({"id": entity_id, "schema": draw(st.sampled_from([schema, schema, 3, ["Person"], None])),
                          "properties": props})
        elif kind == "ownership":
            lines.append({"id": entity_id, "schema": "Ownership", "properties": {
                "owner": [draw(st.sampled_from(ids))], "asset": [draw(st.sampled_from(ids))],
                "startDate": [draw(st.sampled_from(["2020", "2020-13", "yesterday", "2021-02-03"]))]}})
        elif kind == "delta":
            lines.append({"op": draw(st.sampled_from(["ADD", "MOD", "DEL", "???"])),
                          "entity": {"id": entity_id, "schema": "Person", "properties": {"name": ["Delta"]}}})
        else:
            lines.append(draw(_JSON))
    return lines


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(lines=ftm_lines(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "latin-1"]),
       gzipped=st.booleans(), broken=st.sampled_from(["", "{", "\x00", "not json", "[1, 2]"]))
def test_ftm_import_survives_random_streams_and_writes_only_what_validates(
        lines: list[Any], encoding: str, gzipped: bool, broken: str) -> None:
    """Whatever the stream, `import ftm` ends with a documented exit code and no traceback, and a
    folder it writes validates."""
    import gzip

    runner = CliRunner()
    work = Path(tempfile.mkdtemp(prefix="tieline-fuzz-ftm-"))
    try:
        text = "\n".join([*(json.dumps(line, ensure_ascii=False) for line in lines), *([broken] if broken else [])])
        data = text.encode(encoding, errors="replace")
        stream = work / ("stream.json.gz" if gzipped else "stream.json")
        stream.write_bytes(gzip.compress(data, mtime=0) if gzipped else data)
        out = work / "out"
        result = runner.invoke(app, ["import", "ftm", str(stream), "--out", str(out)], catch_exceptions=False)
        assert result.exit_code in (0, 1, 2, 3), (result.exit_code, result.output[-2000:])
        assert "Traceback" not in result.output
        if result.exit_code == 0:
            checked = runner.invoke(app, ["validate", "--data", str(out), "--no-cache"], catch_exceptions=False)
            assert checked.exit_code == 0, checked.output[-2000:]
        else:
            assert not out.exists(), "a refused import writes nothing"
    finally:
        shutil.rmtree(work, ignore_errors=True)
