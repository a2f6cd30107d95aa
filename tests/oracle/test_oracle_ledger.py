"""The oracle's raw ledger reads: balances, holdings, the counters and net movements.

Ledgers are built by hand, so every expected sum is read off the balances; a holding count that
forgets the burn address is burned STR is shown to disagree with the oracle.
"""

from __future__ import annotations

from pyrsistent import pmap

from model.ledger import BURN_ADDRESS, Balance, Ledger
from model.units import AccountId
from oracle.ledger import (
    STB,
    STR,
    add_movement,
    balance,
    is_escrow_account,
    movement_differences,
    movements,
    negative_accounts,
    str_circulating,
    str_issued,
    total_stb_held,
    total_str_held,
    ustb_of,
    ustr_of,
)

ALICE, BOB = AccountId("user-0"), AccountId("user-1")


LEDGER = Ledger(
    balances=pmap(
        {
            ALICE: Balance(ustr=600, ustb=500),
            BOB: Balance(ustr=420, ustb=200),
            BURN_ADDRESS: Balance(ustr=30),
        }
    ),
    str_genesis=1_000,
    str_minted=50,
    str_burned=30,
    usdc_locked=700,
)


def test_balance__unknown_account_holds_nothing() -> None:
    assert balance(LEDGER, AccountId("nobody")) == Balance()
    assert (ustr_of(LEDGER, ALICE), ustb_of(LEDGER, ALICE)) == (600, 500)


def test_holdings__sum_every_balance_but_the_burned() -> None:
    assert total_str_held(LEDGER) == 1_020
    assert total_stb_held(LEDGER) == 700
    assert str_issued(LEDGER) == 1_050
    assert str_circulating(LEDGER) == 1_020
    assert total_str_held(LEDGER) + LEDGER.str_burned == str_issued(LEDGER)


def test_wrong_holdings__counting_the_burn_address_differs() -> None:
    counting_burned = sum(b.ustr for b in LEDGER.balances.values())
    assert counting_burned != total_str_held(LEDGER)
    assert counting_burned + LEDGER.str_burned != str_issued(LEDGER)


def test_negative_accounts__listed() -> None:
    broken = Ledger(balances=pmap({ALICE: Balance(ustr=-1), BOB: Balance(ustb=3)}))
    assert negative_accounts(broken) == ["user-0"]
    assert negative_accounts(LEDGER) == []


def test_escrow_accounts__recognised_by_name() -> None:
    assert is_escrow_account("escrow:app-0")
    assert is_escrow_account("escrow-locked:app-0")
    assert not is_escrow_account("user-0")
    assert not is_escrow_account("module:swap_reserve")


def test_movements__net_change_per_account_and_token() -> None:
    after = Ledger(
        balances=pmap(
            {
                ALICE: Balance(ustr=500, ustb=500),
                BOB: Balance(ustr=520, ustb=200),
                BURN_ADDRESS: Balance(ustr=30),
            }
        )
    )
    moved = movements(LEDGER, after)
    assert moved == {("user-0", STR): -100, ("user-1", STR): 100}
    expected: dict[tuple[str, str], int] = {}
    add_movement(expected, ALICE, STR, -100)
    add_movement(expected, BOB, STR, 100)
    add_movement(expected, BOB, STB, 5)
    add_movement(expected, BOB, STB, -5)
    assert expected == moved
    assert movement_differences(expected, moved) == []
    add_movement(expected, BOB, STR, -1)
    assert movement_differences(expected, moved) == ["user-1 str +100 (expected +99)"]
