"""Shared builders and constants for the tests of escrow."""

from __future__ import annotations

from fractions import Fraction

from model_checks import (
    has_no_negative_balance,
    is_escrow_solvent,
    is_stb_conserved,
    is_str_conserved,
)

from model.escrow import (
    EscrowBook,
    process_lock_round_payment,
    process_open_escrow,
    process_prepayment,
)
from model.ledger import (
    Balance,
    Ledger,
    create_genesis,
    get_balance,
    get_escrow_account,
    get_locked_escrow_account,
)
from model.params import WHITEPAPER_PARAMS
from model.units import AccountId, AppId, Rejected, StrPrice

APP = AppId("app-a")
OTHER_APP = AppId("app-b")
DEV = AccountId("dev-a")
OTHER_DEV = AccountId("dev-b")
NODE = AccountId("node-1")
NODE_2 = AccountId("node-2")
DOLLARS_100 = 100_000_000
HALF_DOLLAR = Fraction(1, 2)
ESCROW = get_escrow_account(APP)
LOCKED = get_locked_escrow_account(APP)
RICH = 10**15
GENESIS = 10**40


def is_consistent(ledger: Ledger, book: EscrowBook) -> bool:
    return (
        is_str_conserved(ledger)
        and is_stb_conserved(ledger)
        and has_no_negative_balance(ledger)
        and is_escrow_solvent(ledger, book)
    )


def open_book(*apps: tuple[AppId, AccountId]) -> EscrowBook:
    book = EscrowBook()
    for app, developer in apps:
        opened = process_open_escrow(book, app=app, developer=developer)
        assert isinstance(opened, EscrowBook)
        book = opened
    return book


def funded(
    *, ustb: int = RICH, ustr: int = RICH, price: StrPrice | None = HALF_DOLLAR
) -> tuple[Ledger, EscrowBook]:
    """Two apps, each with an escrow its developer prepaid with `ustb` and `ustr`."""
    genesis = {DEV: GENESIS, OTHER_DEV: GENESIS}
    ledger = create_genesis(genesis, stb_deposits=genesis)
    assert isinstance(ledger, Ledger)
    book = open_book((APP, DEV), (OTHER_APP, OTHER_DEV))
    for app, developer in ((APP, DEV), (OTHER_APP, OTHER_DEV)):
        result = process_prepayment(
            ledger, book, app=app, payer=developer, ustb=ustb, ustr=ustr, price=price
        )
        assert isinstance(result, tuple)
        ledger, book = result
    return ledger, book


def escrows_of(ledger: Ledger, app: AppId) -> tuple[Balance, Balance]:
    return (
        get_balance(ledger, get_escrow_account(app)),
        get_balance(ledger, get_locked_escrow_account(app)),
    )


def assert_rejected(result: object, rule: str) -> Rejected:
    assert isinstance(result, Rejected), result
    assert result.rule == rule
    return result


NODES = (NODE, NODE_2)


OUTPUT_A = b"a" * 32
OUTPUT_B = b"b" * 32
"""Output hashes the locked nodes revealed (both of `NODES` revealed OUTPUT_A by default)."""


def lock(
    ledger: Ledger,
    book: EscrowBook,
    *,
    round_id: int = 7,
    cost: int = DOLLARS_100,
    output_hashes: tuple[bytes | None, ...] = (OUTPUT_A, OUTPUT_A),
) -> tuple[Ledger, EscrowBook]:
    result = process_lock_round_payment(
        ledger,
        book,
        app=APP,
        round_id=round_id,
        node_accounts=NODES,
        cost=cost,
        params=WHITEPAPER_PARAMS,
        output_hashes=output_hashes,
    )
    assert isinstance(result, tuple), result
    return result
