"""The consensus decision of a Trusted Function round (§3.3 F10): who counts, and who agrees.

Once the reveal phase is over, validators count the reveals that open their commits, group them by
output hash and record consensus TRUE iff one group passes the threshold. The threshold test is
the shared formula `model.arith.is_over_threshold`, which the Z3 proofs read as well; the base N
it is taken over is the profile's (`ThresholdBase`).
"""

from __future__ import annotations

import attrs

from model import arith
from model.params import Params
from model.profile import Profile
from model.trusted import round as round_steps
from model.trusted.round import Decision, Phase, RevealCheck, RoundState
from model.units import NodeId, Outcome, Rejected, Seconds


def is_supermajority(agree: int, base: int, params: Params) -> bool:
    """§3.3 F10: `agree` of `base` nodes pass the threshold: agree * den > num * base."""
    consensus = params.consensus
    return arith.is_over_threshold(
        arith.INTS, agree, base, consensus.threshold_num, consensus.threshold_den
    )


def compute_decision(state: RoundState, *, params: Params, profile: Profile) -> Decision:
    """§3.3 F10: consensus is TRUE iff the reveals counted carry one output hash past the threshold."""
    checks = {
        node: round_steps.check_reveal(state, node=node, profile=profile) for node in state.reveals
    }
    counted = sorted(node for node, check in checks.items() if check is not RevealCheck.MISMATCH)
    mismatched = tuple(
        sorted(node for node, check in checks.items() if check is RevealCheck.MISMATCH)
    )
    groups: dict[bytes, list[NodeId]] = {}
    for node in counted:
        groups.setdefault(state.reveals[node].output_hash, []).append(node)
    base = round_steps.get_threshold_base(state, profile=profile)
    passing = sorted(
        (
            output_hash
            for output_hash, members in groups.items()
            if is_supermajority(len(members), base, params)
        ),
        key=lambda output_hash: (-len(groups[output_hash]), output_hash),
    )
    agreed = passing[0] if passing else None
    return Decision(
        consensus=agreed is not None,
        agreed_output_hash=agreed,
        supermajority=tuple(groups[agreed]) if agreed is not None else (),
        counted=tuple(counted),
        mismatched=mismatched,
        base=base,
        groups_over_threshold=len(passing),
    )


def process_decide(
    state: RoundState, *, now: Seconds, params: Params, profile: Profile
) -> Outcome[RoundState]:
    """§3.3 F10: validators record consensus once the reveal phase is over."""
    rule = "process_decide"
    if state.phase is not Phase.REVEAL:
        return Rejected(rule, f"consensus follows the reveal phase (phase is {state.phase.value})")
    # Verify no reveal can still arrive: a decision before the deadline could exclude honest nodes.
    if not round_steps.is_reveal_phase_over(state, now=now, params=params):
        return Rejected(rule, f"at {now} the reveal timeout has not passed and reveals are missing")
    decision = compute_decision(state, params=params, profile=profile)
    return attrs.evolve(state, phase=Phase.DECIDED, decision=decision)
