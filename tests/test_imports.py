"""The modules of ``graph/`` import each other without a cycle, and each one imports on its own.

A cycle between modules makes one of them half-initialised while the other runs its imports
(graph.cache and graph.patch used to import each other); a module that only imports after
another one has been imported hides a dependency. Both are checked on the source: the imports at
module level (not those inside functions or under ``TYPE_CHECKING``), and each module imported
in a fresh interpreter.
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


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = sorted(module_name(p) for p in PACKAGE.rglob("*.py"))


def top_level_imports(path: Path) -> set[str]:
    """The ``graph`` modules ``path`` imports when it is imported itself."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)  # `from . import module`
    return {m for m in found if m in MODULES and m != name}


def test_the_graph_modules_do_not_import_each_other_in_a_circle() -> None:
    graph = {module_name(p): top_level_imports(p) for p in PACKAGE.rglob("*.py")}
    assert graph["graph.patch"] >= {"graph.pipeline", "graph.store"}, "the parser of imports finds them"
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        pytest.fail(f"import cycle: {' -> '.join(exc.args[1])}")
    assert order.index("graph.pipeline") < order.index("graph.patch")
    assert order.index("graph.store") < order.index("graph.pipeline")


@pytest.mark.parametrize("module", MODULES)
def test_each_module_imports_on_its_own(module: str) -> None:
    result = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=REPO, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
