"""Pairs of entities that may be one thing written twice, best first, each with a score and reasons.

Entities are never compared all against all: each is filed in *blocks* under its type and the loose
keys of its names and aliases (:mod:`graph.names`: transliterated words in any order, consonant
skeleton, the first four letters of each word, and every pair of its words), and only entities sharing a block are compared. A block
bigger than :data:`MAX_BLOCK` (a very common pair of words) is skipped. Pairs judged ``different``
in ``resolutions`` are never proposed.

A pair's score is 0.8 × how alike its best two names are (same name 1.0, the same after
transliteration 0.95, the same words in another order 0.9, the same sound 0.85, one a fuller form of
the other 0.8, else fuzzy similarity from rapidfuzz), plus evidence from the graph: the same
country (+0.1, different countries −0.3), shared neighbours (+0.05 each, up to 0.15), the same
start date (+0.05, different ones −0.1); capped to 0..1.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from itertools import combinations
from typing import TYPE_CHECKING, Any

from .names import loose_keys, name_key

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["find_duplicates", "MAX_BLOCK"]

MAX_BLOCK = 50
"""Entities sharing one block key at most; a more common key says nothing and would cost n² comparisons."""
_PREFIX = 4  # letters of each word in the typo-tolerant block key
_MAX_WORDS = 6  # names longer than this are blocked by their full keys only, not by pairs of words
_MAX_EVIDENCE = 0.3  # the most the graph can add to a pair's score
_FUZZY_MIN = 80  # rapidfuzz similarity (0-100) under which two names are not "similar"


def find_duplicates(graph: nx.MultiDiGraph, *, types: Collection[str] = (), min_score: float = 0.5,
                    limit: int | None = 50, progress: Callable[[int, int], None] | None = None
                    ) -> list[dict[str, Any]]:
    """Candidate pairs ``{"a", "b", "score", "reasons"}`` of ``graph``, best first."""
    names = _names_by_entity(graph, types, progress)
    judged = {tuple(sorted(pair)) for pair in graph.graph.get("different", ())}
    found = []
    for a, b in sorted(_candidate_pairs(graph, names) - judged):
        name_score, why = _name_match(names[a], names[b])
        if 0.8 * name_score + _MAX_EVIDENCE < min_score:
            continue
        score, reasons = _score(graph, a, b, name_score, why)
        if score >= min_score:
            found.append({"a": _ref(graph, a), "b": _ref(graph, b), "score": score, "reasons": reasons})
    found.sort(key=lambda c: (-c["score"], c["a"]["id"], c["b"]["id"]))
    return found[:limit] if limit else found


def _ref(graph: nx.MultiDiGraph, node: str) -> dict[str, str]:
    data = graph.nodes[node]
    return {"id": node, "name": data["name"], "type": data["type"]}


def _names_by_entity(graph: nx.MultiDiGraph, types: Collection[str], progress: Callable[[int, int], None] | None
                     ) -> dict[str, list[tuple[str, str, str, str]]]:
    """For each entity (of ``types``): ``(name_key, latin_key, word_set_key, sound_key)`` of its name and aliases."""
    result = {}
    total = graph.number_of_nodes()
    for done, (node, data) in enumerate(graph.nodes(data=True), start=1):
        if not types or data["type"] in types:
            texts = dict.fromkeys(name_key(t) for t in (data["name"], *data["aliases"]))
            result[node] = [(key, *loose_keys(key)) for key in texts if key]
        if progress and done % 5000 == 0:
            progress(done, total)
    return result


def _block_keys(keys: list[tuple[str, str, str, str]]) -> set[tuple[str, ...]]:
    """The blocks an entity is filed in: its word sets, sounds, word prefixes, and every pair of its words."""
    blocks: set[tuple[str, ...]] = set()
    for _, _, words, sound in keys:
        split = words.split()
        blocks.add(("words", words))
        blocks.add(("sound", sound))
        blocks.add(("prefix", *sorted(w[:_PREFIX] for w in split)))  # a typo late in a word: Witkof
        if 2 <= len(split) <= _MAX_WORDS:
            blocks.update(("pair", a, b) for a, b in combinations(split, 2) if len(a) > 2 and len(b) > 2)
    return blocks


def _candidate_pairs(graph: nx.MultiDiGraph, names: dict[str, list[tuple[str, str, str, str]]]
                     ) -> set[tuple[str, str]]:
    """Pairs of entities of one type that share at least one block."""
    blocks: dict[tuple[str, ...], list[str]] = {}
    nodes = graph._node
    for node, keys in names.items():
        for block in _block_keys(keys):
            blocks.setdefault((nodes[node]["type"], *block), []).append(node)
    pairs: set[tuple[str, str]] = set()
    for members in blocks.values():
        if 1 < len(members) <= MAX_BLOCK:
            pairs.update(combinations(sorted(members), 2))
    return pairs


def _name_match(a: list[tuple[str, str, str, str]], b: list[tuple[str, str, str, str]]) -> tuple[float, str]:
    """How alike the closest names of two entities are (0..1), and why in words."""
    from rapidfuzz import fuzz

    best = (0.0, "")
    for key_a, latin_a, words_a, sound_a in a:
        for key_b, latin_b, words_b, sound_b in b:
            if key_a == key_b:
                found = (1.0, "same name")
            elif latin_a == latin_b:
                found = (0.95, "same name after transliteration")
            elif words_a == words_b:
                found = (0.9, "same words in another order")
            elif sound_a == sound_b:
                found = (0.85, "names that sound alike (another transliteration or a typo)")
            elif _fuller_form(words_a, words_b):
                found = (0.8, "one name is a fuller form of the other")
            else:
                ratio = fuzz.token_sort_ratio(latin_a, latin_b)
                found = (0.9 * ratio / 100, f"similar names ({ratio:.0f}%)") if ratio >= _FUZZY_MIN else (0.0, "")
            if found[0] > best[0]:
                best = found
    return best


def _fuller_form(a: str, b: str) -> bool:
    """True when the words of one key (two at least) are all words of the other."""
    words_a, words_b = set(a.split()), set(b.split())
    shorter, longer = sorted((words_a, words_b), key=len)
    return len(shorter) >= 2 and shorter < longer


def _score(graph: nx.MultiDiGraph, a: str, b: str, name_score: float, why: str) -> tuple[float, list[str]]:
    """The pair's score and its reasons: how alike the names are, then evidence from the graph."""
    score, reasons = 0.8 * name_score, [why] if why else []
    nodes = graph._node
    da, db = nodes[a], nodes[b]
    if da["country"] and db["country"]:
        if da["country"] == db["country"]:
            score += 0.1
            reasons.append("same country")
        else:
            score -= 0.3
            reasons.append(f"different countries ({da['country']}, {db['country']})")
    shared = _neighbours(graph, a) & _neighbours(graph, b) - {a, b}
    if shared:
        score += min(0.15, 0.05 * len(shared))
        listed = ", ".join(sorted(nodes[n]["name"] for n in shared)[:3])
        reasons.append(f"{len(shared)} shared neighbour{'s' if len(shared) > 1 else ''} ({listed}"
                       + (", …)" if len(shared) > 3 else ")"))
    if da["start"] and db["start"]:
        if da["start"] == db["start"]:
            score += 0.05
            place = " and place" if da["type"] == "event" and da["country"] and da["country"] == db["country"] else ""
            reasons.append(f"same date{place} ({da['start']})" if da["type"] == "event" else
                           f"same start date ({da['start']})")
        else:
            score -= 0.1
            reasons.append(f"different start dates ({da['start']}, {db['start']})")
    return round(min(1.0, max(0.0, score)), 2), reasons


def _neighbours(graph: nx.MultiDiGraph, node: str) -> set[str]:
    return set(graph._succ[node]) | set(graph._pred[node])
