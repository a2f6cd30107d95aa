"""The oracle's validator set (§4.2): stakes from raw bonds, the top `max_validators`, power.

Each test builds a `StakingState` by hand, so the expected set is read off the bonds; a wrong
tie-break (largest id first) is shown to disagree with the oracle.
"""

from __future__ import annotations

from pyrsistent import pmap

from model.staking import StakingState, Validator
from model.units import AccountId, ValidatorId
from oracle.staking import (
    active_set,
    bonded_total,
    power_of,
    total_power,
    validator_stakes,
    voting_power,
)

V0, V1, V2, V3 = (ValidatorId(f"v{i}") for i in range(4))


def staking(bonds: dict[tuple[str, ValidatorId], int]) -> StakingState:
    validators = {v: Validator(v, AccountId(f"op-{v}")) for v in (V0, V1, V2, V3)}
    delegations = {(AccountId(d), v): amount for (d, v), amount in bonds.items()}
    return StakingState(validators=pmap(validators), delegations=pmap(delegations))


STATE = staking(
    {
        ("op-v0", V0): 50,
        ("op-v1", V1): 30,
        ("user-0", V1): 40,  # v1: 70
        ("op-v2", V2): 50,
        ("op-v3", V3): 10,
    }
)


def test_stakes__sum_every_bond() -> None:
    assert validator_stakes(STATE) == {V0: 50, V1: 70, V2: 50, V3: 10}
    assert bonded_total(STATE) == 180


def test_active_set__top_by_stake_ties_by_id() -> None:
    assert active_set(STATE, max_validators=4) == (V1, V0, V2, V3)
    assert active_set(STATE, max_validators=2) == (V1, V0)  # v0 and v2 tie at 50: v0 first


def test_wrong_tie_break__differs_from_the_oracle() -> None:
    stakes = validator_stakes(STATE)
    largest_id_first = sorted(stakes, key=lambda v: (-stakes[v], [-ord(c) for c in v]))[:2]
    assert tuple(largest_id_first) != active_set(STATE, max_validators=2)


def test_active_set__a_validator_without_stake_is_left_out() -> None:
    state = staking({("op-v0", V0): 5})
    assert active_set(state, max_validators=4) == (V0,)
    assert total_power(state, max_validators=4) == 5


def test_power__only_inside_the_active_set() -> None:
    assert voting_power(STATE, V2, max_validators=2) == 0
    assert voting_power(STATE, V0, max_validators=2) == 50
    assert power_of(STATE, [V0, V2, V0], max_validators=2) == 50
    assert power_of(STATE, [V0, V2], max_validators=3) == 100
    assert total_power(STATE, max_validators=2) == 120
    assert total_power(STATE, max_validators=100) == 180
