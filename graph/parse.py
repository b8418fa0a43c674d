"""Phase 1 of a load, per file: safe YAML with marks → shape-checked records (:func:`parse_file`).

It depends only on the file's bytes, so its result can be cached per file (:mod:`graph.store`) and
computed in parallel (:mod:`graph.build`). Phase 2, the cross-file rules, is :mod:`graph.validate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import DataError
from .fields import (DATASET_FIELDS, ENTITY_FIELDS, FACT_FIELDS, RESOLUTION_FIELDS, SOURCE_FIELDS, Checker, Field,
                     field_names, printable, read_fields, shown)
from .glyphs import invisible_problem, mixed_script_problem
from .schema import is_schema_file
from .tour import tour_step
from .yamlfile import Marked, decode_text, parse_yaml_counted

__all__ = ["ParsedFile", "parse_file", "PARSER_VERSION", "SECTIONS", "DATASET_KEYS"]

PARSER_VERSION = "6"  # bump when parse_file's output changes, to invalidate per-file caches
SECTIONS = ("dataset", "sources", "entities", "facts", "resolutions", "tour")
DATASET_KEYS = field_names(DATASET_FIELDS)


@dataclass
class ParsedFile:
    """Phase 1's result for one file: records by section (plain dicts) and the problems found."""

    path: str  # relative to the data folder, with forward slashes
    schema_document: Any = None
    dataset: list[dict[str, Any]] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    entities: list[dict[str, Any]] = field(default_factory=list)
    facts: list[dict[str, Any]] = field(default_factory=list)
    resolutions: list[dict[str, Any]] = field(default_factory=list)
    tour: list[dict[str, Any]] = field(default_factory=list)
    errors: list[DataError] = field(default_factory=list)
    readable: bool = True  # False when the file could not be read as YAML at all: its records are unknown
    rejected: list[tuple[int, int, str, str, str]] = field(default_factory=list)
    """References refused as not ids: (line, column, message, kind, value); phase 2 may say which id was meant."""
    written: int = 0  # characters of text in the file
    repeated: int = 0  # characters its YAML aliases repeat (the whole load's budget: graph.yamlfile.repetition_error)


def parse_file(data: bytes, rel: str) -> ParsedFile:
    """Phase 1: read one file's bytes into shape-checked records."""
    parsed = ParsedFile(rel)
    text, parsed.errors = decode_text(data, rel)
    if text is None:
        parsed.readable = False
        return parsed
    document, errors, parsed.repeated = parse_yaml_counted(text, rel)
    parsed.written = len(text)
    parsed.errors.extend(errors)
    if errors:
        parsed.readable = False
        return parsed
    if is_schema_file(rel):
        parsed.schema_document = document
        return parsed
    check = Checker(rel, parsed.errors)
    if document is None:
        return parsed
    root = check.mapping(document, 1, 1, "a fact file")
    if root is None:
        return parsed
    check.unknown_keys(root, SECTIONS, "a fact file")
    if "dataset" in root:
        dataset = check.mapping(root["dataset"], *root.mark_of("dataset"), "'dataset'")
        if dataset is not None:
            parsed.dataset.append(_dataset(check, dataset))
    for section, shape in (("sources", _source), ("entities", _entity), ("facts", _fact),
                           ("resolutions", _resolution), ("tour", tour_step)):
        if section not in root or root[section] is None:
            continue
        items = check.sequence(root[section], *root.mark_of(section), repr(section))
        for item, (line, column) in zip(items or (), (items.marks if items else ())):
            record = check.mapping(item, line, column, f"each item of {section!r}")
            if record is not None:
                shaped = shape(check, record, rel, parsed.rejected)
                if shaped is not None:
                    getattr(parsed, section).append(shaped)
    return parsed


_Shape = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]
_SHAPES: dict[int, tuple[tuple[Field, ...], _Shape]] = {}


def _shape_of(fields: tuple[Field, ...]) -> _Shape:
    """What shaping a record of ``fields`` needs, worked out once per declaration: every key, the
    required keys, the linked keys (whose places are kept), the required linked keys, the id keys.

    Remembered by the declaration's identity: hashing a tuple of fields hashes every field, which
    cost more than the rest of this look-up once per record."""
    known = _SHAPES.get(id(fields))
    if known is not None and known[0] is fields:
        return known[1]
    shape = (field_names(fields), tuple(f.name for f in fields if f.required),
             tuple(f.name for f in fields if f.linked), tuple(f.name for f in fields if f.required and f.linked),
             tuple(f.name for f in fields if f.kind in ("slug", "fact_id")))
    _SHAPES[id(fields)] = (fields, shape)
    return shape


def _record(check: Checker, record: Marked, rel: str, fields: tuple[Field, ...], what: str,
            rejected: list[Any]) -> dict[str, Any] | None:
    """A record shape-checked against its declared fields, or None when phase 2 could not use it.

    A record is kept when every required field that phase 2 links is valid. A reference refused as
    not an id (``country: Russia``) is remembered in ``rejected`` for phase 2's "did you mean".
    """
    names, required, linked, needed, id_keys = _shape_of(fields)
    check.unknown_keys(record, names, what)
    check.required(record, required, what)
    shaped = {"file": rel, "line": record.line, "column": record.column,
              "marks": {name: record.mark_of(name) for name in linked if name in record}}
    found = len(check.errors)
    invisible = _invisible_ids(check, record, id_keys, what)
    shaped.update(read_fields(check, record, [f for f in fields if f.name not in invisible] if invisible else fields,
                              what))
    shaped.update(dict.fromkeys(invisible))
    if fields is ENTITY_FIELDS:
        _check_names(check, record, what)
    if len(check.errors) > found:
        _remember_rejected(check.errors[found:], record, fields, shaped, rejected)
    return shaped if all(shaped[name] for name in needed) else None


def _remember_rejected(new_errors: list[DataError], record: Marked, fields: tuple[Field, ...],
                       shaped: dict[str, Any], rejected: list[Any]) -> None:
    """Keep (line, column, message, kind, value) of each refused reference, for phase 2's hint."""
    for key, kind in ((f.name, f.refers) for f in fields if f.refers and f.kind != "text_list"):
        value = record.get(key)
        if shaped.get(key) is not None or not isinstance(value, str):
            continue
        mark = record.mark_of(key)
        for error in new_errors:
            if (error.line, error.column) == mark:
                rejected.append((error.line, error.column, error.message, kind, str(value).strip()))
                break


def _dataset(check: Checker, record: Marked) -> dict[str, Any]:
    check.unknown_keys(record, DATASET_KEYS, "'dataset'")
    check.required(record, (f.name for f in DATASET_FIELDS if f.required), "'dataset'")
    return {**read_fields(check, record, DATASET_FIELDS, "the dataset"), "file": check.path, "line": record.line,
            "column": record.column, "marks": {}}


def _source(check: Checker, record: Marked, rel: str, rejected: list[Any]) -> dict[str, Any] | None:
    what = f"source {shown(record['id'])}" if isinstance(record.get("id"), str) else "a source"
    return _record(check, record, rel, SOURCE_FIELDS, what, rejected)


def _entity(check: Checker, record: Marked, rel: str, rejected: list[Any]) -> dict[str, Any] | None:
    what = f"entity {shown(record['id'])}" if isinstance(record.get("id"), str) else "an entity"
    return _record(check, record, rel, ENTITY_FIELDS, what, rejected)


def _fact(check: Checker, record: Marked, rel: str, rejected: list[Any]) -> dict[str, Any] | None:
    what = "a fact"
    if all(isinstance(record.get(k), str) for k in ("subject", "relation", "object")):
        what = "fact '" + " ".join(printable(record[k]) for k in ("subject", "relation", "object")) + "'"
    return _record(check, record, rel, FACT_FIELDS, what, rejected)


def _resolution(check: Checker, record: Marked, rel: str, rejected: list[Any]) -> dict[str, Any] | None:
    what = "a resolution"
    shaped = _record(check, record, rel, RESOLUTION_FIELDS, what, rejected)
    if shaped is None:
        return None
    kinds = [k for k in ("same", "different") if k in record]
    if len(kinds) != 1:
        check.error(record.line, record.column, f"{what} says either 'same: [id, id, …]' or 'different: [id, id, …]'"
                                                + (", not both" if kinds else ""))
        return None
    ids = shaped[kinds[0]]
    if len(ids) < 2:
        check.at(record, kinds[0], f"'{kinds[0]}' of {what} needs two ids or more, found {len(ids)}")
        return None
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        check.at(record, kinds[0], f"'{kinds[0]}' of {what} lists {shown(repeated[0])} twice")
        return None
    return shaped


# --- what a name, alias or id may hold: no invisible characters, no lookalike letters ---------------

def _invisible_ids(check: Checker, record: Marked, id_keys: tuple[str, ...], what: str) -> set[str]:
    """The id fields (``id_keys``) of ``record`` holding an invisible character, each reported as such
    (not as a bad id)."""
    found = set()
    for key in id_keys:
        value = record.get(key)
        if isinstance(value, str):
            problem = invisible_problem(str(value))
            if problem:
                check.at(record, key, f"{key!r} {shown(value)} of {what} holds {problem}; remove it")
                found.add(key)
    return found


def _check_names(check: Checker, record: Marked, what: str) -> None:
    """Report invisible characters and words mixing lookalike alphabets in an entity's name and aliases."""
    texts = []
    if isinstance(record.get("name"), str):
        texts.append(("name", str(record["name"]), record.mark_of("name")))
    aliases = record.get("aliases")
    if isinstance(aliases, str):
        texts.append(("alias", str(aliases), record.mark_of("aliases")))
    elif isinstance(aliases, list):
        texts.extend(("alias", str(a), mark) for a, mark in zip(aliases, aliases.marks) if isinstance(a, str))
    for kind, text, (line, column) in texts:
        problem = invisible_problem(text)
        if problem:
            check.error(line, column, f"{kind} {shown(text)} of {what} holds {problem}; remove it")
        mixed = mixed_script_problem(text, shown)
        if mixed:
            check.error(line, column, f"{kind} {shown(text)} of {what} {mixed}")
