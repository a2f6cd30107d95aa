"""Stratoswap's curve as the oracle reads it (§6.6, §6.7), written apart from `model.stratoswap`.

A constant-product pool may pay for `a` of one token the most of the other that keeps the product
of its reserves from falling, counting only the part of `a` left after the commission: the
largest `out` with (X + a * (1 - f)) * (Y - out) >= X * Y. The shortfall bound of PAY-BURN-MARKET
is stated here in the same terms: valued at the pool's price before the order (Y / X), what the
order receives falls short of what it spends by at most a * (f + a / X), plus the one unit the
pool's rounding may keep.
"""

from __future__ import annotations

BPS = 10_000
"""Basis points in 100%."""


def curve_payout(reserve_in: int, reserve_out: int, amount_in: int, fee_bps: int) -> int:
    """§6.6: the most the pool pays for `amount_in` keeping (X + a(1 - f)) * (Y - out) >= X * Y,
    in bps terms (X * 10^4 + a * (10^4 - f)) * (Y - out) >= X * Y * 10^4; 0 for an empty pool."""
    if reserve_in <= 0 or reserve_out <= 0 or amount_in <= 0:
        return 0
    grown = reserve_in * BPS + amount_in * (BPS - fee_bps)
    product = reserve_in * reserve_out * BPS
    # The pool keeps at least ceil(product / grown) of the token it pays out.
    kept = -(-product // grown)
    return reserve_out - kept


def is_within_shortfall(
    reserve_in: int, reserve_out: int, amount_in: int, fee_bps: int, out: int
) -> bool:
    """PAY-BURN-MARKET (§6.4, §6.7): at the pool's price before the order, `out` is worth no more
    than `amount_in`, and less by at most a * (f / 10^4 + a / X) + X / Y (the rounding's unit):
    0 <= 10^4 * X * (a * Y - out * X) <= a * f * X * Y + 10^4 * a^2 * Y + 10^4 * X^2."""
    x, y, a = reserve_in, reserve_out, amount_in
    shortfall = BPS * x * (a * y - out * x)
    bound = a * fee_bps * x * y + BPS * a * a * y + BPS * x * x
    return 0 <= shortfall <= bound
