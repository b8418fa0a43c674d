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

from .fields import FACT_FIELDS, RECORD_FIELDS, SOURCE_FIELDS
from .names import id_key, loose_keys, name_key, word_set_key

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "DIRECTIONS", "graph_stats", "search_entities", "entity_card", "find_neighbours", "find_paths",
    "entity_ref", "fact_view", "wording",
]

DIRECTIONS = ("out", "in", "both")
Step = tuple[str, str, dict[str, Any]]  # (other node, fact id, edge data)


def entity_ref(graph: nx.MultiDiGraph, node: str) -> dict[str, str]:
    """The short form of an entity in results: id, name, type."""
    data = graph.nodes[node]
    return {"id": node, "name": data["name"], "type": data["type"]}


def wording(graph: nx.MultiDiGraph, edge: dict[str, Any], from_node: str | None = None) -> str:
    """The fact as a sentence, read from ``from_node``: "RDIF is headed by Kirill Dmitriev"."""
    subject, obj = graph.nodes[edge["subject"]]["name"], graph.nodes[edge["object"]]["name"]
    if from_node is not None and from_node == edge["object"] and from_node != edge["subject"]:
        return f"{obj} {edge['inverse']} {subject}"
    return f"{subject} {edge['label']} {obj}"


def fact_view(graph: nx.MultiDiGraph, edge: dict[str, Any], from_node: str | None = None) -> dict[str, Any]:
    """A fact with its wording and its sources spelled out, for display and JSON.

    Every declared fact field, then where it was written; ``wording`` and ``symmetric`` stand in
    for the relation's label and inverse.
    """
    sources = graph.graph.get("sources", {})
    view = {f.name: edge.get(f.name) for f in FACT_FIELDS + RECORD_FIELDS}
    view["sources"] = [_source_view(sources.get(s, {"id": s})) for s in edge["sources"]]
    return {**view, "wording": wording(graph, edge, from_node), "symmetric": edge["symmetric"]}


def _source_view(source: dict[str, Any]) -> dict[str, Any]:
    """A source as cited under a fact: the fields of its short form."""
    return {f.name: source.get(f.name) for f in SOURCE_FIELDS if f.brief}


# --- stats and search ---------------------------------------------------------------------------

def graph_stats(graph: nx.MultiDiGraph, top: int = 10) -> dict[str, Any]:
    """Counts by entity type, relation and certainty; components; the most connected entities."""
    import networkx as nx

    components = sorted((len(c) for c in nx.weakly_connected_components(graph)), reverse=True)
    degree = sorted(graph.degree(), key=lambda item: (-item[1], item[0]))[:top]
    edges = [d for _, _, d in graph.edges(data=True)]
    return {
        "dataset": graph.graph.get("dataset", {}),
        "entities": graph.number_of_nodes(),
        "facts": graph.number_of_edges(),
        "sources": len(graph.graph.get("sources", {})),
        "entity_types": dict(sorted(Counter(t for _, t in graph.nodes(data="type")).items())),
        "relations": dict(sorted(Counter(d["relation"] for d in edges).items())),
        "certainty": dict(sorted(Counter(d["certainty"] for d in edges).items())),
        "facts_without_quote": sum(1 for d in edges if not d["quote"]),
        "components": len(components),
        "largest_component": components[0] if components else 0,
        "isolated": sorted(n for n in graph if graph.degree(n) == 0),
        "most_connected": [{**entity_ref(graph, n), "degree": d} for n, d in degree],
    }


def search_entities(graph: nx.MultiDiGraph, text: str, limit: int = 10,
                    types: Collection[str] = ()) -> list[dict[str, Any]]:
    """Entities whose id, name or alias matches ``text``, best first (exact, prefix, word, fuzzy).

    Text in another script is also compared transliterated (``Дмитриев`` finds Kirill Dmitriev), in
    any word order, and by sound (``Зеленский`` finds Zelenskyy). Among equal scores, the entity
    whose name the text covers most comes first: a person before the events named after them.
    """
    import difflib

    query = name_key(text)
    if not query:
        return []
    loose = None if query.isascii() else loose_keys(text)
    results = []
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(query)
    latin_matcher = difflib.SequenceMatcher(autojunk=False)
    latin_matcher.set_seq2(loose[0] if loose else "")
    for node, data in graph.nodes(data=True):
        if types and data["type"] not in types:
            continue
        best = (0.0, 0.0, "")
        for name in (data["name"], *data["aliases"], node):
            key = id_key(name) if name is node else name_key(name)
            score, compared = _best_score(query, key, name, loose, (matcher, latin_matcher))
            coverage = len(compared[0]) / max(len(compared[1]), 1)
            if (score, coverage) > best[:2]:
                best = (score, coverage, name)
        if best[0] >= 0.5:
            results.append({**entity_ref(graph, node), "score": round(best[0], 3), "matched": best[2],
                            "_coverage": best[1]})
    results.sort(key=lambda r: (-r["score"], -r.pop("_coverage"), r["name"], r["id"]))
    return results[:limit]


def _best_score(query: str, key: str, name: str, loose: tuple[str, str, str] | None,
                matchers: tuple[Any, Any]) -> tuple[float, tuple[str, str]]:
    """The score of one name against the query, with the (query, name) keys it was found on.

    ``matchers``: difflib matchers holding the query and its transliteration.
    """
    score, compared = _name_score(query, key, matchers[0]), (query, key)
    if score < 0.97 and " " in query and key.count(" ") == query.count(" ") and word_set_key(query) == word_set_key(key):
        return 0.97, (query, key)  # the same words in another order: "Dmitriev, Kirill"
    if loose is None or not key:
        return score, compared
    latin, words, sound = loose
    name_latin, name_words, name_sound = loose_keys(name)
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
    for word in words:  # a misspelt surname: "witkof" ~ "witkoff"
        matcher.set_seq1(word)
        if matcher.real_quick_ratio() >= 0.6 and matcher.quick_ratio() >= 0.6:
            best_word = max(best_word, matcher.ratio() * 0.8)
    return best_word


# --- the entity card ------------------------------------------------------------------------------

def entity_card(graph: nx.MultiDiGraph, node: str) -> dict[str, Any]:
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

def _stepper(graph: nx.MultiDiGraph, direction: str) -> Callable[[str], Iterator[Step]]:
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


def find_neighbours(graph: nx.MultiDiGraph, node: str, depth: int = 1, types: Collection[str] = (),
                    direction: str = "both") -> list[dict[str, Any]]:
    """Entities within ``depth`` hops, nearest first; each with the facts that reach it.

    ``types`` restricts the entities listed (the walk still passes through entities of other types).
    """
    steps = _stepper(graph, direction)
    distance = {node: 0}
    reached: dict[str, dict[str, Any]] = {}
    frontier = [node]
    for level in range(1, depth + 1):
        next_frontier: list[str] = []
        for current in frontier:
            for other, key, data in steps(current):
                if other not in distance:
                    distance[other] = level
                    next_frontier.append(other)
                    reached[other] = {"via": current, "facts": {}}
                if distance[other] == level and reached[other]["via"] == current:
                    reached[other]["facts"][key] = data
        frontier = next_frontier
    results = []
    for other, info in reached.items():
        if types and graph.nodes[other]["type"] not in types:
            continue
        via = info["via"]
        results.append({
            **entity_ref(graph, other), "distance": distance[other],
            "via": entity_ref(graph, via),
            "facts": [fact_view(graph, data, via) for _, data in sorted(info["facts"].items())],
        })
    results.sort(key=lambda r: (r["distance"], r["name"].casefold(), r["id"]))
    return results


def find_paths(graph: nx.MultiDiGraph, source: str, target: str, *, all_paths: bool = False,
               max_hops: int | None = None, via_types: Collection[str] = (), avoid: Collection[str] = (),
               directed: bool = False, limit: int = 100) -> list[dict[str, Any]]:
    """Shortest connections from ``source`` to ``target`` (one, or all with ``all_paths``); [] if none.

    Each path is a list of hops; each hop names the facts joining its two entities, worded in the
    direction of travel. Bidirectional breadth-first search: fast on large graphs.
    """
    node_paths = _shortest_node_paths(graph, source, target, max_hops, set(via_types), set(avoid),
                                      directed, limit if all_paths else 1)
    forward = _stepper(graph, "out" if directed else "both")
    return [{"length": len(p) - 1, "hops": [_hop(graph, forward, u, v) for u, v in zip(p, p[1:])]}
            for p in node_paths]


def _hop(graph: nx.MultiDiGraph, steps: Callable[[str], Iterator[Step]], u: str, v: str) -> dict[str, Any]:
    facts = sorted((key, data) for other, key, data in steps(u) if other == v)
    return {"from": entity_ref(graph, u), "to": entity_ref(graph, v),
            "facts": [fact_view(graph, data, u) for _, data in facts]}


def _shortest_node_paths(graph: nx.MultiDiGraph, source: str, target: str, max_hops: int | None,
                         via_types: set[str], avoid: set[str], directed: bool, limit: int) -> list[list[str]]:
    if source == target:
        return [[source]]
    if source in avoid or target in avoid:
        return []
    forward = _stepper(graph, "out" if directed else "both")
    backward = _stepper(graph, "in" if directed else "both")
    nodes = graph.nodes

    def allowed(node: str) -> bool:
        if node == source or node == target:
            return True
        return node not in avoid and (not via_types or nodes[node]["type"] in via_types)

    sides = [
        {"dist": {source: 0}, "parents": {source: []}, "frontier": [source], "depth": 0, "steps": forward},
        {"dist": {target: 0}, "parents": {target: []}, "frontier": [target], "depth": 0, "steps": backward},
    ]
    hops_limit = max_hops if max_hops is not None else float("inf")
    total = None
    while sides[0]["frontier"] and sides[1]["frontier"]:
        if sides[0]["depth"] + sides[1]["depth"] >= hops_limit:
            return []
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
        return []
    fwd, bwd = sides
    cut = fwd["depth"] if fwd["depth"] <= total else total
    middles = sorted(n for n, d in fwd["dist"].items() if d == cut and bwd["dist"].get(n) == total - cut)
    paths: list[list[str]] = []
    for middle in middles:
        for head in _walk_back(fwd["parents"], middle, limit):
            for tail in _walk_back(bwd["parents"], middle, limit):
                paths.append(head[::-1] + tail[1:])
                if len(paths) >= limit * 4:
                    break
    paths.sort()
    return paths[:limit]


def _walk_back(parents: dict[str, list[str]], node: str, limit: int) -> Iterator[list[str]]:
    """Every chain from ``node`` back to the search's start, following recorded parents."""
    produced = 0
    stack = [[node]]
    while stack and produced < limit * 4:
        chain = stack.pop()
        ups = parents[chain[-1]]
        if not ups:
            produced += 1
            yield chain
            continue
        for up in sorted(ups, reverse=True):
            stack.append(chain + [up])
