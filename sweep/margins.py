"""How far each point of a sweep stands from a point of the other verdict: its margin.

Each key's distinct swept values, sorted ascending, give each point integer grid coordinates:
the rank of its value for each key. A point's margin is the Chebyshev distance (the largest,
over the keys, of the difference in rank) to the nearest point whose verdict class differs, the
classes being "pass" and "fail". It is positive (or 0, for a pass and a fail at the same
values) for a passing point: how many grid steps, on some key, any change must move to reach a
failure. It is the negated distance to the nearest pass for a failing point. It is None for an
inconclusive point (neither class; never used as a neighbour either) and for a point when no
point of the other class exists.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

VERDICT_ORDER: dict[str, int] = {"pass": 0, "inconclusive": 1, "fail": 2}
"""Each point verdict and its place in the table of points: passes, then inconclusive, then
failures."""

LATTICE_LIMIT = 1 << 22
"""The most grid cells `find_nearest` lays out in memory; a larger grid is measured pair by pair."""

_CHUNK_CELLS = 1 << 22
"""How many (pass, fail) distances one step of `compute_margins` holds in memory at once."""


class SweepReportError(ValueError):
    """Raised when a sweep document cannot be read: a point without a swept key's value, values
    of one key that cannot be ordered, or a verdict other than pass, fail or inconclusive."""


def get_swept_values(
    keys: Sequence[str], points: Sequence[Mapping[str, Any]]
) -> dict[str, list[Any]]:
    """Each key's distinct values over `points`, sorted ascending: the grid's axes."""
    axes: dict[str, list[Any]] = {}
    for key in keys:
        values = {get_value(point, key) for point in points}
        try:
            axes[key] = sorted(values)
        except TypeError:
            raise SweepReportError(f"points: the values of {key} cannot be ordered") from None
    return axes


def get_value(point: Mapping[str, Any], key: str) -> Any:
    """The value `point` takes for the swept `key`."""
    values = point.get("values")
    if not isinstance(values, Mapping) or key not in values:
        raise SweepReportError(f"point {point.get('index')!r}: no value for the swept key {key}")
    value = values[key]
    if isinstance(value, list | dict):
        raise SweepReportError(f"point {point.get('index')!r}: {key} is not a single value")
    return value


def get_verdict(point: Mapping[str, Any]) -> str:
    """A point's verdict: pass, fail or inconclusive."""
    verdict = point.get("verdict")
    if verdict not in VERDICT_ORDER:
        raise SweepReportError(
            f"point {point.get('index')!r}: verdict must be pass, fail or inconclusive, "
            f"got {verdict!r}"
        )
    return str(verdict)


def get_grid_coordinates(
    keys: Sequence[str], points: Sequence[Mapping[str, Any]]
) -> list[tuple[int, ...]]:
    """Each point's rank of its value for each key, in `points` order."""
    axes = get_swept_values(keys, points)
    ranks = {
        key: {value: rank for rank, value in enumerate(values)} for key, values in axes.items()
    }
    return [tuple(ranks[key][get_value(point, key)] for key in keys) for point in points]


def compute_margins(
    keys: Sequence[str], points: Sequence[Mapping[str, Any]]
) -> dict[int, int | None]:
    """Each point's margin (module docstring), by the point's `index`."""
    coordinates = get_grid_coordinates(keys, points)
    verdicts = [get_verdict(point) for point in points]
    passing = [i for i, verdict in enumerate(verdicts) if verdict == "pass"]
    failing = [i for i, verdict in enumerate(verdicts) if verdict == "fail"]
    margins: dict[int, int | None] = {int(point["index"]): None for point in points}
    if not passing or not failing:
        return margins
    width = max(len(keys), 1)
    shape = tuple(len(values) for values in get_swept_values(keys, points).values()) or (1,)
    grid = np.array(coordinates, dtype=np.int64).reshape(-1, width)
    to_fail = find_nearest(grid[passing], grid[failing], shape)
    to_pass = find_nearest(grid[failing], grid[passing], shape)
    for position, distance in zip(passing, to_fail.tolist(), strict=True):
        margins[int(points[position]["index"])] = int(distance)
    for position, distance in zip(failing, to_pass.tolist(), strict=True):
        margins[int(points[position]["index"])] = -int(distance)
    return margins


def find_nearest(
    origins: np.ndarray[Any, Any], targets: np.ndarray[Any, Any], shape: Sequence[int]
) -> np.ndarray[Any, Any]:
    """For each row of `origins` (grid coordinates within `shape`), the Chebyshev distance to
    the nearest row of `targets`, by whichever of two exact methods costs less here: growing the
    targets over the whole grid one step at a time (a dense sweep), or measuring every pair (a
    few points of one class, or a sparse sample on a huge grid)."""
    cells = math.prod(shape)
    growing = cells * len(shape) * max(shape)
    pairwise = len(origins) * len(targets) * len(shape)
    if cells <= LATTICE_LIMIT and growing < pairwise:
        return nearest_by_growing(origins, targets, shape)
    return nearest_by_pairs(origins, targets)


def nearest_by_growing(
    origins: np.ndarray[Any, Any], targets: np.ndarray[Any, Any], shape: Sequence[int]
) -> np.ndarray[Any, Any]:
    """`find_nearest` by dilation: after d steps, each of which adds every cell one step (on
    each key at most) from a reached cell, the reached cells are those within distance d."""
    reached = np.zeros(tuple(shape), dtype=bool)
    reached[tuple(targets.T)] = True
    where = tuple(origins.T)
    distance = np.zeros(len(origins), dtype=np.int64)
    pending = ~reached[where]
    steps = 0
    while pending.any():
        steps += 1
        # A Chebyshev step is one step along each axis in turn (the unit cube is a product).
        for axis in range(reached.ndim):
            lower = [slice(None)] * reached.ndim
            upper = [slice(None)] * reached.ndim
            lower[axis], upper[axis] = slice(None, -1), slice(1, None)
            grown = reached.copy()
            grown[tuple(lower)] |= reached[tuple(upper)]
            grown[tuple(upper)] |= reached[tuple(lower)]
            reached = grown
        arrived = pending & reached[where]
        distance[arrived] = steps
        pending &= ~arrived
    return distance


def nearest_by_pairs(
    origins: np.ndarray[Any, Any], targets: np.ndarray[Any, Any]
) -> np.ndarray[Any, Any]:
    """`find_nearest` by measuring every pair, a block of origins at a time so memory stays
    bounded."""
    block = max(1, _CHUNK_CELLS // max(1, len(targets) * origins.shape[1]))
    nearest = np.empty(len(origins), dtype=np.int64)
    for start in range(0, len(origins), block):
        part = origins[start : start + block]
        distances = np.abs(part[:, None, :] - targets[None, :, :]).max(axis=2)
        nearest[start : start + block] = distances.min(axis=1)
    return nearest


def order_by_margin(
    points: Sequence[Mapping[str, Any]], margins: Mapping[int, int | None]
) -> list[int]:
    """The points' indices in the order of the table of points: passing points first, the
    safest (largest margin, None before any number) first; then inconclusive points; then
    failing points, those nearest a pass first and those with no pass at all last."""

    def sort_key(point: Mapping[str, Any]) -> tuple[int, float, int]:
        index = int(point["index"])
        verdict = get_verdict(point)
        margin = margins.get(index)
        if margin is None:
            inverted = -float("inf") if verdict == "pass" else float("inf")
            if verdict == "inconclusive":
                inverted = 0.0
        else:
            inverted = -float(margin)
        return (VERDICT_ORDER[verdict], inverted, index)

    return [int(point["index"]) for point in sorted(points, key=sort_key)]
