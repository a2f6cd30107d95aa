"""Tests for model/committees.py, model/insurance.py and the complaints a node's reputation
records (§4.5, §6.5, §6.8, §6.10, §3.2 F9)."""

from __future__ import annotations

from governance_fixtures import ALICE, BOB, CAROL, genesis
from pyrsistent import pmap

from model.committees import (
    APP_MINING_COMMITTEE,
    INSURANCE_COMMITTEE,
    get_committee_refusal,
    get_committee_vote_weight,
    get_grant_committees,
    is_committee_vote_passed,
    process_committee_node_slash,
)
from model.complaints import get_complained_node
from model.governance import (
    NETWORK_SUPPORT_COMMITTEE,
    GovernanceState,
    create_governance_state,
    process_delegate_to_subcommittee,
)
from model.insurance import (
    InsuranceClaim,
    process_insurance_contribution,
    process_insurance_payout,
)
from model.ledger import BURN_ADDRESS, INSURANCE_POOL, NODE_STAKE_POOL, Ledger, get_balance
from model.payment import SupportPurpose
from model.profile import HARDENED, WHITEPAPER
from model.reputation import (
    ReputationState,
    get_node_reputation,
    process_record_output_complaints,
    process_record_upheld_complaint,
)
from model.trusted.settlement import NodeStake
from model.units import AccountId, NodeId, Rejected

N0 = NodeId("n0")


def backed(delegations: dict[tuple[AccountId, str], int]) -> tuple[Ledger, GovernanceState]:
    """A ledger of 10,000 ustr (ALICE, BOB, CAROL) and the delegations given."""
    ledger = genesis({ALICE: 4_000, BOB: 3_000, CAROL: 3_000})
    gov = create_governance_state()
    for (delegator, name), amount in delegations.items():
        result = process_delegate_to_subcommittee(
            ledger, gov, delegator=delegator, subcommittee=name, amount=amount
        )
        assert not isinstance(result, Rejected), result
        ledger, gov = result
    return ledger, gov


# --- The committees' vote -----------------------------------------------------------------------


def test_vote__passes_only_above_two_thirds_of_the_delegated_str() -> None:
    # 300 delegated: 200 is exactly 2/3 (fails), 201 passes.
    _, gov = backed({(ALICE, INSURANCE_COMMITTEE): 200, (BOB, INSURANCE_COMMITTEE): 100})
    assert get_committee_vote_weight(gov, INSURANCE_COMMITTEE, {ALICE}) == 200
    assert not is_committee_vote_passed(gov, INSURANCE_COMMITTEE, {ALICE})
    assert is_committee_vote_passed(gov, INSURANCE_COMMITTEE, {ALICE, BOB})
    _, gov = backed({(ALICE, INSURANCE_COMMITTEE): 201, (BOB, INSURANCE_COMMITTEE): 100})
    assert is_committee_vote_passed(gov, INSURANCE_COMMITTEE, {ALICE})


def test_vote__str_delegated_to_another_committee_does_not_count() -> None:
    _, gov = backed({(ALICE, NETWORK_SUPPORT_COMMITTEE): 500, (BOB, INSURANCE_COMMITTEE): 200})
    assert get_committee_vote_weight(gov, INSURANCE_COMMITTEE, {ALICE}) == 0
    assert not is_committee_vote_passed(gov, INSURANCE_COMMITTEE, {ALICE})


def test_refusal__hardened_needs_the_vote_literal_only_activity() -> None:
    ledger, gov = backed({(ALICE, INSURANCE_COMMITTEE): 200, (BOB, INSURANCE_COMMITTEE): 100})
    committees = (INSURANCE_COMMITTEE,)
    refusal = get_committee_refusal(
        ledger, gov, committees=committees, signers=frozenset(), profile=HARDENED
    )
    assert refusal is not None and "not more than 2/3" in refusal
    voted = frozenset({ALICE, BOB})
    assert (
        get_committee_refusal(ledger, gov, committees=committees, signers=voted, profile=HARDENED)
        is None
    )
    assert (
        get_committee_refusal(
            ledger, gov, committees=committees, signers=frozenset(), profile=WHITEPAPER
        )
        is None
    )


def test_refusal__an_inactive_committee_cannot_act_even_unanimously() -> None:
    # 100 of 10,000 ustr is exactly 1%: inactive.
    ledger, gov = backed({(ALICE, INSURANCE_COMMITTEE): 100})
    for profile in (HARDENED, WHITEPAPER):
        refusal = get_committee_refusal(
            ledger,
            gov,
            committees=(INSURANCE_COMMITTEE,),
            signers=frozenset({ALICE}),
            profile=profile,
        )
        assert refusal is not None and "not active" in refusal


def test_grant_committees__app_mining_needs_both_committees() -> None:
    assert get_grant_committees(SupportPurpose.CORE_DEVELOPMENT) == (NETWORK_SUPPORT_COMMITTEE,)
    assert get_grant_committees(SupportPurpose.BUG_BOUNTY) == (NETWORK_SUPPORT_COMMITTEE,)
    assert get_grant_committees(SupportPurpose.APP_MINING) == (
        NETWORK_SUPPORT_COMMITTEE,
        APP_MINING_COMMITTEE,
    )


# --- The insurance pool -------------------------------------------------------------------------


def test_insurance__a_contribution_then_a_payout_move_exact_amounts() -> None:
    ledger = genesis({ALICE: 1_000})
    funded = process_insurance_contribution(ledger, contributor=ALICE, amount=400)
    assert not isinstance(funded, Rejected), funded
    assert get_balance(funded, INSURANCE_POOL).ustr == 400
    paid = process_insurance_payout(
        funded, recipient=BOB, amount=150, claim=InsuranceClaim.NODE_REIMBURSEMENT
    )
    assert not isinstance(paid, Rejected), paid
    assert (get_balance(paid, INSURANCE_POOL).ustr, get_balance(paid, BOB).ustr) == (250, 150)


def test_insurance__a_payout_past_the_pool_is_refused() -> None:
    ledger = genesis({ALICE: 1_000})
    funded = process_insurance_contribution(ledger, contributor=ALICE, amount=10)
    assert not isinstance(funded, Rejected)
    paid = process_insurance_payout(
        funded, recipient=BOB, amount=11, claim=InsuranceClaim.CYBERCRIME_BOUNTY
    )
    assert isinstance(paid, Rejected) and paid.rule == "process_insurance_payout"


# --- A committee's node slash -------------------------------------------------------------------


def test_node_slash__burns_the_voted_amount_of_that_stake() -> None:
    ledger = genesis({NODE_STAKE_POOL: 1_000})
    nodes = pmap({N0: NodeStake(account=ALICE, ustr=1_000)})
    result = process_committee_node_slash(ledger, nodes, node=N0, amount=300)
    assert not isinstance(result, Rejected), result
    ledger, nodes = result
    assert nodes[N0].ustr == 700
    assert get_balance(ledger, BURN_ADDRESS).ustr == 300
    assert ledger.str_burned == 300
    too_much = process_committee_node_slash(ledger, nodes, node=N0, amount=701)
    assert isinstance(too_much, Rejected)
    unknown = process_committee_node_slash(ledger, nodes, node=NodeId("n9"), amount=1)
    assert isinstance(unknown, Rejected)


# --- Complaints on a node's reputation ----------------------------------------------------------


def test_complained_node__only_a_node_target_names_a_node() -> None:
    assert get_complained_node("node:n0") == N0
    assert get_complained_node("app:app-0") is None
    assert get_complained_node("node:") is None


def test_reputation__upheld_and_output_complaints_count_per_node() -> None:
    rep = process_record_upheld_complaint(ReputationState(), node=N0)
    rep = process_record_output_complaints(rep, nodes=(N0, N0, NodeId("n1")))
    record = get_node_reputation(rep, N0)
    assert (record.upheld_complaints, record.output_complaints) == (1, 1)
    assert get_node_reputation(rep, NodeId("n1")).output_complaints == 1
    assert get_node_reputation(rep, NodeId("n2")).output_complaints == 0
