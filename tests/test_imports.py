"""The modules of ``graph/`` import each other without a circle, and each one imports on its own.

A circle between modules makes one of them half-initialised while the other runs its imports; a
function-level import only hides it. So the rule counts every import of a ``graph`` module, at
module level or inside a function, except type-only ones under ``if TYPE_CHECKING:``; and no
``graph`` module is imported inside a function at all: a lazy import is for a third-party
library's start-up cost (networkx, rich, followthemoney…), never for one of ours.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

__all__: list[str] = []

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "graph"


def module_name(path: Path, repo: Path = REPO) -> str:
    parts = path.relative_to(repo).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = sorted(module_name(p) for p in PACKAGE.rglob("*.py"))


def _typing_only(tree: ast.Module) -> set[int]:
    """The ids of the nodes under ``if TYPE_CHECKING:``."""
    return {id(n) for branch in ast.walk(tree) if isinstance(branch, ast.If) and "TYPE_CHECKING" in ast.unparse(branch.test)
            for statement in branch.body for n in ast.walk(statement)}


def graph_imports(path: Path, repo: Path = REPO, modules: list[str] = MODULES) -> dict[str, bool]:
    """The ``graph`` modules ``path`` imports, each with whether some import of it sits inside a function."""
    name = module_name(path, repo)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = _typing_only(tree)
    in_function = {id(n) for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                   for n in ast.walk(f)}
    found: dict[str, bool] = {}
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]  # `from . import module`
        for target in targets:
            if target in modules and target != name:
                found[target] = found.get(target, False) or id(node) in in_function
    return found


IMPORTS = {module_name(p): graph_imports(p) for p in PACKAGE.rglob("*.py")}


def test_the_graph_modules_do_not_import_each_other_in_a_circle() -> None:
    assert {"graph.build", "graph.store", "graph.validate"} <= set(IMPORTS["graph.patch"]), \
        "the reader of imports finds them"
    assert "graph.pipeline" not in IMPORTS["graph.patch"], "the patch builds on graph.build, not on the loader"
    try:
        order = list(TopologicalSorter({m: set(found) for m, found in IMPORTS.items()}).static_order())
    except CycleError as exc:
        pytest.fail(f"import circle: {' -> '.join(exc.args[1])}")
    for lower, upper in [("graph.build", "graph.patch"), ("graph.patch", "graph.pipeline"),
                         ("graph.index.read", "graph.pipeline"), ("graph.wording", "graph.query"),
                         ("graph.glyphs", "graph.render"), ("graph.timeline", "graph.query")]:
        assert order.index(lower) < order.index(upper), f"{upper} imports {lower}, never the other way round"


def test_no_graph_module_is_imported_inside_a_function() -> None:
    lazy = sorted(f"{module} imports {target}" for module, found in IMPORTS.items()
                  for target, inside in found.items() if inside)
    assert lazy == [], "a lazy import is for a third-party library's start-up cost only"


def test_the_rule_sees_imports_inside_functions(tmp_path: Path) -> None:
    """The reader of imports is not blind to the function-level imports that once hid two circles."""
    copy = tmp_path / "graph" / "query.py"
    copy.parent.mkdir()
    copy.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .view import View\n"
                    "def f():\n    from .timeline import date_range\n", encoding="utf-8")
    modules = ["graph.query", "graph.timeline", "graph.view"]
    assert graph_imports(copy, tmp_path, modules) == {"graph.timeline": True}


@pytest.mark.parametrize("module", MODULES)
def test_each_module_imports_on_its_own(module: str) -> None:
    result = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=REPO, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
