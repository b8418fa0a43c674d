"""FollowTheMoney export: the graph as an FtM entity stream, one JSON entity per line (graph.ftm).

The registry's face of :func:`graph.ftm.export_ftm`, so ``tieline export ftm`` takes every view
option like the other formats. ``followthemoney`` is imported only when this format is used.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from ..ftm import export_ftm

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["files"]


class Files(dict):  # type: ignore[type-arg]
    """The files of an export, with ``notes``: what it could not write as its own schema (shown on stderr)."""

    notes: list[str]


def files(G: nx.MultiDiGraph) -> dict[str, bytes]:
    """What the export writes: ``{"graph.ftm.json": bytes}`` (the registry in ``graph/export/__init__.py``)."""
    buffer = io.BytesIO()
    report = export_ftm(G, buffer)
    written = Files({"graph.ftm.json": buffer.getvalue()})
    written.notes = report.notes()
    return written
