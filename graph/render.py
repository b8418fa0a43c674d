"""Text for people: one function per result type, and the one escaping function for terminals.

Every string that comes from the data or the file system and reaches a terminal passes through
:func:`terminal_text`: control characters (C0, C1, DEL, ESC, BEL), bidi overrides and other
invisible format characters are shown visibly, so no name, quote or file name can move the cursor,
recolour the terminal, forge a line or reorder what is shown. Data text reaches rich only as
:class:`rich.text.Text`, never as markup: ``[sic]`` stays ``[sic]``, ``[link=…]`` is not a link.

Functions return strings (plain lines) or :class:`Rows` (tables); :func:`show` prints them: a
table as a rich table for people at a terminal, and as plain rows — a header line, then one record
a line, tab-separated, nothing wrapped or cut — when stdout is not a terminal or with ``--plain``
(:data:`VOICE`). Every line that states a fact ends with its :func:`caveat` — certainty (unless the
strongest level), dates, source: ``reported · on 2 April 2025 · Radio Free Europe/Radio Liberty``.
"""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .dates import date_text
from .errors import AmbiguousEntity, DataErrors, EntityNotFound
from .glyphs import replace_invisible
from .timeline import absence_reason
from .wording import counted, entity_when
from .yamlwrite import scalar

__all__ = [
    "terminal_text", "json_text", "show", "path_text", "search_stopped_text", "card_lines", "neighbours_lines", "stats_lines",
    "search_table", "ambiguous_text", "not_found_text", "error_lines", "sources_line",
    "statement_lines", "claim_cells", "conflicts_lines",
    "validation_summary", "shown_name", "Progress", "error_message", "rank_table", "brokers_lines",
    "clusters_lines", "import_report_lines", "no_path_text", "no_neighbours_text", "timeline_lines",
    "shared_names_line", "dedupe_table", "xref_table", "bounded_lines", "resolutions_text", "validation_json",
    "build_summary", "Voice", "VOICE", "speak", "is_plain", "Rows", "caveat", "guessed_line", "ISOLATED_SHOWN",
    "counted",
]

_CONTROL_PICTURES = {i: chr(0x2400 + i) for i in range(0x20)} | {0x7F: "\u2421"}


def terminal_text(text: Any, *, newlines: bool = False) -> str:
    """``text`` safe to print: controls as visible pictures (␛, ␇), invisibles as ``<U+202E>``.

    Invisible is what :mod:`graph.glyphs` says it is, as in validation. With ``newlines``, line
    breaks and tabs are kept (layout of our own multi-line text); otherwise a line break in the data
    shows as ␤ and a message stays one line.
    """
    text = "" if text is None else str(text)
    if text.isascii() and text.isprintable():
        return text

    def visible(char: str) -> str:
        code = ord(char)
        if newlines and char in "\n\t":
            return char
        if char == "\n":
            return "\u2424"
        if code in _CONTROL_PICTURES:
            return _CONTROL_PICTURES[code]
        return f"<U+{code:04X}>"

    return _lone_surrogates(replace_invisible(text, visible))


def _lone_surrogates(text: str) -> str:
    """Lone surrogates (from file names that are not UTF-8) as ``<U+DCxx>``: printable, encodable."""
    if not any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        return text
    return "".join(f"<U+{ord(c):04X}>" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)


def json_text(value: Any, ascii_only: bool = False) -> str:
    """A JSON document as printed by ``--json``: non-ASCII kept, but every character :mod:`graph.glyphs`
    calls invisible written as a ``\\uXXXX`` escape (the same JSON, harmless on a terminal);
    ``ascii_only``: every non-ASCII character escaped (for a terminal that cannot show it)."""
    text = json.dumps(value, ensure_ascii=ascii_only, indent=2, sort_keys=False)
    # json.dumps escapes C0 controls itself; the line breaks are its layout
    return "\n".join(replace_invisible(line, _json_escape) for line in text.split("\n"))


def _json_escape(char: str) -> str:
    """``char`` as a JSON string escape (a surrogate pair beyond the Basic Multilingual Plane)."""
    return json.dumps(char)[1:-1]


# --- how this run prints ---------------------------------------------------------------------------

@dataclass
class Voice:
    """How this run prints, set once by the command line (:func:`speak`) before it answers."""

    plain: bool = False
    """``--plain``: plain rows even on a terminal (they are the rule when stdout is not one)."""
    levels: tuple[str, ...] = ()
    """The schema's certainty levels, strongest first: the strongest goes unsaid in a caveat."""
    entity_types: dict[str, Any] = field(default_factory=dict)
    """The schema's entity types: how an entity's own dates are worded."""
    headline: str | None = None
    """The view filters in words, printed once before the answer's first line."""


VOICE = Voice()
"""How the text answers of this process print (the defaults: a library caller's)."""


def speak(**settings: Any) -> None:
    """Set how this run prints (the fields of :class:`Voice`)."""
    for name, value in settings.items():
        setattr(VOICE, name, value)


def is_plain() -> bool:
    """Whether tables print as plain rows: with ``--plain``, or when stdout is not a terminal."""
    if VOICE.plain:
        return True
    try:
        return not sys.stdout.isatty()
    except (AttributeError, ValueError):
        return True


@dataclass
class Rows:
    """A table: column names, rows of cells (a cell is text, or a list of lines), an optional title.

    :func:`show` prints it rich at a terminal, or as plain rows: the title on a line, the header
    line, then one record a line, tab-separated, a cell's lines joined by " — "; tabs and line
    breaks inside data shown as ␉ and ␤, so a record never spans two lines or columns.
    """

    columns: tuple[str, ...]
    title: str | None = None
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    widths: tuple[int, ...] | None = None  # fixed column widths at a terminal (long listings)
    show_header: bool = True

    def add_row(self, *cells: Any) -> None:
        self.rows.append(cells)

    def plain_lines(self) -> list[str]:
        """The table as plain rows."""
        head = [terminal_text(self.title)] if self.title and self.show_header else []
        if self.show_header:
            head.append("\t".join(self.columns))
        return head + ["\t".join(_plain_cell(cell) for cell in row) for row in self.rows]

    def rich(self) -> Any:
        """The table as a rich renderable, data text never read as markup."""
        from rich.table import Table

        table = Table(*self.columns, title=_text(self.title) if self.title else None, title_justify="left",
                      show_edge=False, pad_edge=False, expand=False, show_header=self.show_header)
        for column in table.columns:
            column.overflow = "fold"  # a long id or word is broken across lines, never cut with "…"
        for column, width in zip(table.columns, self.widths or ()):
            column.width = width
        for row in self.rows:
            table.add_row(*(_text("\n".join(cell) if isinstance(cell, list) else cell) for cell in row))
        return table


def _plain_cell(cell: Any) -> str:
    parts = cell if isinstance(cell, list) else [cell]
    return " — ".join(terminal_text(part) for part in parts if part not in (None, ""))


def _text(value: Any) -> Any:
    """Data text as a rich renderable that is never interpreted as markup."""
    from rich.text import Text

    return Text(terminal_text(value, newlines=True))


def _table(*columns: str, title: str | None = None) -> Rows:
    return Rows(columns, title)


def show(renderable: Any) -> None:
    """Print a table (:class:`Rows`), a rich renderable or a plain string on stdout, with no
    highlighting or markup; before the first, the view filters in words (:attr:`Voice.headline`)."""
    if VOICE.headline:
        sys.stdout.write(terminal_text(VOICE.headline) + "\n")
        VOICE.headline = None
    if isinstance(renderable, Rows) and is_plain():
        sys.stdout.write("".join(line + "\n" for line in renderable.plain_lines()))
        return
    if isinstance(renderable, str):
        sys.stdout.write(renderable + "\n")
        return
    if is_plain() and hasattr(renderable, "plain"):  # a rich Text: one line per line, never wrapped
        sys.stdout.write(renderable.plain + "\n")
        return
    from rich.console import Console

    Console(highlight=False, soft_wrap=False, markup=False, emoji=False).print(
        renderable.rich() if isinstance(renderable, Rows) else renderable)


def _wrap(text: str, initial: str = "", subsequent: str = "") -> list[str]:
    """``text`` wrapped at 80 columns for a terminal; one line, whole, as plain output."""
    if is_plain():
        return [initial + text]
    return textwrap.wrap(text, width=80, initial_indent=initial, subsequent_indent=subsequent) or [initial]


# --- facts ----------------------------------------------------------------------------------------

def sources_line(fact: dict[str, Any]) -> str:
    """A fact's sources as one line: ``Title (Publisher, 2025-04-02); …``."""
    parts = []
    for source in fact["sources"]:
        label = source.get("title") or source["id"]
        extra = ", ".join(x for x in (source.get("publisher"), source.get("published")) if x)
        parts.append(f"{label} ({extra})" if extra else label)
    return "; ".join(parts)


def caveat(fact: dict[str, Any]) -> str:
    """What a line stating ``fact`` says of it in short: its certainty unless it is the strongest
    level, its dates, its sources by publisher: ``reported · on 2 April 2025 · Radio Free Europe/Radio Liberty``."""
    strongest = VOICE.levels[0] if VOICE.levels else None
    names = list(dict.fromkeys(s.get("publisher") or s.get("title") or s["id"] for s in fact["sources"]))
    parts = (fact["certainty"] if fact["certainty"] != strongest else None, fact.get("when"), ", ".join(names))
    return " · ".join(x for x in parts if x)


def _stated(fact: dict[str, Any]) -> str:
    """A fact in one line: its wording, then its caveat."""
    said = caveat(fact)
    return f"{fact['wording']} ({said})" if said else fact["wording"]


def statement_lines(fact: dict[str, Any], indent: str) -> list[str]:
    """A claim stated several times, under its wording: "3 sources:", then each statement's caveat
    (certainty, dates, publishers), its quote, its note and its sources in full."""
    statements = fact["statements"]
    lines = [f"{indent}{counted(len(statements), 'source')}:"]
    for statement in statements:
        lines += _wrap(f"- {terminal_text(caveat(statement))}", indent, indent + "  ")
        lines += _fact_notes(statement, indent + "  ")
    return lines


def claim_cells(fact: dict[str, Any]) -> tuple[list[str], str]:
    """The cells of a claim stated several times in a card's table: its wording, then each
    statement's quote and note; "N sources", then each statement's caveat."""
    statements = fact["statements"]
    said = [f"{n}. “{s['quote']}”" for n, s in enumerate(statements, start=1) if s["quote"]]
    said += [f"{n}. note: {s['note']}" for n, s in enumerate(statements, start=1) if s.get("note")]
    caveats = [f"{n}. {caveat(s)}" for n, s in enumerate(statements, start=1)]
    return [fact["wording"], *said], "\n".join([counted(len(statements), "source"), *caveats])


def conflicts_summary_line(count: int) -> str:
    """What ``validate`` says on stderr when sources disagree."""
    return (f"{count} conflict{'s' if count != 1 else ''} between sources or stories (values that differ); "
            "`tieline conflicts` lists them")


def conflicts_lines(result: dict[str, Any]) -> list[str]:
    """Every disagreement: the claim or entity, the field, then each value with its sources and places."""
    lines: list[str] = []
    for claim in result["claims"]:
        lines.append(terminal_text(f"{claim['wording']}: {claim['field']} differs ({claim['claim']})"))
        for value in claim["values"]:
            for statement in value["statements"]:
                lines += textwrap.wrap(terminal_text(f"{value['value']}: {sources_line(statement)} "
                                                     f"({statement['file']}:{statement['line']})"),
                                       width=80, initial_indent="  ", subsequent_indent="    ")
    for declared in result["declarations"]:
        lines.append(terminal_text(f"{declared['kind']} {declared['name']} ({declared['id']}): "
                                   f"{declared['field']} differs between stories"))
        for value in declared["values"]:
            lines += textwrap.wrap(terminal_text(f"{_attribute_text(value['value'])} ({value['file']}:{value['line']}, "
                                                 f"story {value['story']})"),
                                   width=80, initial_indent="  ", subsequent_indent="    ")
    return lines or ["no conflicts: no two sources or stories disagree"]


def _attribute_text(value: Any) -> str:
    """A free attribute as the curator would write it: yes/no, numbers, lists joined by commas."""
    if isinstance(value, list):
        return ", ".join(_attribute_text(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


# --- one function per result ------------------------------------------------------------------------

def path_text(found: dict[str, Any], start: str, end: str, number: int | None) -> str:
    """A path as lines: one per hop, its fact and caveat, then the quote, the curator's note and
    the sources; wrapped at 80 columns on a terminal, one line each as plain output."""
    safe = terminal_text
    head = (f"{'Path ' + str(number) + ': ' if number else ''}{safe(start)} → {safe(end)}: "
            f"{counted(found['length'], 'hop')}")
    lines = _wrap(head, "", "  ")
    indent = " " * 7
    for step, hop in enumerate(found["hops"], start=1):
        first, *more = hop["facts"]
        lines += _wrap(f"{step}. {safe(_stated(first))}", "  ", indent)
        lines += statement_lines(first, indent) if first.get("statements") else _fact_notes(first, indent)
        if more:
            lines += _wrap(f"(+{counted(len(more), 'more fact')} on this hop: "
                           + "; ".join(safe(_stated(f)) for f in more) + ")", indent, indent)
    return "\n".join(lines)


def _fact_notes(fact: dict[str, Any], indent: str) -> list[str]:
    """Under a fact: its quote, the curator's note, its sources in full."""
    lines: list[str] = []
    if fact["quote"]:
        lines += _wrap(f"“{terminal_text(fact['quote'])}”", indent, indent + " ")
    if fact.get("note"):
        lines += _wrap(f"note: {terminal_text(fact['note'])}", indent, indent)
    return lines + _wrap(f"source: {terminal_text(sources_line(fact))}", indent, indent)


def card_lines(card: dict[str, Any]) -> list[Any]:
    """An entity card: its attributes as lines, then a table of its facts, each with its caveat,
    quote and note, then the sources they cite."""
    e = card["entity"]
    out: list[Any] = [_text(f"{e['name']}  ({e['type']}, id {e['id']})")]
    for label, value in (("aliases", ", ".join(e["aliases"])), ("description", e["description"]),
                         ("country", card["country"]["name"] if card["country"] else None),
                         ("dates", entity_when(e, VOICE.entity_types)),
                         *((k, _attribute_text(v)) for k, v in e["attributes"].items()),
                         ("defined at", f"{e['file']}:{e['line']}")):
        if value not in (None, ""):
            out.append(_text(f"  {label}: {value}"))
    if not card["facts"]:
        out.append(_text("  no facts"))
        return out
    table = _table("fact", "certainty · date · source", title=counted(len(card["facts"]), "fact"))
    cited: dict[str, dict[str, Any]] = {}
    for fact in card["facts"]:
        if fact.get("statements"):
            table.add_row(*claim_cells(fact))
        else:
            table.add_row([fact["wording"], *([f"“{fact['quote']}”"] if fact["quote"] else []),
                           *([f"note: {fact['note']}"] if fact.get("note") else [])], caveat(fact))
        cited.update((s["id"], s) for s in fact["sources"])
    out.append(table)
    out.append(_text("sources: " + "; ".join(sources_line({"sources": [s]}) for s in cited.values())))
    return out


NEIGHBOURS_CHUNK = 100
"""Rows per table when a neighbours listing is long: each is printed as soon as it is laid out."""


def neighbours_lines(result: dict[str, Any], name: str) -> Iterator[Any]:
    """Entities within N hops, nearest first, with the facts that reach them, each with its caveat;
    then how many more there are beyond ``--limit``. Columns: hops, id, entity, type, how. A long
    listing comes as tables of :data:`NEIGHBOURS_CHUNK` rows with fixed column widths at a
    terminal, so that it prints as it goes and its columns still line up."""
    found, total = result["neighbours"], result["total"]
    title = f"{total:,} within {counted(result['depth'], 'hop')} of {name}"
    long = len(found) > NEIGHBOURS_CHUNK
    for start in range(0, max(len(found), 1), NEIGHBOURS_CHUNK):
        table = Rows(("hops", "id", "entity", "type", "how"), None if start else title,
                     widths=(4, 14, 17, 8, 24) if long else None, show_header=not start)  # 79 columns with rules
        for row in found[start:start + NEIGHBOURS_CHUNK]:
            table.add_row(str(row["distance"]), row["id"], row["name"], row["type"],
                          [_stated(f) for f in row["facts"]] if not is_plain()
                          else "; ".join(_stated(f) for f in row["facts"]))
        yield table
    more = total - len(found)
    if more:
        yield f"… and {more:,} more (use --limit)"


ISOLATED_SHOWN = 5
"""How many isolated entities ``stats`` names (``--json`` lists them all)."""


def stats_lines(result: dict[str, Any]) -> list[Any]:
    """The summary of ``graph_stats``: counts, tables by type, relation and certainty, most connected."""
    dataset = result["dataset"]
    out: list[Any] = [
        _text(f"{dataset.get('name')}" + (f" (as of {dataset['date']})" if dataset.get("date") else "")),
        _text(f"{counted(result['entities'], 'entity')}, {counted(result['facts'], 'fact')}, "
              f"{counted(result['sources'], 'source')}; {counted(result['components'], 'connected component')}, "
              f"the largest with {counted(result['largest_component'], 'entity')}; "
              f"{counted(result['facts_without_quote'], 'fact without a quote')}"),
        _text(_dates_line(result)),
    ]
    for title, counts in (("Entity type", result["entity_types"]), ("Relation", result["relations"]),
                          ("Certainty", result["certainty"])):
        table = _table(title, "count")
        for name, count in counts.items():
            table.add_row(name, str(count))
        out.append(table)
    table = _table("Most connected", "type", "facts", "id")
    for row in result["most_connected"]:
        table.add_row(row["name"], row["type"], str(row["degree"]), row["id"])
    out.append(table)
    isolated = result["isolated"]
    if isolated:
        shown = ", ".join(isolated[:ISOLATED_SHOWN])
        more = (f" … and {len(isolated) - ISOLATED_SHOWN:,} more (all of them: tieline stats --json, "
                "under \"isolated\")") if len(isolated) > ISOLATED_SHOWN else ""
        out.append(_text(f"{counted(len(isolated), 'isolated entity', thousands=True)} (no facts): {shown}{more}"))
    return out


def search_table(results: list[dict[str, Any]]) -> Any:
    """Search results: name, type, id, and the alias that matched when it is not the name."""
    table = _table("name", "type", "id", "matched")
    for row in results:
        table.add_row(row["name"], row["type"], row["id"],
                      row["matched"] if row["matched"] != row["name"] else "")
    return table


def ambiguous_text(query: str, candidates: Iterable[Any]) -> str:
    """The message for a name that matches several entities: one candidate a line, then how to pick one.

    Each candidate (:class:`graph.errors.Candidate`) shows name, type, country, short description, id.
    """
    candidates = list(candidates)
    lines = [f"{_quoted(query)} matches {len(candidates)} entities; say which:"]
    for c in candidates:
        about = " · ".join(terminal_text(x) for x in (c.type, c.country, _short(c.description)) if x)
        lines.append(f"  {terminal_text(c.name)}" + (f" — {about}" if about else "") + f" — id {terminal_text(c.id)}")
    hint = f"give the id (e.g. {terminal_text(candidates[0].id)})" if candidates else "give the id"
    types = sorted({c.type for c in candidates if c.type})
    if len(types) > 1:
        hint += f", or the type in brackets (e.g. {_quoted(f'{query} ({types[0]})')})"
    return "\n".join(lines + [f"  {hint}"])


def _short(text: str, width: int = 60) -> str:
    """``text`` on one line, cut to ``width`` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1].rstrip() + "…"


def not_found_text(query: str, candidates: Iterable[tuple[str, str]]) -> str:
    """The message for a name that matches nothing, with the closest names."""
    candidates = list(candidates)
    hint = ("; did you mean: " + ", ".join(f"{terminal_text(eid)} ({terminal_text(name)})"
                                           for eid, name in candidates)) if candidates else "; try: tieline search TEXT"
    return f"no entity matches {_quoted(query)}{hint}"


def guessed_line(doing: str, name: str, entity_id: str, query: str) -> str:
    """``showing Kirill Dmitriev for 'Kiril Dmitriev' (id kirill-dmitriev)``: a clear candidate taken for a misspelt name."""
    return f"{doing} {terminal_text(name)} for {_quoted(query)} (id {terminal_text(entity_id)})"


def _quoted(text: str) -> str:
    return terminal_text(repr(text))


def error_lines(errors: Iterable[Any]) -> list[str]:
    """Located data problems, one line each, whatever the file names and messages hold."""
    return [terminal_text(str(error)) for error in errors]


def error_message(error: Exception) -> list[str]:
    """The lines a tieline error prints on stderr, each starting ``tieline:`` but located problems."""

    if isinstance(error, DataErrors):
        return [*error_lines(error.errors), "tieline: " + (error.summary or validation_summary(
            len(error.errors), error.folder, error.wrote_nothing))]
    if isinstance(error, AmbiguousEntity):
        return ["tieline: " + ambiguous_text(error.query, error.candidates)]
    if isinstance(error, EntityNotFound):
        return ["tieline: " + not_found_text(error.query, error.candidates)]
    return ["tieline: " + terminal_text(str(error))]


def validation_json(errors: Iterable[Any]) -> dict[str, Any]:
    """What ``validate --json`` prints for invalid data: every problem with its place."""
    return {"valid": False, "errors": [{"path": e.path, "line": e.line, "column": e.column, "message": e.message}
                                       for e in errors]}


def build_summary(stats: dict[str, Any], written: dict[str, Any]) -> list[str]:
    """What ``tieline build`` says once its files are written: counts, the most connected, what to open."""
    safe = terminal_text
    return [f"{safe(stats['dataset'].get('name'))}: {counted(stats['entities'], 'entity')}, "
            f"{counted(stats['facts'], 'fact')}, {counted(stats['sources'], 'source')}, "
            f"{counted(stats['components'], 'component')}",
            "most connected: " + ", ".join(f"{safe(r['name'])} ({r['degree']})" for r in stats["most_connected"]),
            f"open {safe(written['html'])} in a browser; load {safe(written['graphml'])} in Gephi or Cytoscape"]


def validation_summary(count: int, folder: str, wrote_nothing: bool) -> str:
    """``3 problems in data/ (nothing was written)``."""
    return (f"{counted(count, 'problem', thousands=False)} in {terminal_text(folder)}/"
            + (" (nothing was written)" if wrote_nothing else ""))


def shown_name(name: str) -> str:
    """A name in a one-line message."""
    return terminal_text(name)


# --- who matters: rank, brokers, clusters ------------------------------------------------------------

def _approximate_note(result: dict[str, Any]) -> str:
    """`` (approximate: 100 of 10,000 sources, seed 0)`` when the measure was sampled."""
    sample = result.get("approximate")
    return (f" (approximate: {sample['sources']:,} of {sample['of']:,} sources, seed {sample['seed']})"
            if sample else "")


def _score(score: float | int) -> str:
    return str(score) if isinstance(score, int) else f"{score:.6g}"


def rank_table(result: dict[str, Any]) -> Any:
    """``tieline rank``: entities by score, highest first."""
    through = f", people linked through {' and '.join(result['project'])}" if result.get("project") else ""
    table = _table("#", "entity", "type", result["measure"], "id",
                   title=f"Ranked by {result['measure']}{through}{_approximate_note(result)}")
    for number, row in enumerate(result["ranking"], start=1):
        table.add_row(str(number), row["name"], row["type"], _score(row["score"]), row["id"])
    return table


def brokers_lines(result: dict[str, Any]) -> list[Any]:
    """``tieline brokers``: a table of brokers, then one example path through each, as ``path`` shows it."""
    a, b = result["sides"]
    table = _table("#", "broker", "type", "share of paths", "id",
                   title=f"Between {a['name']} ({counted(a['members'], 'entity')}) and {b['name']} "
                         f"({counted(b['members'], 'entity')}): "
                         f"{result['pairs']:,} connected pairs{_approximate_note(result)}")
    for number, row in enumerate(result["brokers"], start=1):
        table.add_row(str(number), row["name"], row["type"], _score(row["score"]), row["id"])
    out: list[Any] = [table]
    for number, row in enumerate(result["brokers"], start=1):
        hops = row["example"]["hops"]
        out.append("")
        out.append(f"{number}. through {terminal_text(row['name'])}, for example:")
        out.append(path_text(row["example"], hops[0]["from"]["name"], hops[-1]["to"]["name"], None))
    return out


def _listed(items: list[str], most: int = 12) -> str:
    """``a, b, c … (+9 more)`` at a terminal; every item as plain output."""
    more = len(items) - most if not is_plain() else 0
    return ", ".join(items[:most]) + (f" … (+{more:,} more)" if more > 0 else "")


def clusters_lines(result: dict[str, Any]) -> list[Any]:
    """``tieline clusters``: one row per cluster, its label and members by name."""
    through = f" (people linked through {' and '.join(result['project'])})" if result.get("project") else ""
    table = _table("#", "cluster", "size", "members", title=f"{counted(len(result['clusters']), 'cluster')}{through}")
    for cluster in result["clusters"]:
        table.add_row(str(cluster["id"]), cluster["label"]["name"], str(cluster["size"]),
                      _listed(cluster["members"]))
    return [table]


# --- time: dates in words, timeline ------------------------------------------------------------------

def _dates_line(result: dict[str, Any]) -> str:
    """``facts dated from February 2022 to 2 April 2025; 61 undated``."""
    first, last, undated = result["first_date"], result["last_date"], result["undated_facts"]
    if first is None:
        return f"no dated facts; {undated} undated"
    span = f"on {date_text(first)}" if first == last else f"from {date_text(first)} to {date_text(last)}"
    return f"facts dated {span}; {undated} undated"


def no_path_text(whole: Any, viewed: Any, start: str, end: str, search: dict[str, Any], view: Any, *,
                 max_hops: int | None = None, directed: bool = False, narrowed: bool = False) -> str:
    """Why ``path`` found nothing: its conditions, what ran backwards, why an end has no facts in
    the time window (``whole`` is the graph, ``viewed`` the graph the view shows)."""

    names = viewed.nodes[start]["name"], viewed.nodes[end]["name"]
    window = view.window
    filtered = narrowed or view.filters_types or bool(view.relations or view.exclude_relations
                                                       or view.certainty is not None or view.dated_only
                                                       or view.min_sources > 1)
    text = f"no path from {names[0]} to {names[1]}" + (f" within {max_hops} hops" if max_hops else "") \
        + (" following fact direction" if directed else "") + (f" {window.words}" if window else "") \
        + (" with these filters" if filtered else "")
    if search["gave_up"]:
        text = (f"no chronological path from {names[0]} to {names[1]} among the first {search['examined']:,} "
                f"routes (gave up there; narrow the search with --max-hops, --via-type, --avoid or a time window)")
    elif search["backwards"]:
        text = (f"{counted(search['backwards'], 'path')} from {names[0]} to {names[1]} found, but every one runs "
                f"backwards in time: no chronological path")
    reasons = [absence_reason(whole, viewed, n, window) for n in dict.fromkeys((start, end))] if window else []
    reasons = [r for r in reasons if r]
    return terminal_text(text + (": " + "; ".join(reasons) if reasons else ""))


def search_stopped_text(search: dict[str, Any]) -> str:
    """What ``path --routes``/``--chronological`` says when its work bound stopped it after some paths."""
    return (f"the search stopped after {search['examined']:,} route(s), at its bound on work: there may be more; "
            "narrow it with --max-hops, --via-type, --avoid or a time window")


def no_neighbours_text(whole: Any, viewed: Any, node: str, window: Any) -> str:
    """``no neighbours match``, and in a time window why the entity has none then."""

    why = absence_reason(whole, viewed, node, window) if window else None
    return "no neighbours match" + (terminal_text(f" {window.words}: {why}") if why else "")


def timeline_lines(result: dict[str, Any]) -> list[Any]:
    """A timeline: one heading per date or interval, its events and facts, each sourced."""
    out: list[Any] = []
    for entry in result["entries"]:
        lines = [terminal_text((entry["when"] or "")[:1].upper() + (entry["when"] or "")[1:])]
        for event in entry["events"]:
            who = ", ".join(p["name"] for p in event["participants"])
            lines += _wrap(terminal_text(f"◆ {event['name']}" + (f" — with {who}" if who else "")), "  ", "    ")
        for fact in entry["facts"]:
            lines += _wrap(terminal_text(f"• {_stated(fact)}"), "  ", "    ")
        out.append("\n".join(lines))
    out.append(f"{counted(result['undated'], 'undated fact')} not shown"
               if result["undated"] else "no undated facts")
    return out


# --- names: candidates, dedupe -----------------------------------------------------------------------

def shared_names_line(count: int) -> str:
    """``3 names are shared by several entities (homonyms or duplicates); `tieline dedupe` reviews them``."""
    return (f"{counted(count, 'name')} {'is' if count == 1 else 'are'} shared by several entities (homonyms or duplicates); "
            "`tieline dedupe` reviews them")


def dedupe_table(result: dict[str, Any]) -> Any:
    """Candidate duplicates: score, the two entities (name, type, id), the reasons."""
    return _pairs_table(result["candidates"], "entity", "may be the same as")


def xref_table(result: dict[str, Any]) -> Any:
    """Candidate matches of `xref`: score, the story's entity, the reference's, the reasons."""
    return _pairs_table(result["candidates"], "in the story", "may be, in the reference")


def _pairs_table(candidates: list[dict[str, Any]], left: str, right: str) -> Any:
    table = _table("score", left, right, "why", title=counted(len(candidates), "candidate pair"))
    for pair in candidates:
        a, b = pair["a"], pair["b"]
        table.add_row(f"{pair['score']:.2f}", [a["name"], f"{a['type']} · {a['id']}"],
                      [b["name"], f"{b['type']} · {b['id']}"], "; ".join(pair["reasons"]))
    return table


def bounded_lines(bounded: dict[str, Any]) -> list[str]:
    """What `dedupe` and `xref` say on stderr when a block was too large to compare whole."""
    if not bounded["count"]:
        return []
    largest = bounded["largest"][0]
    kind = "story entities" if largest["kind"] == "story entity" else "blocks"
    return [f"{bounded['count']:,} {kind} had too many candidates to compare them all (the largest: "
            f"{largest['entities']:,} for {shown_name(largest['key'])!r}); each was compared with its "
            f"{bounded['window']} closest, {bounded['pairs_left_out']:,} pairs left out (--json lists them)"]


def resolutions_text(result: dict[str, Any]) -> str:
    """The pairs as a ``resolutions:`` section to paste into a fact file: pairs that share an entity in
    one ``same`` group (the loader wants all the ids of one thing in one group), each pair's score and
    reasons as comments above it."""
    lines = ["resolutions:",
             "  # proposed: keep each `same` you confirm; make it `different` when they are two (the first id stays)"]
    for group, members in _groups(result["candidates"]):
        for pair in members:
            lines.append(f"  # {pair['score']:.2f} {_comment(pair['a']['name'])} / {_comment(pair['b']['name'])}: "
                         + _comment("; ".join(pair["reasons"])))
        lines.append(f"  - same: [{', '.join(scalar(i, flow=True) for i in group)}]")
    return "\n".join(lines)


def _groups(candidates: list[dict[str, Any]]) -> list[tuple[list[str], list[dict[str, Any]]]]:
    """Candidate pairs joined into groups of ids (in the order first met, best pair first), with their pairs."""
    group_of: dict[str, int] = {}
    groups: list[tuple[list[str], list[dict[str, Any]]]] = []
    for pair in candidates:
        a, b = pair["a"]["id"], pair["b"]["id"]
        known = sorted({group_of[i] for i in (a, b) if i in group_of})
        if not known:
            group_of[a] = group_of[b] = len(groups)
            groups.append(([a, b], [pair]))
            continue
        ids, pairs = groups[known[0]]
        for other in known[1:]:  # the pair joins two groups: the later one moves into the first
            ids.extend(i for i in groups[other][0] if i not in ids)
            pairs.extend(groups[other][1])
            for i in groups[other][0]:
                group_of[i] = known[0]
            groups[other] = ([], [])
        ids.extend(i for i in (a, b) if i not in ids)
        pairs.append(pair)
        group_of[a] = group_of[b] = known[0]
    return [group for group in groups if group[0]]


def _comment(text: str) -> str:
    """Text safe inside a one-line YAML comment (and on a terminal)."""
    return terminal_text(text)


# --- FollowTheMoney: import report --------------------------------------------------------------------

def import_report_lines(report: Any, out: Any, joined: bool) -> list[str]:
    """What ``tieline import ftm`` says on stderr: where it wrote, the counts, each kind of problem with examples."""
    head = f"tieline: wrote {terminal_text(out)}/" + (" (joins the story: run tieline validate)" if joined else "")
    return [head, *(terminal_text(line) for line in report.summary().splitlines())]


class Progress:
    """A progress bar on stderr, shown only for big loads on a terminal: ``progress(done, total)``."""

    MIN_BYTES = 3_000_000  # roughly a second of parsing
    MIN_VISITS = 20_000_000  # edge visits of an analysis: a few seconds of searches
    MIN_ROWS = 500_000  # rows of a query index: a few seconds of writing

    def __init__(self, label: str = "parsing fact files", minimum: int = MIN_BYTES) -> None:
        """A bar named ``label``, shown when the total reaches ``minimum`` (bytes, visits, lines…)."""
        self.label = label
        self.minimum = minimum
        self.bar: Any = None
        self.task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if total < self.minimum or not sys.stderr.isatty():
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
