"""Proof of the per-app consensus rule (§4.3.3 (c), §3.3 F10): BFT-DEVIATION.

The subject is the model's own rule, `model.trusted.decision.is_app_agreement`, run on Z3
terms (`solver.symbolic`): the literal reading lets the deviation d alone decide, the hardened
one (`deviation_bounded`) needs F10 as well. d ranges over what an app may set: 0..10^4 under
the literal reading, 0..`market.max_deviation_bps` under the hardened one (the constitution
keeps that at most 3333). For every N and every d in range, two disjoint non-empty groups must
not both agree (`solver.goals.services`); the literal reading is refuted from d = 5000 (N = 2,
one node each).
"""

from __future__ import annotations

import z3

import model.trusted.decision
from model.params import Params
from model.profile import Profile, ThresholdBase
from solver.algebra import Formula, Term
from solver.claim import Claim, ParamMode
from solver.goals import consensus as consensus_goals
from solver.goals import services as goals
from solver.params import ParamTerms, get_param_logic
from solver.proofs import ClaimBuilder
from solver.symbolic import arith_as, make_symbolic_params

BPS = 10_000
"""A deviation is a share of the nodes in bps: at most all of them."""


def _agrees(
    symbolic: Params, profile: Profile, agree: Term, base: Term, deviation: Term
) -> Formula:
    """The model's rule for an app with deviation `deviation`, run on terms."""
    with arith_as(model.trusted.decision):
        agreed: Formula = model.trusted.decision.is_app_agreement(
            agree,
            base,
            deviation,
            params=symbolic,
            profile=profile,
        )
    return agreed


def claim_bft_deviation(params: Params, profile: Profile, mode: ParamMode) -> Claim:
    """BFT-DEVIATION (§4.3.3 (c)): for every N and every deviation the app may set, two
    disjoint groups of counted reveals for distinct outputs do not both agree."""
    terms = ParamTerms(params, mode, fixed=consensus_goals.WHITEPAPER_THRESHOLD)
    symbolic = make_symbolic_params(terms.__getitem__)
    assigned, committed, first, second, deviation = z3.Ints(
        "assigned committed first second deviation"
    )
    base = assigned if profile.threshold_base is ThresholdBase.ASSIGNED else committed
    highest = terms["market.max_deviation_bps"] if profile.deviation_bounded else z3.IntVal(BPS)
    goal = goals.is_one_agreement(
        _agrees(symbolic, profile, first, base, deviation),
        _agrees(symbolic, profile, second, base, deviation),
    )
    domain = (
        assigned >= 1,
        first >= 1,
        second >= 1,
        first + second <= committed,
        committed <= assigned,
        deviation >= 0,
        deviation <= highest,
    )
    bound = "market.max_deviation_bps" if profile.deviation_bounded else "10^4"
    statement = (
        f"for every N >= 1 assigned nodes, committed <= N, every deviation 0 <= d <= {bound} and"
        " two groups of reveals for distinct outputs first, second >= 1 with first + second <="
        " committed: the app's rule does not let both agree"
    )
    inputs = (
        ("assigned", assigned),
        ("committed", committed),
        ("deviation", deviation),
        ("first", first),
        ("second", second),
    )
    return Claim(
        invariant_id="BFT-DEVIATION",
        statement=statement,
        logic=get_param_logic(mode, linear=False),
        inputs=tuple(sorted((*inputs, *terms.get_inputs()), key=lambda kv: kv[0])),
        assumptions=(*domain, *terms.get_assumptions(coherent=False)),
        goal=goal,
    )


CLAIMS: dict[str, ClaimBuilder] = {"BFT-DEVIATION": claim_bft_deviation}
