"""A validator's good standing: jail, tombstone, downtime and late double-sign evidence (§6.10).

§6.10 follows "validator slashing in Tendermint BFT": evidence of a double sign costs the
validator "its good standing" (Cosmos x/slashing: tombstoned, jailed for ever), a validator of
the active set that misses too many recent blocks is jailed for a while and slashed on the §6.10
schedule, and §6.8's validators that do not vote on a core parameter change "risk time-out
penalization" (jailed as for downtime). A jailed or tombstoned validator is out of the active set
(`model.staking.get_active_set`): no power, no rewards. The numbers are Cosmos' defaults, named
constants (the whitepaper gives none).
"""

from __future__ import annotations

from collections.abc import Iterable

from model import arith
from model.ledger import UNBONDING_POOL, Ledger, process_burn
from model.params import Params
from model.profile import Profile
from model.records import evolve
from model.slashing import SlashingState, SlashOutcome, process_slash_validator
from model.staking import (
    Infraction,
    StakingState,
    get_active_set,
)
from model.units import Bps, Outcome, Rejected, Seconds, UStr, ValidatorId

SIGNED_BLOCKS_WINDOW = 100
"""Cosmos x/slashing's default `signed_blocks_window`: the last 100 blocks are watched."""
MIN_SIGNED_PER_WINDOW_BPS: Bps = 5_000
"""Cosmos x/slashing's default `min_signed_per_window`, 0.5: a validator must sign half of them."""
DOWNTIME_JAIL_SECONDS: Seconds = 600
"""Cosmos x/slashing's default `downtime_jail_duration`, 10 minutes."""


# --- Signatures and downtime ---------------------------------------------------------------------


def process_record_signatures(
    staking: StakingState, params: Params, signers: Iterable[ValidatorId]
) -> StakingState:
    """§4.2, §6.10 (Cosmos x/slashing): each validator of the active set signed the committed
    block or missed it; the record keeps the last SIGNED_BLOCKS_WINDOW heights."""
    signed = frozenset(signers)
    missed = staking.missed
    for validator in get_active_set(staking, params):
        seen = (*missed.get(validator, ()), validator not in signed)
        missed = missed.set(validator, seen[-SIGNED_BLOCKS_WINDOW:])
    return evolve(staking, missed=missed)


def get_missed_blocks(staking: StakingState, validator: ValidatorId) -> int:
    """§6.10: how many of the watched blocks `validator` missed."""
    return sum(staking.missed.get(validator, ()))


def is_down(staking: StakingState, validator: ValidatorId) -> bool:
    """§6.10 (Cosmos x/slashing): missed more than the window less its minimum signed share."""
    allowed = SIGNED_BLOCKS_WINDOW - SIGNED_BLOCKS_WINDOW * MIN_SIGNED_PER_WINDOW_BPS // 10_000
    return get_missed_blocks(staking, validator) > allowed


def process_jail(staking: StakingState, *, validator: ValidatorId, until: Seconds) -> StakingState:
    """§6.10: `validator` leaves the active set until at least `until`; its watched blocks
    start over."""
    until = max(until, staking.jailed.get(validator, until))
    return evolve(
        staking,
        jailed=staking.jailed.set(validator, until),
        missed=staking.missed.discard(validator),
    )


def process_tombstone(staking: StakingState, *, validator: ValidatorId) -> StakingState:
    """§6.10: a double signer loses its good standing for ever."""
    return evolve(
        staking,
        tombstoned=staking.tombstoned | {validator},
        missed=staking.missed.discard(validator),
    )


def process_unjail(
    staking: StakingState, *, validator: ValidatorId, now: Seconds
) -> Outcome[StakingState]:
    """§6.10 (Cosmos x/slashing MsgUnjail): a jailed validator returns once its jail has ended;
    a tombstoned one never does."""
    rule = "process_unjail"
    # Verify the validator is jailed.
    if validator not in staking.jailed:
        return Rejected(rule, f"{validator} is not jailed")
    # Verify the validator is not tombstoned.
    if validator in staking.tombstoned:
        return Rejected(rule, f"{validator} double-signed and is tombstoned for ever")
    # Verify the jail has ended.
    if now < staking.jailed[validator]:
        return Rejected(rule, f"{validator} is jailed until {staking.jailed[validator]}, now {now}")
    return evolve(staking, jailed=staking.jailed.remove(validator))


def process_downtime_evidence(
    ledger: Ledger,
    staking: StakingState,
    slashing: SlashingState,
    *,
    validator: ValidatorId,
    now: Seconds,
    params: Params,
    profile: Profile,
) -> Outcome[tuple[Ledger, StakingState, SlashingState, SlashOutcome]]:
    """§6.10: a validator that missed more than half of its watched blocks is slashed on the
    §6.10 schedule (the text's one rate for "any deviation", not Cosmos' 1%) and jailed for
    DOWNTIME_JAIL_SECONDS."""
    rule = "process_downtime_evidence"
    # Verify the validator exists.
    if validator not in staking.validators:
        return Rejected(rule, f"unknown validator {validator}")
    # Verify the validator is in the active set (only its blocks are watched).
    if validator not in get_active_set(staking, params):
        return Rejected(rule, f"{validator} is not in the active set")
    # Verify it missed more blocks than the window allows.
    if not is_down(staking, validator):
        missed = get_missed_blocks(staking, validator)
        return Rejected(rule, f"{validator} missed {missed} of {SIGNED_BLOCKS_WINDOW} blocks")
    slashed = process_slash_validator(
        ledger, staking, slashing, validator=validator, now=now, params=params, profile=profile
    )
    if isinstance(slashed, Rejected):
        return Rejected(rule, slashed.reason)
    ledger, staking, slashing, outcome = slashed
    staking = process_jail(staking, validator=validator, until=now + DOWNTIME_JAIL_SECONDS)
    return ledger, staking, slashing, outcome


def process_non_vote_penalty(
    staking: StakingState, *, validators: Iterable[ValidatorId], now: Seconds
) -> StakingState:
    """§6.8: "each Validators must vote on core parameter upgrades, or risk time-out
    penalization": each validator that did not vote is timed out, jailed as for downtime."""
    for validator in validators:
        staking = process_jail(staking, validator=validator, until=now + DOWNTIME_JAIL_SECONDS)
    return staking


# --- Double signs: the infraction, and evidence that comes later ---------------------------------


def process_record_infraction(
    staking: StakingState, *, validator: ValidatorId, height: int, now: Seconds
) -> StakingState:
    """§6.10: a double sign at (`height`, round 0) that nobody has reported yet; entries that
    start unbonding from now on stay slashable for it."""
    key = (validator, height, 0)
    infraction = Infraction(time=now, first_entry=staking.next_entry)
    return evolve(staking, infractions=staking.infractions.set(key, infraction))


def process_slash_unbonding(
    ledger: Ledger,
    staking: StakingState,
    *,
    validator: ValidatorId,
    first_entry: int,
    rate: Bps,
) -> Outcome[tuple[Ledger, StakingState, UStr]]:
    """§6.10 (Cosmos x/staking): every unbonding entry from `validator` that started after the
    infraction (numbered `first_entry` or later) loses `rate` of itself, at most all of it."""
    unbonding, burned = staking.unbonding, 0
    for number, entry in sorted(staking.unbonding.items()):
        if entry.validator != validator or number < first_entry:
            continue
        loss = arith.slash_bond(arith.INTS, entry.amount, rate).burned
        left = entry.amount - loss
        unbonding = (
            unbonding.set(number, evolve(entry, amount=left)) if left else unbonding.remove(number)
        )
        burned += loss
    if not burned:
        return ledger, evolve(staking, unbonding=unbonding), 0
    moved = process_burn(ledger, holder=UNBONDING_POOL, amount=burned)
    # Verify the unbonding pool holds what its entries say.
    if isinstance(moved, Rejected):
        return Rejected("process_slash_unbonding", moved.reason)
    return moved, evolve(staking, unbonding=unbonding), burned


def process_late_double_sign_evidence(
    ledger: Ledger,
    staking: StakingState,
    slashing: SlashingState,
    *,
    validator: ValidatorId,
    height: int,
    now: Seconds,
    params: Params,
    profile: Profile,
) -> Outcome[tuple[Ledger, StakingState, SlashingState, SlashOutcome, UStr]]:
    """§6.10: evidence of a double sign committed earlier slashes the validator's bonds at the
    current §6.10 rate, and at the same rate every unbonding entry that started after the
    infraction (Cosmos semantics); the validator is tombstoned."""
    rule = "process_late_double_sign_evidence"
    key = (validator, height, 0)
    infraction = staking.infractions.get(key)
    # Verify such a double sign was committed and is not punished yet.
    if infraction is None:
        return Rejected(rule, f"no unpunished double sign of {validator} at height {height}")
    staking = evolve(
        staking,
        infractions=staking.infractions.remove(key),
        processed_evidence=staking.processed_evidence | {key},
    )
    slashed = process_slash_validator(
        ledger, staking, slashing, validator=validator, now=now, params=params, profile=profile
    )
    if isinstance(slashed, Rejected):
        return Rejected(rule, slashed.reason)
    ledger, staking, slashing, outcome = slashed
    unbonded = process_slash_unbonding(
        ledger,
        staking,
        validator=validator,
        first_entry=infraction.first_entry,
        rate=outcome.rate_bps,
    )
    if isinstance(unbonded, Rejected):
        return Rejected(rule, unbonded.reason)
    ledger, staking, burned = unbonded
    staking = process_tombstone(staking, validator=validator)
    return ledger, staking, slashing, outcome, burned
