"""Chain actions on Stratoswap (§6.6): liquidity added and removed, and market orders.

Each handler checks the signer, reads the live commission and forwards to `model.stratoswap`;
the swap reserve's own market order (§6.7) is `model.chain.economy.process_swap_reserve_action`.
"""

from __future__ import annotations

from model.chain.actions import AddLiquidity, RemoveLiquidity, Swap
from model.chain.common import Step, check_signer, done
from model.chain.state import ChainState
from model.records import evolve
from model.stratoswap import process_add_liquidity, process_remove_liquidity, process_swap
from model.units import Outcome, Rejected


def process_add_liquidity_action(state: ChainState, action: AddLiquidity) -> Outcome[Step]:
    """§6.6: a market maker deposits STB and STR into the pool for shares."""
    rule = "process_add_liquidity_action"
    # Verify the provider is a wallet that signs for its deposit.
    if (refused := check_signer(rule, action.provider)) is not None:
        return refused
    result = process_add_liquidity(
        state.ledger, state.pool, provider=action.provider, ustb=action.ustb, ustr=action.ustr
    )
    if isinstance(result, Rejected):
        return result
    ledger, pool = result
    return done(evolve(state, ledger=ledger, pool=pool))


def process_remove_liquidity_action(state: ChainState, action: RemoveLiquidity) -> Outcome[Step]:
    """§6.6: a market maker redeems its shares for its part of both reserves."""
    rule = "process_remove_liquidity_action"
    # Verify the provider is a wallet that signs for its shares.
    if (refused := check_signer(rule, action.provider)) is not None:
        return refused
    result = process_remove_liquidity(
        state.ledger, state.pool, provider=action.provider, shares=action.shares
    )
    if isinstance(result, Rejected):
        return result
    ledger, pool = result
    return done(evolve(state, ledger=ledger, pool=pool))


def process_swap_action(state: ChainState, action: Swap) -> Outcome[Step]:
    """§6.6: a trader's market order at the pool's price, after the live commission."""
    rule = "process_swap_action"
    # Verify the trader is a wallet that signs for its order.
    if (refused := check_signer(rule, action.trader)) is not None:
        return refused
    ledger = process_swap(
        state.ledger,
        trader=action.trader,
        token_in=action.token_in,
        amount_in=action.amount_in,
        min_out=action.min_out,
        fee_bps=state.params.market.stratoswap_fee_bps,
    )
    if isinstance(ledger, Rejected):
        return ledger
    return done(evolve(state, ledger=ledger))
