"""Where sources disagree (``tieline conflicts``): claims whose statements give different values of a
field, and entities or sources declared in two stories with different values.

A claim disagrees on ``start``, ``end`` or ``certainty`` when two of its statements give different
values (a statement that gives none does not disagree); what its quotes say is not compared. An
entity or a source declared in two stories keeps its first value of each field (in load order) and
every differing one is listed here (recorded when the graph is built: ``G.graph["conflicts"]``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any

from .readable import ReadableGraph
from .wording import entity_ref, statement_view, wording

__all__ = ["CLAIM_FIELDS", "find_conflicts", "count_conflicts"]

CLAIM_FIELDS = ("start", "end", "certainty")
"""The fields of a claim's statements that are compared."""


def _claims(graph: Any) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """Every claim stated more than once: (subject, object, id, data), in id order."""
    found = [(u, v, k, d) for u, v, k, d in graph.edges(keys=True, data=True) if d.get("statements")]
    return iter(sorted(found, key=lambda edge: edge[2]))


def claim_disagreements(data: dict[str, Any]) -> list[tuple[str, dict[Any, list[dict[str, Any]]]]]:
    """The fields a claim's statements disagree on: (field, value → the statements giving it)."""
    found = []
    for name in CLAIM_FIELDS:
        values: dict[Any, list[dict[str, Any]]] = {}
        for statement in data["statements"]:
            if statement.get(name) not in (None, ""):
                values.setdefault(statement[name], []).append(statement)
        if len(values) > 1:
            found.append((name, values))
    return found


def count_conflicts(graph: Any) -> int:
    """How many conflicts ``tieline conflicts`` lists for the whole graph (one per claim or entity and field)."""
    return sum(len(claim_disagreements(d)) for *_, d in _claims(graph)) + len(graph.graph.get("conflicts") or ())


def find_conflicts(graph: ReadableGraph, about: Collection[str] = ()) -> dict[str, Any]:
    """Every disagreement in ``graph`` (the entities ``about``, ids, when given): claims, then entities and sources."""
    sources = graph.graph.get("sources", {})
    claims = []
    for u, v, key, data in _claims(graph):
        if about and u not in about and v not in about:
            continue
        for name, values in claim_disagreements(data):
            claims.append({
                "claim": key, "wording": wording(graph, data), "subject": entity_ref(graph, u),
                "object": entity_ref(graph, v), "field": name,
                "values": [{"value": value, "statements": [
                    _located(statement_view(sources, s, data.get("momentary", False))) for s in stated]}
                    for value, stated in values.items()]})
    declared = [dict(c, name=_name(graph, c)) for c in graph.graph.get("conflicts") or ()
                if not about or c["id"] in about]
    return {"claims": claims, "declarations": declared}


def _located(statement: dict[str, Any]) -> dict[str, Any]:
    """A statement as a conflict lists it: its id, sources, quote, where it is written."""
    return {k: statement[k] for k in ("id", "sources", "quote", "file", "line")}


def _name(graph: ReadableGraph, conflict: dict[str, Any]) -> str:
    """The name of the entity (or title of the source) a declaration conflict is about."""
    if conflict["kind"] == "entity" and conflict["id"] in graph:
        return graph.nodes[conflict["id"]]["name"]
    return (graph.graph.get("sources", {}).get(conflict["id"]) or {}).get("title") or conflict["id"]
