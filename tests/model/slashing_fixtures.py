"""Shared builders and constants for the tests of slashing."""

from __future__ import annotations

from typing import TypeVar

from model.ledger import (
    Ledger,
    create_genesis,
)
from model.params import WHITEPAPER_PARAMS, Params
from model.profile import Profile
from model.slashing import (
    SlashingState,
    process_slash_offender,
)
from model.staking import (
    StakingState,
    process_create_validator,
    process_delegate,
)
from model.units import AccountId, Bps, Outcome, Rejected, ValidatorId

T = TypeVar("T")

WINDOW = WHITEPAPER_PARAMS.slashing.slash_window_seconds
OFFENDER = "node:n1"
V1 = ValidatorId("val-1")
OPERATOR = AccountId("operator")
DELEGATORS = (AccountId("d1"), AccountId("d2"), AccountId("d3"))


def ok(outcome: Outcome[T]) -> T:
    """The value of an outcome the test expects to be accepted."""
    assert not isinstance(outcome, Rejected), outcome
    return outcome


def slash_rates(
    times: list[int], *, profile: Profile, params: Params = WHITEPAPER_PARAMS
) -> list[Bps]:
    """The rates of successive slashes of one offender at the given times."""
    slashing = SlashingState()
    rates = []
    for now in times:
        slashing, rate = ok(
            process_slash_offender(
                slashing, offender=OFFENDER, now=now, params=params, profile=profile
            )
        )
        rates.append(rate)
    return rates


def bonded_validator(amounts: tuple[int, ...], self_bond: int) -> tuple[Ledger, StakingState]:
    holdings = {OPERATOR: self_bond} | dict(zip(DELEGATORS, amounts, strict=False))
    ledger = ok(create_genesis(holdings))
    ledger, staking = ok(
        process_create_validator(
            ledger, StakingState(), validator=V1, operator=OPERATOR, self_bond=self_bond
        )
    )
    for delegator, amount in zip(DELEGATORS, amounts, strict=False):
        ledger, staking = ok(
            process_delegate(ledger, staking, delegator=delegator, validator=V1, amount=amount)
        )
    return ledger, staking
