"""Proof of the staking rewards split (§6.9, §4.2): REW-PRORATA.

The subject is the model's own share, `model.rewards.compute_reward_share`, run on Z3 terms for
two bonds (the eligible set's, whoever holds them) and a pool, each within a bounded domain:
bonds of 1 ustr to 10^15 ustr (a billion STR) and a pool of 0 to 10^15 ustr. Two bonds, not
three: cvc5 re-checks the two-bond query in under a second and gives up on three (the z3 binary
proves both; `tests/solver/test_rewards_proof.py` proves three with z3). Eligibility reads the
active set, which the Hypothesis machine checks; the split reads no parameter, so both modes
build the same query.
"""

from __future__ import annotations

import z3

from model.params import Params
from model.profile import Profile
from model.rewards import compute_reward_share
from solver.algebra import Z3_TERMS
from solver.claim import Claim, ParamMode
from solver.goals import rewards as goals
from solver.proofs import ClaimBuilder

BOUND = 10**15
"""The largest bond and pool of the domain, in ustr: a billion STR."""


def claim_rew_prorata(
    params: Params, profile: Profile, mode: ParamMode, *, bond_count: int = 2
) -> Claim:
    """REW-PRORATA (§6.9): the bonds' shares are each floor(pool * bond / total), and the dust
    left in the pool is at least 0 and under one ustr per bond."""
    pool = z3.Int("pool")
    names = [f"bond_{letter}" for letter in "abcdefgh"[:bond_count]]
    bonds = tuple(z3.Int(name) for name in names)
    total = bonds[0]
    for bond in bonds[1:]:
        total = total + bond
    shares = tuple(compute_reward_share(Z3_TERMS, pool, bond, total) for bond in bonds)
    statement = (
        f"for every pool of 0 to 10^15 ustr and {bond_count} bonds of 1 to 10^15 ustr each:"
        " each bond's share s satisfies s * total <= bond * pool < (s + 1) * total, and pool -"
        f" the shares is at least 0 and less than {bond_count}"
    )
    inputs = (*zip(names, bonds, strict=True), ("pool", pool))
    assumptions = (
        pool >= 0,
        pool <= BOUND,
        *(z3.And(bond >= 1, bond <= BOUND) for bond in bonds),
    )
    return Claim(
        invariant_id="REW-PRORATA",
        statement=statement,
        logic="QF_NIA",
        inputs=inputs,
        assumptions=assumptions,
        goal=goals.is_pro_rata_split(pool, bonds, shares),
    )


CLAIMS: dict[str, ClaimBuilder] = {"REW-PRORATA": claim_rew_prorata}
