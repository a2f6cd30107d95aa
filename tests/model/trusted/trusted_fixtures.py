"""Shared builders for Trusted Function tests: a funded chain and scenarios from behaviours."""

from __future__ import annotations

from fractions import Fraction

import attrs

from model.escrow import process_open_escrow, process_prepayment
from model.ledger import Ledger, create_genesis
from model.trusted.behaviour import Behaviour, NodePlan, Scenario
from model.trusted.settlement import TrustedChain, process_register_node
from model.units import AccountId, AppId, NodeId, Rejected

APP = AppId("app")
DEVELOPER = AccountId("developer")
PRICE = Fraction(1, 2)
STAKE = 1_000_000_000
COST = 1_000_000


def node_id(index: int) -> NodeId:
    return NodeId(f"n{index:02d}")


def node_account(node: NodeId) -> AccountId:
    return AccountId(f"acct-{node}")


def make_chain(nodes: int, *, prepay_ustb: int = 10**15, prepay_ustr: int = 10**15) -> TrustedChain:
    """A chain where `nodes` nodes are registered with a stake and the app's escrow is funded."""
    allocations = {DEVELOPER: 10**16}
    allocations.update({node_account(node_id(i)): STAKE for i in range(nodes)})
    ledger = create_genesis(allocations, stb_deposits={DEVELOPER: 10**16})
    assert isinstance(ledger, Ledger)
    chain = TrustedChain(ledger=ledger)
    book = process_open_escrow(chain.escrows, app=APP, developer=DEVELOPER)
    assert not isinstance(book, Rejected)
    funded = process_prepayment(
        chain.ledger,
        book,
        app=APP,
        payer=DEVELOPER,
        ustb=prepay_ustb,
        ustr=prepay_ustr,
        price=PRICE,
    )
    assert not isinstance(funded, Rejected), funded
    chain = attrs.evolve(chain, ledger=funded[0], escrows=funded[1])
    for i in range(nodes):
        registered = process_register_node(
            chain, node=node_id(i), account=node_account(node_id(i)), stake=STAKE
        )
        assert isinstance(registered, TrustedChain), registered
        chain = registered
    return chain


def make_scenario(
    behaviours: list[Behaviour], *, wrong_salt: frozenset[int] = frozenset()
) -> Scenario:
    """A round whose node i behaves as `behaviours[i]`; copiers copy node 0."""
    plans = []
    for index, behaviour in enumerate(behaviours):
        copy_from = node_id(0) if behaviour is Behaviour.COPY_COMMIT else None
        plans.append(
            NodePlan(
                node_id(index),
                behaviour,
                copy_from=copy_from,
                gets_wrong_app_salt=index in wrong_salt,
            )
        )
    return Scenario(
        round_id=1, app=APP, plans=tuple(plans), correct_output=b"f(a) = b", seed=b"scenario-seed"
    )
