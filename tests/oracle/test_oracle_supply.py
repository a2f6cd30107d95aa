"""The oracle's reading of §6.9 against the whitepaper's and docs/model.md's numbers.

The rates are typed from the text (11% at genesis, one point lower each time the age doubles, a
2% floor), not computed, and a mint is bounded on both sides. Each test also shows that a wrong
reading (a linear decline, one rate for an interval across a year boundary, a forgotten
basis-point scale) disagrees with the same numbers, so the tests can fail.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import attrs
import pytest

from model.ledger import Ledger
from model.params import WHITEPAPER_PARAMS, Params
from model.supply import create_supply_state, process_inflation_mint
from model.units import MICRO, Rejected
from oracle.supply import (
    YEAR,
    accrued_inflation,
    age_in_years,
    circulating_str,
    inflation_rate_bps,
    mint_bounds,
    schedule_problems,
)

P = WHITEPAPER_PARAMS
RATES_BY_YEAR = {
    0: 1_100,
    1: 1_000,
    2: 900,
    3: 900,
    4: 800,
    7: 800,
    8: 700,
    15: 700,
    16: 600,
    31: 600,
    32: 500,
    64: 400,
    128: 300,
    256: 200,
    511: 200,
    512: 200,
    10**9: 200,
}
"""§6.9 "11% yearly ... logarithmically decreasing", as docs/model.md spells it out: 11% in year
0, 10% in year 1, 9% in years 2-3, 8% in 4-7, 7% in 8-15, and so on down to the 2% floor."""


def _with_mint(**values: int) -> Params:
    return attrs.evolve(P, mint=attrs.evolve(P.mint, **values))


@pytest.mark.parametrize(("year", "rate"), sorted(RATES_BY_YEAR.items()))
def test_rate__the_documented_curve(year: int, rate: int) -> None:
    assert inflation_rate_bps(year, P) == rate


def test_rate__starts_at_eleven_percent() -> None:
    # §6.9: "the preliminary initial inflation rate will be set at 11% yearly".
    assert inflation_rate_bps(0, P) * 100 == 11 * 10_000


def wrong_linear_rate(year: int, params: Params) -> int:
    """A wrong reading: one step lower every year, not every doubling."""
    mint = params.mint
    return max(mint.inflation_min_bps, mint.inflation_initial_bps - mint.inflation_step_bps * year)


def test_rate__a_linear_decline_disagrees() -> None:
    wrong = {year: wrong_linear_rate(year, P) for year in RATES_BY_YEAR}
    assert wrong != RATES_BY_YEAR
    assert wrong[3] == 800  # the documented curve is still at 9% in year 3


def test_schedule__sound_at_the_defaults() -> None:
    assert schedule_problems(P, years=1_100) == []


def test_schedule__a_floor_above_the_initial_rate_is_reported() -> None:
    problems = schedule_problems(_with_mint(inflation_min_bps=1_200), years=4)
    assert len(problems) == 1
    assert "year 0 rate 1200 bps is not the initial 1100 bps" in problems[0]


def test_age__year_boundaries_are_exact() -> None:
    assert age_in_years(genesis=10, time=10 + YEAR - 1) == 0
    assert age_in_years(genesis=10, time=10 + YEAR) == 1
    with pytest.raises(ValueError, match="before genesis"):
        age_in_years(genesis=10, time=9)


def test_accrual__a_whole_first_year_is_eleven_percent() -> None:
    base = 1_000_000 * MICRO
    assert accrued_inflation(base, genesis=0, start=0, end=YEAR, params=P) == base * 11 // 100


def test_accrual__split_exactly_at_the_year_boundary() -> None:
    # One second of year 0 at 11% and one second of year 1 at 10%.
    base = 7 * MICRO
    exact = accrued_inflation(base, genesis=5, start=5 + YEAR - 1, end=5 + YEAR + 1, params=P)
    assert exact == Fraction(base * (1_100 + 1_000), 10_000 * YEAR)


def test_accrual__a_long_interval_crosses_every_step() -> None:
    base = 10**12
    exact = accrued_inflation(base, genesis=0, start=0, end=8 * YEAR, params=P)
    # Years 0..7: 11%, 10%, 9%, 9%, 8%, 8%, 8%, 8%.
    assert exact == Fraction(base * (1_100 + 1_000 + 2 * 900 + 4 * 800), 10_000)


def wrong_single_rate_mint(base: int, *, genesis: int, start: int, end: int) -> int:
    """A wrong mint: the whole interval at the rate of its first second."""
    rate = inflation_rate_bps(age_in_years(genesis=genesis, time=start), P)
    return base * rate * (end - start) // (10_000 * YEAR)


def wrong_unscaled_mint(base: int, *, genesis: int, start: int, end: int) -> int:
    """A wrong mint: the basis-point scale forgotten, so 11% becomes 110,000%."""
    rate = inflation_rate_bps(age_in_years(genesis=genesis, time=start), P)
    return base * rate * (end - start) // YEAR


@pytest.mark.parametrize("wrong", [wrong_single_rate_mint, wrong_unscaled_mint])
def test_mint_bounds__catch_a_wrong_mint(wrong: Callable[..., int]) -> None:
    base, genesis, start, end = 10**12, 0, YEAR // 2, YEAR + YEAR // 2
    bounds = mint_bounds(base, genesis=genesis, start=start, end=end, params=P)
    assert bounds.problem(bounds.amount) is None
    assert bounds.problem(wrong(base, genesis=genesis, start=start, end=end)) is not None


def test_mint_bounds__both_sides_and_the_floor() -> None:
    bounds = mint_bounds(3 * MICRO + 1, genesis=0, start=0, end=1_234, params=P)
    assert bounds.exact.denominator > 1  # a fraction of a ustr accrues
    assert bounds.amount == bounds.exact.numerator // bounds.exact.denominator
    assert bounds.problem(bounds.amount) is None
    above = bounds.problem(bounds.amount + 1)
    below = bounds.problem(bounds.amount - 1)
    assert above is not None and "above" in above
    assert below is not None and "below" in below


def test_circulating__genesis_plus_minted_minus_burned() -> None:
    ledger = Ledger(str_genesis=1_000, str_minted=70, str_burned=30)
    assert circulating_str(ledger) == 1_040


@pytest.mark.parametrize(
    ("start", "end"), [(0, 1), (0, YEAR), (YEAR - 3, YEAR + 3), (3 * YEAR + 17, 9 * YEAR + 5)]
)
def test_mint_bounds__agree_with_the_model_on_the_defaults(start: int, end: int) -> None:
    """The model's mint at the defaults lies inside the oracle's bounds (differential)."""
    ledger = Ledger(str_genesis=123_456_789 * MICRO)
    supply = attrs.evolve(create_supply_state(genesis_time=0), last_mint_time=start)
    minted = process_inflation_mint(ledger, supply, now=end, params=P)
    assert not isinstance(minted, Rejected)
    bounds = mint_bounds(circulating_str(ledger), genesis=0, start=start, end=end, params=P)
    assert bounds.problem(minted[2]) is None
