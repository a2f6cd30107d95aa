"""The validator set of §4.2 read from the raw bonds: stakes, the active set and voting power.

A validator's stake is the sum of every bond to it (self-bond and delegations); the active set is
the top `max_validators` validators with stake, ties broken by validator id, smallest first
(docs/model.md); voting power is stake inside the active set and nothing outside it.
"""

from __future__ import annotations

from collections.abc import Iterable

from model.staking import StakingState
from model.units import ValidatorId


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
    """§4.2: the top `max_validators` validators by stake; equal stakes in id order.

    A validator with nothing bonded is not in the set: its vote weight, "the bonded token to the
    validator, divided by the total token bonded", is zero, and a Tendermint validator without
    power is removed from the set (§4.2 builds on Tendermint).
    """
    stakes = validator_stakes(staking)
    bonded = [validator for validator, stake in stakes.items() if stake > 0]
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
