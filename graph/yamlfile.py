"""Safe YAML reading with line marks.

Two readers give the same values and marks. The fast one (:mod:`graph.yamlfast`, ≈ 4× libyaml's
route) reads the block style fact files are written in, one line at a time; any file it does not
take (anchors, tags, block scalars, multi-line scalars, every file with a problem…) is read by the
reference route: libyaml's C parser when present (PyYAML's pure-Python one otherwise) composes
*nodes*, which we turn into plain values ourselves, and words every problem. Nothing is ever constructed from a tag:
``!!python/object`` and every other non-standard tag is refused, not built. Plain scalars stay
the text the curator wrote (``NO`` stays ``"NO"``, ``2011`` stays ``"2011"``); each mapping
remembers where it and each of its keys stand, so later checks can point at ``file:line:col``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .errors import DataError
from . import yamlfast
from .yamlvalues import Marked, MarkedList, Plain, printable, shown

__all__ = ["Marked", "MarkedList", "Plain", "parse_yaml", "parse_yaml_counted", "parse_with_libyaml", "repetition_error",
           "repeat_allowance", "decode_text", "shown", "printable"]

MAX_DEPTH = 40  # our format nests 4 levels; anything this deep is an attack or an accident
_STD = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_STD + t for t in ("str", "null", "bool", "int", "float", "timestamp", "binary")}
_KEY_TAGS = {_STD + t for t in ("str", "null", "bool", "int", "float", "timestamp")}
_CONFLICT_MARKERS = (b"<<<<<<< ", b"<<<<<<<\n", b"=======\n", b"=======\r", b">>>>>>> ", b">>>>>>>\n")


def decode_text(data: bytes, path: str) -> tuple[str | None, list[DataError]]:
    """The file's text (BOM removed), or the errors that stop us reading it."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return None, [DataError(path, 1, 1, "the file is UTF-16 (it starts with a UTF-16 byte order mark); "
                                                "save it as UTF-8")]
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [DataError(path, line, column,
                                f"not valid UTF-8: byte 0x{data[exc.start]:02x} at byte offset {exc.start} "
                                "(save the file as UTF-8)")]
    errors = list(_conflict_marker_errors(data, path))
    return (None if errors else text), errors


def parse_yaml(text: str, path: str) -> tuple[Any, list[DataError]]:
    """Parse one YAML document into plain values with marks; ``(None, errors)`` when it cannot be read."""
    value, errors, _ = parse_yaml_counted(text, path)
    return value, errors


def parse_yaml_counted(text: str, path: str) -> tuple[Any, list[DataError], int]:
    """:func:`parse_yaml`, and how many characters of text its aliases repeat (for the whole load's
    budget: :func:`repetition_error`; the fast reader takes no aliases, so it repeats none)."""
    try:
        return yamlfast.read_fast(text), [], 0
    except yamlfast.Unsupported:
        return _libyaml_counted(text, path)  # which also words every problem


def parse_with_libyaml(text: str, path: str) -> tuple[Any, list[DataError]]:
    """The reference route: libyaml composes nodes, our walker turns them into marked values."""
    value, errors, _ = _libyaml_counted(text, path)
    return value, errors


def _libyaml_counted(text: str, path: str) -> tuple[Any, list[DataError], int]:
    """:func:`parse_with_libyaml`, and the characters its aliases repeat."""
    import yaml

    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        loader = loader_class(text)  # the pure-Python reader checks characters here
        _resolve_quickly(loader, loader_class)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_error(exc, path, text)], 0
    except yaml.YAMLError as exc:  # reader errors: characters YAML forbids
        return None, [_reader_error(exc, path, text, byte_offsets=loader_class is not yaml.SafeLoader)], 0
    except RecursionError:
        return None, [DataError(path, 1, 1, "YAML nested too deeply to read")], 0
    if node is None:
        return None, [], 0
    repeated = 0
    if "&" in text and _may_have_alias(text):  # without both, nothing can expand beyond its size
        bomb, repeated = _expansion_error(node, path)
        if bomb is not None:
            return None, [bomb], 0
    walker = _Walker(path)
    value = walker.value(node, 0)
    return (None if walker.errors else value), walker.errors, repeated


def _resolve_quickly(loader: Any, loader_class: type) -> None:
    """Give ``loader`` the same tags for less: each plain scalar's tag resolved once per file (a
    plain scalar's tag depends on its text only), and no per-node calls to the path resolver,
    which has nothing to do when no path resolver is registered (PyYAML's safe loaders have none).

    A fact file repeats its keys and many values (``type: person``) tens of thousands of times:
    this saves ≈ 15% of composing the nodes.
    """
    if loader_class.yaml_path_resolvers:
        return
    import yaml

    resolve, scalar_node, tags = loader_class.resolve, yaml.ScalarNode, {}

    def resolved(kind: Any, value: str, implicit: tuple[bool, bool]) -> str:
        if kind is scalar_node and implicit[0]:
            tag = tags.get(value)
            if tag is None:
                tag = tags[value] = resolve(loader, kind, value, implicit)
            return tag
        return resolve(loader, kind, value, implicit)

    loader.resolve = resolved
    loader.descend_resolver = _nothing
    loader.ascend_resolver = _nothing


def _nothing(*_: Any) -> None:
    """The path resolver's steps when there is no path resolver."""


def _may_have_alias(text: str) -> bool:
    """False only when no alias (``*name`` at the start of a node) can be in ``text``; fast on real data."""
    star = text.find("*")
    while star != -1:
        if star == 0 or text[star - 1] in _BEFORE_NODE:
            return True
        star = text.find("*", star + 1)
    return False


_BEFORE_NODE = frozenset(" \t\r\n[{,:?-\x85\u2028\u2029\ufeff")
MAX_EXPANSION = 4  # aliases may repeat what is written at most this many times over (plus a margin)
REPEAT_MARGIN_CHARS = 1_000_000  # characters aliases may repeat in any file (and any load), however small
MAX_REPEATED_CHARS = 16_000_000  # characters aliases may repeat in one file or one whole load, however large


def _expansion_error(root: Any, path: str) -> tuple[DataError | None, int]:
    """An error when aliases would expand the document far beyond what is written, or into itself;
    and the characters aliases repeat.

    Counts the values and the characters of text each node stands for, sharing the counts of a
    node that aliases reuse, so nothing is expanded to find out; linear in the nodes written.
    Values: at most ``MAX_EXPANSION`` times those written, plus 10,000. Characters: aliases may
    repeat at most ``MAX_EXPANSION`` times the characters written plus ``REPEAT_MARGIN_CHARS``,
    and never more than ``MAX_REPEATED_CHARS`` (one 2 MB quote reused 1,000 times is 2 GB in
    every export).
    """
    sizes: dict[int, tuple[int, int]] = {}  # node → (values, characters) it expands to
    open_nodes: set[int] = set()
    reused: Any = None
    reused_chars: Any = None
    written = 0  # characters of text written, each node once
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        children = node.value if node.id == "sequence" else \
            [n for pair in node.value for n in pair] if node.id == "mapping" else ()
        if finished:
            open_nodes.discard(key)
            own = len(node.value) if node.id == "scalar" else 0
            written += own
            sizes[key] = (1 + sum(sizes[id(child)][0] for child in children),
                          own + sum(sizes[id(child)][1] for child in children))
            continue
        if key in sizes:
            if reused is None or sizes[key][0] > sizes[id(reused)][0]:
                reused = node
            if reused_chars is None or sizes[key][1] > sizes[id(reused_chars)][1]:
                reused_chars = node
            continue
        if key in open_nodes:
            return _error_at(node, path, "an alias refers to the collection that contains it "
                                         "(a recursive alias); refused"), 0
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(children))
    values, characters = sizes[id(root)]
    limit = MAX_EXPANSION * len(sizes) + 10_000
    if values > limit:
        return _error_at(reused or root, path, f"aliases would expand this document to more than {limit:,} "
                                               f"values from {len(sizes):,} written (an alias bomb?); refused"), 0
    repeated = characters - written
    allowed = repeat_allowance(written)
    if repeated > allowed:
        return _error_at(reused_chars or root, path,
                         f"aliases would repeat {repeated:,} characters of text ({written:,} written; at most "
                         f"{allowed:,} may be repeated): every export would hold each copy; refused"), 0
    return None, repeated


def repeat_allowance(written: int) -> int:
    """How many characters aliases may repeat where ``written`` characters are written: in one file,
    and in the whole load (every file's repetitions summed against every file's text)."""
    return min(MAX_EXPANSION * written + REPEAT_MARGIN_CHARS, MAX_REPEATED_CHARS)


def repetition_error(files: list[tuple[str, int, int]]) -> DataError | None:
    """The budget of aliases for a whole load: ``files`` are (path, characters written, characters its
    aliases repeat); an error at the file repeating most when together they repeat more than
    :func:`repeat_allowance` of all the text (400 files each within its own budget are not)."""
    repeated = sum(r for _, _, r in files)
    allowed = repeat_allowance(sum(w for _, w, _ in files))
    if repeated <= allowed:
        return None
    path, _, most = max(files, key=lambda f: (f[2], f[0]))
    share = sum(1 for f in files if f[2])
    return DataError(path, 1, 1, f"aliases in {share:,} file(s) of the data folder would together repeat {repeated:,} "
                                 f"characters of text (at most {allowed:,} for the whole folder; this file repeats "
                                 f"{most:,}): every export would hold each copy; refused")


def _error_at(node: Any, path: str, message: str) -> DataError:
    return DataError(path, node.start_mark.line + 1, node.start_mark.column + 1, message)


class _Walker:
    """Turns composed YAML nodes into values, refusing unsafe tags, duplicate keys and deep nesting."""

    def __init__(self, path: str):
        self.path = path
        self.errors: list[DataError] = []
        self.too_deep = False

    def error(self, node: Any, message: str) -> None:
        self.errors.append(_error_at(node, self.path, message))

    def value(self, node: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            if not self.too_deep:  # once is enough
                self.error(node, f"nested more than {MAX_DEPTH} levels deep; refused")
            self.too_deep = True
            return None
        tag = node.tag
        kind = node.id
        if kind == "scalar":
            return self.scalar(node, tag)
        if kind == "mapping":
            if tag != _STD + "map":
                self.error(node, f"YAML tag {shown(_short(tag))} is not allowed here (tags never build objects)")
                return None
            return self.mapping(node, depth)
        if tag != _STD + "seq":
            self.error(node, f"YAML tag {shown(_short(tag))} is not allowed here (tags never build objects)")
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
            self.error(node, f"YAML tag {shown(_short(tag))} is not allowed (tags never build objects)")
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
            if key_node.tag not in _KEY_TAGS:
                self.error(key_node, f"YAML tag {shown(_short(key_node.tag))} is not allowed on a key "
                                     "(tags never build objects)")
                continue
            key = key_node.value
            if key in result.marks:
                first_line = result.marks[key][0]
                self.error(key_node, f"duplicate key {shown(key)} (first at line {first_line}); "
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


def _colon_in_plain_value(text: str, mark: Any) -> bool:
    """True when the line of ``mark`` already has a ``key: value`` before it: ``quote: He said: no``."""
    if mark is None or not 0 <= mark.index <= len(text):
        return False
    before = text[text.rfind("\n", 0, mark.index) + 1:mark.index]
    return ": " in before.split(" #")[0] or ":\t" in before


def _syntax_error(exc: Any, path: str, text: str) -> DataError:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = exc.problem or "invalid YAML"
    context = ""
    if exc.context and problem.startswith("but "):  # "expected a single document…, but found another"
        problem = f"{exc.context}, {problem}"
    elif exc.context and exc.context not in problem:
        start = exc.context_mark
        where = f" that starts at line {start.line + 1}, column {start.column + 1}" \
            if start is not None and mark is not None and start.line != mark.line else ""
        context = f" ({exc.context}{where})"
    if mark is not None and 0 <= mark.index < len(text) and text[mark.index] == "\t":
        problem += " — YAML indents with spaces only" if "tab" in problem else \
            " — a tab character: YAML indents with spaces only"
    elif problem.startswith("mapping values are not allowed") and _colon_in_plain_value(text, mark):
        problem += " — the value contains ': ', so put the value in quotes"
    return DataError(path, line, column, f"YAML syntax error: {problem}{context}")


def _reader_error(exc: Any, path: str, text: str, byte_offsets: bool) -> DataError:
    """A character YAML forbids (control characters, U+FFFE…), located by line and column."""
    position = getattr(exc, "position", None)
    reason = getattr(exc, "reason", None) or str(exc)
    character = getattr(exc, "character", None)
    if isinstance(character, str):
        character = ord(character)
    if isinstance(character, int):
        reason = f"character U+{character:04X} is not allowed in YAML ({reason}); write it as an escape " \
                 "such as \\x01 inside double quotes, or remove it"
    if not isinstance(position, int):
        return DataError(path, 1, 1, f"cannot read the file: {reason}")
    before = text.encode("utf-8")[:position].decode("utf-8", "ignore") if byte_offsets else text[:position]
    line = before.count("\n") + 1
    column = len(before) - (before.rfind("\n") + 1) + 1
    return DataError(path, line, column, f"cannot read the file: {reason}")


def _short(tag: str) -> str:
    return "!!" + tag[len(_STD):] if tag.startswith(_STD) else tag
