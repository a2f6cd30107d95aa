"""Machine rules for the STR price between prepayment and payout, prepayments sized by timeframes
and rounds the escrow cannot pay (§4.3.1, §6.3.3, §6.6).

The market price moves to half, double and one percent either side of the genesis price; prepayments are sized for a
number of timeframes at the market price; rounds run after a move (PAY-USD) and from an emptied
escrow (PAY-FUNDED: refused before it starts, or run with its nodes owed), after which the
developer tops up and the owed payments are paid.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from model.chain.actions import (
    MovePrice,
    PayOwed,
    Prepay,
    PrepayTimeframes,
    RunRound,
    WithdrawPrepayment,
)
from model.chain.state import get_developer
from model.ledger import get_escrow_account
from model.trusted.behaviour import NodePlan
from oracle.ledger import balance
from properties.driver import ChainDriver, guarded
from properties.strategies import GOLDEN_COST, NODES, apps

MOVES: tuple[Fraction, ...] = (
    Fraction(1, 2),
    Fraction(2),
    Fraction(99, 100),
    Fraction(101, 100),
)
"""Price moves: halving, doubling and one-percent steps down and up."""

BAD_PRICES: tuple[Fraction, ...] = (Fraction(0), Fraction(-1, 2))
"""Reports that are no price: the chain must refuse them."""

SCENARIOS: tuple[str, ...] = ("move", "round-after-a-move", "round-from-an-empty-escrow")
"""What the rule does around the price report."""

costs = st.sampled_from([GOLDEN_COST, 1, 12_345])
sizes = st.integers(1, len(NODES))


def _honest(size: int) -> tuple[NodePlan, ...]:
    return tuple(NodePlan(node) for node in NODES[:size])


class PriceRules(ChainDriver):
    """Market price reports, sized prepayments, rounds after a move and from an empty escrow."""

    def _reference(self) -> Fraction:
        """The genesis price: moves are taken from it, so the market stays within a factor of
        two of the price the genesis escrows were funded at and the other rules' rounds stay
        fundable."""
        price = self.genesis.price if self.genesis is not None else None
        return price if price is not None and price > 0 else Fraction(1)

    @precondition(lambda self: "price-scenario" not in self.swept)
    @rule(
        scenario=st.sampled_from(SCENARIOS),
        app=apps,
        cost=costs,
        size=sizes,
        move=st.sampled_from(MOVES + BAD_PRICES),
    )
    @guarded
    def process_str_price(
        self, *, scenario: str, app: str, cost: int, size: int, move: Fraction
    ) -> None:
        """§6.6: the oracle reports the market price moved by `move` (a zero or negative `move`
        is reported as the price itself, which the chain must refuse); with it, one of
        `SCENARIOS`: a round paid after the move, or a round from an emptied escrow. Once an
        example, so the other rules keep their share of the steps."""
        self.swept.add("price-scenario")
        if scenario == "round-after-a-move":
            self._prepay(app, cost, size, timeframes=1 + size % 2)
        self.apply(MovePrice(self._reference() * move if move > 0 else move))
        if scenario == "round-after-a-move":
            self.apply(RunRound(app, _honest(size), cost))  # type: ignore[arg-type]
        elif scenario == "round-from-an-empty-escrow":
            self._round_from_an_empty_escrow(app, cost, size)

    def _prepay(self, app: str, cost: int, size: int, *, timeframes: int) -> None:
        """§4.3.1: the developer prepays `timeframes` rounds of `size` nodes at `cost`."""
        developer = get_developer(app)  # type: ignore[arg-type]
        self.apply(PrepayTimeframes(app, developer, cost, size, timeframes))  # type: ignore[arg-type]

    def _round_from_an_empty_escrow(self, app: str, cost: int, size: int) -> None:
        """§4.3.1: the developer withdraws everything, an honest round is asked for (refused
        before it starts, or run with its nodes owed: PAY-FUNDED), the developer prepays the
        round, the owed payments are paid and the round is asked for again (with exactly its
        payment in the escrow, under the repaired reading)."""
        assert self.checked is not None
        state = self.checked.state
        held = balance(state.ledger, get_escrow_account(app))  # type: ignore[arg-type]
        escrow = state.escrows.escrows[app]  # type: ignore[index]
        self.apply(WithdrawPrepayment(app, held.ustb, held.ustr))  # type: ignore[arg-type]
        self.apply(RunRound(app, _honest(size), cost))  # type: ignore[arg-type]
        self._prepay(app, cost, size, timeframes=1)
        self.apply(PayOwed(app))  # type: ignore[arg-type]
        # Repaired: nothing was owed, so the escrow holds exactly the round's payment.
        self.apply(RunRound(app, _honest(size), cost))  # type: ignore[arg-type]
        # The developer puts back what it took out, so the other rules' rounds stay fundable.
        developer = get_developer(app)  # type: ignore[arg-type]
        self.apply(Prepay(app, developer, held.ustb, held.ustr, escrow.str_price))  # type: ignore[arg-type]
