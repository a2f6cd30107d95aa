"""Goal of the per-app consensus rule (§4.3.3 (c), §3.3 F10): BFT-DEVIATION.

§4.3.3 (c) lets a developer set the "allowed degrees of deviation from operation output vs.
complete consensus needed": an output agrees when it deviates from complete consensus (all N
nodes) by at most the allowed share d, agree * 10^4 >= (10^4 - d) * N. The goal is the one a
consensus needs (§3.3): two groups of nodes for distinct outputs never both agree.
"""

from __future__ import annotations

import z3

from solver.goals import Formula


def is_one_agreement(agrees_first: Formula, agrees_second: Formula) -> Formula:
    """BFT-DEVIATION: two disjoint groups for distinct outputs do not both agree."""
    return z3.Not(z3.And(agrees_first, agrees_second))
