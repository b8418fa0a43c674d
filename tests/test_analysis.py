"""graph/analysis.py: rank, brokers, clusters, the people projection and node metrics.

Small graphs with known answers are written as YAML fact sets and loaded by the real loader;
the bundled story must name Kirill Dmitriev as the go-between of the US and Russia.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pytest

import graph.analysis as analysis
from graph import load_graph
from graph.analysis import brokers, clusters, node_metrics, project_people, rank, side_members
from graph.errors import EntityNotFound, MeasureTooCostly

REPO = Path(__file__).resolve().parent.parent
SCHEMA = (Path(__file__).resolve().parent / "fixtures" / "small" / "schema.yaml").read_text(encoding="utf-8") \
    .replace("  advises:\n", "  advises:\n    allow_self: true\n")  # to show that self-relations are ignored
DATASET = """
dataset:
  name: analysis test
  date: "2025-04-02"
sources:
  - id: src
    title: A source
    publisher: Test
    published: "2025-04-02"
"""


def _facts_yaml(entities: list[tuple[str, str, str | None]], facts: list[tuple[str, str, str]]) -> str:
    """A fact file: entities as (id, type, country) and facts as (subject, relation, object)."""
    lines = ["entities:"]
    for entity_id, kind, country in entities:
        lines += [f"  - id: {entity_id}", f"    type: {kind}", f"    name: {entity_id.replace('-', ' ').title()}"]
        if country:
            lines.append(f"    country: {country}")
    lines.append("facts:" if facts else "facts: []")
    for subject, relation, obj in facts:
        lines += [f"  - subject: {subject}", f"    relation: {relation}", f"    object: {obj}",
                  "    sources: [src]", "    certainty: confirmed"]
    return "\n".join(lines) + "\n"


@pytest.fixture
def graph_of(fact_set: Callable[..., Path]) -> Callable[..., nx.MultiDiGraph]:
    """``graph_of(entities, facts)``: write them as a fact set with the small schema and load it."""
    def make(entities: list[tuple[str, str, str | None]], facts: list[tuple[str, str, str]],
             name: str = "data") -> nx.MultiDiGraph:
        folder = fact_set({"schema.yaml": SCHEMA, "dataset.yaml": DATASET,
                           "facts.yaml": _facts_yaml(entities, facts)}, base=None, name=name)
        return load_graph(folder)
    return make


def _people(*ids: str, country: str | None = None) -> list[tuple[str, str, str | None]]:
    return [(i, "person", country) for i in ids]


def _scores(result: dict) -> dict[str, float]:
    return {row["id"]: row["score"] for row in result["ranking"]}


# --- known answers --------------------------------------------------------------------------------

@pytest.fixture
def two_cliques(graph_of: Callable[..., nx.MultiDiGraph]) -> nx.MultiDiGraph:
    """Two triangles {a1,a2,a3} and {b1,b2,b3} joined only through the person ``bridge``."""
    left, right = ["a1", "a2", "a3"], ["b1", "b2", "b3"]
    facts = [(x, "met_with", y) for group in (left, right) for i, x in enumerate(group) for y in group[i + 1:]]
    facts += [("a1", "met_with", "bridge"), ("bridge", "met_with", "b1")]
    return graph_of(_people(*left, *right, "bridge"), facts)


def test_the_bridge_between_two_cliques_has_the_highest_betweenness(two_cliques: nx.MultiDiGraph) -> None:
    result = rank(two_cliques, by="betweenness", top=None)
    scores = _scores(result)
    assert result["measure"] == "betweenness" and result["approximate"] is None
    assert result["ranking"][0]["id"] == "bridge"
    # bridge: on every path between the 3 left and 3 right + a1/b1 paths; networkx's normalisation
    assert scores == pytest.approx(nx.betweenness_centrality(nx.Graph(two_cliques.to_undirected())), abs=1e-6)
    assert scores["a2"] == scores["a3"] == scores["b2"] == 0
    assert [r["id"] for r in result["ranking"][:3]] == ["bridge", "a1", "b1"]  # a1 = b1: tie broken by name


def test_a_star_centre_ranks_first_and_the_leaves_tie_in_name_order(graph_of: Callable[..., nx.MultiDiGraph]) -> None:
    leaves = ["leaf-c", "leaf-a", "leaf-d", "leaf-b"]
    star = graph_of(_people("centre", *leaves), [("centre", "met_with", leaf) for leaf in leaves])
    for measure in analysis.MEASURES:
        ranking = rank(star, by=measure, top=None)["ranking"]
        assert [r["id"] for r in ranking] == ["centre", "leaf-a", "leaf-b", "leaf-c", "leaf-d"], measure
        assert len({r["score"] for r in ranking[1:]}) == 1, measure
    assert _scores(rank(star, by="degree", top=None)) == {"centre": 4, **{leaf: 1 for leaf in leaves}}
    assert _scores(rank(star, by="betweenness"))["centre"] == 1.0
    # PageRank of a star with L leaves (damping a): centre y = (1-a)/n + a·L·x, leaf x = (1-a)/n + a·y/L
    a, n, count = 0.85, 5, 4
    x = ((1 - a) / n) * (1 + a / count) / (1 - a * a)
    y = (1 - a) / n + a * count * x
    pagerank = _scores(rank(star, by="pagerank", top=None))
    assert pagerank["centre"] == pytest.approx(y, rel=1e-4) and pagerank["leaf-a"] == pytest.approx(x, rel=1e-4)
    assert sum(pagerank.values()) == pytest.approx(1, rel=1e-5)


def test_on_a_path_the_middle_is_most_central(graph_of: Callable[..., nx.MultiDiGraph]) -> None:
    ids = ["p1", "p2", "p3", "p4", "p5"]
    path = graph_of(_people(*ids), [(x, "met_with", y) for x, y in zip(ids, ids[1:])])
    assert _scores(rank(path, by="betweenness", top=None)) == {"p1": 0, "p2": 0.5, "p3": 0.666667,
                                                                 "p4": 0.5, "p5": 0}
    closeness = _scores(rank(path, by="closeness", top=None))
    assert closeness == pytest.approx({n: v for n, v in nx.closeness_centrality(nx.path_graph(ids)).items()},
                                      abs=1e-6)
    assert rank(path, by="eigenvector")["ranking"][0]["id"] == "p3"


def test_parallel_facts_count_once_self_relations_are_ignored_and_direction_does_not_matter(
        graph_of: Callable[..., nx.MultiDiGraph]) -> None:
    entities = _people("boss", "aide", "other") + [("office", "institution", None)]
    once = graph_of(entities, [("boss", "heads", "office"), ("aide", "member_of", "office"),
                               ("other", "advises", "boss")], name="once")
    many = graph_of(entities, [("boss", "heads", "office"), ("boss", "member_of", "office"),
                               ("boss", "advises", "office"), ("aide", "member_of", "office"),
                               ("aide", "advises", "aide"), ("boss", "advises", "other"),
                               ("other", "advises", "boss")], name="many")
    for measure in analysis.MEASURES:
        assert rank(once, by=measure, top=None) == rank(many, by=measure, top=None), measure
    assert _scores(rank(many, by="degree", top=None)) == {"boss": 2, "office": 2, "aide": 1, "other": 1}


def test_types_filter_the_listing_not_the_graph_measured(graph_of: Callable[..., nx.MultiDiGraph]) -> None:
    # two people joined only through an event: the event is the broker, people have none
    g = graph_of(_people("ann", "bob") + [("summit", "event", None)],
                 [("ann", "participated_in", "summit"), ("bob", "participated_in", "summit")])
    everyone = rank(g, by="betweenness", top=None)["ranking"]
    people = rank(g, by="betweenness", types=["person"], top=None)["ranking"]
    assert everyone[0] == {"id": "summit", "name": "Summit", "type": "event", "score": 1.0}
    assert people == [row for row in everyone if row["type"] == "person"]
    assert [r["score"] for r in people] == [0, 0]
    assert len(rank(g, by="degree", top=1)["ranking"]) == 1


def test_unknown_measure_is_refused_with_the_choices(two_cliques: nx.MultiDiGraph) -> None:
    with pytest.raises(ValueError, match="unknown measure 'fame': choose one of degree, betweenness"):
        rank(two_cliques, by="fame")


def test_closeness_is_refused_rather_than_hours_long(two_cliques: nx.MultiDiGraph,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(analysis, "WORK_BUDGET", 10)
    with pytest.raises(MeasureTooCostly, match="closeness on 7 entities"):
        rank(two_cliques, by="closeness")


def test_betweenness_samples_sources_above_the_budget_and_says_so(two_cliques: nx.MultiDiGraph,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(analysis, "MIN_SAMPLE", 3)
    monkeypatch.setattr(analysis, "WORK_BUDGET", 3 * (7 + 2 * 8))  # three sources' worth
    first = rank(two_cliques, by="betweenness", seed=5, top=None)
    assert first["approximate"] == {"sources": 3, "of": 7, "seed": 5}
    assert first == rank(two_cliques, by="betweenness", seed=5, top=None)
    sampled = sorted(random.Random(5).sample([n for n in sorted(two_cliques)], 3))
    H = nx.Graph(two_cliques.to_undirected())
    # networkx's own estimator from the same sources: sum over them, scaled by n/k
    expected = nx.betweenness_centrality_subset(H, sampled, list(H), normalized=False)
    scale = 2 / (6 * 5) * 7 / 3  # ordered pairs, networkx's normalisation, n/k
    assert _scores(first) == pytest.approx({n: v * scale for n, v in expected.items()}, abs=1e-6)


# --- brokers --------------------------------------------------------------------------------------

@pytest.fixture
def two_countries(graph_of: Callable[..., nx.MultiDiGraph]) -> nx.MultiDiGraph:
    """Two countries with their people; ``go-between`` (of no country) links them, ``envoy`` (of A) helps."""
    entities = [("land-a", "country", None), ("land-b", "country", None), ("summit", "event", None)]
    entities += _people("alice", "envoy", country="land-a") + _people("boris", "bella", country="land-b")
    entities += _people("go-between")
    facts = [("alice", "met_with", "envoy"), ("envoy", "met_with", "go-between"),
             ("go-between", "met_with", "boris"), ("boris", "met_with", "bella"),
             ("alice", "participated_in", "summit"), ("land-a", "participated_in", "summit")]
    return graph_of(entities, facts)


def test_side_members_are_the_entity_and_its_nationals(two_countries: nx.MultiDiGraph) -> None:
    assert side_members(two_countries, "land-a") == ["alice", "envoy", "land-a"]
    with pytest.raises(EntityNotFound):
        side_members(two_countries, "atlantis")


def test_the_go_between_is_the_top_broker_with_a_sourced_example_path(two_countries: nx.MultiDiGraph) -> None:
    result = brokers(two_countries, "land-a", "land-b", top=None)
    # the graph is a line: land-a - summit - alice - envoy - go-between - boris - bella; land-b has no facts
    # pairs: 3 members of A × the 2 connected members of B
    assert result["pairs"] == 6 and result["approximate"] is None
    assert result["sides"] == [{"id": "land-a", "name": "Land A", "members": 3},
                               {"id": "land-b", "name": "Land B", "members": 3}]
    scores = {b["id"]: b["score"] for b in result["brokers"]}
    assert scores == {"go-between": 1.0, "envoy": 0.666667, "boris": 0.5, "alice": 0.333333, "summit": 0.333333}
    assert [b["id"] for b in result["brokers"]] == ["go-between", "envoy", "boris", "alice", "summit"]
    # a member of B (boris) lies between A and another member of B; bella, land-a and land-b only end paths
    example = result["brokers"][0]["example"]
    walk = [example["hops"][0]["from"]["id"]] + [hop["to"]["id"] for hop in example["hops"]]
    assert walk == ["alice", "envoy", "go-between", "boris"]  # the first source (id order), the nearest end
    assert example["length"] == 3
    assert [hop["facts"][0]["id"] for hop in example["hops"]] == [
        "alice.met_with.envoy", "envoy.met_with.go-between", "go-between.met_with.boris"]
    assert all(f["sources"][0]["id"] == "src" for hop in example["hops"] for f in hop["facts"])


def test_brokers_types_filters_the_listing_and_a_side_can_be_swapped(two_countries: nx.MultiDiGraph) -> None:
    people = brokers(two_countries, "land-a", "land-b", types=["event"], top=None)
    assert [b["id"] for b in people["brokers"]] == ["summit"]
    forward = brokers(two_countries, "land-a", "land-b", top=None)
    backward = brokers(two_countries, "land-b", "land-a", top=None)
    assert [(b["id"], b["score"]) for b in forward["brokers"]] == [(b["id"], b["score"]) for b in backward["brokers"]]


def test_brokers_between_unconnected_sides_are_none(graph_of: Callable[..., nx.MultiDiGraph]) -> None:
    g = graph_of([("land-a", "country", None), ("land-b", "country", None)] + _people("al", country="land-a"), [])
    assert brokers(g, "land-a", "land-b") == {
        "sides": [{"id": "land-a", "name": "Land A", "members": 2}, {"id": "land-b", "name": "Land B", "members": 1}],
        "pairs": 0,
        "approximate": None, "brokers": []}


# --- clusters and the projection ------------------------------------------------------------------

def test_two_cliques_are_two_clusters_labelled_by_their_best_connected_member(two_cliques: nx.MultiDiGraph) -> None:
    result = clusters(two_cliques, seed=1)
    groups = [set(c["members"]) for c in result["clusters"]]
    assert {"a1", "a2", "a3"} <= groups[0] or {"a1", "a2", "a3"} <= groups[1]
    assert all(len(g & {"a1", "b1"}) <= 1 for g in groups)
    assert sorted(m for g in groups for m in g) == sorted(two_cliques)
    assert [c["id"] for c in result["clusters"]] == list(range(1, len(groups) + 1))
    for cluster in result["clusters"]:
        assert cluster["label"]["id"] in ("a1", "b1")  # degree 3 in their clique
        assert cluster["members"] == sorted(cluster["members"]) and cluster["size"] == len(cluster["members"])
    sizes = [c["size"] for c in result["clusters"]]
    assert sizes == sorted(sizes, reverse=True)


def test_people_who_took_part_in_the_same_event_are_linked_in_the_projection(
        graph_of: Callable[..., nx.MultiDiGraph]) -> None:
    entities = _people("ann", "bob", "cat", "dan") + [("summit", "event", None), ("club", "institution", None)]
    g = graph_of(entities, [("ann", "participated_in", "summit"), ("bob", "participated_in", "summit"),
                            ("cat", "member_of", "club"), ("bob", "member_of", "club"),
                            ("cat", "met_with", "dan")])
    events = project_people(g)
    assert sorted(events.nodes) == ["ann", "bob", "cat", "dan"]
    assert sorted(map(sorted, events.edges)) == [["ann", "bob"], ["cat", "dan"]]
    assert events["ann"]["bob"] == {"direct": False, "through": ["summit"]}
    assert events["cat"]["dan"] == {"direct": True, "through": []}
    both = project_people(g, through=("institution", "event"))
    assert sorted(map(sorted, both.edges)) == [["ann", "bob"], ["bob", "cat"], ["cat", "dan"]]
    ranked = rank(g, by="betweenness", project=("event", "institution"), top=None)
    assert ranked["project"] == ["event", "institution"]
    assert [r["id"] for r in ranked["ranking"][:2]] == ["bob", "cat"]
    assert {r["type"] for r in ranked["ranking"]} == {"person"}
    assert rank(g, by="degree", project="event", top=None)["ranking"][0]["score"] == 1
    grouped = clusters(g, project="event")
    assert sorted(sorted(c["members"]) for c in grouped["clusters"]) == [["ann", "bob"], ["cat", "dan"]]
    with pytest.raises(ValueError, match="unknown entity type 'meeting'"):
        project_people(g, through="meeting")


# --- metrics --------------------------------------------------------------------------------------

def test_node_metrics_agree_with_rank_and_clusters(two_cliques: nx.MultiDiGraph) -> None:
    metrics = node_metrics(two_cliques)
    assert list(metrics) == sorted(two_cliques)
    assert {n: m["degree"] for n, m in metrics.items()} == _scores(rank(two_cliques, "degree", top=None))
    assert {n: m["betweenness"] for n, m in metrics.items()} == _scores(rank(two_cliques, "betweenness", top=None))
    assert {n: m["pagerank"] for n, m in metrics.items()} == _scores(rank(two_cliques, "pagerank", top=None))
    for cluster in clusters(two_cliques)["clusters"]:
        assert {metrics[m]["community"] for m in cluster["members"]} == {cluster["id"]}


# --- the bundled story ----------------------------------------------------------------------------

@pytest.fixture
def bundled() -> nx.MultiDiGraph:
    return load_graph(REPO / "data", use_cache=False)


def test_dmitriev_is_the_go_between_of_the_us_and_russia(bundled: nx.MultiDiGraph) -> None:
    result = brokers(bundled, "united-states", "russia", top=5)
    top = result["brokers"][0]
    assert (top["id"], top["name"]) == ("kirill-dmitriev", "Kirill Dmitriev")
    assert top["score"] > result["brokers"][1]["score"]
    H = nx.Graph(bundled.to_undirected())
    H.remove_edges_from(nx.selfloop_edges(H))
    a, b = side_members(bundled, "united-states"), side_members(bundled, "russia")
    halves = nx.betweenness_centrality_subset(H, a, b, normalized=False)  # networkx halves undirected counts
    assert top["score"] == pytest.approx(2 * halves["kirill-dmitriev"] / result["pairs"], rel=1e-5)
    hops = top["example"]["hops"]
    walk = [hops[0]["from"]["id"]] + [hop["to"]["id"] for hop in hops]
    assert walk[0] in a + b and walk[-1] in a + b and {walk[0], walk[-1]} & set(a) and {walk[0], walk[-1]} & set(b)
    assert "kirill-dmitriev" in walk[1:-1]
    assert all(hop["facts"] and all(f["sources"] and f["quote"] for f in hop["facts"]) for hop in hops)
    assert len(walk) - 1 == nx.shortest_path_length(H, walk[0], walk[-1])
    assert rank(bundled, "betweenness")["ranking"][0]["id"] == "kirill-dmitriev"


def test_python_and_igraph_searches_give_the_same_answers(bundled: nx.MultiDiGraph,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    python = [brokers(bundled, "united-states", "russia", top=None), rank(bundled, "betweenness", top=None),
              rank(bundled, "betweenness", k=12, seed=4, top=None)]
    monkeypatch.setattr(analysis, "IGRAPH_ABOVE", 0)
    igraph = [brokers(bundled, "united-states", "russia", top=None), rank(bundled, "betweenness", top=None),
              rank(bundled, "betweenness", k=12, seed=4, top=None)]
    assert igraph == python
    big = clusters(bundled, seed=2)
    assert big == clusters(bundled, seed=2)
    assert sorted(m for c in big["clusters"] for m in c["members"]) == sorted(bundled)


def test_results_are_json_and_the_same_for_shuffled_files(fact_set: Callable[..., Path]) -> None:
    data = REPO / "data"
    files = {str(p.relative_to(data)): p.read_text(encoding="utf-8") for p in sorted(data.rglob("*.yaml"))}

    def everything(folder: Path) -> str:
        g = load_graph(folder)
        for _, _, fact in g.edges(data=True):
            fact["file"] = None  # the only thing that differs: which file a fact came from
        return json.dumps([rank(g, by, top=None) for by in analysis.MEASURES]
                          + [brokers(g, "united-states", "russia", top=None), clusters(g, seed=3),
                             rank(g, "pagerank", project="event"), node_metrics(g)],
                          ensure_ascii=False, sort_keys=True)

    original = everything(fact_set(files, base=None, name="original"))
    assert original == everything(fact_set(files, base=None, name="original-again"))
    # the same facts in other files, in another order
    names = sorted(files)
    rng = random.Random(7)
    shuffled = {f"{rng.randrange(10**6):06d}-{name.replace('/', '-')}": text
                for name, text in files.items() if name not in ("schema.yaml", "dataset.yaml")}
    shuffled.update({"schema.yaml": files["schema.yaml"], "dataset.yaml": files["dataset.yaml"]})
    assert names and original == everything(fact_set(shuffled, base=None, name="shuffled"))
    json.loads(original)
