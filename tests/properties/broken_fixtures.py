"""Shared builders for the broken-model tests: a genesis, round plans, rule replacement, traces.

`replace_rule` swaps a model function for a broken one in every module of `model` and
`properties` that holds it, which is what editing the function's source would do; `run_trace`
replays a trace and reports which invariants it exercised, broke, and which rules refused.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

import attrs
import pytest
from attrs import frozen

from model.chain.actions import Action, RunRound
from model.chain.state import APPS, Genesis, get_node
from model.ledger import Ledger, Token, get_balance
from model.params import Params
from model.profile import Profile
from model.trusted.behaviour import Behaviour, NodePlan
from model.units import MICRO, AccountId, NodeId, Rejected
from properties.invariants.allowed import check_refusal
from properties.machine import ChainMachine
from properties.replay import apply_and_check, replay, start_and_check

APP, OTHER_APP = APPS
PRICE = Fraction(1)
"""One USD per STR, so STR amounts read as dollars."""
USER_STR = (600_000 * MICRO, 400_000 * MICRO, 1_000_000 * MICRO)
"""user-0 holds 60% of the two voters' STR, user-1 40%: a majority, not a supermajority."""
GENESIS = Genesis(
    user_ustr=USER_STR,
    user_ustb=(1_000 * MICRO,) * 3,
    validator_bonds=(1_000 * MICRO,) * 4,
    node_stakes=(1_000 * MICRO,) * 4,
    developer_ustr=10_000_000 * MICRO,
    developer_ustb=10_000_000 * MICRO,
    prepay_ustr=1_000_000 * MICRO,
    prepay_ustb=1_000_000 * MICRO,
    price=PRICE,
)
"""Four validators of equal power, four nodes of equal stake, both escrows funded at $1/STR."""
NODES: tuple[NodeId, ...] = tuple(get_node(i) for i in range(4))


def fresh_machine(kind: type[ChainMachine] = ChainMachine) -> ChainMachine:
    """The whole machine (or a subclass of it) on `GENESIS`, ready for its rules to be called
    one by one."""
    machine = kind()
    machine.create_chain(genesis=GENESIS)
    return machine


def plan(index: int, behaviour: Behaviour = Behaviour.HONEST, **fields: Any) -> NodePlan:
    """The plan of node `index`: `behaviour`, with any other NodePlan field."""
    return NodePlan(get_node(index), behaviour, **fields)


def honest_round(cost: int = MICRO, size: int = 4) -> RunRound:
    """A round of app-0 where every node is honest."""
    return RunRound(APP, tuple(plan(i) for i in range(size)), cost)


def replace_rule(monkeypatch: pytest.MonkeyPatch, original: object, broken: object) -> int:
    """Bind `broken` wherever `original` is bound in `model` and `properties`; how many places.

    A checker that reads a derived fact through the model's own predicate (a subcommittee's
    activation, say) sees the broken predicate too, as it would if the source were edited.
    """
    places = 0
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] not in ("model", "properties"):
            continue
        for attribute, value in list(vars(module).items()):
            if value is original:
                monkeypatch.setattr(module, attribute, broken)
                places += 1
    assert places, f"{original!r} is bound nowhere"
    return places


def credit(ledger: Ledger, account: AccountId, token: Token, amount: int) -> Ledger:
    """`ledger` with `amount` of `token` added to `account` and no counter moved (a forgery)."""
    balance = get_balance(ledger, account).plus(token, amount)
    return attrs.evolve(ledger, balances=ledger.balances.set(account, balance))


@frozen
class TraceRun:
    """A trace replayed through every checker."""

    observed: frozenset[str]
    """Invariants some step gave something to check."""
    violated: frozenset[str]
    violations: tuple[str, ...]
    """`ID: detail` of each violation, in order."""
    refused_by: tuple[str, ...]
    """The rule that refused each refused action, in order."""


def run_trace(
    genesis: Genesis, actions: Sequence[Action], *, params: Params, profile: Profile
) -> TraceRun:
    """Replay `actions` from `genesis` (`properties.replay.replay`) and record what was observed."""
    result = replay(genesis, actions, params=params, profile=profile)
    observed: set[str] = set()
    current = start_and_check(genesis, params=params, profile=profile)
    assert not isinstance(current, Rejected), current
    observed.update(obs.invariant_id for obs in current.observations)
    for action in actions:
        step = apply_and_check(current, action)
        if isinstance(step, Rejected):
            judged = check_refusal(current.state, current.history, action, step)
            observed.update(obs.invariant_id for obs in judged)
            continue
        current = step
        observed.update(obs.invariant_id for obs in step.observations)
    return TraceRun(
        observed=frozenset(observed),
        violated=frozenset(v.invariant_id for v in result.violations),
        violations=tuple(f"{v.invariant_id}: {v.detail}" for v in result.violations),
        refused_by=tuple(refusal.rule for _, refusal in result.refused),
    )


Break = Callable[[pytest.MonkeyPatch], tuple[Params, Profile]]
"""Breaks one rule of the model (through `monkeypatch`) and gives the params and profile to run."""
