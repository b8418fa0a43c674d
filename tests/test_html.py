"""The HTML explorer page, read back without a browser (see test_html_browser.py for one).

The page is parsed with the standard library's HTML tokenizer, which splits <script> elements
the way browsers do, and its embedded JSON with json.loads: independent readers of our bytes.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from graph import load_graph
from graph.errors import GraphTooLarge
from graph.export import html as html_export
from graph.export.html import DEFAULT_MAX_NODES, PHYSICS_NODE_LIMIT, certainty_dashes, render
from graph.names import id_key, name_key

ROOT = Path(__file__).resolve().parent.parent

HOSTILE_IMG = '<img src=x onerror="window.__pwned=1">'
HOSTILE_SCRIPT = "</script><script>window.__pwned=2</script>"
HOSTILE_URL = "javascript:window.__pwned=3"


# ------------------------------------------------------------------ graphs built by hand


SCHEMA_TYPES = {
    "person": {"label": "Person", "color": "#4e79a7", "shape": "dot", "description": None},
    "institution": {"label": "Institution", "color": "#f28e2b", "shape": "square",
                    "description": "Governments, offices, funds."},
    "country": {"label": "Country", "color": "#59a14f", "shape": "triangle", "description": None},
    "event": {"label": "Event", "color": "#e15759", "shape": "star", "description": None},
}
SCHEMA_RELATIONS = {
    "heads": {"label": "heads", "inverse": "is headed by", "symmetric": False, "momentary": False,
              "subject": ["person"], "object": ["institution", "country"]},
    "met_with": {"label": "met with", "inverse": "met with", "symmetric": True, "momentary": True,
                 "subject": ["person"], "object": ["person"]},
    "participated_in": {"label": "took part in", "inverse": "had participant", "symmetric": False,
                        "momentary": True, "subject": ["person", "institution", "country"], "object": ["event"]},
    "held_in": {"label": "took place in", "inverse": "hosted", "symmetric": False, "momentary": True,
                "subject": ["event"], "object": ["country"]},
}
RFERL_URL = "https://www.rferl.org/a/russia-dmitriev-washington-visit/33371234.html"


def empty_graph(name: str = "Dmitriev and the US–Russia talks, spring 2025",
                date: str | None = "2025-04-02") -> nx.MultiDiGraph:
    """A graph with the contract's graph attributes and no entities."""
    G = nx.MultiDiGraph()
    G.graph.update(
        dataset={"name": name, "date": date, "description": "A hand-built test set."},
        entity_types={k: dict(v) for k, v in SCHEMA_TYPES.items()},
        relations={k: dict(v) for k, v in SCHEMA_RELATIONS.items()},
        certainty={"confirmed": "Stated as fact by the source.",
                   "reported": "Attributed by the source to others."},
        sources={
            "rferl": {"id": "rferl", "title": "Kremlin says Putin's key investment adviser may visit",
                      "publisher": "Radio Free Europe/Radio Liberty", "published": "2025-04-02",
                      "url": RFERL_URL, "reprinted_by": "American Military News", "note": None},
            "wire": {"id": "wire", "title": "Wire report", "publisher": "Reuters",
                     "published": "2025-03", "url": None, "reprinted_by": None, "note": None},
        },
    )
    return G


def add_entity(G: nx.MultiDiGraph, node: str, type_: str, name: str, aliases: list[str] | None = None,
               **extra: Any) -> None:
    """Add an entity node with every contract attribute present."""
    attrs = {"id": node, "type": type_, "name": name, "aliases": list(aliases or []),
             "description": None, "country": None, "start": None, "end": None, "attributes": {},
             "file": "entities/test.yaml", "line": 1}
    attrs.update(extra)
    G.add_node(node, **attrs)


def add_fact(G: nx.MultiDiGraph, subject: str, relation: str, obj: str, **extra: Any) -> str:
    """Add a fact edge keyed by its id (default subject.relation.object); return the id."""
    spec = G.graph["relations"][relation]
    fact_id = extra.pop("id", f"{subject}.{relation}.{obj}")
    attrs = {"id": fact_id, "subject": subject, "object": obj, "relation": relation,
             "label": spec["label"], "inverse": spec["inverse"], "symmetric": spec["symmetric"],
             "momentary": spec["momentary"],
             "sources": ["rferl"], "quote": None, "start": None, "end": None,
             "certainty": "confirmed", "note": None, "file": "facts/test.yaml", "line": 1}
    attrs.update(extra)
    G.add_edge(subject, obj, key=fact_id, **attrs)
    return fact_id


def story_graph() -> nx.MultiDiGraph:
    """Seven entities and seven facts around Kirill Dmitriev, with accents, aliases, quotes."""
    G = empty_graph()
    add_entity(G, "kirill-dmitriev", "person", "Kirill Dmitriev", ["Dmitriev"],
               description="Head of the Russian Direct Investment Fund.", country="russia",
               attributes={"sanctioned": True, "born": 1975})
    add_entity(G, "rdif", "institution", "Russian Direct Investment Fund", ["RDIF"])
    add_entity(G, "steve-witkoff", "person", "Steve Witkoff", ["Witkoff"])
    add_entity(G, "sergei-lavrov", "person", "Sergeï Lavrov", ["Lavrov"])
    add_entity(G, "russia", "country", "Russia")
    add_entity(G, "saudi-arabia", "country", "Saudi Arabia")
    add_entity(G, "riyadh-talks", "event", "US–Russia talks in Riyadh", start="2025-02-18")
    add_fact(G, "kirill-dmitriev", "heads", "rdif", start="2011",
             quote="Dmitriev, who heads the Russian Direct Investment Fund")
    add_fact(G, "kirill-dmitriev", "met_with", "steve-witkoff", certainty="reported",
             sources=["rferl", "wire"], start="2025-02")
    add_fact(G, "kirill-dmitriev", "participated_in", "riyadh-talks")
    add_fact(G, "steve-witkoff", "participated_in", "riyadh-talks")
    add_fact(G, "sergei-lavrov", "participated_in", "riyadh-talks")
    add_fact(G, "riyadh-talks", "held_in", "saudi-arabia")
    add_fact(G, "russia", "participated_in", "riyadh-talks", note="As a state party.")
    return G


def hostile_graph() -> nx.MultiDiGraph:
    """Names, quotes, sources and the data set itself trying to break out of the page."""
    G = empty_graph(name=f"Leak {HOSTILE_SCRIPT} & <b>bold</b>", date="2025-04-02")
    G.graph["certainty"]["confirmed"] = f"Sure {HOSTILE_IMG}"
    G.graph["sources"]["evil"] = {
        "id": "evil", "title": f"Title {HOSTILE_IMG}", "publisher": HOSTILE_SCRIPT,
        "published": "2025", "url": HOSTILE_URL, "reprinted_by": "<svg onload=alert(1)>",
        "note": "<!-- \u2028\u2029 -->"}
    add_entity(G, "img-person", "person", HOSTILE_IMG, [HOSTILE_SCRIPT],
               description="<script>window.__pwned=4</script>",
               attributes={"x": "<iframe src=https://evil.example>", "nan": float("nan")})
    add_entity(G, "script-org", "institution", HOSTILE_SCRIPT, ["\u202eevil\u202c"])
    add_entity(G, "plain", "person", "Plain Person")
    add_fact(G, "img-person", "heads", "script-org", sources=["evil"],
             quote="</SCRIPT ><script>window.__pwned=5</script>", note="&lt;not an entity&gt;")
    add_fact(G, "img-person", "met_with", "plain", sources=["evil", "rferl"])
    return G


def many_graph(n: int, seed: int = 7) -> nx.MultiDiGraph:
    """``n`` entities with about two facts each, some hubs: a synthetic large graph."""
    import random

    rng = random.Random(seed)
    G = empty_graph(name="Synthetic")
    types = ["person", "institution", "country", "event"]
    ids = [f"entity-{i}" for i in range(n)]
    for i, node in enumerate(ids):
        add_entity(G, node, types[i % 4], f"Entity {i}")
    for i, node in enumerate(ids[1:], 1):
        for j in range(2 if i % 3 else 1):
            other = ids[rng.randrange(max(1, i // 4))] if j else ids[rng.randrange(i)]
            add_fact(G, node, "met_with", other, id=f"{node}.met_with.{other}.{j}")
    return G


# ------------------------------------------------------------------ reading the page back


class Page(HTMLParser):
    """Elements, their attributes and the text of <title>, <footer> and every <script>."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.text: dict[str, str] = {"title": "", "footer": "", "h1": ""}
        self._open: list[str] = []
        self._script: dict[str, str | None] | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag == "script":
            self._script = dict(attrs)
            self.scripts.append((self._script, ""))
        elif tag in self.text:
            self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None
        elif self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)
        for tag in self._open:
            self.text[tag] += data

    def json_block(self, block_id: str) -> Any:
        """The parsed JSON of ``<script type="application/json" id=block_id>``."""
        blocks = [text for attrs, text in self.scripts if attrs.get("id") == block_id]
        assert len(blocks) == 1, f"expected one #{block_id} block, found {len(blocks)}"
        return json.loads(blocks[0])

    def tags(self, name: str) -> list[dict[str, str | None]]:
        return [attrs for tag, attrs in self.elements if tag == name]


def drawn(page: Page) -> tuple[dict[str, dict], dict[str, dict]]:
    """The vis nodes and edges keyed by entity id and fact id (vis ids are positions)."""
    payload = page.json_block("tl-data")
    nodes = {payload["node_ids"][n["id"]]: n for n in page.json_block("tl-nodes")}
    edges = {payload["facts"][e["id"]]["id"]: e for e in page.json_block("tl-edges")}
    return nodes, edges


def read_page(G: nx.MultiDiGraph, **kwargs: Any) -> tuple[bytes, Page]:
    data = render(G, **kwargs)
    return data, Page(data.decode("utf-8"))


# ------------------------------------------------------------------ tests


def test_same_graph_gives_byte_identical_pages() -> None:
    first = render(story_graph())
    assert render(story_graph()) == first
    # the same graph built in another order is the same graph
    G = story_graph()
    shuffled = nx.MultiDiGraph()
    shuffled.graph.update(G.graph)
    shuffled.add_nodes_from(reversed(list(G.nodes(data=True))))
    shuffled.add_edges_from(reversed(list(G.edges(keys=True, data=True))))
    assert render(shuffled) == first


def test_page_is_utf8_html_naming_the_data_set_and_its_date_not_the_clock() -> None:
    G = story_graph()
    G.graph["dataset"]["date"] = "1999-12-31"
    data, page = read_page(G)
    assert data.startswith(b"<!DOCTYPE html>")
    assert page.tags("meta")[0] == {"charset": "utf-8"}
    assert page.text["title"] == "Dmitriev and the US–Russia talks, spring 2025 — as of 1999-12-31"
    assert "Dmitriev and the US–Russia talks, spring 2025" in page.text["footer"]
    assert "as of 1999-12-31" in page.text["footer"]
    assert "7 entities, 7 facts" in page.text["footer"]
    assert datetime.date.today().isoformat().encode() not in data


def test_page_without_a_date_says_no_date() -> None:
    _, page = read_page(empty_graph(name="Undated", date=None))
    assert page.text["title"] == "Undated"
    assert "as of" not in page.text["footer"]


def test_page_loads_nothing_from_anywhere() -> None:
    data, page = read_page(story_graph())
    text = data.decode("utf-8")
    assert all("src" not in attrs for attrs, _ in page.scripts), "a <script src=> would be fetched"
    for tag, attrs in page.elements:
        for name in ("src", "href", "srcset", "data", "poster", "action", "background"):
            value = attrs.get(name)
            assert value is None or value.startswith("data:"), f"<{tag} {name}={value!r}>"
    assert "sourceMappingURL" not in text
    assert "@import" not in text
    assert not re.search(r"url\(\s*['\"]?(?!data:)", text), "a CSS url() that is not data:"
    assert not re.search(r"<link[^>]+rel=\"?stylesheet", text, re.IGNORECASE)
    # the only remote address in a link is the cited source, and it is data, not markup
    assert RFERL_URL not in "".join(str(v) for _, attrs in page.elements for v in attrs.values())
    assert page.json_block("tl-data")["sources"]["rferl"]["url"] == RFERL_URL


def test_content_security_policy_forbids_requests_and_allows_only_our_scripts() -> None:
    _, page = read_page(story_graph())
    csp = [a["content"] for a in page.tags("meta") if a.get("http-equiv") == "Content-Security-Policy"]
    assert len(csp) == 1
    directives = dict((part.split(" ", 1) + [""])[:2] for part in csp[0].split("; "))
    assert directives["default-src"] == "'none'"
    assert "unsafe-inline" not in directives["script-src"]
    assert "unsafe-eval" not in directives["script-src"]
    code = [text for attrs, text in page.scripts if "type" not in attrs]
    assert len(code) == 3  # vis-network, the rules (rules.js), then the explorer
    allowed = set(directives["script-src"].split())
    for body in code:
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        assert f"'sha256-{digest}'" in allowed
    assert len(allowed) == 3


def test_vendored_vis_network_keeps_its_licence_header() -> None:
    vendored = (ROOT / "graph" / "vendor" / "vis-network.min.js").read_text(encoding="utf-8")
    assert vendored.startswith("/**\n * vis-network")
    assert "@version 9.1.2" in vendored[:400] and "@license" in vendored[:600]
    _, page = read_page(story_graph())
    vis = [text for attrs, text in page.scripts if "type" not in attrs][0]
    assert "@version 9.1.2" in vis[:400] and "Apache 2.0 License" in vis[:800]


def test_hostile_strings_cannot_leave_their_json_block() -> None:
    G = hostile_graph()
    data, page = read_page(G)
    text = data.decode("utf-8")
    # the tokenizer sees exactly our seven scripts: 4 JSON blocks, vis-network, the rules, the explorer
    assert [attrs.get("id") for attrs, _ in page.scripts] == [
        "tl-data", "tl-nodes", "tl-edges", "tl-options", None, None, None]
    for tag in ("img", "iframe", "svg", "b"):
        assert page.tags(tag) == [], f"a <{tag}> element was made from data"
    assert "window.__pwned" not in "".join(body for attrs, body in page.scripts if "type" not in attrs)
    for raw in ("</script", "</SCRIPT", "<!--", "<img", "\u2028", "\u2029"):
        inside = [body for attrs, body in page.scripts if attrs.get("type") == "application/json"]
        assert not any(raw in body for body in inside), raw
    # ... and the JSON gives every string back exactly
    payload = page.json_block("tl-data")
    assert payload["entities"]["img-person"]["name"] == HOSTILE_IMG
    assert payload["entities"]["img-person"]["aliases"] == [HOSTILE_SCRIPT]
    assert payload["entities"]["script-org"]["aliases"] == ["\u202eevil\u202c"]
    assert payload["sources"]["evil"]["url"] == HOSTILE_URL
    assert payload["sources"]["evil"]["note"] == "<!-- \u2028\u2029 -->"
    assert payload["entities"]["img-person"]["attributes"]["nan"] == "NaN"  # non-finite numbers as every JSON export writes them (flatten.plain_json)
    assert payload["certainty"][0]["description"] == f"Sure {HOSTILE_IMG}"
    assert payload["name_keys"]["img-person"]["aliases"] == [name_key(HOSTILE_SCRIPT)]
    assert drawn(page)[0]["script-org"]["label"] == HOSTILE_SCRIPT
    assert all("title" not in n for n in page.json_block("tl-nodes")), "vis parses titles as HTML"
    # title and footer are escaped text
    assert page.text["title"].startswith(f"Leak {HOSTILE_SCRIPT} & <b>bold</b>")
    assert f"Leak {HOSTILE_SCRIPT}" in page.text["footer"]
    assert "<title>Leak &lt;/script&gt;" in text


def test_every_entity_and_fact_is_drawn_with_its_type_style() -> None:
    G = story_graph()
    _, page = read_page(G)
    nodes, edges = drawn(page)
    assert sorted(nodes) == sorted(G.nodes)
    assert sorted(edges) == sorted(k for _, _, k in G.edges(keys=True))
    assert nodes["rdif"]["color"] == "#f28e2b" and nodes["rdif"]["shape"] == "square"
    assert nodes["russia"]["shape"] == "triangle" and nodes["riyadh-talks"]["shape"] == "star"
    assert nodes["kirill-dmitriev"]["label"] == "Kirill Dmitriev"
    heads = edges["kirill-dmitriev.heads.rdif"]
    node_ids = page.json_block("tl-data")["node_ids"]
    assert (node_ids[heads["from"]], node_ids[heads["to"]], heads["label"], heads["arrows"]) == (
        "kirill-dmitriev", "rdif", "heads", "to")
    assert "arrows" not in edges["kirill-dmitriev.met_with.steve-witkoff"], "symmetric: no arrowhead"
    # bigger with more facts
    assert nodes["riyadh-talks"]["size"] > nodes["kirill-dmitriev"]["size"] > nodes["rdif"]["size"]
    legend = page.json_block("tl-data")["types"]
    assert [(t["id"], t["label"], t["count"]) for t in legend] == [
        ("person", "Person", 3), ("institution", "Institution", 1), ("country", "Country", 2),
        ("event", "Event", 1)]


def test_unknown_type_style_falls_back_to_safe_values() -> None:
    G = story_graph()
    G.graph["entity_types"]["person"].update(color="red;background:url(http://x)", shape="<svg>")
    _, page = read_page(G)
    node = drawn(page)[0]["steve-witkoff"]
    assert node["color"] == "#8c8c8c" and node["shape"] == "dot"


def test_parallel_facts_between_two_entities_are_curved_apart() -> None:
    G = story_graph()
    add_fact(G, "steve-witkoff", "met_with", "kirill-dmitriev", id="second-meeting")
    add_fact(G, "kirill-dmitriev", "met_with", "steve-witkoff", id="third-meeting")
    _, page = read_page(G)
    edges = drawn(page)[1]

    def bend(edge: dict[str, Any]) -> float:
        """Signed curvature seen from the lower id to the higher: 0 straight, +/- either side."""
        smooth = edge.get("smooth")
        if not smooth:
            return 0.0
        side = 1 if smooth["type"] == "curvedCW" else -1
        return side * smooth["roundness"] * (1 if edge["from"] < edge["to"] else -1)

    trio = [bend(edges[k]) for k in ("kirill-dmitriev.met_with.steve-witkoff", "second-meeting",
                                      "third-meeting")]
    assert len(set(trio)) == 3, f"facts drawn on top of each other: {trio}"


def test_selection_is_carried_to_the_page_and_highlighted() -> None:
    G = story_graph()
    path_edges = ["kirill-dmitriev.participated_in.riyadh-talks", "sergei-lavrov.participated_in.riyadh-talks"]
    G.graph["selection"] = {"focus": [], "depth": 1, "path": ["kirill-dmitriev", "riyadh-talks", "sergei-lavrov"],
                            "path_edges": path_edges, "types": [], "relations": []}
    _, page = read_page(G)
    assert page.json_block("tl-data")["selection"]["path_edges"] == path_edges
    nodes, edges = drawn(page)
    assert all(edges[e]["width"] == 4 for e in path_edges)
    assert "width" not in edges["kirill-dmitriev.heads.rdif"]
    assert nodes["riyadh-talks"]["borderWidth"] == 4 and "borderWidth" not in nodes["rdif"]


def test_small_graphs_settle_with_physics_and_large_ones_use_the_precomputed_layout() -> None:
    _, small = read_page(story_graph())
    assert small.json_block("tl-options")["physics"]["enabled"] is True
    big = many_graph(PHYSICS_NODE_LIMIT + 1)
    _, page = read_page(big)
    options = page.json_block("tl-options")
    assert options["physics"]["enabled"] is False
    assert options["layout"]["improvedLayout"] is False
    nodes = page.json_block("tl-nodes")
    positions = {(n["x"], n["y"]) for n in nodes}
    assert all(isinstance(n["x"], int) and isinstance(n["y"], int) for n in nodes)
    assert len(positions) > 0.95 * len(nodes), "nodes piled on each other"


def test_layout_is_seeded_and_independent_of_insertion_order() -> None:
    G = many_graph(60)
    positions = html_export.layout_positions(G)
    reversed_graph = nx.MultiDiGraph()
    reversed_graph.add_nodes_from(reversed(list(G.nodes(data=True))))
    reversed_graph.add_edges_from(reversed(list(G.edges(keys=True, data=True))))
    assert html_export.layout_positions(reversed_graph) == positions
    # linked entities end up closer than the average pair
    import math

    def dist(a: str, b: str) -> float:
        return math.dist(positions[a], positions[b])

    linked = [dist(u, v) for u, v in G.edges() if u != v]
    nodes = sorted(G.nodes)
    pairs = [dist(a, b) for i, a in enumerate(nodes) for b in nodes[i + 1:]]
    assert sum(linked) / len(linked) < 0.6 * sum(pairs) / len(pairs)


def test_graph_over_the_limit_is_refused() -> None:
    G = story_graph()
    with pytest.raises(GraphTooLarge) as raised:
        render(G, max_nodes=6)
    assert (raised.value.nodes, raised.value.limit) == (7, 6)
    assert render(G, max_nodes=7).startswith(b"<!DOCTYPE html>")
    assert DEFAULT_MAX_NODES == 1500
    huge = empty_graph()
    huge.add_nodes_from((f"n{i}", {"type": "person", "name": f"N {i}"}) for i in range(DEFAULT_MAX_NODES + 1))
    with pytest.raises(GraphTooLarge):
        render(huge)


def test_empty_graph_renders() -> None:
    _, page = read_page(empty_graph())
    assert page.json_block("tl-nodes") == [] and page.json_block("tl-edges") == []


def test_script_json_escapes_what_could_end_a_script() -> None:
    text = html_export.script_json({"a": "</script><!--&\u2028\u2029>"})
    assert re.fullmatch(r"[^<>&\u2028\u2029]*", text)
    assert json.loads(text) == {"a": "</script><!--&\u2028\u2029>"}


def test_bundled_data_renders() -> None:
    if not any((ROOT / "data").rglob("*.yaml")):
        pytest.skip("data/ has no fact files yet")
    graph_module = pytest.importorskip("graph")
    G = graph_module.load_graph(ROOT / "data")
    if G.number_of_nodes() == 0:
        pytest.skip("data/ has no entities yet")
    data, page = read_page(G)
    assert len(page.json_block("tl-nodes")) == G.number_of_nodes()
    assert len(page.json_block("tl-edges")) == G.number_of_edges()
    assert page.text["title"].startswith(G.graph["dataset"]["name"])
    assert render(G) == data
    assert len(data) < 1_000_000


def test_control_characters_and_lone_surrogates_do_not_break_the_page() -> None:
    G = story_graph()
    G.graph["dataset"]["name"] = "Bell\x07 and\x00 nul"
    G.nodes["rdif"]["name"] = "Broken \udc80 half"
    G.nodes["russia"]["description"] = "tab\tnew\nline\x1b[31m"
    data, page = read_page(G)
    data.decode("utf-8")  # strict: valid UTF-8 throughout
    assert page.text["title"].startswith("Bell and nul")
    entities = page.json_block("tl-data")["entities"]
    assert entities["rdif"]["name"] == "Broken \ufffd half"  # a lone surrogate: U+FFFD, as in node-link JSON
    assert entities["russia"]["description"] == "tab\tnew\nline\x1b[31m"


# ------------------------------------------------------------------ certainty and name keys

FIVE_LEVELS = """
    certainty:
      confirmed: Stated as fact by the source.
      reported: Attributed by the source to others.
      planned: Announced, not yet happened.
      possible: Described as possible.
      alleged: Claimed by one party only.
"""


def five_level_data(fact_set: Any) -> Path:
    """The small fact set with a five-level certainty scale; facts at confirmed, reported, planned."""
    folder = fact_set()
    schema = (folder / "schema.yaml").read_text(encoding="utf-8")
    head, _, rest = schema.partition("certainty:\n")
    relations = rest[rest.index("relations:"):]
    (folder / "schema.yaml").write_text(head + FIVE_LEVELS.replace("\n    ", "\n").lstrip("\n") + "\n" + relations,
                                        encoding="utf-8")
    return folder


def test_certainty_levels_in_use_are_listed_strongest_first_with_their_line(fact_set: Any) -> None:
    G = load_graph(five_level_data(fact_set))
    _, page = read_page(G)
    levels = page.json_block("tl-data")["certainty"]
    assert [(c["id"], c["count"], c["dashes"]) for c in levels] == [
        ("confirmed", 14, False), ("reported", 1, [14, 4]), ("planned", 1, [10, 4])]
    assert levels[1]["description"] == "Attributed by the source to others."
    # each fact's line is its level's, whatever the order of the facts
    edges = drawn(page)[1]
    by_level = {(d["certainty"], json.dumps(edges[k]["dashes"])) for _, _, k, d in G.edges(keys=True, data=True)}
    assert by_level == {("confirmed", "false"), ("reported", "[14, 4]"), ("planned", "[10, 4]")}


def test_line_styles_go_from_solid_to_dotted_by_position_in_the_schema() -> None:
    assert certainty_dashes(0, 1) is False
    assert [certainty_dashes(i, 2) for i in range(2)] == [False, [2, 5]]
    assert [certainty_dashes(i, 3) for i in range(3)] == [False, [14, 4], [2, 5]]
    for levels in range(3, 9):
        dashes = [certainty_dashes(i, levels) for i in range(levels)]
        assert dashes[0] is False and dashes[-1] == [2, 5]
        lengths = [d[0] for d in dashes[1:]]
        assert lengths == sorted(set(lengths), reverse=True), f"{levels} levels: {dashes}"


def test_a_level_the_schema_does_not_declare_is_drawn_like_the_weakest() -> None:
    G = story_graph()
    add_fact(G, "steve-witkoff", "heads", "rdif", certainty="rumoured")
    _, page = read_page(G)
    levels = page.json_block("tl-data")["certainty"]
    assert [(c["id"], c["description"], c["dashes"]) for c in levels] == [
        ("confirmed", "Stated as fact by the source.", False),
        ("reported", "Attributed by the source to others.", [2, 5]), ("rumoured", None, [2, 5])]
    assert drawn(page)[1]["steve-witkoff.heads.rdif"]["dashes"] == [2, 5]


def test_page_carries_the_name_keys_of_every_name_alias_and_id(fact_set: Any) -> None:
    folder = fact_set({"entities/tricky.yaml": """
        entities:
          - id: star
            type: institution
            name: "★"
          - id: bogdan-stupka
            type: person
            name: Богдан Ступка
            aliases: [Ступка, "STUPKA, B."]
          - id: strasse-gmbh
            type: institution
            name: Straße GmbH
    """})
    G = load_graph(folder)
    _, page = read_page(G)
    keys = page.json_block("tl-data")["name_keys"]
    assert sorted(keys) == sorted(G.nodes)
    for node, attrs in G.nodes(data=True):
        latin = {"latin": keys[node]["latin"]} if node == "bogdan-stupka" else {}
        assert keys[node] == {"name": name_key(attrs["name"]),
                              "aliases": [name_key(a) for a in attrs["aliases"]], "id": id_key(node), **latin}
    assert keys["star"]["name"] == "★" and keys["strasse-gmbh"]["name"] == "strasse gmbh"
    assert keys["bogdan-stupka"] == {"name": "богдан ступка", "aliases": ["ступка", "stupka b"],
                                     "id": "bogdan stupka",  # names in another script: their latin_key too
                                     "latin": [["Богдан Ступка", "bogdan stupka"], ["Ступка", "stupka"]]}
    assert keys["jose-alvarez"]["aliases"] == ["pepe alvarez"]


def test_certainty_filter_and_styles_keep_the_page_byte_identical(fact_set: Any) -> None:
    folder = five_level_data(fact_set)
    assert render(load_graph(folder)) == render(load_graph(folder))
    _, page = read_page(load_graph(folder))
    ids = [attrs.get("id") for tag, attrs in page.elements if tag == "ul"]
    lists = [i for i in ids if i in ("tl-types", "tl-certainty", "tl-relations")]
    assert lists == ["tl-types", "tl-certainty", "tl-relations"]


def test_the_page_finds_its_clusters_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """node_metrics and the cluster legend share one Louvain run (it is the slow part of a page)."""
    from graph import analysis

    calls = []
    real = analysis._communities
    monkeypatch.setattr(analysis, "_communities", lambda *a, **k: calls.append(1) or real(*a, **k))
    render(story_graph())
    assert len(calls) == 1
