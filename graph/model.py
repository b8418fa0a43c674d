"""The graph model: validated facts → ``networkx.MultiDiGraph``, and name lookup.

One node per entity, one edge per fact (key = fact id). Symmetric relations keep the direction
the curator wrote, with ``symmetric=True``; queries traverse them both ways.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .claims import STATEMENT_KEYS
from .errors import AmbiguousEntity, Candidate, EntityNotFound
from .fields import (EDGE_FIELDS, NODE_FIELDS, RELATION_FIELDS, SOURCE_FIELDS,
                     field_names)
from .names import id_key, loose_keys, name_key, word_set_key

if TYPE_CHECKING:
    import networkx as nx

    from .validate import FactBase
    from .store import Store

__all__ = ["build_graph", "NameIndex", "build_name_index", "NODE_KEYS", "EDGE_KEYS"]

NODE_KEYS = field_names(NODE_FIELDS)
EDGE_KEYS = field_names(EDGE_FIELDS)
_SOURCE_KEYS = field_names(SOURCE_FIELDS)
_RELATION_KEYS = field_names(RELATION_FIELDS)
_EDGE_SOURCES = tuple((key, key in _RELATION_KEYS) for key in EDGE_KEYS)
"""Each edge attribute, and whether it comes from the relation (else from the fact record)."""


def build_graph(base: FactBase) -> nx.MultiDiGraph:
    """The MultiDiGraph of a validated fact base; nodes and edges in id order, so output is stable.

    The graph's dicts are filled directly, as ``add_nodes_from``/``add_edges_from`` would fill them
    (same contents, same order; a fact's key dict shared by ``_succ`` and ``_pred``; an entity that
    only a fact names added without attributes), without their
    per-item checks and copies: at 300k facts that halves the build.
    """
    import networkx as nx

    graph = nx.MultiDiGraph()
    graph.graph.update(base.schema.as_graph_data())
    graph.graph["dataset"] = dict(base.dataset)
    graph.graph["sources"] = {sid: {k: s.get(k) for k in _SOURCE_KEYS} for sid, s in sorted(base.sources.items())}
    nodes, succ, pred = graph._node, graph._succ, graph._pred
    for eid, e in sorted(base.entities.items()):
        nodes[eid] = {k: e.get(k, []) if k == "merged_ids" else e[k] for k in NODE_KEYS}
        succ[eid] = {}
        pred[eid] = {}
    graph.graph["different"] = [list(pair) for pair in base.different]
    if base.tour:
        graph.graph["tour"] = [dict(step) for step in base.tour]
    if base.conflicts:
        graph.graph["conflicts"] = base.conflicts
    if base.grouped:
        graph.graph["grouped"] = True  # a patch after an edit builds in full (graph.patch)
    templates = {rid: _edge_template(relation) for rid, relation in base.schema.relations.items()}
    for fid, fact in sorted(base.facts.items()):
        u, v = fact["subject"], fact["object"]
        if u not in succ or v not in succ:  # an entity outside ``base`` (a patch builds a part): added bare
            for end in (u, v):
                if end not in succ:
                    nodes[end], succ[end], pred[end] = {}, {}, {}
        keys = succ[u].get(v)
        if keys is None:
            keys = succ[u][v] = pred[v][u] = {}
        data = templates[fact["relation"]].copy()
        for key in _EDGE_FROM_FACT:
            data[key] = fact[key]
        for key in _EDGE_LISTS:  # copied, so the graph never shares a list with the fact base
            data[key] = list(data[key])
        if "statements" in fact:
            _add_statements(data, fact["statements"])
        keys[fid] = data
    return graph


def _add_statements(data: dict[str, Any], statements: list[dict[str, Any]]) -> None:
    """A claim stated several times: every statement kept, the sources of all of them on the claim."""
    data["sources"] = list(dict.fromkeys(s for statement in statements for s in statement["sources"]))
    data["statements"] = [{k: st["statement_id"] if k == "id" else list(st[k]) if k == "sources" else st[k]
                           for k in STATEMENT_KEYS} for st in statements]


_EDGE_FROM_FACT = tuple(key for key, from_relation in _EDGE_SOURCES if not from_relation)
_EDGE_LISTS = tuple(f.name for f in EDGE_FIELDS if f.kind == "text_list")


def _edge_template(relation: Any) -> dict[str, Any]:
    """An edge's attributes in declaration order: its relation's wording filled in, the fact's fields
    still None (assigning them keeps this order)."""
    return {key: getattr(relation, key) if from_relation else None for key, from_relation in _EDGE_SOURCES}


_QUALIFIED = re.compile(r"(?s)(.*\S)\s*\(\s*([a-z][a-z0-9_]*)\s*\)\s*")
_MAX_CANDIDATES = 20


class NameIndex:
    """Finds entities by id, name or alias, ignoring case, accents, punctuation, script and word order.

    ``keys`` holds each exact name key (:func:`graph.names.name_key`); ``words`` the transliterated
    keys with their words sorted (``Dmitriev, Kirill`` = ``Кирилл Дмитриев``); ``sounds`` their consonant
    skeletons (``Зеленский`` = ``Zelenskyy``), used only for text that is not ASCII; ``redirects``
    the ids merged into another by a ``same`` resolution. All are computed when the graph is built and
    cached with it: resolving an ASCII name imports no transliteration library.
    """

    def __init__(self, names: dict[str, str], keys: dict[str, list[str]], words: dict[str, list[str]] | None = None,
                 sounds: dict[str, list[str]] | None = None, redirects: dict[str, str] | None = None):
        self.names = names  # id -> display name
        self.keys = keys    # normalized id/name/alias -> ids
        self.words = words or {}
        self.sounds = sounds or {}
        self.redirects = redirects or {}
        self.graph: Any = None  # set by graph.model.Compiled: candidates' type, country and description

    def state(self) -> tuple[Any, ...]:
        """What the cache stores (plain dicts, for marshal); ``NameIndex(*state)`` rebuilds it."""
        return self.names, self.keys, self.words, self.sounds, self.redirects

    def resolve(self, text: str) -> str:
        """The id of the one entity ``text`` names; raises EntityNotFound or AmbiguousEntity.

        ``Name (type)`` picks among entities of several types sharing a name.
        """
        if text in self.names:
            return text
        if text in self.redirects:
            return self.redirects[text]
        qualified = _QUALIFIED.fullmatch(text)
        if qualified and not self._exact(text) and self._types():
            wanted = qualified.group(2)
            if wanted in self._types():
                return self._resolve(qualified.group(1), text, wanted)
        return self._resolve(text, text, None)

    def _resolve(self, text: str, query: str, wanted: str | None) -> str:
        key = name_key(text)
        if not key:
            raise EntityNotFound(query, [])
        for ids in (self._exact(text), *self._loose(text)):
            ids = self._of_type(ids, wanted)
            if len(ids) == 1:
                return ids[0]
            if ids:
                raise AmbiguousEntity(query, self.candidates(ids))
        words = set(key.split())
        partial = self._of_type(sorted({i for k, ids_ in self.keys.items() if words and words <= set(k.split())
                                        for i in ids_}), wanted)
        if len(partial) == 1:
            return partial[0]
        if partial:
            raise AmbiguousEntity(query, self.candidates(partial[:_MAX_CANDIDATES]))
        raise EntityNotFound(query, [(i, self.names[i]) for i in self.similar(key)])

    def _exact(self, text: str) -> list[str]:
        return self.keys.get(name_key(text)) or self.keys.get(id_key(text)) or []

    def _loose(self, text: str) -> list[list[str]]:
        """Ids by transliterated words in any order; for text that is not ASCII, by sound too."""
        if text.isascii():
            return [self.words.get(word_set_key(name_key(text)), [])]
        _, words, sound = loose_keys(text)
        return [self.words.get(words, []), self.sounds.get(sound, [])]

    def _types(self) -> set[str]:
        return {d["type"] for d in self.graph._node.values()} if self.graph is not None else set()

    def _of_type(self, ids: list[str], wanted: str | None) -> list[str]:
        if wanted is None or self.graph is None:
            return list(ids)
        return [i for i in ids if self.graph._node[i]["type"] == wanted]

    def candidates(self, ids: list[str]) -> list[Candidate]:
        """What tells entities sharing a name apart: name, type, country, short description, id."""
        nodes = self.graph._node if self.graph is not None else {}
        found = []
        for entity_id in ids:
            data = nodes.get(entity_id, {})
            country = data.get("country")
            found.append(Candidate(entity_id, self.names[entity_id], data.get("type", ""),
                                   nodes[country]["name"] if country in nodes else "",
                                   data.get("description") or ""))
        return found

    def shared_names(self) -> int:
        """How many names (and aliases) belong to several entities."""
        return sum(1 for ids in self.keys.values() if len(ids) > 1)

    CLEAR_RATIO = 0.85
    """How alike (difflib's ratio of name keys) a misspelt name and a name or alias must be to be taken for it…"""
    CLEAR_MARGIN = 0.1
    """…when every other entity's closest name is at least this much less alike."""

    def clear_guess(self, text: str) -> str | None:
        """The one entity a name that matches nothing clearly means, or None: its closest name or
        alias is at least :data:`CLEAR_RATIO` alike and every other entity's at least
        :data:`CLEAR_MARGIN` less ("Kiril Dmitriev" → Kirill Dmitriev, 0.97, the next 0.6)."""
        import difflib

        key = name_key(text)
        if not key or len(key) > 100:
            return None
        best: dict[str, float] = {}
        for match in difflib.get_close_matches(key, list(self.keys), n=10, cutoff=0.6):
            ratio = difflib.SequenceMatcher(None, key, match).ratio()
            for entity_id in self.keys[match]:
                best[entity_id] = max(best.get(entity_id, 0.0), ratio)
        ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
        if not ranked or ranked[0][1] < self.CLEAR_RATIO:
            return None
        if len(ranked) > 1 and ranked[1][1] > ranked[0][1] - self.CLEAR_MARGIN:
            return None
        return ranked[0][0]

    def similar(self, key: str, limit: int = 5) -> list[str]:
        """Ids whose names look like ``key``, best first."""
        import difflib

        close = difflib.get_close_matches(key, list(self.keys), n=limit, cutoff=0.6)
        seen: list[str] = []
        for match in close:
            for entity_id in self.keys[match]:
                if entity_id not in seen:
                    seen.append(entity_id)
        return seen[:limit]


@dataclass
class Compiled:
    """A loaded data folder: the graph and its name index (:mod:`graph.pipeline` loads it, from the
    query index of :mod:`graph.index` when that is current)."""

    graph: nx.MultiDiGraph
    names: NameIndex
    from_cache: bool = False
    indexed_in: Store | None = None
    """Set when ``graph`` and ``names`` are read from this store's query index (:mod:`graph.index`)."""

    def __post_init__(self) -> None:
        self.names.graph = self.graph  # candidates of an ambiguous name show their type, country, description


def build_name_index(graph: nx.MultiDiGraph) -> NameIndex:
    """The lookup index of every entity's id, name and aliases, exact and loose (see :class:`NameIndex`)."""
    names: dict[str, str] = {}
    keys: dict[str, list[str]] = {}
    words: dict[str, list[str]] = {}
    sounds: dict[str, list[str]] = {}
    redirects: dict[str, str] = {}
    for node_id, data in graph.nodes(data=True):
        names[node_id] = data["name"]
        for merged in data.get("merged_ids") or ():
            redirects[merged] = node_id
            _add(keys, id_key(merged), node_id)
        _add(keys, id_key(node_id), node_id)
        for key in map(name_key, (data["name"], *data["aliases"])):
            _add(keys, key, node_id)
            _, word_set, sound = loose_keys(key)  # the keys of a name's key are the name's (name_key is idempotent)
            _add(words, word_set, node_id)
            _add(sounds, sound, node_id)
    return NameIndex(names, keys, words, sounds, redirects)


def _add(index: dict[str, list[str]], key: str, node_id: str) -> None:
    if not key:
        return
    ids = index.setdefault(key, [])
    if node_id not in ids:
        ids.append(node_id)
