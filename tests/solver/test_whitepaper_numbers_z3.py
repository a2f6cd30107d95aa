"""One ID, one meaning, in the Z3 claims: SLASH-DOUBLING and SLASH-DECAY state §6.10's factor 2,
SUP-INFLATION §6.9's 11%, so a parameter set that moves the governed key is refuted, and the
whitepaper's defaults are proved (for the checked set and, with the text's value kept, for every
parameter set)."""

from __future__ import annotations

import pytest

from model.params import WHITEPAPER_PARAMS, Params, with_values
from model.profile import HARDENED, WHITEPAPER, Profile
from solver.claim import ParamMode, ProofStatus
from solver.prove import SolverSettings
from solver.registry import prove_invariant

FAST = SolverSettings(timeout_ms=30_000)
FACTOR_ONE = with_values(WHITEPAPER_PARAMS, {("slashing", "slash_factor"): 1})
FACTOR_THREE = with_values(WHITEPAPER_PARAMS, {("slashing", "slash_factor"): 3})
START_AT_100_PERCENT = with_values(
    WHITEPAPER_PARAMS,
    {("mint", "inflation_initial_bps"): 10_000, ("mint", "inflation_min_bps"): 10_000},
)


@pytest.mark.parametrize("invariant_id", ["SLASH-DOUBLING", "SLASH-DECAY", "SUP-INFLATION"])
@pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER], ids=lambda p: p.name)
def test_defaults__proved(invariant_id: str, profile: Profile) -> None:
    result = prove_invariant(invariant_id, WHITEPAPER_PARAMS, profile, settings=FAST)
    assert result.status is ProofStatus.PROVED, result.reason


@pytest.mark.parametrize("params", [FACTOR_ONE, FACTOR_THREE], ids=["factor-1", "factor-3"])
@pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER], ids=lambda p: p.name)
def test_slash_doubling__a_governed_factor_is_refuted(params: Params, profile: Profile) -> None:
    result = prove_invariant("SLASH-DOUBLING", params, profile, settings=FAST)
    assert result.status is ProofStatus.REFUTED, result.reason
    values = dict(result.counterexample)
    assert int(values["k"]) >= 2  # the first slash is at base whatever the factor
    assert "base * 2^(k-1)" in result.statement


@pytest.mark.parametrize("params", [FACTOR_ONE, FACTOR_THREE], ids=["factor-1", "factor-3"])
def test_slash_decay__a_governed_factor_is_refuted(params: Params) -> None:
    result = prove_invariant("SLASH-DECAY", params, HARDENED, settings=FAST)
    assert result.status is ProofStatus.REFUTED, result.reason
    assert "U_l div 2" in result.statement


def test_sup_inflation__a_governed_start_of_100_percent_is_refuted() -> None:
    result = prove_invariant("SUP-INFLATION", START_AT_100_PERCENT, HARDENED, settings=FAST)
    assert result.status is ProofStatus.REFUTED, result.reason
    assert result.mode is ParamMode.CONCRETE
    assert "rate(0) = 1100" in result.statement


@pytest.mark.parametrize("invariant_id", ["SLASH-DOUBLING", "SLASH-DECAY", "SUP-INFLATION"])
def test_every_parameter_set_with_the_texts_number__proved(invariant_id: str) -> None:
    """For all parameters the quoted key keeps the text's value (the constitution's range), so
    only the other keys range: the claim holds for each of them."""
    result = prove_invariant(
        invariant_id, WHITEPAPER_PARAMS, HARDENED, mode=ParamMode.ALL_PARAMS, settings=FAST
    )
    assert result.status is ProofStatus.PROVED, result.reason
