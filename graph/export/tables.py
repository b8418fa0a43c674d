"""CSV export: ``nodes.csv`` and ``edges.csv`` for spreadsheets and ``neo4j-admin database import``.

Import into Neo4j with::

    neo4j-admin database import full --nodes=nodes.csv --relationships=edges.csv neo4j

Headers follow Neo4j's import format and read as plain column names in a spreadsheet:

- ``nodes.csv``: ``id:ID``, ``name``, ``:LABEL`` (the entity type id in PascalCase, e.g.
  ``Person``, ``NewsOrganisation`` for ``news_organisation``), ``type``, ``type_label``,
  ``aliases:string[]``, ``description``, ``country``, ``start``, ``end``, ``color``,
  ``file``, ``line:int``, then one ``attr.<name>`` column per free attribute, typed
  ``:boolean``, ``:long``, ``:double`` or ``:string[]`` when every value allows it.
- ``edges.csv``: ``:START_ID`` (subject), ``:END_ID`` (object), ``:TYPE`` (the relation id
  upper-cased, ``-`` as ``_``: ``MET_WITH``), ``id`` (fact id), ``relation``, ``label``,
  ``inverse``, ``symmetric:boolean``, ``certainty``, ``sources:string[]``, ``quote``,
  ``start``, ``end``, ``note``, ``file``, ``line:int``.

Lists are joined with ``;`` (Neo4j's default array delimiter), booleans are
``true``/``false``, absent values are empty cells. UTF-8 without BOM, ``\\n`` line ends,
minimal quoting by the csv module; line breaks inside values are written as ``\\n`` (a
carriage return would not be quoted by Python's csv writer). Rows are sorted by id.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

import networkx as nx

from ..fields import NODE_LABEL, RECORD_FIELDS, Field
from .flatten import (
    EDGE_COLUMNS,
    NODE_COLUMNS,
    attribute_columns,
    attribute_kinds,
    clean_unicode,
    column_value,
    edges_in_order,
    flatten_value,
    format_number,
    metric_columns,
    nodes_in_order,
)

__all__ = ["files", "render", "ARRAY_DELIMITER", "NODE_HEADER", "EDGE_HEADER", "neo4j_label", "neo4j_type"]

ARRAY_DELIMITER = ";"
"""Joins list items in one cell (Neo4j's default ``--array-delimiter``)."""

_NEO4J_TYPE = {"integer": ":int", "number": ":double", "flag": ":boolean", "text_list": ":string[]"}  # a field's kind -> header type


def _node_columns() -> tuple[Field, ...]:
    """The node columns, the drawing colour moved after the entity's own data (before file and line)."""
    record = tuple(f for f in NODE_COLUMNS if f in RECORD_FIELDS)
    color = tuple(f for f in NODE_COLUMNS if f.name == "color")
    return tuple(f for f in NODE_COLUMNS if f not in record + color) + color + record


_NODE_COLUMNS = _node_columns()
_EDGE_COLUMNS = tuple(f for f in EDGE_COLUMNS if f.name != "source_titles")  # titles live in the registry


def _header(field: Field) -> str:
    return field.name + _NEO4J_TYPE.get(field.kind, "")


NODE_HEADER: tuple[str, ...] = ("id:ID", NODE_LABEL, ":LABEL") + tuple(_header(f) for f in _NODE_COLUMNS)
"""Fixed columns of ``nodes.csv``; free attribute columns follow."""

EDGE_HEADER: tuple[str, ...] = (":START_ID", ":END_ID", ":TYPE", "id") + tuple(_header(f) for f in _EDGE_COLUMNS)
"""Columns of ``edges.csv``."""

_NEO4J_KIND = {"boolean": ":boolean", "int": ":long", "long": ":long", "double": ":double", "list": ":string[]"}
_WORD = re.compile(r"[A-Za-z0-9]+")


def render(G: nx.MultiDiGraph) -> dict[str, bytes]:
    """``{"nodes.csv": bytes, "edges.csv": bytes}`` for the graph."""
    return {"nodes.csv": _nodes_csv(G), "edges.csv": _edges_csv(G)}


files = render
"""What the export writes (the registry in ``graph/export/__init__.py`` calls ``files``)."""


def neo4j_label(entity_type: str) -> str:
    """A type id as a Neo4j label: ``person`` -> ``Person``, ``news-org`` -> ``NewsOrg``."""
    words = _WORD.findall(entity_type or "")
    return "".join(word[:1].upper() + word[1:] for word in words) or "Entity"


def neo4j_type(relation: str) -> str:
    """A relation id as a Neo4j relationship type: ``met_with`` -> ``MET_WITH``."""
    return "_".join(_WORD.findall(relation or "")).upper() or "RELATED_TO"


def _nodes_csv(G: nx.MultiDiGraph) -> bytes:
    columns = attribute_columns(G)
    kinds = attribute_kinds(G, columns)
    metrics = metric_columns(G)
    header = [*NODE_HEADER, *(_header(f) for f in metrics),
              *(columns[name] + _NEO4J_KIND.get(kinds[name], "") for name in columns)]
    rows = []
    for node_id, data in nodes_in_order(G):
        attributes = data.get("attributes") or {}
        row = [node_id, data.get(NODE_LABEL), neo4j_label(str(data.get("type") or ""))]
        row += [column_value(G, data, f) for f in _NODE_COLUMNS + metrics]
        row += [attributes.get(name) for name in columns]
        rows.append(row)
    return _csv_bytes(header, rows)


def _edges_csv(G: nx.MultiDiGraph) -> bytes:
    rows = [
        [subject, obj, neo4j_type(str(data.get("relation") or "")), fact_id,
         *(column_value(G, data, f) for f in _EDGE_COLUMNS)]
        for subject, obj, fact_id, data in edges_in_order(G)
    ]
    return _csv_bytes(list(EDGE_HEADER), rows)


def _csv_bytes(header: list[str], rows: Iterable[list[Any]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


def _cell(value: Any) -> str:
    """One value as cell text: lists joined with ``;``, line breaks as ``\\n``, None empty."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text: str | None = format_number(value)
    else:
        text = flatten_value(value, ARRAY_DELIMITER)
    if not text:
        return ""
    return clean_unicode(text).replace("\r\n", "\n").replace("\r", "\n")
