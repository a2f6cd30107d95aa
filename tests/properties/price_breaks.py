"""Broken models aimed at PAY-USD and PAY-FUNDED, for `test_broken_models.py`."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import attrs
import pytest
from broken_fixtures import APP, GENESIS, honest_round, replace_rule
from broken_rules import P

from model import price
from model.chain.actions import Action, MovePrice, PrepayTimeframes
from model.chain.state import get_developer
from model.params import Params
from model.profile import HARDENED, Profile
from model.units import MICRO

PRICE_HALVED: tuple[Action, ...] = (MovePrice(Fraction(1, 2)), honest_round())
"""The market halves after the genesis prepayment at $1, then an honest round."""
NO_STR = attrs.evolve(GENESIS, prepay_ustr=0)
"""The escrows hold STB only."""
UNDERFUNDED: tuple[Action, ...] = (
    honest_round(100 * MICRO, size=1),
    PrepayTimeframes(APP, get_developer(APP), 100 * MICRO, 1, 1),
    honest_round(100 * MICRO, size=1),
)
"""One honest $100 round of one node from an escrow with no STR, the developer's prepayment of
one such round, and the round again."""


def str_paid_at_the_deposit_price(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """The repaired chain still converts a payout's STR at the escrow's deposit price."""

    def deposit_price(escrow_price: Any, market_price: Any, profile: Any) -> Any:
        return escrow_price

    replace_rule(monkeypatch, price.get_payout_price, deposit_price)
    return P, HARDENED


def round_started_without_its_payment(
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[Params, Profile]:
    """The repaired chain starts a round without checking the escrow holds its payment, and
    owes the nodes it cannot pay."""
    return P, attrs.evolve(HARDENED, rounds_need_escrowed_payment=False)
