"""The graph model: validated facts → ``networkx.MultiDiGraph``, and name lookup.

One node per entity, one edge per fact (key = fact id). Symmetric relations keep the direction
the curator wrote, with ``symmetric=True``; queries traverse them both ways.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import AmbiguousEntity, EntityNotFound
from .fields import (EDGE_FIELDS, FACT_FIELDS, NODE_FIELDS, RECORD_FIELDS, RELATION_FIELDS, SOURCE_FIELDS,
                     field_names)
from .names import id_key, name_key

if TYPE_CHECKING:
    import networkx as nx

    from .load import FactBase

__all__ = ["build_graph", "NameIndex", "build_name_index", "NODE_KEYS", "EDGE_KEYS"]

NODE_KEYS = field_names(NODE_FIELDS)
EDGE_KEYS = field_names(EDGE_FIELDS)
_SOURCE_KEYS = field_names(SOURCE_FIELDS)
_FACT_KEYS = field_names(FACT_FIELDS + RECORD_FIELDS)
_RELATION_KEYS = field_names(RELATION_FIELDS)


def build_graph(base: FactBase) -> nx.MultiDiGraph:
    """The MultiDiGraph of a validated fact base; nodes and edges in id order, so output is stable."""
    import networkx as nx

    graph = nx.MultiDiGraph()
    graph.graph.update(base.schema.as_graph_data())
    graph.graph["dataset"] = dict(base.dataset)
    graph.graph["sources"] = {sid: {k: s.get(k) for k in _SOURCE_KEYS} for sid, s in sorted(base.sources.items())}
    graph.add_nodes_from(
        (eid, {k: e[k] for k in NODE_KEYS}) for eid, e in sorted(base.entities.items())
    )
    relations = base.schema.relations
    graph.add_edges_from(
        (f["subject"], f["object"], fid, _edge_data(f, relations[f["relation"]]))
        for fid, f in sorted(base.facts.items())
    )
    return graph


def _edge_data(fact: dict[str, Any], relation: Any) -> dict[str, Any]:
    """An edge's attributes: the fact's fields, its relation's wording, where it was written."""
    data = {k: _copied(fact[k]) for k in _FACT_KEYS}
    data.update({k: getattr(relation, k) for k in _RELATION_KEYS})
    return {k: data[k] for k in EDGE_KEYS}


def _copied(value: Any) -> Any:
    """A list copied, so that the graph never shares one with the fact base; any other value as is."""
    return list(value) if isinstance(value, list) else value


class NameIndex:
    """Finds entities by id, name or alias, ignoring case, accents and punctuation."""

    def __init__(self, names: dict[str, str], keys: dict[str, list[str]]):
        self.names = names  # id -> display name
        self.keys = keys    # normalized id/name/alias -> ids

    def resolve(self, text: str) -> str:
        """The id of the one entity ``text`` names; raises EntityNotFound or AmbiguousEntity."""
        if text in self.names:
            return text
        key = name_key(text)
        if not key:
            raise EntityNotFound(text, [])
        ids = self.keys.get(key) or self.keys.get(id_key(text))
        if ids and len(ids) == 1:
            return ids[0]
        if ids:
            raise AmbiguousEntity(text, [(i, self.names[i]) for i in ids])
        words = set(key.split())
        partial = sorted({i for k, ids_ in self.keys.items() if words and words <= set(k.split()) for i in ids_})
        if len(partial) == 1:
            return partial[0]
        if partial:
            raise AmbiguousEntity(text, [(i, self.names[i]) for i in partial[:20]])
        raise EntityNotFound(text, [(i, self.names[i]) for i in self.similar(key)])

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


def build_name_index(graph: nx.MultiDiGraph) -> NameIndex:
    """The lookup index of every entity's id, name and aliases."""
    names: dict[str, str] = {}
    keys: dict[str, list[str]] = {}
    for node_id, data in graph.nodes(data=True):
        names[node_id] = data["name"]
        for key in (id_key(node_id), *map(name_key, (data["name"], *data["aliases"]))):
            if not key:
                continue
            ids = keys.setdefault(key, [])
            if node_id not in ids:
                ids.append(node_id)
    return NameIndex(names, keys)
