"""Answering from the query index: :class:`IndexGraph` stands in for the networkx graph the questions
walk, :class:`IndexNames` for the name index; :func:`open_index` trusts a file only when it checks out."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from ..errors import IndexDamaged
from ..model import NameIndex
from ..store import Manifest, Store, is_private, unchanged
from .tables import ENTITY_COLUMNS, INDEX_FILE, INDEX_FORMAT, MASTER_SQL, STAMP_FILE, expected_master, work_budget

__all__ = ["IndexGraph", "IndexNames", "open_index", "stamp_of", "read_stamp"]


# --- opening --------------------------------------------------------------------------------------

def open_index(root: Path, store: Store, files: list[Path]) -> tuple[IndexGraph, IndexNames] | None:
    """The index of the data folder ``root`` when it is there, ours, sound and built from the files as
    they are now; else None (the caller loads the graph and builds a new index)."""
    path = store.folder / INDEX_FILE
    if not store.usable or not is_private(path):
        return None
    try:
        st = path.stat()
        if read_stamp(store) != stamp_of(st):
            return None  # changed since tieline wrote it (or never stamped): not believed, built again
        connection = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True, isolation_level=None,
                                     check_same_thread=False)
    except (OSError, sqlite3.Error):
        return None
    try:
        budget = _harden(connection, st.st_size)
        page_size, pages = (connection.execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_size", "page_count"))
        if page_size * pages != st.st_size or tuple(connection.execute(MASTER_SQL)) != expected_master():
            raise IndexDamaged("not an index of this format")  # any other table, view, trigger or index: refused
        meta = dict(connection.execute("SELECT name, value FROM meta"))
        if meta.get("format") != INDEX_FORMAT:
            raise IndexDamaged("not an index of this format")
        header = json.loads(meta["header"])
        if not unchanged(root, files, header) and Manifest.compute(root, files, header).key != meta["key"]:
            connection.close()
            return None
        graph = IndexGraph(connection, json.loads(meta["graph"]), json.loads(meta["types"]), budget)
        graph.graph["sources"] = _JsonColumn(graph, "sources", "id", "data")
    except (sqlite3.Error, ValueError, KeyError, TypeError, IndexDamaged):
        connection.close()
        return None
    return graph, IndexNames(graph)


def _harden(connection: sqlite3.Connection, size: int) -> _Budget:
    """No extension loading; functions in the file's schema (views, triggers) may not run; every
    statement bounded in work (:func:`work_budget` of the file's size in 4 KiB pages)."""
    if hasattr(connection, "enable_load_extension"):
        connection.enable_load_extension(False)
    budget = _Budget(work_budget(size // 4096))
    connection.set_progress_handler(budget, 1000)
    connection.execute("PRAGMA trusted_schema=OFF")
    connection.execute("PRAGMA query_only=ON")
    return budget


class _Budget:
    """A progress handler: called every thousand SQLite instructions, it stops a statement past its budget."""

    __slots__ = ("limit", "used")

    def __init__(self, limit: int):
        self.limit, self.used = limit, 0

    def __call__(self) -> int:
        self.used += 1
        return self.used > self.limit  # true: SQLite interrupts the statement (sqlite3.OperationalError)


def stamp_of(st: os.stat_result) -> str:
    """What the stamp beside an index records of it: size, inode, modification and change times (ns)."""
    return f"{st.st_size} {st.st_ino} {st.st_mtime_ns} {st.st_ctime_ns}"


def read_stamp(store: Store) -> str | None:
    """The stamp the writer left beside the index, or None."""
    path = store.folder / STAMP_FILE
    try:
        with open(path, "rb") as handle:
            if not is_private(path, handle.fileno()):
                return None
            return handle.read(200).decode("ascii")
    except (OSError, UnicodeError):
        return None


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

    def __init__(self, connection: sqlite3.Connection, attributes: dict[str, Any], types: list[str],
                 budget: _Budget | None = None):
        self.connection = connection
        self.budget = budget or _Budget(work_budget(0))
        self.graph = attributes
        self.present_types = set(types)
        self._entities: dict[str, _Record | None] = {}
        self._facts: dict[int, _Record] = {}
        self._adjacency: tuple[dict[str, dict[str, dict[int, _Record]]], ...] = ({}, {})
        self._attributed: tuple[set[str], set[str]] = (set(), set())  # adjacency read with fact attributes
        self.filtered = False  # set when a view filters facts: adjacency is then read with their attributes
        self._make_views()

    def rows(self, sql: str, *parameters: Any) -> list[tuple[Any, ...]]:
        """The rows of one query; IndexDamaged whatever goes wrong, past its work budget included."""
        self.budget.used = 0
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
            found = self.rows(f"SELECT {ENTITY_COLUMNS} FROM entities WHERE id = ?", node) \
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
        for row in self.cursor(f"SELECT {ENTITY_COLUMNS} FROM entities ORDER BY num"):
            yield row[1], self._entities.get(row[1]) or self._entity_record(*row)

    def search_rows(self) -> Iterator[tuple[str, _Record, list[str]]]:
        """Every entity with the keys :func:`graph.query.search_entities` compares (:func:`search_keys`)."""
        for row in self.cursor(f"SELECT {ENTITY_COLUMNS}, keys FROM entities ORDER BY num"):
            try:
                keys = json.loads(row[-1])
            except ValueError:
                raise IndexDamaged(f"entity {row[1]} unreadable") from None
            yield row[1], self._entity_record(*row[:-1]), keys

    def cursor(self, sql: str, *parameters: Any) -> Iterator[tuple[Any, ...]]:
        """The rows of one query, fetched as they are read; IndexDamaged whatever goes wrong."""
        self.budget.used = 0
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
                "f.momentary, f.sources, f.statements, e.num, e.start, e.\"end\" FROM steps s JOIN facts f ON f.num = s.fact "
                "JOIN entities e ON e.id = s.other "
                "WHERE s.node = (SELECT num FROM entities WHERE id = ?) AND s.dir = ? ORDER BY s.pos", node, direction)
            entities = self._entities
            for other, number, symmetric, key, relation, certainty, start, end, momentary, sources, stated, *dated \
                    in rows:
                if other not in entities:  # its dates, for the time filters: the rest when asked for
                    entities[other] = _Record({"id": other, "start": dated[1], "end": dated[2]},
                                              self._entity_loader(dated[0]))
                record = facts.get(number)
                if record is None or "relation" not in record._known:
                    record = facts[number] = _Record(
                        {"id": key, "symmetric": bool(symmetric), "relation": relation, "certainty": certainty,
                         "start": start, "end": end, "momentary": bool(momentary), "sources": json.loads(sources),
                         "statements": stated and json.loads(stated)}, _fact_loader(self, number))
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
