"""The baselines tieline is measured against, each run as its own process by bench/run.py.

    python bench/baselines.py graphml FILE A B    # the peer's workflow: read_graphml, then shortest_path
    python bench/baselines.py pickle FILE A B     # the floor: import networkx, unpickle (gc paused), path
    python bench/baselines.py yaml FOLDER         # yaml.load(CSafeLoader) every file, default gc, build graph
    python bench/baselines.py pickle-dump FOLDER FILE   # write the bare MultiDiGraph of FOLDER for the above
    python bench/baselines.py ftm-yaml STREAM OUT # FtM proxies of every line, dumped with yaml.dump(CSafeDumper)
    python bench/baselines.py ftm-import STREAM OUT     # tieline's import (graph.ftm.import_ftm), for comparison
    python bench/baselines.py nx-betweenness FILE K       # networkx betweenness from K sampled sources, extrapolated
    python bench/baselines.py nx-brokers FILE A B K       # networkx group betweenness A→B, K sources, extrapolated
    python bench/baselines.py nx-louvain FILE             # networkx Louvain communities, in full
    python bench/baselines.py csv-dump FILE DIR           # the pickled graph as DIR/nodes.csv, edges.csv, hub.txt
    python bench/baselines.py kuzu-load DIR DB A B        # kuzu: a new database DB from the CSV, then a shortest path
    python bench/baselines.py kuzu-neighbours DB HUB      # kuzu: the entities within 2 hops of HUB, counted
    python bench/baselines.py duckdb-load DIR A B         # DuckDB: the CSV into memory, then a recursive shortest path

The kuzu and DuckDB baselines (issue 28) are the embedded databases a user might pick instead of
tieline: they are installed with the test extras only, never a runtime dependency.

A and B are node ids. These scripts are what a competent user would write without tieline:
no validation, no error messages, nothing cached.
"""

from __future__ import annotations

import sys


def graphml_path(file: str, a: str, b: str) -> None:
    import networkx as nx

    graph = nx.read_graphml(file)
    print(nx.shortest_path(graph.to_undirected(as_view=True), a, b))


def pickle_path(file: str, a: str, b: str) -> None:
    import gc
    import os
    import pickle

    import networkx as nx

    gc.disable()
    with open(file, "rb") as handle:
        graph = pickle.load(handle)
    print(nx.shortest_path(graph.to_undirected(as_view=True), a, b))
    sys.stdout.flush()
    os._exit(0)  # as tieline does: don't free the graph object by object


def yaml_build(folder: str) -> None:
    from pathlib import Path

    import networkx as nx
    import yaml

    graph = nx.MultiDiGraph()
    facts = []
    for path in sorted(Path(folder).rglob("*.yaml")):
        if path.name == "schema.yaml":
            continue
        with open(path, encoding="utf-8") as handle:
            document = yaml.load(handle, Loader=yaml.CSafeLoader) or {}
        for entity in document.get("entities") or ():
            graph.add_node(entity["id"], **entity)
        facts.extend(document.get("facts") or ())
    for fact in facts:
        key = fact.get("id") or f"{fact['subject']}.{fact['relation']}.{fact['object']}"
        graph.add_edge(fact["subject"], fact["object"], key=key, **fact)
    print(graph.number_of_nodes(), graph.number_of_edges())


def pickle_dump(folder: str, file: str) -> None:
    import pickle

    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))
    from graph import load_graph

    graph = load_graph(folder)
    with open(file, "wb") as handle:
        pickle.dump(graph, handle, protocol=pickle.HIGHEST_PROTOCOL)


def ftm_yaml(stream: str, out: str) -> None:
    import json

    import yaml
    from followthemoney import model

    entities = []
    with open(stream, encoding="utf-8") as handle:
        for line in handle:
            proxy = model.get_proxy(json.loads(line), cleaned=False)
            entities.append(proxy.to_dict())
    with open(out, "w", encoding="utf-8") as handle:
        yaml.dump({"entities": entities}, handle, Dumper=yaml.CSafeDumper, allow_unicode=True)


def ftm_import(stream: str, out: str) -> None:
    import shutil

    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))
    from graph.ftm import import_ftm

    shutil.rmtree(out, ignore_errors=True)
    print(import_ftm(stream, out).summary())


def _simple_graph(file: str) -> tuple[object, object, float]:
    """The pickled MultiDiGraph and its undirected simple graph (no self-loops); seconds spent."""
    import gc
    import pickle
    import time

    import networkx as nx

    start = time.perf_counter()
    gc.disable()
    with open(file, "rb") as handle:
        graph = pickle.load(handle)
    simple = nx.Graph(graph.to_undirected(as_view=True))
    simple.remove_edges_from(list(nx.selfloop_edges(simple)))
    return graph, simple, time.perf_counter() - start


def _report(load: float, seconds: float, sources: int, of: int) -> None:
    """One JSON line: the measured part and the whole computation extrapolated from it."""
    import json

    print(json.dumps({"load": load, "measured": seconds, "sources": sources, "of": of,
                      "extrapolated": load + seconds * of / sources}))
    sys.stdout.flush()
    __import__("os")._exit(0)


def nx_betweenness(file: str, k: str) -> None:
    import time

    import networkx as nx

    _, simple, load = _simple_graph(file)
    start = time.perf_counter()
    nx.betweenness_centrality(simple, k=int(k), seed=0)
    _report(load, time.perf_counter() - start, int(k), simple.number_of_nodes())


def nx_brokers(file: str, a: str, b: str, k: str) -> None:
    import random
    import time

    import networkx as nx

    graph, simple, load = _simple_graph(file)
    sides = [sorted({side, *(n for n, c in graph.nodes(data="country") if c == side)}) for side in (a, b)]
    sources, targets = sorted(sides, key=len)
    sample = random.Random(0).sample(sources, min(int(k), len(sources)))
    start = time.perf_counter()
    nx.betweenness_centrality_subset(simple, sample, targets, normalized=False)
    _report(load, time.perf_counter() - start, len(sample), len(sources))


def nx_louvain(file: str) -> None:
    import time

    import networkx as nx

    _, simple, load = _simple_graph(file)
    start = time.perf_counter()
    nx.community.louvain_communities(simple, seed=0)
    _report(load, time.perf_counter() - start, 1, 1)


def csv_dump(file: str, folder: str) -> None:
    """The graph as the CSV files an embedded database loads, and its biggest hub (most distinct neighbours)."""
    import csv
    import pickle
    from pathlib import Path

    with open(file, "rb") as handle:
        graph = pickle.load(handle)
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "nodes.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name", "type"])
        writer.writerows((node, data.get("name") or "", data.get("type") or "") for node, data in graph.nodes(data=True))
    with open(out / "edges.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["from", "to", "relation"])
        writer.writerows((a, b, data.get("relation") or "") for a, b, data in graph.edges(data=True))
    undirected = graph.to_undirected(as_view=True)
    hub = max(sorted(graph), key=lambda node: len(set(undirected[node]) - {node}))
    (out / "hub.txt").write_text(hub + "\n", encoding="utf-8")


def kuzu_load(folder: str, database: str, a: str, b: str) -> None:
    import shutil
    from pathlib import Path

    import kuzu

    shutil.rmtree(database, ignore_errors=True)
    Path(database).unlink(missing_ok=True)
    connection = kuzu.Connection(kuzu.Database(database))
    connection.execute("CREATE NODE TABLE Entity(id STRING, name STRING, type STRING, PRIMARY KEY(id))")
    connection.execute("CREATE REL TABLE Fact(FROM Entity TO Entity, relation STRING)")
    connection.execute(f"COPY Entity FROM '{folder}/nodes.csv' (header=true)")
    connection.execute(f"COPY Fact FROM '{folder}/edges.csv' (header=true)")
    found = connection.execute("MATCH p = (a:Entity)-[:Fact* SHORTEST 1..30]-(b:Entity) WHERE a.id = $a AND b.id = $b "
                               "RETURN properties(nodes(p), 'id')", {"a": a, "b": b})
    print(found.get_all())


def kuzu_neighbours(database: str, hub: str) -> None:
    import kuzu

    connection = kuzu.Connection(kuzu.Database(database, read_only=True))
    found = connection.execute("MATCH (a:Entity)-[:Fact*1..2]-(b:Entity) WHERE a.id = $a AND b.id <> $a "
                               "RETURN count(DISTINCT b)", {"a": hub})
    print(found.get_all())


def duckdb_load(folder: str, a: str, b: str) -> None:
    import duckdb

    connection = duckdb.connect()
    connection.execute(f"CREATE TABLE edges AS SELECT * FROM read_csv('{folder}/edges.csv', header=true)")
    connection.execute(f"CREATE TABLE nodes AS SELECT * FROM read_csv('{folder}/nodes.csv', header=true)")
    found = connection.execute("""
        WITH RECURSIVE ends(x, y) AS (SELECT "from", "to" FROM edges UNION ALL SELECT "to", "from" FROM edges),
        walk(node, depth) AS (
            SELECT ?::VARCHAR, 0
            UNION
            SELECT ends.y, walk.depth + 1 FROM walk JOIN ends ON ends.x = walk.node
            WHERE walk.depth < 30 AND NOT EXISTS (SELECT 1 FROM walk seen WHERE seen.node = ?))
        SELECT min(depth) FROM walk WHERE node = ?""", [a, b, b])
    print(found.fetchall())


COMMANDS = {"graphml": graphml_path, "pickle": pickle_path, "yaml": yaml_build, "pickle-dump": pickle_dump,
            "ftm-yaml": ftm_yaml, "ftm-import": ftm_import,
            "nx-betweenness": nx_betweenness, "nx-brokers": nx_brokers, "nx-louvain": nx_louvain,
            "csv-dump": csv_dump, "kuzu-load": kuzu_load, "kuzu-neighbours": kuzu_neighbours, "duckdb-load": duckdb_load}

if __name__ == "__main__":
    COMMANDS[sys.argv[1]](*sys.argv[2:])
