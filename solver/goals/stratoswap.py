"""Goal of PAY-BURN-MARKET (§6.4, §6.6, §6.7): the swap reserve's market order pays the curve.

§6.6 gives Stratoswap a liquidity pool and §6.7 has the swap reserve "place a market order for
STR with STB" on it and burn what it receives. Read as a constant-product pool (docs/model.md):
the pool pays the most STR that keeps (X + a(1 - f)) * (Y - out) >= X * Y, f the commission.
Valued at the pool's price before the order (Y / X), that STR is worth no more than the STB
spent, and less by at most the fee, the price impact a / X, and the one ustr the floor keeps.
Everything is written as products, without division, apart from `model.stratoswap`.
"""

from __future__ import annotations

import z3

from solver.goals import Formula, Term

BPS = 10_000
"""Basis points in 100%."""


def is_curve_payout(
    pool_stb: Term, pool_str: Term, order: Term, fee_bps: Term, out: Term
) -> Formula:
    """§6.6: `out` is the most STR the pool can pay for `order` STB after the commission and
    keep its product: (X * 10^4 + a * (10^4 - f)) * (Y - out) >= X * Y * 10^4, and one ustr
    more would break it."""
    grown = pool_stb * BPS + order * (BPS - fee_bps)
    product = pool_stb * pool_str * BPS
    return z3.And(grown * (pool_str - out) >= product, grown * (pool_str - out - 1) < product)


def is_within_shortfall(
    pool_stb: Term, pool_str: Term, order: Term, fee_bps: Term, out: Term
) -> Formula:
    """PAY-BURN-MARKET: at the price Y / X, `out` is worth at most `order`, and less by at most
    a * (f / 10^4 + a / X) + X / Y (one ustr):
    0 <= 10^4 * X * (a * Y - out * X) <= a * f * X * Y + 10^4 * a^2 * Y + 10^4 * X^2."""
    x, y, a = pool_stb, pool_str, order
    shortfall = BPS * x * (a * y - out * x)
    bound = a * fee_bps * x * y + BPS * a * a * y + BPS * x * x
    return z3.And(shortfall >= 0, shortfall <= bound)


def is_market_burn(
    pool_stb: Term,
    pool_str: tuple[Term, Term],
    order: Term,
    fee_bps: Term,
    burned: Term,
) -> Formula:
    """PAY-BURN-MARKET (§6.4, §6.6, §6.7): the STR burned is what left the pool (before, after),
    the curve's payout for the order, within the shortfall bound, and the pool keeps STR."""
    out = pool_str[0] - pool_str[1]
    return z3.And(
        burned == out,
        is_curve_payout(pool_stb, pool_str[0], order, fee_bps, out),
        is_within_shortfall(pool_stb, pool_str[0], order, fee_bps, out),
        pool_str[1] > 0,
    )
