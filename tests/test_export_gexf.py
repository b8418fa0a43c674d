"""GEXF 1.3 export: well-formed, right namespace and version, read back by networkx, dates as intervals."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest
from test_export_graphml import HOSTILE, bundled_graph, sample_graph, xml_cleaned

from graph.export import gexf

GEXF = "{http://gexf.net/1.3}"
VIZ = "{http://gexf.net/1.3/viz}"
GEXF_TYPES = {"integer", "long", "double", "float", "boolean", "string", "liststring", "anyURI"}


def write(tmp_path: Path, G: nx.MultiDiGraph) -> Path:
    path = tmp_path / "graph.gexf"
    path.write_bytes(gexf.render(G))
    return path


def parse(path: Path):
    from lxml import etree

    return etree.parse(str(path)).getroot()


def test_file_is_well_formed_gexf_1_3(tmp_path):
    root = parse(write(tmp_path, sample_graph()))
    assert root.tag == f"{GEXF}gexf"
    assert root.get("version") == "1.3"
    assert root.nsmap == {None: "http://gexf.net/1.3", "viz": "http://gexf.net/1.3/viz"}
    graph = root.find(f"{GEXF}graph")
    assert graph.get("defaultedgetype") == "directed"
    assert (graph.get("mode"), graph.get("timeformat")) == ("dynamic", "date")
    assert root.find(f"{GEXF}meta").get("lastmodifieddate") == "2025-04-02"
    assert graph.find(f"{GEXF}nodes").get("count") == "6"
    assert graph.find(f"{GEXF}edges").get("count") == "4"


def test_same_graph_gives_the_same_bytes_whatever_the_insertion_order():
    first = gexf.render(sample_graph())
    assert gexf.render(sample_graph()) == first
    assert gexf.render(sample_graph(reverse=True)) == first


def test_networkx_reads_back_entities_and_facts(tmp_path):
    G = sample_graph()
    H = nx.read_gexf(write(tmp_path, G))
    assert isinstance(H, nx.MultiDiGraph)
    assert set(H.nodes) == set(G.nodes)
    assert sorted(H.edges(keys=True)) == sorted(G.edges(keys=True))
    for node_id, data in G.nodes(data=True):
        read = H.nodes[node_id]
        assert read["label"] == xml_cleaned(data["name"])
        assert read["type"] == data["type"]
        assert read.get("aliases") == (xml_cleaned("; ".join(data["aliases"])) or None)
        assert read["line"] == data["line"]
    for u, v, key, data in G.edges(keys=True, data=True):
        read = H.edges[u, v, key]
        assert read["id"] == key
        assert read["label"] == data["label"]
        assert read["relation"] == data["relation"]
        assert read["symmetric"] is data["symmetric"]
        assert read["sources"] == "; ".join(data["sources"])
        assert read.get("quote") == (xml_cleaned(data["quote"]) if data["quote"] else None)
        assert read.get("note") == (xml_cleaned(data["note"]) if data["note"] else None)


def test_hostile_and_non_latin_text_round_trips(tmp_path):
    H = nx.read_gexf(write(tmp_path, sample_graph()))
    assert H.nodes["hostile"]["label"] == HOSTILE + "\ufffd\ufffd\u202e\u200b\U0001F600"
    assert H.nodes["hostile"]["aliases"] == "\u0645\u062d\u0645\u062f; 中文名"
    assert H.nodes["mbs"]["label"] == "محمد بن سلمان"
    assert H.nodes["russia"]["label"] == "Россия"
    assert H.nodes["steve-witkoff"]["description"] == "Envoy\nsecond line\r\nthird"
    assert H.edges["hostile", "mbs", "hostile.met_with.mbs"]["quote"] == 'line1\nline2, comma "q"\ufffd \u202eevil'
    assert H.nodes["kirill-dmitriev"]["attr.sanctioned"] is True
    assert H.nodes["kirill-dmitriev"]["attr.born"] == 1975
    assert H.nodes["rdif"]["attr.assets"] == 10.5


def test_partial_dates_widen_to_the_period_they_name(tmp_path):
    H = nx.read_gexf(write(tmp_path, sample_graph()))
    heads = H.edges["kirill-dmitriev", "rdif", "kirill-dmitriev.heads.rdif"]
    assert (heads["start"], heads.get("end"), heads["start_date"]) == ("2025-04-01", None, "2025-04")
    meeting = H.edges["kirill-dmitriev", "steve-witkoff", "dmitriev-witkoff-1"]
    assert (meeting["start"], meeting["end"]) == ("2025-02-18", "2025-02-18")
    assert H.edges["kirill-dmitriev", "steve-witkoff", "dmitriev-witkoff-2"]["start"] == "2025-01-01"
    assert (H.nodes["mbs"]["end"], H.nodes["mbs"]["end_date"]) == ("2025-02-28", "2025-02")
    assert H.nodes["kirill-dmitriev"]["start"] == "1975-01-01"
    assert H.nodes["rdif"]["start"] == "2011-06-01"
    assert "start" not in H.nodes["russia"] and "end" not in H.nodes["russia"]


@pytest.mark.parametrize(
    ("partial", "first", "last"),
    [("2025", "2025-01-01", "2025-12-31"), ("2024-02", "2024-02-01", "2024-02-29"),
     ("2025-02", "2025-02-01", "2025-02-28"), ("2025-04-02", "2025-04-02", "2025-04-02"),
     (None, None, None), ("2025-13", None, None)],
)
def test_period_bounds(partial, first, last):
    assert (gexf.period_start(partial), gexf.period_end(partial)) == (first, last)


def test_a_graph_without_dates_is_static(tmp_path):
    G = sample_graph()
    for _, data in G.nodes(data=True):
        data["start"] = data["end"] = None
    for _, _, data in G.edges(data=True):
        data["start"] = data["end"] = None
    graph = parse(write(tmp_path, G)).find(f"{GEXF}graph")
    assert graph.get("mode") == "static"
    assert graph.get("timeformat") is None
    assert not [e for e in graph.iter() if e.get("start") or e.get("end")]


def test_type_colours_are_viz_colours(tmp_path):
    root = parse(write(tmp_path, sample_graph()))
    colours = {
        node.get("id"): tuple(int(node.find(f"{VIZ}color").get(c)) for c in "rgb")
        for node in root.iter(f"{GEXF}node")
    }
    assert colours["kirill-dmitriev"] == (0x4E, 0x79, 0xA7)
    assert colours["rdif"] == (0xF2, 0x8E, 0x2B)
    assert colours["russia"] == (0x59, 0xA1, 0x4F)


def test_every_value_is_declared_with_a_gexf_type(tmp_path):
    root = parse(write(tmp_path, sample_graph()))
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


def test_parallel_facts_stay_separate_edges_typed_by_relation(tmp_path):
    root = parse(write(tmp_path, sample_graph()))
    pair = [(e.get("id"), e.get("kind"), e.get("label")) for e in root.iter(f"{GEXF}edge")
            if (e.get("source"), e.get("target")) == ("kirill-dmitriev", "steve-witkoff")]
    assert pair == [("dmitriev-witkoff-1", "met_with", "met with"), ("dmitriev-witkoff-2", "met_with", "met with")]


def test_no_reference_to_a_network_resource():
    text = gexf.render(sample_graph()).decode("utf-8")
    assert "schemaLocation" not in text
    assert text.count("http") == 2  # the two namespace names


def test_bundled_data_exports_gexf(tmp_path):
    G = bundled_graph()
    H = nx.read_gexf(write(tmp_path, G))
    assert set(H.nodes) == set(G.nodes)
    assert sorted(H.edges(keys=True)) == sorted(G.edges(keys=True))
    assert {n: d["label"] for n, d in H.nodes(data=True)} == {n: xml_cleaned(d["name"]) for n, d in G.nodes(data=True)}
