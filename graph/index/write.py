"""Writing the query index of a compiled graph beside the cache, aside and renamed into place."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..atomic import atomic_path, sweep_debris
from ..errors import OutputError
from ..model import Compiled
from ..names import search_keys
from ..store import write_private
from .read import stamp_of
from .tables import INDEX_FILE, INDEX_FORMAT, SCHEMA, STAMP_FILE

if TYPE_CHECKING:
    from ..build import Progress
    from ..store import Manifest, Store

__all__ = ["build_index", "build_pending", "drop_index", "PENDING"]


def _json(value: Any) -> str:
    return json.dumps(value)  # the default encoder is made once; others are made at every call


# --- building -------------------------------------------------------------------------------------

def build_index(compiled: Compiled, store: Store, manifest: Manifest, header: dict[str, Any],
                progress: Progress | None = None) -> None:
    """Write the index of ``compiled`` beside the cache (aside, then renamed into place); a failure
    to write only means the next query builds it again. ``progress(done, total)``: rows written."""
    if not store.usable:
        return
    sweep_debris(store.folder, (INDEX_FILE, STAMP_FILE))  # left by a builder interrupted (Ctrl-C, kill -9)
    path = store.folder / INDEX_FILE
    try:
        with atomic_path(path, mode=0o600, sync=False) as tmp:
            _write(tmp, compiled, manifest, header, progress)
        _stamp(store, path)
    except (OutputError, sqlite3.Error, OSError):
        pass


def _stamp(store: Store, path: Path) -> None:
    """Write the stamp of the index now at ``path``; again while another builder's rename made it
    stale (the last builder's file is the one there: its stamp must be the one left)."""
    for _ in range(5):
        stamp = stamp_of(path.stat())
        write_private(store.folder / STAMP_FILE, stamp.encode("ascii"))
        if stamp_of(path.stat()) == stamp:
            return


def _write(path: Path, compiled: Compiled, manifest: Manifest, header: dict[str, Any],
           progress: Progress | None = None) -> None:
    graph, names = compiled.graph, compiled.names
    total = 3 * len(graph._node) + 4 * graph.number_of_edges()  # rows: entities twice, steps, facts twice, steps
    counted = _Counter(progress, total)
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA page_size=8192; "
                                 "PRAGMA cache_size=-262144;")  # 256 MB while writing: tables grow in key order
        connection.executescript(SCHEMA)
        connection.execute("BEGIN")
        numbers = {node: number for number, node in enumerate(graph._node)}
        connection.executemany("INSERT INTO entities VALUES (?, ?, ?, ?, ?, ?, ?, ?)", counted(
            (numbers[node], node, data["name"], data["type"], _json(data["aliases"]), data.get("start"),
             data.get("end"), _json(search_keys(node, data)))
            for node, data in graph._node.items()))
        connection.executemany("INSERT INTO entity_data VALUES (?, ?)", counted(
            (numbers[node], _json(data)) for node, data in graph._node.items()))
        every = {key: data for adjacency in graph._succ.values() for edges in adjacency.values()
                 for key, data in edges.items()}
        facts = {key: number for number, key in enumerate(sorted(every))}  # numbers in the order of the fact ids
        connection.executemany("INSERT INTO facts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", counted(
            (facts[key], key, data["relation"], data["certainty"], data.get("start"), data.get("end"),
             bool(data.get("momentary")), _json(data["sources"]),
             _json(data["statements"]) if "statements" in data else None) for key, data in sorted(every.items())))
        connection.executemany("INSERT INTO fact_data VALUES (?, ?)", counted(
            (facts[key], _json(data)) for key, data in sorted(every.items())))
        del every
        connection.executemany("INSERT INTO steps VALUES (?, ?, ?, ?, ?, ?)", counted(
            (numbers[node], direction, position, other, facts[key], bool(data["symmetric"]))
            for node in graph._node  # in the table's key order (node, direction, position): appended, never inserted
            for direction, adjacency in enumerate((graph._succ[node], graph._pred[node]))
            for position, (other, key, data) in enumerate(
                (other, key, data) for other, edges in adjacency.items() for key, data in edges.items())))
        _, keys, words, sounds, redirects = names.state()
        connection.executemany("INSERT INTO name_keys VALUES (?, ?, ?)", (
            (kind, key, _json(table[key])) for kind, table in (("key", keys), ("redirect", redirects),
                                                              ("sound", sounds), ("words", words))
            for key in sorted(table)))
        sources = graph.graph.get("sources", {})
        connection.executemany("INSERT INTO sources VALUES (?, ?)", ((key, _json(sources[key])) for key in sorted(sources)))
        types = sorted({data["type"] for data in graph._node.values()})
        attributes = {k: v for k, v in graph.graph.items() if k != "sources"}  # sources: a table, read when cited
        meta = {"format": INDEX_FORMAT, "key": manifest.key, "header": _json(header), "graph": _json(attributes),
                "types": _json(types)}
        connection.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
        connection.execute("COMMIT")
    finally:
        connection.close()


class _Counter:
    """Rows passed on to SQLite, reported to ``progress`` every 50,000."""

    def __init__(self, progress: Progress | None, total: int):
        self.progress, self.total, self.done = progress, total, 0

    def __call__(self, rows: Any) -> Iterator[Any]:
        if self.progress is None:
            yield from rows
            return
        for row in rows:
            self.done += 1
            if not self.done % 50_000:
                self.progress(self.done, self.total)
            yield row


PENDING: list[Callable[[Progress | None], None]] = []
"""Index writes prepared by ``load_compiled(..., index=True)``, done by :func:`build_pending`."""


def build_pending(progress: Progress | None = None) -> None:
    """Write the prepared indexes (a command calls it once its answer is printed)."""
    while PENDING:
        PENDING.pop(0)(progress)


def drop_index(store: Store) -> None:
    """Remove a damaged index (the next query builds a new one)."""
    for name in (INDEX_FILE, STAMP_FILE):
        try:
            os.unlink(store.folder / name)
        except OSError:
            pass
