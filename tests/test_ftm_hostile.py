"""Hostile FtM streams (issue 27, items 1–6 and 8), each a variant of our own, through the CLI: odd JSON, schema
and id shapes; endless lines and floods of errors; many values and fragments; ids that collide; encodings;
debris of a killed import and the folder's mode; names and addresses the options must refuse."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent


def lines(*entities: Any) -> str:
    return "".join((e if isinstance(e, str) else json.dumps(e, ensure_ascii=False)) + "\n" for e in entities)


def person(entity_id: Any, name: str = "Ann Example", **props: Any) -> dict[str, Any]:
    return {"id": entity_id, "schema": "Person", "properties": {"name": [name], **props}}


def run(invoke: Callable[..., Any], tmp_path: Path, text: str, *more: Any, name: str = "s.json") -> Any:
    stream = tmp_path / name
    stream.write_text(text, encoding="utf-8", errors="surrogatepass")
    return invoke("import", "ftm", stream, "--out", tmp_path / "out", *more)


def test_odd_shapes_are_counted_never_a_traceback(invoke: Callable[..., Any], tmp_path: Path) -> None:
    text = lines(person("ok"), {"id": "s1", "schema": ["Person"]}, {"id": "s2", "schema": {"a": 1}},
                 {"id": "s3", "schema": 7}, {"id": "s4", "schema": True}, person(" "), person("\u200b"),
                 '{"id": "\\ud800", "schema": "Person", "properties": {"name": ["X"]}}',
                 person("v1", properties=None), {"id": "v2", "schema": "Person", "properties": ["x"]},
                 person("v3", alias=[{"nested": 1}, ["list"], 5, True]),
                 '{"id": "sur", "schema": "Person", "properties": {"name": ["Bad \\udc80 name"]}}')
    result = run(invoke, tmp_path, text)
    assert result.exit_code == 0, result.stderr
    assert "4 × entity without a schema" in result.stderr
    assert "3 × entity without a usable id" in result.stderr
    assert "lone surrogate (replaced by U+FFFD)" in result.stderr and "value that is not text" in result.stderr
    assert invoke("validate", "--data", tmp_path / "out").exit_code == 0


def test_json_that_python_rejects_otherwise_is_a_located_error(invoke: Callable[..., Any], tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    digits = '{"id": ' + "9" * 5000 + ', "schema": "Person"}'
    result = run(invoke, tmp_path, lines(person("ok"), deep, digits))
    assert result.exit_code == 3 and "Traceback" not in result.stderr
    assert ":2:1: not a JSON entity: nested too deeply" in result.stderr and ":3:1: not a JSON entity" in result.stderr
    assert not (tmp_path / "out").exists()


def test_an_endless_line_is_bounded_and_errors_are_capped(invoke: Callable[..., Any], tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from graph.ftm import stream

    monkeypatch.setattr(stream, "MAX_LINE", 1000)
    result = run(invoke, tmp_path, lines(person("ok"), person("long", "x" * 5000)) + "x\n" * 3000)
    assert result.exit_code == 3
    assert ":2:1: a line longer than 1,000 bytes" in result.stderr
    assert result.stderr.count("not a JSON entity") == 99 and "more malformed lines follow" in result.stderr


def test_many_values_and_many_fragments_of_one_id(invoke: Callable[..., Any], tmp_path: Path) -> None:
    values = [f"note {n}" for n in range(60_000)]  # followthemoney's unsafe_add: ≈ 20 s; here a plain dict
    fragments = [person("p1", alias=[f"Alias {n}"]) for n in range(5_000)]
    result = run(invoke, tmp_path, lines(person("p1", notes=values), *fragments))
    assert result.exit_code == 0, result.stderr
    text = (tmp_path / "out" / "entities" / "person.yaml").read_text(encoding="utf-8")
    assert "note 59999" in text and "Alias 4999" in text
    assert "5,000" in result.stderr  # fragments merged, in the table


def test_ids_that_collide_are_kept_apart_and_reported(invoke: Callable[..., Any], tmp_path: Path) -> None:
    planted = f"a-{hashlib.sha1(b'A').hexdigest()[:8]}"
    blog = "https://blog.example/x"
    made = f"https-blog-example-x-{hashlib.sha1(blog.encode()).hexdigest()[:8]}"
    text = lines(person("a", "Lower a"), person("A", "Uppercase A"), person(planted, "Planted"),
                 person("b", "Bee"),
                 {"id": "l1", "schema": "Associate", "properties": {"person": ["A"], "associate": ["b"],
                                                                    "sourceUrl": [blog]}},
                 {"id": made, "schema": "Document", "properties": {"title": ["Official registry extract"]}},
                 {"id": "l2", "schema": "Associate", "properties": {"person": ["a"], "associate": ["b"],
                                                                    "proof": [made]}})
    result = run(invoke, tmp_path, text)
    assert result.exit_code == 0, result.stderr
    assert "id whose slug is another thing's or the story's" in result.stderr
    assert "source id taken by another source" in result.stderr
    people = (tmp_path / "out" / "entities" / "person.yaml").read_text(encoding="utf-8")
    assert people.count("  - id: ") == 4 and "name: Uppercase A" in people
    upper = people.split("name: Uppercase A")[0].rsplit("  - id: ", 1)[1].split("\n")[0]
    assert upper not in ("a", planted)
    facts = (tmp_path / "out" / "facts" / "associate_of.yaml").read_text(encoding="utf-8")
    assert f"id: l1\n    subject: {upper}\n" in facts and "id: l2\n    subject: a\n" in facts
    data = (tmp_path / "out" / "dataset.yaml").read_text(encoding="utf-8")
    assert data.count("title: Official registry extract") == 1 and f"url: {blog}" in data
    assert invoke("validate", "--data", tmp_path / "out").exit_code == 0


def test_an_id_the_story_merged_away_is_not_reused(invoke: Callable[..., Any], tmp_path: Path) -> None:
    story = Path(shutil.copytree(REPO / "data", tmp_path / "data", ignore=shutil.ignore_patterns("imports")))
    (story / "zz-merge.yaml").write_text(
        "entities:\n  - id: kd-twin\n    type: person\n    name: Kirill A. Dmitriev\n"
        "resolutions:\n  - same: [kirill-dmitriev, kd-twin]\n    note: one person\n", encoding="utf-8")
    assert invoke("validate", "--data", story).exit_code == 0
    stream = tmp_path / "s.json"
    stream.write_text(lines(person("kd-twin", "Someone Else")), encoding="utf-8")
    result = invoke("import", "ftm", stream, "--out", story / "imports" / "x", "--data", story)
    assert result.exit_code == 0, result.stderr
    assert "kd-twin →" in result.stderr
    assert invoke("validate", "--data", story).exit_code == 0


def test_debris_of_a_killed_import_is_swept_and_the_folder_follows_the_umask(invoke: Callable[..., Any],
                                                                          tmp_path: Path) -> None:
    debris = tmp_path / ".out.999999999.abcd.tmp"  # a writer (pid 999999999) that no longer exists
    (debris / "entities").mkdir(parents=True)
    (debris / "entities" / "person.yaml").write_text("entities:\n  - id: half", encoding="utf-8")
    old = os.umask(0o002)
    try:
        result = run(invoke, tmp_path, lines(person("p1")))
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.stderr
    assert not debris.exists()
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o775
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_names_and_addresses_the_options_refuse(invoke: Callable[..., Any], tmp_path: Path) -> None:
    story = Path(shutil.copytree(REPO / "data", tmp_path / "data", ignore=shutil.ignore_patterns("imports")))
    stream = tmp_path / "s.json"
    stream.write_text(lines(person("p1")), encoding="utf-8")
    for name in ("bad\x1bname", "zero\u200bwidth", "Upper"):
        result = invoke("import", "ftm", stream, "--out", story / "imports" / name, "--data", story)
        assert result.exit_code == 2 and "NAME in lowercase letters" in result.stderr, name
        assert "\x1b" not in result.stderr
    assert not (story / "imports").exists() or not any((story / "imports").iterdir())
    ftp = invoke("import", "ftm", stream, "--out", tmp_path / "o", "--source-url", "ftp://example.org/x")
    assert ftp.exit_code == 2 and "not a web address" in ftp.stderr and not (tmp_path / "o").exists()
