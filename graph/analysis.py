"""Who matters: rank entities, find the brokers between two sides, find clusters; per-node metrics.

Plain functions over a ``networkx.MultiDiGraph`` as :mod:`graph.model` builds it (already narrowed
by the caller), returning plain, JSON-ready data. Every measure reads the **undirected simple
graph of facts**: one edge between two entities if at least one fact joins them, whatever its
direction or relation (parallel facts count once, symmetric relations are edges like any other,
self-relations are ignored). Events are entities like any other: two people who took part in the
same talks are two hops apart, joined through the event node, and the event itself can rank high.
To link people directly through the events (or institutions) they share, pass ``project=`` (see
:func:`project_people`).

Results are deterministic: nodes are visited in id order, scores are rounded to six significant
digits, and ties are broken by name, then id. Betweenness, brokers and closeness cost one
breadth-first search per source entity. Up to :data:`IGRAPH_ABOVE` entities the searches run in
pure Python; above, in igraph (imported only then, ≈ 20× faster). When the searches would exceed
:data:`WORK_BUDGET` edge visits (≈ 700 sources at 10k entities, 100 at 100k), betweenness and
brokers use a seeded sample of sources, scaled up (said so in the result, under
``"approximate"``), and closeness is refused (:class:`graph.errors.MeasureTooCostly`).
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import EntityNotFound, MeasureTooCostly, UsageError
from .query import find_paths

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "MEASURES", "IGRAPH_ABOVE", "WORK_BUDGET", "MIN_SAMPLE", "rank", "brokers", "side_members", "clusters",
    "project_people", "node_metrics", "neighbour_ids",
]

MEASURES = ("degree", "betweenness", "pagerank", "closeness", "eigenvector")
IGRAPH_ABOVE = 1_000       # more entities than this: searches and Louvain run in igraph (C), imported then
WORK_BUDGET = 50_000_000   # edge visits (sources × (entities + 2·links)) before sampling sources
MIN_SAMPLE = 100           # a sample never has fewer sources than this
PROJECTION_LIMIT = 1_000_000  # links of a people projection (--project): past it, a usage error naming the size
PYTHON_WORK = 2_000_000    # edge visits when igraph's path counts overflow and pure Python counts instead
PAGERANK_ALPHA = 0.85
DIGITS = 6                # significant digits kept in scores
Progress = Callable[[int, int], None]
"""``progress(done, total)``, in edge visits: called as the searches advance (a progress bar)."""


# --- ranking --------------------------------------------------------------------------------------

def rank(graph: nx.MultiDiGraph, by: str = "degree", types: Collection[str] = (), top: int | None = 10,
         project: str | Collection[str] | None = None, k: int | None = None, seed: int = 0,
         progress: Progress | None = None) -> dict[str, Any]:
    """Entities ranked by ``by``, highest first: ``{"measure", "ranking": [{"id","name","type","score"}]}``.

    - ``degree``: how many distinct entities an entity shares at least one fact with.
    - ``betweenness``: the share of shortest paths between other entities that pass through it
      (normalised as networkx does: 1.0 = on every shortest path between every other pair).
    - ``pagerank``: PageRank (damping 0.85) of the undirected graph.
    - ``closeness``: networkx's closeness (Wasserman–Faust for graphs in several pieces).
    - ``eigenvector``: eigenvector centrality.

    ``types`` filters the entities *listed*; the measure is always computed on the whole graph
    given. ``project`` ranks people on the people-to-people graph of :func:`project_people`
    instead. ``k`` and ``seed`` set the betweenness sample (default: exact within
    :data:`WORK_BUDGET`); ``"approximate"`` in the result says whether and how it was sampled.
    ``progress(done, total)`` follows the betweenness searches.
    """
    if by not in MEASURES:
        raise ValueError(f"unknown measure {by!r}: choose one of {', '.join(MEASURES)}")
    target = project_people(graph, project) if project else graph
    index = _NumberedGraph.of(target)
    sample = None
    if by == "betweenness":
        scores, sample = _betweenness(index, k, seed, progress)
    else:
        scores = _MEASURE_FUNCTIONS[by](index)
    ranking = _ranked(graph, index.ids, scores, types, top)
    return {"measure": by, "project": _through(project) if project else None,
            "approximate": sample, "ranking": ranking}


def _ranked(graph: nx.MultiDiGraph, ids: Sequence[str], scores: Sequence[float], types: Collection[str],
            top: int | None) -> list[dict[str, Any]]:
    """Entity refs with their rounded scores, highest first, ties by name then id; cut to ``top``."""
    nodes = graph.nodes
    wanted = set(types)
    rows = [{"id": node, "name": nodes[node]["name"], "type": nodes[node]["type"], "score": _rounded(score)}
            for node, score in zip(ids, scores) if not wanted or nodes[node]["type"] in wanted]
    rows.sort(key=lambda r: (-r["score"], r["name"].casefold(), r["name"], r["id"]))
    return rows if top is None else rows[:top]


def _rounded(score: float) -> float | int:
    """``score`` to DIGITS significant digits (ints stay ints), so float noise never breaks a tie."""
    if isinstance(score, int):
        return score
    return float(f"{score:.{DIGITS}g}")


# --- brokers --------------------------------------------------------------------------------------

def side_members(graph: nx.MultiDiGraph, side: str) -> list[str]:
    """The entity ``side`` and every entity whose ``country`` is ``side``, in id order."""
    if side not in graph:
        raise EntityNotFound(side, [])
    return sorted({side, *(n for n, country in graph.nodes(data="country") if country == side)})


def brokers(graph: nx.MultiDiGraph, side_a: str, side_b: str, types: Collection[str] = (),
            top: int | None = 10, k: int | None = None, seed: int = 0,
            progress: Progress | None = None) -> dict[str, Any]:
    """Who connects side A to side B: ``{"brokers": [{"id","name","type","score","example"}], …}``.

    A side is an entity with every entity whose ``country`` it is (``united-states``: the US and
    every American). A broker's score is the share of shortest paths between the two sides that
    pass through it: for every pair (a, b) of a member of A and a member of B (a ≠ b, connected),
    the fraction of the shortest a–b paths running through the broker, summed and divided by the
    number of such pairs (group betweenness). An entity is never the broker of a path it ends, but
    a member of a side that lies *inside* a path between two other members is credited for it (a
    Russian who links the Americans to other Russians is a broker). ``example`` is one of those
    shortest paths through the broker, in the form :func:`graph.query.find_paths` returns. The two
    side entities themselves are never listed: they are what is being connected (a country lies on
    the paths between its own nationals and the other side, which says nothing about brokerage).
    ``types`` filters the brokers listed. Above the work budget the smaller side is sampled.
    """
    members_a, members_b = side_members(graph, side_a), side_members(graph, side_b)
    index = _NumberedGraph.of(graph)
    pos = index.pos
    sources, targets = [pos[n] for n in members_a], [pos[n] for n in members_b]
    if len(sources) > len(targets):  # undirected: the pairs are the same; search from the smaller side
        sources, targets = targets, sources
    scores, pairs, chosen, sample = _group_betweenness(index, sources, targets, k, seed, progress)
    if sample is not None:
        pairs = pairs * len(sources) / len(chosen)
    shares = [score / pairs if pairs else 0.0 for score in scores]
    listed = [row for row in _ranked(graph, index.ids, shares, types, None)
              if row["score"] > 0 and row["id"] not in (side_a, side_b)]
    listed = listed if top is None else listed[:top]
    for row in listed:
        row["example"] = _example_path(graph, index, chosen, pos[row["id"]], targets)
    return {"sides": [{"id": side, "name": graph.nodes[side]["name"], "members": len(members)}
                      for side, members in ((side_a, members_a), (side_b, members_b))],
            "pairs": round(pairs), "approximate": sample, "brokers": listed}


def _example_path(graph: nx.MultiDiGraph, index: _NumberedGraph, sources: Sequence[int], broker: int,
                  targets: Sequence[int]) -> dict[str, Any]:
    """The first shortest source–target path through ``broker`` (sources in order, nearest target), as find_paths gives."""
    from_broker = index.distances(broker)
    ids, nodes = index.ids, graph.nodes
    for source in sources:
        if source == broker or from_broker[source] < 0:
            continue
        from_source = index.distances(source)
        via = from_source[broker]
        ends = [t for t in targets if from_broker[t] > 0 and from_source[t] == via + from_broker[t]]
        if ends:
            end = min(ends, key=lambda t: (from_source[t], nodes[ids[t]]["name"].casefold(), ids[t]))
            head = find_paths(graph, ids[source], ids[broker])[0]
            tail = find_paths(graph, ids[broker], ids[end])[0]
            return {"length": head["length"] + tail["length"], "hops": head["hops"] + tail["hops"]}
    raise AssertionError(f"{ids[broker]} has a broker score but lies on no path from the sources")


# --- clusters -------------------------------------------------------------------------------------

def clusters(graph: nx.MultiDiGraph, seed: int = 0, project: str | Collection[str] | None = None,
             resolution: float = 1.0) -> dict[str, Any]:
    """Communities by Louvain (networkx, seeded): ``{"clusters": [{"id","label","members"}]}``.

    Each cluster is labelled by its most connected member (highest degree, ties by name then id);
    cluster 1 is the largest, ties by label. Members are listed in id order; every entity is in
    exactly one cluster (an entity without facts is a cluster of its own).
    """
    target = project_people(graph, project) if project else graph
    index = _NumberedGraph.of(target)
    groups = _communities(index, seed, resolution)
    degree = [len(neighbours) for neighbours in index.adj]
    nodes, ids = graph.nodes, index.ids

    def label_key(i: int) -> tuple[int, str, str]:
        return (-degree[i], nodes[ids[i]]["name"].casefold(), ids[i])

    labelled = [(min(group, key=label_key), group) for group in groups]
    labelled.sort(key=lambda item: (-len(item[1]), label_key(item[0])[1:]))
    return {"project": _through(project) if project else None, "clusters": [
        {"id": number, "label": {"id": ids[head], "name": nodes[ids[head]]["name"]},
         "size": len(group), "members": sorted(ids[i] for i in group)}
        for number, (head, group) in enumerate(labelled, start=1)]}


def _communities(index: _NumberedGraph, seed: int, resolution: float) -> list[list[int]]:
    import networkx as nx

    if index.large:
        return index.igraph_communities(seed, resolution)
    found = nx.community.louvain_communities(index.simple_graph(), seed=seed, resolution=resolution)
    return [sorted(c) for c in found]


# --- people through events ------------------------------------------------------------------------

def project_people(graph: nx.MultiDiGraph, through: str | Collection[str] = "event",
                   person_type: str = "person") -> nx.Graph:
    """People linked to people: by a fact between them, or by a fact with the same ``through`` entity.

    ``through`` names entity types (``"event"``, or ``("event", "institution")``): two people who
    each have at least one fact with the same event (took part in it, organised it, were its
    subject…) are linked. Each edge lists what joins them: ``direct`` (a person–person fact) and
    ``through`` (the ids of the shared entities). An event with p participants adds p·(p−1)/2
    links, so a projection through a large institution can be big. Entities of other types are
    left out; every person is kept, linked or not.
    """
    import networkx as nx

    kinds = _through(through)
    known = graph.graph.get("entity_types")
    unknown = [t for t in kinds if known is not None and t not in known]
    if unknown:
        raise ValueError(f"unknown entity type {unknown[0]!r}: choose from {', '.join(sorted(known))}")
    types = graph.nodes
    people = sorted(n for n, t in graph.nodes(data="type") if t == person_type)
    hubs = {hub: sorted(p for p in neighbour_ids(graph, hub) if types[p]["type"] == person_type)
            for hub in sorted(n for n, t in graph.nodes(data="type") if t in kinds)}
    _check_projection(graph, kinds, hubs)
    projected = nx.Graph()
    projected.add_nodes_from((p, {"name": types[p]["name"], "type": person_type}) for p in people)
    for person in people:
        for other in neighbour_ids(graph, person):
            if other != person and types[other]["type"] == person_type and person < other:
                projected.add_edge(person, other, direct=True, through=[])
    for hub, members in hubs.items():
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                if not projected.has_edge(a, b):
                    projected.add_edge(a, b, direct=False, through=[])
                projected[a][b]["through"].append(hub)
    return projected


def _check_projection(graph: nx.MultiDiGraph, kinds: list[str], hubs: dict[str, list[str]]) -> None:
    """UsageError, before anything is built, when the projection would hold more than
    :data:`PROJECTION_LIMIT` links (each hub of p members links p·(p−1)/2 pairs)."""
    pairs = sum(len(m) * (len(m) - 1) // 2 for m in hubs.values())
    if pairs <= PROJECTION_LIMIT:
        return
    largest = max(hubs, key=lambda hub: (len(hubs[hub]), hub))
    raise UsageError(
        f"--project {' '.join(kinds)} would link up to {pairs:,} pairs of people, more than the {PROJECTION_LIMIT:,} "
        f"tieline computes ({graph.nodes[largest]['name']} alone has {len(hubs[largest]):,} members); narrow the view "
        "(--relation, --min-certainty, --as-of, --between) or project through a smaller type")


def _through(through: str | Collection[str]) -> list[str]:
    return [through] if isinstance(through, str) else sorted(set(through))


def neighbour_ids(graph: Any, node: str) -> set[str]:
    """Every entity joined to ``node`` by an edge in either direction."""
    if graph.is_directed():
        return set(graph._succ[node]) | set(graph._pred[node])
    return set(graph._adj[node])


# --- metrics for exports --------------------------------------------------------------------------

def node_metrics(graph: nx.MultiDiGraph, seed: int = 0, progress: Progress | None = None,
                 found: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """``{id: {"degree", "betweenness", "pagerank", "community"}}`` for every entity, in id order.

    The same numbers as :func:`rank` (degree, betweenness — sampled above the work budget — and
    pagerank, rounded) and :func:`clusters` (``community`` is the cluster's number, 1 = largest);
    ``found``: what ``clusters(graph, seed=seed)`` gave, when the caller has it already.
    """
    index = _NumberedGraph.of(graph)
    betweenness, _ = _betweenness(index, None, seed, progress)
    pagerank = _pagerank(index)
    community: dict[str, int] = {}
    for cluster in (found or clusters(graph, seed=seed))["clusters"]:
        for member in cluster["members"]:
            community[member] = cluster["id"]
    return {node: {"degree": len(index.adj[i]), "betweenness": _rounded(betweenness[i]),
                   "pagerank": _rounded(pagerank[i]), "community": community[node]}
            for i, node in enumerate(index.ids)}


# --- the undirected simple graph as integer adjacency lists ---------------------------------------

@dataclass(frozen=True)
class _NumberedGraph:
    """Entities in id order, numbered; each one's distinct neighbours (no self), in order."""

    ids: list[str]
    pos: dict[str, int]
    adj: list[list[int]]
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, graph: Any) -> _NumberedGraph:
        ids = sorted(graph)
        pos = {node: i for i, node in enumerate(ids)}
        adj = [sorted(pos[m] for m in neighbour_ids(graph, node) if m != node) for node in ids]
        return cls(ids, pos, adj)

    @property
    def edges(self) -> int:
        return sum(len(a) for a in self.adj) // 2

    @property
    def large(self) -> bool:
        """Whether searches run in igraph (more than IGRAPH_ABOVE entities)."""
        return len(self.ids) > IGRAPH_ABOVE

    def distances(self, source: int) -> list[int]:
        """Hops from ``source`` to every entity (-1: unreachable)."""
        if self.large:
            return [-1 if d == math.inf else int(d) for d in self._igraph().distances(source=[source])[0]]
        return _distances(self.adj, source)

    def group_betweenness(self, sources: Sequence[int], targets: Sequence[int] | None = None,
                          progress: Progress | None = None, in_python: bool = False) -> tuple[list[float], int]:
        """Per entity, the summed fraction of shortest source→target paths through it (``None``: every
        entity a target); and the number of (source, target) pairs counted (connected, different).
        ``in_python``: count in Python's integers (exact however many paths) even for a large graph."""
        if not self.large or in_python:
            is_target = [targets is None] * len(self.ids)
            for t in targets or ():
                is_target[t] = True
            scores = [0.0] * len(self.ids)
            return scores, _accumulate(self.adj, sources, is_target, scores, progress)
        graph = self._igraph()
        ends = None if targets is None else list(targets)
        work = len(sources) * (len(self.ids) + 2 * self.edges)
        if progress is not None:
            progress(0, work)
        halves = graph.betweenness(directed=False, sources=list(sources), targets=ends)
        if progress is not None:
            progress(work, work)
        component = graph.connected_components().membership
        in_component = Counter(component[t] for t in (range(len(self.ids)) if ends is None else set(ends)))
        wanted = None if ends is None else set(ends)
        pairs = sum(in_component[component[s]] - (wanted is None or s in wanted) for s in sources)
        return [2 * h for h in halves], pairs  # igraph halves undirected counts, like networkx

    def igraph_communities(self, seed: int, resolution: float) -> list[list[int]]:
        """Louvain (igraph's multilevel) communities, with igraph's random numbers seeded."""
        import igraph

        rng = random.Random(seed)
        igraph.set_random_number_generator(rng)
        try:
            found = self._igraph().community_multilevel(resolution=resolution)
        finally:
            igraph.set_random_number_generator(random)
        return [sorted(c) for c in found]

    def _igraph(self) -> Any:
        if self._cache.get("igraph") is None:
            import igraph

            edges = [(i, j) for i, neighbours in enumerate(self.adj) for j in neighbours if i < j]
            self._cache["igraph"] = igraph.Graph(n=len(self.ids), edges=edges)
        return self._cache["igraph"]

    def simple_graph(self) -> nx.Graph:
        """The same graph as a ``networkx.Graph`` on node numbers, built in order (for networkx's algorithms)."""
        import networkx as nx

        simple = nx.Graph()
        simple.add_nodes_from(range(len(self.ids)))
        simple.add_edges_from((i, j) for i, neighbours in enumerate(self.adj) for j in neighbours if i < j)
        return simple


def _degree(index: _NumberedGraph) -> list[int]:
    return [len(neighbours) for neighbours in index.adj]


def _group_betweenness(index: _NumberedGraph, sources: Sequence[int], targets: Sequence[int] | None,
                       k: int | None, seed: int, progress: Progress | None
                       ) -> tuple[list[float], int, list[int], dict[str, Any] | None]:
    """:meth:`_NumberedGraph.group_betweenness` from the sources :func:`_sources` chooses: (scores,
    pairs, sources chosen, sample). When igraph's path counts overflow (NaN: more than 1e308
    shortest paths), pure Python counts them exactly instead, from a sample within :data:`PYTHON_WORK`."""
    chosen, sample = _sources(index, sources, k, seed)
    scores, pairs = index.group_betweenness(chosen, targets, progress)
    if all(math.isfinite(score) for score in scores):
        return scores, pairs, chosen, sample
    chosen, sample = _sources(index, sources, k, seed, budget=PYTHON_WORK)
    scores, pairs = index.group_betweenness(chosen, targets, progress, in_python=True)
    return scores, pairs, chosen, sample


def _sources(index: _NumberedGraph, sources: Sequence[int], k: int | None,
             seed: int, budget: int | None = None) -> tuple[list[int], dict[str, Any] | None]:
    """The sources to search from: all of them, or a seeded sample when the work would be too much
    (``budget``: edge visits, :data:`WORK_BUDGET` unless given; a ``k`` given is kept within it)."""
    if k is None or budget is not None:
        per_source = len(index.ids) + 2 * index.edges
        within = max(MIN_SAMPLE, (WORK_BUDGET if budget is None else budget) // max(per_source, 1))
        k = within if k is None else min(k, within)
    if k >= len(sources):
        return list(sources), None
    chosen = sorted(random.Random(seed).sample(sorted(sources), k))
    return chosen, {"sources": k, "of": len(sources), "seed": seed}


def _betweenness(index: _NumberedGraph, k: int | None, seed: int,
                 progress: Progress | None = None) -> tuple[list[float], dict[str, Any] | None]:
    """Normalised betweenness as networkx computes it (``k`` sampled sources scaled by n/k)."""
    n = len(index.ids)
    scores, _, chosen, sample = _group_betweenness(index, range(n), None, k, seed, progress)
    scale = 1 / ((n - 1) * (n - 2)) if n > 2 else 1.0  # ordered pairs: each unordered pair counted twice
    if sample is not None:
        scale *= n / len(chosen)
    return [s * scale for s in scores], sample


def _accumulate(adj: list[list[int]], sources: Sequence[int], is_target: list[bool], scores: list[float],
                progress: Progress | None = None) -> int:
    """Brandes' dependency accumulation from each source to the targets; returns the pairs counted.

    Adds to ``scores[v]`` the fraction of shortest source→target paths that run through ``v``
    (``v`` neither end), summed over sources and reachable targets other than the source.
    """
    n = len(adj)
    pairs = 0
    per_source = n + sum(len(a) for a in adj)
    total = len(sources) * per_source
    for done, s in enumerate(sources):
        if progress is not None and done % 16 == 0:
            progress(done * per_source, total)
        dist, sigma = [-1] * n, [0] * n
        dist[s], sigma[s] = 0, 1
        order = [s]
        for v in order:  # the list grows while we walk it: breadth-first
            next_level, paths = dist[v] + 1, sigma[v]
            for w in adj[v]:
                if dist[w] < 0:
                    dist[w] = next_level
                    sigma[w] = paths
                    order.append(w)
                elif dist[w] == next_level:
                    sigma[w] += paths
        delta = [0.0] * n
        for w in reversed(order):
            end = 1.0 if is_target[w] and w != s else 0.0
            pairs += end == 1.0
            share, paths = end + delta[w], sigma[w]
            previous = dist[w] - 1
            for v in adj[w]:
                if dist[v] == previous:  # a ratio of integers: exact, even past 1e308 paths
                    delta[v] += sigma[v] / paths * share
            if w != s:
                scores[w] += delta[w]
    if progress is not None:
        progress(total, total)
    return pairs


def _distances(adj: list[list[int]], source: int) -> list[int]:
    """Hops from ``source`` to every node (-1: unreachable)."""
    dist = [-1] * len(adj)
    dist[source] = 0
    order = [source]
    for v in order:
        for w in adj[v]:
            if dist[w] < 0:
                dist[w] = dist[v] + 1
                order.append(w)
    return dist


def _pagerank(index: _NumberedGraph, alpha: float = PAGERANK_ALPHA, tol: float = 1.0e-6,
              max_iter: int = 1000) -> list[float]:
    """PageRank of the undirected graph by power iteration, as networkx defines it (no numpy needed).

    Each edge is followed both ways with equal weight; an entity without facts spreads its rank
    evenly over all entities. Stops when the L1 change is below n·tol, like networkx.
    """
    adj = index.adj
    n = len(adj)
    if n == 0:
        return []
    degree = [len(a) for a in adj]
    rank_ = [1.0 / n] * n
    for _ in range(max_iter):
        share = [r / d if d else 0.0 for r, d in zip(rank_, degree)]
        dangling = sum(r for r, d in zip(rank_, degree) if not d)
        base = (1.0 - alpha) / n + alpha * dangling / n
        new = [base + alpha * math.fsum(share[u] for u in neighbours) for neighbours in adj]
        if sum(abs(a - b) for a, b in zip(new, rank_)) < n * tol:
            return new
        rank_ = new
    raise MeasureTooCostly(f"pagerank did not converge in {max_iter} iterations")


def _closeness(index: _NumberedGraph) -> list[float]:
    """networkx's closeness centrality (Wasserman–Faust improved), exact: refused above WORK_BUDGET."""
    n = len(index.ids)
    if n * (n + 2 * index.edges) > WORK_BUDGET:
        raise MeasureTooCostly(
            f"closeness on {n:,} entities needs one search per entity, too slow to compute exactly; "
            f"narrow the graph or rank by degree, pagerank or betweenness (sampled)")
    scores = []
    for v in range(n):
        dist = _distances(index.adj, v)
        reached = [d for d in dist if d > 0]
        total = sum(reached)
        scores.append(len(reached) / total * len(reached) / (n - 1) if total and n > 1 else 0.0)
    return scores


def _eigenvector(index: _NumberedGraph) -> list[float]:
    """networkx's eigenvector centrality of the simple graph (power iteration, 1000 steps at most)."""
    import networkx as nx

    simple = index.simple_graph()
    if simple.number_of_edges() == 0:
        return [0.0] * len(index.ids)
    try:
        values = nx.eigenvector_centrality(simple, max_iter=1000)
    except nx.PowerIterationFailedConvergence:
        raise MeasureTooCostly("eigenvector centrality did not converge in 1000 iterations") from None
    return [values[i] for i in range(len(index.ids))]


_MEASURE_FUNCTIONS = {"degree": _degree, "pagerank": _pagerank, "closeness": _closeness,
                      "eigenvector": _eigenvector}
