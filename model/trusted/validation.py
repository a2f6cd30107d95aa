"""The app-layer validators of a round: their committee, the Step 10 vote and Step 12 (§3.3, §4.3.2).

§3.3: "Consensus on hashed outputs is performed by a network of validators, the number of which
is determined by the developer"; §4.3.2: "only a portion of the total network validators perform
each application-specific consensus". The committee is drawn from the eligible (active)
validators by a commit-reveal beacon among them: each commits h(secret) and reveals the secret;
the seed is the hash of the revealed secrets in validator-id order, and the committee is the
developer's count of validators ranked first by h(seed, "select", id).

Step 10: each committee member votes a decision value, `TRUE:<output hash hex>` or `FALSE`; a
value stands only with more than the threshold (2/3) of the committee, by count (one validator,
one vote: the developer sets a number of validators, the committee is drawn uniformly and §4.4
pays each the same). Step 12: the committee's top-ranked member proposes the block of the
decided value; the committee votes it; with the threshold its payments apply, otherwise the
node payment is locked in escrow until the validators resolve it (recourse). A locked payment
is resolved by the round's committee voting again (`process_resolution_vote`).

Byzantine behaviour is a plan per validator (`ValidatorBehaviour`): the truth is F10 over the
nodes' reveals; liars collude on one lie value; an equivocator's two votes are evidence and
neither counts. A withholder of its beacon secret can choose between two seeds; the hardened
profile at least takes it off the committee (`Profile.beacon_excludes_withholders`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from attrs import frozen

from model import arith
from model.hashing import HashAlgorithm, compute_hash, derive_bytes, encode_fields
from model.params import Params
from model.profile import CompositeEncoding, Profile
from model.trusted.behaviour import (
    HONEST_VALIDATORS,
    ValidatorBehaviour,
    ValidatorPlan,
)
from model.trusted.round import Decision, RoundState
from model.units import ValidatorId

__all__ = [
    "FALSE",
    "HONEST_VALIDATORS",
    "AppValidation",
    "Committee",
    "ResolutionVote",
    "ValidatorBehaviour",
    "ValidatorPlan",
    "compute_beacon_seed",
    "compute_committee_ranking",
    "compute_tally",
    "encode_value",
    "get_beacon_secret",
    "get_lie_value",
    "get_truth_value",
    "get_value_hash",
    "is_validator_supermajority",
    "process_resolution_vote",
    "process_select_committee",
    "process_validate_round",
]

FALSE = "FALSE"
"""The decision value of consensus FALSE."""
FORGED_HASH = bytes(32)
"""The output hash liars claim when no reveal was counted: one nobody revealed."""


def encode_value(consensus: bool, output_hash: bytes | None) -> str:
    """§3.3 F10: a decision value as voted: `TRUE:<output hash hex>` or `FALSE`."""
    if not consensus or output_hash is None:
        return FALSE
    return "TRUE:" + output_hash.hex()


def get_value_hash(value: str) -> bytes | None:
    """The output hash a `TRUE:<hex>` value pays; None for FALSE."""
    if not value.startswith("TRUE:"):
        return None
    return bytes.fromhex(value.removeprefix("TRUE:"))


@frozen
class Committee:
    """§3.3, §4.3.2: the validators drawn for one round, and the beacon that drew them."""

    selected: tuple[ValidatorId, ...]
    """In ranking order; the first proposes the block (Step 12 item 1)."""
    seed: bytes
    withheld: tuple[ValidatorId, ...]
    """Eligible validators that committed to the beacon and never revealed (sorted)."""


@frozen
class AppValidation:
    """§3.3 Steps 10 and 12 for one round: who voted what and what passed."""

    committee: Committee
    decision_votes: tuple[tuple[ValidatorId, str], ...]
    """Every Step 10 vote cast (an equivocator's two included), sorted."""
    decision_passed: str | None
    proposer: ValidatorId | None
    block_votes: tuple[tuple[ValidatorId, bool], ...]
    """Every Step 12 vote on the proposed block (approve or reject), sorted."""
    block_passed: bool
    equivocators: tuple[ValidatorId, ...]

    @property
    def applied_value(self) -> str | None:
        """The decision whose payments apply: Step 10's, once its block passed; None: recourse."""
        return self.decision_passed if self.block_passed else None


@frozen
class ResolutionVote:
    """§3.3 Step 12 item 4: the committee's vote resolving a locked payment."""

    votes: tuple[tuple[ValidatorId, str], ...]
    passed: str | None
    equivocators: tuple[ValidatorId, ...]


# --- The beacon and the committee ---------------------------------------------------------------


def get_beacon_secret(
    *, seed: bytes, round_id: int, validator: ValidatorId, algorithm: HashAlgorithm
) -> bytes:
    """§4.4 "randomized selection": a validator's beacon secret, drawn from the round's seed."""
    return derive_bytes(
        seed, b"beacon", str(round_id).encode(), validator.encode(), algorithm=algorithm
    )


def compute_beacon_seed(
    *, round_id: int, revealed: Mapping[ValidatorId, bytes], algorithm: HashAlgorithm
) -> bytes:
    """§4.4: the seed: the hash of every revealed secret, by validator id, behind its id."""
    fields: list[bytes] = [b"beacon-seed", str(round_id).encode()]
    for validator in sorted(revealed):
        fields += [validator.encode(), revealed[validator]]
    return compute_hash(encode_fields(fields, CompositeEncoding.LENGTH_PREFIXED), algorithm)


def compute_committee_ranking(
    eligible: Sequence[ValidatorId], *, seed: bytes, algorithm: HashAlgorithm
) -> tuple[ValidatorId, ...]:
    """§4.3.2: the eligible validators in the seed's order: by h(seed, "select", id), then id."""
    return tuple(
        sorted(
            eligible,
            key=lambda v: (derive_bytes(seed, b"select", v.encode(), algorithm=algorithm), v),
        )
    )


def process_select_committee(
    plans: Sequence[ValidatorPlan],
    *,
    count: int | None,
    round_id: int,
    seed: bytes,
    algorithm: HashAlgorithm,
    profile: Profile,
) -> Committee:
    """§3.3, §4.3.2: the developer's count of the eligible validators, drawn by the beacon."""
    revealed = {
        plan.validator: get_beacon_secret(
            seed=seed, round_id=round_id, validator=plan.validator, algorithm=algorithm
        )
        for plan in plans
        if not plan.withholds_beacon
    }
    withheld = tuple(sorted(plan.validator for plan in plans if plan.withholds_beacon))
    beacon = compute_beacon_seed(round_id=round_id, revealed=revealed, algorithm=algorithm)
    eligible = [
        plan.validator
        for plan in plans
        if not (profile.beacon_excludes_withholders and plan.withholds_beacon)
    ]
    ranking = compute_committee_ranking(eligible, seed=beacon, algorithm=algorithm)
    size = len(ranking) if count is None else min(count, len(ranking))
    return Committee(selected=ranking[:size], seed=beacon, withheld=withheld)


# --- Votes --------------------------------------------------------------------------------------


def get_truth_value(decision: Decision) -> str:
    """§3.3 F10: what an honest validator votes: the nodes' consensus and its output hash."""
    return encode_value(decision.consensus, decision.agreed_output_hash)


def get_lie_value(truth: str, counted_hashes: Sequence[bytes]) -> str:
    """The value colluding liars vote: FALSE against a TRUE; against FALSE, TRUE on the hash most
    counted reveals carry (ties: the smallest), or on a hash nobody revealed."""
    if truth != FALSE:
        return FALSE
    counts: dict[bytes, int] = {}
    for output_hash in counted_hashes:
        counts[output_hash] = counts.get(output_hash, 0) + 1
    if not counts:
        return encode_value(True, FORGED_HASH)
    return encode_value(True, min(counts, key=lambda h: (-counts[h], h)))


def _cast(plan: ValidatorPlan, truth: str, lie: str) -> tuple[str, ...]:
    behaviour = plan.behaviour
    if behaviour is ValidatorBehaviour.HONEST:
        return (truth,)
    if behaviour is ValidatorBehaviour.LIE:
        return (lie,)
    if behaviour is ValidatorBehaviour.EQUIVOCATE:
        return (truth, lie)
    return ()


def is_validator_supermajority(votes: int, committee: int, params: Params) -> bool:
    """§3.3 Step 12, §4.2: `votes` of a `committee` of validators pass: votes * den > num * size."""
    consensus = params.consensus
    return arith.is_over_threshold(
        arith.INTS, votes, committee, consensus.threshold_num, consensus.threshold_den
    )


def compute_tally(
    votes: Sequence[tuple[ValidatorId, str]], *, committee: int, params: Params
) -> str | None:
    """§3.3, §4.2: the value more than the threshold of the committee voted, by count; a
    validator that voted two values counts for neither (None: no value passes)."""
    values: dict[ValidatorId, set[str]] = {}
    for validator, value in votes:
        values.setdefault(validator, set()).add(value)
    counts: dict[str, int] = {}
    for cast in values.values():
        if len(cast) == 1:
            (value,) = cast
            counts[value] = counts.get(value, 0) + 1
    passing = [
        value
        for value, count in counts.items()
        if is_validator_supermajority(count, committee, params)
    ]
    if not passing:
        return None
    return min(passing, key=lambda value: (-counts[value], value))


def _equivocators(votes: Sequence[tuple[ValidatorId, object]]) -> set[ValidatorId]:
    seen: dict[ValidatorId, set[object]] = {}
    for validator, value in votes:
        seen.setdefault(validator, set()).add(value)
    return {validator for validator, cast in seen.items() if len(cast) > 1}


def _plans_of(
    plans: Sequence[ValidatorPlan], committee: Sequence[ValidatorId]
) -> list[ValidatorPlan]:
    by_id = {plan.validator: plan for plan in plans}
    return [by_id[v] if v in by_id else ValidatorPlan(v) for v in committee]


def _counted_hashes(state: RoundState, decision: Decision) -> list[bytes]:
    return [state.reveals[node].output_hash for node in decision.counted]


def process_validate_round(
    state: RoundState,
    *,
    plans: Sequence[ValidatorPlan],
    count: int | None,
    seed: bytes,
    params: Params,
    profile: Profile,
) -> AppValidation | None:
    """§3.3 Steps 10 and 12: the committee votes the decision, its proposer proposes the block
    of the value that passed, the committee votes the block (None: the round is not decided)."""
    decision = state.decision
    if decision is None:
        return None
    committee = process_select_committee(
        plans,
        count=count,
        round_id=state.round_id,
        seed=seed,
        algorithm=state.algorithm,
        profile=profile,
    )
    members = _plans_of(plans, committee.selected)
    truth = get_truth_value(decision)
    lie = get_lie_value(truth, _counted_hashes(state, decision))
    # Step 10: every member votes the consensus value; the threshold is over the committee.
    decision_votes = [
        (plan.validator, value) for plan in members for value in _cast(plan, truth, lie)
    ]
    passed = compute_tally(decision_votes, committee=len(members), params=params)
    # Step 12 item 1: the top of the seed ranking proposes the block of the value that passed.
    proposer = members[0] if members else None
    block: str | None = None
    if passed is not None and proposer is not None:
        block = {
            ValidatorBehaviour.HONEST: passed,
            ValidatorBehaviour.LIE: lie,
        }.get(proposer.behaviour)
    # Step 12 items 2-4: the committee approves the block iff it carries the value it holds.
    block_votes: list[tuple[ValidatorId, bool]] = []
    if block is not None:
        for plan in members:
            block_votes += [(plan.validator, value == block) for value in _cast(plan, truth, lie)]
    approvals = [(validator, "approve") for validator, approve in block_votes if approve]
    rejections = [(validator, "reject") for validator, approve in block_votes if not approve]
    block_passed = (
        block is not None
        and compute_tally([*approvals, *rejections], committee=len(members), params=params)
        == "approve"
    )
    equivocators = _equivocators(decision_votes) | _equivocators(block_votes)
    return AppValidation(
        committee=committee,
        decision_votes=tuple(sorted(decision_votes)),
        decision_passed=passed,
        proposer=proposer.validator if proposer is not None else None,
        block_votes=tuple(sorted(block_votes)),
        block_passed=block_passed,
        equivocators=tuple(sorted(equivocators)),
    )


def process_resolution_vote(
    *,
    committee: Sequence[ValidatorId],
    plans: Sequence[ValidatorPlan],
    truth: str,
    counted_hashes: Sequence[bytes],
    params: Params,
) -> ResolutionVote:
    """§3.3 Step 12 item 4: the round's committee votes the resolved decision of a locked payment;
    it stands only with more than the threshold of the committee."""
    lie = get_lie_value(truth, counted_hashes)
    members = _plans_of(plans, committee)
    votes = [(plan.validator, value) for plan in members for value in _cast(plan, truth, lie)]
    passed = compute_tally(votes, committee=len(members), params=params)
    return ResolutionVote(
        votes=tuple(sorted(votes)),
        passed=passed,
        equivocators=tuple(sorted(_equivocators(votes))),
    )
