"""Proofs of the 2/3-supermajority family (§3.3 F10, §4.2): BFT-THRESHOLD, BFT-UNIQUE, BFT-SOUND,
BFT-TIMEOUT and BFT-ACCOUNTABLE.

Every claim ranges over unbounded node counts (or stakes): "for every N" means N is a Z3 Int with
no upper bound, not a loop over small N. The subject of the round claims is the model's own test,
`model.trusted.decision.is_supermajority`, run on Z3 terms (`solver.symbolic`), so the claim
sees the keys it reads; BFT-ACCOUNTABLE reads `model.arith.is_over_threshold`, which
`model.staking.is_block_committed` calls, on the threshold's keys. The goals are the
whitepaper's "more than two thirds" (`solver.goals.consensus`). For all parameters the threshold
keeps the whitepaper's 2/3 (the family holds only there); every other key is a variable.

The one piece that is not in `model.arith` is which N a round's threshold counts
(`model.trusted.round.get_threshold_base`): it reads a `RoundState` (counts of tuples), not
integers, so `_threshold_base` states it on counts: every assigned node under the hardened
profile, only the committed ones under the literal Step 5. The tests run real rounds of the model
on the counterexamples' counts, so the two readings are checked against each other.
"""

from __future__ import annotations

import z3

import model.trusted.decision
from model import arith
from model.params import Params
from model.profile import Profile, ThresholdBase
from solver.algebra import Z3_TERMS, Formula, Term
from solver.claim import Claim, ParamMode
from solver.goals import consensus as goals
from solver.params import ParamTerms, get_param_logic
from solver.proofs import ClaimBuilder
from solver.symbolic import arith_as, make_symbolic_params


def _threshold_base(profile: Profile, *, assigned: Term, committed: Term) -> Term:
    """§3.3 F10: the N of `agree * den > num * N` on counts, as `get_threshold_base` reads it
    from a round: every assigned node (hardened) or only the committed ones (literal Step 5)."""
    if profile.threshold_base is ThresholdBase.ASSIGNED:
        return assigned
    return committed


class _Threshold:
    """The threshold num/den of the checked set (or of every set, ALL_PARAMS) and its test."""

    def __init__(self, params: Params, mode: ParamMode) -> None:
        self.mode = mode
        self.terms = ParamTerms(params, mode, fixed=goals.WHITEPAPER_THRESHOLD)
        self.symbolic = make_symbolic_params(self.terms.__getitem__)

    def passes(self, agree: Term, base: Term) -> Formula:
        """The model's F10 test, `model.trusted.decision.is_supermajority`, run on terms: it
        reads the threshold's keys itself (a key it mixes up is a variable of its own)."""
        with arith_as(model.trusted.decision):
            passed: Formula = model.trusted.decision.is_supermajority(agree, base, self.symbolic)
        return passed

    def passes_commit(self, signed: Term, total: Term) -> Formula:
        """§4.2's commit test (`model.staking.is_block_committed` runs `arith.is_over_threshold`
        on the threshold's keys, as here)."""
        num = self.terms["consensus.threshold_num"]
        den = self.terms["consensus.threshold_den"]
        return arith.is_over_threshold(Z3_TERMS, signed, total, num, den)

    def assemble(
        self,
        invariant_id: str,
        statement: str,
        inputs: tuple[tuple[str, Term], ...],
        domain: tuple[Formula, ...],
        goal: Formula,
    ) -> Claim:
        """The claim: the counts' domain, every valid parameter set (ALL_PARAMS), the goal."""
        assumptions = (*domain, *self.terms.get_assumptions(coherent=False))
        return Claim(
            invariant_id=invariant_id,
            statement=statement,
            logic=get_param_logic(self.mode, linear=True),
            inputs=tuple(sorted((*inputs, *self.terms.get_inputs()), key=lambda kv: kv[0])),
            assumptions=assumptions,
            goal=goal,
        )


def _base_words(profile: Profile) -> str:
    if profile.threshold_base is ThresholdBase.ASSIGNED:
        return "the threshold counting every assigned node"
    return "the threshold counting only the committed nodes"


def claim_bft_threshold(params: Params, profile: Profile, mode: ParamMode) -> Claim:
    """BFT-THRESHOLD (§3.3 F10): the consensus test passes iff 3 * agree > 2 * N, N assigned."""
    threshold = _Threshold(params, mode)
    assigned, committed, agree = z3.Ints("assigned committed agree")
    base = _threshold_base(profile, assigned=assigned, committed=committed)
    goal = goals.is_threshold_exact(threshold.passes(agree, base), agree, assigned)
    statement = (
        "for every N >= 1 assigned nodes and 0 <= agree <= committed <= N: "
        f"{_base_words(profile)} passes for agree iff 3 * agree > 2 * N"
    )
    domain = (assigned >= 1, agree >= 0, agree <= committed, committed <= assigned)
    inputs = (("assigned", assigned), ("committed", committed), ("agree", agree))
    return threshold.assemble("BFT-THRESHOLD", statement, inputs, domain, goal)


def claim_bft_unique(params: Params, profile: Profile, mode: ParamMode) -> Claim:
    """BFT-UNIQUE (§3.3): two disjoint groups of counted reveals cannot both pass."""
    threshold = _Threshold(params, mode)
    assigned, committed, first, second = z3.Ints("assigned committed first second")
    base = _threshold_base(profile, assigned=assigned, committed=committed)
    goal = goals.is_unique(threshold.passes(first, base), threshold.passes(second, base))
    statement = (
        "for every N >= 1 assigned nodes, committed <= N, and two groups of reveals for distinct "
        f"outputs first, second >= 0 with first + second <= committed: {_base_words(profile)} "
        "does not pass for both"
    )
    domain = (
        assigned >= 1,
        first >= 0,
        second >= 0,
        first + second <= committed,
        committed <= assigned,
    )
    inputs = (
        ("assigned", assigned),
        ("committed", committed),
        ("first", first),
        ("second", second),
    )
    return threshold.assemble("BFT-UNIQUE", statement, inputs, domain, goal)


def claim_bft_sound(params: Params, profile: Profile, mode: ParamMode) -> Claim:
    """BFT-SOUND (§3.3): with 3f < N faulty nodes no group of faulty reveals passes, even when
    the app sends honest nodes wrong salts so that they abstain (§3.2 F4, §3.5.2)."""
    threshold = _Threshold(params, mode)
    assigned, faulty, wronged = z3.Ints("assigned faulty wronged")
    faulty_committed, faulty_group = z3.Ints("faulty_committed faulty_group")
    # Honest nodes given a valid salt commit and reveal the honest output; wronged ones abstain.
    committed = (assigned - faulty - wronged) + faulty_committed
    base = _threshold_base(profile, assigned=assigned, committed=committed)
    goal = goals.is_sound(threshold.passes(faulty_group, base))
    statement = (
        "for every N assigned nodes, f faulty with 3f < N, 0 <= wronged <= N - f honest nodes "
        "sent a wrong app salt (they abstain), the other honest nodes committing and revealing the "
        "honest output, 0 <= faulty_group <= faulty_committed <= f: "
        f"{_base_words(profile)} does not pass for a group of faulty reveals on a wrong output"
    )
    domain = (
        faulty >= 0,
        3 * faulty < assigned,
        wronged >= 0,
        wronged <= assigned - faulty,
        faulty_group >= 0,
        faulty_group <= faulty_committed,
        faulty_committed <= faulty,
    )
    inputs = (
        ("assigned", assigned),
        ("faulty", faulty),
        ("wronged", wronged),
        ("faulty_committed", faulty_committed),
        ("faulty_group", faulty_group),
    )
    return threshold.assemble("BFT-SOUND", statement, inputs, domain, goal)


def claim_bft_timeout(params: Params, profile: Profile, mode: ParamMode) -> Claim:
    """BFT-TIMEOUT (§3.2 F5, F7): a minority of the assigned nodes never passes, however many
    nodes stay silent (do not commit, or commit and do not reveal)."""
    threshold = _Threshold(params, mode)
    assigned, committed, revealed, agree = z3.Ints("assigned committed revealed agree")
    base = _threshold_base(profile, assigned=assigned, committed=committed)
    goal = goals.is_minority_stopped(threshold.passes(agree, base))
    statement = (
        "for every N >= 1 assigned nodes and 0 <= agree <= revealed <= committed <= N with "
        f"3 * agree <= 2 * N (a minority), whatever N - revealed silent nodes: {_base_words(profile)}"
        " does not pass for agree"
    )
    domain = (
        assigned >= 1,
        agree >= 0,
        agree <= revealed,
        revealed <= committed,
        committed <= assigned,
        3 * agree <= 2 * assigned,
    )
    inputs = (
        ("assigned", assigned),
        ("committed", committed),
        ("revealed", revealed),
        ("agree", agree),
    )
    return threshold.assemble("BFT-TIMEOUT", statement, inputs, domain, goal)


def claim_bft_accountable(params: Params, profile: Profile, mode: ParamMode) -> Claim:
    """BFT-ACCOUNTABLE (§4.2, §6.10): two conflicting commits that both pass imply the validators
    that signed both hold at least 1/3 of the voting power.

    Any active validator set is abstracted by the total power of four classes: signed both
    commits, only A, only B, neither; the threshold test is the one `is_block_committed` runs."""
    threshold = _Threshold(params, mode)
    both, only_a, only_b, neither = z3.Ints("power.both power.only_a power.only_b power.neither")
    total = both + only_a + only_b + neither
    committed_a = threshold.passes_commit(both + only_a, total)
    committed_b = threshold.passes_commit(both + only_b, total)
    goal = goals.is_accountable(committed_a, committed_b, both, total)
    statement = (
        "for every split of the active voting power into signed both (B), only A, only B and "
        "neither, each >= 0: if commits A and B both pass the threshold then 3 * B >= total power"
    )
    domain = (both >= 0, only_a >= 0, only_b >= 0, neither >= 0)
    inputs = (
        ("power.both", both),
        ("power.neither", neither),
        ("power.only_a", only_a),
        ("power.only_b", only_b),
    )
    return threshold.assemble("BFT-ACCOUNTABLE", statement, inputs, domain, goal)


CLAIMS: dict[str, ClaimBuilder] = {
    "BFT-THRESHOLD": claim_bft_threshold,
    "BFT-UNIQUE": claim_bft_unique,
    "BFT-SOUND": claim_bft_sound,
    "BFT-TIMEOUT": claim_bft_timeout,
    "BFT-ACCOUNTABLE": claim_bft_accountable,
}
