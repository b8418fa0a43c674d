"""The questions the query index answers, asked the same way by the command line and the server.

Each function takes the compiled data, the :class:`~graph.view.ViewSpec` and the command's own
arguments (named as ``cli.py`` names them) and gives an :class:`Answer`: the value ``--json``
prints, how to say it for people, and — when the question has no answer — why. ``cli.py`` prints
it (:func:`graph.commandline.respond`); ``tieline serve`` sends the same value as the same JSON
(:mod:`graph.serve`), so the two cannot differ.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from . import render
from .errors import EntityNotFound, UsageError
from .query import DIRECTIONS, entity_card, neighbourhood, search_entities, search_paths
from .timeline import build_timeline
from .view import ViewSpec, check_types
from .wording import entity_ref

if TYPE_CHECKING:
    from .model import Compiled

__all__ = ["Answer", "QUESTIONS", "named", "search", "show", "neighbours", "path", "timeline"]


class Answer(NamedTuple):
    """What a question gives: the value ``--json`` prints, its text for people, and why it has no answer."""

    value: dict[str, Any]
    text: Callable[[dict[str, Any]], Any]
    missing: Callable[[], str] | None = None  # the question has no answer: the NoResult message
    text_when_missing: bool = False  # the text is printed even then (a timeline's header)
    notes: tuple[str, ...] = ()  # said on stderr first: a misspelt name taken for its one clear candidate


def named(compiled: Compiled, text: str, notes: list[str], doing: str = "taking") -> str:
    """The id of the entity ``text`` names. A name that matches nothing but has one clear candidate
    (:meth:`graph.model.NameIndex.clear_guess`) is taken for it, and ``notes`` gets a line saying so."""
    try:
        return compiled.names.resolve(text)
    except EntityNotFound:
        guess = compiled.names.clear_guess(text)
        if guess is None:
            raise
    notes.append(render.guessed_line(doing, compiled.names.names[guess], guess, text))
    return guess


def search(compiled: Compiled, view: ViewSpec, text: str, types: Collection[str] = (), limit: int = 10) -> Answer:
    """Entities whose name or alias matches ``text``, best first."""
    check_types(compiled.graph, types)
    results = search_entities(compiled_view(compiled, view), text, limit, tuple(types))
    return Answer({"query": text, "results": results}, lambda r: render.search_table(r["results"]),
                  None if results else (lambda: f"no entity matches {text!r}"))


def show(compiled: Compiled, view: ViewSpec, entity: str) -> Answer:
    """The entity card: attributes and every fact in and out."""
    notes: list[str] = []
    node = named(compiled, entity, notes, "showing")
    return Answer(entity_card(compiled_view(compiled, view, node), node), render.card_lines, notes=tuple(notes))


def neighbours(compiled: Compiled, view: ViewSpec, entity: str, depth: int = 1, types: Collection[str] = (),
               direction: str = "both", limit: int = 100) -> Answer:
    """Entities within ``depth`` hops, nearest first (the first ``limit``), and how many in all."""
    if direction not in DIRECTIONS:
        raise UsageError(f"--direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}")
    check_types(compiled.graph, types)
    notes: list[str] = []
    node = named(compiled, entity, notes)
    resolved = view.resolve(compiled, (node,))
    g = resolved.apply(compiled.graph)
    near = neighbourhood(g, node, depth, tuple(types), direction, limit)
    result = {"entity": entity_ref(g, node), "depth": depth, "direction": direction, **near}
    return Answer(result, lambda r: render.neighbours_lines(r, r["entity"]["name"]),
                  None if near["neighbours"] else
                  (lambda: render.no_neighbours_text(compiled.graph, g, node, resolved.window)), notes=tuple(notes))


def path(compiled: Compiled, view: ViewSpec, source: str, target: str, all_paths: bool = False,
         max_hops: int | None = None, via_types: Collection[str] = (), avoid: Sequence[str] = (),
         directed: bool = False, limit: int = 50, routes: int | None = None, chronological: bool = False) -> Answer:
    """The shortest connection between two entities, hop by hop (or every one, or ``routes`` of them)."""
    check_types(compiled.graph, via_types)
    notes: list[str] = []
    a, b = named(compiled, source, notes), named(compiled, target, notes)
    avoided = [named(compiled, x, notes) for x in avoid]
    resolved = view.resolve(compiled, (a, b))
    g = resolved.apply(compiled.graph)
    found = search_paths(g, a, b, all_paths=all_paths, max_hops=max_hops, via_types=tuple(via_types),
                         avoid=avoided, directed=directed, limit=limit, routes=routes, chronological=chronological)
    stopped = {"gave_up": True, "examined": found["examined"]} if found["gave_up"] else {}  # the work bound
    result = {"from": entity_ref(g, a), "to": entity_ref(g, b), "paths": found["paths"], **stopped}
    return Answer(result, _path_texts, None if found["paths"] else (lambda: render.no_path_text(
        compiled.graph, g, a, b, found, resolved, max_hops=max_hops, directed=directed,
        narrowed=bool(via_types or avoid))), notes=tuple(notes))


def _path_texts(result: dict[str, Any]) -> list[str]:
    """Each path as lines, numbered when there are several."""
    paths, start, end = result["paths"], result["from"]["name"], result["to"]["name"]
    return [render.path_text(p, start, end, number if len(paths) > 1 else None)
            for number, p in enumerate(paths, start=1)]


def timeline(compiled: Compiled, view: ViewSpec, entities: Sequence[str] = ()) -> Answer:
    """Dated facts in date order (of ``entities`` only, when given), grouped by date."""
    notes: list[str] = []
    nodes = [named(compiled, name, notes) for name in entities]
    resolved = view.resolve(compiled, nodes)
    result = build_timeline(resolved.apply(compiled.graph), nodes, resolved.window and resolved.window.span)
    return Answer(result, render.timeline_lines,
                  None if result["entries"] else
                  (lambda: "no dated facts" + (f" {resolved.window.words}" if resolved.window else "")),
                  text_when_missing=True, notes=tuple(notes))


def compiled_view(compiled: Compiled, view: ViewSpec, *anchors: str) -> Any:
    """The part of the graph ``view`` shows, with ``anchors`` (entity ids) always in it."""
    return view.resolve(compiled, anchors).apply(compiled.graph)


QUESTIONS: dict[str, Callable[..., Answer]] = {
    "search": search, "show": show, "neighbours": neighbours, "path": path, "timeline": timeline}
"""The questions by the name of the command that asks them (and of the server's ``/api/NAME``)."""
