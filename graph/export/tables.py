"""CSV export: ``nodes.csv`` and ``edges.csv`` for spreadsheets and ``neo4j-admin database import``.

Import into Neo4j with exact cells (see below)::

    tieline export csv --exact-cells --out csv
    neo4j-admin database import full --nodes=csv/nodes.csv --relationships=csv/edges.csv neo4j

Headers follow Neo4j's import format and read as plain column names in a spreadsheet:

- ``nodes.csv``: ``id:ID``, ``name``, ``:LABEL`` (the entity type id in PascalCase, e.g.
  ``Person``, ``NewsOrganisation`` for ``news_organisation``), ``type``, ``type_label``,
  ``aliases:string[]``, ``description``, ``country``, ``start``, ``end``, ``color``,
  ``file``, ``line:int``, then one ``attr.<name>`` column per free attribute, typed
  ``:boolean``, ``:long``, ``:double`` or ``:string[]`` when every value allows it.
- ``edges.csv``: ``:START_ID`` (subject), ``:END_ID`` (object), ``:TYPE`` (the relation id
  upper-cased, ``-`` as ``_``: ``MET_WITH``), ``id`` (fact id), ``relation``, ``label``,
  ``inverse``, ``symmetric:boolean``, ``momentary:boolean``, ``certainty``, ``sources:string[]``, ``quote``,
  ``start``, ``end``, ``note``, ``file``, ``line:int``.

Cells are spreadsheet-safe by default: a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return (what Excel, LibreOffice and Google Sheets read as a formula) gets a leading
``'``, which spreadsheets show as "this is text"; numbers are never changed. ``exact_cells=True``
(``--exact-cells``) writes every value as it is, for Neo4j and other programs that read CSV as data.

Lists are joined with ``;`` (Neo4j's default array delimiter) unless an item holds a ``;``: then
with the first of :data:`DELIMITERS` that no item holds, and a third file, ``neo4j-import.txt``,
gives the ``--array-delimiter`` to import with. Two relations that Neo4j would give the same type
(``met_with``, ``met__with``) or two entity types the same label (``x_1``, ``x1``) are refused
with a :class:`UsageError` naming both. Booleans are ``true``/``false``, absent values are empty
cells. UTF-8 without BOM, ``\\n`` line ends, minimal quoting by the csv module; line breaks inside
values are written as ``\\n`` (a carriage return would not be quoted by Python's csv writer).
Rows are sorted by id.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Callable, Iterable
from typing import Any

import networkx as nx

from ..errors import UsageError
from ..fields import NODE_LABEL, RECORD_FIELDS, Field
from ..yamlfile import shown
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
    claim_columns,
    nodes_in_order,
)

__all__ = ["files", "render", "ARRAY_DELIMITER", "DELIMITERS", "FORMULA_STARTS", "NODE_HEADER", "EDGE_HEADER",
           "array_delimiter", "neo4j_label", "neo4j_type"]

ARRAY_DELIMITER = ";"
"""Joins list items in one cell (Neo4j's default ``--array-delimiter``) unless an item holds it."""
DELIMITERS = (ARRAY_DELIMITER, "|", "\u00a6", "\u2016", "\u241f") + tuple(chr(c) for c in range(0xE000, 0xF900))
"""The delimiters tried in turn: the first that no list item holds joins the lists (private-use last)."""
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A text cell starting with one of these is a formula to a spreadsheet; the safe mode prefixes ``'``."""
IMPORT_NOTE = "neo4j-import.txt"

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


def render(G: nx.MultiDiGraph, exact_cells: bool = False) -> dict[str, bytes]:
    """``{"nodes.csv": bytes, "edges.csv": bytes}`` for the graph (and the import note when lists need it).

    UsageError when two relations or two entity types would become one Neo4j type or label.
    """
    _refuse_collisions("entity types", "label", (str(d.get("type") or "") for _, d in G.nodes(data=True)),
                       neo4j_label)
    _refuse_collisions("relations", "relationship type", (str(d.get("relation") or "")
                                                           for _, _, d in G.edges(data=True)), neo4j_type)
    nodes, edges = _node_rows(G), _edge_rows(G)
    delimiter = array_delimiter(value for rows in (nodes[1], edges[1]) for row in rows for value in row)
    cell = functools.partial(_cell, delimiter=delimiter, safe=not exact_cells)
    written = {"nodes.csv": _csv_bytes(*nodes, cell), "edges.csv": _csv_bytes(*edges, cell)}
    if delimiter != ARRAY_DELIMITER:
        written[IMPORT_NOTE] = _import_note(delimiter, exact_cells).encode("utf-8")
    return written


files = render
"""What the export writes (the registry in ``graph/export/__init__.py`` calls ``files``)."""


def array_delimiter(values: Iterable[Any]) -> str:
    """The first of :data:`DELIMITERS` that no item of the lists among ``values`` holds."""
    used = {char for value in values if isinstance(value, (list, tuple))
            for item in value for char in str(item) if char in _DELIMITER_SET}
    for delimiter in DELIMITERS:
        if delimiter not in used:
            return delimiter
    raise UsageError("cannot write CSV lists: every possible array delimiter occurs in the data")


_DELIMITER_SET = frozenset(DELIMITERS)


def _refuse_collisions(what: str, becomes: str, ids: Iterable[str], convert: Callable[[str], str]) -> None:
    """UsageError when two different ``ids`` convert to the same Neo4j name."""
    seen: dict[str, set[str]] = {}
    for value in ids:
        seen.setdefault(convert(value), set()).add(value)
    clashes = sorted((name, sorted(values)) for name, values in seen.items() if len(values) > 1)
    if clashes:
        name, values = clashes[0]
        raise UsageError(f"cannot export CSV for Neo4j: {what} {' and '.join(shown(v) for v in values)} would "
                         f"all become the {becomes} {name}; rename one of them in schema.yaml")


def _import_note(delimiter: str, exact_cells: bool) -> str:
    code = f"U+{ord(delimiter):04X}"
    return (f"Lists in nodes.csv and edges.csv are joined with {delimiter!r} ({code}), not ';', because a list "
            f"item holds a ';'.\nImport into Neo4j with:\n\n    neo4j-admin database import full "
            f"--array-delimiter={code} --nodes=nodes.csv --relationships=edges.csv neo4j\n"
            + ("" if exact_cells else "\nExport with --exact-cells first: these cells are spreadsheet-safe "
                                       "(a leading ' before = + - @).\n"))


def neo4j_label(entity_type: str) -> str:
    """A type id as a Neo4j label: ``person`` -> ``Person``, ``news-org`` -> ``NewsOrg``."""
    words = _WORD.findall(entity_type or "")
    return "".join(word[:1].upper() + word[1:] for word in words) or "Entity"


def neo4j_type(relation: str) -> str:
    """A relation id as a Neo4j relationship type: ``met_with`` -> ``MET_WITH``."""
    return "_".join(_WORD.findall(relation or "")).upper() or "RELATED_TO"


def _node_rows(G: nx.MultiDiGraph) -> tuple[list[str], list[list[Any]]]:
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
    return header, rows


def _edge_rows(G: nx.MultiDiGraph) -> tuple[list[str], list[list[Any]]]:
    claims = claim_columns(G)
    rows = [
        [subject, obj, neo4j_type(str(data.get("relation") or "")), fact_id,
         *(column_value(G, data, f) for f in _EDGE_COLUMNS + claims)]
        for subject, obj, fact_id, data in edges_in_order(G)
    ]
    return [*EDGE_HEADER, *(_header(f) for f in claims)], rows


def _csv_bytes(header: list[str], rows: Iterable[list[Any]], cell: Callable[[Any], str]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows([cell(value) for value in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


def _cell(value: Any, delimiter: str, safe: bool) -> str:
    """One value as cell text: lists joined with ``delimiter``, line breaks as ``\\n``, None empty;
    when ``safe``, text that a spreadsheet would run as a formula starts with ``'``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_number(value)  # a number, even -3, is not a formula
    text = flatten_value(value, delimiter)
    if not text:
        return ""
    if safe and text.startswith(FORMULA_STARTS):
        text = "'" + text
    return clean_unicode(text).replace("\r\n", "\n").replace("\r", "\n")
