"""CSV export: nodes.csv and edges.csv read back with the csv module; Neo4j headers; stable bytes."""

from __future__ import annotations

import csv
from pathlib import Path

import networkx as nx
import pytest
from test_export_graphml import HOSTILE, bundled_graph, sample_graph

from graph.export import tables


def write(tmp_path: Path, G: nx.MultiDiGraph) -> dict[str, Path]:
    paths = {}
    for name, data in tables.render(G).items():
        paths[name] = tmp_path / name
        paths[name].write_bytes(data)
    return paths


def read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def test_two_files_with_neo4j_headers(tmp_path):
    paths = write(tmp_path, sample_graph())
    assert sorted(paths) == ["edges.csv", "nodes.csv"]
    node_header, _ = read(paths["nodes.csv"])
    edge_header, _ = read(paths["edges.csv"])
    assert node_header[:3] == ["id:ID", "name", ":LABEL"]
    assert node_header[13:] == ["attr.assets:double", "attr.born:long", "attr.languages:string[]",
                                "attr.note_with_space", "attr.sanctioned:boolean"]
    assert edge_header[:5] == [":START_ID", ":END_ID", ":TYPE", "id", "relation"]
    assert "sources:string[]" in edge_header and "symmetric:boolean" in edge_header


def test_rows_read_back_with_ids_labels_and_types(tmp_path):
    G = sample_graph()
    paths = write(tmp_path, G)
    _, nodes = read(paths["nodes.csv"])
    _, edges = read(paths["edges.csv"])
    assert [row["id:ID"] for row in nodes] == sorted(G.nodes)
    assert {row["id:ID"]: row[":LABEL"] for row in nodes}["rdif"] == "Institution"
    assert [row["id"] for row in edges] == sorted(key for _, _, key in G.edges(keys=True))
    by_id = {row["id"]: row for row in edges}
    assert by_id["dmitriev-witkoff-1"][":TYPE"] == "MET_WITH"
    assert by_id["dmitriev-witkoff-1"]["symmetric:boolean"] == "true"
    assert by_id["kirill-dmitriev.heads.rdif"][":TYPE"] == "HEADS"
    assert by_id["kirill-dmitriev.heads.rdif"]["sources:string[]"].split(";") == ["rferl", "tass"]
    for row in edges:
        assert G.has_edge(row[":START_ID"], row[":END_ID"], row["id"])
    node = {row["id:ID"]: row for row in nodes}["kirill-dmitriev"]
    assert node["aliases:string[]"].split(";") == ["Dmitriev", "Кирилл Дмитриев"]
    assert (node["attr.sanctioned:boolean"], node["attr.born:long"], node["line:int"]) == ("true", "1975", "3")
    assert node["country"] == "russia" and node["description"] == ""


def test_tricky_strings_round_trip(tmp_path):
    paths = write(tmp_path, sample_graph())
    nodes = {row["id:ID"]: row for row in read(paths["nodes.csv"])[1]}
    edges = {row["id"]: row for row in read(paths["edges.csv"])[1]}
    assert nodes["hostile"]["name"] == HOSTILE + "\x01\ufffd\u202e\u200b\U0001F600"
    assert nodes["hostile"]["aliases:string[]"] == "\u0645\u062d\u0645\u062f;中文名"
    assert nodes["hostile"]["attr.note_with_space"] == "x; y"
    assert nodes["mbs"]["name"] == "محمد بن سلمان"
    assert nodes["russia"]["name"] == "Россия"
    assert nodes["steve-witkoff"]["description"] == "Envoy\nsecond line\nthird"  # CR LF written as LF
    assert edges["hostile.met_with.mbs"]["quote"] == 'line1\nline2, comma "q"\x02 \u202eevil'
    assert edges["kirill-dmitriev.heads.rdif"]["quote"] == 'Dmitriev, who "heads" the fund, <b>said</b> & left'
    assert edges["dmitriev-witkoff-2"]["note"] == HOSTILE


def test_utf8_lf_lines_and_one_row_per_record(tmp_path):
    G = sample_graph()
    paths = write(tmp_path, G)
    for name, count in (("nodes.csv", G.number_of_nodes()), ("edges.csv", G.number_of_edges())):
        raw = paths[name].read_bytes()
        assert b"\r" not in raw
        assert not raw.startswith(b"\xef\xbb\xbf")
        assert raw.endswith(b"\n")
        assert len(read(paths[name])[1]) == count


def test_same_graph_gives_the_same_bytes_whatever_the_insertion_order():
    first = tables.render(sample_graph())
    assert tables.render(sample_graph()) == first
    assert tables.render(sample_graph(reverse=True)) == first


@pytest.mark.parametrize(("type_id", "label"), [("person", "Person"), ("news_organisation", "NewsOrganisation"),
                                                ("news-org", "NewsOrg")])
def test_neo4j_label(type_id, label):
    assert tables.neo4j_label(type_id) == label


@pytest.mark.parametrize(("relation", "rel_type"), [("met_with", "MET_WITH"), ("heads", "HEADS"),
                                                    ("part-of", "PART_OF")])
def test_neo4j_type(relation, rel_type):
    assert tables.neo4j_type(relation) == rel_type


def test_bundled_data_exports_csv(tmp_path):
    G = bundled_graph()
    paths = write(tmp_path, G)
    nodes = read(paths["nodes.csv"])[1]
    edges = read(paths["edges.csv"])[1]
    assert {row["id:ID"]: row["name"] for row in nodes} == {n: d["name"] for n, d in G.nodes(data=True)}
    assert sorted((r[":START_ID"], r[":END_ID"], r["id"]) for r in edges) == sorted(G.edges(keys=True))
