"""Proof of the swap reserve's market order (§6.4, §6.6, §6.7): PAY-BURN-MARKET.

The subject is the model's own order, `model.payment.process_swap_reserve`, as the ledger steps
the conservation proofs encode (`solver.proofs.conservation.kind_reserve_swap`, which evaluates
`model.arith.swap_output`, the curve `model.stratoswap` runs): the reserve's STB into the pool,
the pool's STR to the reserve, and that STR burned. The goal (`solver.goals.stratoswap`) states
the constant-product payout and the fee-and-impact bound in products, for pools of 1 ustb and
1 ustr up to 10^18 of each (a trillion tokens) and orders up to as much.
"""

from __future__ import annotations

import z3

from model.params import Params
from model.profile import Profile
from solver.claim import Claim, ParamMode
from solver.goals import stratoswap as goals
from solver.params import ParamTerms
from solver.proofs import ClaimBuilder
from solver.proofs.conservation import Kind, kind_reserve_swap

BOUND = 10**18
"""The largest pool side and order of the domain, in micro-units: a trillion tokens."""


def claim_pay_burn_market(params: Params, profile: Profile, mode: ParamMode) -> Claim:
    """PAY-BURN-MARKET (§6.4, §6.6, §6.7): the reserve's order burns exactly the curve's payout
    for all its STB, short of the STB's value at the pool's price by at most fee plus impact
    plus one ustr, never over it, and never empties the pool's STR."""
    terms = ParamTerms(params, mode)
    swap = Kind("market_order", terms)
    kind_reserve_swap(swap)
    books = swap.books
    pool_stb = books.openings[("stratoswap", "stb")]
    pool_str = (books.openings[("stratoswap", "str")], books.get("stratoswap", "str"))
    order = books.openings[("swap_reserve", "stb")]
    burned = books.burned - swap.inputs["market_order.burned"]
    fee = terms["market.stratoswap_fee_bps"]
    goal = z3.Implies(
        z3.And(*books.guards), goals.is_market_burn(pool_stb, pool_str, order, fee, burned)
    )
    bounds = tuple(term <= BOUND for term in (pool_stb, pool_str[0], order))
    statement = (
        "for every pool of 1 to 10^18 ustb (X) and ustr (Y), every reserve order of 0 to 10^18"
        " ustb (a) and every commission f in the key's domain: the STR burned is what leaves"
        " the pool, the most out with (X * 10^4 + a * (10^4 - f)) * (Y - out) >= X * Y * 10^4;"
        " 0 <= 10^4 * X * (a * Y - out * X) <= a * f * X * Y + 10^4 * a^2 * Y + 10^4 * X^2"
        " (short of a's value at Y / X by at most a * (f / 10^4 + a / X) plus one ustr); and"
        " the pool keeps some STR"
    )
    return Claim(
        invariant_id="PAY-BURN-MARKET",
        statement=statement,
        logic="QF_NIA",
        inputs=(*sorted(swap.inputs.items()), *terms.get_inputs()),
        assumptions=(*swap.assumptions, *bounds, *terms.get_assumptions(coherent=False)),
        goal=goal,
    )


CLAIMS: dict[str, ClaimBuilder] = {"PAY-BURN-MARKET": claim_pay_burn_market}
