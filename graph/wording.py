"""The words of an answer, shared by every question and the page: an entity's short form, a fact as a
sentence read from one side, dates in words, a fact spelled out with its sources."""

from __future__ import annotations

from typing import Any

from .dates import period_text
from .fields import FACT_FIELDS, RECORD_FIELDS, SOURCE_FIELDS
from .readable import ReadableGraph

__all__ = ["entity_ref", "wording", "fact_when", "entity_when", "fact_view", "statement_view"]


def entity_ref(graph: ReadableGraph, node: str) -> dict[str, str]:
    """The short form of an entity in results: id, name, type."""
    data = graph.nodes[node]
    return {"id": node, "name": data["name"], "type": data["type"]}


def wording(graph: ReadableGraph, edge: dict[str, Any], from_node: str | None = None) -> str:
    """The fact as a sentence, read from ``from_node``: "RDIF is headed by Kirill Dmitriev"."""
    subject, obj = graph.nodes[edge["subject"]]["name"], graph.nodes[edge["object"]]["name"]
    if from_node is not None and from_node == edge["object"] and from_node != edge["subject"]:
        return f"{obj} {edge['inverse']} {subject}"
    return f"{subject} {edge['label']} {obj}"


def fact_when(edge: dict[str, Any]) -> str | None:
    """A fact's dates in words, read by its relation: "on 18 February 2025" (a happening), "since
    2011" (a state), "from … to …"; None when undated (:func:`graph.dates.period_text`)."""
    return period_text(edge.get("start"), edge.get("end"), momentary=edge.get("momentary", False))


def entity_when(entity: dict[str, Any]) -> str | None:
    """An entity's dates in words: an event with one date is "on 18 February 2025"; anything else
    with only a start exists "since 2011"; None when undated."""
    return period_text(entity.get("start"), entity.get("end"), momentary=entity.get("type") == "event")


def fact_view(graph: ReadableGraph, edge: dict[str, Any], from_node: str | None = None) -> dict[str, Any]:
    """A fact with its wording and its sources spelled out, for display and JSON.

    Every declared fact field, then where it was written; ``wording`` and ``symmetric`` stand in
    for the relation's label and inverse; ``when`` words its dates (:func:`graph.dates.period_text`)
    and ``undated`` marks a timeless fact.
    """
    sources = graph.graph.get("sources", {})
    view = {f.name: edge.get(f.name) for f in FACT_FIELDS + RECORD_FIELDS}
    view["sources"] = [_source_view(sources.get(s, {"id": s})) for s in edge["sources"]]
    view = {**view, "wording": wording(graph, edge, from_node), "symmetric": edge["symmetric"],
            "when": fact_when(edge), "undated": not (edge["start"] or edge["end"])}
    statements = edge.get("statements")
    if statements:  # a claim stated several times: each statement with its own sources, quote, dates
        view["statements"] = [statement_view(sources, statement, edge.get("momentary", False))
                              for statement in statements]
    return view


def statement_view(sources: Any, statement: dict[str, Any], momentary: bool) -> dict[str, Any]:
    """One statement of a claim, for display and JSON: its fields, its sources spelled out, its dates in words."""
    return {**statement, "sources": [_source_view(sources.get(s, {"id": s})) for s in statement["sources"]],
            "when": period_text(statement.get("start"), statement.get("end"), momentary=momentary)}


def _source_view(source: dict[str, Any]) -> dict[str, Any]:
    """A source as cited under a fact: the fields of its short form."""
    return {f.name: source.get(f.name) for f in SOURCE_FIELDS if f.brief}
