"""ACT-ALLOWED on Trusted Function rounds and locked payments (§3.2-§3.3, §4.3.1, §4.4): the
judges call a valid round or resolution allowed and each malformed one not; a model refusing a
valid one fails, and so does a model applying a round the text refuses (a wrong output equal to
the correct one, told apart by `==` and not by `is`)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from broken_fixtures import APP, GENESIS, honest_round, plan, replace_rule, run_trace
from broken_rules import P

from model.chain import economy
from model.chain.actions import Action, ResolveLocked, RunRound, WithdrawPrepayment
from model.chain.state import get_node, get_validator
from model.profile import HARDENED
from model.trusted import behaviour
from model.trusted.behaviour import (
    Behaviour,
    NodePlan,
    Scenario,
    ValidatorBehaviour,
    ValidatorPlan,
    get_scenario_problems,
)
from model.units import MICRO, NodeId, Rejected
from properties.invariants.allowed import JUDGED
from properties.invariants.allowed_rounds import (
    correct_output,
    resolution_allowed,
    round_allowed,
)
from properties.replay import Checked, apply_and_check, start_and_check
from properties.rules.rounds import MALFORMED, malformed_round

LOCKING_PLANS = (
    plan(0),
    plan(1),
    plan(2, Behaviour.WRONG_OUTPUT),
    plan(3, Behaviour.WRONG_OUTPUT),
)
"""Two honest nodes and two independent wrong outputs: no consensus, the payment is locked."""


def _after(*actions: Action) -> Checked:
    current = start_and_check(GENESIS, params=P, profile=HARDENED)
    assert not isinstance(current, Rejected), current
    for action in actions:
        step = apply_and_check(current, action)
        assert not isinstance(step, Rejected), step
        current = step
    return current


def _equal_wrong_output(round_id: int = 1) -> RunRound:
    """A round whose last node is WRONG_OUTPUT with the correct output, another bytes object."""
    wrong = bytes(bytearray(correct_output(round_id)))
    assert wrong == correct_output(round_id) and wrong is not correct_output(round_id)
    return RunRound(
        APP, (plan(0), plan(1), plan(2, Behaviour.WRONG_OUTPUT, wrong_output=wrong)), MICRO
    )


def test_rounds_and_resolutions__are_judged() -> None:
    assert JUDGED[RunRound] is round_allowed
    assert JUDGED[ResolveLocked] is resolution_allowed


@pytest.mark.parametrize(
    "action",
    [
        honest_round(),
        honest_round(cost=0),
        honest_round(size=1),
        RunRound(APP, LOCKING_PLANS, MICRO),
        RunRound(
            APP, (plan(0), plan(1), plan(2, Behaviour.COPY_COMMIT, copy_from=get_node(0))), MICRO
        ),
        RunRound(APP, (plan(0), plan(1, Behaviour.WRONG_OUTPUT, wrong_output=b"other")), MICRO),
    ],
)
def test_valid_round__is_allowed_and_applied(action: RunRound) -> None:
    current = _after()
    assert round_allowed(current.state, current.history, action) == []
    assert not isinstance(apply_and_check(current, action), Rejected)


MALFORMED_ROUNDS: dict[str, RunRound] = {
    "no node": RunRound(APP, (), MICRO),
    "a node twice": RunRound(APP, (plan(0), plan(0)), MICRO),
    "copies itself": RunRound(
        APP, (plan(0), plan(1, Behaviour.COPY_COMMIT, copy_from=get_node(1))), MICRO
    ),
    "copies nobody": RunRound(APP, (plan(0), plan(1, Behaviour.COPY_COMMIT)), MICRO),
    "copies an unassigned node": RunRound(
        APP, (plan(0), plan(1, Behaviour.COPY_COMMIT, copy_from=get_node(3))), MICRO
    ),
    "copy_from on an honest plan": RunRound(APP, (plan(0), plan(1, copy_from=get_node(0))), MICRO),
    "wrong_output on an honest plan": RunRound(APP, (plan(0), plan(1, wrong_output=b"x")), MICRO),
    "wrong output equal to the correct one": _equal_wrong_output(),
    "unregistered node": RunRound(APP, (plan(0), NodePlan(NodeId("n-unregistered"))), MICRO),
    "no escrow": RunRound("app-9", (plan(0),), MICRO),  # type: ignore[arg-type]
    "negative cost": honest_round(cost=-1),
    "non-integer cost": honest_round(cost=1.5),  # type: ignore[arg-type]
    "negative prefund": attrs.evolve(honest_round(), validation_prefund_ustr=-1),
}


@pytest.mark.parametrize("name", MALFORMED_ROUNDS)
def test_malformed_round__is_a_callers_error(name: str) -> None:
    current = _after()
    reasons = round_allowed(current.state, current.history, MALFORMED_ROUNDS[name])
    assert reasons and all("a caller's error" in reason for reason in reasons), reasons


@pytest.mark.parametrize("name", MALFORMED_ROUNDS)
def test_malformed_round__is_refused_by_the_model_and_holds(name: str) -> None:
    """Every malformed round is refused; a negative cost or prefund among them (the model once
    checked a cost only when it paid or locked one, and a prefund only when positive, so such a
    round ran and paid nothing: docs/findings.md)."""
    run = run_trace(GENESIS, [MALFORMED_ROUNDS[name]], params=P, profile=HARDENED)
    assert run.refused_by, "the model applied a malformed round"
    assert "ACT-ALLOWED" in run.observed
    assert not run.violations, run.violations


@pytest.mark.parametrize("short", ["", "ustb", "ustr"])
def test_round_at_the_funds__is_allowed_exactly_and_refused_one_short(short: str) -> None:
    """§6.3.3 at $1/STR: a $100 cost withdraws 120 STB and 80 STR per paid node. The escrow is
    left holding exactly four such splits, or one micro-unit less of one token."""
    ustb, ustr = 4 * 120 * MICRO - (short == "ustb"), 4 * 80 * MICRO - (short == "ustr")
    escrow_ustb = GENESIS.prepay_ustb - ustb
    escrow_ustr = GENESIS.prepay_ustr - ustr
    current = _after(WithdrawPrepayment(APP, escrow_ustb, escrow_ustr))
    action = honest_round(cost=100 * MICRO)
    reasons = round_allowed(current.state, current.history, action)
    applied = apply_and_check(current, action)
    if short:
        assert reasons and "the escrow may hold less" in reasons[0], reasons
        assert isinstance(applied, Rejected)
    else:
        assert reasons == []
        assert not isinstance(applied, Rejected), applied


ABSTAINING = tuple(ValidatorPlan(get_validator(i), ValidatorBehaviour.ABSTAIN) for i in range(2))
"""Two of the four validators abstain: no validator supermajority, the payment is locked."""


def test_resolution__is_allowed_once_either_way() -> None:
    """A lock of a round without consensus returns to the escrow; a lock of a round whose
    validators did not reach a supermajority (recourse) pays its supermajority group."""
    for locking in (
        RunRound(APP, LOCKING_PLANS, MICRO),
        RunRound(APP, tuple(plan(i) for i in range(4)), MICRO, validator_plans=ABSTAINING),
    ):
        locked = _after(locking)
        assert 1 in locked.state.escrows.escrows[APP].locked
        action = ResolveLocked(APP, 1)
        assert resolution_allowed(locked.state, locked.history, action) == []
        resolved = apply_and_check(locked, action)
        assert not isinstance(resolved, Rejected), resolved
        again = resolution_allowed(resolved.state, resolved.history, action)
        assert again and "a caller's error" in again[0], again


def test_resolution_without_a_supermajority__may_be_refused() -> None:
    """§3.3 Step 12: a lock is resolved only by more than 2/3 of its committee: with two of four
    abstaining, the text lets the chain refuse, and it does."""
    locked = _after(RunRound(APP, LOCKING_PLANS, MICRO))
    action = ResolveLocked(APP, 1, ABSTAINING)
    reasons = resolution_allowed(locked.state, locked.history, action)
    assert reasons and "threshold of the round's committee" in reasons[0], reasons
    assert isinstance(apply_and_check(locked, action), Rejected)


@pytest.mark.parametrize(
    "action",
    [
        ResolveLocked(APP, 1),
        ResolveLocked(APP, 7),
        ResolveLocked("app-9", 1),  # type: ignore[arg-type]
    ],
)
def test_unknown_resolution__is_a_callers_error(action: ResolveLocked) -> None:
    current = _after()
    reasons = resolution_allowed(current.state, current.history, action)
    assert reasons and all("a caller's error" in reason for reason in reasons), reasons
    run = run_trace(GENESIS, [action], params=P, profile=HARDENED)
    assert run.refused_by and not run.violations, run.violations


def _refuse(*args: Any, **kwargs: Any) -> Rejected:
    return Rejected("broken", "refuses what the text allows")


def test_model_refusing_a_valid_round__breaks_act_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    actions = [honest_round()]
    assert not run_trace(GENESIS, actions, params=P, profile=HARDENED).violations
    monkeypatch.setattr(economy, "run_round_to_decision", _refuse)
    broken = run_trace(GENESIS, actions, params=P, profile=HARDENED)
    assert "ACT-ALLOWED" in broken.violated, broken.violations
    assert any("RunRound was allowed" in v and "refused by broken" in v for v in broken.violations)


def test_model_refusing_a_valid_resolution__breaks_act_allowed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    actions: list[Action] = [RunRound(APP, LOCKING_PLANS, MICRO), ResolveLocked(APP, 1)]
    assert not run_trace(GENESIS, actions, params=P, profile=HARDENED).violations
    monkeypatch.setattr(economy, "process_resolve_locked_payment", _refuse)
    broken = run_trace(GENESIS, actions, params=P, profile=HARDENED)
    assert "ACT-ALLOWED" in broken.violated, broken.violations


def _identity_mutant() -> Callable[[Scenario], tuple[str, ...]]:
    """`get_scenario_problems` with `plan.wrong_output is scenario.correct_output` for `==`, as
    the mechanical mutant edits its source."""
    source = inspect.getsource(behaviour.get_scenario_problems)
    mutated = source.replace(
        "plan.wrong_output == scenario.correct_output",
        "plan.wrong_output is scenario.correct_output",
    )
    assert mutated != source
    namespace = dict(vars(behaviour))
    exec(mutated, namespace)
    mutant: Callable[[Scenario], tuple[str, ...]] = namespace["get_scenario_problems"]
    return mutant


def test_wrong_output_compared_by_identity__breaks_act_allowed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The mutant `plan.wrong_output is scenario.correct_output`: an equal, distinct wrong output
    passes the scenario check, the model runs the round, and ACT-ALLOWED fails on it."""
    actions = [_equal_wrong_output()]
    correct = run_trace(GENESIS, actions, params=P, profile=HARDENED)
    assert correct.refused_by == ("run_round_to_decision",)
    assert not correct.violations, correct.violations
    replace_rule(monkeypatch, get_scenario_problems, _identity_mutant())
    broken = run_trace(GENESIS, actions, params=P, profile=HARDENED)
    assert broken.refused_by == ()
    assert "ACT-ALLOWED" in broken.violated, broken.violations
    assert any("wrong output equals the correct output" in v for v in broken.violations)


@pytest.mark.parametrize("kind", MALFORMED)
def test_drawn_malformed_round__is_a_callers_error(kind: str) -> None:
    """Every kind `process_malformed_rounds` tries is refused, rightly; the equal wrong output
    and the self-copy are equal to, and not the same object as, what they must differ from."""
    current = _after()
    honest = honest_round(cost=100 * MICRO, size=3)
    correct = correct_output(current.state.next_round_id)
    action = malformed_round(kind, honest, correct)
    reasons = round_allowed(current.state, current.history, action)
    assert reasons and all("a caller's error" in reason for reason in reasons), reasons
    last = action.plans[-1]
    if kind == "wrong output equal to the correct one":
        assert last.wrong_output == correct and last.wrong_output is not correct
    if kind == "copies itself":
        assert last.copy_from == last.node and last.copy_from is not last.node
