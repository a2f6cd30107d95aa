"""SUP-INFLATION: proved for the whitepaper's curve; a floor above the initial rate (the only way
a parameter set in the domain breaks it) and a floorless mutant, replayed on the model."""

from __future__ import annotations

from typing import TypeVar

import attrs
import pytest
import z3

from model import arith
from model.params import WHITEPAPER_PARAMS, Params, with_values
from model.profile import HARDENED, WHITEPAPER, Profile
from model.supply import (
    compute_age_doublings,
    compute_inflation_rate_bps,
    is_inflation_schedule_sound,
)
from solver.algebra import Z3_TERMS
from solver.claim import Claim, ParamMode, ProofResult, ProofStatus
from solver.proofs.supply import CLAIMS, YEAR_LIMIT, claim_sup_inflation, get_doublings_term
from solver.prove import SolverSettings, prove

N = TypeVar("N")
B = TypeVar("B")

FAST = SolverSettings(timeout_ms=20_000)
MINT_KEYS = ("inflation_initial_bps", "inflation_step_bps", "inflation_min_bps")


def _run(
    params: Params = WHITEPAPER_PARAMS,
    profile: Profile = HARDENED,
    mode: ParamMode = ParamMode.CONCRETE,
) -> ProofResult:
    return prove(claim_sup_inflation(params, profile, mode), mode=mode, settings=FAST)


def _refuted(result: ProofResult) -> dict[str, int]:
    assert result.status is ProofStatus.REFUTED, (result.status, result.reason)
    return {name: int(value) for name, value in result.counterexample}


def _mint_params(values: dict[str, int]) -> Params:
    return with_values(
        WHITEPAPER_PARAMS, {("mint", key): values[f"mint.{key}"] for key in MINT_KEYS}
    )


def test_claims_export_sup_inflation() -> None:
    assert set(CLAIMS) == {"SUP-INFLATION"}


@pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER], ids=lambda p: p.name)
def test_proved_for_the_whitepaper_curve(profile: Profile) -> None:
    result = _run(profile=profile)
    assert result.status is ProofStatus.PROVED, result.reason
    assert result.logic == "QF_LIA"
    assert "2^64" in result.statement


@pytest.mark.parametrize(
    "year",
    [0, 1, 2, 3, 4, 7, 8, 1_023, 1_024, 2**63 - 1, 2**63, 2**64 - 1, 2**64, 2**65 - 1],
)
def test_doublings_term_is_bit_length(year: int) -> None:
    assert z3.simplify(get_doublings_term(z3.IntVal(year))).as_long() == compute_age_doublings(year)


@pytest.mark.parametrize("year", [0, 1, 5, 100, 2**40 + 3, YEAR_LIMIT - 1])
def test_claim_rate_is_the_model_rate(year: int) -> None:
    """The claim's rate term, with its linear bit_length, is the model's rate."""
    params = with_values(
        WHITEPAPER_PARAMS,
        {("mint", "inflation_step_bps"): 37, ("mint", "inflation_min_bps"): 150},
    )
    claim = claim_sup_inflation(params, HARDENED, ParamMode.CONCRETE)
    year_term = dict(claim.inputs)["year"]
    term = arith.inflation_rate(
        Z3_TERMS, z3.IntVal(1_100), z3.IntVal(37), z3.IntVal(150), get_doublings_term(year_term)
    )
    value = z3.simplify(z3.substitute(term, (year_term, z3.IntVal(year)))).as_long()
    assert value == compute_inflation_rate_bps(year, params)


def test_refuted_by_a_floor_above_the_initial_rate() -> None:
    params = with_values(WHITEPAPER_PARAMS, {("mint", "inflation_min_bps"): 1_500})
    values = _refuted(_run(params))
    assert 0 <= values["year"] < YEAR_LIMIT
    # The model: year 0 is lifted to the floor, so the schedule does not start at 11%.
    assert compute_inflation_rate_bps(0, params) == 1_500 != params.mint.inflation_initial_bps
    assert not is_inflation_schedule_sound(params)


@pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER], ids=lambda p: p.name)
def test_every_parameter_counterexample_is_real(profile: Profile) -> None:
    values = _refuted(_run(profile=profile, mode=ParamMode.ALL_PARAMS))
    params = _mint_params(values)
    assert not is_inflation_schedule_sound(params)
    assert values["mint.inflation_min_bps"] > values["mint.inflation_initial_bps"]


def _starting_at_initial(claim: Claim) -> Claim:
    """The claim restricted to parameter sets whose floor is not above the initial rate."""
    floor_rate, initial = z3.Int("mint.inflation_min_bps"), z3.Int("mint.inflation_initial_bps")
    return attrs.evolve(claim, assumptions=(*claim.assumptions, floor_rate <= initial))


def test_no_parameter_set_makes_the_rate_negative_or_rising() -> None:
    """Every parameter set in the domain with min <= initial is sound: the floor above the
    initial rate is the only way to break SUP-INFLATION within the domain."""
    claim = claim_sup_inflation(WHITEPAPER_PARAMS, HARDENED, ParamMode.ALL_PARAMS)
    result = prove(_starting_at_initial(claim), mode=ParamMode.ALL_PARAMS, settings=FAST)
    assert result.status is ProofStatus.PROVED, result.reason


def _floorless(alg: arith.Algebra[N, B], initial: N, step: N, floor_rate: N, doublings: N) -> N:
    """Mutant: the floor is forgotten, so the rate keeps falling below zero."""
    return alg.sub(initial, alg.mul(step, doublings))


def test_floorless_mutant_counterexample_is_a_negative_rate(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(arith, "inflation_rate", _floorless)
    values = _refuted(_run())
    year = values["year"]
    # The mutated model: that year's rate is negative (1100 - 100 * bit_length(year) < 0).
    assert year >= 2_048
    assert compute_inflation_rate_bps(year, WHITEPAPER_PARAMS) < 0
    assert not is_inflation_schedule_sound(WHITEPAPER_PARAMS, years=2_048)
