"""`tieline rank`, `brokers`, `clusters` and `export … --metrics` as a user runs them: text and JSON
on the bundled story and on small fact sets, view options, exit codes; the metric columns read back
by independent readers (networkx's GraphML and GEXF readers, csv, json)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from graph import load_graph
from graph.analysis import node_metrics
from graph.fields import METRIC_FIELDS

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"


def run_json(invoke: Callable[..., Any], *args: Any) -> Any:
    result = invoke(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_brokers_between_the_us_and_russia_names_dmitriev_first_with_a_sourced_path(
        invoke: Callable[..., Any]) -> None:
    result = invoke("brokers", "United States", "Russia", "--data", DATA)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    rows = [line.split("\t") for line in lines if "\t" in line][1:]  # piped: plain rows after the header
    assert rows[0][:2] == ["1", "Kirill Dmitriev"]
    # the two sides themselves are what is connected, never brokers
    assert not {"united-states", "russia"} & {row[-1] for row in rows}
    example = result.stdout.split("1. through Kirill Dmitriev, for example:\n", 1)[1]
    assert " hops" in example.splitlines()[0]
    assert "source: " in example and "Dmitriev" in example.split("\n\n")[0]


def test_brokers_json_shape_and_example_path_as_path_gives_it(invoke: Callable[..., Any]) -> None:
    found = run_json(invoke, "brokers", "united-states", "russia", "--data", DATA, "--top", "3")
    assert set(found) >= {"sides", "pairs", "brokers"}
    assert [s["id"] for s in found["sides"]] == ["united-states", "russia"]
    first = found["brokers"][0]
    assert (first["id"], first["name"], first["type"]) == ("kirill-dmitriev", "Kirill Dmitriev", "person")
    assert 0 < first["score"] <= 1 and len(found["brokers"]) == 3
    example = first["example"]
    walk = [example["hops"][0]["from"]["id"]] + [hop["to"]["id"] for hop in example["hops"]]
    assert "kirill-dmitriev" in walk[1:-1] and example["length"] == len(example["hops"])
    # the same hops `tieline path` gives between the example's ends
    path = run_json(invoke, "path", walk[0], "kirill-dmitriev", "--data", DATA)
    assert path["paths"][0]["hops"] == example["hops"][:len(path["paths"][0]["hops"])]
    assert all(hop["facts"][0]["sources"] for hop in example["hops"])


def test_brokers_type_filter_and_no_broker_exit_codes(invoke: Callable[..., Any], fact_set: Callable[..., Path]) -> None:
    people = run_json(invoke, "brokers", "United States", "Russia", "--data", DATA, "--type", "person")
    assert {b["type"] for b in people["brokers"]} == {"person"}
    assert invoke("brokers", "Atlantis", "Russia", "--data", DATA).exit_code == 2
    assert invoke("brokers", "Russia", "Russia", "--data", DATA, "--type", "plant").exit_code == 2
    # only facts of a relation that links no two sides: nobody lies between them
    none = invoke("brokers", "United States", "Russia", "--data", DATA, "--relation", "reported_on")
    assert none.exit_code in (1, 2), none.stderr
    assert "tieline:" in none.stderr and "Traceback" not in none.stderr


def test_rank_text_json_type_top_and_determinism(invoke: Callable[..., Any]) -> None:
    text = invoke("rank", "--by", "betweenness", "--type", "person", "--top", "3", "--data", DATA)
    assert text.exit_code == 0, text.stderr
    assert text.stdout.splitlines()[0].startswith("Ranked by betweenness")
    assert text.stdout.splitlines()[1] == "#\tentity\ttype\tbetweenness\tid"  # piped: plain rows
    assert text.stdout.splitlines()[2].split("\t")[:2] == ["1", "Kirill Dmitriev"]
    found = run_json(invoke, "rank", "--by", "betweenness", "--type", "person", "--top", "3", "--data", DATA)
    assert found["measure"] == "betweenness"
    assert [set(row) for row in found["ranking"]] == [{"id", "name", "type", "score"}] * 3
    assert [row["id"] for row in found["ranking"]][:2] == ["kirill-dmitriev", "vladimir-putin"]
    again = invoke("rank", "--by", "betweenness", "--type", "person", "--top", "3", "--data", DATA, "--json")
    assert again.stdout == json.dumps(found, ensure_ascii=False, indent=2) + "\n"
    for measure in ("degree", "pagerank", "closeness", "eigenvector"):
        assert run_json(invoke, "rank", "--by", measure, "--data", DATA)["measure"] == measure


def test_rank_takes_the_view_options_and_the_people_projection(invoke: Callable[..., Any]) -> None:
    everything = run_json(invoke, "rank", "--data", DATA, "--top", "50")
    heads = run_json(invoke, "rank", "--data", DATA, "--top", "50", "--relation", "heads")
    assert heads["ranking"] != everything["ranking"]
    graph = load_graph(DATA)
    expected = {n for u, v, d in graph.edges(data=True) if d["relation"] == "heads" for n in (u, v)}
    assert {row["id"] for row in heads["ranking"] if row["score"] > 0} == expected
    projected = run_json(invoke, "rank", "--data", DATA, "--project", "event")
    assert projected["project"] == ["event"]
    assert {row["type"] for row in projected["ranking"]} == {"person"}


def test_rank_and_clusters_refuse_unknown_measures_and_types(invoke: Callable[..., Any]) -> None:
    bad = invoke("rank", "--by", "fame", "--data", DATA)
    assert bad.exit_code == 2 and "--by must be one of degree" in bad.stderr
    assert "did you mean 'event'" in invoke("clusters", "--project", "evnt", "--data", DATA).stderr
    assert invoke("rank", "--type", "persn", "--data", DATA).exit_code == 2


def test_clusters_text_and_json(invoke: Callable[..., Any]) -> None:
    found = run_json(invoke, "clusters", "--data", DATA)
    graph = load_graph(DATA)
    members = [m for cluster in found["clusters"] for m in cluster["members"]]
    assert sorted(members) == sorted(graph)  # every entity in exactly one cluster
    assert [c["id"] for c in found["clusters"]] == list(range(1, len(found["clusters"]) + 1))
    assert all(c["label"]["id"] in c["members"] for c in found["clusters"])
    text = invoke("clusters", "--data", DATA)
    assert text.exit_code == 0 and f"{len(found['clusters'])} clusters" in text.stdout
    people = run_json(invoke, "clusters", "--data", DATA, "--project", "event")
    assert {graph.nodes[m]["type"] for c in people["clusters"] for m in c["members"]} == {"person"}


def test_analysis_of_data_text_is_escaped(invoke: Callable[..., Any], fact_set: Callable[..., Path]) -> None:
    folder = fact_set({"entities/evil.yaml": """
        entities:
          - id: evil
            type: person
            name: "Evil [bold]markup[/bold]"
        facts:
          - subject: evil
            relation: member_of
            object: trade-council
            sources: [kyiv-post-2024-05-01]
            certainty: confirmed
        """})
    result = invoke("rank", "--data", folder, "--top", "50")
    assert result.exit_code == 0, result.stderr
    assert "[bold]markup[/bold]" in result.stdout


# --- export --metrics -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def metrics() -> dict[str, dict[str, Any]]:
    return node_metrics(load_graph(DATA))


def export(invoke: Callable[..., Any], fmt: str, out: Path, *extra: str) -> Path:
    result = invoke("export", fmt, "--data", DATA, "--out", out, *extra)
    assert result.exit_code == 0, result.stderr
    return out


def test_metric_fields_are_what_node_metrics_computes(metrics: dict[str, dict[str, Any]]) -> None:
    assert all(list(values) == [f.name for f in METRIC_FIELDS] for values in metrics.values())


def test_graphml_and_gexf_carry_the_metrics_typed(invoke: Callable[..., Any], tmp_path: Path,
                                                  metrics: dict[str, dict[str, Any]]) -> None:
    graphml = nx.read_graphml(export(invoke, "graphml", tmp_path / "g.graphml", "--metrics"), force_multigraph=True)
    gexf = nx.read_gexf(export(invoke, "gexf", tmp_path / "g.gexf", "--metrics"))
    for read in (graphml, gexf):
        assert set(read) == set(metrics)
        for node, values in metrics.items():
            got = {k: read.nodes[node][k] for k in values}
            assert got == values, node
            assert isinstance(got["degree"], int) and isinstance(got["betweenness"], float)
    plain = nx.read_graphml(export(invoke, "graphml", tmp_path / "plain.graphml"), force_multigraph=True)
    assert not any("degree" in data for _, data in plain.nodes(data=True))


def test_graphml_with_metrics_is_still_valid_against_the_schema(invoke: Callable[..., Any], tmp_path: Path) -> None:
    lxml = pytest.importorskip("lxml.etree")
    xsd = Path("/work/shared/graphml-xsd/graphml.xsd")
    if not xsd.exists():
        pytest.skip("GraphML XSD not available")
    schema = lxml.XMLSchema(lxml.parse(str(xsd)))
    document = lxml.parse(str(export(invoke, "graphml", tmp_path / "g.graphml", "--metrics")))
    assert schema.validate(document), schema.error_log


def test_json_and_csv_carry_the_metrics(invoke: Callable[..., Any], tmp_path: Path,
                                        metrics: dict[str, dict[str, Any]]) -> None:
    data = json.loads(export(invoke, "json", tmp_path / "g.json", "--metrics").read_text(encoding="utf-8"))
    assert {n["id"]: {k: n[k] for k in metrics[n["id"]]} for n in data["nodes"]} == metrics
    folder = export(invoke, "csv", tmp_path / "csv", "--metrics")
    rows = list(csv.DictReader(io.StringIO((folder / "nodes.csv").read_text(encoding="utf-8"))))
    for row in rows:
        want = metrics[row["id:ID"]]
        assert int(row["degree:int"]) == want["degree"] and int(row["community:int"]) == want["community"]
        assert float(row["betweenness:double"]) == want["betweenness"]
        assert float(row["pagerank:double"]) == want["pagerank"]


def test_metrics_follow_the_view_and_are_deterministic(invoke: Callable[..., Any], tmp_path: Path) -> None:
    first = export(invoke, "json", tmp_path / "a.json", "--metrics", "--focus", "RDIF").read_bytes()
    second = export(invoke, "json", tmp_path / "b.json", "--metrics", "--focus", "RDIF").read_bytes()
    assert first == second
    nodes = json.loads(first)["nodes"]
    focused = node_metrics(nx.node_link_graph(json.loads(first), directed=True, multigraph=True, edges="edges"))
    assert {n["id"]: n["degree"] for n in nodes} == {k: v["degree"] for k, v in focused.items()}


def test_metrics_on_the_page_change_nothing(invoke: Callable[..., Any], tmp_path: Path) -> None:
    with_metrics = export(invoke, "html", tmp_path / "m.html", "--metrics").read_bytes()
    assert with_metrics == export(invoke, "html", tmp_path / "p.html").read_bytes()
    assert "No such option" in invoke("export", "ftm", "--data", DATA, "--metrics", "--out", "-").stderr
