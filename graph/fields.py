"""Every field of every record, declared once, and the field-level checks that read them.

The declaration (``DATASET_FIELDS``, ``SOURCE_FIELDS``, ``ENTITY_FIELDS``, ``FACT_FIELDS`` and the
attributes the graph adds: ``RELATION_FIELDS``, ``RECORD_FIELDS``, the derived export columns) is
data that the loader, the graph model, the queries and every exporter iterate: a field added here
is loaded, kept in the graph and exported. :class:`Checker` holds the checks (slugs, text, dates,
unknown keys) shared with the schema.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .dates import PARTIAL_DATE, date_bounds
from .errors import DataError
from .names import ascii_slug
from .yamlfile import Marked, MarkedList, Plain, printable, shown

__all__ = [
    "SLUG", "TOKEN", "FACT_ID", "METRICS_KEY", "Checker", "suggest", "scalar_value",
    "shown", "printable",
    "KINDS", "Field", "DATASET_FIELDS", "SOURCE_FIELDS", "ENTITY_FIELDS", "FACT_FIELDS", "RELATION_FIELDS",
    "RESOLUTION_FIELDS", "TOUR_FIELDS", "MERGE_FIELDS",
    "RECORD_FIELDS", "NODE_FIELDS", "EDGE_FIELDS", "NODE_DERIVED_FIELDS", "EDGE_DERIVED_FIELDS", "METRIC_FIELDS",
    "CLAIM_FIELDS", "STATEMENT_FIELDS",
    "NODE_LABEL", "EDGE_LABEL", "field_names", "export_columns", "read_field", "read_fields",
]

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")       # entity and source ids
TOKEN = re.compile(r"[a-z][a-z0-9_]*\Z")                # type, relation and certainty ids
FACT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")   # fact ids: valid XML NMTOKENs
_YAML_TYPE_NAMES = {dict: "a mapping", list: "a list", Marked: "a mapping", MarkedList: "a list"}


def suggest(word: str, candidates: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest candidate, or an empty string."""
    if len(word) > 100:  # no name is that long; and difflib's work grows with the word
        return ""
    import difflib  # only when something is misspelt: not on a query's way

    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def slug_of(text: str) -> str | None:
    """``text`` as an id would write it ("Germany" → "germany", "São Tomé" → "sao-tome"), or None."""
    made = ascii_slug(text)
    return made if made and len(made) <= 64 and SLUG.match(made) and made != text else None


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    for cls, name in _YAML_TYPE_NAMES.items():
        if type(value) is cls:
            return name
    return shown(value)


class Checker:
    """Collects errors while shape-checking the records of one file."""

    def __init__(self, path: str, errors: list[DataError]):
        self.path = path
        self.errors = errors

    def error(self, line: int, column: int, message: str) -> None:
        self.errors.append(DataError(self.path, line, column, message))

    def at(self, record: Marked, key: str, message: str) -> None:
        """An error about the value of ``key`` in ``record``."""
        self.error(*record.mark_of(key), message)

    def mapping(self, value: Any, line: int, column: int, what: str) -> Marked | None:
        if isinstance(value, Marked):
            return value
        self.error(line, column, f"{what} must be a mapping (key: value), found {_kind(value)}")
        return None

    def sequence(self, value: Any, line: int, column: int, what: str) -> MarkedList | None:
        if isinstance(value, MarkedList):
            return value
        self.error(line, column, f"{what} must be a list (- item), found {_kind(value)}")
        return None

    def unknown_keys(self, record: Marked, allowed: Iterable[str], what: str) -> None:
        allowed = allowed if isinstance(allowed, tuple) else tuple(allowed)
        for key in record:
            if key not in allowed:
                meant = next((name for name in MEANT_BY.get(str(key).strip().lower(), ()) if name in allowed), None)
                self.error(*record.key_mark_of(key),
                           f"unknown key {shown(key)} in {what}"
                           f"{f' (did you mean {meant!r}?)' if meant else suggest(key, allowed)}; "
                           f"allowed: {', '.join(allowed)}")

    def required(self, record: Marked, keys: Iterable[str], what: str) -> bool:
        ok = True
        for key in keys:
            value = record.get(key)
            if value is None or (isinstance(value, (str, MarkedList)) and not (value.strip() if
                                                                                isinstance(value, str) else value)):
                self.error(record.line, record.column,
                           f"{what} is missing {key!r}" if key not in record else f"{what} has an empty {key!r}")
                ok = False
        return ok

    def text(self, record: Marked, key: str, what: str) -> str | None:
        value = record.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            text = str(value).strip()
            return text or None
        self.at(record, key, f"{key!r} of {what} must be text, found {_kind(value)}")
        return None

    def slug(self, record: Marked, key: str, what: str, pattern: re.Pattern[str] = SLUG) -> str | None:
        value = self.text(record, key, what)
        if value is None:
            return None
        if not pattern.match(value):
            meant = slug_of(value) if pattern is SLUG else None
            hint = (f"lowercase letters, digits and single hyphens: did you mean {meant!r}?" if meant
                    else "lowercase letters, digits and single hyphens, e.g. 'kirill-dmitriev'" if pattern is SLUG
                    else "lowercase letters, digits and underscores" if pattern is TOKEN
                    else "letters, digits, '.', '_' and '-'")
            self.at(record, key, f"{key!r} {shown(value)} of {what} is not a valid id ({hint})")
            return None
        return value

    def text_list(self, record: Marked, key: str, what: str) -> list[str]:
        """A list of texts; a single text is accepted as a list of one."""
        value = record.get(key)
        if value is None:
            return []
        if isinstance(value, str):
            return [str(value).strip()] if str(value).strip() else []
        if not isinstance(value, MarkedList):
            self.at(record, key, f"{key!r} of {what} must be a list of texts, found {_kind(value)}")
            return []
        items = []
        for item, (line, column) in zip(value, value.marks):
            if isinstance(item, str) and str(item).strip():
                items.append(str(item).strip())
            else:
                self.error(line, column, f"each item of {key!r} in {what} must be text, found {_kind(item)}")
        return items

    def date(self, record: Marked, key: str, what: str) -> str | None:
        value = record.get(key)
        if value is None:
            return None
        text = str(value).strip() if isinstance(value, str) else None
        if text is None or not PARTIAL_DATE.match(text):
            self.at(record, key, f"{key!r} of {what} must be a date as YYYY, YYYY-MM or YYYY-MM-DD, "
                                 f"found {_kind(value)}")
            return None
        try:
            date_bounds(text)
        except ValueError as exc:
            self.at(record, key, f"{key!r} of {what} is not a real date: {text} ({exc})")
            return None
        return text

    def flag(self, record: Marked, key: str, what: str, default: bool = False) -> bool:
        value = record.get(key)
        if value is None:
            return default
        if isinstance(value, Plain) and value.tag == "bool":
            return value.lower() in ("true", "yes", "on", "y")
        self.at(record, key, f"{key!r} of {what} must be true or false, found {_kind(value)}")
        return default

    def attributes(self, record: Marked, key: str, what: str) -> dict[str, Any]:
        """Free attributes: key → text, number, true/false, or a list of those (see :func:`scalar_value`)."""
        value = record.get(key)
        if value is None:
            return {}
        mapping = self.mapping(value, *record.mark_of(key), f"{key!r} of {what}")
        if mapping is None:
            return {}
        result = {}
        for name, item in mapping.items():
            if isinstance(item, MarkedList):
                values = [scalar_value(x) for x in item]
                if any(isinstance(x, (dict, list)) for x in values):
                    self.at(mapping, name, f"attribute {shown(name)} of {what} may hold texts, numbers or "
                                           "true/false, or a list of those; not nested structures")
                    continue
                result[name] = values
            elif isinstance(item, Marked):
                self.at(mapping, name, f"attribute {shown(name)} of {what} may hold texts, numbers or true/false, "
                                       "or a list of those; not a mapping")
            elif item is not None:
                result[name] = scalar_value(item)
        return result


MAX_EXACT_INT = 2**53 - 1  # beyond it, JavaScript (the page, D3, sigma.js) and every double reader round
_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]{0,15})\Z")
_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]{0,15})\.[0-9]{1,16}\Z")


def scalar_value(value: Any) -> Any:
    """A free attribute's value: what the curator typed, never YAML 1.1's reading of it.

    Only ``true`` and ``false`` are booleans; only plain decimal numbers written the way they
    read back are numbers: integers within ±(2**53 − 1) without leading zeros or sign (``-`` is
    fine), and decimals such as ``2.5`` or ``-0.75`` that a float holds exactly as written (``1.10``,
    ``+49``, ``007``, ``0x1F``, ``1e3``, ``1_000``, ``NO``, ``.nan`` stay text). Quoted values
    and anything else stay text as written.
    """
    if not isinstance(value, Plain):
        return value
    text = str(value)
    if text in ("true", "false"):
        return text == "true"
    if _INTEGER.match(text):
        number = int(text)
        return number if abs(number) <= MAX_EXACT_INT and text != "-0" else text
    if _DECIMAL.match(text):
        decimal = float(text)
        return decimal if repr(decimal) == text else text
    return text


# ---------------------------------------------------------------- the declaration of every field

KINDS = ("slug", "token", "fact_id", "text", "url", "text_list", "date", "attributes", "flag", "integer", "number")
"""What a field holds: an id (``slug``), a vocabulary id (``token``), a fact id, free text, an
``http(s)`` address, a list of texts, a partial date, free attributes, yes/no, a whole number, a
decimal number (computed columns only)."""


@dataclass(frozen=True)
class Field:
    """One field of a record: its key, what it holds, whether it must be there, how it is exported."""

    name: str
    kind: str
    required: bool = False
    linked: bool = False  # phase 2 checks it against other records (its place is kept for messages)
    column: bool = True  # a column of its own in GraphML, GEXF and CSV; False: each format writes it its own way
    after: str | None = None  # exports place its column right after this one (default: where it is declared)
    brief: bool = False  # part of the record's short form (a source as cited under a fact)
    meant_by: tuple[str, ...] = ()  # keys written by mistake for this one: "did you mean" suggests it
    refers: str | None = None  # what the value names: "entity", "type", "relation", "certainty", "source"
    doc: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"field {self.name!r}: unknown kind {self.kind!r}; kinds: {', '.join(KINDS)}")


DATASET_FIELDS: tuple[Field, ...] = (
    Field("name", "text", required=True, doc="the data set's name, shown as the page title"),
    Field("date", "date", doc="the data set's 'as of' date"),
    Field("description", "text"),
)
"""Keys of the ``dataset`` section of a fact file."""

SOURCE_FIELDS: tuple[Field, ...] = (
    Field("id", "slug", required=True, linked=True, brief=True),
    Field("title", "text", required=True, brief=True),
    Field("publisher", "text", brief=True),
    Field("published", "date", brief=True),
    Field("url", "url", brief=True),
    Field("reprinted_by", "text"),
    Field("accessed", "date"),
    Field("note", "text"),
)
"""Keys of each item of ``sources``: the source registry that facts cite."""

ENTITY_FIELDS: tuple[Field, ...] = (
    Field("id", "slug", required=True, linked=True, column=False, doc="the node id"),
    Field("type", "token", required=True, linked=True, refers="type", doc="an entity type of the schema"),
    Field("name", "text", required=True, linked=True, column=False, doc="the node label"),
    Field("aliases", "text_list", linked=True),
    Field("description", "text"),
    Field("country", "slug", linked=True, refers="entity", doc="the id of a country entity"),
    Field("start", "date", meant_by=("date", "born", "founded", "from", "since", "began", "started")),
    Field("end", "date", meant_by=("died", "dissolved", "until", "to", "ended")),
    Field("attributes", "attributes", column=False, doc="free attributes: one column attr.<name> each"),
)
"""Keys of each item of ``entities``; one node per entity."""

FACT_FIELDS: tuple[Field, ...] = (
    Field("id", "fact_id", linked=True, column=False, doc="the edge id; subject.relation.object when absent"),
    Field("subject", "slug", required=True, linked=True, column=False, refers="entity", doc="the edge's source"),
    Field("relation", "token", required=True, linked=True, refers="relation", doc="a relation of the schema"),
    Field("object", "slug", required=True, linked=True, column=False, refers="entity", doc="the edge's target"),
    Field("sources", "text_list", required=True, linked=True, doc="ids of the sources that state the fact"),
    Field("quote", "text", meant_by=("quotation", "citation", "excerpt")),
    Field("start", "date", meant_by=("date", "on", "from", "since", "began", "started", "when")),
    Field("end", "date", meant_by=("until", "to", "ended", "till")),
    Field("certainty", "token", required=True, linked=True, after="symmetric", refers="certainty"),
    Field("note", "text"),
)
"""Keys of each item of ``facts``; one edge per fact."""

RESOLUTION_FIELDS: tuple[Field, ...] = (
    Field("same", "text_list", linked=True, refers="entity",
          doc="ids of one thing written as several entities; the first is the id they are merged under"),
    Field("different", "text_list", linked=True, refers="entity",
          doc="ids of entities that are not the same thing: never proposed again by dedupe"),
    Field("note", "text", doc="why, in words"),
)
"""Keys of each item of ``resolutions``: a curator's judgement that entities are, or are not, the same."""

TOUR_FIELDS: tuple[Field, ...] = (
    Field("title", "text", required=True, doc="the step's heading, a few words"),
    Field("caption", "text", required=True, doc="the curator's words for the step, shown beside the graph"),
    Field("entities", "text_list", linked=True, refers="entity", doc="ids of the entities the step shows"),
    Field("path", "text_list", linked=True, refers="entity",
          doc="two entity ids: the step shows the shortest paths between them"),
    Field("facts", "text_list", linked=True, refers="fact", doc="ids of the facts the step highlights"),
)
"""Keys of each step of ``tour``: a guided reading of the graph, one step at a time, in order."""

MERGE_FIELDS: tuple[Field, ...] = (
    Field("merged_ids", "text_list", doc="the ids merged into this entity by a 'same' resolution"),
)
"""Node attributes a merge adds (empty for an entity written once)."""

RELATION_FIELDS: tuple[Field, ...] = (
    Field("label", "text", after="relation", doc="the relation's wording, subject to object"),
    Field("inverse", "text", after="label", doc="the wording from object to subject"),
    Field("symmetric", "flag", after="inverse"),
    Field("momentary", "flag", after="symmetric",
          doc="a happening: with only a start, within that start's period; else a state, open-ended"),
)
"""Edge attributes copied from the fact's relation in the schema."""

RECORD_FIELDS: tuple[Field, ...] = (
    Field("file", "text", doc="the fact file, relative to the data folder"),
    Field("line", "integer", doc="the line where the record starts"),
)
"""Node and edge attributes saying where the record was written."""

MEANT_BY: dict[str, tuple[str, ...]] = {}
"""A key written by mistake → the fields it may mean (``date`` → ``start``), from ``Field.meant_by``."""
for _field in (*DATASET_FIELDS, *SOURCE_FIELDS, *ENTITY_FIELDS, *FACT_FIELDS, *RESOLUTION_FIELDS):
    for _mistake in _field.meant_by:
        MEANT_BY[_mistake] = tuple(dict.fromkeys((*MEANT_BY.get(_mistake, ()), _field.name)))

NODE_FIELDS: tuple[Field, ...] = ENTITY_FIELDS + MERGE_FIELDS + RECORD_FIELDS
"""Every attribute of a node, in order."""

EDGE_FIELDS: tuple[Field, ...] = FACT_FIELDS + RELATION_FIELDS + RECORD_FIELDS
"""Every attribute of an edge, in order."""

NODE_DERIVED_FIELDS: tuple[Field, ...] = (
    Field("type_label", "text", after="type", doc="the entity type's label in the schema"),
    Field("color", "text", after="type_label", doc="the entity type's #rrggbb colour"),
)
"""Node columns that exports compute from the schema (see graph.export.flatten)."""

EDGE_DERIVED_FIELDS: tuple[Field, ...] = (
    Field("source_titles", "text_list", after="sources", doc="titles of the cited sources"),
)
"""Edge columns that exports compute from the source registry (see graph.export.flatten)."""

METRICS_KEY = "metrics"
"""``G.graph[METRICS_KEY]``: the metric columns the nodes carry (``export … --metrics``)."""
STATEMENT_FIELDS: tuple[Field, ...] = tuple(
    f for f in FACT_FIELDS if f.refers not in ("entity", "relation")) + RECORD_FIELDS
"""What the graph keeps of each statement of a claim stated several times (``statements``): the fact's
fields but its ends and relation (the claim's), and where it is written."""

CLAIM_FIELDS: tuple[Field, ...] = (
    Field("statement_count", "integer", doc="how many statements state the claim (each a source's fact entry)"),
    Field("statements", "text", doc="the statements as JSON: id, sources, quote, start, end, certainty, note, file, line"),
)
"""Edge columns of the file exports when some claim is stated more than once (``statements``)."""

METRIC_FIELDS: tuple[Field, ...] = (
    Field("degree", "integer", doc="how many distinct entities it shares a fact with"),
    Field("betweenness", "number", doc="share of shortest paths between other entities through it"),
    Field("pagerank", "number", doc="PageRank of the undirected graph of facts"),
    Field("community", "integer", doc="its cluster's number (1 = the largest), as `tieline clusters`"),
)
"""Node columns that ``export … --metrics`` adds, computed by :func:`graph.analysis.node_metrics`."""

NODE_LABEL = "name"
"""The node attribute that formats show as the node's label."""

EDGE_LABEL = "label"
"""The edge attribute that formats show as the edge's label."""


def field_names(fields: Iterable[Field]) -> tuple[str, ...]:
    """The keys of ``fields``, in order."""
    return tuple(f.name for f in fields)


def export_columns(fields: Iterable[Field]) -> tuple[Field, ...]:
    """The fields exported as columns, in column order: declaration order, each ``after`` honoured."""
    fields = [f for f in fields if f.column]
    order = [f for f in fields if f.after is None]
    waiting = [f for f in fields if f.after is not None]
    while waiting:
        placed = [f for f in waiting if f.after in field_names(order)]
        if not placed:
            raise ValueError(f"field {waiting[0].name!r} comes after {waiting[0].after!r}, "
                             "which is not an exported column")
        for f in placed:
            order.insert(field_names(order).index(f.after) + 1, f)
        waiting = [f for f in waiting if f not in placed]
    return tuple(order)


def _read_url(check: Checker, record: Marked, key: str, what: str) -> str | None:
    url = check.text(record, key, what)
    if url and not url.lower().startswith(("http://", "https://")):
        check.at(record, key, f"{key!r} of {what} must start with http:// or https://, found {shown(url)}")
        return None
    return url


def _read_integer(check: Checker, record: Marked, key: str, what: str) -> int | None:
    value = record.get(key)
    number = scalar_value(value)
    if value is None or (isinstance(number, int) and not isinstance(number, bool)):
        return number
    check.at(record, key, f"{key!r} of {what} must be a whole number, found {_kind(value)}")
    return None


_READERS: dict[str, Any] = {
    "slug": functools.partial(Checker.slug, pattern=SLUG), "token": functools.partial(Checker.slug, pattern=TOKEN),
    "fact_id": functools.partial(Checker.slug, pattern=FACT_ID), "text": Checker.text, "url": _read_url,
    "text_list": Checker.text_list, "date": Checker.date, "attributes": Checker.attributes, "flag": Checker.flag,
    "integer": _read_integer, "number": _read_integer,  # "number" is only ever computed, never read
}
"""How each kind of field is read: ``reader(check, record, key, what)``."""


def read_field(check: Checker, record: Marked, field: Field, what: str) -> Any:
    """The value of ``field`` in ``record`` as its kind reads it; a problem is reported and read as empty."""
    return _READERS[field.kind](check, record, field.name, what)


def read_fields(check: Checker, record: Marked, fields: Iterable[Field], what: str) -> dict[str, Any]:
    """Every field of ``record`` read by :func:`read_field`; a period that ends before it starts is reported."""
    values = {f.name: _READERS[f.kind](check, record, f.name, what) for f in fields}  # read_field, inlined
    start, end = values.get("start"), values.get("end")
    if start and end and date_bounds(end)[1] < date_bounds(start)[0]:
        check.at(record, "end", f"{what} ends ({end}) before it starts ({start})")
    return values


def new_record(fields: tuple[Field, ...], **values: Any) -> dict[str, Any]:
    """A record written by tieline itself (an import), keys in declaration order; an unknown key is a bug."""
    names = field_names(fields)
    unknown = set(values) - set(names)
    if unknown:
        raise ValueError(f"not declared fields: {', '.join(sorted(unknown))}")
    return {name: values[name] for name in names if name in values}

