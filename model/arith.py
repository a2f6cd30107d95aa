"""The protocol's arithmetic, written once for two readers: the model and the Z3 proofs.

Each formula here takes an `Algebra` first: `INTS` evaluates it on Python integers (what the model
runs), and `solver.algebra.Z3_TERMS` builds the same formula as Z3 terms (what the proofs reason
about). So a proof is always about the arithmetic the model really executes: change a formula and
the model and the proof change together (no drift).

Integer division here is always floor division by a divisor the caller keeps positive, which is
what both Python's `//` and SMT-LIB's `div` compute for positive divisors.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar, cast

from attrs import frozen

from model.units import BPS_DENOMINATOR

N = TypeVar("N")
B = TypeVar("B")


class Algebra(Protocol[N, B]):
    """The operations the formulas use, over numbers `N` and truth values `B`."""

    def lit(self, value: int) -> N:
        """The constant `value`."""
        ...

    def add(self, a: N, b: N) -> N:
        """a + b."""
        ...

    def sub(self, a: N, b: N) -> N:
        """a - b."""
        ...

    def mul(self, a: N, b: N) -> N:
        """a * b."""
        ...

    def floordiv(self, a: N, b: N) -> N:
        """floor(a / b), for b > 0."""
        ...

    def lt(self, a: N, b: N) -> B:
        """a < b."""
        ...

    def eq(self, a: N, b: N) -> B:
        """a == b."""
        ...

    def all_of(self, *conditions: B) -> B:
        """Every condition holds."""
        ...

    def ite(self, condition: B, then: N, otherwise: N) -> N:
        """`then` if `condition` holds, else `otherwise`."""
        ...


_IntOp = Callable[[int, int], int]
_IntTest = Callable[[int, int], bool]


class IntAlgebra:
    """The algebra of Python integers and booleans: what the model computes with.

    Each arithmetic operation is the `operator` module's own (a call with no Python frame, as
    every formula the model runs goes through here); `lit`, `all_of` and `ite` are written out."""

    add = staticmethod(cast(_IntOp, operator.add))
    """a + b."""
    sub = staticmethod(cast(_IntOp, operator.sub))
    """a - b."""
    mul = staticmethod(cast(_IntOp, operator.mul))
    """a * b."""
    floordiv = staticmethod(cast(_IntOp, operator.floordiv))
    """floor(a / b)."""
    lt = staticmethod(cast(_IntTest, operator.lt))
    """a < b."""
    eq = staticmethod(cast(_IntTest, operator.eq))
    """a == b."""

    def lit(self, value: int) -> int:
        """The integer itself."""
        return value

    def all_of(self, *conditions: bool) -> bool:
        """Every condition holds."""
        return all(conditions)

    def ite(self, condition: bool, then: int, otherwise: int) -> int:
        """`then` if `condition`, else `otherwise`."""
        return then if condition else otherwise


INTS = IntAlgebra()
"""The integer algebra, shared by every model rule that calls a formula of this module."""


def minimum(alg: Algebra[N, B], a: N, b: N) -> N:
    """min(a, b)."""
    return alg.ite(alg.lt(b, a), b, a)


def maximum(alg: Algebra[N, B], a: N, b: N) -> N:
    """max(a, b)."""
    return alg.ite(alg.lt(a, b), b, a)


def bps_of(alg: Algebra[N, B], amount: N, bps: N) -> N:
    """The floor of `bps` basis points of `amount`; the caller says where the remainder goes."""
    return alg.floordiv(alg.mul(amount, bps), alg.lit(BPS_DENOMINATOR))


# --- §6.3 the payment split -----------------------------------------------------------------------


@frozen
class Shares(Generic[N]):
    """§6.8: the governance shares the payment split reads (bps; the rate is a multiple of C)."""

    payment_rate_bps: N
    stb_profit_margin_bps: N
    str_profit_margin_bps: N
    stb_reserve_swap_bps: N
    str_burn_bps: N
    str_network_support_bps: N


@frozen
class SplitTerms(Generic[N]):
    """§6.3: T and its six parts, in micro-dollars."""

    total: N
    stb_cost_basis: N
    stb_node_profit: N
    stb_swap_reserve: N
    str_node_profit_usd: N
    str_burn_usd: N
    str_network_support_usd: N

    def parts(self) -> tuple[N, ...]:
        """The six parts in the order of `model.payment.PaymentSplit.parts`."""
        return (
            self.stb_cost_basis,
            self.stb_node_profit,
            self.stb_swap_reserve,
            self.str_node_profit_usd,
            self.str_burn_usd,
            self.str_network_support_usd,
        )


SHARE_KEYS: dict[str, str] = {
    "payment_rate_bps": "payment.payment_rate_bps",
    "stb_profit_margin_bps": "payment.stb_profit_margin_bps",
    "str_profit_margin_bps": "payment.str_profit_margin_bps",
    "stb_reserve_swap_bps": "payment.stb_reserve_swap_bps",
    "str_burn_bps": "payment.str_burn_bps",
    "str_network_support_bps": "payment.str_network_support_bps",
}
"""Each field of `Shares` and the parameter ("subspace.key") it is read from."""


def read_shares(get: Callable[[str], N]) -> Shares[N]:
    """§6.8: the shares, each read by its parameter name with `get`."""
    return Shares(**{field: get(name) for field, name in SHARE_KEYS.items()})


def split_payment(alg: Algebra[N, B], cost: N, shares: Shares[N]) -> SplitTerms[N]:
    """§6.3, §6.8: T = rate * C; the cost basis absorbs both margins' dust, the node the sub-shares'."""
    # The fraction of a micro-dollar below T is never withdrawn from the payer.
    total = bps_of(alg, cost, shares.payment_rate_bps)
    stb_margin = bps_of(alg, total, shares.stb_profit_margin_bps)
    str_margin = bps_of(alg, total, shares.str_profit_margin_bps)
    reserve = bps_of(alg, total, shares.stb_reserve_swap_bps)
    burn = bps_of(alg, total, shares.str_burn_bps)
    network = bps_of(alg, total, shares.str_network_support_bps)
    return SplitTerms(
        total=total,
        stb_cost_basis=alg.sub(alg.sub(total, stb_margin), str_margin),
        stb_node_profit=alg.sub(stb_margin, reserve),
        stb_swap_reserve=reserve,
        str_node_profit_usd=alg.sub(alg.sub(str_margin, burn), network),
        str_burn_usd=burn,
        str_network_support_usd=network,
    )


def usd_to_ustr(alg: Algebra[N, B], usd: N, price_num: N, price_den: N) -> N:
    """§6.3.3: the ustr worth `usd` micro-dollars at num/den USD per STR (num > 0), rounded down."""
    return alg.floordiv(alg.mul(usd, price_den), price_num)


@frozen
class StrTerms(Generic[N]):
    """§6.3.3: the STR side of a split at one price; the node absorbs the conversion dust."""

    total_ustr: N
    node_ustr: N
    burn_ustr: N
    network_ustr: N


def convert_str_parts(
    alg: Algebra[N, B], split: SplitTerms[N], price_num: N, price_den: N
) -> StrTerms[N]:
    """§6.3.3: convert the split's STR parts at one price, node's share = total - the others."""
    str_usd = alg.add(
        alg.add(split.str_node_profit_usd, split.str_burn_usd), split.str_network_support_usd
    )
    total = usd_to_ustr(alg, str_usd, price_num, price_den)
    burn = usd_to_ustr(alg, split.str_burn_usd, price_num, price_den)
    network = usd_to_ustr(alg, split.str_network_support_usd, price_num, price_den)
    return StrTerms(
        total_ustr=total,
        node_ustr=alg.sub(alg.sub(total, burn), network),
        burn_ustr=burn,
        network_ustr=network,
    )


# --- §6.8 coherent shares (GOV-PARAMS) -----------------------------------------------------------


@frozen
class CoherenceInputs(Generic[N]):
    """§6.8: every parameter the coherence rules read."""

    payment_rate_bps: N
    stb_profit_margin_bps: N
    stb_node_profit_bps: N
    stb_reserve_swap_bps: N
    str_profit_margin_bps: N
    str_node_profit_bps: N
    str_burn_bps: N
    str_network_support_bps: N
    threshold_num: N
    threshold_den: N
    supermajority_num: N
    supermajority_den: N


COHERENCE_KEYS: dict[str, str] = {
    "payment_rate_bps": "payment.payment_rate_bps",
    "stb_profit_margin_bps": "payment.stb_profit_margin_bps",
    "stb_node_profit_bps": "payment.stb_node_profit_bps",
    "stb_reserve_swap_bps": "payment.stb_reserve_swap_bps",
    "str_profit_margin_bps": "payment.str_profit_margin_bps",
    "str_node_profit_bps": "payment.str_node_profit_bps",
    "str_burn_bps": "payment.str_burn_bps",
    "str_network_support_bps": "payment.str_network_support_bps",
    "threshold_num": "consensus.threshold_num",
    "threshold_den": "consensus.threshold_den",
    "supermajority_num": "governance.supermajority_num",
    "supermajority_den": "governance.supermajority_den",
}
"""Each field of `CoherenceInputs` and the parameter ("subspace.key") it is read from."""


def read_coherence_inputs(get: Callable[[str], N]) -> CoherenceInputs[N]:
    """§6.8: the coherence rules' inputs, each read by its parameter name with `get`."""
    return CoherenceInputs(**{field: get(name) for field, name in COHERENCE_KEYS.items()})


def is_cost_plus_margins_whole(alg: Algebra[N, B], c: CoherenceInputs[N]) -> B:
    """§6.3.1, §6.8: the cost basis, what T leaves after both margins, covers the cost with less
    than one basis point of T to spare.

    The cost is 10^8 / rate bps of T (T = rate x C); the cost basis is b = 10^4 - margins bps of
    T, a whole number. Costs are "fully covered in STB" (§6.3.1) when b >= 10^8 / rate, and the
    margins take all the rest when b - 1 < 10^8 / rate, i.e. b = ceil(10^8 / rate):
    rate * b >= 10^8 and rate * (b - 1) < 10^8. At rates dividing 10^8 (2x: b = 5000) that is
    the exact equality rate * b = 10^8; at 1.5x b = 6667, at 3x b = 3334.
    """
    basis = alg.sub(
        alg.sub(alg.lit(BPS_DENOMINATOR), c.stb_profit_margin_bps), c.str_profit_margin_bps
    )
    cost = alg.lit(BPS_DENOMINATOR * BPS_DENOMINATOR)
    return alg.all_of(
        alg.lt(alg.mul(c.payment_rate_bps, basis), alg.add(cost, c.payment_rate_bps)),
        alg.lt(alg.sub(cost, alg.lit(1)), alg.mul(c.payment_rate_bps, basis)),
    )


def is_stb_margin_split(alg: Algebra[N, B], c: CoherenceInputs[N]) -> B:
    """§6.8: the STB margin is split exactly between the node and the swap reserve."""
    return alg.eq(alg.add(c.stb_node_profit_bps, c.stb_reserve_swap_bps), c.stb_profit_margin_bps)


def is_str_margin_split(alg: Algebra[N, B], c: CoherenceInputs[N]) -> B:
    """§6.8: the STR margin is split exactly between the node, the burn and network support."""
    parts = alg.add(alg.add(c.str_node_profit_bps, c.str_burn_bps), c.str_network_support_bps)
    return alg.eq(parts, c.str_profit_margin_bps)


def is_fraction_below_one(alg: Algebra[N, B], num: N, den: N) -> B:
    """§3.3, §6.8: a threshold num/den can be exceeded only if it is below one."""
    return alg.lt(num, den)


def are_shares_coherent(alg: Algebra[N, B], c: CoherenceInputs[N]) -> B:
    """GOV-PARAMS (§6.8): every coherence rule holds."""
    return alg.all_of(
        is_cost_plus_margins_whole(alg, c),
        is_stb_margin_split(alg, c),
        is_str_margin_split(alg, c),
        is_fraction_below_one(alg, c.threshold_num, c.threshold_den),
        is_fraction_below_one(alg, c.supermajority_num, c.supermajority_den),
    )


# --- §3.3 F10 and §4.2 the threshold --------------------------------------------------------------


def is_over_threshold(alg: Algebra[N, B], agree: N, base: N, num: N, den: N) -> B:
    """§3.3 F10, §4.2: `agree` of `base` passes the threshold num/den iff agree * den > num * base."""
    return alg.lt(alg.mul(num, base), alg.mul(agree, den))


# --- §6.10 the slash schedule ---------------------------------------------------------------------


def first_slash_rate(alg: Algebra[N, B], base: N, cap: N, *, capped: bool) -> N:
    """§6.10: the rate at level 0: the base rate, capped iff the profile caps it."""
    return minimum(alg, base, cap) if capped else base


def next_slash_rate(alg: Algebra[N, B], rate: N, factor: N, cap: N, *, capped: bool) -> N:
    """§6.10: the rate one level up: times the factor, capped iff the profile caps it."""
    raised = alg.mul(rate, factor)
    return minimum(alg, raised, cap) if capped else raised


@frozen
class LossTerms(Generic[N]):
    """§4.2, §6.10: what one bond loses: what the rate asks for, and what can be burned."""

    requested: N
    burned: N


def slash_bond(alg: Algebra[N, B], amount: N, rate: N) -> LossTerms[N]:
    """§4.2, §6.10: a bond loses floor(amount * rate / 10000), at most all of it."""
    # The remainder of the division stays with the delegator: rounding favours the slashed.
    requested = bps_of(alg, amount, rate)
    return LossTerms(requested=requested, burned=minimum(alg, requested, amount))


def expired_windows(alg: Algebra[N, B], elapsed: N, window: N) -> N:
    """§6.10: the whole windows (window > 0) in `elapsed` (>= 0) seconds without a slash."""
    return alg.floordiv(elapsed, window)


def decayed_level(alg: Algebra[N, B], level: N, expired: N) -> N:
    """§6.10: the level after `expired` windows without a slash: one lower each, never below 0."""
    return maximum(alg, alg.lit(0), alg.sub(level, expired))


# --- §4.4 the validation payment ------------------------------------------------------------------


@frozen
class ShareTerms(Generic[N]):
    """§4.4: an equal division: each validator's share and the remainder left in escrow."""

    each: N
    remainder: N


def divide_validation_payment(alg: Algebra[N, B], prefund: N, count: N) -> ShareTerms[N]:
    """§4.4: the prefund split equally among `count` (> 0) validators, the remainder kept."""
    each = alg.floordiv(prefund, count)
    return ShareTerms(each=each, remainder=alg.sub(prefund, alg.mul(each, count)))


# --- §6.9 the inflation step ----------------------------------------------------------------------


def inflation_rate(alg: Algebra[N, B], initial: N, step: N, floor_rate: N, doublings: N) -> N:
    """§6.9: the yearly rate after `doublings` doublings of the chain's age: initial - step * d,
    never below the floor."""
    return maximum(alg, floor_rate, alg.sub(initial, alg.mul(step, doublings)))


# --- §6.6 Stratoswap's constant-product curve -----------------------------------------------------


def swap_output(alg: Algebra[N, B], reserve_in: N, reserve_out: N, amount_in: N, fee_bps: N) -> N:
    """§6.6: what a constant-product pool pays for `amount_in` after its `fee_bps` commission:
    floor(Y * a * (10^4 - f) / (X * 10^4 + a * (10^4 - f))), for X > 0 or a * (10^4 - f) > 0."""
    kept = alg.mul(amount_in, alg.sub(alg.lit(BPS_DENOMINATOR), fee_bps))
    return alg.floordiv(
        alg.mul(reserve_out, kept),
        alg.add(alg.mul(reserve_in, alg.lit(BPS_DENOMINATOR)), kept),
    )
