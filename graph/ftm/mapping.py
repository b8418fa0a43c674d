"""The tieline ↔ FollowTheMoney mapping, read from ``mapping.yaml`` (the table lives as data)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Mapping", "read_mapping", "MAPPING_FILE", "snake"]

MAPPING_FILE = Path(__file__).with_name("mapping.yaml")


@dataclass
class Mapping:
    """Both directions of the table; see mapping.yaml for what each part means."""

    types: dict[str, dict[str, Any]] = field(default_factory=dict)
    relations: dict[str, dict[str, Any]] = field(default_factory=dict)
    import_types: dict[str, dict[str, Any]] = field(default_factory=dict)
    import_relations: dict[str, dict[str, Any]] = field(default_factory=dict)
    certainty: dict[str, str] = field(default_factory=dict)
    involved: list[str] = field(default_factory=list)
    import_properties: dict[str, dict[str, Any]] = field(default_factory=dict)
    qualified: dict[str, str] = field(default_factory=dict)
    authority_of: dict[str, Any] = field(default_factory=dict)
    authorities: dict[str, dict[str, Any]] = field(default_factory=dict)


def read_mapping(path: str | os.PathLike[str] | None = None) -> Mapping:
    """The mapping in ``path`` laid over the bundled one (a curator's file overrides entries)."""
    import yaml

    base = yaml.safe_load(MAPPING_FILE.read_text(encoding="utf-8"))
    if path is not None:
        extra = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        for key, value in extra.items():
            if isinstance(value, dict):
                base.setdefault(key, {}).update(value)
            else:
                base[key] = value
    return Mapping(**{key: base.get(key) or type(getattr(Mapping(), key))() for key in Mapping.__dataclass_fields__})


def snake(name: str) -> str:
    """``PublicBody`` → ``public_body``: an FtM schema or property name as a tieline id."""
    out = []
    for index, char in enumerate(name):
        if char.isupper() and index:
            out.append("_")
        out.append(char.lower())
    return "".join(c if c.isalnum() or c == "_" else "_" for c in out).strip("_") or "thing"
