"""Tests of model.escrow: prepayment, the payouts, locking and ESCROW-SOLVENT."""

from __future__ import annotations

from fractions import Fraction

import attrs
from escrow_fixtures import (
    APP,
    DEV,
    DOLLARS_100,
    ESCROW,
    GENESIS,
    HALF_DOLLAR,
    LOCKED,
    NODE,
    OTHER_APP,
    OTHER_DEV,
    RICH,
    assert_rejected,
    escrows_of,
    funded,
    is_consistent,
    lock,
    open_book,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from model_checks import is_escrow_solvent, pay_from_escrow, str_withdrawn_usd
from pyrsistent import pmap

from model.escrow import (
    EscrowBook,
    compute_average_price,
    process_open_escrow,
    process_prepayment,
    process_usage_payment,
    process_withdraw_prepayment,
)
from model.ledger import (
    BURN_ADDRESS,
    NETWORK_SUPPORT,
    SWAP_RESERVE,
    Balance,
    Ledger,
    Token,
    get_balance,
    get_escrow_account,
    get_locked_escrow_account,
    process_transfer,
)
from model.params import WHITEPAPER_PARAMS, Params, with_values
from model.payment import compute_payment_split
from model.units import AppId, Rejected

# --- process_open_escrow ------------------------------------------------------------------------


def test_open_escrow__basic() -> None:
    book = open_book((APP, DEV))
    escrow = book.escrows[APP]
    assert escrow.developer == DEV and escrow.str_price is None and not escrow.locked


def test_invalid_open_escrow__already_open() -> None:
    book = open_book((APP, DEV))
    assert_rejected(process_open_escrow(book, app=APP, developer=OTHER_DEV), "process_open_escrow")


def test_invalid_open_escrow__empty_app() -> None:
    refused = process_open_escrow(EscrowBook(), app=AppId(""), developer=DEV)
    assert_rejected(refused, "process_open_escrow")


def test_invalid_open_escrow__developer_is_escrow() -> None:
    refused = process_open_escrow(EscrowBook(), app=APP, developer=get_escrow_account(OTHER_APP))
    assert_rejected(refused, "process_open_escrow")


# --- process_prepayment -------------------------------------------------------------------------


def test_prepayment__basic() -> None:
    ledger, book = funded(ustb=5_000, ustr=7_000)
    assert get_balance(ledger, ESCROW) == Balance(ustr=7_000, ustb=5_000)
    assert get_balance(ledger, DEV) == Balance(ustr=GENESIS - 7_000, ustb=GENESIS - 5_000)
    assert book.escrows[APP].str_price == HALF_DOLLAR
    assert is_consistent(ledger, book)


def test_prepayment__weighted_average_price() -> None:
    """§6.3.3: 1 STR at $0.50 then 3 STR at $1 leave 4 STR valued at $3.50, i.e. $0.875 each."""
    ledger, book = funded(ustb=0, ustr=1_000_000, price=HALF_DOLLAR)
    result = process_prepayment(
        ledger, book, app=APP, payer=DEV, ustb=0, ustr=3_000_000, price=Fraction(1)
    )
    assert isinstance(result, tuple)
    assert result[1].escrows[APP].str_price == Fraction(7, 8)
    assert result[1].escrows[OTHER_APP].str_price == HALF_DOLLAR


def test_prepayment__stb_only_keeps_price() -> None:
    ledger, book = funded(ustb=0, ustr=1_000_000, price=HALF_DOLLAR)
    result = process_prepayment(ledger, book, app=APP, payer=DEV, ustb=10, ustr=0, price=None)
    assert isinstance(result, tuple)
    assert result[1].escrows[APP].str_price == HALF_DOLLAR


def test_prepayment__empty_escrow_takes_new_price() -> None:
    """Once the escrow's STR is spent, the next deposit's price is the escrow's price."""
    ledger, book = funded(ustb=0, ustr=1_000, price=HALF_DOLLAR)
    spent = pay_from_escrow(ledger, app=APP, node_account=NODE, ustr=1_000)
    assert isinstance(spent, Ledger)
    result = process_prepayment(spent, book, app=APP, payer=DEV, ustb=0, ustr=5, price=Fraction(3))
    assert isinstance(result, tuple)
    assert result[1].escrows[APP].str_price == Fraction(3)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 10**24),
    st.fractions(min_value=Fraction(1, 10**6), max_value=10**6),
    st.integers(1, 10**24),
    st.fractions(min_value=Fraction(1, 10**6), max_value=10**6),
)
def test_average_price__keeps_usd_value(
    held: int, old: Fraction, deposit: int, price: Fraction
) -> None:
    """The average values all STR held at exactly what was paid for it, between the two prices."""
    new = compute_average_price(held, old, deposit, price)
    assert new is not None
    assert new * (held + deposit) == held * old + deposit * price
    assert min(old, price) <= new <= max(old, price) or held == 0


def test_invalid_prepayment__not_developer() -> None:
    ledger, book = funded()
    refused = process_prepayment(ledger, book, app=APP, payer=OTHER_DEV, ustb=1, ustr=0, price=None)
    assert_rejected(refused, "process_prepayment")


def test_invalid_prepayment__unknown_app() -> None:
    ledger, book = funded()
    refused = process_prepayment(
        ledger, book, app=AppId("nope"), payer=DEV, ustb=1, ustr=0, price=None
    )
    assert_rejected(refused, "process_prepayment")


def test_invalid_prepayment__str_without_price() -> None:
    ledger, book = funded()
    for price in (None, Fraction(0), Fraction(-1)):
        refused = process_prepayment(ledger, book, app=APP, payer=DEV, ustb=0, ustr=1, price=price)
        assert_rejected(refused, "process_prepayment")


def test_invalid_prepayment__insufficient_funds() -> None:
    """The STB leg would succeed, the STR leg cannot: the whole prepayment is refused."""
    ledger, book = funded(ustb=0, ustr=RICH)
    refused = process_prepayment(
        ledger, book, app=APP, payer=DEV, ustb=1, ustr=GENESIS, price=Fraction(1)
    )
    assert "ustr" in assert_rejected(refused, "process_prepayment").reason


def test_invalid_prepayment__negative_amount() -> None:
    ledger, book = funded()
    refused = process_prepayment(ledger, book, app=APP, payer=DEV, ustb=-1, ustr=0, price=None)
    assert_rejected(refused, "process_prepayment")


# --- process_usage_payment ----------------------------------------------------------------------


def run_process_usage_payment(
    ledger: Ledger,
    book: EscrowBook,
    *,
    cost: int,
    params: Params = WHITEPAPER_PARAMS,
    app: AppId = APP,
    valid: bool = True,
) -> Ledger | Rejected:
    result = process_usage_payment(
        ledger, book, app=app, node_account=NODE, cost=cost, params=params
    )
    if not valid:
        return assert_rejected(result, "process_usage_payment")
    assert isinstance(result, Ledger)
    # Only the paying app's escrow changes; every other escrow is untouched.
    for other in book.escrows:
        if other != app:
            assert escrows_of(result, other) == escrows_of(ledger, other)
    assert get_balance(result, get_locked_escrow_account(app)) == get_balance(
        ledger, get_locked_escrow_account(app)
    )
    assert is_consistent(result, book)
    return result


def test_usage_payment__golden_vector() -> None:
    """PAY-VECTOR end to end: $100 of cost at a $0.50 deposit price, every balance after."""
    ledger, book = funded(ustb=200_000_000, ustr=300_000_000)
    result = run_process_usage_payment(ledger, book, cost=DOLLARS_100)
    assert isinstance(result, Ledger)
    assert get_balance(result, ESCROW) == Balance(ustr=140_000_000, ustb=80_000_000)
    assert get_balance(result, NODE) == Balance(ustr=80_000_000, ustb=110_000_000)
    assert get_balance(result, SWAP_RESERVE) == Balance(ustr=0, ustb=10_000_000)
    assert get_balance(result, NETWORK_SUPPORT) == Balance(ustr=40_000_000, ustb=0)
    assert get_balance(result, BURN_ADDRESS).ustr == 40_000_000
    assert result.str_burned == ledger.str_burned + 40_000_000


def test_usage_payment__exact_escrow() -> None:
    ledger, book = funded(ustb=120_000_000, ustr=160_000_000)
    result = run_process_usage_payment(ledger, book, cost=DOLLARS_100)
    assert isinstance(result, Ledger)
    assert get_balance(result, ESCROW) == Balance(ustr=0, ustb=0)


def test_usage_payment__zero_cost_without_price() -> None:
    ledger, book = funded(ustb=10, ustr=0, price=None)
    result = run_process_usage_payment(ledger, book, cost=0)
    assert result == ledger


def test_usage_payment__odd_costs() -> None:
    ledger, book = funded(ustr=10**15, price=Fraction(7, 3))
    for cost in (1, 3, 7, 19):
        result = run_process_usage_payment(ledger, book, cost=cost)
        assert isinstance(result, Ledger)
        assert get_balance(result, NODE).ustb >= cost


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 10**9), st.integers(0, 10**9), st.integers(0, 10**9))
def test_usage_payment__never_overdraws(ustb: int, ustr: int, cost: int) -> None:
    """ESCROW-SOLVENT: a payment the escrow cannot cover is refused, never paid partly."""
    ledger, book = funded(ustb=ustb, ustr=ustr)
    result = process_usage_payment(
        ledger, book, app=APP, node_account=NODE, cost=cost, params=WHITEPAPER_PARAMS
    )
    split = compute_payment_split(cost, WHITEPAPER_PARAMS)
    affordable = split.stb_withdrawn <= ustb and str_withdrawn_usd(split) * 2 <= ustr
    assert isinstance(result, Ledger) == affordable
    if isinstance(result, Ledger):
        assert is_consistent(result, book)
        assert escrows_of(result, OTHER_APP) == escrows_of(ledger, OTHER_APP)


def test_invalid_usage_payment__escrow_short_other_app_rich() -> None:
    """App A's escrow is short while app B's is full: A's payment is refused, B's is not used."""
    ledger, book = funded(ustb=0, ustr=0, price=None)
    topped = process_prepayment(
        ledger,
        book,
        app=OTHER_APP,
        payer=OTHER_DEV,
        ustb=RICH // 2,
        ustr=RICH // 2,
        price=Fraction(1),
    )
    assert isinstance(topped, tuple)
    run_process_usage_payment(topped[0], topped[1], cost=DOLLARS_100, valid=False)


def test_invalid_usage_payment__no_price() -> None:
    ledger, book = funded(ustb=RICH, ustr=0, price=None)
    refused = run_process_usage_payment(ledger, book, cost=DOLLARS_100, valid=False)
    assert isinstance(refused, Rejected)
    assert "price" in refused.reason


def test_invalid_usage_payment__incoherent_params() -> None:
    ledger, book = funded()
    params = with_values(WHITEPAPER_PARAMS, {("payment", "stb_reserve_swap_bps"): 1_200})
    run_process_usage_payment(ledger, book, cost=DOLLARS_100, params=params, valid=False)


def test_invalid_usage_payment__negative_cost() -> None:
    ledger, book = funded()
    run_process_usage_payment(ledger, book, cost=-1, valid=False)


def test_invalid_usage_payment__unknown_app() -> None:
    ledger, book = funded()
    run_process_usage_payment(ledger, book, cost=1, app=AppId("nope"), valid=False)


# --- process_withdraw_prepayment ----------------------------------------------------------------


def test_withdraw_prepayment__basic() -> None:
    ledger, book = funded(ustb=500, ustr=700)
    result = process_withdraw_prepayment(ledger, book, app=APP, developer=DEV, ustb=500, ustr=1)
    assert isinstance(result, Ledger)
    assert get_balance(result, ESCROW) == Balance(ustr=699, ustb=0)
    assert get_balance(result, DEV) == Balance(ustr=GENESIS - 699, ustb=GENESIS)
    assert is_consistent(result, book)


def test_invalid_withdraw_prepayment__not_developer() -> None:
    ledger, book = funded()
    refused = process_withdraw_prepayment(
        ledger, book, app=APP, developer=OTHER_DEV, ustb=1, ustr=0
    )
    assert_rejected(refused, "process_withdraw_prepayment")


def test_invalid_withdraw_prepayment__locked_funds_stay() -> None:
    """Locked round payments are not prepayment: the developer can take only what is unlocked."""
    ledger, book = funded(ustb=1_000_000_000, ustr=1_000_000_000)
    ledger, book = lock(ledger, book)
    free = get_balance(ledger, ESCROW)
    refused = process_withdraw_prepayment(
        ledger, book, app=APP, developer=DEV, ustb=free.ustb + 1, ustr=0
    )
    assert_rejected(refused, "process_withdraw_prepayment")
    result = process_withdraw_prepayment(
        ledger, book, app=APP, developer=DEV, ustb=free.ustb, ustr=free.ustr
    )
    assert isinstance(result, Ledger)
    assert get_balance(result, LOCKED) == get_balance(ledger, LOCKED)
    assert is_consistent(result, book)


def test_invalid_withdraw_prepayment__unknown_app() -> None:
    ledger, book = funded()
    refused = process_withdraw_prepayment(
        ledger, book, app=AppId("nope"), developer=DEV, ustb=1, ustr=0
    )
    assert_rejected(refused, "process_withdraw_prepayment")


# --- is_escrow_solvent --------------------------------------------------------------------------


def test_escrow_solvent__locked_balance_must_match_records() -> None:
    ledger, book = lock(*funded())
    assert is_escrow_solvent(ledger, book)
    extra = process_transfer(ledger, sender=DEV, recipient=LOCKED, token=Token.STR, amount=1)
    assert isinstance(extra, Ledger)
    assert not is_escrow_solvent(extra, book)


def test_escrow_solvent__negative_escrow() -> None:
    ledger, book = funded()
    broken = attrs.evolve(ledger, balances=pmap({ESCROW: Balance(ustr=-1, ustb=0)}))
    assert not is_escrow_solvent(broken, book)
