"""Loading a data folder in two phases, so that every problem is reported at once.

Phase 1, per file (:func:`parse_file`): safe YAML with marks → shape-checked records. It depends
only on the file's bytes, so its result can be cached per file and computed in parallel.
Phase 2 (:func:`link`): resolve every reference against the schema and the other files.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import DataError, DataErrors
from .fields import (DATASET_FIELDS, ENTITY_FIELDS, FACT_FIELDS, SOURCE_FIELDS, Checker, Field, field_names,
                     printable, read_fields, shown, suggest)
from .names import id_key, name_key
from .schema import SCHEMA_FILE, Schema, read_schema
from .yamlfile import Marked, decode_text, parse_yaml

__all__ = ["FactBase", "ParsedFile", "data_files", "parse_file", "link", "load_facts", "PARSER_VERSION"]

PARSER_VERSION = "2"  # bump when parse_file's output changes, to invalidate per-file caches
SECTIONS = ("dataset", "sources", "entities", "facts")
DATASET_KEYS = field_names(DATASET_FIELDS)
_NAME_KIND = {"id": "id", "name": "name", "aliases": "alias"}


@dataclass
class ParsedFile:
    """Phase 1's result for one file: records by section (plain dicts) and the problems found."""

    path: str  # relative to the data folder, with forward slashes
    schema_document: Any = None
    dataset: list[dict[str, Any]] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    entities: list[dict[str, Any]] = field(default_factory=list)
    facts: list[dict[str, Any]] = field(default_factory=list)
    errors: list[DataError] = field(default_factory=list)
    readable: bool = True  # False when the file could not be read as YAML at all: its records are unknown


@dataclass
class FactBase:
    """A validated data folder: vocabulary, dataset description, sources, entities and facts."""

    schema: Schema
    dataset: dict[str, Any]
    sources: dict[str, dict[str, Any]]
    entities: dict[str, dict[str, Any]]
    facts: dict[str, dict[str, Any]]


def data_files(data_dir: str | os.PathLike[str]) -> list[Path]:
    """Every ``*.yaml``/``*.yml`` file under ``data_dir``, hidden files and folders skipped, sorted.

    Raises :class:`DataErrors` when one of them (or a folder) cannot be read: a broken link, a
    pipe or a device would otherwise be skipped without a word, or hang the read.
    """
    root = Path(data_dir)
    found, problems = [], []

    def unreadable_folder(exc: OSError) -> None:
        problems.append(DataError(exc.filename or os.fspath(root), 0, 0,
                                  f"cannot read this folder: {exc.strerror or exc}"))

    for folder, dirs, files in os.walk(root, onerror=unreadable_folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            if name.endswith((".yaml", ".yml")) and not name.startswith("."):
                path = Path(folder) / name
                problem = _unreadable(path)
                if problem:
                    shown_path = os.path.join(os.fspath(root), path.relative_to(root).as_posix())
                    problems.append(DataError(shown_path, 0, 0, problem))
                else:
                    found.append(path)
    if problems:
        raise DataErrors(problems)
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def _unreadable(path: Path) -> str | None:
    """Why ``path`` cannot be read as a fact file, or None."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        broken = path.is_symlink()
        return f"cannot read this file: {'a broken link: ' if broken else ''}{exc.strerror or exc}"
    if not stat.S_ISREG(mode):
        return "not a regular file (a pipe, a device or a socket); fact files must be plain files"
    if not os.access(path, os.R_OK):
        return "cannot read this file: permission denied"
    return None


def parse_file(data: bytes, rel: str) -> ParsedFile:
    """Phase 1: read one file's bytes into shape-checked records."""
    parsed = ParsedFile(rel)
    text, parsed.errors = decode_text(data, rel)
    if text is None:
        parsed.readable = False
        return parsed
    document, errors = parse_yaml(text, rel)
    parsed.errors.extend(errors)
    if errors:
        parsed.readable = False
        return parsed
    if rel == SCHEMA_FILE:
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
    for section, shape in (("sources", _source), ("entities", _entity), ("facts", _fact)):
        if section not in root or root[section] is None:
            continue
        items = check.sequence(root[section], *root.mark_of(section), repr(section))
        for item, (line, column) in zip(items or (), (items.marks if items else ())):
            record = check.mapping(item, line, column, f"each item of {section!r}")
            if record is not None:
                shaped = shape(check, record, rel)
                if shaped is not None:
                    getattr(parsed, section).append(shaped)
    return parsed


def _record(check: Checker, record: Marked, rel: str, fields: tuple[Field, ...], what: str
            ) -> dict[str, Any] | None:
    """A record shape-checked against its declared fields, or None when phase 2 could not use it.

    A record is kept when every required field that phase 2 links is valid.
    """
    check.unknown_keys(record, field_names(fields), what)
    check.required(record, (f.name for f in fields if f.required), what)
    shaped = {"file": rel, "line": record.line,
              "marks": {f.name: record.mark_of(f.name) for f in fields if f.linked and f.name in record}}
    shaped.update(read_fields(check, record, fields, what))
    return shaped if all(shaped[f.name] for f in fields if f.required and f.linked) else None


def _dataset(check: Checker, record: Marked) -> dict[str, Any]:
    check.unknown_keys(record, DATASET_KEYS, "'dataset'")
    check.required(record, (f.name for f in DATASET_FIELDS if f.required), "'dataset'")
    return {**read_fields(check, record, DATASET_FIELDS, "the dataset"), "file": check.path, "line": record.line}


def _source(check: Checker, record: Marked, rel: str) -> dict[str, Any] | None:
    what = f"source {shown(record['id'])}" if isinstance(record.get("id"), str) else "a source"
    return _record(check, record, rel, SOURCE_FIELDS, what)


def _entity(check: Checker, record: Marked, rel: str) -> dict[str, Any] | None:
    what = f"entity {shown(record['id'])}" if isinstance(record.get("id"), str) else "an entity"
    return _record(check, record, rel, ENTITY_FIELDS, what)


def _fact(check: Checker, record: Marked, rel: str) -> dict[str, Any] | None:
    what = "a fact"
    if all(isinstance(record.get(k), str) for k in ("subject", "relation", "object")):
        what = "fact '" + " ".join(printable(record[k]) for k in ("subject", "relation", "object")) + "'"
    return _record(check, record, rel, FACT_FIELDS, what)


def link(schema: Schema, parsed: list[ParsedFile], errors: list[DataError], folder_name: str) -> FactBase:
    """Phase 2: resolve references across files; problems are appended to ``errors``."""
    return _Linker(schema, errors).run(parsed, folder_name)


SUGGEST_BUDGET = 300_000  # names compared for "did you mean" hints in one load: a few seconds at most


class _Linker:
    def __init__(self, schema: Schema, errors: list[DataError]):
        self.schema = schema
        self.errors = errors
        self.names: dict[str, tuple[str, str]] = {}  # normalized id, name or alias -> (entity id, field)
        self.hints: dict[tuple[int, str], str] = {}
        self.suggest_budget = SUGGEST_BUDGET

    def suggest(self, word: str, candidates: dict[str, Any]) -> str:
        """:func:`suggest`, remembered per word; skipped for large sets once the budget is spent.

        A file of unknown references (say, the entities file was deleted) must not cost one
        comparison with every entity per reference.
        """
        key = (id(candidates), word)
        if key not in self.hints:
            if len(candidates) > 1000 and self.suggest_budget < len(candidates):
                return ""
            if len(candidates) > 1000:
                self.suggest_budget -= len(candidates)
            self.hints[key] = suggest(word, candidates)
        return self.hints[key]

    def error(self, record: dict[str, Any], key: str | None, message: str) -> None:
        line, column = record["marks"].get(key, (record["line"], 0)) if key else (record["line"], 0)
        self.errors.append(DataError(record["file"], line, column, message))

    def run(self, parsed: list[ParsedFile], folder_name: str) -> FactBase:
        dataset = self.dataset([d for p in parsed for d in p.dataset], folder_name)
        sources = self.unique("source", [s for p in parsed for s in p.sources])
        entities = self.unique("entity", [e for p in parsed for e in p.entities])
        for entity in entities.values():
            self.check_entity(entity, entities)
        self.check_names(entities)
        facts: dict[str, dict[str, Any]] = {}
        for fact in (f for p in parsed for f in p.facts):
            self.check_fact(fact, entities, sources)
            self.add_fact(fact, facts)
        return FactBase(self.schema, dataset, sources, entities, facts)

    def dataset(self, found: list[dict[str, Any]], folder_name: str) -> dict[str, Any]:
        for extra in found[1:]:
            self.errors.append(DataError(extra["file"], extra["line"], 0,
                                         f"a second 'dataset' section (the first is in {found[0]['file']}:"
                                         f"{found[0]['line']}); keep one"))
        if not found:
            return {"name": folder_name, "date": None, "description": None}
        return {k: found[0][k] for k in DATASET_KEYS}

    def unique(self, kind: str, records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        by_id: dict[str, dict[str, Any]] = {}
        for record in records:
            first = by_id.get(record["id"])
            if first is not None:
                self.error(record, "id", f"duplicate {kind} id {record['id']!r} "
                                         f"(first at {first['file']}:{first['line']})")
            else:
                by_id[record["id"]] = record
        return by_id

    def check_entity(self, entity: dict[str, Any], entities: dict[str, dict[str, Any]]) -> None:
        types = self.schema.entity_types
        if entity["type"] not in types:
            self.error(entity, "type", f"unknown entity type {entity['type']!r}"
                                       f"{self.suggest(entity['type'], types)}; "
                                       f"the schema has: {', '.join(types)}")
        country = entity["country"]
        if country:
            target = entities.get(country)
            if target is None:
                self.error(entity, "country", f"unknown entity {country!r} as country of {entity['id']!r}"
                                              f"{self.suggest(country, entities)}")
            elif "country" in types and target["type"] != "country":
                self.error(entity, "country", f"{country!r} is {_a(target['type'])}, not a country")

    def check_names(self, entities: dict[str, dict[str, Any]]) -> None:
        """Each id, name and alias must lead to one entity, or name lookups would be ambiguous."""
        owner = self.names
        for entity in entities.values():
            keys = {id_key(entity["id"]): "id"}
            keys.setdefault(name_key(entity["name"]), "name")
            for alias in entity["aliases"]:
                keys.setdefault(name_key(alias), "aliases")
            for key, field_name in keys.items():
                if not key:
                    continue
                other = owner.get(key)
                if other is None:
                    owner[key] = (entity["id"], field_name)
                elif other[0] != entity["id"]:
                    first = entities[other[0]]
                    self.error(entity, field_name,
                               f"{_NAME_KIND[field_name]} {key!r} of {entity['id']!r} is also the "
                               f"{_NAME_KIND[other[1]]} of {other[0]!r} ({first['file']}:{first['line']}); "
                               "every name must lead to one entity")

    def check_fact(self, fact: dict[str, Any], entities: dict[str, dict[str, Any]],
                   sources: dict[str, dict[str, Any]]) -> None:
        relation = self.schema.relations.get(fact["relation"])
        if relation is None:
            self.error(fact, "relation", f"unknown relation {fact['relation']!r}"
                                         f"{self.suggest(fact['relation'], self.schema.relations)}")
        ends = {}
        for end in ("subject", "object"):
            entity = entities.get(fact[end])
            ends[end] = entity
            if entity is None:
                self.error(fact, end, f"unknown entity {fact[end]!r}{self.entity_hint(fact[end], entities)}")
            elif relation is not None and entity["type"] not in getattr(relation, end):
                allowed = " or ".join(getattr(relation, end)) or "nothing"
                self.error(fact, end, f"{fact[end]!r} is {_a(entity['type'])}, but {relation.id!r} takes "
                                      f"{allowed} as {end}")
        if fact["subject"] == fact["object"] and relation is not None and not relation.allow_self:
            self.error(fact, "object", f"{fact['subject']!r} {relation.id} itself; the relation does not "
                                       "allow self-relations (set allow_self: true in the schema if it should)")
        for source_id in fact["sources"]:
            if source_id not in sources:
                self.error(fact, "sources", f"unknown source {source_id!r}{self.suggest(source_id, sources)}")
        if fact["certainty"] not in self.schema.certainty:
            self.error(fact, "certainty", f"unknown certainty {fact['certainty']!r}"
                                          f"{self.suggest(fact['certainty'], self.schema.certainty)}; "
                                          f"the schema has: {', '.join(self.schema.certainty)}")

    def entity_hint(self, ref: str, entities: dict[str, dict[str, Any]]) -> str:
        hint = self.suggest(ref, entities)
        if hint:
            return hint
        owner = self.names.get(id_key(ref))
        if owner is not None and owner[1] != "id":
            return f" (did you mean {owner[0]!r}, {printable(entities[owner[0]]['name'])}?)"
        return ""

    def add_fact(self, fact: dict[str, Any], facts: dict[str, dict[str, Any]]) -> None:
        explicit = fact["id"] is not None
        fact_id = fact["id"] or f"{fact['subject']}.{fact['relation']}.{fact['object']}"
        first = facts.get(fact_id)
        if first is not None:
            if explicit:
                message = f"duplicate fact id {fact_id!r} (first at {first['file']}:{first['line']})"
            else:
                message = (f"a second fact '{fact['subject']} {fact['relation']} {fact['object']}' "
                           f"(first at {first['file']}:{first['line']}); give each an 'id' to tell them apart")
            self.error(fact, "id" if explicit else None, message)
            return
        fact["id"] = fact_id
        facts[fact_id] = fact


def load_facts(data_dir: str | os.PathLike[str]) -> FactBase:
    """Read and validate a data folder without any cache; raises :class:`DataErrors`."""
    root = Path(data_dir)
    parsed = [parse_file(path.read_bytes(), path.relative_to(root).as_posix()) for path in data_files(root)]
    return check_and_link(root, parsed)


def check_and_link(root: Path, parsed: list[ParsedFile]) -> FactBase:
    """Read the schema from the parsed files, link everything, raise :class:`DataErrors` on any problem."""
    errors = [e for p in parsed for e in p.errors]
    if not root.is_dir():
        raise DataErrors([DataError(str(root), 0, 0, "no such data folder")])
    schema_files = [p for p in parsed if p.path == SCHEMA_FILE]
    found = len(errors)
    if not schema_files:
        errors.append(DataError(SCHEMA_FILE, 0, 0, "missing: every data folder needs a schema.yaml "
                                                   "(see data/README.md)"))
        schema = Schema()
    else:
        schema = read_schema(schema_files[0].schema_document, SCHEMA_FILE, errors) \
            if not schema_files[0].errors else Schema()
    schema_broken = not schema_files or bool(schema_files[0].errors) or len(errors) > found
    if schema_broken or not all(p.readable for p in parsed):
        # references cannot be judged without the vocabulary, nor while a file's records are unknown
        raise DataErrors([_under(root, e) for e in errors])
    base = link(schema, [p for p in parsed if p.path != SCHEMA_FILE], errors, root.resolve().name)
    if errors:
        raise DataErrors([_under(root, e) for e in errors])
    return base


def _a(type_id: str) -> str:
    """``a person``, ``an institution``: a type id with its article."""
    return f"{'an' if type_id[:1] in 'aeiou' else 'a'} {type_id}"


def _under(root: Path, error: DataError) -> DataError:
    """The error with its path shown relative to the working folder, as the user typed it."""
    return DataError(os.path.join(os.fspath(root), error.path), error.line, error.column, error.message)
