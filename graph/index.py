"""The query index: the compiled graph as one SQLite file, so that a query never rebuilds the graph.

``path``, ``neighbours``, ``show`` and ``search`` answer from it with the standard library only
(``sqlite3``, ``json``): no networkx, no PyYAML. :class:`IndexGraph` stands in for the
``networkx.MultiDiGraph`` that :mod:`graph.query`, :mod:`graph.view` and :mod:`graph.timeline`
walk — the same nodes, the same adjacency in the same order, the same attributes — reading each
entity, each adjacency list and each fact only when the walk reaches it. The questions themselves
are asked by the same code over either graph, so the answers are the same (``tests/test_index.py``
compares the two, byte for byte).

The file sits beside the compiled cache (:mod:`graph.store`: the same folder, the same ownership
rules) and holds::

    meta(name, value)                    format, the data key it was built from, the cache header,
                                         the graph's attributes but sources, the entity types present
    entities(num, id, name, type, aliases, start, end, keys)  one row per entity, in the graph's order;
                                         keys: what search compares (graph.query.search_keys)
    entity_data(num, data)               the entity's attributes (JSON)
    facts(num, id, relation, certainty, start, end, momentary) / fact_data(num, data)
                                         the same for facts (numbered in the order of their ids)
    steps(node, dir, pos, other, fact, symmetric) adjacency: dir 0 out, 1 in; pos the graph's order;
                                         other the neighbour's id
    sources(id, data)                    the sources facts cite
    name_keys(kind, key, ids)            the name index (graph.model.NameIndex): key, words, sound,
                                         redirect

It is written aside and renamed into place (readers keep the file they opened; two builders never
leave half a file), opened read-only and immutable, and trusted only when its format, its data key
(:class:`graph.store.Manifest`) and its size check out. Extension loading stays off and the schema is
not trusted to run functions. Any damage met while answering raises :class:`IndexDamaged`: the
caller drops the index and answers from the graph instead.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import IndexDamaged
from .model import Compiled, NameIndex
from .names import search_keys

if TYPE_CHECKING:
    from .pipeline import Loader, Progress
    from .store import Manifest, Store

__all__ = ["INDEX_FORMAT", "INDEX_FILE", "IndexGraph", "IndexNames", "load_indexed", "build_index", "open_index",
           "drop_index"]

INDEX_FORMAT = "tieline-index-2"
INDEX_FILE = "index.sqlite"

_SCHEMA = """
CREATE TABLE meta(name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE entities(num INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL, type TEXT NOT NULL,
                      aliases TEXT NOT NULL, start TEXT, "end" TEXT, keys TEXT NOT NULL);
CREATE TABLE entity_data(num INTEGER PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE facts(num INTEGER PRIMARY KEY, id TEXT NOT NULL, relation TEXT NOT NULL, certainty TEXT NOT NULL,
                   start TEXT, "end" TEXT, momentary INTEGER NOT NULL);
CREATE TABLE fact_data(num INTEGER PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE steps(node INTEGER NOT NULL, dir INTEGER NOT NULL, pos INTEGER NOT NULL, other TEXT NOT NULL,
                   fact INTEGER NOT NULL, symmetric INTEGER NOT NULL, PRIMARY KEY(node, dir, pos)) WITHOUT ROWID;
CREATE TABLE sources(id TEXT PRIMARY KEY, data TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE name_keys(kind TEXT NOT NULL, key TEXT NOT NULL, ids TEXT NOT NULL, PRIMARY KEY(kind, key)) WITHOUT ROWID;
"""
_ENTITY_COLUMNS = 'num, id, name, type, aliases, start, "end"'


def _json(value: Any) -> str:
    return json.dumps(value)  # the default encoder is made once; others are made at every call


# --- building -------------------------------------------------------------------------------------

def build_index(compiled: Compiled, store: Store, manifest: Manifest, header: dict[str, Any],
                progress: Progress | None = None) -> None:
    """Write the index of ``compiled`` beside the cache (aside, then renamed into place); a failure
    to write only means the next query builds it again. ``progress(done, total)``: rows written."""
    import tempfile

    if not store.usable:
        return
    try:
        fd, tmp = tempfile.mkstemp(prefix=".tmp-index-", dir=store.folder)
    except OSError:
        return
    os.close(fd)
    try:
        _write(Path(tmp), compiled, manifest, header, progress)
        os.replace(tmp, store.folder / INDEX_FILE)
    except (OSError, sqlite3.Error):
        try:
            os.unlink(tmp)
        except OSError:
            pass


def _write(path: Path, compiled: Compiled, manifest: Manifest, header: dict[str, Any],
           progress: Progress | None = None) -> None:
    graph, names = compiled.graph, compiled.index
    total = 3 * len(graph._node) + 4 * graph.number_of_edges()  # rows: entities twice, steps, facts twice, steps
    counted = _Counter(progress, total)
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA page_size=8192; "
                                 "PRAGMA cache_size=-262144;")  # 256 MB while writing: tables grow in key order
        connection.executescript(_SCHEMA)
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
        connection.executemany("INSERT INTO facts VALUES (?, ?, ?, ?, ?, ?, ?)", counted(
            (facts[key], key, data["relation"], data["certainty"], data.get("start"), data.get("end"),
             bool(data.get("momentary"))) for key, data in sorted(every.items())))
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
    try:
        os.unlink(store.folder / INDEX_FILE)
    except OSError:
        pass


# --- opening --------------------------------------------------------------------------------------

def load_indexed(data_dir: str | os.PathLike[str] = "data", *, progress: Progress | None = None,
                 loader: Loader | None = None, defer: bool = False) -> Compiled:
    """For a query: graph and name index read from the query index when it is current — no
    networkx, no YAML, not even the parser imported — else loaded as
    :func:`graph.pipeline.load_compiled` does, and the index built for the next query (``defer``:
    put off until :func:`build_pending`, so that a command prints its answer first)."""
    from .files import data_files
    from .store import Store

    root = Path(data_dir)
    if root.is_dir():
        store = Store(root)
        opened = open_index(root, store, data_files(root))
        if opened is not None:
            return Compiled(*opened, from_cache=True, indexed_in=store)
    from .pipeline import Loader, load_compiled

    compiled = load_compiled(root, progress=progress, loader=loader or Loader(), index=True)
    if not defer:
        build_pending()
    return compiled


def open_index(root: Path, store: Store, files: list[Path]) -> tuple[IndexGraph, IndexNames] | None:
    """The index of the data folder ``root`` when it is there, ours, sound and built from the files as
    they are now; else None (the caller loads the graph and builds a new index)."""
    from .store import Manifest, is_private, unchanged

    path = store.folder / INDEX_FILE
    if not store.usable or not is_private(path):
        return None
    try:
        size = path.stat().st_size
        connection = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True, isolation_level=None,
                                     check_same_thread=False)
    except (OSError, sqlite3.Error):
        return None
    try:
        _harden(connection)
        page_size, pages = (connection.execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_size", "page_count"))
        meta = dict(connection.execute("SELECT name, value FROM meta"))
        if page_size * pages != size or meta.get("format") != INDEX_FORMAT:
            raise IndexDamaged("not an index of this format")
        header = json.loads(meta["header"])
        if not unchanged(root, files, header) and Manifest.compute(root, files, header).key != meta["key"]:
            connection.close()
            return None
        graph = IndexGraph(connection, json.loads(meta["graph"]), json.loads(meta["types"]))
        graph.graph["sources"] = _JsonColumn(graph, "sources", "id", "data")
    except (sqlite3.Error, ValueError, KeyError, TypeError, IndexDamaged):
        connection.close()
        return None
    return graph, IndexNames(graph)


def _harden(connection: sqlite3.Connection) -> None:
    """No extension loading; functions in the file's schema (views, triggers) may not run."""
    if hasattr(connection, "enable_load_extension"):
        connection.enable_load_extension(False)
    connection.execute("PRAGMA trusted_schema=OFF")
    connection.execute("PRAGMA query_only=ON")


# --- reading: a networkx-shaped graph over the file -------------------------------------------------

class _Record(Mapping[str, Any]):
    """An entity's or a fact's attributes: a few known at once, the rest read when first asked for."""

    __slots__ = ("_known", "_load", "_all")

    def __init__(self, known: dict[str, Any], load: Callable[[], dict[str, Any]]):
        self._known, self._load, self._all = known, load, None

    def _full(self) -> dict[str, Any]:
        if self._all is None:
            self._all = self._load()
        return self._all

    def __getitem__(self, key: str) -> Any:
        known = self._known
        return known[key] if key in known else self._full()[key]

    def get(self, key: str, default: Any = None) -> Any:  # Mapping's goes through a raised KeyError: 3× slower
        known = self._known
        return known[key] if key in known else self._full().get(key, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._full())

    def __len__(self) -> int:
        return len(self._full())


class _GraphCalls:
    """The calls the queries make of a ``networkx.MultiDiGraph`` (``nodes``, ``_node``, ``_succ``,
    ``_pred``, ``degree``, ``out_edges``, ``in_edges``), made of what each graph below defines:
    ``entity``, ``all_entities``, ``adjacency``, ``in`` and iteration."""

    def _make_views(self) -> None:
        self._node = _Nodes(self)
        self._succ = _Adjacency(self, 0)
        self._pred = _Adjacency(self, 1)
        self.nodes = _NodeView(self._node)

    def __len__(self) -> int:
        return sum(1 for _ in self)  # type: ignore[attr-defined]

    def number_of_nodes(self) -> int:
        return len(self)

    def degree(self, node: str) -> int:
        return sum(len(edges) for adjacency in (self._succ, self._pred) for edges in adjacency[node].values())

    def out_edges(self, node: str, keys: bool = False, data: bool | str = False) -> list[tuple[Any, ...]]:
        return self._edges(node, 0, keys, data)

    def in_edges(self, node: str, keys: bool = False, data: bool | str = False) -> list[tuple[Any, ...]]:
        return self._edges(node, 1, keys, data)

    def edges(self, keys: bool = False, data: bool | str = False) -> Iterator[tuple[Any, ...]]:
        """networkx's ``edges``: every fact once, (u, v[, key][, data]), entity by entity in the graph's
        order (what ``timeline`` walks; the server asks it of the index)."""
        for node in self:  # type: ignore[attr-defined]
            yield from self._edges(node, 0, keys, data)

    def _edges(self, node: str, direction: int, keys: bool, data: bool | str) -> list[tuple[Any, ...]]:
        """networkx's ``out_edges``/``in_edges`` of one node: (u, v[, key][, data]) in the graph's order."""
        found = []
        for other, edges in (self._succ, self._pred)[direction][node].items():
            ends = (node, other) if direction == 0 else (other, node)
            for key, record in edges.items():
                value = record.get(data) if isinstance(data, str) else record  # data="relation": one attribute
                found.append(ends + ((key,) if keys else ()) + ((value,) if data else ()))
        return found


class IndexGraph(_GraphCalls):
    """What the queries use of a ``networkx.MultiDiGraph``, read from the index as it is walked."""

    def __init__(self, connection: sqlite3.Connection, attributes: dict[str, Any], types: list[str]):
        self.connection = connection
        self.graph = attributes
        self.present_types = set(types)
        self._entities: dict[str, _Record | None] = {}
        self._facts: dict[int, _Record] = {}
        self._adjacency: tuple[dict[str, dict[str, dict[int, _Record]]], ...] = ({}, {})
        self._attributed: tuple[set[str], set[str]] = (set(), set())  # adjacency read with fact attributes
        self.filtered = False  # set when a view filters facts: adjacency is then read with their attributes
        self._make_views()

    def rows(self, sql: str, *parameters: Any) -> list[tuple[Any, ...]]:
        """The rows of one query; IndexDamaged whatever goes wrong."""
        try:
            return self.connection.execute(sql, parameters).fetchall()
        except sqlite3.Error as exc:
            raise IndexDamaged(str(exc)) from None

    def decoded(self, table: str, number: int) -> dict[str, Any]:
        """The JSON attributes of one entity or fact."""
        found = self.rows(f"SELECT data FROM {table} WHERE num = ?", number)
        try:
            value = json.loads(found[0][0])
        except (IndexError, ValueError, TypeError):
            raise IndexDamaged(f"{table} {number} unreadable") from None
        if not isinstance(value, dict):
            raise IndexDamaged(f"{table} {number} unreadable")
        return value

    def entity(self, node: str) -> _Record | None:
        """The attributes of one entity, or None when there is no such entity."""
        if node not in self._entities:
            found = self.rows(f"SELECT {_ENTITY_COLUMNS} FROM entities WHERE id = ?", node) \
                if isinstance(node, str) else []
            self._entities[node] = self._entity_record(*found[0]) if found else None
        return self._entities[node]

    def _entity_record(self, number: int, node: str, name: str, kind: str, aliases: str, start: str | None,
                       end: str | None) -> _Record:
        try:
            known = {"id": node, "name": name, "type": kind, "aliases": json.loads(aliases), "start": start,
                     "end": end}
        except ValueError:
            raise IndexDamaged(f"entity {node} unreadable") from None
        return _Record(known, self._entity_loader(number))

    def _entity_loader(self, number: int) -> Callable[[], dict[str, Any]]:
        return lambda: self.decoded("entity_data", number)

    def all_entities(self) -> Iterator[tuple[str, _Record]]:
        """Every entity, in the graph's order (read as they are walked, not kept)."""
        for row in self.cursor(f"SELECT {_ENTITY_COLUMNS} FROM entities ORDER BY num"):
            yield row[1], self._entities.get(row[1]) or self._entity_record(*row)

    def search_rows(self) -> Iterator[tuple[str, _Record, list[str]]]:
        """Every entity with the keys :func:`graph.query.search_entities` compares (:func:`search_keys`)."""
        for row in self.cursor(f"SELECT {_ENTITY_COLUMNS}, keys FROM entities ORDER BY num"):
            try:
                keys = json.loads(row[-1])
            except ValueError:
                raise IndexDamaged(f"entity {row[1]} unreadable") from None
            yield row[1], self._entity_record(*row[:-1]), keys

    def cursor(self, sql: str, *parameters: Any) -> Iterator[tuple[Any, ...]]:
        """The rows of one query, fetched as they are read; IndexDamaged whatever goes wrong."""
        try:
            cursor = self.connection.execute(sql, parameters)
            while True:
                batch = cursor.fetchmany(1000)
                if not batch:
                    return
                yield from batch
        except sqlite3.Error as exc:
            raise IndexDamaged(str(exc)) from None

    def count(self) -> int:
        return self.rows("SELECT count(*) FROM entities")[0][0]

    def neighbours(self, node: str, direction: int, attributes: bool = False) -> dict[str, dict[int, _Record]]:
        """``_succ[node]`` (direction 0) or ``_pred[node]`` (1): other → fact → attributes, in the graph's order.

        A fact's key here is its number, which follows the order of fact ids (queries sort facts by
        key); its id is among its attributes. ``attributes``: read each fact's relation, certainty
        and dates with it (a view's filters ask for them); else only whether it is symmetric, the
        rest when first asked for.
        """
        cache = self._adjacency[direction]
        found = cache.get(node)
        if found is not None and (not attributes or node in self._attributed[direction]):
            return found
        found = cache[node] = {}
        facts = self._facts
        if attributes:
            self._attributed[direction].add(node)
            rows = self.rows(
                "SELECT s.other, s.fact, s.symmetric, f.id, f.relation, f.certainty, f.start, f.\"end\", "
                "f.momentary, e.num, e.start, e.\"end\" FROM steps s JOIN facts f ON f.num = s.fact "
                "JOIN entities e ON e.id = s.other "
                "WHERE s.node = (SELECT num FROM entities WHERE id = ?) AND s.dir = ? ORDER BY s.pos", node, direction)
            entities = self._entities
            for other, number, symmetric, key, relation, certainty, start, end, momentary, *dated in rows:
                if other not in entities:  # its dates, for the time filters: the rest when asked for
                    entities[other] = _Record({"id": other, "start": dated[1], "end": dated[2]},
                                              self._entity_loader(dated[0]))
                record = facts.get(number)
                if record is None or "relation" not in record._known:
                    record = facts[number] = _Record(
                        {"id": key, "symmetric": bool(symmetric), "relation": relation, "certainty": certainty,
                         "start": start, "end": end, "momentary": bool(momentary)}, _fact_loader(self, number))
                found.setdefault(other, {})[number] = record
            return found
        for other, number, symmetric in self.rows(
                "SELECT other, fact, symmetric FROM steps WHERE node = (SELECT num FROM entities WHERE id = ?) "
                "AND dir = ? ORDER BY pos", node, direction):
            record = facts.get(number)
            if record is None:
                record = facts[number] = _Record({"symmetric": bool(symmetric)}, _fact_loader(self, number))
            found.setdefault(other, {})[number] = record
        return found

    def adjacency(self, node: str, direction: int) -> dict[str, dict[int, _Record]]:
        """``_succ[node]`` / ``_pred[node]``; KeyError for an entity that does not exist."""
        found = self.neighbours(node, direction, self.filtered)
        if not found and node not in self:  # only then: an entity with facts exists
            raise KeyError(node)
        return found

    def __contains__(self, node: object) -> bool:
        return isinstance(node, str) and self.entity(node) is not None

    def __iter__(self) -> Iterator[str]:
        return (node for node, _ in self.all_entities())

    def __len__(self) -> int:
        return self.count()

    def restricted(self, node_ok: Callable[[str], bool], edge_ok: Callable[[str, str, str], bool] | None,
                   ends_kept: bool = False, data_ok: Callable[[str, str, Any], bool] | None = None
                   ) -> RestrictedGraph:
        """The graph seen through a view's filters (networkx's ``subgraph_view``); ``ends_kept``: a
        kept fact's ends are kept entities, so a neighbour reached by one needs no ``node_ok``;
        ``data_ok``: ``edge_ok`` given the fact's attributes rather than its key."""
        self.filtered = self.filtered or edge_ok is not None
        return RestrictedGraph(self, node_ok, edge_ok, ends_kept, data_ok)


def _fact_loader(graph: IndexGraph, number: int) -> Callable[[], dict[str, Any]]:
    return lambda: graph.decoded("fact_data", number)


class RestrictedGraph(_GraphCalls):
    """An :class:`IndexGraph` through a view's node and fact filters, as ``networkx.subgraph_view`` gives."""

    def __init__(self, base: IndexGraph, node_ok: Callable[[str], bool],
                 edge_ok: Callable[[str, str, str], bool] | None, ends_kept: bool = False,
                 data_ok: Callable[[str, str, Any], bool] | None = None):
        self.base, self.graph, self.present_types = base, base.graph, base.present_types
        self.node_ok, self.ends_kept = node_ok, ends_kept and edge_ok is not None
        self.edge_ok = edge_ok or (lambda u, v, k: True)
        self.data_ok = data_ok if edge_ok is not None else None
        self._make_views()

    def entity(self, node: str) -> _Record | None:
        return self.base.entity(node) if node in self else None

    def all_entities(self) -> Iterator[tuple[str, _Record]]:
        return ((node, record) for node, record in self.base.all_entities() if self.node_ok(node))

    def adjacency(self, node: str, direction: int) -> dict[str, dict[int, _Record]]:
        """Kept neighbours with at least one kept fact (networkx's ``FilterMultiInner``), in the graph's order."""
        if node not in self:
            raise KeyError(node)
        node_ok, edge_ok, data_ok, ends_kept = self.node_ok, self.edge_ok, self.data_ok, self.ends_kept
        kept = {}
        for other, edges in self.base.neighbours(node, direction, attributes=True).items():
            if not ends_kept and not node_ok(other):
                continue
            ends = (node, other) if direction == 0 else (other, node)
            facts = {key: record for key, record in edges.items()
                     if (data_ok(*ends, record) if data_ok else edge_ok(*ends, key))}
            if facts:
                kept[other] = facts
        return kept

    def __contains__(self, node: object) -> bool:
        return node in self.base and self.node_ok(node)  # type: ignore[arg-type]

    def __iter__(self) -> Iterator[str]:
        return (node for node in self.base if self.node_ok(node))

    def search_rows(self) -> Iterator[tuple[str, _Record, list[Any]]]:
        return ((node, data, keys) for node, data, keys in self.base.search_rows() if self.node_ok(node))

    def restricted(self, node_ok: Callable[[str], bool], edge_ok: Callable[[str, str, str], bool] | None,
                   ends_kept: bool = False, data_ok: Callable[[str, str, Any], bool] | None = None
                   ) -> RestrictedGraph:
        """This view narrowed again: both views' filters."""
        outer = self.edge_ok
        return RestrictedGraph(self.base, lambda n: self.node_ok(n) and node_ok(n),
                               lambda u, v, k: outer(u, v, k) and (edge_ok is None or edge_ok(u, v, k)))


class _OfGraph(Mapping[str, Any]):
    """A mapping whose keys are a graph's entities."""

    def __init__(self, graph: IndexGraph | RestrictedGraph):
        self.graph = graph

    def __contains__(self, node: object) -> bool:
        return node in self.graph

    def __iter__(self) -> Iterator[str]:
        return iter(self.graph)

    def __len__(self) -> int:
        return len(self.graph)


class _Nodes(_OfGraph):
    """``graph._node``: id → attributes."""

    def __getitem__(self, node: str) -> _Record:
        record = self.graph.entity(node)
        if record is None:
            raise KeyError(node)
        return record

    def items(self) -> Iterator[tuple[str, _Record]]:  # type: ignore[override]
        return self.graph.all_entities()


class _NodeView:
    """``graph.nodes``: ``nodes[id]``, ``nodes(data=True)``, ``nodes(data="type")``, iteration, ``in``."""

    def __init__(self, nodes: _Nodes):
        self._nodes = nodes

    def __getitem__(self, node: str) -> _Record:
        return self._nodes[node]

    def __contains__(self, node: object) -> bool:
        return node in self._nodes

    def __iter__(self) -> Iterator[str]:
        return iter(self._nodes)

    def __len__(self) -> int:
        return len(self._nodes)

    def __call__(self, data: bool | str = False) -> Iterator[Any]:
        if data is True:
            return iter(self._nodes.items())
        if data:
            return ((node, record.get(data)) for node, record in self._nodes.items())
        return iter(self._nodes)


class _Adjacency(_OfGraph):
    """``graph._succ`` / ``graph._pred``: id → other → fact → attributes."""

    def __init__(self, graph: IndexGraph | RestrictedGraph, direction: int):
        super().__init__(graph)
        self.direction = direction

    def __getitem__(self, node: str) -> dict[str, dict[int, _Record]]:
        return self.graph.adjacency(node, self.direction)


class _JsonColumn(Mapping[str, Any]):
    """One table of the file as key → decoded JSON value, each read when first asked for: the name
    index's keys of one ``kind`` (exact, words, sound, redirect → ids), or the sources."""

    def __init__(self, graph: IndexGraph, table: str, key: str, value: str, kind: str | None = None):
        self.graph = graph
        self._cache: dict[str, Any] = {}
        self._kind = (kind,) if kind else ()  # the parameter of "kind = ?", when there is one
        of_kind = " WHERE kind = ?" if kind else ""
        self._one = f"SELECT {value} FROM {table} WHERE {key} = ?" + (" AND kind = ?" if kind else "")
        self._all = f"SELECT {key}, {value} FROM {table}{of_kind} ORDER BY {key}"
        self._count = f"SELECT count(*) FROM {table}{of_kind}"

    def __getitem__(self, key: str) -> Any:
        if key not in self._cache:
            found = self.graph.rows(self._one, key, *self._kind)
            self._cache[key] = _decoded(found[0][0], key) if found else None
        value = self._cache[key]
        if value is None:
            raise KeyError(key)
        return value

    def __iter__(self) -> Iterator[str]:
        return (key for key, _ in self.graph.rows(self._all, *self._kind))

    def __len__(self) -> int:
        return self.graph.rows(self._count, *self._kind)[0][0]

    def items(self) -> Iterator[tuple[str, Any]]:  # type: ignore[override]
        return ((key, _decoded(value, key)) for key, value in self.graph.rows(self._all, *self._kind))


def _decoded(text: str, key: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise IndexDamaged(f"{key!r} unreadable") from None


class _Names(_Nodes):
    """id → display name."""

    def __getitem__(self, node: str) -> str:  # type: ignore[override]
        return super().__getitem__(node)["name"]


class IndexNames(NameIndex):
    """The name index (:class:`graph.model.NameIndex`) read from the index file as names are looked up."""

    def __init__(self, graph: IndexGraph):
        super().__init__({}, {})
        # set after: NameIndex's ``words or {}`` would count a whole table to learn that it is not empty
        self.names = _Names(graph)
        self.keys, self.words, self.sounds, self.redirects = (
            _JsonColumn(graph, "name_keys", "key", "ids", kind) for kind in ("key", "words", "sound", "redirect"))
        self.graph = graph

    def _types(self) -> set[str]:
        return self.graph.present_types
