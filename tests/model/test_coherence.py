"""Tests of model/coherence.py: GOV-PARAMS computed as data, never raised."""

from __future__ import annotations

import pytest

from model.coherence import check_coherence, is_coherent
from model.params import WHITEPAPER_PARAMS, with_values


def test_whitepaper_defaults_are_coherent() -> None:
    assert check_coherence(WHITEPAPER_PARAMS) == ()
    assert is_coherent(WHITEPAPER_PARAMS)


@pytest.mark.parametrize(
    ("values", "rules"),
    [
        ({("payment", "str_burn_bps"): 1_200}, {"str-sub-shares"}),
        ({("payment", "stb_reserve_swap_bps"): 501}, {"stb-sub-shares"}),
        ({("payment", "payment_rate_bps"): 25_000}, {"cost-plus-margins"}),
        (
            {("payment", "str_profit_margin_bps"): 4_001},
            {"cost-plus-margins", "str-sub-shares"},
        ),
        ({("consensus", "threshold_num"): 3}, {"consensus-threshold"}),
        ({("governance", "supermajority_num"): 4}, {"governance-supermajority"}),
    ],
)
def test_incoherent_shares_are_reported_not_raised(
    values: dict[tuple[str, str], int], rules: set[str]
) -> None:
    params = with_values(WHITEPAPER_PARAMS, values)
    assert {violation.rule for violation in check_coherence(params)} == rules
    assert not is_coherent(params)


def test_coherent_at_another_rate() -> None:
    """At 2.5x cost the cost basis is 40% of T, so the margins must take 60%."""
    params = with_values(
        WHITEPAPER_PARAMS,
        {
            ("payment", "payment_rate_bps"): 25_000,
            ("payment", "str_profit_margin_bps"): 5_000,
            ("payment", "str_node_profit_bps"): 3_000,
        },
    )
    assert check_coherence(params) == ()
