"""A fast reader for the YAML that fact files are made of, in pure Python, one line at a time.

It reads the block style that curators and tieline itself write — block mappings and sequences
indented with spaces, one-line plain, single- and double-quoted scalars, literal and folded block
scalars (``|``, ``>-``, their lines indented alike), one-line flow lists of scalars, ``{}``,
comments — into the very values and marks libyaml's route of :mod:`graph.yamlfile` gives (the same
:class:`Marked` line and column for every mapping, key, value and item; plain scalars tagged by
PyYAML's own resolver). Anything else — anchors, aliases, tags, block scalars kept (``|+``) or with
more indented lines, multi-line plain and quoted scalars and flow collections, complex or quoted
keys, document markers, tabs, carriage returns, characters YAML forbids, a duplicate key, nesting beyond the limit, and
every syntax error — raises :class:`Unsupported`, and the caller reads that file with libyaml, which
gives the messages. So this reader never produces an error and never decides what is valid: it only
accepts what it can prove libyaml reads the same way (``tests/test_yamlfast.py`` compares both on
generated documents, the broken corpus, the bundled data and the bench sets).
"""

from __future__ import annotations

import re
from typing import Any

from .yamlvalues import Marked, MarkedList, Plain

__all__ = ["Unsupported", "read_fast"]

MAX_FAST_DEPTH = 30  # deeper documents go to libyaml; below graph.yamlfile.MAX_DEPTH (40) with room for flow lists

# control characters (tabs and carriage returns too), NEL, U+2028/9, surrogates, the BOM, U+FFFE/F: to libyaml
_OUTSIDE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
_KEY = re.compile(r"([A-Za-z0-9_](?:[A-Za-z0-9_ .\-/()]{0,126}[A-Za-z0-9_.\-/()])?):(?: +|\Z)")
_DOUBLE = re.compile(r'"((?:[^"\\]|\\.)*)"')
_SINGLE = re.compile(r"'((?:[^']|'')*)'")
_END = re.compile(r"(?: +#.*| *)\Z")  # what may follow a quoted scalar or a flow list on its line
_BLOCK_HEADER = re.compile(r"[|>](-?)(?: +#.*| *)\Z")
_EMPTY_MAP = re.compile(r"\{ *\}")
_FLOW_PLAIN = re.compile(r"[^ ,\[\]{}#&*!|>'\"%@`?:\-][^,\[\]{}#:]*")
_SPACES = re.compile(" *")
_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")
_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r", "e": "\x1b",
            " ": " ", '"': '"', "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029"}
_NOT_PLAIN_START = frozenset("-?:,[]{}#&*!|>'\"%@`")
_PLAIN_TAGS = {"tag:yaml.org,2002:" + t: t for t in ("str", "null", "timestamp", "bool", "int", "float")}


class Unsupported(Exception):
    """The text uses YAML that this reader leaves to libyaml."""


def read_fast(text: str) -> Any:
    """The document's value (None when it holds none); raises :class:`Unsupported` for anything beyond
    the subset this reader proves to read as libyaml does."""
    if _OUTSIDE.search(text):
        raise Unsupported("a character the line reader does not take")
    if text.startswith(("---", "...")) or "\n---" in text or "\n..." in text:
        raise Unsupported("a document marker")
    if not _resolvable:
        _load_resolver()
    reader = _Reader(text)
    if reader.rows[0][1] < 0:
        return None
    value = reader.node(0)
    if reader.rows[reader.k][1] >= 0:
        raise Unsupported("content after the document's root")
    return value


_resolvable: set[str] = set()  # first characters of the plain scalars PyYAML may read as other than text
_tags: dict[str, str] = {}  # plain scalar → tag, for those
_resolve: Any = None


def _load_resolver() -> None:
    """PyYAML's resolver: the one rule of what a plain scalar means (``yes``, ``2011``, ``~``)."""
    global _resolve
    from yaml.nodes import ScalarNode
    from yaml.resolver import Resolver

    resolver = Resolver()
    if None in resolver.yaml_implicit_resolvers:
        raise Unsupported("a resolver that looks at every plain scalar")
    _resolve = lambda text: resolver.resolve(ScalarNode, text, (True, False))  # noqa: E731
    _resolvable.update(k for k in resolver.yaml_implicit_resolvers if k)


def _plain(text: str) -> Any:
    """A plain scalar's value, as graph.yamlfile's walker makes it: text, None, or :class:`Plain`."""
    if text[0] not in _resolvable:
        return text
    tag = _tags.get(text)
    if tag is None:
        full = _resolve(text)
        if full not in _PLAIN_TAGS:
            raise Unsupported(f"a plain scalar tagged {full}")
        if len(_tags) > 100_000:
            _tags.clear()
        tag = _tags[text] = _PLAIN_TAGS[full]
    if tag == "str" or tag == "timestamp":
        return text
    if tag == "null":
        return None
    plain = Plain(text)
    plain.tag = tag
    return plain


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    if len(code) == 1:
        char = _ESCAPES.get(code)
        if char is None:
            raise Unsupported(f"escape \\{code}")
        return char
    number = int(code[1:], 16)
    if 0xD800 <= number <= 0xDFFF or number > 0x10FFFF:
        raise Unsupported("an escape of no character")
    return chr(number)


def _quoted(rest: str, at: int) -> tuple[str, int]:
    """The quoted scalar starting at ``rest[at]`` and the index just after it."""
    if rest[at] == '"':
        match = _DOUBLE.match(rest, at)
        if match is None:
            raise Unsupported("a double-quoted scalar that does not end on its line")
        inner = match.group(1)
        return (_ESCAPE.sub(_unescape, inner) if "\\" in inner else inner), match.end()
    match = _SINGLE.match(rest, at)
    if match is None:
        raise Unsupported("a single-quoted scalar that does not end on its line")
    inner = match.group(1)
    return (inner.replace("''", "'") if "'" in inner else inner), match.end()


class _Reader:
    """The content lines of one document (number, indent, text after the indent), ``k`` the current one."""

    def __init__(self, text: str):
        self.lines = lines = text.split("\n")
        bodies = [line.lstrip(" ") for line in lines]
        self.rows = [(number, len(line) - len(body), body)
                     for number, line, body in zip(range(1, len(lines) + 1), lines, bodies)
                     if body and body[0] != "#"]
        self.rows.append((len(lines) + 1, -1, ""))  # the end: every block closes
        self.k = 0

    def node(self, depth: int) -> Any:
        """The block mapping or sequence that starts on the current line."""
        if depth > MAX_FAST_DEPTH:
            raise Unsupported("nested deeper than the line reader goes")
        _, indent, body = self.rows[self.k]
        if body[:2] == "- ":
            return self.sequence(indent, depth, indentless=False)
        if _KEY.match(body) is None:
            raise Unsupported("a block that is neither a mapping nor a sequence")
        return self.mapping(indent, depth)

    def mapping(self, indent: int, depth: int) -> Marked:
        """The block mapping whose keys stand at column ``indent`` (0-based), from the current line."""
        rows, k, match_key, resolvable = self.rows, self.k, _KEY.match, _resolvable
        result = Marked()
        result.line, result.column = rows[k][0], indent + 1
        marks = result.marks = {}
        while True:
            line, _, body = rows[k]
            match = match_key(body)
            if match is None:
                raise Unsupported("a mapping line without a plain key")
            key = match.group(1)
            if key in marks:
                raise Unsupported("a duplicate key")
            at = match.end()
            rest = body[at:]
            if rest and rest[0] != "#":
                first = rest[0]
                if first in _NOT_PLAIN_START:
                    self.k = k
                    value = self.inline(rest, indent + at, indent)
                    k = self.k  # past a block scalar's lines
                else:  # a plain scalar, the common case, inline
                    cut = rest.find(" #")
                    text = (rest if cut < 0 else rest[:cut]).rstrip(" ")
                    if ": " in text or text[-1] == ":":
                        raise Unsupported("a colon in a plain scalar")
                    value = text if first not in resolvable else _plain(text)
                result[key] = value
                marks[key] = (line, indent + 1, line, indent + at + 1)
                k += 1
                below, below_indent, below_body = rows[k]
            else:
                k += 1
                below, below_indent, below_body = rows[k]
                if below_indent > indent:
                    marks[key] = (line, indent + 1, below, below_indent + 1)
                    self.k = k
                    result[key] = self.node(depth + 1)
                elif below_indent == indent and below_body[:2] == "- ":
                    marks[key] = (line, indent + 1, below, indent + 1)
                    self.k = k
                    result[key] = self.sequence(indent, depth + 1, indentless=True)
                else:  # nothing: null, marked just after the colon, as libyaml marks an empty scalar
                    marks[key] = (line, indent + 1, line, indent + len(key) + 2)
                    result[key] = None
                    self.k = k
                k = self.k
                below, below_indent, below_body = rows[k]
            if below_indent < indent:
                self.k = k
                return result
            if below_indent > indent or below_body[:2] == "- ":
                raise Unsupported("a line indented unlike its mapping")

    def sequence(self, indent: int, depth: int, indentless: bool) -> MarkedList:
        """The block sequence whose dashes stand at column ``indent``, from the current line."""
        rows = self.rows
        items = MarkedList()
        items.line, items.column = rows[self.k][0], indent + 1
        marks = items.marks = []
        while True:
            line, _, body = rows[self.k]
            rest = body[2:].lstrip(" ")
            column = indent + len(body) - len(rest)
            if not rest or rest[0] == "#" or rest[:2] == "- " or rest == "-":
                raise Unsupported("an empty or nested sequence item")
            marks.append((line, column + 1))
            if _KEY.match(rest):
                rows[self.k] = (line, column, rest)  # the item's mapping starts inside this line
                items.append(self.mapping(column, depth + 1))
            else:
                items.append(self.inline(rest, column, indent))
                self.k += 1
            _, below_indent, below_body = rows[self.k]
            if below_indent < indent:
                return items
            if below_indent > indent:
                raise Unsupported("a line indented unlike its sequence")
            if below_body[:2] != "- ":
                if indentless:
                    return items  # the next key of the mapping this sequence is the value of
                raise Unsupported("a sequence line without a dash")

    def inline(self, rest: str, column: int, parent: int) -> Any:
        """The value written from ``column`` (0-based) on, in a block whose own column is ``parent``."""
        first = rest[0]
        if first == "|" or first == ">":
            return self.block_scalar(rest, parent)
        if first == '"' or first == "'":
            value, end = _quoted(rest, 0)
            if not _END.match(rest, end):
                raise Unsupported("text after a quoted scalar")
            return value
        if first == "[":
            return self.flow_list(rest, column)
        if first == "{":
            match = _EMPTY_MAP.match(rest)
            if match is None or not _END.match(rest, match.end()):
                raise Unsupported("a flow mapping")
            empty = Marked()
            empty.line, empty.column, empty.marks = self.rows[self.k][0], column + 1, {}
            return empty
        if first in _NOT_PLAIN_START and (first != "-" or rest[1:2] in ("", " ")):
            raise Unsupported("an indicator")
        cut = rest.find(" #")
        text = (rest if cut < 0 else rest[:cut]).rstrip(" ")
        if ": " in text or text[-1] == ":":
            raise Unsupported("a colon in a plain scalar")
        return _plain(text)

    def block_scalar(self, header: str, parent: int) -> str:
        """A literal (``|``) or folded (``>``) scalar, clipped or stripped (``-``), its lines indented alike;
        leaves ``k`` on the last row it covers."""
        match = _BLOCK_HEADER.match(header)
        if match is None:
            raise Unsupported("a block scalar header the line reader does not take")
        lines, number = self.lines, self.rows[self.k][0]  # the header's line number = the index of the next line
        first = lines[number] if number < len(lines) else ""
        indent = len(first) - len(first.lstrip(" "))
        if indent <= parent or indent == len(first):
            raise Unsupported("a block scalar without text on its first line, or not indented")
        texts: list[str] = []
        end = number
        while end < len(lines):
            line = lines[end]
            body = line.lstrip(" ")
            if not body:
                if len(line) > indent:
                    raise Unsupported("a blank line with spaces beyond the block's indent")
                texts.append("")
            elif len(line) - len(body) == indent:
                texts.append(body)
            elif len(line) - len(body) > indent:
                raise Unsupported("a more indented line in a block scalar")
            else:
                break
            end += 1
        while texts and texts[-1] == "":
            texts.pop()
        last = number + len(texts)  # the line number of the block's last text line
        if last >= len(lines):
            raise Unsupported("a block scalar at the very end of the text, without a line break")
        if header[0] == "|":
            value = "\n".join(texts)
        else:
            value, breaks = texts[0], 0
            for text in texts[1:]:
                if not text:
                    breaks += 1
                    continue
                value += ("\n" * breaks if breaks else " ") + text
                breaks = 0
        rows, k = self.rows, self.k
        while rows[k + 1][0] <= last:
            k += 1
        self.k = k
        return value if match.group(1) else value + "\n"

    def flow_list(self, rest: str, column: int) -> MarkedList:
        """A one-line flow sequence of scalars: ``[a, "b", 'c']``."""
        items = MarkedList()
        line = self.rows[self.k][0]
        items.line, items.column = line, column + 1
        marks = items.marks = []
        at = _SPACES.match(rest, 1).end()
        if rest[at:at + 1] != "]":
            while True:
                char = rest[at:at + 1]
                if char == '"' or char == "'":
                    value, end = _quoted(rest, at)
                else:
                    match = _FLOW_PLAIN.match(rest, at)
                    if match is None:
                        raise Unsupported("a flow item the line reader does not take")
                    end = match.end()
                    value = _plain(rest[at:end].rstrip(" "))
                items.append(value)
                marks.append((line, column + at + 1))
                at = _SPACES.match(rest, end).end()
                char = rest[at:at + 1]
                if char == "]":
                    break
                if char != ",":
                    raise Unsupported("a flow list that does not end on its line")
                at = _SPACES.match(rest, at + 1).end()
        if not _END.match(rest, at + 1):
            raise Unsupported("text after a flow list")
        return items
