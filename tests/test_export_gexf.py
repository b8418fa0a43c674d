"""GEXF 1.3 export: well-formed, right namespace and version, read back by networkx, dates as intervals.

Fact sets are written as YAML, loaded by the real loader, exported through the CLI and read back
by networkx and lxml (see test_export_graphml.py for the shared helpers and the fixture).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from conftest import SMALL
from test_export_graphml import EXPORT, HOSTILE, REPO, export, free_attribute_kind, loaded, reversed_copy, xml_cleaned

from graph.export import gexf

GEXF = "{http://gexf.net/1.3}"
VIZ = "{http://gexf.net/1.3/viz}"
GEXF_TYPES = {"integer", "long", "double", "float", "boolean", "string", "liststring", "anyURI"}


@pytest.fixture
def gexf_of(invoke: Callable[..., Any], tmp_path: Path) -> Callable[..., Path]:
    """``gexf_of(folder=EXPORT, *options)``: export ``folder`` as GEXF through the CLI; the file's path."""
    def run(folder: Path = EXPORT, *options: str, name: str = "graph.gexf") -> Path:
        return export(invoke, "gexf", folder, tmp_path / name, *options)
    return run


def parse(path: Path):
    from lxml import etree

    return etree.parse(str(path)).getroot()


def test_file_is_well_formed_gexf_1_3(gexf_of):
    root = parse(gexf_of())
    assert root.tag == f"{GEXF}gexf"
    assert root.get("version") == "1.3"
    assert root.nsmap == {None: "http://gexf.net/1.3", "viz": "http://gexf.net/1.3/viz"}
    graph = root.find(f"{GEXF}graph")
    assert graph.get("defaultedgetype") == "directed"
    assert (graph.get("mode"), graph.get("timeformat")) == ("dynamic", "date")
    assert root.find(f"{GEXF}meta").get("lastmodifieddate") == "2025-04-02"
    assert graph.find(f"{GEXF}nodes").get("count") == "6"
    assert graph.find(f"{GEXF}edges").get("count") == "4"


def test_same_data_gives_the_same_bytes(gexf_of, invoke):
    first = gexf_of().read_bytes()
    # The first export built the graph; the second reads it from the cache the first wrote.
    assert gexf_of(EXPORT, name="again.gexf").read_bytes() == first
    result = invoke("export", "gexf", "--data", EXPORT, "--out", "-")
    assert result.exit_code == 0
    assert result.stdout_bytes == first
    # The loader always inserts in id order; the exporter must not depend on it.
    G = loaded(EXPORT)
    H = reversed_copy(G)  # the loader always inserts in id order
    assert gexf.render(H) == first


@pytest.mark.parametrize("folder", [EXPORT, SMALL, REPO / "data"], ids=["export", "small", "bundled"])
def test_networkx_reads_back_entities_and_facts(gexf_of, folder):
    G = loaded(folder)
    H = nx.read_gexf(gexf_of(folder))
    assert isinstance(H, nx.MultiDiGraph)
    assert set(H.nodes) == set(G.nodes)
    assert sorted(H.edges(keys=True)) == sorted(G.edges(keys=True))
    for node_id, data in G.nodes(data=True):
        read = H.nodes[node_id]
        assert read["label"] == xml_cleaned(data["name"])
        assert read["type"] == data["type"]
        assert read.get("aliases") == (xml_cleaned("; ".join(data["aliases"])) or None)
        assert read.get("description") == (xml_cleaned(data["description"]) if data["description"] else None)
        assert read.get("start_date") == data["start"] and read.get("end_date") == data["end"]
        assert read["line"] == data["line"]
    for u, v, key, data in G.edges(keys=True, data=True):
        read = H.edges[u, v, key]
        assert read["id"] == key
        assert read["label"] == data["label"]
        assert read["relation"] == data["relation"]
        assert read["certainty"] == data["certainty"]
        assert read["symmetric"] is data["symmetric"]
        assert read["sources"] == "; ".join(data["sources"])
        assert read.get("quote") == (xml_cleaned(data["quote"]) if data["quote"] else None)
        assert read.get("note") == (xml_cleaned(data["note"]) if data["note"] else None)
        assert read.get("start_date") == data["start"] and read.get("end_date") == data["end"]


def test_free_attributes_read_back_with_their_types(gexf_of):
    G = loaded(EXPORT)
    H = nx.read_gexf(gexf_of())
    for node_id, data in G.nodes(data=True):
        for name, value in data["attributes"].items():
            kind = free_attribute_kind(G, name)
            read = H.nodes[node_id].get("attr." + name.replace(" ", "_"))
            if kind is str:
                text = "; ".join(map(_text, value)) if isinstance(value, list) else _text(value)
                assert read == (text or None), (node_id, name)
            else:
                assert read == value and type(read) is kind, (node_id, name)
    assert H.nodes["kirill-dmitriev"]["attr.wealth"] == 12345678901
    assert H.nodes["kirill-dmitriev"]["attr.mixed"] == "1; two; true; 2.5"


def _text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def test_hostile_and_non_latin_text_round_trips(gexf_of):
    H = nx.read_gexf(gexf_of())
    assert H.nodes["hostile"]["label"] == HOSTILE + "\U0001F600"
    assert H.nodes["hostile"]["aliases"] == "\u0645\u062d\u0645\u062f; 中文名"
    assert H.nodes["hostile"]["description"] == ("tab\there, vertical tab\ufffd, non-character\ufffd, "
                                                 "control\ufffd\u202e\u200b")
    assert H.nodes["mbs"]["label"] == "محمد بن سلمان"
    assert H.nodes["russia"]["label"] == "Россия"
    assert H.nodes["steve-witkoff"]["description"] == "Envoy\nsecond line\r\nthird"
    assert H.edges["hostile", "mbs", "hostile.met_with.mbs"]["quote"] == 'line1\nline2, comma "q"\ufffd \u202eevil'
    assert H.edges["kirill-dmitriev", "steve-witkoff", "dmitriev-witkoff-2"]["note"] == HOSTILE
    assert H.nodes["kirill-dmitriev"]["attr.sanctioned"] is True
    assert H.nodes["kirill-dmitriev"]["attr.born"] == 1975
    assert H.nodes["rdif"]["attr.assets"] == 10.5


def test_markup_is_escaped_not_parsed(gexf_of):
    path = gexf_of()
    assert b"<script>" not in path.read_bytes() and b"<b>" not in path.read_bytes()
    assert not parse(path).findall(".//{*}script")


def test_partial_dates_widen_to_the_period_they_name(gexf_of):
    H = nx.read_gexf(gexf_of())
    heads = H.edges["kirill-dmitriev", "rdif", "kirill-dmitriev.heads.rdif"]
    assert (heads["start"], heads.get("end"), heads["start_date"]) == ("2025-04-01", None, "2025-04")
    meeting = H.edges["kirill-dmitriev", "steve-witkoff", "dmitriev-witkoff-1"]
    assert (meeting["start"], meeting["end"]) == ("2025-02-18", "2025-02-18")
    second = H.edges["kirill-dmitriev", "steve-witkoff", "dmitriev-witkoff-2"]
    assert (second["start"], second["end"], second["end_date"]) == ("2025-01-01", "2025-03-31", "2025-03")
    assert (H.edges["hostile", "mbs", "hostile.met_with.mbs"]["start"],
            H.edges["hostile", "mbs", "hostile.met_with.mbs"]["end"]) == ("2024-11-01", "2025-12-31")
    assert (H.nodes["mbs"]["end"], H.nodes["mbs"]["end_date"]) == ("2025-02-28", "2025-02")
    assert H.nodes["kirill-dmitriev"]["start"] == "1975-01-01"
    assert H.nodes["rdif"]["start"] == "2011-06-01"
    assert "start" not in H.nodes["russia"] and "end" not in H.nodes["russia"]


def test_a_happening_with_one_date_ends_with_its_period_a_state_runs_on(gexf_of):
    H = nx.read_gexf(gexf_of(SMALL))
    meeting = H.edges["jose-alvarez", "volodymyr-zelenskyy", "alvarez-zelenskyy-2024"]  # met_with: momentary
    assert (meeting["start"], meeting["end"], meeting["momentary"]) == ("2024-05-01", "2024-05-01", True)
    announced = H.edges["jose-alvarez", "volodymyr-zelenskyy", "alvarez-zelenskyy-2025"]
    assert (announced["start"], announced["end"], announced.get("end_date")) == ("2025-03-01", "2025-03-31", None)


def test_entity_days_are_kept_exactly(gexf_of):
    H = nx.read_gexf(gexf_of(SMALL))
    forum = H.nodes["madrid-forum"]
    assert (forum["start"], forum["end"]) == ("2024-06-10", "2024-06-11")
    assert H.nodes["volodymyr-zelenskyy"]["start"] == "1978-01-25"
    assert H.nodes["kyiv-summit"]["start"] == "2025-01-01"


@pytest.mark.parametrize(
    ("partial", "first", "last"),
    [("2025", "2025-01-01", "2025-12-31"), ("2024-02", "2024-02-01", "2024-02-29"),
     ("2025-02", "2025-02-01", "2025-02-28"), ("2025-04-02", "2025-04-02", "2025-04-02"),
     (None, None, None), ("2025-13", None, None)],
)
def test_period_bounds(partial, first, last):
    assert (gexf.period_start(partial), gexf.period_end(partial)) == (first, last)


def test_a_fact_set_without_dates_is_static(gexf_of, fact_set):
    folder = fact_set({"entities/people.yaml": """
        entities:
          - id: ann
            type: person
            name: Ann
          - id: bob
            type: person
            name: Bob
        """, "entities/places.yaml": None, "facts/talks.yaml": """
        facts:
          - subject: ann
            relation: met_with
            object: bob
            sources: [rferl]
            certainty: confirmed
        """}, base=EXPORT)
    graph = parse(gexf_of(folder)).find(f"{GEXF}graph")
    assert graph.get("mode") == "static"
    assert graph.get("timeformat") is None
    assert not [e for e in graph.iter() if e.get("start") or e.get("end")]
    H = nx.read_gexf(gexf_of(folder, name="again.gexf"))  # no parallel edges: networkx reads a DiGraph
    assert [(u, v, d["id"]) for u, v, d in H.edges(data=True)] == [("ann", "bob", "ann.met_with.bob")]


def test_type_colours_are_viz_colours(gexf_of):
    root = parse(gexf_of())
    colours = {
        node.get("id"): tuple(int(node.find(f"{VIZ}color").get(c)) for c in "rgb")
        for node in root.iter(f"{GEXF}node")
    }
    assert colours["kirill-dmitriev"] == (0x4E, 0x79, 0xA7)
    assert colours["rdif"] == (0xF2, 0x8E, 0x2B)
    assert colours["russia"] == (0x59, 0xA1, 0x4F)


def test_every_value_is_declared_with_a_gexf_type(gexf_of):
    root = parse(gexf_of())
    graph = root.find(f"{GEXF}graph")
    declared = {}
    for block in graph.findall(f"{GEXF}attributes"):
        for attribute in block.findall(f"{GEXF}attribute"):
            assert attribute.get("type") in GEXF_TYPES
            declared[(block.get("class"), attribute.get("id"))] = attribute.get("type")
    checked = 0
    for element, target in ((f"{GEXF}node", "node"), (f"{GEXF}edge", "edge")):
        for owner in graph.iter(element):
            for value in owner.iter(f"{GEXF}attvalue"):
                kind = declared[(target, value.get("for"))]
                text = value.get("value")
                assert text and text != "None"
                if kind == "boolean":
                    assert text in ("true", "false")
                elif kind in ("integer", "long"):
                    int(text)
                elif kind == "double":
                    float(text)
                checked += 1
    assert checked > 50
    assert declared[("edge", "symmetric")] == "boolean"
    assert declared[("node", "attr.note_with_space")] == "string"
    assert declared[("node", "attr.wealth")] == "long"
    assert declared[("node", "attr.assets")] == "double"
    assert declared[("node", "attr.mixed")] == "string"


def test_parallel_facts_stay_separate_edges_typed_by_relation(gexf_of):
    root = parse(gexf_of())
    pair = [(e.get("id"), e.get("kind"), e.get("label")) for e in root.iter(f"{GEXF}edge")
            if (e.get("source"), e.get("target")) == ("kirill-dmitriev", "steve-witkoff")]
    assert pair == [("dmitriev-witkoff-1", "met_with", "met with"), ("dmitriev-witkoff-2", "met_with", "met with")]


def test_focused_view_keeps_what_lies_within_depth(gexf_of):
    G = loaded(EXPORT)
    H = nx.read_gexf(gexf_of(EXPORT, "--focus", "hostile", "--depth", "1"))
    around = nx.ego_graph(G.to_undirected(as_view=True), "hostile", radius=1)
    assert set(H.nodes) == set(around) == {"hostile", "mbs"}
    assert [(u, v, d["id"]) for u, v, d in H.edges(data=True)] == [("hostile", "mbs", "hostile.met_with.mbs")]


def test_no_reference_to_a_network_resource(gexf_of):
    text = gexf_of().read_text(encoding="utf-8")
    assert "schemaLocation" not in text
    assert text.count("http") == 2  # the two namespace names
