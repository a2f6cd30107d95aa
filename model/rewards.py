"""Staking rewards (§6.9, §4.2): the rewards pool paid to the active set's bonds, pro rata.

§6.9 mints inflation into the rewards pool and distributes it "per staking period" to
validators and the delegators who "participate in rewards by delegating STR stake to live
validators"; §4.2 limits the rewards to the validator set (literally, to validators "with a stake
greater than the smallest validator in the set": profile switch `rewards_whole_active_set`). A
distribution is one staking period's: each bond to an eligible validator receives
floor(pool * bond / eligible stake), no commission (the text names none), and the dust, less
than one ustr per bond, stays in the pool for the next period, so conservation is exact.
"""

from __future__ import annotations

from typing import TypeVar

from attrs import frozen

from model import arith
from model.ledger import REWARDS_POOL, Ledger, Token, get_balance, process_transfer
from model.params import Params
from model.profile import Profile
from model.staking import StakingState, get_active_set, get_validator_stakes
from model.units import AccountId, Outcome, Rejected, UStr, ValidatorId

N = TypeVar("N")
B = TypeVar("B")


@frozen
class RewardOutcome:
    """What one distribution paid: the pool before, each account's reward, the dust left."""

    pool: UStr
    paid: tuple[tuple[AccountId, UStr], ...]
    dust: UStr


def get_reward_eligible(
    staking: StakingState, params: Params, profile: Profile
) -> tuple[ValidatorId, ...]:
    """§4.2: the validators that earn rewards: the active set, or (literal reading) those of
    it whose stake is greater than the smallest stake in it."""
    active = get_active_set(staking, params)
    if profile.rewards_whole_active_set or not active:
        return active
    stakes = get_validator_stakes(staking)
    smallest = min(stakes[v] for v in active)
    return tuple(v for v in active if stakes[v] > smallest)


def compute_reward_share(alg: arith.Algebra[N, B], pool: N, bond: N, total: N) -> N:
    """§6.9: a bond's share of the pool, pro rata to bonded stake (total > 0), rounded down:
    the remainder stays in the pool."""
    return alg.floordiv(alg.mul(pool, bond), total)


def process_distribute_rewards(
    ledger: Ledger, staking: StakingState, params: Params, profile: Profile
) -> Outcome[tuple[Ledger, RewardOutcome]]:
    """§6.9, §4.2: one staking period's rewards: the rewards pool paid to every bond of an
    eligible validator pro rata to its amount; the dust stays in the pool."""
    rule = "process_distribute_rewards"
    pool = get_balance(ledger, REWARDS_POOL).ustr
    eligible = frozenset(get_reward_eligible(staking, params, profile))
    bonds = sorted((d, v, a) for (d, v), a in staking.delegations.items() if v in eligible)
    total = sum(amount for _, _, amount in bonds)
    rewards: dict[AccountId, UStr] = {}
    if total > 0:
        for delegator, _, amount in bonds:
            share = compute_reward_share(arith.INTS, pool, amount, total)
            rewards[delegator] = rewards.get(delegator, 0) + share
    paid = tuple(sorted((account, amount) for account, amount in rewards.items() if amount))
    for account, amount in paid:
        moved = process_transfer(
            ledger, sender=REWARDS_POOL, recipient=account, token=Token.STR, amount=amount
        )
        # Verify the pool holds what it pays (it pays at most its balance).
        if isinstance(moved, Rejected):
            return Rejected(rule, moved.reason)
        ledger = moved
    dust = pool - sum(amount for _, amount in paid)
    return ledger, RewardOutcome(pool=pool, paid=paid, dust=dust)
