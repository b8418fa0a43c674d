"""The page for readers, round 2, in Chromium: legible at first sight, on a phone, the guided tour,
the path finder's messages, search in any script, dates, links to a fact, the picture, merged ids.

Pages are opened from file:// with the fixtures of test_html_browser (one Chromium for the module)
and checked clean on teardown (no request left the file, no console error). Screenshots of the
first view, a tour step and the phone view are written to ``output/page-tests/`` (printed).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graph import load_graph
from graph.export.html import render
from graph.names import latin_key, sound_key
from test_html_browser import Opened, browser  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "data"
ARTEFACTS = ROOT / "output" / "page-tests"
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True, "device_scale_factor": 2}


@pytest.fixture(scope="module")
def bundled_page(tmp_path_factory: Any) -> Path:
    """The bundled story's page, written once for the module."""
    path = tmp_path_factory.mktemp("reader") / "graph.html"
    path.write_bytes(render(load_graph(BUNDLED)))
    return path


@pytest.fixture
def open_at(browser: Any, bundled_page: Path, tmp_path: Path) -> Any:  # noqa: F811
    """open_at(hash="", folder=None, **context) -> Opened: the bundled page (or a fact set's), checked clean after."""
    pages: list[Opened] = []

    def opener(hash: str = "", folder: Path | None = None, **context: Any) -> Opened:
        path = bundled_page
        if folder is not None:
            path = tmp_path / f"page-{len(pages)}.html"
            path.write_bytes(render(load_graph(folder)))
        pages.append(Opened(browser, path, hash, **(DESKTOP | context)))
        pages[-1].page.wait_for_timeout(150)  # the first frame with its names
        return pages[-1]

    yield opener
    for opened in pages:
        opened.check_clean()


def screenshot(opened: Opened, name: str) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    opened.page.screenshot(path=str(path))
    print(f"screenshot: {path}")


def hash_of(opened: Opened) -> str:
    return opened.js("decodeURIComponent(location.hash)")


def assert_legible(opened: Opened, at_least: int) -> list[str]:
    """At least ``at_least`` names drawn at 12 px or more, wholly on the graph, none overlapping."""
    boxes = opened.js("window.tieline.labelBoxes()")
    size = opened.js("[document.getElementById('tl-network').clientWidth, document.getElementById('tl-network').clientHeight]")
    assert [b["name"] for b in boxes] == opened.js("window.tieline.visibleLabels()")
    assert len(boxes) >= at_least, [b["name"] for b in boxes]
    for i, a in enumerate(boxes):
        assert a["px"] >= 12 and 0 <= a["x1"] < a["x2"] <= size[0] and 0 <= a["y1"] < a["y2"] <= size[1], a
        for b in boxes[i + 1:]:
            assert a["x2"] <= b["x1"] or b["x2"] <= a["x1"] or a["y2"] <= b["y1"] or b["y2"] <= a["y1"], (a, b)
    return [b["name"] for b in boxes]


# ---------------------------------------------------------------- legible at first sight


def test_first_view_opens_on_the_tour_with_names_drawn_legibly(open_at: Any) -> None:
    opened = open_at()
    names = assert_legible(opened, 8)
    assert "Kirill Dmitriev" in names and "Marco Rubio" in names
    assert opened.js("window.tieline.tourStep()") == 1 and hash_of(opened) == "#tour=1"
    assert opened.page.inner_text("#tl-tour h2") == "The story in one picture"
    count = opened.js("window.tieline.shownCount()")
    assert count == {"entities": 43, "facts": 89}
    screenshot(opened, "first-view-desktop")


def test_phone_first_view_graph_on_top_names_legible_targets_big(open_at: Any) -> None:
    opened = open_at(**PHONE)
    page = opened.page
    assert page.locator("#tl-network").bounding_box()["y"] <= 844 * 0.2
    assert_legible(opened, 5)
    assert opened.js("document.scrollingElement.scrollWidth") <= 390
    small = opened.js("""Array.from(document.querySelectorAll('header button, header input, #tl-tour button'))
        .filter(e => e.offsetParent !== null).map(e => [e.id || e.textContent, e.getBoundingClientRect().height,
                                                      e.getBoundingClientRect().width])
        .filter(([_, h, w]) => h < 44 || w < 44)""")
    assert small == []
    screenshot(opened, "first-view-phone")
    page.tap("#tl-open-filters")  # the legend, one tap away, first in its sheet
    legend = page.locator("#tl-types").bounding_box()
    assert page.is_visible("#tl-types") and legend["y"] < 844 and legend["y"] > page.locator("#tl-filters").bounding_box()["y"]
    page.tap("#tl-filters .sheet-close")
    opened.settle()
    x, y = opened.node_point("kirill-dmitriev")
    page.touchscreen.tap(x + 15, y - 15)  # beside the node, inside its 44-pixel target
    page.wait_for_selector("#tl-panel", state="visible")
    assert page.inner_text("#tl-panel h2") == "Kirill Dmitriev" and hash_of(opened) == "#focus=kirill-dmitriev"


def test_a_focused_entity_labels_the_lines_of_its_facts(open_at: Any) -> None:
    opened = open_at("#focus=rdif")
    labelled = opened.js("window.tieline.factLabels()")
    facts_of_rdif = {f["id"] for f in opened.js("window.tieline.data.facts") if "rdif" in (f["subject"], f["object"])}
    assert labelled and set(labelled) <= facts_of_rdif
    assert "Russian Direct Investment Fund" in assert_legible(opened, 2)
    opened.page.click("#tl-reset")
    assert opened.js("window.tieline.factLabels()") == []


# ---------------------------------------------------------------- the tour


def test_tour_steps_by_button_key_swipe_and_hash(open_at: Any) -> None:
    opened = open_at(**PHONE)
    page = opened.page
    length = opened.js("window.tieline.tourLength()")
    assert length == len(load_graph(BUNDLED).graph["tour"]) >= 5
    assert page.is_disabled("#tl-tour-prev")
    page.tap("#tl-tour-next")
    assert opened.js("window.tieline.tourStep()") == 2 and hash_of(opened) == "#tour=2"
    page.keyboard.press("ArrowRight")
    assert opened.js("window.tieline.tourStep()") == 3
    page.keyboard.press("ArrowLeft")
    assert opened.js("window.tieline.tourStep()") == 2
    opened.js("""(() => { const card = document.getElementById('tl-tour');
        const touch = (x) => new Touch({identifier: 1, target: card, clientX: x, clientY: 700});
        card.dispatchEvent(new TouchEvent('touchstart', {touches: [touch(300)], bubbles: true}));
        card.dispatchEvent(new TouchEvent('touchend', {changedTouches: [touch(120)], bubbles: true})); })()""")
    assert opened.js("window.tieline.tourStep()") == 3  # swiped left: the next step
    page.tap("#tl-tour-prev")
    assert opened.js("window.tieline.tourStep()") == 2
    page.go_back()
    page.wait_for_function("window.tieline.tourStep() === 3")
    opened.js("location.hash = '#tour=4'")
    page.wait_for_function("window.tieline.tourStep() === 4")
    step = load_graph(BUNDLED).graph["tour"][3]
    assert page.inner_text("#tl-tour h2") == step["title"]
    assert set(opened.js("window.tieline.visibleLabels()")) & {"Steve Witkoff", "Kirill Dmitriev"}
    screenshot(opened, "tour-step-4-phone")


def test_every_highlighted_fact_of_a_step_is_one_tap_from_its_card(open_at: Any) -> None:
    opened = open_at("#tour=2")
    page = opened.page
    step = load_graph(BUNDLED).graph["tour"][1]
    buttons = page.eval_on_selector_all("#tl-tour button.tour-fact", "bs => bs.map(b => b.dataset.fact)")
    assert buttons == step["facts"]
    for fact in buttons:
        page.click(f"#tl-tour button.tour-fact[data-fact='{fact}']")
        assert page.get_attribute("#tl-panel", "data-showing") == f"fact:{fact}"
    screenshot(opened, "tour-step-2-desktop")
    assert opened.js("window.tieline.tourStep()") == 2  # reading a fact's card stays on the step


def test_a_path_step_lights_the_shortest_paths(open_at: Any, invoke: Any) -> None:
    steps = load_graph(BUNDLED).graph["tour"]
    number = next(i for i, s in enumerate(steps, 1) if s["path"])
    opened = open_at(f"#tour={number}")
    facts = opened.page.eval_on_selector_all("#tl-tour button.tour-fact", "bs => bs.map(b => b.dataset.fact)")
    result = invoke("path", *steps[number - 1]["path"], "--data", BUNDLED, "--all", "--json")
    import json

    on_paths = {fact["id"] for p in json.loads(result.stdout)["paths"] for hop in p["hops"] for fact in hop["facts"]}
    assert set(facts) == on_paths


def test_a_page_without_a_tour_opens_on_the_whole_graph(open_at: Any, small_data: Path) -> None:
    opened = open_at("", small_data)
    assert opened.js("window.tieline.tourStep()") is None and opened.js("window.tieline.tourLength()") == 0
    assert opened.page.is_hidden("#tl-tour") and hash_of(opened) == ""
    assert_legible(opened, 5)


# ---------------------------------------------------------------- path finder and search


def test_path_finder_first_click_works_with_the_list_open(open_at: Any, invoke: Any) -> None:
    opened = open_at()
    page = opened.page
    page.click("#tl-from")
    page.keyboard.type("Dmitriev")  # typed, not picked from the list
    page.click("#tl-to")
    page.keyboard.type("Rubio")  # its list is open, between the field and the button
    assert page.is_visible("#tl-to-results")
    button = page.locator("#tl-finder button[type=submit]").bounding_box()
    assert page.locator("#tl-to-results").bounding_box()["y"] + page.locator("#tl-to-results").bounding_box()["height"] <= button["y"]
    page.mouse.click(button["x"] + button["width"] / 2, button["y"] + button["height"] / 2)
    routes = opened.js("window.tieline.routes")
    assert routes and all(r[0] == "kirill-dmitriev" and r[-1] == "marco-rubio" for r in routes)
    assert hash_of(opened) == "#path=kirill-dmitriev,marco-rubio"


def test_suggestions_are_a_list_that_covers_no_field(open_at: Any) -> None:
    opened = open_at()
    page = opened.page
    page.type("#tl-from", "Marco")
    results = page.locator("#tl-from-results").bounding_box()
    assert results["y"] + results["height"] <= page.locator("#tl-to").bounding_box()["y"]
    lines = opened.js("""(() => { const li = document.querySelector('#tl-from-results li');
        const name = li.querySelector('.result-name').getBoundingClientRect();
        const line = li.querySelector('.result-line').getBoundingClientRect();
        return [name.bottom <= line.top, getComputedStyle(li).borderTopStyle, li.textContent]; })()""")
    assert lines[0] is True and "Marco Rubio" in lines[2]


def test_path_finder_says_when_a_name_is_not_found_or_is_two_entities(open_at: Any, fact_set: Any) -> None:
    opened = open_at()
    page = opened.page
    page.type("#tl-from", "Lavrov")
    page.type("#tl-to", "Rubio")
    page.click("#tl-finder button[type=submit]")
    assert "no entity is called “Lavrov”" in page.inner_text("#tl-finder-note")
    assert opened.js("window.tieline.routes") is None
    twins = fact_set({"entities/twins.yaml": """
        entities:
          - {id: sergei-ivanov-1953, type: person, name: Sergei Ivanov, description: Former defence minister}
          - {id: sergei-ivanov-1960, type: person, name: Sergei Ivanov, description: A businessman}
        """})
    opened = open_at("", twins)
    page = opened.page
    page.type("#tl-from", "Sergei Ivanov")
    page.keyboard.press("Tab")
    page.type("#tl-to", "Sergei Ivanov")
    page.click("#tl-finder button[type=submit]")
    assert "is the name of 2 entities" in page.inner_text("#tl-finder-note")
    assert page.is_visible("#tl-to-results") or page.is_visible("#tl-from-results")


@pytest.mark.parametrize("typed, expected", [
    ("Дмитриев", "kirill-dmitriev"), ("Кирилл Дмитриев", "kirill-dmitriev"), ("Зеленский", "volodymyr-zelenskyy"),
    ("Рубио", "marco-rubio"), ("Dmitriev, Kirill", "kirill-dmitriev"), ("witkof", "steve-witkoff"),
])
def test_search_in_any_script_finds_what_the_cli_finds(open_at: Any, invoke: Any, typed: str, expected: str) -> None:
    import json

    cli = json.loads(invoke("search", typed, "--data", BUNDLED, "--json").stdout)
    assert cli["results"][0]["id"] == expected if isinstance(cli, dict) else cli[0]["id"] == expected
    opened = open_at()
    opened.page.fill("#tl-search", typed)
    opened.page.press("#tl-search", "Enter")
    assert opened.page.inner_text("#tl-panel h2") == load_graph(BUNDLED).nodes[expected]["name"]


LATIN_TEXTS = ["Дмитриев", "Зеленський", "Ἀθῆναι Αθήνα", "محمد بن سلمان", "בנימין נתניהו", "თბილისი", "Երևան",
               "Łódź Straße", "नरेन्द्र मोदी", "Čechy ŠKODA", "Ступка-Богдан", "★", "Ђорђе Јовановић"]


def test_latin_and_sound_keys_are_the_python_keys(open_at: Any) -> None:
    opened = open_at()
    got = opened.js("texts => texts.map(t => { const l = tielineRules.latinKey(t, "
                    "tielineRules.latinTable(window.tieline.data.latin_table)); return [l, tielineRules.soundKey(l)]; })",
                    LATIN_TEXTS)
    assert got == [[latin_key(t), sound_key(latin_key(t))] for t in LATIN_TEXTS]


# ---------------------------------------------------------------- time, links, picture, merged ids


def test_dates_typed_in_the_fields_set_the_range_in_words(open_at: Any) -> None:
    opened = open_at()
    page = opened.page
    page.fill("#tl-date-from", "2025-03-01")
    page.fill("#tl-date-to", "2025-04-02")
    assert "between=2025-03-01,2025-04-02" in hash_of(opened)
    assert page.inner_text("#tl-time-words") == "Facts from 1 March 2025 to 2 April 2025."
    ticks = opened.js("window.tieline.data.dates.ticks")
    middle = ticks[len(ticks) // 2]
    assert middle >= "2025-01-01"  # the story's spring gets the middle of the track, not its last 1 %
    assert opened.js("[document.getElementById('tl-time-from').value, document.getElementById('tl-time-to').value]") \
        == [str(ticks.index("2025-03-01")), str(max(i for i, t in enumerate(ticks) if t <= "2025-04-02"))]


def test_a_selected_fact_is_in_the_link_and_reset_clears_everything(open_at: Any) -> None:
    fact = "kirill-dmitriev.heads.rdif"
    opened = open_at(f"#fact={fact}")
    page = opened.page
    assert page.get_attribute("#tl-panel", "data-showing") == f"fact:{fact}"
    assert opened.js("window.tieline.selectedFacts()") == [fact]
    page.fill("#tl-search", "Putin")
    page.press("#tl-search", "Enter")
    assert hash_of(opened) == "#focus=vladimir-putin"
    page.click("#tl-list-toggle")
    page.click(f"#tl-list-rows tr[data-fact='{fact}'] button.entity-link[data-entity='rdif']")
    page.click("#tl-list-toggle")
    page.click("#tl-reset")
    assert page.input_value("#tl-search") == "" and hash_of(opened) == ""
    assert opened.js("window.tieline.tourStep()") is None


def test_download_image_of_a_tour_step_holds_the_whole_graph_with_the_step_above_and_the_legend_below(
        open_at: Any) -> None:
    opened = open_at("#tour=5")
    opened.page.mouse.move(600, 300)  # a hover is not drawn
    width, height = opened.js("[document.querySelector('#tl-network canvas').clientWidth, "
                              "document.querySelector('#tl-network canvas').clientHeight]")
    picture = opened.js("(() => { const c = window.tieline.pictureCanvas(); "
                        "return [c.width, c.height, c.getAttribute('data-graph')]; })()")
    top, graph_height = map(int, picture[2].split())
    assert picture[0] == 2 * width and graph_height == 2 * height
    assert top >= 2 * (25 + 18 + 18 + 2 * 18) and picture[1] >= top + graph_height + 2 * (18 + 18)


def test_download_image_on_a_phone_has_the_title_in_full_and_a_legend(open_at: Any) -> None:
    opened = open_at("#tour=3", **PHONE)
    size = opened.js("(() => { const c = window.tieline.pictureCanvas(); return [c.width, c.height]; })()")
    canvas = opened.js("[document.querySelector('#tl-network canvas').clientWidth, document.querySelector('#tl-network canvas').clientHeight]")
    assert size[0] == 2 * canvas[0]
    # the title wraps (390 px cannot hold it on one line at 17 px) and the legend takes rows: taller than one line each
    assert size[1] >= 2 * (canvas[1] + 2 * 23 + 2 * 17 + 17)


def test_links_made_with_a_merged_id_work(open_at: Any, fact_set: Any, invoke: Any) -> None:
    folder = fact_set({"resolutions.yaml": """
        resolutions:
          - same: [jose-alvarez, pepe-alvarez]
        """, "entities/alias.yaml": """
        entities:
          - {id: pepe-alvarez, type: person, name: Pepe Álvarez}
        """})
    shown = invoke("show", "pepe-alvarez", "--data", folder)
    assert shown.exit_code == 0 and "José Álvarez" in shown.stdout  # the CLI accepts the merged id
    name = load_graph(folder).nodes["jose-alvarez"]["name"]
    opened = open_at("#focus=pepe-alvarez", folder)
    assert opened.page.is_hidden("#tl-note") and hash_of(opened) == "#focus=pepe-alvarez"
    assert opened.page.inner_text("#tl-panel h2") == name
    opened = open_at("#path=pepe-alvarez,volodymyr-zelenskyy", folder)
    assert opened.page.is_hidden("#tl-note")
    routes = opened.js("window.tieline.routes")
    assert routes and routes[0][0] == "jose-alvarez" and routes[0][-1] == "volodymyr-zelenskyy"


@pytest.mark.parametrize("hash, context", [("", DESKTOP), ("#tour=3", DESKTOP), ("", PHONE), ("#tour=5", PHONE)])
def test_axe_finds_no_serious_violation_in_the_first_view_a_tour_step_and_the_phone(
        open_at: Any, hash: str, context: dict) -> None:
    from axe_playwright_python.sync_playwright import Axe

    opened = open_at(hash, **context)
    if context is PHONE and not hash:
        opened.page.tap("#tl-open-filters")  # the legend and filters sheet, over the graph
    results = Axe().run(opened.page)
    serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
               for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []
