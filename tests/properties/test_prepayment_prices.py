"""A prepayment of STR without a positive price (§4.3.1, §6.3.3).

The escrow values every STR payout at its deposit-weighted price, so STR prepaid with no price,
a zero or a negative one must be refused; STB needs no price. The machine tries each such price
in one firing, and ACT-ESCROW fails on a model that takes the STR anyway.
"""

from __future__ import annotations

import pytest
from broken_fixtures import fresh_machine

from model import escrow
from model.chain.actions import Prepay
from properties.driver import VIOLATIONS
from properties.rules.rounds import NO_PRICES


def test_correct_model__str_without_a_price_is_refused_and_stb_is_taken() -> None:
    machine = fresh_machine()
    machine.process_prepayment_without_a_price(app="app-0")
    for invariant_id in ("ACT-ESCROW", "ACT-ALLOWED"):
        machine.check(invariant_id)
    prepaid = [a for a in machine.actions if isinstance(a, Prepay)]
    assert [a.ustr for a in prepaid] == [0] * len(NO_PRICES), "only the STB prepayments apply"


def test_price_check_skipped__an_str_prepayment_at_price_zero_breaks_act_escrow(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(escrow, "is_valid_price", lambda price: price is not None)
    machine = fresh_machine()
    machine.process_prepayment_without_a_price(app="app-0")
    with pytest.raises(VIOLATIONS["ACT-ESCROW"], match="without a positive price"):
        machine.check("ACT-ESCROW")
