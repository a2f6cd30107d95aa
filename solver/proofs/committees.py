"""Proof of the committees' vote (§6.8): SUB-POWERS.

The subject is the model's own decision whether a committee acts on a request: under the
profile switch `committee_votes`, `model.committees.is_committee_vote_passed` run on Z3 terms
(every delegated amount a term), else no vote is asked (the literal reading). The delegations
range without bound over one committee of three delegators, two of whom sign, and another
committee, backed by a signer and by an outsider who also signs: the STR they delegated there
must not count. The vote reads no parameter, so both modes build the same query.
"""

from __future__ import annotations

import attrs
import z3
from pyrsistent import PMap, pmap

from model.committees import INSURANCE_COMMITTEE, is_committee_vote_passed
from model.governance import NETWORK_SUPPORT_COMMITTEE, create_governance_state
from model.params import Params
from model.profile import Profile
from model.units import AccountId
from solver.algebra import Formula
from solver.claim import Claim, ParamMode
from solver.goals import committees as goals
from solver.proofs import ClaimBuilder

COMMITTEE = INSURANCE_COMMITTEE
OTHER = NETWORK_SUPPORT_COMMITTEE
SIGNER_A, SIGNER_B, ABSENT, OUTSIDER = (
    AccountId(name) for name in ("signer-a", "signer-b", "absent", "outsider")
)


def claim_sub_powers(params: Params, profile: Profile, mode: ParamMode) -> Claim:
    """SUB-POWERS (§6.8): the committee acts iff its signers' STR delegated to it is strictly
    more than 2/3 of all the STR delegated to it."""
    a, b, absent, a_other, outsider = z3.Ints(
        "signer_a signer_b absent signer_a_elsewhere outsider_elsewhere"
    )
    terms: dict[tuple[AccountId, str], z3.ArithRef] = {
        (SIGNER_A, COMMITTEE): a,
        (SIGNER_B, COMMITTEE): b,
        (ABSENT, COMMITTEE): absent,
        (SIGNER_A, OTHER): a_other,
        (OUTSIDER, OTHER): outsider,
    }
    delegations: PMap[tuple[AccountId, str], z3.ArithRef] = pmap(terms)
    gov = attrs.evolve(create_governance_state(params=params), subcommittee_delegations=delegations)
    signers = frozenset({SIGNER_A, SIGNER_B, OUTSIDER})
    passed: Formula = (
        is_committee_vote_passed(gov, COMMITTEE, signers)
        if profile.committee_votes
        else z3.BoolVal(True)
    )
    goal = goals.is_committee_vote(passed, a + b, a + b + absent)
    statement = (
        "for every committee of three delegators with a, b, c >= 0 ustr delegated to it, two of"
        " them signing, and d, e >= 0 ustr delegated to another committee by a signer and by a"
        " third signer: the committee acts iff 3(a + b) > 2(a + b + c)"
    )
    inputs = (
        ("absent", absent),
        ("outsider_elsewhere", outsider),
        ("signer_a", a),
        ("signer_a_elsewhere", a_other),
        ("signer_b", b),
    )
    return Claim(
        invariant_id="SUB-POWERS",
        statement=statement,
        logic="QF_LIA",
        inputs=inputs,
        assumptions=tuple(term >= 0 for _, term in inputs),
        goal=goal,
    )


CLAIMS: dict[str, ClaimBuilder] = {"SUB-POWERS": claim_sub_powers}
