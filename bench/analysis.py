"""Helpers the benchmark runs around the analysis commands (scenario 7 runs `tieline rank|brokers|clusters`).

    python bench/analysis.py rank --data FOLDER --by betweenness
    python bench/analysis.py brokers --data FOLDER SIDE_A SIDE_B
    python bench/analysis.py clusters --data FOLDER
    python bench/analysis.py sides --data FOLDER        # the two countries with the most nationals

Each loads the graph as a warm ``tieline`` query does (the compiled cache) and prints the JSON the
future ``tieline rank|brokers|clusters --json`` will print; ``bench/run.py`` builds these command
lines in one place (``analysis_command``), to be switched to ``tieline`` when the commands exist.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("rank", "brokers", "clusters", "sides"))
    parser.add_argument("sides", nargs="*")
    parser.add_argument("--data", required=True)
    parser.add_argument("--by", default="betweenness")
    args = parser.parse_args(argv)
    from graph import analysis, load_graph

    graph = load_graph(args.data)
    if args.command == "rank":
        result = analysis.rank(graph, by=args.by)
    elif args.command == "brokers":
        result = analysis.brokers(graph, *args.sides)
    elif args.command == "clusters":
        result = analysis.clusters(graph)
    else:
        counts = Counter(c for _, c in graph.nodes(data="country") if c)
        result = [c for c, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:2]]
    print(json.dumps(result, ensure_ascii=False))
    sys.stdout.flush()
    os._exit(0)  # as tieline does: don't free the graph object by object


if __name__ == "__main__":
    sys.exit(main())
