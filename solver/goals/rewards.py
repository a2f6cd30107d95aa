"""Goal of REW-PRORATA (§6.9, §4.2): a staking period's rewards split pro rata, dust bounded.

§6.9: rewards go to validators and to the delegators who "participate in rewards by delegating
STR stake"; each bond's part is its share of the pool by stake, rounded down (docs/model.md,
"Staking rewards"); what rounding leaves stays in the pool. Written on terms, apart from
`model.rewards`.
"""

from __future__ import annotations

from z3 import And

from solver.goals import Formula, Term


def is_pro_rata_split(pool: Term, bonds: tuple[Term, ...], shares: tuple[Term, ...]) -> Formula:
    """REW-PRORATA: each share is stake * pool / total stake rounded down (share * total <=
    stake * pool < (share + 1) * total), none negative, and the shares leave the pool a dust of
    at least 0 and less than one ustr per bond."""
    total = sum(bonds)
    dust = pool - sum(shares)
    exact = [
        And(share >= 0, share * total <= bond * pool, bond * pool < (share + 1) * total)
        for bond, share in zip(bonds, shares, strict=True)
    ]
    return And(*exact, dust >= 0, dust < len(bonds))
