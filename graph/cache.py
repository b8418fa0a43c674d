"""The compiled-graph cache: load a data folder once, answer every later question from the cache.

Layout, under ``$TIELINE_CACHE_DIR`` or ``$XDG_CACHE_HOME/tieline`` (``~/.cache/tieline``), one
folder per data folder (named by a hash of its real path)::

    graph.cache               header (format, key, file manifest, checksum) + (graph, name index)
    files/<digest>.parsed     phase-1 parse result of one file, keyed by its path and contents

The key is a hash of tieline's version and code, the Python version, the cache format and every
data file's path and contents, the schema included: any edit, added or deleted file invalidates
the graph. Unchanged files are recognised by size and modification time, and hashed again when
modified within two seconds of the cache being written (edits too quick for the clock).

After an edit, only the edited files are parsed again. When a few files changed and the schema
did not, the previous graph is *patched*: the records of the changed files are validated against
the rest of the fact base (each rule that spans files is checked on the records it involves),
their old nodes and edges are replaced and the graph is put back in the order a full build gives.
Whenever the patch finds a problem, a full build runs instead and reports every problem as usual.

Cache files are only read from a folder owned by the current user and writable by no one else;
an unreadable, truncated, corrupt or foreign file is ignored and rebuilt. The graph is stored
with :mod:`marshal` (plain dicts, lists and strings: loading it runs no code) and a CRC-32.
Nothing is written to the data folder.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import marshal
import os
import stat
import sys
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__

if TYPE_CHECKING:
    import networkx as nx

    from .load import ParsedFile
    from .model import NameIndex

__all__ = ["Compiled", "load_compiled", "load_graph", "cache_root", "CACHE_FORMAT"]

CACHE_FORMAT = "tieline-cache-3"
_MAGIC = b"TIELINE-CACHE-3\n"
_GRAPH_FILE = "graph.cache"
_RACY_NS = 2_000_000_000
PARALLEL_MIN_BYTES = 2_000_000
"""Below this many bytes to parse, files are parsed in this process (a pool costs more than it saves)."""
PATCH_MAX_SHARE = 0.25
"""A graph is patched when the changed files hold at most this share of the data; above, rebuilt."""
Progress = Callable[[int, int], None]
_last_loaded: list[Compiled] = []


@dataclass
class Compiled:
    """A loaded data folder: the graph and its name index."""

    graph: nx.MultiDiGraph
    index: NameIndex
    from_cache: bool = False


def cache_root() -> Path:
    """Where caches live: ``$TIELINE_CACHE_DIR``, else the user cache folder."""
    explicit = os.environ.get("TIELINE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "tieline"


def load_graph(data_dir: str | os.PathLike[str] = "data", *, use_cache: bool = True) -> nx.MultiDiGraph:
    """The validated graph of a data folder; raises :class:`graph.errors.DataErrors` on bad data."""
    return load_compiled(data_dir, use_cache=use_cache).graph


def load_compiled(data_dir: str | os.PathLike[str] = "data", *, use_cache: bool = True,
                  progress: Progress | None = None) -> Compiled:
    """Graph and name index of a data folder: from the cache, patched, or built from scratch."""
    from .load import data_files

    root = Path(data_dir)
    if not root.is_dir():
        from .errors import DataError, DataErrors
        raise DataErrors([DataError(str(root), 0, 0, "no such data folder")])
    files = data_files(root)
    gc_was_enabled = gc.isenabled()
    gc.disable()  # loading makes millions of objects and no cycles: collection only costs time
    try:
        compiled = _load(root, files, use_cache, progress)
        # The last graph loaded stays referenced here, so that a command returning does not free a
        # large graph object by object (0.5 s at 100k entities) just before cli.main's os._exit.
        _last_loaded[:] = [compiled]
        return compiled
    finally:
        if gc_was_enabled:
            gc.freeze()  # what we loaded stays: keep it out of later collections
            gc.enable()


def _load(root: Path, files: list[Path], use_cache: bool, progress: Progress | None) -> Compiled:
    if not use_cache:
        return _build(root, files, None, None, progress)[0]
    store = _Store(root)
    header = store.read_header()
    manifest = _Manifest.compute(root, files, header)
    if header is not None and header["key"] == manifest.key:
        compiled = store.read_graph(header)
        if compiled is not None:
            compiled.from_cache = True
            return compiled
    result = _patch(root, files, manifest, store, header, progress) if header is not None else None
    store.forget_payload()
    if result is None:
        result = _build(root, files, manifest, store, progress)
    store.write_graph(manifest, *result)
    return result[0]


# --- what a compiled graph remembers about where its records came from ---------------------------

@dataclass
class _Origins:
    """Which files hold the dataset section and each source (nodes and edges carry their own file)."""

    dataset_files: list[str]
    source_files: dict[str, str]

    @classmethod
    def of(cls, parsed: list[ParsedFile]) -> _Origins:
        return cls([p.path for p in parsed if p.dataset],
                   {s["id"]: p.path for p in parsed for s in p.sources})


# --- full build -----------------------------------------------------------------------------------

def _build(root: Path, files: list[Path], manifest: _Manifest | None, store: _Store | None,
           progress: Progress | None, parsed: dict[str, ParsedFile] | None = None) -> tuple[Compiled, _Origins]:
    """Phase 1 for every file (cached per file), then link and build: the whole fact base checked."""
    from .load import check_and_link
    from .model import build_graph, build_name_index

    results = _parse_all(root, files, manifest, store, progress, parsed or {})
    base = check_and_link(root, results)
    graph = build_graph(base)
    return Compiled(graph, build_name_index(graph)), _Origins.of(results)


def _parse_all(root: Path, files: list[Path], manifest: _Manifest | None, store: _Store | None,
               progress: Progress | None, known: dict[str, ParsedFile]) -> list[ParsedFile]:
    """Phase 1 for ``files``: already known, from the per-file cache, else parsed (in parallel when it pays)."""
    results: dict[str, ParsedFile] = dict(known)
    todo: list[tuple[str, Path, int, str | None]] = []
    for path in files:
        rel = path.relative_to(root).as_posix()
        if rel in results:
            continue
        key = manifest.file_key(rel) if manifest is not None else None
        cached = store.read_parsed(key) if store is not None and key else None
        if cached is not None and cached.path == rel:
            results[rel] = cached
        else:
            target = store.parsed_path(key) if store is not None and store.usable and key else None
            size = manifest.size(rel) if manifest is not None else path.stat().st_size
            todo.append((rel, path, size, target))
    total, done = sum(item[2] for item in todo), 0
    for rel, size, parsed in _parse_files(todo):
        results[rel] = parsed
        done += size
        if progress:
            progress(done, total)
    return [results[path.relative_to(root).as_posix()] for path in files]


def _parse_files(todo: list[tuple[str, Path, int, str | None]]) -> Iterator[tuple[str, int, ParsedFile]]:
    """Yield ``(rel, size, ParsedFile)`` for each file; two or more processes for large inputs."""
    from .load import parse_file

    workers = min(len(todo), os.cpu_count() or 1, 4)
    if workers < 2 or sum(item[2] for item in todo) < PARALLEL_MIN_BYTES:
        for rel, path, size, target in todo:
            parsed = parse_file(path.read_bytes(), rel)
            if target is not None and not parsed.errors:
                _write_private(Path(target), _encode_parsed(parsed))
            yield rel, size, parsed
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    ordered = sorted(todo, key=lambda item: -item[2])  # largest first: the pool stays balanced
    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [(rel, size, pool.submit(_parse_encoded, str(path), rel, target))
                   for rel, path, size, target in ordered]
        for rel, size, future in futures:
            yield rel, size, _decode_parsed(future.result())


def _parse_encoded(path: str, rel: str, target: str | None) -> bytes:
    """In a worker: parse one file, write its per-file cache, return the encoded result."""
    from .load import parse_file

    gc.disable()
    parsed = parse_file(Path(path).read_bytes(), rel)
    data = _encode_parsed(parsed)
    if target is not None and not parsed.errors:
        _write_private(Path(target), data)
    return data


def _encode_parsed(parsed: ParsedFile) -> bytes:
    """A parse result as bytes: marshal (fast, runs no code on load) when it holds plain data only."""
    state = {f.name: getattr(parsed, f.name) for f in dataclasses.fields(parsed)}
    try:
        return b"M" + marshal.dumps(state)
    except ValueError:  # YAML nodes of the schema, DataError objects
        import pickle

        return b"P" + pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL)


def _decode_parsed(data: bytes) -> ParsedFile:
    from .load import ParsedFile

    view = memoryview(data)
    if data[:1] == b"M":
        state = marshal.loads(view[1:])
        if not isinstance(state, dict):
            raise ValueError("not a parse result")
        return ParsedFile(**state)
    if data[:1] == b"P":
        import pickle

        parsed = pickle.loads(view[1:])
        if isinstance(parsed, ParsedFile):
            return parsed
    raise ValueError("not a parse result")


# --- patching the previous graph after a small edit -------------------------------------------------

def _patch(root: Path, files: list[Path], manifest: _Manifest, store: _Store,
           header: dict[str, Any], progress: Progress | None) -> tuple[Compiled, _Origins] | None:
    """The previous graph updated for the files that changed, or None when a full build is needed."""
    from .schema import SCHEMA_FILE

    old_files, new_files = header["files"], manifest.entries
    changed = sorted(rel for rel in {*old_files, *new_files}
                     if old_files.get(rel, (0, 0, ""))[2] != new_files.get(rel, (0, 0, ""))[2])
    changed_bytes = sum(new_files[rel][0] for rel in changed if rel in new_files)
    if (not changed or SCHEMA_FILE in changed or SCHEMA_FILE not in new_files
            or header.get("code") != manifest.code
            or changed_bytes > PATCH_MAX_SHARE * sum(entry[0] for entry in new_files.values())):
        return None
    changed_paths = [path for path in files if path.relative_to(root).as_posix() in changed]
    fresh = _parse_all(root, changed_paths, manifest, store, progress, {})
    if any(p.errors for p in fresh):
        return _build(root, files, manifest, store, None, {p.path: p for p in fresh})
    try:
        schema = _cached_schema(store, manifest)
        old = store.read_graph(header) if schema is not None else None
        return None if old is None else _Patch(root, schema, old, header, set(changed), fresh).run()
    except Exception:  # noqa: BLE001 - _NeedsBuild, or anything unforeseen: the full build decides
        return None


def _cached_schema(store: _Store, manifest: _Manifest) -> Any:
    """The schema from its per-file cache (it did not change), or None."""
    from .errors import DataError
    from .schema import SCHEMA_FILE, read_schema

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
        self.origins = _Origins(list(header["dataset_files"]), dict(header["source_files"]))
        self.changed = changed
        self.fresh = fresh

    def run(self) -> tuple[Compiled, _Origins]:
        from .load import FactBase, link
        from .model import build_graph

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
        from .load import ParsedFile

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
        origins = _Origins(dataset_files, {**kept_sources, **new_sources})
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
        from .model import build_name_index

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


# --- the manifest: data files and the key they make -----------------------------------------------

def _code_digest() -> str:
    """A digest of the modules that shape the compiled graph: edited code invalidates the cache."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256(f"{CACHE_FORMAT}\0{__version__}\0{sys.version_info[:2]}".encode())
    for path in sorted(here.glob("*.py")):
        try:
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
        except OSError:
            digest.update(path.name.encode() + b"\0?")
    return digest.hexdigest()


@dataclass
class _Manifest:
    """The data files as (relative path → size, mtime, content digest), and the key they make."""

    entries: dict[str, tuple[int, int, str]]
    key: str
    code: str

    @classmethod
    def compute(cls, root: Path, files: list[Path], header: dict[str, Any] | None) -> _Manifest:
        known = header["files"] if header else {}
        trusted_before = header["written_ns"] - _RACY_NS if header else 0
        entries = {}
        for path in files:
            rel = path.relative_to(root).as_posix()
            st = path.stat()
            old = known.get(rel)
            if old and old[0] == st.st_size and old[1] == st.st_mtime_ns and st.st_mtime_ns < trusted_before:
                entries[rel] = old
            else:
                entries[rel] = (st.st_size, st.st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest())
        code = _code_digest()
        summary = hashlib.sha256(code.encode())
        for rel in sorted(entries):
            summary.update(f"\0{rel}\0{entries[rel][2]}".encode())
        return cls(entries, summary.hexdigest(), code)

    def size(self, rel: str) -> int:
        return self.entries[rel][0]

    def file_key(self, rel: str) -> str:
        from .load import PARSER_VERSION

        return hashlib.sha256(f"{PARSER_VERSION}\0{self.code}\0{rel}\0{self.entries[rel][2]}".encode()).hexdigest()


# --- the cache folder -------------------------------------------------------------------------------

class _Store:
    """One data folder's cache files; silently unusable when the folder is not safely ours."""

    def __init__(self, data_root: Path):
        real = os.path.realpath(data_root)
        self.folder = cache_root() / hashlib.sha256(real.encode()).hexdigest()[:24]
        self.usable = self._prepare()
        self._payload = b""

    def _prepare(self) -> bool:
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            (self.folder / "files").mkdir(mode=0o700, exist_ok=True)
        except OSError:
            return False
        return all(_private(p) for p in (self.folder, self.folder / "files"))

    def read_header(self) -> dict[str, Any] | None:
        """The graph file's header (and, kept aside, its payload), or None when absent or unusable."""
        if not self.usable:
            return None
        path = self.folder / _GRAPH_FILE
        try:
            with open(path, "rb") as handle:
                if not _private(path, handle.fileno()) or handle.read(len(_MAGIC)) != _MAGIC:
                    return None
                size = int.from_bytes(handle.read(8), "big")
                header = marshal.loads(handle.read(size))
                self._payload = handle.read()
            if not isinstance(header, dict) or header.get("format") != CACHE_FORMAT:
                return None
            for name, kind in (("key", str), ("code", str), ("files", dict), ("written_ns", int),
                               ("dataset_files", list), ("source_files", dict), ("crc", int), ("length", int)):
                if not isinstance(header.get(name), kind):
                    return None
        except Exception:  # noqa: BLE001 - missing or damaged: no cache
            return None
        return header

    def forget_payload(self) -> None:
        self._payload = b""

    def read_graph(self, header: dict[str, Any]) -> Compiled | None:
        """The graph and index stored with ``header``; None when the payload is damaged or stale."""
        payload, self._payload = self._payload, b""
        if len(payload) != header["length"] or zlib.crc32(payload) != header["crc"]:
            return None
        try:
            import networkx as nx

            if header.get("networkx") != nx.__version__:
                return None
            state, names, keys = marshal.loads(payload)
            graph = nx.MultiDiGraph()
            graph.__dict__.update(state)
            if graph._adj is not graph._succ or not isinstance(graph._pred, dict) \
                    or len(graph._node) != header.get("nodes"):
                return None
            from .model import NameIndex

            return Compiled(graph, NameIndex(names, keys))
        except Exception:  # noqa: BLE001 - a damaged cache is rebuilt, whatever the damage
            return None

    def write_graph(self, manifest: _Manifest, compiled: Compiled, origins: _Origins) -> None:
        if not self.usable:
            return
        import time

        import networkx as nx

        graph = compiled.graph
        state = {k: v for k, v in graph.__dict__.items() if type(v) is dict and k != "__networkx_cache__"}
        try:
            payload = marshal.dumps((state, compiled.index.names, compiled.index.keys))
        except ValueError:  # something not plain data in the graph: no cache rather than a wrong one
            return
        header = {"format": CACHE_FORMAT, "key": manifest.key, "code": manifest.code, "files": manifest.entries,
                  "written_ns": time.time_ns(), "networkx": nx.__version__, "nodes": graph.number_of_nodes(),
                  "dataset_files": origins.dataset_files, "source_files": origins.source_files,
                  "crc": zlib.crc32(payload), "length": len(payload)}
        head = marshal.dumps(header)
        _write_private(self.folder / _GRAPH_FILE, [_MAGIC, len(head).to_bytes(8, "big"), head, payload])
        self._prune(manifest)

    def _prune(self, manifest: _Manifest) -> None:
        """Remove per-file caches of file versions that are gone (each edit leaves one behind)."""
        keep = {f"{manifest.file_key(rel)}.parsed" for rel in manifest.entries}
        try:
            for entry in os.scandir(self.folder / "files"):
                if entry.name not in keep:
                    os.unlink(entry.path)
        except OSError:
            pass

    def parsed_path(self, key: str) -> str:
        return str(self.folder / "files" / f"{key}.parsed")

    def read_parsed(self, key: str) -> ParsedFile | None:
        if not self.usable:
            return None
        path = Path(self.parsed_path(key))
        try:
            with open(path, "rb") as handle:
                if not _private(path, handle.fileno()):
                    return None
                data = handle.read()
            return _decode_parsed(data)
        except Exception:  # noqa: BLE001 - missing or damaged: parse again
            return None


def _write_private(path: Path, chunks: bytes | list[bytes]) -> None:
    """Write a cache file readable and writable by us only, atomically; a failure is only a slower next run.

    No fsync: a cache file cut short by a crash fails its length or checksum test and is rebuilt.
    """
    import tempfile

    try:
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in [chunks] if isinstance(chunks, bytes) else chunks:
                handle.write(chunk)
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass


def _private(path: Path, fd: int | None = None) -> bool:
    """True when ``path`` belongs to us and no one else may write it."""
    try:
        st = os.fstat(fd) if fd is not None else os.lstat(path)
    except OSError:
        return False
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        return False
    return not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
