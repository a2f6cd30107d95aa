"""The executor's app-layer validators: beacon, committee, Step 10 and Step 12 votes (§3.3, §4.4).

Written from the whitepaper and docs/executor.md "The validators", apart from `model.trusted`:
§3.3 "Consensus on hashed outputs is performed by a network of validators, the number of which
is determined by the developer"; §4.3.2 "only a portion of the total network validators perform
each application-specific consensus"; §4.4 "randomized selection". Each eligible validator is
played here by its plan (honest, liar, abstainer, equivocator; revealing its beacon secret or
withholding it) and acts on the public round only: the commitments and reveals on-chain, the
beacon's reveals, the votes cast before its own.

- Beacon: each eligible validator commits h(secret) and then reveals the secret, unless it
  withholds; the chain accepts a reveal only if it hashes to the commitment. The seed is the
  hash of the revealed secrets in validator-id order, each behind its id.
- Committee: the eligible validators ranked by h(seed, "select", id), then id; the first k
  (k = the developer's count, at most the eligible) sit; the first proposes (Step 12 item 1).
  Under the hardened profile a validator that committed and never revealed is not eligible.
- Votes are by count over the committee, one vote each: a value stands with more than the
  threshold (2/3) of the committee; a validator with two different votes counts for neither.

Hashes are the round's algorithm through `oracle.commit` (pycryptodome), never `model.hashing`.
Oracle code: it imports no model rule (`tests/oracle/test_oracle_boundary.py`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from attrs import frozen

from model.params import Params
from model.profile import Profile
from model.trusted.behaviour import ValidatorBehaviour, ValidatorPlan
from oracle import commit

FALSE = "FALSE"
"""Step 10's value for consensus FALSE; TRUE is `TRUE:<hex of the agreed output hash>`."""
TRUE_PREFIX = "TRUE:"
NOBODY_REVEALED = bytes(32)
"""The output hash colluding liars claim when no reveal was counted."""
APPROVE, REJECT = "approve", "reject"


def derive(seed: bytes, *labels: bytes, algorithm: str) -> bytes:
    """h(seed, labels...): the fields each behind its 8-byte length, hashed."""
    return commit.digest(commit.composite((seed, *labels), "length-prefixed"), algorithm)


def true_value(output_hash: bytes) -> str:
    """Step 10's TRUE value on `output_hash`."""
    return TRUE_PREFIX + output_hash.hex()


def paid_hash(value: str | None) -> bytes | None:
    """The output hash a passed `TRUE:<hex>` pays; None for FALSE or nothing passed."""
    if value is None or not value.startswith(TRUE_PREFIX):
        return None
    return bytes.fromhex(value[len(TRUE_PREFIX) :])


@frozen
class PublicRound:
    """What every validator reads off the chain for a round's vote: the F10 truth over the
    nodes' counted reveals, and the output hash each counted reveal carries."""

    truth: str
    counted_hashes: tuple[bytes, ...]

    @property
    def lie(self) -> str:
        """The one value colluding liars agree on: FALSE against TRUE; against FALSE, TRUE on
        the hash most counted reveals carry (ties: the smallest), or on one nobody revealed."""
        if self.truth != FALSE:
            return FALSE
        counts = Counter(self.counted_hashes)
        if not counts:
            return true_value(NOBODY_REVEALED)
        return true_value(min(counts, key=lambda h: (-counts[h], h)))


class Validator:
    """One eligible validator, acting by its plan."""

    def __init__(self, plan: ValidatorPlan) -> None:
        self.id = str(plan.validator)
        self.behaviour = plan.behaviour
        self.withholds = plan.withholds_beacon

    def beacon_secret(self, *, seed: bytes, round_id: int, algorithm: str) -> bytes:
        """Its secret for the round's beacon, drawn from the scenario seed."""
        return derive(
            seed, b"beacon", str(round_id).encode(), self.id.encode(), algorithm=algorithm
        )

    def values(self, view: PublicRound) -> tuple[str, ...]:
        """The values it holds to be the decision: one, none (abstain) or two (equivocate)."""
        if self.behaviour is ValidatorBehaviour.HONEST:
            return (view.truth,)
        if self.behaviour is ValidatorBehaviour.LIE:
            return (view.lie,)
        if self.behaviour is ValidatorBehaviour.EQUIVOCATE:
            return (view.truth, view.lie)
        return ()

    def propose(self, view: PublicRound, passed: str) -> str | None:
        """Step 12 item 1: the block it proposes for the value that passed Step 10."""
        if self.behaviour is ValidatorBehaviour.HONEST:
            return passed
        if self.behaviour is ValidatorBehaviour.LIE:
            return view.lie
        return None

    def approvals(self, view: PublicRound, block: str) -> tuple[bool, ...]:
        """Step 12 item 3: its votes on the proposed block, approving what it holds."""
        return tuple(value == block for value in self.values(view))


@frozen
class Beacon:
    """The round's beacon: every commitment, the reveals the chain accepted, the seed."""

    commitments: tuple[tuple[str, bytes], ...]
    revealed: tuple[tuple[str, bytes], ...]
    """(validator, secret), sorted by validator id."""
    seed: bytes
    withheld: tuple[str, ...]


@frozen
class Validation:
    """Steps 10 and 12 as the executor's committee played them."""

    committee: tuple[str, ...]
    """The selected validators, in ranking order."""
    beacon: Beacon
    decision_votes: tuple[tuple[str, str], ...]
    decision_passed: str | None
    proposer: str | None
    block_votes: tuple[tuple[str, bool], ...]
    block_passed: bool
    equivocators: tuple[str, ...]

    @property
    def applied(self) -> str | None:
        """The value whose block the chain applies; None: recourse (the payment is locked)."""
        return self.decision_passed if self.block_passed else None


def run_beacon(
    validators: Sequence[Validator], *, seed: bytes, round_id: int, algorithm: str
) -> Beacon:
    """§4.4: commit h(secret), then reveal; the seed hashes every accepted reveal by id."""
    secrets = {
        v.id: v.beacon_secret(seed=seed, round_id=round_id, algorithm=algorithm) for v in validators
    }
    commitments = {v: commit.digest(secret, algorithm) for v, secret in secrets.items()}
    revealed = {}
    for validator in validators:
        if validator.withholds:
            continue
        secret = secrets[validator.id]
        # Verify the reveal opens the validator's commitment (the chain checks it).
        if commit.digest(secret, algorithm) == commitments[validator.id]:
            revealed[validator.id] = secret
    fields = [b"beacon-seed", str(round_id).encode()]
    for validator_id in sorted(revealed):
        fields += [validator_id.encode(), revealed[validator_id]]
    return Beacon(
        commitments=tuple(sorted(commitments.items())),
        revealed=tuple(sorted(revealed.items())),
        seed=commit.digest(commit.composite(fields, "length-prefixed"), algorithm),
        withheld=tuple(sorted(v for v in commitments if v not in revealed)),
    )


def draw_committee(
    validators: Sequence[Validator],
    beacon: Beacon,
    *,
    count: int | None,
    profile: Profile,
    algorithm: str,
) -> tuple[Validator, ...]:
    """§3.3, §4.3.2: the developer's count of the eligible validators, by the seed's ranking."""
    eligible = [
        v
        for v in validators
        if not (profile.beacon_excludes_withholders and v.id in beacon.withheld)
    ]
    ranked = sorted(
        eligible,
        key=lambda v: (
            derive(beacon.seed, b"select", v.id.encode(), algorithm=algorithm),
            v.id,
        ),
    )
    size = len(ranked) if count is None else min(count, len(ranked))
    return tuple(ranked[:size])


def tally(votes: Sequence[tuple[str, str]], *, committee: int, params: Params) -> str | None:
    """The value more than the threshold of the committee voted, by count; a validator that cast
    two different votes counts for neither. Several passing (a threshold under 1/2): the one
    with most votes, then the smallest."""
    cast: dict[str, set[str]] = {}
    for validator, value in votes:
        cast.setdefault(validator, set()).add(value)
    counts = Counter(next(iter(values)) for values in cast.values() if len(values) == 1)
    num, den = params.consensus.threshold_num, params.consensus.threshold_den
    passing = [value for value, n in counts.items() if n * den > num * committee]
    if not passing:
        return None
    return min(passing, key=lambda value: (-counts[value], value))


def validate(
    plans: Sequence[ValidatorPlan],
    view: PublicRound,
    *,
    count: int | None,
    seed: bytes,
    round_id: int,
    algorithm: str,
    params: Params,
    profile: Profile,
) -> Validation:
    """§3.3 Steps 10 and 12 with the round's eligible validators, each acting by its plan."""
    validators = [Validator(plan) for plan in plans]
    beacon = run_beacon(validators, seed=seed, round_id=round_id, algorithm=algorithm)
    committee = draw_committee(
        validators, beacon, count=count, profile=profile, algorithm=algorithm
    )
    size = len(committee)
    # Step 10: each member votes the decision it holds.
    decision_votes = [(v.id, value) for v in committee for value in v.values(view)]
    passed = tally(decision_votes, committee=size, params=params)
    # Step 12 item 1: the top of the ranking proposes a block, only for a value that passed.
    proposer = committee[0] if committee else None
    block = proposer.propose(view, passed) if proposer and passed is not None else None
    # Step 12 items 3-4: each member votes on the block; it passes with the threshold.
    block_votes: list[tuple[str, bool]] = []
    if block is not None:
        block_votes = [(v.id, approve) for v in committee for approve in v.approvals(view, block)]
    ballots = [(v, APPROVE if approve else REJECT) for v, approve in block_votes]
    block_passed = block is not None and tally(ballots, committee=size, params=params) == APPROVE
    equivocators = _two_faced(decision_votes) | _two_faced(ballots)
    return Validation(
        committee=tuple(v.id for v in committee),
        beacon=beacon,
        decision_votes=tuple(sorted(decision_votes)),
        decision_passed=passed,
        proposer=proposer.id if proposer else None,
        block_votes=tuple(sorted(block_votes)),
        block_passed=block_passed,
        equivocators=tuple(sorted(equivocators)),
    )


def _two_faced(votes: Sequence[tuple[str, str]]) -> set[str]:
    cast: dict[str, set[str]] = {}
    for validator, value in votes:
        cast.setdefault(validator, set()).add(value)
    return {validator for validator, values in cast.items() if len(values) > 1}


def is_byzantine_bounded(plans: Sequence[ValidatorPlan], committee: Sequence[str]) -> bool:
    """The validators' own BFT bound: fewer than a third of the committee deviate from honest
    (lie, abstain or equivocate); within it no value but the truth can pass. An empty committee
    passes nothing, so it is within the bound too."""
    behaviour = {str(plan.validator): plan.behaviour for plan in plans}
    deviating = sum(
        behaviour.get(v, ValidatorBehaviour.HONEST) is not ValidatorBehaviour.HONEST
        for v in committee
    )
    return 3 * deviating < len(committee) or not committee
