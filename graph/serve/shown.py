"""What is on the reader's screen, and the exported page of it.

The page does not keep entities: it keeps a *recipe* — the entities it started from (``seed``), the
ones expanded and how far (``expand=ID:N``: the first N neighbours, in the order ``neighbours``
lists them), the ones removed (``hide``) and the path asked for (``from``, ``to``) — and the server
turns it into the entities and facts shown, asking the same questions as ``/api/neighbours`` and
``/api/path`` with the same view filters. The page drawn is the exported page
(:func:`graph.export.html.render`) of that part of the graph, so "Export this view" is the very
file on screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import UsageError
from ..export.html import render
from .ask import BOUNDS, Questions

if TYPE_CHECKING:
    import networkx as nx

    from ..model import Compiled

__all__ = ["RECIPE_KEYS", "Recipe", "MAX_SHOWN", "MAX_STEPS", "read_recipe", "shown_graph", "page"]

RECIPE_KEYS = frozenset({"seed", "expand", "hide", "from", "to"})
MAX_SHOWN = 1500
"""The most entities on one screen (the exported page's own limit, ``DEFAULT_MAX_NODES``)."""
MAX_STEPS = 200
"""The most seeds, expansions and removals one recipe may hold."""


class Recipe(NamedTuple):
    """How the reader got to what is on screen; ``filters``: the view options of every question."""

    seeds: tuple[str, ...]
    expansions: tuple[tuple[str, int], ...]
    hidden: tuple[str, ...]
    path: tuple[str, str] | None
    filters: tuple[tuple[str, str], ...]


def read_recipe(items: Sequence[tuple[str, str]]) -> Recipe:
    """The recipe in a query string; UsageError for a malformed or oversized one."""
    seeds, expansions, hidden, ends, filters = [], [], [], {}, []
    for key, value in items:
        if key == "seed":
            seeds.append(value)
        elif key == "expand":
            entity, _, count = value.rpartition(":")
            if not entity or not count.isdigit() or not 0 < int(count) <= BOUNDS["limit"]:
                raise UsageError(f"expand={value!r}: write expand=ENTITY:N with N from 1 to {BOUNDS['limit']}")
            expansions.append((entity, int(count)))
        elif key == "hide":
            hidden.append(value)
        elif key in ("from", "to"):
            if key in ends:
                raise UsageError(f"{key} given twice: one path at a time")
            ends[key] = value
        else:
            filters.append((key, value))
    if len(seeds) + len(expansions) + len(hidden) > MAX_STEPS:
        raise UsageError(f"more than {MAX_STEPS} steps in one view: remove or collapse some")
    if len(ends) == 1:
        raise UsageError("a path needs both from= and to=")
    path = (ends["from"], ends["to"]) if ends else None
    return Recipe(tuple(seeds), tuple(expansions), tuple(hidden), path, tuple(filters))


def shown_graph(compiled: Compiled, questions: Questions, recipe: Recipe) -> nx.MultiDiGraph:
    """The entities the recipe puts on screen and the facts between them (as the view shows them),
    with the path highlighted (``graph["selection"]``, as an export's)."""
    import networkx as nx

    view = questions.parse("neighbours", [("entity", "?"), *recipe.filters]).view  # the filters checked first
    resolve = compiled.names.resolve
    shown: dict[str, None] = {}
    hidden = {resolve(name) for name in recipe.hidden}
    for name in recipe.seeds:
        shown[resolve(name)] = None
    for name, count in recipe.expansions:
        asked = questions.parse("neighbours", [("entity", name), ("limit", str(count)), *recipe.filters])
        value = asked.answer(compiled).value
        shown[value["entity"]["id"]] = None
        shown.update((n["id"], None) for n in value["neighbours"])
    path_nodes: list[str] = []
    path_facts: list[str] = []
    if recipe.path:
        asked = questions.parse("path", [("from", recipe.path[0]), ("to", recipe.path[1]), *recipe.filters])
        value = asked.answer(compiled).value
        for hop in (value["paths"][0]["hops"] if value["paths"] else ()):
            path_nodes.extend(n for n in (hop["from"]["id"], hop["to"]["id"]) if n not in path_nodes)
            path_facts.extend(f["id"] for f in hop["facts"])
        shown.update((n, None) for n in path_nodes or (value["from"]["id"], value["to"]["id"]))
    kept = [n for n in shown if n not in hidden or n in path_nodes]
    if len(kept) > MAX_SHOWN:
        raise UsageError(f"{len(kept)} entities on one screen, more than {MAX_SHOWN}: collapse or remove some")
    g = view.resolve(compiled, kept).apply(compiled.graph)
    result = nx.MultiDiGraph()
    result.graph = dict(compiled.graph.graph)
    result.graph["selection"] = {"focus": [], "path": path_nodes, "path_edges": path_facts}
    result.add_nodes_from((n, dict(g.nodes[n])) for n in sorted(kept))
    members = set(kept)
    facts = sorted(((u, v, data) for u in kept for _, v, data in g.out_edges(u, data=True) if v in members),
                   key=lambda fact: fact[2]["id"])
    result.add_edges_from((u, v, data["id"], dict(data)) for u, v, data in facts)
    return result


def page(compiled: Compiled, questions: Questions, recipe: Recipe) -> tuple[bytes, dict[str, Any]]:
    """The exported page of what the recipe shows, and its counts."""
    g = shown_graph(compiled, questions, recipe)
    return render(g, max_nodes=MAX_SHOWN), {"entities": g.number_of_nodes(), "facts": g.number_of_edges()}
