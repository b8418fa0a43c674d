"""Node-link JSON export: networkx reads it back with equal attributes; sorted, UTF-8, stable bytes.

Fact sets are written as YAML, loaded by the real loader, exported through the CLI and read back
with ``json`` and ``networkx.node_link_graph`` (see test_export_graphml.py for the shared helpers).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from conftest import SMALL
from test_export_graphml import EXPORT, HOSTILE_NAME, REPO, export, loaded, reversed_copy

from graph.export import nodelink


@pytest.fixture
def json_of(invoke: Callable[..., Any], tmp_path: Path) -> Callable[..., Path]:
    """``json_of(folder=EXPORT, *options)``: export ``folder`` as JSON through the CLI; the file's path."""
    def run(folder: Path = EXPORT, *options: str, name: str = "graph.json") -> Path:
        return export(invoke, "json", folder, tmp_path / name, *options)
    return run


def read_back(path: Path) -> nx.MultiDiGraph:
    with path.open(encoding="utf-8") as f:
        return nx.node_link_graph(json.load(f), directed=True, multigraph=True, edges="edges")


def assert_equal_graphs(G: nx.MultiDiGraph, H: nx.MultiDiGraph) -> None:
    """``H`` (read back) holds every entity and fact of ``G`` (loaded) with equal attributes."""
    assert isinstance(H, nx.MultiDiGraph)
    assert set(H.nodes) == set(G.nodes)
    assert sorted(H.edges(keys=True)) == sorted(G.edges(keys=True))
    for node_id, data in G.nodes(data=True):
        expected = {k: v for k, v in data.items() if k != "id"}  # "id" is the node itself
        assert H.nodes[node_id] == expected, node_id
    for u, v, key, data in G.edges(keys=True, data=True):
        assert H.edges[u, v, key] == data, key


@pytest.mark.parametrize("folder", [EXPORT, SMALL, REPO / "data"], ids=["export", "small", "bundled"])
def test_networkx_reads_back_equal_attributes(json_of, folder):
    G = loaded(folder)
    H = read_back(json_of(folder))
    assert_equal_graphs(G, H)
    assert H.graph == G.graph


def test_hostile_text_is_kept_as_text(json_of):
    H = read_back(json_of())
    assert H.nodes["hostile"]["name"] == HOSTILE_NAME  # JSON carries control characters, escaped
    assert H.nodes["hostile"]["description"] == ("tab\there, vertical tab\x0b, non-character\ufffe, "
                                                 "control\x01\u202e\u200b")
    assert H.nodes["steve-witkoff"]["description"] == "Envoy\nsecond line\r\nthird"
    assert H.nodes["mbs"]["name"] == "محمد بن سلمان"
    assert H.edges["hostile", "mbs", "hostile.met_with.mbs"]["quote"] == 'line1\nline2, comma "q"\x02 \u202eevil'


def test_free_attributes_keep_their_json_types(json_of):
    H = read_back(json_of())
    assert H.nodes["kirill-dmitriev"]["attributes"] == {
        "sanctioned": True, "born": 1975, "languages": ["ru", "en"], "mixed": [1, "two", True, 2.5],
        "wealth": 12345678901}
    assert H.nodes["steve-witkoff"]["attributes"] == {"sanctioned": False, "born": 1957, "wealth": 5,
                                                      "languages": "en"}
    assert H.nodes["rdif"]["attributes"] == {"assets": 10.5, "founded": "2011-06-20", "tags": []}
    # beyond ±(2**53 − 1) a number stays the text the curator typed (data/README.md, "Free attributes")
    assert H.nodes["hostile"]["attributes"]["huge"] == "123456789012345678901234"
    assert H.nodes["russia"]["attributes"] == {}


def test_lone_surrogates_become_replacement_characters(tmp_path):
    # Hand-built: YAML cannot carry a lone surrogate (the loader refuses the file), but a graph
    # built in Python can hold one, and UTF-8 cannot encode it.
    G = loaded(EXPORT)
    G.nodes["russia"]["name"] = "Рос\ud800сия"
    G.nodes["russia"]["attributes"] = {"note\udfff": ["\udc00", "ok"]}
    path = tmp_path / "surrogates.json"
    path.write_bytes(nodelink.render(G))
    text = path.read_text(encoding="utf-8")
    assert "\\ud800" not in text and "\\udfff" not in text and "\\udc00" not in text
    H = read_back(path)
    assert H.nodes["russia"]["name"] == "Рос\ufffdсия"
    assert H.nodes["russia"]["attributes"] == {"note\ufffd": ["\ufffd", "ok"]}


def test_layout_is_node_link_with_an_edges_key(json_of):
    data = json.loads(json_of().read_text(encoding="utf-8"))
    assert list(data) == ["directed", "edges", "graph", "multigraph", "nodes"]
    assert data["directed"] is True and data["multigraph"] is True
    assert [n["id"] for n in data["nodes"]] == sorted(n["id"] for n in data["nodes"])
    assert [e["key"] for e in data["edges"]] == sorted(e["key"] for e in data["edges"])
    parallel = [e["key"] for e in data["edges"] if (e["source"], e["target"]) == ("kirill-dmitriev", "steve-witkoff")]
    assert parallel == ["dmitriev-witkoff-1", "dmitriev-witkoff-2"]
    assert all(e["symmetric"] is True for e in data["edges"] if e["relation"] == "met_with")
    assert data["graph"]["dataset"]["date"] == "2025-04-02"
    [russia] = [n for n in data["nodes"] if n["id"] == "russia"]
    assert not [e for e in data["edges"] if "russia" in (e["source"], e["target"])]
    assert (russia["start"], russia["aliases"], russia["attributes"]) == (None, [], {})


def test_text_is_sorted_utf8_with_a_trailing_newline(json_of):
    raw = json_of().read_bytes()
    text = raw.decode("utf-8")
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert "Россия" in text and "中文名" in text and "\\u0420" not in text
    assert text == json.dumps(json.loads(text), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def test_same_data_gives_the_same_bytes(json_of, invoke):
    first = json_of().read_bytes()
    # The first export built the graph; the second reads it from the cache the first wrote.
    assert json_of(EXPORT, name="again.json").read_bytes() == first
    result = invoke("export", "json", "--data", EXPORT, "--out", "-")
    assert result.exit_code == 0
    assert result.stdout_bytes == first
    # The loader always inserts in id order; the exporter must not depend on it.
    G = loaded(EXPORT)
    H = reversed_copy(G)  # the loader always inserts in id order
    assert nodelink.render(H) == first


def test_focused_view_carries_its_selection(json_of):
    G = loaded(EXPORT)
    H = read_back(json_of(EXPORT, "--focus", "steve-witkoff", "--depth", "2"))
    around = nx.ego_graph(G.to_undirected(as_view=True), "steve-witkoff", radius=2)
    assert set(H.nodes) == set(around) == {"steve-witkoff", "kirill-dmitriev", "rdif"}
    assert_equal_graphs(G.subgraph(around), H)
    selection = H.graph.pop("selection")
    assert selection["focus"] == ["steve-witkoff"] and selection["depth"] == 2
    assert H.graph == G.graph


def test_non_finite_numbers_stay_valid_json(tmp_path):
    # Hand-built: the loader turns .inf and .nan into text, so only a graph built in Python holds them.
    G = loaded(EXPORT)
    G.nodes["rdif"]["attributes"] = {"ratio": float("inf"), "missing": float("nan")}
    path = tmp_path / "graph.json"
    path.write_bytes(nodelink.render(G))
    data = json.loads(path.read_text(encoding="utf-8"), parse_constant=_refuse)
    [rdif] = [n for n in data["nodes"] if n["id"] == "rdif"]
    assert rdif["attributes"] == {"ratio": "INF", "missing": "NaN"}


def _refuse(name):
    raise AssertionError(f"{name} is not JSON")
