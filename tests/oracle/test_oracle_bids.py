"""The oracle's reading of a node's STR margin bid (§6.3.2 "The node can set this amount to be
received", §4.4 "Payout amount is set by the nodes"): the numbers typed from the text, the
dust rule, and agreement with the model on drawn costs and bids."""

from __future__ import annotations

import attrs
from hypothesis import given
from hypothesis import strategies as st
from pyrsistent import pmap

from model.market import MarketState, Service
from model.params import WHITEPAPER_PARAMS
from model.payment import compute_bid_payment_split
from model.units import AccountId, AppId, NodeId
from oracle.payment import (
    MICRO,
    PaymentSplit,
    bid_of,
    bid_split,
    golden_split_micro,
    node_split,
    read_split,
    split_payment,
)

APP = AppId("app-0")
NODE, OTHER = NodeId("n0"), NodeId("n1")


def test_bid_split__the_networks_margin_is_the_golden_vector() -> None:
    """At 8000 bps of cost (40% of T at 2x) a $100 node is paid as §6.3.3 says."""
    assert bid_split(100 * MICRO, WHITEPAPER_PARAMS, 8_000) == golden_split_micro()


def test_bid_split__half_the_margin() -> None:
    """A node bidding 4000 bps of a $100 cost receives $40 of STR, divided 50/25/25 (§6.3.2);
    its STB parts stay §6.3.1's: 100 + 10 to it, 10 to the swap reserve."""
    assert bid_split(100 * MICRO, WHITEPAPER_PARAMS, 4_000) == PaymentSplit(
        total=160 * MICRO,
        stb_cost_basis=100 * MICRO,
        stb_node_profit=10 * MICRO,
        stb_swap_reserve=10 * MICRO,
        str_node_profit_usd=20 * MICRO,
        str_burn_usd=10 * MICRO,
        str_network_support_usd=10 * MICRO,
    )


def test_bid_split__no_margin_pays_no_str() -> None:
    split = bid_split(100 * MICRO, WHITEPAPER_PARAMS, 0)
    assert split.str_total_usd == 0 and split.stb_total == 120 * MICRO


def test_bid_split__the_node_takes_the_dust() -> None:
    """70,001 micro-USD of STR: burn and network support get 17,500 each, the node 35,001."""
    split = bid_split(70_001, WHITEPAPER_PARAMS, 10_000)
    parts = (split.str_node_profit_usd, split.str_burn_usd, split.str_network_support_usd)
    assert parts == (35_001, 17_500, 17_500)


def test_bid_split__a_network_without_str_margin_leaves_the_bid_to_the_node() -> None:
    payment = attrs.evolve(
        WHITEPAPER_PARAMS.payment,
        str_profit_margin_bps=0,
        str_node_profit_bps=0,
        str_burn_bps=0,
        str_network_support_bps=0,
    )
    params = attrs.evolve(WHITEPAPER_PARAMS, payment=payment)
    split = bid_split(100 * MICRO, params, 1_000)
    assert (split.str_node_profit_usd, split.str_burn_usd) == (10 * MICRO, 0)


@given(cost=st.integers(0, 10**12), bid=st.integers(0, 100_000))
def test_bid_split__agrees_with_the_model(cost: int, bid: int) -> None:
    model = read_split(compute_bid_payment_split(cost, WHITEPAPER_PARAMS, bid))
    assert bid_split(cost, WHITEPAPER_PARAMS, bid) == model


def test_bid_of__reads_the_margin_the_node_was_chosen_at() -> None:
    service = Service(
        APP, AccountId("dev"), 2, 0, 0, 0, 0, chosen=(NODE,), margins=((NODE, 1_234),)
    )
    market = MarketState(services=pmap({APP: service}))
    assert bid_of(market, APP, NODE) == 1_234
    assert bid_of(market, APP, OTHER) is None
    assert bid_of(MarketState(), APP, NODE) is None
    assert node_split(MICRO, WHITEPAPER_PARAMS, None) == split_payment(MICRO, WHITEPAPER_PARAMS)
