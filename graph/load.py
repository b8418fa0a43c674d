"""Loading a data folder in two phases, so that every problem is reported at once.

Phase 1, per file (:func:`parse_file`): safe YAML with marks → shape-checked records. It depends
only on the file's bytes, so its result can be cached per file and computed in parallel.
Phase 2 (:func:`link`): resolve every reference against the schema and the other files.
"""

from __future__ import annotations

import os
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import DataError, DataErrors
from .fields import FACT_ID, TOKEN, Checker, printable, shown, suggest
from .names import id_key, name_key
from .schema import SCHEMA_FILE, Schema, read_schema
from .yamlfile import Marked, decode_text, parse_yaml

__all__ = ["FactBase", "ParsedFile", "data_files", "parse_file", "link", "load_facts", "PARSER_VERSION"]

PARSER_VERSION = "3"  # bump when parse_file's output changes, to invalidate per-file caches
SECTIONS = ("dataset", "sources", "entities", "facts")
DATASET_KEYS = ("name", "date", "description")
SOURCE_KEYS = ("id", "title", "publisher", "published", "url", "reprinted_by", "accessed", "note")
ENTITY_KEYS = ("id", "type", "name", "aliases", "description", "country", "start", "end", "attributes")
_NAME_KIND = {"id": "id", "name": "name", "aliases": "alias"}
FACT_KEYS = ("id", "subject", "relation", "object", "sources", "quote", "start", "end", "certainty", "note")


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


MAX_FILE_BYTES = 256 * 1024 * 1024  # one fact file; a 100 MB file loads in about a minute
MAX_FOLDER_DEPTH = 16  # folders below the data folder; real stories use two or three
_FACT_SUFFIXES = (".yaml", ".yml")


def data_files(data_dir: str | os.PathLike[str]) -> list[Path]:
    """Every ``*.yaml``/``*.yml`` file under ``data_dir`` (any case), hidden files and folders skipped, sorted.

    The folder is walked without recursion. Raises :class:`DataErrors` naming every file or folder
    that cannot be read, rather than skip it in silence or hang on it: a broken link, a pipe or a
    device, a file over ``MAX_FILE_BYTES``, a folder deeper than ``MAX_FOLDER_DEPTH``, a name that
    is not UTF-8 or holds invisible characters, a name that only looks like a fact file's
    (``more.yaml `` with a trailing space), and a link that leads out of the data folder or to a
    folder (links to files inside the data folder are read).
    """
    root = Path(data_dir)
    real_root = os.path.realpath(root)
    found: list[Path] = []
    problems: list[DataError] = []

    def report(path: str, message: str) -> None:
        problems.append(DataError(_display_path(root, path), 0, 0, message))

    folders = [(os.fspath(root), 0)]
    while folders:
        folder, depth = folders.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as exc:
            report(folder, f"cannot read this folder: {exc.strerror or exc}")
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            kind = _entry_kind(entry)
            if kind == "folder" or (kind == "link" and os.path.isdir(entry.path)):
                problem = _folder_problem(entry, real_root, depth + 1)
                if problem:
                    report(entry.path, problem)
                else:
                    folders.append((entry.path, depth + 1))
                continue
            if not _looks_like_fact_file(entry.name):
                continue
            problem = _file_name_problem(entry.name) or _link_problem(entry, real_root) or _unreadable(Path(entry.path))
            if problem:
                report(entry.path, problem)
            else:
                found.append(Path(entry.path))
    if problems:
        raise DataErrors(problems)
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def _entry_kind(entry: os.DirEntry[str]) -> str:
    """``folder``, ``link`` or ``file`` (anything else that is not a folder)."""
    try:
        if entry.is_symlink():
            return "link"
        return "folder" if entry.is_dir(follow_symlinks=False) else "file"
    except OSError:
        return "file"


def _folder_problem(entry: os.DirEntry[str], real_root: str, depth: int) -> str | None:
    """Why the folder ``entry`` is not walked, or None."""
    if entry.is_symlink():
        outside = _outside(entry.path, real_root)
        return (f"a link to a folder {'outside the data folder' if outside else 'inside the data folder'} "
                f"({_escaped(os.path.realpath(entry.path))}); links to folders are never followed "
                "(files would be read twice, or from anywhere): move or copy the folder in instead")
    name_problem = _file_name_problem(entry.name, "folder")
    if name_problem:
        return name_problem
    if depth > MAX_FOLDER_DEPTH:
        return (f"folders nested more than {MAX_FOLDER_DEPTH} levels below the data folder; "
                "this one and everything in it is refused")
    return None


def _looks_like_fact_file(name: str) -> bool:
    """True for a name ending in .yaml or .yml in any case, also after stray spaces, dots or invisible marks."""
    trimmed = name.rstrip(" .\t\n\r\x0b\x0c\u00a0\u200b\u200c\u200d\u2060\ufeff")
    return trimmed.lower().endswith(_FACT_SUFFIXES)


def _file_name_problem(name: str, what: str = "file") -> str | None:
    """Why a file or folder name cannot be read or shown as it is, or None."""
    undecodable = [c for c in name if "\udc80" <= c <= "\udcff"]
    if undecodable:
        return (f"the {what} name is not valid UTF-8 (byte 0x{ord(undecodable[0]) - 0xDC00:02x}); "
                f"rename the {what}")
    for c in name:
        if not c.isprintable() and c != " ":
            return (f"the {what} name holds an invisible or control character "
                    f"(U+{ord(c):04X} {unicodedata.name(c, 'unnamed')}); rename the {what}")
    if what == "file" and not name.lower().endswith(_FACT_SUFFIXES):
        trimmed = name.rstrip(" .")
        return (f"the file name has {shown(name[len(trimmed):])} after its extension; rename it to "
                f"{shown(trimmed)} (fact files are the names ending in .yaml or .yml)")
    return None


def _link_problem(entry: os.DirEntry[str], real_root: str) -> str | None:
    """Why the link ``entry`` is not followed (it leads out of the data folder), or None."""
    if not entry.is_symlink() or not os.path.exists(entry.path) or not _outside(entry.path, real_root):
        return None
    return (f"a link to a file outside the data folder ({_escaped(os.path.realpath(entry.path))}); "
            "refused, never read: copy the file into the data folder instead")


def _outside(path: str, real_root: str) -> bool:
    """True when ``path``, links resolved, is not inside ``real_root``."""
    target = os.path.realpath(path)
    return os.path.commonpath([target, real_root]) != real_root


def _display_path(root: Path, path: str) -> str:
    """"``path`` as messages show it: under the data folder as given; bytes that are not UTF-8 and
    characters that are not printable escaped (``ok\\xff.yaml``), so a name cannot drive the terminal."""
    rel = os.path.relpath(path, root)
    return _escaped(os.path.join(os.fspath(root), rel) if rel != "." else os.fspath(root))


def _escaped(path: str) -> str:
    """A file system path as text: undecodable bytes as ``\\xff``, unprintable characters escaped."""
    text = os.fsencode(path).decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def _unreadable(path: Path) -> str | None:
    """Why ``path`` cannot be read as a fact file, or None."""
    try:
        st = path.stat()
    except OSError as exc:
        broken = path.is_symlink()
        return f"cannot read this file: {'a broken link: ' if broken else ''}{exc.strerror or exc}"
    if not stat.S_ISREG(st.st_mode):
        return "not a regular file (a pipe, a device or a socket); fact files must be plain files"
    if st.st_size > MAX_FILE_BYTES:
        return (f"the file is {st.st_size:,} bytes, more than the limit of {MAX_FILE_BYTES:,} bytes "
                f"({MAX_FILE_BYTES // 2**20} MiB) for one fact file; split it into several files")
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


def _base(record: Marked, rel: str, keys: tuple[str, ...]) -> dict[str, Any]:
    return {"file": rel, "line": record.line, "marks": {k: record.mark_of(k) for k in keys if k in record}}


def _dataset(check: Checker, record: Marked) -> dict[str, Any]:
    check.unknown_keys(record, DATASET_KEYS, "'dataset'")
    check.required(record, ("name",), "'dataset'")
    return {"name": check.text(record, "name", "the dataset"), "date": check.date(record, "date", "the dataset"),
            "description": check.text(record, "description", "the dataset"),
            "file": check.path, "line": record.line}


def _source(check: Checker, record: Marked, rel: str) -> dict[str, Any] | None:
    what = f"source {shown(record['id'])}" if isinstance(record.get("id"), str) else "a source"
    check.unknown_keys(record, SOURCE_KEYS, what)
    check.required(record, ("id", "title"), what)
    source = _base(record, rel, ("id",))
    source["id"] = _slug(check, record, "id", what)
    for key in ("title", "publisher", "url", "reprinted_by", "note"):
        source[key] = check.text(record, key, what)
    for key in ("published", "accessed"):
        source[key] = check.date(record, key, what)
    url = source["url"]
    if url and not url.lower().startswith(("http://", "https://")):
        check.at(record, "url", f"'url' of {what} must start with http:// or https://, found {shown(url)}")
        source["url"] = None
    return source if source["id"] else None


def _entity(check: Checker, record: Marked, rel: str) -> dict[str, Any] | None:
    what = f"entity {shown(record['id'])}" if isinstance(record.get("id"), str) else "an entity"
    check.unknown_keys(record, ENTITY_KEYS, what)
    check.required(record, ("id", "type", "name"), what)
    entity = _base(record, rel, ("id", "type", "name", "aliases", "country"))
    entity["id"] = _slug(check, record, "id", what)
    entity["type"] = check.slug(record, "type", what, TOKEN)
    entity["name"] = check.text(record, "name", what)
    entity["aliases"] = check.text_list(record, "aliases", what)
    _check_names(check, record, what)
    entity["description"] = check.text(record, "description", what)
    entity["country"] = check.slug(record, "country", what)
    entity["start"], entity["end"] = check.date_range(record, what)
    entity["attributes"] = check.attributes(record, "attributes", what)
    return entity if entity["id"] and entity["type"] and entity["name"] else None


def _fact(check: Checker, record: Marked, rel: str) -> dict[str, Any] | None:
    what = "a fact"
    if all(isinstance(record.get(k), str) for k in ("subject", "relation", "object")):
        what = "fact '" + " ".join(printable(record[k]) for k in ("subject", "relation", "object")) + "'"
    check.unknown_keys(record, FACT_KEYS, what)
    ok = check.required(record, ("subject", "relation", "object", "sources", "certainty"), what)
    fact = _base(record, rel, ("id", "subject", "relation", "object", "sources", "certainty"))
    fact["id"] = _slug(check, record, "id", what, FACT_ID)
    fact["subject"] = _slug(check, record, "subject", what)
    fact["relation"] = check.slug(record, "relation", what, TOKEN)
    fact["object"] = _slug(check, record, "object", what)
    fact["sources"] = check.text_list(record, "sources", what)
    fact["quote"] = check.text(record, "quote", what)
    fact["start"], fact["end"] = check.date_range(record, what)
    fact["certainty"] = check.slug(record, "certainty", what, TOKEN)
    fact["note"] = check.text(record, "note", what)
    if "sources" in record and not fact["sources"] and record.get("sources") not in (None, ""):
        ok = False
    if not (ok and fact["subject"] and fact["relation"] and fact["object"] and fact["certainty"]):
        return None
    return fact


# --- what a name, alias or id may hold: no invisible characters, no lookalike letters ---------------

_LOOKALIKE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")  # alphabets whose letters look alike (a/а/α)
_JOINERS = "\u200c\u200d"  # needed between letters of Arabic, Persian and Indic scripts
_INVISIBLE_LETTERS = frozenset(
    [0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x2800, 0x3164, 0xFFA0, *range(0x180B, 0x1810),
     *range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)])  # fillers and selectors that draw nothing


def _slug(check: Checker, record: Marked, key: str, what: str, pattern: Any = None) -> str | None:
    """:meth:`Checker.slug`, except that an id holding an invisible character is reported as such."""
    value = record.get(key)
    if isinstance(value, str):
        problem = _invisible_problem(str(value))
        if problem:
            check.at(record, key, f"{key!r} {shown(value)} of {what} holds {problem}; remove it")
            return None
    return check.slug(record, key, what) if pattern is None else check.slug(record, key, what, pattern)


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
        problem = _invisible_problem(text)
        if problem:
            check.error(line, column, f"{kind} {shown(text)} of {what} holds {problem}; remove it")
        mixed = _mixed_script_problem(text)
        if mixed:
            check.error(line, column, f"{kind} {shown(text)} of {what} {mixed}")


def _invisible_problem(text: str) -> str | None:
    """``an invisible character, U+200D ZERO WIDTH JOINER (character 4)``, or None when all can be seen.

    Invisible: control and format characters (zero-width, bidi controls, soft hyphen, BOM), line
    and paragraph separators, fillers and variation selectors. A zero-width (non-)joiner between two
    letters of a script that needs it (Persian, Arabic, Indic scripts) is fine.
    """
    if text.isprintable() and (text.isascii() or _INVISIBLE_LETTERS.isdisjoint(map(ord, text))):
        return None  # most names, at C speed
    for index, char in enumerate(text):
        code = ord(char)
        if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") or code in _INVISIBLE_LETTERS:
            if char in _JOINERS and _joins_letters(text, index):
                continue
            kind = "a control character" if unicodedata.category(char) == "Cc" else "an invisible character"
            return f"{kind}, U+{code:04X} {unicodedata.name(char, '(unnamed)')} (character {index + 1})"
    return None


def _joins_letters(text: str, index: int) -> bool:
    """True when ``text[index]`` stands between two letters or marks of scripts that use joiners."""
    if index == 0 or index == len(text) - 1:
        return False
    return all(unicodedata.category(c)[0] in "LM" and _script(c) is None for c in (text[index - 1], text[index + 1]))


def _script(char: str) -> str | None:
    """``LATIN``, ``CYRILLIC`` or ``GREEK`` for a letter of those alphabets, else None."""
    words = unicodedata.name(char, "").split()[:2]
    return next((script for script in _LOOKALIKE_SCRIPTS if script in words), None)


def _mixed_script_problem(text: str) -> str | None:
    """Why a word of ``text`` mixes Latin, Cyrillic or Greek letters (a lookalike), or None.

    A name may hold words in different alphabets (``Иван Smith``); one word may not (``Аlice``
    with a Cyrillic А).
    """
    if text.isascii():
        return None
    word: list[str] = []
    for char in text + " ":
        if char.isalpha() or unicodedata.category(char)[0] == "M":
            word.append(char)
            continue
        if word:
            letters = [(c, _script(c)) for c in word if _script(c)]
            counts: dict[str, int] = {}
            for _, script in letters:
                counts[script] = counts.get(script, 0) + 1
            if len(counts) > 1:
                rare = min(counts, key=lambda s: (counts[s], s))
                common = max(counts, key=lambda s: (counts[s], s))
                odd = next(c for c, script in letters if script == rare)
                return (f"mixes {rare.title()} and {common.title()} letters in the word {shown(''.join(word))} "
                        f"({odd} is U+{ord(odd):04X} {unicodedata.name(odd)}), a lookalike; "
                        "write each word in one alphabet")
        word = []
    return None


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
