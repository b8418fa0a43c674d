"""CSV export: nodes.csv and edges.csv read back with the csv module; Neo4j headers; stable bytes.

Fact sets are written as YAML, loaded by the real loader, exported through the CLI and read back
with Python's csv module (see test_export_graphml.py for the shared helpers and the fixture).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from conftest import SMALL
from test_export_graphml import (EXPORT, HOSTILE, HOSTILE_NAME, REPO, export, free_attribute_kind,
                                 loaded, reversed_copy)

from graph.export import tables

NEO4J_SUFFIX = {bool: ":boolean", int: ":long", float: ":double"}


@pytest.fixture
def csv_of(invoke: Callable[..., Any], tmp_path: Path) -> Callable[..., dict[str, Path]]:
    """``csv_of(folder=EXPORT, *options)``: export ``folder`` as CSV through the CLI; ``{file name: path}``."""
    def run(folder: Path = EXPORT, *options: str, name: str = "csv") -> dict[str, Path]:
        out = export(invoke, "csv", folder, tmp_path / name, *options)
        return {path.name: path for path in out.iterdir()}
    return run


def read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def cell(value: Any) -> str:
    """The documented cell text: lists joined with ';', booleans true/false, None empty, CR as LF."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(cell(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).replace("\r\n", "\n").replace("\r", "\n")


def attribute_header(G: nx.MultiDiGraph, name: str) -> str:
    """``attr.<name>`` with its Neo4j type suffix, when every value allows one."""
    column = "attr." + "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in name)
    values = [v for _, d in G.nodes(data=True) if (v := d["attributes"].get(name)) is not None]
    if values and all(isinstance(v, list) for v in values):
        return column + ":string[]"
    return column + NEO4J_SUFFIX.get(free_attribute_kind(G, name), "")


def pascal_case(type_id: str) -> str:
    """``news_organisation`` -> ``NewsOrganisation``: a type id as a Neo4j label."""
    return "".join(word[:1].upper() + word[1:] for word in re.split(r"[^A-Za-z0-9]+", type_id))


def expected_nodes(G: nx.MultiDiGraph) -> list[dict[str, str]]:
    """nodes.csv as the README documents it, from the loaded graph."""
    names = sorted({name for _, d in G.nodes(data=True) for name in d["attributes"]})
    rows = []
    for node_id, d in sorted(G.nodes(data=True)):
        spec = G.graph["entity_types"][d["type"]]
        row = {"id:ID": node_id, "name": cell(d["name"]), ":LABEL": pascal_case(d["type"]),
               "type": d["type"], "type_label": spec["label"], "aliases:string[]": cell(d["aliases"]),
               "description": cell(d["description"]), "country": cell(d["country"]), "start": cell(d["start"]),
               "end": cell(d["end"]), "color": spec["color"], "merged_ids:string[]": cell(d["merged_ids"]),
               "file": d["file"], "line:int": str(d["line"])}
        row.update({attribute_header(G, name): cell(d["attributes"].get(name)) for name in names})
        rows.append(row)
    return rows


def expected_edges(G: nx.MultiDiGraph) -> list[dict[str, str]]:
    """edges.csv as the README documents it, from the loaded graph."""
    return [
        {":START_ID": u, ":END_ID": v, ":TYPE": d["relation"].upper(), "id": key, "relation": d["relation"],
         "label": d["label"], "inverse": d["inverse"], "symmetric:boolean": cell(d["symmetric"]),
         "momentary:boolean": cell(d["momentary"]),
         "certainty": d["certainty"], "sources:string[]": cell(d["sources"]), "quote": cell(d["quote"]),
         "start": cell(d["start"]), "end": cell(d["end"]), "note": cell(d["note"]), "file": d["file"],
         "line:int": str(d["line"])}
        for u, v, key, d in sorted(G.edges(keys=True, data=True), key=lambda e: e[2])
    ]


def test_two_files_with_neo4j_headers(csv_of):
    paths = csv_of()
    assert sorted(paths) == ["edges.csv", "nodes.csv"]
    node_header, _ = read(paths["nodes.csv"])
    edge_header, _ = read(paths["edges.csv"])
    assert node_header[:3] == ["id:ID", "name", ":LABEL"]
    assert node_header[14:] == ["attr.assets:double", "attr.born:long", "attr.founded", "attr.huge",
                                "attr.languages", "attr.mixed:string[]", "attr.note_with_space",
                                "attr.sanctioned:boolean", "attr.tags:string[]", "attr.wealth:long"]
    assert edge_header[:5] == [":START_ID", ":END_ID", ":TYPE", "id", "relation"]
    assert "sources:string[]" in edge_header and "symmetric:boolean" in edge_header


@pytest.mark.parametrize("folder", [EXPORT, SMALL, REPO / "data"], ids=["export", "small", "bundled"])
def test_every_row_reads_back_as_the_loaded_graph(csv_of, folder):
    G = loaded(folder)
    paths = csv_of(folder)
    assert read(paths["nodes.csv"])[1] == expected_nodes(G)
    assert read(paths["edges.csv"])[1] == expected_edges(G)


def test_rows_read_back_with_ids_labels_and_types(csv_of):
    G = loaded(EXPORT)
    paths = csv_of()
    _, nodes = read(paths["nodes.csv"])
    _, edges = read(paths["edges.csv"])
    assert [row["id:ID"] for row in nodes] == sorted(G.nodes)
    assert {row["id:ID"]: row[":LABEL"] for row in nodes}["rdif"] == "Institution"
    assert [row["id"] for row in edges] == sorted(key for _, _, key in G.edges(keys=True))
    by_id = {row["id"]: row for row in edges}
    assert by_id["dmitriev-witkoff-1"][":TYPE"] == "MET_WITH"
    assert by_id["dmitriev-witkoff-1"]["symmetric:boolean"] == "true"
    assert by_id["kirill-dmitriev.heads.rdif"][":TYPE"] == "HEADS"
    assert by_id["kirill-dmitriev.heads.rdif"]["symmetric:boolean"] == "false"
    assert by_id["kirill-dmitriev.heads.rdif"]["sources:string[]"].split(";") == ["rferl", "tass"]
    for row in edges:
        assert G.has_edge(row[":START_ID"], row[":END_ID"], row["id"])
    node = {row["id:ID"]: row for row in nodes}["kirill-dmitriev"]
    assert node["aliases:string[]"].split(";") == ["Dmitriev", "Кирилл Дмитриев"]
    assert (node["attr.sanctioned:boolean"], node["attr.born:long"], node["line:int"]) == ("true", "1975", "2")
    assert (node["attr.wealth:long"], node["attr.mixed:string[]"]) == ("12345678901", "1;two;true;2.5")
    assert node["country"] == "russia" and node["description"] == ""


def test_tricky_strings_round_trip(csv_of):
    paths = csv_of()
    nodes = {row["id:ID"]: row for row in read(paths["nodes.csv"])[1]}
    edges = {row["id"]: row for row in read(paths["edges.csv"])[1]}
    assert nodes["hostile"]["name"] == HOSTILE_NAME  # cells are exact: the control character stays
    assert nodes["hostile"]["aliases:string[]"] == "\u0645\u062d\u0645\u062f;中文名"
    assert nodes["hostile"]["attr.note_with_space"] == "x; y"
    assert nodes["hostile"]["description"] == ("tab\there, vertical tab\x0b, non-character\ufffe, "
                                                 "control\x01\u202e\u200b")
    assert nodes["mbs"]["name"] == "محمد بن سلمان"
    assert nodes["russia"]["name"] == "Россия"
    assert nodes["steve-witkoff"]["description"] == "Envoy\nsecond line\nthird"  # CR LF written as LF
    assert edges["hostile.met_with.mbs"]["quote"] == 'line1\nline2, comma "q"\x02 \u202eevil'
    assert edges["kirill-dmitriev.heads.rdif"]["quote"] == 'Dmitriev, who "heads" the fund, <b>said</b> & left'
    assert edges["dmitriev-witkoff-2"]["note"] == HOSTILE


def test_lone_surrogates_become_replacement_characters():
    # Hand-built: YAML cannot carry a lone surrogate (the loader refuses the file), but a graph
    # built in Python can hold one, and UTF-8 cannot encode it.
    G = loaded(EXPORT)
    G.nodes["russia"]["name"] = "Рос\ud800сия"
    nodes = tables.render(G)["nodes.csv"].decode("utf-8")
    assert {row["id:ID"]: row["name"] for row in csv.DictReader(nodes.splitlines(keepends=True))}["russia"] == (
        "Рос\ufffdсия")


def test_utf8_lf_lines_and_one_row_per_record(csv_of):
    G = loaded(EXPORT)
    paths = csv_of()
    for name, count in (("nodes.csv", G.number_of_nodes()), ("edges.csv", G.number_of_edges())):
        raw = paths[name].read_bytes()
        assert b"\r" not in raw
        assert not raw.startswith(b"\xef\xbb\xbf")
        assert raw.endswith(b"\n")
        assert len(read(paths[name])[1]) == count


def test_same_data_gives_the_same_bytes(csv_of):
    first = {name: path.read_bytes() for name, path in csv_of().items()}
    # The first export built the graph; the second reads it from the cache the first wrote.
    assert {name: path.read_bytes() for name, path in csv_of(EXPORT, name="again").items()} == first
    # The loader always inserts in id order; the exporter must not depend on it.
    G = loaded(EXPORT)
    H = reversed_copy(G)  # the loader always inserts in id order
    assert tables.render(H) == first


def test_focused_view_has_only_its_rows(csv_of):
    G = loaded(SMALL)
    paths = csv_of(SMALL, "--focus", "Zelensky", "--depth", "1")
    around = nx.ego_graph(G.to_undirected(as_view=True), "volodymyr-zelenskyy", radius=1)
    nodes, edges = read(paths["nodes.csv"])[1], read(paths["edges.csv"])[1]
    assert [row["id:ID"] for row in nodes] == sorted(around)
    assert sorted(row["id"] for row in edges) == sorted(k for *_, k in G.subgraph(around).edges(keys=True))
    assert ["alvarez-zelenskyy-2024", "alvarez-zelenskyy-2025"] == [
        row["id"] for row in edges if row[":START_ID"] == "jose-alvarez" and row[":TYPE"] == "MET_WITH"]


@pytest.mark.parametrize(("type_id", "label"), [("person", "Person"), ("news_organisation", "NewsOrganisation"),
                                                ("news-org", "NewsOrg")])
def test_neo4j_label(type_id, label):
    assert tables.neo4j_label(type_id) == label


@pytest.mark.parametrize(("relation", "rel_type"), [("met_with", "MET_WITH"), ("heads", "HEADS"),
                                                    ("part-of", "PART_OF")])
def test_neo4j_type(relation, rel_type):
    assert tables.neo4j_type(relation) == rel_type
