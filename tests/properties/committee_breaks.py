"""Traces and broken rules for the committees, the insurance pool and the complaints a node's
reputation records (SUB-POWERS, INS-POOL, REP-RECORDED, ACT-GRANT): shared by
tests/properties/test_committees.py and tests/properties/test_broken_models.py."""

from __future__ import annotations

from typing import Any

import pytest
from broken_fixtures import APP, honest_round, plan
from broken_rules import DEFAULTS, GOLDEN_COST, USER_0, USER_1, USER_2, P

import model.committees
import model.insurance
from model.chain import economy, society
from model.chain.actions import (
    Action,
    DelegateToSubcommittee,
    FundInsurance,
    GrantNetworkSupport,
    PayInsurance,
    ResolveComplaint,
    RunRound,
    SlashNode,
    SubmitComplaint,
)
from model.committees import INSURANCE_COMMITTEE, SLASHING_COMMITTEE
from model.governance import NETWORK_SUPPORT_COMMITTEE
from model.insurance import InsuranceClaim
from model.ledger import INSURANCE_POOL, NETWORK_SUPPORT, Ledger, process_transfer_str
from model.params import Params
from model.payment import SupportPurpose
from model.profile import Profile
from model.reputation import ReputationState
from model.trusted.behaviour import Behaviour
from model.units import MICRO, NodeId, Rejected

BACKING = 500_000 * MICRO
"""More than 1% of the genesis' circulating STR (about 22 million STR)."""
MIN_DEPOSIT = P.governance.complaint_min_deposit_ustr
N1 = NodeId("n1")

NETWORK_SUPPORT_BACKED: tuple[Action, ...] = (
    DelegateToSubcommittee(USER_2, NETWORK_SUPPORT_COMMITTEE, BACKING),
    DelegateToSubcommittee(USER_1, NETWORK_SUPPORT_COMMITTEE, BACKING // 4),
    honest_round(cost=GOLDEN_COST),
)
"""Network Support active (user-2 holds 80% of its delegated STR, user-1 20%) and funded."""
INSURANCE_BACKED: tuple[Action, ...] = (
    FundInsurance(USER_0, 10 * MICRO),
    DelegateToSubcommittee(USER_0, INSURANCE_COMMITTEE, BACKING),
)
SLASHING_BACKED: tuple[Action, ...] = (
    DelegateToSubcommittee(USER_1, SLASHING_COMMITTEE, BACKING // 2),
)
VOTED: tuple[Action, ...] = (
    *NETWORK_SUPPORT_BACKED,
    GrantNetworkSupport(USER_1, MICRO, SupportPurpose.CORE_DEVELOPMENT, frozenset({USER_2})),
    GrantNetworkSupport(USER_1, MICRO, SupportPurpose.BUG_BOUNTY, frozenset({USER_1, USER_2})),
    *INSURANCE_BACKED,
    PayInsurance(USER_1, 3 * MICRO, InsuranceClaim.CYBERCRIME_BOUNTY, frozenset({USER_0})),
    *SLASHING_BACKED,
    SlashNode(N1, 7, frozenset({USER_1})),
)
"""Each power used on its committee's vote: all accepted under both profiles."""
UNVOTED: tuple[Action, ...] = (
    *NETWORK_SUPPORT_BACKED,
    *INSURANCE_BACKED,
    *SLASHING_BACKED,
    # Signed by user-1 alone: 20% of Network Support's delegated STR.
    GrantNetworkSupport(USER_1, MICRO, signers=frozenset({USER_1})),
    GrantNetworkSupport(USER_1, MICRO),
    PayInsurance(USER_1, MICRO, InsuranceClaim.NODE_REIMBURSEMENT),
    SlashNode(N1, 7),
    # App mining is also the App Mining Voting Committee's, which nobody backs.
    GrantNetworkSupport(USER_1, MICRO, SupportPurpose.APP_MINING, frozenset({USER_2})),
)
"""Each power used without its committee's vote (or, app mining, without an active second
committee)."""
SUB_POWERS_TRACE: tuple[Action, ...] = (*VOTED, *UNVOTED[-5:-1])
"""Each power used on its committee's vote, then without it (refused, hardened)."""
SUB_POWERS_REFUSED = (
    "process_grant_network_support",
    "process_grant_network_support",
    "process_pay_insurance_action",
    "process_slash_node_action",
)
COMPLAINTS: tuple[Action, ...] = (
    SubmitComplaint("c0", USER_0, "node:n0", MIN_DEPOSIT),
    SubmitComplaint("c1", USER_0, "node:n1", MIN_DEPOSIT),
    SubmitComplaint("c2", USER_0, "app:app-0", MIN_DEPOSIT),
    ResolveComplaint("c0", upheld=True),
    ResolveComplaint("c1", upheld=False),
    ResolveComplaint("c2", upheld=True),
    RunRound(APP, (plan(0), plan(1), plan(2), plan(3, Behaviour.SENDS_OTHER_OUTPUT)), MICRO),
)
"""Upheld and dismissed complaints on nodes and an app, and a round whose app complains on n3's
output (F9)."""


# --- Broken models ------------------------------------------------------------------------------


def vote_ignored(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """A committee acts on any signers' request, voted or not."""
    monkeypatch.setattr(model.committees, "is_committee_vote_passed", lambda *args: True)
    return DEFAULTS


def upheld_not_recorded(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """An upheld complaint never reaches the node's reputation."""
    monkeypatch.setattr(society, "process_record_upheld_complaint", lambda rep, **kwargs: rep)
    return DEFAULTS


def output_complaints_dropped(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """A round's F9 complaints stay in the round record."""

    def broken(rep: ReputationState, **kwargs: Any) -> ReputationState:
        return rep

    monkeypatch.setattr(economy, "process_record_output_complaints", broken)
    return DEFAULTS


def payout_one_over(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """An insurance payout takes one ustr more from the pool than it pays (a fee to Network
    Support)."""
    real = model.insurance.process_insurance_payout

    def broken(ledger: Ledger, **kwargs: Any) -> Any:
        paid = real(ledger, **kwargs)
        if isinstance(paid, Rejected):
            return paid
        return process_transfer_str(
            paid, sender=INSURANCE_POOL, recipient=NETWORK_SUPPORT, amount=1
        )

    monkeypatch.setattr(society, "process_insurance_payout", broken)
    return DEFAULTS


def contribution_to_network_support(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """A contribution to the insurance pool lands in Network Support."""

    def broken(ledger: Ledger, *, contributor: Any, amount: int) -> Any:
        return process_transfer_str(
            ledger, sender=contributor, recipient=NETWORK_SUPPORT, amount=amount
        )

    monkeypatch.setattr(society, "process_insurance_contribution", broken)
    return DEFAULTS


def slash_the_next_node(monkeypatch: pytest.MonkeyPatch) -> tuple[Params, Profile]:
    """A committee's slash burns the stake of the node after the one it names."""
    real = model.committees.process_committee_node_slash

    def broken(ledger: Ledger, nodes: Any, *, node: NodeId, amount: int) -> Any:
        return real(ledger, nodes, node=NodeId(f"n{int(node[1:]) + 1}"), amount=amount)

    monkeypatch.setattr(society, "process_committee_node_slash", broken)
    return DEFAULTS
