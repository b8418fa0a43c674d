"""tieline's command line: parse arguments, call the library in ``graph/``, print what it returns.

Commands raise the library's exceptions; :data:`EXIT_CODES` is the one table that turns them into
exit codes (0 success · 1 no result · 2 usage error · 3 invalid data · 4 output not written), and
:func:`graph.render` words every message. View options (:mod:`graph.view`) are declared once and
added to every command that takes them; export commands come from :data:`graph.export.FORMATS`.
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from graph import __version__, render
from graph.errors import DataErrors, GraphTooLarge, NoResult, TielineError, UsageError, exit_code
from graph.export import BUILD_FORMATS, FORMATS, ExportFormat, with_metrics
from graph.view import ViewSpec, check_types

if TYPE_CHECKING:
    import networkx as nx

    from graph.pipeline import Compiled

EXIT_CODES_HELP = ("Exit codes: 0 success; 1 no result (no path, no match); 2 usage error "
                   "(bad option, unknown or ambiguous entity, graph too large to draw); "
                   "3 invalid data; 4 output could not be written.")

app = typer.Typer(name="tieline", epilog=EXIT_CODES_HELP, no_args_is_help=True, add_completion=False,
                  suggest_commands=False,  # click suggests already: typer would say it twice
                  context_settings={"help_option_names": ["-h", "--help"]})
export_app = typer.Typer(help="Write the graph (or a focused part of it) as "
                              f"{', '.join(f.label for f in FORMATS.values())}.\n\n"
                              "Example: tieline export html --focus RDIF --depth 2",
                         epilog=EXIT_CODES_HELP, no_args_is_help=True, suggest_commands=False)
app.add_typer(export_app, name="export")
import_app = typer.Typer(help="Read data from other tools into a tieline data folder.\n\n"
                              "Example: tieline import ftm - --out extract",
                         epilog=EXIT_CODES_HELP, no_args_is_help=True, suggest_commands=False)
app.add_typer(import_app, name="import")

# --- options --------------------------------------------------------------------------------------

DataOption = Annotated[Path, typer.Option("--data", "-d", envvar="TIELINE_DATA", show_default=True,
                                          help="The fact folder (env TIELINE_DATA).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON on stdout.")]
NoCacheOption = Annotated[bool, typer.Option(
    "--no-cache", envvar="TIELINE_NO_CACHE", help="Load and validate from scratch; don't read or write the cache.")]
EntityArgument = Annotated[str, typer.Argument(help="Id, name or alias of the entity.")]
ListTypeOption = Annotated[Optional[list[str]], typer.Option(
    "--type", "-t", help="Only list entities of this type (the walk passes through others; repeatable).")]

FACT_FILTERS: dict[str, tuple[Any, Any]] = {
    "relations": (Annotated[Optional[list[str]], typer.Option(
        "--relation", "-r", help="Only facts with this relation (repeatable).")], None),
    "certainty": (Annotated[Optional[list[str]], typer.Option(
        "--certainty", help="Only facts of this certainty level (repeatable).")], None),
    "min_certainty": (Annotated[Optional[str], typer.Option(
        "--min-certainty", help="Only facts of this level or a stronger one (the order of `certainty:` "
                                "in schema.yaml, strongest first).")], None),
    "as_of": (Annotated[Optional[str], typer.Option(
        "--as-of", metavar="DATE", help="Only what had begun by DATE (YYYY, YYYY-MM or YYYY-MM-DD).")], None),
    "between": (Annotated[Optional[tuple[str, str]], typer.Option(
        "--between", metavar="FROM TO", help="Only facts dated within FROM..TO (overlapping it).")], None),
    "at": (Annotated[Optional[str], typer.Option(
        "--at", metavar="DATE", help="Only facts on DATE (their dates contain it).")], None),
    "dated_only": (Annotated[bool, typer.Option(
        "--dated-only", help="Leave out undated facts (kept by the time filters otherwise).")], False),
}
"""View options every query, analysis and export takes: which facts count."""
SELECTION: dict[str, tuple[Any, Any]] = {
    "focus": (Annotated[Optional[list[str]], typer.Option(
        "--focus", "-f", help="Only what lies within --depth hops of this entity (repeatable).")], None),
    "depth": (Annotated[int, typer.Option("--depth", "-n", min=0, help="Hops around --focus or --path.")], 1),
    "path": (Annotated[Optional[tuple[str, str]], typer.Option(
        "--path", metavar="A B", help="Highlight the shortest paths between A and B, shown in context.")], None),
    "types": (Annotated[Optional[list[str]], typer.Option(
        "--type", "-t", help="Only entities of this type (repeatable).")], None),
}
"""View options of the exports: which entities are shown."""


def with_view(*option_sets: dict[str, tuple[Any, Any]]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Add the options of ``option_sets`` to a command; it receives them as one ``view: ViewSpec``."""
    names = [name for options in option_sets for name in options]

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        signature = inspect.signature(command, eval_str=True)
        own = [p for p in signature.parameters.values() if p.name != "view"]
        added = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=kind, default=default)
                 for options in option_sets for name, (kind, default) in options.items()]

        @functools.wraps(command)
        def run(**kwargs: Any) -> Any:
            given = {name: kwargs.pop(name) for name in names}
            spec = ViewSpec(**{k: tuple(v) if isinstance(v, list) else v
                               for k, v in given.items() if v is not None})
            return command(view=spec, **kwargs)

        run.__signature__ = signature.replace(parameters=own + added)  # type: ignore[attr-defined]
        run.__annotations__ = {p.name: p.annotation for p in own + added}
        return run
    return decorate


def report(exc: TielineError) -> int:
    """Print ``exc`` for people on stderr; return its exit code (the table in graph/errors.py)."""
    sys.stderr.write("\n".join(render.error_message(exc)) + "\n")
    return exit_code(exc)


def command(parent: typer.Typer, name: str | None = None, **options: Any) -> Callable[..., Any]:
    """``@parent.command`` whose tieline errors print their message and exit with their code."""
    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return function(*args, **kwargs)
            except TielineError as exc:
                raise typer.Exit(report(exc)) from None
        return parent.command(name, **options)(run)
    return register


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


# --- loading --------------------------------------------------------------------------------------

def load(data: Path, no_cache: bool, wrote_nothing: bool = True) -> Compiled:
    """The compiled graph of ``data``; DataErrors say which folder and whether nothing was written."""
    from graph.pipeline import load_compiled

    progress = render.Progress()
    try:
        return load_compiled(data, use_cache=not no_cache, progress=progress)
    except DataErrors as exc:
        exc.folder, exc.wrote_nothing = str(data), wrote_nothing  # type: ignore[attr-defined]
        raise
    finally:
        progress.close()


def viewed(compiled: Compiled, view: ViewSpec, *anchors: str) -> nx.MultiDiGraph:
    """The part of the graph ``view`` shows, with ``anchors`` (entity ids) always in it."""
    return view.resolve(compiled, anchors).apply(compiled.graph)


def print_json(value: Any) -> None:
    typer.echo(render.json_text(value))


def answer(result: Any, as_json: bool, text: Callable[[Any], Any]) -> None:
    """Print ``result`` as JSON, or as the lines and tables ``text(result)`` makes of it."""
    if as_json:
        print_json(result)
        return
    parts = text(result)
    for part in parts if isinstance(parts, list) else [parts]:
        render.show(part)


# --- queries --------------------------------------------------------------------------------------

@command(app)
def validate(data: DataOption = Path("data"), as_json: JsonOption = False, no_cache: NoCacheOption = False) -> None:
    """Check every fact file; list each problem as file:line:column: message.

    Example: tieline validate --data data
    """
    from graph.query import graph_stats

    try:
        compiled = load(data, no_cache, wrote_nothing=False)
    except DataErrors as exc:
        if as_json:
            print_json({"valid": False, "errors": [
                {"path": e.path, "line": e.line, "column": e.column, "message": e.message} for e in exc.errors]})
        raise
    g = compiled.graph
    counts = graph_stats(g, top=0)
    shared = compiled.index.shared_names()
    if shared:
        typer.echo(f"tieline: {render.shared_names_line(shared)}", err=True)
    if as_json:
        print_json({"valid": True, "errors": [], **{k: counts[k] for k in ("entities", "facts", "sources")}})
        return
    typer.echo(f"{render.terminal_text(data)}/ is valid: {counts['entities']} entities, {counts['facts']} facts, "
               f"{counts['sources']} sources")


@command(app)
@with_view(FACT_FILTERS)
def stats(view: ViewSpec, data: DataOption = Path("data"), as_json: JsonOption = False,
          no_cache: NoCacheOption = False,
          top: Annotated[int, typer.Option(min=1, help="How many most connected entities to list.")] = 10) -> None:
    """Counts by entity type and relation, components, most connected entities.

    Example: tieline stats --top 5 --min-certainty confirmed
    """
    from graph.query import graph_stats

    answer(graph_stats(viewed(load(data, no_cache), view), top), as_json, render.stats_lines)


@command(app)
@with_view(FACT_FILTERS)
def search(view: ViewSpec, text: Annotated[str, typer.Argument(help="A name, alias or part of one; misspellings are fine.")],
           data: DataOption = Path("data"), as_json: JsonOption = False, no_cache: NoCacheOption = False,
           types: ListTypeOption = None,
           limit: Annotated[int, typer.Option(min=1, help="At most this many results.")] = 10) -> None:
    """Find entities by name or alias (case-, accent- and typo-tolerant).

    Example: tieline search witkof
    """
    from graph.query import search_entities

    compiled = load(data, no_cache)
    check_types(compiled.graph, types or ())
    results = search_entities(viewed(compiled, view), text, limit, types or ())
    if as_json:
        print_json({"query": text, "results": results})
    elif results:
        render.show(render.search_table(results))
    if not results:
        raise NoResult(f"no entity matches {text!r}")


@command(app)
@with_view(FACT_FILTERS)
def show(view: ViewSpec, entity: EntityArgument, data: DataOption = Path("data"), as_json: JsonOption = False,
         no_cache: NoCacheOption = False) -> None:
    """The entity card: attributes and every fact in and out, worded and sourced.

    Example: tieline show RDIF --min-certainty reported
    """
    from graph.query import entity_card

    compiled = load(data, no_cache)
    node = compiled.index.resolve(entity)
    answer(entity_card(viewed(compiled, view, node), node), as_json, render.card_lines)


@command(app)
@with_view(FACT_FILTERS)
def neighbours(view: ViewSpec, entity: EntityArgument, data: DataOption = Path("data"), as_json: JsonOption = False,
               no_cache: NoCacheOption = False,
               depth: Annotated[int, typer.Option("--depth", "-n", min=1, help="How many hops out.")] = 1,
               types: ListTypeOption = None,
               direction: Annotated[str, typer.Option(
                   help="Follow facts out of, into, or both ways from each entity: out, in or both. "
                        "Symmetric relations count both ways.")] = "both") -> None:
    """Entities within N hops, nearest first, with the facts that reach them.

    Example: tieline neighbours RDIF --depth 2
    """
    from graph.query import DIRECTIONS, entity_ref, find_neighbours

    if direction not in DIRECTIONS:
        raise UsageError(f"--direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}")
    compiled = load(data, no_cache)
    check_types(compiled.graph, types or ())
    node = compiled.index.resolve(entity)
    resolved = view.resolve(compiled, (node,))
    g = resolved.apply(compiled.graph)
    found = find_neighbours(g, node, depth, types or (), direction)
    if as_json:
        print_json({"entity": entity_ref(g, node), "depth": depth, "direction": direction, "neighbours": found})
    elif found:
        render.show(render.neighbours_table(found, g.nodes[node]["name"], depth))
    if not found:
        raise NoResult(render.no_neighbours_text(compiled.graph, g, node, resolved.window))


app.command("neighbors", hidden=True, help="Same as neighbours.")(neighbours)


@command(app)
@with_view(FACT_FILTERS)
def path(view: ViewSpec, source: Annotated[str, typer.Argument(metavar="A", help="Where the path starts (id, name or alias).")],
         target: Annotated[str, typer.Argument(metavar="B", help="Where it ends.")],
         data: DataOption = Path("data"), as_json: JsonOption = False, no_cache: NoCacheOption = False,
         all_paths: Annotated[bool, typer.Option("--all", help="Every shortest path, not just one.")] = False,
         max_hops: Annotated[Optional[int], typer.Option(min=1, help="Give up beyond this many hops.")] = None,
         via_types: Annotated[Optional[list[str]], typer.Option(
             "--via-type", help="Pass only through entities of this type (repeatable).")] = None,
         avoid: Annotated[Optional[list[str]], typer.Option(
             help="Never pass through this entity (repeatable).")] = None,
         directed: Annotated[bool, typer.Option(
             "--directed", help="Follow facts only from subject to object (symmetric ones both ways).")] = False,
         limit: Annotated[int, typer.Option(min=1, help="With --all, at most this many paths.")] = 50,
         routes: Annotated[Optional[int], typer.Option(
             min=1, help="Up to N simple paths, shortest first (not only the shortest).")] = None,
         chronological: Annotated[bool, typer.Option(
             "--chronological", help="Only paths whose hops can happen in date order, from A to B.")] = False,
         ) -> None:
    """The shortest connection between two entities, hop by hop, each hop sourced.

    Example: tieline path "Kirill Dmitriev" "Marco Rubio" --all --min-certainty confirmed
    """
    from graph.query import entity_ref, search_paths

    compiled = load(data, no_cache)
    check_types(compiled.graph, via_types or ())
    a, b = compiled.index.resolve(source), compiled.index.resolve(target)
    avoided = [compiled.index.resolve(x) for x in avoid or ()]
    resolved = view.resolve(compiled, (a, b))
    g = resolved.apply(compiled.graph)
    search = search_paths(g, a, b, all_paths=all_paths, max_hops=max_hops, via_types=via_types or (),
                          avoid=avoided, directed=directed, limit=limit, routes=routes, chronological=chronological)
    found = search["paths"]
    if as_json:
        print_json({"from": entity_ref(g, a), "to": entity_ref(g, b), "paths": found})
    for number, found_path in enumerate(found if not as_json else (), start=1):
        render.show(render.path_text(found_path, g.nodes[a]["name"], g.nodes[b]["name"],
                                     number if len(found) > 1 else None))
    if not found:
        raise NoResult(render.no_path_text(compiled.graph, g, a, b, search, resolved, max_hops=max_hops,
                                           directed=directed, narrowed=bool(via_types or avoid)))


# --- who matters: rank, brokers, clusters ----------------------------------------------------------

TopOption = Annotated[int, typer.Option(min=1, help="How many to list.")]
ProjectOption = Annotated[Optional[str], typer.Option(
    "--project", help="Link people who took part in the same event (or belong to the same institution): "
                      "event or institution.")]


def analysis_progress() -> render.Progress:
    return render.Progress("searching shortest paths", minimum=render.Progress.MIN_VISITS)


@command(app)
@with_view(FACT_FILTERS)
def rank(view: ViewSpec, data: DataOption = Path("data"), as_json: JsonOption = False, no_cache: NoCacheOption = False,
         by: Annotated[str, typer.Option(help="degree, betweenness, pagerank, closeness or eigenvector.")] = "degree",
         types: ListTypeOption = None, top: TopOption = 10, project: ProjectOption = None) -> None:
    """Entities ranked by how central they are in the graph of facts.

    Example: tieline rank --by betweenness --type person --top 5
    """
    from graph.analysis import MEASURES, rank as rank_entities

    if by not in MEASURES:
        raise UsageError(f"--by must be one of {', '.join(MEASURES)}, not {by!r}")
    compiled = load(data, no_cache)
    check_types(compiled.graph, [*(types or ()), *([project] if project else [])])
    progress = analysis_progress()
    try:
        result = rank_entities(viewed(compiled, view), by, types or (), top, project=project, progress=progress)
    finally:
        progress.close()
    answer(result, as_json, render.rank_table)
    if not result["ranking"]:
        raise NoResult("no entity matches")


@command(app)
@with_view(FACT_FILTERS)
def brokers(view: ViewSpec, side_a: Annotated[str, typer.Argument(metavar="A", help="One side: an entity and its nationals.")],
            side_b: Annotated[str, typer.Argument(metavar="B", help="The other side.")],
            data: DataOption = Path("data"), as_json: JsonOption = False, no_cache: NoCacheOption = False,
            types: ListTypeOption = None, top: TopOption = 10) -> None:
    """Who connects side A to side B: the share of shortest A–B paths through each entity, with an example.

    Example: tieline brokers "United States" Russia --type person
    """
    from graph.analysis import brokers as find_brokers

    compiled = load(data, no_cache)
    check_types(compiled.graph, types or ())
    a, b = compiled.index.resolve(side_a), compiled.index.resolve(side_b)
    progress = analysis_progress()
    try:
        result = find_brokers(viewed(compiled, view, a, b), a, b, types or (), top, progress=progress)
    finally:
        progress.close()
    answer(result, as_json, render.brokers_lines)
    if not result["brokers"]:
        raise NoResult(f"no entity lies between {result['sides'][0]['name']} and {result['sides'][1]['name']}")


@command(app)
@with_view(FACT_FILTERS)
def clusters(view: ViewSpec, data: DataOption = Path("data"), as_json: JsonOption = False,
             no_cache: NoCacheOption = False, project: ProjectOption = None) -> None:
    """Communities (Louvain, seeded), each labelled by its best-connected member.

    Example: tieline clusters --project event
    """
    from graph.analysis import clusters as find_clusters

    compiled = load(data, no_cache)
    check_types(compiled.graph, [project] if project else [])
    answer(find_clusters(viewed(compiled, view), project=project), as_json, render.clusters_lines)


# --- time: timeline ---------------------------------------------------------------------------------

@command(app)
@with_view(FACT_FILTERS)
def timeline(view: ViewSpec, entities: Annotated[Optional[list[str]], typer.Argument(
                 metavar="[ENTITY]...", help="Only the facts of these entities (ids, names or aliases).")] = None,
             data: DataOption = Path("data"), as_json: JsonOption = False, no_cache: NoCacheOption = False) -> None:
    """Dated facts in date order, grouped by date, each worded and sourced; undated ones counted.

    Example: tieline timeline "Kirill Dmitriev" --between 2025-03 2025-04
    """
    from graph.timeline import build_timeline

    compiled = load(data, no_cache)
    nodes = [compiled.index.resolve(name) for name in entities or ()]
    resolved = view.resolve(compiled, nodes)
    result = build_timeline(resolved.apply(compiled.graph), nodes, resolved.window and resolved.window.span)
    answer(result, as_json, render.timeline_lines)
    if not result["entries"]:
        raise NoResult("no dated facts" + (f" {resolved.window.words}" if resolved.window else ""))


# --- names: dedupe ----------------------------------------------------------------------------------

@command(app)
def dedupe(data: DataOption = Path("data"), as_json: JsonOption = False, no_cache: NoCacheOption = False,
           types: ListTypeOption = None,
           min_score: Annotated[float, typer.Option(min=0, max=1, help="Only pairs scoring at least this.")] = 0.5,
           limit: Annotated[int, typer.Option(min=1, help="At most this many pairs.")] = 50) -> None:
    """Pairs of entities that may be the same thing, best first, with a score and reasons.

    Record your judgement in a `resolutions:` section (same / different).

    Example: tieline dedupe --type institution --min-score 0.6
    """
    from graph.dedupe import find_duplicates

    compiled = load(data, no_cache)
    check_types(compiled.graph, types or ())
    progress = render.Progress("comparing names", minimum=20_000)
    try:
        found = find_duplicates(compiled.graph, types=types or (), min_score=min_score, limit=limit, progress=progress)
    finally:
        progress.close()
    if found or as_json:
        answer({"candidates": found}, as_json, render.dedupe_table)
    if not found:
        raise NoResult(f"no pair of entities scores {min_score} or more")


# --- FollowTheMoney: import ftm (export ftm is in the registry) ----------------------------------------

@command(import_app, "ftm")
def import_ftm(files: Annotated[list[Path], typer.Argument(
                   metavar="FILE…", help="FtM entity streams (.json, .ftm.json, .ijson, .gz); '-' for stdin.")],
               out: Annotated[Path, typer.Option("--out", "-o", help="A new folder; DATA/imports/NAME joins the story in --data.")],
               data: DataOption = Path("data"), no_cache: NoCacheOption = False,
               source_title: Annotated[Optional[str], typer.Option(help="Title of the source facts cite when the stream names none (default: the file name).")] = None,
               source_url: Annotated[Optional[str], typer.Option(help="Its address.")] = None,
               certainty: Annotated[str, typer.Option(help="Certainty level of every imported fact.")] = "reported") -> None:
    """Read FollowTheMoney entity streams (OpenSanctions, Aleph) into a tieline data folder.

    Example: tieline import ftm - --out extract --source-title "OpenSanctions extract"
    """
    from graph.ftm import import_ftm as read_into, joins_story

    joined = joins_story(out, data)
    story = load(data, no_cache).graph if joined else None
    progress = render.Progress("reading FtM entities")
    try:
        report = read_into([sys.stdin.buffer if str(f) == "-" else f for f in files], out, source_title=source_title,
                           source_url=source_url, certainty=certainty, story=story, progress=progress)
    except DataErrors as exc:
        exc.summary = f"{len(exc.errors)} malformed line(s) in the input; nothing was written"  # type: ignore[attr-defined]
        raise
    finally:
        progress.close()
    for line in render.import_report_lines(report, out, joined):
        typer.echo(line, err=True)


# --- exports --------------------------------------------------------------------------------------

MaxNodesOption = Annotated[Optional[int], typer.Option(
    min=1, help="Refuse to draw more entities than this (default 1,500).")]
ExactCellsOption = Annotated[bool, typer.Option("--exact-cells", help=(
    "Write text starting with = + - @ as it is (for Neo4j); by default it starts with ' "
    "(a spreadsheet never runs it)."))]
EXPORT_OPTIONS: dict[str, dict[str, tuple[Any, Any]]] = {"html": {"max_nodes": (MaxNodesOption, None)},
                                                         "csv": {"exact_cells": (ExactCellsOption, False)}}
"""Options that only one format takes, passed to its renderer."""
MetricsOption = Annotated[bool, typer.Option(
    "--metrics", help="Add degree, betweenness, pagerank and community to every entity (the page computes its own).")]


def write_files(fmt: ExportFormat, files: dict[str, bytes], out: Path | None, g: nx.MultiDiGraph, data: Path) -> None:
    """Write an export's files (atomically, never into ``data``; stdout for ``-``) and say so on stderr."""
    summary = f"{g.number_of_nodes()} entities, {g.number_of_edges()} facts"
    for target, size in fmt.write(files, out, sys.stdout.buffer, data):
        typer.echo(f"tieline: wrote {fmt.label} to stdout ({summary})" if target is None else
                   f"tieline: wrote {render.terminal_text(target)} ({fmt.label}: {summary}, {size:,} bytes)", err=True)


def add_export_command(fmt: ExportFormat) -> None:
    """``tieline export FORMAT`` with the view options and the format's own."""
    def export(view: ViewSpec, data: Path, no_cache: bool, out: Path | None, metrics: bool = False,
               **options: Any) -> None:
        compiled = load(data, no_cache)
        g = view.resolve(compiled).export_graph(compiled.graph)
        if metrics and fmt.metrics == "columns":
            progress = analysis_progress()
            try:
                g = with_metrics(g, progress)
            finally:
                progress.close()
        write_files(fmt, fmt.render(g, **{k: v for k, v in options.items() if v is not None}), out, g, data)

    out_help = (f"Folder for the {fmt.label} files (default: {fmt.default_path})." if fmt.multi_file else
                f"Where to write (default: {fmt.default_path}); '-' for stdout.")
    options = {"data": (DataOption, Path("data")), "no_cache": (NoCacheOption, False),
               "out": (Annotated[Optional[Path], typer.Option("--out", "-o", help=out_help)], None),
               **({"metrics": (MetricsOption, False)} if fmt.metrics else {}), **EXPORT_OPTIONS.get(fmt.name, {})}
    export.__signature__ = inspect.Signature([  # type: ignore[attr-defined]
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=kind, default=default)
        for name, (kind, default) in options.items()])
    export.__annotations__ = {name: kind for name, (kind, _) in options.items()}
    export.__doc__ = f"{fmt.summary}\n\nExample: {fmt.example}"
    export.__name__ = f"export_{fmt.name}"
    command(export_app, fmt.name)(with_view(SELECTION, FACT_FILTERS)(export))


for _format in FORMATS.values():
    add_export_command(_format)


@command(app)
def build(data: DataOption = Path("data"), no_cache: NoCacheOption = False,
          out_dir: Annotated[Path, typer.Option("--out-dir", help="Where to write the files.")] = Path("output"),
          ) -> None:
    """Validate the data, then write output/graph.html and output/graph.graphml (what `make run` does).

    Example: tieline build --data data --out-dir output
    """
    from graph.query import graph_stats

    g = load(data, no_cache).graph
    written = {}
    for fmt in (FORMATS[name] for name in BUILD_FORMATS):
        try:
            files = fmt.render(g)
        except GraphTooLarge as exc:
            raise UsageError(f"{exc} (use `tieline export html --focus …` for a readable page)") from None
        for name, content in files.items():
            write_files(fmt, {name: content}, out_dir / name, g, data)
            written[fmt.name] = out_dir / name
    result = graph_stats(g, top=5)
    safe = render.terminal_text
    typer.echo(f"{safe(result['dataset'].get('name'))}: {result['entities']} entities, {result['facts']} facts, "
               f"{result['sources']} source(s), {result['components']} component(s)")
    typer.echo("most connected: " + ", ".join(f"{safe(r['name'])} ({r['degree']})" for r in result["most_connected"]))
    typer.echo(f"open {safe(written['html'])} in a browser; load {safe(written['graphml'])} in Gephi or Cytoscape")


def main() -> None:
    """Console entry point: run the app, then leave without tearing down a large graph object by object."""
    code = 0
    try:
        app()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
    except TielineError as exc:  # raised outside a command (none is expected): still no traceback
        code = report(exc)
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
