"""Goal of SUB-POWERS (§6.8): a committee acts only on its own weighted vote.

§6.8: "each STR token represents one pro-rata vote", "an STR token can only be delegated to one
subcommittee at a time", and a committee acts on its delegators' behalf. The reading of the
vote (docs/model.md, "Subcommittee powers"): the signing delegators' STR delegated to that
committee, and nothing else they hold, must be strictly more than 2/3 of all the STR delegated
to it. Written on terms, apart from `model.committees`.
"""

from __future__ import annotations

from solver.goals import Formula, Term

PASS_NUM, PASS_DEN = 2, 3
"""The reading's threshold: strictly more than 2/3 of the committee's delegated STR."""


def is_committee_vote(passed: Formula, signed: Term, delegated: Term) -> Formula:
    """SUB-POWERS: the committee acts iff the STR its signers delegated to it, `signed`, is
    strictly more than 2/3 of all the STR delegated to it, `delegated`."""
    return passed == (PASS_DEN * signed > PASS_NUM * delegated)
