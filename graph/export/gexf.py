"""GEXF 1.3 export for Gephi, with the facts' dates as time intervals.

- Same content as the GraphML export (:mod:`graph.export.graphml`): node ``label`` is the
  entity's name, edge ``label`` the relation's wording, edge ``kind`` the relation id
  (Gephi's edge type), the fact id is the edge id; the type colour is a ``viz:color``.
  Values are flattened as :mod:`graph.export.flatten` documents.
- Time: when any entity or fact has a date, the graph is ``mode="dynamic"`` with
  ``timeformat="date"``. A fact's ``start``/``end`` become the edge's ``start``/``end``,
  an entity's become the node's. Partial dates widen to the whole period they name:
  a start of ``2025`` or ``2025-04`` begins on ``2025-01-01`` / ``2025-04-01``; an end of
  ``2025`` or ``2025-04`` lasts until ``2025-12-31`` / ``2025-04-30``. A missing bound is
  left open (no start: always existed; no end: still holds) — except the end of a fact of a
  ``momentary`` relation with only a start, a happening: it ends with its start's period
  (:func:`graph.dates.fact_days`, the rule of the date filters). The dates as written in the
  data are kept in the ``start_date`` / ``end_date`` attributes.
- All edges are ``directed``; a symmetric relation carries ``symmetric=true``.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from ..dates import AFTER_ALL, BEFORE_ALL, day_text, fact_days, first_day, last_day
from ..fields import EDGE_LABEL, NODE_LABEL, Field
from .flatten import (
    EDGE_COLUMNS,
    LIST_SEPARATOR,
    NODE_COLUMNS,
    attribute_columns,
    attribute_kinds,
    column_name,
    edges_in_order,
    entity_values,
    metric_columns,
    claim_columns,
    fact_values,
    flatten_value,
    format_number,
    nodes_in_order,
    rgb,
    type_color,
    xml_attr,
    xml_text,
)

__all__ = ["files", "render", "period_start", "period_end", "NODE_ATTRIBUTES", "EDGE_ATTRIBUTES"]

_DATE_COLUMNS = ("start_date", "end_date")  # GEXF's own start/end attributes hold the intervals

_GEXF_TYPE = {"integer": "integer", "number": "double", "flag": "boolean"}  # a field's kind -> GEXF type; others are strings


def _attribute(field: Field) -> tuple[str, str]:
    return column_name(field, _DATE_COLUMNS), _GEXF_TYPE.get(field.kind, "string")


NODE_ATTRIBUTES: tuple[tuple[str, str], ...] = tuple(_attribute(f) for f in NODE_COLUMNS)
"""Fixed node attributes ``(id and title, GEXF type)``; free attributes ``attr.<name>`` follow."""

EDGE_ATTRIBUTES: tuple[tuple[str, str], ...] = tuple(_attribute(f) for f in EDGE_COLUMNS if f.name != EDGE_LABEL)
"""Edge attributes ``(id and title, GEXF type)``; the label is the edge's ``label``."""

_GEXF_KIND = {"boolean": "boolean", "int": "integer", "long": "long", "double": "double"}


def files(G: nx.MultiDiGraph) -> dict[str, bytes]:
    """What the export writes: ``{"graph.gexf": bytes}`` (the registry in ``graph/export/__init__.py``)."""
    return {"graph.gexf": render(G)}


def render(G: nx.MultiDiGraph) -> bytes:
    """The graph as a GEXF 1.3 document (UTF-8 bytes, trailing newline)."""
    columns = attribute_columns(G)
    kinds = {name: _GEXF_KIND.get(kind, "string") for name, kind in attribute_kinds(G, columns).items()}
    nodes = nodes_in_order(G)
    edges = list(edges_in_order(G))
    dynamic = any(data.get("start") or data.get("end") for _, data in nodes) or any(
        e[3].get("start") or e[3].get("end") for e in edges
    )
    time = ' mode="dynamic" timeformat="date"' if dynamic else ' mode="static"'
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<gexf xmlns="http://gexf.net/1.3" xmlns:viz="http://gexf.net/1.3/viz" version="1.3">',
    ]
    out += _meta_lines(G)
    out.append(f'  <graph defaultedgetype="directed"{time}>')
    node_attributes = (NODE_ATTRIBUTES + tuple(_attribute(f) for f in metric_columns(G))
                       + tuple((columns[name], kinds[name]) for name in columns))
    out += _attribute_lines("node", node_attributes)
    out += _attribute_lines("edge", EDGE_ATTRIBUTES + tuple(_attribute(f) for f in claim_columns(G)))
    out.append(f'    <nodes count="{len(nodes)}">')
    for node_id, data in nodes:
        out += _node_lines(G, node_id, data, columns, kinds)
    out.append("    </nodes>")
    out.append(f'    <edges count="{len(edges)}">')
    for subject, obj, fact_id, data in edges:
        out += _edge_lines(G, subject, obj, fact_id, data)
    out += ["    </edges>", "  </graph>", "</gexf>", ""]
    return "\n".join(out).encode("utf-8")


def period_start(partial: str | None) -> str | None:
    """First day of the period a partial date names: ``"2025-04"`` -> ``"2025-04-01"``."""
    return _iso(first_day, partial)


def period_end(partial: str | None) -> str | None:
    """Last day of the period a partial date names: ``"2025"`` -> ``"2025-12-31"``."""
    return _iso(last_day, partial)


def _iso(day_of: Any, partial: str | None) -> str | None:
    try:
        day = day_of(partial) if partial else None
    except ValueError:
        return None
    return day.isoformat() if day else None


def _meta_lines(G: nx.MultiDiGraph) -> list[str]:
    dataset = G.graph.get("dataset") or {}
    date = period_start(dataset.get("date"))
    head = f'  <meta lastmodifieddate="{date}">' if date else "  <meta>"
    lines = [head, "    <creator>tieline</creator>"]
    description = " — ".join(text for text in (dataset.get("name"), dataset.get("description")) if text)
    if description:
        lines.append(f"    <description>{xml_text(description)}</description>")
    lines.append("  </meta>")
    return lines


def _attribute_lines(target: str, attributes: tuple[tuple[str, str], ...]) -> list[str]:
    lines = [f'    <attributes class="{target}" mode="static">']
    lines += [
        f'      <attribute id="{xml_attr(name)}" title="{xml_attr(name)}" type="{kind}"/>'
        for name, kind in attributes
    ]
    lines.append("    </attributes>")
    return lines


def _time_attrs(data: dict[str, Any]) -> str:
    """An entity's ``start``/``end`` XML attributes: the periods its dates name."""
    start, end = period_start(data.get("start")), period_end(data.get("end"))
    return (f' start="{start}"' if start else "") + (f' end="{end}"' if end else "")


def _fact_time_attrs(data: dict[str, Any]) -> str:
    """A fact's ``start``/``end`` XML attributes: its days as the date filters read them."""
    try:
        span = fact_days(data)
    except ValueError:  # not a date: no interval (a validated graph has none)
        return ""
    if span is None:
        return ""
    start, end = span
    return (f' start="{day_text(start)}"' if start != BEFORE_ALL else "") + (
        f' end="{day_text(end)}"' if end != AFTER_ALL else "")


def _attvalue_lines(indent: str, values: list[tuple[str, Any]]) -> list[str]:
    lines = []
    for key, value in values:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            text: str | None = format_number(value)
        else:
            text = flatten_value(value, LIST_SEPARATOR)
        if text:
            lines.append(f'{indent}  <attvalue for="{xml_attr(key)}" value="{xml_attr(text)}"/>')
    if not lines:
        return []
    return [f"{indent}<attvalues>", *lines, f"{indent}</attvalues>"]


def _node_lines(
    G: nx.MultiDiGraph,
    node_id: str,
    data: dict[str, Any],
    columns: dict[str, str],
    kinds: dict[str, str],
) -> list[str]:
    color = type_color(G, data.get("type"))
    attributes = data.get("attributes") or {}
    values = entity_values(G, data, _DATE_COLUMNS)
    for name, column in columns.items():
        value = attributes.get(name)
        if kinds[name] == "string":
            value = flatten_value(value, LIST_SEPARATOR)
        values.append((column, value))
    label = xml_attr(flatten_value(data.get(NODE_LABEL)) or str(node_id))
    lines = [f'      <node id="{xml_attr(str(node_id))}" label="{label}"{_time_attrs(data)}>']
    lines += _attvalue_lines("        ", values)
    if color:
        red, green, blue = rgb(color)
        lines.append(f'        <viz:color r="{red}" g="{green}" b="{blue}"/>')
    lines.append("      </node>")
    return lines


def _edge_lines(G: nx.MultiDiGraph, subject: str, obj: str, fact_id: str, data: dict[str, Any]) -> list[str]:
    values = fact_values(G, data, _DATE_COLUMNS)
    head = (
        f'      <edge id="{xml_attr(str(fact_id))}" source="{xml_attr(str(subject))}"'
        f' target="{xml_attr(str(obj))}"'
    )
    if data.get(EDGE_LABEL):
        head += f' label="{xml_attr(str(data[EDGE_LABEL]))}"'
    if data.get("relation"):
        head += f' kind="{xml_attr(str(data["relation"]))}"'
    lines = [head + f"{_fact_time_attrs(data)}>"]
    lines += _attvalue_lines("        ", values)
    lines.append("      </edge>")
    return lines
