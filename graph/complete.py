"""Shell completion of entity names and ids (bash, zsh, fish through click), answered from the query index.

A completion runs on every Tab: it opens the query index (:mod:`graph.index`) of the data folder
when that is current and asks SQLite for the entities whose name, an alias or the id begins with
what was typed, or whose name has a word that does ("Dmitr" → Kirill Dmitriev). No networkx, no
YAML, no graph: when there is no current index (no query has run since the data changed) nothing
is offered rather than seconds spent building one.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from .errors import DataErrors, IndexDamaged
from .files import data_files
from .index import open_index
from .store import Store

__all__ = ["entity_completions", "COMPLETION_LIMIT"]

COMPLETION_LIMIT = 50
"""At most this many entities are offered, by name then id."""

_MATCHES = ("SELECT id, name, type, (id LIKE ?1 ESCAPE '\\') AS by_id FROM entities "
            "WHERE name LIKE ?1 ESCAPE '\\' OR name LIKE ?2 ESCAPE '\\' OR id LIKE ?1 ESCAPE '\\' "
            "OR aliases LIKE ?3 ESCAPE '\\' ORDER BY name, id LIMIT ?4")


def entity_completions(data: str | os.PathLike[str], typed: str, shell: str = "") -> list[tuple[str, str]]:
    """``(value, help)`` for the entities ``typed`` may begin to name, from the query index of
    ``data``: the id when ``typed`` begins it, else the name (spaces escaped for bash, which inserts
    a value as it is); ``help`` is type and id. Empty when the index is not current."""
    root = Path(data)
    try:
        opened = open_index(root, Store(root), data_files(root)) if root.is_dir() else None
        if opened is None:
            return []
        prefix = typed.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = opened[0].rows(_MATCHES, f"{prefix}%", f"% {prefix}%", f'%"{prefix}%', COMPLETION_LIMIT)
    except (DataErrors, IndexDamaged, sqlite3.Error, OSError):
        return []
    offered = []
    for entity_id, name, kind, by_id in rows:
        value = entity_id if by_id and not name.casefold().startswith(typed.casefold()) else name
        if "bash" in shell:
            value = "".join("\\" + c if c in " '\"\\()&;<>|$`!*?[]{}#~" else c for c in value)
        offered.append((value, f"{kind} · {entity_id}"))
    return offered
