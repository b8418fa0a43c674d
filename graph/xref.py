"""Which entities of a story may be entities of a reference set (an import: sanctions, politicians), best first.

The story is small (hundreds of entities), the reference may be large (a million): the reference is
never compared whole. Its candidates come from its name index (:class:`graph.model.NameIndex`,
read from the query index when current, so a million-entity reference answers in seconds):

1. the exact, transliterated word-set and sound keys of each story name, as written and with its
   honorifics, legal forms and particles set aside (:mod:`graph.matching`), and its initials;
2. one pass over the reference's word-set keys, each of whose words is compared by sound with the
   story's: a reference name sharing two words with a story name, or its surname with a one-word
   name, is a candidate; for a story name that many reference names share words with (Mohammed
   Ali), only the :data:`MAX_CANDIDATES` closest are compared, and the result says so;
3. for a story name that is an acronym (OCCRP), one pass over the reference's names for those it
   abbreviates.

Only entities of one type are paired, never two of one side. A pair's score is 0.8 × how alike the
closest names are (:func:`graph.matching.likeness`) plus evidence: the same country +0.1,
different ones −0.3 (countries compared by their territory codes, so the story's ``russia`` is
the reference's ``ru``), the same start date +0.05 and incompatible ones −0.1; when the reference
is part of the story (``DATA/imports/NAME``), a fact between the two −0.5.
"""

from __future__ import annotations

import heapq
import os
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .dedupe import compatible_dates, fact_between, territory_types
from .matching import Profile, initials_of, likeness, particles, profile, territory_code
from .names import name_key, sound_key, word_sound
from .wording import entity_ref

if TYPE_CHECKING:
    from .model import Compiled

__all__ = ["cross_reference", "MAX_CANDIDATES", "Side", "reference_folder"]

MAX_CANDIDATES = 20
"""Reference names compared with one story entity at most, found by shared words (the closest first)."""
_MAX_EVIDENCE = 0.15


@dataclass
class Side:
    """One side of a cross-reference: a compiled data folder, and which of its entities belong to the side."""

    compiled: Compiled
    folder: str | None = None
    """The reference's folder relative to the story's, when it is part of the story; None: all entities."""
    inside: bool = True
    """With ``folder``: the side is the entities written inside it (else those written outside)."""
    _codes: dict[str, str | None] = field(default_factory=dict)

    def holds(self, node: str) -> bool:
        """Whether ``node`` is an entity of this side."""
        if self.folder is None:
            return True
        data = self.compiled.graph._node.get(node)
        within = data is not None and str(data.get("file") or "").startswith(self.folder + "/")
        return within == self.inside

    def country_code(self, country: str) -> str:
        """A country entity's territory code, else its name key (how two sides' countries are compared)."""
        if country not in self._codes:
            data = self.compiled.graph._node.get(country)
            code = territory_code(data) if data is not None else None
            if code is None and data is not None:
                code = "name:" + name_key(data["name"])
            self._codes[country] = code
        return self._codes[country] or country


def cross_reference(story: Side, reference: Side, *, types: Collection[str] = (), min_score: float = 0.5,
                    limit: int | None = 50, progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """``{"candidates": [{"a" (story), "b" (reference), "score", "reasons"}], "bounded": {…}}``, best first."""
    graph = story.compiled.graph
    territorial = territory_types(graph)
    entities = [profile(node, data, data["type"] in territorial) for node, data in graph._node.items()
                if (not types or data["type"] in types) and story.holds(node)]
    names = reference.compiled.names
    found = {i: _probed(names, entity) for i, entity in enumerate(entities)}
    bounded = _scan_words(names, entities, found, progress)
    if any(form.acronym for entity in entities for form in entity.forms):
        bounded += _scan_acronyms(names, entities, found)
    judged = {tuple(sorted(pair)) for pair in graph.graph.get("different", ())}
    ref_graph = reference.compiled.graph
    same_graph = ref_graph is graph
    profiles: dict[str, Profile | None] = {}
    candidates = []
    for i, entity in enumerate(entities):
        for other in sorted(found[i]):
            if other not in profiles:
                data = ref_graph._node.get(other)
                profiles[other] = None if data is None or not reference.holds(other) else profile(
                    other, data, data["type"] in territorial)
            theirs = profiles[other]
            if theirs is None or theirs.type != entity.type or other == entity.id \
                    or tuple(sorted((entity.id, other))) in judged:
                continue
            name_score, why = likeness(entity, theirs)
            if 0.8 * name_score + _MAX_EVIDENCE < min_score or not why:
                continue
            score, reasons = _score(story, reference, entity, theirs, name_score, why, same_graph)
            if score >= min_score:
                candidates.append({"a": entity_ref(graph, entity.id), "b": entity_ref(ref_graph, other),
                                   "score": score, "reasons": reasons})
    candidates.sort(key=lambda c: (-c["score"], c["a"]["id"], c["b"]["id"]))
    return {"candidates": candidates[:limit] if limit else candidates, "bounded": _bounded_report(bounded)}


def _probed(names: Any, entity: Profile) -> set[str]:
    """Reference ids found by looking up the keys of an entity's names in the reference's name index."""
    found: set[str] = set()
    for form in entity.forms:
        for table, key in ((names.keys, form.key), (names.keys, form.core_text), (names.words, form.words),
                           (names.words, form.core_words), (names.sounds, form.sound),
                           (names.sounds, sound_key(form.latin)), *((names.keys, a) for a in form.initials)):
            if key:
                found.update(table.get(key) or ())
    return found


def _sound(word: str) -> str:
    """How a word is compared in the scan: by its consonant skeleton from four letters, else as it is."""
    return word_sound(word) if len(word) > 3 else word


def _scan_words(names: Any, entities: list[Profile], found: dict[int, set[str]],
                progress: Callable[[int, int], None] | None) -> list[dict[str, Any]]:
    """Add to ``found`` the reference names sharing words (by sound) with a story name, the
    :data:`MAX_CANDIDATES` closest for each story entity; the story entities that had more."""
    wanted: dict[str, set[tuple[int, int]]] = {}  # word sound -> (entity, its form)
    lengths: dict[tuple[int, int], int] = {}
    for i, entity in enumerate(entities):
        for j, form in enumerate(entity.forms):
            sounds = {_sound(w) for w in form.core}
            lengths[i, j] = len(sounds)
            for sound in sounds:
                wanted.setdefault(sound, set()).add((i, j))
    small = particles()
    memo: dict[str, Any] = {word: () for word in small}
    hits: dict[int, list[tuple[float, str]]] = {}
    total = len(names.words) if progress else 0
    for done, key in enumerate(names.words, start=1):
        words = key.split()
        owners: list[tuple[int, int]] | None = None
        for word in words:
            of = memo.get(word)
            if of is None:
                of = memo[word] = tuple(wanted.get(_sound(word), ()))
            if of:
                owners = [*owners, *of] if owners else list(of)
        if owners is not None:  # the rare key that shares a word with the story
            size = sum(1 for w in words if w not in small)
            matched: dict[tuple[int, int], int] = {}
            for owner in owners:
                matched[owner] = matched.get(owner, 0) + 1
            for (i, j), shared in matched.items():
                if shared >= 2 or size == 1 or lengths[i, j] == 1:
                    hits.setdefault(i, []).append((shared / max(size, lengths[i, j], 1), key))
        if progress and done % 100_000 == 0:
            progress(done, total)
    bounded = []
    for i, keys in sorted(hits.items()):
        closest: dict[str, float] = {}
        for score, key in keys:  # one score per key: its best form
            closest[key] = max(closest.get(key, 0.0), score)
        if len(closest) > MAX_CANDIDATES:
            bounded.append(_bounded(entities[i], len(closest)))
        for key in heapq.nsmallest(MAX_CANDIDATES, closest, key=lambda k: (-closest[k], k)):
            found[i].update(names.words.get(key) or ())
    return bounded


def _scan_acronyms(names: Any, entities: list[Profile], found: dict[int, set[str]]) -> list[dict[str, Any]]:
    """Add to ``found`` the reference names a story acronym abbreviates (``OCCRP``: Organized Crime and …),
    the first :data:`MAX_CANDIDATES` in key order for each; the story entities that had more."""
    wanted: dict[str, list[int]] = {}
    for i, entity in enumerate(entities):
        for form in entity.forms:
            if form.acronym:
                wanted.setdefault(form.acronym, []).append(i)
    firsts = {a[0] for a in wanted}
    shortest, longest = min(map(len, wanted)), max(map(len, wanted)) + 3  # small words add to a name's length
    small = particles()
    keys: dict[int, list[str]] = {}
    for key in names.keys:
        if key[0] not in firsts or not shortest <= key.count(" ") + 1 <= longest or not key.isascii():
            continue
        words = key.split()
        if len(words) < 2 or "".join(w[0] for w in words if w not in small) not in wanted \
                and "".join(w[0] for w in words) not in wanted:
            continue
        for acronym in initials_of(words, small):
            for i in wanted.get(acronym, ()):
                keys.setdefault(i, []).append(key)
    bounded = []
    for i, listed in sorted(keys.items()):
        if len(listed) > MAX_CANDIDATES:
            bounded.append(_bounded(entities[i], len(listed)))
        for key in sorted(listed)[:MAX_CANDIDATES]:
            found[i].update(names.keys.get(key) or ())
    return bounded


def _bounded(entity: Profile, count: int) -> dict[str, Any]:
    """How a story entity with too many candidates is said in the result."""
    return {"type": entity.type, "kind": "story entity", "key": entity.name, "entities": count, "pairs": count,
            "compared": MAX_CANDIDATES}


def _bounded_report(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """The ``bounded`` part of the result: how many story entities, how many pairs left out, the largest ten."""
    entries = sorted(entries, key=lambda b: (-b["entities"], b["key"]))
    return {"count": len(entries), "pairs_left_out": sum(b["pairs"] - b["compared"] for b in entries),
            "window": MAX_CANDIDATES, "largest": entries[:10]}


def _score(story: Side, reference: Side, a: Profile, b: Profile, name_score: float, why: str,
           same_graph: bool) -> tuple[float, list[str]]:
    """The pair's score and reasons: the names, then the countries, the dates, a fact between them."""
    score, reasons = 0.8 * name_score, [why]
    if a.country and b.country:
        code_a, code_b = story.country_code(a.country), reference.country_code(b.country)
        if code_a == code_b:
            score += 0.1
            reasons.append(f"same country ({_shown(code_a)})")
        else:
            score -= 0.3
            reasons.append(f"different countries ({_shown(code_a)}, {_shown(code_b)})")
    if a.start and b.start:
        if a.start == b.start:
            score += 0.05
            reasons.append(f"same start date ({a.start})")
        elif not compatible_dates(a.start, b.start):
            score -= 0.1
            reasons.append(f"different start dates ({a.start}, {b.start})")
    if same_graph and fact_between(story.compiled.graph, a.id, b.id):
        score -= 0.5
        reasons.append("a fact joins them: two entities")
    return round(min(1.0, max(0.0, score)), 2), reasons


def _shown(code: str) -> str:
    return code[len("name:"):] if code.startswith("name:") else code


def reference_folder(story_root: str, reference_root: str) -> str | None:
    """The reference's folder relative to the story's when it lies inside it (``imports/NAME``), ``""``
    when it is the story's folder itself, else None."""
    story, ref = os.path.realpath(story_root), os.path.realpath(reference_root)
    if ref == story:
        return ""
    if os.path.commonpath([story, ref]) != story:
        return None
    return os.path.relpath(ref, story).replace(os.sep, "/")
