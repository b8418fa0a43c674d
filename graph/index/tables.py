"""The query index's file: its name, its format, and the SQL of its tables (described in :mod:`graph.index`)."""

from __future__ import annotations

import functools
import sqlite3

__all__ = ["INDEX_FORMAT", "INDEX_FILE", "STAMP_FILE", "SCHEMA", "ENTITY_COLUMNS", "MASTER_SQL", "expected_master",
           "work_budget"]

INDEX_FORMAT = "tieline-index-3"
INDEX_FILE = "index.sqlite"
STAMP_FILE = "index.stamp"
"""Beside the index: its size, inode, modification and change times as its writer left it."""

SCHEMA = """
CREATE TABLE meta(name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE entities(num INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL, type TEXT NOT NULL,
                      aliases TEXT NOT NULL, start TEXT, "end" TEXT, keys TEXT NOT NULL);
CREATE TABLE entity_data(num INTEGER PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE facts(num INTEGER PRIMARY KEY, id TEXT NOT NULL, relation TEXT NOT NULL, certainty TEXT NOT NULL,
                   start TEXT, "end" TEXT, momentary INTEGER NOT NULL, sources TEXT NOT NULL, statements TEXT);
CREATE TABLE fact_data(num INTEGER PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE steps(node INTEGER NOT NULL, dir INTEGER NOT NULL, pos INTEGER NOT NULL, other TEXT NOT NULL,
                   fact INTEGER NOT NULL, symmetric INTEGER NOT NULL, PRIMARY KEY(node, dir, pos)) WITHOUT ROWID;
CREATE TABLE sources(id TEXT PRIMARY KEY, data TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE name_keys(kind TEXT NOT NULL, key TEXT NOT NULL, ids TEXT NOT NULL, PRIMARY KEY(kind, key)) WITHOUT ROWID;
"""
ENTITY_COLUMNS = 'num, id, name, type, aliases, start, "end"'

MASTER_SQL = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
"""What an index's schema is compared by: every table, index, view and trigger, with its SQL."""


@functools.cache
def expected_master() -> tuple[tuple[str, str, str, str | None], ...]:
    """The ``sqlite_master`` rows of an index as :data:`SCHEMA` makes it (an empty one, in memory)."""
    connection = sqlite3.connect(":memory:")
    try:
        connection.executescript(SCHEMA)
        return tuple(connection.execute(MASTER_SQL).fetchall())
    finally:
        connection.close()


def work_budget(pages: int) -> int:
    """How many thousand SQLite instructions one statement may run on an index of ``pages`` pages:
    enough to read every page many times over, never endless (a progress handler counts them)."""
    return max(10_000, 20 * pages)
