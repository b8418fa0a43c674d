"""Pairs of entities that may be one thing written twice, best first, each with a score and reasons.

Entities are never compared all against all: each is filed in *blocks* under its type and the keys
of its names (:func:`graph.matching.block_keys`: word sets, sounds, word prefixes, pairs of words
but of two :data:`COMMON` ones, a one-word name's sound against the first and last words of longer
names, acronyms against initials, a country's territory code), and only entities sharing a block
are compared. A block of
more than :data:`MAX_BLOCK` entities (2,000 people called Sergei Ivanov) is bounded, never
skipped: its members are ranked by country, start date and name, and each is compared with the
:data:`WINDOW` entities next to it in that order; the result says which blocks were bounded and
how many of their pairs were left out. Pairs judged ``different`` in ``resolutions`` are never
proposed.

A pair's score is 0.8 × how alike its closest names are (:func:`graph.matching.likeness`), plus
evidence from the graph, capped to 0..1:

- the same country +0.1, different countries −0.3 — countries are resolved first, so two country
  entities that are likely the same (the same territory code, ``russia`` and
  ``russian-federation``) count as one and lift their nationals;
- shared neighbours +0.05 each, up to 0.15 — a neighbour of one and a neighbour of the other that
  are likely the same (each the other's only close name) count as shared;
- a fact between the two −0.5 (``subsidiary_of``, ``met_with``: a relation joins two entities);
- the same start date +0.05, start dates that cannot both hold −0.1.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from typing import TYPE_CHECKING, Any

from .analysis import neighbour_ids
from .dates import date_bounds
from .matching import Profile, block_keys, block_sound, likeness, profile
from .wording import entity_ref

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["find_duplicates", "MAX_BLOCK", "WINDOW", "Blocks", "bounded_pairs", "territory_types", "fact_between",
           "compatible_dates"]

MAX_BLOCK = 50
"""Entities in one block compared all against all; a bigger block is bounded (see :data:`WINDOW`)."""
WINDOW = 25
"""In a bounded block, how many entities next to it (in order of country, start, name) each is compared with."""
COMMON = 4 * MAX_BLOCK
"""A word in the names of more entities of a type than this is common: a pair of two common words files no block."""
_MAX_EVIDENCE = 0.3  # the most the graph can add to a pair's score
_LIKELY = 0.85  # a name likeness from which two entities are "likely the same" as evidence for others
_ASYMMETRIC = ("word", "acronym")  # blocks where only pairs with a short member count
_LISTED_BLOCKS = 10

Pair = tuple[str, str]


def find_duplicates(graph: nx.MultiDiGraph, *, types: Collection[str] = (), min_score: float = 0.5,
                    limit: int | None = 50, progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """``{"candidates": [{"a", "b", "score", "reasons"}], "bounded": {…}}`` of ``graph``, best first."""
    territorial = territory_types(graph)
    profiles = _profiles(graph, types, territorial, progress)
    judged = {tuple(sorted(pair)) for pair in graph.graph.get("different", ())}
    blocks = Blocks(profiles)
    countries = _resolve(graph, blocks, profiles, judged, lambda p: p.type in territorial)
    order = _order(profiles, countries)
    wanted = (lambda p: p.type in types) if types else (lambda p: True)
    pairs = blocks.pairs(wanted, order) - judged
    named = {pair: likeness(profiles[pair[0]], profiles[pair[1]]) for pair in sorted(pairs)}
    same = _likely_same(named, countries)
    found = []
    for (a, b), (name_score, why) in named.items():
        if 0.8 * name_score + _MAX_EVIDENCE < min_score:
            continue
        score, reasons = _score(graph, profiles[a], profiles[b], name_score, why, same)
        if score >= min_score:
            found.append({"a": entity_ref(graph, a), "b": entity_ref(graph, b), "score": score, "reasons": reasons})
    found.sort(key=lambda c: (-c["score"], c["a"]["id"], c["b"]["id"]))
    return {"candidates": found[:limit] if limit else found, "bounded": blocks.bounded_report()}


def territory_types(graph: Any) -> set[str]:
    """Entity types that stand for countries: ``country``, and the types of entities named in a ``country``."""
    nodes = graph._node
    found = {"country"}
    for data in nodes.values():
        country = data.get("country")
        if country in nodes:
            found.add(nodes[country]["type"])
    return found


def _profiles(graph: nx.MultiDiGraph, types: Collection[str], territorial: set[str],
              progress: Callable[[int, int], None] | None) -> dict[str, Profile]:
    """The profile of every entity of ``types`` (all when empty), and of every country."""
    result = {}
    total = graph.number_of_nodes()
    for done, (node, data) in enumerate(graph.nodes(data=True), start=1):
        kind = data["type"]
        if not types or kind in types or kind in territorial:
            result[node] = profile(node, data, kind in territorial)
        if progress and done % 5000 == 0:
            progress(done, total)
    return result


def _order(profiles: dict[str, Profile], countries: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """Where each entity stands in a bounded block: by country, start date, name, id."""
    return {node: (countries.get(p.country or "", p.country or ""), p.start or "",
                   p.forms[0].latin if p.forms else "", node) for node, p in profiles.items()}


class Blocks:
    """Entities filed by type and block key; the pairs they give, bounded in large blocks."""

    def __init__(self, profiles: dict[str, Profile]):
        self.members: dict[tuple[str, ...], dict[str, bool]] = {}
        common = _common_words(profiles)
        for node, entity in profiles.items():
            for key, short in block_keys(entity, common.get(entity.type, ())).items():
                self.members.setdefault((entity.type, *key), {})[node] = short
        self.profiles = profiles
        self.bounded: list[dict[str, Any]] = []

    def pairs(self, wanted: Callable[[Profile], bool], order: dict[str, tuple[str, ...]], record: bool = True
              ) -> set[Pair]:
        """Every pair of ``wanted`` entities sharing a block (bounded in large blocks; ``record``: said so)."""
        found: set[Pair] = set()
        for key, members in self.members.items():
            if len(members) < 2 or not wanted(self.profiles[next(iter(members))]):
                continue
            asymmetric = key[1] in _ASYMMETRIC
            if asymmetric and not any(members.values()):
                continue
            pairs, total = bounded_pairs(members, order, asymmetric)
            found.update(pairs)
            if record and len(members) > MAX_BLOCK:
                self.bounded.append({"type": key[0], "kind": key[1], "key": " ".join(key[2:]),
                                     "entities": len(members), "pairs": total, "compared": len(pairs)})
        return found

    def bounded_report(self) -> dict[str, Any]:
        """How many blocks were bounded, how many pairs they left out, the largest few."""
        listed = sorted(self.bounded, key=lambda b: (-b["entities"], b["type"], b["kind"], b["key"]))
        return {"count": len(listed), "pairs_left_out": sum(b["pairs"] - b["compared"] for b in listed),
                "window": WINDOW, "largest": listed[:_LISTED_BLOCKS]}


def _common_words(profiles: dict[str, Profile]) -> dict[str, set[str]]:
    """For each type, the word sounds in the names of more than :data:`COMMON` of its entities."""
    counts: dict[tuple[str, str], int] = {}
    for entity in profiles.values():
        for sound in {block_sound(w) for form in entity.forms for w in form.core}:
            counts[entity.type, sound] = counts.get((entity.type, sound), 0) + 1
    common: dict[str, set[str]] = {}
    for (kind, sound), count in counts.items():
        if count > COMMON:
            common.setdefault(kind, set()).add(sound)
    return common


def bounded_pairs(members: dict[str, bool], order: dict[str, tuple[str, ...]], asymmetric: bool
                  ) -> tuple[set[Pair], int]:
    """The pairs of a block to compare, and how many it holds: all of them up to :data:`MAX_BLOCK`
    members, else each member with the :data:`WINDOW` next to it in ``order``. In an ``asymmetric``
    block only pairs with a short member count."""
    ranked = sorted(members, key=order.__getitem__)
    shorts = sum(members.values())
    total = len(ranked) * (len(ranked) - 1) // 2
    if asymmetric:
        longs = len(ranked) - shorts
        total -= longs * (longs - 1) // 2
    reach = len(ranked) if len(ranked) <= MAX_BLOCK else WINDOW + 1
    pairs = set()
    for i, a in enumerate(ranked):
        for b in ranked[i + 1:i + reach]:
            if not asymmetric or members[a] or members[b]:
                pairs.add((a, b) if a < b else (b, a))
    return pairs, total


def _resolve(graph: nx.MultiDiGraph, blocks: Blocks, profiles: dict[str, Profile], judged: set[Pair],
             of: Callable[[Profile], bool]) -> dict[str, str]:
    """Entities ``of`` a kind (countries) that are likely the same, each mapped to its group's first id."""
    order = _order(profiles, {})
    groups = _Groups()
    for a, b in sorted(blocks.pairs(of, order, record=False) - judged):
        if not fact_between(graph, a, b) and likeness(profiles[a], profiles[b])[0] >= _LIKELY:
            groups.join(a, b)
    return groups.mapping()


def _likely_same(named: dict[Pair, tuple[float, str]], countries: dict[str, str]) -> dict[str, str]:
    """Entities likely the same as evidence for their neighbours: the countries, and the pairs whose
    names are alike (≥ 0.85) where each is the other's only close name."""
    close: dict[str, int] = {}
    for (a, b), (score, _) in named.items():
        if score >= _LIKELY:
            close[a] = close.get(a, 0) + 1
            close[b] = close.get(b, 0) + 1
    groups = _Groups()
    for node, first in countries.items():
        groups.join(first, node)
    for (a, b), (score, _) in named.items():
        if score >= _LIKELY and close[a] == close[b] == 1:
            groups.join(a, b)
    return groups.mapping()


class _Groups:
    """Union-find over ids; each group named by its smallest id."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, node: str) -> str:
        root = node
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        self.parent[node] = root
        return root

    def join(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def mapping(self) -> dict[str, str]:
        return {node: self.find(node) for node in list(self.parent)}


def fact_between(graph: nx.MultiDiGraph, a: str, b: str) -> dict[str, Any] | None:
    """The attributes of the first fact between ``a`` and ``b`` (either way), or None."""
    for subject, obj in ((a, b), (b, a)):
        facts = graph._succ[subject].get(obj)
        if facts:
            return facts[min(facts)]
    return None


def _score(graph: nx.MultiDiGraph, pa: Profile, pb: Profile, name_score: float, why: str,
           same: dict[str, str]) -> tuple[float, list[str]]:
    """The pair's score and its reasons: how alike the names are, then evidence from the graph."""
    score, reasons = 0.8 * name_score, [why] if why else []
    for delta, reason in _evidence(graph, pa, pb, same):
        score += delta
        reasons.append(reason)
    return round(min(1.0, max(0.0, score)), 2), reasons


def _evidence(graph: nx.MultiDiGraph, pa: Profile, pb: Profile, same: dict[str, str]) -> Iterator[tuple[float, str]]:
    """What the graph says for (+) or against (−) two entities being one."""
    nodes = graph._node
    if pa.country and pb.country:
        if same.get(pa.country, pa.country) == same.get(pb.country, pb.country):
            yield 0.1, ("same country" if pa.country == pb.country else
                        f"same country ({nodes[pa.country]['name']} and {nodes[pb.country]['name']} are likely one)")
        else:
            yield -0.3, f"different countries ({pa.country}, {pb.country})"
    joined = _joined_as_groups(graph, pa.id, pb.id, same)
    if joined:
        ends = {pa.id, pb.id}
        words = f"{nodes[joined['subject']]['name']} {joined.get('label') or joined['relation']} " \
                f"{nodes[joined['object']]['name']}"
        yield -0.5, (f"a fact joins them ({words}): two entities" if {joined["subject"], joined["object"]} == ends
                     else f"a fact joins one to the other's likely duplicate ({words}): two entities")
    shared = _shared_neighbours(graph, pa.id, pb.id, same)
    if shared:
        listed = ", ".join(shared[:3]) + (", …" if len(shared) > 3 else "")
        yield min(0.15, 0.05 * len(shared)), f"{len(shared)} shared neighbour{'s' if len(shared) > 1 else ''} ({listed})"
    if pa.start and pb.start:
        if pa.start == pb.start:
            place = " and place" if pa.type == "event" and pa.country and pa.country == pb.country else ""
            yield 0.05, (f"same date{place} ({pa.start})" if pa.type == "event" else f"same start date ({pa.start})")
        elif not compatible_dates(pa.start, pb.start):
            yield -0.1, f"different start dates ({pa.start}, {pb.start})"


def _joined_as_groups(graph: nx.MultiDiGraph, a: str, b: str, same: dict[str, str]) -> dict[str, Any] | None:
    """A fact between ``a`` and ``b``, or between one and an entity likely the same as the other."""
    found = fact_between(graph, a, b)
    if found or (a not in same and b not in same):
        return found
    group_a, group_b = same.get(a, a), same.get(b, b)
    for end, group in ((a, group_b), (b, group_a)):
        for other in neighbour_ids(graph, end):
            if other != end and same.get(other, other) == group:
                return fact_between(graph, end, other)
    return None


def _shared_neighbours(graph: nx.MultiDiGraph, a: str, b: str, same: dict[str, str]) -> list[str]:
    """Names of the neighbours of ``a`` that are (or are likely the same as) neighbours of ``b``."""
    ends = {same.get(a, a), same.get(b, b)}
    of_b = {same.get(n, n) for n in neighbour_ids(graph, b)} - ends
    if not of_b:
        return []
    nodes = graph._node
    return sorted({nodes[n]["name"] for n in neighbour_ids(graph, a) if same.get(n, n) in of_b})


def compatible_dates(a: str, b: str) -> bool:
    """Whether two (partial) dates can name the same day: 1953 and 1953-04-02 can."""
    try:
        (a0, a1), (b0, b1) = date_bounds(a), date_bounds(b)
    except ValueError:
        return a == b
    return a0 <= b1 and b0 <= a1
