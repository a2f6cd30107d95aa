"""Chain actions of the free market (§4.3.3, §4.4, §6.3.2): launching an app's service, node
bids, the developer's choice of nodes, and the service's usage fee (`model.market`)."""

from __future__ import annotations

from model.chain.actions import BidService, ChooseNodes, LaunchService, UseService
from model.chain.common import Step, check_signer, done
from model.chain.state import ChainState
from model.market import (
    Service,
    process_bid_service,
    process_choose_nodes,
    process_launch_service,
    process_use_service,
)
from model.records import evolve
from model.reputation import process_set_app_profile
from model.units import Outcome, Rejected


def process_launch_service_action(state: ChainState, action: LaunchService) -> Outcome[Step]:
    """§4.3.3: the app's developer launches its service, staking STR in advance of usage; under
    `app_stake_locked` that locked STR becomes the app's stake for §4.5."""
    rule = "process_launch_service_action"
    escrow = state.escrows.escrows.get(action.app)
    if escrow is None:
        return Rejected(rule, f"app {action.app} has no escrow")
    # Verify the developer of the app signs.
    if action.developer != escrow.developer:
        return Rejected(rule, f"{action.developer} is not the developer of app {action.app}")
    service = Service(
        app=action.app,
        developer=action.developer,
        max_nodes=action.max_nodes,
        frequency_seconds=action.frequency_seconds,
        deviation_bps=action.deviation_bps,
        usage_fee_ustr=action.usage_fee_ustr,
        stake_ustr=action.stake_ustr,
    )
    launched = process_launch_service(
        state.ledger, state.market, service=service, params=state.params, profile=state.profile
    )
    if isinstance(launched, Rejected):
        return launched
    ledger, market = launched
    reputation = state.reputation
    if state.profile.app_stake_locked:
        staked = process_set_app_profile(reputation, app=action.app, staked_ustr=action.stake_ustr)
        if isinstance(staked, Rejected):
            return staked
        reputation = staked
    return done(evolve(state, ledger=ledger, market=market, reputation=reputation))


def process_bid_service_action(state: ChainState, action: BidService) -> Outcome[Step]:
    """§4.4, §6.3.2: a registered node bids its STR margin on an app's service."""
    # Verify the node is registered (§4.5: nodes register to serve).
    if action.node not in state.nodes:
        return Rejected("process_bid_service_action", f"{action.node} is not a registered node")
    market = process_bid_service(
        state.market,
        app=action.app,
        node=action.node,
        str_margin_bps=action.str_margin_bps,
        params=state.params,
        profile=state.profile,
    )
    if isinstance(market, Rejected):
        return market
    return done(evolve(state, market=market))


def process_choose_nodes_action(state: ChainState, action: ChooseNodes) -> Outcome[Step]:
    """§4.4: the developer chooses its service's nodes and pays their initiation fees."""
    chosen = process_choose_nodes(
        state.ledger,
        state.market,
        app=action.app,
        signer=action.developer,
        node_accounts={node: stake.account for node, stake in state.nodes.items()},
        params=state.params,
    )
    if isinstance(chosen, Rejected):
        return chosen
    ledger, market = chosen
    return done(evolve(state, ledger=ledger, market=market))


def process_use_service_action(state: ChainState, action: UseService) -> Outcome[Step]:
    """§4.3.3 (d): a user pays the service's usage fee to use it."""
    # Verify the user signs: nobody signs for a module pool or an escrow.
    if (refused := check_signer("process_use_service_action", action.user)) is not None:
        return refused
    ledger = process_use_service(state.ledger, state.market, app=action.app, user=action.user)
    if isinstance(ledger, Rejected):
        return ledger
    return done(evolve(state, ledger=ledger))
