"""The vocabulary held in ``schema.yaml``: entity types, relations and certainty levels.

The data folder's own ``schema.yaml`` is the root schema. A ``schema.yaml`` in a subfolder
(``imports/sanctions/schema.yaml``, written by ``tieline import ftm``) is a *fragment*: its entity
types, relations and certainty levels are added to the root's (:func:`build_schema`). A fragment
may repeat a definition word for word, and may widen the types a relation connects (its
``subject``/``object`` lists are joined); any other difference for the same id is an error naming
both files. Nothing in a fragment replaces a definition.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from .errors import DataError
from .fields import TOKEN, Checker, shown, suggest
from .style import SHAPES, is_color, is_shape
from .yamlfile import Marked

__all__ = ["EntityType", "Relation", "Schema", "read_schema", "build_schema", "is_schema_file", "empty_mapping",
           "SCHEMA_FILE"]

SCHEMA_FILE = "schema.yaml"
_DEFAULT_COLORS = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7",
                   "#9c755f", "#bab0ac")


@dataclass(frozen=True)
class EntityType:
    id: str
    label: str
    color: str
    shape: str
    description: str | None = None
    article: str | None = None
    """"the" when names of this type take it in a sentence ("advises the Kremlin")."""
    start_label: str | None = None
    """How an entity's start is worded ("born", "founded"); "since" when None."""
    end_label: str | None = None
    """How its end is worded ("died", "dissolved")."""


@dataclass(frozen=True)
class Relation:
    id: str
    label: str
    inverse: str
    symmetric: bool
    subject: tuple[str, ...]
    object: tuple[str, ...]
    allow_self: bool = False
    description: str | None = None
    momentary: bool = False
    """Facts of this relation are happenings (a meeting, a signing): with only a start, they happened
    within that start's period. Otherwise they are states: an open end is unbounded (graph.dates)."""


@dataclass
class Schema:
    entity_types: dict[str, EntityType] = field(default_factory=dict)
    relations: dict[str, Relation] = field(default_factory=dict)
    certainty: dict[str, str] = field(default_factory=dict)

    def as_graph_data(self) -> dict[str, Any]:
        """The vocabulary as plain dicts, for ``G.graph``."""
        return {
            "entity_types": {t.id: {"label": t.label, "color": t.color, "shape": t.shape,
                                    "description": t.description,
                                    **{k: v for k in ("article", "start_label", "end_label")
                                       if (v := getattr(t, k)) is not None}}
                             for t in self.entity_types.values()},
            "relations": {r.id: {"label": r.label, "inverse": r.inverse, "symmetric": r.symmetric,
                                 "subject": list(r.subject), "object": list(r.object),
                                 "allow_self": r.allow_self, "description": r.description,
                                 "momentary": r.momentary}
                          for r in self.relations.values()},
            "certainty": dict(self.certainty),
        }


def is_schema_file(rel: str) -> bool:
    """Whether a data-relative path (forward slashes) is a schema: the root one or a fragment in a subfolder."""
    return rel == SCHEMA_FILE or rel.endswith("/" + SCHEMA_FILE)


def build_schema(documents: list[tuple[str, Any]], errors: list[DataError]) -> Schema:
    """The root schema (``documents[0]``, ``(path, parsed document)``) with every fragment after it merged in."""
    (root_path, root_document), fragments = documents[0], documents[1:]
    schema = read_schema(root_document, root_path, errors)
    origins = _origins(root_document, root_path)
    read = [(path, document, read_schema(document, path, errors, fragment=True)) for path, document in fragments]
    for path, document, fragment in read:
        _merge(schema, origins, fragment, path, _origins(document, path), errors)
    for path, document, fragment in read:  # relation ends may name types of the root or of any fragment
        marks = _origins(document, path)
        for relation in fragment.relations.values():
            for end in ("subject", "object"):
                for type_id in getattr(relation, end):
                    if type_id not in schema.entity_types:
                        _, line, column = marks.get(("relation", relation.id), (path, 0, 0))
                        errors.append(DataError(path, line, column, f"relation {relation.id!r}: unknown entity "
                                                f"type {shown(type_id)} as {end}{suggest(type_id, schema.entity_types)}"))
    return schema


_SECTIONS = (("entity type", "entity_types"), ("certainty level", "certainty"), ("relation", "relations"))


def _origins(document: Any, path: str) -> dict[tuple[str, str], tuple[str, int, int]]:
    """(kind, id) → (path, line, column) of each definition in a schema document."""
    found: dict[tuple[str, str], tuple[str, int, int]] = {}
    for kind, section in _SECTIONS:
        part = document.get(section) if isinstance(document, Marked) else None
        if isinstance(part, Marked):
            for key in part:
                found[(kind, str(key))] = (path, *part.key_mark_of(key))
    return found


def _merge(schema: Schema, origins: dict[tuple[str, str], tuple[str, int, int]], fragment: Schema, path: str,
           marks: dict[tuple[str, str], tuple[str, int, int]], errors: list[DataError]) -> None:
    """Add ``fragment``'s definitions to ``schema``; a different definition of a known id is an error."""
    for kind, section in _SECTIONS:
        mine, theirs = getattr(schema, section), getattr(fragment, section)
        for key, value in theirs.items():
            where = marks.get((kind, key), (path, 0, 0))
            if key not in mine:
                mine[key] = value
                origins[(kind, key)] = where
                continue
            merged = _joined(mine[key], value)
            if merged is None:
                first = origins.get((kind, key), ("?", 0, 0))
                errors.append(DataError(*where, f"{kind} {key!r} is already defined differently in "
                                                f"{first[0]}:{first[1]}; a schema fragment can add ids, "
                                                "not change them (use another id, or the same definition)"))
            else:
                mine[key] = merged


def _joined(first: Any, second: Any) -> Any:
    """The two definitions as one (a relation's allowed types joined), or None when they differ."""
    if isinstance(first, Relation) and isinstance(second, Relation):
        if replace(second, subject=first.subject, object=first.object) != first:
            return None
        return replace(first, subject=tuple(dict.fromkeys(first.subject + second.subject)),
                       object=tuple(dict.fromkeys(first.object + second.object)))
    return first if first == second else None


def read_schema(document: Any, path: str, errors: list[DataError], fragment: bool = False) -> Schema:
    """Check a parsed ``schema.yaml`` and return the vocabulary, appending any problems to ``errors``.

    A ``fragment`` (a subfolder's schema.yaml) may leave sections out or be empty, and its relations
    may name entity types defined elsewhere (:func:`build_schema` checks them once all are merged).
    """
    check = Checker(path, errors)
    schema = Schema()
    if document is None:
        if not fragment:
            check.error(1, 1, "the schema is empty: it needs entity_types, relations and certainty")
        return schema
    root = check.mapping(document, 1, 1, "the schema")
    if root is None:
        return schema
    check.unknown_keys(root, ("entity_types", "relations", "certainty"), "the schema")
    for section in ("entity_types", "relations", "certainty") if not fragment else ():
        if section == "relations" and isinstance(root.get(section), dict):
            continue  # `relations: {}`, written: a data set of things alone (e.g. an FtM list of people)
        if not root.get(section):
            check.error(root.line, root.column, f"the schema needs a non-empty {section!r} section")
    types = check.mapping(root.get("entity_types") or empty_mapping(), *root.mark_of("entity_types"),
                          "'entity_types'")
    for index, (type_id, spec) in enumerate((types or {}).items()):
        entity_type = _entity_type(check, types, type_id, spec, index)
        if entity_type:
            schema.entity_types[type_id] = entity_type
    levels = check.mapping(root.get("certainty") or empty_mapping(), *root.mark_of("certainty"), "'certainty'")
    for level, description in (levels or {}).items():
        if not _is_token(check, levels, level, "certainty level"):
            continue
        schema.certainty[level] = check.text(levels, level, f"certainty {level!r}") or ""
    relations = check.mapping(root.get("relations") or empty_mapping(), *root.mark_of("relations"),
                              "'relations'")
    for relation_id, spec in (relations or {}).items():
        relation = _relation(check, relations, relation_id, spec, schema, fragment)
        if relation:
            schema.relations[relation_id] = relation
    return schema


def empty_mapping() -> Marked:
    """An empty mapping with no position, for absent sections."""
    empty = Marked()
    empty.line, empty.column, empty.marks = 0, 0, {}
    return empty


def _is_token(check: Checker, parent: Marked, key: str, kind: str) -> bool:
    """Whether ``key`` is a valid type or relation id; if not, say so at the key."""
    if TOKEN.match(key):
        return True
    check.error(*parent.key_mark_of(key), f"{kind} {shown(key)} is not a valid id "
                                          "(lowercase letters, digits and underscores)")
    return False


def _entity_type(check: Checker, parent: Marked, type_id: str, spec: Any, index: int) -> EntityType | None:
    if not _is_token(check, parent, type_id, "entity type"):
        return None
    what = f"entity type {type_id!r}"
    if spec is None:
        spec = empty_mapping()
        spec.line, spec.column = parent.mark_of(type_id)
    record = check.mapping(spec, *parent.mark_of(type_id), what)
    if record is None:
        return None
    check.unknown_keys(record, ("label", "color", "shape", "description", "article", "start_label", "end_label"),
                       what)
    color = check.text(record, "color", what) or _DEFAULT_COLORS[index % len(_DEFAULT_COLORS)]
    if not is_color(color):
        check.at(record, "color", f"'color' of {what} must be like '#4e79a7', found {shown(color)}")
    shape = check.text(record, "shape", what) or "dot"
    if not is_shape(shape):
        check.at(record, "shape", f"'shape' of {what} must be one of {', '.join(SHAPES)}, found {shown(shape)}")
    return EntityType(type_id, check.text(record, "label", what) or type_id.replace("_", " ").capitalize(),
                      color.lower(), shape, check.text(record, "description", what),
                      check.text(record, "article", what), check.text(record, "start_label", what),
                      check.text(record, "end_label", what))


def _relation(check: Checker, parent: Marked, relation_id: str, spec: Any, schema: Schema,
              fragment: bool = False) -> Relation | None:
    if not _is_token(check, parent, relation_id, "relation"):
        return None
    what = f"relation {relation_id!r}"
    record = check.mapping(spec, *parent.mark_of(relation_id), what)
    if record is None:
        return None
    check.unknown_keys(record, ("label", "inverse", "symmetric", "momentary", "subject", "object", "allow_self",
                                "description", "active"), what)
    symmetric = check.flag(record, "symmetric", what)
    label = check.text(record, "label", what) or relation_id.replace("_", " ")
    inverse = check.text(record, "inverse", what)
    if check.flag(record, "active", what):  # no passive wording: read subject first from both sides
        if inverse is not None:
            check.at(record, "inverse", f"{what} is 'active' (worded subject first from both sides): "
                                        "remove its 'inverse'")
        inverse = ""
    elif inverse is None:
        if not symmetric:
            check.error(record.line, record.column, f"{what} is missing 'inverse' (the wording from object "
                                                    "to subject, e.g. 'is headed by'); or mark it symmetric, or "
                                                    "'active: true' to word it subject first from both sides")
        inverse = label
    ends = {}
    for end in ("subject", "object"):
        types = check.text_list(record, end, what)
        if not types and end not in record:
            check.error(record.line, record.column, f"{what} is missing {end!r}: the entity types allowed")
        for type_id in types:
            if type_id not in schema.entity_types and not fragment:
                check.at(record, end, f"{what}: unknown entity type {shown(type_id)} as {end}"
                                      f"{suggest(type_id, schema.entity_types)}")
        ends[end] = tuple(types)
    return Relation(relation_id, label, inverse, symmetric, ends["subject"], ends["object"],
                    check.flag(record, "allow_self", what), check.text(record, "description", what),
                    check.flag(record, "momentary", what))
