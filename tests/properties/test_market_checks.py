"""PAY-BURN-MARKET and Stratoswap's action contracts (ACT-TRANSFER) against broken pools.

Each test replays a short trace on a pool seeded at genesis: the correct model passes every
check, and a model with one realistic pool bug breaks the check that owns it.
"""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from broken_fixtures import GENESIS, honest_round, replace_rule, run_trace

import model.stratoswap
from model.chain.actions import AddLiquidity, RemoveLiquidity, Swap, SwapReserve
from model.chain.state import get_user
from model.ledger import STRATOSWAP_POOL, Token, process_transfer
from model.params import WHITEPAPER_PARAMS, with_values
from model.profile import HARDENED
from model.units import MICRO, Rejected
from properties.strategies import GOLDEN_COST

POOL_GENESIS = attrs.evolve(GENESIS, stratoswap_ustb=1_000 * MICRO, stratoswap_ustr=2_000 * MICRO)
"""A pool of 1,000 STB and 2,000 STR ($0.50 per STR); the reserve's order is 10 STB a node."""
USER = get_user(2)
MARKET = (
    honest_round(cost=GOLDEN_COST),
    SwapReserve(),
    AddLiquidity(USER, 100 * MICRO, 300 * MICRO),
    Swap(USER, Token.STB, 5 * MICRO, 1),
    Swap(USER, Token.STR, 7 * MICRO, 1),
    RemoveLiquidity(USER, 1_000),
)
"""A paid round fills the reserve, its order runs, then a provider deposits off-ratio, trades
both ways and redeems part of its shares."""
ORIGINAL_OUTPUT = model.stratoswap.compute_swap_output


def test_correct_pool__passes_and_is_observed() -> None:
    run = run_trace(POOL_GENESIS, MARKET, params=WHITEPAPER_PARAMS, profile=HARDENED)
    assert not run.violations, run.violations
    assert run.refused_by == ()
    assert {"PAY-BURN-MARKET", "PAY-BURN", "ACT-TRANSFER", "ACT-SUPPLY"} <= run.observed


def test_fee_free_pool__holds_at_zero_commission() -> None:
    params = with_values(WHITEPAPER_PARAMS, {("market", "stratoswap_fee_bps"): 0})
    run = run_trace(POOL_GENESIS, MARKET, params=params, profile=HARDENED)
    assert not run.violations, run.violations


def _before_fee(reserve_in: int, reserve_out: int, amount_in: int, fee_bps: int) -> int:
    """The pool pays the pre-fee amount: its commission is never charged."""
    return ORIGINAL_OUTPUT(reserve_in, reserve_out, amount_in, 0)


def test_pool_paying_before_the_fee__breaks_pay_burn_market(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    replace_rule(monkeypatch, ORIGINAL_OUTPUT, _before_fee)
    run = run_trace(POOL_GENESIS, MARKET[:2], params=WHITEPAPER_PARAMS, profile=HARDENED)
    assert "PAY-BURN-MARKET" in run.violated, run.violations
    # What left the pool is still all burned: the older PAY-BURN cannot see the price.
    assert "PAY-BURN" not in run.violated
    trades = run_trace(POOL_GENESIS, MARKET[2:4], params=WHITEPAPER_PARAMS, profile=HARDENED)
    assert "ACT-TRANSFER" in trades.violated, trades.violations


def test_redemption_rounded_up__breaks_act_transfer(monkeypatch: pytest.MonkeyPatch) -> None:
    """A redemption paying ceil(shares * reserve / total) takes the pool's dust."""
    real = model.stratoswap.process_remove_liquidity

    def broken(ledger: Any, pool: Any, *, provider: Any, shares: int) -> Any:
        reserves = model.stratoswap.get_reserves(ledger)
        for token in (Token.STB, Token.STR):
            paid = -(-shares * reserves.of(token) // pool.total)
            ledger = process_transfer(
                ledger,
                sender=STRATOSWAP_POOL,
                recipient=provider,
                token=token,
                amount=paid,
            )
        return ledger, model.stratoswap._credit_shares(pool, provider, -shares)

    replace_rule(monkeypatch, real, broken)
    run = run_trace(
        POOL_GENESIS, MARKET[2:3] + MARKET[5:], params=WHITEPAPER_PARAMS, profile=HARDENED
    )
    assert "ACT-TRANSFER" in run.violated, run.violations


def test_deposit_minting_an_extra_share__breaks_act_transfer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = model.stratoswap.compute_minted_shares

    def broken(pool: Any, reserves: Any, ustb: int, ustr: int) -> int:
        return real(pool, reserves, ustb, ustr) + 1

    replace_rule(monkeypatch, real, broken)
    run = run_trace(POOL_GENESIS, MARKET[2:3], params=WHITEPAPER_PARAMS, profile=HARDENED)
    assert "ACT-TRANSFER" in run.violated, run.violations


def _refuse(*args: Any, **kwargs: Any) -> Any:
    return Rejected("broken", "refused by broken")


@pytest.mark.parametrize(
    ("rule", "actions"),
    [
        ("process_add_liquidity", MARKET[2:3]),
        ("process_remove_liquidity", MARKET[2:3] + MARKET[5:]),
        ("process_swap", MARKET[3:4]),
    ],
)
def test_refusing_an_allowed_market_action__breaks_act_allowed(
    rule: str, actions: tuple[Any, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    replace_rule(monkeypatch, getattr(model.stratoswap, rule), _refuse)
    run = run_trace(POOL_GENESIS, actions, params=WHITEPAPER_PARAMS, profile=HARDENED)
    assert "ACT-ALLOWED" in run.violated, run.violations


@pytest.mark.parametrize(
    "action",
    [
        Swap(USER, Token.STB, 5 * MICRO, 10**18),
        Swap(USER, Token.STB, 0, 0),
        RemoveLiquidity(USER, 1),
        AddLiquidity(USER, 0, MICRO),
    ],
)
def test_refusal_the_text_allows__holds(action: Any) -> None:
    """Over the limit, selling nothing, shares not held, a deposit earning none: refused."""
    run = run_trace(POOL_GENESIS, (action,), params=WHITEPAPER_PARAMS, profile=HARDENED)
    assert run.refused_by
    assert "ACT-ALLOWED" in run.observed
    assert not run.violations, run.violations
