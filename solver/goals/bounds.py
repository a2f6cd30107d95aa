"""Goals of two facts about sets (§6.8, §4.2): GOV-SUBCOMMITTEE-BOUND and VAL-SET-ORDER.

§6.8: "subcommittees remain inactive until greater than 1% of all STR is delegated to the
subcommittee. An STR token can only be delegated to one subcommittee at a time." So k active
committees hold more than k x s / 10^4 of all STR between them, which cannot exceed all of it:
k x s < 10^4, at most ceil(10^4 / s) - 1 committees, and that many fit.

§4.2: the active set is the validators with the most stake ("only validators with a stake
greater than the smallest validator in the set"); VAL-SET-ORDER asks that it be a function of
the stakes: the same stakes give the same set whatever order the validators arrived in.
Written on terms, apart from `model.committees` and `model.staking`.
"""

from __future__ import annotations

import z3

from model.units import BPS_DENOMINATOR
from solver.goals import Formula, Term

WITNESS_SUPPLY = BPS_DENOMINATOR * BPS_DENOMINATOR
"""All STR in the witness of GOV-SUBCOMMITTEE-BOUND (10^8 ustr, 100 STR): enough that
ceil(10^4 / s) - 1 committees of s x 10^4 + 1 ustr each fit in it for every share s."""


def get_most_active(share: Term) -> Term:
    """§6.8: ceil(10^4 / s) - 1 for a share s >= 1 bps: the largest k with k x s < 10^4."""
    return (BPS_DENOMINATOR + share - 1) / share - 1


def get_witness_holding(share: Term) -> Term:
    """The STR each committee of the witness holds: s x 10^4 + 1 ustr of WITNESS_SUPPLY, one
    ustr more than s / 10^4 of it."""
    return share * BPS_DENOMINATOR + 1


def is_subcommittee_bound(
    share: Term,
    model_most: Term,
    *,
    count: Term,
    smallest: Term,
    held: Term,
    supply: Term,
    smallest_active: Formula,
    witness_active: Formula,
) -> Formula:
    """GOV-SUBCOMMITTEE-BOUND (§6.8) at share s >= 1: `count` committees whose delegations
    (disjoint, `held` ustr between them, at most the `supply` of all STR) are each at least the
    `smallest`, which is active (`smallest_active`, the model's rule), number at most
    ceil(10^4 / s) - 1; that many committees of the witness's holding, active by the model's rule
    (`witness_active`), fit in WITNESS_SUPPLY; and the model's bound `model_most` is that
    number."""
    most = get_most_active(share)
    fits = z3.And(count >= 1, supply >= 1, held >= count * smallest, held <= supply)
    return z3.And(
        z3.Implies(z3.And(fits, smallest_active), count <= most),
        witness_active,
        most * get_witness_holding(share) <= WITNESS_SUPPLY,
        model_most == most,
    )


def is_set_of_the_stakes(
    stakes: dict[str, Term],
    first: dict[str, Formula],
    second: dict[str, Formula],
    size: int,
) -> Formula:
    """VAL-SET-ORDER (§4.2): two runs on the same `stakes` (validator -> stake), which differ
    only in the order the validators arrived, seat the same validators (`first`, `second`:
    validator -> seated); and each seats min(size, the validators with stake > 0) of them, none
    without stake, and none with less stake than a validator left out."""
    return z3.And(
        *(first[name] == second[name] for name in stakes),
        _is_top_by_stake(stakes, first, size),
        _is_top_by_stake(stakes, second, size),
    )


def _is_top_by_stake(stakes: dict[str, Term], seated: dict[str, Formula], size: int) -> Formula:
    bonded = z3.Sum(*(z3.If(stake > 0, 1, 0) for stake in stakes.values()))
    count = z3.Sum(*(z3.If(seated[name], 1, 0) for name in stakes))
    return z3.And(
        count == z3.If(bonded < size, bonded, size),
        *(z3.Implies(seated[name], stake > 0) for name, stake in stakes.items()),
        *(
            z3.Implies(
                z3.And(seated[inside], z3.Not(seated[outside])),
                stakes[inside] >= stakes[outside],
            )
            for inside in stakes
            for outside in stakes
            if inside != outside
        ),
    )
