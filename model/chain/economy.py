"""Chain actions on tokens and payments: the bridge, transfers, escrows, Trusted Function
rounds, inflation, the swap reserve and Network Support (§3, §4.3, §6.1-§6.9)."""

from __future__ import annotations

import attrs

from model.chain.actions import (
    DepositUsdc,
    GrantNetworkSupport,
    MintEffect,
    MintInflation,
    Prepay,
    RedeemStb,
    ResolveEffect,
    ResolveLocked,
    RoundEffect,
    RunRound,
    SetAppValidatorCount,
    SlashEffect,
    SwapReserve,
    Transfer,
    WithdrawPrepayment,
)
from model.chain.common import (
    Step,
    check_committee_vote,
    check_signer,
    done,
    write_back,
)
from model.chain.state import (
    ChainState,
    get_trusted_chain,
    get_validator_operator,
    with_trusted_chain,
)
from model.committees import get_grant_committees
from model.escrow import (
    check_round_funded,
    process_prepayment,
    process_resolve_locked_payment,
    process_withdraw_prepayment,
)
from model.ledger import is_user_account, process_transfer
from model.market import (
    get_deviation,
    get_round_refusal,
    get_str_margins,
    process_record_round_start,
)
from model.payment import is_support_purpose, process_network_support_grant, process_swap_reserve
from model.price import get_payout_price
from model.records import evolve
from model.reputation import process_record_output_complaints
from model.staking import get_active_set
from model.supply import process_inflation_mint, process_stb_redeem, process_usdc_deposit
from model.trusted.behaviour import Scenario, ValidatorPlan
from model.trusted.scenario import run_round_to_decision
from model.trusted.settlement import process_settle_round
from model.trusted.validation import (
    AppValidation,
    encode_value,
    get_value_hash,
    process_resolution_vote,
)
from model.units import AccountId, NodeId, Outcome, Rejected, ValidatorId


def process_deposit_usdc(state: ChainState, action: DepositUsdc) -> Outcome[Step]:
    """§6.1: mint STB for a bridged USDC deposit, once per deposit id."""
    # Verify the recipient is a wallet: §6.1 mints to "the receiving Stratosphere wallet
    # address", and a module pool or an escrow holds only what its own records say.
    if not is_user_account(action.recipient):
        return Rejected("process_deposit_usdc", f"{action.recipient} is not a wallet address")
    result = process_usdc_deposit(
        state.ledger,
        state.supply,
        deposit_id=action.deposit_id,
        recipient=action.recipient,
        amount=action.amount,
    )
    return write_back(state, result, "ledger", "supply")


def process_redeem_stb(state: ChainState, action: RedeemStb) -> Outcome[Step]:
    """§6.1: burn STB for USDC released on Ethereum."""
    # Verify the holder signs: nobody signs for a module pool or an escrow.
    if (refused := check_signer("process_redeem_stb", action.holder)) is not None:
        return refused
    ledger = process_stb_redeem(state.ledger, holder=action.holder, amount=action.amount)
    return write_back(state, ledger, "ledger")


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
    return write_back(state, ledger, "ledger")


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
    return write_back(state, result, "ledger", "escrows")


def get_round_scenario(state: ChainState, action: RunRound) -> Scenario:
    """§3.2, §3.3, §4.3.2: the scenario of the chain's next round: its id, seed and start come
    from the chain; its eligible validators are the active set (in set order), each doing what
    the action plans for it (honest when unnamed), and its validator count is the developer's."""
    round_id = state.next_round_id
    planned = {plan.validator: plan for plan in action.validator_plans}
    validators = tuple(
        planned[validator] if validator in planned else ValidatorPlan(validator)
        for validator in get_active_set(state.staking, state.params)
    )
    return Scenario(
        round_id=round_id,
        app=action.app,
        plans=action.plans,
        correct_output=b"output of round %d" % round_id,
        seed=b"round-seed-%d" % round_id,
        start=state.now,
        app_reveals_salts=action.app_reveals_salts,
        validators=validators,
        validator_count=state.app_validator_counts.get(action.app),
        deviation_bps=get_deviation(state.market, action.app),
    )


def get_committee_accounts(validation: AppValidation | None) -> tuple[AccountId, ...]:
    """§4.4, §3.3: the operator accounts of the round's committee, in the beacon's order: the
    validators that offer to validate the round, whom its validation prefund pays."""
    if validation is None:
        return ()
    return tuple(get_validator_operator(validator) for validator in validation.committee.selected)


def _check_validator_plans(
    rule: str, plans: tuple[ValidatorPlan, ...], eligible: tuple[ValidatorId, ...]
) -> Rejected | None:
    named = [plan.validator for plan in plans]
    if len(set(named)) != len(named):
        return Rejected(rule, "a validator is planned twice")
    outside = sorted(set(named) - set(eligible))
    if outside:
        return Rejected(rule, f"{outside[0]} is not one of the validators that vote")
    return None


def process_set_app_validator_count(
    state: ChainState, action: SetAppValidatorCount
) -> Outcome[Step]:
    """§3.3, §4.3.2: "the number of which is determined by the developer": the app's developer
    sets how many active validators validate each of its rounds."""
    rule = "process_set_app_validator_count"
    escrow = state.escrows.escrows.get(action.app)
    if escrow is None:
        return Rejected(rule, f"app {action.app} has no escrow")
    # Verify the developer of the app signs.
    if action.signer != escrow.developer:
        return Rejected(rule, f"{action.signer} is not the developer of app {action.app}")
    # Verify the count is a whole number of validators the active set can supply.
    active = len(get_active_set(state.staking, state.params))
    count = action.count
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= active:
        return Rejected(rule, f"the count {count!r} is not between 1 and the {active} active")
    counts = state.app_validator_counts.set(action.app, count)
    return done(evolve(state, app_validator_counts=counts))


def process_run_round(state: ChainState, action: RunRound) -> Outcome[Step]:
    """§3.2-§3.3: run a Trusted Function round to its decision and settle it (F11, F12)."""
    rule = "process_run_round"
    # Verify every planned node is registered and the app has an escrow.
    unknown = sorted(plan.node for plan in action.plans if plan.node not in state.nodes)
    if unknown:
        return Rejected(rule, f"{unknown[0]} is not a registered node")
    if action.app not in state.escrows.escrows:
        return Rejected(rule, f"app {action.app} has no escrow")
    # Verify the cost (§4.3.1, the app's usage) and the validation prefund (§4.4) are amounts.
    for name, amount in (
        ("cost", action.cost),
        ("validation prefund", action.validation_prefund_ustr),
    ):
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
            return Rejected(rule, f"the round's {name} {amount!r} is not a non-negative amount")
    scenario = get_round_scenario(state, action)
    # Verify validators can vote (§3.3) and the plans name each of them at most once.
    if not scenario.validators:
        return Rejected(rule, "the active validator set is empty: nobody can validate the round")
    eligible = tuple(plan.validator for plan in scenario.validators)
    refused = _check_validator_plans(rule, action.validator_plans, eligible)
    if refused is not None:
        return refused
    # Verify an app with a service runs its chosen nodes, at its frequency (§4.3.3, §4.4).
    nodes = tuple(plan.node for plan in action.plans)
    off_service = get_round_refusal(state.market, app=action.app, nodes=nodes, now=state.now)
    if off_service is not None:
        return Rejected(rule, off_service)
    params, profile = state.params, state.profile
    # Verify (hardened) the escrow holds the round's whole payment before the round starts.
    if profile.rounds_need_escrowed_payment:
        escrow = state.escrows.escrows[action.app]
        assigned = sorted({plan.node for plan in action.plans})
        margins = get_str_margins(state.market, action.app) or {}
        refused = check_round_funded(
            state.ledger,
            app=action.app,
            nodes=len(assigned),
            cost=action.cost,
            params=params,
            price=get_payout_price(escrow.str_price, state.str_price, profile),
            prefund_ustr=action.validation_prefund_ustr,
            str_margins=tuple(margins.get(node) for node in assigned),
        )
        if refused is not None:
            return Rejected(rule, refused.reason)
    run = run_round_to_decision(scenario, params=params, profile=profile)
    if isinstance(run, Rejected):
        return run
    before = get_trusted_chain(state)
    state = attrs.evolve(
        state,
        next_round_id=state.next_round_id + 1,
        market=process_record_round_start(state.market, app=action.app, now=state.now),
    )
    if run.decided_at is None:
        # The round is stuck (F6 without a deadline): nothing settles, the clock moves on.
        last = max([state.now, *(attempt.time for attempt in run.refused)])
        return done(evolve(state, now=last), RoundEffect(run, None, before, before, params))
    settled = process_settle_round(
        before,
        run.state,
        cost=action.cost,
        now=run.decided_at,
        params=params,
        profile=profile,
        # §4.4: the validators that offer for the round are the app's committee (§3.3).
        validators=get_committee_accounts(run.validation),
        validation_prefund_ustr=action.validation_prefund_ustr,
        validation=run.validation,
        str_price=state.str_price,
        # §4.4, §6.3.2: the service's nodes are paid at their own bids.
        str_margins=get_str_margins(state.market, action.app),
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
    # §3.2 F9: the app's complaints on nodes' outputs reach those nodes' reputation.
    after = evolve(
        after,
        reputation=process_record_output_complaints(after.reputation, nodes=outcome.app_complaints),
    )
    state = with_trusted_chain(state, after, now=run.decided_at)
    return done(state, RoundEffect(run, outcome, before, after, params), *slashes)


def process_resolve_locked(state: ChainState, action: ResolveLocked) -> Outcome[Step]:
    """§3.3 Steps 11-12: "validator recourse ensues and node payment is locked in escrow until
    the resolved decision": the round's committee votes the decision again; with more than 2/3
    of it, the nodes of the supermajority output are paid and the rest returns to the escrow."""
    rule = "process_resolve_locked"
    escrow = state.escrows.escrows.get(action.app)
    if escrow is None:
        return Rejected(rule, f"app {action.app} has no escrow")
    # Verify the round has a locked payment.
    record = escrow.locked.get(action.round_id)
    if record is None:
        return Rejected(rule, f"round {action.round_id} of app {action.app} has no locked payment")
    # Verify the plans name members of the round's committee, each once.
    refused = _check_validator_plans(rule, action.validator_plans, record.validators)
    if refused is not None:
        return refused
    counted = [h for h in record.output_hashes if h is not None]
    vote = process_resolution_vote(
        committee=record.validators,
        plans=action.validator_plans,
        truth=encode_value(record.agreed_output_hash is not None, record.agreed_output_hash),
        counted_hashes=counted,
        params=state.params,
    )
    # Verify more than 2/3 of the round's committee voted one decision.
    if vote.passed is None:
        return Rejected(
            rule, f"no value has a supermajority of the {len(record.validators)} validators"
        )
    result = process_resolve_locked_payment(
        state.ledger,
        state.escrows,
        app=action.app,
        round_id=action.round_id,
        paid_hash=get_value_hash(vote.passed),
    )
    if isinstance(result, Rejected):
        return result
    ledger, escrows, paid = result
    effect = ResolveEffect(action.app, action.round_id, vote.votes, vote.passed, paid)
    return done(evolve(state, ledger=ledger, escrows=escrows), effect)


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
    return write_back(state, ledger, "ledger")


def process_mint_inflation(state: ChainState, action: MintInflation) -> Outcome[Step]:
    """§6.9: mint the inflation accrued since the last mint."""
    start = state.supply.last_mint_time
    result = process_inflation_mint(state.ledger, state.supply, now=state.now, params=state.params)
    if isinstance(result, Rejected):
        return result
    ledger, supply, amount = result
    return done(evolve(state, ledger=ledger, supply=supply), MintEffect(start, state.now, amount))


def process_swap_reserve_action(state: ChainState, action: SwapReserve) -> Outcome[Step]:
    """§6.7: the reserve's market order on Stratoswap at the live commission; the STR is burned."""
    ledger = process_swap_reserve(state.ledger, fee_bps=state.params.market.stratoswap_fee_bps)
    return write_back(state, ledger, "ledger")


def process_grant_network_support(state: ChainState, action: GrantNetworkSupport) -> Outcome[Step]:
    """§6.5, §6.8: Network Support pays a grant for one of its three purposes, on its
    committees' vote (`model.committees`)."""
    rule = "process_grant_network_support"
    # Verify the purpose's committees are active and (hardened) voted the grant.
    committees = get_grant_committees(action.purpose) if is_support_purpose(action.purpose) else ()
    if (refused := check_committee_vote(rule, state, committees, action.signers)) is not None:
        return refused
    # Verify the grant pays a wallet: §6.5's grants pay people, and a module pool or an escrow
    # holds only what its own records say.
    if not is_user_account(action.recipient):
        return Rejected(rule, f"{action.recipient} is not a wallet")
    ledger = process_network_support_grant(
        state.ledger,
        recipient=action.recipient,
        amount=action.amount,
        purpose=action.purpose,
    )
    return write_back(state, ledger, "ledger")
