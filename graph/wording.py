"""The words of an answer, shared by every question and the page: an entity's short form, a fact as a
sentence read from one side, dates in words, a fact spelled out with its sources — and the small
grammar they follow, so that no answer needs a hand-made exception:

- **number**: :func:`counted` — "1 source", "2 sources", "1 country", "3 entities";
- **tense**: a state whose end has passed (before the dataset's ``date``, or at all when the dataset
  has none) is worded in the past — "worked for Wirecard AG", "was an envoy of" — by
  :func:`past_tense` of the schema's label; happenings are labelled in the past already;
- **articles**: an entity reads "the Kremlin" in a sentence when one of its aliases is "The Kremlin"
  (its label with the article) or its entity type declares ``article: the`` in ``schema.yaml``;
- **voice**: a relation declared ``active: true`` has no passive wording; from the object's side it
  is read subject first ("Joe Biden refused to engage with Russia");
- **entity dates**: an entity type's ``start_label``/``end_label`` (``born``/``died``) word an
  entity's own dates ("born 21 September 1965"), never "since".
"""

from __future__ import annotations

import re
from typing import Any

from .dates import date_bounds, date_text, period_text
from .fields import FACT_FIELDS, RECORD_FIELDS, SOURCE_FIELDS
from .readable import ReadableGraph

__all__ = ["entity_ref", "wording", "fact_when", "entity_when", "fact_view", "statement_view", "counted", "plural", "past_tense",
           "in_sentence", "is_over"]


_PLURALS = {"person": "people", "entity": "entities", "country": "countries", "city": "cities",
            "is": "are", "was": "were", "has": "have"}


def plural(noun: str) -> str:
    """The plural of an English noun: "sources", "entities", "countries", "matches"."""
    if noun in _PLURALS:
        return _PLURALS[noun]
    if noun.endswith("y") and noun[-2:-1] not in tuple("aeiou"):
        return noun[:-1] + "ies"
    if noun.endswith(("s", "x", "z", "ch", "sh")):
        return noun + "es"
    return noun + "s"


_PREPOSITIONS = frozenset(("without", "with", "of", "in", "on", "for", "by", "to", "from", "that", "which"))


def counted(count: int, noun: str, *, thousands: bool = True) -> str:
    """``1 source``, ``2 sources``, ``1,204 entities``: a number and its noun phrase in the right
    number; the head is the last word before a preposition ("facts without a quote", "connected components")."""
    words = noun.split(" ")
    head = next((i - 1 for i, w in enumerate(words) if i and w in _PREPOSITIONS), len(words) - 1)
    if count != 1:
        words[head] = plural(words[head])
    return (f"{count:,}" if thousands else str(count)) + " " + " ".join(words)


_IRREGULAR_PAST = {"is": "was", "are": "were", "has": "had", "have": "had", "does": "did", "speaks": "spoke",
                   "leads": "led", "holds": "held", "seeks": "sought", "runs": "ran", "sits": "sat",
                   "teaches": "taught", "pays": "paid", "buys": "bought", "sells": "sold", "meets": "met",
                   "knows": "knew", "keeps": "kept", "goes": "went", "takes": "took", "gives": "gave",
                   "makes": "made", "owes": "owed", "stands": "stood", "sends": "sent", "spends": "spent",
                   "builds": "built", "brings": "brought", "wins": "won", "becomes": "became", "rises": "rose",
                   "controls": "controlled", "patrols": "patrolled", "admits": "admitted", "commits": "committed",
                   "refers": "referred", "prefers": "preferred", "transfers": "transferred", "occurs": "occurred",
                   "compels": "compelled", "permits": "permitted", "submits": "submitted"}
_DOUBLED = re.compile(r"[^aeiou]+[aeiou][^aeiouwxy]")
"""One syllable ending consonant-vowel-consonant: the last letter doubles ("plan" → "planned")."""


def past_tense(label: str) -> str:
    """A relation's present-tense label in the past: "works for" → "worked for", "is an envoy of" →
    "was an envoy of", "heads" → "headed"; a label that does not start with a present-tense verb
    ("formerly headed", "met with") is returned as it is."""
    verb, space, rest = label.partition(" ")
    if verb in _IRREGULAR_PAST:
        past = _IRREGULAR_PAST[verb]
    elif len(verb) > 2 and verb.endswith("s") and not verb.endswith("ss"):
        stem = verb[:-2] if verb.endswith(("ches", "shes", "sses", "xes", "zes")) else verb[:-1]
        if stem.endswith("ie"):
            stem = stem[:-2] + "y"
        if stem.endswith("y") and stem[-2:-1] not in tuple("aeiou"):
            past = stem[:-1] + "ied"
        else:
            past = stem + ("d" if stem.endswith("e") else stem[-1] + "ed" if _DOUBLED.fullmatch(stem) else "ed")
    else:
        return label
    return past + space + rest


def in_sentence(graph: ReadableGraph, node: str, first: bool = False) -> str:
    """An entity's name as a sentence says it: "the Kremlin" ("The Kremlin" at its start) when an
    alias is the name with "The" before it or its type declares ``article: the``."""
    data = graph.nodes[node]
    name = data["name"]
    article = (graph.graph.get("entity_types", {}).get(data["type"]) or {}).get("article")
    if not article:
        with_the = f"the {name}".casefold()
        article = "the" if any(a.casefold() == with_the for a in data.get("aliases") or ()) else None
    if not article or name.casefold().startswith(f"{article} ".casefold()):
        return name
    return f"{article.capitalize() if first else article} {name}"


def is_over(graph: ReadableGraph, edge: dict[str, Any]) -> bool:
    """Whether a fact is a state that has ended: it has an end, before the dataset's ``date`` (any
    end counts when the dataset has no date)."""
    if edge.get("momentary") or not edge.get("end"):
        return False
    as_of = (graph.graph.get("dataset") or {}).get("date")
    try:
        return as_of is None or date_bounds(edge["end"])[1] < date_bounds(str(as_of))[0]
    except ValueError:
        return True


def entity_ref(graph: ReadableGraph, node: str) -> dict[str, str]:
    """The short form of an entity in results: id, name, type."""
    data = graph.nodes[node]
    return {"id": node, "name": data["name"], "type": data["type"]}


def wording(graph: ReadableGraph, edge: dict[str, Any], from_node: str | None = None) -> str:
    """The fact as a sentence, read from ``from_node``: "RDIF is headed by Kirill Dmitriev"; in the
    past when the state is over; with "the" before names that take it (see the module's grammar)."""
    reverse = (from_node is not None and from_node == edge["object"] and from_node != edge["subject"]
               and bool(edge["inverse"]))
    first, second = (edge["object"], edge["subject"]) if reverse else (edge["subject"], edge["object"])
    label = edge["inverse"] if reverse else edge["label"]
    if is_over(graph, edge):
        label = past_tense(label)
    return f"{in_sentence(graph, first, first=True)} {label} {in_sentence(graph, second)}"


def fact_when(edge: dict[str, Any]) -> str | None:
    """A fact's dates in words, read by its relation: "on 18 February 2025" (a happening), "since
    2011" (a state), "from … to …"; None when undated (:func:`graph.dates.period_text`)."""
    return period_text(edge.get("start"), edge.get("end"), momentary=edge.get("momentary", False))


def entity_when(entity: dict[str, Any], entity_types: dict[str, Any] | None = None) -> str | None:
    """An entity's dates in words: by its type's ``start_label``/``end_label`` when the schema gives
    them ("born 21 September 1965", "founded 2011, dissolved 2020"); else an event with one date is
    "on 18 February 2025" and anything else with only a start exists "since 2011"; None when undated."""
    start, end = entity.get("start"), entity.get("end")
    words = (entity_types or {}).get(entity.get("type")) or {}
    if (words.get("start_label") or words.get("end_label")) and (start or end):
        parts = [(words.get("start_label") or "from") + " " + date_text(start) if start else "",
                 (words.get("end_label") or "until") + " " + date_text(end) if end else ""]
        return ", ".join(p for p in parts if p)
    return period_text(start, end, momentary=entity.get("type") == "event")


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
