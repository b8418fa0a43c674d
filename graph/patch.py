"""Patching a compiled graph after a small edit, instead of building it again.

When a few data files changed and the schema did not, the records of the changed files are
linked with the unchanged records each rule of :data:`graph.validate.RULES` says it involves (the
same rules the full build runs, so a new rule cannot be left out here), their old nodes and
edges are replaced, and the graph is put back in the order a full build gives. Whenever the
patch cannot prove the result valid, it gives up and the caller runs a full build, which reports
every problem as usual. The default patch step of :class:`graph.build.Loader`, as :mod:`graph.pipeline` runs it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import DataError
from .build import Loader, Progress, build_compiled, parse_all
from .model import Compiled, build_graph, build_name_index
from .parse import ParsedFile
from .schema import SCHEMA_FILE, build_schema, is_schema_file
from .store import Manifest, Origins, Store
from .validate import RULES, FactBase, link, made_fact_id, stories_of

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["patch_compiled", "PATCH_MAX_SHARE"]

PATCH_MAX_SHARE = 0.25
"""A graph is patched when the changed files hold at most this share of the data; above, rebuilt."""


def patch_compiled(loader: Loader, root: Path, files: list[Path], manifest: Manifest, store: Store,
                   header: dict[str, Any], progress: Progress | None) -> tuple[Compiled, Origins] | None:
    """The previous graph updated for the files that changed, or None when a full build is needed."""
    old_files, new_files = header["files"], manifest.entries
    changed = sorted(rel for rel in {*old_files, *new_files}
                     if old_files.get(rel, (0, 0, ""))[2] != new_files.get(rel, (0, 0, ""))[2])
    changed_bytes = sum(new_files[rel][0] for rel in changed if rel in new_files)
    if (not changed or any(is_schema_file(rel) for rel in changed) or SCHEMA_FILE not in new_files
            or header.get("code") != manifest.code
            or changed_bytes > PATCH_MAX_SHARE * sum(entry[0] for entry in new_files.values())):
        return None
    changed_paths = [path for path in files if path.relative_to(root).as_posix() in changed]
    fresh = parse_all(loader, root, changed_paths, manifest, store, progress, {})
    if any(p.errors for p in fresh):
        return build_compiled(loader, root, files, manifest, store, None, {p.path: p for p in fresh})
    if any(p.resolutions or p.tour or p.repeated for p in fresh) or header.get("judged"):
        return None  # judgements merge across files, a tour names them all, aliases share one budget: a full build
    try:
        schema = _cached_schema(store, manifest)
        old = store.read_graph(header) if schema is not None else None
        return None if old is None else _Patch(root, schema, Compiled(*old), header, set(changed), fresh).run()
    except Exception:  # noqa: BLE001 - _NeedsBuild, or anything unforeseen: the full build decides
        return None


def _cached_schema(store: Store, manifest: Manifest) -> Any:
    """The schema (the root and its fragments) from the per-file cache (none changed), or None."""
    names = sorted((rel for rel in manifest.entries if is_schema_file(rel)), key=lambda rel: (rel != SCHEMA_FILE, rel))
    parsed = [store.read_parsed(manifest.file_key(rel)) for rel in names]
    if any(p is None or p.errors for p in parsed):
        return None
    errors: list[DataError] = []
    schema = build_schema([(rel, p.schema_document) for rel, p in zip(names, parsed)], errors)
    return None if errors else schema


class _NeedsBuild(Exception):
    """The patch cannot prove the result valid: build the whole graph instead."""


class _Patch:
    """Replace the records of the changed files in a loaded graph, checking every rule they touch.

    The records of the changed files are linked by :func:`graph.validate.link` together with the
    unchanged records the rules involve (:class:`_Neighbourhood`); what lies outside was valid
    before and is untouched. Any problem → a full build.
    """

    def __init__(self, root: Path, schema: Any, old: Compiled, header: dict[str, Any], changed: set[str],
                 fresh: list[ParsedFile]):
        self.root = root
        self.schema = schema
        self.graph = old.graph
        self.index = old.names
        self.origins = Origins(list(header["dataset_files"]), dict(header["source_files"]))
        self.changed = changed
        self.fresh = fresh
        self.files = list(header["files"])

    def run(self) -> tuple[Compiled, Origins]:
        graph, changed = self.graph, self.changed
        old_nodes = {n for n, d in graph._node.items() if d["file"] in changed}
        dataset_files = [f for f in self.origins.dataset_files if f not in changed]
        dataset_files += [p.path for p in self.fresh if p.dataset]
        new_entities = {e["id"]: e for p in self.fresh for e in p.entities}
        kept_sources = {sid: f for sid, f in self.origins.source_files.items() if f not in changed}
        new_sources = {s["id"]: p.path for p in self.fresh for s in p.sources}
        edited_sources = {sid for sid, f in self.origins.source_files.items() if f in changed}
        old_edges, kept_facts, on_edited = self._scan_edges(old_nodes, edited_sources - set(new_sources))
        nb = _Neighbourhood(self, old_nodes, kept_sources, kept_facts, on_edited)
        for rule in RULES:
            rule.involves(nb)
        errors: list[Any] = []
        base = link(self.schema, [*self.fresh, nb.unchanged()], errors, self.root.resolve().name,
                    stories_of([rel for rel in self.files if is_schema_file(rel)]))
        if errors or base.grouped:  # records of several files make one thing: the full build groups them
            raise _NeedsBuild
        fact_ids = [f["id"] for p in self.fresh for f in p.facts]
        part = FactBase(self.schema, base.dataset,
                        {sid: s for sid, s in base.sources.items() if sid in new_sources},
                        new_entities, {fid: base.facts[fid] for fid in fact_ids})
        added = build_graph(part)
        self.new_index = build_name_index(added.subgraph(n for n, d in added._node.items() if d))
        self._replace(added, old_nodes, old_edges, bool(dataset_files) and dataset_files[0] in changed
                      or not dataset_files, kept_sources)
        origins = Origins(dataset_files, {**kept_sources, **new_sources})
        return Compiled(graph, self.index), origins

    def _scan_edges(self, old_nodes: set[str], dropped_sources: set[str]
                    ) -> tuple[list[tuple[str, str, str]], dict[str, dict[str, Any]], list[dict[str, Any]]]:
        """Edges of changed files; unchanged facts by id; those about an edited entity or a dropped source."""
        changed = self.changed
        old_edges: list[tuple[str, str, str]] = []
        kept: dict[str, dict[str, Any]] = {}
        on_edited: list[dict[str, Any]] = []
        for u, neighbours in self.graph._succ.items():
            for v, keydict in neighbours.items():
                for key, data in keydict.items():
                    if data["file"] in changed:
                        old_edges.append((u, v, key))
                        continue
                    kept[key] = data
                    if u in old_nodes or v in old_nodes or (
                            dropped_sources and not dropped_sources.isdisjoint(data["sources"])):
                        on_edited.append(data)
        return old_edges, kept, on_edited

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
        index, new = self.index, self.new_index
        for keys, added in ((index.keys, new.keys), (index.words, new.words), (index.sounds, new.sounds)):
            for key in [k for k, ids in keys.items() if any(i in old_nodes for i in ids)]:
                remaining = [i for i in keys[key] if i not in old_nodes]
                if remaining:
                    keys[key] = remaining
                else:
                    del keys[key]
            for key, ids in added.items():
                keys.setdefault(key, []).extend(ids)
        for node in old_nodes:
            index.names.pop(node, None)
        index.names.update(new.names)


class _Neighbourhood:
    """The unchanged records the rules ask for (:class:`graph.validate.Involved`), each with what it refers to."""

    def __init__(self, patch: _Patch, old_nodes: set[str], kept_sources: dict[str, str],
                 kept_facts: dict[str, dict[str, Any]], on_edited: list[dict[str, Any]]):
        self.fresh = patch.fresh
        self.graph = patch.graph
        self.names = patch.index.keys
        self.dataset_files = [f for f in patch.origins.dataset_files if f not in patch.changed]
        self.old_nodes = old_nodes
        self.kept_sources = kept_sources
        self.kept_facts = kept_facts
        self.on_edited = on_edited
        self.sources: dict[str, dict[str, Any]] = {}
        self.entities: dict[str, dict[str, Any]] = {}
        self.facts: dict[str, dict[str, Any]] = {}
        self.datasets: list[dict[str, Any]] = []

    def dataset(self) -> None:
        self.datasets = [{**self.graph.graph["dataset"], "file": f, "line": 0, "marks": {}} for f in self.dataset_files]

    def source(self, source_id: str) -> None:
        if source_id in self.kept_sources and source_id not in self.sources:
            self.sources[source_id] = {**self.graph.graph["sources"][source_id], "file": self.kept_sources[source_id],
                                       "line": 0, "marks": {}}

    def entity(self, entity_id: str | None) -> None:
        nodes = self.graph._node
        while entity_id and entity_id not in self.entities and entity_id not in self.old_nodes:
            data = nodes.get(entity_id)
            if data is None:
                return
            self.entities[entity_id] = {**data, "marks": {}}
            entity_id = data["country"]

    def entities_named(self, key: str) -> None:
        for entity_id in self.names.get(key, ()):
            self.entity(entity_id)

    def entities_in_edited_countries(self) -> None:
        for node, data in self.graph._node.items():
            if data["country"] in self.old_nodes and node not in self.old_nodes:
                self.entity(node)

    def fact(self, fact_id: str) -> None:
        data = self.kept_facts.get(fact_id)
        if data is None or fact_id in self.facts:
            return
        # a fact id that reads subject.relation.object is taken as made, not given: the checks of
        # facts written without an id then run on it too (at worst, a full build that was not needed)
        self.facts[fact_id] = {**data, "id": None if fact_id == made_fact_id(data) else fact_id, "marks": {}}
        self.entity(data["subject"])
        self.entity(data["object"])
        for source_id in data["sources"]:
            self.source(source_id)

    def facts_on_edited_records(self) -> None:
        for data in self.on_edited:
            self.fact(data["id"])

    def unchanged(self) -> ParsedFile:
        """The records asked for, as one parsed file to link with the changed ones."""
        return ParsedFile("<unchanged>", dataset=self.datasets, sources=list(self.sources.values()),
                          entities=list(self.entities.values()), facts=list(self.facts.values()))
