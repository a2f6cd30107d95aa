"""Tests for model/complaints.py: the Complaint Network Committee's deposits and payouts (§6.8)."""

from __future__ import annotations

from model_checks import is_str_conserved

from model.complaints import (
    ComplaintBook,
    process_resolve_complaint,
    process_submit_complaint,
)
from model.governance import create_governance_state
from model.ledger import COMPLAINT_DEPOSITS, RESERVE_POOL, Ledger, create_genesis, get_balance
from model.params import with_values
from model.units import AccountId, Rejected

ALICE = AccountId("alice")
V1, V2, V3 = AccountId("val1"), AccountId("val2"), AccountId("val3")
# The live parameters, as a caller passes them from its GovernanceState.
PARAMS = create_governance_state().params


def genesis(allocations: dict[AccountId, int]) -> Ledger:
    ledger = create_genesis(allocations)
    assert not isinstance(ledger, Rejected), ledger
    return ledger


def file_complaint(
    ledger: Ledger, book: ComplaintBook, *, deposit: int
) -> tuple[Ledger, ComplaintBook]:
    result = process_submit_complaint(
        ledger,
        book,
        params=PARAMS,
        complaint_id="c1",
        complainant=ALICE,
        app_or_node_target="node0xbad",
        deposit_ustr=deposit,
    )
    assert not isinstance(result, Rejected), result
    assert get_balance(result[0], COMPLAINT_DEPOSITS).ustr == deposit
    assert is_str_conserved(result[0])
    return result


def test_complaint_upheld__refund_to_complainant__no_dust() -> None:
    deposit = 1_000_001
    ledger = genesis({ALICE: deposit})
    ledger, book = file_complaint(ledger, ComplaintBook(), deposit=deposit)
    result = process_resolve_complaint(
        ledger, book, params=PARAMS, complaint_id="c1", upheld=True, validators=(V1, V2, V3)
    )
    assert not isinstance(result, Rejected), result
    ledger, book, resolution = result
    # 80% floored = 800_000; the rest 200_001 over 3 validators = 66_667 each, remainder 0.
    assert get_balance(ledger, ALICE).ustr == 800_000
    assert [get_balance(ledger, v).ustr for v in (V1, V2, V3)] == [66_667] * 3
    assert get_balance(ledger, RESERVE_POOL).ustr == 0
    assert get_balance(ledger, COMPLAINT_DEPOSITS).ustr == 0
    assert resolution.upheld and resolution.target == "node0xbad"
    assert book.complaints["c1"].upheld is True
    assert is_str_conserved(ledger)


def test_complaint_rejected__odd_deposit_refund_share_and_dust_to_reserve() -> None:
    deposit = 1_000_011
    ledger = genesis({ALICE: deposit})
    ledger, book = file_complaint(ledger, ComplaintBook(), deposit=deposit)
    result = process_resolve_complaint(
        ledger, book, params=PARAMS, complaint_id="c1", upheld=False, validators=(V1, V2, V3)
    )
    assert not isinstance(result, Rejected), result
    ledger, book, resolution = result
    # refund share 800_008 to the reserve pool; 200_003 = 3 * 66_667 + 2, the 2 also to reserve.
    assert get_balance(ledger, ALICE).ustr == 0
    assert [get_balance(ledger, v).ustr for v in (V1, V2, V3)] == [66_667] * 3
    assert get_balance(ledger, RESERVE_POOL).ustr == 800_008 + 2
    assert (resolution.refund_recipient, resolution.refund_ustr) == (RESERVE_POOL, 800_008)
    assert resolution.reserve_dust_ustr == 2
    assert book.complaints["c1"].upheld is False
    assert get_balance(ledger, COMPLAINT_DEPOSITS).ustr == 0
    assert is_str_conserved(ledger)


def test_complaint_upheld__odd_deposit_dust_to_reserve() -> None:
    deposit = 1_000_011
    ledger = genesis({ALICE: deposit})
    ledger, book = file_complaint(ledger, ComplaintBook(), deposit=deposit)
    result = process_resolve_complaint(
        ledger, book, params=PARAMS, complaint_id="c1", upheld=True, validators=(V1, V2, V3)
    )
    assert not isinstance(result, Rejected), result
    ledger, _, resolution = result
    # refund = 800_008 (floor of 800_008.8); rest 200_003 = 3 * 66_667 + 2; dust 2 to reserve.
    assert get_balance(ledger, ALICE).ustr == 800_008
    assert [get_balance(ledger, v).ustr for v in (V1, V2, V3)] == [66_667] * 3
    assert get_balance(ledger, RESERVE_POOL).ustr == 2
    assert resolution.reserve_dust_ustr == 2
    assert get_balance(ledger, COMPLAINT_DEPOSITS).ustr == 0
    assert is_str_conserved(ledger)


def test_complaint__no_validators_all_rest_to_reserve() -> None:
    deposit = 1_000_000
    ledger = genesis({ALICE: deposit})
    ledger, book = file_complaint(ledger, ComplaintBook(), deposit=deposit)
    result = process_resolve_complaint(
        ledger, book, params=PARAMS, complaint_id="c1", upheld=False, validators=()
    )
    assert not isinstance(result, Rejected), result
    ledger, _, _ = result
    assert get_balance(ledger, RESERVE_POOL).ustr == deposit
    assert is_str_conserved(ledger)


def test_invalid_complaint_below_min_deposit() -> None:
    ledger = genesis({ALICE: 10**7})
    book = ComplaintBook()
    minimum = PARAMS.governance.complaint_min_deposit_ustr
    result = process_submit_complaint(
        ledger,
        book,
        params=PARAMS,
        complaint_id="c",
        complainant=ALICE,
        app_or_node_target="app0x1",
        deposit_ustr=minimum - 1,
    )
    assert isinstance(result, Rejected)
    assert result.rule == "process_submit_complaint"
    file_complaint(ledger, book, deposit=minimum)


def test_invalid_complaint_duplicate_and_resolve_twice() -> None:
    ledger = genesis({ALICE: 10**7})
    ledger, book = file_complaint(ledger, ComplaintBook(), deposit=10**6)
    again = process_submit_complaint(
        ledger,
        book,
        params=PARAMS,
        complaint_id="c1",
        complainant=ALICE,
        app_or_node_target="x",
        deposit_ustr=10**6,
    )
    assert isinstance(again, Rejected)
    resolved = process_resolve_complaint(
        ledger, book, params=PARAMS, complaint_id="c1", upheld=True, validators=()
    )
    assert not isinstance(resolved, Rejected)
    ledger, book, _ = resolved
    twice = process_resolve_complaint(
        ledger, book, params=PARAMS, complaint_id="c1", upheld=True, validators=()
    )
    assert isinstance(twice, Rejected)
    unknown = process_resolve_complaint(
        ledger, book, params=PARAMS, complaint_id="zz", upheld=True, validators=()
    )
    assert isinstance(unknown, Rejected)


def test_invalid_complaint_duplicate_validator() -> None:
    ledger = genesis({ALICE: 10**7})
    ledger, book = file_complaint(ledger, ComplaintBook(), deposit=10**6)
    result = process_resolve_complaint(
        ledger, book, params=PARAMS, complaint_id="c1", upheld=True, validators=(V1, V1)
    )
    assert isinstance(result, Rejected)


def test_complaint_book__starts_empty_and_compares_by_value() -> None:
    assert len(ComplaintBook().complaints) == 0
    assert ComplaintBook() == ComplaintBook()
    assert hash(ComplaintBook()) == hash(ComplaintBook())


def test_complaint__params_argument_is_the_one_applied() -> None:
    """Changed live params (refund 50%, MinDeposit 10 ustr) govern both the filing and the split."""
    params = with_values(
        PARAMS,
        {
            ("governance", "complaint_refund_bps"): 5_000,
            ("governance", "complaint_min_deposit_ustr"): 10,
        },
    )
    ledger = genesis({ALICE: 11})
    below = process_submit_complaint(
        ledger,
        ComplaintBook(),
        params=params,
        complaint_id="c1",
        complainant=ALICE,
        app_or_node_target="app0x1",
        deposit_ustr=9,
    )
    assert isinstance(below, Rejected)
    # 11 ustr is far below the default MinDeposit, but reaches the live one.
    filed = process_submit_complaint(
        ledger,
        ComplaintBook(),
        params=params,
        complaint_id="c1",
        complainant=ALICE,
        app_or_node_target="app0x1",
        deposit_ustr=11,
    )
    assert not isinstance(filed, Rejected), filed
    ledger, book = filed
    result = process_resolve_complaint(
        ledger, book, params=params, complaint_id="c1", upheld=True, validators=(V1, V2)
    )
    assert not isinstance(result, Rejected), result
    ledger, book, resolution = result
    # refund = floor(11 * 50%) = 5; rest 6 = 2 * 3, no dust.
    assert get_balance(ledger, ALICE).ustr == 5
    assert [get_balance(ledger, v).ustr for v in (V1, V2)] == [3, 3]
    assert (resolution.per_validator_ustr, resolution.reserve_dust_ustr) == (3, 0)
    assert book.complaints["c1"].upheld is True
    assert is_str_conserved(ledger)
