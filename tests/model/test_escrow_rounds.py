"""Tests of model.escrow for rounds: validation payments (§4.4) and payments locked on consensus FALSE (§3.3 Step 12)."""

from __future__ import annotations

import attrs
from escrow_fixtures import (
    APP,
    DOLLARS_100,
    ESCROW,
    HALF_DOLLAR,
    LOCKED,
    NODE,
    NODES,
    OTHER_APP,
    OUTPUT_A,
    OUTPUT_B,
    RICH,
    assert_rejected,
    escrows_of,
    funded,
    is_consistent,
    lock,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from model_checks import get_locked_totals, is_escrow_solvent

from model.escrow import (
    EscrowBook,
    ValidationPayout,
    compute_validator_count,
    compute_validator_ranking,
    process_lock_round_payment,
    process_resolve_locked_payment,
    process_validation_payment,
)
from model.ledger import (
    NETWORK_SUPPORT,
    SWAP_RESERVE,
    Balance,
    Ledger,
    get_balance,
    get_escrow_account,
)
from model.params import WHITEPAPER_PARAMS, Params, with_values
from model.payment import compute_payment_split
from model.units import AccountId, AppId, Rejected, ValidatorId

# --- process_validation_payment -----------------------------------------------------------------

VALIDATORS = tuple(AccountId(f"val-{i}") for i in range(5))


def run_process_validation_payment(
    ledger: Ledger,
    book: EscrowBook,
    *,
    prefund: int,
    subscribers: tuple[AccountId, ...] = VALIDATORS,
    seed: bytes = b"seed",
    floor: int = 1,
) -> ValidationPayout:
    params = with_values(WHITEPAPER_PARAMS, {("payment", "validation_floor_ustr"): floor})
    result = process_validation_payment(
        ledger,
        book,
        app=APP,
        prefund_ustr=prefund,
        subscribers=subscribers,
        seed=seed,
        params=params,
    )
    assert isinstance(result, tuple)
    after, after_book, payout = result
    assert after_book == book
    assert set(payout.selected) <= set(subscribers)
    assert len(set(payout.selected)) == len(payout.selected)
    for validator in subscribers:
        expected = payout.per_validator if validator in payout.selected else 0
        assert get_balance(after, validator).ustr == expected
    paid = payout.per_validator * len(payout.selected)
    assert paid + payout.remainder == prefund
    assert get_balance(after, ESCROW).ustr == get_balance(ledger, ESCROW).ustr - paid
    assert escrows_of(after, OTHER_APP) == escrows_of(ledger, OTHER_APP)
    assert is_consistent(after, book)
    return payout


def test_validation_payment__basic() -> None:
    """§4.4: 10 ustr over 3 validators pays 3 each; the 1 ustr remainder stays in escrow."""
    ledger, book = funded(ustr=1_000)
    payout = run_process_validation_payment(ledger, book, prefund=10, subscribers=VALIDATORS[:3])
    assert set(payout.selected) == set(VALIDATORS[:3])
    assert payout.per_validator == 3
    assert payout.remainder == 1


def test_validation_payment__oversubscribed() -> None:
    """5 subscribers, 10 ustr, floor 3: only 3 can be paid the floor, chosen by the seed."""
    ledger, book = funded(ustr=1_000)
    payout = run_process_validation_payment(ledger, book, prefund=10, floor=3)
    assert len(payout.selected) == 3
    assert payout.per_validator == 3
    assert payout.remainder == 1


def test_validation_payment__zero_floor_pays_everyone() -> None:
    ledger, book = funded(ustr=1_000)
    payout = run_process_validation_payment(ledger, book, prefund=3, floor=0)
    assert len(payout.selected) == 5 and payout.per_validator == 0 and payout.remainder == 3


def test_validation_payment__large_prefund() -> None:
    ledger, book = funded(ustr=10**31)
    payout = run_process_validation_payment(
        ledger, book, prefund=10**30 + 7, subscribers=VALIDATORS
    )
    assert payout.per_validator == (10**30 + 7) // 5 and payout.remainder == 2


def test_validation_selection__same_seed_same_selection() -> None:
    ledger, book = funded(ustr=1_000)
    first = run_process_validation_payment(ledger, book, prefund=10, floor=5, seed=b"s1")
    again = run_process_validation_payment(ledger, book, prefund=10, floor=5, seed=b"s1")
    reordered = run_process_validation_payment(
        ledger, book, prefund=10, floor=5, seed=b"s1", subscribers=VALIDATORS[::-1]
    )
    assert first == again == reordered


def test_validation_selection__seeds_differ() -> None:
    ledger, book = funded(ustr=1_000)
    selections = {
        frozenset(
            run_process_validation_payment(
                ledger, book, prefund=10, floor=5, seed=bytes([i])
            ).selected
        )
        for i in range(20)
    }
    assert len(selections) > 1


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**6), st.integers(0, 50), st.integers(0, 10**4))
def test_validator_count__meets_floor(prefund: int, subscribers: int, floor: int) -> None:
    """Every selected validator gets at least the floor, and no more are selected than subscribed."""
    count = compute_validator_count(prefund, subscribers, floor)
    assert 0 <= count <= subscribers
    if count > 0 and floor > 0:
        assert prefund // count >= floor
    if subscribers and floor and prefund // subscribers >= floor:
        assert count == subscribers


def test_validator_ranking__is_permutation() -> None:
    ranking = compute_validator_ranking(VALIDATORS, b"x")
    assert sorted(ranking) == sorted(VALIDATORS)


def test_invalid_validation_payment__duplicates() -> None:
    ledger, book = funded(ustr=1_000)
    refused = process_validation_payment(
        ledger,
        book,
        app=APP,
        prefund_ustr=10,
        subscribers=(VALIDATORS[0], VALIDATORS[0]),
        seed=b"",
        params=WHITEPAPER_PARAMS,
    )
    assert_rejected(refused, "process_validation_payment")


def test_invalid_validation_payment__nobody_payable() -> None:
    """k = 0 (prefund below the floor, or no subscriber): refused, nothing paid."""
    ledger, book = funded(ustr=1_000)
    params = with_values(WHITEPAPER_PARAMS, {("payment", "validation_floor_ustr"): 11})
    for subscribers, use in ((VALIDATORS, params), ((), WHITEPAPER_PARAMS)):
        refused = process_validation_payment(
            ledger,
            book,
            app=APP,
            prefund_ustr=10,
            subscribers=subscribers,
            seed=b"",
            params=use,
        )
        assert_rejected(refused, "process_validation_payment")


def test_invalid_validation_payment__prefund_exceeds_escrow() -> None:
    ledger, book = funded(ustr=9)
    for prefund in (10, -1):
        refused = process_validation_payment(
            ledger,
            book,
            app=APP,
            prefund_ustr=prefund,
            subscribers=VALIDATORS,
            seed=b"",
            params=WHITEPAPER_PARAMS,
        )
        assert_rejected(refused, "process_validation_payment")


def test_invalid_validation_payment__module_subscriber() -> None:
    ledger, book = funded(ustr=1_000)
    refused = process_validation_payment(
        ledger,
        book,
        app=APP,
        prefund_ustr=10,
        subscribers=(VALIDATORS[0], get_escrow_account(OTHER_APP)),
        seed=b"",
        params=WHITEPAPER_PARAMS,
    )
    assert_rejected(refused, "process_validation_payment")


def test_invalid_validation_payment__unknown_app() -> None:
    ledger, book = funded()
    refused = process_validation_payment(
        ledger,
        book,
        app=AppId("nope"),
        prefund_ustr=0,
        subscribers=VALIDATORS,
        seed=b"",
        params=WHITEPAPER_PARAMS,
    )
    assert_rejected(refused, "process_validation_payment")


# --- locking and resolving ----------------------------------------------------------------------


def test_lock_round_payment__basic() -> None:
    """§3.3 Step 12: two nodes' golden-vector payments move to the locked escrow."""
    ledger, book = funded(ustb=1_000_000_000, ustr=1_000_000_000)
    after, after_book = lock(ledger, book)
    assert get_balance(after, LOCKED) == Balance(ustr=2 * 160_000_000, ustb=2 * 120_000_000)
    assert get_balance(after, ESCROW) == Balance(ustr=680_000_000, ustb=760_000_000)
    record = after_book.escrows[APP].locked[7]
    assert record.node_accounts == NODES and record.price == HALF_DOLLAR
    assert get_locked_totals(after_book.escrows[APP]) == (240_000_000, 320_000_000)
    assert is_consistent(after, after_book)
    assert not is_escrow_solvent(after, book)


def test_lock_then_resolve__pay_nodes() -> None:
    ledger, book = funded(ustb=1_000_000_000, ustr=1_000_000_000)
    locked_ledger, locked_book = lock(ledger, book)
    result = process_resolve_locked_payment(
        locked_ledger, locked_book, app=APP, round_id=7, paid_hash=OUTPUT_A
    )
    assert isinstance(result, tuple)
    after, after_book, paid = result
    assert paid == NODES
    for node in NODES:
        assert get_balance(after, node) == Balance(ustr=80_000_000, ustb=110_000_000)
    assert get_balance(after, LOCKED) == Balance(ustr=0, ustb=0)
    assert get_balance(after, SWAP_RESERVE).ustb == 20_000_000
    assert get_balance(after, NETWORK_SUPPORT).ustr == 80_000_000
    assert after.str_burned == 80_000_000
    assert 7 not in after_book.escrows[APP].locked
    assert is_consistent(after, after_book)


def test_lock_then_resolve__return_to_escrow() -> None:
    ledger, book = funded(ustb=1_000_000_000, ustr=1_000_000_000)
    locked_ledger, locked_book = lock(ledger, book)
    result = process_resolve_locked_payment(
        locked_ledger, locked_book, app=APP, round_id=7, paid_hash=None
    )
    assert isinstance(result, tuple)
    after, after_book, paid = result
    assert paid == ()
    assert escrows_of(after, APP) == (escrows_of(ledger, APP)[0], Balance(ustr=0, ustb=0))
    assert after_book == book
    assert is_consistent(after, after_book)


def test_lock_then_resolve__pays_only_the_resolved_output() -> None:
    """§3.3 F11-F12: a resolution pays only the nodes that revealed the resolved output; the
    share of a node that revealed another returns to the app's escrow."""
    ledger, book = funded(ustb=1_000_000_000, ustr=1_000_000_000)
    locked_ledger, locked_book = lock(ledger, book, output_hashes=(OUTPUT_A, OUTPUT_B))
    result = process_resolve_locked_payment(
        locked_ledger, locked_book, app=APP, round_id=7, paid_hash=OUTPUT_A
    )
    assert isinstance(result, tuple)
    after, after_book, paid = result
    assert paid == (NODES[0],)
    assert get_balance(after, NODES[0]) == Balance(ustr=80_000_000, ustb=110_000_000)
    assert get_balance(after, NODES[1]) == Balance(ustr=0, ustb=0)
    assert get_balance(after, LOCKED) == Balance(ustr=0, ustb=0)
    assert get_balance(after, ESCROW) == Balance(
        ustr=680_000_000 + 160_000_000, ustb=760_000_000 + 120_000_000
    )
    assert is_consistent(after, after_book)


def test_lock_records_what_the_resolution_needs() -> None:
    ledger, book = funded()
    result = process_lock_round_payment(
        ledger,
        book,
        app=APP,
        round_id=7,
        node_accounts=NODES,
        cost=DOLLARS_100,
        params=WHITEPAPER_PARAMS,
        validators=(ValidatorId("v1"), ValidatorId("v0")),
        output_hashes=(OUTPUT_B, None),
        agreed_output_hash=OUTPUT_B,
        threshold_base=3,
    )
    assert isinstance(result, tuple)
    record = result[1].escrows[APP].locked[7]
    assert record.validators == ("v1", "v0")
    assert (record.get_output_hash(0), record.get_output_hash(1)) == (OUTPUT_B, None)
    assert (record.agreed_output_hash, record.threshold_base) == (OUTPUT_B, 3)
    too_many = process_lock_round_payment(
        ledger,
        book,
        app=APP,
        round_id=7,
        node_accounts=NODES,
        cost=DOLLARS_100,
        params=WHITEPAPER_PARAMS,
        output_hashes=(OUTPUT_B, None, OUTPUT_A),
    )
    assert_rejected(too_many, "process_lock_round_payment")


def test_lock_two_rounds__resolve_one() -> None:
    ledger, book = funded(ustb=1_000_000_000, ustr=1_000_000_000)
    ledger, book = lock(ledger, book, round_id=1, cost=3)
    ledger, book = lock(ledger, book, round_id=2, cost=DOLLARS_100)
    result = process_resolve_locked_payment(ledger, book, app=APP, round_id=2, paid_hash=None)
    assert isinstance(result, tuple)
    after, after_book, _ = result
    split = compute_payment_split(3, WHITEPAPER_PARAMS)
    assert get_balance(after, LOCKED).ustb == 2 * split.stb_withdrawn
    assert is_consistent(after, after_book)


def test_lock_round_payment__escrow_isolation() -> None:
    ledger, book = funded(ustb=1_000_000_000, ustr=1_000_000_000)
    after, _ = lock(ledger, book)
    assert escrows_of(after, OTHER_APP) == escrows_of(ledger, OTHER_APP)


def lock_refused(
    ledger: Ledger,
    book: EscrowBook,
    *,
    app: AppId = APP,
    node_accounts: tuple[AccountId, ...] = NODES,
    cost: int = DOLLARS_100,
    params: Params = WHITEPAPER_PARAMS,
) -> Rejected:
    result = process_lock_round_payment(
        ledger, book, app=app, round_id=7, node_accounts=node_accounts, cost=cost, params=params
    )
    return assert_rejected(result, "process_lock_round_payment")


def test_invalid_lock_round_payment__already_locked() -> None:
    ledger, book = lock(*funded())
    lock_refused(ledger, book)


def test_invalid_lock_round_payment__funds_short() -> None:
    ledger, book = funded(ustb=2 * 120_000_000 - 1, ustr=RICH)
    lock_refused(ledger, book)


def test_invalid_lock_round_payment__nodes() -> None:
    ledger, book = funded()
    lock_refused(ledger, book, node_accounts=())
    lock_refused(ledger, book, node_accounts=(NODE, NODE))
    lock_refused(ledger, book, node_accounts=(NODE, SWAP_RESERVE))


def test_invalid_lock_round_payment__no_price() -> None:
    ledger, book = funded(ustr=0, price=None)
    lock_refused(ledger, book)


def test_invalid_lock_round_payment__cost_and_params() -> None:
    ledger, book = funded()
    lock_refused(ledger, book, cost=-1)
    params = with_values(WHITEPAPER_PARAMS, {("payment", "str_burn_bps"): 4_000})
    lock_refused(ledger, book, params=params)


def test_invalid_lock_round_payment__unknown_app() -> None:
    ledger, book = funded()
    lock_refused(ledger, book, app=AppId("nope"))


def test_invalid_resolve_locked_payment__unknown_round() -> None:
    ledger, book = lock(*funded())
    for app, round_id in ((APP, 8), (AppId("nope"), 7)):
        refused = process_resolve_locked_payment(
            ledger, book, app=app, round_id=round_id, paid_hash=OUTPUT_A
        )
        assert_rejected(refused, "process_resolve_locked_payment")


def test_invalid_resolve_locked_payment__locked_account_drained() -> None:
    """A locked account that no longer holds its records' funds cannot pay; nothing moves."""
    ledger, book = lock(*funded())
    broken = attrs.evolve(
        ledger,
        balances=ledger.balances.set(LOCKED, Balance(ustr=0, ustb=0)),
    )
    for paid_hash in (OUTPUT_A, None):
        refused = process_resolve_locked_payment(
            broken, book, app=APP, round_id=7, paid_hash=paid_hash
        )
        assert_rejected(refused, "process_resolve_locked_payment")
