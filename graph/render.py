"""Text for people: one function per result type, and the one escaping function for terminals.

Every string that comes from the data or the file system and reaches a terminal passes through
:func:`terminal_text`: control characters (C0, C1, DEL, ESC, BEL), bidi overrides and other
invisible format characters are shown visibly, so no name, quote or file name can move the cursor,
recolour the terminal, forge a line or reorder what is shown. Data text reaches rich only as
:class:`rich.text.Text`, never as markup: ``[sic]`` stays ``[sic]``, ``[link=…]`` is not a link.

Functions return strings (plain lines) or rich renderables; :func:`show` prints them.
"""

from __future__ import annotations

import json
import re
import sys
import textwrap
from collections.abc import Iterable
from typing import Any

__all__ = [
    "terminal_text", "json_text", "show", "path_text", "card_lines", "neighbours_table", "stats_lines",
    "search_table", "ambiguous_text", "not_found_text", "error_lines", "fact_detail", "sources_line",
    "validation_summary", "shown_name", "Progress", "error_message",
]

_CONTROL_PICTURES = {i: chr(0x2400 + i) for i in range(0x20)} | {0x7F: "\u2421"}
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]")
_JSON_UNSAFE = re.compile(_INVISIBLE.pattern.replace("\x00-\x1f", ""))  # JSON escapes C0 itself; \n is layout


def terminal_text(text: Any, *, newlines: bool = False) -> str:
    """``text`` safe to print: controls as visible pictures (␛, ␇), invisibles as ``<U+202E>``.

    With ``newlines``, line breaks and tabs are kept (layout of our own multi-line text);
    otherwise a line break in the data shows as ␤ and a message stays one line.
    """
    text = "" if text is None else str(text)
    if text.isascii() and text.isprintable():
        return text

    def visible(match: re.Match[str]) -> str:
        char = match.group()
        code = ord(char)
        if newlines and char in "\n\t":
            return char
        if char == "\n":
            return "\u2424"
        if code in _CONTROL_PICTURES:
            return _CONTROL_PICTURES[code]
        return f"<U+{code:04X}>"

    return _lone_surrogates(_INVISIBLE.sub(visible, text))


def _lone_surrogates(text: str) -> str:
    """Lone surrogates (from file names that are not UTF-8) as ``<U+DCxx>``: printable, encodable."""
    if not any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        return text
    return "".join(f"<U+{ord(c):04X}>" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)


def json_text(value: Any) -> str:
    """A JSON document as printed by ``--json``: non-ASCII kept, but C0/C1 controls, bidi controls and
    invisible characters written as ``\\uXXXX`` escapes (the same JSON, harmless on a terminal)."""
    text = json.dumps(value, ensure_ascii=False, indent=2, sort_keys=False)
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def _text(value: Any) -> Any:
    """Data text as a rich renderable that is never interpreted as markup."""
    from rich.text import Text

    return Text(terminal_text(value, newlines=True))


def _table(*columns: str, title: str | None = None) -> Any:
    from rich.table import Table

    return Table(*columns, title=_text(title) if title else None, title_justify="left", show_edge=False,
                 pad_edge=False, expand=False)


def show(renderable: Any) -> None:
    """Print a rich renderable (or a plain string) on stdout, with no highlighting or markup."""
    if isinstance(renderable, str):
        sys.stdout.write(renderable + "\n")
        return
    from rich.console import Console

    Console(highlight=False, soft_wrap=False, markup=False, emoji=False).print(renderable)


# --- facts ----------------------------------------------------------------------------------------

def sources_line(fact: dict[str, Any]) -> str:
    """A fact's sources as one line: ``Title (Publisher, 2025-04-02); …``."""
    parts = []
    for source in fact["sources"]:
        label = source.get("title") or source["id"]
        extra = ", ".join(x for x in (source.get("publisher"), source.get("published")) if x)
        parts.append(f"{label} ({extra})" if extra else label)
    return "; ".join(parts)


def fact_detail(fact: dict[str, Any]) -> str:
    """Certainty and dates of a fact: ``confirmed · 2025-02-18``."""
    when = fact["start"] + (f"–{fact['end']}" if fact["end"] else "") if fact["start"] else None
    return " · ".join(x for x in (fact["certainty"], when) if x)


def _attribute_text(value: Any) -> str:
    """A free attribute as the curator would write it: yes/no, numbers, lists joined by commas."""
    if isinstance(value, list):
        return ", ".join(_attribute_text(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


# --- one function per result ------------------------------------------------------------------------

def path_text(found: dict[str, Any], start: str, end: str, number: int | None) -> str:
    """A path as plain lines: one per hop, with its sources, readable in 80 columns."""
    safe = terminal_text
    head = f"{'Path ' + str(number) + ': ' if number else ''}{safe(start)} → {safe(end)}: {found['length']} hop(s)"
    lines = textwrap.wrap(head, width=80, subsequent_indent="  ")
    indent = " " * 7
    for step, hop in enumerate(found["hops"], start=1):
        first, *more = hop["facts"]
        lines += textwrap.wrap(f"{step}. {safe(first['wording'])}", width=80, initial_indent="  ",
                               subsequent_indent=indent)
        detail = fact_detail(first)
        lines += textwrap.wrap(f"source: {safe(sources_line(first))}" + (f" · {safe(detail)}" if detail else ""),
                               width=80, initial_indent=indent, subsequent_indent=indent)
        if first["quote"]:
            lines += textwrap.wrap(f"“{safe(first['quote'])}”", width=80, initial_indent=indent,
                                   subsequent_indent=indent + " ")
        if more:
            lines += textwrap.wrap(f"(+{len(more)} more fact{'s' if len(more) > 1 else ''} on this hop: "
                                   + "; ".join(safe(f["wording"]) for f in more) + ")",
                                   width=80, initial_indent=indent, subsequent_indent=indent)
    return "\n".join(lines)


def card_lines(card: dict[str, Any]) -> list[Any]:
    """An entity card: its attributes as lines, then a table of its facts."""
    e = card["entity"]
    out: list[Any] = [_text(f"{e['name']}  ({e['type']}, id {e['id']})")]
    for label, value in (("aliases", ", ".join(e["aliases"])), ("description", e["description"]),
                         ("country", card["country"]["name"] if card["country"] else None),
                         ("dates", " – ".join(x for x in (e["start"], e["end"]) if x)),
                         *((k, _attribute_text(v)) for k, v in e["attributes"].items()),
                         ("defined at", f"{e['file']}:{e['line']}")):
        if value not in (None, ""):
            out.append(_text(f"  {label}: {value}"))
    if not card["facts"]:
        out.append(_text("  no facts"))
        return out
    table = _table("fact", "certainty · date", "source", title=f"{len(card['facts'])} facts")
    for fact in card["facts"]:
        wording = fact["wording"] + (f"\n“{fact['quote']}”" if fact["quote"] else "")
        table.add_row(_text(wording), _text(fact_detail(fact)), _text(sources_line(fact)))
    out.append(table)
    return out


def neighbours_table(found: list[dict[str, Any]], name: str, depth: int) -> Any:
    """Entities within N hops, nearest first, with the facts that reach them."""
    table = _table("hops", "entity", "type", "how", title=f"{len(found)} within {depth} hop(s) of {name}")
    for row in found:
        how = "\n".join(f["wording"] for f in row["facts"])
        table.add_row(str(row["distance"]), _text(row["name"]), _text(row["type"]), _text(how))
    return table


def stats_lines(result: dict[str, Any]) -> list[Any]:
    """The summary of ``graph_stats``: counts, tables by type, relation and certainty, most connected."""
    dataset = result["dataset"]
    out: list[Any] = [
        _text(f"{dataset.get('name')}" + (f" (as of {dataset['date']})" if dataset.get("date") else "")),
        _text(f"{result['entities']} entities, {result['facts']} facts, {result['sources']} sources; "
              f"{result['components']} connected component(s), the largest with "
              f"{result['largest_component']} entities; {result['facts_without_quote']} facts without a quote"),
    ]
    for title, counts in (("Entity type", result["entity_types"]), ("Relation", result["relations"]),
                          ("Certainty", result["certainty"])):
        table = _table(title, "count")
        for name, count in counts.items():
            table.add_row(_text(name), str(count))
        out.append(table)
    table = _table("Most connected", "type", "facts", "id")
    for row in result["most_connected"]:
        table.add_row(_text(row["name"]), _text(row["type"]), str(row["degree"]), _text(row["id"]))
    out.append(table)
    if result["isolated"]:
        out.append(_text("Isolated (no facts): " + ", ".join(result["isolated"])))
    return out


def search_table(results: list[dict[str, Any]]) -> Any:
    """Search results: name, type, id, and the alias that matched when it is not the name."""
    table = _table("name", "type", "id", "matched")
    for row in results:
        table.add_row(_text(row["name"]), _text(row["type"]), _text(row["id"]),
                      _text(row["matched"] if row["matched"] != row["name"] else ""))
    return table


def ambiguous_text(query: str, candidates: Iterable[tuple[str, str]]) -> str:
    """The message for a name that matches several entities, one candidate a line."""
    candidates = list(candidates)
    lines = [f"{_quoted(query)} matches {len(candidates)} entities; say which:"]
    lines += [f"  {terminal_text(eid)}  ({terminal_text(name)})" for eid, name in candidates]
    return "\n".join(lines)


def not_found_text(query: str, candidates: Iterable[tuple[str, str]]) -> str:
    """The message for a name that matches nothing, with the closest names."""
    candidates = list(candidates)
    hint = ("; did you mean: " + ", ".join(f"{terminal_text(eid)} ({terminal_text(name)})"
                                           for eid, name in candidates)) if candidates else "; try: tieline search TEXT"
    return f"no entity matches {_quoted(query)}{hint}"


def _quoted(text: str) -> str:
    return terminal_text(repr(text))


def error_lines(errors: Iterable[Any]) -> list[str]:
    """Located data problems, one line each, whatever the file names and messages hold."""
    return [terminal_text(str(error)) for error in errors]


def error_message(error: Exception) -> list[str]:
    """The lines a tieline error prints on stderr, each starting ``tieline:`` but located problems."""
    from .errors import AmbiguousEntity, DataErrors, EntityNotFound

    if isinstance(error, DataErrors):
        return [*error_lines(error.errors), "tieline: " + validation_summary(
            len(error.errors), getattr(error, "folder", "data"), getattr(error, "wrote_nothing", True))]
    if isinstance(error, AmbiguousEntity):
        return ["tieline: " + ambiguous_text(error.query, error.candidates)]
    if isinstance(error, EntityNotFound):
        return ["tieline: " + not_found_text(error.query, error.candidates)]
    return ["tieline: " + terminal_text(str(error))]


def validation_summary(count: int, folder: str, wrote_nothing: bool) -> str:
    """``3 problems in data/ (nothing was written)``."""
    return (f"{count} problem{'s' if count != 1 else ''} in {terminal_text(folder)}/"
            + (" (nothing was written)" if wrote_nothing else ""))


def shown_name(name: str) -> str:
    """A name in a one-line message."""
    return terminal_text(name)


# --- who matters: rank, brokers, clusters ------------------------------------------------------------


# --- time: dates in words, timeline ------------------------------------------------------------------


# --- names: candidates, dedupe -----------------------------------------------------------------------


# --- FollowTheMoney: import report --------------------------------------------------------------------


class Progress:
    """A progress bar on stderr, shown only for big loads on a terminal: ``progress(done, total)``."""

    MIN_BYTES = 3_000_000  # roughly a second of parsing

    def __init__(self, label: str = "parsing fact files") -> None:
        self.label = label
        self.bar: Any = None
        self.task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if total < self.MIN_BYTES or not sys.stderr.isatty():
                return
            from rich.console import Console
            from rich.progress import Progress as Bar

            self.bar = Bar(console=Console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task(self.label, total=total)
        self.bar.update(self.task, completed=done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
