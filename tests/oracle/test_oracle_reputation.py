"""The oracle's reading of §4.5's outbound cap against the whitepaper's numbers.

"10 requests per minute" unless the app is open source, stakes "greater than $10,000 USD worth of
STR" or has been "in active use for > 6 months": each exemption exactly at and just past its
boundary, the sliding minute at its edges, and a wrong reading (>= for >) that the boundary
cases reject.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from model.params import WHITEPAPER_PARAMS
from model.reputation import AppReputation
from model.units import MICRO, AppId
from oracle.reputation import (
    MINUTE,
    is_active_over,
    is_outbound_exempt,
    is_stake_over,
    requests_in_minute,
)

P = WHITEPAPER_PARAMS
APP = AppId("app-0")
SIX_MONTHS = 180 * 86_400


def test_defaults__the_whitepaper_numbers() -> None:
    rules = P.reputation
    assert rules.outbound_requests_per_minute == 10
    assert rules.uncapped_min_stake_usd == 10_000
    assert rules.uncapped_min_active_seconds == SIX_MONTHS


def _exempt(record: AppReputation | None, *, now: int = 0, price: Fraction = Fraction(1)) -> bool:
    return is_outbound_exempt(record, now=now, price=price, params=P)


def test_exempt__no_record_is_capped() -> None:
    assert not _exempt(None)
    assert not _exempt(AppReputation(app=APP))


def test_exempt__open_source() -> None:
    assert _exempt(AppReputation(app=APP, open_source=True))


@pytest.mark.parametrize(
    ("staked", "price", "exempt"),
    [
        (10_000 * MICRO, Fraction(1), False),  # exactly $10,000 is not greater
        (10_000 * MICRO + 1, Fraction(1), True),
        (20_000 * MICRO, Fraction(1, 2), False),  # 20,000 STR at $0.50: exactly $10,000
        (20_000 * MICRO + 1, Fraction(1, 2), True),
        (3_334 * MICRO, Fraction(3), True),  # $10,002
        (10**12, Fraction(0), False),  # no price, no worth
    ],
)
def test_exempt__stake_worth_more_than_ten_thousand_dollars(
    staked: int, price: Fraction, exempt: bool
) -> None:
    assert _exempt(AppReputation(app=APP, staked_ustr=staked), price=price) is exempt


@pytest.mark.parametrize(("active", "exempt"), [(SIX_MONTHS, False), (SIX_MONTHS + 1, True)])
def test_exempt__active_more_than_six_months(active: int, exempt: bool) -> None:
    record = AppReputation(app=APP, first_active_time=100)
    assert _exempt(record, now=100 + active) is exempt


def test_exempt__active_time_read_from_the_checkers_memory() -> None:
    """With a memory of when active use began, the record's own start is not read."""
    record = AppReputation(app=APP, first_active_time=100)
    now = 100 + SIX_MONTHS + 1
    nothing: dict[AppId, int] = {}
    assert not is_outbound_exempt(record, now=now, price=Fraction(1), params=P, memory=nothing)
    remembered = {APP: 100}
    assert is_outbound_exempt(record, now=now, price=Fraction(1), params=P, memory=remembered)
    unrecorded = AppReputation(app=APP)
    assert is_outbound_exempt(unrecorded, now=now, price=Fraction(1), params=P, memory=remembered)


def wrong_stake_at_least(staked_ustr: int, *, price: Fraction, usd: int) -> bool:
    """A wrong reading: a stake worth exactly $10,000 lifts the cap."""
    return price > 0 and staked_ustr * price >= usd * MICRO


def wrong_active_at_least(first_active: int | None, *, now: int, seconds: int) -> bool:
    """A wrong reading: exactly six months of use lifts the cap."""
    return first_active is not None and now - first_active >= seconds


def test_exempt__at_least_is_wrong_at_the_boundary() -> None:
    usd = P.reputation.uncapped_min_stake_usd
    at = 10_000 * MICRO
    assert wrong_stake_at_least(at, price=Fraction(1), usd=usd) != is_stake_over(
        at, price=Fraction(1), usd=usd
    )
    assert wrong_active_at_least(0, now=SIX_MONTHS, seconds=SIX_MONTHS) != is_active_over(
        0, now=SIX_MONTHS, seconds=SIX_MONTHS
    )


def test_minute__sliding_and_half_open() -> None:
    # The minute up to t=100 is (40, 100]: 40 falls out, 41 and 100 count.
    assert MINUTE == 60
    assert requests_in_minute([39, 40, 41, 70, 100], now=100) == 3
    assert requests_in_minute([101], now=100) == 0
    assert requests_in_minute([100] * 11, now=100) == 11


def wrong_minute_closed(times: list[int], *, now: int) -> int:
    """A wrong reading: a closed minute [now - 60, now]."""
    return sum(1 for time in times if now - MINUTE <= time <= now)


def test_minute__a_closed_window_is_wrong() -> None:
    times = [40, *range(91, 101)]
    assert requests_in_minute(times, now=100) == 10
    assert wrong_minute_closed(times, now=100) == 11
