"""Field-level checks shared by the schema and the fact loader: slugs, text, dates, unknown keys."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

from .dates import PARTIAL_DATE, date_bounds
from .errors import DataError
from .yamlfile import Marked, MarkedList, Plain, printable, shown

__all__ = [
    "SLUG", "TOKEN", "FACT_ID", "Checker", "suggest", "scalar_value",
    "shown", "printable",
]

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")       # entity and source ids
TOKEN = re.compile(r"[a-z][a-z0-9_]*\Z")                # type, relation and certainty ids
FACT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")   # fact ids: valid XML NMTOKENs
_YAML_TYPE_NAMES = {dict: "a mapping", list: "a list", Marked: "a mapping", MarkedList: "a list"}


def suggest(word: str, candidates: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest candidate, or an empty string."""
    if len(word) > 100:  # no name is that long; and difflib's work grows with the word
        return ""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    for cls, name in _YAML_TYPE_NAMES.items():
        if type(value) is cls:
            return name
    return shown(value)


class Checker:
    """Collects errors while shape-checking the records of one file."""

    def __init__(self, path: str, errors: list[DataError]):
        self.path = path
        self.errors = errors

    def error(self, line: int, column: int, message: str) -> None:
        self.errors.append(DataError(self.path, line, column, message))

    def at(self, record: Marked, key: str, message: str) -> None:
        """An error about the value of ``key`` in ``record``."""
        self.error(*record.mark_of(key), message)

    def mapping(self, value: Any, line: int, column: int, what: str) -> Marked | None:
        if isinstance(value, Marked):
            return value
        self.error(line, column, f"{what} must be a mapping (key: value), found {_kind(value)}")
        return None

    def sequence(self, value: Any, line: int, column: int, what: str) -> MarkedList | None:
        if isinstance(value, MarkedList):
            return value
        self.error(line, column, f"{what} must be a list (- item), found {_kind(value)}")
        return None

    def unknown_keys(self, record: Marked, allowed: Iterable[str], what: str) -> None:
        allowed = list(allowed)
        for key in record:
            if key not in allowed:
                self.error(*record.key_mark_of(key),
                           f"unknown key {shown(key)} in {what}{suggest(key, allowed)}; "
                           f"allowed: {', '.join(allowed)}")

    def required(self, record: Marked, keys: Iterable[str], what: str) -> bool:
        ok = True
        for key in keys:
            value = record.get(key)
            if value is None or (isinstance(value, (str, MarkedList)) and not (value.strip() if
                                                                                isinstance(value, str) else value)):
                self.error(record.line, record.column,
                           f"{what} is missing {key!r}" if key not in record else f"{what} has an empty {key!r}")
                ok = False
        return ok

    def text(self, record: Marked, key: str, what: str) -> str | None:
        value = record.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            text = str(value).strip()
            return text or None
        self.at(record, key, f"{key!r} of {what} must be text, found {_kind(value)}")
        return None

    def slug(self, record: Marked, key: str, what: str, pattern: re.Pattern[str] = SLUG) -> str | None:
        value = self.text(record, key, what)
        if value is None:
            return None
        if not pattern.match(value):
            hint = ("lowercase letters, digits and single hyphens, e.g. 'kirill-dmitriev'" if pattern is SLUG
                    else "lowercase letters, digits and underscores" if pattern is TOKEN
                    else "letters, digits, '.', '_' and '-'")
            self.at(record, key, f"{key!r} {shown(value)} of {what} is not a valid id ({hint})")
            return None
        return value

    def text_list(self, record: Marked, key: str, what: str) -> list[str]:
        """A list of texts; a single text is accepted as a list of one."""
        value = record.get(key)
        if value is None:
            return []
        if isinstance(value, str):
            return [str(value).strip()] if str(value).strip() else []
        if not isinstance(value, MarkedList):
            self.at(record, key, f"{key!r} of {what} must be a list of texts, found {_kind(value)}")
            return []
        items = []
        for item, (line, column) in zip(value, value.marks):
            if isinstance(item, str) and str(item).strip():
                items.append(str(item).strip())
            else:
                self.error(line, column, f"each item of {key!r} in {what} must be text, found {_kind(item)}")
        return items

    def date(self, record: Marked, key: str, what: str) -> str | None:
        value = record.get(key)
        if value is None:
            return None
        text = str(value).strip() if isinstance(value, str) else None
        if text is None or not PARTIAL_DATE.match(text):
            self.at(record, key, f"{key!r} of {what} must be a date as YYYY, YYYY-MM or YYYY-MM-DD, "
                                 f"found {_kind(value)}")
            return None
        try:
            date_bounds(text)
        except ValueError as exc:
            self.at(record, key, f"{key!r} of {what} is not a real date: {text} ({exc})")
            return None
        return text

    def date_range(self, record: Marked, what: str) -> tuple[str | None, str | None]:
        start, end = self.date(record, "start", what), self.date(record, "end", what)
        if start and end and date_bounds(end)[1] < date_bounds(start)[0]:
            self.at(record, "end", f"{what} ends ({end}) before it starts ({start})")
        return start, end

    def flag(self, record: Marked, key: str, what: str, default: bool = False) -> bool:
        value = record.get(key)
        if value is None:
            return default
        if isinstance(value, Plain) and value.tag == "bool":
            return value.lower() in ("true", "yes", "on", "y")
        self.at(record, key, f"{key!r} of {what} must be true or false, found {_kind(value)}")
        return default

    def attributes(self, record: Marked, key: str, what: str) -> dict[str, Any]:
        """Free attributes: key → text, number, true/false, or a list of those (see :func:`scalar_value`)."""
        value = record.get(key)
        if value is None:
            return {}
        mapping = self.mapping(value, *record.mark_of(key), f"{key!r} of {what}")
        if mapping is None:
            return {}
        result = {}
        for name, item in mapping.items():
            if isinstance(item, MarkedList):
                values = [scalar_value(x) for x in item]
                if any(isinstance(x, (dict, list)) for x in values):
                    self.at(mapping, name, f"attribute {shown(name)} of {what} may hold texts, numbers or "
                                           "true/false, or a list of those; not nested structures")
                    continue
                result[name] = values
            elif isinstance(item, Marked):
                self.at(mapping, name, f"attribute {shown(name)} of {what} may hold texts, numbers or true/false, "
                                       "or a list of those; not a mapping")
            elif item is not None:
                result[name] = scalar_value(item)
        return result


MAX_EXACT_INT = 2**53 - 1  # beyond it, JavaScript (the page, D3, sigma.js) and every double reader round
_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]{0,15})\Z")
_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]{0,15})\.[0-9]{1,16}\Z")


def scalar_value(value: Any) -> Any:
    """A free attribute's value: what the curator typed, never YAML 1.1's reading of it.

    Only ``true`` and ``false`` are booleans; only plain decimal numbers written the way they
    read back are numbers: integers within ±(2**53 − 1) without leading zeros or sign (``-`` is
    fine), and decimals such as ``2.5`` or ``-0.75`` that a float holds exactly as written (``1.10``,
    ``+49``, ``007``, ``0x1F``, ``1e3``, ``1_000``, ``NO``, ``.nan`` stay text). Quoted values
    and anything else stay text as written.
    """
    if not isinstance(value, Plain):
        return value
    text = str(value)
    if text in ("true", "false"):
        return text == "true"
    if _INTEGER.match(text):
        number = int(text)
        return number if abs(number) <= MAX_EXACT_INT and text != "-0" else text
    if _DECIMAL.match(text):
        decimal = float(text)
        return decimal if repr(decimal) == text else text
    return text
