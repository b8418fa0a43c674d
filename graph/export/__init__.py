"""The registry of export formats: each renders a graph to the files it writes (``{name: bytes}``).

A format is declared once here — its command name, label, module, default path and whether it
writes one file or a folder — and the CLI makes ``tieline export <format>`` and ``tieline build``
from this table. Modules are imported only when their format is used (the page needs pyvis,
which costs more to import than networkx). Exporters read the graph only; they never load YAML.
"""

from __future__ import annotations

import enum
import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from ..analysis import node_metrics
from ..atomic import write_outputs
from ..fields import METRIC_FIELDS, METRICS_KEY
from ..errors import UsageError

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["ExportFormat", "FormatOption", "Metrics", "FORMATS", "BUILD_FORMATS", "export_format", "with_metrics"]


class Metrics(enum.Enum):
    """What ``--metrics`` does for a format."""

    COLUMNS = "columns"  # every node gets the metric columns (graph.fields.METRIC_FIELDS)
    PAGE = "page"        # accepted, changes nothing: the page computes its own
    NONE = "none"        # not offered


@dataclass(frozen=True)
class FormatOption:
    """An option only one format takes, passed to its renderer as ``name`` (``--flag`` on the command line)."""

    name: str
    flag: str
    kind: type          # int or bool
    help: str
    default: Any = None
    min: int | None = None


@dataclass(frozen=True)
class ExportFormat:
    """One export format: ``render`` returns ``{file name: bytes}``, written under ``default_path``."""

    name: str           # the command: tieline export NAME
    label: str          # what the summary line calls it
    module: str         # graph.export.<module>, with files(G, **options) -> dict[str, bytes]
    default_path: str   # a file, or a folder for multi-file formats
    multi_file: bool
    summary: str        # one line for --help
    example: str
    metrics: Metrics = Metrics.COLUMNS
    options: tuple[FormatOption, ...] = ()

    def render(self, graph: nx.MultiDiGraph, **options: Any) -> dict[str, bytes]:
        """The files of this format for ``graph``."""
        return importlib.import_module(f"graph.export.{self.module}").files(graph, **options)

    def destinations(self, out: Path | None, files: dict[str, bytes]) -> dict[str, Path | None]:
        """Where each file goes: ``out`` (or the default) for a single file, inside it for a folder;
        ``None`` means stdout (``--out -``), which only single-file formats accept."""
        target = Path(self.default_path) if out is None else out
        if str(target) == "-":
            if self.multi_file:
                raise UsageError(f"--out -: {self.label} writes {len(files)} files ({', '.join(files)}); "
                                 "give a folder instead")
            return {name: None for name in files}
        if self.multi_file:
            return {name: target / name for name in files}
        return {name: target for name in files}

    def write(self, files: dict[str, bytes], out: Path | None, stdout: BinaryIO, data_dir: Path
              ) -> list[tuple[Path | None, int]]:
        """Write ``files`` to their destinations (atomically; ``stdout`` for ``-``): (path or None, bytes).

        UsageError, and nothing written, when a destination lies inside the data folder ``data_dir``.
        """
        targets = self.destinations(out, files)
        write_outputs({target: files[name] for name, target in targets.items() if target is not None}, data_dir)
        for name, target in targets.items():
            if target is None:
                stdout.write(files[name])
                stdout.flush()
        return [(target, len(files[name])) for name, target in targets.items()]


FORMATS: dict[str, ExportFormat] = {f.name: f for f in (
    ExportFormat("html", "HTML", "html", "output/graph.html", False,
                 "The interactive explorer: one self-contained HTML file that works offline.",
                 "tieline export html --focus RDIF --depth 2 --out rdif.html", metrics=Metrics.PAGE,
                 options=(FormatOption("max_nodes", "--max-nodes", int,
                                       "Refuse to draw more entities than this (default 1,500).", min=1),)),
    ExportFormat("graphml", "GraphML", "graphml", "output/graph.graphml", False,
                 "GraphML for Gephi, Cytoscape, yEd, igraph and networkx.",
                 "tieline export graphml --out story.graphml"),
    ExportFormat("gexf", "GEXF", "gexf", "output/graph.gexf", False,
                 "GEXF 1.3 for Gephi, with time intervals from the facts' dates.",
                 "tieline export gexf --out story.gexf"),
    ExportFormat("json", "JSON", "nodelink", "output/graph.json", False,
                 "Node-link JSON (networkx's layout) for D3, sigma.js, Cytoscape.js and scripts.",
                 "tieline export json --out - | jq '.nodes | length'"),
    ExportFormat("csv", "CSV", "tables", "output/csv", True,
                 "nodes.csv and edges.csv for spreadsheets and neo4j-admin import.",
                 "tieline export csv --out output/csv",
                 options=(FormatOption("exact_cells", "--exact-cells", bool,
                                       "Write text starting with = + - @ as it is (for Neo4j); by default it starts "
                                       "with ' (a spreadsheet never runs it).", default=False),)),
    ExportFormat("ftm", "FollowTheMoney", "ftm", "output/graph.ftm.json", False,
                 "A FollowTheMoney entity stream for Aleph (alephclient write-entities), OpenSanctions tools.",
                 "tieline export ftm --out story.ftm.json", metrics=Metrics.NONE),
)}
"""Every export format, by command name, in the order ``tieline export --help`` lists them."""

BUILD_FORMATS = ("html", "graphml")
"""What ``tieline build`` (and ``make run``) writes."""


def with_metrics(graph: nx.MultiDiGraph, progress: Any = None) -> nx.MultiDiGraph:
    """A copy of ``graph`` whose nodes carry degree, betweenness, pagerank and community (the columns of
    :data:`graph.fields.METRIC_FIELDS`, computed by :func:`graph.analysis.node_metrics`)."""
    copy = graph.copy()
    for node, values in node_metrics(graph, progress=progress).items():
        copy.nodes[node].update(values)
    copy.graph[METRICS_KEY] = [f.name for f in METRIC_FIELDS]
    return copy


def export_format(name: str) -> ExportFormat:
    """The format called ``name``; UsageError naming the known ones otherwise."""
    try:
        return FORMATS[name]
    except KeyError:
        raise UsageError(f"unknown export format {name!r}; known: {', '.join(FORMATS)}") from None
