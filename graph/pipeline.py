"""Loading a data folder: the one place that decides where a load answers from.

A query first asks the query index (:mod:`graph.index`: no networkx, no YAML). Otherwise the load
answers from the compiled cache (:mod:`graph.store`) when no data file changed; after a small edit,
only the edited files are parsed again and the previous graph is *patched* (:mod:`graph.patch`),
which runs the same cross-file rules as the full build on the records the edit involves; whenever
the patch cannot prove the result valid, a full build runs (:mod:`graph.build`) and reports every
problem as usual.
"""

from __future__ import annotations

import functools
import gc
import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .build import Loader, Progress, build_compiled
from .errors import DataError, DataErrors
from .files import Folders, joined_files
from .index.read import open_index
from .index.write import PENDING, build_index, build_pending
from .model import Compiled
from .patch import patch_compiled
from .store import Manifest, Store

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["Compiled", "Loader", "load_compiled", "load_graph", "load_indexed"]

_last_loaded: list[Compiled] = []


def load_graph(data_dir: str | os.PathLike[str] = "data", *, use_cache: bool = True,
               loader: Loader = Loader()) -> nx.MultiDiGraph:
    """The validated graph of a data folder; raises :class:`graph.errors.DataErrors` on bad data."""
    return load_compiled(data_dir, use_cache=use_cache, loader=loader).graph


def load_compiled(data_dir: str | os.PathLike[str] = "data", *, use_cache: bool = True,
                  progress: Progress | None = None, loader: Loader = Loader(), index: bool = False) -> Compiled:
    """Graph and name index of a data folder: from the cache, patched, or built from scratch.

    ``index``: also prepare the query index beside the cache (:mod:`graph.index`), written when
    :func:`graph.index.write.build_pending` is called.
    """
    root, files, loader, folders = _joined(data_dir, loader)
    gc_was_enabled = gc.isenabled()
    gc.disable()  # loading makes millions of objects and no cycles: collection only costs time
    try:
        try:
            compiled = _load(loader, root, files, use_cache, progress, index, folders)
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


def _joined(data_dir: Any, loader: Loader) -> tuple[Path, list[Path], Loader, tuple[str, ...]]:
    """The root files are named from, the fact files, the loader (several folders: each one's schema
    checked) and the folders relative to the root, of one data folder or several (:class:`Folders`)."""
    folders = Folders.of(data_dir)
    if len(folders) == 1 and not folders[0].is_dir():
        raise DataErrors([DataError(str(folders[0]), 0, 0, "no such data folder")])
    root, rels, files = joined_files(folders)
    if len(folders) > 1:
        loader = replace(loader, link=functools.partial(loader.link, folders=rels))
    return root, files, loader, rels


def _load(loader: Loader, root: Path, files: list[Path], use_cache: bool, progress: Progress | None,
          index: bool, folders: tuple[str, ...] = ("",)) -> Compiled:
    if not use_cache:
        return build_compiled(loader, root, files, None, None, progress)[0]
    store = Store(root, folders)
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
        result = (loader.patch or patch_compiled)(loader, root, files, manifest, store, header, progress)
    store.forget_payload()
    if result is None:
        result = build_compiled(loader, root, files, manifest, store, progress)
    compiled, origins = result
    header = store.write_graph(manifest, compiled.graph, compiled.names, origins)
    if index and header is not None:
        _index(compiled, store, manifest, header)
    return compiled


def _index(compiled: Compiled, store: Store, manifest: Manifest, header: dict[str, Any]) -> None:
    """Put the writing of ``compiled``'s query index on :data:`graph.index.write.PENDING` (the data as
    ``manifest`` and the cache ``header`` saw it): a command writes it once it has answered."""
    def build(progress: Progress | None = None) -> None:
        build_index(compiled, store, manifest, manifest.header(header["written_ns"]), progress)

    PENDING.append(build)


def load_indexed(data_dir: str | os.PathLike[str] = "data", *, progress: Progress | None = None,
                 loader: Loader | None = None, defer: bool = False) -> Compiled:
    """For a query: graph and name index read from the query index when it is current — no
    networkx, no YAML — else loaded as :func:`load_compiled` does, and the index built for the
    next query (``defer``: put off until :func:`graph.index.write.build_pending`, so that a command
    prints its answer first)."""
    folders = Folders.of(data_dir)
    if all(folder.is_dir() for folder in folders):
        root, rels, files = joined_files(folders)
        store = Store(root, rels)
        opened = open_index(root, store, files)
        if opened is not None:
            return Compiled(*opened, from_cache=True, indexed_in=store)
    compiled = load_compiled(folders, progress=progress, loader=loader or Loader(), index=True)
    if not defer:
        build_pending()
    return compiled
