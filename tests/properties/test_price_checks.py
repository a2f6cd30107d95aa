"""PAY-USD, PAY-FUNDED and the ACT-ESCROW contracts of the price report, the sized prepayment and
the payment of owed node payments (§4.3.1, §6.3.3, §6.6), on the literal and the repaired
readings and on broken models.

The two findings of the literal text are here with their minimal traces: a price halving
between prepayment and payout halves what the node's STR is worth (PAY-USD), and a round the
escrow cannot pay still runs and leaves its node owed (PAY-FUNDED).
"""

from __future__ import annotations

from fractions import Fraction

import attrs
import pytest
from broken_fixtures import APP, GENESIS, honest_round, replace_rule, run_trace

from model import price
from model.chain.actions import MovePrice, PayOwed, PrepayTimeframes, WithdrawPrepayment
from model.chain.state import get_developer
from model.params import WHITEPAPER_PARAMS
from model.profile import HARDENED, WHITEPAPER, Profile
from model.units import MICRO

DEVELOPER = get_developer(APP)
PRICE_HALVED = (MovePrice(Fraction(1, 2)), honest_round(100 * MICRO, size=1))
"""Prepaid at $1 per STR (genesis), the market halves, one honest $100 round of one node."""
NO_STR = attrs.evolve(GENESIS, prepay_ustr=0)
"""The escrows hold STB only."""
ONE_ROUND = (honest_round(100 * MICRO, size=1),)
PROFILES = (HARDENED, WHITEPAPER)


def test_finding__whitepaper_pays_str_at_the_deposit_price_after_a_halving() -> None:
    """§6.3.3 read literally: the node's $40 of STR, converted at the $1 deposit price, is worth
    $20 at the market's $1/2 when it is paid: PAY-USD fails."""
    run = run_trace(GENESIS, PRICE_HALVED, params=WHITEPAPER_PARAMS, profile=WHITEPAPER)
    failures = [v for v in run.violations if v.startswith("PAY-USD")]
    assert failures, run.violations
    assert "received 110000000 ustb and 40000000 ustr (worth 20.000000 USD" in failures[0]


def test_finding__hardened_pays_str_at_the_market_price() -> None:
    run = run_trace(GENESIS, PRICE_HALVED, params=WHITEPAPER_PARAMS, profile=HARDENED)
    assert {"PAY-USD", "PAY-FUNDED", "ESCROW-SOLVENT", "CONS-SPLIT"} <= run.observed
    assert not run.violated, run.violations


def test_finding__whitepaper_runs_a_round_the_escrow_cannot_pay() -> None:
    """§4.3.1 says prepaid, but nothing stops a round: with no STR in the escrow, the node works
    and is owed its payment: PAY-FUNDED fails; the owed book moves no token."""
    run = run_trace(NO_STR, ONE_ROUND, params=WHITEPAPER_PARAMS, profile=WHITEPAPER)
    failures = [v for v in run.violations if v.startswith("PAY-FUNDED")]
    assert failures, run.violations
    assert "n0 of the passed group received 0 ustb" in failures[0]
    assert "app-0 owes 1 node payments" in failures[0]
    assert not {"CONS-STR", "CONS-STB", "ESCROW-SOLVENT", "ACT-ROUND"} & run.violated


def test_finding__hardened_refuses_the_round_before_it_runs() -> None:
    run = run_trace(NO_STR, ONE_ROUND, params=WHITEPAPER_PARAMS, profile=HARDENED)
    assert run.refused_by == ("process_run_round",)
    assert "ACT-ALLOWED" in run.observed
    assert not run.violated, run.violations


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
def test_owed_payments_are_paid_after_a_top_up(profile: Profile) -> None:
    """The developer prepays the round's timeframe and the owed payment is paid (literal); the
    repaired reading has nothing owed, so PayOwed is refused. The contracts hold either way."""
    actions = (*ONE_ROUND, PrepayTimeframes(APP, DEVELOPER, 100 * MICRO, 1, 1), PayOwed(APP))
    run = run_trace(NO_STR, actions, params=WHITEPAPER_PARAMS, profile=profile)
    assert "ACT-ESCROW" in run.observed
    broken = run.violated - {"PAY-FUNDED", "CR-INJECTIVE", "CR-VERIFIABLE"}
    assert not broken, run.violations
    if profile is WHITEPAPER:
        assert run.refused_by == ()
    else:
        assert run.refused_by == ("process_run_round", "process_pay_owed")


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
def test_sized_prepayment_after_price_moves_holds(profile: Profile) -> None:
    """Empty the escrow, move the price, prepay two timeframes of two nodes, run both rounds:
    ACT-ESCROW, ESCROW-SOLVENT and PAY-FUNDED hold under both readings."""
    actions = (
        WithdrawPrepayment(APP, GENESIS.prepay_ustb, GENESIS.prepay_ustr),
        MovePrice(Fraction(7, 3)),
        PrepayTimeframes(APP, DEVELOPER, 12_345, 2, 2),
        MovePrice(Fraction(7, 3)),
        honest_round(12_345, size=2),
        honest_round(12_345, size=2),
    )
    run = run_trace(GENESIS, actions, params=WHITEPAPER_PARAMS, profile=profile)
    assert {"ACT-ESCROW", "ESCROW-SOLVENT", "PAY-FUNDED", "PAY-USD"} <= run.observed
    assert not run.violated - {"CR-INJECTIVE", "CR-VERIFIABLE"}, run.violations


def test_broken_model__paying_at_the_deposit_price_fails_pay_usd(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A repaired model that still converts at the escrow's deposit price breaks PAY-USD."""
    replace_rule(
        monkeypatch,
        price.get_payout_price,
        lambda escrow_price, market_price, profile: escrow_price,
    )
    run = run_trace(GENESIS, PRICE_HALVED, params=WHITEPAPER_PARAMS, profile=HARDENED)
    assert "PAY-USD" in run.violated, run.violations


def test_broken_model__prepayment_for_one_timeframe_fails_act_escrow(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A sized prepayment that forgets to multiply by the timeframes breaks ACT-ESCROW."""
    replace_rule(monkeypatch, price.compute_prepayment, lambda fees, timeframes: sum(fees))
    actions = (PrepayTimeframes(APP, DEVELOPER, 100 * MICRO, 2, 3),)
    run = run_trace(GENESIS, actions, params=WHITEPAPER_PARAMS, profile=HARDENED)
    assert "ACT-ESCROW" in run.violated, run.violations


def test_broken_model__a_price_report_of_zero_accepted_fails_act_escrow(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    replace_rule(monkeypatch, price.process_move_price, lambda current, reported: reported)
    run = run_trace(GENESIS, (MovePrice(Fraction(0)),), params=WHITEPAPER_PARAMS, profile=HARDENED)
    assert "ACT-ESCROW" in run.violated, run.violations
