"""The symbolic books mirror `model.ledger`: on random concrete inputs, over the integer
algebra, they accept what the ledger accepts and end with the same balances and counters."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from model import arith
from model.ledger import (
    Ledger,
    Token,
    create_genesis,
    get_balance,
    process_bridge_burn_stb,
    process_bridge_mint_stb,
    process_burn,
    process_mint_str,
    process_transfer,
)
from model.units import AccountId, Outcome, Rejected
from solver.proofs.books import STB, STR, Books

A, B = AccountId("a"), AccountId("b")
TOKENS = {STR: Token.STR, STB: Token.STB}
amounts = st.integers(min_value=-3, max_value=40)


def _start(a_str: int, a_stb: int) -> tuple[Ledger, Books[int, bool]]:
    ledger = create_genesis({A: a_str}, stb_deposits={A: a_stb})
    assert isinstance(ledger, Ledger)
    opening = {("a", STR): a_str, ("a", STB): a_stb}
    books = Books(
        arith.INTS,
        lambda account, token: opening.get((account, token), 0),
        burned=0,
        minted=0,
        usdc_locked=a_stb,
    )
    return ledger, books


def _agree(outcome: Outcome[Ledger], books: Books[int, bool]) -> None:
    accepted = all(books.guards)
    assert accepted == (not isinstance(outcome, Rejected)), (outcome, books.guards)
    if isinstance(outcome, Rejected):
        return
    for account in (A, B):
        balance = get_balance(outcome, account)
        assert books.get(account, STR) == balance.ustr
        assert books.get(account, STB) == balance.ustb
    assert (books.burned, books.minted) == (outcome.str_burned, outcome.str_minted)
    assert books.usdc_locked == outcome.usdc_locked


@settings(max_examples=300, deadline=None)
@given(amounts, amounts, amounts, st.sampled_from([STR, STB]))
def test_transfer_mirrors_the_ledger(a_str: int, a_stb: int, amount: int, token: str) -> None:
    ledger, books = _start(max(a_str, 0), max(a_stb, 0))
    books.transfer("a", "b", token, amount)
    _agree(
        process_transfer(ledger, sender=A, recipient=B, token=TOKENS[token], amount=amount), books
    )


@settings(max_examples=300, deadline=None)
@given(amounts, amounts, amounts)
def test_burn_and_mint_mirror_the_ledger(a_str: int, burned: int, minted: int) -> None:
    ledger, books = _start(max(a_str, 0), 0)
    books.burn("a", burned)
    after = process_burn(ledger, holder=A, amount=burned)
    _agree(after, books)
    if isinstance(after, Ledger):
        books.mint_str("b", minted)
        _agree(process_mint_str(after, recipient=B, amount=minted), books)


@settings(max_examples=300, deadline=None)
@given(amounts, amounts, amounts)
def test_bridge_mirrors_the_ledger(a_stb: int, deposited: int, redeemed: int) -> None:
    ledger, books = _start(0, max(a_stb, 0))
    books.bridge_mint_stb("b", deposited)
    after = process_bridge_mint_stb(ledger, recipient=B, amount=deposited)
    _agree(after, books)
    if isinstance(after, Ledger):
        books.bridge_burn_stb("a", redeemed)
        _agree(process_bridge_burn_stb(after, holder=A, amount=redeemed), books)
