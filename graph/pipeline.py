"""Loading a data folder: list its files, parse each (through the per-file cache), link, build.

A load answers from the compiled cache (:mod:`graph.store`) when no data file changed; after a
small edit, only the edited files are parsed again and the previous graph is *patched*
(:mod:`graph.patch`), which runs the same cross-file rules as the full build on the records the
edit involves; whenever the patch cannot prove the result valid, a full build runs and reports
every problem as usual. Each step is a field of :class:`Loader`, so a caller (a test) can pass
its own.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import DataError, DataErrors
from .files import data_files
from .load import FactBase, ParsedFile, check_and_link, parse_file
from .model import Compiled, build_graph, build_name_index
from .store import Manifest, Origins, Store, decode_parsed, encode_parsed, write_private

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["Compiled", "Loader", "load_compiled", "load_graph", "build_compiled", "parse_all",
           "PARALLEL_MIN_BYTES"]

PARALLEL_MIN_BYTES = 2_000_000
"""Below this many bytes to parse, files are parsed in this process (a pool costs more than it saves)."""
Progress = Callable[[int, int], None]
_last_loaded: list[Compiled] = []


PatchStep = Callable[["Loader", Path, list[Path], Manifest, Store, dict[str, Any], "Progress | None"],
                     "tuple[Compiled, Origins] | None"]


def _patch(loader: Loader, root: Path, files: list[Path], manifest: Manifest, store: Store,
           header: dict[str, Any], progress: Progress | None) -> tuple[Compiled, Origins] | None:
    """The default patch step: :func:`graph.patch.patch_compiled`."""
    # graph.patch builds on this module (Loader, Compiled, parse_all): imported when first needed,
    # so that neither module needs the other to be imported first.
    from .patch import patch_compiled

    return patch_compiled(loader, root, files, manifest, store, header, progress)


@dataclass(frozen=True)
class Loader:
    """The steps of a load. The defaults are tieline's; a test passes spies to see what runs."""

    parse: Callable[[bytes, str], ParsedFile] = parse_file
    """Phase 1 of one file (bytes, data-relative path); must be picklable to run in a worker."""
    link: Callable[[Path, list[ParsedFile]], FactBase] = check_and_link
    """Phase 2 over every parsed file: the full check."""
    patch: PatchStep = _patch
    """Update the cached graph after an edit, or None to ask for a full build."""
    parallel_min_bytes: int | None = None
    """Parse in worker processes from this many bytes on; None: :data:`PARALLEL_MIN_BYTES`."""


def load_graph(data_dir: str | os.PathLike[str] = "data", *, use_cache: bool = True,
               loader: Loader = Loader()) -> nx.MultiDiGraph:
    """The validated graph of a data folder; raises :class:`graph.errors.DataErrors` on bad data."""
    return load_compiled(data_dir, use_cache=use_cache, loader=loader).graph


def load_compiled(data_dir: str | os.PathLike[str] = "data", *, use_cache: bool = True,
                  progress: Progress | None = None, loader: Loader = Loader(), index: bool = False) -> Compiled:
    """Graph and name index of a data folder: from the cache, patched, or built from scratch.

    ``index``: also prepare the query index beside the cache (graph/index.py), written when
    :func:`graph.index.build_pending` is called.
    """
    root = Path(data_dir)
    if not root.is_dir():
        raise DataErrors([DataError(str(root), 0, 0, "no such data folder")])
    files = data_files(root)
    gc_was_enabled = gc.isenabled()
    gc.disable()  # loading makes millions of objects and no cycles: collection only costs time
    try:
        try:
            compiled = _load(loader, root, files, use_cache, progress, index)
        except OSError as exc:  # a file vanished or became unreadable while it was read
            where = exc.filename or str(root)
            raise DataErrors([DataError(str(where), 0, 0, f"cannot read: {exc.strerror or exc}")]) from None
        # The last graph loaded stays referenced here, so that a command returning does not free a
        # large graph object by object (0.5 s at 100k entities) just before cli.main's os._exit.
        _last_loaded[:] = [compiled]
        return compiled
    finally:
        if gc_was_enabled:
            gc.freeze()  # what we loaded stays: keep it out of later collections
            gc.enable()


def _load(loader: Loader, root: Path, files: list[Path], use_cache: bool, progress: Progress | None,
          index: bool) -> Compiled:
    if not use_cache:
        return build_compiled(loader, root, files, None, None, progress)[0]
    store = Store(root)
    header = store.read_header()
    manifest = Manifest.compute(root, files, header)
    if header is not None and header["key"] == manifest.key:
        stored = store.read_graph(header)
        if stored is not None:
            compiled = Compiled(*stored, from_cache=True)
            if index:
                _index(compiled, store, manifest, header)
            return compiled
    result = None
    if header is not None:
        result = loader.patch(loader, root, files, manifest, store, header, progress)
    store.forget_payload()
    if result is None:
        result = build_compiled(loader, root, files, manifest, store, progress)
    compiled, origins = result
    header = store.write_graph(manifest, compiled.graph, compiled.index, origins)
    if index and header is not None:
        _index(compiled, store, manifest, header)
    return compiled


def _index(compiled: Compiled, store: Store, manifest: Manifest, header: dict[str, Any]) -> None:
    """Put the writing of ``compiled``'s query index on :data:`graph.index.PENDING` (the data as
    ``manifest`` and the cache ``header`` saw it): a command writes it once it has answered."""
    from .index import PENDING, build_index

    def build(progress: Progress | None = None) -> None:
        build_index(compiled, store, manifest, manifest.header(header["written_ns"]), progress)

    PENDING.append(build)


def build_compiled(loader: Loader, root: Path, files: list[Path], manifest: Manifest | None, store: Store | None,
                   progress: Progress | None, parsed: dict[str, ParsedFile] | None = None
                   ) -> tuple[Compiled, Origins]:
    """Phase 1 for every file (cached per file), then link and build: the whole fact base checked."""
    results = parse_all(loader, root, files, manifest, store, progress, parsed or {})
    base = loader.link(root, results)
    graph = build_graph(base)
    return Compiled(graph, build_name_index(graph)), Origins.of(results)


def parse_all(loader: Loader, root: Path, files: list[Path], manifest: Manifest | None, store: Store | None,
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
    for rel, size, parsed in _parse_files(loader, todo):
        results[rel] = parsed
        done += size
        if progress:
            progress(done, total)
    return [results[path.relative_to(root).as_posix()] for path in files]


def _parse_files(loader: Loader, todo: list[tuple[str, Path, int, str | None]]
                 ) -> Iterator[tuple[str, int, ParsedFile]]:
    """Yield ``(rel, size, ParsedFile)`` for each file; two or more processes for large inputs."""
    workers = min(len(todo), os.cpu_count() or 1, 4)
    threshold = PARALLEL_MIN_BYTES if loader.parallel_min_bytes is None else loader.parallel_min_bytes
    if workers < 2 or sum(item[2] for item in todo) < threshold:
        for rel, path, size, target in todo:
            parsed = loader.parse(path.read_bytes(), rel)
            if target is not None and not parsed.errors:
                _write_parsed(target, parsed)
            yield rel, size, parsed
        return
    # ≈ 16 ms to import, and only large first loads use them
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    ordered = sorted(todo, key=lambda item: -item[2])  # largest first: the pool stays balanced
    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [(rel, size, pool.submit(_parse_encoded, loader.parse, str(path), rel, target))
                   for rel, path, size, target in ordered]
        futures.reverse()  # read from the end, in submission order
        while futures:  # each future let go once read: at 1M entities the encoded results are gigabytes
            rel, size, future = futures.pop()
            result = future.result()
            del future
            yield rel, size, decode_parsed(result) if isinstance(result, bytes) else result


def _write_parsed(target: str, parsed: ParsedFile) -> None:
    """Cache one file's parse result; one that is not plain data is not cached."""
    try:
        write_private(Path(target), encode_parsed(parsed))
    except ValueError:
        pass


def _parse_encoded(parse: Callable[[bytes, str], ParsedFile], path: str, rel: str, target: str | None
                   ) -> bytes | ParsedFile:
    """In a worker: parse one file, write its per-file cache, return the result (encoded when it is plain data)."""
    gc.disable()
    parsed = parse(Path(path).read_bytes(), rel)
    try:
        data = encode_parsed(parsed)
    except ValueError:  # not plain data: the pool carries the object itself (our own processes, not a file)
        return parsed
    if target is not None and not parsed.errors:
        write_private(Path(target), data)
    return data
