"""The HTML explorer: one self-contained page that draws the graph with vis-network.

The page works offline and from ``file://``: vis-network (``graph/vendor/``), the stylesheet
and the explorer script (``graph/templates/``) are inlined, and a Content-Security-Policy
with ``default-src 'none'`` forbids any request at all. Data from the fact base is embedded
once as JSON in ``<script type="application/json">`` blocks (``<``, ``>``, ``&``, U+2028 and
U+2029 escaped) and put on the page only as text (``textContent``, ``createElement``).
Executable scripts are allowed by their SHA-256 hash, so an injected inline handler such as
``onerror=`` could not run even if some text ever reached the page as markup.

Layout: node positions are computed by ``graph.export.layout``, seeded (same graph, same picture) and rounded.
Graphs of up to ``PHYSICS_NODE_LIMIT`` nodes are then settled by vis-network's physics in the
browser (deterministic from those positions) and physics is switched off once stable; larger
graphs are drawn at the precomputed positions with physics off, so that ``DEFAULT_MAX_NODES``
nodes are interactive within seconds.

Certainty: a fact's line style comes from its level's position in the schema's ``certainty:``
section (strongest first), so any schema works: the first level is drawn solid, the last dotted,
and the levels between dashed, the dashes shortening as certainty falls (``certainty_dashes``).
A level the schema does not declare is drawn like the weakest. The page lists the levels in use
in schema order, each with its line, its description as tooltip and a checkbox that hides its
facts (entities stay, as with the relation checkboxes).

Time: every fact and every dated entity carries its ``span`` — ``[first day of start, last day of
end]`` as ISO dates from ``graph.dates`` (``null`` for an open end), ``null`` when undated — so the
page's time control compares plain strings: a fact is shown when its span overlaps the range.

Metrics: ``graph.analysis.node_metrics`` (degree, betweenness, PageRank, community) and the
labelled clusters of ``graph.analysis.clusters`` are in the payload for "size by" and "colour by".

Search: the payload carries every entity's name keys (``graph.names.name_key`` of its name and
aliases, ``id_key`` of its id), so the page compares against Python's keys; it only folds the
typed text, the same way (``nameKey`` in ``explorer.js``, checked against ``name_key`` in
Chromium by the tests).
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import networkx as nx

from graph.analysis import clusters, node_metrics
from graph.dates import AFTER_ALL, BEFORE_ALL, day_text, entity_span, fact_days, period_text
from graph.errors import GraphTooLarge
from graph.fields import ENTITY_FIELDS, FACT_FIELDS, RELATION_FIELDS, field_names
from graph.names import id_key, latin_key, latin_table, name_key
from graph.wording import entity_when, fact_when
from graph.style import is_color, is_shape

from .flatten import plain_json
from .layout import LAYOUT_SEED, SMALL_GRAPH, layout_positions

__all__ = ["DEFAULT_MAX_NODES", "PHYSICS_NODE_LIMIT", "certainty_dashes", "files", "layout_positions",
           "render", "script_json"]

DEFAULT_MAX_NODES = 1500
"""More nodes than this and ``render`` raises ``GraphTooLarge``: the page would not be readable."""

PHYSICS_NODE_LIMIT = SMALL_GRAPH
"""Up to this many nodes the browser settles the layout with physics; above, physics is off."""

VIS_NETWORK_VERSION = "9.1.2"
"""The vendored vis-network build (``graph/vendor/vis-network.min.js``)."""

_HERE = Path(__file__).resolve().parent.parent
_TEMPLATES = _HERE / "templates"
_VENDOR = _HERE / "vendor"
_TEMPLATE_NAME = "explorer.html"
_CSP_PLACEHOLDER = "__TIELINE_SCRIPT_HASHES__"

_ACCENT = "#1f2328"
_EDGE_GREY = "#9aa3ad"
_FALLBACK_COLOR = "#8c8c8c"
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                 "\u2028": "\\u2028", "\u2029": "\\u2029"}
_JSON_ESCAPE_RE = re.compile("[<>&\u2028\u2029]")
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SCRIPT_RE = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def files(G: nx.MultiDiGraph, *, max_nodes: int = DEFAULT_MAX_NODES) -> dict[str, bytes]:
    """What the export writes: ``{"graph.html": bytes}`` (the registry in ``graph/export/__init__.py``)."""
    return {"graph.html": render(G, max_nodes=max_nodes)}


def render(G: nx.MultiDiGraph, *, max_nodes: int = DEFAULT_MAX_NODES) -> bytes:
    """Return the explorer page for ``G`` as UTF-8 bytes; the same graph gives the same bytes.

    Raises ``GraphTooLarge`` when ``G`` has more than ``max_nodes`` nodes.
    """
    if G.number_of_nodes() > max_nodes:
        raise GraphTooLarge(G.number_of_nodes(), max_nodes)
    physics = G.number_of_nodes() <= PHYSICS_NODE_LIMIT
    positions = layout_positions(G)
    selection = _selection(G)
    nodes = _vis_nodes(G, positions, selection)
    edges = _vis_edges(G, selection)
    html = _render_with_pyvis(G, nodes, edges, _vis_options(physics, G.number_of_edges()))
    return _with_script_hashes(html).encode("utf-8", errors="backslashreplace")


def script_json(value: Any) -> str:
    """Return ``value`` as JSON that is safe inside a ``<script>`` element.

    ``<``, ``>``, ``&``, U+2028 and U+2029 become ``\\uXXXX`` escapes, so no string can close the
    element or open a comment; a ``str`` is taken to be JSON already and re-encoded.
    """
    if isinstance(value, str):
        value = json.loads(value)
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      allow_nan=False)
    return _JSON_ESCAPE_RE.sub(lambda m: _JSON_ESCAPES[m.group()], text)


def certainty_dashes(position: int, levels: int) -> bool | list[int]:
    """Return the vis-network ``dashes`` of the certainty level at ``position`` (0 = strongest).

    ``False`` (solid) for the strongest level; otherwise ``[dash, gap]`` in pixels, from long
    dashes ``[14, 4]`` for the second level down to dots ``[2, 5]`` for the weakest.
    """
    if position <= 0 or levels < 2:
        return False
    weakness = 1.0 if levels == 2 else min(position - 1, levels - 2) / (levels - 2)
    return [round(14 - 12 * weakness), round(4 + weakness)]


# ---------------------------------------------------------------- vis data


def _selection(G: nx.MultiDiGraph) -> dict[str, set[str]]:
    """Return the highlighted focus nodes, path nodes and path edges present in ``G``."""
    raw = G.graph.get("selection") or {}
    return {
        "focus": {n for n in raw.get("focus") or () if n in G},
        "path": {n for n in raw.get("path") or () if n in G},
        "path_edges": {str(e) for e in raw.get("path_edges") or ()},
    }


def _type_style(G: nx.MultiDiGraph, type_id: str) -> tuple[str, str]:
    """Return the (colour, vis shape) of an entity type, with safe fallbacks."""
    spec = (G.graph.get("entity_types") or {}).get(type_id) or {}
    color = spec.get("color")
    shape = spec.get("shape")
    return (color if is_color(color) else _FALLBACK_COLOR, shape if is_shape(shape) else "dot")


def _node_size(degree: int) -> float:
    """Return the drawn size of a node with ``degree`` facts: grows with the square root."""
    return round(min(12.0 + 4.0 * math.sqrt(degree), 48.0), 1)


def _vis_nodes(G: nx.MultiDiGraph, positions: dict[str, tuple[int, int]],
               selection: dict[str, set[str]]) -> list[dict[str, Any]]:
    """Return vis-network node option dicts, in id order (built by pyvis's ``Node``).

    vis ids are positions in that order: vis-network keeps nodes in a plain object, where an
    entity called ``constructor`` would find ``Object.prototype.constructor``.
    """
    from pyvis.node import Node

    nodes = []
    for index, node in enumerate(sorted(G.nodes)):
        attrs = G.nodes[node]
        color, shape = _type_style(G, attrs.get("type"))
        x, y = positions[node]
        options: dict[str, Any] = {"color": color, "size": _node_size(G.degree(node)),
                                   "x": x, "y": y}
        if node in selection["focus"] or node in selection["path"]:
            options["borderWidth"] = 4
            options["color"] = {"background": color, "border": _ACCENT,
                                "highlight": {"background": color, "border": _ACCENT}}
            options["font"] = {"size": 16}
        # label is drawn on the canvas as text; no `title` (vis would parse it as HTML)
        nodes.append(Node(index, shape, label=str(attrs.get("name") or node), **options).options)
    return nodes


def _vis_edges(G: nx.MultiDiGraph, selection: dict[str, set[str]]) -> list[dict[str, Any]]:
    """Return vis-network edge option dicts, in fact-id order (built by pyvis's ``Edge``).

    Ids are positions: the edge's fact id is ``payload["facts"][id]["id"]``, its ends are
    positions in node-id order. Directed relations get an arrowhead (pyvis adds ``arrows: to``), symmetric ones none;
    parallel facts between one pair of entities are curved apart; less certain facts are dashed.
    """
    from pyvis.edge import Edge

    index = {node: i for i, node in enumerate(sorted(G.nodes))}
    facts = sorted(G.edges(keys=True, data=True), key=lambda e: str(e[2]))
    bends = _edge_bends(facts)
    dashes = _dashes_by_level(G)
    edges = []
    for number, (u, v, key, attrs) in enumerate(facts):
        options: dict[str, Any] = {"id": number, "label": str(attrs.get("label") or "")}
        if key in bends:
            options["smooth"] = bends[key]
        options["dashes"] = dashes.get(attrs.get("certainty"), dashes[None])
        if str(key) in selection["path_edges"]:
            options["color"] = {"color": _ACCENT, "highlight": _ACCENT}
            options["width"] = 4
        edges.append(Edge(index[u], index[v], directed=not attrs.get("symmetric"), **options).options)
    return edges


def _dashes_by_level(G: nx.MultiDiGraph) -> dict[Any, bool | list[int]]:
    """Return the line style of each declared certainty level; key ``None``: any other level."""
    declared = list(G.graph.get("certainty") or {})
    weakest = certainty_dashes(max(len(declared) - 1, 1), max(len(declared), 2))
    styles: dict[Any, bool | list[int]] = {None: weakest}
    styles.update({level: certainty_dashes(i, len(declared)) for i, level in enumerate(declared)})
    return styles


def _edge_bends(facts: list[tuple[str, str, Any, dict]]) -> dict[Any, dict[str, Any]]:
    """Return vis ``smooth`` options that fan out parallel facts between the same two nodes."""
    by_pair: dict[tuple[str, str], list[tuple[str, str, Any]]] = defaultdict(list)
    for u, v, key, _ in facts:
        by_pair[(min(u, v), max(u, v))].append((u, v, key))
    bends: dict[Any, dict[str, Any]] = {}
    for (low, _high), group in by_pair.items():
        if len(group) < 2:
            continue
        offsets = ([0] if len(group) % 2 else []) + [
            s * k for k in range(1, len(group)) for s in (1, -1)]
        for (u, _v, key), offset in zip(group, offsets):
            if offset == 0:
                continue
            clockwise = (offset > 0) == (u == low)
            bends[key] = {"enabled": True, "type": "curvedCW" if clockwise else "curvedCCW",
                          "roundness": round(0.2 * abs(offset), 2)}
    return bends


def _vis_options(physics: bool, edge_count: int) -> dict[str, Any]:
    """Return the vis-network options (constants only: no data strings)."""
    big = not physics
    return {
        "autoResize": True,
        "layout": {"randomSeed": LAYOUT_SEED % 1000, "improvedLayout": False},
        "physics": {
            "enabled": physics,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -110, "centralGravity": 0.012,
                                 "springLength": 130, "springConstant": 0.04,
                                 "damping": 0.5, "avoidOverlap": 0.8},
            "maxVelocity": 50,
            "minVelocity": 1,
            "stabilization": {"enabled": physics, "iterations": 300, "updateInterval": 50,
                              "fit": True},
        },
        "interaction": {
            "hover": not big,
            "hideEdgesOnDrag": big or edge_count > 2000,
            "hideEdgesOnZoom": big or edge_count > 2000,
            "navigationButtons": False,
            "keyboard": {"enabled": True, "bindToWindow": False},
            "multiselect": False,
        },
        "nodes": {
            "borderWidth": 1.5,
            "borderWidthSelected": 3,
            "font": {"size": 14, "color": "#1f2328", "strokeWidth": 4, "strokeColor": "#ffffff",
                     "face": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif"},
            "scaling": {"label": {"drawThreshold": 6}},
            "widthConstraint": {"maximum": 150},
        },
        "edges": {
            "arrows": {"to": {"scaleFactor": 0.7}},
            "color": {"color": _EDGE_GREY, "highlight": _ACCENT, "hover": "#57606a",
                      "inherit": False},
            "font": {"size": 11, "color": "#57606a", "strokeWidth": 0, "background": "rgba(255,255,255,0.85)",
                     "align": "middle",
                     "face": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif"},
            "width": 1.2,
            "selectionWidth": 1.5,
            "smooth": False,
            "scaling": {"label": {"drawThreshold": 7}},
        },
    }


# ---------------------------------------------------------------- data for the panel


_ENTITY_KEYS = field_names(ENTITY_FIELDS)
_FACT_KEYS = field_names(FACT_FIELDS + RELATION_FIELDS)


def _statements_payload(attrs: dict[str, Any]) -> list[dict[str, Any]]:
    """Each statement of a claim as the page's fact card shows it: sources, quote, certainty, dates in words."""
    momentary = bool(attrs.get("momentary"))
    return [{"sources": plain_json(s["sources"]), "quote": plain_json(s.get("quote")), "certainty": plain_json(s.get("certainty")),
             "when": period_text(s.get("start"), s.get("end"), momentary=momentary)} for s in attrs["statements"]]


def _payload(G: nx.MultiDiGraph) -> dict[str, Any]:
    """Return everything the explorer script shows as text: cards, facts, sources, legend."""
    types = G.graph.get("entity_types") or {}
    relations = G.graph.get("relations") or {}
    type_count: dict[str, int] = defaultdict(int)
    for _, t in G.nodes(data="type"):
        type_count[t] += 1
    relation_count: dict[str, int] = defaultdict(int)
    certainty_count: dict[str, int] = defaultdict(int)
    cited: set[str] = set()
    facts = []
    for u, v, key, attrs in sorted(G.edges(keys=True, data=True), key=lambda e: str(e[2])):
        relation_count[attrs.get("relation")] += 1
        certainty_count[attrs.get("certainty")] += 1
        cited.update(attrs.get("sources") or ())
        fact = {k: plain_json(attrs.get(k)) for k in _FACT_KEYS}
        fact.update(id=str(key), subject=u, object=v, span=_span(fact_days(attrs)),
                    when=fact_when(attrs))
        if attrs.get("statements"):  # a claim stated several times: the card lists each statement
            fact["statements"] = _statements_payload(attrs)
        facts.append(fact)
    sources = G.graph.get("sources") or {}
    return {
        "dataset": plain_json(G.graph.get("dataset") or {}),
        "types": [_legend_type(G, t, types.get(t) or {}, type_count[t])
                  for t in _ordered(types, type_count)],
        "relations": [_legend_relation(r, relations.get(r) or {}, relation_count[r])
                      for r in _ordered(relations, relation_count)],
        "certainty": _legend_certainty(G, certainty_count),
        "node_ids": sorted(G.nodes),
        "entities": {n: {k: plain_json(G.nodes[n].get(k)) for k in _ENTITY_KEYS}
                     | {"id": n, "span": _entity_span(G.nodes[n]), "when": entity_when(G.nodes[n], G.graph.get("entity_types"))}
                     for n in sorted(G.nodes)},
        "name_keys": {n: _name_keys(n, G.nodes[n]) for n in sorted(G.nodes)},
        "latin_table": latin_table(_names_of(G)),
        "merged": {merged: n for n in sorted(G.nodes) for merged in G.nodes[n].get("merged_ids") or ()},
        "tour": _tour(G),
        "facts": facts,
        "sources": {s: plain_json(sources.get(s) or {"id": s, "title": s}) for s in sorted(cited)},
        "selection": plain_json(G.graph.get("selection")),
        "physics": G.number_of_nodes() <= PHYSICS_NODE_LIMIT,
        "dates": _date_range(facts),
        **_metrics(G),
    }


def _span(days: tuple[int, int] | None) -> list[str | None] | None:
    """A fact's or entity's days (graph.dates, the rule the CLI's filters use) as ``[first, last]`` ISO
    dates, ``None`` for an open end; ``None`` when undated."""
    if days is None:
        return None
    return [None if days[0] == BEFORE_ALL else day_text(days[0]), None if days[1] == AFTER_ALL else day_text(days[1])]


def _entity_span(attrs: dict[str, Any]) -> list[str | None] | None:
    """An entity's days: from its start on, until its end if it has one; ``None`` when undated."""
    start, end = attrs.get("start"), attrs.get("end")
    return _span(entity_span(start, end)) if start or end else None


def _date_range(facts: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the first and last day the facts mention, every day a fact's span begins or ends on (the
    time sliders' stops) and the days a story step starts on."""
    days = sorted({day for fact in facts for day in fact["span"] or () if day})
    starts = sorted({fact["span"][0] for fact in facts if fact["span"] and fact["span"][0]})
    return {"first": days[0] if days else None, "last": days[-1] if days else None,
            "steps": starts, "ticks": days, "undated": sum(1 for fact in facts if not fact["span"])}


def _metrics(G: nx.MultiDiGraph) -> dict[str, Any]:
    """Return each entity's degree, betweenness, PageRank and community, and the labelled clusters."""
    if not G.number_of_nodes():
        return {"metrics": {}, "clusters": []}
    found = clusters(G)  # once: node_metrics numbers its communities from the same clusters
    return {"metrics": plain_json(node_metrics(G, found=found)),
            "clusters": [{"id": c["id"], "label": c["label"]["id"], "size": len(c["members"])}
                         for c in found["clusters"]]}


def _names_of(G: nx.MultiDiGraph) -> list[str]:
    """Every name and alias of the entities shown."""
    return [str(text) for _, attrs in sorted(G.nodes(data=True))
            for text in (attrs.get("name") or "", *(attrs.get("aliases") or ()))]


def _tour(G: nx.MultiDiGraph) -> dict[str, Any]:
    """The tour's steps (graph.tour) as far as this view shows them, and how many it left out.

    A step keeps the entities, path and facts present in ``G``; a step left with nothing to show
    (an export narrowed by ``--focus`` or ``--type``) is left out and counted."""
    steps, left_out = [], 0
    fact_ids = {str(key) for _, _, key in G.edges(keys=True)}
    for step in G.graph.get("tour") or ():
        shown = {"title": step["title"], "caption": step["caption"],
                 "entities": [e for e in step["entities"] if e in G],
                 "path": list(step["path"]) if all(e in G for e in step["path"]) else [],
                 "facts": [f for f in step["facts"] if f in fact_ids]}
        if shown["entities"] or shown["path"] or shown["facts"]:
            steps.append(plain_json(shown))
        else:
            left_out += 1
    return {"steps": steps, "left_out": left_out}


def _name_keys(node: str, attrs: dict[str, Any]) -> dict[str, Any]:
    """Return the search keys of an entity: ``name_key`` of its name and aliases, ``id_key`` of its id,
    and under ``latin`` the ``latin_key`` of each name or alias written in another script (so that
    typing ``putin`` finds ``Владимир Путин``)."""
    texts = [str(attrs.get("name") or node), *(str(alias) for alias in attrs.get("aliases") or ())]
    keys = {"name": name_key(texts[0]), "aliases": [name_key(t) for t in texts[1:]], "id": id_key(node)}
    latin = [[text, latin_key(text)] for text in texts if not name_key(text).isascii()]
    latin = [pair for pair in latin if pair[1] != name_key(pair[0])]
    if latin:
        keys["latin"] = latin
    return keys


def _legend_certainty(G: nx.MultiDiGraph, counts: dict[str, int]) -> list[dict[str, Any]]:
    """Return the certainty levels in use, strongest first, each with its description and line."""
    declared = G.graph.get("certainty") or {}
    dashes = _dashes_by_level(G)
    return [{"id": str(level), "description": plain_json(declared.get(level)), "count": counts[level],
             "dashes": dashes.get(level, dashes[None])}
            for level in _ordered(declared, counts)]


def _ordered(declared: dict[str, Any], counts: dict[str, int]) -> list[str]:
    """Return the ids in use: declared ones in schema order, then undeclared ones sorted."""
    present = [k for k in declared if counts.get(k)]
    return present + sorted(str(k) for k in counts if k not in declared)


def _legend_type(G: nx.MultiDiGraph, type_id: str, spec: dict, count: int) -> dict[str, Any]:
    """Return one legend entry for an entity type."""
    color, shape = _type_style(G, type_id)
    return {"id": type_id, "label": plain_json(spec.get("label") or type_id), "color": color,
            "shape": shape, "description": plain_json(spec.get("description")), "count": count}


def _legend_relation(rel_id: str, spec: dict, count: int) -> dict[str, Any]:
    """Return one filter entry for a relation."""
    return {"id": rel_id, "label": plain_json(spec.get("label") or rel_id),
            "inverse": plain_json(spec.get("inverse")), "symmetric": bool(spec.get("symmetric")),
            "count": count}


# ---------------------------------------------------------------- page


def _render_with_pyvis(G: nx.MultiDiGraph, nodes: list[dict], edges: list[dict],
                       options: dict[str, Any]) -> str:
    """Return the page rendered through pyvis's ``Network.generate_html`` with our template.

    pyvis stays in the pipeline for what it does well and cheaply: its ``Node``/``Edge``
    classes shape the vis option dicts (``arrows`` for directed facts), ``Network`` carries
    nodes, edges and options to the template and works out whether physics is on, and its
    jinja2 environment renders the template. We assign ``net.nodes``/``net.edges`` directly
    (``from_nx`` is quadratic and mutates the graph) and replace its template, whose CDN links
    and ``innerHTML`` tooltips break the offline and untrusted-text rules.
    """
    from pyvis.network import Network

    net = Network(directed=True, cdn_resources="in_line", heading="")
    net.nodes = nodes
    net.edges = edges
    net.options = options
    net.set_template_dir(str(_TEMPLATES) + "/", _TEMPLATE_NAME)
    env = net.templateEnv
    env.filters["script_json"] = script_json
    env.filters["text"] = _text
    dataset = G.graph.get("dataset") or {}
    env.globals.update(
        payload=_payload(G),
        dataset_name=str(dataset.get("name") or "tieline graph"),
        dataset_date=str(dataset.get("date") or ""),
        node_count=G.number_of_nodes(),
        edge_count=G.number_of_edges(),
        vis_js=_inline_text(_VENDOR / "vis-network.min.js", "script"),
        vis_version=VIS_NETWORK_VERSION,
        rules_js=_inline_text(_TEMPLATES / "rules.js", "script"),
        app_js=_inline_text(_TEMPLATES / "explorer.js", "script"),
        app_css=_inline_text(_TEMPLATES / "explorer.css", "style"),
        csp_placeholder=_CSP_PLACEHOLDER,
    )
    return net.generate_html(name="graph.html")


def _text(value: Any) -> str:
    """Return ``value`` escaped for HTML text or a quoted attribute, control characters dropped."""
    import html

    return html.escape(_CONTROL_RE.sub("", str(value)), quote=True)


def _inline_text(path: Path, element: str) -> str:
    """Return a script or stylesheet to inline, checked safe for its element, source-map links dropped."""
    text = path.read_text(encoding="utf-8")
    if re.search(rf"</{element}|<!--", text, re.IGNORECASE):
        raise ValueError(f"{path.name} cannot be inlined in a <{element}> element")
    return "\n".join(line for line in text.split("\n")
                     if not line.lstrip().startswith(("//# sourceMappingURL", "//@ sourceMappingURL",
                                                      "/*# sourceMappingURL")))


def _with_script_hashes(html: str) -> str:
    """Return ``html`` with the CSP placeholder replaced by the hashes of its inline scripts."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode() + "'"
        for body in _SCRIPT_RE.findall(html))
    return html.replace(_CSP_PLACEHOLDER, hashes, 1)
