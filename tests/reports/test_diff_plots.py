"""`diff`'s files: the before/after plots, the supply effect, and a set whose shares do not add
up flagged wherever it is drawn or tabulated (diff.json, diff.md, diff.html, the plots)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import html5lib
import pytest

from model.params import WHITEPAPER_PARAMS, with_values
from model.profile import HARDENED
from reports.check import CheckOptions, run_check
from reports.diff import SUPPLY_YEARS, diff_reports
from reports.diff_html import render_diff_files
from reports.diff_plots import DIFF_PLOT_FILES
from reports.inputs import load_params
from reports.plots import (
    REMAINDER_LABEL,
    PlotInputs,
    draw_payment_split,
    render_payment_split_plot,
    supply_projection_points,
)
from reports.report import to_document

ROOT = Path(__file__).resolve().parents[2]
DEFAULTS = ROOT / "fixtures" / "params" / "whitepaper.json"
PROPOSALS = ROOT / "fixtures" / "proposals"
SVG = "{http://www.w3.org/2000/svg}svg"


def _document(path: Path) -> dict[str, Any]:
    options = CheckOptions(effort="quick", only=("GOV-PARAMS",), engines=("z3",))
    return to_document(run_check(load_params(path), options, with_keys=False).report)


@pytest.fixture(scope="module")
def defaults() -> dict[str, Any]:
    return _document(DEFAULTS)


@pytest.fixture(scope="module")
def burn_alone() -> dict[str, Any]:
    return _document(PROPOSALS / "burn-12pct-alone.legacy.json")


@pytest.fixture(scope="module")
def payment_v1() -> dict[str, Any]:
    return _document(PROPOSALS / "payment.gov-v1.json")


def _files(old: dict[str, Any], new: dict[str, Any]) -> dict[str, str]:
    return render_diff_files(diff_reports(old, new).document, old, new)


def _svg_text(svg: str) -> str:
    """Every text node of an SVG document, as one string (matplotlib keeps text as text)."""
    root = ET.fromstring(svg.encode("utf-8"))
    assert root.tag == SVG
    return " ".join(" ".join(element.itertext()) for element in root.iter())


def test_render_diff_files__every_file_and_the_same_bytes_twice(
    defaults: dict[str, Any], payment_v1: dict[str, Any]
) -> None:
    files = _files(defaults, payment_v1)
    assert set(files) == {"diff.json", "diff.md", "diff.html", *(n for _, n in DIFF_PLOT_FILES)}
    assert files == _files(defaults, payment_v1)
    for _, name in DIFF_PLOT_FILES:
        # A standalone SVG file: an XML prolog, an svg root, no date stamped in it.
        assert files[name].startswith("<?xml ")
        _svg_text(files[name])
        assert "<dc:date>" not in files[name]
        assert f"]({name})" in files["diff.md"]


def test_diff_html__valid_self_contained_with_the_plots_inline(
    defaults: dict[str, Any], burn_alone: dict[str, Any]
) -> None:
    page = _files(defaults, burn_alone)["diff.html"]
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    tree = parser.parse(page)
    assert not parser.errors
    assert len(tree.findall(".//figure/{http://www.w3.org/2000/svg}svg")) == len(DIFF_PLOT_FILES)
    assert not tree.findall(".//script") and not tree.findall(".//link")
    assert not re.search(r'(?:src|href)="(?:https?:)?//', page)
    text = " ".join(tree.itertext())
    assert "after incoherent: str-sub-shares" in text
    assert "payment.str_burn_bps" in text


def test_payment_split_plot__an_incoherent_set_is_flagged_and_its_remainder_drawn_apart(
    defaults: dict[str, Any], burn_alone: dict[str, Any]
) -> None:
    svg = _files(defaults, burn_alone)["diff-payment-split.svg"]
    text = _svg_text(svg)
    assert "new incoherent: str-sub-shares" in text
    assert "over-assigned" in text
    # The node's STR profit at its stated 20% of T ($40), the $4 beyond the margin apart.
    assert "$40" in text and "-$4" in text
    burn_svg = _svg_text(_files(defaults, burn_alone)["diff-burn-share.svg"])
    assert "after incoherent: str-sub-shares" in burn_svg


def test_payment_split_plot__coherent_sets_draw_no_remainder() -> None:
    checked = with_values(WHITEPAPER_PARAMS, {("payment", "str_burn_bps"): 1_200})
    inputs = PlotInputs(WHITEPAPER_PARAMS, WHITEPAPER_PARAMS, HARDENED, "a", "b")
    plain = render_payment_split_plot(inputs)
    assert "incoherent" not in plain.title and "incoherent" not in plain.caption
    assert "over-assigned" not in _svg_text(plain.svg)
    flagged = render_payment_split_plot(PlotInputs(WHITEPAPER_PARAMS, checked, HARDENED, "a", "b"))
    assert flagged.title.endswith("checked incoherent: str-sub-shares")
    assert "over-assigned" in flagged.caption and "not as node profit" in flagged.caption


@pytest.mark.parametrize(
    ("changes", "rules", "remainder"),
    [
        ({("payment", "str_burn_bps"): 1_200}, ("str-sub-shares",), -4_000_000),
        ({("payment", "stb_reserve_swap_bps"): 400}, ("stb-sub-shares",), 2_000_000),
        # T = $250 for a $100 cost, but the margins leave only half of it: $25 unassigned.
        ({("payment", "payment_rate_bps"): 25_000}, ("cost-plus-margins",), 25_000_000),
    ],
)
def test_draw_payment_split__stated_shares_and_the_remainder(
    changes: dict[tuple[str, str], int], rules: tuple[str, ...], remainder: int
) -> None:
    drawn = draw_payment_split(with_values(WHITEPAPER_PARAMS, changes))
    assert drawn.rules == rules
    assert drawn.remainder == remainder
    assert drawn.describe() == f"incoherent: {', '.join(rules)}"
    assert REMAINDER_LABEL not in dict(drawn.rows)


def test_supply_effect__one_five_and_ten_years(
    defaults: dict[str, Any], payment_v1: dict[str, Any]
) -> None:
    document = diff_reports(defaults, payment_v1).document
    supply = document["supply_effect_ustr"]
    before = supply_projection_points(WHITEPAPER_PARAMS)
    new_params = load_params(PROPOSALS / "payment.gov-v1.json").params
    after = supply_projection_points(new_params)
    assert [row["year"] for row in supply["years"]] == list(SUPPLY_YEARS)
    for row in supply["years"]:
        assert (row["before"], row["after"]) == (before[row["year"]], after[row["year"]])
        assert row["delta"] == row["after"] - row["before"]
        assert row["flag"] == ""
    # The proposal burns 15% + 8% of spend instead of 10% + 5%: less STR after ten years.
    assert document["burn_share_bps"]["after"] == 2_300
    assert supply["years"][-1]["delta"] < 0
    markdown = _files(defaults, payment_v1)["diff.md"]
    assert "## STR supply effect (projection)" in markdown
    assert "incoherent" not in markdown
