"""What part of the graph a command looks at: one object for every query, analysis and export.

A :class:`ViewSpec` holds the view options as the user typed them — names unresolved, vocabulary
unchecked. :meth:`ViewSpec.resolve` checks it once against a compiled graph (unknown entity →
:class:`~graph.errors.EntityNotFound`/:class:`~graph.errors.AmbiguousEntity`, unknown type,
relation or certainty level → :class:`~graph.errors.UsageError` with a suggestion) and gives a
:class:`View`; :meth:`View.apply` gives the graph the command then works on.

The rules, in the order they apply:

1. **Entity types** (``types``): only entities of these types, and the facts between them.
2. **Fact filters** — ``relations`` (only these relations), ``certainty`` (only these levels)
   and ``min_certainty`` (this level and the stronger ones: the order of ``certainty:`` in
   ``schema.yaml``, strongest first). When a fact filter is active, entities left with no fact
   are dropped, except the entities the command is about (its *anchors*: the focus, the ends of
   a path, the entity of ``show`` or ``neighbours``) — a filter shows who its facts join, not
   everyone else.
3. **Time** — ``as_of`` D (facts begun by D), ``between`` (FROM, TO) (facts whose days overlap
   the window), ``at`` D (facts on D: ``between`` D D) and ``dated_only`` (drop undated facts).
   A fact's days are :func:`graph.dates.fact_span` (only a start: that date's period for a
   ``momentary`` relation, from then on for any other; undated: timeless, always kept unless
   ``dated_only``); an entity with dates exists from its start
   (:func:`graph.dates.entity_span`): one that had not begun by the window's end, or had ended
   before it, is not there, nor are the facts about it. Time filters are fact filters (above).
   **Sources** — ``min_sources`` N keeps the claims stated by at least N independent sources
   (:func:`graph.claims.independent_count`: one publisher, or a publisher and its reprinter, count
   once). For a claim of several statements, the certainty and time filters keep the statements
   that pass them, the claim is kept when one does, and only their sources are counted.
4. **Selection** (exports): ``focus`` keeps what lies within ``depth`` hops of the focus
   entities; ``path`` highlights the shortest paths between two entities and, without a focus,
   shows them with their neighbours within ``depth`` hops. The result carries
   ``graph["selection"]`` for the page.

An empty view returns the graph itself, untouched: a warm query pays nothing for the seam.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .dates import (
    AFTER_ALL,
    BEFORE_ALL,
    Span,
    date_bounds,
    date_text,
    entity_span,
    fact_days,
    overlaps,
)
from .claims import independent_count, source_groups
from .dates import fact_span
from .errors import UsageError
from .fields import suggest
from .query import find_neighbours, find_paths
from .readable import is_indexed

if TYPE_CHECKING:
    import networkx as nx

    from .pipeline import Compiled

__all__ = ["ViewSpec", "View", "Window", "certainty_levels", "check_types", "time_window"]


@dataclass(frozen=True)
class ViewSpec:
    """The view options as given on the command line (or by a caller of the library)."""

    focus: tuple[str, ...] = ()
    depth: int = 1
    path: tuple[str, str] | None = None
    types: tuple[str, ...] = ()
    relations: tuple[str, ...] = ()
    certainty: tuple[str, ...] = ()
    min_certainty: str | None = None
    as_of: str | None = None
    between: tuple[str, str] | None = None
    at: str | None = None
    dated_only: bool = False
    min_sources: int | None = None
    exclude_relations: tuple[str, ...] = ()
    exclude_types: tuple[str, ...] = ()

    @property
    def filters(self) -> bool:
        """Whether any filter or selection is asked for."""
        return bool(self.focus or self.path or self.types or self.relations or self.certainty
                    or self.min_certainty or self.as_of or self.between or self.at or self.dated_only
                    or (self.min_sources or 0) > 1
                    or self.exclude_relations or self.exclude_types)

    def resolve(self, compiled: Compiled, anchors: Sequence[str] = ()) -> View:
        """This spec checked against ``compiled``'s vocabulary and names; ``anchors`` are ids."""
        vocabulary = compiled.graph.graph
        check_types(compiled.graph, (*self.types, *self.exclude_types))
        _check_known("relation", (*self.relations, *self.exclude_relations), vocabulary["relations"])
        levels = list(vocabulary["certainty"])
        _check_known("certainty level", (*self.certainty, *filter(None, [self.min_certainty])), levels)
        focus = tuple(dict.fromkeys(compiled.names.resolve(name) for name in self.focus))
        path = (compiled.names.resolve(self.path[0]), compiled.names.resolve(self.path[1])) \
            if self.path else None
        if self.min_sources is not None and self.min_sources < 1:
            raise UsageError(f"--min-sources {self.min_sources}: give a number of sources, 1 or more")
        return View(focus=focus, depth=self.depth, path=path, types=frozenset(self.types),
                    relations=frozenset(self.relations),
                    certainty=certainty_levels(levels, self.certainty, self.min_certainty),
                    window=time_window(self.as_of, self.between, self.at), dated_only=self.dated_only,
                    anchors=tuple(anchors), min_sources=self.min_sources if (self.min_sources or 0) > 1 else 0,
                    registry=vocabulary.get("sources") or {},
                    exclude_relations=frozenset(self.exclude_relations), exclude_types=frozenset(self.exclude_types))


@dataclass(frozen=True)
class Window:
    """A time window: the days it spans (day numbers, both included) and how to say it."""

    span: Span
    words: str      # "as of 1 February 2025", "between March 2025 and April 2025", "on 2 April 2025"
    before: str     # the window's end in words, for "X has no facts before …"


def time_window(as_of: str | None = None, between: tuple[str, str] | None = None,
                at: str | None = None) -> Window | None:
    """The window of ``--as-of``, ``--between`` or ``--at`` (one at most), or None; UsageError naming
    the option when a date is not ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` or the window is reversed."""
    given = [name for name, value in (("--as-of", as_of), ("--between", between), ("--at", at)) if value]
    if len(given) > 1:
        raise UsageError(f"{' and '.join(given)} cannot be used together: give one time window")
    if as_of:
        last = _option_date("--as-of", as_of)[1]
        return Window((BEFORE_ALL, last), f"as of {date_text(as_of)}", date_text(as_of))
    if at:
        first, last = _option_date("--at", at)
        return Window((first, last), ("on " if len(at) == 10 else "in ") + date_text(at), date_text(at))
    if between:
        first, last = _option_date("--between", between[0])[0], _option_date("--between", between[1])[1]
        if last < first:
            raise UsageError(f"--between {between[0]} {between[1]}: the window ends before it begins")
        return Window((first, last), f"between {date_text(between[0])} and {date_text(between[1])}",
                      date_text(between[1]))
    return None


def _option_date(option: str, text: str) -> Span:
    """The first and last day of an option's date as day numbers; UsageError naming the option."""
    try:
        first, last = date_bounds(text)
    except ValueError:
        raise UsageError(f"{option} {text!r} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD "
                         f"(e.g. 2025, 2025-03, 2025-03-11)") from None
    return first.toordinal(), last.toordinal()


def certainty_levels(levels: Sequence[str], only: Collection[str] = (),
                     at_least: str | None = None) -> frozenset[str] | None:
    """The certainty levels a view keeps, or None for all; ``levels`` is the schema's order, strongest first."""
    if not only and at_least is None:
        return None
    kept = set(only) if only else set(levels)
    if at_least is not None:
        kept &= set(levels[:levels.index(at_least) + 1])
    return frozenset(kept)


@dataclass(frozen=True)
class View:
    """A resolved view: entity ids, checked vocabulary. Build it with :meth:`ViewSpec.resolve`."""

    focus: tuple[str, ...] = ()
    depth: int = 1
    path: tuple[str, str] | None = None
    types: frozenset[str] = frozenset()
    relations: frozenset[str] = frozenset()
    certainty: frozenset[str] | None = None
    window: Window | None = None
    dated_only: bool = False
    anchors: tuple[str, ...] = field(default=())
    min_sources: int = 0
    exclude_relations: frozenset[str] = frozenset()
    exclude_types: frozenset[str] = frozenset()
    registry: Any = field(default=None, compare=False, repr=False)
    """The sources registry (``G.graph["sources"]``): who published what, for ``min_sources``."""

    @property
    def filters_facts(self) -> bool:
        """Whether some facts are left out by relation, certainty, time or number of sources."""
        return bool(self.relations or self.exclude_relations) or self.certainty is not None or self.filters_time \
            or self.min_sources > 1

    @property
    def filters_types(self) -> bool:
        """Whether some entities are left out by their type."""
        return bool(self.types or self.exclude_types)

    @property
    def filters_time(self) -> bool:
        """Whether some facts or entities are left out by their dates."""
        return self.window is not None or self.dated_only

    @property
    def is_empty(self) -> bool:
        """Whether the view is the whole graph."""
        return not (self.filters_types or self.filters_facts or self.focus or self.path)

    def keeps_fact(self, fact: dict[str, Any]) -> bool:
        """Whether a fact (edge data) passes the fact filters, time included."""
        return self._fact_test()(fact)

    def _fact_test(self) -> Callable[[dict[str, Any]], bool]:
        """The fact filters as one function, their values bound once (it runs for every fact walked)."""
        relations, certainty, dated_only = self.relations, self.certainty, self.dated_only
        excluded = self.exclude_relations
        timed, least = self.filters_time, self.min_sources
        low, high = self.window.span if self.window else (BEFORE_ALL, AFTER_ALL)
        enough = self._enough_sources()

        def stated(fact: Any, span: Span | None) -> bool:
            if certainty is not None and fact["certainty"] not in certainty:
                return False
            if not timed:
                return True
            return not dated_only if span is None else span[0] <= high and span[1] >= low

        def keeps(fact: dict[str, Any]) -> bool:
            if (relations and fact["relation"] not in relations) or (excluded and fact["relation"] in excluded):
                return False
            if certainty is None and not timed and not least:
                return True
            statements = fact.get("statements")
            if statements is None:  # one statement: the claim's own fields
                return stated(fact, fact_days(fact) if timed else None) and (not least or enough(fact["sources"]))
            momentary = bool(fact.get("momentary"))
            kept = [s for s in statements
                    if stated(s, fact_span(s["start"], s["end"], momentary) if timed else None)]
            return bool(kept) and (not least or enough([x for s in kept for x in s["sources"]]))
        return keeps

    def _enough_sources(self) -> Callable[[list[str]], bool]:
        """Whether sources are at least ``min_sources`` independent ones; who published a source is
        read from the registry once, when first needed."""
        least, registry = self.min_sources, self.registry
        groups: dict[str, tuple[str, str]] = {}

        def enough(sources: list[str]) -> bool:
            if len(sources) < least:  # the common case: fewer sources than asked, whoever published them
                return False
            for source in sources:
                if source not in groups:
                    known = registry.get(source) if registry is not None else None
                    groups.update(source_groups({source: known or {}}))
            return independent_count(sources, groups) >= least
        return enough

    def in_time(self, span: Span | None) -> bool:
        """Whether a fact with these days (None: undated) is in the time window."""
        if span is None:
            return not self.dated_only
        return self.window is None or overlaps(span, self.window.span)

    def entity_in_time(self, entity: dict[str, Any]) -> bool:
        """Whether an entity exists in the window (one without dates always does)."""
        if self.window is None or not (entity.get("start") or entity.get("end")):
            return True
        return overlaps(entity_span(entity.get("start"), entity.get("end")), self.window.span)

    def describe(self) -> str:
        """The active filters in words, for "no path … with these filters" messages."""
        parts = []
        if self.types:
            parts.append("type " + "/".join(sorted(self.types)))
        if self.relations:
            parts.append("relation " + "/".join(sorted(self.relations)))
        if self.certainty is not None:
            parts.append("certainty " + "/".join(sorted(self.certainty)))
        if self.window is not None:
            parts.append(self.window.words)
        if self.dated_only:
            parts.append("dated facts only")
        if self.min_sources > 1:
            parts.append(f"stated by {self.min_sources} independent sources or more")
        if self.exclude_relations:
            parts.append("without relation " + "/".join(sorted(self.exclude_relations)))
        if self.exclude_types:
            parts.append("without type " + "/".join(sorted(self.exclude_types)))
        return ", ".join(parts)

    def headline(self, levels: Sequence[str]) -> str | None:
        """The fact and type filters in words, for the first line of a text answer — "as of 1 March
        2025, confirmed facts only" — or None when there are none (``levels``: strongest first)."""
        parts = [self.window.words] if self.window else []
        if self.certainty is not None:
            kept = [level for level in levels if level in self.certainty]
            parts.append((", ".join(kept[:-1]) + " or " + kept[-1] if len(kept) > 1 else "".join(kept))
                         + " facts only")
        if self.dated_only:
            parts.append("dated facts only")
        for words, names in (("only facts of relation", self.relations), ("without facts of relation",
                             self.exclude_relations), ("only entities of type", self.types),
                             ("without entities of type", self.exclude_types)):
            if names:
                parts.append(f"{words} {', '.join(sorted(names))}")
        if self.min_sources > 1:
            parts.append(f"claims stated by {self.min_sources} independent sources or more")
        return ", ".join(parts) or None

    def apply(self, graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
        """The part of ``graph`` this view shows: ``graph`` itself when the view is empty, else a
        read-only networkx view (cheap: queries and analyses walk it as they walk the graph)."""
        if self.is_empty:
            return graph
        filtered = self._filtered(graph)
        return self._selected(filtered) if self.focus or self.path else filtered

    def export_graph(self, graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
        """What an export writes: ``graph`` itself for an empty view, else a copy in id order with
        ``graph["selection"]`` saying what was selected and highlighted (the page shows it)."""
        if self.is_empty:
            return graph
        filtered = self._filtered(graph)
        selected, path_nodes, path_edges = self._selection(filtered)
        result = _sorted_copy(selected)
        result.graph = dict(graph.graph)
        result.graph["selection"] = {
            "focus": list(self.focus), "depth": self.depth if self.focus or self.path else None,
            "path": path_nodes, "path_edges": path_edges, "types": sorted(self.types),
            "relations": sorted(self.relations),
            **{k: sorted(v) for k, v in (("exclude_relations", self.exclude_relations),
                                         ("exclude_types", self.exclude_types)) if v}}
        if self.certainty is not None:
            result.graph["selection"]["certainty"] = [c for c in graph.graph["certainty"] if c in self.certainty]
        if self.min_sources > 1:
            result.graph["selection"]["min_sources"] = self.min_sources
        return result

    def _filtered(self, graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
        """Entity types, fact and time filters applied, as a networkx subgraph view.

        With a fact filter, an entity is shown when one of its facts is (or it is an anchor):
        decided lazily, entity by entity, so a path query only pays for what it walks.
        """
        nodes, succ, pred = graph._node, graph._succ, graph._pred
        anchors = set(self.anchors) | set(self.focus) | set(self.path or ())
        timed, types, fact_ok = self.window is not None, self.types, self._fact_test()
        excluded = self.exclude_types
        existing: dict[str, bool] = {}

        def exists(n: str) -> bool:
            known = existing.get(n)
            if known is None:
                known = existing[n] = self.entity_in_time(nodes[n])
            return known

        def typed(n: str) -> bool:
            return n in anchors or ((not types or nodes[n]["type"] in types)
                                    and (not excluded or nodes[n]["type"] not in excluded) and (not timed or exists(n)))

        def keep_data(u: str, v: str, data: dict[str, Any]) -> bool:
            return fact_ok(data) and (not timed or (exists(u) and exists(v)))

        def keep_fact(u: str, v: str, k: str) -> bool:
            return keep_data(u, v, succ[u][v][k])

        if not self.filters_facts:
            return _subgraph_view(graph, typed if self.filters_types else _every, None)
        joined: dict[str, bool] = {}

        def has_fact(n: str) -> bool:
            known = joined.get(n)
            if known is None:
                known = joined[n] = n in anchors or (typed(n) and any(
                    typed(other) and keep_data(*ends, data)
                    for adjacency, flip in ((succ, False), (pred, True))
                    for other, edges in adjacency[n].items()
                    for ends in [(other, n) if flip else (n, other)] for data in edges.values()))
            return known

        # without a type filter, a kept fact's two ends are always shown (they exist, and it joins them)
        return _subgraph_view(graph, has_fact, keep_fact, ends_kept=not self.filters_types, data_ok=keep_data)

    def _selected(self, view: nx.MultiDiGraph) -> nx.MultiDiGraph:
        return self._selection(view)[0]

    def _selection(self, view: nx.MultiDiGraph) -> tuple[nx.MultiDiGraph, list[str], list[str]]:
        """The focus and path selection of ``view``: (subgraph, path nodes, path fact ids)."""
        if not (self.focus or self.path):
            return view, [], []
        path_nodes: list[str] = []
        path_edges: list[str] = []
        if self.path is not None:
            ends_shown = all(p in view for p in self.path)
            for found in find_paths(view, *self.path, all_paths=True) if ends_shown else []:
                for hop in found["hops"]:
                    for node in (hop["from"]["id"], hop["to"]["id"]):
                        if node not in path_nodes:
                            path_nodes.append(node)
                    path_edges.extend(f["id"] for f in hop["facts"] if f["id"] not in path_edges)
            if not path_nodes:
                path_nodes = [p for p in self.path if p in view]
        centres = list(self.focus) + ([] if self.focus else path_nodes)
        keep = set(centres) | set(path_nodes)  # a highlighted path is shown even far from the focus
        for centre in centres:
            keep.update(n["id"] for n in find_neighbours(view, centre, self.depth))
        return view.subgraph(keep), path_nodes, path_edges


def _every(node: str) -> bool:
    return True


def _subgraph_view(graph: Any, node_ok: Callable[[str], bool],
                   edge_ok: Callable[[str, str, str], bool] | None, ends_kept: bool = False,
                   data_ok: Callable[[str, str, Any], bool] | None = None) -> Any:
    """``graph`` seen through the filters: networkx's ``subgraph_view``, or the query index's own
    (:meth:`graph.index.IndexGraph.restricted`), which walks the same way. ``ends_kept``: every
    fact ``edge_ok`` keeps joins two entities ``node_ok`` keeps; ``data_ok(u, v, data)``: ``edge_ok``
    given the fact's data (the index then reads neither again)."""
    if is_indexed(graph):
        return graph.restricted(node_ok, edge_ok, ends_kept, data_ok)
    import networkx as nx

    return nx.subgraph_view(graph, filter_node=node_ok, **({"filter_edge": edge_ok} if edge_ok else {}))


def check_types(graph: nx.MultiDiGraph, types: Collection[str]) -> None:
    """UsageError, with a suggestion, when one of ``types`` is not an entity type of the schema."""
    _check_known("entity type", types, graph.graph["entity_types"])


def _check_known(kind: str, given: Collection[str], known: Collection[str]) -> None:
    for name in given:
        if name not in known:
            raise UsageError(f"unknown {kind} {name!r}{suggest(name, known)}; known: {', '.join(known)}")


def _sorted_copy(view: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A real graph with the view's nodes and edges, inserted in id order (views iterate sets)."""
    import networkx as nx

    copy = nx.MultiDiGraph()
    copy.add_nodes_from((n, dict(view.nodes[n])) for n in sorted(view.nodes))
    copy.add_edges_from(sorted(((u, v, k, dict(d)) for u, v, k, d in view.edges(keys=True, data=True)),
                               key=lambda e: e[2]))
    return copy
