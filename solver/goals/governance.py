"""Goal of GOV-PARAMS (§6.8): the shares are coherent, read from the whitepaper's table.

§6.8 names the payment's parts as shares of T: the cost basis (10^4 / rate of T) and the two
margins make up all of T; the STB margin is the node's STB profit plus the swap reserve; the STR
margin is the node's STR profit plus the burn plus network support. §3.3 and §6.8's thresholds
can only be met if they are below one. Written here on terms, apart from `model.coherence`.
"""

from __future__ import annotations

import z3

from model.units import BPS_DENOMINATOR
from solver.goals import Formula, ParamGetter

COHERENCE_KEYS: tuple[str, ...] = (
    "payment.payment_rate_bps",
    "payment.stb_profit_margin_bps",
    "payment.stb_node_profit_bps",
    "payment.stb_reserve_swap_bps",
    "payment.str_profit_margin_bps",
    "payment.str_node_profit_bps",
    "payment.str_burn_bps",
    "payment.str_network_support_bps",
    "consensus.threshold_num",
    "consensus.threshold_den",
    "governance.supermajority_num",
    "governance.supermajority_den",
)
"""Every key §6.8's coherence speaks of, in a fixed order (a change's `key` indexes it)."""


def is_coherent(get: ParamGetter) -> Formula:
    """§6.8 GOV-PARAMS: cost + STB margin + STR margin = 100% of T, each margin's sub-shares sum
    to it, and both thresholds are fractions below one."""
    margins = get("payment.stb_profit_margin_bps") + get("payment.str_profit_margin_bps")
    stb_parts = get("payment.stb_node_profit_bps") + get("payment.stb_reserve_swap_bps")
    str_parts = (
        get("payment.str_node_profit_bps")
        + get("payment.str_burn_bps")
        + get("payment.str_network_support_bps")
    )
    return z3.And(
        get("payment.payment_rate_bps") * (BPS_DENOMINATOR - margins)
        == BPS_DENOMINATOR * BPS_DENOMINATOR,
        stb_parts == get("payment.stb_profit_margin_bps"),
        str_parts == get("payment.str_profit_margin_bps"),
        get("consensus.threshold_num") < get("consensus.threshold_den"),
        get("governance.supermajority_num") < get("governance.supermajority_den"),
    )


def is_kept_coherent(
    now: ParamGetter, after: ParamGetter, accepted: Formula, *, given: bool
) -> Formula:
    """GOV-PARAMS over governance: a change the tally applies (`accepted`) leaves the set
    coherent; with `given` False the current set's coherence is part of the goal too."""
    step = z3.Implies(accepted, is_coherent(after))
    return step if given else z3.And(is_coherent(now), step)
