"""The page's layout: seeded force-directed positions computed in Python, for the HTML explorer.

Fruchterman-Reingold with grid-bucketed repulsion, in pure Python (no numpy): about linear per
iteration, deterministic for a given graph (nodes in id order, fixed seed), rounded to pixels.
The page settles small graphs further with vis-network's physics, from these positions.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict

import networkx as nx

__all__ = ["LAYOUT_SEED", "SMALL_GRAPH", "layout_positions"]

LAYOUT_SEED = 20250402
"""Seed of the precomputed layout (and of vis-network's ``layout.randomSeed``)."""

SMALL_GRAPH = 300
"""Up to this many nodes the layout runs more iterations (the page then settles it with physics)."""


def layout_positions(G: nx.MultiDiGraph) -> dict[str, tuple[int, int]]:
    """Return seeded, rounded positions (pixels) from a force-directed layout of ``G``.

    Fruchterman-Reingold with grid-bucketed repulsion, in pure Python (no numpy): about
    linear per iteration, deterministic for a given graph (nodes in id order, fixed seed).
    """
    ids = sorted(G.nodes)
    n = len(ids)
    if n == 0:
        return {}
    index = {node: i for i, node in enumerate(ids)}
    pairs = sorted({(min(index[u], index[v]), max(index[u], index[v]))
                    for u, v in G.edges() if u != v})
    rng = random.Random(LAYOUT_SEED)
    side = math.sqrt(n) * 1.2
    xs = [rng.uniform(0.0, side) for _ in range(n)]
    ys = [rng.uniform(0.0, side) for _ in range(n)]
    iterations = 90 if n <= SMALL_GRAPH else 60
    temperature = side / 8
    for step in range(iterations):
        dx, dy = _repulsion(xs, ys)
        _add_attraction(xs, ys, pairs, dx, dy)
        _add_gravity(xs, ys, dx, dy, strength=0.6 / math.sqrt(n))
        limit = temperature * (1.0 - step / iterations) + 0.01
        for i in range(n):
            length = math.sqrt(dx[i] * dx[i] + dy[i] * dy[i])
            if length > limit:
                dx[i] *= limit / length
                dy[i] *= limit / length
            xs[i] += dx[i]
            ys[i] += dy[i]
    return _scaled(ids, xs, ys, unit=110.0)


def _repulsion(xs: list[float], ys: list[float]) -> tuple[list[float], list[float]]:
    """Return repulsive displacements k²/d between nodes closer than two units (k = 1)."""
    n = len(xs)
    dx = [0.0] * n
    dy = [0.0] * n
    cell = 2.0
    grid: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i in range(n):
        grid[(math.floor(xs[i] / cell), math.floor(ys[i] / cell))].append(i)
    reach = cell * cell
    for (cx, cy), members in grid.items():
        for ox, oy in ((0, 0), (1, 0), (1, 1), (0, 1), (-1, 1)):
            others = members if (ox, oy) == (0, 0) else grid.get((cx + ox, cy + oy))
            if not others:
                continue
            for a, i in enumerate(members):
                xi, yi = xs[i], ys[i]
                for j in (others[a + 1:] if others is members else others):
                    ddx = xi - xs[j]
                    ddy = yi - ys[j]
                    d2 = ddx * ddx + ddy * ddy
                    if d2 >= reach:
                        continue
                    if d2 < 1e-6:
                        ddx, ddy, d2 = 0.01 * ((i - j) % 7 + 1), 0.01, 1e-4
                    force = 1.0 / d2
                    dx[i] += ddx * force
                    dy[i] += ddy * force
                    dx[j] -= ddx * force
                    dy[j] -= ddy * force
    return dx, dy


def _add_attraction(xs: list[float], ys: list[float], pairs: list[tuple[int, int]],
                    dx: list[float], dy: list[float]) -> None:
    """Add spring displacements d²/k along every linked pair."""
    for i, j in pairs:
        ddx = xs[i] - xs[j]
        ddy = ys[i] - ys[j]
        d = math.sqrt(ddx * ddx + ddy * ddy)
        dx[i] -= ddx * d
        dy[i] -= ddy * d
        dx[j] += ddx * d
        dy[j] += ddy * d


def _add_gravity(xs: list[float], ys: list[float], dx: list[float], dy: list[float],
                 *, strength: float) -> None:
    """Pull every node towards the centroid, keeping components and loners close."""
    n = len(xs)
    cx = sum(xs) / n
    cy = sum(ys) / n
    for i in range(n):
        dx[i] -= (xs[i] - cx) * strength
        dy[i] -= (ys[i] - cy) * strength


def _scaled(ids: list[str], xs: list[float], ys: list[float], *,
            unit: float) -> dict[str, tuple[int, int]]:
    """Return positions centred on the origin, in pixels, rounded to integers."""
    cx = sum(xs) / len(xs)
    cy = sum(ys) / len(ys)
    return {node: (round((x - cx) * unit), round((y - cy) * unit))
            for node, x, y in zip(ids, xs, ys)}
