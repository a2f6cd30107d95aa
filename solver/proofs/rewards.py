"""Proof of the staking rewards split (§6.9, §4.2): REW-PRORATA.

The subject is the model's own share, `model.rewards.compute_reward_share`, run on Z3 terms for
three bonds (the eligible set's, whoever holds them) and a pool, each within a bounded domain:
bonds of 1 ustr to 10^15 ustr (a billion STR) and a pool of 0 to 10^15 ustr. Eligibility reads
the active set, which the Hypothesis machine checks; the split reads no parameter, so both modes
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


def claim_rew_prorata(params: Params, profile: Profile, mode: ParamMode) -> Claim:
    """REW-PRORATA (§6.9): the three bonds' shares are each floor(pool * bond / total), and
    the dust left in the pool is at least 0 and under one ustr per bond."""
    pool = z3.Int("pool")
    bonds = tuple(z3.Ints("bond_a bond_b bond_c"))
    total = bonds[0] + bonds[1] + bonds[2]
    shares = tuple(compute_reward_share(Z3_TERMS, pool, bond, total) for bond in bonds)
    statement = (
        "for every pool of 0 to 10^15 ustr and three bonds of 1 to 10^15 ustr each: each bond's"
        " share s satisfies s * total <= bond * pool < (s + 1) * total, and pool - the shares"
        " is at least 0 and less than 3"
    )
    inputs = (("bond_a", bonds[0]), ("bond_b", bonds[1]), ("bond_c", bonds[2]), ("pool", pool))
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
