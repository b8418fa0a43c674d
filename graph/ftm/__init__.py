"""FollowTheMoney in and out: FtM entity streams ↔ tieline data folders and graphs (README: "FollowTheMoney: import and export").

``import_ftm`` reads a stream (``.json``, ``.ftm.json``, ``.ijson``, ``.gz``, or a file object)
and writes a data folder ``tieline validate`` accepts; ``export_ftm`` writes a graph as a stream
that ``alephclient write-entities`` reads. The mapping lives as data in ``mapping.yaml``.
``followthemoney`` is imported only inside these functions (≈ 1.2 s).
"""

from __future__ import annotations

from .export import ExportReport, export_ftm, ftm_entities
from .importer import DEFAULT_CERTAINTY, ImportReport, import_ftm, joins_story, story_countries
from .mapping import Mapping, read_mapping

__all__ = ["import_ftm", "ImportReport", "joins_story", "story_countries", "DEFAULT_CERTAINTY", "export_ftm", "ftm_entities",
           "ExportReport", "Mapping", "read_mapping"]
