"""STR supply and its inflation read from §6.2, §6.4 and §6.9, apart from the model's arithmetic.

The circulating supply comes from the ledger's own counters (genesis + minted - burned). The
yearly rate follows the curve docs/model.md documents for "logarithmically decreasing": one step
lower each time the chain's age in whole years reaches a power of two, never under the floor. A
mint over an interval is the exact accrual at those rates, rounded down once (no fraction of a
ustr is minted), so a check can bound the model's mint from above and from below.
"""

from __future__ import annotations

from fractions import Fraction

from attrs import frozen

from model.ledger import Ledger
from model.params import Params
from oracle.defaults import INFLATION_INITIAL_BPS
from oracle.payment import BPS

YEAR = 365 * 86_400
"""§6.9's "yearly" rate: a year of 365 days, in seconds."""


def circulating_str(ledger: Ledger) -> int:
    """§6.2, §6.4, §6.9: STR in existence, from the ledger's counters: genesis + minted - burned."""
    return ledger.str_genesis + ledger.str_minted - ledger.str_burned


def age_in_years(*, genesis: int, time: int) -> int:
    """§6.9: whole years from genesis to `time`; the second a year completes starts the next."""
    if time < genesis:
        raise ValueError(f"time {time} is before genesis {genesis}")
    return (time - genesis) // YEAR


def powers_of_two_reached(year: int) -> int:
    """How many of 1, 2, 4, 8, ... an age of `year` whole years has reached."""
    if year < 0:
        raise ValueError(f"an age is never negative, not {year}")
    reached, power = 0, 1
    while power <= year:
        reached, power = reached + 1, power * 2
    return reached


def inflation_rate_bps(year: int, params: Params) -> int:
    """§6.9, docs/model.md: the yearly rate in `year`: the initial rate, one step lower per power
    of two the age has reached, never under the floor (11%, 10%, 9% in years 2-3, ... down to 2%)."""
    mint = params.mint
    lowered = mint.inflation_initial_bps - mint.inflation_step_bps * powers_of_two_reached(year)
    return max(mint.inflation_min_bps, lowered)


def schedule_problems(params: Params, *, years: int) -> list[str]:
    """§6.9 SUP-INFLATION on the curve itself over years 0..`years`: it starts at the text's 11%
    (`oracle.defaults.INFLATION_INITIAL_BPS`, whatever `mint.inflation_initial_bps` holds), never
    rises from one year to the next, and is never negative. The rate can change only where the
    age reaches a power of two, so year 0 and those years are the ones to compare."""
    checkpoints, power = [0], 1
    while power <= years:
        checkpoints.append(power)
        power *= 2
    rates = [inflation_rate_bps(year, params) for year in checkpoints]
    problems = []
    if rates[0] != INFLATION_INITIAL_BPS:
        problems.append(
            f"year 0 rate {rates[0]} bps is not the initial {INFLATION_INITIAL_BPS} bps"
            " (§6.9: 11% at genesis)"
        )
    risen = [checkpoints[i] for i in range(1, len(rates)) if rates[i] > rates[i - 1]]
    if risen:
        problems.append(
            f"the rate rises in years {risen[:5]}: {dict(zip(checkpoints, rates, strict=True))}"
        )
    if any(rate < 0 for rate in rates):
        problems.append(f"a rate is negative: {min(rates)} bps")
    return problems


def next_rate_change(year: int) -> int:
    """The first year after `year` whose rate may differ: the next power of two above it."""
    power = 1
    while power <= year:
        power *= 2
    return power


def accrued_inflation(base: int, *, genesis: int, start: int, end: int, params: Params) -> Fraction:
    """§6.9: the exact ustr `base` accrues over [start, end): each second of year y adds
    base * rate(y) / (10_000 * YEAR). The interval is cut at every year whose rate differs, so a
    year boundary falls exactly where the age in whole years changes."""
    total = _accrued_scaled(base, genesis=genesis, start=start, end=end, params=params)
    return Fraction(total, BPS * YEAR)


def minted_amount(base: int, *, genesis: int, start: int, end: int, params: Params) -> int:
    """§6.9: the ustr a mint of `base`'s inflation over [start, end) makes: the exact accrual
    rounded down once (docs/model.md), `mint_bounds(...).amount` without the fraction."""
    total = _accrued_scaled(base, genesis=genesis, start=start, end=end, params=params)
    return total // (BPS * YEAR)


def _accrued_scaled(base: int, *, genesis: int, start: int, end: int, params: Params) -> int:
    """The accrual of `accrued_inflation` times 10_000 * YEAR: a whole number."""
    if end < start:
        raise ValueError(f"an interval ends at {end}, before its start {start}")
    total = 0
    cursor = start
    while cursor < end:
        year = age_in_years(genesis=genesis, time=cursor)
        piece_end = min(end, genesis + next_rate_change(year) * YEAR)
        total += base * inflation_rate_bps(year, params) * (piece_end - cursor)
        cursor = piece_end
    return total


@frozen
class MintBounds:
    """What a mint over an interval may be: at most the exact accrual, and not a whole ustr less."""

    exact: Fraction
    """The accrual at the schedule's rates, before rounding."""

    @property
    def amount(self) -> int:
        """The one amount inside both bounds: the accrual rounded down (docs/model.md)."""
        return self.exact.numerator // self.exact.denominator

    def problem(self, minted: int) -> str | None:
        """Why `minted` is outside the bounds, or None."""
        if minted > self.exact:
            return f"minted {minted} ustr, above the schedule's exact {self.exact} ustr"
        if minted < self.amount:
            return f"minted {minted} ustr, below the schedule's {self.amount} (rounded down)"
        return None


def mint_bounds(base: int, *, genesis: int, start: int, end: int, params: Params) -> MintBounds:
    """§6.9: the bounds of a mint of `base`'s inflation over [start, end)."""
    return MintBounds(accrued_inflation(base, genesis=genesis, start=start, end=end, params=params))
