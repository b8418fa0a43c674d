"""A FollowTheMoney entity stream → a tieline data folder (YAML that ``tieline validate`` accepts).

Read in two passes over the stream sorted by id (graph/ftm/stream.py: bounded memory, any line
order gives the same bytes). Pass 1 merges the fragments of each id, cleans every value with
followthemoney's types and indexes what pass 2 needs (ids, types, names, Documents, authorities);
pass 2 writes each thing as an entity, each relationship and Sanction as facts, each
entity-valued property that points at a thing of the stream (``addressEntity``…) as a fact too,
Documents cited as ``proof`` as sources, and country codes as country entities. What cannot be
used is counted per schema in the :class:`ImportReport`, with whole ids; a line that is not JSON
is a located :class:`~graph.errors.DataError`, and nothing is written then.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..atomic import atomic_folder
from ..dates import date_bounds, is_partial_date
from ..errors import DataError, DataErrors, UsageError
from ..fields import ENTITY_FIELDS, FACT_FIELDS, FACT_ID, SLUG, TOKEN, new_record
from ..names import ascii_slug
from ..names import name_key as _name_key
from ..schema import read_schema
from ..yamlfile import parse_yaml
from ..yamlwrite import entity_lines, fact_lines, scalar, schema_text, source_lines
from .export import CERTAINTY_PREFIX, END_PROPS, FROM_FTM, REPRINTED_PREFIX, START_PROPS
from .glyphfix import readable_name
from .mapping import Mapping, read_mapping, snake
from .report import ImportReport
from .stream import SPILL_BYTES, Fragments, display_name, read_fragments

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["ImportReport", "import_ftm", "assign_ids", "DEFAULT_CERTAINTY", "story_countries", "joins_story",
           "IMPORTS_FOLDER"]

IMPORTS_FOLDER = "imports"  # DATA/imports/NAME: where an import joins the story in DATA
DEFAULT_CERTAINTY = "reported"  # published by a third party, not verified by the curator
COUNTRY_PROPS = ("country", "nationality", "citizenship", "jurisdiction", "mainCountry")
NAME_PROPS = ("alias", "previousName")
FACT_START = ("startDate", "date", "listingDate")
EDGE_KEPT = {"summary", "description", "sourceUrl", "publisher", "proof", "publisherUrl"}
META_PROPS = {"modifiedAt", "retrievedAt", "alephUrl", "indexText", "createdAt"}  # bookkeeping, not facts
PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7",
           "#9c755f", "#bab0ac")
ProgressFn = Callable[[int, int], None]


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
    if len(parts) == 2 and parts[0] == IMPORTS_FOLDER and SLUG.match(parts[1]):
        return True
    raise UsageError(f"--out {os.fspath(out)} is inside the data folder {os.fspath(data)}: an import joins a story "
                     f"only as {os.path.join(os.fspath(data), IMPORTS_FOLDER, 'NAME')} (NAME in lowercase letters, "
                     "digits and hyphens); choose such a folder, or one outside the data folder")


def import_ftm(stream: str | os.PathLike[str] | IO[Any] | list[Any], out: str | os.PathLike[str], *,
               source_title: str | None = None, source_url: str | None = None,
               certainty: str = DEFAULT_CERTAINTY, vocabulary: str | os.PathLike[str] | None = None,
               dataset_name: str | None = None, mapping: Mapping | None = None,
               progress: ProgressFn | None = None, story: nx.MultiDiGraph | None = None,
               spill_bytes: int = SPILL_BYTES) -> ImportReport:
    """Read FtM streams (one, or a list: each file its own source) and write them as a new data folder ``out``.

    With ``story`` (the loaded graph of the data folder ``out`` lies in, e.g. ``data/imports/NAME``),
    the story's vocabulary is the one mapped onto; its countries stand for country codes, its
    entities and sources for those of the stream with the same FtM id or source id (an extract
    joins after another), its names for sanctioning bodies; only the schema the story lacks and no
    dataset section are written. DataErrors (nothing written) for lines that are not JSON.
    """
    from followthemoney import model

    streams = list(stream) if isinstance(stream, (list, tuple)) else [stream]
    if source_url is not None and not source_url.lower().startswith(("http://", "https://")):
        raise UsageError(f"--source-url {source_url!r} is not a web address (http:// or https://)")
    mapping = mapping or read_mapping()
    if story is not None:
        vocab = story.graph
        types, levels, relations = vocab["entity_types"], vocab["certainty"], vocab["relations"]
    else:
        types, levels, relations = _vocabulary(vocabulary, mapping)
    if certainty not in levels:
        raise UsageError(f"unknown certainty {certainty!r}; the vocabulary has: {', '.join(levels)}")
    titles = _file_sources(streams, source_title, source_url)
    converter = _Converter(model, mapping, types, relations, levels, certainty, titles)
    if story is not None:
        converter.join(story)
    errors: list[DataError] = []
    with tempfile.TemporaryDirectory(prefix="tieline-ftm-") as scratch:
        merged = _Merged(os.path.join(scratch, "merged.jsonl"), spill_bytes)
        for fragments in read_fragments(streams, scratch, errors, converter.line_problem, converter.line_read,
                                        progress, spill_bytes):
            record = converter.index(fragments)
            if record is not None:
                merged.add(record, fragments[3])
        if errors:
            raise DataErrors(errors)
        converter.prepare()
        name = dataset_name or source_title or Path(display_name(streams[0]) if streams else "FtM import").name
        with atomic_folder(out) as staging:
            writer = _Writer(staging)
            for record in merged:
                converter.convert(record, writer)
            converter.finish(writer, None if story is not None else name, story)
            writer.close()
    return converter.report


class _Merged:
    """The merged entities between the passes: in memory up to ``limit`` bytes of their text, then in a file."""

    def __init__(self, path: str, limit: int):
        self.path, self.limit, self.size = path, limit, 0
        self.kept: list[list[Any]] = []
        self.file: IO[str] | None = None

    def add(self, record: list[Any], size: int) -> None:
        """Keep one record (``size``: the length of its canonical text)."""
        self.size += size
        if self.file is None and self.size <= self.limit:
            self.kept.append(record)
            return
        if self.file is None:
            self.file = open(self.path, "w", encoding="utf-8")  # noqa: SIM115 (closed in __iter__)
            for kept in self.kept:
                self._write(kept)
            self.kept = []
        self._write(record)

    def _write(self, record: list[Any]) -> None:
        assert self.file is not None
        self.file.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")

    def __iter__(self) -> Any:
        if self.file is None:
            yield from self.kept
            return
        self.file.close()
        with open(self.path, encoding="utf-8") as handle:
            for line in handle:
                yield json.loads(line)


def _file_sources(streams: list[Any], title: str | None, url: str | None) -> list[dict[str, Any]]:
    """One source per input file (facts without provenance of their own cite their file's)."""
    names = [Path(display_name(s)).name for s in streams]
    sources, ids = [], Counter(_slug(n) for n in names)
    for stream, name in zip(streams, names):
        shown = title if title and len(streams) == 1 else f"{title}: {name}" if title else name
        source_id = _slug(shown) or "ftm-import"
        if len(streams) > 1 and ids[_slug(name)] > 1:
            source_id = f"{source_id}-{_digest(display_name(stream))}"
        sources.append({"id": source_id, "title": shown, "url": url})
    return sources


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
name_key = functools.lru_cache(maxsize=1 << 16)(_name_key)  # a thing's names are keyed in both passes


def _digest(text: str, size: int = 8) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:size]


def assign_ids(ftm_ids: list[str], taken: set[str] | frozenset[str] = frozenset()) -> dict[str, str]:
    """FtM id → slug, the same for the same set of ids whatever their order; never one of ``taken``.

    An id that is already a slug keeps itself; another takes its slug unless that is claimed,
    else the slug plus a hash of the original.
    """
    result = {i: i for i in ftm_ids if SLUG.match(i) and i not in taken}
    claimed = set(result.values()) | set(taken)
    wanted: dict[str, list[str]] = defaultdict(list)
    for original in sorted(set(ftm_ids) - set(result)):
        wanted[_slug(original)[:80].strip("-")].append(original)
    for slug, originals in sorted(wanted.items()):
        for original in originals:
            if slug and slug not in claimed and len(originals) == 1:
                result[original] = slug
            else:
                result[original] = f"{slug or 'ftm'}-{_digest(original)}"
                if result[original] in claimed:
                    result[original] = f"{slug or 'ftm'}-{_digest(original, 40)}"
            claimed.add(result[original])
    return result


def _token(text: str) -> str:
    return "_".join(re.findall(r"[a-z0-9]+", _slug(text).replace("-", " ")))


# --- writing ------------------------------------------------------------------------------------------

class _Writer:
    """Entity and fact files of the staging folder, each opened once and written as records come."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.handles: dict[str, IO[str]] = {}

    def _handle(self, rel: str, head: str) -> IO[str]:
        handle = self.handles.get(rel)
        if handle is None:
            path = self.folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = self.handles[rel] = open(path, "w", encoding="utf-8")  # noqa: SIM115 (closed in close)
            handle.write(head)
        return handle

    def entity(self, entity: dict[str, Any]) -> None:
        """One entity, in ``entities/TYPE.yaml``."""
        self._handle(f"entities/{entity['type']}.yaml", "entities:\n").writelines(entity_lines(entity))

    def fact(self, fact: dict[str, Any]) -> None:
        """One fact, in ``facts/RELATION.yaml``."""
        self._handle(f"facts/{fact['relation']}.yaml", "facts:\n").writelines(fact_lines(fact))

    def text(self, rel: str, text: str) -> None:
        """A whole file."""
        self._handle(rel, "").write(text)

    def close(self) -> None:
        """Flush and close every file (before the staging folder is renamed)."""
        for handle in self.handles.values():
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
        self.handles = {}


# --- the conversion -----------------------------------------------------------------------------------

class _Entity:
    """A merged FtM entity whose values are clean and distinct: what a proxy answers, without building one."""

    __slots__ = ("id", "schema", "properties")

    def __init__(self, entity_id: str, schema: Any, properties: dict[str, list[str]]):
        self.id, self.schema, self.properties = entity_id, schema, properties

    def get(self, prop: str, quiet: bool = True) -> list[str]:
        """The values of ``prop`` (a list to read, not to change)."""
        return self.properties.get(prop) or []

    @property
    def caption(self) -> str:
        """followthemoney's caption: the first caption property with a value; of several names, the one it picks."""
        for name in self.schema.caption:
            values = self.properties.get(name)
            if not values:
                continue
            if len(values) > 1 and self.schema.properties[name].type.name == "name":
                from rigour.names import pick_name  # followthemoney's own choice (proxy.caption)

                picked = pick_name(sorted(values))
                if picked is not None:
                    return picked
                continue
            return values[0]
        return self.schema.label


class _Converter:
    """Pass 1 (``index``) merges and indexes each id; ``prepare`` assigns ids; pass 2 (``convert``) writes."""

    def __init__(self, model: Any, mapping: Mapping, types: dict, relations: dict, levels: dict, certainty: str,
                 file_sources: list[dict[str, Any]]):
        from followthemoney.types import registry

        self.model, self.mapping, self.registry = model, mapping, registry
        self.vocab_types, self.vocab_relations = types, relations
        self.levels, self.certainty = levels, certainty
        self.file_sources = file_sources
        self.report = ImportReport()
        self.types: dict[str, dict[str, Any]] = {}
        self.relations: dict[str, dict[str, Any]] = {}
        self.type_cache: dict[tuple, str] = {}
        self.story: dict[str, str] = {}  # id → type of the entities of the story the import joins
        self.story_names: dict[str, str] = {}  # name key of a story entity's name or alias → its id
        self.story_countries: dict[str, str] = {}
        self.story_ftm: dict[str, str] = {}  # FtM id of a story entity (an earlier import) → its id
        self.story_sources: set[str] = set()
        self.story_merged: set[str] = set()
        self.story_facts: set[str] = set()
        # pass 1
        self.things: dict[str, str] = {}  # FtM id → tieline type
        self.documents: dict[str, dict[str, Any]] = {}  # FtM id of a Document → it as a source
        self.proofs: set[str] = set()
        self.edge_pairs: set[int] = set()  # hashes of the pairs of things a relationship of the stream links
        self.territories: dict[str, list[str]] = {}
        self.name_count: Counter = Counter()  # name key → how many things carry it (any kind of name)
        self.spellings: dict[str, Counter] = defaultdict(Counter)  # authority spelling → its countries
        self.folds: dict[str, list[tuple[str, str, str]]] = defaultdict(list)  # thing → (schema, id, text)
        # pass 2
        self.ids: dict[str, str] = {}
        self.extra: dict[str, dict[str, Any]] = {}  # countries and authorities, written at the end
        self.countries: dict[str, str] = {}
        self.authorities: dict[str, str] = {}  # authority spelling → entity id
        self.sources: dict[str, dict[str, Any]] = {}
        self.fact_ids: set[str] = set()
        self.authority_facts: set[str] = set()
        self.written: Counter = Counter()

    # --- counting lines

    def line_read(self, schema: str) -> None:
        """One line read (counted under the schema it names)."""
        self.report.lines += 1
        self.report.count(schema, "read")

    def line_problem(self, schema: str, kind: str, example: str) -> None:
        """A line left out by the reader."""
        self.report.drop(schema, kind, example)

    # --- the story an import joins

    def join(self, story: nx.MultiDiGraph) -> None:
        """Link to ``story``'s entities: countries for codes, names for authorities, FtM ids for an earlier import."""
        self.story = {node: data["type"] for node, data in story.nodes(data=True)}
        for node, data in sorted(story.nodes(data=True), reverse=True):
            for name in (data["name"], *(data.get("aliases") or ())):
                self.story_names[name_key(name)] = node
            self.story_merged.update(data.get("merged_ids") or ())  # ids a `same` resolution merged away
            ftm_id = (data.get("attributes") or {}).get("ftm_id")
            if isinstance(ftm_id, str):
                self.story_ftm[ftm_id] = node
        self.story_countries = story_countries(story, self.mapping)
        self.story_sources = set(story.graph.get("sources") or {})
        self.story_facts = {key for _, _, key in story.edges(keys=True)}

    # --- pass 1

    def index(self, fragments: Fragments) -> list[Any] | None:
        """Merge one id's fragments, clean its values, index it; the record pass 2 reads, or None (counted)."""
        merged = self._merge(fragments)
        if merged is None:
            return None
        ftm_id, schema, properties, files = merged
        self.proofs.update(properties.get("proof", ()))
        if schema.name == "Sanction":
            countries = properties.get("country", [])
            for authority in properties.get("authority") or properties.get("publisher") or ():
                self.spellings[authority].update(countries[:1] or [""])
            return [ftm_id, schema.name, properties, files]
        if schema.edge:
            for one in properties.get(schema.edge_source, ()):
                for other in properties.get(schema.edge_target, ()):
                    self.edge_pairs.add(_pair(one, other))
            return [ftm_id, schema.name, properties, files]
        proxy = _Entity(ftm_id, schema, properties)
        if schema.is_a("Thing"):
            self.things[ftm_id] = self._type_of(proxy)
            if schema.is_a("Document"):
                self.documents[ftm_id] = self._document_source(proxy)
            if schema.name == "Territory":
                self.territories[ftm_id] = self._codes(proxy, ("country",))
            keys = {name_key(n) for p in ("name", "weakAlias", *NAME_PROPS) for n in proxy.get(p, quiet=True)}
            keys.add(name_key(proxy.caption))
            self.name_count.update(k for k in keys if k)
        else:
            self._fold(proxy)
        return [ftm_id, schema.name, properties, files]

    def _merge(self, fragments: Fragments) -> tuple[str, Any, dict[str, list[str]], list[int]] | None:
        from followthemoney.exc import InvalidData

        ftm_id, names, parts, _ = fragments
        schema = None
        for name in names.split("|"):
            one = self.model.get(name)
            if one is None:
                for _ in range(sum(1 for _ in parts)):
                    self.report.drop(name, "unknown schema", f"{ftm_id}: {name}")
                return None
            try:
                schema = one if schema is None else self.model.common_schema(schema, one)
            except InvalidData:
                self.report.drop(names.replace("|", "+"), "fragments whose schemata do not merge",
                                 f"{ftm_id}: {names.replace('|', ', ')}")
                return None
        assert schema is not None
        if len(parts) > 1:
            self.report.count(schema.name, "merged", len(parts) - 1)
        properties: dict[str, dict[str, None]] = {}
        for values_of, _ in parts:
            for key, values in values_of.items():
                prop = schema.properties.get(key)
                if prop is None:
                    self.report.problem("unknown property (left out)", f"{ftm_id}: {schema.name}.{key}")
                    continue
                kept = properties.setdefault(key, {})
                for value in values:
                    clean = self._clean(prop, value)
                    if clean is None:
                        self.report.problem("invalid value (left out)", f"{ftm_id}.{key} = {_short(value)!r}")
                    else:
                        kept[clean] = None
        return ftm_id, schema, {k: list(v) for k, v in properties.items() if v}, sorted({f for _, f in parts})

    @staticmethod
    def _clean(prop: Any, value: str) -> str | None:
        if prop.type.name == "date" and prop.format is None and _ISO_DATE.match(value):
            return value  # already what followthemoney's date cleaning (prefixdate, ≈ 100 µs) returns
        try:
            return prop.type.clean_text(value, format=prop.format)
        except Exception:  # noqa: BLE001 (a type's cleaner failing on odd text is an invalid value)
            return None

    def _fold(self, proxy: Any) -> None:
        """A thing that is neither a Thing nor a relationship (Passport, Page…): kept with the one thing it points at."""
        refs = {v for p, vs in proxy.properties.items() if proxy.schema.properties[p].type.name == "entity"
                and p != "proof" for v in vs}
        if len(refs) != 1:
            self.report.drop(proxy.schema.name, "schema that is neither a thing nor a relationship, pointing at "
                             f"{'nothing' if not refs else 'several things'}", proxy.id)
            return
        parts = [f"{proxy.schema.properties[p].label.lower()}: {', '.join(vs)}"
                 for p, vs in sorted(proxy.properties.items())
                 if proxy.schema.properties[p].type.name != "entity" and p not in META_PROPS]
        self.folds[refs.pop()].append((proxy.schema.name, proxy.id, "; ".join(parts) or proxy.schema.label))

    # --- between the passes

    def prepare(self) -> None:
        """Ids for every thing, sources for cited Documents, one entity per sanctioning body."""
        proof_docs = set(self.documents) & self.proofs
        for ftm_id in sorted(proof_docs):
            self.things.pop(ftm_id, None)
        self.proof_docs = {i: self.documents[i] for i in proof_docs}
        self.documents = {}
        joined = {}
        for ftm_id, codes in sorted(self.territories.items()):
            for code in codes:
                if code in self.story_countries and ftm_id not in joined:
                    joined[ftm_id] = self.story_countries[code]
        again = {i: self.story_ftm[i] for i in self.things if i in self.story_ftm}
        fresh = [i for i in self.things if i not in joined and i not in again]
        taken = set(self.story) | self.story_merged
        self.ids = assign_ids(fresh, taken=taken)
        for ftm_id in fresh:
            made = self.ids[ftm_id]
            if made != ftm_id and made != _slug(ftm_id)[:80].strip("-"):
                self.report.problem("id whose slug is another thing's or the story's (made unique with a hash)",
                                    f"{ftm_id} → {made}")
        self.ids.update(joined)
        self.ids.update(again)
        self.in_story = set(joined) | set(again)
        self.countries = dict(self.story_countries)
        for ftm_id, codes in sorted(self.territories.items()):
            for code in codes:
                self.countries.setdefault(code, self.ids[ftm_id])
        self.claimed = set(self.ids.values()) | taken
        self._authorities()

    def _authorities(self) -> None:
        """Each spelling of a sanctioning body → one entity per body and country (OFAC = Office of Foreign Assets Control)."""
        known = {name_key(a): (name, str(spec.get("country") or "")) for name, spec in self.mapping.authorities.items()
                 for a in [name, *(spec.get("aliases") or ())]}
        canonical: dict[str, tuple[str, str]] = {}  # spelling → (name, country)
        for spelling, countries in sorted(self.spellings.items()):
            country = sorted(countries.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
            canonical[spelling] = known.get(name_key(spelling)) or (spelling, country)
        names_by_country: dict[str, list[str]] = defaultdict(list)
        for name, country in set(canonical.values()):
            names_by_country[country].append(name)
        for spelling, (name, country) in list(canonical.items()):
            if _is_acronym(name):
                fuller = sorted(n for n in names_by_country[country] if n != name and _initials(n) == name)
                if fuller:
                    canonical[spelling] = (fuller[0], country)
        bodies: dict[tuple[str, str], list[str]] = defaultdict(list)
        for spelling, body in sorted(canonical.items()):
            bodies[body].append(spelling)
        homonyms = Counter(name for name, _ in bodies)
        for (name, country), spellings in sorted(bodies.items()):
            code = _country_named(name, self.registry.country.codes)
            story_id = next((self.story_names[k] for k in map(name_key, [name, *spellings]) if k in self.story_names),
                            None)
            if story_id is not None:
                entity_id = story_id
            elif code and code == (country or code):
                entity_id = self._country(code)  # the authority named is a country ("UK")
            else:
                entity_id = self._authority(name, country, spellings, homonyms[name] > 1)
            for spelling in spellings:
                self.authorities[spelling] = entity_id

    def _authority(self, name: str, country: str, spellings: list[str], homonym: bool) -> str:
        shown = name
        if homonym and country:
            shown = f"{name} ({self.registry.country.caption(country) or country.upper()})"
        entity_id = _slug(shown)[:80].strip("-") or f"authority-{_digest(shown)}"
        if entity_id in self.claimed:
            entity_id = f"{entity_id}-{_digest(shown)}"
        self.claimed.add(entity_id)
        body = self.model.make_entity("PublicBody")
        type_id = self._pick_type(body)
        aliases = sorted({s for s in spellings if name_key(s) != name_key(shown)} |
                         ({name} if shown != name else set()), key=name_key)
        record = new_record(ENTITY_FIELDS, id=entity_id, type=type_id, name=shown, aliases=aliases, attributes={})
        record["aliases"] = self._names(record["aliases"], "PublicBody", entity_id)
        if country in self.registry.country.codes:
            record["country"] = self._country(country)
        if self._type_schema(type_id) != "PublicBody":
            record["attributes"]["ftm_schema"] = "PublicBody"
        self.extra[entity_id] = record
        return entity_id

    # --- pass 2

    def convert(self, record: list[Any], writer: _Writer) -> None:
        """Write what one merged FtM entity becomes."""
        ftm_id, schema_name, properties, files = record
        proxy = _Entity(ftm_id, self.model.get(schema_name), properties)
        schema = proxy.schema
        if ftm_id in self.proof_docs:
            self._register(self.proof_docs[ftm_id])
            self.report.count(schema_name, "sources")
        elif schema_name == "Sanction":
            self._sanction(proxy, files, writer)
        elif schema.edge:
            self._edge(proxy, files, writer)
        elif ftm_id in self.things:
            if ftm_id in self.in_story:
                self.report.problem("thing already in the story (the story's entity is used)",
                                    f"{ftm_id} = {self.ids[ftm_id]}")
                self.report.count(schema_name, "in story")
            else:
                self._entity(proxy, files, writer)
            self._property_facts(proxy, files, writer)

    def finish(self, writer: _Writer, dataset_name: str | None, story: nx.MultiDiGraph | None) -> None:
        """Countries, authorities, sources and the schema; then the report's totals."""
        for thing, folded in sorted(self.folds.items()):
            if thing not in self.ids:
                for schema, ftm_id, _ in folded:
                    self.report.drop(schema, f"{schema} pointing at nothing in the stream", f"{ftm_id} → {thing}")
        for entity_id, record in sorted(self.extra.items()):
            writer.entity(record)
            self.written["entities"] += 1
        sources = [s for i, s in sorted(self.sources.items()) if i not in self.story_sources]
        reused = len(self.sources) - len(sources)
        if reused:
            self.report.problem("source already in the story (reused)", ", ".join(sorted(
                i for i in self.sources if i in self.story_sources)[:5]))
        dataset = f"dataset:\n  name: {scalar(dataset_name)}\n\n" if dataset_name else ""
        writer.text("dataset.yaml", dataset + ("sources:\n" + "".join(line for s in sources for line in
                                                                      source_lines(s)) if sources else ""))
        schema = {"entity_types": dict(sorted(self.types.items())), "certainty": dict(self.levels),
                  "relations": {r: spec for r, spec in sorted(self.relations.items())
                                if spec["subject"] and spec["object"]}}  # a relation whose facts all dropped: none
        if story is not None:
            schema = _fragment(schema, story.graph)
            if not self.written["entities"] and not self.written["facts"]:
                raise UsageError("nothing new to import: every thing and fact of the stream is already in the story "
                                 "(nothing was written)")
        elif not self.written["entities"]:
            raise UsageError("nothing to import: no line of the stream is an entity tieline can write "
                             "(nothing was written)")
        if story is None or any(schema.values()):
            writer.text("schema.yaml", schema_text(schema["entity_types"], schema["certainty"], schema["relations"],
                                                   "# Written by tieline's FollowTheMoney import (graph/ftm).\n"))
        self.report.entities, self.report.facts = self.written["entities"], self.written["facts"]
        self.report.sources, self.report.countries = len(sources), self.written["countries"]

    # entities

    def _entity(self, proxy: Any, files: list[int], writer: _Writer) -> None:
        entity_id = self.ids[proxy.id]
        schema = proxy.schema
        type_id = self.things[proxy.id]
        captioned = any(proxy.get(p, quiet=True) for p in schema.caption)
        names = self._names([proxy.caption] * captioned + proxy.get("name", quiet=True), schema.name, proxy.id)
        if not names:
            names = [f"{schema.label} {proxy.id}"]
        strong = {name_key(n) for n in names}
        others = [v for p in NAME_PROPS for v in proxy.get(p, quiet=True)]
        aliases = [n for n in self._names(others, schema.name, proxy.id) if name_key(n) not in strong]
        weak_kept, weak_shared = [], []
        for alias in self._names(proxy.get("weakAlias", quiet=True), schema.name, proxy.id):
            key = name_key(alias)
            if key in strong or any(name_key(a) == key for a in aliases):
                continue
            unique = self.name_count[key] <= 1 and key not in self.story_names
            (weak_kept if unique else weak_shared).append(alias)
        if weak_shared:
            self.report.problem("weak alias shared with another thing (kept as attribute weak_aliases, not a name)",
                                f"{proxy.id}: {weak_shared[0]}")
        entity = new_record(ENTITY_FIELDS, id=entity_id, type=type_id, name=names[0],
                            aliases=list(dict.fromkeys([*names[1:], *aliases, *weak_kept])), attributes={})
        attributes: dict[str, Any] = {}
        descriptions = [" ".join(d.split()) for d in proxy.get("description", quiet=True) if d.strip()]
        if descriptions:
            entity["description"] = descriptions[0]
            if descriptions[1:]:
                attributes["description"] = descriptions[1:]
        used = {"name", "description", "weakAlias", *NAME_PROPS, "proof"}
        entity["start"], extra_start = self._dates(proxy, START_PROPS, earliest=True)
        entity["end"], extra_end = self._dates(proxy, END_PROPS, earliest=False)
        used.update(START_PROPS, END_PROPS)
        attributes.update(extra_start)
        attributes.update(extra_end)
        if entity["start"] and entity["end"] and date_bounds(entity["end"])[1] < date_bounds(entity["start"])[0]:
            self.report.problem("end before start (end kept as attribute)", f"{proxy.id}: {entity['start']} … "
                                                                               f"{entity['end']}")
            attributes["end"] = entity["end"]
            entity["end"] = None
        if schema.name == "Territory":
            codes = self._codes(proxy, ("country",))
            if codes:
                entity["attributes"]["ftm_country"] = codes[0]
                if codes[1:]:
                    attributes["country"] = codes[1:]
            used.add("country")
        else:
            for prop in COUNTRY_PROPS:
                codes = self._codes(proxy, (prop,))
                if codes and not entity.get("country"):
                    entity["country"] = self._country(codes[0])
                    codes = codes[1:]
                if codes:
                    attributes[prop] = codes[0] if len(codes) == 1 else codes
                used.add(prop)
        attributes.update(self._attributes(proxy, used))
        proofs = [self._register(self.proof_docs[r]) for r in proxy.get("proof", quiet=True) if r in self.proof_docs]
        if proofs:
            attributes["proof"] = proofs
        if weak_shared:
            attributes["weak_aliases"] = weak_shared
        for folded_schema, _, text in self.folds.get(proxy.id, ()):
            attributes.setdefault(snake(folded_schema), []).append(text)
            self.report.count(folded_schema, "attributes")
        entity["attributes"].update(sorted(attributes.items()))
        entity["attributes"]["ftm_id"] = proxy.id
        if self._type_schema(type_id) != schema.name:
            entity["attributes"]["ftm_schema"] = schema.name
        entity["attributes"] = {k: (v[0] if isinstance(v, list) and len(v) == 1 else v)
                                for k, v in sorted(entity["attributes"].items())}
        writer.entity(entity)
        self.written["entities"] += 1
        self.report.count(schema.name, "entities")

    def _names(self, names: list[str], schema: str, ftm_id: str) -> list[str]:
        """Distinct names (by name key) the loader accepts: mended where they can be, else left out (counted)."""
        kept: dict[str, str] = {}
        for raw in names:
            if not raw or not raw.strip():
                continue
            name, mended = readable_name(raw)
            if name is None:
                self.report.problem("name the loader refuses (left out)", f"{ftm_id}: {_short(raw)!r}")
                continue
            if mended:
                self.report.problem(f"name mended ({mended})", f"{ftm_id}: {_short(raw)!r} → {_short(name)!r}")
            kept.setdefault(name_key(name) or name, name)
        return list(kept.values())

    def _attributes(self, proxy: Any, used: set[str]) -> dict[str, Any]:
        attributes: dict[str, Any] = {}
        for prop_name, values in sorted(proxy.properties.items()):
            prop = proxy.schema.properties[prop_name]
            if prop_name in used or prop.type.name == "entity":
                continue
            if prop.hidden or prop_name in META_PROPS:
                self.report.problem("FtM bookkeeping property (left out)", f"{proxy.schema.name}.{prop_name}")
                continue
            values = [" ".join(v.split()) for v in values if v.strip()]
            if values:
                attributes[prop_name] = values
        return attributes

    def _property_facts(self, proxy: Any, files: list[int], writer: _Writer) -> None:
        """Each entity-valued property pointing at a thing of the stream (``addressEntity``…) as a fact."""
        subject = self.ids[proxy.id]
        for prop_name, prop in self._entity_props(proxy.schema):
            for value in proxy.properties.get(prop_name, ()):
                target = self.ids.get(value) or self.story_ftm.get(value)
                if target is None:
                    address = prop.range is not None and prop.range.is_a("Address")
                    kind = ("reference to an address not in the stream" if address else
                            "reference to a thing not in the stream")
                    self.report.problem(kind, f"{proxy.id}.{prop_name} → {value}")
                    continue
                if value in self.proof_docs:
                    continue
                if _pair(proxy.id, value) in self.edge_pairs:
                    self.report.problem("property repeating a relationship of the stream (not a second fact)",
                                        f"{proxy.id}.{prop_name} → {value}")
                    continue
                relation = self._property_relation(proxy.schema, prop)
                fact = self._new_fact(proxy, relation, subject, target, files, set(proxy.properties),
                                      fact_id=None, notes=False)
                self._emit(fact, proxy.schema.name, writer)

    def _entity_props(self, schema: Any) -> list[tuple[str, Any]]:
        """The entity-valued properties of ``schema`` that can make facts, sorted (cached per schema)."""
        cache = self.__dict__.setdefault("_entity_props_of", {})
        if schema.name not in cache:
            cache[schema.name] = sorted((n, p) for n, p in schema.properties.items()
                                        if p.type.name == "entity" and n != "proof" and not p.stub)
        return cache[schema.name]

    def _property_relation(self, schema: Any, prop: Any) -> str:
        spec = dict(self.mapping.import_properties.get(prop.name) or {})
        label = prop.label.lower()
        relation_id = spec.pop("id", None) or _token(f"has {prop.name}") or "has_property"
        spec.setdefault("label", f"has {label}")
        spec.setdefault("inverse", f"is {label} of")
        spec["description"] = f"{FROM_FTM} property {prop.qname}"
        return self._use_relation(relation_id, spec)

    def _type_of(self, proxy: Any) -> str:
        """The tieline type of an FtM thing: the vocabulary's, else the default's, else a new one."""
        keys = {k for spec in self.mapping.types.values() for k in spec.get("properties") or {}}
        constants = tuple(sorted((k, tuple(v)) for k, v in proxy.properties.items() if k in keys))
        key = (proxy.schema.name, constants)
        if key not in self.type_cache:
            self.type_cache[key] = self._pick_type(proxy)
        return self.type_cache[key]

    def _pick_type(self, proxy: Any) -> str:
        schema = proxy.schema
        best: tuple[int, int, str] | None = None
        for type_id, spec in self.mapping.types.items():
            if type_id not in self.vocab_types or spec.get("export_only") or not schema.is_a(spec["schema"]):
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
        """The FtM schema a tieline type stands for (cached: asked for every entity)."""
        cache = self.__dict__.setdefault("_type_schemata", {})
        if type_id not in cache:
            cache[type_id] = self._find_type_schema(type_id)
        return cache[type_id]

    def _find_type_schema(self, type_id: str) -> str | None:
        spec = self.mapping.types.get(type_id)
        if spec and type_id in self.vocab_types and not spec.get("export_only"):
            return spec["schema"]
        for schema, spec in self.mapping.import_types.items():
            if spec["id"] == type_id:
                return schema
        return next((s for s in self.model.schemata if snake(s) == type_id), None)

    def _codes(self, proxy: Any, props: tuple[str, ...]) -> list[str]:
        """The country codes of ``props`` (cleaned by followthemoney when the entity was merged)."""
        return [c for p in props for c in proxy.get(p, quiet=True)]

    def _country(self, code: str) -> str:
        """The id of the country entity for an ISO code: the stream's Territory, the story's, or a new entity."""
        if code in self.countries:
            return self.countries[code]
        name = self.registry.country.caption(code) or code.upper()
        country_id = _slug(name) or f"country-{code}"
        if country_id in self.claimed:
            country_id = f"country-{_slug(code)}"
        self.claimed.add(country_id)
        type_id = self._pick_type(self.model.make_entity("Territory"))
        self.extra[country_id] = new_record(ENTITY_FIELDS, id=country_id, type=type_id, name=name, aliases=[],
                                            attributes={"ftm_country": code})
        self.countries[code] = country_id
        self.written["countries"] += 1
        return country_id

    def _dates(self, proxy: Any, props: tuple[str, ...], earliest: bool) -> tuple[str | None, dict[str, list[str]]]:
        """(the date a field takes: the first property's earliest or latest valid value; the others by property)."""
        chosen, rest = None, {}
        for prop in props:
            found = proxy.properties.get(prop)
            if not found:
                continue
            values = []
            for value in found:
                text = value.strip()[:10]
                if is_partial_date(text):
                    values.append(text)
                else:
                    self.report.problem("date tieline cannot read (kept as attribute)", f"{proxy.id}.{prop} = "
                                                                                        f"{value!r}")
                    rest.setdefault(prop, []).append(value)
            values = sorted(set(values), reverse=not earliest)
            if values and chosen is None:
                chosen, values = values[0], values[1:]
            if values:
                rest.setdefault(prop, []).extend(values)
        return chosen, rest

    # sources

    def _document_source(self, proxy: Any) -> dict[str, Any]:
        source_id = proxy.id if SLUG.match(proxy.id) else f"{_slug(proxy.id)[:60].strip('-') or 'source'}-" \
                                                            f"{_digest(proxy.id)}"
        title = (proxy.get("title", quiet=True) or proxy.get("name", quiet=True) or [proxy.caption or proxy.id])[0]
        source = {"id": source_id, "title": " ".join(title.split()) or proxy.id}
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
            source["note"] = " ".join(" ".join(notes).split())
        for key, prop in (("published", "publishedAt"), ("accessed", "retrievedAt")):
            values = [v[:10] for v in proxy.get(prop, quiet=True) if is_partial_date(v[:10])]
            if values:
                source[key] = values[0]
        if source.get("url") and not source["url"].lower().startswith(("http://", "https://")):
            source.pop("url")
        return source

    @staticmethod
    def _source_item(source: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return source["id"], {k: v for k, v in source.items() if v}

    def _register(self, source: dict[str, Any]) -> str:
        """The id of ``source`` in the registry: its own, or, when another source took that id, a longer one (reported)."""
        source_id = source["id"]
        known = self.sources.get(source_id)
        if known is None:
            self.sources[source_id] = self._source_item(source)[1]
        elif known != (item := self._source_item(source)[1]):
            other = f"{source_id}-{_digest(json.dumps(item, sort_keys=True, ensure_ascii=False))}"
            if other not in self.sources:
                self.report.problem("source id taken by another source (the second gets a longer id)",
                                    f"{source_id} → {other}")
                self.sources[other] = {**item, "id": other}
            return other
        return source_id

    def _sources_of(self, proxy: Any, files: list[int]) -> list[str]:
        """The source ids a fact cites: its proof documents, else its URLs or publishers, else its files."""
        cited = []
        for ref in proxy.get("proof", quiet=True):
            source = self.proof_docs.get(ref)
            if source is None:
                self.report.problem("proof that is not a Document of the stream", f"{proxy.id}.proof → {ref}")
                continue
            cited.append(self._register(source))
        if cited:
            return list(dict.fromkeys(cited))
        publishers = proxy.get("publisher", quiet=True)
        for url in proxy.get("sourceUrl", quiet=True):
            if url.lower().startswith(("http://", "https://")):
                cited.append(self._register({"id": f"{_slug(url)[:60].strip('-') or 'url'}-{_digest(url)}",
                                             "title": publishers[0] if publishers else url,
                                             "publisher": publishers[0] if publishers else None, "url": url}))
        if not cited:
            for publisher in publishers:
                cited.append(self._register({"id": f"{_slug(publisher)[:60].strip('-') or 'publisher'}-"
                                                   f"{_digest(publisher)}", "title": publisher,
                                             "publisher": publisher}))
        return list(dict.fromkeys(cited)) or [self._register(self.file_sources[f]) for f in files]

    # facts

    def _edge(self, proxy: Any, files: list[int], writer: _Writer) -> None:
        schema = proxy.schema
        relation, spec, matched = self._relation_of(proxy)
        sources_, targets = proxy.get(schema.edge_source, quiet=True), proxy.get(schema.edge_target, quiet=True)
        if spec.get("reverse"):
            sources_, targets = targets, sources_
        if not sources_ or not targets:
            self.report.drop(schema.name, "relationship without both ends", proxy.id)
            return
        used = {schema.edge_source, schema.edge_target, *matched}
        made = 0
        for subject in sources_:
            for obj in targets:
                ends = [self._end(proxy, ref) for ref in (subject, obj)]
                if None in ends:
                    continue
                fact_id = self._fact_id(proxy.id, f"{subject}|{obj}" if made else "")
                self._emit(self._new_fact(proxy, relation, ends[0], ends[1], files, used, fact_id), schema.name,
                           writer)
                made += 1
        if not made:
            self.report.count(schema.name, "dropped")

    def _end(self, proxy: Any, ref: str) -> str | None:
        tieline_id = self.ids.get(ref) or self.story_ftm.get(ref)  # a thing of an earlier extract, too
        if tieline_id is None:
            self.report.problem("relationship to a thing not in the stream (fact left out)", f"{proxy.schema.name} "
                                                                                               f"{proxy.id} → {ref}")
        return tieline_id

    def _sanction(self, proxy: Any, files: list[int], writer: _Writer) -> None:
        spellings = proxy.get("authority", quiet=True) or proxy.get("publisher", quiet=True)
        bodies = list(dict.fromkeys(self.authorities[s] for s in spellings))
        if not bodies:
            self.report.drop("Sanction", "sanction without an authority or publisher", proxy.id)
            return
        countries = [b for b in bodies if (self.extra.get(b) or {}).get("attributes", {}).get("ftm_country")
                     or self.story.get(b) == "country"]
        subject = next((b for b in bodies if b not in countries), bodies[0])
        also = [self._name_of(b) for b in bodies if b != subject]
        relation, _, _ = self._relation_of(proxy)
        made = 0
        for target in proxy.get("entity", quiet=True):
            obj = self._end(proxy, target)
            if obj is None:
                continue
            fact = self._new_fact(proxy, relation, subject, obj, files, {"entity", "authority", "country"},
                                  self._fact_id(proxy.id, target if made else ""))
            if also:
                fact["note"] = "; ".join(filter(None, [f"also imposed by: {', '.join(also)}", fact.get("note")]))
            self._emit(fact, "Sanction", writer)
            made += 1
        if not made:
            self.report.drop("Sanction", "sanction of nothing in the stream", proxy.id)
            return
        self._authority_fact(subject, proxy, files, writer)

    def _authority_fact(self, body: str, proxy: Any, files: list[int], writer: _Writer) -> None:
        """The sanctioning body's country, once, as a fact (the body is an authority of the country)."""
        record = self.extra.get(body)
        if record is None or not record.get("country") or body in self.authority_facts:
            return
        self.authority_facts.add(body)
        spec = dict(self.mapping.authority_of or {"id": "authority_of", "label": "is an authority of",
                                                  "inverse": "has the authority"})
        relation = self._use_relation(spec.pop("id"), spec)
        fact = self._new_fact(proxy, relation, body, record["country"], files, set(proxy.properties),
                              fact_id=None, notes=False)
        fact["start"] = fact["end"] = fact["quote"] = None
        self._emit(fact, "Sanction", writer)

    def _name_of(self, entity_id: str) -> str:
        record = self.extra.get(entity_id)
        return record["name"] if record else entity_id

    def _fact_id(self, ftm_id: str, variant: str) -> str:
        """The id of a fact made from FtM ``ftm_id`` (``variant``: which of its facts), never one in use."""
        base = ftm_id if FACT_ID.match(ftm_id) and len(ftm_id) <= 200 else \
            f"{_slug(ftm_id)[:60].strip('-') or 'fact'}-{_digest(ftm_id)}"
        wanted = f"{base}-{_digest(variant)}" if variant else base
        if wanted in self.fact_ids:
            self.report.problem("fact id already made (a longer one was taken)", wanted)
            wanted = f"{base}-{_digest(ftm_id + '|' + variant, 40)}"
        return wanted

    def _new_fact(self, proxy: Any, relation: str, subject: str, obj: str, files: list[int], used: set[str],
                  fact_id: str | None, notes: bool = True) -> dict[str, Any]:
        start, rest = self._dates(proxy, FACT_START, earliest=True)
        end, rest_end = self._dates(proxy, ("endDate",), earliest=False)
        if start and end and date_bounds(end)[1] < date_bounds(start)[0]:
            self.report.problem("end before start (end kept in the note)", f"{proxy.id}: {start} … {end}")
            rest_end.setdefault("endDate", []).append(end)
            end = None
        certainty, note = self.certainty, []
        for text in proxy.get("description", quiet=True) if notes else ():
            first, _, tail = text.partition("\n")
            if first.startswith(CERTAINTY_PREFIX) and first[len(CERTAINTY_PREFIX):] in self.levels:
                certainty, text = first[len(CERTAINTY_PREFIX):], tail
            if text.strip():
                note.append(text.strip())
        for prop_name, values in sorted({**proxy.properties, **rest, **rest_end}.items()) if notes else ():
            prop = proxy.schema.properties[prop_name]
            if prop_name in rest or prop_name in rest_end:
                values = rest.get(prop_name, []) + rest_end.get(prop_name, [])
            elif prop_name in used or prop_name in EDGE_KEPT or prop_name in FACT_START or prop_name == "endDate":
                continue
            if prop.hidden or prop_name in META_PROPS or prop.type.name == "entity":
                continue
            note.append(f"{prop.label.lower()}: {', '.join(' '.join(v.split()) for v in values)}")
        quote = " ".join(q.strip() for q in proxy.get("summary", quiet=True) if q.strip()) if notes else ""
        fact = new_record(FACT_FIELDS, subject=subject, relation=relation, object=obj,
                          sources=self._sources_of(proxy, files), certainty=certainty, start=start, end=end,
                          quote=quote or None, note="; ".join(note) or None)
        fact["id"] = fact_id
        return fact

    def _emit(self, fact: dict[str, Any], schema: str, writer: _Writer) -> None:
        key = fact.get("id") or f"{fact['subject']}.{fact['relation']}.{fact['object']}"
        if key in self.story_facts:
            self.report.problem("fact already in the story (left out)", key)
            return
        if key in self.fact_ids:
            return  # the same property fact twice (two values naming one thing)
        self.fact_ids.add(key)
        spec = self.relations[fact["relation"]]
        for end_name in ("subject", "object"):
            type_id = self._type_at(fact[end_name])
            if type_id not in spec[end_name]:
                spec[end_name].append(type_id)
        if fact["subject"] == fact["object"]:
            spec["allow_self"] = True
            self.report.problem("self-relation (allowed in the schema)", key)
        writer.fact(fact)
        self.written["facts"] += 1
        self.report.count(schema, "facts")

    def _type_at(self, entity_id: str) -> str:
        if entity_id in self.extra:
            return self.extra[entity_id]["type"]
        if entity_id in self.story:
            return self.story[entity_id]
        return self.types_by_id[entity_id]

    @property
    def types_by_id(self) -> dict[str, str]:
        """Tieline id → type of every thing of the stream (made once, after ``prepare``)."""
        found = self.__dict__.get("_types_by_id")
        if found is None:
            found = self.__dict__["_types_by_id"] = {self.ids[i]: t for i, t in self.things.items()}
        return found

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
        qualifier = self.mapping.qualified.get(name)
        kinds = proxy.get(qualifier, quiet=True) if qualifier else []
        if kinds and _token(kinds[0]):
            return self._qualified_relation(name, qualifier, kinds[0]), {}, {qualifier} if len(kinds) == 1 else set()
        default = dict(self.mapping.import_relations.get(name) or {
            "id": snake(name), "label": proxy.schema.edge_label or name, "symmetric": True})
        default["description"] = f"{FROM_FTM} {name}"
        return self._use_relation(default.pop("id"), default), {}, set()

    def _qualified_relation(self, schema: str, qualifier: str, kind: str) -> str:
        """A Family (Associate) of one kind as its own relation, worded from both ends: has son / is son of."""
        text = " ".join(kind.lower().split())
        noun = text[:-3] if text.endswith(" of") else text
        base = _token(self.mapping.import_relations.get(schema, {}).get("id", snake(schema)).split("_")[0])
        token = _token(noun)
        relation_id = token if token.startswith(base) else f"{base}_{token}"
        if text.endswith(" of"):
            label, inverse = f"is {text}", f"has {noun}"
        else:
            label, inverse = f"has {text}", f"is {text} of"
        return self._use_relation(relation_id, {"label": label, "inverse": inverse,
                                                "description": f"{FROM_FTM} {schema}, {qualifier}: {kind}"})

    def _use_relation(self, relation_id: str, default: dict[str, Any]) -> str:
        if not TOKEN.match(relation_id):
            relation_id = _token(relation_id) or "linked_to"
        if relation_id not in self.relations:
            spec = dict(self.vocab_relations.get(relation_id) or default)
            spec["subject"], spec["object"] = [], []  # the types this import uses, filled per fact
            if not spec.get("symmetric") and not spec.get("inverse"):
                spec["inverse"] = f"{spec['label']} (inverse)"
            self.relations[relation_id] = spec
        return relation_id


def _matches(values: list[str], wanted: list[str]) -> bool:
    have = {name_key(v) for v in values}
    return all(name_key(w) in have for w in wanted)


_ISO_DATE = re.compile(r"[12]\d{3}(?:-[01]\d(?:-[0-3]\d)?)?\Z")
_COUNTRY_WORDS = {"uk": "gb", "united kingdom": "gb", "usa": "us", "united states": "us", "eu": "eu",
                  "european union": "eu", "un": "zz", "united nations": "zz"}


def _country_named(name: str, codes: Any) -> str | None:
    """The code of an authority that is a country ("UK", "us"), or None (no name table is built: it costs 2 s)."""
    text = " ".join(name.lower().split())
    return text if text in codes else _COUNTRY_WORDS.get(text)


def _pair(one: str, other: str) -> int:
    """A hash of an unordered pair of FtM ids (8 bytes of SHA-1: a set of them is small)."""
    low, high = sorted((one, other))
    return int.from_bytes(hashlib.sha1(f"{low}\x00{high}".encode()).digest()[:8], "big")


def _is_acronym(name: str) -> bool:
    letters = name.replace(".", "")
    return 2 <= len(letters) <= 8 and letters.isalpha() and letters.isupper()


def _initials(name: str) -> str:
    """``Office of Foreign Assets Control`` → ``OFAC`` (the capitalised words' first letters)."""
    return "".join(w[0] for w in re.findall(r"[^\W\d_][\w'’-]*", name) if w[0].isupper())


def _short(text: str, limit: int = 80) -> str:
    """``text`` whole, or its first ``limit`` characters and an ellipsis."""
    return text if len(text) <= limit else text[:limit] + "…"
