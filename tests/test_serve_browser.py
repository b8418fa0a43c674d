"""`tieline serve`'s page in headless Chromium, against a real server on the bundled data.

Search, expand ("N more"), collapse, remove, the server's path finder and `#focus=` work; no request
leaves the server (any other address is blocked and counted); axe-core finds no serious violation;
the console stays clean. Skipped without Chromium or Playwright, except on CI.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from test_html_browser import READY, browser  # noqa: F401  (the one Chromium fixture)
from test_serve import BUNDLED, Server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(BUNDLED, tmp_path_factory.mktemp("serve-cache"))
    yield running
    running.stop()


class Opened:
    """The explorer opened at ``hash``, with every request it made and every console problem."""

    def __init__(self, browser: Any, server: Server, hash: str = ""):
        self.base = f"http://{server.url}/"
        self.context = browser.new_context(viewport={"width": 1400, "height": 900})
        self.requests: list[str] = []
        self.blocked: list[str] = []
        self.problems: list[str] = []
        self.context.route(lambda url: not url.startswith((self.base, "data:", "about:", "blob:")), self._block)
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.problems.append(m.text) if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.goto(self.base + hash)
        self.page.wait_for_selector(READY, state="attached", timeout=30_000)

    def _block(self, route: Any) -> None:
        self.blocked.append(route.request.url)
        route.abort()

    def js(self, expression: str, arg: Any = None) -> Any:
        return self.page.evaluate(expression, arg)

    def shown(self) -> list[str]:
        return self.js("window.tieline.shownEntities()")

    def close(self) -> None:
        outside = [u for u in self.requests if not u.startswith((self.base, "data:", "about:", "blob:"))]
        assert outside == [] and self.blocked == [], f"requests left the server: {outside + self.blocked}"
        assert self.problems == []
        self.context.close()


@pytest.fixture
def open_page(browser: Any, server: Server) -> Iterator[Any]:
    opened: list[Opened] = []

    def open_at(hash: str = "") -> Opened:
        opened.append(Opened(browser, server, hash))
        return opened[-1]
    yield open_at
    for page in opened:
        page.close()


def test_it_starts_empty_and_search_brings_an_entity_and_its_neighbours(open_page: Any) -> None:
    opened = open_page()
    assert opened.js("window.tieline.shownCount()") == 0
    assert opened.page.is_visible("#ts-empty") and not opened.page.is_visible("#ts-frame")
    assert not opened.page.is_visible("#ts-actions")
    opened.page.fill("#ts-search", "witkof")
    opened.page.wait_for_selector("#ts-results li[role=option]")
    first = opened.page.inner_text("#ts-results li >> nth=0")
    assert "Steve Witkoff" in first
    opened.page.press("#ts-search", "Enter")
    opened.page.wait_for_function("() => window.tieline.shownCount() > 1", timeout=30_000)
    assert "steve-witkoff" in opened.shown()
    assert opened.js("window.tieline.selected()") == "steve-witkoff"
    assert "#seed=steve-witkoff" in opened.js("location.hash")


def test_expand_pages_on_collapse_and_remove(open_page: Any, server: Server) -> None:
    opened = open_page()
    opened.js("window.tieline.expand('kirill-dmitriev')")
    shown = opened.shown()
    total = opened.js("window.tieline.frame().data.node_ids.length")
    assert len(shown) == total > 1 and "kirill-dmitriev" in shown
    # the neighbours shown are the first ones `neighbours` lists, in its order
    import json

    listed = json.loads(server.api("neighbours", [("entity", "kirill-dmitriev"), ("limit", "50")])[2])
    assert set(shown) == {"kirill-dmitriev", *(n["id"] for n in listed["neighbours"])}
    assert "neighbours shown" in opened.page.inner_text("#ts-bar")
    opened.js("window.tieline.expand('rdif')")
    grown = opened.shown()
    assert set(shown) <= set(grown)
    opened.page.click("#ts-collapse")  # rdif is selected: collapse what it brought
    opened.page.wait_for_function("() => window.tieline.recipe().indexOf('rdif%3A') < 0")
    opened.page.wait_for_function(f"() => window.tieline.shownCount() <= {len(grown)}")
    opened.js("window.tieline.remove('rdif')")
    assert "rdif" not in opened.shown()
    assert "hide=rdif" in opened.js("location.hash")


def test_n_more_pages_through_a_long_neighbourhood(open_page: Any, server: Server) -> None:
    import json

    total = json.loads(server.api("neighbours", [("entity", "kirill-dmitriev"), ("limit", "1")])[2])["total"]
    opened = open_page()
    opened.js("""async () => {
        const real = window.tieline.expand;
        await real('kirill-dmitriev');
    }""")
    label = opened.page.inner_text("#ts-expand")
    assert label in ("All shown",) or "more" in label
    assert f"of {total} neighbours shown" in opened.page.inner_text("#ts-status")


def test_the_path_finder_asks_the_server(open_page: Any) -> None:
    opened = open_page()
    opened.page.fill("#ts-from", "Kirill Dmitriev")
    opened.page.fill("#ts-to", "Marco Rubio")
    opened.page.click("#ts-finder button[type=submit]")
    opened.page.wait_for_function("() => window.tieline.shownCount() > 0 && window.tieline.frame() && "
                                  "window.tieline.frame().data.selection.path.length > 0", timeout=30_000)
    path = opened.js("window.tieline.frame().data.selection.path")
    assert path[0] == "kirill-dmitriev" and path[-1] == "marco-rubio"
    assert "hop(s), highlighted" in opened.page.inner_text("#ts-status")
    assert not opened.page.is_visible("#ts-actions")  # nothing selected: nothing to expand
    opened.page.fill("#ts-from", "nobody-at-all-here")
    opened.page.click("#ts-finder button[type=submit]")
    opened.page.wait_for_function("() => document.getElementById('ts-bar').classList.contains('problem')")
    assert "no entity matches" in opened.page.inner_text("#ts-status")
    assert [p for p in opened.problems if "404" not in p] == []  # the browser logs the API's 404 it was given
    opened.problems.clear()


def test_focus_in_the_hash_opens_that_entity_expanded(open_page: Any) -> None:
    opened = open_page("#focus=rdif")
    opened.page.wait_for_function("() => window.tieline.shownCount() > 1", timeout=30_000)
    assert "rdif" in opened.shown() and opened.js("window.tieline.selected()") == "rdif"
    assert opened.js("window.tieline.frame().data.entities.rdif.name") == "Russian Direct Investment Fund"
    reopened = open_page("#" + opened.js("location.hash.slice(1)"))  # the link it wrote brings the same view
    reopened.page.wait_for_function("() => window.tieline.shownCount() > 1", timeout=30_000)
    assert sorted(reopened.shown()) == sorted(opened.shown())


def test_double_click_in_the_graph_expands(open_page: Any) -> None:
    opened = open_page("#focus=rdif")
    opened.page.wait_for_function("() => window.tieline.shownCount() > 1", timeout=30_000)
    before = opened.js("window.tieline.recipe()")
    point = opened.js("""() => {
        const t = window.tieline.frame(); const ids = t.data.node_ids;
        const i = ids.indexOf('kirill-dmitriev'); const p = t.network.getPositions([i])[i];
        const d = t.network.canvasToDOM(p); const box = document.getElementById('ts-frame').getBoundingClientRect();
        const net = t.network.body.container.getBoundingClientRect();
        return {x: box.left + net.left + d.x, y: box.top + net.top + d.y};
    }""")
    opened.page.mouse.dblclick(point["x"], point["y"])
    opened.page.wait_for_function(f"() => window.tieline.recipe() !== {before!r}", timeout=30_000)
    assert "kirill-dmitriev%3A" in opened.js("window.tieline.recipe()")


def test_export_this_view_downloads_the_page_on_screen(open_page: Any, server: Server) -> None:
    opened = open_page("#focus=rdif")
    opened.page.wait_for_function("() => window.tieline.shownCount() > 1", timeout=30_000)
    with opened.page.expect_download() as download:
        opened.page.click("#ts-export")
    saved = Path(download.value.path()).read_bytes()
    assert saved.startswith(b"<!DOCTYPE html>") and b"Russian Direct Investment Fund" in saved
    assert saved == server.request("/view?" + opened.js("window.tieline.recipe()"))[2]  # what the frame shows


@pytest.mark.parametrize("hash", ["", "#focus=rdif"])
def test_axe_finds_no_serious_violations(open_page: Any, hash: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    opened = open_page(hash)
    if hash:
        opened.page.wait_for_function("() => window.tieline.shownCount() > 1", timeout=30_000)
    results = Axe().run(opened.page)
    serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
               for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []


HOSTILE = '<img src=x onerror="window.pwned=1">Anna</b>'


def test_hostile_names_stay_text(browser: Any, tmp_path: Path) -> None:
    """A name that is markup is shown as the text it is, in the search list, the bar and the page."""
    from conftest import write_fact_set

    data = write_fact_set(tmp_path / "data")
    people = data / "entities" / "people.yaml"
    people.write_text(people.read_text(encoding="utf-8").replace("name: Anna Kowalska", f"name: '{HOSTILE}'"),
                      encoding="utf-8")
    server = Server(data, tmp_path / "cache")
    try:
        opened = Opened(browser, server)
        opened.page.fill("#ts-search", "anna")
        opened.page.wait_for_selector("#ts-results li[role=option]")
        assert HOSTILE in opened.page.inner_text("#ts-results")
        opened.page.press("#ts-search", "Enter")
        opened.page.wait_for_function("() => window.tieline.shownCount() > 0", timeout=30_000)
        assert HOSTILE in opened.page.inner_text("#ts-status")
        assert opened.js("window.tieline.frame().data.entities['anna-kowalska'].name") == HOSTILE
        assert opened.js("window.pwned") is None and opened.js("document.getElementById('ts-frame').contentWindow.pwned") is None
        assert opened.js("document.querySelectorAll('img').length") == 0
        opened.close()
    finally:
        server.stop()
