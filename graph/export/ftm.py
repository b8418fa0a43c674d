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


def files(G: nx.MultiDiGraph) -> dict[str, bytes]:
    """What the export writes: ``{"graph.ftm.json": bytes}`` (the registry in ``graph/export/__init__.py``)."""
    buffer = io.BytesIO()
    export_ftm(G, buffer)
    return {"graph.ftm.json": buffer.getvalue()}
