"""What every command of ``cli.py`` shares: option sets declared once, the decorators that add them,
loading, printing, and errors turned into exit codes through the one table (graph/errors.py).

``cli.py`` lists the commands — what each parses and which library function answers. A command
declared with :func:`query` receives ``compiled`` (the data folder of ``--data``, loaded through the
cache), ``view`` (a :class:`~graph.view.ViewSpec` built from :data:`FACT_FILTERS`, plus
:data:`SELECTION` for exports) and ``as_json``; its tieline errors print their message on stderr
and exit with their code. Typer reads the signatures these decorators write, so ``--help`` lists
every option of every command.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import inspect
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import click
import typer

from . import render
from .complete import entity_completions
from .conflicts import count_conflicts
from .errors import DataErrors, IndexDamaged, NoResult, OutputError, TielineError, UsageError, exit_code
from .export import ExportFormat, Metrics, with_metrics
from .files import Folders
from .index import PENDING, build_pending, drop_index
from .model import Compiled
from .pipeline import load_compiled, load_indexed
from .dedupe import find_duplicates
from .query import graph_counts
from .questions import Answer, compiled_view, named
from .store import Store, no_cache_reason
from .terminal import BROKEN_PIPE, StdoutClosed, decoded_arguments, prepare_streams, shows_all
from .view import ViewSpec, check_types
from .xref import Side, cross_reference as match, reference_folder

if TYPE_CHECKING:
    import networkx as nx


__all__ = ["EXIT_CODES_HELP", "new_app", "DataOption", "JsonOption", "NoCacheOption", "EntityArgument",
           "ListTypeOption", "TopOption", "FACT_FILTERS", "SELECTION", "command", "query", "load", "viewed",
           "answer", "respond", "view_spec", "print_json", "report", "run_app", "progress", "write_files", "add_export_command",
           "MinScoreOption", "PairLimitOption", "PairFormatOption", "answer_pairs", "duplicates", "cross_reference",
           "validate_folders", "resolve", "speak", "PlainOption", "only_command", "EntityName", "entity_argument",
           "entity_option"]

EXIT_CODES_HELP = ("Exit codes: 0 success; 1 no result (no path, no match); 2 usage error "
                   "(bad option, unknown or ambiguous entity, graph too large to draw); "
                   "3 invalid data; 4 output could not be written (stdout closed included); "
                   "141 stdout's reader went away (broken pipe).")

Options = dict[str, tuple[Any, Any]]
"""Parameter name → (Annotated typer type, default)."""

def _folders(given: Optional[list[Path]]) -> Folders:
    """The folders of ``--data`` (repeatable), else of ``$TIELINE_DATA`` (``:``-separated), else ``data``."""
    return Folders.of(given)


DataOption = Annotated[Optional[list[Path]], typer.Option(
    "--data", "-d", callback=_folders, show_default="data",
    help="The fact folder; repeat it to read several folders as one graph (env TIELINE_DATA, ':'-separated).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON on stdout.")]
PlainOption = Annotated[bool, typer.Option(
    "--plain", envvar="TIELINE_PLAIN", help="Tables as plain rows (tab-separated, a header line, nothing cut), "
                                           "as when stdout is not a terminal.")]
NoCacheOption = Annotated[bool, typer.Option(
    "--no-cache", envvar="TIELINE_NO_CACHE", help="Load and validate from scratch; don't read or write the cache.")]


class EntityName(click.ParamType):
    """An entity named by id, name or alias: text, completed in the shell from the query index.

    Completion is the type's own (not typer's ``autocompletion``, which keeps only values that begin
    with the typed text): "Dmitr" offers Kirill Dmitriev, whose name has a word that begins so.
    """

    name = "text"

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        return value

    def shell_complete(self, ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
        """Names and ids from the query index of ``--data`` (:func:`graph.complete.entity_completions`)."""
        from click.shell_completion import CompletionItem

        data = ctx.params.get("data") or os.environ.get("TIELINE_DATA") or "data"
        return [CompletionItem(value, help=about)
                for value, about in entity_completions(data, incomplete, os.environ.get("_TIELINE_COMPLETE", ""))]


def entity_argument(help_text: str, metavar: str | None = None) -> Any:
    """A typer Argument naming an entity (id, name or alias), completed from the query index."""
    return typer.Argument(metavar=metavar, help=help_text, click_type=EntityName())


def entity_option(flag: str, help_text: str) -> Any:
    """A repeatable typer Option naming entities, completed from the query index."""
    return typer.Option(flag, help=help_text, click_type=EntityName())


EntityArgument = Annotated[str, entity_argument("Id, name or alias of the entity.")]
ListTypeOption = Annotated[Optional[list[str]], typer.Option(
    "--type", "-t", help="Only list entities of this type (the walk passes through others; repeatable).")]
TopOption = Annotated[int, typer.Option(min=1, help="How many to list.")]
MinScoreOption = Annotated[float, typer.Option(min=0, max=1, help="Only pairs scoring at least this.")]
PairLimitOption = Annotated[int, typer.Option(min=1, help="At most this many pairs.")]
PairFormatOption = Annotated[str, typer.Option(
    "--format", click_type=click.Choice(["table", "resolutions"]),
    help="table, or resolutions: the pairs as a `resolutions:` section to paste into a fact file "
         "(keep each `same` you confirm; make it `different` when they are two).")]

DATA: Options = {"data": (DataOption, None), "no_cache": (NoCacheOption, False)}
"""Where the facts come from: every command that reads them."""

FACT_FILTERS: Options = {
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
    "min_sources": (Annotated[Optional[int], typer.Option(
        "--min-sources", metavar="N", min=1, help="Only claims stated by at least N independent sources (one "
                                                  "publisher, or a publisher and its reprinter, count once).")], None),
    "exclude_relations": (Annotated[Optional[list[str]], typer.Option(
        "--exclude-relation", "-R", help="Leave out facts with this relation (repeatable).")], None),
    "exclude_types": (Annotated[Optional[list[str]], typer.Option(
        "--exclude-type", "-T", help="Leave out entities of this type and their facts: no answer passes "
                                     "through them (repeatable).")], None),
}
"""View options every query, analysis and export takes: which facts count (graph/view.py)."""

SELECTION: Options = {
    "focus": (Annotated[Optional[list[str]], typer.Option(
        "--focus", "-f", help="Only what lies within --depth hops of this entity (repeatable).",
        click_type=EntityName())], None),
    "depth": (Annotated[int, typer.Option("--depth", "-n", min=0, help="Hops around --focus or --path.")], 1),
    "path": (Annotated[Optional[tuple[str, str]], typer.Option(
        "--path", metavar="A B", help="Highlight the shortest paths between A and B, shown in context.")], None),
    "types": (Annotated[Optional[list[str]], typer.Option(
        "--type", "-t", help="Only entities of this type (repeatable).")], None),
}
"""View options of the exports: which entities are shown."""


def new_app(help_text: str | None = None, **settings: Any) -> typer.Typer:
    """A typer app (or sub-app) with tieline's settings: exit codes in the epilog, one suggestion for a typo."""
    if help_text is not None:  # without it, the app's callback docstring is its help
        settings["help"] = help_text
    return typer.Typer(epilog=EXIT_CODES_HELP, no_args_is_help=True,
                       suggest_commands=False,  # click suggests already: typer would say it twice
                       **settings)


def _with_options(function: Callable[..., Any], injected: tuple[str, ...], options: Options,
                  call: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable[..., Any]:
    """``function`` with the ``injected`` parameters replaced by ``options``; ``call`` maps the
    options' values to the injected arguments."""
    signature = inspect.signature(function)  # the injected parameters' types need not exist at run time
    scope = inspect.unwrap(function).__globals__
    own = [p.replace(annotation=eval(p.annotation, scope) if isinstance(p.annotation, str)  # noqa: S307
                     else p.annotation)  # our own annotations, as inspect.signature(eval_str=True) would
           for p in signature.parameters.values() if p.name not in injected]
    added = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=kind, default=default)
             for name, (kind, default) in options.items()]

    @functools.wraps(function)
    def run(**kwargs: Any) -> Any:
        given = {name: kwargs.pop(name) for name in options}
        return function(**call(given), **kwargs)

    run.__signature__ = signature.replace(parameters=own + added)  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in own + added}
    return run


def view_spec(given: dict[str, Any]) -> ViewSpec:
    """The ViewSpec of the view options as parsed (lists become tuples; absent values defaults)."""
    fields = set(ViewSpec.__dataclass_fields__)
    return ViewSpec(**{k: tuple(v) if isinstance(v, list) else v for k, v in given.items()
                       if k in fields and v is not None})


def run_app(start: Callable[[], Any]) -> int:
    """Run the typer app ``start`` starts; its exit code, whatever the streams (graph/terminal.py):
    never a traceback for a closed stdout (exit 4), a broken pipe (141, quietly) or a terminal's encoding."""
    prepare_streams()
    sys.argv[:] = decoded_arguments(sys.argv)
    code = 0
    try:
        start()
    except SystemExit as exc:  # click, typer and rich end a broken pipe with exit 1: theirs, not ours
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if isinstance(exc.__context__, BrokenPipeError):
            code = BROKEN_PIPE
        elif isinstance(exc.code, str):
            sys.stderr.write(exc.code + "\n")
    except StdoutClosed:
        code = report(OutputError("stdout is closed: the answer was not printed"))
    except BrokenPipeError:
        code = BROKEN_PIPE
    except TielineError as exc:  # raised outside a command (none is expected): still no traceback
        code = report(exc)
    except KeyboardInterrupt:
        sys.stderr.write("tieline: interrupted\n")
        code = 130
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:
            code = BROKEN_PIPE
        except (OSError, ValueError):
            pass
    return code


def report(exc: TielineError) -> int:
    """Print ``exc`` for people on stderr; return its exit code (the table in graph/errors.py)."""
    sys.stderr.write("\n".join(render.error_message(exc)) + "\n")
    return exit_code(exc)


def command(parent: typer.Typer, name: str | None = None, **settings: Any) -> Callable[..., Any]:
    """``@parent.command`` whose tieline errors print their message and exit with their code."""
    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return function(*args, **kwargs)
            except TielineError as exc:
                raise typer.Exit(report(exc)) from None
        return parent.command(name, **settings)(run)
    return register


def query(parent: typer.Typer, name: str | None = None, *, views: tuple[Options, ...] = (FACT_FILTERS,),
          json: bool = True, indexed: bool = False) -> Callable[..., Any]:
    """Register a command that reads the data: it gets ``compiled``, ``view`` and ``as_json`` from
    ``--data``/``--no-cache``, the ``views`` option sets and ``--json``.

    ``indexed``: the command asks only what the query index answers (graph/index.py), so
    ``compiled`` is read from it when it is current; should the index turn out damaged while the
    command runs, it is dropped and the command runs again on the graph.
    """
    options: Options = {**DATA, **({"as_json": (JsonOption, False)} if json else {}), "plain": (PlainOption, False)}
    for option_set in views:
        options.update(option_set)

    def inject(given: dict[str, Any]) -> dict[str, Any]:
        compiled = load(given["data"], given["no_cache"], indexed=indexed)
        injected: dict[str, Any] = {"compiled": compiled}
        if json:
            injected["as_json"] = given["as_json"]
        if views:
            injected["view"] = view_spec(given)
        speak(compiled, injected.get("view"), given["plain"])
        return injected

    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        run = _with_options(_falling_back(function) if indexed else function, ("compiled", "view", "as_json"),
                            options, inject)
        return command(parent, name)(run)
    return register


def speak(compiled: Compiled, view: ViewSpec | None, plain: bool) -> None:
    """Tell :mod:`graph.render` how this run prints: plain rows or not, the certainty levels (the
    strongest goes unsaid), how entity dates are worded, and the view filters for the first line."""
    vocabulary = compiled.graph.graph
    levels = tuple(vocabulary["certainty"])
    headline = view.resolve(compiled).headline(levels) if view is not None and view.filters else None
    render.speak(plain=plain, levels=levels, entity_types=dict(vocabulary.get("entity_types") or {}),
                 headline=f"({headline})" if headline else None)


def _falling_back(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function``, run again on the graph when the query index it was reading proves damaged."""
    @functools.wraps(function)
    def run(**kwargs: Any) -> Any:
        try:
            return function(**kwargs)
        except IndexDamaged:
            store = kwargs["compiled"].indexed_in
            drop_index(store)
            kwargs["compiled"] = load(Folders(store.root / f for f in store.folders), no_cache=False, indexed=True)
            return function(**kwargs)
        finally:
            _build_pending_indexes()
    return run


def _build_pending_indexes() -> None:
    """Write the query index put off while the command answered from the graph (its output comes first)."""
    if PENDING:
        with contextlib.suppress(OSError):  # a broken pipe or a closed stdout: the index is still written
            sys.stdout.flush()
        with progress("indexing for the next queries", minimum=render.Progress.MIN_ROWS) as bar:
            build_pending(bar)


def load(data: Folders, no_cache: bool, wrote_nothing: bool = True, indexed: bool = False) -> Compiled:
    """The compiled graph of ``data``; DataErrors say which folder and whether nothing was written.

    ``indexed``: read it from the query index when that is current (:mod:`graph.index`).
    """
    if not no_cache:
        _say_no_cache()
    data = Folders.of(data)
    with progress("parsing fact files") as bar:
        try:
            if indexed and not no_cache:
                return load_indexed(data, progress=bar, defer=True)
            return load_compiled(data, use_cache=not no_cache, progress=bar)
        except DataErrors as exc:
            exc.folder, exc.wrote_nothing = str(data), wrote_nothing
            raise


def _say_no_cache(said: list[bool] = []) -> None:  # noqa: B006 - said once per process
    """Say once on stderr that there is no cache folder, and why (graph/store.py: cache_root)."""
    reason = no_cache_reason()
    if reason and not said:
        said.append(True)
        sys.stderr.write(f"tieline: no cache ({render.terminal_text(reason)}): every load starts from scratch; "
                         "set TIELINE_CACHE_DIR or XDG_CACHE_HOME to keep one\n")


def validate_folders(data: Any, as_json: bool, no_cache: bool) -> None:
    """``tieline validate``: every problem (DataErrors), else the counts; shared names and conflicts on stderr."""
    folders = Folders.of(data)
    try:
        compiled = load(folders, no_cache, wrote_nothing=False)
    except DataErrors as exc:
        if as_json:
            print_json(render.validation_json(exc.errors))
        raise
    counts = graph_counts(compiled.graph)  # the full stats cost seconds at 100k entities
    shared = compiled.names.shared_names()
    if shared:
        typer.echo(f"tieline: {render.shared_names_line(shared)}", err=True)
    disagreements = count_conflicts(compiled.graph)
    if disagreements:
        typer.echo(f"tieline: {render.conflicts_summary_line(disagreements)}", err=True)
    if as_json:
        print_json({"valid": True, "errors": [], **{k: counts[k] for k in ("entities", "facts", "sources")}})
    else:
        typer.echo(f"{render.terminal_text(str(folders))}/ is valid: " + ", ".join(
            render.counted(counts[k], {"entities": "entity", "facts": "fact", "sources": "source"}[k], thousands=False)
            for k in ("entities", "facts", "sources")))


def resolve(compiled: Compiled, text: str, doing: str = "taking") -> str:
    """The id of the entity ``text`` names; a name that matches nothing but has one clear candidate
    (:meth:`graph.model.NameIndex.clear_guess`) is answered for it, and stderr says so."""
    notes: list[str] = []
    found = named(compiled, text, notes, doing)
    for note in notes:
        typer.echo(f"tieline: {note}", err=True)
    return found


def viewed(compiled: Compiled, view: ViewSpec, *anchors: str) -> nx.MultiDiGraph:
    """The part of the graph ``view`` shows, with ``anchors`` (entity ids) always in it."""
    return compiled_view(compiled, view, *anchors)


@contextlib.contextmanager
def progress(label: str, minimum: int = render.Progress.MIN_BYTES) -> Iterator[render.Progress]:
    """A progress bar on a terminal (from ``minimum`` units of work), closed whatever happens."""
    bar = render.Progress(label, minimum=minimum)
    try:
        yield bar
    finally:
        bar.close()


def print_json(value: Any) -> None:
    """``value`` as JSON on stdout: ``\\uXXXX`` escapes where stdout cannot show a character (graph/terminal.py)."""
    typer.echo(render.json_text(value, ascii_only=not shows_all(sys.stdout)))


def answer(result: Any, as_json: bool, text: Callable[[Any], Any]) -> None:
    """Print ``result`` as JSON, or as the lines and tables ``text(result)`` makes of it."""
    if as_json:
        print_json(result)
        return
    parts = text(result)
    for part in parts if isinstance(parts, (list, Iterator)) else [parts]:
        render.show(part)  # a generator's parts are printed as they come


def respond(reply: Answer, as_json: bool) -> None:
    """Print a question's answer (graph/questions.py) as JSON or text; NoResult when it has none."""
    for note in reply.notes:
        typer.echo(f"tieline: {note}", err=True)
    if as_json or reply.missing is None or reply.text_when_missing:
        answer(reply.value, as_json, reply.text)
    if reply.missing is not None:
        raise NoResult(reply.missing())


def only_command(app: typer.Typer, argv: list[str]) -> typer.Typer:
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


# --- pairs of entities: dedupe, xref -------------------------------------------------------------------

def answer_pairs(result: dict[str, Any], as_json: bool, fmt: str, min_score: float,
                 table: Callable[[Any], Any]) -> None:
    """Print candidate pairs as JSON, a table or a ``resolutions:`` section; work bounded in large blocks
    said on stderr; NoResult when no pair scores ``min_score``."""
    for line in render.bounded_lines(result["bounded"]):
        typer.echo(f"tieline: {line}", err=True)
    if result["candidates"] or as_json:
        answer(result, as_json, table if fmt == "table" else render.resolutions_text)
    if not result["candidates"]:
        raise NoResult(f"no pair of entities scores {min_score} or more")


def duplicates(compiled: Compiled, as_json: bool, types: Sequence[str], min_score: float, limit: int,
               fmt: str) -> None:
    """`tieline dedupe`: the candidate pairs of one folder, printed."""
    check_types(compiled.graph, types)
    with progress("comparing names", 20_000) as bar:
        result = find_duplicates(compiled.graph, types=types, min_score=min_score, limit=limit, progress=bar)
    answer_pairs(result, as_json, fmt, min_score, render.dedupe_table)


def cross_reference(data: Any, reference: Path, no_cache: bool, as_json: bool, types: Sequence[str],
                    min_score: float, limit: int, fmt: str) -> None:
    """`tieline xref`: the story of ``data`` against the folder ``reference``, both read from their query
    indexes when current (else loaded, and their indexes written after the answer); a reference
    inside ``data`` (``DATA/imports/NAME``) is the part of the story written there. One story folder."""
    folders = Folders.of(data)
    if len(folders) != 1:
        raise UsageError("xref matches one story folder (one --data) against REFERENCE")
    data = folders[0]
    if not reference.is_dir():
        raise UsageError(f"REFERENCE {render.terminal_text(reference)} is not a folder (a data folder, e.g. an import)")
    folder = reference_folder(str(data), str(reference))
    if folder == "":
        raise UsageError("REFERENCE is the story itself (--data): `tieline dedupe` lists pairs within one folder")

    def run() -> None:
        story = load(data, no_cache, indexed=True)
        sides = (Side(story, folder, inside=False), Side(story, folder)) if folder is not None else (
            Side(story), Side(load(reference, no_cache, indexed=True)))
        check_types(story.graph, types)
        with progress("reading the reference's names", 1_000_000) as bar:
            result = match(*sides, types=types, min_score=min_score, limit=limit, progress=bar)
        answer_pairs(result, as_json, fmt, min_score, render.xref_table)
    try:
        try:
            run()
        except IndexDamaged:
            for root in (data, reference):
                drop_index(Store(root))
            run()
    finally:
        _build_pending_indexes()


# --- exports ----------------------------------------------------------------------------------------

MetricsOption = Annotated[bool, typer.Option(
    "--metrics", help="Add degree, betweenness, pagerank and community to every entity (the page computes its own).")]
def format_options(fmt: ExportFormat) -> Options:
    """The command-line options of the options only ``fmt`` takes (:class:`graph.export.FormatOption`)."""
    options: Options = {}
    for option in fmt.options:
        if option.kind is bool:
            options[option.name] = (Annotated[bool, typer.Option(option.flag, help=option.help)], bool(option.default))
        else:
            options[option.name] = (Annotated[Optional[option.kind], typer.Option(
                option.flag, min=option.min, help=option.help)], option.default)
    return options


def write_files(fmt: ExportFormat, files: dict[str, bytes], out: Path | None, g: nx.MultiDiGraph, data: Folders) -> None:
    """Write an export's files (atomically, never into ``data``; stdout for ``-``) and say so on stderr."""
    summary = f"{g.number_of_nodes()} entities, {g.number_of_edges()} facts"
    for target, size in fmt.write(files, out, sys.stdout.buffer, Folders.of(data)):
        typer.echo(f"tieline: wrote {fmt.label} to stdout ({summary})" if target is None else
                   f"tieline: wrote {render.terminal_text(target)} ({fmt.label}: {summary}, {size:,} bytes)", err=True)
    for note in getattr(files, "notes", ()):  # what a format could not write as it is (graph/export/ftm.py)
        typer.echo(f"tieline: {render.terminal_text(note)}", err=True)


def add_export_command(parent: typer.Typer, fmt: ExportFormat) -> None:
    """``tieline export FORMAT`` from the registry entry: the view options and the format's own."""
    def export(compiled: Compiled, view: ViewSpec, data: Path, out: Path | None, metrics: bool = False,
               **options: Any) -> None:
        g = view.resolve(compiled).export_graph(compiled.graph)
        if metrics and fmt.metrics is Metrics.COLUMNS:
            with progress("searching shortest paths", render.Progress.MIN_VISITS) as bar:
                g = with_metrics(g, bar)
        write_files(fmt, fmt.render(g, **{k: v for k, v in options.items() if v is not None}), out, g, data)

    out_help = (f"Folder for the {fmt.label} files (default: {fmt.default_path})." if fmt.multi_file else
                f"Where to write (default: {fmt.default_path}); '-' for stdout.")
    own: Options = {"out": (Annotated[Optional[Path], typer.Option("--out", "-o", help=out_help)], None),
                    **({"metrics": (MetricsOption, False)} if fmt.metrics is not Metrics.NONE else {}),
                    **format_options(fmt)}
    export.__signature__ = inspect.Signature([  # type: ignore[attr-defined]
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=kind, default=default)
        for name, (kind, default) in {"compiled": (Any, None), "view": (Any, None), **own}.items()])
    export.__annotations__ = {"compiled": Any, "view": Any, **{name: kind for name, (kind, _) in own.items()}}
    export.__doc__ = f"{fmt.summary}\n\nExample: {fmt.example}"
    export.__name__ = f"export_{fmt.name}"

    def keep_data(given: dict[str, Any]) -> dict[str, Any]:  # the export needs --data too: never write into it
        return {"data": given["data"], "compiled": load(given["data"], given["no_cache"]), "view": view_spec(given)}
    command(parent, fmt.name)(_with_options(export, ("compiled", "view", "data"),
                                            {**DATA, **SELECTION, **FACT_FILTERS}, keep_data))
