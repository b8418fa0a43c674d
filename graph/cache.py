"""The compiled-graph cache: load a data folder once, answer every later question from a pickle.

Layout, under ``$TIELINE_CACHE_DIR`` or ``$XDG_CACHE_HOME/tieline`` (``~/.cache/tieline``), one
folder per data folder (named by a hash of its real path)::

    graph.pickle              header (format, versions, file manifest, key) + (graph, name index)
    files/<digest>.pickle     phase-1 parse result of one file, keyed by its path and contents

The key is a hash of tieline's version, the cache format and every data file's path and contents,
the schema included: any edit, added or deleted file invalidates the graph; only the edited files
are parsed again. Unchanged files are recognised by size and modification time, and hashed again
when modified within two seconds of the cache being written (edits too quick for the clock).
Cache files are only read from a folder owned by the current user and writable by no one else;
an unreadable, corrupt or foreign file is ignored and rebuilt. Nothing is written to the data folder.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import stat
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .atomic import write_atomic
from .errors import OutputError

if TYPE_CHECKING:
    import networkx as nx

    from .load import ParsedFile
    from .model import NameIndex

__all__ = ["Compiled", "load_compiled", "load_graph", "cache_root", "CACHE_FORMAT"]

CACHE_FORMAT = "tieline-cache-2"
_MAGIC = b"TIELINE-CACHE\n"
_RACY_NS = 2_000_000_000
Progress = Callable[[int, int], None]


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
    """Graph and name index of a data folder, from the cache when it is still valid."""
    from .load import data_files

    root = Path(data_dir)
    if not root.is_dir():
        from .errors import DataError, DataErrors
        raise DataErrors([DataError(str(root), 0, 0, "no such data folder")])
    files = data_files(root)
    store = _Store(root) if use_cache else None
    gc_was_enabled = gc.isenabled()
    gc.disable()  # loading makes millions of objects and no cycles: collection only costs time
    try:
        if store is not None:
            manifest = store.manifest(files)
            compiled = store.read_graph(manifest)
            if compiled is not None:
                return compiled
        else:
            manifest = _Manifest.compute(root, files, {})
        compiled = _compile(root, files, manifest, store, progress)
        if store is not None:
            store.write_graph(manifest, compiled)
        return compiled
    finally:
        if gc_was_enabled:
            gc.freeze()  # what we loaded stays: keep it out of later collections
            gc.enable()


def _compile(root: Path, files: list[Path], manifest: _Manifest, store: _Store | None,
             progress: Progress | None) -> Compiled:
    from .load import check_and_link
    from .model import build_graph, build_name_index

    parsed = _parse_all(root, files, manifest, store, progress)
    base = check_and_link(root, parsed)
    graph = build_graph(base)
    return Compiled(graph, build_name_index(graph))


def _parse_all(root: Path, files: list[Path], manifest: _Manifest, store: _Store | None,
               progress: Progress | None) -> list[ParsedFile]:
    """Phase 1 for every file: from the per-file cache, else parsed (in parallel when it pays)."""
    results: dict[str, ParsedFile] = {}
    todo: list[tuple[str, Path, int]] = []
    for path in files:
        rel = path.relative_to(root).as_posix()
        cached = store.read_parsed(manifest.file_key(rel)) if store else None
        if cached is not None and cached.path == rel:
            results[rel] = cached
        else:
            todo.append((rel, path, manifest.size(rel)))
    total = sum(size for _, _, size in todo)
    done = 0
    for rel, parsed in _parse_files(todo):
        results[rel] = parsed
        done += manifest.size(rel)
        if progress:
            progress(done, total)
        if store is not None and not parsed.errors:
            store.write_parsed(manifest.file_key(rel), parsed)
    return [results[path.relative_to(root).as_posix()] for path in files]


PARALLEL_MIN_BYTES = 4_000_000


def _parse_files(todo: list[tuple[str, Path, int]]):
    """Yield ``(rel, ParsedFile)`` for each file; two or more processes for large inputs."""
    from .load import parse_file

    workers = min(len(todo), os.cpu_count() or 1, 4)
    if workers < 2 or sum(size for *_, size in todo) < PARALLEL_MIN_BYTES:
        for rel, path, _ in todo:
            yield rel, parse_file(path.read_bytes(), rel)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    ordered = sorted(todo, key=lambda item: -item[2])  # largest first: the pool stays balanced
    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [(rel, pool.submit(_parse_path, str(path), rel)) for rel, path, _ in ordered]
        for rel, future in futures:
            yield rel, future.result()


def _parse_path(path: str, rel: str) -> ParsedFile:
    from .load import parse_file

    gc.disable()
    return parse_file(Path(path).read_bytes(), rel)


@dataclass
class _Manifest:
    """The data files as (relative path → size, mtime, content digest), and the key they make."""

    entries: dict[str, tuple[int, int, str]]
    key: str

    @classmethod
    def compute(cls, root: Path, files: list[Path], known: dict[str, tuple[int, int, str]],
                written_ns: int = 0) -> _Manifest:
        entries = {}
        for path in files:
            rel = path.relative_to(root).as_posix()
            st = path.stat()
            old = known.get(rel)
            if old and old[0] == st.st_size and old[1] == st.st_mtime_ns and st.st_mtime_ns < written_ns - _RACY_NS:
                entries[rel] = old
            else:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                entries[rel] = (st.st_size, st.st_mtime_ns, digest)
        summary = hashlib.sha256(f"{CACHE_FORMAT}\0{__version__}\0{sys.version_info[:2]}".encode())
        for rel in sorted(entries):
            summary.update(f"\0{rel}\0{entries[rel][2]}".encode())
        return cls(entries, summary.hexdigest())

    def size(self, rel: str) -> int:
        return self.entries[rel][0]

    def file_key(self, rel: str) -> str:
        from .load import PARSER_VERSION

        return hashlib.sha256(f"{PARSER_VERSION}\0{rel}\0{self.entries[rel][2]}".encode()).hexdigest()


class _Store:
    """One data folder's cache files; silently unusable when the folder is not safely ours."""

    def __init__(self, data_root: Path):
        self.data_root = data_root
        real = os.path.realpath(data_root)
        self.folder = cache_root() / hashlib.sha256(real.encode()).hexdigest()[:24]
        self.usable = self._prepare()
        self._header: dict[str, Any] | None = None
        self._payload_offset = 0

    def _prepare(self) -> bool:
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            (self.folder / "files").mkdir(mode=0o700, exist_ok=True)
        except OSError:
            return False
        return all(_private(p) for p in (self.folder, self.folder / "files"))

    def manifest(self, files: list[Path]) -> _Manifest:
        header = self._read_header()
        known = header.get("files", {}) if header else {}
        return _Manifest.compute(self.data_root, files, known, header.get("written_ns", 0) if header else 0)

    def read_graph(self, manifest: _Manifest) -> Compiled | None:
        header = self._read_header()
        if not header or header.get("key") != manifest.key:
            return None
        try:
            with open(self.folder / "graph.pickle", "rb") as handle:
                handle.seek(self._payload_offset)
                compiled = pickle.load(handle)
            import networkx

            if header.get("networkx") != networkx.__version__ or not isinstance(compiled, Compiled):
                return None
        except Exception:  # noqa: BLE001 - a damaged cache is rebuilt, whatever the damage
            return None
        compiled.from_cache = True
        return compiled

    def write_graph(self, manifest: _Manifest, compiled: Compiled) -> None:
        if not self.usable:
            return
        import time

        import networkx

        header = {"format": CACHE_FORMAT, "key": manifest.key, "files": manifest.entries,
                  "written_ns": time.time_ns(), "networkx": networkx.__version__}
        payload = pickle.dumps(compiled, protocol=pickle.HIGHEST_PROTOCOL)
        head = pickle.dumps(header, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            write_atomic(self.folder / "graph.pickle", _MAGIC + len(head).to_bytes(8, "big") + head + payload)
        except OutputError:
            pass  # a cache we cannot write is only a slower next run

    def _read_header(self) -> dict[str, Any] | None:
        if self._header is not None or not self.usable:
            return self._header
        path = self.folder / "graph.pickle"
        try:
            with open(path, "rb") as handle:
                if not _private(path, handle.fileno()) or handle.read(len(_MAGIC)) != _MAGIC:
                    return None
                size = int.from_bytes(handle.read(8), "big")
                header = pickle.loads(handle.read(size))
                self._payload_offset = len(_MAGIC) + 8 + size
            if not isinstance(header, dict) or header.get("format") != CACHE_FORMAT:
                return None
        except Exception:  # noqa: BLE001 - missing or damaged: no cache
            return None
        self._header = header
        return header

    def read_parsed(self, key: str) -> ParsedFile | None:
        if not self.usable:
            return None
        path = self.folder / "files" / f"{key}.pickle"
        try:
            with open(path, "rb") as handle:
                if not _private(path, handle.fileno()) or handle.read(len(_MAGIC)) != _MAGIC:
                    return None
                if handle.read(64).decode("ascii", "replace") != key:
                    return None
                return pickle.load(handle)
        except Exception:  # noqa: BLE001 - missing or damaged: parse again
            return None

    def write_parsed(self, key: str, parsed: ParsedFile) -> None:
        if not self.usable:
            return
        data = _MAGIC + key.encode("ascii") + pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            write_atomic(self.folder / "files" / f"{key}.pickle", data)
        except OutputError:
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
