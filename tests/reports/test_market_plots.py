"""Tests of reports.market_plots: the burn-against-depth and node-pay plots, their numbers and
their place in report.html."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest

from model.params import WHITEPAPER_PARAMS
from model.profile import HARDENED
from reports.market_plots import (
    DEPTHS,
    PLOTTED_FEES,
    PRICE_RATIOS,
    burn_share_points,
    node_pay_points,
    render_market_plots,
)
from reports.plots import PlotInputs, compute_burn_share_bps

INPUTS = PlotInputs(
    base=WHITEPAPER_PARAMS,
    checked=WHITEPAPER_PARAMS,
    profile=HARDENED,
    base_source="whitepaper",
    checked_source="whitepaper",
)


@pytest.mark.parametrize("fee", PLOTTED_FEES)
def test_burn_share__rises_with_depth_and_stays_under_the_stated_share(fee: int) -> None:
    points = burn_share_points(WHITEPAPER_PARAMS, fee)
    assert [point.depth for point in points] == list(DEPTHS)
    shares = [point.share_bps for point in points]
    assert shares == sorted(shares) and shares[0] < shares[-1]
    assert all(share < compute_burn_share_bps(WHITEPAPER_PARAMS) for share in shares)


def test_burn_share__a_higher_fee_burns_less_at_every_depth() -> None:
    by_fee = [burn_share_points(WHITEPAPER_PARAMS, fee) for fee in sorted(PLOTTED_FEES)]
    for lower, higher in itertools.pairwise(by_fee):
        assert all(a.share_bps > b.share_bps for a, b in zip(lower, higher, strict=True))


def test_burn_share__fee_less_deep_pool_nears_15_percent() -> None:
    """With no fee the reserve's $10 against a pool of a million times that loses well under a
    ustr's worth: the total is within 0.01 bps of §6.4's 15% (1,500 bps)."""
    deepest = burn_share_points(WHITEPAPER_PARAMS, 0)[-1]
    assert 1_500 - Fraction(1, 100) < deepest.share_bps < 1_500


def test_burn_share__pool_as_deep_as_the_order_is_half_the_reserve_part() -> None:
    """§6.6: selling as much STB as the pool holds, with no fee, buys half its STR: $5 of the
    reserve's $10, so $25 of the $200 T is burned (12.5%)."""
    shallow = burn_share_points(WHITEPAPER_PARAMS, 0)[0]
    assert shallow.depth == 1
    assert shallow.burned_usd == 25_000_000
    assert shallow.share_bps == 1_250


def test_node_pay__fixed_str_moves_with_the_price_recomputed_does_not() -> None:
    points = node_pay_points(WHITEPAPER_PARAMS)
    assert [point.ratio for point in points] == list(PRICE_RATIOS)
    fixed = [point.fixed_usd for point in points]
    assert fixed == sorted(fixed) and fixed[0] < fixed[-1]
    at_par = points[PRICE_RATIOS.index(Fraction(1))]
    # §6.3.3: $110 of STB and $40 of STR.
    assert at_par.fixed_usd == at_par.recomputed_usd == 150_000_000
    # The fixed STR is $40 at the deposit price: worth $10 at a quarter of it, $160 at four times.
    assert points[0].fixed_usd == 120_000_000 and points[-1].fixed_usd == 270_000_000
    # Recomputed, the node keeps $150 less the conversion dust, which it takes (under a ustr).
    for point in points:
        assert 150_000_000 - point.ratio <= point.recomputed_usd <= 150_000_000 + point.ratio * 3


def test_render__two_plots_with_svg_and_captions() -> None:
    plots = render_market_plots(INPUTS)
    assert [plot.id for plot in plots] == ["plot-burn-depth", "plot-node-pay"]
    for plot in plots:
        assert plot.svg.startswith("<svg") and plot.svg.rstrip().endswith("</svg>")
        assert f'id="{plot.id}-' in plot.svg
        assert plot.caption.strip()
    assert "15%" in plots[0].caption
    assert render_market_plots(INPUTS) == plots
