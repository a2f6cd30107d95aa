"""The validator set of §4.2 read from the raw bonds: stakes, the active set and voting power.

A validator's stake is the sum of every bond to it (self-bond and delegations); the active set is
the top `max_validators` validators with stake, ties broken by validator id, smallest first
(docs/model.md); voting power is stake inside the active set and nothing outside it.
"""

from __future__ import annotations

from collections.abc import Iterable

from model.staking import StakingState
from model.units import AccountId, ValidatorId

# Cosmos' defaults, which the whitepaper's "Tendermint BFT" slashing (§6.10) and its Cosmos
# chain (§4.2) take over without numbers of their own: the oracle's own copies.
UNBONDING_SECONDS = 21 * 86_400
"""x/staking `unbonding_time`: three weeks."""
SIGNED_BLOCKS_WINDOW = 100
"""x/slashing `signed_blocks_window`: the blocks watched."""
MIN_SIGNED_SHARE = (1, 2)
"""x/slashing `min_signed_per_window`: 0.5 of the window must be signed."""
DOWNTIME_JAIL_SECONDS = 600
"""x/slashing `downtime_jail_duration`: ten minutes."""


def slashed_amount_capped(amount: int, rate_bps: int) -> int:
    """§6.10: what a slash at `rate_bps` takes from `amount`, rounded down, never more than it."""
    return min(amount, amount * rate_bps // 10_000)


def is_down(missed: tuple[bool, ...]) -> bool:
    """Cosmos x/slashing: a validator is down when it signed fewer than half the watched blocks:
    it missed more than window * (1 - 1/2) of them."""
    num, den = MIN_SIGNED_SHARE
    return sum(missed) * den > SIGNED_BLOCKS_WINDOW * (den - num)


def unbonding_of(staking: StakingState, delegator: AccountId, validator: ValidatorId) -> int:
    """§4.2: what `delegator` has unbonding from `validator`, every entry summed."""
    return sum(
        e.amount
        for e in staking.unbonding.values()
        if e.delegator == delegator and e.validator == validator
    )


def validator_stakes(staking: StakingState) -> dict[ValidatorId, int]:
    """§4.2: each validator's bonded stake (0 for a registered validator nobody bonds to)."""
    stakes: dict[ValidatorId, int] = {validator: 0 for validator in staking.validators}
    for (_, validator), amount in staking.delegations.items():
        stakes[validator] = stakes.get(validator, 0) + amount
    return stakes


def bonded_total(staking: StakingState) -> int:
    """§4.2: all STR bonded, the sum of every bond."""
    return sum(staking.delegations.values())


def active_set(staking: StakingState, *, max_validators: int) -> tuple[ValidatorId, ...]:
    """§4.2: the top `max_validators` validators by stake; equal stakes in id order, or, on a
    chain that reads §4.2 literally (`StakingState.by_arrival`), in order of arrival.

    A validator with nothing bonded is not in the set: its vote weight, "the bonded token to the
    validator, divided by the total token bonded", is zero, and a Tendermint validator without
    power is removed from the set (§4.2 builds on Tendermint). Nor is one in the jail or the
    tombstone records: §6.10's "losing its good standing", Cosmos x/slashing's jail.
    """
    stakes = validator_stakes(staking)
    barred = set(staking.jailed) | staking.tombstoned
    bonded = [v for v, stake in stakes.items() if stake > 0 and v not in barred]
    if staking.by_arrival:
        # §4.2 literally: a newcomer enters a full set only with a stake greater than the
        # smallest in it, so at equal stakes the earlier arrival keeps its seat.
        def arrival(validator: ValidatorId) -> int:
            return staking.arrivals.get(validator, staking.next_arrival)

        ranked = sorted(bonded, key=lambda v: (-stakes[v], arrival(v), v))
    else:
        ranked = sorted(bonded, key=lambda validator: (-stakes[validator], validator))
    return tuple(ranked[:max_validators])


def voting_power(staking: StakingState, validator: ValidatorId, *, max_validators: int) -> int:
    """§4.2: a validator's vote weight: its stake if it is in the active set, else 0."""
    if validator not in active_set(staking, max_validators=max_validators):
        return 0
    return validator_stakes(staking).get(validator, 0)


def power_of(
    staking: StakingState, validators: Iterable[ValidatorId], *, max_validators: int
) -> int:
    """§4.2: the voting power of a set of validators, each counted once."""
    stakes = validator_stakes(staking)
    active = set(active_set(staking, max_validators=max_validators))
    return sum(stakes[validator] for validator in set(validators) if validator in active)


def total_power(staking: StakingState, *, max_validators: int) -> int:
    """§4.2: the voting power of the whole active set, the denominator of every vote weight."""
    stakes = validator_stakes(staking)
    return sum(stakes[v] for v in active_set(staking, max_validators=max_validators))
