"""Chain actions on the STR price and the escrow's funding: the market price report (§6.6), a
prepayment sized by timeframes (§4.3.1) and the payment of owed node payments (§4.3.1, §6.3)."""

from __future__ import annotations

from model.chain.actions import MovePrice, PayOwed, PrepayTimeframes
from model.chain.common import Step, done, write_back
from model.chain.state import ChainState
from model.escrow import process_pay_owed, process_prepayment
from model.price import compute_prepayment_amounts, get_payout_price, process_move_price
from model.records import evolve
from model.units import Outcome, Rejected


def process_move_price_action(state: ChainState, action: MovePrice) -> Outcome[Step]:
    """§6.6: the chain's STR price becomes the reported market price."""
    price = process_move_price(state.str_price, action.price)
    if isinstance(price, Rejected):
        return price
    return done(evolve(state, str_price=price))


def process_prepay_timeframes(state: ChainState, action: PrepayTimeframes) -> Outcome[Step]:
    """§4.3.1: prepay what `timeframes` rounds of `nodes` nodes at `cost_per_node` need, the
    STR at the chain's market price (§6.3.3: the price at the time of the deposit)."""
    rule = "process_prepay_timeframes"
    # Verify the app has an escrow.
    if action.app not in state.escrows.escrows:
        return Rejected(rule, f"app {action.app} has no escrow")
    amounts = compute_prepayment_amounts(
        cost_per_node=action.cost_per_node,
        nodes=action.nodes,
        timeframes=action.timeframes,
        params=state.params,
        price=state.str_price,
    )
    if isinstance(amounts, Rejected):
        return Rejected(rule, amounts.reason)
    result = process_prepayment(
        state.ledger,
        state.escrows,
        app=action.app,
        payer=action.payer,
        ustb=amounts.ustb,
        ustr=amounts.ustr,
        price=amounts.price,
    )
    return write_back(state, result, "ledger", "escrows")


def process_pay_owed_action(state: ChainState, action: PayOwed) -> Outcome[Step]:
    """§4.3.1, §6.3: the app's escrow pays what it owes its nodes, oldest first, the STR at the
    payout price."""
    rule = "process_pay_owed_action"
    escrow = state.escrows.escrows.get(action.app)
    # Verify the app has an escrow.
    if escrow is None:
        return Rejected(rule, f"app {action.app} has no escrow")
    price = get_payout_price(escrow.str_price, state.str_price, state.profile)
    result = process_pay_owed(state.ledger, state.escrows, app=action.app, at_price=price)
    if isinstance(result, Rejected):
        return result
    ledger, escrows, _ = result
    return done(evolve(state, ledger=ledger, escrows=escrows))
