"""VAL-PAY and PAY-EXTERNAL on the chain (§4.4). Correct traces at and around subscribers x floor
hold VAL-PAY, and it catches a model that draws the paid validators by the public round id, one
that pays prefund - count, one that pays the whole committee below the floor, and one that
withdraws the remainder; the literal draw's paid set is known before the round (a finding).
Paid outbound requests hold PAY-EXTERNAL, which catches a payout in STR and a double payout."""

from __future__ import annotations

import hashlib
from fractions import Fraction
from typing import Any

import attrs
import pytest
from broken_fixtures import APP, GENESIS, plan, replace_rule, run_trace

from model import arith, escrow, reputation
from model.chain.actions import (
    Action,
    OutboundRequest,
    RoundEffect,
    RunRound,
    SetAppValidatorCount,
    WithdrawPrepayment,
)
from model.chain.state import get_developer
from model.ledger import Ledger, Token, get_escrow_account, process_transfer
from model.params import WHITEPAPER_PARAMS, Params, with_values
from model.profile import HARDENED, WHITEPAPER, Profile
from model.units import AccountId, Rejected, ValidatorId
from properties.replay import apply_and_check, process_or_raise, start_and_check

FLOOR = 1_000
P = with_values(WHITEPAPER_PARAMS, {("payment", "validation_floor_ustr"): FLOOR})
NODES3 = tuple(plan(i) for i in range(3))
COMMITTEE = 3
FULL = COMMITTEE * FLOOR
PREFUNDS = (FULL, FULL - 1, FULL + 1, FULL - 1, FULL - 1, FULL - 1)
"""At subscribers x floor, one ustr short (two of the three paid, by the draw), one ustr over."""
TRACE: tuple[Action, ...] = (
    SetAppValidatorCount(APP, get_developer(APP), COMMITTEE),
    *(RunRound(APP, NODES3, 0, True, prefund) for prefund in PREFUNDS),
)


def _val_pay(profile: Profile = HARDENED, trace: tuple[Action, ...] = TRACE) -> list[str]:
    run = run_trace(GENESIS, trace, params=P, profile=profile)
    assert "VAL-PAY" in run.observed
    return [v for v in run.violations if v.startswith("VAL-PAY")]


def test_correct_trace__holds_at_and_around_the_floor() -> None:
    run = run_trace(GENESIS, TRACE, params=P, profile=HARDENED)
    assert "VAL-PAY" in run.observed
    assert not run.violations, run.violations
    assert run.refused_by == ()


def test_prefund_below_one_floor__is_refused_and_pays_nobody() -> None:
    trace = (*TRACE[:1], RunRound(APP, NODES3, 0, True, FLOOR - 1))
    run = run_trace(GENESIS, trace, params=P, profile=HARDENED)
    assert run.refused_by == ("process_settle_round",)
    assert not run.violations, run.violations


def test_broken__draw_by_the_public_round_id_fails() -> None:
    """The hardened chain with only the literal draw: some round pays a validator the beacon
    did not rank among the first."""
    problems = _val_pay(attrs.evolve(HARDENED, validation_draw_by_beacon=False))
    assert problems and "§4.4 pays it" in problems[0]


def test_broken__paying_prefund_minus_count_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    real = arith.divide_validation_payment

    def broken(alg: Any, prefund: int, count: int) -> Any:
        each = prefund - count
        return arith.ShareTerms(each=each, remainder=prefund - each * count)

    replace_rule(monkeypatch, real, broken)
    trace = (*TRACE[:1], RunRound(APP, NODES3, 0, True, 10 * FULL))
    problems = _val_pay(trace=trace)
    assert problems and "was paid 29997 ustr, §4.4 pays it 10000" in problems[0]


def test_broken__every_subscriber_paid_below_the_floor_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = escrow.compute_validator_count

    def broken(prefund_ustr: int, subscribers: int, floor_ustr: int) -> int:
        return subscribers

    replace_rule(monkeypatch, real, broken)
    problems = _val_pay(trace=TRACE[:3])
    assert problems and "below the floor" in problems[0]


def test_broken__remainder_leaves_the_escrow_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shares are right, but the remainder is withdrawn to the first validator paid."""
    real = arith.divide_validation_payment

    def broken(alg: Any, prefund: int, count: int) -> Any:
        return arith.ShareTerms(each=prefund // count + prefund % count, remainder=0)

    replace_rule(monkeypatch, real, broken)
    trace = (*TRACE[:1], RunRound(APP, NODES3, 0, True, FULL + 2))
    problems = _val_pay(trace=trace)
    assert problems and "§4.4 pays it 1000" in problems[0]


def _literal_rank(round_id: int, accounts: list[AccountId]) -> list[AccountId]:
    """Anyone's ranking of accounts for round `round_id` under the literal draw."""
    seed = round_id.to_bytes(8, "big")
    return sorted(accounts, key=lambda a: (hashlib.sha256(seed + a.encode()).digest(), a))


def test_finding__whitepaper_paid_set_is_known_before_the_round() -> None:
    """Under the literal draw, before the round runs, anyone ranks all four validators by the
    next round id: the committee's members are paid in that order, whoever the beacon seats,
    so a validator knows whether it will be paid before it offers. VAL-PAY fails."""
    current = start_and_check(GENESIS, params=P, profile=WHITEPAPER)
    assert not isinstance(current, Rejected)
    current = apply_and_check(current, TRACE[0])
    assert not isinstance(current, Rejected)
    for _ in range(4):
        state = current.state
        operators = [v.operator for v in state.staking.validators.values()]
        ranking = _literal_rank(state.next_round_id, operators)
        action = RunRound(APP, NODES3, 0, True, FULL - 1)
        result = process_or_raise(current, action)
        assert isinstance(result, tuple), result
        after, effects = result
        rounds = [e for e in effects if isinstance(e, RoundEffect) and e.outcome is not None]
        members = rounds[0].outcome.validators if rounds and rounds[0].outcome else ()
        committee = {state.staking.validators[ValidatorId(v)].operator for v in members}
        predicted = sorted([a for a in ranking if a in committee][: COMMITTEE - 1])
        paid = sorted(
            a for a in operators if after.ledger.balances[a].ustr > state.ledger.balances[a].ustr
        )
        assert predicted == paid
        step = apply_and_check(current, action)
        assert not isinstance(step, Rejected)
        current = step
    assert _val_pay(WHITEPAPER)


# --- PAY-EXTERNAL (§4.4 External Request Payouts) -------------------------------------------------

NODE = plan(0).node
PAID_CALLS: tuple[Action, ...] = (
    OutboundRequest(APP, Fraction(1), NODE),
    OutboundRequest(APP, Fraction(1)),
    OutboundRequest(APP, Fraction(1), NODE),
)


def _pay_external(trace: tuple[Action, ...] = PAID_CALLS) -> list[str]:
    run = run_trace(GENESIS, trace, params=P, profile=HARDENED)
    assert "PAY-EXTERNAL" in run.observed
    return [v for v in run.violations if v.startswith(("PAY-EXTERNAL", "ACT-REPUTATION"))]


def test_paid_calls__hold_pay_external_and_the_reputation_contract() -> None:
    run = run_trace(GENESIS, PAID_CALLS, params=P, profile=HARDENED)
    assert {"PAY-EXTERNAL", "ACT-REPUTATION"} <= run.observed
    assert not run.violations, run.violations
    assert run.refused_by == ()


def test_paid_call_one_ustb_short__is_rightly_refused() -> None:
    escrow = GENESIS.prepay_ustb
    payout = P.market.external_request_payout_ustb
    trace = (WithdrawPrepayment(APP, escrow - payout + 1, 0), PAID_CALLS[0])
    run = run_trace(GENESIS, trace, params=P, profile=HARDENED)
    assert run.refused_by == ("process_external_request_payout",)
    assert not run.violations, run.violations


def test_broken__payout_in_str_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    real = reputation.process_external_request_payout

    def broken(ledger: Ledger, *, app: Any, node_account: Any, params: Params) -> Any:
        payout = params.market.external_request_payout_ustb
        moved = process_transfer(
            ledger,
            sender=get_escrow_account(app),
            recipient=node_account,
            token=Token.STR,
            amount=payout,
        )
        return moved if isinstance(moved, Rejected) else (moved, payout)

    replace_rule(monkeypatch, real, broken)
    problems = _pay_external()
    assert any(
        p.startswith("PAY-EXTERNAL") and "§4.4's base payout moves 1000" in p for p in problems
    )


def test_broken__payout_twice_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    real = reputation.process_external_request_payout

    def broken(ledger: Ledger, **kwargs: Any) -> Any:
        once = real(ledger, **kwargs)
        return once if isinstance(once, Rejected) else real(once[0], **kwargs)

    replace_rule(monkeypatch, real, broken)
    problems = _pay_external()
    assert any(p.startswith("PAY-EXTERNAL") and "moved 2000 ustb" in p for p in problems)
