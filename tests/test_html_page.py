"""The page for readers in Chromium: views in the URL, the path finder, time, size and colour,
phones and embeds, the picture to publish, the list of facts and accessibility (axe-core).

Pages are opened from file:// with the fixtures of test_html_browser (one Chromium for the
module); every page is checked clean on teardown: no request left the file, no console error,
no injected script ran.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import pytest

from graph import load_graph
from graph.dates import date_bounds
from graph.export.html import render
from test_html_browser import READY, Opened, browser, open_page  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

BUNDLED = Path(__file__).resolve().parent.parent / "data"
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True,
         "device_scale_factor": 1}


@pytest.fixture
def open_at(browser: Any, tmp_path: Path) -> Any:  # noqa: F811
    """open_at(folder, hash="", **context) -> Opened: the page of a fact set, opened at ``hash``."""
    pages: list[Opened] = []

    def opener(folder: Path, hash: str = "", **context: Any) -> Opened:
        path = tmp_path / f"page-{len(pages)}.html"
        if not path.exists():
            path.write_bytes(render(load_graph(folder)))
        pages.append(Opened(browser, path, hash, **context))
        return pages[-1]

    yield opener
    for opened in pages:
        opened.check_clean()


def cli_paths(invoke: Any, folder: Path, a: str, b: str, *options: str) -> list[list[str]]:
    """The node sequences of ``tieline path A B --all --json`` (no limit in practice)."""
    result = invoke("path", a, b, "--data", folder, "--all", "--json", "--limit", "1000", *options)
    assert result.exit_code in (0, 1), result.output
    if result.exit_code == 1:
        return []
    return [[p["hops"][0]["from"]["id"]] + [h["to"]["id"] for h in p["hops"]]
            for p in json.loads(result.stdout)["paths"]]


def find_in_page(opened: Opened, typed_from: str, typed_to: str) -> list[list[str]]:
    """Type two names in the finder as a reader would (Enter picks the first match) and submit."""
    page = opened.page
    for box, typed in (("#tl-from", typed_from), ("#tl-to", typed_to)):
        page.fill(box, "")
        page.type(box, typed)
        page.press(box, "Enter")
    page.click("#tl-finder button[type=submit]")
    return opened.js("window.tieline.routes")


def hash_of(opened: Opened) -> str:
    return opened.js("decodeURIComponent(location.hash)")


# ---------------------------------------------------------------- views in the URL


def test_focus_in_the_hash_opens_the_card(open_at: Any) -> None:
    opened = open_at(BUNDLED, "#focus=rdif")
    assert opened.page.inner_text("#tl-panel h2") == "Russian Direct Investment Fund"
    assert opened.js("window.tieline.selectedEntities()") == ["rdif"]
    assert opened.page.is_hidden("#tl-note")


def test_path_in_the_hash_lists_the_hops_like_the_cli(open_at: Any, invoke: Any) -> None:
    opened = open_at(BUNDLED, "#path=kirill-dmitriev,marco-rubio")
    expected = cli_paths(invoke, BUNDLED, "kirill-dmitriev", "marco-rubio")
    assert expected and opened.js("window.tieline.routes") == expected
    panel = opened.panel()
    assert "Kirill Dmitriev → Marco Rubio" in panel
    hops = opened.page.locator("#tl-panel li.hop")
    assert hops.count() == sum(len(p) - 1 for p in expected)
    first = hops.first.inner_text()
    assert "took part in" in first and "Kremlin says" in first  # wording and source
    assert opened.page.locator("#tl-panel li.hop blockquote.quote").count() >= 1


def test_view_changes_write_the_hash_and_back_steps_back(open_at: Any) -> None:
    opened = open_at(BUNDLED)
    page = opened.page
    page.type("#tl-search", "RDIF")
    page.press("#tl-search", "Enter")
    assert hash_of(opened) == "#focus=rdif"
    find_in_page(opened, "Dmitriev", "Rubio")
    assert hash_of(opened) == "#path=kirill-dmitriev,marco-rubio"
    page.uncheck("#tl-certainty input[data-id=possible]")
    assert hash_of(opened) == "#path=kirill-dmitriev,marco-rubio&certainty=confirmed,reported"
    page.go_back()
    assert opened.js("document.querySelector('#tl-certainty input[data-id=possible]').checked")
    assert opened.js("document.getElementById('tl-panel').dataset.showing") == "path:kirill-dmitriev\u001fmarco-rubio"
    page.go_back()
    assert page.inner_text("#tl-panel h2") == "Russian Direct Investment Fund"
    page.go_back()
    assert opened.js("document.getElementById('tl-panel').dataset.showing") == "home"
    page.go_forward()
    assert page.inner_text("#tl-panel h2") == "Russian Direct Investment Fund"


@pytest.mark.parametrize("hash, noted", [
    ("#focus=<img src=x onerror=window.__pwned=1>", "no entity “<img src=x onerror=window.__pwned=1>”"),
    ("#path=<script>window.__pwned=1</script>,rdif", "no entity “<script>window.__pwned=1</script>”"),
    ("#types=<svg onload=window.__pwned=1>&focus=rdif", "unknown entity types “<svg onload=window.__pwned=1>”"),
    ("#between=2025-04-01,2025-02-01", "between “2025-04-01,2025-02-01” is not two dates in order"),
    ("#as-of=2025-02-30&size=<b>x</b>", "as-of “2025-02-30” is not a date"),
    ("#focus=%E0%A4%A&javascript:alert(1)", "is not valid text"),
])
def test_hostile_or_bad_hash_is_ignored_with_a_note_shown_as_text(open_at: Any, hash: str, noted: str) -> None:
    opened = open_at(BUNDLED, hash)
    note = opened.page.inner_text("#tl-note")
    assert note.startswith("Ignored in the link: ") and noted in note
    assert opened.js("document.querySelectorAll('#tl-note *').length") == 0  # text, no markup
    assert opened.js("document.querySelectorAll('script:not([type]), script[type=\"application/json\"]').length") == 7


# ---------------------------------------------------------------- paths in the page


@pytest.mark.parametrize("a, b, typed_a, typed_b", [
    ("kirill-dmitriev", "marco-rubio", "Dmitriev", "Rubio"),
    ("steve-witkoff", "volodymyr-zelenskyy", "Witkoff", "Zelensky"),
    ("donald-trump", "rdif", "Trump", "RDIF"),
    ("goldman-sachs", "nbc-news", "Goldman Sachs", "NBC News"),
])
def test_path_finder_matches_tieline_path_on_the_bundled_data(open_at: Any, invoke: Any, a: str, b: str,
                                                             typed_a: str, typed_b: str) -> None:
    opened = open_at(BUNDLED)
    assert find_in_page(opened, typed_a, typed_b) == cli_paths(invoke, BUNDLED, a, b)
    assert opened.js("window.tieline.shortestPaths(arguments[0], arguments[1], 1000)".replace(
        "arguments[0], arguments[1]", json.dumps(a) + "," + json.dumps(b))) == cli_paths(invoke, BUNDLED, a, b)


def test_path_finder_follows_the_filters_like_the_cli(open_at: Any, invoke: Any, small_data: Path) -> None:
    G = load_graph(small_data)
    pairs = [(a, b) for a in sorted(G)[:6] for b in sorted(G)[-6:] if a != b]
    opened = open_at(small_data)
    for level in ("planned", "reported"):
        box = f"#tl-certainty input[data-id={level}]"
        if opened.page.locator(box).count():
            opened.page.uncheck(box)
    kept = opened.js("Array.from(document.querySelectorAll('#tl-certainty input:checked')).map(b => b.dataset.id)")
    options = [x for level in kept for x in ("--certainty", level)]
    page_paths = opened.js("pairs => pairs.map(p => window.tieline.shortestPaths(p[0], p[1], 1000))", pairs)
    assert page_paths == [cli_paths(invoke, small_data, a, b, *options) for a, b in pairs]
    assert any(page_paths) and not all(page_paths)


# ---------------------------------------------------------------- time


def shown_in_time(folder: Path, low: str | None, high: str | None, undated: bool = True) -> tuple[list[str], list[str]]:
    """Facts and entities the page should show for the range [low, high]: what the CLI's date filter
    keeps (graph.view: --between LOW HIGH, or --as-of HIGH; --dated-only when undated facts are hidden)."""
    from graph.pipeline import load_compiled
    from graph.view import ViewSpec

    compiled = load_compiled(folder)
    spec = ViewSpec(between=(low, high), dated_only=not undated) if low else \
        ViewSpec(as_of=high, dated_only=not undated)
    shown = spec.resolve(compiled).apply(compiled.graph)
    facts = sorted(str(key) for *_, key in shown.edges(keys=True))
    return facts, sorted({n for u, v in shown.edges() for n in (u, v)})


@pytest.mark.parametrize("hash, low, high, undated", [
    ("#as-of=2025-03-01", None, "2025-03-01", True),
    ("#as-of=2025-02", None, "2025-02-28", True),
    ("#between=2025-02-01,2025-03-31", "2025-02-01", "2025-03-31", True),
    ("#between=2025-03-15,2025-04-30&undated=hide", "2025-03-15", "2025-04-30", False),
])
def test_time_range_from_the_hash_filters_facts_and_entities(open_at: Any, hash: str, low: Any, high: Any,
                                                             undated: bool) -> None:
    opened = open_at(BUNDLED, hash)
    facts, entities = shown_in_time(BUNDLED, low, high, undated)
    assert opened.js("window.tieline.shownFacts()") == facts
    assert sorted(opened.js("window.tieline.shownEntities()")) == entities
    assert opened.page.inner_text("#tl-shown").endswith(f"{len(facts)} of 89 facts")
    assert opened.page.is_hidden("#tl-note")


def test_time_control_moves_the_hash_and_plays_the_story(open_at: Any, small_data: Path) -> None:
    opened = open_at(small_data)
    page = opened.page
    total = len(opened.js("window.tieline.shownFacts()"))
    page.eval_on_selector("#tl-time-to", "s => { s.value = '0'; s.dispatchEvent(new Event('input')); "
                                         "s.dispatchEvent(new Event('change')); }")
    first = opened.js("window.tieline.data.dates.first")
    assert hash_of(opened) == f"#as-of={first}"
    assert opened.js("window.tieline.shownFacts()") == shown_in_time(small_data, None, first)[0]
    page.uncheck("#tl-undated")
    assert hash_of(opened) == f"#as-of={first}&undated=hide"
    page.check("#tl-undated")
    page.click("#tl-play")
    steps = opened.js("window.tieline.data.dates.steps")
    page.wait_for_function("s => document.getElementById('tl-date-to').value === s", arg=steps[1])
    assert page.get_attribute("#tl-play", "aria-pressed") == "true"
    assert len(opened.js("window.tieline.shownFacts()")) <= total
    page.click("#tl-play")
    assert page.get_attribute("#tl-play", "aria-pressed") == "false"
    assert hash_of(opened).startswith("#as-of=")


def test_hash_dates_are_read_like_graph_dates(open_at: Any) -> None:
    opened = open_at(BUNDLED)
    texts = ["2025", "2025-02", "2024-02", "2023-02", "2025-12", "2025-03-11", "0001-01", "1900-02",
             "2000-02", "2025-02-29", "2025-13", "2025-00", "0000", "25", "2025-1-01", "2025-03-11x"]

    def python(text: str) -> list[str] | None:
        try:
            return [d.isoformat() for d in date_bounds(text)]
        except ValueError:
            return None

    assert opened.js("ts => ts.map(t => window.tieline.dateBounds(t))", texts) == [python(t) for t in texts]


# ---------------------------------------------------------------- size by, colour by


def test_size_and_colour_by_metrics_with_their_legend(open_at: Any) -> None:
    from graph.analysis import node_metrics

    opened = open_at(BUNDLED)
    page = opened.page
    page.click("#tl-tour-close")  # the bundled data opens on its tour, which lights only its step
    page.select_option("#tl-size-by", "pagerank")
    page.select_option("#tl-colour-by", "cluster")
    assert hash_of(opened) == "#size=pagerank&colour=cluster"
    metrics = node_metrics(load_graph(BUNDLED))
    sizes = opened.js("Object.fromEntries(window.tieline.data.node_ids.map((id, i) => "
                      "[id, window.tieline.nodes.get(i).size]))")
    by_rank = sorted(metrics, key=lambda n: metrics[n]["pagerank"])
    assert [sizes[n] for n in by_rank] == sorted(sizes.values())
    assert sizes[by_rank[-1]] > sizes[by_rank[0]]
    colours = opened.js("Object.fromEntries(window.tieline.data.node_ids.map((id, i) => "
                        "[id, window.tieline.nodes.get(i).color]))")
    by_community: dict[int, set] = {}
    for node, m in metrics.items():
        by_community.setdefault(m["community"], set()).add(json.dumps(colours[node]))
    assert all(len(c) == 1 for c in by_community.values())
    assert len({next(iter(c)) for c in by_community.values()}) == min(len(by_community), 11)
    assert page.is_visible("#tl-cluster-legend") and "pagerank" in page.inner_text("#tl-size-hint").lower()


# ---------------------------------------------------------------- phones and embeds


def test_phone_shows_the_graph_first_with_sheets_and_tap(open_at: Any) -> None:
    opened = open_at(BUNDLED, **PHONE)
    page = opened.page
    box = page.locator("#tl-network").bounding_box()
    assert box["y"] <= 844 * 0.2 and box["height"] >= 844 * 0.4  # the graph first; the tour's card below it
    assert opened.js("document.scrollingElement.scrollWidth") <= 390
    assert page.is_hidden("#tl-filters") and page.is_hidden("#tl-panel")
    page.tap("#tl-open-filters")
    assert page.is_visible("#tl-filters") and page.get_attribute("#tl-open-filters", "aria-expanded") == "true"
    page.tap("#tl-filters .sheet-close")
    assert page.is_hidden("#tl-filters")
    opened.settle()
    page.touchscreen.tap(*opened.node_point("kirill-dmitriev"))
    page.wait_for_selector("#tl-panel", state="visible")
    assert page.inner_text("#tl-panel h2") == "Kirill Dmitriev"
    assert hash_of(opened) == "#focus=kirill-dmitriev"
    assert opened.js("document.scrollingElement.scrollWidth") <= 390
    page.tap("#tl-list-toggle")
    assert opened.js("document.scrollingElement.scrollWidth") <= 390


def test_page_in_an_iframe_has_a_height_and_lets_the_article_scroll(browser: Any, tmp_path: Path) -> None:  # noqa: F811
    (tmp_path / "graph.html").write_bytes(render(load_graph(BUNDLED)))
    article = tmp_path / "article.html"
    article.write_text("<!DOCTYPE html><html><body style='margin:0'><p style='height:300px'>Story</p>"
                       "<iframe src='graph.html' title='Graph' style='width:100%;height:600px;border:0'></iframe>"
                       "<p style='height:2000px'>More story</p></body></html>", encoding="utf-8")
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    try:
        page = context.new_page()
        page.goto(article.as_uri())
        frame = page.frame_locator("iframe")
        frame.locator(READY).wait_for(state="attached", timeout=20_000)
        network = frame.locator("#tl-network").bounding_box()
        box = page.locator("iframe").bounding_box()
        assert network["height"] >= 300 and box["y"] <= network["y"] and network["y"] + network["height"] <= box["y"] + 600
        assert frame.locator("body").evaluate("b => document.scrollingElement.scrollHeight") <= 600
        page.mouse.move(network["x"] + network["width"] / 2, network["y"] + 100)
        page.mouse.wheel(0, 400)
        page.wait_for_function("window.scrollY > 0", timeout=5_000)
    finally:
        context.close()


# ---------------------------------------------------------------- picture, list, accessibility


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_download_image_is_a_png_at_twice_the_size_with_title_and_credit(open_at: Any) -> None:
    opened = open_at(BUNDLED, "#path=kirill-dmitriev,marco-rubio&as-of=2025-04-01")
    page = opened.page
    width, height = opened.js("[document.querySelector('#tl-network canvas').clientWidth, "
                              "document.querySelector('#tl-network canvas').clientHeight]")
    with page.expect_download() as info:
        page.click("#tl-download")
    download = info.value
    assert download.suggested_filename == "dmitriev-and-the-us-russia-talks-spring-2025.png"
    data = Path(download.path()).read_bytes()
    picture = png_size(data)  # the graph at twice its size, the title, dates, legend and credit around it
    assert picture[0] == 2 * width and picture[1] >= 2 * (height + 56 + 34)
    assert len(data) > 20_000  # drawn, not blank
    assert opened.js("document.querySelector('#tl-network canvas').width") == width  # screen restored
    credit = opened.js("(() => { const c = window.tieline.pictureCanvas(); return [c.width, c.height]; })()")
    assert credit == list(picture)


def test_list_of_facts_is_a_table_filtered_like_the_graph(open_at: Any) -> None:
    opened = open_at(BUNDLED, "#as-of=2025-03-01")
    page = opened.page
    page.click("#tl-list-toggle")
    assert page.get_attribute("#tl-list-toggle", "aria-pressed") == "true"
    visible = opened.js("Array.from(document.querySelectorAll('#tl-list-rows tr')).filter(r => !r.hidden)"
                        ".map(r => r.dataset.fact)")
    assert visible == opened.js("window.tieline.shownFacts()")
    assert page.locator("#tl-list th[scope=col]").count() == 6
    assert page.inner_text("#tl-list caption").startswith("Facts shown:")


def test_keyboard_moves_through_results_and_focus_is_visible(open_at: Any) -> None:
    opened = open_at(BUNDLED)
    page = opened.page
    page.focus("#tl-search")
    page.keyboard.type("Dmitr")
    page.keyboard.press("ArrowDown")
    active = page.get_attribute("#tl-search", "aria-activedescendant")
    assert active == "tl-results-1" and page.get_attribute(f"#{active}", "aria-selected") == "true"
    page.keyboard.press("Enter")
    assert page.inner_text("#tl-panel h2") == page.input_value("#tl-search")
    page.focus("#tl-panel button.entity-link")
    page.keyboard.press("Tab")
    outline = opened.js("getComputedStyle(document.activeElement).outlineStyle")
    assert opened.js("document.activeElement.closest('#tl-panel') !== null") and outline != "none"


@pytest.mark.parametrize("hash, context", [  # the first view and the phone's: tests/test_html_reader.py
    ("#focus=rdif", {}), ("#path=kirill-dmitriev,marco-rubio", PHONE),
])
def test_axe_finds_no_serious_violations(open_at: Any, hash: str, context: dict) -> None:
    from axe_playwright_python.sync_playwright import Axe

    opened = open_at(BUNDLED, hash, **context)
    if context:
        opened.page.tap("#tl-open-panel" if not hash else "#tl-list-toggle")
    results = Axe().run(opened.page)
    serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
               for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []
