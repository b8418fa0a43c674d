"""The values a YAML file is read into: mappings and lists that know where they stand, plain scalars
that remember how YAML would read them, and how a data value is quoted in a message.

Both readers of :mod:`graph.yamlfile` (the fast line reader of :mod:`graph.yamlfast` and libyaml's)
build these; every later check reads them.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Marked", "MarkedList", "Plain", "shown", "printable", "SHOWN_MAX"]


class Marked(dict):
    """A YAML mapping that knows its position and the position of each key and value."""

    __slots__ = ("line", "column", "marks")

    def mark_of(self, key: str) -> tuple[int, int]:
        """Line and column of the value under ``key`` (of the mapping if the key is absent)."""
        m = self.marks.get(key)
        return (m[2], m[3]) if m else (self.line, self.column)

    def key_mark_of(self, key: str) -> tuple[int, int]:
        """Line and column of ``key`` itself."""
        m = self.marks.get(key)
        return (m[0], m[1]) if m else (self.line, self.column)


class MarkedList(list):
    """A YAML sequence that knows its position and each item's."""

    __slots__ = ("line", "column", "marks")


class Plain(str):
    """A plain (unquoted) scalar that YAML would read as a number or a boolean; ``tag`` says which."""

    __slots__ = ("tag",)


SHOWN_MAX = 60  # characters of a data value quoted in a message; a value can be megabytes long


def shown(value: Any) -> str:
    """``repr(value)`` for a message: control characters escaped, shortened with … when long."""
    if isinstance(value, str) and len(value) > SHOWN_MAX:
        quoted = repr(str(value[:SHOWN_MAX]))
        return quoted[:-1] + "…" + quoted[-1]
    return repr(str(value) if isinstance(value, str) else value)


def printable(text: str) -> str:
    """``text`` as it may appear unquoted in a one-line message (escaped and shortened if need be)."""
    return text if len(text) <= SHOWN_MAX and text.isprintable() else shown(text)[1:-1]
