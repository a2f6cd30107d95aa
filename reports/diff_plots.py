"""`diff`'s four figures: the payment split, the burn share, the slash schedule and the STR supply,
the old parameter set drawn beside the new one.

The payment-split, slash and supply figures are the report's own (`reports.plots`) with OLD and
NEW in the places of base and checked; the burn share is drawn here. A set whose shares do not
add up (GOV-PARAMS) is named in the titles. Same documents, same SVG bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from model.params import ParamsError
from model.profile import PROFILES, Profile
from reports.diff import get_flag
from reports.param_documents import parse_param_set
from reports.plots import (
    BASE_COLOR,
    CHECKED_COLOR,
    LIMIT_COLOR,
    Plot,
    PlotError,
    PlotInputs,
    compute_burn_share_bps,
    figure_to_svg,
    format_bps,
    open_figure,
    render_payment_split_plot,
    render_slash_schedule_plot,
    render_supply_plot,
)

DIFF_PLOT_FILES: tuple[tuple[str, str], ...] = (
    ("plot-payment-split", "diff-payment-split.svg"),
    ("plot-burn-share", "diff-burn-share.svg"),
    ("plot-slash-schedule", "diff-slash-schedule.svg"),
    ("plot-supply", "diff-supply.svg"),
)
"""Each figure's id and the file `diff --out` writes it to, in the order they are shown."""


def _profile(document: Mapping[str, Any]) -> Profile:
    name = document["inputs"]["profile"]
    if not isinstance(name, str) or name not in PROFILES:
        raise PlotError(f"inputs.profile: expected one of {', '.join(sorted(PROFILES))}")
    return PROFILES[name]


def read_diff_inputs(old: Mapping[str, Any], new: Mapping[str, Any]) -> PlotInputs:
    """The two reports' parameter sets and profiles, OLD as the base and NEW as the checked."""
    try:
        old_params = parse_param_set(old["inputs"]["params"])
        new_params = parse_param_set(new["inputs"]["params"])
        old_source, new_source = old["inputs"]["source"], new["inputs"]["source"]
        old_profile, new_profile = _profile(old), _profile(new)
    except KeyError as error:
        raise PlotError(f"report document: missing {error.args[0]!r} under inputs") from None
    except ParamsError as error:
        raise PlotError(f"report document: {error}") from None
    return PlotInputs(
        base=old_params,
        checked=new_params,
        profile=old_profile,
        base_source=str(old_source),
        checked_source=str(new_source),
        base_label="old",
        checked_label="new",
        checked_profile=new_profile,
    )


def render_burn_share_plot(inputs: PlotInputs, flag: str = "") -> Plot:
    """Stacked bars: §6.4's burn share of total spend, STR burn plus the STB swap reserve (which
    buys STR to burn), old above new; `flag` (the diff's GOV-PARAMS flag) names an incoherent
    set in the title."""
    rows = (
        (inputs.base_label, inputs.base),
        (inputs.checked_label, inputs.checked),
    )
    title = "Burn share of total spend (§6.4)" + (f"; {flag}" if flag else "")
    with open_figure() as figure:
        figure.set_size_inches(7.2, 2.6)
        axes = figure.add_subplot()
        names = [name for name, _ in rows]
        burns = [params.payment.str_burn_bps / 100 for _, params in rows]
        reserves = [params.payment.stb_reserve_swap_bps / 100 for _, params in rows]
        axes.barh(names, burns, color=CHECKED_COLOR, label="STR burn")
        axes.barh(names, reserves, left=burns, color=BASE_COLOR, label="STB swap reserve")
        for position, (_, params) in enumerate(rows):
            share = compute_burn_share_bps(params)
            axes.text(share / 100, position, f"  {format_bps(share)}", va="center", fontsize=8)
        axes.invert_yaxis()
        axes.set_xlabel("% of total spend")
        axes.margins(x=0.15)
        heading = axes.set_title(title)
        if flag:
            heading.set_color(LIMIT_COLOR)
        axes.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7)
        svg = figure_to_svg(figure, "plot-burn-share")
    caption = (
        "§6.4: the share of total spend burned is the STR burn share plus the STB swap-reserve "
        "share (the reserve's STB buys STR, which is burned, §6.7). "
        + "; ".join(
            f"{name.capitalize()}: {format_bps(params.payment.str_burn_bps)} + "
            f"{format_bps(params.payment.stb_reserve_swap_bps)} = "
            f"{format_bps(compute_burn_share_bps(params))}"
            for name, params in rows
        )
        + "."
    )
    if flag:
        caption += f" GOV-PARAMS: {flag}; the stated shares are drawn as they are."
    return Plot(id="plot-burn-share", title=title, caption=caption, svg=svg)


def render_diff_plots(
    result_document: Mapping[str, Any], old: Mapping[str, Any], new: Mapping[str, Any]
) -> tuple[Plot, ...]:
    """The payment split, burn share, slash schedule and supply of OLD beside NEW, in the order
    of `DIFF_PLOT_FILES`."""
    inputs = read_diff_inputs(old, new)
    coherence = result_document.get("coherence")
    flag = get_flag(coherence) if coherence else ""
    return (
        render_payment_split_plot(inputs),
        render_burn_share_plot(inputs, flag),
        render_slash_schedule_plot(inputs),
        render_supply_plot(inputs),
    )
