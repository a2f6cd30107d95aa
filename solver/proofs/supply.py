"""Proof of the inflation schedule (§6.9): SUP-INFLATION.

The yearly rate is the model's formula (`model.arith.inflation_rate`, which
`model.supply.compute_inflation_rate_bps` runs): max(min, initial - step * d) with d the number
of doublings of the chain's age, bit_length(year). The claim ranges over every year below 2^64;
bit_length is written linearly as a count of powers of two, exact for every year it meets.
"""

from __future__ import annotations

import z3

from model import arith
from model.params import Params
from model.profile import Profile
from solver.algebra import Z3_TERMS, Term
from solver.claim import Claim, ParamMode
from solver.params import ParamTerms, get_param_logic
from solver.proofs import ClaimBuilder

YEAR_LIMIT = 2**64
"""The claim ranges over every year 0 <= y < YEAR_LIMIT."""

DOUBLING_BITS = 65
"""Powers of two counted by `get_doublings_term`: exact below 2^65, so for y and y + 1."""


def get_doublings_term(year: Term) -> Term:
    """§6.9: bit_length(year) (`model.supply.compute_age_doublings`) as a linear term: the number
    of k in 0..64 with year >= 2^k, exact for 0 <= year < 2^65."""
    return z3.Sum(*(z3.If(year >= 2**k, 1, 0) for k in range(DOUBLING_BITS)))


def claim_sup_inflation(params: Params, profile: Profile, mode: ParamMode) -> Claim:
    """SUP-INFLATION (§6.9): the rate is the initial rate in year 0, never negative, and never
    rises from one year to the next, for every year below 2^64."""
    terms = ParamTerms(params, mode)
    initial = terms["mint.inflation_initial_bps"]
    step = terms["mint.inflation_step_bps"]
    floor_rate = terms["mint.inflation_min_bps"]

    def rate(year: Term) -> Term:
        doublings = get_doublings_term(year)
        return arith.inflation_rate(Z3_TERMS, initial, step, floor_rate, doublings)

    year = z3.Int("year")
    goal = z3.And(
        rate(z3.IntVal(0)) == initial,
        rate(year) >= 0,
        rate(year + 1) <= rate(year),
    )
    return Claim(
        invariant_id="SUP-INFLATION",
        statement=(
            "for every year 0 <= y < 2^64: rate(0) = inflation_initial_bps, rate(y) >= 0 and "
            "rate(y + 1) <= rate(y), where rate(y) = max(min, initial - step * bit_length(y)) "
            "and bit_length(y) = #{k in 0..64 : y >= 2^k} (exact for y and y + 1)"
        ),
        logic=get_param_logic(mode, linear=True),
        inputs=(("year", year), *terms.get_inputs()),
        assumptions=(year >= 0, year < YEAR_LIMIT, *terms.get_assumptions(coherent=False)),
        goal=goal,
    )


CLAIMS: dict[str, ClaimBuilder] = {"SUP-INFLATION": claim_sup_inflation}
