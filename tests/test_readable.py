"""The questions call on a graph only what both graphs answer (graph/readable.py): a networkx call
added to a question without the query index offering it fails here, not as a user's traceback."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

from graph.index.read import IndexGraph, RestrictedGraph
from graph.readable import READ_SURFACE, Indexed, ReadableGraph

__all__: list[str] = []

PACKAGE = Path(__file__).resolve().parents[1] / "graph"


def _calls_on_readable_graphs(path: Path) -> set[tuple[str, int, str]]:
    """(function, line, attribute) for each attribute read of a parameter annotated ``ReadableGraph``."""
    found = set()
    for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        params = {a.arg for a in function.args.args + function.args.kwonlyargs
                  if a.annotation is not None and "ReadableGraph" in ast.unparse(a.annotation)}
        for node in ast.walk(function):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in params:
                found.add((function.name, node.lineno, node.attr))
    return found


QUESTION_MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "ReadableGraph" in p.read_text(encoding="utf-8"))


def test_the_questions_take_readable_graphs() -> None:
    names = {p.relative_to(PACKAGE).as_posix() for p in QUESTION_MODULES}
    assert {"query.py", "wording.py", "timeline.py"} <= names


@pytest.mark.parametrize("path", QUESTION_MODULES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_a_question_calls_only_the_read_surface(path: Path) -> None:
    outside = sorted(f"{path.name}:{line} {function}() calls .{attr}" for function, line, attr
                     in _calls_on_readable_graphs(path) if attr not in READ_SURFACE | {"search_rows", "restricted"})
    assert outside == [], "add the call to graph.readable.ReadableGraph and to IndexGraph, or take a MultiDiGraph"


def test_both_graphs_offer_the_whole_surface() -> None:
    graph = nx.MultiDiGraph()
    assert isinstance(graph, ReadableGraph) and not isinstance(graph, Indexed)
    methods = ["degree", "in_edges", "number_of_nodes", "out_edges"]
    assert all(callable(getattr(graph, name)) for name in methods)
    for kind in (IndexGraph, RestrictedGraph):
        missing = [name for name in [*methods, "__contains__", "__iter__", "__len__"] if not callable(getattr(kind, name, None))]
        assert missing == [], kind
    assert callable(IndexGraph.search_rows) and callable(IndexGraph.restricted)
