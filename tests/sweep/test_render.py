"""Tests of the sweep report's margins, safety maps and renderings (sweep.md, sweep.html).

Margins are checked against grids worked out by hand; the page is read back by html5lib's strict
WHATWG parser and the Markdown by markdown-it-py (CommonMark with GFM tables), so the tests see
what a browser or GitHub would.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Callable, Sequence
from typing import Any

import html5lib
import numpy as np
import pytest
from markdown_it import MarkdownIt

from sweep import plots as sweep_plots
from sweep import render as sweep_render
from sweep.margins import (
    SweepReportError,
    compute_margins,
    nearest_by_growing,
    nearest_by_pairs,
    order_by_margin,
)
from sweep.plots import make_axis, plan_maps, render_sweep_plots
from sweep.render import render_html, render_markdown

BURN, PROFIT, SWAP = "payment.str_burn_bps", "payment.str_node_profit_bps", "payment.swap_bps"
HOSTILE = "<script>alert(1)</script>"
SVG = "{http://www.w3.org/2000/svg}svg"


def make_point(index: int, values: dict[str, Any], verdict: str, **extra: Any) -> dict[str, Any]:
    failing = extra.pop("failing", ["GOV-PARAMS"] if verdict == "fail" else [])
    inconclusive = extra.pop("inconclusive", ["BFT-THRESHOLD"] if verdict == "inconclusive" else [])
    folder = f"points/{index:04d}"
    return {
        "index": index,
        "values": values,
        "verdict": verdict,
        "exit_code": {"pass": 0, "fail": 1, "inconclusive": 3}[verdict],
        "failing": failing,
        "inconclusive": inconclusive,
        "report_sha256": "0" * 64,
        "folder": folder,
        "counterexamples": [
            {
                "id": name,
                "engine": "z3",
                "source": "solver",
                "detail": f"{name} broken at point {index}",
                "trace": f"{folder}/traces/{name}.z3.itf.json",
            }
            for name in failing
        ],
        "margin": None,
        **extra,
    }


def make_document(
    axes: dict[str, Sequence[int]],
    verdict: Callable[[dict[str, int]], str],
    *,
    regions: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A sweep document over the full grid of `axes`, each point's verdict from `verdict`."""
    keys = list(axes)
    points = [
        make_point(index, dict(zip(keys, combination, strict=True)), "pass")
        for index, combination in enumerate(itertools.product(*axes.values()))
    ]
    for point in points:
        point.update(make_point(point["index"], point["values"], verdict(point["values"])))
    counts = {name: sum(p["verdict"] == name for p in points) for name in ("pass", "fail")}
    return {
        "schema": "stratoverify-sweep/1",
        "spec": {
            "profile": "hardened",
            "effort": "quick",
            "seed": 0,
            "engines": ["z3"],
            "only": [],
            "base": None,
            "regions": regions is not None,
            "sample": None,
            "keys": [{"name": key, "values": list(vs), "random": None} for key, vs in axes.items()],
        },
        "spec_sha256": "a" * 64,
        "keys": keys,
        "invariants": ["BFT-THRESHOLD", "GOV-PARAMS", "SLASH-BOUNDS"],
        "points": points,
        "regions": regions or [],
        "summary": {
            "points": len(points),
            **counts,
            "inconclusive": len(points) - sum(counts.values()),
        },
        "content_sha256": "b" * 64,
        "timings": {"total_seconds": 3.25},
        "workers": {"count": 2},
    }


def corner_document(**options: Any) -> dict[str, Any]:
    """3 x 3 grid of two keys; only the top corner (1500, 3000) fails."""
    return make_document(
        {BURN: [500, 1000, 1500], PROFIT: [1000, 2000, 3000]},
        lambda v: "fail" if (v[BURN], v[PROFIT]) == (1500, 3000) else "pass",
        **options,
    )


CORNER_REGION = {
    "key_x": BURN,
    "key_y": PROFIT,
    "profile": "hardened",
    "value_x": 1000,
    "value_y": 2000,
    "domain_x": {"low": 0, "high": 10000},
    "domain_y": {"low": 0, "high": 10000},
    "rows": [
        {"x": 0, "safe": [{"low": 0, "high": 4000}], "unknown": [], "breaks": []},
        {"x": 1500, "safe": [{"low": 1000, "high": 2900}], "unknown": [], "breaks": []},
    ],
}


def margins_by_values(document: dict[str, Any]) -> dict[tuple[int, ...], int | None]:
    keys = document["keys"]
    margins = compute_margins(keys, document["points"])
    return {
        tuple(p["values"][key] for key in keys): margins[p["index"]] for p in document["points"]
    }


# --- Margins -------------------------------------------------------------------------------------


def test_margins__a_failing_corner_of_a_3x3_grid() -> None:
    assert margins_by_values(corner_document()) == {
        (500, 1000): 2,
        (500, 2000): 2,
        (500, 3000): 2,
        (1000, 1000): 2,
        (1000, 2000): 1,
        (1000, 3000): 1,
        (1500, 1000): 2,
        (1500, 2000): 1,
        (1500, 3000): -1,
    }


def test_margins__ranks_not_values_and_inconclusive_points_are_no_neighbours() -> None:
    """Uneven values still count one step each; the inconclusive point between a pass and a
    fail neither gets a margin nor shortens anyone's."""
    verdicts = {10: "pass", 20: "inconclusive", 40: "pass", 80: "pass", 1000: "fail"}
    document = make_document({BURN: list(verdicts)}, lambda v: verdicts[v[BURN]])
    assert margins_by_values(document) == {
        (10,): 4,
        (20,): None,
        (40,): 2,
        (80,): 1,
        (1000,): -1,
    }


def test_margins__none_without_a_point_of_the_other_verdict() -> None:
    document = make_document({BURN: [1, 2], PROFIT: [3, 4]}, lambda v: "pass")
    assert set(margins_by_values(document).values()) == {None}


def test_margins__three_keys_take_the_largest_rank_difference() -> None:
    # Fails only at (1, 1, 1); (3, 3, 2) is two steps away on two keys and one on the third.
    document = make_document(
        {BURN: [1, 2, 3], PROFIT: [1, 2, 3], SWAP: [1, 2]},
        lambda v: "fail" if (v[BURN], v[PROFIT], v[SWAP]) == (1, 1, 1) else "pass",
    )
    margins = margins_by_values(document)
    assert margins[(3, 3, 2)] == 2
    assert margins[(2, 1, 2)] == 1
    assert margins[(1, 3, 1)] == 2
    assert margins[(1, 1, 1)] == -1


def test_margins__both_methods_agree_with_a_plain_count() -> None:
    generator = random.Random(7)
    for _ in range(30):
        shape = tuple(generator.randint(1, 6) for _ in range(generator.randint(1, 4)))
        cells = list(itertools.product(*(range(size) for size in shape)))
        origins = generator.sample(cells, generator.randint(1, len(cells)))
        targets = generator.sample(cells, generator.randint(1, len(cells)))
        expected = [
            min(max(abs(a - b) for a, b in zip(o, t, strict=True)) for t in targets)
            for o in origins
        ]
        o_array, t_array = np.array(origins), np.array(targets)
        assert nearest_by_growing(o_array, t_array, shape).tolist() == expected
        assert nearest_by_pairs(o_array, t_array).tolist() == expected


def test_order_by_margin__passes_safest_first_then_inconclusive_then_failures() -> None:
    verdicts = ["fail", "pass", "inconclusive", "pass", "fail", "pass", "fail", "pass"]
    margins: dict[int, int | None] = {0: -3, 1: 1, 2: None, 3: None, 4: None, 5: 3, 6: -1, 7: 1}
    points = [make_point(i, {BURN: i}, verdict) for i, verdict in enumerate(verdicts)]
    assert order_by_margin(points, margins) == [3, 5, 1, 7, 2, 6, 0, 4]


def test_invalid_verdict_or_missing_value__one_line_error() -> None:
    document = corner_document()
    document["points"][4]["verdict"] = "maybe"
    with pytest.raises(SweepReportError, match=r"^point 4: verdict must be .*'maybe'$"):
        render_markdown(document)
    document = corner_document()
    del document["points"][2]["values"][PROFIT]
    with pytest.raises(SweepReportError, match=rf"^point 2: no value for the swept key {PROFIT}$"):
        render_html(document)


# --- Maps ----------------------------------------------------------------------------------------


def test_axis_positions__linear_between_swept_values_clamped_beyond() -> None:
    axis = make_axis(BURN, [500, 1000, 1500])
    assert axis.get_position(500) == (0.5, False)
    assert axis.get_position(750) == (1.0, False)
    assert axis.get_position(1500) == (2.5, False)
    assert axis.get_position(0) == (0.0, True)
    assert axis.get_position(2000) == (3.0, True)


def test_maps__count_and_shares_over_the_third_key() -> None:
    """A 3-key sweep maps 3 pairs, each for every invariant and for each failing one; a cell
    of (BURN, PROFIT) holds both SWAP values."""
    document = make_document(
        {BURN: [1, 2], PROFIT: [1, 2], SWAP: [1, 2]},
        lambda v: "fail" if v[BURN] == 2 and v[SWAP] == 2 else "pass",
    )
    document["points"][0]["failing"] = []
    plans = plan_maps(document)
    assert [plan.title for plan in plans[:2]] == [
        f"{PROFIT} by {BURN}: every invariant",
        f"{PROFIT} by {BURN}: GOV-PARAMS",
    ]
    assert len(plans) == 3 * 2
    first = plans[0]
    cells = sweep_plots.count_cells(document["points"], first.x, first.y, None)
    assert {where: cell.get_share() for where, cell in cells.items()} == {
        (0, 0): 0.0,
        (0, 1): 0.0,
        (1, 0): 0.5,
        (1, 1): 0.5,
    }


def test_maps__a_strip_for_one_key_and_left_out_invariants_said(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sweep_plots, "MAX_INVARIANT_MAPS", 1)
    document = make_document({BURN: [1, 2, 3]}, lambda v: "fail" if v[BURN] == 3 else "pass")
    document["points"][2]["failing"] = ["SLASH-BOUNDS", "GOV-PARAMS", "BFT-THRESHOLD"]
    plots = render_sweep_plots(document)
    assert [plot.title for plot in plots] == [f"{BURN}: every invariant", f"{BURN}: BFT-THRESHOLD"]
    assert "Not mapped on their own, to keep the page small: GOV-PARAMS, SLASH-BOUNDS." in (
        plots[0].caption
    )
    assert "_Not mapped on their own" in render_markdown(document)


@pytest.mark.parametrize("swapped", [False, True])
def test_maps__the_proved_region_drawn_on_top(swapped: bool) -> None:
    region = dict(CORNER_REGION)
    if swapped:
        region["key_x"], region["key_y"] = PROFIT, BURN
    with_region = render_sweep_plots(corner_document(regions=[region]))[0]
    without = render_sweep_plots(corner_document(regions=[]))[0]
    assert "proved safe (region)" in with_region.svg
    assert "beyond the swept values" in with_region.svg
    # A safe set of a single value is drawn as a dot, not a stroke of no length.
    single = dict(
        region, rows=[{"x": 1, "safe": [{"low": 3, "high": 3}], "unknown": [], "breaks": []}]
    )
    dotted = render_sweep_plots(corner_document(regions=[single]))[0]
    assert dotted.svg.count("<path") > without.svg.count("<path")
    assert "Strokes:" in with_region.caption
    assert "proved safe (region)" not in without.svg
    assert "No proved region was computed for this pair." in without.caption


# --- Renderings ----------------------------------------------------------------------------------


def parse_page(page: str) -> Any:
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    tree = parser.parse(page)
    assert not parser.errors
    return tree


def markdown_tables(text: str) -> list[list[list[str]]]:
    """Each table's rows of cells, as a GFM parser reads them."""
    tables: list[list[list[str]]] = []
    inside = False
    for token in MarkdownIt("commonmark").enable("table").parse(text):
        if token.type in ("table_open", "table_close"):
            inside = token.type == "table_open"
            tables += [[]] if inside else []
        elif token.type == "tr_open":
            tables[-1].append([])
        elif token.type == "inline" and inside:
            tables[-1][-1].append(token.content)
    return tables


def markdown_links(text: str) -> list[str]:
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    return [
        str(child.attrs["href"])
        for token in tokens
        for child in token.children or []
        if child.type == "link_open"
    ]


DOCUMENTS: dict[str, Callable[[], dict[str, Any]]] = {
    "corner": corner_document,
    "corner-region": lambda: corner_document(regions=[CORNER_REGION]),
    "strip": lambda: make_document({BURN: [1, 5, 9]}, lambda v: "pass"),
    "three-keys": lambda: make_document(
        {BURN: [1, 2], PROFIT: [1, 2], SWAP: [1, 2]},
        lambda v: "inconclusive" if v[SWAP] == 2 and v[BURN] == 1 else "pass",
    ),
}
EXPECTED_MAPS = {"corner": 2, "corner-region": 2, "strip": 1, "three-keys": 3}


@pytest.mark.parametrize("name", DOCUMENTS)
def test_html__valid_with_one_svg_per_map_and_point_links(name: str) -> None:
    document = DOCUMENTS[name]()
    page = render_html(document)
    tree = parse_page(page)
    assert len(tree.findall(f".//figure/{SVG}")) == EXPECTED_MAPS[name]
    assert not tree.findall(".//script") and not tree.findall(".//img")
    # No raster inside the maps either (the colour bar included): the page's policy blocks it.
    assert "<image" not in page and "data:image" not in page
    hrefs = [a.get("href") for a in tree.iter("a")]
    for point in document["points"]:
        assert f"{point['folder']}/report.html" in hrefs
    (points_table,) = tree.findall(".//section[@id='points']//table")
    assert len(points_table.findall(".//tbody/tr")) == len(document["points"])
    assert page == render_html(document)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_markdown__tables_parse_and_every_point_links_its_report(name: str) -> None:
    document = DOCUMENTS[name]()
    text = render_markdown(document)
    points_table = next(t for t in markdown_tables(text) if t[0][0] == "#")
    assert len(points_table) == 1 + len(document["points"])
    assert {len(row) for row in points_table} == {len(document["keys"]) + 6}
    links = markdown_links(text)
    for point in document["points"]:
        assert f"{point['folder']}/report.md" in links
    assert text == render_markdown(document)


def test_points_sorted_by_margin_in_both_renderings() -> None:
    document = corner_document()
    order = [0, 1, 2, 3, 6, 4, 5, 7, 8]
    text = render_markdown(document)
    points_table = next(t for t in markdown_tables(text) if t[0][0] == "#")
    assert [int(row[0]) for row in points_table[1:]] == order
    assert [row[4] for row in points_table[1:]] == ["+2"] * 5 + ["+1"] * 3 + ["-1"]
    tree = parse_page(render_html(document))
    rows = tree.findall(".//section[@id='points']//tbody/tr")
    assert [int(row[0].text) for row in rows] == order


def test_counterexamples_grouped_by_invariant_with_trace_links_and_database_source() -> None:
    document = corner_document()
    example = document["points"][8]["counterexamples"][0]
    document["points"][8]["counterexamples"].append(
        {**example, "engine": "hypothesis", "source": "database", "trace": None}
    )
    text = render_markdown(document)
    section = text[text.index("## Counterexamples") :]
    assert "### GOV-PARAMS" in section
    assert "hypothesis (from the example database)" in section
    assert "points/0008/traces/GOV-PARAMS.z3.itf.json" in markdown_links(section)
    tree = parse_page(render_html(document))
    (group,) = tree.findall(".//section[@id='cx-GOV-PARAMS']")
    items = group.findall(".//li")
    assert len(items) == 2
    assert "hypothesis (from the example database)" in "".join(items[1].itertext())


def test_html__the_table_stops_at_its_limit_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sweep_render, "HTML_ROW_LIMIT", 5)
    document = corner_document()
    tree = parse_page(render_html(document))
    assert len(tree.findall(".//section[@id='points']//tbody/tr")) == 5
    text = " ".join(tree.find(".//section[@id='points']").itertext())
    assert "4 more points are left out of this table" in text
    markdown = render_markdown(document)
    assert len(next(t for t in markdown_tables(markdown) if t[0][0] == "#")) == 10


def test_hostile_strings_are_escaped_everywhere() -> None:
    """A key name, a value, a detail and a folder carrying markup stay text; an unsafe folder or
    trace path gets no link."""
    key = f"payment.{HOSTILE}"
    document = make_document({key: [1, 2]}, lambda v: "fail" if v[key] == 2 else "pass", regions=[])
    document["spec"]["profile"] = HOSTILE
    failing = document["points"][1]
    failing["counterexamples"][0]["detail"] = f"{HOSTILE} | `x` [y](javascript:z)"
    failing["counterexamples"][0]["trace"] = "https://example.com/x.json"
    failing["folder"] = "../outside"
    document["points"][0]["values"][key] = 1
    page = render_html(document)
    tree = parse_page(page)
    assert not tree.findall(".//script")
    assert "<script>" not in page
    assert HOSTILE in " ".join(tree.itertext())
    hrefs = [a.get("href") for a in tree.iter("a")]
    assert "../outside/report.html" not in hrefs
    assert not any(href.startswith("https:") for href in hrefs)
    text = render_markdown(document)
    rendered = MarkdownIt("commonmark").enable("table").render(text)
    assert "<script" not in rendered
    assert not any(
        link.startswith(("javascript:", "https:", "../")) for link in markdown_links(text)
    )
    assert re.search(r"&lt;script&gt;alert\(1\)&lt;/script&gt;", rendered)
