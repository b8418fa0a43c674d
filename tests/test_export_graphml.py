"""GraphML export: schema-valid, read back by networkx and igraph, hostile text survives, stable bytes.

Every graph here is a fact set written as YAML (tests/fixtures/export, tests/fixtures/small or a
variation of them), loaded by the real loader and exported through the CLI, networkx's
round-trip style: the file is read back by independent readers and compared with the loaded
graph. The other export tests import the shared helpers from this module.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
import yaml
from conftest import FIXTURES, SMALL
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.pipeline import load_graph
from graph.errors import OutputError
from graph.export import graphml

__all__ = ["EXPORT", "HOSTILE", "HOSTILE_NAME", "REPO", "export", "free_attribute_kind", "loaded", "xml_cleaned"]

REPO = Path(__file__).resolve().parents[1]
XSD = next((folder / "shared" / "graphml-xsd" / "graphml.xsd" for folder in Path(__file__).resolve().parents
            if (folder / "shared" / "graphml-xsd" / "graphml.xsd").exists()),
           REPO.parent / "shared" / "graphml-xsd" / "graphml.xsd")
"""The official GraphML schema, in /work/shared next to the repository or one of its worktrees."""
NS = "{http://graphml.graphdrawing.org/xmlns}"

EXPORT = FIXTURES / "export"
"""Six entities, four facts: hostile and non-Latin text, free attributes of every kind, dates of every
precision, two facts between one pair in a symmetric relation, an entity without facts."""

HOSTILE = "<script>alert(1)</script> & \"quoted\" 'single'"
HOSTILE_NAME = HOSTILE + "\U0001F600"
"""The name of entity ``hostile``: markup and an emoji (names may not hold invisible characters)."""


# --- shared helpers ------------------------------------------------------------------------------

def loaded(folder: Path) -> nx.MultiDiGraph:
    """The graph the real loader builds from ``folder`` (the one place the tests name the loader)."""
    return load_graph(folder, use_cache=False)


def export(invoke: Callable[..., Any], fmt: str, folder: Path, out: Path, *options: str) -> Path:
    """Run ``tieline export FMT --data FOLDER --out OUT [OPTIONS]``, check it succeeded, return ``out``."""
    result = invoke("export", fmt, "--data", folder, "--out", out, *options)
    assert result.exit_code == 0, result.stderr
    return out


def xml_cleaned(text: str) -> str:
    """What XML 1.0 can carry of ``text``: other characters become U+FFFD (independent of the exporter)."""
    def ok(ch: str) -> bool:
        c = ord(ch)
        return ch in "\t\n\r" or 0x20 <= c <= 0xD7FF or 0xE000 <= c <= 0xFFFD or c >= 0x10000
    return "".join(ch if ok(ch) else "\ufffd" for ch in text)


def free_attribute_kind(G: nx.MultiDiGraph, name: str) -> type:
    """The Python type a free attribute's column reads back as (README: one typed column each)."""
    values = [v for _, d in G.nodes(data=True) if (v := d["attributes"].get(name)) is not None]
    if all(isinstance(v, bool) for v in values):
        return bool
    numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if len(numbers) < len(values) or any(isinstance(v, int) and not -2**63 <= v < 2**63 for v in numbers):
        return str
    return int if all(isinstance(v, int) for v in numbers) else float


def flattened(value: Any, separator: str = "; ") -> str:
    """A value as text: lists joined, booleans as true/false (the README's flattening)."""
    if isinstance(value, list):
        return separator.join(flattened(v, separator) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def column_name(name: str) -> str:
    """``attr.<name>`` with characters other than ASCII letters, digits and ``._-`` as ``_``."""
    return "attr." + "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in name)


# --- GraphML helpers -----------------------------------------------------------------------------

@pytest.fixture
def graphml_of(invoke: Callable[..., Any], tmp_path: Path) -> Callable[..., Path]:
    """``graphml_of(folder=EXPORT, *options)``: export ``folder`` as GraphML through the CLI; the file's path."""
    def run(folder: Path = EXPORT, *options: str, name: str = "graph.graphml") -> Path:
        return export(invoke, "graphml", folder, tmp_path / name, *options)
    return run


@functools.lru_cache(maxsize=1)
def _schema():
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(XSD)))


def graphml_schema():
    """The official GraphML schema; fails under CI and skips elsewhere when the copy is missing."""
    if not XSD.exists():
        message = f"GraphML schema not found at {XSD}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return _schema()


def assert_valid(path: Path) -> None:
    from lxml import etree

    schema = graphml_schema()
    document = etree.parse(str(path))
    assert schema.validate(document), schema.error_log


def parse(path: Path):
    from lxml import etree

    return etree.parse(str(path)).getroot()


def expected_node(G: nx.MultiDiGraph, data: dict[str, Any]) -> dict[str, Any]:
    """The documented flattening of one loaded entity, as networkx reads it back."""
    spec = G.graph["entity_types"][data["type"]]
    color = spec["color"]
    values: dict[str, Any] = {
        "label": data["name"], "name": data["name"], "type": data["type"], "type_label": spec["label"],
        "color": color, "r": int(color[1:3], 16), "g": int(color[3:5], 16), "b": int(color[5:7], 16),
        "aliases": "; ".join(data["aliases"]), "description": data["description"],
        "country": data["country"], "start": data["start"], "end": data["end"],
        "file": data["file"], "line": data["line"],
    }
    for name, value in data["attributes"].items():
        kind = free_attribute_kind(G, name)
        values[column_name(name)] = flattened(value) if kind is str else kind(value)
    return {k: xml_cleaned(v) if isinstance(v, str) else v for k, v in values.items() if v not in (None, "")}


def expected_edge(G: nx.MultiDiGraph, data: dict[str, Any]) -> dict[str, Any]:
    """The documented flattening of one loaded fact, as networkx reads it back."""
    titles = [G.graph["sources"][s]["title"] for s in data["sources"]]
    values: dict[str, Any] = {
        "label": data["label"], "relation": data["relation"], "inverse": data["inverse"],
        "symmetric": data["symmetric"], "momentary": data["momentary"], "certainty": data["certainty"],
        "sources": "; ".join(data["sources"]), "source_titles": "; ".join(titles),
        "quote": data["quote"], "start": data["start"], "end": data["end"], "note": data["note"],
        "file": data["file"], "line": data["line"],
    }
    return {k: xml_cleaned(v) if isinstance(v, str) else v for k, v in values.items() if v not in (None, "")}


def assert_reads_back(G: nx.MultiDiGraph, path: Path) -> None:
    """networkx reads every entity and fact of ``G`` back from ``path`` with the flattened values."""
    H = nx.read_graphml(path, force_multigraph=True)
    assert H.is_directed()
    assert set(H.nodes) == set(G.nodes)
    assert sorted(H.edges(keys=True)) == sorted(G.edges(keys=True))
    for node_id, data in G.nodes(data=True):
        assert H.nodes[node_id] == expected_node(G, data), node_id
    for u, v, key, data in G.edges(keys=True, data=True):
        assert H.edges[u, v, key] == expected_edge(G, data), key


def reversed_copy(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """``G`` with nodes and edges inserted in reverse order (the loader always inserts in id order)."""
    H = nx.MultiDiGraph()
    H.graph.update(G.graph)
    H.add_nodes_from(reversed(list(G.nodes(data=True))))
    H.add_edges_from(reversed(list(G.edges(keys=True, data=True))))
    return H


# --- tests ---------------------------------------------------------------------------------------

def test_file_is_valid_against_the_graphml_schema(graphml_of):
    assert_valid(graphml_of())


def test_small_fact_set_is_valid_and_reads_back(graphml_of):
    path = graphml_of(SMALL)
    assert_valid(path)
    assert_reads_back(loaded(SMALL), path)


def test_empty_fact_set_is_valid(graphml_of, fact_set):
    folder = fact_set({"dataset.yaml": None, "entities/people.yaml": None, "entities/places.yaml": None,
                       "facts/talks.yaml": None}, base=EXPORT)
    path = graphml_of(folder)
    assert_valid(path)
    H = nx.read_graphml(path, force_multigraph=True)
    assert (H.number_of_nodes(), H.number_of_edges()) == (0, 0)
    assert H.graph["source_count"] == 0


def test_same_data_gives_the_same_bytes(graphml_of, invoke):
    first = graphml_of().read_bytes()
    # The first export built the graph; the second reads it from the cache the first wrote.
    again = graphml_of(EXPORT, name="again.graphml").read_bytes()
    assert again == first
    result = invoke("export", "graphml", "--data", EXPORT, "--out", "-")
    assert result.exit_code == 0
    assert result.stdout_bytes == first
    # The loader always inserts in id order; the exporter must not depend on it.
    assert graphml.render(reversed_copy(loaded(EXPORT))) == first


def test_networkx_reads_back_every_entity_and_fact_with_equal_values(graphml_of):
    assert_reads_back(loaded(EXPORT), graphml_of())


def test_hostile_and_non_latin_text_round_trips(graphml_of):
    H = nx.read_graphml(graphml_of(), force_multigraph=True)
    assert H.nodes["hostile"]["label"] == HOSTILE + "\U0001F600"
    assert H.nodes["hostile"]["aliases"] == "\u0645\u062d\u0645\u062f; 中文名"
    assert H.nodes["hostile"]["description"] == ("tab\there, vertical tab\ufffd, non-character\ufffd, "
                                                 "control\ufffd\u202e\u200b")
    assert H.nodes["mbs"]["name"] == "محمد بن سلمان"
    assert H.nodes["russia"]["label"] == "Россия"
    assert H.nodes["steve-witkoff"]["description"] == "Envoy\nsecond line\r\nthird"
    assert H.edges["hostile", "mbs", "hostile.met_with.mbs"]["quote"] == 'line1\nline2, comma "q"\ufffd \u202eevil'
    assert H.edges["kirill-dmitriev", "steve-witkoff", "dmitriev-witkoff-2"]["note"] == HOSTILE
    assert H.edges["kirill-dmitriev", "rdif", "kirill-dmitriev.heads.rdif"]["source_titles"] == (
        "Adviser may visit; talks go on; Дмитриев прибыл")
    assert H.graph["dataset"] == "Talks – «spring» & <2025>"


def test_lone_surrogates_become_replacement_characters(tmp_path):
    # Hand-built: YAML cannot carry a lone surrogate (the loader refuses the file), but a graph
    # built in Python can hold one; the exporter must still write valid XML.
    G = loaded(EXPORT)
    G.nodes["russia"]["name"] = "Рос\ud800сия\udfff"
    G.nodes["russia"]["aliases"] = ["\udc00"]
    path = tmp_path / "surrogates.graphml"
    path.write_bytes(graphml.render(G))
    assert_valid(path)
    H = nx.read_graphml(path, force_multigraph=True)
    assert (H.nodes["russia"]["label"], H.nodes["russia"]["aliases"]) == ("Рос\ufffdсия\ufffd", "\ufffd")


def test_free_attributes_of_every_kind_read_back_typed(graphml_of):
    H = nx.read_graphml(graphml_of(), force_multigraph=True)
    kirill, steve, rdif = H.nodes["kirill-dmitriev"], H.nodes["steve-witkoff"], H.nodes["rdif"]
    assert (kirill["attr.sanctioned"], steve["attr.sanctioned"]) == (True, False)
    assert (kirill["attr.born"], steve["attr.born"]) == (1975, 1957)
    assert (kirill["attr.wealth"], steve["attr.wealth"]) == (12345678901, 5)
    assert rdif["attr.assets"] == 10.5
    assert rdif["attr.founded"] == "2011-06-20"
    assert (kirill["attr.languages"], steve["attr.languages"]) == ("ru; en", "en")
    assert kirill["attr.mixed"] == "1; two; true; 2.5"
    assert H.nodes["hostile"]["attr.huge"] == "123456789012345678901234"  # beyond 64 bits: text
    assert "attr.tags" not in rdif  # an empty list is an absent value
    assert not [k for k in H.nodes["russia"] if k.startswith("attr.")]


def test_markup_in_names_is_escaped_not_parsed(graphml_of):
    path = graphml_of()
    text = path.read_bytes()
    assert b"<script>" not in text and b"<b>" not in text
    root = parse(path)
    assert not root.findall(f".//{NS}script")
    assert not root.findall(".//{*}b")


def test_every_value_has_a_key_of_the_right_type_and_domain(graphml_of):
    root = parse(graphml_of())
    keys = {k.get("id"): (k.get("for"), k.get("attr.name"), k.get("attr.type")) for k in root.iter(f"{NS}key")}
    assert len({(f, name) for f, name, _ in keys.values()}) == len(keys), "one key per name and domain"
    types = {(f, name): t for f, name, t in keys.values()}
    assert types[("node", "label")] == "string"
    assert types[("node", "line")] == "int"
    assert types[("node", "r")] == "int"
    assert types[("node", "attr.sanctioned")] == "boolean"
    assert types[("node", "attr.born")] == "int"
    assert types[("node", "attr.wealth")] == "long"
    assert types[("node", "attr.assets")] == "double"
    for text_column in ("attr.languages", "attr.mixed", "attr.huge", "attr.founded", "attr.tags"):
        assert types[("node", text_column)] == "string", text_column
    assert types[("edge", "symmetric")] == "boolean"
    assert types[("edge", "label")] == "string"
    assert types[("graph", "source_count")] == "int"
    checked = 0
    for owner, domain in ((f"{NS}node", "node"), (f"{NS}edge", "edge"), (f"{NS}graph", "graph")):
        for element in root.iter(owner):
            for data in element.findall(f"{NS}data"):
                target, _name, kind = keys[data.get("key")]
                assert target == domain
                assert data.text and data.text != "None"
                if kind == "boolean":
                    assert data.text in ("true", "false")
                elif kind in ("int", "long"):
                    int(data.text)
                elif kind == "double":
                    float(data.text)
                checked += 1
    assert checked > 100


def test_parallel_facts_are_separate_edges_with_fact_ids(graphml_of):
    graph = parse(graphml_of()).find(f"{NS}graph")
    assert graph.get("edgedefault") == "directed"
    pair = [(e.get("id"), e.findtext(f"{NS}data[@key='e.symmetric']"))
            for e in graph.iter(f"{NS}edge")
            if (e.get("source"), e.get("target")) == ("kirill-dmitriev", "steve-witkoff")]
    assert pair == [("dmitriev-witkoff-1", "true"), ("dmitriev-witkoff-2", "true")]


def test_entity_without_facts_is_a_node_without_edges(graphml_of):
    H = nx.read_graphml(graphml_of(), force_multigraph=True)
    assert H.degree("russia") == 0
    assert H.nodes["russia"]["type"] == "country"


def test_graph_data_names_the_dataset_date_and_cited_sources(graphml_of):
    H = nx.read_graphml(graphml_of(), force_multigraph=True)
    assert H.graph["dataset"] == "Talks – «spring» & <2025>"
    assert H.graph["dataset_date"] == "2025-04-02"
    assert len(loaded(EXPORT).graph["sources"]) == 3
    assert H.graph["source_count"] == 2  # the uncited source is not counted
    assert "dataset_description" not in H.graph


def test_focused_view_records_its_selection(graphml_of):
    path = graphml_of(EXPORT, "--focus", "Dmitriev", "--depth", "1")
    assert_valid(path)
    G = loaded(EXPORT)
    H = nx.read_graphml(path, force_multigraph=True)
    around = nx.ego_graph(G.to_undirected(as_view=True), "kirill-dmitriev", radius=1)
    assert set(H.nodes) == set(around) == {"kirill-dmitriev", "steve-witkoff", "rdif"}
    assert sorted(H.edges(keys=True)) == sorted(G.subgraph(around).edges(keys=True))
    for node_id in H.nodes:
        assert H.nodes[node_id] == expected_node(G, G.nodes[node_id])
    assert H.graph["selection_focus"] == "kirill-dmitriev"
    assert H.graph["selection_depth"] == 1
    assert "selection_path" not in H.graph


def test_path_view_records_the_path(graphml_of):
    path = graphml_of(EXPORT, "--path", "steve-witkoff", "rdif", "--depth", "0")
    assert_valid(path)
    H = nx.read_graphml(path, force_multigraph=True)
    assert set(H.nodes) == {"steve-witkoff", "kirill-dmitriev", "rdif"}
    assert H.graph["selection_path"].split("; ") == ["steve-witkoff", "kirill-dmitriev", "rdif"]


def test_type_and_relation_filters_keep_only_what_they_name(graphml_of):
    H = nx.read_graphml(graphml_of(EXPORT, "--type", "person"), force_multigraph=True)
    assert set(H.nodes) == {"hostile", "kirill-dmitriev", "mbs", "steve-witkoff"}
    assert {d["relation"] for *_, d in H.edges(keys=True, data=True)} == {"met_with"}
    H = nx.read_graphml(graphml_of(EXPORT, "--relation", "heads", name="heads.graphml"), force_multigraph=True)
    assert sorted(H.edges(keys=True)) == [("kirill-dmitriev", "rdif", "kirill-dmitriev.heads.rdif")]


def test_renamed_free_attribute_keeps_its_name_in_the_key_description(graphml_of):
    root = parse(graphml_of())
    [key] = [k for k in root.iter(f"{NS}key") if k.get("attr.name") == "attr.note_with_space"]
    assert key.findtext(f"{NS}desc") == "note with space"


def test_free_attribute_names_that_clash_get_their_own_columns(graphml_of, fact_set):
    folder = fact_set({"entities/places.yaml": (EXPORT / "entities" / "places.yaml").read_text(encoding="utf-8")
                       + "    attributes:\n      país: España\n      pa_s: plain\n      \"a,b\": 1\n"},
                      base=EXPORT)
    path = graphml_of(folder)
    assert_valid(path)
    keys = {k.get("attr.name"): k.findtext(f"{NS}desc") for k in parse(path).iter(f"{NS}key")
            if k.get("for") == "node" and k.get("attr.name").startswith("attr.")}
    assert (keys["attr.pa_s"], keys["attr.pa_s-2"], keys["attr.a_b"]) == (None, "país", "a,b")
    H = nx.read_graphml(path, force_multigraph=True)
    assert (H.nodes["russia"]["attr.pa_s"], H.nodes["russia"]["attr.pa_s-2"]) == ("plain", "España")
    assert H.nodes["russia"]["attr.a_b"] == 1


def test_no_reference_to_a_network_resource(graphml_of):
    text = graphml_of().read_text(encoding="utf-8")
    assert "schemaLocation" not in text
    assert text.count("http") == 1  # the namespace name only: no source URL, no schema location


def test_ids_that_are_not_name_tokens_are_refused():
    # Hand-built: the loader refuses such ids, so only a graph built in Python can hold one.
    G = loaded(EXPORT)
    G.add_node("bad id", **dict(G.nodes["russia"], id="bad id"))
    with pytest.raises(OutputError, match="bad id"):
        graphml.render(G)


def test_igraph_reads_the_same_counts_and_ids(graphml_of):
    igraph = pytest.importorskip("igraph")
    G = loaded(EXPORT)
    g = igraph.Graph.Read_GraphML(str(graphml_of()))
    assert (g.vcount(), g.ecount()) == (G.number_of_nodes(), G.number_of_edges())
    assert g.is_directed()
    assert set(g.vs["id"]) == set(G.nodes)
    # python-igraph 1.0.0 reads the edge id attribute back wrong (vertex ids), so edges are
    # compared by their endpoints and values instead.
    read = sorted((g.vs[e.source]["id"], g.vs[e.target]["id"], e["relation"], e["start"]) for e in g.es)
    assert read == sorted((u, v, d["relation"], d["start"] or "") for u, v, d in G.edges(data=True))
    assert g.vs.find(id="russia")["label"] == "Россия"
    assert g.vs.find(id="kirill-dmitriev")["attr.sanctioned"] is True
    assert g.vs.find(id="kirill-dmitriev")["attr.wealth"] == 12345678901  # igraph reads numbers as floats


def test_bundled_data_exports_valid_graphml(graphml_of):
    folder = REPO / "data"
    path = graphml_of(folder)
    assert_valid(path)
    assert_reads_back(loaded(folder), path)


# --- property: any text a curator can write ------------------------------------------------------

any_piece = st.one_of(
    st.characters(codec="utf-8", exclude_categories=()),
    st.sampled_from(["\ufffe", "\uffff", "\x00", "\x1f", "\x7f", "\x85", "\u2028", "\r\n", "\r", "\t", " ",
                     "&amp;", "<b>", "]]>", '"', "'", "\\", "#", ": ", "- ", "\u202e", "\u200b", "\U0001F600",
                     "Ж", "ع", "中"]),
)
any_text = st.lists(any_piece, max_size=30).map("".join)
"""Any text YAML can carry (lone surrogates cannot be written to a UTF-8 file), hostile pieces mixed in."""


def probe_files(description: str, note: str, quote: str) -> dict[str, str]:
    """Fact-set files adding entity ``probe`` with these texts, written by an independent YAML dumper.

    Any text goes in free-text fields; names and aliases refuse invisible characters (test_hostile_input).
    """
    entities = {"entities": [{"id": "probe", "type": "person", "name": "Probe", "description": description,
                              "attributes": {"note": note}}]}
    facts = {"facts": [{"subject": "probe", "relation": "met_with", "object": "mbs", "sources": ["tass"],
                        "quote": quote, "certainty": "confirmed"}]}
    return {rel: yaml.safe_dump(content, allow_unicode=True, width=10**6)
            for rel, content in (("entities/probe.yaml", entities), ("facts/probe.yaml", facts))}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(description=any_text, note=any_text, quote=any_text)
def test_any_text_gives_a_valid_file_that_reads_back_cleaned(fact_set, invoke, tmp_path, description, note, quote):
    folder = fact_set(probe_files("probe " + description, "note " + note, quote), base=EXPORT, name="probe-data")
    path = export(invoke, "graphml", folder, tmp_path / "property.graphml")
    assert_valid(path)
    G = loaded(folder)
    H = nx.read_graphml(path, force_multigraph=True)
    assert H.nodes["probe"] == expected_node(G, G.nodes["probe"])
    assert H.edges["probe", "mbs", "probe.met_with.mbs"] == expected_edge(G, G.edges["probe", "mbs",
                                                                                     "probe.met_with.mbs"])
