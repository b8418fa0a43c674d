"""Patching a compiled graph after a small edit, instead of building it again.

When a few data files changed and the schema did not, the records of the changed files are
validated against the rest of the fact base — each rule that spans files is checked on the
records it involves — their old nodes and edges are replaced, and the graph is put back in the
order a full build gives. Whenever the patch cannot prove the result valid, it gives up and the
caller runs a full build, which reports every problem as usual. Used by :mod:`graph.cache`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cache import Compiled, Manifest, Origins, Progress, Store, build_compiled, parse_all
from .errors import DataError
from .load import FactBase, ParsedFile, link
from .model import build_graph, build_name_index
from .schema import SCHEMA_FILE, read_schema

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["patch_compiled", "PATCH_MAX_SHARE"]

PATCH_MAX_SHARE = 0.25
"""A graph is patched when the changed files hold at most this share of the data; above, rebuilt."""


def patch_compiled(root: Path, files: list[Path], manifest: Manifest, store: Store,
                   header: dict[str, Any], progress: Progress | None) -> tuple[Compiled, Origins] | None:
    """The previous graph updated for the files that changed, or None when a full build is needed."""
    old_files, new_files = header["files"], manifest.entries
    changed = sorted(rel for rel in {*old_files, *new_files}
                     if old_files.get(rel, (0, 0, ""))[2] != new_files.get(rel, (0, 0, ""))[2])
    changed_bytes = sum(new_files[rel][0] for rel in changed if rel in new_files)
    if (not changed or SCHEMA_FILE in changed or SCHEMA_FILE not in new_files
            or header.get("code") != manifest.code
            or changed_bytes > PATCH_MAX_SHARE * sum(entry[0] for entry in new_files.values())):
        return None
    changed_paths = [path for path in files if path.relative_to(root).as_posix() in changed]
    fresh = parse_all(root, changed_paths, manifest, store, progress, {})
    if any(p.errors for p in fresh):
        return build_compiled(root, files, manifest, store, None, {p.path: p for p in fresh})
    try:
        schema = _cached_schema(store, manifest)
        old = store.read_graph(header) if schema is not None else None
        return None if old is None else _Patch(root, schema, old, header, set(changed), fresh).run()
    except Exception:  # noqa: BLE001 - _NeedsBuild, or anything unforeseen: the full build decides
        return None


def _cached_schema(store: Store, manifest: Manifest) -> Any:
    """The schema from its per-file cache (it did not change), or None."""
    parsed = store.read_parsed(manifest.file_key(SCHEMA_FILE))
    if parsed is None or parsed.errors:
        return None
    errors: list[DataError] = []
    schema = read_schema(parsed.schema_document, SCHEMA_FILE, errors)
    return None if errors else schema


class _NeedsBuild(Exception):
    """The patch cannot prove the result valid: build the whole graph instead."""


class _Patch:
    """Replace the records of the changed files in a loaded graph, checking every rule they touch.

    The records of the changed files are linked by :func:`graph.load.link` together with the
    records of unchanged files they interact with (the entities they name, reference or collide
    with, the facts that pointed at their old entities or sources, every source); what lies
    outside that neighbourhood was valid before and is untouched. Any problem → a full build.
    """

    def __init__(self, root: Path, schema: Any, old: Compiled, header: dict[str, Any], changed: set[str],
                 fresh: list[ParsedFile]):
        self.root = root
        self.schema = schema
        self.graph = old.graph
        self.index = old.index
        self.origins = Origins(list(header["dataset_files"]), dict(header["source_files"]))
        self.changed = changed
        self.fresh = fresh

    def run(self) -> tuple[Compiled, Origins]:
        graph, changed = self.graph, self.changed
        old_nodes = {n for n, d in graph._node.items() if d["file"] in changed}
        dataset_files = [f for f in self.origins.dataset_files if f not in changed]
        dataset_files += [p.path for p in self.fresh if p.dataset]
        if len(dataset_files) > 1:
            raise _NeedsBuild
        new_entities = {e["id"]: e for p in self.fresh for e in p.entities}
        kept_sources = {sid: f for sid, f in self.origins.source_files.items() if f not in changed}
        new_sources = {s["id"]: p.path for p in self.fresh for s in p.sources}
        dropped_sources = {sid for sid, f in self.origins.source_files.items() if f in changed} - set(new_sources)
        old_edges, context_facts, kept_keys = self._scan_edges(old_nodes, dropped_sources)
        context = _Context(graph, old_nodes)
        for fact in (f for p in self.fresh for f in p.facts):
            context.entity(fact["subject"], new_entities)
            context.entity(fact["object"], new_entities)
        for entity in new_entities.values():
            context.entity(entity["country"], new_entities)
        for fact in context_facts:
            context.fact(fact, new_entities)
        for node, data in graph._node.items():  # entities whose country was edited or removed
            if data["country"] in old_nodes and node not in old_nodes:
                context.entity(node, new_entities)
        sources = [{**graph.graph["sources"][sid], "file": f, "line": 0, "marks": {}}
                   for sid, f in kept_sources.items()]
        subset = [*self.fresh, ParsedFile("<unchanged>", sources=sources, entities=context.entity_records(),
                                          facts=context.fact_records)]
        errors: list[Any] = []
        base = link(self.schema, subset, errors, self.root.resolve().name)
        if errors or set(new_entities) & (set(graph._node) - old_nodes):
            raise _NeedsBuild
        fact_ids = [f["id"] for p in self.fresh for f in p.facts]
        if any(fid in kept_keys for fid in fact_ids):
            raise _NeedsBuild
        part = FactBase(self.schema, base.dataset,
                        {sid: s for sid, s in base.sources.items() if sid in new_sources},
                        new_entities, {fid: base.facts[fid] for fid in fact_ids})
        added = build_graph(part)
        self._check_names(added, old_nodes)
        self._replace(added, old_nodes, old_edges, bool(dataset_files) and dataset_files[0] in changed
                      or not dataset_files, kept_sources)
        origins = Origins(dataset_files, {**kept_sources, **new_sources})
        return Compiled(graph, self.index), origins

    def _scan_edges(self, old_nodes: set[str], dropped_sources: set[str]
                    ) -> tuple[list[tuple[str, str, str]], list[dict[str, Any]], set[str]]:
        """Edges of changed files; unchanged facts touching an edited entity or source; unchanged fact ids."""
        changed = self.changed
        old_edges: list[tuple[str, str, str]] = []
        context: list[dict[str, Any]] = []
        kept: set[str] = set()
        for u, neighbours in self.graph._succ.items():
            for v, keydict in neighbours.items():
                for key, data in keydict.items():
                    if data["file"] in changed:
                        old_edges.append((u, v, key))
                        continue
                    kept.add(key)
                    if u in old_nodes or v in old_nodes or (
                            dropped_sources and not dropped_sources.isdisjoint(data["sources"])):
                        context.append(data)
        return old_edges, context, kept

    def _check_names(self, added: nx.MultiDiGraph, old_nodes: set[str]) -> None:
        """No new id, name or alias may be one an unchanged entity already answers to."""
        new_index = build_name_index(added.subgraph(n for n, d in added._node.items() if d))
        for key in new_index.keys:
            if any(owner not in old_nodes for owner in self.index.keys.get(key, ())):
                raise _NeedsBuild
        self.new_index = new_index

    def _replace(self, added: nx.MultiDiGraph, old_nodes: set[str], old_edges: list[tuple[str, str, str]],
                 dataset_changed: bool, kept_sources: dict[str, str]) -> None:
        graph = self.graph
        succ, pred = graph._succ, graph._pred
        touched: set[str] = set()
        for u, v, key in old_edges:
            keydict = succ[u][v]
            del keydict[key]
            if not keydict:
                del succ[u][v], pred[v][u]
            touched.update((u, v))
        new_nodes = {n: d for n, d in added._node.items() if d}
        for node in old_nodes - set(new_nodes):
            if succ[node] or pred[node]:
                raise _NeedsBuild
            del graph._node[node], succ[node], pred[node]
        for node, data in new_nodes.items():
            graph._node[node] = data
            succ.setdefault(node, {})
            pred.setdefault(node, {})
        for u, neighbours in added._succ.items():
            for v, keydict in neighbours.items():
                for key, data in keydict.items():
                    target = succ[u].get(v)
                    if target is None:
                        target = succ[u][v] = pred[v][u] = {}
                    target[key] = data
                    touched.update((u, v))
        graph.graph["sources"] = dict(sorted(
            {**{sid: graph.graph["sources"][sid] for sid in kept_sources}, **added.graph["sources"]}.items()))
        if dataset_changed:
            graph.graph["dataset"] = added.graph["dataset"]
        self._reorder(touched & set(graph._node), nodes_changed=set(new_nodes) != old_nodes)
        self._patch_index(old_nodes)

    def _reorder(self, touched: set[str], nodes_changed: bool) -> None:
        """Dict order as a full build leaves it: nodes by id; edges in fact-id order."""
        graph = self.graph
        if nodes_changed:
            order = sorted(graph._node)
            graph._node = {n: graph._node[n] for n in order}
            graph._succ = graph._adj = {n: graph._succ[n] for n in order}
            graph._pred = {n: graph._pred[n] for n in order}
            for name in [k for k, v in graph.__dict__.items() if type(v) is not dict]:
                del graph.__dict__[name]  # cached views of the old dicts
            graph.__networkx_cache__.clear()
        for node in touched:
            for adjacency in (graph._succ, graph._pred):
                neighbours = adjacency[node]
                for keydict in neighbours.values():
                    if list(keydict) != sorted(keydict):
                        items = sorted(keydict.items())
                        keydict.clear()
                        keydict.update(items)
                adjacency[node] = dict(sorted(neighbours.items(), key=lambda item: min(item[1])))

    def _patch_index(self, old_nodes: set[str]) -> None:
        names, keys = self.index.names, self.index.keys
        for key in [k for k, ids in keys.items() if any(i in old_nodes for i in ids)]:
            remaining = [i for i in keys[key] if i not in old_nodes]
            if remaining:
                keys[key] = remaining
            else:
                del keys[key]
        for node in old_nodes:
            names.pop(node, None)
        names.update(self.new_index.names)
        for key, ids in self.new_index.keys.items():
            keys.setdefault(key, []).extend(ids)


class _Context:
    """Records of unchanged entities and facts that the changed files' records must be checked with."""

    def __init__(self, graph: nx.MultiDiGraph, old_nodes: set[str]):
        self.nodes = graph._node
        self.old_nodes = old_nodes
        self.entities: dict[str, dict[str, Any]] = {}
        self.fact_records: list[dict[str, Any]] = []

    def entity(self, node: str | None, new: dict[str, dict[str, Any]]) -> None:
        """Add an unchanged entity (and its country) unless it is new, edited, unknown or already in."""
        while node and node not in new and node not in self.entities and node not in self.old_nodes:
            data = self.nodes.get(node)
            if data is None:
                return
            self.entities[node] = {**data, "marks": {}}
            node = data["country"]

    def fact(self, data: dict[str, Any], new: dict[str, dict[str, Any]]) -> None:
        self.fact_records.append({**data, "marks": {}})
        self.entity(data["subject"], new)
        self.entity(data["object"], new)

    def entity_records(self) -> list[dict[str, Any]]:
        return list(self.entities.values())
