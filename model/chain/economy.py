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
    ResolveLocked,
    RoundEffect,
    RunRound,
    SlashEffect,
    SwapReserve,
    Transfer,
    WithdrawPrepayment,
)
from model.chain.common import Step, check_signer, done, get_validator_accounts, write_back
from model.chain.state import ChainState, get_trusted_chain, with_trusted_chain
from model.escrow import (
    process_prepayment,
    process_resolve_locked_payment,
    process_withdraw_prepayment,
)
from model.governance import (
    is_network_support_grant_allowed,
)
from model.ledger import is_user_account, process_transfer
from model.payment import SupportPurpose, process_network_support_grant, process_swap_reserve
from model.supply import process_inflation_mint, process_stb_redeem, process_usdc_deposit
from model.trusted.behaviour import Scenario
from model.trusted.scenario import run_round_to_decision
from model.trusted.settlement import process_settle_round
from model.units import NodeId, Outcome, Rejected


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
    # Verify the cost (§4.3.1, the app's usage) and the validation prefund (§4.4) are amounts.
    for name, amount in (
        ("cost", action.cost),
        ("validation prefund", action.validation_prefund_ustr),
    ):
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
            return Rejected(rule, f"the round's {name} {amount!r} is not a non-negative amount")
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
        return done(attrs.evolve(state, now=last), RoundEffect(run, None, before, before, params))
    settled = process_settle_round(
        before,
        run.state,
        cost=action.cost,
        now=run.decided_at,
        params=params,
        profile=profile,
        # Only a validation prefund pays validators; ranking the active set costs a sort.
        validators=get_validator_accounts(state) if action.validation_prefund_ustr > 0 else (),
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
    return done(state, RoundEffect(run, outcome, before, after, params), *slashes)


def process_resolve_locked(state: ChainState, action: ResolveLocked) -> Outcome[Step]:
    """§3.3 Step 12: pay out or return a locked round payment."""
    result = process_resolve_locked_payment(
        state.ledger,
        state.escrows,
        app=action.app,
        round_id=action.round_id,
        pay_nodes=action.pay_nodes,
    )
    return write_back(state, result, "ledger", "escrows")


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
    return done(
        attrs.evolve(state, ledger=ledger, supply=supply), MintEffect(start, state.now, amount)
    )


def process_swap_reserve_action(state: ChainState, action: SwapReserve) -> Outcome[Step]:
    """§6.7: swap the reserve's STB for STR and burn it."""
    ledger = process_swap_reserve(state.ledger, price=action.price)
    return write_back(state, ledger, "ledger")


def process_grant_network_support(state: ChainState, action: GrantNetworkSupport) -> Outcome[Step]:
    """§6.5, §6.8: Network Support pays a grant once its subcommittee is active."""
    # Verify the Network Support subcommittee is active.
    if not is_network_support_grant_allowed(state.ledger, state.governance):
        return Rejected("process_grant_network_support", "the subcommittee is not active")
    # Verify the grant pays a wallet: §6.5's grants pay people, and a module pool or an escrow
    # holds only what its own records say.
    if not is_user_account(action.recipient):
        return Rejected("process_grant_network_support", f"{action.recipient} is not a wallet")
    ledger = process_network_support_grant(
        state.ledger,
        recipient=action.recipient,
        amount=action.amount,
        purpose=SupportPurpose.CORE_DEVELOPMENT,
    )
    return write_back(state, ledger, "ledger")
