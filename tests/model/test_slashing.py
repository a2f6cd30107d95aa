"""Tests of model.slashing: the §6.10 schedule, its decay, and pro-rata slashing of bonds (§4.2)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from model_checks import (
    get_expected_kth_rate,
    has_no_negative_balance,
    is_bonded_pool_consistent,
    is_pro_rata,
    is_rate_in_bounds,
    is_slash_request_covered,
    is_slash_within_stake,
    is_str_conserved,
)
from slashing_fixtures import (
    DELEGATORS,
    OFFENDER,
    OPERATOR,
    V1,
    WINDOW,
    bonded_validator,
    ok,
    slash_rates,
)

from model import arith
from model.ledger import BONDED_POOL, BURN_ADDRESS, Ledger, get_balance
from model.params import WHITEPAPER_PARAMS, with_values
from model.profile import HARDENED, WHITEPAPER, Profile
from model.slashing import (
    DelegatorLoss,
    SlashingState,
    SlashOutcome,
    SlashRecord,
    compute_slash_rate_bps,
    get_effective_level,
    get_expired_windows,
    get_slash_record,
    get_validator_offender,
    process_slash_offender,
    process_slash_validator,
)
from model.staking import StakingState, get_delegation, get_validator_stake
from model.units import Rejected, ValidatorId

# --- The schedule --------------------------------------------------------------------------------


def test_schedule__hardened_doubles_to_the_cap() -> None:
    rates = slash_rates([0, 1, 2, 3, 4, 5, 6], profile=HARDENED)
    assert rates == [500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000]
    assert all(is_rate_in_bounds(rate, WHITEPAPER_PARAMS) for rate in rates)


def test_schedule__whitepaper_passes_one_hundred_percent() -> None:
    """§6.10 names no cap: the sixth slash in a window asks for 160% of the stake."""
    rates = slash_rates([0, 10, 20, 30, 40, 50], profile=WHITEPAPER)
    assert rates == [500, 1_000, 2_000, 4_000, 8_000, 16_000]
    assert not is_rate_in_bounds(rates[-1], WHITEPAPER_PARAMS)


def test_schedule__matches_expected_kth_rate() -> None:
    for profile in (HARDENED, WHITEPAPER):
        rates = slash_rates(list(range(12)), profile=profile)
        expected = [get_expected_kth_rate(k, WHITEPAPER_PARAMS, profile) for k in range(1, 13)]
        assert rates == expected


def test_schedule__level_and_time_recorded() -> None:
    slashing, _ = ok(
        process_slash_offender(
            SlashingState(), offender=OFFENDER, now=42, params=WHITEPAPER_PARAMS, profile=HARDENED
        )
    )
    assert get_slash_record(slashing, OFFENDER) == SlashRecord(1, 42)
    assert get_slash_record(slashing, "node:other") == SlashRecord(0, None)


def test_decay__one_expired_window_halves_the_next_rate() -> None:
    within = slash_rates([0, 1, 2, 3], profile=HARDENED)
    decayed = slash_rates([0, 1, 2, 2 + WINDOW], profile=HARDENED)
    assert within[-1] == 4_000
    assert decayed[-1] == 2_000


def test_decay__partial_window_does_not_count() -> None:
    rates = slash_rates([0, 1, 2, 2 + WINDOW - 1], profile=HARDENED)
    assert rates[-1] == 4_000


def test_decay__many_windows_back_to_base_never_below() -> None:
    rates = slash_rates([0, 1, 2, 3, 4, 4 + 2 * WINDOW, 4 + 100 * WINDOW], profile=HARDENED)
    # Level 5 less two windows is 3: 5% * 2**3.
    assert rates[5] == 4_000
    assert rates[6] == 500


def test_decay__from_above_the_cap() -> None:
    """Under the literal text the level keeps rising; decay lowers it one window at a time."""
    record = SlashRecord(level=9, last_slash_time=0)
    assert get_effective_level(record, 3 * WINDOW, WHITEPAPER_PARAMS) == 6
    assert compute_slash_rate_bps(6, WHITEPAPER_PARAMS, WHITEPAPER) == 32_000
    assert compute_slash_rate_bps(6, WHITEPAPER_PARAMS, HARDENED) == 10_000


def test_expired_windows__edges() -> None:
    assert get_expired_windows(SlashRecord(), 10**9, WHITEPAPER_PARAMS) == 0
    record = SlashRecord(level=3, last_slash_time=1_000)
    assert get_expired_windows(record, 999, WHITEPAPER_PARAMS) == 0
    assert get_expired_windows(record, 1_000 + WINDOW - 1, WHITEPAPER_PARAMS) == 0
    assert get_expired_windows(record, 1_000 + WINDOW, WHITEPAPER_PARAMS) == 1
    assert get_effective_level(record, 1_000 + 7 * WINDOW, WHITEPAPER_PARAMS) == 0


def test_invalid_slash_offender__time_runs_backwards() -> None:
    slashing, _ = ok(
        process_slash_offender(
            SlashingState(), offender=OFFENDER, now=100, params=WHITEPAPER_PARAMS, profile=HARDENED
        )
    )
    refused = process_slash_offender(
        slashing, offender=OFFENDER, now=99, params=WHITEPAPER_PARAMS, profile=HARDENED
    )
    assert isinstance(refused, Rejected)
    assert refused.rule == "process_slash_offender"
    # Another offender has its own clock.
    ok(
        process_slash_offender(
            slashing, offender="node:n2", now=99, params=WHITEPAPER_PARAMS, profile=HARDENED
        )
    )


def test_rate__capped_huge_level_is_cheap() -> None:
    assert compute_slash_rate_bps(10**12, WHITEPAPER_PARAMS, HARDENED) == 10_000
    assert get_expected_kth_rate(10**12, WHITEPAPER_PARAMS, HARDENED) == 10_000


def test_rate__factor_one_and_base_zero() -> None:
    flat = with_values(WHITEPAPER_PARAMS, {("slashing", "slash_factor"): 1})
    assert compute_slash_rate_bps(50, flat, HARDENED) == 500
    assert compute_slash_rate_bps(50, flat, WHITEPAPER) == 500
    zero = with_values(WHITEPAPER_PARAMS, {("slashing", "slash_base_bps"): 0})
    assert compute_slash_rate_bps(50, zero, HARDENED) == 0


def test_rate__cap_below_base_breaks_bounds() -> None:
    """A cap below the base makes the first slash smaller than base: SLASH-BOUNDS fails."""
    low_cap = with_values(WHITEPAPER_PARAMS, {("slashing", "slash_cap_bps"): 300})
    assert compute_slash_rate_bps(0, low_cap, HARDENED) == 300
    assert not is_rate_in_bounds(300, low_cap)


@settings(max_examples=200, deadline=None)
@given(
    base=st.integers(min_value=0, max_value=10_000),
    factor=st.integers(min_value=1, max_value=100),
    cap=st.integers(min_value=0, max_value=10_000),
    k=st.integers(min_value=1, max_value=200),
)
def test_rate__matches_expected_kth_rate_for_any_params(
    base: int, factor: int, cap: int, k: int
) -> None:
    """SLASH-DOUBLING: the schedule's level k-1 rate is min(base * factor**(k-1), cap)."""
    params = with_values(
        WHITEPAPER_PARAMS,
        {
            ("slashing", "slash_base_bps"): base,
            ("slashing", "slash_factor"): factor,
            ("slashing", "slash_cap_bps"): cap,
        },
    )
    assert compute_slash_rate_bps(k - 1, params, HARDENED) == min(base * factor ** (k - 1), cap)
    assert compute_slash_rate_bps(k - 1, params, WHITEPAPER) == base * factor ** (k - 1)
    assert get_expected_kth_rate(k, params, HARDENED) == min(base * factor ** (k - 1), cap)


def _adding(
    alg: arith.Algebra[int, bool], rate: int, factor: int, cap: int, *, capped: bool
) -> int:
    """A formula swapped in: each level adds the factor instead of multiplying by it."""
    return alg.add(rate, factor)


def test_rate__a_formula_swapped_into_arith_is_computed_with_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The rates are kept per schedule, keyed by the formulas as well: a formula swapped into
    `arith` (as the solver tests swap in their mutants) gives its own rates at once, never the
    rates the old formula left in the cache."""
    assert compute_slash_rate_bps(3, WHITEPAPER_PARAMS, HARDENED) == 4_000
    monkeypatch.setattr(arith, "next_slash_rate", _adding)
    assert compute_slash_rate_bps(3, WHITEPAPER_PARAMS, HARDENED) == 506
    monkeypatch.undo()
    assert compute_slash_rate_bps(3, WHITEPAPER_PARAMS, HARDENED) == 4_000


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=3 * WINDOW), max_size=12))
def test_schedule__hardened_always_in_bounds(gaps: list[int]) -> None:
    """SLASH-BOUNDS and SLASH-DECAY: any slash sequence stays in [base, 100%] under HARDENED."""
    times, now = [], 0
    for gap in gaps:
        now += gap
        times.append(now)
    rates = slash_rates(times, profile=HARDENED)
    assert all(is_rate_in_bounds(rate, WHITEPAPER_PARAMS) for rate in rates)
    # An independent replay: each slash doubles the uncapped rate, each expired window halves it.
    uncapped = 250
    for index, (rate, gap) in enumerate(zip(rates, gaps, strict=True)):
        uncapped *= 2
        if index:
            uncapped = max(500, uncapped >> (gap // WINDOW))
        assert rate == min(uncapped, 10_000)


# --- Slashing a validator ------------------------------------------------------------------------


def run_slash_validator(
    ledger: Ledger,
    staking: StakingState,
    slashing: SlashingState,
    *,
    now: int,
    profile: Profile = HARDENED,
    validator: ValidatorId = V1,
) -> tuple[Ledger, StakingState, SlashingState, SlashOutcome]:
    new_ledger, new_staking, new_slashing, outcome = ok(
        process_slash_validator(
            ledger,
            staking,
            slashing,
            validator=validator,
            now=now,
            params=WHITEPAPER_PARAMS,
            profile=profile,
        )
    )
    assert is_str_conserved(new_ledger)
    assert has_no_negative_balance(new_ledger)
    assert is_bonded_pool_consistent(new_ledger, new_staking)
    assert is_pro_rata(outcome)
    assert is_slash_within_stake(outcome)
    burned_now = new_ledger.str_burned - ledger.str_burned
    assert burned_now == outcome.total_burned
    assert get_balance(new_ledger, BURN_ADDRESS).ustr == new_ledger.str_burned
    assert get_validator_stake(new_staking, validator) == (
        get_validator_stake(staking, validator) - outcome.total_burned
    )
    for loss in outcome.losses:
        assert get_delegation(new_staking, loss.delegator, validator) == (
            loss.amount_before - loss.burned
        )
    assert list(outcome.losses) == sorted(outcome.losses)
    return new_ledger, new_staking, new_slashing, outcome


def test_slash_validator__pro_rata_odd_amounts() -> None:
    ledger, staking = bonded_validator((333_333, 1_000_001, 7), self_bond=2_000_003)
    _, _, slashing, outcome = run_slash_validator(ledger, staking, SlashingState(), now=0)
    assert outcome.rate_bps == 500
    assert (outcome.level_before, outcome.level_after) == (0, 1)
    by_delegator = {loss.delegator: loss for loss in outcome.losses}
    # 5% rounded down: the remainder stays with each delegator.
    assert by_delegator[OPERATOR].burned == 100_000
    assert by_delegator[DELEGATORS[0]].burned == 16_666
    assert by_delegator[DELEGATORS[1]].burned == 50_000
    assert by_delegator[DELEGATORS[2]].burned == 0
    assert outcome.total_burned == 166_666
    assert is_slash_request_covered(outcome)
    assert get_slash_record(slashing, get_validator_offender(V1)) == SlashRecord(1, 0)


def test_slash_validator__repeat_slashes_compound() -> None:
    ledger, staking = bonded_validator((10_000,), self_bond=10_000)
    slashing = SlashingState()
    ledger, staking, slashing, first = run_slash_validator(ledger, staking, slashing, now=0)
    ledger, staking, slashing, second = run_slash_validator(ledger, staking, slashing, now=5)
    assert (first.rate_bps, second.rate_bps) == (500, 1_000)
    assert get_delegation(staking, DELEGATORS[0], V1) == 8_550
    assert get_balance(ledger, BONDED_POOL).ustr == 17_100


def test_slash_validator__whitepaper_sixth_slash_asks_more_than_the_stake() -> None:
    """§6.10 literal: the sixth slash in a window requests 160%; only the stake can burn."""
    ledger, staking = bonded_validator((1_000_000, 3), self_bond=5_000_000)
    slashing = SlashingState()
    outcome = None
    for now in range(6):
        ledger, staking, slashing, outcome = run_slash_validator(
            ledger, staking, slashing, now=now, profile=WHITEPAPER
        )
    assert outcome is not None
    assert outcome.rate_bps == 16_000
    assert outcome.total_requested > outcome.total_burned
    assert not is_slash_request_covered(outcome)
    assert not is_rate_in_bounds(outcome.rate_bps, WHITEPAPER_PARAMS)
    assert all(loss.burned == loss.amount_before for loss in outcome.losses)
    assert get_validator_stake(staking, V1) == 0
    assert staking.delegations == {}
    assert get_balance(ledger, BONDED_POOL).ustr == 0
    assert ledger.str_burned == 6_000_003


def test_slash_validator__hardened_sixth_slash_takes_everything() -> None:
    ledger, staking = bonded_validator((999,), self_bond=1_001)
    slashing = SlashingState()
    for now in range(6):
        ledger, staking, slashing, outcome = run_slash_validator(ledger, staking, slashing, now=now)
    assert outcome.rate_bps == 10_000
    assert is_slash_request_covered(outcome)
    assert get_validator_stake(staking, V1) == 0


def test_slash_validator__very_large_stake() -> None:
    ledger, staking = bonded_validator((10**30 + 1,), self_bond=10**30)
    _, _, _, outcome = run_slash_validator(ledger, staking, SlashingState(), now=0)
    assert outcome.total_burned == 5 * 10**28 + 5 * 10**28


def test_slash_validator__dust_stake_burns_nothing_but_raises_level() -> None:
    ledger, staking = bonded_validator((), self_bond=1)
    ledger, staking, slashing, outcome = run_slash_validator(
        ledger, staking, SlashingState(), now=0, profile=HARDENED
    )
    assert outcome.total_burned == 0
    assert get_slash_record(slashing, get_validator_offender(V1)).level == 1
    assert get_delegation(staking, OPERATOR, V1) == 1


def test_invalid_slash_validator__unknown_validator() -> None:
    ledger, staking = bonded_validator((5,), self_bond=5)
    refused = process_slash_validator(
        ledger,
        staking,
        SlashingState(),
        validator=ValidatorId("nobody"),
        now=0,
        params=WHITEPAPER_PARAMS,
        profile=HARDENED,
    )
    assert isinstance(refused, Rejected)
    assert refused.rule == "process_slash_validator"


def test_invalid_slash_validator__time_runs_backwards() -> None:
    ledger, staking = bonded_validator((5,), self_bond=5)
    ledger, staking, slashing, _ = run_slash_validator(ledger, staking, SlashingState(), now=50)
    refused = process_slash_validator(
        ledger, staking, slashing, validator=V1, now=49, params=WHITEPAPER_PARAMS, profile=HARDENED
    )
    assert isinstance(refused, Rejected)
    assert refused.rule == "process_slash_validator"


@settings(max_examples=150, deadline=None)
@given(
    amounts=st.lists(st.integers(min_value=1, max_value=10**24), min_size=0, max_size=3),
    self_bond=st.integers(min_value=1, max_value=10**24),
    slashes=st.integers(min_value=1, max_value=8),
    profile=st.sampled_from([HARDENED, WHITEPAPER]),
)
def test_slash_validator__every_bond_loses_the_same_fraction(
    amounts: list[int], self_bond: int, slashes: int, profile: Profile
) -> None:
    """SLASH-DELEGATORS and SLASH-STAKE over any bonds and any number of slashes."""
    ledger, staking = bonded_validator(tuple(amounts), self_bond=self_bond)
    slashing = SlashingState()
    for now in range(slashes):
        ledger, staking, slashing, outcome = run_slash_validator(
            ledger, staking, slashing, now=now, profile=profile
        )
        assert outcome.rate_bps == get_expected_kth_rate(now + 1, WHITEPAPER_PARAMS, profile)


def test_pro_rata__detects_an_uneven_loss() -> None:
    ledger, staking = bonded_validator((1_000,), self_bond=1_000)
    _, _, _, outcome = run_slash_validator(ledger, staking, SlashingState(), now=0)
    loss = outcome.losses[0]
    uneven = SlashOutcome(
        validator=V1,
        rate_bps=outcome.rate_bps,
        level_before=0,
        level_after=1,
        losses=(
            DelegatorLoss(loss.delegator, loss.amount_before, loss.requested, loss.burned + 1),
            *outcome.losses[1:],
        ),
        total_requested=outcome.total_requested,
        total_burned=outcome.total_burned + 1,
    )
    assert not is_pro_rata(uneven)
