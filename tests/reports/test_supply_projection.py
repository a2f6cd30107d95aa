"""The supply projection the report plots (§6.4, §6.9): inflation minus a yearly burn."""

from __future__ import annotations

import itertools

from model.params import WHITEPAPER_PARAMS, with_values
from model.units import Rejected
from reports.diff import get_supply_effect
from reports.plots import compute_supply_projection, supply_projection_points


def test_supply_projection_basic() -> None:
    points = compute_supply_projection(
        initial_supply=10_000, years=3, params=WHITEPAPER_PARAMS, yearly_burn_bps=100
    )
    assert not isinstance(points, Rejected)
    # 10_000 +11% -1% = 11_000; +10% -1% = 11_990; +9% -1% = 11_990 + 1_079 - 119 = 12_950.
    assert points == (10_000, 11_000, 11_990, 12_950)


def test_supply_projection__ten_years_full_burn() -> None:
    points = compute_supply_projection(
        initial_supply=10**12, years=10, params=WHITEPAPER_PARAMS, yearly_burn_bps=10_000
    )
    assert not isinstance(points, Rejected)
    assert len(points) == 11
    assert all(later < earlier for earlier, later in itertools.pairwise(points))


def test_invalid_supply_projection() -> None:
    for kwargs in (
        {"initial_supply": -1, "years": 1, "yearly_burn_bps": 0},
        {"initial_supply": 1, "years": -1, "yearly_burn_bps": 0},
        {"initial_supply": 1, "years": 1, "yearly_burn_bps": 10_001},
        {"initial_supply": 1, "years": 1, "yearly_burn_bps": -1},
    ):
        result = compute_supply_projection(params=WHITEPAPER_PARAMS, **kwargs)
        assert isinstance(result, Rejected), kwargs


def test_supply_effect__the_projection_at_one_five_and_ten_years() -> None:
    more_burn = with_values(
        WHITEPAPER_PARAMS,
        {("payment", "str_burn_bps"): 1_200, ("payment", "str_node_profit_bps"): 1_800},
    )
    effect = get_supply_effect(WHITEPAPER_PARAMS, more_burn, "")
    before, after = supply_projection_points(WHITEPAPER_PARAMS), supply_projection_points(more_burn)
    assert [row["year"] for row in effect["years"]] == [1, 5, 10]
    for row in effect["years"]:
        assert row["before"] == before[row["year"]] and row["after"] == after[row["year"]]
        # 17% of spend burned instead of 15%: less STR every year, the gap growing.
        assert row["delta"] == row["after"] - row["before"] < 0
    deltas = [row["delta"] for row in effect["years"]]
    assert deltas == sorted(deltas, reverse=True)
    unchanged = get_supply_effect(WHITEPAPER_PARAMS, WHITEPAPER_PARAMS, "")
    assert all(row["delta"] == 0 for row in unchanged["years"])
