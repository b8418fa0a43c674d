"""tieline's command line: parse arguments, call the library in ``graph/``, render the results.

Exit codes: 0 success · 1 no result (no path, no match) · 2 usage error (bad option, unknown or
ambiguous entity, graph too large to draw) · 3 invalid data · 4 output could not be written.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from graph import __version__
from graph.errors import (AmbiguousEntity, DataErrors, EntityNotFound, GraphTooLarge, OutputError,
                          TielineError)

if TYPE_CHECKING:
    from graph.pipeline import Compiled

EXIT_OK, EXIT_NO_RESULT, EXIT_USAGE, EXIT_DATA, EXIT_OUTPUT = 0, 1, 2, 3, 4
EXIT_CODES_HELP = ("Exit codes: 0 success; 1 no result (no path, no match); 2 usage error "
                   "(bad option, unknown or ambiguous entity, graph too large to draw); "
                   "3 invalid data; 4 output could not be written.")

app = typer.Typer(
    name="tieline",
    epilog=EXIT_CODES_HELP,
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
export_app = typer.Typer(
    help="Write the graph (or a focused part of it) as HTML, GraphML, GEXF, JSON or CSV.\n\n"
         "Example: tieline export html --focus RDIF --depth 2",
    epilog=EXIT_CODES_HELP,
    no_args_is_help=True,
)
app.add_typer(export_app, name="export")

# --- options shared by every command ----------------------------------------------------------------

DataOption = Annotated[Path, typer.Option(
    "--data", "-d", envvar="TIELINE_DATA", show_default=True,
    help="The fact folder (env TIELINE_DATA).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON on stdout.")]
NoCacheOption = Annotated[bool, typer.Option(
    "--no-cache", envvar="TIELINE_NO_CACHE", help="Load and validate from scratch; don't read or write the cache.")]
RelationOption = Annotated[Optional[list[str]], typer.Option(
    "--relation", "-r", help="Only facts with this relation (repeatable).")]
TypeOption = Annotated[Optional[list[str]], typer.Option(
    "--type", "-t", help="Only entities of this type (repeatable).")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"tieline {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="Show the version and exit.")] = False) -> None:
    """Explore a graph of sourced facts: who is connected to whom, how, and says who.

    Example: tieline path "Kirill Dmitriev" "Marco Rubio"
    """


# --- helpers: loading, errors, rendering ------------------------------------------------------------

def _fail(message: str, code: int) -> typer.Exit:
    """Print ``message`` on stderr and return the Exit to raise."""
    typer.echo(f"tieline: {message}" if not message.startswith(("tieline", "\n")) else message, err=True)
    return typer.Exit(code)


def _read(data: Path, no_cache: bool) -> Compiled:
    """The compiled graph of ``data``; raises DataErrors, also when a file vanishes while it is read."""
    from graph.pipeline import load_compiled
    from graph.errors import DataError

    progress = _Progress()
    try:
        return load_compiled(data, use_cache=not no_cache, progress=progress)
    except OSError as exc:
        where = exc.filename or str(data)
        raise DataErrors([DataError(str(where), 0, 0, f"cannot read: {exc.strerror or exc}")]) from None
    finally:
        progress.close()


def _load(data: Path, no_cache: bool) -> Compiled:
    """The compiled graph of ``data``, or exit 3 with every problem listed."""
    try:
        return _read(data, no_cache)
    except DataErrors as exc:
        for error in exc.errors:
            typer.echo(str(error), err=True)
        raise _fail(f"{len(exc.errors)} problem{'s' if len(exc.errors) != 1 else ''} in {data}/ "
                    "(nothing was written)", EXIT_DATA) from None


class _Progress:
    """A rich progress bar on stderr, shown only for big loads on a terminal."""

    MIN_BYTES = 3_000_000  # roughly a second of parsing

    def __init__(self) -> None:
        self.bar: Any = None
        self.task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if total < self.MIN_BYTES or not sys.stderr.isatty():
                return
            from rich.console import Console
            from rich.progress import Progress

            self.bar = Progress(console=Console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task("parsing fact files", total=total)
        self.bar.update(self.task, completed=done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _resolve(compiled: Compiled, text: str) -> str:
    """The id of the entity ``text`` names, or exit 2 listing the candidates."""
    try:
        return compiled.index.resolve(text)
    except AmbiguousEntity as exc:
        lines = [f"tieline: {text!r} matches {len(exc.candidates)} entities; say which:"]
        lines += [f"  {eid}  ({name})" for eid, name in exc.candidates]
        raise _fail("\n".join(lines), EXIT_USAGE) from None
    except EntityNotFound as exc:
        hint = "; did you mean: " + ", ".join(f"{eid} ({name})" for eid, name in exc.candidates) \
            if exc.candidates else "; try: tieline search TEXT"
        raise _fail(f"no entity matches {text!r}{hint}", EXIT_USAGE) from None


def _check_names(compiled: Compiled, relations: list[str] | None, types: list[str] | None) -> None:
    """Exit 2 when a --relation or --type names nothing in the schema."""
    from graph.fields import suggest

    schema = compiled.graph.graph
    for kind, given, known in (("relation", relations, schema["relations"]),
                               ("entity type", types, schema["entity_types"])):
        for name in given or ():
            if name not in known:
                raise _fail(f"unknown {kind} {name!r}{suggest(name, known)}; known: {', '.join(known)}",
                            EXIT_USAGE)


def _print_json(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, sort_keys=False))


def _console() -> Any:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def _table(*columns: str, title: str | None = None) -> Any:
    from rich.table import Table

    table = Table(*columns, title=title, title_justify="left", show_edge=False, pad_edge=False, expand=False)
    return table


def _plain(text: Any) -> Any:
    """Data text as rich renderable text, never interpreted as markup."""
    from rich.text import Text

    return Text("" if text is None else str(text))


def _sources_line(fact: dict[str, Any]) -> str:
    parts = []
    for source in fact["sources"]:
        label = source.get("title") or source["id"]
        extra = ", ".join(x for x in (source.get("publisher"), source.get("published")) if x)
        parts.append(f"{label} ({extra})" if extra else label)
    return "; ".join(parts)


def _fact_detail(fact: dict[str, Any]) -> str:
    when = fact["start"] + (f"–{fact['end']}" if fact["end"] else "") if fact["start"] else None
    return " · ".join(x for x in (fact["certainty"], when) if x)


def _attribute_text(value: Any) -> str:
    """A free attribute as the curator would write it: yes/no, numbers, lists joined by commas."""
    if isinstance(value, list):
        return ", ".join(_attribute_text(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


# --- commands -------------------------------------------------------------------------------------

@app.command()
def validate(data: DataOption = Path("data"), as_json: JsonOption = False, no_cache: NoCacheOption = False) -> None:
    """Check every fact file; list each problem as file:line:column: message.

    Example: tieline validate --data data
    """
    try:
        compiled = _read(data, no_cache)
    except DataErrors as exc:
        if as_json:
            _print_json({"valid": False, "errors": [
                {"path": e.path, "line": e.line, "column": e.column, "message": e.message} for e in exc.errors]})
        for error in exc.errors:
            typer.echo(str(error), err=True)
        raise _fail(f"{len(exc.errors)} problem{'s' if len(exc.errors) != 1 else ''} in {data}/",
                    EXIT_DATA) from None
    g = compiled.graph
    if as_json:
        _print_json({"valid": True, "errors": [], "entities": g.number_of_nodes(), "facts": g.number_of_edges(),
                     "sources": len(g.graph["sources"])})
        return
    typer.echo(f"{data}/ is valid: {g.number_of_nodes()} entities, {g.number_of_edges()} facts, "
               f"{len(g.graph['sources'])} sources")


@app.command()
def stats(data: DataOption = Path("data"), as_json: JsonOption = False, no_cache: NoCacheOption = False,
          top: Annotated[int, typer.Option(min=1, help="How many most connected entities to list.")] = 10) -> None:
    """Counts by entity type and relation, components, most connected entities.

    Example: tieline stats --top 5
    """
    from graph.query import graph_stats

    result = graph_stats(_load(data, no_cache).graph, top)
    if as_json:
        _print_json(result)
        return
    console = _console()
    dataset = result["dataset"]
    console.print(_plain(f"{dataset.get('name')}" + (f" (as of {dataset['date']})" if dataset.get("date") else "")))
    console.print(_plain(f"{result['entities']} entities, {result['facts']} facts, {result['sources']} sources; "
                         f"{result['components']} connected component(s), the largest with "
                         f"{result['largest_component']} entities; {result['facts_without_quote']} facts "
                         "without a quote"))
    for title, counts in (("Entity type", result["entity_types"]), ("Relation", result["relations"]),
                          ("Certainty", result["certainty"])):
        table = _table(title, "count")
        for name, count in counts.items():
            table.add_row(_plain(name), str(count))
        console.print(table)
    table = _table("Most connected", "type", "facts", "id")
    for row in result["most_connected"]:
        table.add_row(_plain(row["name"]), _plain(row["type"]), str(row["degree"]), _plain(row["id"]))
    console.print(table)
    if result["isolated"]:
        console.print(_plain("Isolated (no facts): " + ", ".join(result["isolated"])))


@app.command()
def search(text: Annotated[str, typer.Argument(help="A name, alias or part of one; misspellings are fine.")],
           data: DataOption = Path("data"), as_json: JsonOption = False, no_cache: NoCacheOption = False,
           types: TypeOption = None,
           limit: Annotated[int, typer.Option(min=1, help="At most this many results.")] = 10) -> None:
    """Find entities by name or alias (case-, accent- and typo-tolerant).

    Example: tieline search witkof
    """
    from graph.query import search_entities

    compiled = _load(data, no_cache)
    _check_names(compiled, None, types)
    results = search_entities(compiled.graph, text, limit, types or ())
    if as_json:
        _print_json({"query": text, "results": results})
    elif results:
        table = _table("name", "type", "id", "matched")
        for row in results:
            table.add_row(_plain(row["name"]), _plain(row["type"]), _plain(row["id"]),
                          _plain(row["matched"] if row["matched"] != row["name"] else ""))
        _console().print(table)
    if not results:
        raise _fail(f"no entity matches {text!r}", EXIT_NO_RESULT)


@app.command()
def show(entity: Annotated[str, typer.Argument(help="Id, name or alias of the entity.")],
         data: DataOption = Path("data"), as_json: JsonOption = False, no_cache: NoCacheOption = False) -> None:
    """The entity card: attributes and every fact in and out, worded and sourced.

    Example: tieline show RDIF
    """
    from graph.query import entity_card

    compiled = _load(data, no_cache)
    card = entity_card(compiled.graph, _resolve(compiled, entity))
    if as_json:
        _print_json(card)
        return
    e = card["entity"]
    console = _console()
    console.print(_plain(f"{e['name']}  ({e['type']}, id {e['id']})"))
    for label, value in (("aliases", ", ".join(e["aliases"])), ("description", e["description"]),
                         ("country", card["country"]["name"] if card["country"] else None),
                         ("dates", " – ".join(x for x in (e["start"], e["end"]) if x)),
                         *((k, _attribute_text(v)) for k, v in e["attributes"].items()),
                         ("defined at", f"{e['file']}:{e['line']}")):
        if value not in (None, ""):
            console.print(_plain(f"  {label}: {value}"))
    if not card["facts"]:
        console.print(_plain("  no facts"))
        return
    table = _table("fact", "certainty · date", "source", title=f"{len(card['facts'])} facts")
    for fact in card["facts"]:
        wording = fact["wording"] + (f"\n“{fact['quote']}”" if fact["quote"] else "")
        table.add_row(_plain(wording), _plain(_fact_detail(fact)), _plain(_sources_line(fact)))
    console.print(table)


@app.command()
def neighbours(entity: Annotated[str, typer.Argument(help="Id, name or alias of the entity.")],
               data: DataOption = Path("data"), as_json: JsonOption = False, no_cache: NoCacheOption = False,
               depth: Annotated[int, typer.Option("--depth", "-n", min=1, help="How many hops out.")] = 1,
               relations: RelationOption = None,
               types: Annotated[Optional[list[str]], typer.Option(
                   "--type", "-t", help="Only list entities of this type (the walk passes through others; "
                                        "repeatable).")] = None,
               direction: Annotated[str, typer.Option(
                   help="Follow facts out of, into, or both ways from each entity: out, in or both. "
                        "Symmetric relations count both ways.")] = "both") -> None:
    """Entities within N hops, nearest first, with the facts that reach them.

    Example: tieline neighbours RDIF --depth 2
    """
    from graph.query import DIRECTIONS, find_neighbours

    if direction not in DIRECTIONS:
        raise _fail(f"--direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}", EXIT_USAGE)
    compiled = _load(data, no_cache)
    _check_names(compiled, relations, types)
    node = _resolve(compiled, entity)
    found = find_neighbours(compiled.graph, node, depth, relations or (), types or (), direction)
    if as_json:
        from graph.query import entity_ref

        _print_json({"entity": entity_ref(compiled.graph, node), "depth": depth, "direction": direction,
                     "neighbours": found})
    elif found:
        name = compiled.graph.nodes[node]["name"]
        table = _table("hops", "entity", "type", "how", title=f"{len(found)} within {depth} hop(s) of {name}")
        for row in found:
            how = "\n".join(f["wording"] for f in row["facts"])
            table.add_row(str(row["distance"]), _plain(row["name"]), _plain(row["type"]), _plain(how))
        _console().print(table)
    if not found:
        raise _fail("no neighbours match", EXIT_NO_RESULT)


app.command("neighbors", hidden=True, help="Same as neighbours.")(neighbours)


@app.command()
def path(source: Annotated[str, typer.Argument(metavar="A", help="Where the path starts (id, name or alias).")],
         target: Annotated[str, typer.Argument(metavar="B", help="Where it ends.")],
         data: DataOption = Path("data"), as_json: JsonOption = False, no_cache: NoCacheOption = False,
         all_paths: Annotated[bool, typer.Option("--all", help="Every shortest path, not just one.")] = False,
         max_hops: Annotated[Optional[int], typer.Option(min=1, help="Give up beyond this many hops.")] = None,
         via_types: Annotated[Optional[list[str]], typer.Option(
             "--via-type", help="Pass only through entities of this type (repeatable).")] = None,
         avoid: Annotated[Optional[list[str]], typer.Option(
             help="Never pass through this entity (repeatable).")] = None,
         relations: RelationOption = None,
         directed: Annotated[bool, typer.Option(
             "--directed", help="Follow facts only from subject to object (symmetric ones both ways).")] = False,
         limit: Annotated[int, typer.Option(min=1, help="With --all, at most this many paths.")] = 50) -> None:
    """The shortest connection between two entities, hop by hop, each hop sourced.

    Example: tieline path "Kirill Dmitriev" "Marco Rubio" --all
    """
    from graph.query import entity_ref, find_paths

    compiled = _load(data, no_cache)
    _check_names(compiled, relations, via_types)
    a, b = _resolve(compiled, source), _resolve(compiled, target)
    avoided = [_resolve(compiled, x) for x in avoid or ()]
    g = compiled.graph
    found = find_paths(g, a, b, all_paths=all_paths, max_hops=max_hops, via_types=via_types or (),
                       avoid=avoided, relations=relations or (), directed=directed, limit=limit)
    if as_json:
        _print_json({"from": entity_ref(g, a), "to": entity_ref(g, b), "paths": found})
    else:
        for number, found_path in enumerate(found, start=1):
            typer.echo(_path_text(g, a, b, found_path, number if len(found) > 1 else None))
    if not found:
        within = f" within {max_hops} hops" if max_hops else ""
        raise _fail(f"no path from {g.nodes[a]['name']} to {g.nodes[b]['name']}{within}"
                    + (" following fact direction" if directed else "") + " with these filters"
                    * bool(via_types or avoid or relations), EXIT_NO_RESULT)


def _path_text(g: Any, a: str, b: str, found: dict[str, Any], number: int | None) -> str:
    """A path as plain lines: one per hop, with its sources, readable in 80 columns."""
    import textwrap

    hops = found["hops"]
    start, end = g.nodes[a]["name"], g.nodes[b]["name"]
    head = f"{'Path ' + str(number) + ': ' if number else ''}{start} → {end}: {found['length']} hop(s)"
    lines = textwrap.wrap(head, width=80, subsequent_indent="  ")
    indent = " " * 7
    for step, hop in enumerate(hops, start=1):
        first, *more = hop["facts"]
        lines += textwrap.wrap(f"{step}. {first['wording']}", width=80, initial_indent="  ",
                               subsequent_indent=indent)
        detail = _fact_detail(first)
        lines += textwrap.wrap(f"source: {_sources_line(first)}" + (f" · {detail}" if detail else ""),
                               width=80, initial_indent=indent, subsequent_indent=indent)
        if first["quote"]:
            lines += textwrap.wrap(f"“{first['quote']}”", width=80, initial_indent=indent,
                                   subsequent_indent=indent + " ")
        if more:
            lines += textwrap.wrap(f"(+{len(more)} more fact{'s' if len(more) > 1 else ''} on this hop: "
                                   + "; ".join(f["wording"] for f in more) + ")",
                                   width=80, initial_indent=indent, subsequent_indent=indent)
    return "\n".join(lines)


# --- exports --------------------------------------------------------------------------------------

FocusOption = Annotated[Optional[list[str]], typer.Option(
    "--focus", "-f", help="Only what lies within --depth hops of this entity (repeatable).")]
DepthOption = Annotated[int, typer.Option("--depth", "-n", min=0, help="Hops around --focus or --path.")]
PathOption = Annotated[Optional[tuple[str, str]], typer.Option(
    "--path", metavar="A B", help="Highlight the shortest paths between A and B, shown in context.")]
OutOption = Annotated[Optional[Path], typer.Option(
    "--out", "-o", help="Where to write (default: output/graph.<ext>); '-' for stdout.")]


def _selected(compiled: Compiled, focus: list[str] | None, depth: int, types: list[str] | None,
              relations: list[str] | None, path_ends: tuple[str, str] | None) -> Any:
    """The graph to export: all of it, or the focused view the options ask for."""
    from graph.query import select_subgraph

    _check_names(compiled, relations, types)
    if not (focus or types or relations or path_ends):
        return compiled.graph
    focus_ids = [_resolve(compiled, f) for f in focus or ()]
    ends = (_resolve(compiled, path_ends[0]), _resolve(compiled, path_ends[1])) if path_ends else None
    return select_subgraph(compiled.graph, focus_ids or None, depth, types or (), relations or (), ends)


def _write(data: bytes, out: Path, what: str, g: Any) -> None:
    """Write ``data`` atomically to ``out`` (or stdout for '-') and say so on stderr."""
    from graph.atomic import write_atomic

    summary = f"{g.number_of_nodes()} entities, {g.number_of_edges()} facts"
    if str(out) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        typer.echo(f"tieline: wrote {what} to stdout ({summary})", err=True)
        return
    try:
        write_atomic(out, data)
    except OutputError as exc:
        raise _fail(str(exc), EXIT_OUTPUT) from None
    typer.echo(f"tieline: wrote {out} ({what}: {summary}, {len(data):,} bytes)", err=True)


def _export(fmt: str, render: Any, default: str, data: Path, no_cache: bool, focus: list[str] | None,
            depth: int, types: list[str] | None, relations: list[str] | None,
            path_ends: tuple[str, str] | None, out: Path | None, **options: Any) -> None:
    compiled = _load(data, no_cache)
    g = _selected(compiled, focus, depth, types, relations, path_ends)
    try:
        content = render(g, **options)
    except GraphTooLarge as exc:
        raise _fail(str(exc), EXIT_USAGE) from None
    except OutputError as exc:
        raise _fail(str(exc), EXIT_OUTPUT) from None
    _write(content, out or Path("output") / default, fmt, g)


@export_app.command("html")
def export_html(data: DataOption = Path("data"), no_cache: NoCacheOption = False, focus: FocusOption = None,
                depth: DepthOption = 1, types: TypeOption = None, relations: RelationOption = None,
                path_ends: PathOption = None, out: OutOption = None,
                max_nodes: Annotated[Optional[int], typer.Option(
                    min=1, help="Refuse to draw more entities than this (default 1,500).")] = None) -> None:
    """The interactive explorer: one self-contained HTML file that works offline.

    Example: tieline export html --focus RDIF --depth 2 --out rdif.html
    """
    from graph.export import html

    options = {"max_nodes": max_nodes} if max_nodes else {}
    _export("HTML", html.render, "graph.html", data, no_cache, focus, depth, types, relations, path_ends, out,
            **options)


@export_app.command("graphml")
def export_graphml(data: DataOption = Path("data"), no_cache: NoCacheOption = False, focus: FocusOption = None,
                   depth: DepthOption = 1, types: TypeOption = None, relations: RelationOption = None,
                   path_ends: PathOption = None, out: OutOption = None) -> None:
    """GraphML for Gephi, Cytoscape, yEd, igraph and networkx.

    Example: tieline export graphml --out story.graphml
    """
    from graph.export import graphml

    _export("GraphML", graphml.render, "graph.graphml", data, no_cache, focus, depth, types, relations,
            path_ends, out)


@export_app.command("gexf")
def export_gexf(data: DataOption = Path("data"), no_cache: NoCacheOption = False, focus: FocusOption = None,
                depth: DepthOption = 1, types: TypeOption = None, relations: RelationOption = None,
                path_ends: PathOption = None, out: OutOption = None) -> None:
    """GEXF 1.3 for Gephi, with time intervals from the facts' dates.

    Example: tieline export gexf --out story.gexf
    """
    from graph.export import gexf

    _export("GEXF", gexf.render, "graph.gexf", data, no_cache, focus, depth, types, relations, path_ends, out)


@export_app.command("json")
def export_json(data: DataOption = Path("data"), no_cache: NoCacheOption = False, focus: FocusOption = None,
                depth: DepthOption = 1, types: TypeOption = None, relations: RelationOption = None,
                path_ends: PathOption = None, out: OutOption = None) -> None:
    """Node-link JSON (networkx's layout) for D3, sigma.js, Cytoscape.js and scripts.

    Example: tieline export json --out - | jq '.nodes | length'
    """
    from graph.export import nodelink

    _export("JSON", nodelink.render, "graph.json", data, no_cache, focus, depth, types, relations,
            path_ends, out)


@export_app.command("csv")
def export_csv(data: DataOption = Path("data"), no_cache: NoCacheOption = False, focus: FocusOption = None,
               depth: DepthOption = 1, types: TypeOption = None, relations: RelationOption = None,
               path_ends: PathOption = None,
               out: Annotated[Path, typer.Option(
                   "--out", "-o", help="Folder for nodes.csv and edges.csv.")] = Path("output/csv")) -> None:
    """nodes.csv and edges.csv for spreadsheets and neo4j-admin import.

    Example: tieline export csv --out output/csv
    """
    from graph.export import tables

    compiled = _load(data, no_cache)
    g = _selected(compiled, focus, depth, types, relations, path_ends)
    for name, content in tables.render(g).items():
        _write(content, out / name, "CSV", g)


@app.command()
def build(data: DataOption = Path("data"), no_cache: NoCacheOption = False,
          out_dir: Annotated[Path, typer.Option("--out-dir", help="Where to write the files.")] = Path("output"),
          ) -> None:
    """Validate the data, then write output/graph.html and output/graph.graphml (what `make run` does).

    Example: tieline build --data data --out-dir output
    """
    from graph.export import graphml, html
    from graph.query import graph_stats

    compiled = _load(data, no_cache)
    g = compiled.graph
    try:
        page = html.render(g)
    except GraphTooLarge as exc:
        raise _fail(f"{exc} (use `tieline export html --focus …` for a readable page)", EXIT_USAGE) from None
    _write(page, out_dir / "graph.html", "HTML", g)
    _write(graphml.render(g), out_dir / "graph.graphml", "GraphML", g)
    result = graph_stats(g, top=5)
    typer.echo(f"{result['dataset'].get('name')}: {result['entities']} entities, {result['facts']} facts, "
               f"{result['sources']} source(s), {result['components']} component(s)")
    typer.echo("most connected: " + ", ".join(f"{r['name']} ({r['degree']})" for r in result["most_connected"]))
    typer.echo(f"open {out_dir / 'graph.html'} in a browser; load {out_dir / 'graph.graphml'} in Gephi or Cytoscape")


def main() -> None:
    """Console entry point: run the app, then leave without tearing down a large graph object by object."""
    code = 0
    try:
        app()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
    except TielineError as exc:  # a library error no command anticipated: still no traceback
        print(f"tieline: {exc}", file=sys.stderr)
        code = EXIT_USAGE
    except KeyboardInterrupt:
        print("tieline: interrupted", file=sys.stderr)
        code = 130
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, OSError):
        pass
    os._exit(code)  # freeing a 100k-entity graph at exit costs about a second; the OS does it at once


if __name__ == "__main__":
    main()
