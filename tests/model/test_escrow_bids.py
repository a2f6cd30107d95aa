"""Locked payments and round funding at the nodes' own STR margin bids (§4.4, §6.3.2, §3.3
Step 12): a lock owes each node what it would have been paid, its own bid's split."""

from __future__ import annotations

from escrow_fixtures import (
    APP,
    DOLLARS_100,
    ESCROW,
    LOCKED,
    NODES,
    OUTPUT_A,
    OUTPUT_B,
    escrows_of,
    funded,
    is_consistent,
)

from model.escrow import (
    check_round_funded,
    process_lock_round_payment,
    process_resolve_locked_payment,
)
from model.ledger import SWAP_RESERVE, Balance, get_balance
from model.params import WHITEPAPER_PARAMS
from model.units import Rejected

MARGINS = (0, 4_000)
"""NODES[0] bids no STR margin, NODES[1] half of the network's 8000 bps."""


def test_lock__each_node_at_its_own_bid() -> None:
    """$100 at $0.50/STR: NODES[0] is owed 120 STB and no STR; NODES[1] 120 STB and $40 of
    STR (80 STR), where the network's split would lock $80 of STR (160 STR) for each."""
    ledger, book = funded()
    before, _ = escrows_of(ledger, APP)
    result = process_lock_round_payment(
        ledger,
        book,
        app=APP,
        round_id=7,
        node_accounts=NODES,
        cost=DOLLARS_100,
        params=WHITEPAPER_PARAMS,
        output_hashes=(OUTPUT_A, OUTPUT_B),
        str_margins=MARGINS,
    )
    assert isinstance(result, tuple), result
    ledger, book = result
    record = book.escrows[APP].locked[7]
    owed = [record.get_node_split(i) for i in range(2)]
    assert [split.str_node_profit_usd for split, _ in owed] == [0, 20_000_000]
    assert [payout.total_ustr for _, payout in owed] == [0, 80_000_000]
    assert get_balance(ledger, LOCKED) == Balance(ustr=80_000_000, ustb=240_000_000)
    assert get_balance(ledger, ESCROW) == Balance(
        ustr=before.ustr - 80_000_000, ustb=before.ustb - 240_000_000
    )
    assert is_consistent(ledger, book)
    # The resolution pays NODES[0] its own split and returns NODES[1]'s.
    resolved = process_resolve_locked_payment(ledger, book, app=APP, round_id=7, paid_hash=OUTPUT_A)
    assert isinstance(resolved, tuple), resolved
    ledger, book, paid = resolved
    assert paid == (NODES[0],)
    assert get_balance(ledger, NODES[0]) == Balance(ustr=0, ustb=110_000_000)
    assert get_balance(ledger, SWAP_RESERVE) == Balance(ustr=0, ustb=10_000_000)
    assert get_balance(ledger, LOCKED) == Balance(ustr=0, ustb=0)
    assert get_balance(ledger, ESCROW) == Balance(ustr=before.ustr, ustb=before.ustb - 120_000_000)
    assert is_consistent(ledger, book)


def test_lock__no_bids_keeps_the_network_split() -> None:
    ledger, book = funded()
    result = process_lock_round_payment(
        ledger,
        book,
        app=APP,
        round_id=7,
        node_accounts=NODES,
        cost=DOLLARS_100,
        params=WHITEPAPER_PARAMS,
        str_margins=(None, None),
    )
    assert isinstance(result, tuple), result
    record = result[1].escrows[APP].locked[7]
    assert record.node_splits == ()
    assert get_balance(result[0], LOCKED) == Balance(ustr=320_000_000, ustb=240_000_000)


def test_round_funded__at_the_nodes_bids() -> None:
    """An escrow holding the two nodes' own payments (240 STB, 80 STR at $0.50) funds their
    round; the network's split for both (320 STR) would not fit."""
    ledger, book = funded(ustb=240_000_000, ustr=80_000_000)

    def refusal(margins: tuple[int | None, ...]) -> Rejected | None:
        return check_round_funded(
            ledger,
            app=APP,
            nodes=2,
            cost=DOLLARS_100,
            params=WHITEPAPER_PARAMS,
            price=book.escrows[APP].str_price,
            prefund_ustr=0,
            str_margins=margins,
        )

    assert refusal(MARGINS) is None
    assert isinstance(refusal(()), Rejected)
    assert isinstance(refusal((4_000, 4_000)), Rejected)
