"""Goals of the 2/3-supermajority family (§3.3 F10, §3.2, §4.2): BFT-*.

Each goal compares the model's threshold test (the claim's subject, `passes`) with the
whitepaper's words: consensus is TRUE iff more than two thirds of the N assigned nodes agree
(§3.3 F10), and a commit needs more than two thirds of the voting power (§4.2).
"""

from __future__ import annotations

import z3

from solver.goals import Formula, Term


def is_two_thirds_of(agree: Term, total: Term) -> Formula:
    """§3.3 F10, §4.2: `agree` is more than two thirds of `total`."""
    return 3 * agree > 2 * total


WHITEPAPER_THRESHOLD: dict[str, int] = {"consensus.threshold_num": 2, "consensus.threshold_den": 3}
"""§3.3 F10's threshold, two thirds, as the parameters write it. The family holds only there
(every other threshold breaks one of its claims), so a claim for all parameters keeps it."""


def is_threshold_exact(passes: Formula, agree: Term, assigned: Term) -> Formula:
    """BFT-THRESHOLD: the test passes iff 3 * agree > 2 * N, N the assigned nodes."""
    return passes == is_two_thirds_of(agree, assigned)


def is_unique(passes_first: Formula, passes_second: Formula) -> Formula:
    """BFT-UNIQUE: two groups of reveals for distinct outputs do not both pass."""
    return z3.Not(z3.And(passes_first, passes_second))


def is_sound(passes_faulty: Formula) -> Formula:
    """BFT-SOUND: a group of faulty reveals on a wrong output does not pass (3f < N)."""
    return z3.Not(passes_faulty)


def is_minority_stopped(passes_minority: Formula) -> Formula:
    """BFT-TIMEOUT: a minority (3 * agree <= 2 * N) does not pass, however many stay silent."""
    return z3.Not(passes_minority)


def is_accountable(passes_a: Formula, passes_b: Formula, both: Term, total: Term) -> Formula:
    """BFT-ACCOUNTABLE (§4.2, §6.10): two conflicting passing commits imply those that signed
    both hold at least a third of the voting power."""
    return z3.Implies(z3.And(passes_a, passes_b), 3 * both >= total)
