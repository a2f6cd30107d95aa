"""Goal of SUP-INFLATION (§6.9): the yearly rate at every year, the documented schedule.

docs/model.md reads §6.9's "logarithmically decreasing" yield as: 11% in year 0 (the text's
number, not `mint.inflation_initial_bps`: SUP-INFLATION quotes it), one step
(`inflation_step_bps`) lower each time the chain's age in years reaches a power of two (10% in
year 1, 9% in years 2-3, 8% in 4-7, ...), never below the floor (`inflation_min_bps`). The goal
states the rate on each of those intervals of years, so it bounds the rate from both sides.
"""

from __future__ import annotations

import z3

from oracle.defaults import INFLATION_INITIAL_BPS
from solver.goals import Formula, ParamGetter, Term

YEAR_LIMIT = 2**64
"""The claim ranges over every year 0 <= y < YEAR_LIMIT."""


def get_scheduled_rate(get: ParamGetter, steps: Term) -> Term:
    """§6.9: the rate after `steps` steps down from the text's 11%, never below the floor."""
    lowered = INFLATION_INITIAL_BPS - get("mint.inflation_step_bps") * steps
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


TEXT_INITIAL_RATE: dict[str, int] = {"mint.inflation_initial_bps": INFLATION_INITIAL_BPS}
"""§6.9's 11% at genesis as the parameters write it: a claim for all parameters keeps it (every
other initial rate breaks SUP-INFLATION), the constitution's range for the key (1100..1100)."""


def is_initial_rate(rate_at_zero: Term) -> Formula:
    """§6.9: the rate starts at the text's 11% (`oracle.defaults.INFLATION_INITIAL_BPS`, 1100
    bps), whatever `mint.inflation_initial_bps` holds."""
    return rate_at_zero == INFLATION_INITIAL_BPS
