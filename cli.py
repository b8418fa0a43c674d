"""tieline's command line: each command parses its arguments, calls the library in ``graph/`` and prints.

What every command shares — the option sets declared once (``--data``, the view options), loading,
printing, and the one table from error to exit code (0 success · 1 no result · 2 usage error ·
3 invalid data · 4 output not written) — is in :mod:`graph.commandline`; text for people is in
:mod:`graph.render`; export commands come from the registry :data:`graph.export.FORMATS`.
"""

from __future__ import annotations

import copy
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from graph import __version__, render
from graph.commandline import (DataOption, EntityArgument, JsonOption, ListTypeOption, NoCacheOption,
                               TopOption, add_export_command, answer, command, load, new_app, print_json, progress,
                               query, run_app, viewed, write_files)
from graph.errors import DataErrors, GraphTooLarge, NoResult, TielineError, UsageError
from graph.export import BUILD_FORMATS, FORMATS
from graph.view import ViewSpec, check_types

if TYPE_CHECKING:
    from graph.pipeline import Compiled

app = new_app(name="tieline", add_completion=False, context_settings={"help_option_names": ["-h", "--help"]})
export_app = new_app(f"Write the graph (or a focused part of it) as {', '.join(f.label for f in FORMATS.values())}."
                     "\n\nExample: tieline export html --focus RDIF --depth 2")
import_app = new_app("Read data from other tools into a tieline data folder.\n\nExample: tieline import ftm - --out extract")
app.add_typer(export_app, name="export")
app.add_typer(import_app, name="import")
Visits = render.Progress.MIN_VISITS


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


# --- queries --------------------------------------------------------------------------------------

@command(app)
def validate(data: DataOption = Path("data"), as_json: JsonOption = False, no_cache: NoCacheOption = False) -> None:
    """Check every fact file; list each problem as file:line:column: message.

    Example: tieline validate --data data
    """
    from graph.query import graph_counts

    try:
        compiled = load(data, no_cache, wrote_nothing=False)
    except DataErrors as exc:
        if as_json:
            print_json(render.validation_json(exc.errors))
        raise
    counts = graph_counts(compiled.graph)  # the full stats cost seconds at 100k entities
    shared = compiled.names.shared_names()
    if shared:
        typer.echo(f"tieline: {render.shared_names_line(shared)}", err=True)
    if as_json:
        print_json({"valid": True, "errors": [], **{k: counts[k] for k in ("entities", "facts", "sources")}})
    else:
        typer.echo(f"{render.terminal_text(data)}/ is valid: {counts['entities']} entities, {counts['facts']} facts, "
                   f"{counts['sources']} sources")


@query(app)
def stats(compiled: Compiled, view: ViewSpec, as_json: bool,
          top: Annotated[int, typer.Option(min=1, help="How many most connected entities to list.")] = 10) -> None:
    """Counts by entity type and relation, dates, components, most connected entities.

    Example: tieline stats --top 5 --min-certainty confirmed
    """
    from graph.query import graph_stats

    answer(graph_stats(viewed(compiled, view), top), as_json, render.stats_lines)


@query(app, indexed=True)
def search(compiled: Compiled, view: ViewSpec, as_json: bool,
           text: Annotated[str, typer.Argument(help="A name, alias or part of one; misspellings are fine.")],
           types: ListTypeOption = None,
           limit: Annotated[int, typer.Option(min=1, help="At most this many results.")] = 10) -> None:
    """Find entities by name or alias (case-, accent-, script- and typo-tolerant).

    Example: tieline search witkof
    """
    from graph.query import search_entities

    check_types(compiled.graph, types or ())
    results = search_entities(viewed(compiled, view), text, limit, types or ())
    if as_json or results:
        answer({"query": text, "results": results}, as_json, lambda r: render.search_table(r["results"]))
    if not results:
        raise NoResult(f"no entity matches {text!r}")


@query(app, indexed=True)
def show(compiled: Compiled, view: ViewSpec, as_json: bool, entity: EntityArgument) -> None:
    """The entity card: attributes and every fact in and out, worded and sourced.

    Example: tieline show RDIF --min-certainty reported
    """
    from graph.query import entity_card

    node = compiled.names.resolve(entity)
    answer(entity_card(viewed(compiled, view, node), node), as_json, render.card_lines)


@query(app, indexed=True)
def neighbours(compiled: Compiled, view: ViewSpec, as_json: bool, entity: EntityArgument,
               depth: Annotated[int, typer.Option("--depth", "-n", min=1, help="How many hops out.")] = 1,
               types: ListTypeOption = None,
               direction: Annotated[str, typer.Option(help="Follow facts out of, into, or both ways from each "
                                                           "entity: out, in or both. Symmetric relations count "
                                                           "both ways.")] = "both",
               limit: Annotated[int, typer.Option(min=1, help="List at most this many (the nearest).")] = 100) -> None:
    """Entities within N hops, nearest first, with the facts that reach them.

    Example: tieline neighbours RDIF --depth 2
    """
    from graph.query import DIRECTIONS, neighbourhood
    from graph.wording import entity_ref

    if direction not in DIRECTIONS:
        raise UsageError(f"--direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}")
    check_types(compiled.graph, types or ())
    node = compiled.names.resolve(entity)
    resolved = view.resolve(compiled, (node,))
    g = resolved.apply(compiled.graph)
    near = neighbourhood(g, node, depth, types or (), direction, limit)
    found = near["neighbours"]
    result = {"entity": entity_ref(g, node), "depth": depth, "direction": direction, **near}
    if as_json or found:
        answer(result, as_json, lambda r: render.neighbours_lines(r, g.nodes[node]["name"]))
    if not found:
        raise NoResult(render.no_neighbours_text(compiled.graph, g, node, resolved.window))


app.command("neighbors", hidden=True, help="Same as neighbours.")(neighbours)


@query(app, indexed=True)
def path(compiled: Compiled, view: ViewSpec, as_json: bool,
         source: Annotated[str, typer.Argument(metavar="A", help="Where the path starts (id, name or alias).")],
         target: Annotated[str, typer.Argument(metavar="B", help="Where it ends.")],
         all_paths: Annotated[bool, typer.Option("--all", help="Every shortest path, not just one.")] = False,
         max_hops: Annotated[Optional[int], typer.Option(min=1, help="Give up beyond this many hops.")] = None,
         via_types: Annotated[Optional[list[str]], typer.Option(
             "--via-type", help="Pass only through entities of this type (repeatable).")] = None,
         avoid: Annotated[Optional[list[str]], typer.Option(help="Never pass through this entity (repeatable).")] = None,
         directed: Annotated[bool, typer.Option(
             "--directed", help="Follow facts only from subject to object (symmetric ones both ways).")] = False,
         limit: Annotated[int, typer.Option(min=1, help="With --all, at most this many paths.")] = 50,
         routes: Annotated[Optional[int], typer.Option(
             min=1, help="Up to N simple paths, shortest first (not only the shortest).")] = None,
         chronological: Annotated[bool, typer.Option(
             "--chronological", help="Only paths whose hops can happen in date order, from A to B.")] = False) -> None:
    """The shortest connection between two entities, hop by hop, each hop sourced.

    Example: tieline path "Kirill Dmitriev" "Marco Rubio" --all --min-certainty confirmed
    """
    from graph.query import search_paths
    from graph.wording import entity_ref

    check_types(compiled.graph, via_types or ())
    a, b = compiled.names.resolve(source), compiled.names.resolve(target)
    avoided = [compiled.names.resolve(x) for x in avoid or ()]
    resolved = view.resolve(compiled, (a, b))
    g = resolved.apply(compiled.graph)
    search = search_paths(g, a, b, all_paths=all_paths, max_hops=max_hops, via_types=via_types or (),
                          avoid=avoided, directed=directed, limit=limit, routes=routes, chronological=chronological)
    found = search["paths"]
    stopped = {"gave_up": True, "examined": search["examined"]} if search["gave_up"] else {}
    if as_json:
        print_json({"from": entity_ref(g, a), "to": entity_ref(g, b), "paths": found, **stopped})
    for number, found_path in enumerate(found if not as_json else (), start=1):
        render.show(render.path_text(found_path, g.nodes[a]["name"], g.nodes[b]["name"],
                                     number if len(found) > 1 else None))
    if found and stopped:
        typer.echo(f"tieline: {render.search_stopped_text(search)}", err=True)
    if not found:
        raise NoResult(render.no_path_text(compiled.graph, g, a, b, search, resolved, max_hops=max_hops,
                                           directed=directed, narrowed=bool(via_types or avoid)))


# --- who matters: rank, brokers, clusters ----------------------------------------------------------

ProjectOption = Annotated[Optional[str], typer.Option(
    "--project", help="Link people who took part in the same event (or belong to the same institution): "
                      "event or institution.")]


@query(app)
def rank(compiled: Compiled, view: ViewSpec, as_json: bool,
         by: Annotated[str, typer.Option(help="degree, betweenness, pagerank, closeness or eigenvector.")] = "degree",
         types: ListTypeOption = None, top: TopOption = 10, project: ProjectOption = None) -> None:
    """Entities ranked by how central they are in the graph of facts.

    Example: tieline rank --by betweenness --type person --top 5
    """
    from graph.analysis import MEASURES, rank as rank_entities

    if by not in MEASURES:
        raise UsageError(f"--by must be one of {', '.join(MEASURES)}, not {by!r}")
    check_types(compiled.graph, [*(types or ()), *([project] if project else [])])
    with progress("searching shortest paths", Visits) as bar:
        result = rank_entities(viewed(compiled, view), by, types or (), top, project=project, progress=bar)
    answer(result, as_json, render.rank_table)
    if not result["ranking"]:
        raise NoResult("no entity matches")


@query(app)
def brokers(compiled: Compiled, view: ViewSpec, as_json: bool,
            side_a: Annotated[str, typer.Argument(metavar="A", help="One side: an entity and its nationals.")],
            side_b: Annotated[str, typer.Argument(metavar="B", help="The other side.")],
            types: ListTypeOption = None, top: TopOption = 10) -> None:
    """Who connects side A to side B: the share of shortest A–B paths through each entity, with an example.

    Example: tieline brokers "United States" Russia --type person
    """
    from graph.analysis import brokers as find_brokers

    check_types(compiled.graph, types or ())
    a, b = compiled.names.resolve(side_a), compiled.names.resolve(side_b)
    with progress("searching shortest paths", Visits) as bar:
        result = find_brokers(viewed(compiled, view, a, b), a, b, types or (), top, progress=bar)
    answer(result, as_json, render.brokers_lines)
    if not result["brokers"]:
        raise NoResult(f"no entity lies between {result['sides'][0]['name']} and {result['sides'][1]['name']}")


@query(app)
def clusters(compiled: Compiled, view: ViewSpec, as_json: bool, project: ProjectOption = None) -> None:
    """Communities (Louvain, seeded), each labelled by its best-connected member.

    Example: tieline clusters --project event
    """
    from graph.analysis import clusters as find_clusters

    check_types(compiled.graph, [project] if project else [])
    answer(find_clusters(viewed(compiled, view), project=project), as_json, render.clusters_lines)


# --- time: timeline ---------------------------------------------------------------------------------

@query(app)
def timeline(compiled: Compiled, view: ViewSpec, as_json: bool, entities: Annotated[Optional[list[str]], typer.Argument(
                 metavar="[ENTITY]...", help="Only the facts of these entities (ids, names or aliases).")] = None) -> None:
    """Dated facts in date order, grouped by date, each worded and sourced; undated ones counted.

    Example: tieline timeline "Kirill Dmitriev" --between 2025-03 2025-04
    """
    from graph.timeline import build_timeline

    nodes = [compiled.names.resolve(name) for name in entities or ()]
    resolved = view.resolve(compiled, nodes)
    result = build_timeline(resolved.apply(compiled.graph), nodes, resolved.window and resolved.window.span)
    answer(result, as_json, render.timeline_lines)
    if not result["entries"]:
        raise NoResult("no dated facts" + (f" {resolved.window.words}" if resolved.window else ""))


# --- names: dedupe ----------------------------------------------------------------------------------

@query(app, views=())
def dedupe(compiled: Compiled, as_json: bool, types: ListTypeOption = None,
           min_score: Annotated[float, typer.Option(min=0, max=1, help="Only pairs scoring at least this.")] = 0.5,
           limit: Annotated[int, typer.Option(min=1, help="At most this many pairs.")] = 50) -> None:
    """Pairs of entities that may be the same thing, best first, with a score and reasons.

    Record your judgement in a `resolutions:` section (same / different).

    Example: tieline dedupe --type institution --min-score 0.6
    """
    from graph.dedupe import find_duplicates

    check_types(compiled.graph, types or ())
    with progress("comparing names", 20_000) as bar:
        found = find_duplicates(compiled.graph, types=types or (), min_score=min_score, limit=limit, progress=bar)
    if found or as_json:
        answer({"candidates": found}, as_json, render.dedupe_table)
    if not found:
        raise NoResult(f"no pair of entities scores {min_score} or more")


# --- FollowTheMoney: import ftm (export ftm is in the registry) ----------------------------------------

@command(import_app, "ftm")
def import_ftm(files: Annotated[list[Path], typer.Argument(
                   metavar="FILE…", help="FtM entity streams (.json, .ftm.json, .ijson, .gz); '-' for stdin.")],
               out: Annotated[Path, typer.Option("--out", "-o", help="A new folder; DATA/imports/NAME joins the story "
                                                                    "in --data.")],
               data: DataOption = Path("data"), no_cache: NoCacheOption = False,
               source_title: Annotated[Optional[str], typer.Option(
                   help="Title of the source facts cite when the stream names none (default: the file name).")] = None,
               source_url: Annotated[Optional[str], typer.Option(help="Its address.")] = None,
               certainty: Annotated[str, typer.Option(help="Certainty level of every imported fact.")] = "reported") -> None:
    """Read FollowTheMoney entity streams (OpenSanctions, Aleph) into a tieline data folder.

    Example: tieline import ftm - --out extract --source-title "OpenSanctions extract"
    """
    from graph.ftm import import_ftm as read_into, joins_story

    joined = joins_story(out, data)
    story = load(data, no_cache).graph if joined else None
    with progress("reading FtM entities") as bar:
        try:
            report_ = read_into([sys.stdin.buffer if str(f) == "-" else f for f in files], out, source_title=source_title,
                                source_url=source_url, certainty=certainty, story=story, progress=bar)
        except DataErrors as exc:
            exc.summary = f"{len(exc.errors)} malformed line(s) in the input; nothing was written"
            raise
    for line in render.import_report_lines(report_, out, joined):
        typer.echo(line, err=True)


# --- exports --------------------------------------------------------------------------------------

for _format in FORMATS.values():
    add_export_command(export_app, _format)


@command(app)
def build(data: DataOption = Path("data"), no_cache: NoCacheOption = False,
          out_dir: Annotated[Path, typer.Option("--out-dir", help="Where to write the files.")] = Path("output")) -> None:
    """Validate the data, then write output/graph.html and output/graph.graphml (what `make run` does).

    Example: tieline build --data data --out-dir output
    """
    from graph.query import graph_stats

    g = load(data, no_cache).graph
    written: dict[str, Path] = {}
    for fmt in (FORMATS[name] for name in BUILD_FORMATS):
        try:
            files = fmt.render(g)
        except GraphTooLarge as exc:
            raise UsageError(f"{exc} (use `tieline export html --focus …` for a readable page)") from None
        for name, content in files.items():
            write_files(fmt, {name: content}, out_dir / name, g, data)
            written[fmt.name] = out_dir / name
    for line in render.build_summary(graph_stats(g, top=5), written):
        typer.echo(line)


def only_command(argv: list[str]) -> typer.Typer:
    """The app with just the command ``argv`` names (the whole app when it names none): typer makes
    the click command of every command it holds on each run, ≈ 30 ms for all of them."""
    from typer.main import get_command_name

    wanted = argv[1] if len(argv) > 1 else None
    own = [c for c in app.registered_commands if get_command_name(c.name or c.callback.__name__) == wanted]  # type: ignore[union-attr]
    if not own:
        return app
    single = copy.copy(app)
    single.registered_commands, single.registered_groups = own, []
    return single


def main() -> None:
    """Console entry point: run the app, then leave without tearing down a large graph object by object."""
    os._exit(run_app(lambda: only_command(sys.argv)()))  # freeing a 100k-entity graph costs a second; the OS does it at once


if __name__ == "__main__":
    main()
