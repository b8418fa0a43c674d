"""tieline: curated, sourced YAML facts → a validated NetworkX graph you can question and export.

    >>> from graph import load_graph
    >>> G = load_graph("data")                    # networkx.MultiDiGraph, validated, cached
    >>> from graph.query import find_paths
    >>> find_paths(G, "kirill-dmitriev", "marco-rubio")[0]["length"]  # doctest: +SKIP

Submodules are imported on first use, so ``import graph`` stays cheap.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["__version__", "load_graph", "load_compiled", "load_facts", "build_graph"]

_LAZY = {
    "load_graph": "graph.pipeline",
    "load_compiled": "graph.pipeline",
    "load_facts": "graph.validate",
    "build_graph": "graph.model",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'graph' has no attribute {name!r}")
