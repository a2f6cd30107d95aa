"""Goals of the payment claims (§6.3, §6.4, §6.8): each part of T is the share §6.8 names for it.

The model's T is checked against the cost and the rate (§6.3: T = rate x C, the developer
keeping the fraction of a micro-dollar). Each part is compared with its own key's exact share of
T, T x bps / 10^4, with the dust docs/model.md documents (under a micro-dollar per floored
division a part absorbs). The bounds are written as products, without division, which keeps the
queries within reach of a second solver (cvc5) for all parameters.
"""

from __future__ import annotations

import z3

from model.units import BPS_DENOMINATOR
from solver.goals import Formula, ParamGetter, Term

BURN_DUST = 2
"""Micro-dollars the burn may fall short of its share: one per floored part (burn, reserve)."""


def is_total(cost: Term, get: ParamGetter, total: Term) -> Formula:
    """§6.3: T = floor(C x payment_rate_bps / 10^4), written without division:
    0 <= C x rate - 10^4 x T < 10^4."""
    short = cost * get("payment.payment_rate_bps") - BPS_DENOMINATOR * total
    return z3.And(short >= 0, short < BPS_DENOMINATOR)


def is_share(total: Term, bps: Term, part: Term, *, over: int, under: int) -> Formula:
    """`part` is the exact share T x bps / 10^4 of T, above it by less than `over` micro-dollars
    and below it by less than `under` (with `over` 0: by at most nothing; each floored division
    a part absorbs leaves it under a micro-dollar). Written without division, as
    -over x 10^4 < T x bps - 10^4 x part < under x 10^4 (<= 0 when `under` is 0)."""
    gap = total * bps - BPS_DENOMINATOR * part
    upper = gap < under * BPS_DENOMINATOR if under else gap <= 0
    lower = gap > -over * BPS_DENOMINATOR if over else gap >= 0
    return z3.And(lower, upper)


def is_split_as_stated(cost: Term, get: ParamGetter, parts: dict[str, Term]) -> Formula:
    """CONS-SPLIT (§6.3, §6.8): the parts are T's, each at its key's share, none negative.

    `parts` names the subject's total and six parts by the fields of a split (`total`,
    `stb_cost_basis`, `stb_node_profit`, `stb_swap_reserve`, `str_node_profit_usd`,
    `str_burn_usd`, `str_network_support_usd`). The dust (docs/model.md): the swap reserve, the
    burn and network support are their shares rounded down; the node's STB profit is its
    margin's floor less the reserve's (within a micro-dollar of its share either way), its STR
    profit its margin's floor less two floors (under two above, under one below); the cost basis
    is T less both margins' floors (under two above its share, never below)."""
    total = parts["total"]
    margins = get("payment.stb_profit_margin_bps") + get("payment.str_profit_margin_bps")
    six = [parts[name] for name in PART_NAMES]
    return z3.And(
        is_total(cost, get, total),
        z3.Sum(*six) == total,
        *(part >= 0 for part in six),
        is_share(
            total, get("payment.stb_reserve_swap_bps"), parts["stb_swap_reserve"], over=0, under=1
        ),
        is_share(total, get("payment.str_burn_bps"), parts["str_burn_usd"], over=0, under=1),
        is_share(
            total,
            get("payment.str_network_support_bps"),
            parts["str_network_support_usd"],
            over=0,
            under=1,
        ),
        is_share(
            total, get("payment.stb_node_profit_bps"), parts["stb_node_profit"], over=1, under=1
        ),
        is_share(
            total, get("payment.str_node_profit_bps"), parts["str_node_profit_usd"], over=2, under=1
        ),
        is_share(total, BPS_DENOMINATOR - margins, parts["stb_cost_basis"], over=2, under=0),
    )


PART_NAMES = (
    "stb_cost_basis",
    "stb_node_profit",
    "stb_swap_reserve",
    "str_node_profit_usd",
    "str_burn_usd",
    "str_network_support_usd",
)
"""The six parts of a split (§6.3), in the order of the split's fields."""


def is_cost_covered(
    cost: Term, get: ParamGetter, total: Term, cost_basis: Term, node_stb: Term
) -> Formula:
    """PAY-COST (§6.3.1, §6.8): costs are "fully covered in STB", with a dust rule.

    The cost basis is at least the cost C and exceeds it by less than one bp of T, plus under
    two micro-dollars (the cost basis is a whole number of bps of T, the cost rounded up to one,
    and it absorbs both margins' floors): 0 <= 10^4 x (basis - C) < T + 2 x 10^4. The node's STB
    (cost basis and STB profit) is at least C, and is C plus its STB profit share of T
    (T x stb_node_profit_bps / 10^4) to within the same dust: less than one micro-dollar below
    (T's own rounding), less than one bp of T plus two micro-dollars above."""
    spare = BPS_DENOMINATOR * (cost_basis - cost)
    gap = BPS_DENOMINATOR * (node_stb - cost) - total * get("payment.stb_node_profit_bps")
    return z3.And(
        is_total(cost, get, total),
        cost_basis >= cost,
        spare < total + 2 * BPS_DENOMINATOR,
        node_stb >= cost,
        gap > -BPS_DENOMINATOR,
        gap < total + 2 * BPS_DENOMINATOR,
    )


def get_burn_share(get: ParamGetter) -> Term:
    """§6.4: the total burn share: the STR burn share plus the STB reserve share (15% at the
    defaults), both of T."""
    return get("payment.str_burn_bps") + get("payment.stb_reserve_swap_bps")


def is_burn_as_stated(cost: Term, get: ParamGetter, total: Term, burned: Term) -> Formula:
    """PAY-BURN (§6.4): T is rate x C, and what one payment burns (the STR burn part and the
    reserve's STB) is the burn share of T, short of it by less than BURN_DUST micro-dollars,
    never over it."""
    short = total * get_burn_share(get) - burned * BPS_DENOMINATOR
    return z3.And(is_total(cost, get, total), short >= 0, short < BURN_DUST * BPS_DENOMINATOR)


def is_reserve_burned(
    reserve_stb: tuple[Term, Term],
    pool_str: tuple[Term, Term],
    burned: Term,
    reserve_str: tuple[Term, Term],
) -> Formula:
    """PAY-BURN (§6.7): the swap reserve's market order spends all of its STB (before,
    after), and the STR it receives, what leaves the pool (before, after), is
    all burned: the burned count rises by exactly that much and the reserve's STR (before,
    after) is unchanged. The price the pool pays at is PAY-BURN-MARKET's."""
    bought = pool_str[0] - pool_str[1]
    return z3.And(
        reserve_stb[1] == 0,
        bought >= 0,
        burned == bought,
        reserve_str[1] == reserve_str[0],
    )
