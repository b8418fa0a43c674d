"""tieline's command line: each command parses its arguments, calls the library in ``graph/`` and prints.

What every command shares — the option sets declared once (``--data``, the view options), loading,
printing, and the one table from error to exit code (0 success · 1 no result · 2 usage error ·
3 invalid data · 4 output not written) — is in :mod:`graph.commandline`; text for people is in
:mod:`graph.render`; export commands come from the registry :data:`graph.export.FORMATS`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from graph import __version__, questions, render
from graph.commandline import (DataOption, EntityArgument, JsonOption, ListTypeOption, MinScoreOption, NoCacheOption,
                               PairFormatOption, PairLimitOption, TopOption, add_export_command, answer,
                               command, cross_reference, duplicates, entity_argument, entity_option, load, new_app,
                               only_command, progress, query, report, resolve, respond, run_app, validate_folders, viewed,
                               write_files)
from graph.errors import DataErrors, GraphTooLarge, NoResult, TielineError, UsageError
from graph.export import BUILD_FORMATS, FORMATS
from graph.conflicts import find_conflicts
from graph.files import Folders
from graph.view import ViewSpec, check_types

if TYPE_CHECKING:
    from graph.pipeline import Compiled

app = new_app(name="tieline", add_completion=True, context_settings={"help_option_names": ["-h", "--help"]})
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
def validate(data: DataOption = None, as_json: JsonOption = False, no_cache: NoCacheOption = False) -> None:
    """Check every fact file; list each problem as file:line:column: message.

    Example: tieline validate --data data
    """
    validate_folders(data, as_json, no_cache)


@query(app)
def conflicts(compiled: Compiled, view: ViewSpec, as_json: bool, entities: Annotated[Optional[list[str]], typer.Argument(
        metavar="[ENTITY]…", help="Only conflicts about these entities.")] = None) -> None:
    """Where sources disagree: claims and entities given different values by their sources or stories.

    Claims whose statements differ on start, end or certainty, and entities declared in two stories
    with different values: each value with its sources and file:line.

    Example: tieline conflicts Rubio --json
    """
    about = [resolve(compiled, name) for name in entities or ()]
    answer(find_conflicts(viewed(compiled, view, *about), about), as_json, render.conflicts_lines)


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
    respond(questions.search(compiled, view, text, types or (), limit), as_json)


@query(app, indexed=True)
def show(compiled: Compiled, view: ViewSpec, as_json: bool, entity: EntityArgument) -> None:
    """The entity card: attributes and every fact in and out, worded and sourced.

    Example: tieline show RDIF --min-certainty reported
    """
    respond(questions.show(compiled, view, entity), as_json)


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
    respond(questions.neighbours(compiled, view, entity, depth, types or (), direction, limit), as_json)


app.command("neighbors", hidden=True, help="Same as neighbours.")(neighbours)


@query(app, indexed=True)
def path(compiled: Compiled, view: ViewSpec, as_json: bool,
         source: Annotated[str, entity_argument("Where the path starts (id, name or alias).", "A")],
         target: Annotated[str, entity_argument("Where it ends.", "B")],
         all_paths: Annotated[bool, typer.Option("--all", help="Every shortest path, not just one.")] = False,
         max_hops: Annotated[Optional[int], typer.Option(min=1, help="Give up beyond this many hops.")] = None,
         via_types: Annotated[Optional[list[str]], typer.Option(
             "--via-type", help="Pass only through entities of this type (repeatable).")] = None,
         avoid: Annotated[Optional[list[str]], entity_option("--avoid", "Never pass through this entity (repeatable).")] = None,
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
    reply = questions.path(compiled, view, source, target, all_paths, max_hops, via_types or (), avoid or (),
                           directed, limit, routes, chronological)
    respond(reply, as_json)
    if reply.value.get("gave_up"):  # some paths found, then the work bound: said after them
        typer.echo(f"tieline: {render.search_stopped_text(reply.value)}", err=True)


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
            side_a: Annotated[str, entity_argument("One side: an entity and its nationals.", "A")],
            side_b: Annotated[str, entity_argument("The other side.", "B")],
            types: ListTypeOption = None, top: TopOption = 10) -> None:
    """Who connects side A to side B: the share of shortest A–B paths through each entity, with an example.

    Example: tieline brokers "United States" Russia --type person
    """
    from graph.analysis import brokers as find_brokers

    check_types(compiled.graph, types or ())
    a, b = resolve(compiled, side_a), resolve(compiled, side_b)
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
def timeline(compiled: Compiled, view: ViewSpec, as_json: bool, entities: Annotated[Optional[list[str]], entity_argument(
                 "Only the facts of these entities (ids, names or aliases).", "[ENTITY]...")] = None) -> None:
    """Dated facts in date order, grouped by date, each worded and sourced; undated ones counted.

    Example: tieline timeline "Kirill Dmitriev" --between 2025-03 2025-04
    """
    respond(questions.timeline(compiled, view, entities or ()), as_json)


# --- names: dedupe, xref ----------------------------------------------------------------------------

@query(app, views=())
def dedupe(compiled: Compiled, as_json: bool, types: ListTypeOption = None, min_score: MinScoreOption = 0.5,
           limit: PairLimitOption = 50, fmt: PairFormatOption = "table") -> None:
    """Pairs of entities that may be the same thing, best first, with a score and reasons.

    Example: tieline dedupe --type institution --min-score 0.1 --format resolutions
    """
    duplicates(compiled, as_json, types or (), min_score, limit, fmt)


@command(app)
def xref(reference: Annotated[Path, typer.Argument(metavar="REFERENCE", help="A data folder to match the story "
                                                                 "against: an import, beside it or in DATA/imports/NAME.")],
         data: DataOption = None, no_cache: NoCacheOption = False, as_json: JsonOption = False,
         types: ListTypeOption = None, min_score: MinScoreOption = 0.5, limit: PairLimitOption = 50,
         fmt: PairFormatOption = "table") -> None:
    """Story entities (--data) that may be entities of REFERENCE, best first, with score and reasons.

    Example: tieline xref peps --type person --format resolutions
    """
    cross_reference(data, reference, no_cache, as_json, types or (), min_score, limit, fmt)


# --- FollowTheMoney: import ftm (export ftm is in the registry) ----------------------------------------

@command(import_app, "ftm")
def import_ftm(files: Annotated[list[Path], typer.Argument(
                   metavar="FILE…", help="FtM entity streams (.json, .ftm.json, .ijson, .gz); '-' for stdin.")],
               out: Annotated[Path, typer.Option("--out", "-o", help="A new folder; DATA/imports/NAME joins the story "
                                                                    "in --data.")],
               data: DataOption = None, no_cache: NoCacheOption = False,
               source_title: Annotated[Optional[str], typer.Option(
                   help="Title of the source facts cite when the stream names none (default: the file name).")] = None,
               source_url: Annotated[Optional[str], typer.Option(help="Its address.")] = None,
               certainty: Annotated[str, typer.Option(help="Certainty level of every imported fact.")] = "reported") -> None:
    """Read FollowTheMoney entity streams (OpenSanctions, Aleph) into a tieline data folder.

    Example: tieline import ftm - --out extract --source-title "OpenSanctions extract"
    """
    from graph.ftm import import_ftm as read_into, joins_story

    data = Folders.of(data)[0]  # an import joins one story
    joined = joins_story(out, data)
    story = load(data, no_cache).graph if joined else None
    with progress("reading FtM entities") as bar:
        try:
            report_ = read_into([sys.stdin.buffer if str(f) == "-" else f for f in files], out, source_title=source_title,
                                source_url=source_url, certainty=certainty, story=story, progress=bar)
        except DataErrors as exc:
            exc.summary = f"{render.counted(len(exc.errors), 'malformed line')} in the input; nothing was written"
            raise
    for line in render.import_report_lines(report_, out, joined):
        typer.echo(line, err=True)


# --- exports --------------------------------------------------------------------------------------

for _format in FORMATS.values():
    add_export_command(export_app, _format)


@command(app)
def build(data: DataOption = None, no_cache: NoCacheOption = False,
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


@command(app)
def serve(data: DataOption = None,
          host: Annotated[str, typer.Option(help="Address to listen on; anything but a loopback one is said loudly.")]
          = "127.0.0.1",
          port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0: a free one, printed).")] = 8000,
          stop_after: Annotated[Optional[float], typer.Option(
              min=0, metavar="SECONDS", help="Stop by itself after this long (scripts, tests).")] = None,
          time_limit: Annotated[float, typer.Option(
              min=0.1, max=300, metavar="SECONDS", help="The most one question may take (then 503).")] = 10.0) -> None:
    """A local, read-only web explorer over the query index: search, then expand entities on demand.

    Example: tieline serve --data data --port 8000
    """
    from typer.main import get_command

    from graph.serve import serve as run_server

    run_server(get_command(app).commands, data, host, port, stop_after, time_limit)  # type: ignore[attr-defined]


def main() -> None:
    """Console entry point: run the app, then leave without tearing down a large graph object by object."""
    os._exit(run_app(lambda: only_command(app, sys.argv)()))  # freeing a 100k-entity graph costs a second


if __name__ == "__main__":
    main()
