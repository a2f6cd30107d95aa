"""The consensus decision of a Trusted Function round (§3.3 F10): who counts, and who agrees.

Once the reveal phase is over, validators count the reveals that open their commits, group them by
output hash and record consensus TRUE iff one group passes the threshold. The threshold test is
the shared formula `model.arith.is_over_threshold`, which the Z3 proofs read as well; the base N
it is taken over is the profile's (`ThresholdBase`).
"""

from __future__ import annotations

from model import arith
from model.params import Params
from model.profile import Profile
from model.records import evolve
from model.trusted import round as round_steps
from model.trusted.round import Decision, Phase, RevealCheck, RoundState
from model.units import BPS_DENOMINATOR, NodeId, Outcome, Rejected, Seconds


def is_supermajority(agree: int, base: int, params: Params) -> bool:
    """§3.3 F10: `agree` of `base` nodes pass the threshold: agree * den > num * base."""
    consensus = params.consensus
    return arith.is_over_threshold(
        arith.INTS, agree, base, consensus.threshold_num, consensus.threshold_den
    )


def is_within_deviation(agree: int, base: int, deviation_bps: int) -> bool:
    """§4.3.3 (c): `agree` of `base` nodes agree within the app's "allowed degrees of deviation
    from operation output vs. complete consensus": agree * 10^4 >= (10^4 - deviation) * base."""
    alg = arith.INTS
    full = alg.lit(BPS_DENOMINATOR)
    needed = alg.mul(alg.sub(full, deviation_bps), base)
    # agree * 10^4 >= needed, written as needed < agree * 10^4 + 1 over the integers.
    return alg.lt(needed, alg.add(alg.mul(agree, full), alg.lit(1)))


def is_app_agreement(
    agree: int, base: int, deviation_bps: int | None, *, params: Params, profile: Profile
) -> bool:
    """§3.3 F10, §4.3.3 (c): the consensus rule of a round of an app: F10 alone without a set
    deviation; with one, the deviation alone (literal) or the deviation and F10 both
    (`deviation_bounded`)."""
    if deviation_bps is None:
        return is_supermajority(agree, base, params)
    within = is_within_deviation(agree, base, deviation_bps)
    if not profile.deviation_bounded:
        return within
    return arith.INTS.all_of(within, is_supermajority(agree, base, params))


def compute_decision(
    state: RoundState, *, params: Params, profile: Profile, deviation_bps: int | None = None
) -> Decision:
    """§3.3 F10: consensus is TRUE iff the reveals counted carry one output hash past the
    threshold (the app's rule with its allowed deviation, §4.3.3 (c)); when two outputs pass,
    the larger group (tie: the smaller hash) is paid and the decision records how many passed."""
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
            if is_app_agreement(len(members), base, deviation_bps, params=params, profile=profile)
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
    state: RoundState,
    *,
    now: Seconds,
    params: Params,
    profile: Profile,
    deviation_bps: int | None = None,
) -> Outcome[RoundState]:
    """§3.3 F10: validators record consensus once the reveal phase is over, by the app's rule
    (§4.3.3 (c): its allowed deviation, if it set one)."""
    rule = "process_decide"
    if state.phase is not Phase.REVEAL:
        return Rejected(rule, f"consensus follows the reveal phase (phase is {state.phase.value})")
    # Verify no reveal can still arrive: a decision before the deadline could exclude honest nodes.
    if not round_steps.is_reveal_phase_over(state, now=now, params=params):
        return Rejected(rule, f"at {now} the reveal timeout has not passed and reveals are missing")
    decision = compute_decision(state, params=params, profile=profile, deviation_bps=deviation_bps)
    return evolve(state, phase=Phase.DECIDED, decision=decision)
