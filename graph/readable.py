"""What a question may call on a graph: the read surface that a ``networkx.MultiDiGraph`` and the query
index's :class:`graph.index.read.IndexGraph` both offer.

The questions (:mod:`graph.query`, :mod:`graph.wording`, :mod:`graph.timeline`, the filters of
:mod:`graph.view`) take a :class:`ReadableGraph` and call nothing else on it, so that each question
answers the same over either graph (``tests/test_readable.py`` checks the calls they make against this
list). The index also offers :class:`Indexed`'s shortcuts; :func:`is_indexed` is the one place that asks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, Protocol, runtime_checkable

__all__ = ["ReadableGraph", "Indexed", "is_indexed", "READ_SURFACE"]

Adjacency = Mapping[str, Mapping[str, Mapping[str, Mapping[str, Any]]]]  # node -> neighbour -> fact id -> data


@runtime_checkable
class ReadableGraph(Protocol):
    """The calls a question makes of a graph (networkx's names and meanings)."""

    graph: dict[str, Any]  # the vocabulary, the dataset, the sources
    nodes: Any             # nodes[n] -> attributes; nodes(data=True) -> (n, attributes) pairs
    _node: Mapping[str, Mapping[str, Any]]
    _succ: Adjacency
    _pred: Adjacency

    def __contains__(self, node: object) -> bool: ...

    def __iter__(self) -> Iterator[str]: ...

    def __len__(self) -> int: ...

    def number_of_nodes(self) -> int: ...

    def degree(self, node: str) -> int: ...

    def out_edges(self, node: str, keys: bool = False, data: bool = False) -> list[tuple[Any, ...]]: ...

    def in_edges(self, node: str, keys: bool = False, data: bool = False) -> list[tuple[Any, ...]]: ...


@runtime_checkable
class Indexed(Protocol):
    """What the query index answers faster than the networkx calls it stands in for."""

    def search_rows(self) -> Iterator[tuple[str, Mapping[str, Any], list[Any]]]:
        """(id, attributes, precomputed search keys) of every entity (:func:`graph.names.search_keys`)."""

    def restricted(self, node_ok: Callable[[str], bool], edge_ok: Callable[[str, str, str], bool] | None,
                   ends_kept: bool = False, data_ok: Callable[[str, str, Any], bool] | None = None) -> Any:
        """The graph seen through filters, as ``networkx.subgraph_view`` sees it."""


READ_SURFACE = frozenset({"graph", "nodes", "_node", "_succ", "_pred", "number_of_nodes", "degree", "out_edges",
                          "in_edges"})
"""The attribute names of :class:`ReadableGraph` (the dunder methods aside)."""


def is_indexed(graph: Any) -> bool:
    """True for a graph read from the query index (it offers :class:`Indexed`'s shortcuts)."""
    return isinstance(graph, Indexed)
