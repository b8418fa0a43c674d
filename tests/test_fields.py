"""graph/fields.py is the one home of the entity and fact fields; graph/style.py of the colour/shape check.

A field added to the declaration, and nowhere else, is loaded, checked by its kind, kept in the
graph, shown by ``show`` and exported to GraphML, GEXF, JSON and CSV; no other module spells the
field lists or the colour and shape rules out again.
"""

from __future__ import annotations

import ast
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest

from graph.fields import (
    CLAIM_FIELDS,
    EDGE_DERIVED_FIELDS,
    ENTITY_FIELDS,
    FACT_FIELDS,
    NODE_DERIVED_FIELDS,
    Field,
    export_columns,
)
from graph.style import SHAPES, is_color, is_shape

ROOT = Path(__file__).resolve().parent.parent
GRAPH = ROOT / "graph"

NEW_FIELDS = '''
    Field("url", "url"),
    Field("founded", "date"),
'''
NEW_FACT_FIELD = '''
    Field("page", "text"),
'''


def _with_new_fields(tmp_path: Path) -> Path:
    """A copy of tieline whose declaration (and nothing else) has two entity fields and one fact field more."""
    app = tmp_path / "app"
    shutil.copytree(GRAPH, app / "graph", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "cli.py", app / "cli.py")
    fields = app / "graph" / "fields.py"
    text = fields.read_text(encoding="utf-8")
    for name, added in (("ENTITY_FIELDS", NEW_FIELDS), ("FACT_FIELDS", NEW_FACT_FIELD)):
        declaration = re.search(rf"^{name}: tuple\[Field, \.\.\.\] = \(\n.*?^\)\n", text, re.S | re.M)
        assert declaration, f"{name} is not declared as a tuple in graph/fields.py"
        block = declaration.group()
        text = text.replace(block, block[:-2] + added.lstrip("\n") + ")\n")
    fields.write_text(text, encoding="utf-8")
    return app


def _tieline(app: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TIELINE_NO_CACHE": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTHONPATH", None)
    return subprocess.run([sys.executable, str(app / "cli.py"), *args], capture_output=True, text=True,
                          env=env, cwd=app, timeout=120)


@pytest.fixture(scope="module")
def extended(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the extended copy of tieline, a fact set using its new fields)."""
    from conftest import SMALL, write_fact_set

    tmp_path = tmp_path_factory.mktemp("fields")
    app = _with_new_fields(tmp_path)
    data = write_fact_set(tmp_path / "data", {"entities/extra.yaml": """
        entities:
          - id: open-society
            type: institution
            name: Open Society
            url: https://example.org/open-society
            founded: "1993-04"
        facts:
          - subject: anna-kowalska
            relation: member_of
            object: open-society
            sources: [kyiv-post-2024-05-01]
            certainty: confirmed
            page: p. 12
        """}, SMALL)
    return app, data


def test_the_copy_runs_its_own_declaration(extended: tuple[Path, Path]) -> None:
    app, _ = extended
    result = subprocess.run([sys.executable, "-c", "import graph; print(graph.__file__)"], capture_output=True,
                            text=True, cwd=app, env={**os.environ, "PYTHONPATH": str(app)}, timeout=60)
    assert Path(result.stdout.strip()).parent == app / "graph"


def test_a_declared_field_is_checked_by_its_kind(extended: tuple[Path, Path], tmp_path: Path) -> None:
    app, data = extended
    broken = tmp_path / "broken"
    shutil.copytree(data, broken)
    extra = broken / "entities" / "extra.yaml"
    extra.write_text(extra.read_text(encoding="utf-8")
                     .replace("https://example.org/open-society", "ftp://example.org")
                     .replace('"1993-04"', "long ago")
                     .replace("page: p. 12", "page: [1, 2]"), encoding="utf-8")
    result = _tieline(app, "validate", "--data", str(broken))
    assert result.returncode == 3, result.stderr
    problems = [line.split(": ", 1)[1] for line in result.stderr.splitlines() if "extra.yaml:" in line]
    assert problems == [
        "'url' of entity 'open-society' must start with http:// or https://, found 'ftp://example.org'",
        "'founded' of entity 'open-society' must be a date as YYYY, YYYY-MM or YYYY-MM-DD, found 'long ago'",
        "'page' of fact 'anna-kowalska member_of open-society' must be text, found a list",
    ]
    result = _tieline(app, "validate", "--data", str(data))
    assert result.returncode == 0, result.stderr


def test_an_unknown_key_lists_the_declared_fields(extended: tuple[Path, Path], tmp_path: Path) -> None:
    app, data = extended
    broken = tmp_path / "broken"
    shutil.copytree(data, broken)
    extra = broken / "entities" / "extra.yaml"
    extra.write_text(extra.read_text(encoding="utf-8").replace("url:", "ulr:"), encoding="utf-8")
    result = _tieline(app, "validate", "--data", str(broken))
    assert ("unknown key 'ulr' in entity 'open-society' (did you mean 'url'?); allowed: id, type, name, aliases, "
            "description, country, start, end, attributes, url, founded") in result.stderr


def test_a_declared_field_reaches_every_export(extended: tuple[Path, Path], tmp_path: Path) -> None:
    app, data = extended
    for fmt, out in (("graphml", "g.graphml"), ("gexf", "g.gexf"), ("json", "g.json"), ("csv", "csv")):
        result = _tieline(app, "export", fmt, "--data", str(data), "--out", str(tmp_path / out))
        assert result.returncode == 0, result.stderr
    fact_id = "anna-kowalska.member_of.open-society"

    graphml = nx.read_graphml(tmp_path / "g.graphml", force_multigraph=True)
    assert graphml.nodes["open-society"]["url"] == "https://example.org/open-society"
    assert graphml.nodes["open-society"]["founded"] == "1993-04"
    assert "url" not in graphml.nodes["anna-kowalska"]  # absent stays absent
    assert graphml.edges["anna-kowalska", "open-society", fact_id]["page"] == "p. 12"

    document = json.loads((tmp_path / "g.json").read_text(encoding="utf-8"))
    node = next(n for n in document["nodes"] if n["id"] == "open-society")
    assert (node["url"], node["founded"]) == ("https://example.org/open-society", "1993-04")
    assert next(e for e in document["edges"] if e["key"] == fact_id)["page"] == "p. 12"

    with open(tmp_path / "csv" / "nodes.csv", encoding="utf-8", newline="") as f:
        rows = {row["id:ID"]: row for row in csv.DictReader(f)}
    assert (rows["open-society"]["url"], rows["open-society"]["founded"]) == (
        "https://example.org/open-society", "1993-04")
    with open(tmp_path / "csv" / "edges.csv", encoding="utf-8", newline="") as f:
        edges = {row["id"]: row for row in csv.DictReader(f)}
    assert edges[fact_id]["page"] == "p. 12"

    ns = {"g": "http://gexf.net/1.3"}
    gexf = ET.parse(tmp_path / "g.gexf").getroot()
    titles = {a.get("id"): a.get("title") for a in gexf.iterfind(".//g:attributes/g:attribute", ns)}
    assert {"url", "founded", "page"} <= set(titles.values())

    def attvalues(element: str) -> set[tuple[str | None, str | None]]:
        return {(titles[v.get("for")], v.get("value")) for v in gexf.iterfind(f".//{element}//g:attvalue", ns)}

    assert {("url", "https://example.org/open-society"), ("founded", "1993-04")} <= attvalues(
        "g:node[@id='open-society']")
    assert ("page", "p. 12") in attvalues(f"g:edge[@id='{fact_id}']")


def test_a_declared_field_is_shown_with_its_fact(extended: tuple[Path, Path]) -> None:
    app, data = extended
    result = _tieline(app, "show", "--data", str(data), "open-society", "--json")
    assert result.returncode == 0, result.stderr
    card = json.loads(result.stdout)
    assert card["entity"]["url"] == "https://example.org/open-society"
    assert [fact["page"] for fact in card["facts"]] == ["p. 12"]


# ---------------------------------------------------------------- one home


def _string_collections(path: Path) -> list[tuple[int, set[str]]]:
    """(line, strings) of every tuple, list, set or dict literal of strings (or of pairs led by one) in a module."""
    def leading_string(element: ast.expr) -> str | None:
        if isinstance(element, ast.Tuple) and element.elts:
            element = element.elts[0]
        return element.value if isinstance(element, ast.Constant) and isinstance(element.value, str) else None

    def elements(node: ast.AST) -> list[ast.expr]:
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            return node.elts
        return [k for k in node.keys if k is not None] if isinstance(node, ast.Dict) else []

    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        strings = {s for s in map(leading_string, elements(node)) if s is not None}
        if strings:
            found.append((node.lineno, strings))
    return found


def _modules() -> list[Path]:
    return sorted(p for p in GRAPH.rglob("*.py") if p.name != "fields.py")


@pytest.mark.parametrize("fields", [ENTITY_FIELDS, FACT_FIELDS], ids=["entity", "fact"])
def test_no_other_module_lists_the_fields(fields: tuple[Field, ...]) -> None:
    """No literal in graph/ other than fields.py names four or more of the fields.

    Fewer is a legitimate use of a few fields by name: the (subject, relation, object) triple
    that names a fact in messages, a ``type`` and a ``name`` in a card.
    """
    names = {f.name for f in fields} - {"id", "start", "end"}  # names that other records share
    listed = [f"{path.relative_to(ROOT)}:{line}: {sorted(strings & names)}"
              for path in _modules() for line, strings in _string_collections(path)
              if len(strings & names) >= 4]
    assert listed == []


def test_the_colour_and_shape_rules_live_in_style() -> None:
    pattern = re.compile(r"0-9a-fA-F\]\{6\}|\"triangleDown\"")
    spelled = [f"{path.relative_to(ROOT)}:{number}"
               for path in sorted(GRAPH.rglob("*.py")) if path.name != "style.py"
               for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
               if pattern.search(line)]
    assert spelled == []


def test_colour_and_shape_check() -> None:
    assert is_color("#4e79a7") and is_color("#ABCDEF")
    assert not any(map(is_color, ("#4e79a", "#4e79a7\n", "4e79a7", "#4e79ag", None, 0x4e79a7)))
    assert is_shape("triangleDown") and "dot" in SHAPES
    assert not any(map(is_shape, ("triangledown", "image", "", None)))


def test_schema_validation_reports_a_bad_shape_with_the_vocabulary(fact_set, invoke) -> None:
    from conftest import SMALL

    schema = (SMALL / "schema.yaml").read_text(encoding="utf-8")
    assert "shape:" in schema
    data = fact_set({"schema.yaml": re.sub(r"shape: \w+", "shape: blob", schema, count=1)})
    result = invoke("validate", "--data", data)
    assert result.exit_code == 3
    assert f"must be one of {', '.join(SHAPES)}, found 'blob'" in result.stderr


# ---------------------------------------------------------------- the declaration itself


def test_export_columns_follow_declaration_and_after() -> None:
    fields = (Field("a", "text"), Field("b", "text", after="d"), Field("c", "text", column=False),
              Field("d", "text"), Field("e", "text", after="b"))
    assert [f.name for f in export_columns(fields)] == ["a", "d", "b", "e"]
    with pytest.raises(ValueError, match="'x' comes after 'c'"):
        export_columns((Field("c", "text", column=False), Field("x", "text", after="c")))


def test_a_field_of_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown kind 'colour'"):
        Field("size", "colour")


def test_every_derived_column_is_computed() -> None:
    from graph.export import flatten

    derived = {f.name for f in NODE_DERIVED_FIELDS + EDGE_DERIVED_FIELDS + CLAIM_FIELDS}
    assert derived == set(flatten._DERIVED)


@pytest.mark.parametrize("kind, written, value, problem", [
    ("integer", "12", 12, None),
    ("integer", "1_000", None, "'size' of a test must be a whole number, found '1_000'"),  # typed as written
    ("integer", "twelve", None, "'size' of a test must be a whole number, found 'twelve'"),
    ("integer", "1.5", None, "'size' of a test must be a whole number, found '1.5'"),
    ("flag", "yes", True, None),
    ("flag", "maybe", False, "'size' of a test must be true or false, found 'maybe'"),
    ("url", "https://example.org", "https://example.org", None),
    ("url", "mailto:x@example.org", None,
     "'size' of a test must start with http:// or https://, found 'mailto:x@example.org'"),
    ("text_list", "a", ["a"], None),
])
def test_every_kind_is_read_from_a_fact_file(kind: str, written: str, value: object, problem: str | None) -> None:
    from graph.errors import DataError
    from graph.fields import Checker, read_field
    from graph.yamlfile import parse_yaml

    document, errors = parse_yaml(f"size: {written}\n", "t.yaml")
    assert errors == []
    found: list[DataError] = []
    assert read_field(Checker("t.yaml", found), document, Field("size", kind), "a test") == value
    assert [e.message for e in found] == ([problem] if problem else [])
