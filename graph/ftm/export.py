"""tieline graph → a FollowTheMoney entity stream (one JSON entity per line, as Aleph reads it).

Sources become ``Document`` entities that facts cite in ``proof``; entities take the schema the
mapping gives their type; each fact becomes the closest relationship schema that accepts its two
ends, else ``UnknownLink`` with ``role`` = the relation's label. Every reference in the stream
points at an entity of the stream. Same graph → same bytes.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from ..atomic import atomic_writer
from .mapping import Mapping, read_mapping, snake

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["ExportReport", "ftm_entities", "export_ftm", "CERTAINTY_PREFIX", "REPRINTED_PREFIX", "START_PROPS", "END_PROPS"]

REPRINTED_PREFIX = "reprinted by: "  # a Document note carrying the source's reprinted_by
CERTAINTY_PREFIX = "certainty: "  # first line of an edge's description: the fact's certainty level
START_PROPS = ("birthDate", "incorporationDate", "inceptionDate", "startDate", "buildDate", "date")
END_PROPS = ("deathDate", "dissolutionDate", "endDate")
FALLBACK_SCHEMA = "LegalEntity"


@dataclass
class ExportReport:
    """What an export wrote: entities by FtM schema, and facts that fell back to UnknownLink."""

    by_schema: Counter = field(default_factory=Counter)
    fallbacks: Counter = field(default_factory=Counter)  # relation → facts written as UnknownLink

    @property
    def total(self) -> int:
        return sum(self.by_schema.values())


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
    ftm_ids = {node: str((data.get("attributes") or {}).get("ftm_id") or node) for node, data in graph.nodes(data=True)}
    codes = {node: _country_code(data) for node, data in graph.nodes(data=True)
             if schemata[node][0] == "Territory"}
    for source_id, source in sorted(graph.graph.get("sources", {}).items()):
        report.by_schema["Document"] += 1
        yield _document(source_id, source)
    for node, data in sorted(graph.nodes(data=True)):
        entity = _entity(model, node, data, schemata[node], ftm_ids, codes, graph, mapping)
        report.by_schema[entity["schema"]] += 1
        yield entity
    for subject, obj, fact_id, fact in sorted(graph.edges(keys=True, data=True), key=lambda e: e[2]):
        edge = _edge(model, fact_id, fact, ftm_ids[subject], ftm_ids[obj], schemata[subject][0],
                     schemata[obj][0], graph, mapping, report)
        report.by_schema[edge["schema"]] += 1
        yield edge


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
            mapping: Mapping) -> dict[str, Any]:
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
        involved = sorted({ftm_ids[s] for s, _, f in graph.in_edges(node, data=True)
                           if f["relation"] in mapping.involved})
        if involved:
            props["involved"] = involved
    for key, value in sorted((data.get("attributes") or {}).items()):
        if key in ("ftm_id", "ftm_schema", "ftm_country"):
            continue
        values = [_text(v) for v in (value if isinstance(value, list) else [value])]
        prop = schema.properties.get(key)
        if prop is not None and prop.type.name not in ("entity",) and not prop.stub:
            props.setdefault(key, []).extend(values)
        else:
            props.setdefault("notes", []).append(f"{key}: {'; '.join(values)}")
    return {"id": ftm_ids[node], "schema": name, "properties": props}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _edge(model: Any, fact_id: str, fact: dict[str, Any], subject: str, obj: str, subject_schema: str,
          object_schema: str, graph: nx.MultiDiGraph, mapping: Mapping, report: ExportReport) -> dict[str, Any]:
    spec = mapping.relations.get(fact["relation"]) or _imported_relation(fact["relation"], mapping)
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
    return {"id": fact_id, "schema": schema.name, "properties": props}


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
