"""Validators, delegations and block commits of the Stratosphere chain (§4.2, §4.3.2, §6.9).

Bonded STR sits in the ledger's BONDED_POOL, and `StakingState` records who bonded how much to
which validator, so CONS-STR stays a ledger property and the pool is checkable against the
delegations. Undelegated STR waits out the unbonding period in UNBONDING_POOL (profile switch
`unbonding_period`), recorded entry by entry so that evidence of an earlier infraction still
slashes it. Voting power, the > 2/3 block commit and the double-sign accounting behind
BFT-ACCOUNTABLE are pure derivations from that state; a jailed or tombstoned validator
(`model.standing`) has no power.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs
from attrs import field, frozen
from pyrsistent import PMap, pmap

from model import arith
from model.ledger import BONDED_POOL, UNBONDING_POOL, Ledger, Token, process_transfer
from model.maps import dmap
from model.params import Params
from model.records import evolve
from model.units import AccountId, Outcome, Rejected, Seconds, UStr, ValidatorId

EvidenceKey = tuple[ValidatorId, int, int]
"""(validator, height, round): one double-sign is punished once (§6.10)."""

UNBONDING_SECONDS: Seconds = 21 * 24 * 60 * 60
"""Cosmos SDK x/staking's default unbonding time, 21 days (1,814,400 s). §4.2 builds the chain on
Cosmos and Tendermint and names no period of its own; a named constant, not a governed key."""


@frozen
class Validator:
    """§4.3.2: a validator and the account that operates it (and holds its self-bond)."""

    id: ValidatorId
    operator: AccountId


def _empty_validators() -> PMap[ValidatorId, Validator]:
    return dmap()


def _empty_delegations() -> PMap[tuple[AccountId, ValidatorId], int]:
    return dmap()


@frozen
class UnbondingEntry:
    """§4.2 (Cosmos x/staking): STR undelegated at `start`, paid out at `completion`."""

    delegator: AccountId
    validator: ValidatorId
    amount: UStr
    start: Seconds
    completion: Seconds


@frozen
class Infraction:
    """§6.10: a double sign committed at `time` whose evidence has not been submitted yet;
    unbonding entries numbered `first_entry` or later started after it and stay slashable."""

    time: Seconds
    first_entry: int


def _empty_entries() -> PMap[int, UnbondingEntry]:
    return pmap()


def _empty_infractions() -> PMap[EvidenceKey, Infraction]:
    return dmap()


def _empty_jail() -> PMap[ValidatorId, Seconds]:
    return dmap()


def _empty_missed() -> PMap[ValidatorId, tuple[bool, ...]]:
    return dmap()


def _empty_arrivals() -> PMap[ValidatorId, int]:
    return dmap()


@frozen
class StakingState:
    """§4.2: the validators, every bond (self-bond included) and the evidence already punished."""

    validators: PMap[ValidatorId, Validator] = field(factory=_empty_validators)
    delegations: PMap[tuple[AccountId, ValidatorId], int] = field(factory=_empty_delegations)
    """(delegator, validator) -> bonded ustr; always > 0, a bond reaching 0 is removed."""
    processed_evidence: frozenset[EvidenceKey] = frozenset()
    unbonding: PMap[int, UnbondingEntry] = field(factory=_empty_entries)
    """Entry number -> an undelegation waiting out the unbonding period (profile `hardened`)."""
    next_entry: int = 0
    """The number the next unbonding entry gets: entries are numbered in the order they start."""
    infractions: PMap[EvidenceKey, Infraction] = field(factory=_empty_infractions)
    """Double signs committed but not yet punished, awaiting their evidence."""
    jailed: PMap[ValidatorId, Seconds] = field(factory=_empty_jail)
    """Jailed validator -> the earliest time it may unjail (`model.standing`)."""
    tombstoned: frozenset[ValidatorId] = frozenset()
    """Validators that double-signed: jailed for ever (§6.10: "losing its good standing")."""
    missed: PMap[ValidatorId, tuple[bool, ...]] = field(factory=_empty_missed)
    """Validator -> for each of the last committed heights it was in the active set, oldest
    first, whether it missed the block (at most `model.standing.SIGNED_BLOCKS_WINDOW`)."""
    arrivals: PMap[ValidatorId, int] = field(factory=_empty_arrivals)
    """Validator -> its arrival number, given at its first bond (its creation), in order: the
    literal §4.2 set keeps the earlier arrival at a tie (switch `validator_set_by_arrival`)."""
    next_arrival: int = 0
    """The arrival number the next validator created gets."""
    by_arrival: bool = False
    """The chain's reading of a tie at the cut (switch `validator_set_by_arrival`): True keeps
    the earlier arrival, False the smaller id."""


# --- Bonding -------------------------------------------------------------------------------------


def get_delegation(staking: StakingState, delegator: AccountId, validator: ValidatorId) -> UStr:
    """§4.2: the ustr `delegator` has bonded to `validator` (0 if none)."""
    return staking.delegations.get((delegator, validator), 0)


def get_validator_stake(staking: StakingState, validator: ValidatorId) -> UStr:
    """§4.2: the total bonded to `validator`: its self-bond plus every delegation."""
    return sum(amount for (_, v), amount in staking.delegations.items() if v == validator)


def get_validator_stakes(staking: StakingState) -> dict[ValidatorId, UStr]:
    """§4.2: every validator's stake in one pass (0 for a validator nobody bonds to)."""
    stakes: dict[ValidatorId, UStr] = dict.fromkeys(staking.validators, 0)
    for (_, validator), amount in staking.delegations.items():
        stakes[validator] = stakes.get(validator, 0) + amount
    return stakes


def get_delegators(staking: StakingState, validator: ValidatorId) -> tuple[AccountId, ...]:
    """§4.2: the accounts bonded to `validator`, the operator included, sorted by id."""
    return tuple(sorted(d for (d, v) in staking.delegations if v == validator))


def _bond(
    ledger: Ledger,
    staking: StakingState,
    *,
    rule: str,
    delegator: AccountId,
    validator: ValidatorId,
    amount: int,
    **changes: Any,
) -> Outcome[tuple[Ledger, StakingState]]:
    """Move `amount` STR from `delegator` into BONDED_POOL and record the bond (with any other
    `changes` to the staking state, made in the same step)."""
    moved = process_transfer(
        ledger, sender=delegator, recipient=BONDED_POOL, token=Token.STR, amount=amount
    )
    if isinstance(moved, Rejected):
        return Rejected(rule, moved.reason)
    key = (delegator, validator)
    delegations = staking.delegations.set(key, staking.delegations.get(key, 0) + amount)
    return moved, evolve(staking, delegations=delegations, **changes)


def _check_bond_request(rule: str, delegator: AccountId, amount: object) -> Rejected | None:
    # Verify the amount is a positive integer of micro-units.
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        return Rejected(rule, f"amount must be a positive integer of ustr, got {amount!r}")
    # Verify the pool does not bond to itself, which would count one STR twice.
    if delegator == BONDED_POOL:
        return Rejected(rule, f"{BONDED_POOL} cannot bond its own STR")
    return None


def process_create_validator(
    ledger: Ledger,
    staking: StakingState,
    *,
    validator: ValidatorId,
    operator: AccountId,
    self_bond: UStr,
) -> Outcome[tuple[Ledger, StakingState]]:
    """§4.2, §4.3.2: register `validator`, operated by `operator`, with a positive self-bond."""
    rule = "process_create_validator"
    refused = _check_bond_request(rule, operator, self_bond)
    if refused is not None:
        return refused
    # Verify the validator id is new.
    if validator in staking.validators:
        return Rejected(rule, f"validator {validator} already exists")
    return _bond(
        ledger,
        staking,
        rule=rule,
        delegator=operator,
        validator=validator,
        amount=self_bond,
        validators=staking.validators.set(validator, Validator(validator, operator)),
        arrivals=staking.arrivals.set(validator, staking.next_arrival),
        next_arrival=staking.next_arrival + 1,
    )


def process_delegate(
    ledger: Ledger,
    staking: StakingState,
    *,
    delegator: AccountId,
    validator: ValidatorId,
    amount: UStr,
) -> Outcome[tuple[Ledger, StakingState]]:
    """§4.2, §6.9: `delegator` bonds `amount` STR to an existing `validator`."""
    rule = "process_delegate"
    refused = _check_bond_request(rule, delegator, amount)
    if refused is not None:
        return refused
    # Verify the validator exists.
    if validator not in staking.validators:
        return Rejected(rule, f"unknown validator {validator}")
    return _bond(
        ledger, staking, rule=rule, delegator=delegator, validator=validator, amount=amount
    )


def process_undelegate(
    ledger: Ledger,
    staking: StakingState,
    *,
    delegator: AccountId,
    validator: ValidatorId,
    amount: UStr,
    now: Seconds = 0,
    unbonding: bool = False,
) -> Outcome[tuple[Ledger, StakingState]]:
    """§4.2: take `amount` bonded STR back: to `delegator` at once (the literal text gives no
    unbonding), or, with `unbonding`, into an unbonding entry that completes after
    UNBONDING_SECONDS (Cosmos x/staking)."""
    rule = "process_undelegate"
    refused = _check_bond_request(rule, delegator, amount)
    if refused is not None:
        return refused
    # Verify the delegator has bonded at least the amount to this validator.
    bonded = get_delegation(staking, delegator, validator)
    if bonded < amount:
        return Rejected(rule, f"{delegator} has {bonded} ustr bonded to {validator}, not {amount}")
    recipient = UNBONDING_POOL if unbonding else delegator
    moved = process_transfer(
        ledger, sender=BONDED_POOL, recipient=recipient, token=Token.STR, amount=amount
    )
    if isinstance(moved, Rejected):
        return Rejected(rule, moved.reason)
    key = (delegator, validator)
    left = bonded - amount
    delegations = staking.delegations.set(key, left) if left else staking.delegations.remove(key)
    staking = attrs.evolve(staking, delegations=delegations)
    if unbonding:
        entry = UnbondingEntry(delegator, validator, amount, now, now + UNBONDING_SECONDS)
        staking = evolve(
            staking,
            unbonding=staking.unbonding.set(staking.next_entry, entry),
            next_entry=staking.next_entry + 1,
        )
    return moved, staking


def process_complete_unbonding(
    ledger: Ledger, staking: StakingState, *, now: Seconds
) -> Outcome[tuple[Ledger, StakingState]]:
    """§4.2 (Cosmos x/staking): every unbonding entry whose period has ended by `now` is paid
    out of UNBONDING_POOL to its delegator and removed."""
    rule = "process_complete_unbonding"
    unbonding = staking.unbonding
    for number, entry in sorted(staking.unbonding.items()):
        if entry.completion > now:
            continue
        paid = process_transfer(
            ledger,
            sender=UNBONDING_POOL,
            recipient=entry.delegator,
            token=Token.STR,
            amount=entry.amount,
        )
        # Verify the unbonding pool holds what its entries say.
        if isinstance(paid, Rejected):
            return Rejected(rule, paid.reason)
        ledger, unbonding = paid, unbonding.remove(number)
    return ledger, evolve(staking, unbonding=unbonding)


# --- Validator set and voting power -------------------------------------------------------------


def is_in_good_standing(staking: StakingState, validator: ValidatorId) -> bool:
    """§6.10: a validator neither jailed nor tombstoned may join the active set."""
    return validator not in staking.jailed and validator not in staking.tombstoned


def get_active_set(
    staking: StakingState, params: Params, *, by_arrival: bool | None = None
) -> tuple[ValidatorId, ...]:
    """§4.2: the top `max_validators` validators in good standing with stake > 0, by stake desc;
    at equal stakes by id asc, or (`by_arrival`, switch `validator_set_by_arrival`) by arrival.
    Without `by_arrival`, the chain's own reading (`StakingState.by_arrival`) applies."""
    return _rank_active_set(staking, get_validator_stakes(staking), params, by_arrival=by_arrival)


def get_arrival(staking: StakingState, validator: ValidatorId) -> int:
    """§4.2: the order in which `validator` first bonded (one never recorded counts as last)."""
    return staking.arrivals.get(validator, staking.next_arrival)


def _rank_active_set(
    staking: StakingState,
    stakes: dict[ValidatorId, UStr],
    params: Params,
    *,
    by_arrival: bool | None = None,
) -> tuple[ValidatorId, ...]:
    """§4.2: rank the eligible validators by stake. A tie at the cut goes, in the hardened
    reading, to the smaller id, so the set is a function of the stakes alone; in the literal
    reading ("only validators with a stake greater than the smallest validator in the set"
    enter a full set) a newcomer with a stake equal to the smallest does not displace the
    incumbent, read here as: the earlier arrival keeps its seat."""
    # In id order, so the comparisons the ranking makes come in one order (a proof replays them).
    eligible = [
        v for v, stake in sorted(stakes.items()) if stake > 0 and is_in_good_standing(staking, v)
    ]
    seats = params.consensus.max_validators
    if staking.by_arrival if by_arrival is None else by_arrival:
        return tuple(
            sorted(eligible, key=lambda v: (-stakes[v], get_arrival(staking, v), v))[:seats]
        )
    ranked = sorted(
        eligible,
        key=lambda v: (-stakes[v], v),
    )
    return tuple(ranked[:seats])


def get_total_voting_power(staking: StakingState, params: Params) -> UStr:
    """§4.2: the stake bonded to the active set, the denominator of every vote weight."""
    stakes = get_validator_stakes(staking)
    return sum(stakes[v] for v in _rank_active_set(staking, stakes, params))


def get_power_of(staking: StakingState, params: Params, validators: Iterable[ValidatorId]) -> UStr:
    """§4.2: the voting power of a set of validators; those outside the active set count 0."""
    stakes = get_validator_stakes(staking)
    active = set(_rank_active_set(staking, stakes, params))
    return sum(stakes[v] for v in set(validators) if v in active)


# --- Block commits ------------------------------------------------------------------------------


@frozen
class Vote:
    """§4.2: a validator's signed vote for `block_hash` at (`height`, `round`)."""

    height: int
    round: int
    block_hash: str
    validator: ValidatorId


@frozen
class BlockCommit:
    """§4.2: a block at (`height`, `round`) and the validators whose votes commit it."""

    height: int
    round: int
    block_hash: str
    signers: frozenset[ValidatorId]


def _get_signed_and_total_power(
    staking: StakingState, params: Params, signers: Iterable[ValidatorId]
) -> tuple[UStr, UStr]:
    """`get_power_of(staking, params, signers)` and `get_total_voting_power(staking, params)`,
    from one ranking of the active set."""
    stakes = get_validator_stakes(staking)
    ranked = _rank_active_set(staking, stakes, params)
    active = set(ranked)
    signed = sum(stakes[v] for v in set(signers) if v in active)
    return signed, sum(stakes[v] for v in ranked)


def _is_committed_by(signed: UStr, total: UStr, params: Params) -> bool:
    if total == 0:
        return False
    consensus = params.consensus
    return arith.is_over_threshold(
        arith.INTS, signed, total, consensus.threshold_num, consensus.threshold_den
    )


def is_block_committed(
    staking: StakingState, params: Params, signers: Iterable[ValidatorId]
) -> bool:
    """§4.2: a block commits iff signed power * den > num * total power (> 2/3 at defaults)."""
    signed, total = _get_signed_and_total_power(staking, params, signers)
    return _is_committed_by(signed, total, params)


def process_block_commit(
    staking: StakingState, params: Params, commit: BlockCommit
) -> Outcome[BlockCommit]:
    """§4.2: accept `commit` iff its signers hold more than the threshold of voting power."""
    signed, total = _get_signed_and_total_power(staking, params, commit.signers)
    # Verify the signers hold more than the threshold of the active set's power.
    if not _is_committed_by(signed, total, params):
        consensus = params.consensus
        return Rejected(
            "process_block_commit",
            f"signers hold {signed} of {total} voting power, not more than "
            f"{consensus.threshold_num}/{consensus.threshold_den}",
        )
    return commit


# --- Double signing and accountability (BFT-ACCOUNTABLE) -----------------------------------------


@frozen
class DoubleSignEvidence:
    """§6.10: two votes of one validator for different blocks at one height and round."""

    vote_a: Vote
    vote_b: Vote


def is_valid_double_sign_evidence(evidence: DoubleSignEvidence) -> bool:
    """§6.10: same validator, same height and round, different block hash."""
    a, b = evidence.vote_a, evidence.vote_b
    return (
        a.validator == b.validator
        and a.height == b.height
        and a.round == b.round
        and a.height >= 0
        and a.round >= 0
        and a.block_hash != b.block_hash
    )


def get_evidence_key(evidence: DoubleSignEvidence) -> EvidenceKey:
    """§6.10: what identifies one double-sign, whichever order its two votes come in."""
    vote = evidence.vote_a
    return (vote.validator, vote.height, vote.round)
