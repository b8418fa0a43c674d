"""The `tour:` section: read by the real loader, checked with file:line:column errors, carried to the page."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from graph import load_graph
from graph.export.html import render
from graph.fields import TOUR_FIELDS, field_names

BUNDLED = Path(__file__).resolve().parent.parent / "data"

GOOD = """
tour:
  - title: Who heads what
    caption: Zelenskyy heads the Office of the President.
    entities: [volodymyr-zelenskyy, office-of-the-president]
    facts: [volodymyr-zelenskyy.heads.office-of-the-president]
  - title: Two meetings
    caption: Álvarez met Zelenskyy twice.
    path: [jose-alvarez, volodymyr-zelenskyy]
"""


@pytest.fixture
def problems(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fact_set: Callable[..., Path],
             invoke: Callable[..., Any]) -> Callable[..., list[str]]:
    """``problems(files)``: the problem lines `tieline validate` prints (exit 3) for SMALL plus ``files``."""
    monkeypatch.chdir(tmp_path)

    def run(files: dict[str, str | None]) -> list[str]:
        fact_set(files)
        result = invoke("validate", "--data", "data")
        assert result.exit_code == 3, (result.stdout, result.stderr)
        return result.stderr.splitlines()[:-1]
    return run


def test_a_tour_is_loaded_into_the_graph_in_order(fact_set: Callable[..., Path]) -> None:
    G = load_graph(fact_set({"tour.yaml": GOOD}))
    assert [s["title"] for s in G.graph["tour"]] == ["Who heads what", "Two meetings"]
    assert set(G.graph["tour"][0]) == set(field_names(TOUR_FIELDS))
    assert G.graph["tour"][1]["path"] == ["jose-alvarez", "volodymyr-zelenskyy"] and G.graph["tour"][1]["facts"] == []


def test_the_bundled_tour_names_only_what_the_data_holds() -> None:
    G = load_graph(BUNDLED)
    tour = G.graph["tour"]
    assert len(tour) >= 5 and tour[0]["entities"][0] == "kirill-dmitriev"
    facts = {key for _, _, key in G.edges(keys=True)}
    for step in tour:
        assert all(e in G for e in step["entities"] + step["path"]) and set(step["facts"]) <= facts
        assert step["title"] and step["caption"]


def test_every_problem_of_a_tour_is_reported_at_its_line_and_column(problems: Callable[..., list[str]]) -> None:
    lines = problems({"tour.yaml": """
        tour:
          - title: One
            caption: x
            entities: [volodymyr-zelensky, spain]
            facts: [nope.heads.spain]
          - title: Two
            path: [spain]
          - caption: nothing to show
            colour: red
        """})
    assert lines == [
        "data/tour.yaml:4:16: unknown entity 'volodymyr-zelensky' in 'entities' of tour step 1 "
        "(did you mean 'volodymyr-zelenskyy'?)",
        "data/tour.yaml:5:13: unknown fact 'nope.heads.spain' in 'facts' of tour step 1",
        "data/tour.yaml:6:5: tour step 'Two' is missing 'caption'",
        "data/tour.yaml:7:11: 'path' of tour step 'Two' names two entities (from, to), found 1",
        "data/tour.yaml:8:5: a tour step is missing 'title'",
        "data/tour.yaml:8:5: a tour step shows nothing: give 'entities', 'path' (two ids) or 'facts'",
        "data/tour.yaml:9:5: unknown key 'colour' in a tour step; allowed: title, caption, entities, path, facts",
    ]


def test_a_tour_lives_in_one_file(problems: Callable[..., list[str]]) -> None:
    lines = problems({"tour.yaml": GOOD, "more/tour.yaml": """
        tour:
          - {title: Again, caption: More, entities: [spain]}
        """})
    assert lines == ["data/tour.yaml:2:5: a second 'tour' section (the first is in more/tour.yaml:2); "
                     "keep the tour in one file, its steps in order"]  # files are read in path order


def test_a_tour_that_is_not_a_list_is_refused(problems: Callable[..., list[str]]) -> None:
    assert problems({"tour.yaml": "tour: {title: x}\n"}) == [
        "data/tour.yaml:1:7: 'tour' must be a list (- item), found a mapping"]


def test_a_merged_id_in_a_tour_is_read_as_the_id_it_was_merged_under(fact_set: Callable[..., Path]) -> None:
    folder = fact_set({"tour.yaml": """
        tour:
          - {title: One, caption: x, entities: [pepe-alvarez]}
        resolutions:
          - same: [jose-alvarez, pepe-alvarez]
        entities:
          - {id: pepe-alvarez, type: person, name: Pepe}
        """})
    assert load_graph(folder).graph["tour"][0]["entities"] == ["jose-alvarez"]


def test_an_edit_that_breaks_the_tour_is_caught_after_a_cached_build(fact_set: Callable[..., Path],
                                                                     invoke: Callable[..., Any]) -> None:
    folder = fact_set({"tour.yaml": GOOD})
    assert invoke("validate", "--data", folder).exit_code == 0  # the cache is written
    roles = folder / "facts" / "roles.yaml"
    roles.write_text(roles.read_text(encoding="utf-8").replace("relation: heads\n    object: office-of-the-president",
                                                               "relation: advises\n    object: office-of-the-president"),
                     encoding="utf-8")
    result = invoke("validate", "--data", folder)
    assert result.exit_code == 3
    assert "unknown fact 'volodymyr-zelenskyy.heads.office-of-the-president' in 'facts' of tour step 1" in result.stderr


def payload(html: bytes) -> dict[str, Any]:
    text = html.decode("utf-8")
    block = re.search(r'<script type="application/json" id="tl-data">(.*?)</script>', text, re.DOTALL)
    assert block is not None
    return json.loads(block.group(1))


def test_the_page_carries_the_steps_its_view_shows(fact_set: Callable[..., Path]) -> None:
    G = load_graph(fact_set({"tour.yaml": GOOD}))
    whole = payload(render(G))["tour"]
    assert [s["title"] for s in whole["steps"]] == ["Who heads what", "Two meetings"] and whole["left_out"] == 0
    only_spain = G.subgraph(["spain", "ukraine"]).copy()
    only_spain.graph = dict(G.graph)
    narrowed = payload(render(only_spain))["tour"]
    assert narrowed == {"steps": [], "left_out": 2}
