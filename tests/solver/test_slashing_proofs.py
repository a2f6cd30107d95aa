"""SLASH-*: proved under hardened; each refutation (literal profile, a parameter set or a mutant of
the shared formula) is replayed on the model's real slashing rules."""

from __future__ import annotations

from typing import Any, TypeVar

import pytest
import z3
from hypothesis import given, settings
from hypothesis import strategies as st
from model_checks import (
    get_expected_kth_rate,
    is_pro_rata,
    is_rate_in_bounds,
    is_slash_request_covered,
    is_slash_within_stake,
)
from pyrsistent import pmap

from model import arith
from model.ledger import Ledger, create_genesis
from model.params import WHITEPAPER_PARAMS, Params, with_values
from model.profile import HARDENED, WHITEPAPER, Profile
from model.slashing import (
    SlashingState,
    SlashOutcome,
    SlashRecord,
    compute_slash_rate_bps,
    get_effective_level,
    get_slash_record,
    get_validator_offender,
    process_slash_validator,
)
from model.staking import (
    StakingState,
    get_validator_stake,
    process_create_validator,
    process_delegate,
)
from model.units import AccountId, Outcome, Rejected, ValidatorId
from solver.algebra import Z3_TERMS
from solver.claim import ParamMode, ProofResult, ProofStatus
from solver.goals.slashing import get_slashes_to_zero
from solver.params import ParamTerms
from solver.proofs import slashing
from solver.proofs.slashing import SCHEDULE_DEPTH, Schedule
from solver.prove import SolverSettings, prove

N = TypeVar("N")
B = TypeVar("B")
T = TypeVar("T")

FAST = SolverSettings(timeout_ms=20_000)
IDS = tuple(slashing.CLAIMS)
WINDOW = WHITEPAPER_PARAMS.slashing.slash_window_seconds
V1 = ValidatorId("val-1")
HOLDERS = (AccountId("operator"), AccountId("d1"))
_SCHEDULE_KEYS = ("slash_base_bps", "slash_factor", "slash_cap_bps")


def _run(
    invariant_id: str,
    params: Params = WHITEPAPER_PARAMS,
    profile: Profile = HARDENED,
    mode: ParamMode = ParamMode.CONCRETE,
) -> ProofResult:
    claim = slashing.CLAIMS[invariant_id](params, profile, mode)
    return prove(claim, mode=mode, settings=FAST)


def _refuted(result: ProofResult) -> dict[str, int]:
    assert result.status is ProofStatus.REFUTED, (result.status, result.reason)
    return {name: int(value) for name, value in result.counterexample}


def _ok(outcome: Outcome[T]) -> T:
    assert not isinstance(outcome, Rejected), outcome
    return outcome


def _bonded(bonds: tuple[int, ...]) -> tuple[Ledger, StakingState]:
    """A validator whose positive bonds are `bonds` (the first the operator's self-bond)."""
    positive = [(holder, amount) for holder, amount in zip(HOLDERS, bonds, strict=True) if amount]
    assert positive
    ledger = _ok(create_genesis(dict(positive)))
    (operator, self_bond), *rest = positive
    ledger, staking = _ok(
        process_create_validator(
            ledger, StakingState(), validator=V1, operator=operator, self_bond=self_bond
        )
    )
    for delegator, amount in rest:
        ledger, staking = _ok(
            process_delegate(ledger, staking, delegator=delegator, validator=V1, amount=amount)
        )
    return ledger, staking


def _at_level(level: int) -> SlashingState:
    """The slash records after `level` slashes of V1 at time 0 (the next slash is at `level`)."""
    return SlashingState(records=pmap({get_validator_offender(V1): _record(level)}))


def _slash_at_level(
    bonds: tuple[int, ...], level: int, params: Params, profile: Profile, *, now: int = 0
) -> SlashOutcome:
    """One slash at `now` of a validator with `bonds`, slashed `level` times at time 0."""
    ledger, staking = _bonded(bonds)
    *_, outcome = _ok(
        process_slash_validator(
            ledger,
            staking,
            _at_level(level),
            validator=V1,
            now=now,
            params=params,
            profile=profile,
        )
    )
    assert outcome.level_before == get_effective_level(_record(level), now, params)
    return outcome


def _record(level: int) -> SlashRecord:
    return SlashRecord(level=level, last_slash_time=0)


def _slash_repeatedly(
    stake: int, times: int, params: Params, profile: Profile
) -> tuple[StakingState, list[SlashOutcome]]:
    """`times` slashes of a validator with `stake`, all within one window (one per second)."""
    ledger, staking = _bonded((stake, 0))
    slashing_state, outcomes = SlashingState(), []
    for now in range(times):
        ledger, staking, slashing_state, outcome = _ok(
            process_slash_validator(
                ledger,
                staking,
                slashing_state,
                validator=V1,
                now=now,
                params=params,
                profile=profile,
            )
        )
        outcomes.append(outcome)
    return staking, outcomes


# --- Every claim --------------------------------------------------------------------------------


@pytest.mark.parametrize("invariant_id", IDS)
def test_proved_under_hardened(invariant_id: str) -> None:
    result = _run(invariant_id)
    assert result.status is ProofStatus.PROVED, result.reason
    assert result.logic == "QF_LIA"


@pytest.mark.parametrize(
    ("invariant_id", "status"),
    [
        ("SLASH-BOUNDS", ProofStatus.REFUTED),
        ("SLASH-DOUBLING", ProofStatus.PROVED),
        ("SLASH-DECAY", ProofStatus.PROVED),
        ("SLASH-STAKE", ProofStatus.REFUTED),
        ("SLASH-DELEGATORS", ProofStatus.PROVED),
    ],
)
def test_literal_profile(invariant_id: str, status: ProofStatus) -> None:
    assert _run(invariant_id, profile=WHITEPAPER).status is status


@pytest.mark.parametrize("invariant_id", ["SLASH-DOUBLING", "SLASH-DECAY", "SLASH-DELEGATORS"])
@pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER], ids=lambda p: p.name)
def test_no_parameter_set_breaks(invariant_id: str, profile: Profile) -> None:
    """In every parameter set of the domain: only a mutant of the formula can break these."""
    result = _run(invariant_id, profile=profile, mode=ParamMode.ALL_PARAMS)
    assert result.status is ProofStatus.PROVED, result.reason


@pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER], ids=lambda p: p.name)
@pytest.mark.parametrize(
    "params",
    [
        WHITEPAPER_PARAMS,
        with_values(
            WHITEPAPER_PARAMS,
            {
                ("slashing", "slash_base_bps"): 7,
                ("slashing", "slash_factor"): 3,
                ("slashing", "slash_cap_bps"): 9_000,
            },
        ),
    ],
    ids=["whitepaper", "odd"],
)
def test_schedule_terms_are_the_model_rates(params: Params, profile: Profile) -> None:
    schedule = Schedule(ParamTerms(params, ParamMode.CONCRETE), profile, ParamMode.CONCRETE)
    for level, rate in enumerate(schedule.rates):
        assert z3.simplify(rate).as_long() == compute_slash_rate_bps(level, params, profile)


# --- SLASH-BOUNDS ---------------------------------------------------------------------------------


def test_bounds__literal_counterexample_is_a_real_slash_sequence() -> None:
    values = _refuted(_run("SLASH-BOUNDS", profile=WHITEPAPER))
    level = values["level"]
    assert values["level.rate"] == compute_slash_rate_bps(level, WHITEPAPER_PARAMS, WHITEPAPER)
    # The model: level + 1 slashes of one validator within one window; the last is out of bounds.
    _, outcomes = _slash_repeatedly(10**12, level + 1, WHITEPAPER_PARAMS, WHITEPAPER)
    last = outcomes[-1]
    assert (last.level_before, last.rate_bps) == (level, values["level.rate"])
    assert not is_rate_in_bounds(last.rate_bps, WHITEPAPER_PARAMS)
    assert all(is_rate_in_bounds(o.rate_bps, WHITEPAPER_PARAMS) for o in outcomes[:5])


def test_bounds__cap_below_base_refutes_hardened() -> None:
    params = with_values(WHITEPAPER_PARAMS, {("slashing", "slash_cap_bps"): 300})
    values = _refuted(_run("SLASH-BOUNDS", params))
    _, outcomes = _slash_repeatedly(10**6, values["level"] + 1, params, HARDENED)
    assert outcomes[-1].rate_bps == values["level.rate"] == 300
    assert not is_rate_in_bounds(outcomes[-1].rate_bps, params)


@pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER], ids=lambda p: p.name)
def test_bounds__every_parameter_counterexample_is_real(profile: Profile) -> None:
    values = _refuted(_run("SLASH-BOUNDS", profile=profile, mode=ParamMode.ALL_PARAMS))
    params = with_values(
        WHITEPAPER_PARAMS,
        {("slashing", key): values[f"slashing.{key}"] for key in _SCHEDULE_KEYS},
    )
    rate = compute_slash_rate_bps(values["level"], params, profile)
    assert rate == values["level.rate"]
    assert not is_rate_in_bounds(rate, params)


# --- SLASH-DOUBLING -------------------------------------------------------------------------------


def _adding(alg: arith.Algebra[N, B], rate: N, factor: N, cap: N, *, capped: bool) -> N:
    """Mutant: each level adds the factor instead of multiplying by it."""
    raised = alg.add(rate, factor)
    return arith.minimum(alg, raised, cap) if capped else raised


def _never_capped(alg: arith.Algebra[N, B], rate: N, factor: N, cap: N, *, capped: bool) -> N:
    """Mutant: the repeat rate forgets the cap (only the first slash is capped)."""
    return alg.mul(rate, factor)


@pytest.mark.parametrize("mutant", [_adding, _never_capped], ids=["adding", "never-capped"])
def test_doubling__mutant_counterexample_is_a_real_kth_slash(
    mutant: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(arith, "next_slash_rate", mutant)
    values = _refuted(_run("SLASH-DOUBLING"))
    k = values["k"]
    # The mutated model: the k-th slash in one window is not at the closed form.
    _, outcomes = _slash_repeatedly(10**12, k, WHITEPAPER_PARAMS, HARDENED)
    assert outcomes[-1].rate_bps != get_expected_kth_rate(k, WHITEPAPER_PARAMS, HARDENED)


# --- SLASH-DECAY ----------------------------------------------------------------------------------


def _never_expires(alg: arith.Algebra[N, B], elapsed: N, window: N) -> N:
    """Mutant: a window never expires, so the level never decays."""
    return alg.lit(0)


def _forgets_at_once(alg: arith.Algebra[N, B], level: N, expired: N) -> N:
    """Mutant: one expired window clears the record, whatever the level."""
    return alg.ite(alg.lt(alg.lit(0), expired), alg.lit(0), level)


@pytest.mark.parametrize(
    ("formula", "mutant"),
    [("expired_windows", _never_expires), ("decayed_level", _forgets_at_once)],
    ids=["never-expires", "forgets-at-once"],
)
def test_decay__mutant_counterexample_is_a_real_slash(
    formula: str, mutant: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(arith, formula, mutant)
    values = _refuted(_run("SLASH-DECAY"))
    level, elapsed = values["level"], values["elapsed"]
    # The mutated model: at `elapsed` or one window later, a slash does not see the level less
    # the whole windows passed (max(0, L - t // window), docs/model.md).
    seen = [
        _slash_at_level((10**6, 0), level, WHITEPAPER_PARAMS, HARDENED, now=now).level_before
        for now in (elapsed, elapsed + WINDOW)
    ]
    assert seen != [max(0, level - now // WINDOW) for now in (elapsed, elapsed + WINDOW)]


def test_decay__unmutated_model_decays_one_level_per_window() -> None:
    record = SlashRecord(level=3, last_slash_time=10)
    levels = [get_effective_level(record, 10 + n * WINDOW, WHITEPAPER_PARAMS) for n in range(5)]
    assert levels == [3, 2, 1, 0, 0]
    assert get_effective_level(record, 10 + WINDOW - 1, WHITEPAPER_PARAMS) == 3


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=0, max_value=10**6),
    st.integers(min_value=0, max_value=10**18),
    st.integers(min_value=1, max_value=10**10),
)
def test_decay_formulas_agree_with_z3(level: int, elapsed: int, window: int) -> None:
    expired = arith.expired_windows(arith.INTS, elapsed, window)
    on_ints = arith.decayed_level(arith.INTS, level, expired)
    expired_term = arith.expired_windows(Z3_TERMS, z3.IntVal(elapsed), z3.IntVal(window))
    on_terms = arith.decayed_level(Z3_TERMS, z3.IntVal(level), expired_term)
    assert z3.simplify(on_terms).as_long() == on_ints == max(0, level - elapsed // window)


# --- SLASH-STAKE ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "profile", "expected"),
    [
        ({}, HARDENED, 6),
        ({}, WHITEPAPER, 6),
        ({("slashing", "slash_cap_bps"): 9_999}, HARDENED, None),
        ({("slashing", "slash_cap_bps"): 9_999}, WHITEPAPER, 6),
        ({("slashing", "slash_base_bps"): 0}, WHITEPAPER, None),
        ({("slashing", "slash_base_bps"): 10_000}, HARDENED, 1),
        ({("slashing", "slash_base_bps"): 1}, WHITEPAPER, 15),
        ({("slashing", "slash_factor"): 1}, WHITEPAPER, None),
    ],
)
def test_slashes_to_zero(
    values: dict[tuple[str, str], int], profile: Profile, expected: int | None
) -> None:
    params = with_values(WHITEPAPER_PARAMS, values)
    assert get_slashes_to_zero(params, profile) == expected
    # The model: K slashes within one window zero a stake, K - 1 leave it positive.
    slashes = expected if expected is not None else 3 * SCHEDULE_DEPTH
    staking, outcomes = _slash_repeatedly(10**15 + 7, slashes, params, profile)
    assert all(is_slash_within_stake(o) for o in outcomes)
    if expected is None:
        assert get_validator_stake(staking, V1) > 0
    else:
        assert get_validator_stake(staking, V1) == 0
        assert outcomes[-1].losses[0].amount_before > 0


def test_stake__statement_names_k() -> None:
    assert "K = 6" in _run("SLASH-STAKE").statement


def test_stake__literal_counterexample_asks_more_than_the_stake() -> None:
    values = _refuted(_run("SLASH-STAKE", profile=WHITEPAPER))
    level, stake = values["level"], values["stake"]
    assert values["level.rate"] > 10_000
    outcome = _slash_at_level((stake, 0), level, WHITEPAPER_PARAMS, WHITEPAPER)
    assert outcome.rate_bps == values["level.rate"]
    assert not is_slash_request_covered(outcome)
    # The model burns what exists: the bond never goes negative.
    assert is_slash_within_stake(outcome)


def test_stake__cap_below_full_never_zeroes_a_stake() -> None:
    params = with_values(WHITEPAPER_PARAMS, {("slashing", "slash_cap_bps"): 9_999})
    result = _run("SLASH-STAKE", params)
    assert result.status is ProofStatus.PROVED
    assert "K = None" in result.statement


@pytest.mark.parametrize(
    ("profile", "status"),
    [(HARDENED, ProofStatus.PROVED), (WHITEPAPER, ProofStatus.REFUTED)],
    ids=["hardened", "whitepaper"],
)
def test_stake__every_parameter_set(profile: Profile, status: ProofStatus) -> None:
    result = _run("SLASH-STAKE", profile=profile, mode=ParamMode.ALL_PARAMS)
    assert result.status is status, result.reason
    if status is ProofStatus.REFUTED:
        values = _refuted(result)
        params = with_values(
            WHITEPAPER_PARAMS,
            {("slashing", key): values[f"slashing.{key}"] for key in _SCHEDULE_KEYS},
        )
        outcome = _slash_at_level((values["stake"], 0), values["level"], params, profile)
        assert not is_slash_request_covered(outcome)


# --- SLASH-DELEGATORS -----------------------------------------------------------------------------


def _rounding_up(alg: arith.Algebra[N, B], amount: N, rate: N) -> arith.LossTerms[N]:
    """Mutant: the loss is rounded up (the remainder goes to the burn, not the delegator)."""
    denominator = alg.lit(10_000)
    product = alg.mul(amount, rate)
    requested = alg.floordiv(alg.add(product, alg.sub(denominator, alg.lit(1))), denominator)
    return arith.LossTerms(requested=requested, burned=arith.minimum(alg, requested, amount))


def _dust_exempt(alg: arith.Algebra[N, B], amount: N, rate: N) -> arith.LossTerms[N]:
    """Mutant: bonds under 1 STR are skipped (nothing burned), larger ones slashed as usual."""
    loss = arith.bps_of(alg, amount, rate)
    burned = arith.minimum(alg, loss, amount)
    skipped = alg.lt(amount, alg.lit(1_000_000))
    return arith.LossTerms(requested=loss, burned=alg.ite(skipped, alg.lit(0), burned))


@pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER], ids=lambda p: p.name)
def test_delegators__proved_for_every_parameter_set(profile: Profile) -> None:
    result = _run("SLASH-DELEGATORS", profile=profile, mode=ParamMode.ALL_PARAMS)
    assert result.status is ProofStatus.PROVED, result.reason


@pytest.mark.parametrize("mutant", [_rounding_up, _dust_exempt], ids=["rounding-up", "dust"])
def test_delegators__mutant_counterexample_is_a_real_uneven_slash(
    mutant: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(arith, "slash_bond", mutant)
    values = _refuted(_run("SLASH-DELEGATORS"))
    bonds = (values["bond.a"], values["bond.b"])
    # The mutated model, on a real validator with those bonds, at the counterexample's level.
    outcome = _slash_at_level(bonds, values["level"], WHITEPAPER_PARAMS, HARDENED)
    assert outcome.rate_bps == values["level.rate"]
    assert not is_pro_rata(outcome)


def test_delegators__unmutated_model_is_pro_rata_at_every_level() -> None:
    for level in range(SCHEDULE_DEPTH + 2):
        outcome = _slash_at_level((333_333, 1_000_001), level, WHITEPAPER_PARAMS, HARDENED)
        assert is_pro_rata(outcome)
    assert get_slash_record(_at_level(4), get_validator_offender(V1)).level == 4
