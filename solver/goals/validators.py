"""Goals of the app-layer validator family (§3.3 Steps 10 and 12, §4.2): BFT-VALIDATORS.

The whitepaper's words: a value stands, and a block passes, with "> 2/3 of validators"; the
committee of a round is a count of validators, each with one vote, an equivocator's two votes
counting for neither. Stated over counts: with byzantine members b, 3b < n, the honest n - b
(all voting F10's value) pass, the at most b votes any other value gets do not, and two
disjoint groups of votes never both pass.
"""

from __future__ import annotations

import z3

from solver.goals import Formula


def is_bft_committee(
    passes_honest: Formula, passes_byzantine: Formula, passes_first: Formula, passes_second: Formula
) -> Formula:
    """BFT-VALIDATORS: F10's value, voted by every honest member, passes; a value only
    byzantine members vote does not; two conflicting values do not both pass."""
    return z3.And(
        passes_honest, z3.Not(passes_byzantine), z3.Not(z3.And(passes_first, passes_second))
    )
