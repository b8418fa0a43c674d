"""Safe YAML reading with line marks.

YAML is parsed by libyaml's C parser when present (PyYAML's pure-Python one otherwise) into
*nodes*, which we turn into plain values ourselves. Nothing is ever constructed from a tag:
``!!python/object`` and every other non-standard tag is refused, not built. Plain scalars stay
the text the curator wrote (``NO`` stays ``"NO"``, ``2011`` stays ``"2011"``); each mapping
remembers where it and each of its keys stand, so later checks can point at ``file:line:col``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .errors import DataError

__all__ = ["Marked", "MarkedList", "Plain", "parse_yaml", "decode_text"]

MAX_DEPTH = 40  # our format nests 4 levels; anything this deep is an attack or an accident
_STD = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_STD + t for t in ("str", "null", "bool", "int", "float", "timestamp", "binary")}
_CONFLICT_MARKERS = (b"<<<<<<< ", b"<<<<<<<\n", b"=======\n", b"=======\r", b">>>>>>> ", b">>>>>>>\n")


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


def decode_text(data: bytes, path: str) -> tuple[str | None, list[DataError]]:
    """The file's text (BOM removed), or the errors that stop us reading it."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [DataError(path, line, column,
                                f"not valid UTF-8: byte 0x{data[exc.start]:02x} at byte offset {exc.start} "
                                "(save the file as UTF-8)")]
    errors = list(_conflict_marker_errors(data, path))
    return (None if errors else text), errors


def parse_yaml(text: str, path: str) -> tuple[Any, list[DataError]]:
    """Parse one YAML document into plain values with marks; ``(None, errors)`` when it cannot be read."""
    import yaml

    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_error(exc, path, text)]
    except yaml.YAMLError as exc:  # reader errors: characters YAML forbids
        return None, [_reader_error(exc, path)]
    except RecursionError:
        return None, [DataError(path, 0, 0, "YAML nested too deeply to read")]
    finally:
        loader.dispose()
    if node is None:
        return None, []
    walker = _Walker(path, budget=2 * len(text) + 1000)
    value = walker.value(node, 0)
    return (None if walker.errors else value), walker.errors


class _Walker:
    """Turns composed YAML nodes into values, refusing unsafe tags, duplicate keys and alias bombs."""

    def __init__(self, path: str, budget: int):
        self.path = path
        self.budget = budget
        self.errors: list[DataError] = []

    def error(self, node: Any, message: str) -> None:
        self.errors.append(DataError(self.path, node.start_mark.line + 1, node.start_mark.column + 1, message))

    def value(self, node: Any, depth: int) -> Any:
        self.budget -= 1
        if self.budget < 0:
            if self.budget == -1:
                self.error(node, "too many aliases: the document expands far beyond its size "
                                 "(an alias bomb?); refused")
            return None
        if depth > MAX_DEPTH:
            self.error(node, f"nested more than {MAX_DEPTH} levels deep; refused")
            self.budget = -2
            return None
        tag = node.tag
        kind = node.id
        if kind == "scalar":
            return self.scalar(node, tag)
        if kind == "mapping":
            if tag != _STD + "map":
                self.error(node, f"YAML tag {_short(tag)!r} is not allowed here (tags never build objects)")
                return None
            return self.mapping(node, depth)
        if tag != _STD + "seq":
            self.error(node, f"YAML tag {_short(tag)!r} is not allowed here (tags never build objects)")
            return None
        items = MarkedList()
        items.line, items.column = node.start_mark.line + 1, node.start_mark.column + 1
        items.marks = []
        for child in node.value:
            items.append(self.value(child, depth + 1))
            items.marks.append((child.start_mark.line + 1, child.start_mark.column + 1))
        return items

    def scalar(self, node: Any, tag: str) -> Any:
        if tag == _STD + "str":
            return node.value
        if tag == _STD + "null":
            return None
        if tag not in _SCALAR_TAGS:
            self.error(node, f"YAML tag {_short(tag)!r} is not allowed (tags never build objects)")
            return None
        if tag in (_STD + "timestamp", _STD + "binary"):
            return node.value
        plain = Plain(node.value)
        plain.tag = tag[len(_STD):]
        return plain

    def mapping(self, node: Any, depth: int) -> Marked:
        result = Marked()
        result.line, result.column = node.start_mark.line + 1, node.start_mark.column + 1
        result.marks = {}
        for key_node, value_node in node.value:
            if key_node.id != "scalar" or key_node.tag == _STD + "merge":
                what = "a merge key (<<)" if key_node.tag == _STD + "merge" else "a complex key"
                self.error(key_node, f"{what} is not supported here; write the key as plain text")
                continue
            key = key_node.value
            if key in result.marks:
                first_line = result.marks[key][0]
                self.error(key_node, f"duplicate key {key!r} (first at line {first_line}); "
                                     "YAML would silently keep only the last one")
                continue
            result.marks[key] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1,
                                 value_node.start_mark.line + 1, value_node.start_mark.column + 1)
            result[key] = self.value(value_node, depth + 1)
        return result


def _conflict_marker_errors(data: bytes, path: str) -> Iterator[DataError]:
    if b"<<<<<<<" not in data and b">>>>>>>" not in data:
        return
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.startswith(_CONFLICT_MARKERS) or line.rstrip(b"\r") in (b"<<<<<<<", b"=======", b">>>>>>>"):
            yield DataError(path, number, 1, "merge conflict marker left in the file; resolve the conflict first")


def _syntax_error(exc: Any, path: str, text: str) -> DataError:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    problem = exc.problem or "invalid YAML"
    context = f" ({exc.context})" if exc.context and exc.context not in problem else ""
    if mark is not None and 0 <= mark.index < len(text) and text[mark.index] == "\t":
        problem += " — a tab character: YAML indents with spaces only"
    return DataError(path, line, column, f"YAML syntax error: {problem}{context}")


def _reader_error(exc: Any, path: str) -> DataError:
    position = getattr(exc, "position", None)
    name = getattr(exc, "name", "")
    reason = getattr(exc, "reason", None) or str(exc)
    character = getattr(exc, "character", None)
    if isinstance(character, str):
        reason = f"character U+{ord(character):04X} is not allowed in YAML ({reason})"
    del name
    return DataError(path, 0, 0, f"cannot read the file: {reason}"
                     + (f" at character offset {position}" if position is not None else ""))


def _short(tag: str) -> str:
    return "!!" + tag[len(_STD):] if tag.startswith(_STD) else tag
