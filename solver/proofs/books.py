"""The ledger's primitives over symbolic books: what CONS-STR, CONS-STB and ESCROW-SOLVENT read.

`Books` holds the balances one transition touches (named accounts, each token) and the supply
counters (burned, minted, USDC locked). Its methods mirror `model.ledger`'s primitives one for one
(transfer, burn, mint, bridge mint, bridge burn): each records the guard the model checks before
moving anything and then moves the amount. Every rule is written over `model.arith.Algebra`, so
the same books run on integers, and `tests/solver/test_books_drift.py` checks them against
`model.ledger` on many random concrete inputs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic

from model.arith import Algebra, B, N

STR = "str"
STB = "stb"


class Books(Generic[N, B]):
    """Balances by (account, token) and the supply counters, with the guards checked so far."""

    def __init__(
        self,
        alg: Algebra[N, B],
        opening: Callable[[str, str], N],
        *,
        burned: N,
        minted: N,
        usdc_locked: N,
    ) -> None:
        self.alg = alg
        self._opening = opening
        self.openings: dict[tuple[str, str], N] = {}
        self.balances: dict[tuple[str, str], N] = {}
        self.burned = burned
        self.minted = minted
        self.usdc_locked = usdc_locked
        self.guards: list[B] = []

    def get(self, account: str, token: str) -> N:
        """The balance of `account` in `token`; its opening balance the first time it is read."""
        key = (account, token)
        if key not in self.balances:
            self.openings[key] = self._opening(account, token)
            self.balances[key] = self.openings[key]
        return self.balances[key]

    def _check_amount(self, amount: N) -> None:
        # ledger._check_amount: amounts are never negative.
        self.guards.append(self.alg.lt(self.alg.lit(-1), amount))

    def _check_holds(self, account: str, token: str, amount: N) -> None:
        # The holder must hold the amount: get_balance(...) >= amount.
        self.guards.append(
            self.alg.lt(self.alg.sub(amount, self.alg.lit(1)), self.get(account, token))
        )

    def _credit(self, account: str, token: str, amount: N) -> None:
        self.balances[(account, token)] = self.alg.add(self.get(account, token), amount)

    def require(self, condition: B) -> None:
        """A guard of the transition itself (beyond the ledger's own), e.g. no negative part."""
        self.guards.append(condition)

    def transfer(self, sender: str, recipient: str, token: str, amount: N) -> None:
        """`model.ledger.process_transfer`: sender holds the amount; it moves to the recipient."""
        self._check_amount(amount)
        self._check_holds(sender, token, amount)
        self._credit(sender, token, self.alg.sub(self.alg.lit(0), amount))
        self._credit(recipient, token, amount)

    def burn(self, holder: str, amount: N) -> None:
        """`model.ledger.process_burn`: the holder's STR goes to the burn address, counted."""
        self._check_amount(amount)
        self._check_holds(holder, STR, amount)
        self._credit(holder, STR, self.alg.sub(self.alg.lit(0), amount))
        self.burned = self.alg.add(self.burned, amount)

    def mint_str(self, recipient: str, amount: N) -> None:
        """`model.ledger.process_mint_str`: new STR for the recipient, counted as minted."""
        self._check_amount(amount)
        self._credit(recipient, STR, amount)
        self.minted = self.alg.add(self.minted, amount)

    def bridge_mint_stb(self, recipient: str, amount: N) -> None:
        """`model.ledger.process_bridge_mint_stb`: USDC locked mints as much STB."""
        self._check_amount(amount)
        self._credit(recipient, STB, amount)
        self.usdc_locked = self.alg.add(self.usdc_locked, amount)

    def bridge_burn_stb(self, holder: str, amount: N) -> None:
        """`model.ledger.process_bridge_burn_stb`: redeemed STB is destroyed, USDC released."""
        self._check_amount(amount)
        self._check_holds(holder, STB, amount)
        self.guards.append(self.alg.lt(self.alg.sub(amount, self.alg.lit(1)), self.usdc_locked))
        self._credit(holder, STB, self.alg.sub(self.alg.lit(0), amount))
        self.usdc_locked = self.alg.sub(self.usdc_locked, amount)

    def total(self, token: str, *, opening: bool = False) -> N:
        """The sum of the balances the transition touched in `token`, now or at opening."""
        held = self.openings if opening else self.balances
        result = self.alg.lit(0)
        for key in sorted(held):
            if key[1] == token:
                result = self.alg.add(result, held[key])
        return result
