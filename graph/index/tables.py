"""The query index's file: its name, its format, and the SQL of its tables (described in :mod:`graph.index`)."""

from __future__ import annotations

__all__ = ["INDEX_FORMAT", "INDEX_FILE", "SCHEMA", "ENTITY_COLUMNS"]

INDEX_FORMAT = "tieline-index-2"
INDEX_FILE = "index.sqlite"

SCHEMA = """
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
ENTITY_COLUMNS = 'num, id, name, type, aliases, start, "end"'
