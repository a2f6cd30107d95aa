"""Machine rules for staking, block commits and slashing (§4.2, §6.10)."""

from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.stateful import rule

from model.chain.actions import (
    AdvanceTime,
    CommitBlock,
    Delegate,
    Equivocate,
    SlashValidator,
    Undelegate,
)
from properties.driver import ChainDriver
from properties.strategies import (
    amounts,
    signers,
    validator_sets,
    validators,
)


class StakingRules(ChainDriver):
    """Delegation, block commits, double signs, repeated validator faults."""

    # --- Staking, blocks, slashing ---------------------------------------------------------------

    @rule(delegator=signers, validator=validators, amount=amounts)
    def process_delegate(self, *, delegator: str, validator: str, amount: int) -> None:
        self.apply(Delegate(delegator, validator, amount))  # type: ignore[arg-type]

    @rule(delegator=signers, validator=validators, amount=amounts)
    def process_undelegate(self, *, delegator: str, validator: str, amount: int) -> None:
        self.apply(Undelegate(delegator, validator, amount))  # type: ignore[arg-type]

    @rule(signers=validator_sets)
    def process_block_commit(self, *, signers: frozenset[str]) -> None:
        self.apply(CommitBlock(signers))  # type: ignore[arg-type]

    @rule(double=validator_sets, side_a=validator_sets, side_b=validator_sets)
    def process_double_sign_evidence(
        self, *, double: frozenset[str], side_a: frozenset[str], side_b: frozenset[str]
    ) -> None:
        self.apply(Equivocate(double, side_a - double, side_b - double - side_a))  # type: ignore[arg-type]

    @rule(
        validator=validators,
        times=st.integers(1, 8),
        gap=st.sampled_from([0, 0, 86_400, 63_072_000, 126_144_000]),
    )
    def process_slash_validator(self, *, validator: str, times: int, gap: int) -> None:
        # Repeated faults, `gap` seconds apart: within one window, or across one or two.
        for index in range(times):
            if index and gap:
                self.apply(AdvanceTime(gap))
            self.apply(SlashValidator(validator))  # type: ignore[arg-type]
