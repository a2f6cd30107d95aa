"""§6.9 and §4.2 read from the text: who earns staking rewards and what each bond receives.

§6.9: validator rewards "are distributed per staking period", and delegators "participate in
rewards by delegating STR stake to live validators"; §4.2: only validators "with a stake greater
than the smallest validator in the set" earn them. Each bond to an eligible validator receives its
stake's share of the rewards pool, rounded down; what rounding leaves stays in the pool.
"""

from __future__ import annotations

from model.staking import StakingState
from model.units import AccountId, ValidatorId
from oracle.staking import active_set, validator_stakes


def reward_eligible(
    staking: StakingState, *, max_validators: int, whole_set: bool
) -> frozenset[ValidatorId]:
    """§4.2: the active set (in good standing), or literally only those of it whose stake is
    greater than the smallest stake in it."""
    active = active_set(staking, max_validators=max_validators)
    if whole_set or not active:
        return frozenset(active)
    stakes = validator_stakes(staking)
    smallest = min(stakes[v] for v in active)
    return frozenset(v for v in active if stakes[v] > smallest)


def expected_rewards(
    pool: int, staking: StakingState, eligible: frozenset[ValidatorId]
) -> tuple[dict[AccountId, int], int]:
    """§6.9: each account's reward, the sum over its bonds to eligible validators of
    floor(pool * bond / eligible stake), and the number of such bonds (the dust is below it)."""
    bonds = [(d, a) for (d, v), a in staking.delegations.items() if v in eligible and a > 0]
    total = sum(amount for _, amount in bonds)
    rewards: dict[AccountId, int] = {}
    if total == 0:
        return rewards, 0
    for delegator, amount in bonds:
        rewards[delegator] = rewards.get(delegator, 0) + pool * amount // total
    return {d: r for d, r in rewards.items() if r}, len(bonds)
