"""Node-link JSON export, in the layout of ``networkx.node_link_data(G, edges="edges")``.

Read it back with::

    networkx.node_link_graph(json.load(f), directed=True, multigraph=True, edges="edges")

Layout: ``{"directed": true, "multigraph": true, "graph": {...}, "nodes": [...],
"edges": [...]}``. ``graph`` holds every graph attribute (dataset, entity types,
relations, certainty levels, the source registry and, for a focused view, the
selection). Each node is the entity's attributes with ``id``; each edge the fact's
attributes plus ``source`` (subject), ``target`` (object) and ``key`` (the fact id).
Values keep their JSON types: lists stay lists, free attributes stay an object, absent
values are ``null``. (``node_link_graph`` uses a node's ``id`` as the node and does not
keep it as an attribute.)

Deterministic: nodes sorted by id, edges by fact id, object keys sorted, two-space
indent, UTF-8 without ``\\u`` escapes except for lone surrogates (replaced by U+FFFD),
trailing newline. Non-finite numbers, which JSON lacks, are written as the strings
``"INF"``, ``"-INF"`` and ``"NaN"``.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
from collections.abc import Mapping
from typing import Any

import networkx as nx

from .flatten import clean_unicode, edges_in_order, format_number, nodes_in_order

__all__ = ["files", "render", "node_link_data"]


def files(G: nx.MultiDiGraph) -> dict[str, bytes]:
    """What the export writes: ``{"graph.json": bytes}`` (the registry in ``graph/export/__init__.py``)."""
    return {"graph.json": render(G)}


def render(G: nx.MultiDiGraph) -> bytes:
    """The graph as node-link JSON (UTF-8 bytes, trailing newline)."""
    text = json.dumps(node_link_data(G), ensure_ascii=False, sort_keys=True, indent=2, allow_nan=False)
    return (text + "\n").encode("utf-8")


def node_link_data(G: nx.MultiDiGraph) -> dict[str, Any]:
    """The JSON-ready dictionary that :func:`render` writes."""
    nodes = [{**_plain(data), "id": _plain(node_id)} for node_id, data in nodes_in_order(G)]
    edges = [
        {**_plain(data), "source": _plain(u), "target": _plain(v), "key": _plain(key)}
        for u, v, key, data in edges_in_order(G)
    ]
    return {
        "directed": True,
        "multigraph": True,
        "graph": _plain(dict(G.graph)),
        "nodes": nodes,
        "edges": edges,
    }


def _plain(value: Any) -> Any:
    """``value`` made of JSON types only, with strings encodable as UTF-8."""
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, str):
        return clean_unicode(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else format_number(value)
    if isinstance(value, Mapping):
        return {clean_unicode(str(k)): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_plain(v) for v in value), key=str)
    if isinstance(value, (_dt.date, _dt.datetime, _dt.time)):
        return value.isoformat()
    return clean_unicode(str(value))
