"""Tests of model/coherence.py: GOV-PARAMS computed as data, never raised."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.coherence import check_coherence, is_coherent
from model.params import WHITEPAPER_PARAMS, Params, with_values
from model.payment import compute_payment_split


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


# --- The cost basis covers the cost, with less than one bp of T to spare (§6.3.1) -------------


def _at_rate(rate: int, str_node_profit_bps: int) -> Params:
    """The defaults at `rate`, the STR margin resized by the node's STR profit alone."""
    str_margin = str_node_profit_bps + 2_000
    return with_values(
        WHITEPAPER_PARAMS,
        {
            ("payment", "payment_rate_bps"): rate,
            ("payment", "str_profit_margin_bps"): str_margin,
            ("payment", "str_node_profit_bps"): str_node_profit_bps,
        },
    )


ONE_AND_A_HALF = _at_rate(15_000, 333)
"""1.5x: the cost is 6666.67 bps of T, so the cost basis is 6667 bps and the margins 3333."""
THREE_TIMES = _at_rate(30_000, 3_666)
"""3x: the cost is 3333.33 bps of T, so the cost basis is 3334 bps and the margins 6666."""


def test_coherent_at_one_and_a_half_times_the_cost() -> None:
    assert ONE_AND_A_HALF.payment.stb_profit_margin_bps == 1_000
    assert ONE_AND_A_HALF.payment.str_profit_margin_bps == 2_333
    assert check_coherence(ONE_AND_A_HALF) == ()
    assert is_coherent(ONE_AND_A_HALF)


def test_coherent_at_three_times_the_cost() -> None:
    assert THREE_TIMES.payment.str_profit_margin_bps == 5_666
    assert check_coherence(THREE_TIMES) == ()
    assert is_coherent(THREE_TIMES)


@pytest.mark.parametrize(
    ("rate", "str_node_profit_bps", "why"),
    [
        # 3x with margins of 6667 bps: the cost basis, 3333 bps, is short of the cost's 3333.33.
        (30_000, 3_667, "the cost is not covered"),
        # 3x with margins of 6665 bps: 3335 bps covers the cost, but so would 3334.
        (30_000, 3_665, "more than one bp to spare"),
        # 1.5x with margins of 3334 bps: 6666 bps is short of the cost's 6666.67.
        (15_000, 334, "the cost is not covered"),
        # 2x with margins of 4999 bps: 5001 bps covers the exact 5000 with a bp to spare.
        (20_000, 2_999, "more than one bp to spare"),
    ],
)
def test_cost_basis_off_by_one_bp__incoherent(
    rate: int, str_node_profit_bps: int, why: str
) -> None:
    violations = check_coherence(_at_rate(rate, str_node_profit_bps))
    assert [violation.rule for violation in violations] == ["cost-plus-margins"], why


@settings(max_examples=300, deadline=None)
@given(st.integers(10_000, 1_000_000), st.integers(-2, 2))
def test_exactly_the_cost_rounded_up_is_coherent(rate: int, offset: int) -> None:
    """At every rate from 1x to 100x one cost basis is coherent: the cost's share of T,
    10^8 / rate bps, rounded up to a whole bp (Fraction, apart from the model's integers)."""
    cost_share = Fraction(10**8, rate)
    basis = min(math.ceil(cost_share) + offset, 10_000)
    params = with_values(
        WHITEPAPER_PARAMS,
        {
            ("payment", "payment_rate_bps"): rate,
            ("payment", "stb_profit_margin_bps"): 0,
            ("payment", "stb_node_profit_bps"): 0,
            ("payment", "stb_reserve_swap_bps"): 0,
            ("payment", "str_profit_margin_bps"): 10_000 - basis,
            ("payment", "str_node_profit_bps"): 10_000 - basis,
            ("payment", "str_burn_bps"): 0,
            ("payment", "str_network_support_bps"): 0,
        },
    )
    assert is_coherent(params) is (basis - 1 < cost_share <= basis)
    assert is_coherent(params) is (basis == math.ceil(cost_share))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([ONE_AND_A_HALF, THREE_TIMES]), st.integers(0, 2**96))
def test_pay_cost_with_dust__cost_covered_and_under_one_bp_of_t_to_spare(
    params: Params, cost: int
) -> None:
    """PAY-COST's dust rule: the cost basis is at least C and below C + T / 10^4 + 2, the
    node's STB at least C."""
    split = compute_payment_split(cost, params)
    assert split.total * 10_000 <= cost * params.payment.payment_rate_bps
    assert split.stb_cost_basis >= cost
    assert 10_000 * (split.stb_cost_basis - cost) < split.total + 2 * 10_000
    assert split.node_stb >= cost


def test_pay_cost_with_dust__one_and_a_half_times_on_a_hundred_dollars() -> None:
    """C = $100 at 1.5x: T = $150, the cost basis 66.67% of T = $100.005, half a cent over."""
    split = compute_payment_split(100_000_000, ONE_AND_A_HALF)
    assert split.total == 150_000_000
    assert split.stb_cost_basis == 100_005_000
    assert split.stb_cost_basis - 100_000_000 < split.total // 10_000
