"""The HTML explorer in a real browser: headless Chromium driven by Playwright.

Pages are written to tmp_path and opened from file://, as a journalist would open an e-mailed
file. Every test also checks that no request left file:// and that the console stayed clean.
Skipped when Chromium or Playwright is missing, except on CI (CI=true), where that fails.
"""

from __future__ import annotations

import json
import os
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph import load_graph
from graph.export.html import PHYSICS_NODE_LIMIT, render
from graph.names import name_key
from test_html import (HOSTILE_IMG, HOSTILE_SCRIPT, HOSTILE_URL, RFERL_URL, add_entity, add_fact,
                       five_level_data, hostile_graph, many_graph, story_graph)

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
READY = "body[data-ready=true]"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests must run on CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole module."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (pip install playwright)")
    if not os.path.exists(CHROMIUM):
        _unavailable(f"no Chromium at {CHROMIUM}")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Opened:
    """A page opened from file://, with every request and console problem it caused."""

    def __init__(self, browser: Any, path: Path, hash: str = "", **context: Any):
        self.context = browser.new_context(**({"viewport": {"width": 1400, "height": 900}} | context))
        self.requests: list[str] = []
        self.blocked: list[str] = []
        self.problems: list[str] = []
        self.context.route(lambda url: not url.startswith(("file:", "data:")), self._block)
        self.page = self.context.new_page()
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.goto(path.as_uri() + hash)
        self.page.wait_for_selector(READY, state="attached", timeout=20_000)

    def _block(self, route: Any) -> None:
        self.blocked.append(route.request.url)
        route.abort()

    def _console(self, message: Any) -> None:
        if message.type in ("error", "warning"):
            self.problems.append(f"console {message.type}: {message.text}")

    def js(self, expression: str, arg: Any = None) -> Any:
        return self.page.evaluate(expression, arg)

    def panel(self) -> str:
        return self.page.inner_text("#tl-panel")

    def node_point(self, node: str) -> tuple[float, float]:
        """Where ``node`` is drawn on the screen."""
        point = self.js("""id => {
            const node = window.tieline.nodeOf(id);
            const at = window.network.canvasToDOM(window.network.getPositions([node])[node]);
            const box = document.getElementById('tl-network').getBoundingClientRect();
            return [box.left + at.x, box.top + at.y];
        }""", node)
        return point[0], point[1]

    def settle(self) -> None:
        """Wait until the view stops moving (focusing an entity animates the camera)."""
        view = "JSON.stringify([window.network.getViewPosition(), window.network.getScale()])"
        last = None
        for _ in range(100):
            now = self.js(view)
            if now == last:
                return
            last = now
            self.page.wait_for_timeout(100)
        raise AssertionError("the view kept moving")

    def click_node(self, node: str) -> None:
        self.settle()
        self.page.mouse.click(*self.node_point(node))

    def check_clean(self) -> None:
        """Nothing left file://, nothing was logged as an error, no injected script ran."""
        remote = [u for u in self.requests if not u.startswith(("file:", "data:"))]
        assert remote == [] and self.blocked == [], f"requests left the file: {remote + self.blocked}"
        assert self.problems == []
        assert self.js("[window.__pwned, document.querySelectorAll('img, iframe').length]") == [None, 0]
        self.context.close()


@pytest.fixture
def open_page(browser: Any, tmp_path: Path) -> Iterator[Any]:
    """open_page(G, name) -> Opened; on teardown, checks that the page stayed clean."""
    pages: list[Opened] = []

    def opener(G: Any, name: str = "graph.html") -> Opened:
        path = tmp_path / name
        path.write_bytes(render(G))
        pages.append(Opened(browser, path))
        return pages[-1]

    yield opener
    for opened in pages:
        opened.check_clean()


def test_network_holds_every_entity_and_fact(open_page: Any) -> None:
    G = story_graph()
    opened = open_page(G)
    counts = opened.js("[window.network.body.data.nodes.length, window.network.body.data.edges.length]")
    assert counts == [G.number_of_nodes(), G.number_of_edges()]
    assert opened.page.title() == "Dmitriev and the US–Russia talks, spring 2025 — as of 2025-04-02"
    legend = opened.page.inner_text("#tl-types")
    for label in ("Person", "Institution", "Country", "Event"):
        assert label in legend
    assert "as of 2025-04-02" in opened.page.inner_text("footer")
    # physics settled the small graph, then was switched off
    assert opened.js("window.network.physics.physicsEnabled") is False


@pytest.mark.parametrize("typed, expected", [
    ("sergei", "sergei-lavrov"),        # accents folded: "Sergeï"
    ("rdif", "rdif"),                   # alias, any case
    ("KIRILL dmit", "kirill-dmitriev"),
    ("lavrof", "sergei-lavrov"),        # a typo, as the CLI tolerates
    ("dmitriv", "kirill-dmitriev"),
])
def test_search_finds_by_name_or_alias_and_focuses(open_page: Any, typed: str, expected: str) -> None:
    opened = open_page(story_graph())
    opened.page.fill("#tl-search", typed)
    first = opened.page.get_attribute("#tl-results li", "data-entity")
    assert first == expected
    opened.page.press("#tl-search", "Enter")
    assert opened.js("window.tieline.selectedEntities()") == [expected]
    name = story_graph().nodes[expected]["name"]
    assert opened.page.inner_text("#tl-panel h2") == name


def test_clicking_a_node_shows_its_card_facts_and_sources(open_page: Any) -> None:
    opened = open_page(story_graph())
    opened.click_node("kirill-dmitriev")
    assert opened.js("window.tieline.selectedEntities()") == ["kirill-dmitriev"]
    panel = opened.panel()
    assert "Kirill Dmitriev" in panel and "Also known as Dmitriev" in panel
    assert "Head of the Russian Direct Investment Fund." in panel
    assert "Kirill Dmitriev heads Russian Direct Investment Fund" in panel
    assert "Kirill Dmitriev met with Steve Witkoff" in panel
    assert "Dmitriev, who heads the Russian Direct Investment Fund" in panel
    assert "since 2011" in panel and "confirmed" in panel and "reported" in panel
    assert "Radio Free Europe/Radio Liberty" in panel and "reprinted by American Military News" in panel
    links = opened.page.eval_on_selector_all("#tl-panel a", "as => as.map(a => a.href)")
    assert RFERL_URL in links and all(link.startswith("https://") for link in links)
    # neighbours stay lit, the rest is dimmed
    colors = opened.js("""() => Object.fromEntries(['rdif', 'saudi-arabia'].map(
        id => [id, JSON.stringify(window.tieline.nodes.get(window.tieline.nodeOf(id)).color)]))""")
    assert colors["rdif"] == '"#f28e2b"' and colors["saudi-arabia"] != '"#59a14f"'


def test_facts_read_the_other_way_from_the_object(open_page: Any) -> None:
    opened = open_page(story_graph())
    opened.click_node("rdif")
    panel = opened.panel()
    assert "Russian Direct Investment Fund is headed by Kirill Dmitriev" in panel
    # the other entity is a link to its own card
    opened.page.click("#tl-panel button.entity-link[data-entity='kirill-dmitriev']")
    assert opened.page.inner_text("#tl-panel h2") == "Kirill Dmitriev"
    opened.click_node("steve-witkoff")
    assert "Steve Witkoff met with Kirill Dmitriev" in opened.panel()  # symmetric: same verb


def test_clicking_a_fact_shows_it(open_page: Any) -> None:
    G = story_graph()
    opened = open_page(G)
    opened.settle()
    (x1, y1), (x2, y2) = opened.node_point("riyadh-talks"), opened.node_point("saudi-arabia")
    opened.page.mouse.click(x1 + 0.6 * (x2 - x1), y1 + 0.6 * (y2 - y1))
    assert opened.js("window.tieline.selectedFacts()") == ["riyadh-talks.held_in.saudi-arabia"]
    panel = opened.panel()
    assert "US–Russia talks in Riyadh took place in Saudi Arabia" in panel
    assert "Saudi Arabia hosted US–Russia talks in Riyadh" in panel


def test_filters_hide_types_and_relations(open_page: Any) -> None:
    opened = open_page(story_graph())
    opened.page.uncheck("#tl-types input[data-id='person']")
    hidden = opened.js("window.tieline.nodes.get({filter: n => n.hidden}).map(n => window.tieline.data.node_ids[n.id]).sort()")
    assert hidden == ["kirill-dmitriev", "sergei-lavrov", "steve-witkoff"]
    assert opened.js("window.tieline.edges.get(window.tieline.edgeOf('kirill-dmitriev.heads.rdif')).hidden") is True
    assert "Showing 4 of 7 entities, 2 of 7 facts" in opened.page.inner_text("#tl-shown")
    opened.page.check("#tl-types input[data-id='person']")
    opened.page.uncheck("#tl-relations input[data-id='participated_in']")
    assert "Showing 7 of 7 entities, 3 of 7 facts" in opened.page.inner_text("#tl-shown")


def test_path_selection_is_highlighted_on_load(open_page: Any) -> None:
    G = story_graph()
    G.graph["selection"] = {
        "focus": [], "depth": 1, "path": ["kirill-dmitriev", "riyadh-talks", "sergei-lavrov"],
        "path_edges": ["kirill-dmitriev.participated_in.riyadh-talks",
                       "sergei-lavrov.participated_in.riyadh-talks"], "types": [], "relations": []}
    opened = open_page(G)
    panel = opened.panel()
    assert "Kirill Dmitriev → Sergeï Lavrov" in panel and "2 steps" in panel
    assert panel.index("Kirill Dmitriev took part in US–Russia talks in Riyadh") < panel.index(
        "US–Russia talks in Riyadh had participant Sergeï Lavrov")
    width = opened.js("window.network.body.edges[window.tieline.edgeOf('sergei-lavrov.participated_in.riyadh-talks')].options.width")
    assert width == 4


def test_focus_selection_is_selected_on_load(open_page: Any) -> None:
    G = story_graph()
    G.graph["selection"] = {"focus": ["rdif"], "depth": 1, "path": [], "path_edges": [],
                            "types": [], "relations": []}
    opened = open_page(G)
    assert opened.js("window.tieline.selectedEntities()") == ["rdif"]
    assert opened.page.inner_text("#tl-panel h2") == "Russian Direct Investment Fund"


def test_hostile_text_stays_text(open_page: Any) -> None:
    opened = open_page(hostile_graph())
    assert opened.page.title().startswith(f"Leak {HOSTILE_SCRIPT} & <b>bold</b>")
    opened.page.fill("#tl-search", "<img")
    assert opened.page.inner_text("#tl-results li") .startswith(HOSTILE_IMG)
    opened.page.press("#tl-search", "Enter")
    panel = opened.panel()
    assert opened.page.inner_text("#tl-panel h2") == HOSTILE_IMG
    assert f"Also known as {HOSTILE_SCRIPT}" in panel
    assert "<script>window.__pwned=4</script>" in panel
    assert "</SCRIPT ><script>window.__pwned=5</script>" in panel
    assert f"Title {HOSTILE_IMG}" in panel and HOSTILE_URL in panel
    assert "<iframe src=https://evil.example>" in panel
    hrefs = opened.page.eval_on_selector_all("a", "as => as.map(a => a.getAttribute('href'))")
    assert all(h.startswith("https://") for h in hrefs), hrefs  # the javascript: URL is not a link
    opened.page.click("#tl-panel button.entity-link[data-entity='script-org']")
    assert opened.page.inner_text("#tl-panel h2") == HOSTILE_SCRIPT
    assert opened.js("document.querySelectorAll('script').length") == 7
    assert opened.page.get_attribute("#tl-certainty label", "title") == f"Sure {HOSTILE_IMG}"


def test_large_graph_is_drawn_without_physics(open_page: Any) -> None:
    G = many_graph(1500)
    opened = open_page(G)
    assert opened.js("window.network.body.data.nodes.length") == 1500
    assert opened.js("window.network.body.data.edges.length") == G.number_of_edges()
    assert opened.js("window.network.physics.physicsEnabled") is False
    assert 1500 > PHYSICS_NODE_LIMIT
    opened.page.fill("#tl-search", "Entity 1499")
    opened.page.press("#tl-search", "Enter")
    assert opened.js("window.tieline.selectedEntities()") == ["entity-1499"]


def test_entity_with_a_prototype_name_as_id_does_not_confuse_the_page(open_page: Any) -> None:
    G = story_graph()
    add_entity(G, "constructor", "person", "Constructor", country="proto")
    add_fact(G, "constructor", "met_with", "steve-witkoff")
    opened = open_page(G)
    opened.click_node("constructor")
    panel = opened.panel()
    assert "Constructor met with Steve Witkoff" in panel and "proto" in panel


# ------------------------------------------------------------------ certainty

def shown(opened: Opened) -> str:
    return opened.page.inner_text("#tl-shown")


def hidden_facts(opened: Opened) -> list[str]:
    return opened.js("""window.tieline.edges.get({filter: e => e.hidden})
        .map(e => window.tieline.data.facts[e.id].id).sort()""")


def facts_at(G: Any, *levels: str) -> list[str]:
    return sorted(k for _, _, k, level in G.edges(keys=True, data="certainty") if level in levels)


def test_certainty_checkboxes_hide_and_show_their_facts(open_page: Any, small_data: Path) -> None:
    G = load_graph(small_data)
    opened = open_page(G)
    rows = opened.page.eval_on_selector_all(
        "#tl-certainty label", "ls => ls.map(l => [l.innerText.replace(/\\s+/g, ' ').trim(), l.title])")
    assert rows == [["confirmed 14", "Stated as fact by the source."],
                    ["reported 1", "Attributed by the source to others."],
                    ["planned 1", "Announced, not yet happened."]]
    assert "Showing 15 of 15 entities, 16 of 16 facts" in shown(opened)
    opened.page.uncheck("#tl-certainty input[data-id='reported']")
    assert hidden_facts(opened) == facts_at(G, "reported")
    assert "Showing 15 of 15 entities, 15 of 16 facts" in shown(opened)
    opened.page.uncheck("#tl-certainty input[data-id='planned']")
    assert hidden_facts(opened) == facts_at(G, "reported", "planned")
    assert "Showing 15 of 15 entities, 14 of 16 facts" in shown(opened)  # entities stay, as for relations
    opened.page.check("#tl-certainty input[data-id='reported']")
    assert hidden_facts(opened) == facts_at(G, "planned")
    # with a relation filter: a fact shows only when both its relation and its level are ticked
    opened.page.uncheck("#tl-relations input[data-id='heads']")
    heads = sorted(k for _, _, k, r in G.edges(keys=True, data="relation") if r == "heads")
    assert hidden_facts(opened) == sorted(set(facts_at(G, "planned")) | set(heads))
    opened.page.click("button[data-toggle='certainty'][data-value='off']")
    assert "Showing 15 of 15 entities, 0 of 16 facts" in shown(opened)
    opened.page.click("button[data-toggle='certainty'][data-value='on']")
    assert hidden_facts(opened) == heads
    assert opened.page.is_checked("#tl-certainty input[data-id='planned']")


def test_line_dashes_follow_the_certainty_level(open_page: Any, fact_set: Any) -> None:
    G = load_graph(five_level_data(fact_set))
    opened = open_page(G)
    expected = {"confirmed": False, "reported": [14, 4], "planned": [10, 4]}
    dashes = opened.js("""() => window.tieline.data.facts.map(f => [f.id, f.certainty,
        window.tieline.edges.get(window.tieline.edgeOf(f.id)).dashes,
        window.network.body.edges[window.tieline.edgeOf(f.id)].options.dashes])""")
    levels = {k: level for _, _, k, level in G.edges(keys=True, data="certainty")}
    assert sorted(d[0] for d in dashes) == sorted(levels)
    for fact_id, level, in_data_set, drawn_with in dashes:
        assert level == levels[fact_id]
        assert in_data_set == drawn_with == expected[level], fact_id
    legend = opened.page.eval_on_selector_all(
        "#tl-certainty li", "lis => lis.map(li => li.querySelector('line').getAttribute('stroke-dasharray'))")
    assert legend == [None, "14 4", "10 4"]
    # highlighting a neighbourhood recolours lines but keeps their style
    opened.click_node("anna-kowalska")
    advises = facts_at(G, "reported")[0]
    assert opened.js("id => window.tieline.edges.get(window.tieline.edgeOf(id)).dashes", advises) == [14, 4]


# ------------------------------------------------------------------ search and the name key

TRICKY = """
    entities:
      - id: star
        type: institution
        name: "★"
      - id: bogdan-stupka
        type: person
        name: Богдан Ступка
        aliases: [Ступка]
      - id: strasse-gmbh
        type: institution
        name: Straße GmbH
      - id: odysseus
        type: person
        name: ΟΔΥΣΣΕΥΣ
"""


@pytest.mark.parametrize("typed, expected", [
    ("alvarez", "jose-alvarez"),          # accents folded: "José Álvarez"
    ("ÁLVAREZ", "jose-alvarez"),
    ("pepe alv", "jose-alvarez"),         # alias prefix
    ("jose-alvarez", "jose-alvarez"),     # the id
    ("Nunez", "clara-nunez"),
    ("★", "star"),                        # a name of symbols only
    ("ступка", "bogdan-stupka"),          # Cyrillic, any case
    ("strasse", "strasse-gmbh"),          # ß folds to ss
    ("STRAẞE", "strasse-gmbh"),
    ("οδυσσευσ", "odysseus"),             # final sigma folds to σ
    ("stupka", "bogdan-stupka"),          # Latin letters find a Cyrillic name (graph.names.latin_key)
    ("Bohdan Stupka", "bogdan-stupka"),   # ... and tolerate another transliteration
])
def test_search_matches_python_keys(open_page: Any, fact_set: Any, typed: str, expected: str) -> None:
    G = load_graph(fact_set({"entities/tricky.yaml": TRICKY}))
    opened = open_page(G)
    opened.page.fill("#tl-search", typed)
    assert opened.page.get_attribute("#tl-results li", "data-entity") == expected
    opened.page.press("#tl-search", "Enter")
    assert opened.js("window.tieline.selectedEntities()") == [expected]
    assert opened.page.inner_text("#tl-panel h2") == G.nodes[expected]["name"]


def test_homonyms_are_separate_results_told_apart(open_page: Any, fact_set: Any) -> None:
    homonyms = """
        entities:
          - {id: sergei-ivanov-1953, type: person, name: Sergei Ivanov, country: ukraine, description: Chief of staff}
          - {id: sergei-ivanov-1960, type: person, name: Sergei Ivanov, description: A banker}
        """
    opened = open_page(load_graph(fact_set({"entities/homonyms.yaml": homonyms})))
    opened.page.fill("#tl-search", "sergei ivanov")
    items = opened.page.query_selector_all("#tl-results li")
    assert [i.get_attribute("data-entity") for i in items] == ["sergei-ivanov-1953", "sergei-ivanov-1960"]
    assert "Ukraine · Chief of staff" in items[0].inner_text()
    assert "A banker" in items[1].inner_text()


def test_punctuation_alone_matches_no_name(open_page: Any, fact_set: Any) -> None:
    opened = open_page(load_graph(fact_set({"entities/tricky.yaml": TRICKY})))
    opened.page.fill("#tl-search", "!")
    assert opened.page.inner_text("#tl-results") == "No entity matches"


TRICKY_TEXTS = [
    "José Álvarez", "ÁLVAREZ", "Straße", "STRASSE", "ẞ", "Богдан Ступка", "ЁЛКА ёлка", "★", "★ ★",
    " ☆★ ", "!!", "‘★’", "O'Brien-Smith, Jr.", "Zelenskyy,  V.", "kirill-dmitriev", "İstanbul",
    "Işık", "ΟΔΥΣΣΕΥΣ", "Ὀδυσσεύς", "ᾯ", "ﬁnance", "Ⅻ", "①②", "Ⓐ", "Nguyễn Văn", "北京", "हिन्दी",
    "தமிழ்", "Đorđe", "Ørsted", "Łódź", "Æsir", "ǅ", "\u00a0tab\tnew\nline\u2028", "a\u200bb",
    "\u202eevil\u202c", "soft\u00adhyphen", "Ꭰꭰ", "ᲀ", "\u0345", "\ue000", "😀 Smile", "", "   ",
]


def js_name_keys(opened: Opened, texts: list[str]) -> list[str]:
    """``nameKey`` of each text, computed in the page (one JSON string each way: fast to pass)."""
    keys = opened.js("texts => JSON.stringify(JSON.parse(texts).map(window.tieline.nameKey))",
                     json.dumps(texts))
    return json.loads(keys)


def test_typed_text_is_folded_like_name_key(open_page: Any) -> None:
    opened = open_page(story_graph())
    assert dict(zip(TRICKY_TEXTS, js_name_keys(opened, TRICKY_TEXTS))) == {
        text: name_key(text) for text in TRICKY_TEXTS}


def test_every_character_is_folded_like_name_key(open_page: Any) -> None:
    """Each character Python's Unicode database assigns (private use aside), alone and in a word."""
    opened = open_page(story_graph())
    chars = [chr(c) for c in range(0x110000)
             if unicodedata.category(chr(c)) not in ("Cn", "Cs", "Co")]
    texts = chars + ["Ab" + c + "Cd" for c in chars]
    keys = js_name_keys(opened, texts)
    unassigned = set(opened.js("cs => Array.from(cs).filter(c => /\\p{Cn}/u.test(c)).join('')", "".join(chars)))
    differ = [(text, name_key(text), key) for text, key in zip(texts, keys)
              if key != name_key(text) and not unassigned & set(text)]
    assert differ == [], f"{len(differ)} differ, e.g. {differ[:10]}"
