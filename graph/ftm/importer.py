"""A FollowTheMoney entity stream → a tieline data folder (YAML that ``tieline validate`` accepts).

Things become entities, relationship schemata and ``Sanction`` become facts, ``Document``s cited
as ``proof`` become sources, country codes become country entities. What cannot be used
(dangling references, unknown schemata or properties, invalid values) is counted in the
:class:`ImportReport` with examples, never fatal; a line that is not JSON is a located
:class:`~graph.errors.DataError`, and nothing is written then.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..dates import date_bounds, is_partial_date
from ..errors import DataError, DataErrors, OutputError, UsageError
from ..fields import ENTITY_FIELDS, FACT_FIELDS, FACT_ID, SLUG, new_record
from ..names import ascii_slug, name_key
from ..schema import read_schema
from ..validate import made_fact_id
from ..wording import counted
from ..yamlfile import parse_yaml
from ..yamlwrite import entity_lines, fact_lines, scalar, schema_text, source_lines
from .export import CERTAINTY_PREFIX, END_PROPS, REPRINTED_PREFIX, START_PROPS
from .mapping import Mapping, read_mapping, snake

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["ImportReport", "Imported", "import_ftm", "read_ftm", "write_folder", "assign_ids", "DEFAULT_CERTAINTY",
           "story_countries", "id_collisions", "joins_story", "IMPORTS_FOLDER"]

IMPORTS_FOLDER = "imports"  # DATA/imports/NAME: where an import joins the story in DATA
DEFAULT_CERTAINTY = "reported"  # published by a third party, not verified by the curator
EXAMPLES = 5
COUNTRY_PROPS = ("country", "nationality", "citizenship", "jurisdiction", "mainCountry")
NAME_PROPS = ("alias", "weakAlias", "previousName")
SKIPPED_PROPS = {"indexText", "proof", "name", "description", *NAME_PROPS}
EDGE_KEPT = {"startDate", "endDate", "date", "summary", "description", "sourceUrl", "publisher", "proof",
             "indexText", "publisherUrl", "modifiedAt", "retrievedAt", "alephUrl"}
PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7",
           "#9c755f", "#bab0ac")
ProgressFn = Callable[[int, int], None]


@dataclass
class ImportReport:
    """What an import made, and every kind of problem it met, counted, with a few examples."""

    lines: int = 0
    entities: int = 0
    facts: int = 0
    sources: int = 0
    countries: int = 0
    by_schema: Counter = field(default_factory=Counter)
    problems: Counter = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def problem(self, kind: str, example: str) -> None:
        """Count one problem of ``kind``; keep the first few examples."""
        self.problems[kind] += 1
        if len(self.examples[kind]) < EXAMPLES:
            self.examples[kind].append(example)

    def summary(self) -> str:
        """The lines a CLI prints: what was made, then each kind of problem with examples."""
        lines = [f"{counted(self.lines, 'FtM entity')} read: {counted(self.entities, 'entity')} "
                 f"({counted(self.countries, 'country')}), {counted(self.facts, 'fact')}, "
                 f"{counted(self.sources, 'source')}"]
        for kind, count in sorted(self.problems.items()):
            lines.append(f"  {count:,} × {kind}: " + "; ".join(self.examples[kind]))
        return "\n".join(lines)


@dataclass
class Imported:
    """A stream converted to tieline records, not yet written."""

    dataset: dict[str, Any] | None  # None: the folder joins a story, whose dataset section is the one
    schema: dict[str, Any]  # entity_types, certainty, relations (as schema.yaml holds them)
    sources: list[dict[str, Any]]
    entities: list[dict[str, Any]]
    facts: list[dict[str, Any]]
    report: ImportReport


def joins_story(out: str | os.PathLike[str], data: str | os.PathLike[str]) -> bool:
    """Whether an import into ``out`` joins the story in the data folder ``data`` (``out`` is ``DATA/imports/NAME``).

    UsageError when ``out`` exists and is not an empty folder (an import writes a whole folder, all or
    nothing), or lies anywhere else inside ``data`` (tieline writes nowhere else in a data folder).
    """
    target = Path(out)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(f"--out {os.fspath(out)} exists and is not an empty folder: an import writes a whole "
                         "new folder, all or nothing; choose a new folder or remove this one")
    real_data, real_out = os.path.realpath(data), os.path.realpath(out)
    if not Path(data).is_dir() or os.path.commonpath([real_out, real_data]) != real_data:
        return False
    parts = Path(os.path.relpath(real_out, real_data)).parts
    if len(parts) == 2 and parts[0] == IMPORTS_FOLDER and not parts[1].startswith("."):
        return True
    raise UsageError(f"--out {os.fspath(out)} is inside the data folder {os.fspath(data)}: an import joins a story "
                     f"only as {os.path.join(os.fspath(data), IMPORTS_FOLDER, 'NAME')}; choose such a folder, "
                     "or one outside the data folder")


def import_ftm(stream: str | os.PathLike[str] | IO[Any] | list[Any], out: str | os.PathLike[str], *,
               source_title: str | None = None, source_url: str | None = None,
               certainty: str = DEFAULT_CERTAINTY, vocabulary: str | os.PathLike[str] | None = None,
               dataset_name: str | None = None, mapping: Mapping | None = None,
               progress: ProgressFn | None = None, story: nx.MultiDiGraph | None = None) -> ImportReport:
    """Read an FtM stream and write it as a new data folder ``out``; return the report.

    With ``story`` (the loaded graph of the data folder ``out`` lies in, e.g. ``data/imports/NAME``),
    see :func:`read_ftm`; ids that the story already uses are refused (:func:`id_collisions`).
    """
    imported = read_ftm(stream, source_title=source_title, source_url=source_url, certainty=certainty,
                        vocabulary=vocabulary, dataset_name=dataset_name, mapping=mapping, progress=progress,
                        story=story)
    if story is not None:
        taken = id_collisions(imported, story)
        if taken:
            raise UsageError(f"cannot import into {os.fspath(out)}: {counted(len(taken), 'id')} of the import "
                             f"{'is' if len(taken) == 1 else 'are'} already used in the data folder: {', '.join(taken[:5])}{' …' if len(taken) > 5 else ''}; "
                             "existing ids are never overwritten (import into a folder of its own, or rename "
                             "them in the stream)")
    write_folder(imported, out)
    return imported.report


def read_ftm(stream: str | os.PathLike[str] | IO[Any] | list[Any], *, source_title: str | None = None,
             source_url: str | None = None, certainty: str = DEFAULT_CERTAINTY,
             vocabulary: str | os.PathLike[str] | None = None, dataset_name: str | None = None,
             mapping: Mapping | None = None, progress: ProgressFn | None = None,
             story: nx.MultiDiGraph | None = None) -> Imported:
    """Convert an FtM stream to tieline records; raises DataErrors for lines that are not JSON.

    With ``story`` (a loaded graph the import is to join), its vocabulary is the one mapped onto,
    its country entities stand for the stream's country codes and Territories (matched by an
    ``ftm_country`` attribute or by name), a Sanction's authority named like a story entity is that
    entity, and the result carries only the schema fragment the story lacks and no dataset section.
    """
    from followthemoney import model

    streams = list(stream) if isinstance(stream, (list, tuple)) else [stream]
    display = _display_name(streams[0]) if streams else "<nothing>"
    mapping = mapping or read_mapping()
    if story is not None:
        vocab = story.graph
        types, certainty_levels, relations = vocab["entity_types"], vocab["certainty"], vocab["relations"]
    else:
        types, certainty_levels, relations = _vocabulary(vocabulary, mapping)
    if certainty not in certainty_levels:
        raise UsageError(f"unknown certainty {certainty!r}; the vocabulary has: {', '.join(certainty_levels)}")
    converter = _Converter(model, mapping, types, relations, certainty_levels, certainty)
    if story is not None:
        converter.join(story)
    errors: list[DataError] = []
    for one in streams:
        for number, data in _json_lines(one, _display_name(one), errors, progress):
            converter.add(number, data)
    if errors:
        raise DataErrors(errors)
    title = source_title or Path(display).name
    imported = converter.finish(dataset_name or title, {"id": _slug(title) or "ftm-import", "title": title,
                                                        "url": source_url})
    if story is not None:
        imported.dataset = None
        imported.schema = _fragment(imported.schema, story.graph)
    return imported


def story_countries(story: nx.MultiDiGraph, mapping: Mapping | None = None) -> dict[str, str]:
    """ISO code → the id of the story's country entity: its ``ftm_country`` attribute, else its name or an alias
    as followthemoney reads a country name (only entities of a type the mapping sends to ``Territory``)."""
    from followthemoney.types import registry

    mapping = mapping or read_mapping()
    territory = {t for t, spec in mapping.types.items() if spec.get("schema") == "Territory"}
    found: dict[str, str] = {}
    for node, data in sorted(story.nodes(data=True)):
        if data.get("type") not in territory:
            continue
        code = (data.get("attributes") or {}).get("ftm_country")
        codes = [code] if isinstance(code, str) else [registry.country.clean(n) for n in
                                                        [data["name"], *(data.get("aliases") or ())]]
        for code in filter(None, codes):
            found.setdefault(code, node)
    return found


def id_collisions(imported: Imported, story: nx.MultiDiGraph) -> list[str]:
    """The ids of ``imported`` (entities, sources, facts) that ``story`` already uses, sorted."""
    facts = {key for _, _, key in story.edges(keys=True)}
    taken = [e["id"] for e in imported.entities if e["id"] in story]
    taken += [s["id"] for s in imported.sources if s["id"] in (story.graph.get("sources") or {})]
    taken += [f.get("id") or made_fact_id(f) for f in imported.facts if (f.get("id") or made_fact_id(f)) in facts]
    return sorted(taken)


def _fragment(schema: dict[str, Any], vocabulary: dict[str, Any]) -> dict[str, Any]:
    """What of ``schema`` the story's vocabulary lacks: new types and relations, relations' new allowed types."""
    relations = {}
    for relation_id, spec in schema["relations"].items():
        known = vocabulary["relations"].get(relation_id)
        if known is None:
            relations[relation_id] = spec
            continue
        wider = {end: [t for t in spec[end] if t not in known[end]] for end in ("subject", "object")}
        if wider["subject"] or wider["object"]:
            relations[relation_id] = {**{k: v for k, v in known.items() if v not in (None, False)},
                                      "subject": wider["subject"] or known["subject"][:1],
                                      "object": wider["object"] or known["object"][:1]}
    return {"entity_types": {t: spec for t, spec in schema["entity_types"].items()
                             if t not in vocabulary["entity_types"]},
            "certainty": {}, "relations": relations}


# --- reading lines ------------------------------------------------------------------------------------

def _display_name(stream: Any) -> str:
    if isinstance(stream, (str, os.PathLike)):
        return os.fspath(stream)
    return str(getattr(stream, "name", None) or "<stream>")


def _json_lines(stream: Any, display: str, errors: list[DataError],
                progress: ProgressFn | None) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, entity dict) for each non-blank line; malformed lines go to ``errors``."""
    with _open(stream) as (handle, total, position):
        for number, raw in _numbered(handle, display, errors):
            if progress is not None and number % 1000 == 0:
                progress(position(), total)
            text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
            if not text.strip():
                continue
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                errors.append(DataError(display, number, exc.colno, f"not a JSON entity: {exc.msg}"))
                continue
            if not isinstance(data, dict):
                errors.append(DataError(display, number, 1, "not a JSON entity: expected an object "
                                                            "with id, schema and properties"))
                continue
            yield number, data
        if progress is not None:
            progress(total or position(), total)


def _numbered(handle: Iterator[Any], display: str, errors: list[DataError]) -> Iterator[tuple[int, Any]]:
    """(line number, line); a stream that breaks off (a damaged gzip, a read error) is a located error."""
    number = 0
    try:
        for number, raw in enumerate(handle, start=1):
            yield number, raw
    except (OSError, EOFError) as exc:
        errors.append(DataError(display, number + 1, 0, f"cannot read on: {exc}"))


class _open:
    """A context manager: (line iterator, total bytes or 0, bytes-read function) for a path or file."""

    def __init__(self, stream: Any):
        self.stream = stream
        self.owned: IO[bytes] | None = None

    def __enter__(self) -> tuple[Iterator[Any], int, Callable[[], int]]:
        stream = self.stream
        if isinstance(stream, (str, os.PathLike)):
            try:
                raw = open(stream, "rb")  # noqa: SIM115 (closed in __exit__)
            except OSError as exc:
                raise UsageError(f"cannot read {os.fspath(stream)}: {exc.strerror or exc}") from None
            self.owned = raw
            total = os.fstat(raw.fileno()).st_size
            gzipped = raw.read(2) == b"\x1f\x8b"
            raw.seek(0)
            handle: IO[bytes] = gzip.GzipFile(fileobj=raw) if gzipped else raw
            return iter(handle), total, raw.tell
        buffer = getattr(stream, "buffer", None)
        handle = buffer if buffer is not None and not isinstance(stream, io.StringIO) else stream
        if not isinstance(handle, io.TextIOBase):  # bytes: gzip on a pipe (stdin) is read too
            handle = handle if hasattr(handle, "peek") else io.BufferedReader(handle)  # type: ignore[arg-type]
            if handle.peek(2)[:2] == b"\x1f\x8b":
                handle = gzip.GzipFile(fileobj=handle)
        return iter(handle), 0, lambda: 0

    def __exit__(self, *exc: Any) -> None:
        if self.owned is not None:
            self.owned.close()


# --- the vocabulary -----------------------------------------------------------------------------------

def _vocabulary(path: str | os.PathLike[str] | None, mapping: Mapping) -> tuple[dict, dict, dict]:
    """(entity types, certainty levels, relations) to map onto: a schema.yaml's, or the default."""
    if path is None:
        return {}, dict(mapping.certainty), {}
    target = Path(path)
    if target.is_dir():
        target = target / "schema.yaml"
    errors: list[DataError] = []
    document, errors = parse_yaml(target.read_text(encoding="utf-8"), str(target))
    schema = read_schema(document, str(target), errors) if not errors else None
    if errors or schema is None:
        raise DataErrors(errors)
    data = schema.as_graph_data()
    return data["entity_types"], data["certainty"], data["relations"]


# --- ids ----------------------------------------------------------------------------------------------

_slug = ascii_slug


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


def assign_ids(ftm_ids: list[str]) -> dict[str, str]:
    """FtM id → slug, the same for the same set of ids whatever their order.

    An id that is already a slug keeps itself; another takes its slug unless that is claimed,
    else the slug plus a hash of the original.
    """
    result = {i: i for i in ftm_ids if SLUG.match(i)}
    claimed = set(result.values())
    wanted: dict[str, list[str]] = defaultdict(list)
    for original in sorted(set(ftm_ids) - set(result)):
        wanted[_slug(original)].append(original)
    for slug, originals in sorted(wanted.items()):
        for original in originals:
            if slug and slug not in claimed and len(originals) == 1:
                result[original] = slug
            else:
                result[original] = f"{slug or 'ftm'}-{_digest(original)}"
            claimed.add(result[original])
    return result


# --- the conversion -----------------------------------------------------------------------------------

class _Converter:
    """Collects FtM proxies, then turns them into tieline records in one pass (``finish``)."""

    def __init__(self, model: Any, mapping: Mapping, types: dict, relations: dict, certainty_levels: dict,
                 certainty: str):
        self.model, self.mapping = model, mapping
        self.vocab_types, self.vocab_relations = types, relations
        self.certainty_levels, self.certainty = certainty_levels, certainty
        self.proxies: dict[str, Any] = {}
        self.report = ImportReport()
        self.types: dict[str, dict[str, Any]] = {}
        self.relations: dict[str, dict[str, Any]] = {}
        self.type_cache: dict[tuple, str] = {}
        self.story: dict[str, str] = {}  # id → type of the entities of the story the import joins
        self.story_names: dict[str, str] = {}  # name key of a story entity's name or alias → its id
        self.story_countries: dict[str, str] = {}  # ISO code → the story's country entity

    def join(self, story: nx.MultiDiGraph) -> None:
        """Link to ``story``'s entities: its countries stand for country codes, its names for authorities."""
        self.story = {node: data["type"] for node, data in story.nodes(data=True)}
        for node, data in sorted(story.nodes(data=True), reverse=True):
            for name in (data["name"], *(data.get("aliases") or ())):
                self.story_names[name_key(name)] = node
        self.story_countries = story_countries(story, self.mapping)

    def add(self, number: int, data: dict[str, Any]) -> None:
        """One line's entity: checked, merged with earlier fragments of the same id."""
        from followthemoney.exc import InvalidData

        self.report.lines += 1
        where = f"line {number}"
        schema = self.model.get(data.get("schema") or "")
        if not data.get("id") or schema is None:
            kind = "entity without an id" if not data.get("id") else "unknown schema"
            self.report.problem(kind, f"{where}: {str(data.get('schema'))[:60]!r}")
            return
        properties = data.get("properties")
        if not isinstance(properties, dict):
            properties = {}
        unknown = sorted(k for k in properties if k not in schema.properties)
        for key in unknown:
            self.report.problem("unknown property", f"{where}: {schema.name}.{key[:60]}")
        clean = {k: [str(v) for v in (vs if isinstance(vs, list) else [vs]) if v not in (None, "")]
                 for k, vs in properties.items() if k in schema.properties}
        try:
            proxy = self.model.get_proxy({"id": str(data["id"]), "schema": schema.name, "properties": clean},
                                         cleaned=False)
        except InvalidData as exc:
            self.report.problem("invalid entity", f"{where}: {str(exc)[:80]}")
            return
        for key, values in clean.items():
            kept, kind = set(proxy.get(key, quiet=True)), schema.properties[key].type
            for value in values:
                if value not in kept and kind.clean(value) not in kept:
                    self.report.problem("invalid value", f"{where}: {schema.name}.{key} = {value[:40]!r}")
        first = self.proxies.get(proxy.id)
        if first is None:
            self.proxies[proxy.id] = proxy
            return
        try:
            first.merge(proxy)
        except InvalidData as exc:
            self.report.problem("fragments that do not merge", f"{where}: {proxy.id}: {str(exc)[:60]}")

    def finish(self, dataset_name: str, file_source: dict[str, Any]) -> Imported:
        proofs = {ref for p in self.proxies.values() for ref in p.get("proof", quiet=True)}
        documents = {i: p for i, p in self.proxies.items() if i in proofs and p.schema.is_a("Document")}
        things = {i: p for i, p in self.proxies.items() if p.schema.is_a("Thing") and i not in documents}
        edges = {i: p for i, p in self.proxies.items() if p.schema.edge or p.schema.name == "Sanction"}
        for proxy in self.proxies.values():
            if proxy.id not in documents and proxy.id not in things and proxy.id not in edges:
                self.report.problem("schema that is neither a thing nor a relationship",
                                    f"{proxy.schema.name} {proxy.id[:40]}")
        self.ids = assign_ids(list(things))
        self.sources: dict[str, dict[str, Any]] = {}
        self.document_sources = {i: self._document_source(p) for i, p in sorted(documents.items())}
        self.file_source = file_source
        self.entities: dict[str, dict[str, Any]] = {}
        self.countries: dict[str, str] = dict(self.story_countries)  # ISO code → country entity id
        joined: dict[str, str] = {}  # the stream's Territories that are a country of the story
        for ftm_id, proxy in sorted(things.items()):
            if proxy.schema.name == "Territory":
                for code in self._codes(proxy, ("country",)):
                    if code in self.story_countries and ftm_id not in joined:
                        joined[ftm_id] = self.story_countries[code]
                    self.countries.setdefault(code, self.ids[ftm_id])
        self.ids.update(joined)
        for ftm_id, proxy in sorted(things.items()):
            if ftm_id not in joined:
                self._entity(proxy)
        self.facts: list[dict[str, Any]] = []
        for ftm_id, proxy in sorted(edges.items()):
            if proxy.schema.name == "Sanction":
                self._sanction(proxy)
            else:
                self._edge(proxy)
        facts = self._fact_ids(self.facts)
        self.report.entities, self.report.facts = len(self.entities), len(facts)
        self.report.sources = len(self.sources)
        schema = {"entity_types": dict(sorted(self.types.items())), "certainty": dict(self.certainty_levels),
                  "relations": dict(sorted(self.relations.items()))}
        return Imported({"name": dataset_name}, schema, sorted(self.sources.values(), key=lambda s: s["id"]),
                        sorted(self.entities.values(), key=lambda e: e["id"]), facts, self.report)

    # entities

    def _entity(self, proxy: Any) -> None:
        entity_id = self.ids[proxy.id]
        type_id = self._type_of(proxy)
        names = list(dict.fromkeys(proxy.get("name", quiet=True)))
        name = names[0] if names else (proxy.caption or proxy.id)
        aliases, seen = [], {name_key(name)}
        for alias in [*names[1:], *(v for p in NAME_PROPS for v in proxy.get(p, quiet=True))]:
            if name_key(alias) and name_key(alias) not in seen:
                seen.add(name_key(alias))
                aliases.append(alias.strip())
        entity = new_record(ENTITY_FIELDS, id=entity_id, type=type_id, name=" ".join(name.split()),
                            aliases=aliases, attributes={})
        self.report.by_schema[proxy.schema.name] += 1
        descriptions = proxy.get("description", quiet=True)
        if descriptions:
            entity["description"] = " ".join(descriptions[0].split())
        entity["start"] = self._date(proxy, START_PROPS)
        entity["end"] = self._date(proxy, END_PROPS)
        if entity["start"] and entity["end"] and date_bounds(entity["end"])[1] < date_bounds(entity["start"])[0]:
            self.report.problem("end before start", f"{proxy.id}: {entity['start']} … {entity['end']}")
            entity["end"] = None
        used = {"name", "description", *NAME_PROPS, *START_PROPS, *END_PROPS}
        if proxy.schema.name == "Territory":
            codes = self._codes(proxy, ("country",))
            if codes:
                entity["attributes"]["ftm_country"] = codes[0]
            used.add("country")
        else:
            for prop in COUNTRY_PROPS:
                codes = self._codes(proxy, (prop,))
                if codes:
                    entity["country"] = self._country(codes[0])
                    if len(codes) == 1:
                        used.add(prop)
                    break
        entity["attributes"].update(self._attributes(proxy, used))
        entity["attributes"]["ftm_id"] = proxy.id
        if self._type_schema(type_id) != proxy.schema.name:
            entity["attributes"]["ftm_schema"] = proxy.schema.name
        self.entities[entity_id] = entity

    def _attributes(self, proxy: Any, used: set[str]) -> dict[str, Any]:
        attributes: dict[str, Any] = {}
        for prop_name, values in sorted(proxy.properties.items()):
            prop = proxy.schema.properties[prop_name]
            if prop_name in used or prop_name in SKIPPED_PROPS or prop.hidden:
                continue
            if prop.type.name == "entity":
                targets = []
                for value in values:
                    if value in self.ids:
                        targets.append(self.ids[value])
                    else:
                        self.report.problem("dangling reference", f"{proxy.id}.{prop_name} → {value[:40]}")
                values = targets
            values = [" ".join(v.split()) for v in values if v.strip()]
            if values:
                attributes[prop_name] = values[0] if len(values) == 1 else values
        return attributes

    def _type_of(self, proxy: Any) -> str:
        """The tieline type of an FtM thing: the vocabulary's, else the default's, else a new one."""
        keys = {k for spec in self.mapping.types.values() for k in spec.get("properties") or {}}
        constants = tuple(sorted((k, tuple(v)) for k, v in proxy.properties.items() if k in keys))
        key = (proxy.schema.name, constants)
        if key not in self.type_cache:
            self.type_cache[key] = self._pick_type(proxy)
        type_id = self.type_cache[key]
        return type_id

    def _pick_type(self, proxy: Any) -> str:
        schema = proxy.schema
        best: tuple[int, int, str] | None = None
        for type_id, spec in self.mapping.types.items():
            if type_id not in self.vocab_types or not schema.is_a(spec["schema"]):
                continue
            constants = spec.get("properties") or {}
            if not all(_matches(proxy.get(k, quiet=True), v) for k, v in constants.items()):
                continue
            rank = (len(self.model.get(spec["schema"]).schemata), len(constants), type_id)
            if best is None or rank[:2] > best[:2]:
                best = rank
        if best is not None:
            return self._use_type(best[2], dict(self.vocab_types[best[2]]))
        ancestors = sorted((s for s in self.mapping.import_types if schema.is_a(s)),
                           key=lambda s: -len(self.model.get(s).schemata))
        if ancestors:
            spec = dict(self.mapping.import_types[ancestors[0]])
            type_id = spec.pop("id")
            return self._use_type(type_id, spec)
        return self._use_type(snake(schema.name), {"label": schema.label})

    def _use_type(self, type_id: str, spec: dict[str, Any]) -> str:
        if type_id not in self.types:
            spec = dict(self.vocab_types.get(type_id) or spec)
            spec.setdefault("color", PALETTE[len(self.types) % len(PALETTE)])
            spec.setdefault("shape", "dot")
            self.types[type_id] = spec
        return type_id

    def _type_schema(self, type_id: str) -> str | None:
        spec = self.mapping.types.get(type_id)
        if spec and type_id in self.vocab_types:
            return spec["schema"]
        for schema, spec in self.mapping.import_types.items():
            if spec["id"] == type_id:
                return schema
        return next((s for s in self.model.schemata if snake(s) == type_id), None)

    def _codes(self, proxy: Any, props: tuple[str, ...]) -> list[str]:
        from followthemoney.types import registry

        codes = []
        for prop in props:
            for value in proxy.get(prop, quiet=True):
                code = registry.country.clean(value)
                if code:
                    codes.append(code)
                else:
                    self.report.problem("invalid country code", f"{proxy.id}.{prop} = {value[:20]!r}")
        return codes

    def _country(self, code: str) -> str:
        """The id of the country entity for an ISO code: the stream's Territory, or a new entity."""
        if code in self.countries:
            return self.countries[code]
        from followthemoney.types import registry

        name = registry.country.caption(code) or code.upper()
        country_id = _slug(name) or f"country-{code}"
        if country_id in self.ids.values() or country_id in self.entities or country_id in self.story:
            country_id = f"country-{_slug(code)}"
        type_id = self._pick_type(self.model.make_entity("Territory"))
        self.entities[country_id] = new_record(ENTITY_FIELDS, id=country_id, type=type_id, name=name, aliases=[],
                                               attributes={"ftm_country": code})
        self.countries[code] = country_id
        self.report.countries += 1
        return country_id

    def _date(self, proxy: Any, props: tuple[str, ...]) -> str | None:
        for prop in props:
            if prop not in proxy.schema.properties:
                continue
            for value in proxy.get(prop, quiet=True):
                text = value.strip()[:10]
                if is_partial_date(text):
                    return text
                self.report.problem("invalid date", f"{proxy.id}.{prop} = {value[:30]!r}")
        return None

    # sources

    def _document_source(self, proxy: Any) -> dict[str, Any]:
        source_id = self._source_id(proxy.id)
        title = (proxy.get("title", quiet=True) or proxy.get("name", quiet=True) or [proxy.caption or proxy.id])[0]
        source = {"id": source_id, "title": title}
        for key, prop in (("publisher", "publisher"), ("url", "sourceUrl")):
            values = proxy.get(prop, quiet=True)
            if values:
                source[key] = values[0]
        notes = []
        for note in proxy.get("notes", quiet=True):
            if note.startswith(REPRINTED_PREFIX):
                source["reprinted_by"] = note[len(REPRINTED_PREFIX):]
            else:
                notes.append(note)
        if notes:
            source["note"] = " ".join(notes)
        for key, prop in (("published", "publishedAt"), ("accessed", "retrievedAt")):
            values = [v[:10] for v in proxy.get(prop, quiet=True) if is_partial_date(v[:10])]
            if values:
                source[key] = values[0]
        if source.get("url") and not source["url"].lower().startswith(("http://", "https://")):
            source.pop("url")
        return source

    def _source_id(self, ftm_id: str) -> str:
        return ftm_id if SLUG.match(ftm_id) else f"{_slug(ftm_id) or 'source'}-{_digest(ftm_id)}"

    def _sources_of(self, proxy: Any) -> list[str]:
        """The source ids a fact cites: its proof documents, else its URLs or publishers, else the file."""
        cited = []
        for ref in proxy.get("proof", quiet=True):
            source = self.document_sources.get(ref)
            if source is None:
                self.report.problem("dangling reference", f"{proxy.id}.proof → {ref[:40]}")
                continue
            cited.append(self._register(source))
        if cited:
            return list(dict.fromkeys(cited))
        publishers = proxy.get("publisher", quiet=True)
        for url in proxy.get("sourceUrl", quiet=True):
            if url.lower().startswith(("http://", "https://")):
                cited.append(self._register({"id": f"{_slug(url)[:60].strip('-')}-{_digest(url)}",
                                             "title": publishers[0] if publishers else url,
                                             "publisher": publishers[0] if publishers else None, "url": url}))
        if not cited:
            for publisher in publishers:
                cited.append(self._register({"id": f"{_slug(publisher)[:60].strip('-') or 'publisher'}-"
                                                   f"{_digest(publisher)}", "title": publisher,
                                             "publisher": publisher}))
        return list(dict.fromkeys(cited)) or [self._register(self.file_source)]

    def _register(self, source: dict[str, Any]) -> str:
        self.sources.setdefault(source["id"], {k: v for k, v in source.items() if v})
        return source["id"]

    # facts

    def _edge(self, proxy: Any) -> None:
        schema = proxy.schema
        relation, spec, matched = self._relation_of(proxy)
        sources_, targets = proxy.get(schema.edge_source, quiet=True), proxy.get(schema.edge_target, quiet=True)
        if spec.get("reverse"):
            sources_, targets = targets, sources_
        self.report.by_schema[schema.name] += 1
        used = {schema.edge_source, schema.edge_target, *matched}
        for subject in sources_:
            for obj in targets:
                self._fact(proxy, relation, subject, obj, used)
        if not sources_ or not targets:
            self.report.problem("relationship without both ends", f"{schema.name} {proxy.id[:40]}")

    def _sanction(self, proxy: Any) -> None:
        self.report.by_schema["Sanction"] += 1
        authorities = proxy.get("authority", quiet=True) or proxy.get("publisher", quiet=True)
        if not authorities:
            self.report.problem("sanction without an authority or publisher", proxy.id[:40])
            return
        relation, _, _ = self._relation_of(proxy)
        by_name = {**self.story_names, **{name_key(e["name"]): e["id"] for e in self.entities.values()}}
        for authority in authorities:
            authority_id = by_name.get(name_key(authority))
            if authority_id is None:
                authority_id = _slug(authority) or f"authority-{_digest(authority)}"
                if authority_id in self.entities or authority_id in self.story:
                    authority_id = f"{authority_id}-{_digest(authority)}"
                type_id = self._pick_type(self.model.make_entity("Organization"))
                self.entities[authority_id] = new_record(ENTITY_FIELDS, id=authority_id, type=type_id,
                                                         name=authority, aliases=[], attributes={})
            for target in proxy.get("entity", quiet=True):
                self._fact(proxy, relation, authority_id, target, {"entity", "authority"}, subject_is_id=True)

    def _fact(self, proxy: Any, relation: str, subject: str, obj: str, used: set[str],
              subject_is_id: bool = False) -> None:
        ends = []
        for ref, is_id in ((subject, subject_is_id), (obj, False)):
            tieline_id = ref if is_id else self.ids.get(ref)
            if tieline_id is None or (tieline_id not in self.entities and tieline_id not in self.story):
                self.report.problem("dangling reference", f"{proxy.schema.name} {proxy.id[:40]} → {ref[:40]}")
                return
            ends.append(tieline_id)
        start = self._date(proxy, ("startDate", "date", "listingDate"))
        end = self._date(proxy, ("endDate",))
        if start and end and date_bounds(end)[1] < date_bounds(start)[0]:
            self.report.problem("end before start", f"{proxy.id}: {start} … {end}")
            end = None
        certainty, note = self.certainty, []
        for text in proxy.get("description", quiet=True):
            first, _, rest = text.partition("\n")
            if first.startswith(CERTAINTY_PREFIX) and first[len(CERTAINTY_PREFIX):] in self.certainty_levels:
                certainty = first[len(CERTAINTY_PREFIX):]
                text = rest
            if text.strip():
                note.append(text.strip())
        for prop_name, values in sorted(proxy.properties.items()):
            prop = proxy.schema.properties[prop_name]
            if prop_name in used or prop_name in EDGE_KEPT or prop.hidden or prop.type.name == "entity":
                continue
            note.append(f"{prop.label.lower()}: {', '.join(values)}")
        fact = {"ftm_id": proxy.id, **new_record(
            FACT_FIELDS, subject=ends[0], relation=relation, object=ends[1], sources=self._sources_of(proxy),
            certainty=certainty, start=start, end=end,
            quote=" ".join(q.strip() for q in proxy.get("summary", quiet=True) if q.strip()) or None,
            note="; ".join(note) or None)}
        spec = self.relations[relation]
        for end_name, entity_id in (("subject", ends[0]), ("object", ends[1])):
            type_id = self.entities[entity_id]["type"] if entity_id in self.entities else self.story[entity_id]
            if type_id not in spec[end_name]:
                spec[end_name].append(type_id)
        if ends[0] == ends[1]:
            spec["allow_self"] = True
            self.report.problem("self-relation (allowed in the schema)", f"{proxy.id[:40]}")
        self.facts.append(fact)

    def _relation_of(self, proxy: Any) -> tuple[str, dict[str, Any], set[str]]:
        """(relation id, its mapping spec, the properties that chose it)."""
        name = proxy.schema.name
        best: tuple[int, str] | None = None
        for relation_id in self.vocab_relations:
            spec = self.mapping.relations.get(relation_id) or {}
            constants = spec.get("properties") or {}
            if spec.get("schema") != name:
                continue
            if all(_matches(proxy.get(k, quiet=True), v) for k, v in constants.items()):
                if best is None or len(constants) > best[0]:
                    best = (len(constants), relation_id)
        if best is not None:
            spec = self.mapping.relations[best[1]]
            return self._use_relation(best[1], {}), spec, set(spec.get("properties") or {})
        if name == "UnknownLink":
            roles = {name_key(r) for r in proxy.get("role", quiet=True)}
            for relation_id, spec in self.vocab_relations.items():
                if name_key(spec["label"]) in roles:
                    return self._use_relation(relation_id, {}), {}, {"role"}
        default = dict(self.mapping.import_relations.get(name) or {
            "id": snake(name), "label": proxy.schema.edge_label or name, "symmetric": True})
        return self._use_relation(default.pop("id"), default), {}, set()

    def _use_relation(self, relation_id: str, default: dict[str, Any]) -> str:
        if relation_id not in self.relations:
            spec = dict(self.vocab_relations.get(relation_id) or default)
            spec["subject"], spec["object"] = [], []  # the types this import uses, filled per fact
            if not spec.get("symmetric") and not spec.get("inverse"):
                spec["inverse"] = f"{spec['label']} (inverse)"
            self.relations[relation_id] = spec
        return relation_id

    def _fact_ids(self, facts: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Facts sorted, each with an id only where the default (subject.relation.object) is not enough."""
        defaults = Counter(f"{f['subject']}.{f['relation']}.{f['object']}" for f in facts)
        taken = set(defaults)
        for fact in facts:
            default = f"{fact['subject']}.{fact['relation']}.{fact['object']}"
            original = fact.pop("ftm_id")
            if original != default and (defaults[default] > 1 or FACT_ID.match(original)):
                wanted = original if FACT_ID.match(original) else f"{_slug(original) or 'fact'}-{_digest(original)}"
                if wanted in taken:
                    wanted = f"{wanted}-{_digest(original)}"
                fact["id"] = wanted
                taken.add(wanted)
        return sorted(facts, key=lambda f: (f["relation"], f["subject"], f["object"], f.get("id") or ""))


def _matches(values: list[str], wanted: list[str]) -> bool:
    have = {name_key(v) for v in values}
    return all(name_key(w) in have for w in wanted)


# --- writing the folder -------------------------------------------------------------------------------

def write_folder(imported: Imported, out: str | os.PathLike[str]) -> None:
    """Write the records as a data folder at ``out`` (which must not exist or be empty), all or nothing."""
    target = Path(out)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise OutputError(f"cannot write {target}: it exists and is not an empty folder")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
    try:
        for rel, text in _folder_files(imported):
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        if target.exists():
            target.rmdir()
        os.rename(staging, target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _folder_files(imported: Imported) -> Iterator[tuple[str, str]]:
    schema = imported.schema
    if any(schema.values()):  # joining a story that has every type and relation: no fragment
        yield "schema.yaml", schema_text(schema["entity_types"], schema["certainty"], schema["relations"],
                                         "# Written by tieline's FollowTheMoney import (graph/ftm).\n")
    dataset = f"dataset:\n  name: {scalar(imported.dataset['name'])}\n\n" if imported.dataset else ""
    yield "dataset.yaml", dataset + "sources:\n" + "".join(line for s in imported.sources
                                                             for line in source_lines(s))
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entity in imported.entities:
        by_type[entity["type"]].append(entity)
    for type_id, entities in sorted(by_type.items()):
        yield f"entities/{type_id}.yaml", "entities:\n" + "".join(
            line for e in entities for line in entity_lines(_ordered_attributes(e)))
    by_relation: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for fact in imported.facts:
        by_relation[fact["relation"]].append(fact)
    for relation, facts in sorted(by_relation.items()):
        yield f"facts/{relation}.yaml", "facts:\n" + "".join(line for f in facts for line in fact_lines(f))


def _ordered_attributes(entity: dict[str, Any]) -> dict[str, Any]:
    return {**entity, "attributes": dict(sorted(entity.get("attributes", {}).items()))}
