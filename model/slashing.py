"""The exponentially time-weighted slash schedule of §6.10 and its application to validators.

The schedule (`SlashRecord`, `process_slash_offender`) knows only an offender id and a clock,
so Trusted-Function node stakes can reuse it; `process_slash_validator` applies the rate to every
bond of a validator (§4.2: delegators at the validator's rate) and burns the loss through the
ledger. Under the literal profile the rate passes 100%; the outcome records what the text asks
for beside what could be burned, so SLASH-BOUNDS and SLASH-STAKE can see the difference.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from attrs import field, frozen
from pyrsistent import PMap

from model import arith
from model.ledger import BONDED_POOL, Ledger, process_burn
from model.maps import dmap, set_each
from model.params import Params
from model.profile import Profile
from model.records import evolve
from model.staking import (
    DoubleSignEvidence,
    StakingState,
    get_delegators,
    get_evidence_key,
    is_valid_double_sign_evidence,
)
from model.units import (
    AccountId,
    Bps,
    Outcome,
    Rejected,
    Seconds,
    UStr,
    ValidatorId,
)


@frozen
class SlashRecord:
    """§6.10: an offender's slash level and when it was last slashed (None: never)."""

    level: int = 0
    last_slash_time: Seconds | None = None


NEVER_SLASHED = SlashRecord()


def _empty_records() -> PMap[str, SlashRecord]:
    return dmap()


@frozen
class SlashingState:
    """§6.10: the slash record of every offender ever slashed, keyed by offender id."""

    records: PMap[str, SlashRecord] = field(factory=_empty_records)


def get_validator_offender(validator: ValidatorId) -> str:
    """The offender id of a validator; the prefix keeps validator and node ids apart."""
    return f"validator:{validator}"


def get_slash_record(slashing: SlashingState, offender: str) -> SlashRecord:
    """§6.10: `offender`'s record; an offender never slashed is at level 0."""
    return slashing.records.get(offender, NEVER_SLASHED)


# --- The schedule --------------------------------------------------------------------------------


def get_expired_windows(record: SlashRecord, now: Seconds, params: Params) -> int:
    """§6.10: whole windows elapsed since the last slash (0 if never slashed or time ran back)."""
    if record.last_slash_time is None or now < record.last_slash_time:
        return 0
    elapsed = now - record.last_slash_time
    return arith.expired_windows(arith.INTS, elapsed, params.slashing.slash_window_seconds)


def get_effective_level(record: SlashRecord, now: Seconds, params: Params) -> int:
    """§6.10: each expired window without a slash lowers the level by one, never below 0."""
    expired = get_expired_windows(record, now, params)
    return arith.decayed_level(arith.INTS, record.level, expired)


def compute_slash_rate_bps(level: int, params: Params, profile: Profile) -> Bps:
    """§6.10: the slash rate at level L is base * factor**L, capped iff the profile caps it."""
    slashing = params.slashing
    factor, cap, capped = slashing.slash_factor, slashing.slash_cap_bps, profile.slash_capped
    schedule = (slashing.slash_base_bps, factor, cap, capped)
    return _compute_slash_rate(level, schedule, arith.first_slash_rate, arith.next_slash_rate)


SlashSchedule = tuple[Bps, int, Bps, bool]
"""The base rate, the factor, the cap and whether the profile caps the rate."""


@cache
def _compute_slash_rate(
    level: int,
    schedule: SlashSchedule,
    first: Callable[..., Bps],
    next_rate: Callable[..., Bps],
) -> Bps:
    # A pure function of integers, asked again at every slash: each level's rate is computed
    # once per schedule. The formulas are part of the key, looked up in `arith` at each call as
    # every rule looks them up, so a formula swapped in there is computed with, never a rate the
    # old one gave. Unbounded, as a run reaches few levels (the literal profile's are not capped,
    # but each is one more slash); no size literal, which Hypothesis would draw from.
    base, factor, cap, capped = schedule
    # The literal text names no cap (profile whitepaper): the rate then doubles past 100%.
    rate = first(arith.INTS, base, cap, capped=capped)
    for _ in range(level):
        raised = next_rate(arith.INTS, rate, factor, cap, capped=capped)
        # Once the rate stops changing (at the cap, at 0, or with factor 1) it never changes.
        if raised == rate:
            break
        rate = raised
    return rate


def process_slash_offender(
    slashing: SlashingState,
    *,
    offender: str,
    now: Seconds,
    params: Params,
    profile: Profile,
) -> Outcome[tuple[SlashingState, Bps]]:
    """§6.10: slash `offender` at its effective level's rate; its level becomes that level + 1."""
    slashed = process_slash_with_level(
        slashing, offender=offender, now=now, params=params, profile=profile
    )
    if isinstance(slashed, Rejected):
        return slashed
    slashing, _, rate = slashed
    return slashing, rate


def process_slash_with_level(
    slashing: SlashingState,
    *,
    offender: str,
    now: Seconds,
    params: Params,
    profile: Profile,
) -> Outcome[tuple[SlashingState, int, Bps]]:
    """§6.10: `process_slash_offender`, with the effective level the slash was applied at (the
    level before it): what slashing a validator reports."""
    record = get_slash_record(slashing, offender)
    # Verify time never runs backwards for this offender.
    if record.last_slash_time is not None and now < record.last_slash_time:
        return Rejected(
            "process_slash_offender",
            f"{offender} was last slashed at {record.last_slash_time}, cannot slash at {now}",
        )
    level = get_effective_level(record, now, params)
    rate = compute_slash_rate_bps(level, params, profile)
    records = slashing.records.set(offender, SlashRecord(level + 1, now))
    return evolve(slashing, records=records), level, rate


# --- Slashing a validator and its delegators -----------------------------------------------------


@frozen(order=True)
class DelegatorLoss:
    """What one bond of a slashed validator lost: what §6.10 asked for and what was burned."""

    delegator: AccountId
    amount_before: UStr
    requested: UStr
    burned: UStr


@frozen
class SlashOutcome:
    """§6.10: one slash of a validator: its rate, level change and every bond's loss, by delegator."""

    validator: ValidatorId
    rate_bps: Bps
    level_before: int
    level_after: int
    losses: tuple[DelegatorLoss, ...]
    total_requested: UStr
    total_burned: UStr


def compute_delegator_loss(delegator: AccountId, amount: UStr, rate: Bps) -> DelegatorLoss:
    """§4.2, §6.10: a bond loses floor(amount * rate / 10000), at most all of it."""
    loss = arith.slash_bond(arith.INTS, amount, rate)
    return DelegatorLoss(delegator, amount, loss.requested, loss.burned)


def process_slash_validator(
    ledger: Ledger,
    staking: StakingState,
    slashing: SlashingState,
    *,
    validator: ValidatorId,
    now: Seconds,
    params: Params,
    profile: Profile,
) -> Outcome[tuple[Ledger, StakingState, SlashingState, SlashOutcome]]:
    """§4.2, §6.10: slash every bond of `validator` at its current rate and burn the loss."""
    rule = "process_slash_validator"
    # Verify the validator exists.
    if validator not in staking.validators:
        return Rejected(rule, f"unknown validator {validator}")
    offender = get_validator_offender(validator)
    slashed = process_slash_with_level(
        slashing, offender=offender, now=now, params=params, profile=profile
    )
    if isinstance(slashed, Rejected):
        return Rejected(rule, slashed.reason)
    slashing, level_before, rate = slashed
    losses = tuple(
        compute_delegator_loss(d, staking.delegations[(d, validator)], rate)
        for d in get_delegators(staking, validator)
    )
    # One pass over the losses: the totals, and what each bond keeps.
    total_burned = total_requested = 0
    bonds: list[tuple[tuple[AccountId, ValidatorId], UStr]] = []
    emptied = False
    for loss in losses:
        total_burned += loss.burned
        total_requested += loss.requested
        left = loss.amount_before - loss.burned
        bonds.append(((loss.delegator, validator), left))
        emptied = emptied or not left
    burned = process_burn(ledger, holder=BONDED_POOL, amount=total_burned)
    # Verify the bonded pool holds what the bonds say (else the state was already inconsistent).
    if isinstance(burned, Rejected):
        return Rejected(rule, burned.reason)
    if not emptied:
        delegations = set_each(staking.delegations, bonds)
    else:
        # A bond burned to nothing is removed.
        evolver = staking.delegations.evolver()
        for key, left in bonds:
            if left:
                evolver.set(key, left)
            else:
                evolver.remove(key)
        delegations = evolver.persistent()
    outcome = SlashOutcome(
        validator, rate, level_before, level_before + 1, losses, total_requested, total_burned
    )
    return burned, evolve(staking, delegations=delegations), slashing, outcome


def process_double_sign_evidence(
    ledger: Ledger,
    staking: StakingState,
    slashing: SlashingState,
    *,
    evidence: DoubleSignEvidence,
    now: Seconds,
    params: Params,
    profile: Profile,
) -> Outcome[tuple[Ledger, StakingState, SlashingState, SlashOutcome]]:
    """§6.10: valid double-sign evidence slashes its validator, once per height and round."""
    rule = "process_double_sign_evidence"
    # Verify the two votes are one validator's for different blocks at one height and round.
    if not is_valid_double_sign_evidence(evidence):
        return Rejected(rule, f"not a double-sign: {evidence.vote_a} and {evidence.vote_b}")
    key = get_evidence_key(evidence)
    validator, height, round_ = key
    # Verify the validator exists.
    if validator not in staking.validators:
        return Rejected(rule, f"unknown validator {validator}")
    # Verify this double-sign has not been punished already.
    if key in staking.processed_evidence:
        return Rejected(
            rule, f"double-sign of {validator} at height {height} round {round_} already slashed"
        )
    staking = evolve(staking, processed_evidence=staking.processed_evidence | {key})
    slashed = process_slash_validator(
        ledger, staking, slashing, validator=validator, now=now, params=params, profile=profile
    )
    if isinstance(slashed, Rejected):
        return Rejected(rule, slashed.reason)
    return slashed
