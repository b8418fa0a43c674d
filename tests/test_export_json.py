"""Node-link JSON export: networkx reads it back with equal attributes; sorted, UTF-8, stable bytes."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
from test_export_graphml import HOSTILE, bundled_graph, sample_graph

from graph.export import nodelink


def write(tmp_path: Path, G: nx.MultiDiGraph) -> Path:
    path = tmp_path / "graph.json"
    path.write_bytes(nodelink.render(G))
    return path


def read_back(path: Path) -> nx.MultiDiGraph:
    with path.open(encoding="utf-8") as f:
        return nx.node_link_graph(json.load(f), directed=True, multigraph=True, edges="edges")


def unsurrogate(value):
    """Lone surrogates as U+FFFD, through lists and dicts (the documented JSON cleaning)."""
    if isinstance(value, str):
        return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in value)
    if isinstance(value, list):
        return [unsurrogate(v) for v in value]
    if isinstance(value, dict):
        return {k: unsurrogate(v) for k, v in value.items()}
    return value


def test_networkx_reads_back_equal_attributes(tmp_path):
    G = sample_graph()
    H = read_back(write(tmp_path, G))
    assert isinstance(H, nx.MultiDiGraph)
    assert set(H.nodes) == set(G.nodes)
    assert sorted(H.edges(keys=True)) == sorted(G.edges(keys=True))
    for node_id, data in G.nodes(data=True):
        expected = {k: unsurrogate(v) for k, v in data.items() if k != "id"}  # "id" is the node itself
        assert H.nodes[node_id] == expected, node_id
    for u, v, key, data in G.edges(keys=True, data=True):
        assert H.edges[u, v, key] == unsurrogate(data), key
    assert H.graph == G.graph


def test_hostile_text_is_kept_as_text(tmp_path):
    H = read_back(write(tmp_path, sample_graph()))
    assert H.nodes["hostile"]["name"] == HOSTILE + "\x01\ufffd\u202e\u200b\U0001F600"
    assert H.nodes["steve-witkoff"]["description"] == "Envoy\nsecond line\r\nthird"
    assert H.nodes["mbs"]["name"] == "محمد بن سلمان"
    assert H.nodes["kirill-dmitriev"]["attributes"] == {"sanctioned": True, "born": 1975, "languages": ["ru", "en"]}


def test_layout_is_node_link_with_an_edges_key(tmp_path):
    data = json.loads(write(tmp_path, sample_graph()).read_text(encoding="utf-8"))
    assert list(data) == ["directed", "edges", "graph", "multigraph", "nodes"]
    assert data["directed"] is True and data["multigraph"] is True
    assert [n["id"] for n in data["nodes"]] == sorted(n["id"] for n in data["nodes"])
    assert [e["key"] for e in data["edges"]] == sorted(e["key"] for e in data["edges"])
    parallel = [e["key"] for e in data["edges"] if (e["source"], e["target"]) == ("kirill-dmitriev", "steve-witkoff")]
    assert parallel == ["dmitriev-witkoff-1", "dmitriev-witkoff-2"]
    assert data["graph"]["dataset"]["date"] == "2025-04-02"


def test_text_is_sorted_utf8_with_a_trailing_newline(tmp_path):
    raw = write(tmp_path, sample_graph()).read_bytes()
    text = raw.decode("utf-8")
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert "Россия" in text and "中文名" in text and "\\u0420" not in text
    assert "\\ud800" not in text
    assert text == json.dumps(json.loads(text), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def test_same_graph_gives_the_same_bytes_whatever_the_insertion_order():
    first = nodelink.render(sample_graph())
    assert nodelink.render(sample_graph()) == first
    assert nodelink.render(sample_graph(reverse=True)) == first


def test_non_finite_numbers_stay_valid_json(tmp_path):
    G = sample_graph()
    G.nodes["rdif"]["attributes"] = {"ratio": float("inf"), "missing": float("nan")}
    data = json.loads(write(tmp_path, G).read_text(encoding="utf-8"), parse_constant=_refuse)
    [rdif] = [n for n in data["nodes"] if n["id"] == "rdif"]
    assert rdif["attributes"] == {"ratio": "INF", "missing": "NaN"}


def _refuse(name):
    raise AssertionError(f"{name} is not JSON")


def test_bundled_data_exports_json(tmp_path):
    G = bundled_graph()
    H = read_back(write(tmp_path, G))
    assert set(H.nodes) == set(G.nodes)
    assert sorted(H.edges(keys=True)) == sorted(G.edges(keys=True))
    for u, v, key, data in G.edges(keys=True, data=True):
        assert H.edges[u, v, key] == data
