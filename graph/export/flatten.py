"""Shared helpers for the file exports: text cleaning, value flattening, stable ordering.

GraphML, GEXF and CSV hold only scalar values, so every exporter flattens the graph the
same way (this is what the README documents):

- ``None`` and empty values are left out (no ``data`` element, no ``attvalue``; an empty
  CSV cell), never written as the text ``"None"``.
- Lists (``aliases``, ``sources``, list-valued free attributes) are joined with
  ``"; "`` (:data:`LIST_SEPARATOR`); the CSV export joins with ``";"``, the array
  delimiter of ``neo4j-admin database import``.
- Booleans are ``true`` / ``false``; numbers are written as Python writes them; dates stay
  the partial ISO strings of the data (``2025``, ``2025-04``, ``2025-04-02``).
- Free entity attributes become one column each, named ``attr.<name>`` (see
  :func:`attribute_columns`), typed boolean, integer, double or string from the values
  they hold across the whole graph.
- XML cannot carry some characters at all (control characters other than tab, newline
  and carriage return, lone surrogates, U+FFFE and U+FFFF): GraphML and GEXF replace each
  with U+FFFD. UTF-8 cannot carry lone surrogates: JSON and CSV replace those with U+FFFD.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import weakref
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import networkx as nx

from ..fields import (
    EDGE_DERIVED_FIELDS,
    EDGE_FIELDS,
    EDGE_LABEL,
    CLAIM_FIELDS,
    METRIC_FIELDS,
    NODE_DERIVED_FIELDS,
    NODE_FIELDS,
    Field,
    export_columns,
 METRICS_KEY,)
from ..claims import STATEMENT_KEYS
from ..style import is_color

__all__ = [
    "LIST_SEPARATOR",
    "REPLACEMENT",
    "clean_xml_text",
    "clean_unicode",
    "xml_text",
    "xml_attr",
    "flatten_value",
    "plain_json",
    "format_number",
    "attribute_columns",
    "attribute_kind",
    "attribute_kinds",
    "nodes_in_order",
    "edges_in_order",
    "source_titles",
    "type_color",
    "rgb",
    "is_name_token",
    "entity_values",
    "fact_values",
    "NODE_COLUMNS",
    "EDGE_COLUMNS",
    "METRICS_KEY",
    "metric_columns",
    "claim_columns",
    "column_name",
    "column_value",
]

LIST_SEPARATOR = "; "
"""Separator of list items flattened into one string (GraphML, GEXF)."""

REPLACEMENT = "\ufffd"
"""What stands in for a character a format cannot carry."""

# XML 1.0 Char production: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
_XML_ILLEGAL = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_NAME_TOKEN = re.compile(r"[A-Za-z0-9._:-]+\Z")
_COLUMN_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")

NODE_COLUMNS: tuple[Field, ...] = export_columns(NODE_FIELDS + NODE_DERIVED_FIELDS)
"""Node columns of the file exports, in order (the node id, name and free attributes apart)."""

EDGE_COLUMNS: tuple[Field, ...] = export_columns(EDGE_FIELDS + EDGE_DERIVED_FIELDS)
"""Edge columns of the file exports, in order (the fact id, subject and object apart)."""



def claim_columns(G: nx.MultiDiGraph) -> tuple[Field, ...]:
    """The claim columns (after the fact's own) when some claim of the graph is stated more than once."""
    known = _CLAIMS_STATED.get(G)
    if known is None:
        known = _CLAIMS_STATED[G] = any(d.get("statements") for _, _, d in G.edges(data=True))
    return CLAIM_FIELDS if known else ()


_CLAIMS_STATED: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()
"""Whether a graph has a claim stated more than once, worked out once per graph exported."""


def statements_json(data: Mapping[str, Any]) -> str:
    """A claim's statements as one JSON text (a claim stated once: its own fields)."""
    import json

    stated = data.get("statements") or [{k: data.get(k) for k in STATEMENT_KEYS}]
    return json.dumps(stated, ensure_ascii=False, sort_keys=True)


def metric_columns(G: nx.MultiDiGraph) -> tuple[Field, ...]:
    """The metric columns (after the entity's own, before free attributes) when the graph carries them."""
    return METRIC_FIELDS if G.graph.get(METRICS_KEY) else ()


def clean_xml_text(text: str) -> str:
    """``text`` with every character XML 1.0 cannot carry replaced by U+FFFD."""
    return _XML_ILLEGAL.sub(REPLACEMENT, text)


def clean_unicode(text: str) -> str:
    """``text`` with lone surrogates (not encodable in UTF-8) replaced by U+FFFD."""
    return _SURROGATE.sub(REPLACEMENT, text)


def xml_text(text: str) -> str:
    """Cleaned ``text`` escaped for XML character data; CR survives as ``&#13;``."""
    text = clean_xml_text(text)
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\r", "&#13;")
    )


def xml_attr(text: str) -> str:
    """Cleaned ``text`` escaped for a double-quoted XML attribute, whitespace kept exactly."""
    return (
        xml_text(text)
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
        .replace("\t", "&#9;")
    )


def format_number(value: int | float) -> str:
    """A number as text: ``12``, ``0.5``, ``1e+20``; non-finite floats as ``INF``, ``-INF``, ``NaN``."""
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "INF" if value > 0 else "-INF"
        return repr(value)
    return str(int(value))


def plain_json(value: Any) -> Any:
    """``value`` made of JSON types only, strings encodable as UTF-8 (:func:`clean_unicode`): mappings
    with text keys, lists (a set sorted), finite numbers; a non-finite float as :func:`format_number`
    writes it (``INF``, ``-INF``, ``NaN``), a date in ISO form; anything else as its text."""
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, str):
        return clean_unicode(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else format_number(value)
    if isinstance(value, Mapping):
        return {clean_unicode(str(k)): plain_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_json(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((plain_json(v) for v in value), key=str)
    if isinstance(value, (_dt.date, _dt.datetime, _dt.time)):
        return value.isoformat()
    return clean_unicode(str(value))


def flatten_value(value: Any, separator: str = LIST_SEPARATOR) -> str | None:
    """One value as a readable string, or ``None`` when there is nothing to write.

    Lists are joined with ``separator`` (``None`` items skipped), mappings become
    ``key=value`` pairs in key order, booleans ``true``/``false``, dates ISO strings.
    """
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return format_number(value)
    if isinstance(value, (_dt.date, _dt.datetime, _dt.time)):
        return value.isoformat()
    if isinstance(value, Mapping):
        parts = [
            f"{key}={text}"
            for key, item in sorted(value.items(), key=lambda kv: str(kv[0]))
            if (text := flatten_value(item, separator)) is not None
        ]
        return separator.join(parts) if parts else None
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        parts = [text for item in items if (text := flatten_value(item, separator)) is not None]
        return separator.join(parts) if parts else None
    return str(value)


def attribute_kind(values: Iterable[Any]) -> str:
    """The column type that holds every value: ``boolean``, ``int``, ``long``, ``double``, ``list`` or ``string``.

    ``int`` fits 32 bits, ``long`` 64 bits; a mix of integers and floats is ``double``;
    ``list`` means every value is a list (written joined); anything else is ``string``.
    """
    kinds = set()
    for value in values:
        if value is None:
            continue
        if isinstance(value, bool):
            kinds.add("boolean")
        elif isinstance(value, int):
            if -(2**31) <= value < 2**31:
                kinds.add("int")
            elif -(2**63) <= value < 2**63:
                kinds.add("long")
            else:
                kinds.add("string")
        elif isinstance(value, float):
            kinds.add("double")
        elif isinstance(value, (list, tuple)):
            kinds.add("list")
        else:
            kinds.add("string")
    if not kinds:
        return "string"
    if len(kinds) == 1:
        return kinds.pop()
    if kinds <= {"int", "long"}:
        return "long"
    if kinds <= {"int", "long", "double"}:
        return "double"
    return "string"


def attribute_columns(G: nx.MultiDiGraph) -> dict[str, str]:
    """Free entity attribute name -> its column name ``attr.<name>``, sorted by name.

    Column names must be XML name tokens (GraphML ``attr.name``) and plain CSV headers:
    characters other than ASCII letters, digits, ``_``, ``.`` and ``-`` become ``_``; if
    two names then clash, the later one (in sorted order) gets ``-2``, ``-3``, ….
    """
    names = sorted({str(key) for _, data in G.nodes(data=True) for key in (data.get("attributes") or {})})
    columns: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        base = "attr." + (_COLUMN_UNSAFE.sub("_", name) or "_")
        column, n = base, 1
        while column in taken:
            n += 1
            column = f"{base}-{n}"
        taken.add(column)
        columns[name] = column
    return columns


def attribute_kinds(G: nx.MultiDiGraph, columns: Mapping[str, str]) -> dict[str, str]:
    """Free attribute name -> the value kind of its column across all entities (see attribute_kind)."""
    return {name: attribute_kind((data.get("attributes") or {}).get(name) for _, data in G.nodes(data=True))
            for name in columns}


def nodes_in_order(G: nx.MultiDiGraph) -> list[tuple[str, dict[str, Any]]]:
    """``(node id, attributes)`` pairs sorted by id, whatever order the graph was built in."""
    return sorted(G.nodes(data=True), key=lambda item: str(item[0]))


def edges_in_order(G: nx.MultiDiGraph) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """``(subject, object, fact id, attributes)`` sorted by fact id (then subject and object)."""
    edges = sorted(G.edges(keys=True, data=True), key=lambda e: (str(e[2]), str(e[0]), str(e[1])))
    return iter(edges)


def source_titles(G: nx.MultiDiGraph, source_ids: Iterable[str] | None) -> list[str]:
    """Titles of the cited sources that the registry knows, in citation order."""
    registry = G.graph.get("sources") or {}
    titles = []
    for source_id in source_ids or ():
        title = (registry.get(source_id) or {}).get("title")
        if title:
            titles.append(title)
    return titles


def type_color(G: nx.MultiDiGraph, entity_type: str | None) -> str | None:
    """The ``#rrggbb`` colour of an entity type from the schema, or ``None``."""
    spec = (G.graph.get("entity_types") or {}).get(entity_type) or {}
    color = spec.get("color")
    return color if is_color(color) else None


def rgb(color: str) -> tuple[int, int, int]:
    """``"#4e79a7"`` -> ``(78, 121, 167)``."""
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def is_name_token(text: object) -> bool:
    """Whether ``text`` is usable as a GraphML id (an XML NMTOKEN, ASCII only)."""
    return isinstance(text, str) and _NAME_TOKEN.match(text) is not None


def entity_values(G: nx.MultiDiGraph, data: Mapping[str, Any], dates: tuple[str, str] = ("start", "end")
                  ) -> list[tuple[str, Any]]:
    """An entity's exported attributes as (name, value) pairs, in column order (free attributes apart).

    ``dates`` names the two date columns (GEXF reserves ``start``/``end`` for its own intervals).
    """
    return [(column_name(f, dates), column_value(G, data, f)) for f in NODE_COLUMNS + metric_columns(G)]


def fact_values(G: nx.MultiDiGraph, data: Mapping[str, Any], dates: tuple[str, str] = ("start", "end")
                ) -> list[tuple[str, Any]]:
    """A fact's exported attributes as (name, value) pairs, in column order, its label apart."""
    return [(column_name(f, dates), column_value(G, data, f))
            for f in EDGE_COLUMNS + claim_columns(G) if f.name != EDGE_LABEL]


def column_name(field: Field, dates: tuple[str, str] = ("start", "end")) -> str:
    """The column of ``field``, the two date columns named by ``dates``."""
    return {"start": dates[0], "end": dates[1]}.get(field.name, field.name)


def column_value(G: nx.MultiDiGraph, data: Mapping[str, Any], field: Field) -> Any:
    """The value of one column for a node's or an edge's attributes ``data``."""
    derive = _DERIVED.get(field.name)
    if derive is not None:
        return derive(G, data)
    value = data.get(field.name)
    return bool(value) if field.kind == "flag" else value


def _type_label(G: nx.MultiDiGraph, data: Mapping[str, Any]) -> Any:
    return ((G.graph.get("entity_types") or {}).get(data.get("type")) or {}).get("label")


_DERIVED = {
    "type_label": _type_label,
    "color": lambda G, data: type_color(G, data.get("type")),
    "source_titles": lambda G, data: source_titles(G, data.get("sources")),
    "statement_count": lambda G, data: len(data.get("statements") or [data]),
    "statements": lambda G, data: statements_json(data),
}
"""How each derived column (``NODE_DERIVED_FIELDS``, ``EDGE_DERIVED_FIELDS``) is computed."""
