"""PAY-BURN-MARKET: the reserve's market order is proved to pay the curve within its bound, and
refuted for the pools a wrong curve shortchanges or overpays."""

from __future__ import annotations

from typing import Any

import pytest
from solver_fixtures import refuted, run

from model import arith
from model.params import WHITEPAPER_PARAMS, with_values
from model.profile import HARDENED, WHITEPAPER, Profile
from oracle.stratoswap import curve_payout, is_within_shortfall
from solver.claim import ParamMode, ProofStatus

ORIGINAL = arith.swap_output


@pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER], ids=lambda p: p.name)
@pytest.mark.parametrize("mode", [ParamMode.CONCRETE, ParamMode.ALL_PARAMS])
def test_proved(profile: Profile, mode: ParamMode) -> None:
    result = run("PAY-BURN-MARKET", WHITEPAPER_PARAMS, profile, mode)
    assert result.status is ProofStatus.PROVED, result.reason
    assert "10^18" in result.statement


def test_proved_at_the_largest_commission() -> None:
    params = with_values(WHITEPAPER_PARAMS, {("market", "stratoswap_fee_bps"): 1_000})
    assert run("PAY-BURN-MARKET", params, HARDENED).status is ProofStatus.PROVED


def _pre_fee(alg: arith.Algebra[Any, Any], x: Any, y: Any, a: Any, fee: Any) -> Any:
    """Mutant: the pool pays as if it charged no commission."""
    return ORIGINAL(alg, x, y, a, alg.lit(0))


def _spot_price(alg: arith.Algebra[Any, Any], x: Any, y: Any, a: Any, fee: Any) -> Any:
    """Mutant: the pool pays the order at its price before the order (no impact, no fee)."""
    return alg.floordiv(alg.mul(a, y), x)


def _one_more(alg: arith.Algebra[Any, Any], x: Any, y: Any, a: Any, fee: Any) -> Any:
    """Mutant: the pool rounds its payout up by one ustr."""
    return alg.add(ORIGINAL(alg, x, y, a, fee), alg.lit(1))


@pytest.mark.parametrize("mutant", [_pre_fee, _spot_price, _one_more], ids=lambda m: m.__name__)
def test_refuted_for_a_wrong_curve(mutant: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(arith, "swap_output", mutant)
    values = refuted(run("PAY-BURN-MARKET", WHITEPAPER_PARAMS, HARDENED))
    x, y = values["market_order.stratoswap.stb"], values["market_order.stratoswap.str"]
    a = values["market_order.swap_reserve.stb"]
    fee = WHITEPAPER_PARAMS.market.stratoswap_fee_bps
    # The counterexample is a real pool on which the mutant pays off the curve.
    out = mutant(arith.INTS, x, y, a, fee)
    assert out != curve_payout(x, y, a, fee) or not is_within_shortfall(x, y, a, fee, out)
