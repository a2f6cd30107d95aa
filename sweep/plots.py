"""The sweep report's safety maps: for each pair of swept keys, where the points fail, as SVG.

A map's cells are the two keys' swept values (by rank, so uneven steps still make even cells),
each coloured by the share of the decided points there, over the other keys' values, that fail:
every invariant together, then each invariant that fails somewhere. Where the sweep proved a
region for the pair, its safe intervals are drawn on top. One swept key gives a strip instead.
Figures come from `reports.plots.open_figure` and `figure_to_svg`, so the same sweep document
gives the same SVG bytes.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from attrs import frozen

from reports.plots import (
    LIMIT_COLOR,
    SAFE_COLOR,
    UNKNOWN_COLOR,
    VALUE_COLOR,
    Plot,
    figure_to_svg,
    open_figure,
)
from sweep.margins import SweepReportError, get_swept_values, get_value, get_verdict

if TYPE_CHECKING:
    from matplotlib.axes import Axes

MAX_PAIRS = 6
"""At most this many pairs of keys get maps (the first pairs in key order)."""

MAX_INVARIANT_MAPS = 8
"""Beside the map of every invariant, at most this many invariants get a map of their own."""

MAX_CELLS = 32
"""A key with more swept values than this groups consecutive values into this many cells."""

MAX_TICKS = 16
EMPTY_COLOR = "#c9ced6"
BOUNDARY_COLOR = "#1f2328"
MAP_SIZE = (7.2, 5.4)
STRIP_SIZE = (7.2, 2.2)
"""Inches: a pair's map, and the strip of a sweep of one key."""


@frozen
class Axis:
    """One swept key as an axis of a map: its sorted distinct values and the cells they fill."""

    key: str
    values: tuple[Any, ...]
    cells: int
    """How many cells are drawn: one per value, or `MAX_CELLS` groups of consecutive values."""

    def get_cell(self, rank: int) -> int:
        """The cell that the value of rank `rank` falls in."""
        return rank * self.cells // len(self.values)

    def get_position(self, value: Any) -> tuple[float, bool]:
        """Where `value` lies along the axis (cell `c` spans c..c+1), and whether it lies beyond
        the swept values: between two swept values it is placed linearly between their ranks;
        beyond the lowest or the highest it is clamped to the axis' edge."""
        values = self.values
        scale = self.cells / len(values)
        if value < values[0]:
            return 0.0, True
        if value > values[-1]:
            return float(self.cells), True
        for rank, (low, high) in enumerate(itertools.pairwise(values)):
            if low <= value <= high:
                return (rank + 0.5 + (value - low) / (high - low)) * scale, False
        return 0.5 * scale, False

    def get_ticks(self) -> tuple[list[float], list[str]]:
        """Tick positions (cell centres) and labels: each shown cell's lowest value."""
        lowest: dict[int, Any] = {}
        for rank, value in enumerate(self.values):
            lowest.setdefault(self.get_cell(rank), value)
        step = -(-self.cells // MAX_TICKS)
        shown = range(0, self.cells, step)
        return [cell + 0.5 for cell in shown], [str(lowest[cell]) for cell in shown]


@frozen
class Cell:
    """How the points of one cell fare against one invariant (or every invariant)."""

    failing: int = 0
    passing: int = 0
    inconclusive: int = 0

    def get_share(self) -> float | None:
        """The share of the cell's decided points that fail, or None if none is decided."""
        decided = self.failing + self.passing
        return self.failing / decided if decided else None


def make_axis(key: str, values: Sequence[Any]) -> Axis:
    """The axis of `key` with its sorted distinct swept `values`."""
    return Axis(key=key, values=tuple(values), cells=min(len(values), MAX_CELLS))


def get_outcome(point: Mapping[str, Any], invariant: str | None) -> str:
    """How `point` fares against `invariant` (None: its verdict): pass, fail or inconclusive."""
    if invariant is None:
        return get_verdict(point)
    if invariant in (point.get("failing") or []):
        return "fail"
    if invariant in (point.get("inconclusive") or []):
        return "inconclusive"
    return "pass"


def count_cells(
    points: Iterable[Mapping[str, Any]], x: Axis, y: Axis | None, invariant: str | None
) -> dict[tuple[int, int], Cell]:
    """Each occupied cell (x cell, y cell; 0 without `y`) and how its points fare."""
    ranks_x = {value: rank for rank, value in enumerate(x.values)}
    ranks_y = {value: rank for rank, value in enumerate(y.values)} if y else {}
    tallies: dict[tuple[int, int], list[int]] = {}
    slot = {"fail": 0, "pass": 1, "inconclusive": 2}
    for point in points:
        where = (
            x.get_cell(ranks_x[get_value(point, x.key)]),
            y.get_cell(ranks_y[get_value(point, y.key)]) if y else 0,
        )
        tallies.setdefault(where, [0, 0, 0])[slot[get_outcome(point, invariant)]] += 1
    return {where: Cell(*counts) for where, counts in sorted(tallies.items())}


def get_failing_invariants(document: Mapping[str, Any]) -> list[str]:
    """The invariants that fail at some point: catalogue order, then any other ID sorted."""
    failing = {str(name) for point in document["points"] for name in point.get("failing") or []}
    catalogue = [str(name) for name in document.get("invariants") or []]
    return [name for name in catalogue if name in failing] + sorted(failing - set(catalogue))


def find_region(
    document: Mapping[str, Any], x: str, y: str
) -> tuple[Mapping[str, Any], bool] | None:
    """The proved region map of keys `x` and `y`, and whether it is stored with them swapped."""
    for region in document.get("regions") or []:
        if (region.get("key_x"), region.get("key_y")) == (x, y):
            return region, False
    for region in document.get("regions") or []:
        if (region.get("key_x"), region.get("key_y")) == (y, x):
            return region, True
    return None


@frozen
class MapPlan:
    """One safety map to draw: its element id, title, axes, invariant, and what was left out."""

    id: str
    title: str
    x: Axis
    y: Axis | None
    invariant: str | None
    """None: a point fails if any invariant fails there."""
    left_out: str
    """Which pairs and invariants get no map (said in the caption of each pair's first map)."""


def plan_maps(document: Mapping[str, Any]) -> tuple[MapPlan, ...]:
    """Every safety map of a sweep document, pair by pair (one strip for a single key), each
    pair's map of every invariant first and then one per failing invariant: at most
    `MAX_PAIRS` x (1 + `MAX_INVARIANT_MAPS`)."""
    keys = [str(key) for key in document["keys"]]
    points: Sequence[Mapping[str, Any]] = document["points"]
    if not keys:
        raise SweepReportError("keys: a sweep names at least one swept key")
    if not points:
        return ()
    swept = get_swept_values(keys, points)
    axes = [make_axis(key, swept[key]) for key in keys]
    failing = get_failing_invariants(document)
    layers: list[str | None] = [None, *failing[:MAX_INVARIANT_MAPS]]
    notes = []
    if len(failing) > MAX_INVARIANT_MAPS:
        left = failing[MAX_INVARIANT_MAPS:]
        notes.append(f"Not mapped on their own, to keep the page small: {', '.join(left)}.")
    pairs: list[tuple[Axis, Axis | None]] = [(axes[0], None)]
    if len(axes) > 1:
        every_pair = list(itertools.combinations(axes, 2))
        if len(every_pair) > MAX_PAIRS:
            left_pairs = [f"{a.key} x {b.key}" for a, b in every_pair[MAX_PAIRS:]]
            notes.append(f"Pairs not mapped: {'; '.join(left_pairs)}.")
        pairs = list(every_pair[:MAX_PAIRS])
    return tuple(
        MapPlan(
            id=f"plot-sweep-{number}-{layer}",
            title=_title(x, y, invariant),
            x=x,
            y=y,
            invariant=invariant,
            left_out=" ".join(notes) if layer == 0 else "",
        )
        for number, (x, y) in enumerate(pairs)
        for layer, invariant in enumerate(layers)
    )


def render_sweep_plots(document: Mapping[str, Any]) -> tuple[Plot, ...]:
    """Every map of `plan_maps`, drawn."""
    return tuple(_render_map(document, plan) for plan in plan_maps(document))


def _title(x: Axis, y: Axis | None, invariant: str | None) -> str:
    what = "every invariant" if invariant is None else invariant
    return f"{y.key} by {x.key}: {what}" if y else f"{x.key}: {what}"


def _render_map(document: Mapping[str, Any], plan: MapPlan) -> Plot:
    # matplotlib is imported when a map is drawn, as in reports.plots.
    from matplotlib.colors import LinearSegmentedColormap, ListedColormap  # noqa: PLC0415

    x, y, invariant, title = plan.x, plan.y, plan.invariant, plan.title
    cells = count_cells(document["points"], x, y, invariant)
    rows = y.cells if y else 1
    shares = np.full((rows, x.cells), np.nan)
    undecided = np.full((rows, x.cells), np.nan)
    for (column, row), cell in cells.items():
        share = cell.get_share()
        if share is None:
            undecided[row, column] = 1.0
        else:
            shares[row, column] = share
    region = find_region(document, x.key, y.key) if y else None
    with open_figure() as figure:
        figure.set_size_inches(*(MAP_SIZE if y else STRIP_SIZE))
        axes = figure.add_subplot()
        # Cells with no point show this hatched background through the mesh's masked cells.
        axes.set_facecolor("white")
        axes.fill_between(
            [0, x.cells], 0, rows, facecolor="none", edgecolor=EMPTY_COLOR, hatch="//", linewidth=0
        )
        # Eleven steps of a tenth: few enough that the colour bar stays vector shapes (matplotlib
        # draws one of 50 colours or more as an embedded image, which the page's policy blocks).
        colours = LinearSegmentedColormap.from_list(
            "pass-fail", [SAFE_COLOR, "#f2e6b3", LIMIT_COLOR], N=11
        )
        edges = "white" if x.cells * rows <= 400 else "face"
        mesh = axes.pcolormesh(
            np.ma.masked_invalid(shares), cmap=colours, vmin=0, vmax=1, edgecolors=edges
        )
        axes.pcolormesh(
            np.ma.masked_invalid(undecided), cmap=ListedColormap([UNKNOWN_COLOR]), edgecolors=edges
        )
        marked = [(c + 0.5, r + 0.5) for (c, r), cell in cells.items() if cell.inconclusive]
        if marked:
            axes.scatter(
                [c for c, _ in marked],
                [r for _, r in marked],
                marker="o",
                s=14,
                facecolors="none",
                edgecolors=BOUNDARY_COLOR,
                label="inconclusive point(s)",
            )
        colourbar = figure.colorbar(mesh, ax=axes, pad=0.02, fraction=0.05)
        colourbar.set_label("share failing")
        ticks, labels = x.get_ticks()
        axes.set_xticks(ticks, labels, rotation=45 if len(ticks) > 8 else 0)
        axes.set_xlabel(x.key)
        if y:
            ticks, labels = y.get_ticks()
            axes.set_yticks(ticks, labels)
            axes.set_ylabel(y.key)
        else:
            axes.set_yticks([])
        if region is not None and y is not None:
            _draw_region(axes, region[0], x, y, swapped=region[1])
        axes.set_xlim(0, x.cells)
        axes.set_ylim(0, rows)
        axes.set_title(title)
        if axes.get_legend_handles_labels()[0]:
            figure.legend(frameon=False, fontsize=7, loc="outside lower center", ncols=5)
        svg = figure_to_svg(figure, plan.id)
    caption = _caption(document, x=x, y=y, invariant=invariant, cells=cells, region=region)
    if plan.left_out:
        caption += f" {plan.left_out}"
    return Plot(id=plan.id, title=title, caption=caption, svg=svg)


def _draw_region(axes: Axes, region: Mapping[str, Any], x: Axis, y: Axis, *, swapped: bool) -> None:
    """The region's intervals of its y key at each of its rows, as strokes on the map: safe
    dark and solid, undecided amber and dashed; a value beyond the swept ones is drawn at the
    map's edge with a triangle pointing out."""
    across, along = (y, x) if swapped else (x, y)
    # Triangles pointing out of each edge: (along low, along high, across low, across high).
    pointing = ("<", ">", "v", "^") if swapped else ("v", "^", "<", ">")
    marks: dict[str, list[tuple[float, float]]] = {marker: [] for marker in pointing}

    def place(at: float, to: float) -> tuple[float, float]:
        return (to, at) if swapped else (at, to)

    strokes: tuple[tuple[str, str, Literal["solid", "dashed"], str], ...] = (
        ("safe", BOUNDARY_COLOR, "solid", "proved safe (region)"),
        ("unknown", UNKNOWN_COLOR, "dashed", "undecided (region)"),
    )
    for items, colour, style, name in strokes:
        segments = []
        for row in region.get("rows") or []:
            at, at_out = across.get_position(row["x"])
            for item in row.get(items) or []:
                low, low_out = along.get_position(item["low"])
                high, high_out = along.get_position(item["high"])
                segments.append((at, low, high))
                if low_out:
                    marks[pointing[0]].append(place(at, low))
                if high_out:
                    marks[pointing[1]].append(place(at, high))
                if at_out:
                    marks[pointing[2] if at == 0 else pointing[3]].append(
                        place(at, (low + high) / 2)
                    )
        # A safe set of one value is a stroke of no length: a dot shows it.
        single = [place(at, low) for at, low, high in segments if low == high]
        if single:
            axes.plot(
                *zip(*single, strict=True),
                linestyle="none",
                marker="o",
                markersize=5,
                color=colour,
                label=None if len(single) < len(segments) else name,
            )
        if segments and len(single) < len(segments):
            draw = axes.hlines if swapped else axes.vlines
            draw(
                [at for at, _, _ in segments],
                [low for _, low, _ in segments],
                [high for _, _, high in segments],
                colors=colour,
                linestyles=style,
                linewidth=2,
                label=name,
            )
    labelled = False
    for marker, spots in marks.items():
        if spots:
            axes.plot(
                *zip(*spots, strict=True),
                linestyle="none",
                marker=marker,
                markersize=5,
                color=BOUNDARY_COLOR,
                clip_on=False,
                label=None if labelled else "beyond the swept values",
            )
            labelled = True
    base_x, base_y = region.get("value_x"), region.get("value_y")
    if base_x is not None and base_y is not None:
        (at, _), (to, _) = across.get_position(base_x), along.get_position(base_y)
        axes.plot(*place(at, to), marker="x", color=VALUE_COLOR, linestyle="none", label="base")


def _caption(
    document: Mapping[str, Any],
    *,
    x: Axis,
    y: Axis | None,
    invariant: str | None,
    cells: Mapping[tuple[int, int], Cell],
    region: tuple[Mapping[str, Any], bool] | None,
) -> str:
    keys = [str(key) for key in document["keys"]]
    shown = [x.key, *([y.key] if y else [])]
    others = [key for key in keys if key not in shown]
    what = "fail (any invariant)" if invariant is None else f"fail {invariant}"
    parts = [
        f"Each cell is one {' and '.join(f'{axis.key} value' for axis in (x, y) if axis)}; its "
        f"colour is the share of its decided points that {what}, from green (none) to red (all)"
        + (f", over every value of {', '.join(others)}" if others else "")
        + ". Amber: only inconclusive points; a ring marks a cell with an inconclusive point; "
        "hatched: no point.",
        f"{len(cells)} of {x.cells * (y.cells if y else 1)} cells hold a point.",
    ]
    for axis in (x, y):
        if axis and axis.cells < len(axis.values):
            parts.append(
                f"{axis.key} has {len(axis.values)} swept values, grouped into {axis.cells} cells "
                "of consecutive values; each tick shows its cell's lowest value."
            )
    if region is not None:
        stored = region[0]
        parts.append(
            f"Strokes: the values of {stored.get('key_y')} proved safe for each sampled "
            f"{stored.get('key_x')} (profile {stored.get('profile')}), "
            + (f"{', '.join(others)} at the base; " if others else "")
            + "between swept values they are placed linearly, beyond them at the edge (a "
            "triangle)."
        )
    elif y is not None and document.get("regions") is not None:
        parts.append("No proved region was computed for this pair.")
    return " ".join(parts)
