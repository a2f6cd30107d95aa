"""The executor's validators: check reveals, decide, slash, pay or lock, on books of their own.

Written from the whitepaper apart from `model.trusted`, so that the two must agree for GROUNDED
to pass. Commitments are recomputed with `oracle.commit`; every amount (the §6.3 split and its
STR side, the §4.4 validation fee, the §6.10 slash) comes from the executor's own books
(`executor.books`), which read the whitepaper through `oracle/` and never call the model. The
result is the model's `RoundOutcome` record, filled from what was observed, its times from the
executor's own clock (the round log's slots).

The app's committee of validators (`executor.committee`) votes the decision (Step 10) and the
block (Step 12); the nodes are paid only when a `TRUE:<h>` value and its block pass, and then
exactly the counted nodes that revealed h (F11); FALSE, or no supermajority of the committee
(recourse), locks the payment in escrow. Slashes and track records follow from the on-chain
reveals and F10 alone.
"""

from __future__ import annotations

from collections import Counter

import attrs
from attrs import frozen

from executor.books import Books
from executor.committee import FALSE, PublicRound, Validation, paid_hash, true_value, validate
from executor.records import RoundLog
from model.params import Params
from model.profile import Profile
from model.trusted.behaviour import ValidatorPlan
from model.trusted.settlement import RoundOutcome
from model.units import AccountId, NodeId
from oracle import commit


@frozen
class Decision:
    """F10-F11 as the executor's validators reach them."""

    consensus: bool
    agreed_output_hash: bytes | None
    supermajority: tuple[str, ...]
    counted: tuple[str, ...]
    mismatched: tuple[str, ...]
    validation: Validation | None = None
    """Steps 10 and 12: what the app's committee voted and passed (None: not yet voted)."""

    @property
    def truth(self) -> str:
        """The value an honest validator votes: F10 over the nodes' counted reveals."""
        if not self.consensus or self.agreed_output_hash is None:
            return FALSE
        return true_value(self.agreed_output_hash)


def opens_commit(log: RoundLog, node: str, *, profile: Profile, algorithm: str) -> bool | None:
    """F9/F11: True if the reveal provably opens the commit, False if provably not, None if the
    reveal cannot tell (the literal F7 reveals only h(S_N))."""
    reveal = log.reveals[node]
    if reveal.app_salt_hash != log.app_salt_hashes[node]:
        return False
    if profile.reveal_contents.value == "node-salt-hash":
        return None if reveal.node_salt == log.salt_hashes[node] else False
    if commit.digest(reveal.node_salt, algorithm) != log.salt_hashes[node]:
        return False
    recomputed = commit.commit(
        node=node,
        app_salt=log.app_salts[node],
        node_salt=reveal.node_salt,
        output_hash=reveal.output_hash,
        encoding=profile.composite_encoding.value,
        algorithm=algorithm,
    )
    return recomputed == log.commits[node]


def complain_about(log: RoundLog, *, profile: Profile, algorithm: str) -> tuple[str, ...]:
    """F9: the app complains about each node whose output disagrees with its reveal or commit."""
    complaints = []
    for node, reveal in log.reveals.items():
        output = log.outputs.get(node)
        if output is None:
            continue
        if (
            commit.digest(output, algorithm) != reveal.output_hash
            or opens_commit(log, node, profile=profile, algorithm=algorithm) is False
        ):
            complaints.append(node)
    return tuple(sorted(complaints))


def decide(log: RoundLog, *, params: Params, profile: Profile, algorithm: str) -> Decision:
    """F10: TRUE iff one output hash is revealed by more than num/den of N counted nodes."""
    checks = {n: opens_commit(log, n, profile=profile, algorithm=algorithm) for n in log.reveals}
    counted = tuple(sorted(n for n, opened in checks.items() if opened is not False))
    mismatched = tuple(sorted(n for n, opened in checks.items() if opened is False))
    base = len(log.assigned) if profile.threshold_base.value == "assigned" else len(log.commits)
    votes = Counter(log.reveals[n].output_hash for n in counted)
    num, den = params.consensus.threshold_num, params.consensus.threshold_den
    passing = sorted(
        (h for h, agree in votes.items() if agree * den > num * base), key=lambda h: (-votes[h], h)
    )
    if not passing:
        return Decision(False, None, (), counted, mismatched)
    agreed = passing[0]
    group = tuple(n for n in counted if log.reveals[n].output_hash == agreed)
    return Decision(True, agreed, group, counted, mismatched)


def settle(
    log: RoundLog,
    books: Books,
    *,
    round_id: int,
    cost: int,
    params: Params,
    profile: Profile,
    algorithm: str,
    validators: tuple[AccountId, ...] = (),
    prefund_ustr: int = 0,
    eligible: tuple[ValidatorPlan, ...],
    validator_count: int | None = None,
    seed: bytes,
) -> tuple[RoundOutcome, Decision]:
    """§3.3 Steps 9-12 on an observed round: complaints, decision, the committee's votes drawn
    from the `eligible` validators (the developer's `validator_count` of them, by the beacon on
    `seed`), slashes, payment or lock, the validators' fee (§4.4) and the track records (§3.4),
    all on `books`."""
    assert log.decided_at is not None, "only a decided round is settled"
    # The executor's clock: the decision (or the hardened F6 expiry) and every slash share it.
    decided_at = log.decided_at
    if log.expired:
        decision = Decision(False, None, (), (), ())
        complaints: tuple[str, ...] = ()
    else:
        complaints = complain_about(log, profile=profile, algorithm=algorithm)
        decision = decide(log, params=params, profile=profile, algorithm=algorithm)
    # Steps 10 and 12: the committee votes on what the chain shows of the round.
    view = PublicRound(decision.truth, tuple(log.reveals[n].output_hash for n in decision.counted))
    validation = validate(
        eligible,
        view,
        count=validator_count,
        seed=seed,
        round_id=round_id,
        algorithm=algorithm,
        params=params,
        profile=profile,
    )
    decision = attrs.evolve(decision, validation=validation)
    books.open_settlement()
    slashes = [books.slash(node, now=decided_at) for node in decision.mismatched]
    # F11: a passed TRUE:h pays exactly the counted nodes that revealed h.
    paying = paid_hash(validation.applied)
    paid = tuple(n for n in decision.counted if log.reveals[n].output_hash == paying)
    to_lock = tuple(sorted(log.commits)) if log.expired else decision.counted
    locked: tuple[str, ...] = ()
    if paying is not None and cost > 0:
        for node in paid:
            books.pay(node, cost)
    elif paying is None and to_lock and cost > 0:
        locked = to_lock
        books.lock(locked, cost)
    # §4.4: the draw on oversubscription uses the round's beacon (hardened) or its round id.
    beacon = validation.beacon.seed if profile.validation_draw_by_beacon else None
    books.pay_validators(prefund_ustr, validators, round_id=round_id, seed=beacon)
    books.record_round(
        assigned=log.assigned,
        abstained=log.abstained,
        committed=frozenset(log.commits),
        consensus=decision.consensus,
        supermajority=decision.supermajority,
        counted=decision.counted,
        mismatched=decision.mismatched,
        app_withheld_salts=log.expired,
    )
    outcome = RoundOutcome(
        round_id=round_id,
        app=str(books.app),
        profile=profile.name,
        assigned=tuple(NodeId(n) for n in log.assigned),
        committed=_ids(log.commits),
        revealed=_ids(log.reveals),
        abstained=_ids(log.abstained),
        consensus=decision.consensus,
        agreed_output_hash=None
        if decision.agreed_output_hash is None
        else decision.agreed_output_hash.hex(),
        paid=_ids(paid),
        slashed=tuple(sorted(slashes)),
        app_complaints=_ids(complaints),
        cost=cost,
        escrow_locked=_ids(locked),
        movements=books.movements(),
        commit_closed_at=log.commit_closed_at,
        reveal_times=tuple(sorted((NodeId(n), r.revealed_at) for n, r in log.reveals.items())),
        decided_at=decided_at,
        app_withheld_salts=log.expired,
        validators=validation.committee,
        beacon_seed=validation.beacon.seed.hex(),
        beacon_withheld=validation.beacon.withheld,
        decision_votes=validation.decision_votes,
        decision_passed=validation.decision_passed,
        proposer=validation.proposer,
        block_votes=validation.block_votes,
        block_passed=validation.block_passed,
        equivocators=validation.equivocators,
    )
    return outcome, decision


def _ids(nodes: object) -> tuple[NodeId, ...]:
    assert isinstance(nodes, (dict, set, frozenset, tuple, list))
    return tuple(sorted(NodeId(str(n)) for n in nodes))
