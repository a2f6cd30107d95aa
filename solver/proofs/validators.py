"""Proof of the app-layer validator family (§3.3 Steps 10 and 12, §4.2): BFT-VALIDATORS.

The subject is the model's own test of a validator vote,
`model.trusted.validation.is_validator_supermajority`, run on Z3 terms (`solver.symbolic`):
the one test `compute_tally` applies to the decision vote (Step 10), the block vote and the
resolution of a locked payment (Step 12). The counts range without bound: a committee of n >= 1
validators, b byzantine with 3b < n, the at most b votes a byzantine value collects, and two
disjoint groups of votes for conflicting values. For all parameters the threshold keeps the
whitepaper's 2/3, as in the rest of the BFT family.
"""

from __future__ import annotations

import z3

import model.trusted.validation
from model.params import Params
from model.profile import Profile
from solver.algebra import Formula, Term
from solver.claim import Claim, ParamMode
from solver.goals import consensus as consensus_goals
from solver.goals import validators as goals
from solver.params import ParamTerms, get_param_logic
from solver.proofs import ClaimBuilder
from solver.symbolic import arith_as, make_symbolic_params


def _passes(params: Params, votes: Term, committee: Term) -> Formula:
    with arith_as(model.trusted.validation):
        passed: Formula = model.trusted.validation.is_validator_supermajority(
            votes, committee, params
        )
    return passed


def claim_bft_validators(params: Params, profile: Profile, mode: ParamMode) -> Claim:
    """BFT-VALIDATORS (§3.3 Steps 10, 12; §4.2): with 3b < n byzantine members of a committee of
    n, F10's value passes, a byzantine value does not, and two conflicting values never both
    pass."""
    terms = ParamTerms(params, mode, fixed=consensus_goals.WHITEPAPER_THRESHOLD)
    symbolic = make_symbolic_params(terms.__getitem__)
    n, b, lie, first, second = z3.Ints("committee byzantine lie_votes first second")
    goal = goals.is_bft_committee(
        _passes(symbolic, n - b, n),
        _passes(symbolic, lie, n),
        _passes(symbolic, first, n),
        _passes(symbolic, second, n),
    )
    statement = (
        "for every committee of n >= 1 validators, b >= 0 byzantine with 3b < n, 0 <= lie <= b"
        " votes for a value only byzantine members cast, and two groups first, second >= 0 of"
        " single votes for conflicting values with first + second <= n: the validators' vote"
        " test passes for the n - b honest votes, not for lie, and not for both first and second"
    )
    domain = (
        n >= 1,
        b >= 0,
        3 * b < n,
        lie >= 0,
        lie <= b,
        first >= 0,
        second >= 0,
        first + second <= n,
    )
    inputs = (
        ("byzantine", b),
        ("committee", n),
        ("first", first),
        ("lie_votes", lie),
        ("second", second),
    )
    return Claim(
        invariant_id="BFT-VALIDATORS",
        statement=statement,
        logic=get_param_logic(mode, linear=True),
        inputs=tuple(sorted((*inputs, *terms.get_inputs()), key=lambda kv: kv[0])),
        assumptions=(*domain, *terms.get_assumptions(coherent=False)),
        goal=goal,
    )


CLAIMS: dict[str, ClaimBuilder] = {
    "BFT-VALIDATORS": claim_bft_validators,
}
