"""Goal of SUP-INFLATION (§6.9): the yearly rate at every year, the documented schedule.

docs/model.md reads §6.9's "logarithmically decreasing" yield as: 11% in year 0, one step
(`inflation_step_bps`) lower each time the chain's age in years reaches a power of two (10% in
year 1, 9% in years 2-3, 8% in 4-7, ...), never below the floor (`inflation_min_bps`). The goal
states the rate on each of those intervals of years, so it bounds the rate from both sides.
"""

from __future__ import annotations

import z3

from solver.goals import Formula, ParamGetter, Term

YEAR_LIMIT = 2**64
"""The claim ranges over every year 0 <= y < YEAR_LIMIT."""


def get_scheduled_rate(get: ParamGetter, steps: Term) -> Term:
    """§6.9: the rate after `steps` steps down from the initial rate, never below the floor."""
    lowered = get("mint.inflation_initial_bps") - get("mint.inflation_step_bps") * steps
    floor_rate = get("mint.inflation_min_bps")
    return z3.If(lowered < floor_rate, floor_rate, lowered)


STEP_LIMIT = 65
"""Steps down the schedule reaches below YEAR_LIMIT + 1: year 2^64 is the 65th."""


def get_year_steps(year: int) -> int:
    """§6.9 (docs/model.md): how many steps down the rate of `year` (0 <= year <= 2^64) is: none
    in year 0, and k for 2^(k-1) <= year < 2^k (one more each time the age doubles)."""
    for k in range(STEP_LIMIT + 1):
        if year < 2**k:
            return k
    raise ValueError(f"year {year} is beyond the schedule's 2^{STEP_LIMIT}")


def is_year_stepped(year: int, steps: Term) -> Formula:
    """The model's count of steps (`steps`) for `year` is the schedule's."""
    return steps == get_year_steps(year)


def is_rate_at_steps(get: ParamGetter, steps: Term, rate: Term, next_rate: Term) -> Formula:
    """SUP-INFLATION: the rate `steps` steps down is the schedule's (never below the floor), so
    at least the floor and never negative, and the rate one step further is no higher."""
    return z3.And(
        rate == get_scheduled_rate(get, steps),
        rate >= get("mint.inflation_min_bps"),
        rate >= 0,
        next_rate <= rate,
    )


def is_initial_rate(get: ParamGetter, rate_at_zero: Term) -> Formula:
    """§6.9: the rate starts at `inflation_initial_bps` (11% at the defaults)."""
    return rate_at_zero == get("mint.inflation_initial_bps")
