"""tieline graph → a FollowTheMoney entity stream (one JSON entity per line, as Aleph reads it).

Sources become ``Document`` entities that facts cite in ``proof``; entities take the schema the
mapping gives their type; each fact becomes the closest relationship schema that accepts its two
ends, else ``UnknownLink`` with ``role`` = the relation's label. Every reference in the stream
points at an entity of the stream. Same graph → same bytes.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from ..atomic import atomic_writer
from .mapping import Mapping, read_mapping, snake

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["ExportReport", "ftm_entities", "export_ftm", "CERTAINTY_PREFIX", "REPRINTED_PREFIX", "START_PROPS", "END_PROPS",
           "FROM_FTM"]

REPRINTED_PREFIX = "reprinted by: "  # a Document note carrying the source's reprinted_by
CERTAINTY_PREFIX = "certainty: "  # first line of an edge's description: the fact's certainty level
START_PROPS = ("birthDate", "incorporationDate", "inceptionDate", "startDate", "buildDate", "date")
END_PROPS = ("deathDate", "dissolutionDate", "endDate")
FALLBACK_SCHEMA = "LegalEntity"
FROM_FTM = "From FollowTheMoney:"  # an imported relation's description: what it was (graph/ftm/importer.py)
_ORIGIN = re.compile(r"From FollowTheMoney: (?:property (?P<owner>\w+):(?P<prop>\w+)|(?P<schema>\w+)"
                     r"(?:, (?P<key>\w+): (?P<value>.+))?)\Z")


@dataclass
class ExportReport:
    """What an export wrote: entities by FtM schema, and facts that fell back to UnknownLink."""

    by_schema: Counter = field(default_factory=Counter)
    fallbacks: Counter = field(default_factory=Counter)  # relation → facts written as UnknownLink
    left_out: Counter = field(default_factory=Counter)  # what FtM's ranges refuse, e.g. a country in Event.involved

    @property
    def total(self) -> int:
        return sum(self.by_schema.values())

    def notes(self) -> list[str]:
        """What the export could not write as its own FtM schema or property, one line each."""
        lines = []
        if self.fallbacks:
            lines.append(f"{sum(self.fallbacks.values()):,} facts written as UnknownLink (their ends do not fit the "
                         "schema): " + ", ".join(f"{r} {n:,}" for r, n in sorted(self.fallbacks.items())))
        for what, count in sorted(self.left_out.items()):
            lines.append(f"{count:,} × {what}")
        return lines


def export_ftm(graph: nx.MultiDiGraph, out: str | os.PathLike[str] | IO[bytes],
               mapping: Mapping | None = None) -> ExportReport:
    """Write the graph as an FtM stream to a path (atomically) or a binary file object."""
    report = ExportReport()
    if hasattr(out, "write"):
        _write(graph, out, mapping, report)  # type: ignore[arg-type]
    else:
        with atomic_writer(out) as handle:
            _write(graph, handle, mapping, report)
    return report


def _write(graph: nx.MultiDiGraph, handle: IO[bytes], mapping: Mapping | None, report: ExportReport) -> None:
    for entity in ftm_entities(graph, mapping, report):
        handle.write(json.dumps(entity, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode())
        handle.write(b"\n")


def ftm_entities(graph: nx.MultiDiGraph, mapping: Mapping | None = None,
                 report: ExportReport | None = None) -> Iterator[dict[str, Any]]:
    """Every source, entity and fact of ``graph`` as an FtM entity dict (id, schema, properties)."""
    from followthemoney import model

    mapping = mapping or read_mapping()
    report = report if report is not None else ExportReport()
    schemata = {node: _entity_schema(model, data, mapping) for node, data in graph.nodes(data=True)}
    taken = set(graph.graph.get("sources", {}))  # Documents keep their source ids
    ftm_ids = _unique_ids(graph, taken, report)
    codes = {node: _country_code(data) for node, data in graph.nodes(data=True)
             if schemata[node][0] == "Territory"}
    for source_id, source in sorted(graph.graph.get("sources", {}).items()):
        report.by_schema["Document"] += 1
        yield _document(source_id, source)
    origins = {r: _origin(spec) for r, spec in (graph.graph.get("relations") or {}).items()}
    owned: dict[str, dict[str, list[str]]] = {}  # entity → properties that facts made from them give back
    edges = []
    for subject, obj, fact_id, fact in sorted(graph.edges(keys=True, data=True), key=lambda e: e[2]):
        origin = origins.get(fact["relation"]) or {}
        prop = origin.get("prop")
        if prop and _prop_fits(model, schemata[subject][0], prop, schemata[obj][0]):
            owned.setdefault(subject, {}).setdefault(prop, []).append(ftm_ids[obj])
        else:
            edges.append((subject, obj, fact_id, fact))
    for node, data in sorted(graph.nodes(data=True)):
        entity = _entity(model, node, data, schemata[node], ftm_ids, codes, graph, mapping, report)
        for prop, values in sorted(owned.get(node, {}).items()):
            entity["properties"].setdefault(prop, []).extend(sorted(set(values)))
        report.by_schema[entity["schema"]] += 1
        yield entity
    for subject, obj, fact_id, fact in edges:
        origin = origins.get(fact["relation"]) or {}
        if origin.get("schema") == "Sanction" or (not origin and _imported_relation(fact["relation"], mapping)
                                                  .get("schema") == "Sanction"):
            edge = _sanction(fact_id, fact, ftm_ids[obj], graph.nodes[subject], codes.get(subject), graph)
        else:
            edge = _edge(model, fact_id, fact, ftm_ids[subject], ftm_ids[obj], schemata[subject][0],
                         schemata[obj][0], graph, mapping, report, origin)
        edge["id"] = _claim(edge["id"], taken, report, f"fact {fact_id}")
        report.by_schema[edge["schema"]] += 1
        yield edge


def _unique_ids(graph: nx.MultiDiGraph, taken: set[str], report: ExportReport) -> dict[str, str]:
    """Each entity's FtM id: its ``ftm_id`` attribute when that is a valid FtM id no other thing of the
    stream has, else its own id (made unique); what could not be kept is counted in ``report``.

    Two things with one id would be merged by Aleph or nomenklatura, and an invalid id makes
    followthemoney drop every reference to it."""
    from followthemoney.types import registry

    ids = {}
    for node, data in sorted(graph.nodes(data=True)):
        given = (data.get("attributes") or {}).get("ftm_id")
        wanted = registry.entity.clean(str(given)) if given is not None else None
        if given is not None and wanted is None:
            report.left_out["ftm_id that is not a valid FtM id (the entity's own id written instead)"] += 1
        if wanted is not None and wanted in taken:
            report.left_out["ftm_id another thing of the stream already has (the entity's own id written "
                            "instead)"] += 1
            wanted = None
        ids[node] = _claim(wanted or node, taken, report, f"entity {node}")
    return ids


def _claim(wanted: str, taken: set[str], report: ExportReport, what: str) -> str:
    """``wanted``, or ``wanted-2``, ``wanted-3``… when another thing of the stream has it; now taken."""
    chosen, n = wanted, 1
    while chosen in taken:
        n += 1
        chosen = f"{wanted}-{n}"
    if chosen != wanted:
        report.left_out[f"id shared with another thing of the stream, made unique ({what} → {chosen})"] += 1
    taken.add(chosen)
    return chosen


def _origin(spec: dict[str, Any]) -> dict[str, str]:
    """What an imported relation was in FtM, read from its description (``From FollowTheMoney: Family, …``)."""
    found = _ORIGIN.match(str(spec.get("description") or ""))
    return {k: v for k, v in found.groupdict().items() if v} if found else {}


def _prop_fits(model: Any, owner: str, prop: str, target: str) -> bool:
    """Whether entities of schema ``owner`` have the entity property ``prop`` and it accepts a ``target``."""
    found = model.get(owner).properties.get(prop)
    return bool(found and found.type.name == "entity" and found.range and model.get(target).is_a(found.range))


def _sanction(fact_id: str, fact: dict[str, Any], target: str, authority: dict[str, Any], code: str | None,
              graph: nx.MultiDiGraph) -> dict[str, Any]:
    """A ``sanctions`` fact as the FtM Sanction it was: the entity, the authority's name, its country."""
    props: dict[str, list[str]] = {"entity": [target], "authority": [authority["name"]]}
    note = fact.get("note") or ""
    also = re.match(r"also imposed by: ([^;]+)(?:; )?", note)
    if also:
        props["authority"].extend(a.strip() for a in also.group(1).split(", "))
        note = note[also.end():]
    country = code
    if country is None and authority.get("country") in graph:
        country = _country_code(graph.nodes[authority["country"]])
    if country:
        props["country"] = [country]
    _common(props, {**fact, "note": note or None}, graph)
    return {"id": fact_id, "schema": "Sanction", "properties": props}


def _entity_schema(model: Any, data: dict[str, Any], mapping: Mapping) -> tuple[str, dict[str, list[str]]]:
    """The FtM schema of a node and the constant properties its type carries."""
    own = (data.get("attributes") or {}).get("ftm_schema")
    spec = mapping.types.get(data["type"]) or {}
    if isinstance(own, str) and model.get(own) is not None and model.get(own).is_a("Thing"):
        return own, dict(spec.get("properties") or {}) if spec.get("schema") == own else {}
    if spec:
        return spec["schema"], dict(spec.get("properties") or {})
    for name in model.schemata:
        if snake(name) == data["type"] and model.get(name).is_a("Thing") and not model.get(name).abstract:
            return name, {}
    return FALLBACK_SCHEMA, {"keywords": [data["type"]]}


def _country_code(data: dict[str, Any]) -> str | None:
    from followthemoney.types import registry

    attributes = data.get("attributes") or {}
    for value in (attributes.get("ftm_country"), data["name"], *data["aliases"]):
        if isinstance(value, str) and registry.country.clean(value):
            return registry.country.clean(value)
    return None


def _document(source_id: str, source: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, list[str]] = {"title": [source.get("title") or source_id]}
    for key, prop in (("publisher", "publisher"), ("url", "sourceUrl"), ("published", "publishedAt"),
                      ("accessed", "retrievedAt"), ("note", "notes")):
        if source.get(key):
            props[prop] = [source[key]]
    if source.get("reprinted_by"):
        props.setdefault("notes", []).append(REPRINTED_PREFIX + source["reprinted_by"])
    return {"id": source_id, "schema": "Document", "properties": props}


def _entity(model: Any, node: str, data: dict[str, Any], schema_spec: tuple[str, dict[str, list[str]]],
            ftm_ids: dict[str, str], codes: dict[str, str | None], graph: nx.MultiDiGraph,
            mapping: Mapping, report: ExportReport) -> dict[str, Any]:
    name, constants = schema_spec
    schema = model.get(name)
    props: dict[str, list[str]] = {k: list(v) for k, v in constants.items()}
    props["name"] = [data["name"]]
    if data["aliases"]:
        props["alias"] = list(data["aliases"])
    if data.get("description"):
        props["description"] = [data["description"]]
    country = codes.get(node) if name == "Territory" else codes.get(data.get("country") or "")
    if country:
        props["country"] = [country]
    for key, candidates in (("start", START_PROPS), ("end", END_PROPS)):
        prop = next((p for p in candidates if p in schema.properties), None)
        if data.get(key) and prop:
            props.setdefault(prop, []).append(data[key])
    if name == "Event":
        within = schema.properties["involved"].range
        subjects = {s for s, _, f in graph.in_edges(node, data=True) if f["relation"] in mapping.involved}
        involved = sorted(ftm_ids[s] for s in subjects if model.get(_entity_schema(model, graph.nodes[s], mapping)[0])
                          .is_a(within))
        if len(involved) < len(subjects):
            report.left_out[f"{within.name} outside Event.involved's range (the fact is still its own edge)"] += \
                len(subjects) - len(involved)
        if involved:
            props["involved"] = involved
    for key, value in sorted((data.get("attributes") or {}).items()):
        if key in ("ftm_id", "ftm_schema", "ftm_country"):
            continue
        values = [_text(v) for v in (value if isinstance(value, list) else [value])]
        prop = schema.properties.get(key)
        if prop is not None and prop.type.name not in ("entity",) and not prop.stub:
            cleaned = [prop.type.clean(v) for v in values]
            if all(c is not None for c in cleaned):
                props.setdefault(key, []).extend(values)
                continue
            report.left_out[f"attribute {key} not a valid {prop.type.name} for FtM (written to notes)"] += 1
            props.setdefault("notes", []).append(f"{key}: {'; '.join(values)}")
        else:
            props.setdefault("notes", []).append(f"{key}: {'; '.join(values)}")
    return {"id": ftm_ids[node], "schema": name, "properties": props}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _edge(model: Any, fact_id: str, fact: dict[str, Any], subject: str, obj: str, subject_schema: str,
          object_schema: str, graph: nx.MultiDiGraph, mapping: Mapping, report: ExportReport,
          origin: dict[str, str]) -> dict[str, Any]:
    spec = mapping.relations.get(fact["relation"]) or (
        {"schema": origin["schema"], "properties": {origin["key"]: [origin["value"]]} if origin.get("key") else {}}
        if origin.get("schema") else _imported_relation(fact["relation"], mapping))
    schema = model.get(spec.get("schema") or "UnknownLink")
    source, target = (obj, subject) if spec.get("reverse") else (subject, obj)
    ends = (object_schema, subject_schema) if spec.get("reverse") else (subject_schema, object_schema)
    if not (schema and schema.edge and _fits(model, schema, ends)):
        if spec:
            report.fallbacks[fact["relation"]] += 1
        schema, spec, source, target = model.get("UnknownLink"), {}, subject, obj
    props: dict[str, list[str]] = {k: list(v) for k, v in (spec.get("properties") or {}).items()}
    if schema.name == "UnknownLink":
        props["role"] = [fact["label"]]
    props[schema.edge_source] = [source]
    props[schema.edge_target] = [target]
    _common(props, fact, graph)
    return {"id": fact_id, "schema": schema.name, "properties": props}


def _common(props: dict[str, list[str]], fact: dict[str, Any], graph: nx.MultiDiGraph) -> None:
    """Dates, quote, certainty and note, and the sources of a fact, as properties of its FtM entity."""
    if fact.get("start"):
        props["startDate"] = [fact["start"]]
    if fact.get("end"):
        props["endDate"] = [fact["end"]]
    if fact.get("quote"):
        props["summary"] = [fact["quote"]]
    props["description"] = [CERTAINTY_PREFIX + fact["certainty"] + (f"\n{fact['note']}" if fact.get("note") else "")]
    sources = graph.graph.get("sources", {})
    cited = [sources[s] for s in fact["sources"] if s in sources]
    props["proof"] = list(fact["sources"])
    for key, prop in (("publisher", "publisher"), ("url", "sourceUrl")):
        values = list(dict.fromkeys(s[key] for s in cited if s.get(key)))
        if values:
            props[prop] = values


def _imported_relation(relation: str, mapping: Mapping) -> dict[str, Any]:
    """The spec of a relation an FtM import made (``owns`` → Ownership), or {}."""
    for schema, spec in mapping.import_relations.items():
        if spec.get("id") == relation:
            return {"schema": schema}
    return {}


def _fits(model: Any, schema: Any, ends: tuple[str, str]) -> bool:
    """Whether the edge schema's source and target properties accept entities of these schemata."""
    for prop_name, end in zip((schema.edge_source, schema.edge_target), ends):
        prop = schema.properties.get(prop_name)
        if prop is None or prop.range is None or not model.get(end).is_a(prop.range):
            return False
    return True
