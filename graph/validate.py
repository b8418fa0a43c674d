"""Phase 2 of a load: the cross-file rules of :data:`RULES`, run in order over every record of every
file (:func:`link`), so that every problem is reported at once.

Phase 1 (:mod:`graph.parse`) gave shape-checked records per file; a patch after an edit
(:mod:`graph.patch`) runs the same rules on the records the edit involves, which each rule names
(:class:`Involved`).
"""

from __future__ import annotations

import os
import posixpath
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .claims import claim_key, statement_id
from .errors import DataError, DataErrors
from .fields import ENTITY_FIELDS, printable, shown, suggest
from .files import data_files
from .names import id_key, name_key
from .parse import DATASET_KEYS, ParsedFile, parse_file
from .schema import SCHEMA_FILE, Schema, build_schema, is_schema_file
from .tour import check_tour
from .yamlfile import repetition_error

__all__ = ["FactBase", "link", "check_and_link", "load_facts", "made_fact_id", "stories_of", "story_of", "Linker", "check_resolutions",
           "Involved", "Rule", "RULES"]


@dataclass
class FactBase:
    """A validated data folder: vocabulary, dataset description, sources, entities and facts."""

    schema: Schema
    dataset: dict[str, Any]
    sources: dict[str, dict[str, Any]]
    entities: dict[str, dict[str, Any]]
    facts: dict[str, dict[str, Any]]
    different: list[list[str]] = field(default_factory=list)
    """Pairs of ids judged different (``resolutions: - different: [a, b]``), sorted: dedupe skips them."""
    tour: list[dict[str, Any]] = field(default_factory=list)
    """The steps of the guided tour (``tour:``, graph.tour), in order; empty when there is none."""
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    """Entities and sources declared in two stories with different values: each value and where it is."""
    grouped: bool = False
    """Whether records of several files make one thing here (a claim's statements, an entity or source
    of two stories, several stories' datasets): a patch after an edit then builds in full."""


def link(schema: Schema, parsed: list[ParsedFile], errors: list[DataError], folder_name: str,
         stories: tuple[str, ...] = ("",), unreadable: list[str] | None = None) -> FactBase:
    """Phase 2: every rule of :data:`RULES` over the records of ``parsed``; problems are appended to ``errors``.

    ``stories``: the folders (relative, ``""`` the root) holding a schema.yaml: each is a story of its own.
    With ``unreadable`` files (YAML that could not be read), the other files are still judged, but a
    reference that may point into them is counted, not reported, and the count is said at the first of them.
    """
    linker = Linker(schema, parsed, errors, folder_name, stories)
    linker.unreadable = list(unreadable or ())
    for rule in RULES:
        rule.check(linker)
    if linker.unchecked:
        _note_unchecked(errors, linker)
    return FactBase(schema, linker.dataset, linker.sources, linker.entities, linker.facts, linker.different,
                    linker.tour, linker.conflicts, linker.grouped)


def story_of(path: str, stories: tuple[str, ...]) -> str:
    """The story a file belongs to: the deepest of ``stories`` (folders with a schema.yaml) holding it."""
    best = ""
    for story in stories:
        if (not story or path.startswith(story + "/")) and len(story) >= len(best):
            best = story
    return best


def _note_unchecked(errors: list[DataError], linker: Linker) -> None:
    """Say, at the first unreadable file's own problem, how many references wait for it to be read."""
    many = linker.unchecked != 1
    note = (f"; {linker.unchecked} reference{'s' if many else ''} to entities or sources "
            f"{'are' if many else 'is'} not checked until {'this file' if len(linker.unreadable) == 1 else 'these files'}"
            " can be read")
    at = next((n for n, e in enumerate(errors) if e.path == linker.unreadable[0]), None)
    if at is None:
        errors.append(DataError(linker.unreadable[0], 1, 1, note[2:]))
    else:
        errors[at] = DataError(errors[at].path, errors[at].line, errors[at].column, errors[at].message + note)


SUGGEST_BUDGET = 300_000  # names compared for "did you mean" hints in one load: a few seconds at most


class Linker:
    """What phase 2 knows while its rules run: every record, and the indexes the rules build in turn."""

    def __init__(self, schema: Schema, parsed: list[ParsedFile], errors: list[DataError], folder_name: str,
                 stories: tuple[str, ...] = ("",)):
        self.schema = schema
        self.stories = stories
        self.conflicts: list[dict[str, Any]] = []
        self.grouped = False
        self.parsed = parsed
        self.errors = errors
        self.folder_name = folder_name
        self.dataset: dict[str, Any] = {}
        self.sources: dict[str, dict[str, Any]] = {}
        self.entities: dict[str, dict[str, Any]] = {}
        self.facts: dict[str, dict[str, Any]] = {}  # by fact id, given or made (subject.relation.object)
        self.made_ids: list[str] = []  # ids made for facts written without one, in file order
        self.names: dict[str, tuple[str, str]] = {}  # normalized id, name or alias -> (entity id, field)
        self.shared: set[str] = set()  # name keys of several entities (legal: homonyms), never a hint
        self.redirects: dict[str, str] = {}  # id merged by a 'same' resolution -> the id it is merged under
        self.different: list[list[str]] = []
        self.tour: list[dict[str, Any]] = []
        self.records_by_id: dict[str, dict[str, Any]] = {}  # entities merged away, for messages
        self.hints: dict[tuple[int, str], str] = {}
        self.suggest_budget = SUGGEST_BUDGET
        self.untyped: set[str] = set()  # entities of an unknown type: the facts on them are not judged again
        self.unreadable: list[str] = []  # fact files that could not be read: references into them are unknown
        self.unchecked = 0  # references not judged because their target may be in an unreadable file

    def records(self, section: str) -> list[dict[str, Any]]:
        """Every record of ``section`` ('dataset', 'sources', 'entities', 'facts'), in file order."""
        return [r for p in self.parsed for r in getattr(p, section)]

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

    def story(self, record: dict[str, Any]) -> str:
        """The story (folder with its own schema.yaml) a record was written in."""
        return story_of(record["file"], self.stories)

    def error(self, record: dict[str, Any], key: str | None, message: str) -> None:
        """A problem with ``record``, located at its ``key`` (else at the record itself)."""
        where = (record["line"], record.get("column", 0))
        line, column = record["marks"].get(key, where) if key else where
        self.errors.append(DataError(record["file"], line, column, message))


class Involved(Protocol):
    """What a patch offers the rules: the changed files' records, and a way to add unchanged ones.

    The patch links the changed files' records together with the unchanged records the rules
    ask for (each brings along the entities and sources it refers to); what lies outside was
    valid before and is untouched by the edit.
    """

    fresh: list[ParsedFile]

    def dataset(self) -> None:
        """Add the unchanged files' dataset sections."""

    def source(self, source_id: str) -> None:
        """Add the unchanged source with this id, if there is one."""

    def entity(self, entity_id: str | None) -> None:
        """Add the unchanged entity with this id, if there is one (and its country)."""

    def entities_named(self, key: str) -> None:
        """Add the unchanged entities whose id, name or alias has this name key."""

    def entities_in_edited_countries(self) -> None:
        """Add the unchanged entities whose country is an entity of a changed file."""

    def fact(self, fact_id: str) -> None:
        """Add the unchanged fact with this id, if there is one (and its entities and sources)."""

    def facts_on_edited_records(self) -> None:
        """Add the unchanged facts about an entity, or citing a source, of a changed file."""


@dataclass(frozen=True)
class Rule:
    """One cross-file rule: the check over the whole fact base, and the records a patch checks it on.

    ``involves`` adds to a patch's :class:`Involved` every unchanged record the rule must
    see together with the changed files' records to find each problem an edit can cause.
    """

    name: str
    check: Callable[[Linker], None]
    involves: Callable[[Involved], None]


def _fresh(nb: Involved, section: str) -> list[dict[str, Any]]:
    return [r for p in nb.fresh for r in getattr(p, section)]


def check_dataset(link: Linker) -> None:
    """One 'dataset' section per story (none: the folder's name); several stories' datasets are joined."""
    firsts: dict[str, dict[str, Any]] = {}
    for record in link.records("dataset"):
        first = firsts.setdefault(link.story(record), record)
        if first is not record:
            link.error(record, None, f"a second 'dataset' section (the first is in {first['file']}:"
                                     f"{first['line']}); keep one")
    found = list(firsts.values())
    link.dataset = {k: found[0][k] for k in DATASET_KEYS} if found else \
        {"name": link.folder_name, "date": None, "description": None}
    if len(found) > 1:
        link.grouped = True
        link.dataset = joined_dataset(link, found)


def joined_dataset(link: Linker, found: list[dict[str, Any]]) -> dict[str, Any]:
    """The dataset of several stories: their names joined, the latest date, each story listed."""
    dates = [d["date"] for d in found if d["date"]]
    return {"name": " + ".join(d["name"] for d in found), "date": max(dates) if dates else None,
            "description": next((d["description"] for d in found if d["description"]), None),
            "stories": [{"name": d["name"], "date": d["date"], "folder": link.story(d) or ".",
                         "file": d["file"]} for d in found]}


_UNITED_KEYS = ("file", "line", "column", "marks", "declared", "type",
                *(f.name for f in ENTITY_FIELDS if not f.column or f.kind == "text_list"))
"""What is not compared between two stories' declarations of one id: where they are, the id, names
(united), the type (checked) and free attributes (compared one by one)."""


def _united(link: Linker, kind: str, records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Records by id: an id twice in one story is an error; in two stories (of one entity type), one
    thing — names and aliases united, the first value of each field kept, differing ones conflicts."""
    by_id: dict[str, dict[str, Any]] = {}
    for record in records:
        first = by_id.get(record["id"])
        if first is None:
            by_id[record["id"]] = record
        elif link.story(first) == link.story(record):
            link.error(record, "id", f"duplicate {kind} id {record['id']!r} (first at {first['file']}:{first['line']})")
        elif record.get("type") != first.get("type"):
            link.error(record, "type", f"{kind} {record['id']!r} is {_a(record['type'])} here and {_a(first['type'])} "
                                       f"at {first['file']}:{first['line']} (another story); an id names one thing: "
                                       "rename one, or give them one type")
        else:
            link.grouped = True
            by_id[record["id"]] = _unite(link, kind, first, record)
    return by_id


def _unite(link: Linker, kind: str, first: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """One record of two stories' declarations of one id; each field that differs is a conflict."""
    united = dict(first)
    declared = united.setdefault("declared", [_place(first)])
    declared.append(_place(other))
    if "aliases" in first:
        seen = {name_key(n) for n in (first["name"], *first["aliases"])}
        united["aliases"] = list(first["aliases"])
        for name in (other["name"], *other["aliases"]):
            if name_key(name) not in seen:
                seen.add(name_key(name))
                united["aliases"].append(name)
    values = {k: v for k, v in other.items() if k not in _UNITED_KEYS}
    if isinstance(other.get("attributes"), dict):
        united["attributes"] = dict(first.get("attributes") or {})
        values.update({f"attributes.{k}": v for k, v in other["attributes"].items()})
    for key, value in values.items():
        mine = united["attributes"].get(key[11:]) if key.startswith("attributes.") else united.get(key)
        if value in (None, "", []):
            continue
        if mine in (None, "", []):
            if key.startswith("attributes."):
                united["attributes"][key[11:]] = value
            else:
                united[key] = value
        elif mine != value:
            _conflict(link, kind, first["id"], key, [(mine, first), (value, other)])
    return united


def _place(record: dict[str, Any]) -> dict[str, Any]:
    return {"file": record["file"], "line": record["line"]}


def _conflict(link: Linker, kind: str, record_id: str, key: str, values: list[tuple[Any, dict[str, Any]]]) -> None:
    """Record that ``kind`` ``record_id`` has different values of ``key``: each with where it is written."""
    for known in link.conflicts:
        if (known["kind"], known["id"], known["field"]) == (kind, record_id, key):
            known["values"].append({"value": values[-1][0], **_place(values[-1][1]),
                                    "story": link.story(values[-1][1]) or "."})
            return
    link.conflicts.append({"kind": kind, "id": record_id, "field": key, "values": [
        {"value": value, **_place(record), "story": link.story(record) or "."} for value, record in values]})


def check_source_ids(link: Linker) -> None:
    """Each source id is defined once per story; stories may share one."""
    link.sources = _united(link, "source", link.records("sources"))


def _source_ids_involve(nb: Involved) -> None:
    for source in _fresh(nb, "sources"):
        nb.source(source["id"])


def check_entity_ids(link: Linker) -> None:
    """Each entity id is defined once per story; stories may share one (of one type)."""
    link.entities = _united(link, "entity", link.records("entities"))


def _entity_ids_involve(nb: Involved) -> None:
    for entity in _fresh(nb, "entities"):
        nb.entity(entity["id"])


def check_entity_types(link: Linker) -> None:
    """Entity types are in the schema; a country is a known entity of type country."""
    types, entities = link.schema.entity_types, link.entities
    untyped = {e["id"] for e in entities.values() if e["type"] not in types}
    following = Counter(end for fact in link.records("facts") if fact["relation"] in link.schema.relations
                        for end in dict.fromkeys((fact["subject"], fact["object"])) if end in untyped)
    link.untyped |= untyped
    for entity in entities.values():
        if entity["id"] in untyped:
            more = following[entity["id"]]
            link.error(entity, "type", f"unknown entity type {entity['type']!r}{link.suggest(entity['type'], types)}; "
                                       f"the schema has: {', '.join(types)}"
                                       + (f"; and {more} fact{'s' if more != 1 else ''} that follow from it"
                                          if more else ""))
        country = entity["country"]
        if country:
            target = entities.get(country)
            if target is None and link.unreadable:
                link.unchecked += 1
            elif target is None:
                link.error(entity, "country", f"unknown entity {country!r} as country of {entity['id']!r}"
                                              f"{link.suggest(country, entities)}")
            elif "country" in types and target["type"] != "country":
                link.error(entity, "country", f"{country!r} is {_a(target['type'])}, not a country")


def _entity_types_involve(nb: Involved) -> None:
    for entity in _fresh(nb, "entities"):
        nb.entity(entity["country"])
    nb.entities_in_edited_countries()


def _name_keys(entity: dict[str, Any]) -> dict[str, str]:
    """The name keys an entity answers to, each with the field it comes from (the first wins)."""
    keys = {id_key(entity["id"]): "id"}
    keys.setdefault(name_key(entity["name"]), "name")
    for alias in entity["aliases"]:
        keys.setdefault(name_key(alias), "aliases")
    return keys


def index_names(link: Linker) -> None:
    """Index every id, name and alias for "did you mean" hints. Names may be shared (homonyms are
    normal): a shared name is never offered as a hint, and ``tieline dedupe`` reviews them."""
    owner, shared = link.names, link.shared
    for entity in link.entities.values():
        for key, field_name in _name_keys(entity).items():
            if not key:
                continue
            other = owner.setdefault(key, (entity["id"], field_name))
            if other[0] != entity["id"]:
                shared.add(key)


def _names_involve(nb: Involved) -> None:
    for entity in _fresh(nb, "entities"):
        for key in _name_keys(entity):
            if key:
                nb.entities_named(key)


_MERGED_FIELDS = ("description", "country", "start", "end")  # one value each: two different ones conflict


def check_resolutions(link: Linker) -> None:
    """Judgements: ``same`` groups name known entities of one type, each id in one group, no pair judged
    both ways; each group is merged under its first id (names united, every fact kept), and two
    different values of one attribute are reported, naming both places."""
    entities = link.entities
    group_of: dict[str, dict[str, Any]] = {}
    judged_different: list[tuple[dict[str, Any], str, str]] = []
    for record in link.records("resolutions"):
        kind = "same" if record["same"] else "different"
        ids = record[kind]
        unknown = [i for i in ids if i not in entities]
        if unknown and link.unreadable:
            link.unchecked += len(unknown)
            continue
        for entity_id in unknown:
            link.error(record, kind, f"unknown entity {entity_id!r} in '{kind}'{link.suggest(entity_id, entities)}")
        if kind == "different":
            judged_different += [(record, a, b) for n, a in enumerate(ids) for b in ids[n + 1:]]
            continue
        twice = [i for i in ids if i in group_of]
        for entity_id in twice:
            first = group_of[entity_id]
            link.error(record, kind, f"{entity_id!r} is already in a 'same' group at {first['file']}:{first['line']}; "
                                     "put all the ids of one thing in one group")
        types = sorted({entities[i]["type"] for i in ids if i in entities})
        if len(types) > 1:
            link.error(record, kind, f"'same' merges entities of one type; these are {' and '.join(map(_a, types))}")
        if not unknown and not twice and len(types) == 1:
            group_of.update(dict.fromkeys(ids, record))
    for record, a, b in judged_different:
        same = group_of.get(a)
        if same is not None and group_of.get(b) is same:
            link.error(record, "different", f"{a!r} and {b!r} are judged different here, and the same at "
                                            f"{same['file']}:{same['line']}; keep one judgement")
    link.different = [list(pair) for pair in sorted({tuple(sorted((a, b))) for _, a, b in judged_different})]
    for record in {id(r): r for r in group_of.values()}.values():
        _merge(link, record["same"], record)
    _redirect_references(link)


def _merge(link: Linker, ids: list[str], record: dict[str, Any]) -> None:
    """Merge the entities ``ids`` into the first: names and aliases united, attributes checked for conflicts."""
    entities = link.entities
    canonical_id, *others = ids
    merged = dict(entities[canonical_id])
    merged["attributes"] = dict(merged["attributes"] or {})
    seen = {name_key(merged["name"])}
    aliases: list[str] = []
    for entity in (entities[i] for i in ids):
        for name in (entity["name"], *entity["aliases"]):
            if name_key(name) not in seen:
                seen.add(name_key(name))
                aliases.append(name)
    merged["aliases"] = aliases
    owner = dict.fromkeys([*_MERGED_FIELDS, *merged["attributes"]], canonical_id)
    for other_id in others:
        other = entities.pop(other_id)
        link.redirects[other_id] = canonical_id
        values = {**{k: other[k] for k in _MERGED_FIELDS}, **(other["attributes"] or {})}
        for key, value in values.items():
            mine = merged[key] if key in _MERGED_FIELDS else merged["attributes"].get(key)
            if value in (None, "", []):
                continue
            if mine in (None, "", []):
                (merged if key in _MERGED_FIELDS else merged["attributes"])[key] = value
                owner[key] = other_id
            elif mine != value:
                first = entities.get(owner[key]) or link.records_by_id.get(owner[key], merged)
                link.error(other, key if key in _MERGED_FIELDS else None,
                           f"{key!r} of {other_id!r} is {shown(value)}, but {shown(mine)} for {owner[key]!r} "
                           f"({first['file']}:{first['line']}), and 'same' at {record['file']}:{record['line']} "
                           "merges them; keep one value")
        link.records_by_id[other_id] = other
    merged["merged_ids"] = list(others)
    entities[canonical_id] = merged


def _redirect_references(link: Linker) -> None:
    """Facts and countries that name a merged id now name the id it is merged under."""
    redirects = link.redirects
    if not redirects:
        return
    for entity in link.entities.values():
        if entity["country"] in redirects:
            entity["country"] = redirects[entity["country"]]
    for fact in link.records("facts"):
        ends = (fact["subject"], fact["object"])
        if ends[0] in redirects or ends[1] in redirects:
            fact["written_as"] = ends
            fact["subject"], fact["object"] = (redirects.get(end, end) for end in ends)


def _after_merge(fact: dict[str, Any]) -> str:
    """`` after the merge of 'a' (written 'b')`` for a fact whose ends a 'same' resolution renamed, else ''."""
    written = fact.get("written_as")
    if not written:
        return ""
    return f" after the 'same' merge (written as '{written[0]} {fact['relation']} {written[1]}')"


def _resolutions_involve(nb: Involved) -> None:
    """Nothing: a patch never applies judgements; with any resolution in the data, the full build runs."""


def check_fact_references(link: Linker) -> None:
    """A fact's relation, subject, object (of the types the relation takes), sources and certainty exist."""
    schema, entities, sources = link.schema, link.entities, link.sources
    for fact in link.records("facts"):
        relation = schema.relations.get(fact["relation"])
        if relation is None:
            link.error(fact, "relation", f"unknown relation {fact['relation']!r}"
                                         f"{link.suggest(fact['relation'], schema.relations)}; if it is new, declare "
                                         f"it under 'relations:' in {SCHEMA_FILE} (label, inverse, subject, object)")
        for end in ("subject", "object"):
            entity = entities.get(fact[end])
            if entity is None and link.unreadable:
                link.unchecked += 1
            elif entity is None:
                link.error(fact, end, f"unknown entity {fact[end]!r}{_entity_hint(link, fact[end])}")
            elif entity["id"] in link.untyped:
                pass  # said once, at the entity's type
            elif relation is not None and entity["type"] not in getattr(relation, end):
                allowed = " or ".join(getattr(relation, end)) or "nothing"
                link.error(fact, end, f"{fact[end]!r} is {_a(entity['type'])}, but {relation.id!r} takes "
                                      f"{allowed} as {end}")
        for source_id in fact["sources"]:
            if source_id not in sources and link.unreadable:
                link.unchecked += 1
            elif source_id not in sources:
                link.error(fact, "sources", f"unknown source {source_id!r}{link.suggest(source_id, sources)}")
        if fact["certainty"] not in schema.certainty:
            link.error(fact, "certainty", f"unknown certainty {fact['certainty']!r}"
                                          f"{link.suggest(fact['certainty'], schema.certainty)}; "
                                          f"the schema has: {', '.join(schema.certainty)}")


def _entity_hint(link: Linker, ref: str) -> str:
    hint = link.suggest(ref, link.entities)
    if hint:
        return hint
    owner = link.names.get(id_key(ref))
    if owner is not None and owner[1] != "id" and id_key(ref) not in link.shared:
        return f" (did you mean {owner[0]!r}, {printable(link.entities[owner[0]]['name'])}?)"
    return ""


def _fact_references_involve(nb: Involved) -> None:
    for fact in _fresh(nb, "facts"):
        nb.entity(fact["subject"])
        nb.entity(fact["object"])
        for source_id in fact["sources"]:
            nb.source(source_id)
    nb.facts_on_edited_records()


def check_self_relations(link: Linker) -> None:
    """A fact relates an entity to itself only when its relation allows it."""
    for fact in link.records("facts"):
        relation = link.schema.relations.get(fact["relation"])
        if fact["subject"] == fact["object"] and relation is not None and not relation.allow_self:
            link.error(fact, "object", f"{fact['subject']!r} {relation.id} itself{_after_merge(fact)}; the relation "
                                       "does not allow self-relations (set allow_self: true in the schema if it "
                                       "should)")


def made_fact_id(fact: dict[str, Any]) -> str:
    """The id of a fact written without one: ``subject.relation.object``."""
    return f"{fact['subject']}.{fact['relation']}.{fact['object']}"


def check_fact_ids(link: Linker) -> None:
    """Each claim has its own id: given, or made from subject, relation and object. Entries without
    an id that state one claim (:mod:`graph.claims`) are its statements; the same statement twice
    (same sources, one story, no merge between) is an error."""
    facts, relations = link.facts, link.schema.relations
    claims: dict[tuple[str, ...], dict[str, Any]] = {}
    for fact in link.records("facts"):
        explicit = fact["id"] is not None
        relation = relations.get(fact["relation"])
        key = claim_key(fact, relation is not None and relation.symmetric)
        claim = claims.get(key)
        if claim is not None and _same_claim(link, claim, fact, explicit):
            _add_statement(link, claim, fact)
            continue
        fact_id = fact["id"] or made_fact_id(fact)
        first = facts.get(fact_id)
        if first is not None:
            if explicit:
                message = f"duplicate fact id {fact_id!r} (first at {first['file']}:{first['line']})"
            else:
                message = (f"a second fact '{fact['subject']} {fact['relation']} {fact['object']}'"
                           f"{_after_merge(fact) or _after_merge(first)} (first at {first['file']}:{first['line']}); "
                           "give each an 'id' to tell them apart")
            link.error(fact, "id" if explicit else None, message)
            continue
        if not explicit:
            link.made_ids.append(fact_id)
        fact["id"] = fact_id
        facts[fact_id] = claims[key] = fact
    taken: set[str] = set()
    made = set(link.made_ids)
    for claim in list(claims.values()):
        if "statements" in claim:
            _name_statements(link, claim, claim["id"] in made, taken)


def _same_claim(link: Linker, claim: dict[str, Any], fact: dict[str, Any], explicit: bool) -> bool:
    """Whether ``fact`` is another statement of ``claim`` (found by its claim key): always without an
    id; with one, only from another story and for the same ends (a symmetric one either way)."""
    if not explicit:
        return True
    if link.story(claim) == link.story(fact):
        return False
    relation = link.schema.relations.get(fact["relation"])
    ends, claimed = (fact["subject"], fact["object"]), (claim["subject"], claim["object"])
    return fact["relation"] == claim["relation"] and (
        ends == claimed or (relation is not None and relation.symmetric and ends == claimed[::-1]))


def _add_statement(link: Linker, claim: dict[str, Any], fact: dict[str, Any]) -> None:
    """``fact`` as one more statement of ``claim``; an error when it repeats one (same sources, one story)."""
    statements = claim.setdefault("statements", [claim])
    for known in statements:
        if (set(known["sources"]) == set(fact["sources"]) and link.story(known) == link.story(fact)
                and not fact.get("written_as") and not known.get("written_as")):
            link.error(fact, None, f"the same statement twice: '{fact['subject']} {fact['relation']} {fact['object']}' "
                                   f"from the same sources as at {known['file']}:{known['line']}; remove one "
                                   "(another source's statement of it is welcome)")
            return
    statements.append(fact)
    link.grouped = True


def _name_statements(link: Linker, claim: dict[str, Any], made: bool, taken: set[str]) -> None:
    """The ids and order of a claim stated several times, whatever the order of files and lines: the
    claim's id is ``subject.relation.object`` as its statements write it (a symmetric claim written
    both ways: ends in id order), each statement's ``claim@sources`` (:func:`graph.claims.statement_id`);
    statements in the order of their ids, the first giving the claim's own fields."""
    statements = claim["statements"]
    ends = (claim["subject"], claim["object"])
    if made:
        ways = {(s["subject"], s["object"]) for s in statements}
        ends = next(iter(ways)) if len(ways) == 1 else tuple(sorted(ends))
        claim_id = f"{ends[0]}.{claim['relation']}.{ends[1]}"
    else:
        claim_id = claim["id"]
    if claim_id != claim["id"] and claim_id in link.facts:
        other = link.facts[claim_id]
        link.error(claim, None, f"claim '{claim_id}' stated here has the id of the fact at {other['file']}:"
                                f"{other['line']}; give that fact another 'id'")
        return
    for statement in sorted(statements, key=lambda s: (sorted(s["sources"]), s["file"], s["line"])):
        statement["statement_id"] = statement_id(claim_id, sorted(statement["sources"]), taken)
        taken.add(statement["statement_id"])
    ordered = sorted(statements, key=lambda s: s["statement_id"])
    del link.facts[claim["id"]]
    link.facts[claim_id] = {**ordered[0], "id": claim_id, "subject": ends[0], "object": ends[1], "statements": ordered}


def _fact_ids_involve(nb: Involved) -> None:
    for fact in _fresh(nb, "facts"):
        nb.fact(fact["id"] or made_fact_id(fact))
        if fact["id"] is None:  # the claim written the other way (symmetric relations)
            nb.fact(f"{fact['object']}.{fact['relation']}.{fact['subject']}")


def check_rejected_values(link: Linker) -> None:
    """A reference phase 1 rejected as not an id says which id was meant, when it names one exactly."""
    hinted: dict[DataError, DataError] = {}
    for parsed in link.parsed:
        for line, column, message, kind, value in parsed.rejected:
            meant = _meant_id(link, kind, value)
            if meant is not None:
                error = DataError(parsed.path, line, column, message)
                hinted[error] = DataError(parsed.path, line, column,
                                          f"{message.rsplit(' (', 1)[0]} (did you mean {meant!r}?)")
    if hinted:
        link.errors[:] = [hinted.get(e, e) for e in link.errors]


def _meant_id(link: Linker, kind: str, value: str) -> str | None:
    """The id that ``value`` (a name, alias or label) stands for, or None."""
    key = name_key(value)
    if kind == "entity":
        owner = link.names.get(key)
        return owner[0] if owner and key not in link.shared else None
    schema = link.schema
    labels: dict[str, str] = ({t: v.label for t, v in schema.entity_types.items()} if kind == "type"
                              else {r: v.label for r, v in schema.relations.items()} if kind == "relation"
                              else dict(schema.certainty))
    for known, label in labels.items():
        if key in (name_key(known), name_key(label or "")):
            return known
    return None


def _nothing(nb: Involved) -> None:
    """The rule only reads records of the changed files themselves."""


RULES: tuple[Rule, ...] = (
    Rule("one dataset section", check_dataset, lambda nb: nb.dataset()),
    Rule("unique source ids", check_source_ids, _source_ids_involve),
    Rule("unique entity ids", check_entity_ids, _entity_ids_involve),
    Rule("known entity types and countries", check_entity_types, _entity_types_involve),
    Rule("names indexed for hints (shared names are legal)", index_names, _names_involve),
    Rule("judgements: same entities merged, different ones kept apart", check_resolutions, _resolutions_involve),
    Rule("known relations, entities, sources and certainty", check_fact_references, _fact_references_involve),
    Rule("no self-relations unless allowed", check_self_relations, _nothing),
    Rule("unique fact ids", check_fact_ids, _fact_ids_involve),
    Rule("the tour names known entities and facts", check_tour, _nothing),
    Rule("did you mean the id of that name", check_rejected_values, _nothing),
)
"""Phase 2, in order (later rules read what earlier ones indexed). The full build and the patch both run it."""


def load_facts(data_dir: str | os.PathLike[str]) -> FactBase:
    """Read and validate a data folder without any cache; raises :class:`DataErrors`."""
    root = Path(data_dir)
    parsed = [parse_file(path.read_bytes(), path.relative_to(root).as_posix()) for path in data_files(root)]
    return check_and_link(root, parsed)


def check_and_link(root: Path, parsed: list[ParsedFile], folders: tuple[str, ...] = ("",)) -> FactBase:
    """Read the schema from the parsed files, link everything, raise :class:`DataErrors` on any problem.

    ``folders``: the data folders joined, relative to ``root`` (``""``: ``root`` itself); each needs
    a schema.yaml, the first one's is the root schema and every other one a fragment merged into it.
    """
    errors = [e for p in parsed for e in p.errors]
    too_many = repetition_error([(p.path, p.written, p.repeated) for p in parsed])
    if too_many is not None:  # the alias budget is the whole load's, not each file's
        errors.append(too_many)
    if not root.is_dir():
        raise DataErrors([DataError(str(root), 0, 0, "no such data folder")])
    roots = [posixpath.join(folder, SCHEMA_FILE) for folder in folders]
    schema_files = sorted((p for p in parsed if is_schema_file(p.path)),
                          key=lambda p: (p.path not in roots, roots.index(p.path) if p.path in roots else 0, p.path))
    found = len(errors)
    present = {p.path for p in schema_files}
    missing = [path for path in roots if path not in present]
    for path in missing:
        errors.append(DataError(path, 0, 0, "missing: every data folder needs a schema.yaml (see data/README.md)"))
    if missing:
        schema = Schema()
    else:
        schema = build_schema([(p.path, p.schema_document) for p in schema_files], errors) \
            if not any(p.errors for p in schema_files) else Schema()
    schema_broken = bool(missing) or any(p.errors for p in schema_files) or len(errors) > found
    if schema_broken:  # references cannot be judged without the vocabulary
        raise DataErrors([_under(root, e) for e in errors])
    unreadable = [p.path for p in parsed if not p.readable]  # the others are judged; references into these wait
    name = root.resolve().name if folders == ("",) else " + ".join(Path(f).name for f in folders)
    base = link(schema, [p for p in parsed if not is_schema_file(p.path) and p.readable], errors, name,
                stories_of(schema_files), unreadable)
    if errors:
        raise DataErrors([_under(root, e) for e in errors])
    return base


def stories_of(schema_files: list[Any]) -> tuple[str, ...]:
    """The stories of a load: the folders holding a schema.yaml (paths of the files or their records)."""
    return tuple(sorted({posixpath.dirname(getattr(p, "path", p)) for p in schema_files}))


def _a(type_id: str) -> str:
    """``a person``, ``an institution``: a type id with its article."""
    return f"{'an' if type_id[:1] in 'aeiou' else 'a'} {type_id}"


def _under(root: Path, error: DataError) -> DataError:
    """The error with its path shown relative to the working folder, as the user typed it."""
    return DataError(os.path.join(os.fspath(root), error.path), error.line, error.column, error.message)
