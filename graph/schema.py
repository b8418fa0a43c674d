"""The vocabulary held in ``schema.yaml``: entity types, relations and certainty levels."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import DataError
from .fields import TOKEN, Checker, shown, suggest
from .style import SHAPES, is_color, is_shape
from .yamlfile import Marked

__all__ = ["EntityType", "Relation", "Schema", "read_schema", "empty_mapping", "SCHEMA_FILE"]

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


@dataclass
class Schema:
    entity_types: dict[str, EntityType] = field(default_factory=dict)
    relations: dict[str, Relation] = field(default_factory=dict)
    certainty: dict[str, str] = field(default_factory=dict)

    def as_graph_data(self) -> dict[str, Any]:
        """The vocabulary as plain dicts, for ``G.graph``."""
        return {
            "entity_types": {t.id: {"label": t.label, "color": t.color, "shape": t.shape,
                                    "description": t.description} for t in self.entity_types.values()},
            "relations": {r.id: {"label": r.label, "inverse": r.inverse, "symmetric": r.symmetric,
                                 "subject": list(r.subject), "object": list(r.object),
                                 "allow_self": r.allow_self, "description": r.description}
                          for r in self.relations.values()},
            "certainty": dict(self.certainty),
        }


def read_schema(document: Any, path: str, errors: list[DataError]) -> Schema:
    """Check the parsed ``schema.yaml`` and return the vocabulary, appending any problems to ``errors``."""
    check = Checker(path, errors)
    schema = Schema()
    if document is None:
        check.error(1, 1, "the schema is empty: it needs entity_types, relations and certainty")
        return schema
    root = check.mapping(document, 1, 1, "the schema")
    if root is None:
        return schema
    check.unknown_keys(root, ("entity_types", "relations", "certainty"), "the schema")
    for section in ("entity_types", "relations", "certainty"):
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
        relation = _relation(check, relations, relation_id, spec, schema)
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
    check.unknown_keys(record, ("label", "color", "shape", "description"), what)
    color = check.text(record, "color", what) or _DEFAULT_COLORS[index % len(_DEFAULT_COLORS)]
    if not is_color(color):
        check.at(record, "color", f"'color' of {what} must be like '#4e79a7', found {shown(color)}")
    shape = check.text(record, "shape", what) or "dot"
    if not is_shape(shape):
        check.at(record, "shape", f"'shape' of {what} must be one of {', '.join(SHAPES)}, found {shown(shape)}")
    return EntityType(type_id, check.text(record, "label", what) or type_id.replace("_", " ").capitalize(),
                      color.lower(), shape, check.text(record, "description", what))


def _relation(check: Checker, parent: Marked, relation_id: str, spec: Any, schema: Schema) -> Relation | None:
    if not _is_token(check, parent, relation_id, "relation"):
        return None
    what = f"relation {relation_id!r}"
    record = check.mapping(spec, *parent.mark_of(relation_id), what)
    if record is None:
        return None
    check.unknown_keys(record, ("label", "inverse", "symmetric", "subject", "object", "allow_self",
                                "description"), what)
    symmetric = check.flag(record, "symmetric", what)
    label = check.text(record, "label", what) or relation_id.replace("_", " ")
    inverse = check.text(record, "inverse", what)
    if inverse is None:
        if not symmetric:
            check.error(record.line, record.column, f"{what} is missing 'inverse' (the wording from object "
                                                    "to subject, e.g. 'is headed by'); or mark it symmetric")
        inverse = label
    ends = {}
    for end in ("subject", "object"):
        types = check.text_list(record, end, what)
        if not types and end not in record:
            check.error(record.line, record.column, f"{what} is missing {end!r}: the entity types allowed")
        for type_id in types:
            if type_id not in schema.entity_types:
                check.at(record, end, f"{what}: unknown entity type {shown(type_id)} as {end}"
                                      f"{suggest(type_id, schema.entity_types)}")
        ends[end] = tuple(types)
    return Relation(relation_id, label, inverse, symmetric, ends["subject"], ends["object"],
                    check.flag(record, "allow_self", what), check.text(record, "description", what))
