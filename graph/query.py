"""Questions asked of the graph: stats, search, entity cards, neighbours, paths.

Plain functions over a ``networkx.MultiDiGraph`` built by :mod:`graph.model` — or the part of it a
:class:`graph.view.View` shows (types, relations, certainty, focus: the view filters live there) —
returning plain data (dicts and lists) that :mod:`graph.render` and the CLI print as text or JSON.
What stays here is what is not a view filter: a path's ``via_types`` and ``avoid``, the direction
of a walk, and which entities a listing shows. Symmetric relations are traversed both ways even
when following direction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterator
from typing import TYPE_CHECKING, Any

from .dates import BEFORE_ALL, day_text, fact_days
from .names import loose_keys, name_key, search_keys, word_set_key
from .readable import ReadableGraph, is_indexed
from .timeline import date_range
from .wording import entity_ref, fact_view

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "DIRECTIONS", "ROUTE_BUDGET", "graph_counts", "graph_stats", "search_entities", "entity_card", "find_neighbours",
    "neighbourhood", "find_paths", "search_paths",
]

DIRECTIONS = ("out", "in", "both")
Step = tuple[str, str, dict[str, Any]]  # (other node, fact id, edge data)


# --- stats and search ---------------------------------------------------------------------------

def graph_counts(graph: nx.MultiDiGraph) -> dict[str, int]:
    """How many entities, facts and sources: what ``validate`` reports, without the rest of the stats."""
    return {"entities": graph.number_of_nodes(), "facts": graph.number_of_edges(),
            "sources": len(graph.graph.get("sources", {}))}


def graph_stats(graph: nx.MultiDiGraph, top: int = 10) -> dict[str, Any]:
    """Counts by entity type, relation and certainty; components; the most connected entities; the
    first and last dates of the facts and how many are undated."""
    import networkx as nx

    components = sorted((len(c) for c in nx.weakly_connected_components(graph)), reverse=True)
    degree = sorted(graph.degree(), key=lambda item: (-item[1], item[0]))[:top]
    edges = [d for _, _, d in graph.edges(data=True)]
    return {
        "dataset": graph.graph.get("dataset", {}),
        **graph_counts(graph),
        "entity_types": dict(sorted(Counter(t for _, t in graph.nodes(data="type")).items())),
        "relations": dict(sorted(Counter(d["relation"] for d in edges).items())),
        "certainty": dict(sorted(Counter(d["certainty"] for d in edges).items())),
        "facts_without_quote": sum(1 for d in edges if not d["quote"]),
        "components": len(components),
        "largest_component": components[0] if components else 0,
        "isolated": sorted(n for n in graph if graph.degree(n) == 0),
        "most_connected": [{**entity_ref(graph, n), "degree": d} for n, d in degree],
        **date_range(graph),
    }


def search_entities(graph: ReadableGraph, text: str, limit: int = 10,
                    types: Collection[str] = ()) -> list[dict[str, Any]]:
    """Entities whose id, name or alias matches ``text``, best first (exact, prefix, word, fuzzy).

    Text in another script is also compared transliterated (``Дмитриев`` finds Kirill Dmitriev), in
    any word order, and by sound (``Зеленский`` finds Zelenskyy). Among equal scores, the entity
    whose name the text covers most comes first: a person before the events named after them.
    """
    query = name_key(text)
    if not query:
        return []
    loose = None if query.isascii() else loose_keys(text)
    results = []
    matcher, latin_matcher = _matcher(query), _matcher(loose[0] if loose else "")
    rows = graph.search_rows() if is_indexed(graph) else (
        (node, data, search_keys(node, data, loose is not None)) for node, data in graph.nodes(data=True))
    for node, data, names in rows:
        if types and data["type"] not in types:
            continue
        best = (0.0, 0.0, "")
        for name, key, name_loose in names:
            score, compared = _best_score(query, key, name_loose, loose, (matcher, latin_matcher))
            coverage = len(compared[0]) / max(len(compared[1]), 1)
            if (score, coverage) > best[:2]:
                best = (score, coverage, name)
        if best[0] >= 0.5:
            results.append({**entity_ref(graph, node), "score": round(best[0], 3), "matched": best[2],
                            "_coverage": best[1]})
    results.sort(key=lambda r: (-r["score"], -r.pop("_coverage"), r["name"], r["id"]))
    return results[:limit]


def _best_score(query: str, key: str, name_loose: tuple[str, str, str] | None, loose: tuple[str, str, str] | None,
                matchers: tuple[Any, Any]) -> tuple[float, tuple[str, str]]:
    """The score of one name against the query, with the (query, name) keys it was found on.

    ``name_loose``: the name's :func:`graph.names.loose_keys` (given when ``loose``, the query's, is);
    ``matchers``: difflib matchers holding the query and its transliteration.
    """
    score, compared = _name_score(query, key, matchers[0]), (query, key)
    if score < 0.97 and " " in query and key.count(" ") == query.count(" ") and word_set_key(query) == word_set_key(key):
        return 0.97, (query, key)  # the same words in another order: "Dmitriev, Kirill"
    if loose is None or not key:
        return score, compared
    latin, words, sound = loose
    name_latin, name_words, name_sound = name_loose  # type: ignore[misc]
    if words == name_words and latin != name_latin:
        return max(score, 0.97), (latin, name_latin)
    translit = _name_score(latin, name_latin, matchers[1])
    if translit > score:
        score, compared = translit, (latin, name_latin)
    if sound == name_sound or set(sound.split()) <= set(name_sound.split()):
        sounded = 0.9 if sound == name_sound else 0.85
        if sounded > score:
            score, compared = sounded, (sound, name_sound)
    return score, compared


def _matcher(query: str) -> Any:
    """A difflib matcher holding ``query``, and each word's score against it, remembered (names share
    their words: at 100,000 entities, most are seen thousands of times)."""
    import difflib

    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(query)
    matcher.word_scores = {}  # type: ignore[attr-defined]
    return matcher


def _name_score(query: str, name: str, matcher: Any) -> float:
    if not name:
        return 0.0
    if name == query:
        return 1.0
    if name.startswith(query):
        return 0.95
    words = name.split()
    if any(w.startswith(query) for w in words):
        return 0.9
    if query in name:
        return 0.85
    matcher.set_seq1(name)
    if matcher.real_quick_ratio() < 0.5 or matcher.quick_ratio() < 0.5:
        best_word = 0.0
    else:
        best_word = matcher.ratio() * 0.8
    scores = matcher.word_scores
    for word in words:  # a misspelt surname: "witkof" ~ "witkoff"
        score = scores.get(word)
        if score is None:
            matcher.set_seq1(word)
            score = scores[word] = matcher.ratio() * 0.8 \
                if matcher.real_quick_ratio() >= 0.6 and matcher.quick_ratio() >= 0.6 else 0.0
        best_word = max(best_word, score)
    return best_word


# --- the entity card ------------------------------------------------------------------------------

def entity_card(graph: ReadableGraph, node: str) -> dict[str, Any]:
    """An entity's attributes and every fact in and out, each worded from the entity's side."""
    data = dict(graph.nodes[node])
    facts = []
    for _, other, key, edge in graph.out_edges(node, keys=True, data=True):
        facts.append({**fact_view(graph, edge, node), "direction": "out",
                      "other": entity_ref(graph, other)})
    for other, _, key, edge in graph.in_edges(node, keys=True, data=True):
        if other == node:
            continue  # a self-relation is listed once, as outgoing
        facts.append({**fact_view(graph, edge, node), "direction": "in", "other": entity_ref(graph, other)})
    facts.sort(key=lambda f: (f["other"]["name"].casefold(), f["relation"], f["id"]))
    country = data.get("country")
    return {
        "entity": data,
        "country": entity_ref(graph, country) if country and country in graph else None,
        "degree": graph.degree(node),
        "facts": facts,
    }


# --- traversal ------------------------------------------------------------------------------------

def _stepper(graph: ReadableGraph, direction: str) -> Callable[[str], Iterator[Step]]:
    """A function giving the (neighbour, fact id, data) steps from a node in ``direction``."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}")
    succ, pred = graph._succ, graph._pred  # the adjacency dicts: much faster than the views

    def matching(neighbours: dict[str, dict[str, Any]], symmetric_only: bool) -> Iterator[Step]:
        for other, edges in neighbours.items():
            for key, data in edges.items():
                if not symmetric_only or data["symmetric"]:
                    yield other, key, data

    def steps(node: str) -> Iterator[Step]:
        # facts out of the node, then into it; against the direction only symmetric facts count
        yield from matching(succ[node], symmetric_only=direction == "in")
        yield from matching(pred[node], symmetric_only=direction == "out")

    return steps


def find_neighbours(graph: ReadableGraph, node: str, depth: int = 1, types: Collection[str] = (),
                    direction: str = "both") -> list[dict[str, Any]]:
    """Entities within ``depth`` hops, nearest first; each with the facts that reach it.

    ``types`` restricts the entities listed (the walk still passes through entities of other types).
    """
    return neighbourhood(graph, node, depth, types, direction)["neighbours"]


def neighbourhood(graph: ReadableGraph, node: str, depth: int = 1, types: Collection[str] = (),
                  direction: str = "both", limit: int | None = None) -> dict[str, Any]:
    """``{"neighbours", "total"}``: the first ``limit`` (None: all) of :func:`find_neighbours`'s list
    and how many it has in all. Only the entities listed have their facts spelled out, so a large
    neighbourhood costs little more than its walk."""
    reached = _reach(graph, node, depth, direction)
    listed = sorted(((info["distance"], graph.nodes[other]["name"].casefold(), other)
                     for other, info in reached.items()
                     if not types or graph.nodes[other]["type"] in types))
    results = []
    for distance, _, other in listed[:limit]:
        info = reached[other]
        via = info["via"]
        results.append({
            **entity_ref(graph, other), "distance": distance,
            "via": entity_ref(graph, via),
            "facts": [fact_view(graph, data, via) for _, data in sorted(info["facts"].items())],
        })
    return {"neighbours": results, "total": len(listed)}


def _reach(graph: ReadableGraph, node: str, depth: int, direction: str) -> dict[str, dict[str, Any]]:
    """Every entity within ``depth`` hops: its distance, the entity it was first reached from, and the facts from that one."""
    steps = _stepper(graph, direction)
    distance = {node: 0}
    reached: dict[str, dict[str, Any]] = {}
    frontier = [node]
    level = 0
    while frontier and level < depth:  # an empty frontier reaches nothing more: --depth 100000000 ends at once
        level += 1
        next_frontier: list[str] = []
        for current in frontier:
            for other, key, data in steps(current):
                if other not in distance:
                    distance[other] = level
                    next_frontier.append(other)
                    reached[other] = {"via": current, "facts": {}, "distance": level}
                if distance[other] == level and reached[other]["via"] == current:
                    reached[other]["facts"][key] = data
        frontier = next_frontier
    return reached


ROUTE_BUDGET = 2000
"""At most this many routes are examined for ``--chronological``: past it the search gives up and says so."""
WORK_FACTOR, MIN_WORK = 50, 500_000
"""The work of ``--routes`` and ``--chronological``, counted in adjacency entries read: at most
WORK_FACTOR times what the first shortest path cost, and never less than MIN_WORK; past it the
search gives up and says so (each route is a search of the graph: the routes alone do not bound it)."""


class _OutOfWork(Exception):
    """The route search read more of the graph than its budget allows."""


def find_paths(graph: ReadableGraph, source: str, target: str, *, all_paths: bool = False,
               max_hops: int | None = None, via_types: Collection[str] = (), avoid: Collection[str] = (),
               directed: bool = False, limit: int = 100, routes: int | None = None,
               chronological: bool = False) -> list[dict[str, Any]]:
    """Connections from ``source`` to ``target``: the paths of :func:`search_paths`; [] if none."""
    return search_paths(graph, source, target, all_paths=all_paths, max_hops=max_hops, via_types=via_types,
                        avoid=avoid, directed=directed, limit=limit, routes=routes,
                        chronological=chronological)["paths"]


def search_paths(graph: ReadableGraph, source: str, target: str, *, all_paths: bool = False,
                 max_hops: int | None = None, via_types: Collection[str] = (), avoid: Collection[str] = (),
                 directed: bool = False, limit: int = 100, routes: int | None = None,
                 chronological: bool = False) -> dict[str, Any]:
    """Paths from ``source`` to ``target`` and how the search went.

    Without options, one shortest path; ``all_paths``: every shortest path (at most ``limit``);
    ``routes=N``: up to N simple paths, shortest first (Yen's algorithm: networkx's
    ``shortest_simple_paths`` order), ties in the order of their entity ids. Paths are generated
    lazily and the search stops at the limit, however many paths there are.

    ``chronological``: only paths whose hops can happen in order. Each hop may be on any day of
    one of its facts (:func:`graph.dates.fact_span`); a path is chronological when days can be
    picked, one per hop, that never go back in time. Equal days are in order; an undated fact can
    happen at any time. With ``chronological`` and no ``routes``, the shortest chronological paths
    (one, or all of that length with ``all_paths``); at most :data:`ROUTE_BUDGET` routes are
    examined. Each hop then lists only the facts that fit the order, and ``earliest``: the first
    day it can be on (None when undated facts leave it free).

    Returns ``{"paths", "examined", "backwards", "gave_up"}``: the paths, how many routes were
    looked at, how many were rejected as running backwards, and whether a budget ran out (the
    routes, or the work: :data:`WORK_FACTOR`).
    """
    search = _PathSearch(graph, source, target, max_hops, set(via_types), set(avoid), directed,
                         counted=bool(routes or chronological))
    wanted = routes or (limit if all_paths else 1)
    candidates = search.simple_paths() if routes or chronological else search.shortest_paths()
    found: list[dict[str, Any]] = []
    examined = backwards = 0
    try:
        for nodes in candidates:
            if chronological and (len(found) >= wanted
                                  or (not routes and found and len(nodes) - 1 > found[0]["length"])):
                break
            if not chronological and len(found) >= wanted:
                break
            if chronological and examined >= ROUTE_BUDGET:
                raise _OutOfWork
            examined += 1
            hops = search.hops(nodes, chronological)
            if hops is None:
                backwards += 1
                continue
            found.append({"length": len(nodes) - 1, "hops": hops})
    except _OutOfWork:
        return {"paths": found, "examined": examined, "backwards": backwards, "gave_up": True}
    return {"paths": found, "examined": examined, "backwards": backwards, "gave_up": False}


class _PathSearch:
    """The paths between two entities of a graph, generated lazily: shortest ones, or simple ones
    shortest first; and each path's hops with their facts."""

    def __init__(self, graph: ReadableGraph, source: str, target: str, max_hops: int | None,
                 via_types: set[str], avoid: set[str], directed: bool, counted: bool = False) -> None:
        self.graph, self.source, self.target = graph, source, target
        self.max_hops = max_hops if max_hops is not None else float("inf")
        self.via_types, self.avoid = via_types, avoid
        self.forward = _stepper(graph, "out" if directed else "both")
        self.backward = _stepper(graph, "in" if directed else "both")
        self.work, self.budget = 0, float("inf")  # adjacency entries read; past the budget: _OutOfWork
        if counted:
            self.forward, self.backward = self._counting(self.forward), self._counting(self.backward)

    def _counting(self, steps: Callable[[str], Iterator[Step]]) -> Callable[[str], Iterator[Step]]:
        """``steps`` counting the work it does against the budget."""
        def counted(node: str) -> Iterator[Step]:
            found = list(steps(node))
            self.work += len(found) + 1
            if self.work > self.budget:
                raise _OutOfWork
            return iter(found)
        return counted

    def allowed(self, node: str) -> bool:
        """Whether a path may pass through ``node`` (its ends always may)."""
        if node == self.source or node == self.target:
            return True
        return node not in self.avoid and (not self.via_types or self.graph.nodes[node]["type"] in self.via_types)

    def shortest_paths(self) -> Iterator[list[str]]:
        """Every shortest path, in the order of their entity ids."""
        if self.source != self.target and (self.source in self.avoid or self.target in self.avoid):
            return iter(())
        return _shortest_node_paths(self.forward, self.backward, self.allowed, self.source, self.target,
                                    self.max_hops)

    def simple_paths(self) -> Iterator[list[str]]:
        """Simple paths, shortest first (Yen's algorithm over the bidirectional search)."""
        import heapq

        first = next(self.shortest_paths(), None)
        if first is None:
            return
        self.budget = max(MIN_WORK, WORK_FACTOR * self.work)  # the graph's scale, as the first search met it
        found, queued, seen = [first], [], {tuple(first)}
        yield first
        while True:
            last = found[-1]
            for i in range(len(last) - 1):
                root = last[:i + 1]
                banned_pairs = {(p[i], p[i + 1]) for p in found if p[:i + 1] == root}
                banned_nodes = set(root[:-1])
                spur = next(self._spur_paths(root[-1], banned_nodes, banned_pairs, self.max_hops - i), None)
                if spur is not None and tuple(root[:-1] + spur) not in seen:
                    candidate = root[:-1] + spur
                    seen.add(tuple(candidate))
                    heapq.heappush(queued, (len(candidate), candidate))
            if not queued:
                return
            found.append(heapq.heappop(queued)[1])
            yield found[-1]

    def _spur_paths(self, start: str, banned_nodes: set[str], banned_pairs: set[tuple[str, str]],
                    hops_limit: float) -> Iterator[list[str]]:
        def forward(node: str) -> Iterator[Step]:
            return (s for s in self.forward(node) if (node, s[0]) not in banned_pairs)

        def backward(node: str) -> Iterator[Step]:
            return (s for s in self.backward(node) if (s[0], node) not in banned_pairs)

        def allowed(node: str) -> bool:
            return node not in banned_nodes and (node == start or self.allowed(node))

        return _shortest_node_paths(forward, backward, allowed, start, self.target, hops_limit)

    def hops(self, nodes: list[str], chronological: bool) -> list[dict[str, Any]] | None:
        """The hops of a path, each with its facts; in time order or None with ``chronological``."""
        graph, hops, earliest = self.graph, [], BEFORE_ALL
        for u, v in zip(nodes, nodes[1:]):
            facts = sorted((key, data) for other, key, data in self.forward(u) if other == v)
            hop: dict[str, Any] = {"from": entity_ref(graph, u), "to": entity_ref(graph, v)}
            if chronological:
                spans = [(key, data, fact_days(data)) for key, data in facts]
                fitting = [(key, data, span) for key, data, span in spans if span is None or span[1] >= earliest]
                if not fitting:
                    return None
                earliest = min(earliest if span is None else max(earliest, span[0]) for _, _, span in fitting)
                facts = [(key, data) for key, data, _ in fitting]
                hop["earliest"] = day_text(earliest) if earliest != BEFORE_ALL else None
            hop["facts"] = [fact_view(graph, data, u) for _, data in facts]
            hops.append(hop)
        return hops


def _shortest_node_paths(forward: Callable[[str], Iterator[Step]], backward: Callable[[str], Iterator[Step]],
                         allowed: Callable[[str], bool], source: str, target: str,
                         hops_limit: float) -> Iterator[list[str]]:
    """Every shortest path from ``source`` to ``target``, lazily, in the order of their entity ids.

    A bidirectional breadth-first search finds the length and, on each side, every node's parents;
    the paths are then walked depth first, children in id order, pruned to the nodes that lead to
    the meeting layer: each path costs its length, however many there are.
    """
    if source == target:
        yield [source]
        return
    sides = [
        {"dist": {source: 0}, "parents": {source: []}, "frontier": [source], "depth": 0, "steps": forward},
        {"dist": {target: 0}, "parents": {target: []}, "frontier": [target], "depth": 0, "steps": backward},
    ]
    total = None
    while sides[0]["frontier"] and sides[1]["frontier"]:
        if sides[0]["depth"] + sides[1]["depth"] >= hops_limit:
            return
        side_index = 0 if len(sides[0]["frontier"]) <= len(sides[1]["frontier"]) else 1
        side, other = sides[side_index], sides[1 - side_index]
        level = side["depth"] + 1
        dist, parents, new = side["dist"], side["parents"], []
        for node in side["frontier"]:
            for neighbour, _, _ in side["steps"](node):
                seen = dist.get(neighbour)
                if seen is None:
                    if not allowed(neighbour):
                        continue
                    dist[neighbour] = level
                    parents[neighbour] = [node]
                    new.append(neighbour)
                elif seen == level and node not in parents[neighbour]:
                    parents[neighbour].append(node)
        side["frontier"], side["depth"] = sorted(new), level
        meets = [n for n in new if n in other["dist"]]
        if meets:
            total = min(level + other["dist"][n] for n in meets)
            break
    if total is None or total > hops_limit:
        return
    fwd, bwd = sides
    cut = min(fwd["depth"], total)
    middles = [n for n, d in fwd["dist"].items() if d == cut and bwd["dist"].get(n) == total - cut]
    children: dict[str, list[str]] = {}
    useful, stack = set(middles), list(middles)
    while stack:  # the forward nodes that lead to a middle node, and their children among them
        node = stack.pop()
        for parent in fwd["parents"][node]:
            children.setdefault(parent, []).append(node)
            if parent not in useful:
                useful.add(parent)
                stack.append(parent)
    pending = [[source]]
    while pending:
        path = pending.pop()
        node = path[-1]
        if len(path) - 1 == total:
            yield path
            continue
        nexts = children.get(node, []) if len(path) - 1 < cut else bwd["parents"][node]
        pending.extend(path + [n] for n in sorted(set(nexts), reverse=True))
