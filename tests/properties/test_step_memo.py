"""The memo of a machine run's steps: a repeated step is answered as the first time, without the
model or the checkers; anything it cannot tell apart is computed anew; a run's report is the
same with it and without it."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from broken_fixtures import GENESIS

import properties.replay
from model.chain.actions import Action, Prepay, Transfer
from model.chain.state import APPS, get_developer, get_user
from model.ledger import Token
from model.params import WHITEPAPER_PARAMS
from model.profile import HARDENED, WHITEPAPER
from model.units import MICRO, Rejected
from properties import runner, step_memo
from properties.edges import EMPTY_MEMORY, EdgeTracker
from properties.effort import Effort
from properties.replay import Checked, apply_and_check, start_and_check
from properties.runner import Verdict, run_properties
from properties.step_memo import StepMemo

SMALL = Effort("small", max_examples=40, steps_per_example=12, explore_max_nodes=1)
SENDER, RECIPIENT = get_user(0), get_user(1)


def _transfer(amount: Any) -> Transfer:
    return Transfer(SENDER, RECIPIENT, Token.STR, amount)


@pytest.fixture
def model_calls(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every action the memo asks the model about."""
    calls: list[Any] = []
    real = properties.replay.process_or_raise

    def counting(current: Checked, action: Action) -> Any:
        calls.append(action)
        return real(current, action)

    monkeypatch.setattr(step_memo, "process_or_raise", counting)
    return calls


def _start(memo: StepMemo) -> Checked:
    started = memo.start(
        GENESIS, lambda: start_and_check(GENESIS, params=WHITEPAPER_PARAMS, profile=HARDENED)
    )
    assert isinstance(started, Checked)
    return started


def test_a_repeated_step_is_the_first_ones_answer(model_calls: list[Any]) -> None:
    memo = StepMemo()
    chain = _start(memo)
    assert _start(memo) is chain, "the same genesis gives the very same chain"
    action = _transfer(5 * MICRO)
    first = memo.apply(chain, action, memo.step(chain, action))
    again = memo.apply(chain, action, memo.step(chain, action))
    assert again is first and model_calls == [action]
    assert memo.repeated == 2 and memo.kept == 2
    # What it gave is what the chain's replay gives.
    assert first == apply_and_check(chain, action)


def test_a_refusal_and_its_judgement_are_kept(model_calls: list[Any]) -> None:
    memo = StepMemo()
    chain = _start(memo)
    action = _transfer(10**18)  # more than the sender holds
    step = memo.step(chain, action)
    assert isinstance(step.answer, Rejected)
    judged = memo.judge_refusal(chain, action, step)
    assert memo.judge_refusal(chain, action, memo.step(chain, action)) is judged
    assert judged and all(observation.holds for observation in judged)
    assert model_calls == [action]


def test_an_equal_action_of_another_type_is_asked_anew(model_calls: list[Any]) -> None:
    """1.0 == 1 and True == 1, but a float or a flag in an action is the model's to judge."""
    memo = StepMemo()
    chain = _start(memo)
    for amount in (1, 1.0, True, 1):
        memo.step(chain, _transfer(amount))
    assert [call.amount for call in model_calls] == [1, 1.0, True]
    assert [type(call.amount) for call in model_calls] == [int, float, bool]


def test_a_chain_the_memo_did_not_hand_out_is_stepped_as_usual(
    model_calls: list[Any],
) -> None:
    memo = StepMemo()
    chain = start_and_check(GENESIS, params=WHITEPAPER_PARAMS, profile=HARDENED)
    assert isinstance(chain, Checked)
    action = _transfer(5 * MICRO)
    memo.step(chain, action)
    memo.step(chain, action)
    assert model_calls == [action, action] and memo.kept == 0


def test_past_its_limit_nothing_more_is_kept(model_calls: list[Any]) -> None:
    memo = StepMemo(limit=2)
    chain = _start(memo)  # kept: 1
    memo.step(chain, _transfer(1))  # kept: 2
    memo.step(chain, _transfer(2))  # past the limit: asked, not kept
    memo.step(chain, _transfer(1))
    memo.step(chain, _transfer(2))
    assert [call.amount for call in model_calls] == [1, 2, 2]
    assert memo.kept == 2


def test_the_boundaries_of_a_step_are_kept_by_the_trackers_memory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A step from the same chain and the same memory reaches the same boundaries and leaves
    the same memory; from another memory they are computed anew; no memory changes in place."""
    computed: list[Action] = []
    real = EdgeTracker.reached

    def counting(tracker: EdgeTracker, before: Any, action: Action, *rest: Any) -> Any:
        computed.append(action)
        return real(tracker, before, action, *rest)

    monkeypatch.setattr(EdgeTracker, "reached", counting)
    memo = StepMemo()
    chain = _start(memo)
    # A prepayment at a price the example has not seen: the tracker's memory changes.
    action = Prepay(APPS[0], get_developer(APPS[0]), 0, 5 * MICRO, Fraction(3, 2))
    step = memo.step(chain, action)
    assert isinstance(step.answer, tuple)
    after, effects = step.answer
    first = EdgeTracker(GENESIS)
    reached = memo.reach(step, first, chain.state, action, after=after, effects=effects)
    assert first.memory is not EMPTY_MEMORY
    assert first.memory.prices == {APPS[0]: frozenset({Fraction(3, 2)})}
    assert EMPTY_MEMORY.prices == {}, "the memory before the step is unchanged"
    # Another example taking the same step from the same memory: nothing computed again.
    second = EdgeTracker(GENESIS)
    again = memo.reach(
        memo.step(chain, action), second, chain.state, action, after=after, effects=effects
    )
    assert again is reached and second.memory is first.memory
    assert computed == [action]
    # From the memory after the step (the price already seen), the step is judged anew.
    memo.reach(step, first, chain.state, action, after=after, effects=effects)
    assert computed == [action, action]
    assert reached == real(EdgeTracker(GENESIS), chain.state, action, after, effects)


@pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER], ids=lambda p: p.name)
def test_a_runs_report_is_the_same_without_the_memo(
    profile: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The literal profile breaks invariants: its re-runs and shrinks go through the memo too."""
    kept: list[StepMemo] = []

    def remembering() -> StepMemo:
        kept.append(StepMemo())
        return kept[-1]

    monkeypatch.setattr(runner, "StepMemo", remembering)
    with_memo = run_properties(WHITEPAPER_PARAMS, profile, SMALL, 3, explore=False)
    assert kept and sum(memo.repeated for memo in kept) > 0, "the run repeated no step"
    if profile is WHITEPAPER:  # broken invariants: re-runs and shrinks
        assert any(result.verdict is Verdict.FAIL for result in with_memo.results)
    monkeypatch.setattr(runner, "StepMemo", lambda: StepMemo(limit=0))
    without = run_properties(WHITEPAPER_PARAMS, profile, SMALL, 3, explore=False)
    assert with_memo == without
