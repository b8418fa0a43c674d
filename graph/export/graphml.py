"""GraphML export: one file that Gephi, Cytoscape, yEd, networkx and igraph open as is.

Written by hand (not with networkx's writer) so that the output is valid against the
GraphML 1.0 schema and byte-identical for the same graph:

- nodes sorted by entity id, edges by fact id; the fact id is the edge id, so parallel
  facts between one pair stay separate edges; ``edgedefault="directed"`` (symmetric
  relations keep their stored direction and carry ``symmetric=true``).
- every value has a ``<key>`` with its ``attr.type``; see :mod:`graph.export.flatten`
  for how lists, free attributes, empty values and unwritable characters are flattened.
- node ``label`` (Gephi) and ``name`` (Cytoscape) both hold the entity's name, so either
  tool shows names at once; ``r``/``g``/``b`` carry the type colour in Gephi's convention.
- no schemaLocation: nothing in the file points at a network resource.

Node keys: label, name, type, type_label, color, r, g, b, aliases, description, country,
start, end, file, line, attr.<name>…  Edge keys: label (the relation's wording),
relation, inverse, symmetric, momentary, certainty, sources, source_titles, quote, start, end, note,
file, line.  Graph keys: dataset, dataset_date, dataset_description, source_count (sources
cited by the exported facts) and, for a focused view, selection_focus, selection_depth,
selection_path.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from ..errors import OutputError
from ..fields import EDGE_LABEL, NODE_LABEL, Field
from .flatten import (
    EDGE_COLUMNS,
    LIST_SEPARATOR,
    NODE_COLUMNS,
    attribute_columns,
    attribute_kinds,
    edges_in_order,
    entity_values,
    metric_columns,
    claim_columns,
    fact_values,
    flatten_value,
    format_number,
    is_name_token,
    nodes_in_order,
    rgb,
    xml_text,
)

__all__ = ["files", "render", "NODE_KEYS", "EDGE_KEYS", "GRAPH_KEYS"]

_GRAPHML_TYPE = {"integer": "int", "number": "double", "flag": "boolean"}  # a field's kind -> attr.type; others are strings
_RGB_KEYS: tuple[tuple[str, str], ...] = (("r", "int"), ("g", "int"), ("b", "int"))  # Gephi's colour, after color


def _key(field: Field) -> tuple[str, str]:
    return field.name, _GRAPHML_TYPE.get(field.kind, "string")


NODE_KEYS: tuple[tuple[str, str], ...] = (("label", "string"), ("name", "string")) + tuple(
    key for f in NODE_COLUMNS for key in ((_key(f),) + (_RGB_KEYS if f.name == "color" else ())))
"""Fixed node keys ``(attr.name, attr.type)`` in file order; free attributes follow."""

EDGE_KEYS: tuple[tuple[str, str], ...] = (("label", "string"),) + tuple(
    _key(f) for f in EDGE_COLUMNS if f.name != EDGE_LABEL)
"""Edge keys ``(attr.name, attr.type)`` in file order: the label, then the fact's columns."""

GRAPH_KEYS: tuple[tuple[str, str], ...] = (
    ("dataset", "string"),
    ("dataset_date", "string"),
    ("dataset_description", "string"),
    ("source_count", "int"),
)
"""Graph keys always declared."""

SELECTION_KEYS: tuple[tuple[str, str], ...] = (
    ("selection_focus", "string"),
    ("selection_depth", "int"),
    ("selection_path", "string"),
)
"""Graph keys declared when the graph is a focused view (``G.graph["selection"]``)."""

_GRAPHML_KIND = {"boolean": "boolean", "int": "int", "long": "long", "double": "double"}


def files(G: nx.MultiDiGraph) -> dict[str, bytes]:
    """What the export writes: ``{"graph.graphml": bytes}`` (the registry in ``graph/export/__init__.py``)."""
    return {"graph.graphml": render(G)}


def render(G: nx.MultiDiGraph) -> bytes:
    """The graph as a GraphML document (UTF-8 bytes, trailing newline)."""
    columns = attribute_columns(G)
    kinds = attribute_kinds(G, columns)
    selection = G.graph.get("selection")
    graph_keys = GRAPH_KEYS + (SELECTION_KEYS if selection else ())
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
    ]
    out += [_key_line(f"g.{name}", "graph", name, kind) for name, kind in graph_keys]
    node_keys = NODE_KEYS + tuple(_key(f) for f in metric_columns(G))
    out += [_key_line(f"n.{name}", "node", name, kind) for name, kind in node_keys]
    for i, (name, column) in enumerate(columns.items()):
        kind = _GRAPHML_KIND.get(kinds[name], "string")
        out.append(_key_line(f"n.attr.{i}", "node", column, kind, original=name))
    out += [_key_line(f"e.{name}", "edge", name, kind) for name, kind in EDGE_KEYS + tuple(map(_key, claim_columns(G)))]
    out.append('  <graph id="G" edgedefault="directed">')
    out += _data_lines("    ", "g", _graph_values(G))
    for node_id, data in nodes_in_order(G):
        out += _node_lines(G, node_id, data, columns, kinds)
    for subject, obj, fact_id, data in edges_in_order(G):
        out += _edge_lines(G, subject, obj, fact_id, data)
    out += ["  </graph>", "</graphml>", ""]
    return "\n".join(out).encode("utf-8")


def _key_line(key_id: str, target: str, name: str, kind: str, original: str | None = None) -> str:
    head = f'  <key id="{key_id}" for="{target}" attr.name="{name}" attr.type="{kind}"'
    if original is None or name == f"attr.{original}":
        return head + "/>"
    return head + f"><desc>{xml_text(original)}</desc></key>"


def _data_lines(indent: str, prefix: str, values: list[tuple[str, Any]]) -> list[str]:
    """``<data>`` lines for the values that are not empty, in the given order."""
    lines = []
    for key, value in values:
        text = _text(value)
        if text:
            lines.append(f'{indent}<data key="{prefix}.{key}">{xml_text(text)}</data>')
    return lines


def _text(value: Any) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_number(value)
    return flatten_value(value, LIST_SEPARATOR)


def _graph_values(G: nx.MultiDiGraph) -> list[tuple[str, Any]]:
    dataset = G.graph.get("dataset") or {}
    cited = {source for *_, sources in G.edges(keys=True, data="sources") for source in sources or ()}
    values: list[tuple[str, Any]] = [
        ("dataset", dataset.get("name")),
        ("dataset_date", dataset.get("date")),
        ("dataset_description", dataset.get("description")),
        ("source_count", len(cited)),
    ]
    selection = G.graph.get("selection")
    if selection:
        values += [
            ("selection_focus", selection.get("focus")),
            ("selection_depth", selection.get("depth")),
            ("selection_path", selection.get("path")),
        ]
    return values


def _node_lines(
    G: nx.MultiDiGraph,
    node_id: str,
    data: dict[str, Any],
    columns: dict[str, str],
    kinds: dict[str, str],
) -> list[str]:
    if not is_name_token(node_id):
        raise OutputError(f"cannot write GraphML: entity id {node_id!r} is not an XML name token")
    name = data.get(NODE_LABEL)
    values: list[tuple[str, Any]] = [("label", name), ("name", name)]
    for column, value in entity_values(G, data):
        values.append((column, value))
        if column == "color":
            values += zip((key for key, _ in _RGB_KEYS), rgb(value) if value else (None, None, None))
    attributes = data.get("attributes") or {}
    free = [
        (f"attr.{i}", _free_value(attributes.get(name), kinds[name]))
        for i, name in enumerate(columns)
    ]
    lines = [f'    <node id="{node_id}">']
    lines += _data_lines("      ", "n", values + free)
    lines.append("    </node>")
    return lines


def _free_value(value: Any, kind: str) -> Any:
    """A free attribute's value as its column type will read it back."""
    if value is None or kind in ("boolean", "int", "long", "double"):
        return value
    return flatten_value(value, LIST_SEPARATOR)


def _edge_lines(G: nx.MultiDiGraph, subject: str, obj: str, fact_id: str, data: dict[str, Any]) -> list[str]:
    if not is_name_token(fact_id):
        raise OutputError(f"cannot write GraphML: fact id {fact_id!r} is not an XML name token")
    values = [("label", data.get(EDGE_LABEL)), *fact_values(G, data)]
    lines = [f'    <edge id="{fact_id}" source="{subject}" target="{obj}">']
    lines += _data_lines("      ", "e", values)
    lines.append("    </edge>")
    return lines
