"""Proof of the inflation schedule (§6.9): SUP-INFLATION.

The model's rate in year y is `model.arith.inflation_rate` at d = `compute_age_doublings(y)`
doublings (what `model.supply.compute_inflation_rate_bps` runs). The claim checks the model's d
at both ends of every interval of years of one rate (2^(k-1) <= y < 2^k, up to 2^64) against the
schedule's k, and the model's formula at every d in 0..65 against the documented rate
(`solver.goals.supply`), so the rate of every year below 2^64 is the schedule's. d is an input of
the query: the formula is linear in the parameters for a numeral d, and a product of two
variables (step x d) only for all parameters.
"""

from __future__ import annotations

import z3

import model.supply
from model import arith
from model.params import Params
from model.profile import Profile
from solver.algebra import Z3_TERMS, Term
from solver.claim import Claim, ParamMode
from solver.goals import supply as goals
from solver.params import ParamTerms, get_param_logic
from solver.proofs import ClaimBuilder
from solver.symbolic import arith_as, make_symbolic_params

SAMPLE_YEARS = (0, 1, 2, 3, 4, 1_000, 2**63, 2**64 - 1)
"""Years at which the model's own rule is run on terms (the formula is covered at every count of
doublings by the `steps` input)."""


def claim_sup_inflation(params: Params, profile: Profile, mode: ParamMode) -> Claim:
    """SUP-INFLATION (§6.9): the rate is the documented schedule at every year below 2^64
    (initial in year 0, one step lower at each power-of-two age, never below the floor), never
    negative, and never rises from one year to the next."""
    terms = ParamTerms(params, mode, fixed=goals.TEXT_INITIAL_RATE)
    initial = terms["mint.inflation_initial_bps"]
    step = terms["mint.inflation_step_bps"]
    floor_rate = terms["mint.inflation_min_bps"]

    def rate(doublings: Term) -> Term:
        return arith.inflation_rate(Z3_TERMS, initial, step, floor_rate, doublings)

    get = terms.__getitem__
    # Each interval of years of one rate, 2^(k-1) <= y < 2^k: the model's count of doublings at
    # both ends is the schedule's k (numerals, from `compute_age_doublings`) ...
    years = [
        goals.is_year_stepped(year, z3.IntVal(model.supply.compute_age_doublings(year)))
        for k in range(goals.STEP_LIMIT + 1)
        for year in ((0,) if k == 0 else (2 ** (k - 1), 2**k - 1))
    ]
    # ... and the model's rate k steps down, for every k the years reach, is the schedule's, at
    # least the floor, and no higher one step further (so the rate never rises).
    steps = z3.Int("steps")
    # And the model's own rule, `compute_inflation_rate_bps`, run on terms at sample years: the
    # keys it reads are the schedule's (a key mixed up with another is a variable of its own).
    symbolic = make_symbolic_params(get)
    with arith_as(model.supply):
        sampled = [
            goals.is_rate_at_steps(
                get,
                goals.get_year_steps(year),
                model.supply.compute_inflation_rate_bps(year, symbolic),
                rate(z3.IntVal(goals.get_year_steps(year) + 1)),
            )
            for year in SAMPLE_YEARS
        ]
    goal = z3.And(
        goals.is_initial_rate(rate(z3.IntVal(0))),
        *years,
        goals.is_rate_at_steps(get, steps, rate(steps), rate(steps + 1)),
        *sampled,
    )
    # For all parameters: the schedule starts at the initial rate only if the floor is not
    # above it (docs/model.md); the concrete query reports a set whose floor is.
    starts = (floor_rate <= initial,) if mode is ParamMode.ALL_PARAMS else ()
    return Claim(
        invariant_id="SUP-INFLATION",
        statement=(
            "rate(0) = 1100, §6.9's 11% (for all parameters inflation_initial_bps keeps it, the"
            " constitution's 1100..1100); the model's doublings of year y are k at both ends "
            "of every interval 2^(k-1) <= y < 2^k up to 2^64 (0 in year 0); for every 0 <= d "
            "<= 65 the model's rate after d doublings is max(min, 1100 - step * d), so >= "
            "min >= 0, and its rate after d + 1 is no higher; the model's "
            "compute_inflation_rate_bps at years 0-4, 1000, 2^63 and 2^64 - 1 is the schedule's; "
            "for all parameters, min <= initial is assumed"
        ),
        logic=get_param_logic(mode, linear=True),
        inputs=(("steps", steps), *terms.get_inputs()),
        assumptions=(
            steps >= 0,
            steps <= goals.STEP_LIMIT,
            *starts,
            *terms.get_assumptions(coherent=False),
        ),
        goal=goal,
    )


CLAIMS: dict[str, ClaimBuilder] = {"SUP-INFLATION": claim_sup_inflation}
