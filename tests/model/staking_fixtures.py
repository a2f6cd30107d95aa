"""Shared builders and constants for the tests of staking."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from model_checks import has_no_negative_balance, is_bonded_pool_consistent, is_str_conserved

from model.ledger import Ledger, create_genesis, get_balance
from model.staking import (
    StakingState,
    get_delegation,
    get_validator_stake,
    process_create_validator,
    process_delegate,
    process_undelegate,
)
from model.units import AccountId, Outcome, Rejected, ValidatorId

T = TypeVar("T")

ALICE = AccountId("alice")
BOB = AccountId("bob")
CAROL = AccountId("carol")
V1 = ValidatorId("val-1")
V2 = ValidatorId("val-2")
RICH = 10**36


def ok(outcome: Outcome[T]) -> T:
    """The value of an outcome the test expects to be accepted."""
    assert not isinstance(outcome, Rejected), outcome
    return outcome


def genesis(**holdings: int) -> Ledger:
    return ok(create_genesis({AccountId(name): amount for name, amount in holdings.items()}))


def operator_of(validator: str) -> AccountId:
    return AccountId(f"op-{validator}")


def make_validators(stakes: Mapping[str, int]) -> tuple[Ledger, StakingState]:
    """Each validator self-bonded with `stakes[id]` by its own operator; 0 means bonded then left."""
    ledger = ok(create_genesis({operator_of(v): RICH for v in stakes}))
    staking = StakingState()
    for name, stake in stakes.items():
        validator, operator = ValidatorId(name), operator_of(name)
        ledger, staking = ok(
            process_create_validator(
                ledger, staking, validator=validator, operator=operator, self_bond=max(stake, 1)
            )
        )
        if stake == 0:
            ledger, staking = ok(
                process_undelegate(
                    ledger, staking, delegator=operator, validator=validator, amount=1
                )
            )
    return ledger, staking


def check_consistent(ledger: Ledger, staking: StakingState) -> None:
    assert is_str_conserved(ledger)
    assert has_no_negative_balance(ledger)
    assert is_bonded_pool_consistent(ledger, staking)
    assert all(amount > 0 for amount in staking.delegations.values())


def ids(*names: str) -> frozenset[ValidatorId]:
    return frozenset(ValidatorId(name) for name in names)


def run_create_validator(
    ledger: Ledger,
    staking: StakingState,
    *,
    validator: ValidatorId,
    operator: AccountId,
    self_bond: int,
    valid: bool = True,
) -> tuple[Ledger, StakingState]:
    outcome = process_create_validator(
        ledger, staking, validator=validator, operator=operator, self_bond=self_bond
    )
    if not valid:
        assert isinstance(outcome, Rejected)
        assert outcome.rule == "process_create_validator"
        return ledger, staking
    new_ledger, new_staking = ok(outcome)
    assert new_staking.validators[validator].operator == operator
    assert get_delegation(new_staking, operator, validator) == self_bond
    assert get_balance(new_ledger, operator).ustr == get_balance(ledger, operator).ustr - self_bond
    check_consistent(new_ledger, new_staking)
    return new_ledger, new_staking


def run_delegate(
    ledger: Ledger,
    staking: StakingState,
    *,
    delegator: AccountId,
    validator: ValidatorId,
    amount: int,
    valid: bool = True,
) -> tuple[Ledger, StakingState]:
    outcome = process_delegate(
        ledger, staking, delegator=delegator, validator=validator, amount=amount
    )
    if not valid:
        assert isinstance(outcome, Rejected)
        assert outcome.rule == "process_delegate"
        return ledger, staking
    new_ledger, new_staking = ok(outcome)
    before = get_delegation(staking, delegator, validator)
    assert get_delegation(new_staking, delegator, validator) == before + amount
    assert get_validator_stake(new_staking, validator) == (
        get_validator_stake(staking, validator) + amount
    )
    assert get_balance(new_ledger, delegator).ustr == get_balance(ledger, delegator).ustr - amount
    check_consistent(new_ledger, new_staking)
    return new_ledger, new_staking
