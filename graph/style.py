"""How entity types may be drawn: the vis-network shapes and the ``#rrggbb`` colour pattern.

One check, read by schema validation (which reports a bad colour or shape), the file exports
(which write a colour only when it is valid) and the HTML explorer (which falls back to a grey
dot).
"""

from __future__ import annotations

import re

__all__ = ["SHAPES", "is_color", "is_shape"]

SHAPES: tuple[str, ...] = ("dot", "ellipse", "circle", "box", "square", "triangle", "triangleDown", "diamond",
                           "star", "hexagon", "database", "text")
"""vis-network node shapes whose size option applies (the label is drawn below or inside the shape)."""

_COLOR = re.compile(r"#[0-9a-fA-F]{6}\Z")


def is_color(value: object) -> bool:
    """Whether ``value`` is a colour written ``#rrggbb``."""
    return isinstance(value, str) and _COLOR.match(value) is not None


def is_shape(value: object) -> bool:
    """Whether ``value`` is one of the vis-network :data:`SHAPES`."""
    return isinstance(value, str) and value in SHAPES
