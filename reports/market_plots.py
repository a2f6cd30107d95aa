"""The report's two market plots: the §6.4 burn a real pool delivers, and the node's pay in USD
when the STR price moves between prepayment and payout (§6.3.3).

Both read the model's exact integers for the checked parameters (`compute_payment_split`,
`compute_str_payout`, `compute_swap_output`), so tests check the numbers; floats appear only to
place marks. The figures go through `reports.plots`' fixed rc settings and SVG writer.
"""

from __future__ import annotations

from fractions import Fraction

from attrs import frozen

from model.params import Params
from model.payment import compute_payment_split, compute_str_payout
from model.stratoswap import compute_swap_output
from model.units import BPS_DENOMINATOR, MICRO, Bps, UsdMicro
from reports.plots import (
    BASE_COLOR,
    CHECKED_COLOR,
    LIMIT_COLOR,
    PLOT_COST,
    Plot,
    PlotInputs,
    compute_burn_share_bps,
    figure_to_svg,
    format_bps,
    format_usd,
    open_figure,
)

DEPTHS: tuple[int, ...] = (1, 2, 5, 10, 20, 50, 100, 1_000, 10_000, 100_000, 1_000_000)
"""Pool STB depth, as multiples of the swap reserve's order."""

PLOTTED_FEES: tuple[Bps, ...] = (0, 30, 100)
"""Stratoswap commissions drawn: none, Uniswap v2's 0.3% (the default), and 1%."""

FEE_COLORS: tuple[str, ...] = ("#2e8b57", CHECKED_COLOR, "#b3261e")

POOL_PRICE = Fraction(1)
"""USD per STR in the pool before the order; the burn share does not depend on it."""

PRICE_RATIOS: tuple[Fraction, ...] = tuple(
    Fraction(n, d)
    for n, d in ((1, 4), (1, 3), (1, 2), (2, 3), (1, 1), (3, 2), (2, 1), (3, 1), (4, 1))
)
"""STR price at payout over STR price at the prepayment deposit."""

DEPOSIT_PRICE = Fraction(1)
"""USD per STR at the prepayment deposit (the pay scales with the ratio only)."""


@frozen
class BurnPoint:
    """The burn of one $100 payment against a pool `depth` times the reserve's order deep."""

    depth: int
    burned_usd: Fraction
    """The STR burn part plus the STR the reserve's order buys, valued at the pool's price."""
    share_bps: Fraction
    """`burned_usd` as a share of total spend T, in bps."""


def burn_share_points(
    params: Params, fee_bps: Bps, *, cost: UsdMicro = PLOT_COST
) -> tuple[BurnPoint, ...]:
    """§6.4, §6.7: a payment's total burn share against pool depth, at commission `fee_bps`: the
    STR burn part of T plus the STR the reserve's STB buys on a constant-product pool (§6.6)
    holding `depth` times the order in STB and as much in value of STR."""
    split = compute_payment_split(cost, params)
    burn_ustr = compute_str_payout(split, POOL_PRICE).burn_ustr
    order = split.stb_swap_reserve
    points = []
    for depth in DEPTHS:
        pool_stb = depth * order
        pool_str = int(pool_stb / POOL_PRICE)
        bought = compute_swap_output(pool_stb, pool_str, order, fee_bps) if order > 0 else 0
        burned_usd = (burn_ustr + bought) * POOL_PRICE
        share = burned_usd * BPS_DENOMINATOR / split.total if split.total else Fraction(0)
        points.append(BurnPoint(depth=depth, burned_usd=burned_usd, share_bps=share))
    return tuple(points)


@frozen
class PayPoint:
    """The node's pay at payout, in micro-dollars, for one price ratio."""

    ratio: Fraction
    fixed_usd: Fraction
    """STR fixed at the deposit price (§6.3.3 literally), valued at the payout price."""
    recomputed_usd: Fraction
    """STR recomputed from the USD share of T at the payout price."""


def node_pay_points(params: Params, *, cost: UsdMicro = PLOT_COST) -> tuple[PayPoint, ...]:
    """§6.3.3: the node's STB plus its STR valued at the payout price, when the STR is the
    amount bought at the deposit price and when it is recomputed at the payout price."""
    split = compute_payment_split(cost, params)
    fixed_ustr = compute_str_payout(split, DEPOSIT_PRICE).node_ustr
    points = []
    for ratio in PRICE_RATIOS:
        payout_price = DEPOSIT_PRICE * ratio
        recomputed_ustr = compute_str_payout(split, payout_price).node_ustr
        points.append(
            PayPoint(
                ratio=ratio,
                fixed_usd=split.node_stb + fixed_ustr * payout_price,
                recomputed_usd=split.node_stb + recomputed_ustr * payout_price,
            )
        )
    return tuple(points)


def render_market_plots(inputs: PlotInputs) -> tuple[Plot, ...]:
    """The burn-against-depth and the node-pay-against-price plots, for the checked set."""
    return render_burn_depth_plot(inputs), render_node_pay_plot(inputs)


def render_burn_depth_plot(inputs: PlotInputs) -> Plot:
    """Lines on a log x axis: the burn share of T against pool depth, one line per commission,
    and §6.4's stated share as a limit line."""
    params = inputs.checked
    stated = compute_burn_share_bps(params)
    title = "Burn share of total spend against Stratoswap depth"
    series = [(fee, burn_share_points(params, fee)) for fee in PLOTTED_FEES]
    with open_figure() as figure:
        axes = figure.add_subplot()
        for (fee, points), color in zip(series, FEE_COLORS, strict=True):
            axes.plot(
                [point.depth for point in points],
                [float(point.share_bps) / 100 for point in points],
                color=color,
                marker="o",
                markersize=3,
                label=f"commission {format_bps(fee)}",
            )
        axes.axhline(
            stated / 100, color=LIMIT_COLOR, linestyle="--", linewidth=1, label="§6.4 share"
        )
        axes.set_xscale("log")
        axes.set_xlabel("pool STB depth / the swap reserve's order")
        axes.set_ylabel("burned, % of total spend")
        axes.set_title(title)
        axes.legend(frameon=False, loc="lower right")
        svg = figure_to_svg(figure, "plot-burn-depth")
    shallow = {fee: points[0].share_bps for fee, points in series}
    deep = {fee: points[-1].share_bps for fee, points in series}
    caption = (
        f"§6.4, §6.6, §6.7: what one {format_usd(PLOT_COST)} payment burns, as a share of T, "
        f"for the {inputs.checked_label} parameters ({inputs.checked_source}): the STR burn part "
        f"plus the STR the swap reserve's market order buys on a constant-product pool holding "
        f"the given multiple of the order in STB and as much in value of STR, valued at the "
        f"pool's price before the order; exact values from the model's split and curve. §6.4 "
        f"states {format_bps(stated)}. At a depth of 1: "
        + ", ".join(f"{format_bps(fee)} fee {_percent(share)}" for fee, share in shallow.items())
        + f"; at {DEPTHS[-1]:,}: "
        + ", ".join(f"{format_bps(fee)} fee {_percent(share)}" for fee, share in deep.items())
        + ". Only a fee-less, infinitely deep pool reaches the stated share."
    )
    return Plot(id="plot-burn-depth", title=title, caption=caption, svg=svg)


def render_node_pay_plot(inputs: PlotInputs) -> Plot:
    """Two lines on a log x axis: the node's USD pay at payout against the STR price ratio."""
    points = node_pay_points(inputs.checked)
    title = "Node pay at payout against the STR price move"
    with open_figure() as figure:
        axes = figure.add_subplot()
        xs = [float(point.ratio) for point in points]
        axes.plot(
            xs,
            [float(point.fixed_usd) / MICRO for point in points],
            color=BASE_COLOR,
            marker="o",
            markersize=3,
            label="STR fixed at the deposit price (§6.3.3 literally)",
        )
        axes.plot(
            xs,
            [float(point.recomputed_usd) / MICRO for point in points],
            color=CHECKED_COLOR,
            marker="s",
            markersize=3,
            label="STR recomputed at the payout price",
        )
        axes.set_xscale("log")
        axes.set_xticks(xs, [str(point.ratio) for point in points])
        axes.set_xlabel("STR price at payout / at deposit")
        axes.set_ylabel("node pay, USD at payout")
        axes.set_title(title)
        axes.legend(frameon=False, loc="upper left")
        svg = figure_to_svg(figure, "plot-node-pay")
    low, high = points[0], points[-1]
    caption = (
        f"§6.3.3: a node's pay for a {format_usd(PLOT_COST)} cost ({inputs.checked_label} "
        f"parameters), its STB plus its STR valued at the payout price. Read literally, the node "
        f"receives the STR bought at the deposit price, so its pay moves with STR: "
        f"{_usd(low.fixed_usd)} at {low.ratio} and {_usd(high.fixed_usd)} at {high.ratio}. "
        f"Recomputing the STR at the payout price keeps the USD share of T: "
        f"{_usd(low.recomputed_usd)} and {_usd(high.recomputed_usd)} (the node takes the "
        f"conversion dust). Exact values from the model's split and STR payout."
    )
    return Plot(id="plot-node-pay", title=title, caption=caption, svg=svg)


def _percent(share_bps: Fraction) -> str:
    """A bps share as a percentage, floored to a hundredth of a bps: 1499.87 -> "14.9987%"."""
    whole, fraction = divmod(int(share_bps * 100), 10_000)
    return f"{whole}.{fraction:04d}%"


def _usd(micro: Fraction) -> str:
    """Micro-dollars (possibly fractional) as dollars, floored to the micro-dollar."""
    return format_usd(int(micro))
