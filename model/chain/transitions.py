"""`process_action`: one action applied to the whole chain, with the effects it had.

Each handler forwards to the rule that owns the action (ledger, escrow, staking, slashing,
supply, governance, complaints, reputation, Trusted Function rounds) and writes the result
back; a refusal of the rule is the refusal of the action. The clock never runs backwards.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from model.complaints import process_resolve_complaint, process_submit_complaint
from model.escrow import (
    process_prepayment,
    process_resolve_locked_payment,
    process_withdraw_prepayment,
)
from model.governance import (
    is_network_support_grant_allowed,
    process_create_subcommittee,
    process_delegate_to_subcommittee,
    process_submit_proposal,
    process_tally,
    process_undelegate_from_subcommittee,
    process_vote,
)
from model.ledger import is_user_account, process_transfer
from model.payment import SupportPurpose, process_network_support_grant, process_swap_reserve
from model.reputation import process_outbound_request, process_set_app_profile
from model.slashing import process_double_sign_evidence, process_slash_validator
from model.staking import (
    BlockCommit,
    DoubleSignEvidence,
    Vote,
    get_active_set,
    get_validator_stake,
    process_block_commit,
    process_delegate,
    process_undelegate,
)
from model.supply import process_inflation_mint, process_stb_redeem, process_usdc_deposit
from model.trusted.behaviour import Scenario
from model.trusted.scenario import run_round_to_decision
from model.trusted.settlement import process_settle_round
from model.units import AccountId, NodeId, Outcome, Rejected

from .actions import (
    Action,
    AdvanceTime,
    CastVote,
    CommitBlock,
    CommitEffect,
    CreateSubcommittee,
    Delegate,
    DelegateToSubcommittee,
    DepositUsdc,
    Effect,
    Equivocate,
    GrantNetworkSupport,
    MintEffect,
    MintInflation,
    OutboundEffect,
    OutboundRequest,
    Prepay,
    RedeemStb,
    ResolveComplaint,
    ResolveLocked,
    RoundEffect,
    RunRound,
    SetAppProfile,
    SlashEffect,
    SlashValidator,
    SubmitComplaint,
    SubmitProposal,
    SwapReserve,
    Tally,
    TallyEffect,
    Transfer,
    Undelegate,
    UndelegateFromSubcommittee,
    WithdrawPrepayment,
)
from .state import ChainState, get_trusted_chain, get_validator_operator, with_trusted_chain

Step = tuple[ChainState, tuple[Effect, ...]]
NO_EFFECTS: tuple[Effect, ...] = ()


def _done(state: ChainState, *effects: Effect) -> Step:
    return state, tuple(effects)


def get_validator_accounts(state: ChainState) -> tuple[AccountId, ...]:
    """§4.4, §6.8: the operator accounts of the active validator set, in set order."""
    return tuple(
        get_validator_operator(validator)
        for validator in get_active_set(state.staking, state.params)
    )


def get_bonded_by_account(state: ChainState) -> dict[AccountId, int]:
    """§6.8: each account's STR bonded to validators, which votes with it."""
    bonded: dict[AccountId, int] = {}
    for (delegator, _), amount in state.staking.delegations.items():
        bonded[delegator] = bonded.get(delegator, 0) + amount
    return bonded


# --- Tokens and the bridge -----------------------------------------------------------------------


def process_deposit_usdc(state: ChainState, action: DepositUsdc) -> Outcome[Step]:
    """§6.1: mint STB for a bridged USDC deposit, once per deposit id."""
    result = process_usdc_deposit(
        state.ledger,
        state.supply,
        deposit_id=action.deposit_id,
        recipient=action.recipient,
        amount=action.amount,
    )
    if isinstance(result, Rejected):
        return result
    ledger, supply = result
    return _done(attrs.evolve(state, ledger=ledger, supply=supply))


def process_redeem_stb(state: ChainState, action: RedeemStb) -> Outcome[Step]:
    """§6.1: burn STB for USDC released on Ethereum."""
    ledger = process_stb_redeem(state.ledger, holder=action.holder, amount=action.amount)
    if isinstance(ledger, Rejected):
        return ledger
    return _done(attrs.evolve(state, ledger=ledger))


def process_transfer_action(state: ChainState, action: Transfer) -> Outcome[Step]:
    """§6.2: move tokens between two user accounts."""
    rule = "process_transfer_action"
    # Verify both ends are user accounts: nobody signs for a module pool or an escrow, and the
    # chain blocks sends into them (their balances must match their own records).
    for account in (action.sender, action.recipient):
        if not is_user_account(account):
            return Rejected(rule, f"{account} is a module or escrow account")
    ledger = process_transfer(
        state.ledger,
        sender=action.sender,
        recipient=action.recipient,
        token=action.token,
        amount=action.amount,
    )
    if isinstance(ledger, Rejected):
        return ledger
    return _done(attrs.evolve(state, ledger=ledger))


# --- Escrow and rounds ---------------------------------------------------------------------------


def process_prepay(state: ChainState, action: Prepay) -> Outcome[Step]:
    """§4.3.1: fund an app's escrow."""
    result = process_prepayment(
        state.ledger,
        state.escrows,
        app=action.app,
        payer=action.payer,
        ustb=action.ustb,
        ustr=action.ustr,
        price=action.price,
    )
    if isinstance(result, Rejected):
        return result
    ledger, escrows = result
    return _done(attrs.evolve(state, ledger=ledger, escrows=escrows))


def get_round_scenario(state: ChainState, action: RunRound) -> Scenario:
    """§3.2: the scenario of the chain's next round: its id, seed and start come from the chain."""
    round_id = state.next_round_id
    return Scenario(
        round_id=round_id,
        app=action.app,
        plans=action.plans,
        correct_output=b"output of round %d" % round_id,
        seed=b"round-seed-%d" % round_id,
        start=state.now,
        app_reveals_salts=action.app_reveals_salts,
    )


def process_run_round(state: ChainState, action: RunRound) -> Outcome[Step]:
    """§3.2-§3.3: run a Trusted Function round to its decision and settle it (F11, F12)."""
    rule = "process_run_round"
    # Verify every planned node is registered and the app has an escrow.
    unknown = sorted(plan.node for plan in action.plans if plan.node not in state.nodes)
    if unknown:
        return Rejected(rule, f"{unknown[0]} is not a registered node")
    if action.app not in state.escrows.escrows:
        return Rejected(rule, f"app {action.app} has no escrow")
    scenario = get_round_scenario(state, action)
    params, profile = state.params, state.profile
    run = run_round_to_decision(scenario, params=params, profile=profile)
    if isinstance(run, Rejected):
        return run
    before = get_trusted_chain(state)
    state = attrs.evolve(state, next_round_id=state.next_round_id + 1)
    if run.decided_at is None:
        # The round is stuck (F6 without a deadline): nothing settles, the clock moves on.
        last = max([state.now, *(attempt.time for attempt in run.refused)])
        return _done(attrs.evolve(state, now=last), RoundEffect(run, None, before, before, params))
    settled = process_settle_round(
        before,
        run.state,
        cost=action.cost,
        now=run.decided_at,
        params=params,
        profile=profile,
        validators=get_validator_accounts(state),
        validation_prefund_ustr=action.validation_prefund_ustr,
    )
    if isinstance(settled, Rejected):
        return settled
    after, outcome = settled
    slashes = tuple(
        SlashEffect(
            offender=f"node:{slash.node}",
            time=run.decided_at,
            rate_bps=slash.rate_bps,
            stake_before=before.nodes[NodeId(slash.node)].ustr,
            requested_ustr=slash.requested_ustr,
            burned_ustr=slash.burned_ustr,
            params=params,
        )
        for slash in outcome.slashed
    )
    state = with_trusted_chain(attrs.evolve(state, now=run.decided_at), after)
    return _done(state, RoundEffect(run, outcome, before, after, params), *slashes)


def process_resolve_locked(state: ChainState, action: ResolveLocked) -> Outcome[Step]:
    """§3.3 Step 12: pay out or return a locked round payment."""
    result = process_resolve_locked_payment(
        state.ledger,
        state.escrows,
        app=action.app,
        round_id=action.round_id,
        pay_nodes=action.pay_nodes,
    )
    if isinstance(result, Rejected):
        return result
    ledger, escrows = result
    return _done(attrs.evolve(state, ledger=ledger, escrows=escrows))


def process_withdraw(state: ChainState, action: WithdrawPrepayment) -> Outcome[Step]:
    """§4.3.1: the app's developer withdraws unspent prepayment."""
    escrow = state.escrows.escrows.get(action.app)
    if escrow is None:
        return Rejected("process_withdraw", f"app {action.app} has no escrow")
    ledger = process_withdraw_prepayment(
        state.ledger,
        state.escrows,
        app=action.app,
        developer=escrow.developer,
        ustb=action.ustb,
        ustr=action.ustr,
    )
    if isinstance(ledger, Rejected):
        return ledger
    return _done(attrs.evolve(state, ledger=ledger))


# --- Staking, blocks and slashing ----------------------------------------------------------------


def process_delegate_action(state: ChainState, action: Delegate) -> Outcome[Step]:
    """§4.2: bond STR to a validator."""
    result = process_delegate(
        state.ledger,
        state.staking,
        delegator=action.delegator,
        validator=action.validator,
        amount=action.amount,
    )
    if isinstance(result, Rejected):
        return result
    ledger, staking = result
    return _done(attrs.evolve(state, ledger=ledger, staking=staking))


def process_undelegate_action(state: ChainState, action: Undelegate) -> Outcome[Step]:
    """§4.2: take a bond back."""
    result = process_undelegate(
        state.ledger,
        state.staking,
        delegator=action.delegator,
        validator=action.validator,
        amount=action.amount,
    )
    if isinstance(result, Rejected):
        return result
    ledger, staking = result
    return _done(attrs.evolve(state, ledger=ledger, staking=staking))


def _record_commit(state: ChainState, commit: BlockCommit) -> ChainState:
    seen = state.commits.get(commit.height, ())
    return attrs.evolve(state, commits=state.commits.set(commit.height, (*seen, commit)))


def process_commit_block(state: ChainState, action: CommitBlock) -> Outcome[Step]:
    """§4.2: the next height commits if its signers hold more than the threshold of power."""
    height = state.height + 1
    commit = BlockCommit(height, 0, f"block-{height}", action.signers)
    accepted = process_block_commit(state.staking, state.params, commit)
    if isinstance(accepted, Rejected):
        return accepted
    effect = CommitEffect(accepted, state.staking, state.params)
    return _done(_record_commit(attrs.evolve(state, height=height), accepted), effect)


def _slash_effect(state: ChainState, outcome: Any, stake_before: int) -> SlashEffect:
    return SlashEffect(
        offender=f"validator:{outcome.validator}",
        time=state.now,
        rate_bps=outcome.rate_bps,
        stake_before=stake_before,
        requested_ustr=outcome.total_requested,
        burned_ustr=outcome.total_burned,
        params=state.params,
        validator_outcome=outcome,
    )


def process_equivocate(state: ChainState, action: Equivocate) -> Outcome[Step]:
    """§4.2, §6.10: conflicting votes at the next height; commits that pass are recorded and
    every double-sign is slashed on its evidence."""
    rule = "process_equivocate"
    # Verify someone double-signs.
    if not action.double_signers:
        return Rejected(rule, "an equivocation needs at least one double signer")
    height = state.height + 1
    staking_then, params = state.staking, state.params
    state = attrs.evolve(state, height=height)
    effects: list[Effect] = []
    for side, extra in (("a", action.side_a), ("b", action.side_b)):
        commit = BlockCommit(height, 0, f"block-{height}-{side}", action.double_signers | extra)
        accepted = process_block_commit(staking_then, params, commit)
        if not isinstance(accepted, Rejected):
            state = _record_commit(state, accepted)
            effects.append(CommitEffect(accepted, staking_then, params))
    for validator in sorted(action.double_signers):
        evidence = DoubleSignEvidence(
            Vote(height, 0, f"block-{height}-a", validator),
            Vote(height, 0, f"block-{height}-b", validator),
        )
        stake_before = get_validator_stake(state.staking, validator)
        slashed = process_double_sign_evidence(
            state.ledger,
            state.staking,
            state.slashing,
            evidence=evidence,
            now=state.now,
            params=params,
            profile=state.profile,
        )
        if isinstance(slashed, Rejected):
            return slashed
        ledger, staking, slashing, outcome = slashed
        state = attrs.evolve(state, ledger=ledger, staking=staking, slashing=slashing)
        effects.append(_slash_effect(state, outcome, stake_before))
    return _done(state, *effects)


def process_slash_validator_action(state: ChainState, action: SlashValidator) -> Outcome[Step]:
    """§6.10: slash a validator for a fault other than double signing."""
    stake_before = get_validator_stake(state.staking, action.validator)
    slashed = process_slash_validator(
        state.ledger,
        state.staking,
        state.slashing,
        validator=action.validator,
        now=state.now,
        params=state.params,
        profile=state.profile,
    )
    if isinstance(slashed, Rejected):
        return slashed
    ledger, staking, slashing, outcome = slashed
    state = attrs.evolve(state, ledger=ledger, staking=staking, slashing=slashing)
    return _done(state, _slash_effect(state, outcome, stake_before))


# --- Time and supply -----------------------------------------------------------------------------


def process_advance_time(state: ChainState, action: AdvanceTime) -> Outcome[Step]:
    """§3.2, §6.9, §6.10: the clock every deadline, window and year is measured on moves forward."""
    # Verify time moves forward.
    if action.seconds < 0:
        return Rejected("process_advance_time", f"time cannot move back ({action.seconds} s)")
    return _done(attrs.evolve(state, now=state.now + action.seconds))


def process_mint_inflation(state: ChainState, action: MintInflation) -> Outcome[Step]:
    """§6.9: mint the inflation accrued since the last mint."""
    start = state.supply.last_mint_time
    result = process_inflation_mint(state.ledger, state.supply, now=state.now, params=state.params)
    if isinstance(result, Rejected):
        return result
    ledger, supply, amount = result
    return _done(
        attrs.evolve(state, ledger=ledger, supply=supply), MintEffect(start, state.now, amount)
    )


def process_swap_reserve_action(state: ChainState, action: SwapReserve) -> Outcome[Step]:
    """§6.7: swap the reserve's STB for STR and burn it."""
    ledger = process_swap_reserve(state.ledger, price=action.price)
    if isinstance(ledger, Rejected):
        return ledger
    return _done(attrs.evolve(state, ledger=ledger))


def process_grant_network_support(state: ChainState, action: GrantNetworkSupport) -> Outcome[Step]:
    """§6.5, §6.8: Network Support pays a grant once its subcommittee is active."""
    # Verify the Network Support subcommittee is active.
    if not is_network_support_grant_allowed(state.ledger, state.governance):
        return Rejected("process_grant_network_support", "the subcommittee is not active")
    ledger = process_network_support_grant(
        state.ledger,
        recipient=action.recipient,
        amount=action.amount,
        purpose=SupportPurpose.CORE_DEVELOPMENT,
    )
    if isinstance(ledger, Rejected):
        return ledger
    return _done(attrs.evolve(state, ledger=ledger))


# --- Governance ----------------------------------------------------------------------------------


def process_submit_proposal_action(state: ChainState, action: SubmitProposal) -> Outcome[Step]:
    """§6.8: open a parameter-change vote."""
    result = process_submit_proposal(
        state.ledger,
        state.governance,
        proposer=action.proposer,
        changes=action.changes,
        deposit_ustr=action.deposit_ustr,
        now=state.now,
        profile=state.profile,
    )
    if isinstance(result, Rejected):
        return result
    ledger, governance, _ = result
    return _done(attrs.evolve(state, ledger=ledger, governance=governance))


def process_cast_vote(state: ChainState, action: CastVote) -> Outcome[Step]:
    """§6.8: record a vote."""
    governance = process_vote(
        state.governance,
        proposal_id=action.proposal_id,
        voter=action.voter,
        option=action.option,
        now=state.now,
    )
    if isinstance(governance, Rejected):
        return governance
    return _done(attrs.evolve(state, governance=governance))


def process_tally_action(state: ChainState, action: Tally) -> Outcome[Step]:
    """§6.8: weigh the votes and apply a passed proposal."""
    proposal = state.governance.proposals.get(action.proposal_id)
    result = process_tally(
        state.ledger,
        state.governance,
        proposal_id=action.proposal_id,
        now=state.now,
        bonded=get_bonded_by_account(state),
        profile=state.profile,
    )
    if isinstance(result, Rejected):
        return result
    assert proposal is not None
    ledger, governance, tally = result
    effect = TallyEffect(proposal, tally, state.params, governance.params)
    return _done(attrs.evolve(state, ledger=ledger, governance=governance), effect)


def process_create_subcommittee_action(
    state: ChainState, action: CreateSubcommittee
) -> Outcome[Step]:
    """§6.8: create a subcommittee."""
    governance = process_create_subcommittee(
        state.governance, name=action.name, creator=action.creator
    )
    if isinstance(governance, Rejected):
        return governance
    return _done(attrs.evolve(state, governance=governance))


def process_delegate_to_subcommittee_action(
    state: ChainState, action: DelegateToSubcommittee
) -> Outcome[Step]:
    """§6.8: delegate STR to a subcommittee."""
    result = process_delegate_to_subcommittee(
        state.ledger,
        state.governance,
        delegator=action.delegator,
        subcommittee=action.name,
        amount=action.amount,
    )
    if isinstance(result, Rejected):
        return result
    ledger, governance = result
    return _done(attrs.evolve(state, ledger=ledger, governance=governance))


def process_undelegate_from_subcommittee_action(
    state: ChainState, action: UndelegateFromSubcommittee
) -> Outcome[Step]:
    """§6.8: take STR back from a subcommittee."""
    result = process_undelegate_from_subcommittee(
        state.ledger,
        state.governance,
        delegator=action.delegator,
        subcommittee=action.name,
        amount=action.amount,
    )
    if isinstance(result, Rejected):
        return result
    ledger, governance = result
    return _done(attrs.evolve(state, ledger=ledger, governance=governance))


# --- Complaints and reputation -------------------------------------------------------------------


def process_submit_complaint_action(state: ChainState, action: SubmitComplaint) -> Outcome[Step]:
    """§6.8: file a complaint with a deposit."""
    result = process_submit_complaint(
        state.ledger,
        state.complaints,
        params=state.params,
        complaint_id=action.complaint_id,
        complainant=action.complainant,
        app_or_node_target=action.target,
        deposit_ustr=action.deposit_ustr,
    )
    if isinstance(result, Rejected):
        return result
    ledger, complaints = result
    return _done(attrs.evolve(state, ledger=ledger, complaints=complaints))


def process_resolve_complaint_action(state: ChainState, action: ResolveComplaint) -> Outcome[Step]:
    """§6.8: resolve a complaint; its deposit splits between refund or reserve and validators."""
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
    ledger, complaints, _ = result
    return _done(attrs.evolve(state, ledger=ledger, complaints=complaints))


def process_set_app_profile_action(state: ChainState, action: SetAppProfile) -> Outcome[Step]:
    """§4.5: record what exempts an app from the outbound cap."""
    reputation = process_set_app_profile(
        state.reputation,
        app=action.app,
        open_source=action.open_source,
        staked_ustr=action.staked_ustr,
    )
    if isinstance(reputation, Rejected):
        return reputation
    return _done(attrs.evolve(state, reputation=reputation))


def process_outbound_request_action(state: ChainState, action: OutboundRequest) -> Outcome[Step]:
    """§4.5: an outbound request, refused past an unqualified app's cap."""
    reputation = process_outbound_request(
        state.reputation, app=action.app, now=state.now, params=state.params, str_price=action.price
    )
    if isinstance(reputation, Rejected):
        return reputation
    effect = OutboundEffect(action.app, state.now, action.price)
    return _done(attrs.evolve(state, reputation=reputation), effect)


_HANDLERS: dict[type[Any], Callable[[ChainState, Any], Outcome[Step]]] = {
    DepositUsdc: process_deposit_usdc,
    RedeemStb: process_redeem_stb,
    Transfer: process_transfer_action,
    Prepay: process_prepay,
    RunRound: process_run_round,
    ResolveLocked: process_resolve_locked,
    WithdrawPrepayment: process_withdraw,
    Delegate: process_delegate_action,
    Undelegate: process_undelegate_action,
    CommitBlock: process_commit_block,
    Equivocate: process_equivocate,
    SlashValidator: process_slash_validator_action,
    AdvanceTime: process_advance_time,
    MintInflation: process_mint_inflation,
    SwapReserve: process_swap_reserve_action,
    GrantNetworkSupport: process_grant_network_support,
    SubmitProposal: process_submit_proposal_action,
    CastVote: process_cast_vote,
    Tally: process_tally_action,
    CreateSubcommittee: process_create_subcommittee_action,
    DelegateToSubcommittee: process_delegate_to_subcommittee_action,
    UndelegateFromSubcommittee: process_undelegate_from_subcommittee_action,
    SubmitComplaint: process_submit_complaint_action,
    ResolveComplaint: process_resolve_complaint_action,
    SetAppProfile: process_set_app_profile_action,
    OutboundRequest: process_outbound_request_action,
}


def process_action(state: ChainState, action: Action) -> Outcome[Step]:
    """Apply `action` to the whole chain (§3-§6): the new state and the effects, or the refusal."""
    return _HANDLERS[type(action)](state, action)
