"""Tests of model.price and the chain's STR price: the market report (§6.6), the payout price of
each reading (§6.3.3), prepayments sized by timeframes (§4.3.1), underfunded rounds (§4.3.1) and
the split of a node's STR margin bid (§6.3.2)."""

from __future__ import annotations

from fractions import Fraction

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from model.chain.actions import MovePrice, PayOwed, PrepayTimeframes, RunRound, WithdrawPrepayment
from model.chain.state import (
    APPS,
    ChainState,
    Genesis,
    create_chain,
    get_developer,
    get_node,
    get_node_operator,
)
from model.chain.transitions import process_action
from model.ledger import get_balance, get_escrow_account
from model.params import WHITEPAPER_PARAMS
from model.payment import compute_bid_payment_split, compute_payment_split
from model.price import (
    compute_prepayment,
    compute_prepayment_amounts,
    get_payout_price,
    process_move_price,
)
from model.profile import HARDENED, WHITEPAPER, Profile
from model.trusted.behaviour import NodePlan
from model.units import MICRO, Rejected

APP = APPS[0]
DEVELOPER = get_developer(APP)
DOLLARS_100 = 100 * MICRO
GENESIS = Genesis(
    user_ustr=(0, 0, 0),
    user_ustb=(0, 0, 0),
    validator_bonds=(1_000 * MICRO,) * 4,
    node_stakes=(1_000 * MICRO,) * 4,
    developer_ustr=10_000 * MICRO,
    developer_ustb=10_000 * MICRO,
    prepay_ustr=1_000 * MICRO,
    prepay_ustb=1_000 * MICRO,
    price=Fraction(1),
)
"""Both escrows hold 1,000 STB and 1,000 STR bought at $1 per STR."""


def start(profile: Profile, genesis: Genesis = GENESIS) -> ChainState:
    chain = create_chain(genesis, params=WHITEPAPER_PARAMS, profile=profile)
    assert not isinstance(chain, Rejected), chain
    return chain


def run(state: ChainState, *actions: object) -> ChainState:
    for action in actions:
        step = process_action(state, action)  # type: ignore[arg-type]
        assert not isinstance(step, Rejected), step
        state = step[0]
    return state


def honest_round(size: int = 1, cost: int = DOLLARS_100) -> RunRound:
    return RunRound(APP, tuple(NodePlan(get_node(i)) for i in range(size)), cost)


def node_received(before: ChainState, after: ChainState, index: int = 0) -> tuple[int, int]:
    account = get_node_operator(get_node(index))
    old, new = get_balance(before.ledger, account), get_balance(after.ledger, account)
    return new.ustb - old.ustb, new.ustr - old.ustr


# --- The market price (§6.6) ---------------------------------------------------------------------


def test_genesis_price_is_the_first_market_price() -> None:
    assert start(HARDENED).str_price == Fraction(1)


def test_move_price() -> None:
    state = run(start(HARDENED), MovePrice(Fraction(1, 2)))
    assert state.str_price == Fraction(1, 2)


@pytest.mark.parametrize("price", [Fraction(0), Fraction(-1, 2)])
def test_invalid_move_price__not_positive(price: Fraction) -> None:
    assert isinstance(process_move_price(Fraction(1), price), Rejected)
    assert isinstance(process_action(start(HARDENED), MovePrice(price)), Rejected)


def test_payout_price__each_reading() -> None:
    deposit, market = Fraction(1), Fraction(1, 2)
    assert get_payout_price(deposit, market, WHITEPAPER) == deposit
    assert get_payout_price(deposit, market, HARDENED) == market
    assert get_payout_price(deposit, None, HARDENED) == deposit


# --- Paying after a price move (§6.3.3) ----------------------------------------------------------


def test_round_after_a_halving__whitepaper_pays_the_deposit_price() -> None:
    """§6.3.3 read literally: $40 of STR at the $1 deposit price, worth $20 at the market's $1/2."""
    before = run(start(WHITEPAPER), MovePrice(Fraction(1, 2)))
    after = run(before, honest_round())
    assert node_received(before, after) == (110 * MICRO, 40 * MICRO)


def test_round_after_a_halving__hardened_pays_the_market_price() -> None:
    before = run(start(HARDENED), MovePrice(Fraction(1, 2)))
    after = run(before, honest_round())
    assert node_received(before, after) == (110 * MICRO, 80 * MICRO)
    escrow = get_balance(after.ledger, get_escrow_account(APP))
    assert escrow.ustr == 1_000 * MICRO - 160 * MICRO


# --- Prepayment sizing (§4.3.1) ------------------------------------------------------------------


def test_compute_prepayment__sum_of_fees_times_timeframes() -> None:
    assert compute_prepayment([3, 5, 7], 4) == 60
    assert compute_prepayment([], 4) == 0
    assert compute_prepayment([3, 5], 0) == 0


def test_compute_prepayment_amounts__golden_vector() -> None:
    """§6.3.3: a node at $100 withdraws 120 STB and $80 of STR; 2 nodes for 3 timeframes."""
    amounts = compute_prepayment_amounts(
        cost_per_node=DOLLARS_100,
        nodes=2,
        timeframes=3,
        params=WHITEPAPER_PARAMS,
        price=Fraction(2),
    )
    assert not isinstance(amounts, Rejected)
    assert (amounts.ustb, amounts.ustr) == (6 * 120 * MICRO, 6 * 40 * MICRO)


@pytest.mark.parametrize(
    ("field", "value"), [("cost_per_node", -1), ("nodes", -1), ("timeframes", True)]
)
def test_invalid_compute_prepayment_amounts__not_a_count(field: str, value: object) -> None:
    sizes: dict[str, object] = {"cost_per_node": DOLLARS_100, "nodes": 1, "timeframes": 1}
    sizes[field] = value
    amounts = compute_prepayment_amounts(
        params=WHITEPAPER_PARAMS,
        price=Fraction(1),
        **sizes,  # type: ignore[arg-type]
    )
    assert isinstance(amounts, Rejected)


def test_invalid_compute_prepayment_amounts__str_without_a_price() -> None:
    amounts = compute_prepayment_amounts(
        cost_per_node=DOLLARS_100, nodes=1, timeframes=1, params=WHITEPAPER_PARAMS, price=None
    )
    assert isinstance(amounts, Rejected)


@pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER], ids=lambda p: p.name)
def test_prepay_timeframes__pays_exactly_that_many_rounds(profile: Profile) -> None:
    """An emptied escrow prepaid for 3 timeframes of 2 nodes pays 3 rounds and nothing more."""
    state = start(profile)
    held = get_balance(state.ledger, get_escrow_account(APP))
    state = run(
        state,
        MovePrice(Fraction(3, 7)),
        WithdrawPrepayment(APP, held.ustb, held.ustr),
        PrepayTimeframes(APP, DEVELOPER, DOLLARS_100, 2, 3),
        honest_round(2),
        honest_round(2),
        honest_round(2),
    )
    left = get_balance(state.ledger, get_escrow_account(APP))
    assert (left.ustb, left.ustr) == (0, 0)
    assert not any(book.owed for book in state.escrows.escrows.values())


def test_invalid_prepay_timeframes__not_the_developer() -> None:
    action = PrepayTimeframes(APP, get_node_operator(get_node(0)), DOLLARS_100, 1, 1)
    assert isinstance(process_action(start(HARDENED), action), Rejected)


# --- Underfunded rounds (§4.3.1) -----------------------------------------------------------------

NO_STR = attrs.evolve(GENESIS, prepay_ustr=0)
"""The escrows hold STB only."""


def test_underfunded_round__hardened_refused_before_it_runs() -> None:
    state = start(HARDENED, NO_STR)
    refused = process_action(state, honest_round())
    assert isinstance(refused, Rejected)
    assert "needs" in refused.reason or "price" in refused.reason


def test_underfunded_round__whitepaper_runs_and_owes_then_pay_owed() -> None:
    before = start(WHITEPAPER, NO_STR)
    owing = run(before, honest_round(2))
    assert node_received(before, owing) == (0, 0)
    owed = owing.escrows.escrows[APP].owed
    split = compute_payment_split(DOLLARS_100, WHITEPAPER_PARAMS)
    assert [(e.round_id, e.node_account, e.split) for e in owed] == [
        (1, get_node_operator(get_node(0)), split),
        (1, get_node_operator(get_node(1)), split),
    ]
    assert (owed[0].owed_ustb, owed[0].owed_str_usd) == (120 * MICRO, 80 * MICRO)
    # One node's STR arrives (at $1 the market, and now the deposit, price): one is paid.
    topped = run(owing, PrepayTimeframes(APP, DEVELOPER, DOLLARS_100, 1, 1))
    paid = run(topped, PayOwed(APP))
    assert node_received(topped, paid, 0) == (110 * MICRO, 40 * MICRO)
    assert node_received(topped, paid, 1) == (0, 0)
    assert paid.escrows.escrows[APP].owed == owed[1:]
    assert isinstance(process_action(paid, PayOwed(APP)), Rejected)


def test_invalid_pay_owed__nothing_owed() -> None:
    assert isinstance(process_action(start(WHITEPAPER), PayOwed(APP)), Rejected)


# --- A node's STR margin bid (§6.3.2) ------------------------------------------------------------

NETWORK_MARGIN_BPS = 4_000 * 20_000 // 10_000


@given(cost=st.integers(0, 10**15))
def test_bid_split__the_network_margin_is_the_network_split(cost: int) -> None:
    assert compute_bid_payment_split(
        cost, WHITEPAPER_PARAMS, NETWORK_MARGIN_BPS
    ) == compute_payment_split(cost, WHITEPAPER_PARAMS)


def test_bid_split__half_the_margin() -> None:
    split = compute_bid_payment_split(DOLLARS_100, WHITEPAPER_PARAMS, 4_000)
    assert (split.stb_cost_basis, split.stb_node_profit, split.stb_swap_reserve) == (
        100 * MICRO,
        10 * MICRO,
        10 * MICRO,
    )
    assert (split.str_node_profit_usd, split.str_burn_usd, split.str_network_support_usd) == (
        20 * MICRO,
        10 * MICRO,
        10 * MICRO,
    )
    assert split.total == sum(split.parts())


def test_bid_split__the_node_takes_the_dust() -> None:
    split = compute_bid_payment_split(7, WHITEPAPER_PARAMS, 10_000)
    assert (split.str_node_profit_usd, split.str_burn_usd, split.str_network_support_usd) == (
        5,
        1,
        1,
    )
