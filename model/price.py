"""The STR price between prepayment and payout, and the size of a prepayment (§4.3.1, §6.3.3, §6.6).

The chain keeps the STR/USD market price Stratoswap's oracle last reported (§6.6). §6.3.3 values
a node's STR "at the time of prepayment deposit"; the `str_priced_at_payout` switch chooses
between that price and the market price at payout. §4.3.1 sizes a prepayment as the fees of the
app's chosen nodes per timeframe, times the number of timeframes.
"""

from __future__ import annotations

from collections.abc import Sequence

from attrs import frozen

from model.params import Params
from model.payment import check_split_nonnegative, compute_payment_split, get_str_payout
from model.profile import Profile
from model.units import Outcome, Rejected, StrPrice, UsdMicro, UStb, UStr, is_valid_price


@frozen
class PrepaymentAmounts:
    """§4.3.1: the STB and STR a prepayment for a number of timeframes puts into an escrow."""

    ustb: UStb
    ustr: UStr
    price: StrPrice | None
    """The STR price the STR was sized at (None: no STR needed)."""


def process_move_price(current: StrPrice | None, price: StrPrice) -> Outcome[StrPrice]:
    """§6.6: an oracle report of the STR/STB market on Stratoswap sets the chain's STR price."""
    rule = "process_move_price"
    # Verify the reported price is a positive rational (USD per STR).
    if not is_valid_price(price):
        return Rejected(rule, f"the STR price must be a positive rational, got {price!r}")
    return price


def get_payout_price(
    escrow_price: StrPrice | None, market_price: StrPrice | None, profile: Profile
) -> StrPrice | None:
    """§6.3.3, §6.6: the price a payout converts STR at: the escrow's deposit price, or (the
    `str_priced_at_payout` reading) the chain's market price when one has been reported."""
    if profile.str_priced_at_payout and market_price is not None:
        return market_price
    return escrow_price


def compute_prepayment(fees_per_timeframe: Sequence[int], timeframes: int) -> int:
    """§4.3.1: "the summation of all fees charged at standardized timeframes ... by application
    chosen nodes, multiplied by the number of timeframes or requests"."""
    return sum(fees_per_timeframe) * timeframes


def compute_prepayment_amounts(
    *,
    cost_per_node: UsdMicro,
    nodes: int,
    timeframes: int,
    params: Params,
    price: StrPrice | None,
) -> Outcome[PrepaymentAmounts]:
    """§4.3.1, §6.3: the STB and STR that `timeframes` rounds of `nodes` nodes, each at
    `cost_per_node`, withdraw under the §6.3 split, the STR at `price`."""
    rule = "compute_prepayment_amounts"
    # Verify the cost, the node count and the timeframes are whole non-negative numbers.
    for name, amount in (
        ("cost per node", cost_per_node),
        ("nodes", nodes),
        ("timeframes", timeframes),
    ):
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
            return Rejected(rule, f"the {name} {amount!r} is not a non-negative whole number")
    split = compute_payment_split(cost_per_node, params)
    # Verify no part of the split is negative (incoherent parameters).
    refused = check_split_nonnegative(split, rule=rule)
    if refused is not None:
        return refused
    payout = get_str_payout(split, price, rule=rule)
    if isinstance(payout, Rejected):
        return payout
    ustb = compute_prepayment([split.stb_withdrawn] * nodes, timeframes)
    ustr = compute_prepayment([payout.total_ustr] * nodes, timeframes)
    return PrepaymentAmounts(ustb=ustb, ustr=ustr, price=price if ustr else None)
