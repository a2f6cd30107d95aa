"""ACT-ALLOWED for Trusted Function rounds and locked payments (§3.2-§3.3, §4.3.1, §4.4, §6.3).

`properties.invariants.allowed` judges a refusal by the reasons the text gives to refuse; this
module gives those reasons for `RunRound`, `ResolveLocked` and `SetAppValidatorCount`, from the
raw state before the action (the node registry, the escrow records and balances, the validator
list) and the checker's own memory of slashes, never from a model rule.

The reasons come in two kinds:

- **A caller's error** (`round_errors`, `resolution_errors`): the action itself is malformed: a
  scenario naming no node, a node twice, a copier naming itself or no assigned node, a
  `copy_from` or `wrong_output` on a plan whose behaviour has none, a wrong output equal to the
  round's correct output, an unregistered node (§4.3.1), an app without an escrow (§4.3.1), a
  cost or validation prefund that is not a whole non-negative number of micro-units; no active
  validator to vote (§3.3), a validator plan naming one twice or one that does not vote; a
  resolution of an app without escrow or of a round with no locked payment (unknown, or resolved
  already: §3.3 Step 12 resolves a lock once), or with plans naming a validator twice or one
  outside the lock's committee. Such an action must be refused: applied, it
  breaks ACT-ALLOWED too (`check_applied_round`).
- **A reason the chain may refuse** (funding): the escrow may hold less than the round can
  withdraw (a split of §6.3 per assigned node, each node paid or locked at most once, plus the
  validation prefund of §4.4), an STR part owed without a positive STR price (§6.3.3), the payment
  parameters giving a negative part, no validator payable the floor (§4.4), two nodes paying
  into one account or into a module account, a lock under the round's id already (§3.3 Step 12),
  a node last slashed after now or a node stake pool short of the stakes (§3.3 Step 11, §6.10);
  a resolution no value of which has more than the threshold of the lock's committee (§3.3
  Step 12: the payment stays locked until the validators resolve it); a developer's validator
  count not signed by the developer or outside 1 to the active set's size (§3.3, §4.3.2).
  Each is an upper bound of what the round takes, so the judge calls a round allowed only when
  nothing it could owe is missing; a refusal of such a round breaks ACT-ALLOWED.

The round's correct output is the one the chain's harness gives the round under its next id,
`b"output of round N"` (`model.chain.economy.get_round_scenario`, a name and not a rule).
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

from model.chain.actions import ResolveLocked, RunRound, SetAppValidatorCount
from model.chain.state import ChainState
from model.ledger import NODE_STAKE_POOL, get_escrow_account, get_locked_escrow_account
from model.trusted.behaviour import Behaviour, NodePlan, ValidatorPlan
from oracle.effects import get_active_operators, is_user_account
from oracle.ledger import balance, ustr_of
from oracle.payment import (
    PaymentSplit,
    bid_of,
    node_split,
    read_locked,
    split_payment,
    str_payout,
    usd_to_ustr,
    validation_selected_count,
)
from oracle.staking import active_set
from properties.invariants.app_validators import resolution_outcome
from properties.invariants.base import Observation, violated
from properties.invariants.price import payout_price
from properties.invariants.services import service_round_reasons
from properties.invariants.step import ChainStep, History


def _reasons(*checks: tuple[str, bool]) -> list[str]:
    """The reasons, of (reason, applies) pairs, that apply: why the text lets the chain refuse."""
    return [reason for reason, applies in checks if applies]


def _is_amount(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _positive_price(value: object) -> Fraction | None:
    """`value` as a positive rational price, or None if it is not one."""
    if isinstance(value, Fraction | int) and not isinstance(value, bool) and value > 0:
        return Fraction(value)
    return None


def correct_output(round_id: int) -> bytes:
    """The correct output of the chain's round `round_id`, as its harness names it."""
    return b"output of round %d" % round_id


# --- RunRound (§3.2-§3.3, §4.3.1, §4.4, §6.3) ---------------------------------------------------


def _plan_errors(plans: tuple[NodePlan, ...], correct: bytes) -> list[tuple[str, bool]]:
    """§3.2: the application assigns each node once, and a plan describes one node's behaviour;
    every other shape is a caller's error."""
    nodes = [plan.node for plan in plans]
    checks = [
        ("a caller's error: the round assigns no node (§3.2 Step 1)", not nodes),
        ("a caller's error: a node is assigned twice (§3.2 Step 1)", len(set(nodes)) != len(nodes)),
    ]
    for plan in plans:
        copier = plan.behaviour is Behaviour.COPY_COMMIT
        checks += [
            (
                f"a caller's error: {plan.node} copies a commit of no assigned node",
                copier and plan.copy_from not in nodes,
            ),
            (
                f"a caller's error: {plan.node} copies its own commit",
                copier and plan.copy_from is not None and plan.copy_from == plan.node,
            ),
            (
                f"a caller's error: {plan.node} names copy_from but does not copy",
                not copier and plan.copy_from is not None,
            ),
            (
                f"a caller's error: {plan.node} names wrong_output but is not WRONG_OUTPUT",
                plan.wrong_output is not None and plan.behaviour is not Behaviour.WRONG_OUTPUT,
            ),
            (
                f"a caller's error: {plan.node}'s wrong output equals the correct output",
                plan.wrong_output is not None and plan.wrong_output == correct,
            ),
        ]
    return checks


def round_errors(state: ChainState, action: RunRound) -> list[str]:
    """The caller's errors of `action`: why a round must be refused whatever the funds."""
    plans = tuple(action.plans)
    unknown = sorted({plan.node for plan in plans if plan.node not in state.nodes})
    return _reasons(
        *_plan_errors(plans, correct_output(state.next_round_id)),
        (f"a caller's error: {', '.join(unknown)} not registered (§4.3.1)", bool(unknown)),
        (
            "a caller's error: the app has no escrow (§4.3.1)",
            action.app not in state.escrows.escrows,
        ),
        (
            "a caller's error: the cost is not a whole number of micro-USD",
            not _is_amount(action.cost),
        ),
        (
            "a caller's error: the validation prefund is not a whole number of ustr (§4.4)",
            not _is_amount(action.validation_prefund_ustr),
        ),
        *_validator_plan_errors(action.validator_plans, _active(state)),
    )


def _active(state: ChainState) -> tuple[str, ...]:
    seats = state.params.consensus.max_validators
    return tuple(str(v) for v in active_set(state.staking, max_validators=seats))


def _validator_plan_errors(
    plans: tuple[ValidatorPlan, ...], voters: tuple[str, ...]
) -> list[tuple[str, bool]]:
    """§3.3: the validators that vote are given (the active set, or a lock's committee); a plan
    names one of them, once; and without any, nobody can decide."""
    named = [str(plan.validator) for plan in plans]
    return [
        ("a caller's error: no validator can vote (§3.3)", not voters),
        ("a caller's error: a validator is planned twice", len(set(named)) != len(named)),
        (
            "a caller's error: a plan names a validator that does not vote",
            not set(named) <= set(voters),
        ),
    ]


def _funding_reasons(
    state: ChainState, history: History, action: RunRound
) -> list[tuple[str, bool]]:
    """§4.3.1, §4.4, §6.3, §3.3 Steps 11-12: what the round can take that may be missing. The
    round pays or locks one split per node at most (F11-F12), then the prefund (§4.4)."""
    escrow = state.escrows.escrows[action.app]
    params = state.params
    nodes = sorted({plan.node for plan in action.plans})
    cost, prefund = action.cost, action.validation_prefund_ustr
    split = split_payment(cost, params) if cost > 0 else PaymentSplit(0, 0, 0, 0, 0, 0, 0)
    # §6.3.3, §6.6: the round's STR is valued at the price the profile pays at.
    price = _positive_price(payout_price(state, escrow.str_price))
    # §4.4, §6.3.2: each node is paid, or locked (Step 12), the split of its own bid (the
    # network's without one).
    owns = [
        node_split(cost, params, bid_of(state.market, action.app, node)) if cost > 0 else split
        for node in nodes
    ]
    owes_str = any(own.str_total_usd > 0 for own in (split, *owns))
    str_usd = [own.str_total_usd for own in owns]
    str_need = sum(usd_to_ustr(usd, price) for usd in str_usd) if price is not None else 0
    stb_need = sum(own.stb_total for own in owns)
    held = balance(state.ledger, get_escrow_account(action.app))
    accounts = [state.nodes[node].account for node in nodes]
    subscribers = get_active_operators(state.staking, params) if prefund > 0 else ()
    floor = params.payment.validation_floor_ustr
    stakes = sum(stake.ustr for stake in state.nodes.values())
    slashed_later = [
        node
        for node in nodes
        if (memory := history.slashes.get(f"node:{node}")) is not None
        and memory.last_time > state.now
    ]
    return [
        (
            "the payment parameters give a negative part (§6.3)",
            any(p < 0 for own in (split, *owns) for p in own.parts),
        ),
        (
            "the round owes STR and the escrow has no positive STR price (§6.3.3)",
            owes_str and price is None,
        ),
        (
            "the escrow may hold less STB than a split per assigned node (§4.3.1, §6.3)",
            held.ustb < stb_need,
        ),
        (
            "the escrow may hold less STR than a split per assigned node and the prefund (§4.4)",
            held.ustr < str_need + prefund,
        ),
        (
            "no validator can be paid the validation floor (§4.4)",
            prefund > 0 and validation_selected_count(prefund, len(subscribers), floor) == 0,
        ),
        (
            "the validators' operator accounts are not distinct user accounts (§4.4)",
            len(set(subscribers)) != len(subscribers)
            or not all(is_user_account(account) for account in subscribers),
        ),
        (
            "two assigned nodes share a payout account, or one pays a module account (§3.3 Step 12)",
            len(set(accounts)) != len(accounts)
            or not all(is_user_account(account) for account in accounts),
        ),
        (
            "a payment is locked under the round's id already (§3.3 Step 12)",
            state.next_round_id in escrow.locked,
        ),
        ("an assigned node was last slashed after now (§6.10)", bool(slashed_later)),
        (
            "the node stake pool holds less than the nodes' stakes (§3.3 Step 11)",
            ustr_of(state.ledger, NODE_STAKE_POOL) < stakes,
        ),
    ]


def round_allowed(state: ChainState, history: History, action: RunRound) -> list[str]:
    """§3.2-§3.3, §4.3.1, §4.4: a well-formed round of registered nodes for an app with an
    escrow that holds what the round can take is allowed; any round the chain runs may end
    without consensus or stall (F6), which is an outcome and not a refusal."""
    errors = round_errors(state, action)
    if errors:
        return errors
    return [
        *_reasons(*_funding_reasons(state, history, action)),
        *service_round_reasons(state, action),
    ]


# --- ResolveLocked (§3.3 Step 12) ---------------------------------------------------------------


def resolution_errors(state: ChainState, action: ResolveLocked) -> list[str]:
    """The caller's errors of `action`: no escrow, or no payment locked under the round id (an
    unknown round, or one resolved already: Step 12 resolves a lock once)."""
    escrow = state.escrows.escrows.get(action.app)
    record = escrow.locked.get(action.round_id) if escrow is not None else None
    committee = tuple(str(v) for v in record.validators) if record is not None else ()
    return _reasons(
        ("a caller's error: the app has no escrow (§4.3.1)", escrow is None),
        (
            "a caller's error: no payment is locked under the round id (§3.3 Step 12)",
            escrow is not None and action.round_id not in escrow.locked,
        ),
        *(_validator_plan_errors(action.validator_plans, committee) if record else []),
    )


def resolution_allowed(state: ChainState, history: History, action: ResolveLocked) -> list[str]:
    """§3.3 Step 12: "node payment is locked in escrow until the resolved decision": a locked
    payment is paid to its nodes or returned to the escrow, once, out of the locked escrow
    that holds it."""
    errors = resolution_errors(state, action)
    if errors:
        return errors
    record = state.escrows.escrows[action.app].locked[action.round_id]
    # §6.3.2: each node account is owed its own split (its bid's), at the locked price.
    splits = [split for split, _ in read_locked(record)]
    price = _positive_price(record.price)
    owes_str = any(split.str_total_usd > 0 for split in splits)
    str_need = (
        sum(str_payout(split, price).total for split in splits if split.str_total_usd > 0)
        if price is not None
        else 0
    )
    stb_need = sum(split.stb_total for split in splits)
    held = balance(state.ledger, get_locked_escrow_account(action.app))
    consensus = state.params.consensus
    passed, paid = resolution_outcome(
        record, action.validator_plans, consensus.threshold_num, consensus.threshold_den
    )
    return _reasons(
        (
            "no value has more than the threshold of the round's committee (§3.3 Step 12)",
            passed is None,
        ),
        (
            "the locked split has a negative part (§6.3)",
            any(p < 0 for split in splits for p in split.parts),
        ),
        ("the lock owes STR at no positive price (§6.3.3)", owes_str and price is None),
        (
            "the locked escrow holds less than the locked payment",
            held.ustb < stb_need or held.ustr < str_need,
        ),
        (
            "a node account of the lock is not a user account",
            not all(is_user_account(a) for a in paid),
        ),
    )


# --- SetAppValidatorCount (§3.3, §4.3.2) ---------------------------------------------------------


def validator_count_allowed(
    state: ChainState, history: History, action: SetAppValidatorCount
) -> list[str]:
    """§3.3: "the number of which is determined by the developer": the app's developer sets a
    count between one validator and the whole active set."""
    escrow = state.escrows.escrows.get(action.app)
    count = action.count
    whole = isinstance(count, int) and not isinstance(count, bool)
    return _reasons(
        ("the app has no escrow, so no developer (§4.3.1)", escrow is None),
        (
            "the signer is not the app's developer (§3.3)",
            escrow is not None and action.signer != escrow.developer,
        ),
        (
            "the count is not between 1 and the active set's size (§4.3.2)",
            not whole or not 1 <= count <= len(_active(state)),
        ),
    )


ROUND_JUDGES: dict[type, Callable[[ChainState, History, Any], list[str]]] = {
    RunRound: round_allowed,
    ResolveLocked: resolution_allowed,
    SetAppValidatorCount: validator_count_allowed,
}
"""The judges of this module, for `allowed.JUDGED`."""

CALLER_ERRORS: dict[type, Callable[[ChainState, Any], list[str]]] = {
    RunRound: round_errors,
    ResolveLocked: resolution_errors,
}
"""Action kind -> the caller's errors that oblige the chain to refuse it."""


def check_applied_round(step: ChainStep) -> Observation | None:
    """ACT-ALLOWED, for an applied round or resolution: a caller's error must be refused, so an
    applied one breaks the invariant (None: the action had none, or is of another kind)."""
    action, before = step.action, step.before
    errors_of = CALLER_ERRORS.get(type(action))
    if errors_of is None or before is None:
        return None
    errors = errors_of(before, action)
    if not errors:
        return None
    return violated(
        "ACT-ALLOWED",
        f"{type(action).__name__} was applied although the whitepaper refuses it: "
        + "; ".join(errors),
    )
