"""Building the compiled graph from a data folder's files: phase 1 for every file (through the per-file
cache, in parallel when it pays), phase 2, and the networkx graph with its name index.

Each step is a field of :class:`Loader`, so a caller (a test) can pass its own. Where a load
answers from — the query index, the compiled cache, a patch, or this full build — is decided by
:mod:`graph.pipeline`.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .model import Compiled, build_graph, build_name_index
from .parse import ParsedFile, parse_file
from .store import Manifest, Origins, Store, decode_parsed, encode_parsed, write_private
from .validate import FactBase, check_and_link

__all__ = ["Loader", "Progress", "PatchStep", "build_compiled", "parse_all", "PARALLEL_MIN_BYTES"]

PARALLEL_MIN_BYTES = 2_000_000
"""Below this many bytes to parse, files are parsed in this process (a pool costs more than it saves)."""
Progress = Callable[[int, int], None]
PatchStep = Callable[["Loader", Path, list[Path], Manifest, Store, dict[str, Any], "Progress | None"],
                     "tuple[Compiled, Origins] | None"]



@dataclass(frozen=True)
class Loader:
    """The steps of a load. The defaults are tieline's; a test passes spies to see what runs."""

    parse: Callable[[bytes, str], ParsedFile] = parse_file
    """Phase 1 of one file (bytes, data-relative path); must be picklable to run in a worker."""
    link: Callable[[Path, list[ParsedFile]], FactBase] = check_and_link
    """Phase 2 over every parsed file: the full check."""
    patch: PatchStep | None = None
    """Update the cached graph after an edit (returning None to ask for a full build); None:
    :func:`graph.patch.patch_compiled`, as :mod:`graph.pipeline` runs it."""
    parallel_min_bytes: int | None = None
    """Parse in worker processes from this many bytes on; None: :data:`PARALLEL_MIN_BYTES`."""


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
