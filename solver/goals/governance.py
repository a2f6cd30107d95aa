"""Goal of GOV-PARAMS (§6.8): the shares are coherent, read from the whitepaper's table.

§6.8 names the payment's parts as shares of T: the cost basis (10^4 / rate of T) and the two
margins make up all of T; the STB margin is the node's STB profit plus the swap reserve; the STR
margin is the node's STR profit plus the burn plus network support. §3.3 and §6.8's thresholds
can only be met if they are below one. Written here on terms, apart from `model.coherence`.
"""

from __future__ import annotations

import z3

from model.constitution import HARDENED_CONSTITUTION
from model.units import BPS_DENOMINATOR
from solver.goals import Formula, ParamGetter, Term

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


CONSTITUTION_BOUNDS: tuple[str, ...] = (
    *sorted(HARDENED_CONSTITUTION.rows),
    *(f"{bound.num_key}/{bound.den_key}" for bound in HARDENED_CONSTITUTION.ratio_bounds),
)
"""Every bound of the constitution: a key's range, then each fraction's, in a fixed order (a
claim's `constitution.bound` input indexes it, so a counterexample names the bound it breaks)."""


def is_within_constitution(get: ParamGetter, bound: Term | None = None) -> Formula:
    """§6.8 GOV-PARAMS: every key inside the range the constitution gives it, and each fraction
    of two keys inside its bound (docs/constitution.md; the ranges the invariants need, whatever
    the profile enforces). With `bound`, the bound of that number in `CONSTITUTION_BOUNDS`."""
    rows = sorted(HARDENED_CONSTITUTION.rows.items())
    held = [z3.And(row.minimum <= get(name), get(name) <= row.maximum) for name, row in rows]
    held += [
        z3.And(
            get(fraction.num_key) * fraction.least.den
            >= fraction.least.num * get(fraction.den_key),
            get(fraction.num_key) < get(fraction.den_key),
        )
        for fraction in HARDENED_CONSTITUTION.ratio_bounds
    ]
    if bound is None:
        return z3.And(*held)
    return z3.And(*(z3.Implies(bound == index, each) for index, each in enumerate(held)))


def is_kept_coherent(
    now: ParamGetter,
    after: ParamGetter,
    accepted: Formula,
    *,
    given: bool,
    bound: Term | None = None,
) -> Formula:
    """GOV-PARAMS over governance: a change the tally applies (`accepted`) leaves the set
    coherent; with `given` False the current set's coherence and its fit to the constitution
    (the bound numbered `bound`, or all) are part of the goal too."""
    step = z3.Implies(accepted, is_coherent(after))
    return step if given else z3.And(is_within_constitution(now, bound), is_coherent(now), step)
