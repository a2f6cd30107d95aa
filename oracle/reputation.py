"""The outbound-request cap of §4.5 read from the app's raw reputation record and the parameters.

"A limited outbound usage based on application reputation, initializing at 10 requests per
minute. For uncapped outbound requests, the initial network release will necessitate an
application to satisfy one of the following; open source code, stake greater than $10,000 USD
worth of STR, or be in active use for > 6 months." Both comparisons are strict and the stake is
valued exactly at the request's STR price (docs/model.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

from model.params import Params
from model.reputation import AppReputation
from oracle.payment import MICRO

MINUTE = 60
"""§4.5's "per minute", in seconds."""


def is_stake_over(staked_ustr: int, *, price: Fraction, usd: int) -> bool:
    """§4.5: a stake of `staked_ustr` is worth more than `usd` whole dollars at `price` USD per
    STR; ustr times USD per STR is micro-USD, compared exactly. No positive price, no worth."""
    return price > 0 and staked_ustr * price > usd * MICRO


def is_active_over(first_active: int | None, *, now: int, seconds: int) -> bool:
    """§4.5: in active use for more than `seconds` at `now`; an app never active is not."""
    return first_active is not None and now - first_active > seconds


def is_outbound_exempt(
    record: AppReputation | None, *, now: int, price: Fraction, params: Params
) -> bool:
    """§4.5: the app is exempt from the cap: open source, a stake worth more than the minimum, or
    active longer than the minimum. An app with no record is closed, unstaked and new."""
    if record is None:
        return False
    rules = params.reputation
    return (
        record.open_source
        or is_stake_over(record.staked_ustr, price=price, usd=rules.uncapped_min_stake_usd)
        or is_active_over(
            record.first_active_time, now=now, seconds=rules.uncapped_min_active_seconds
        )
    )


def requests_in_minute(times: Iterable[int], *, now: int) -> int:
    """§4.5: how many of the request `times` fall in the minute up to `now`: (now - 60, now]."""
    return sum(1 for time in times if now - MINUTE < time <= now)
