"""The oracle's payment readings: §6.3.3's example, the dust rule, the conversion, §4.4's fee.

The golden vector is typed from the whitepaper's own numbers, so `split_payment` is checked
against the text, and a deliberately wrong split (the reserve's share paid to the node) is
shown to disagree with both.
"""

from __future__ import annotations

from fractions import Fraction

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from model.params import WHITEPAPER_PARAMS, Params
from model.payment import compute_payment_split
from oracle.payment import (
    BPS,
    GOLDEN_VECTOR,
    MICRO,
    WHITEPAPER_PAYMENT,
    PaymentSplit,
    golden_split_micro,
    is_whitepaper_payment,
    read_split,
    split_payment,
    str_payout,
    usd_to_ustr,
    validation_payment_each,
    validation_selected_count,
)

WHITEPAPER = Params()


def reserve_paid_to_the_node(cost: int, params: Params) -> PaymentSplit:
    """A wrong implementation: the swap reserve's STB share goes to the node."""
    right = split_payment(cost, params)
    return attrs.evolve(
        right,
        stb_node_profit=right.stb_node_profit + right.stb_swap_reserve,
        stb_swap_reserve=0,
    )


def test_golden_vector__is_the_whitepapers_example() -> None:
    vector = GOLDEN_VECTOR
    assert vector.cost_usd == 100
    assert vector.split.parts == (100, 10, 10, 40, 20, 20)
    assert vector.split.total == 200
    assert (vector.stb_withdrawn, vector.str_withdrawn_usd) == (120, 80)
    assert (vector.node_stb, vector.node_str_usd) == (110, 40)
    assert vector.split.stb_total == vector.stb_withdrawn
    assert vector.split.str_total_usd == vector.str_withdrawn_usd


def test_split_payment__reproduces_the_golden_vector() -> None:
    split = split_payment(GOLDEN_VECTOR.cost_usd * MICRO, WHITEPAPER)
    assert split == golden_split_micro()
    assert split.node_stb == 110 * MICRO
    assert split.stb_total == 120 * MICRO
    assert split.str_total_usd == 80 * MICRO


def test_wrong_split__differs_from_the_oracle() -> None:
    cost = GOLDEN_VECTOR.cost_usd * MICRO
    wrong = reserve_paid_to_the_node(cost, WHITEPAPER)
    assert wrong != golden_split_micro()
    assert wrong.node_stb == 120 * MICRO
    assert sum(wrong.parts) == wrong.total  # conservation alone cannot tell them apart


def test_whitepaper_payment__matches_the_default_parameters() -> None:
    assert is_whitepaper_payment(WHITEPAPER)
    changed = attrs.evolve(WHITEPAPER.payment, str_burn_bps=1_200, str_node_profit_bps=1_800)
    assert not is_whitepaper_payment(attrs.evolve(WHITEPAPER, payment=changed))
    assert WHITEPAPER_PAYMENT["payment_rate_bps"] == 2 * BPS


def test_split_payment__dust_goes_where_the_reading_says() -> None:
    # T = 2 * 1_000_003 = 2_000_006. Margins: 10% = 200_000.6, 40% = 800_002.4, both floored;
    # reserve 5% = 100_000.3 and burn/support 10% = 200_000.6 floored; the node takes the rest.
    split = split_payment(1_000_003, WHITEPAPER)
    assert split == PaymentSplit(
        total=2_000_006,
        stb_cost_basis=2_000_006 - 200_000 - 800_002,
        stb_node_profit=200_000 - 100_000,
        stb_swap_reserve=100_000,
        str_node_profit_usd=800_002 - 200_000 - 200_000,
        str_burn_usd=200_000,
        str_network_support_usd=200_000,
    )


def test_split_payment__the_developer_keeps_a_fraction_of_a_micro_unit() -> None:
    params = attrs.evolve(
        WHITEPAPER, payment=attrs.evolve(WHITEPAPER.payment, payment_rate_bps=15_000)
    )
    assert split_payment(3, params).total == 4  # 4.5 floored


@given(st.integers(0, 10**15))
def test_split_payment__parts_sum_to_the_total(cost: int) -> None:
    split = split_payment(cost, WHITEPAPER)
    assert sum(split.parts) == split.total == 2 * cost
    assert min(split.parts) >= 0
    assert split.stb_cost_basis >= cost


def test_usd_to_ustr__rounds_down() -> None:
    assert usd_to_ustr(10 * MICRO, Fraction(1)) == 10 * MICRO
    assert usd_to_ustr(10, Fraction(3)) == 3
    assert usd_to_ustr(7, Fraction(2, 3)) == 10  # 10.5 floored
    with pytest.raises(ValueError):
        usd_to_ustr(1, Fraction(0))


def test_str_payout__node_absorbs_the_conversion_dust() -> None:
    split = split_payment(1_000_003, WHITEPAPER)
    payout = str_payout(split, Fraction(3, 7))
    # 800_002 * 7/3 = 1_866_671.3; 200_000 * 7/3 = 466_666.6 each for burn and support.
    assert (payout.total, payout.burn, payout.network_support) == (1_866_671, 466_666, 466_666)
    assert payout.node == 1_866_671 - 2 * 466_666
    assert payout.node + payout.burn + payout.network_support == payout.total


def test_validation_payment__prefund_divided_by_the_validators() -> None:
    assert validation_payment_each(10, 3) == 3
    assert validation_payment_each(9, 3) == 3
    assert validation_payment_each(2, 3) == 0
    with pytest.raises(ValueError):
        validation_payment_each(10, 0)


def test_validation_selected_count__the_floor_limits_who_is_paid() -> None:
    assert validation_selected_count(10, 3, 1) == 3
    assert validation_selected_count(10, 3, 4) == 2  # 10 // 3 = 3 < 4: two validators at 5
    assert validation_selected_count(3, 5, 1) == 3
    assert validation_selected_count(0, 5, 1) == 0


def test_read_split__takes_every_part_the_model_recorded() -> None:
    """A recorded split is read part by part: at §6.3.3's $100 it is the oracle's own split, and
    a record with one part moved reads differently."""
    recorded = compute_payment_split(100_000_000, WHITEPAPER_PARAMS)
    assert read_split(recorded) == split_payment(100_000_000, WHITEPAPER_PARAMS)
    moved = attrs.evolve(recorded, str_burn_usd=recorded.str_burn_usd + 1)
    assert read_split(moved) != split_payment(100_000_000, WHITEPAPER_PARAMS)
