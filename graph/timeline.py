"""Time questions: the timeline of dated facts, the date range of a graph, and why an entity has
nothing in a time window.

Plain functions over a (viewed) ``networkx.MultiDiGraph`` returning plain data, like
:mod:`graph.query`; the day rules are :mod:`graph.dates`' (a happening with one date happened in
that date's period, a state with one date holds from then on; an entity exists from its start).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from .dates import Span, date_bounds, date_text, fact_span, overlaps, period_text
from .readable import ReadableGraph
from .wording import entity_ref, entity_when, fact_view

if TYPE_CHECKING:
    import networkx as nx

    from .view import Window

__all__ = ["build_timeline", "date_range", "absence_reason"]


def _order(start: str | None, end: str | None, momentary: bool) -> tuple[Any, ...]:
    """The sort key of an entry's dates: its first day, the longer period first (a state with no end
    before all), then as written."""
    first = date_bounds(start)[0] if start else _dt.date.min
    last = date_bounds(end or start)[1]  # type: ignore[arg-type]
    lasting = not (end or momentary)
    return first, not lasting, -(last - first).days, start or "", end or ""


def build_timeline(graph: nx.MultiDiGraph, entities: Collection[str] = (),
                   window: Span | None = None) -> dict[str, Any]:
    """Dated facts (of ``entities``, or all) in date order, one entry per date or interval.

    An entry's facts share the same dates as written and read them the same way (``2025-03`` and
    ``2025-03-11`` are two entries; so are a state "since March 2025" and a happening "in March
    2025"). Entries sort by their first day; a state with no end comes first, a coarser period
    before the finer ones it starts with (March 2025, then 1 March 2025 …), a longer interval
    before a shorter one, an "until" entry before everything it may precede. A fact is worded
    from the entity asked about (from its subject when all are listed). An event's own date is an entry too, with its
    participants (with ``entities``: the events they are linked to), when its date falls in
    ``window`` (day numbers; the facts are already windowed by the view). Returns
    ``{"entries", "undated"}``; ``undated`` counts the undated facts left out.
    """
    chosen = set(entities)
    groups: dict[tuple[str | None, str | None, bool], list[dict[str, Any]]] = {}
    undated = 0
    seen: set[str] = set()
    for u, v, key, data in sorted(graph.edges(keys=True, data=True), key=lambda e: e[2]):
        if chosen and not ({u, v} & chosen):
            continue
        if not (data["start"] or data["end"]):
            undated += 1
            continue
        side = u if not chosen or u in chosen else v
        momentary = bool(data["end"] or data.get("momentary", False))  # with an end, the same either way
        groups.setdefault((data["start"], data["end"], momentary), []).append(fact_view(graph, data, side))
        seen.update((u, v))
    for node in sorted(seen | chosen if chosen else graph.nodes):
        attrs = graph.nodes[node]
        span = fact_span(attrs.get("start"), attrs.get("end"), True)  # an event's own date: when it happened
        if attrs.get("type") == "event" and span and (window is None or overlaps(span, window)):
            groups.setdefault((attrs.get("start"), attrs.get("end"), True), []).append(_event_entry(graph, node))
    entries = []
    for (start, end, momentary), items in sorted(groups.items(), key=lambda item: _order(*item[0])):
        entries.append({"start": start, "end": end, "when": period_text(start, end, momentary=momentary),
                        "facts": [i for i in items if "event" not in i],
                        "events": [i["event"] for i in items if "event" in i]})
    return {"entries": entries, "undated": undated}


def _event_entry(graph: ReadableGraph, node: str) -> dict[str, Any]:
    """An event on its date, with the entities that took part in it."""
    participants = sorted({u for u, _, rel in graph.in_edges(node, data="relation") if rel == "participated_in"})
    return {"event": {**entity_ref(graph, node), "participants": [entity_ref(graph, p) for p in participants]}}


def date_range(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """The first and last dates of the facts (as written) and how many facts are undated."""
    firsts, lasts, undated = [], [], 0
    for _, _, data in graph.edges(data=True):
        start, end = data["start"], data["end"]
        if not (start or end):
            undated += 1
            continue
        firsts.append((date_bounds(start or end)[0], start or end))
        lasts.append((date_bounds(end or start)[1], end or start))
    return {"first_date": min(firsts)[1] if firsts else None, "last_date": max(lasts)[1] if lasts else None,
            "undated_facts": undated}


def absence_reason(whole: ReadableGraph, viewed: ReadableGraph, node: str, window: Window) -> str | None:
    """Why ``node`` has no facts in ``window`` ("Marco Rubio has no facts before March 2025"), or
    None when it has some. ``whole`` is the graph without the view, ``viewed`` the graph in the window."""
    if viewed.degree(node):
        return None
    attrs = whole.nodes[node]
    name = attrs["name"]
    if attrs.get("start") and date_bounds(attrs["start"])[0].toordinal() > window.span[1]:
        return f"{name} had not begun {window.words} (it is dated {entity_when(attrs)})"
    facts = _facts(whole, node)
    if not facts:
        return f"{name} has no facts at all"
    starts = [(date_bounds(d["start"])[0], d["start"]) for _, _, d in facts if d["start"]]
    if starts and min(starts)[0].toordinal() > window.span[1]:
        return f"{name} has no facts before {date_text(min(starts)[1])}"
    return f"{name} has no facts {window.words}"


def _facts(graph: ReadableGraph, node: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [*graph.out_edges(node, data=True), *((u, v, d) for u, v, d in graph.in_edges(node, data=True) if u != v)]
