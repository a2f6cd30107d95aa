"""Chain actions of governance and reputation: proposals, votes, tallies, subcommittees and
their powers (insurance payouts, node slashes), complaints, app profiles and outbound requests
(§4.5, §6.8, §6.10)."""

from __future__ import annotations

from model.chain.actions import (
    CastVote,
    CreateSubcommittee,
    DelegateToSubcommittee,
    FundInsurance,
    OutboundEffect,
    OutboundRequest,
    PayInsurance,
    ResolveComplaint,
    SetAppProfile,
    SlashNode,
    SubmitComplaint,
    SubmitProposal,
    Tally,
    TallyEffect,
    UndelegateFromSubcommittee,
)
from model.chain.common import (
    Step,
    check_committee_vote,
    check_signer,
    done,
    get_held_str_by_account,
    get_validator_accounts,
    write_back,
)
from model.chain.security import process_core_vote_timeouts
from model.chain.state import ChainState
from model.committees import (
    INSURANCE_COMMITTEE,
    SLASHING_COMMITTEE,
    process_committee_node_slash,
)
from model.complaints import (
    get_complained_node,
    process_resolve_complaint,
    process_submit_complaint,
)
from model.governance import (
    process_create_subcommittee,
    process_delegate_to_subcommittee,
    process_submit_proposal,
    process_tally,
    process_undelegate_from_subcommittee,
    process_vote,
)
from model.insurance import process_insurance_contribution, process_insurance_payout
from model.ledger import is_user_account
from model.records import evolve
from model.reputation import (
    process_external_request_payout,
    process_outbound_request,
    process_record_upheld_complaint,
    process_set_app_profile,
)
from model.units import Outcome, Rejected


def process_submit_proposal_action(state: ChainState, action: SubmitProposal) -> Outcome[Step]:
    """§6.8: open a parameter-change vote."""
    # Verify the signer is a user account: nobody signs for a module pool or an escrow.
    if (refused := check_signer("process_submit_proposal_action", action.proposer)) is not None:
        return refused
    result = process_submit_proposal(
        state.ledger,
        state.governance,
        proposer=action.proposer,
        changes=action.changes,
        deposit_ustr=action.deposit_ustr,
        now=state.now,
        profile=state.profile,
    )
    return write_back(state, result, "ledger", "governance")


def process_cast_vote(state: ChainState, action: CastVote) -> Outcome[Step]:
    """§6.8: record a vote."""
    # Verify the signer is a user account: nobody signs for a module pool or an escrow.
    if (refused := check_signer("process_cast_vote", action.voter)) is not None:
        return refused
    governance = process_vote(
        state.governance,
        proposal_id=action.proposal_id,
        voter=action.voter,
        option=action.option,
        now=state.now,
    )
    return write_back(state, governance, "governance")


def process_tally_action(state: ChainState, action: Tally) -> Outcome[Step]:
    """§6.8: weigh the votes and apply a passed proposal."""
    proposal = state.governance.proposals.get(action.proposal_id)
    result = process_tally(
        state.ledger,
        state.governance,
        proposal_id=action.proposal_id,
        now=state.now,
        held=get_held_str_by_account(state),
        validators=get_validator_accounts(state),
        profile=state.profile,
    )
    if isinstance(result, Rejected):
        return result
    assert proposal is not None
    ledger, governance, tally = result
    effect = TallyEffect(proposal, tally, state.params, governance.params)
    after = evolve(state, ledger=ledger, governance=governance)
    # §6.8: validators that did not vote on a core parameter change are timed out.
    after, timeouts = process_core_vote_timeouts(state, after, proposal)
    return done(after, effect, *timeouts)


def process_create_subcommittee_action(
    state: ChainState, action: CreateSubcommittee
) -> Outcome[Step]:
    """§6.8: create a subcommittee."""
    governance = process_create_subcommittee(
        state.governance, name=action.name, creator=action.creator
    )
    return write_back(state, governance, "governance")


def process_delegate_to_subcommittee_action(
    state: ChainState, action: DelegateToSubcommittee
) -> Outcome[Step]:
    """§6.8: delegate STR to a subcommittee."""
    # Verify the signer is a user account: nobody signs for a module pool or an escrow.
    if (
        refused := check_signer("process_delegate_to_subcommittee_action", action.delegator)
    ) is not None:
        return refused
    result = process_delegate_to_subcommittee(
        state.ledger,
        state.governance,
        delegator=action.delegator,
        subcommittee=action.name,
        amount=action.amount,
    )
    return write_back(state, result, "ledger", "governance")


def process_undelegate_from_subcommittee_action(
    state: ChainState, action: UndelegateFromSubcommittee
) -> Outcome[Step]:
    """§6.8: take STR back from a subcommittee."""
    # Verify the signer is a user account: nobody signs for a module pool or an escrow.
    if (
        refused := check_signer("process_undelegate_from_subcommittee_action", action.delegator)
    ) is not None:
        return refused
    result = process_undelegate_from_subcommittee(
        state.ledger,
        state.governance,
        delegator=action.delegator,
        subcommittee=action.name,
        amount=action.amount,
    )
    return write_back(state, result, "ledger", "governance")


def process_submit_complaint_action(state: ChainState, action: SubmitComplaint) -> Outcome[Step]:
    """§6.8: file a complaint with a deposit."""
    # Verify the signer is a user account: nobody signs for a module pool or an escrow.
    if (refused := check_signer("process_submit_complaint_action", action.complainant)) is not None:
        return refused
    result = process_submit_complaint(
        state.ledger,
        state.complaints,
        params=state.params,
        complaint_id=action.complaint_id,
        complainant=action.complainant,
        app_or_node_target=action.target,
        deposit_ustr=action.deposit_ustr,
    )
    return write_back(state, result, "ledger", "complaints")


def process_resolve_complaint_action(state: ChainState, action: ResolveComplaint) -> Outcome[Step]:
    """§6.8: resolve a complaint; its deposit splits between refund or reserve and validators,
    and an upheld complaint on a node "is added to node's reputation on-chain"."""
    result = process_resolve_complaint(
        state.ledger,
        state.complaints,
        params=state.params,
        complaint_id=action.complaint_id,
        upheld=action.upheld,
        validators=get_validator_accounts(state),
    )
    if isinstance(result, Rejected):
        return result
    ledger, complaints, resolution = result
    reputation = state.reputation
    node = get_complained_node(resolution.target)
    if resolution.upheld and node is not None:
        reputation = process_record_upheld_complaint(reputation, node=node)
    return done(evolve(state, ledger=ledger, complaints=complaints, reputation=reputation))


def process_fund_insurance_action(state: ChainState, action: FundInsurance) -> Outcome[Step]:
    """§4.5: a contribution of STR to the insurance pool."""
    # Verify the contributor signs: nobody signs for a module pool or an escrow.
    if (refused := check_signer("process_fund_insurance_action", action.contributor)) is not None:
        return refused
    ledger = process_insurance_contribution(
        state.ledger, contributor=action.contributor, amount=action.amount
    )
    return write_back(state, ledger, "ledger")


def process_pay_insurance_action(state: ChainState, action: PayInsurance) -> Outcome[Step]:
    """§4.5, §6.8: the insurance pool pays a bounty or a reimbursement on its committee's vote."""
    rule = "process_pay_insurance_action"
    # Verify the Insurance Pool Payouts Committee is active and (hardened) voted the payout.
    if (
        refused := check_committee_vote(rule, state, (INSURANCE_COMMITTEE,), action.signers)
    ) is not None:
        return refused
    # Verify the payout goes to a wallet, a node's or a bounty hunter's.
    if not is_user_account(action.recipient):
        return Rejected(rule, f"{action.recipient} is not a wallet")
    ledger = process_insurance_payout(
        state.ledger, recipient=action.recipient, amount=action.amount, claim=action.claim
    )
    return write_back(state, ledger, "ledger")


def process_slash_node_action(state: ChainState, action: SlashNode) -> Outcome[Step]:
    """§6.10, §6.8: burn the amount of a cheating node's stake its committee voted."""
    rule = "process_slash_node_action"
    # Verify the slashing committee is active and (hardened) voted the slash.
    if (
        refused := check_committee_vote(rule, state, (SLASHING_COMMITTEE,), action.signers)
    ) is not None:
        return refused
    result = process_committee_node_slash(
        state.ledger, state.nodes, node=action.node, amount=action.amount
    )
    return write_back(state, result, "ledger", "nodes")


def process_set_app_profile_action(state: ChainState, action: SetAppProfile) -> Outcome[Step]:
    """§4.5: record what exempts an app from the outbound cap; under `app_stake_locked` an app
    whose service is launched stakes exactly the STR it locked (§4.3.3)."""
    service = state.market.services.get(action.app)
    # Verify (hardened) a launched app declares only the stake it locked.
    locked = service.stake_ustr if service is not None else None
    if state.profile.app_stake_locked and locked is not None and action.staked_ustr != locked:
        return Rejected(
            "process_set_app_profile_action",
            f"app {action.app} locked {locked} ustr at launch, not {action.staked_ustr!r}",
        )
    reputation = process_set_app_profile(
        state.reputation,
        app=action.app,
        open_source=action.open_source,
        staked_ustr=action.staked_ustr,
    )
    return write_back(state, reputation, "reputation")


def process_outbound_request_action(state: ChainState, action: OutboundRequest) -> Outcome[Step]:
    """§4.5: an outbound request, refused past an unqualified app's cap; §4.4: the node that
    makes it is paid the base payout from the app's escrow, and a request the escrow cannot
    pay is refused (and not counted)."""
    rule = "process_outbound_request_action"
    reputation = process_outbound_request(
        state.reputation, app=action.app, now=state.now, params=state.params, str_price=action.price
    )
    if isinstance(reputation, Rejected):
        return reputation
    ledger, payout = state.ledger, 0
    if action.node is not None:
        node = state.nodes.get(action.node)
        # Verify a registered node of an app with an escrow makes the call.
        if node is None:
            return Rejected(rule, f"{action.node} is not a registered node")
        if action.app not in state.escrows.escrows:
            return Rejected(rule, f"app {action.app} has no escrow")
        paid = process_external_request_payout(
            state.ledger, app=action.app, node_account=node.account, params=state.params
        )
        if isinstance(paid, Rejected):
            return paid
        ledger, payout = paid
    effect = OutboundEffect(action.app, state.now, action.price, action.node, payout)
    return done(evolve(state, reputation=reputation, ledger=ledger), effect)
