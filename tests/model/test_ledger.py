"""Tests of model/ledger.py: genesis, transfer, mint, burn, the bridge, and supply accounting."""

from __future__ import annotations

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st
from model_checks import (
    get_total_str_holdings,
    has_no_negative_balance,
    is_stb_conserved,
    is_str_conserved,
)

from model.ledger import (
    BONDED_POOL,
    BURN_ADDRESS,
    Ledger,
    Token,
    create_genesis,
    get_balance,
    get_str_circulating_supply,
    process_bridge_burn_stb,
    process_bridge_mint_stb,
    process_burn,
    process_mint_str,
    process_transfer,
)
from model.units import AccountId, Rejected

ALICE = AccountId("alice")
BOB = AccountId("bob")


def genesis(alice: int = 1_000, bob: int = 0, stb: int = 0) -> Ledger:
    ledger = create_genesis({ALICE: alice, BOB: bob}, stb_deposits={ALICE: stb})
    assert isinstance(ledger, Ledger)
    return ledger


def assert_conserved(ledger: Ledger) -> None:
    assert is_str_conserved(ledger)
    assert is_stb_conserved(ledger)
    assert has_no_negative_balance(ledger)


def run_transfer(
    ledger: Ledger, sender: AccountId, recipient: AccountId, token: Token, amount: int
) -> Ledger | Rejected:
    """Transfer and check pre/post balances, or that a refusal changed nothing."""
    before_sender = get_balance(ledger, sender).of(token)
    before_recipient = get_balance(ledger, recipient).of(token)
    result = process_transfer(
        ledger, sender=sender, recipient=recipient, token=token, amount=amount
    )
    if isinstance(result, Rejected):
        assert result.rule == "process_transfer"
        return result
    if sender != recipient:
        assert get_balance(result, sender).of(token) == before_sender - amount
        assert get_balance(result, recipient).of(token) == before_recipient + amount
    assert_conserved(result)
    return result


def test_genesis_basic() -> None:
    ledger = genesis(alice=1_000, bob=7, stb=500)
    assert get_balance(ledger, ALICE).ustr == 1_000
    assert ledger.str_genesis == 1_007
    assert ledger.usdc_locked == 500
    assert_conserved(ledger)


def test_invalid_genesis__negative_or_to_burn_address() -> None:
    assert isinstance(create_genesis({ALICE: -1}), Rejected)
    assert isinstance(create_genesis({BURN_ADDRESS: 1}), Rejected)
    assert isinstance(create_genesis({ALICE: 1}, stb_deposits={ALICE: -5}), Rejected)


def test_transfer_basic() -> None:
    ledger = run_transfer(genesis(), ALICE, BOB, Token.STR, 300)
    assert isinstance(ledger, Ledger)
    assert get_balance(ledger, BOB).ustr == 300


def test_transfer__whole_balance_and_one_micro_unit() -> None:
    ledger = run_transfer(genesis(alice=1), ALICE, BOB, Token.STR, 1)
    assert isinstance(ledger, Ledger)
    assert get_balance(ledger, ALICE).ustr == 0


def test_transfer__zero_and_to_self_change_nothing() -> None:
    ledger = genesis()
    assert run_transfer(ledger, ALICE, BOB, Token.STR, 0) == ledger
    assert run_transfer(ledger, ALICE, ALICE, Token.STR, 10) == ledger


def test_invalid_transfer__insufficient_negative_non_integer() -> None:
    ledger = genesis(alice=10)
    assert isinstance(run_transfer(ledger, ALICE, BOB, Token.STR, 11), Rejected)
    assert isinstance(run_transfer(ledger, ALICE, BOB, Token.STR, -1), Rejected)
    assert isinstance(run_transfer(ledger, ALICE, BOB, Token.STB, 1), Rejected)
    refused = process_transfer(ledger, sender=ALICE, recipient=BOB, token=Token.STR, amount=True)
    assert isinstance(refused, Rejected)


def test_invalid_transfer__burn_address_both_ways() -> None:
    ledger = process_burn(genesis(), holder=ALICE, amount=5)
    assert isinstance(ledger, Ledger)
    assert isinstance(run_transfer(ledger, BURN_ADDRESS, BOB, Token.STR, 1), Rejected)
    assert isinstance(run_transfer(ledger, ALICE, BURN_ADDRESS, Token.STR, 1), Rejected)


def test_mint_and_burn_basic() -> None:
    ledger = process_mint_str(genesis(), recipient=BONDED_POOL, amount=50)
    assert isinstance(ledger, Ledger)
    ledger = process_burn(ledger, holder=ALICE, amount=30)
    assert isinstance(ledger, Ledger)
    assert (ledger.str_minted, ledger.str_burned) == (50, 30)
    assert get_balance(ledger, BURN_ADDRESS).ustr == 30
    assert get_total_str_holdings(ledger) == 1_020
    assert get_str_circulating_supply(ledger) == 1_020
    assert_conserved(ledger)


def test_invalid_mint_and_burn() -> None:
    ledger = genesis(alice=10)
    assert isinstance(process_mint_str(ledger, recipient=BURN_ADDRESS, amount=1), Rejected)
    assert isinstance(process_mint_str(ledger, recipient=ALICE, amount=-1), Rejected)
    assert isinstance(process_burn(ledger, holder=ALICE, amount=11), Rejected)
    assert isinstance(process_burn(ledger, holder=BURN_ADDRESS, amount=0), Rejected)


def test_bridge_basic() -> None:
    ledger = process_bridge_mint_stb(genesis(), recipient=BOB, amount=10**30)
    assert isinstance(ledger, Ledger)
    assert ledger.usdc_locked == 10**30
    ledger = process_bridge_burn_stb(ledger, holder=BOB, amount=10**30 - 1)
    assert isinstance(ledger, Ledger)
    assert get_balance(ledger, BOB).ustb == 1
    assert ledger.usdc_locked == 1
    assert_conserved(ledger)


def test_invalid_bridge_redeem__more_than_held() -> None:
    ledger = genesis(stb=5)
    assert isinstance(process_bridge_burn_stb(ledger, holder=ALICE, amount=6), Rejected)
    assert isinstance(process_bridge_mint_stb(ledger, recipient=BURN_ADDRESS, amount=1), Rejected)


def test_conservation_checks_catch_a_forged_balance() -> None:
    """A balance created outside the primitives breaks CONS-STR or CONS-STB: the checks can fail."""
    ledger = genesis(alice=100, stb=100)
    forged = attrs.evolve(
        ledger, balances=ledger.balances.set(BOB, get_balance(ledger, BOB).plus(Token.STR, 1))
    )
    assert not is_str_conserved(forged)
    forged = attrs.evolve(
        ledger, balances=ledger.balances.set(BOB, get_balance(ledger, BOB).plus(Token.STB, 1))
    )
    assert not is_stb_conserved(forged)
    forged = attrs.evolve(ledger, str_burned=1)
    assert not is_str_conserved(forged)


def test_states_are_hashable_values() -> None:
    assert hash(genesis()) == hash(genesis())
    assert genesis() == genesis()
    assert genesis(alice=1) != genesis(alice=2)


accounts = st.sampled_from([ALICE, BOB, BONDED_POOL, AccountId("carol")])
operations = st.lists(
    st.tuples(
        st.sampled_from(["transfer", "mint", "burn", "bridge_in", "bridge_out"]),
        accounts,
        accounts,
        st.sampled_from(list(Token)),
        st.integers(min_value=-5, max_value=2_000),
    ),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(operations=operations)
def test_any_sequence_of_primitives_conserves_supply(
    operations: list[tuple[str, AccountId, AccountId, Token, int]],
) -> None:
    ledger = genesis(alice=1_000, stb=1_000)
    for name, first, second, token, amount in operations:
        if name == "transfer":
            result = process_transfer(
                ledger, sender=first, recipient=second, token=token, amount=amount
            )
        elif name == "mint":
            result = process_mint_str(ledger, recipient=first, amount=amount)
        elif name == "burn":
            result = process_burn(ledger, holder=first, amount=amount)
        elif name == "bridge_in":
            result = process_bridge_mint_stb(ledger, recipient=first, amount=amount)
        else:
            result = process_bridge_burn_stb(ledger, holder=first, amount=amount)
        if isinstance(result, Ledger):
            ledger = result
        assert_conserved(ledger)
