"""Machine rules for tokens, the bridge, time and supply (§6.1, §6.2, §6.5, §6.9)."""

from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.stateful import rule

from model.chain.actions import (
    AdvanceTime,
    DepositUsdc,
    GrantNetworkSupport,
    MintInflation,
    RedeemStb,
    Transfer,
)
from model.ledger import Token
from model.units import SECONDS_PER_YEAR
from properties.driver import ChainDriver, guarded
from properties.strategies import (
    amounts,
    any_account,
    named_accounts,
    seconds,
    users,
)


class EconomyRules(ChainDriver):
    """Deposits, redemptions, transfers, the clock, inflation mints, Network Support grants."""

    # --- Tokens and the bridge -------------------------------------------------------------------

    @rule(
        deposit_id=st.sampled_from(["d0", "d1", "d2", "d3"]),
        recipient=users | named_accounts,
        amount=amounts,
    )
    @guarded
    def process_usdc_deposit(self, *, deposit_id: str, recipient: str, amount: int) -> None:
        self.apply(DepositUsdc(deposit_id, recipient, amount))  # type: ignore[arg-type]

    @rule(holder=named_accounts, amount=amounts)
    @guarded
    def process_stb_redeem(self, *, holder: str, amount: int) -> None:
        self.apply(RedeemStb(holder, amount))  # type: ignore[arg-type]

    @rule(sender=any_account, recipient=any_account, token=st.sampled_from(Token), amount=amounts)
    @guarded
    def process_transfer(self, *, sender: str, recipient: str, token: Token, amount: int) -> None:
        self.apply(Transfer(sender, recipient, token, amount))  # type: ignore[arg-type]

    # --- Time and supply -------------------------------------------------------------------------

    @rule(seconds=seconds)
    @guarded
    def advance_time(self, *, seconds: int) -> None:
        self.apply(AdvanceTime(seconds))

    @rule()
    @guarded
    def process_inflation_mint(self) -> None:
        self.apply(MintInflation())

    @rule(offset=st.sampled_from([-1, 0, 1]))
    @guarded
    def process_mint_at_year(self, *, offset: int) -> None:
        """§6.9: a mint one second before, exactly on, or one second after the next year since
        genesis, where the inflation rate steps down."""
        assert self.checked is not None
        state = self.checked.state
        age = state.now - state.supply.genesis_time
        target = (age // SECONDS_PER_YEAR + 1) * SECONDS_PER_YEAR + offset
        self.apply(AdvanceTime(target - age))
        self.apply(MintInflation())

    @rule(recipient=users | named_accounts, amount=amounts)
    @guarded
    def process_network_support_grant(self, *, recipient: str, amount: int) -> None:
        self.apply(GrantNetworkSupport(recipient, amount))  # type: ignore[arg-type]
