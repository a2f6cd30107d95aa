"""`process_moves` gives what its moves give applied one by one: the same ledger, or the same
refusal, for any run of transfers and burns, well formed or not."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from model.ledger import (
    BURN_ADDRESS,
    SWAP_RESERVE,
    Ledger,
    Move,
    Token,
    create_genesis,
    process_moves,
)
from model.payment import apply_steps, burn_step, transfer_step
from model.units import AccountId, Outcome, Rejected

ACCOUNTS = (AccountId("alice"), AccountId("bob"), SWAP_RESERVE, BURN_ADDRESS, AccountId("new"))


def one_by_one(ledger: Ledger, moves: list[Move]) -> Outcome[Ledger]:
    for move in moves:
        result = move(ledger)
        if isinstance(result, Rejected):
            return result
        ledger = result
    return ledger


amounts = st.one_of(
    st.integers(-3, 2_000),
    st.sampled_from([0, 1, 10**12]),
    st.just(True),
)
moves = st.builds(
    Move,
    sender=st.sampled_from(ACCOUNTS),
    recipient=st.sampled_from(ACCOUNTS),
    token=st.sampled_from(Token),
    amount=amounts,
    burn=st.booleans(),
)


def _ledger(alice: int, bob: int) -> Ledger:
    ledger = create_genesis(
        {AccountId("alice"): alice, AccountId("bob"): bob},
        stb_deposits={AccountId("alice"): bob, SWAP_RESERVE: alice},
    )
    assert not isinstance(ledger, Rejected)
    return ledger


@settings(max_examples=400, deadline=None)
@given(st.integers(0, 3_000), st.integers(0, 3_000), st.lists(moves, max_size=8))
def test_same_as_one_by_one(alice: int, bob: int, steps: list[Move]) -> None:
    ledger = _ledger(alice, bob)
    together = process_moves(ledger, steps)
    assert together == one_by_one(ledger, steps)
    if not isinstance(together, Rejected):
        # The same accounts, in the same order: iteration order is part of the state.
        assert list(together.balances) == list(one_by_one(ledger, steps).balances)  # type: ignore[union-attr]


def test_a_refusal_names_the_primitive_and_moves_nothing() -> None:
    ledger = _ledger(100, 0)
    alice, bob = AccountId("alice"), AccountId("bob")
    steps = [transfer_step(alice, bob, Token.STR, 60), transfer_step(alice, bob, Token.STR, 60)]
    refused = apply_steps(ledger, steps, rule="a_payment")
    assert isinstance(refused, Rejected)
    assert refused.rule == "a_payment"
    assert "alice holds 40 ustr, cannot send 60" in refused.reason


def test_burns_are_counted_between_transfers() -> None:
    ledger = _ledger(100, 0)
    alice, bob = AccountId("alice"), AccountId("bob")
    steps = [
        transfer_step(alice, bob, Token.STR, 30),
        burn_step(bob, 10),
        transfer_step(bob, alice, Token.STR, 20),
        burn_step(alice, 0),
    ]
    paid = apply_steps(ledger, steps, rule="a_payment")
    assert isinstance(paid, Ledger)
    assert paid.str_burned == 10
    assert paid.balances[alice].ustr == 90
    assert paid.balances[bob].ustr == 0
    assert paid.balances[BURN_ADDRESS].ustr == 10
