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

import json
from typing import Any

import networkx as nx

from .flatten import edges_in_order, nodes_in_order, plain_json

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
    nodes = [{**plain_json(data), "id": plain_json(node_id)} for node_id, data in nodes_in_order(G)]
    edges = [
        {**plain_json(data), "source": plain_json(u), "target": plain_json(v), "key": plain_json(key)}
        for u, v, key, data in edges_in_order(G)
    ]
    return {
        "directed": True,
        "multigraph": True,
        "graph": plain_json(dict(G.graph)),
        "nodes": nodes,
        "edges": edges,
    }
