"""SUP-INFLATION: proved for the whitepaper's curve; a floor above the initial rate and a
floorless mutant are refuted, and the model's rate is the schedule the goal states."""

from __future__ import annotations

from typing import TypeVar

import pytest

from model import arith
from model.params import WHITEPAPER_PARAMS, Params, with_values
from model.profile import HARDENED, WHITEPAPER, Profile
from model.supply import compute_age_doublings, compute_inflation_rate_bps
from solver.claim import PLAN_MODES, ParamMode, ProofResult, ProofStatus
from solver.goals.supply import STEP_LIMIT, get_year_steps
from solver.proofs.supply import CLAIMS, claim_sup_inflation
from solver.prove import SolverSettings, prove
from solver.registry import prove_invariant

N = TypeVar("N")
B = TypeVar("B")

FAST = SolverSettings(timeout_ms=20_000)


def _run(
    params: Params = WHITEPAPER_PARAMS,
    profile: Profile = HARDENED,
    mode: ParamMode = ParamMode.CONCRETE,
) -> ProofResult:
    return prove(claim_sup_inflation(params, profile, mode), mode=mode, settings=FAST)


def _refuted(result: ProofResult) -> dict[str, int]:
    assert result.status is ProofStatus.REFUTED, (result.status, result.reason)
    return {name: int(value) for name, value in result.counterexample}


def test_claims_export_sup_inflation() -> None:
    assert set(CLAIMS) == {"SUP-INFLATION"}


@pytest.mark.parametrize("mode", PLAN_MODES, ids=lambda m: m.value)
@pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER], ids=lambda p: p.name)
def test_proved_for_the_whitepaper_curve(profile: Profile, mode: ParamMode) -> None:
    result = _run(profile=profile, mode=mode)
    assert result.status is ProofStatus.PROVED, result.reason
    assert result.logic == ("QF_LIA" if mode is ParamMode.CONCRETE else "QF_NIA")
    assert "2^64" in result.statement


@pytest.mark.parametrize(
    "year", [0, 1, 2, 3, 4, 7, 8, 1_023, 1_024, 2**63 - 1, 2**63, 2**64 - 1, 2**64]
)
def test_the_goal_counts_the_steps_as_the_documented_schedule(year: int) -> None:
    """docs/model.md: 0 in year 0, 1 in year 1, 2 in years 2-3, 3 in 4-7, ... (the goal counts
    them from the powers of two, not with bit_length)."""
    assert get_year_steps(year) == compute_age_doublings(year)
    assert 0 <= get_year_steps(year) <= STEP_LIMIT


def test_refuted_by_a_floor_above_the_initial_rate() -> None:
    params = with_values(WHITEPAPER_PARAMS, {("mint", "inflation_min_bps"): 1_500})
    _refuted(_run(params))
    # The model: year 0 is lifted to the floor, so the schedule does not start at 11%.
    assert compute_inflation_rate_bps(0, params) == 1_500 != params.mint.inflation_initial_bps
    # The default plan: for all parameters min <= initial is assumed; the checked set decides.
    result = prove_invariant("SUP-INFLATION", params, HARDENED, settings=FAST)
    assert result.status is ProofStatus.REFUTED and result.mode is ParamMode.CONCRETE


def test_for_all_parameters_the_floor_below_the_initial_rate_is_assumed() -> None:
    result = _run(mode=ParamMode.ALL_PARAMS)
    assert result.status is ProofStatus.PROVED
    assert "min <= initial is assumed" in result.statement


def _floorless(alg: arith.Algebra[N, B], initial: N, step: N, floor_rate: N, doublings: N) -> N:
    """Mutant: the floor is forgotten, so the rate keeps falling below zero."""
    return alg.sub(initial, alg.mul(step, doublings))


def test_floorless_mutant_is_refuted_and_the_model_rate_goes_negative(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(arith, "inflation_rate", _floorless)
    _refuted(_run())
    # The mutated model: year 2^11 is 12 steps down, 1100 - 1200 < 0.
    assert compute_inflation_rate_bps(2**11, WHITEPAPER_PARAMS) < 0


def _doublings_off_by_one(year: int) -> int:
    """Mutant: the age is counted from year 1, so year 1 keeps the initial rate."""
    return max(0, year - 1).bit_length()


def test_a_miscounted_age_is_refuted(monkeypatch: pytest.MonkeyPatch) -> None:
    import model.supply  # noqa: PLC0415 - patched here

    monkeypatch.setattr(model.supply, "compute_age_doublings", _doublings_off_by_one)
    # Both queries read the model's count of doublings, so both refute it.
    for mode in PLAN_MODES:
        assert _run(mode=mode).status is ProofStatus.REFUTED
