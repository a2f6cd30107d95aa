"""Shrinking within a count of test cases, then deleting the steps a failure does not need.

`with_shrink_budget` bounds the test cases Hypothesis spends shrinking one failure (a count, so
the result is the same on any machine); `minimise_trace` deletes the steps a trace does not need
to break its invariant, replaying each candidate through the model and the checkers.
"""

from __future__ import annotations

from fractions import Fraction

import attrs
from broken_fixtures import GENESIS, honest_round
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from hypothesis.internal.conjecture import engine

from model.chain.actions import Action, AdvanceTime, MovePrice
from model.params import WHITEPAPER_PARAMS
from model.profile import HARDENED, WHITEPAPER
from model.units import MICRO
from properties.effort import EFFORTS, get_effort
from properties.minimise import minimise_trace
from properties.replay import replay
from properties.reproducible import with_shrink_budget

NO_STR = attrs.evolve(GENESIS, prepay_ustr=0)
ROUND = honest_round(100 * MICRO, size=1)


def _shrink(budget: int | None) -> tuple[int, list[int]]:
    """Test cases run after the first failure, and the failure Hypothesis reports."""
    seen: list[list[int]] = []

    @settings(database=None, derandomize=True, max_examples=500, phases=list(Phase)[:-1])
    @given(st.lists(st.integers(0, 10_000), min_size=40, max_size=40))
    def sum_below(values: list[int]) -> None:
        seen.append(values)
        assert sum(values) < 20_000

    try:
        with with_shrink_budget(budget):
            sum_below()
    except AssertionError:
        pass
    first = next(i for i, values in enumerate(seen) if sum(values) >= 20_000)
    return len(seen) - first - 1, seen[-1]


def test_shrink_budget__stops_after_the_count_and_reports_a_failure() -> None:
    bounded_calls, bounded = _shrink(25)
    free_calls, free = _shrink(None)
    # 25 shrink attempts, besides a few cases the generation phase runs after the first failure
    # and the final replay of the smallest failure found.
    assert bounded_calls <= 25 + 10
    assert free_calls > 4 * bounded_calls
    # Unbounded, Hypothesis shrinks to the boundary itself (two 10,000s, every other value 0);
    # bounded, it reports a failure it had not finished shrinking.
    assert sum(free) == 20_000 and sorted(free)[-2:] == [10_000, 10_000]
    assert sum(bounded) > 20_000
    assert _shrink(25) == (bounded_calls, bounded)  # a count, not a clock


def test_shrink_budget__restores_the_engine() -> None:
    original = engine.ConjectureRunner.test_function
    with with_shrink_budget(10):
        assert engine.ConjectureRunner.test_function is not original
    assert engine.ConjectureRunner.test_function is original
    with with_shrink_budget(None):
        assert engine.ConjectureRunner.test_function is original


def test_every_effort_has_a_shrink_budget_growing_with_it() -> None:
    budgets = [effort.shrink_calls or 0 for effort in EFFORTS.values()]
    assert all(budget > 0 for budget in budgets)
    assert budgets == sorted(budgets)
    assert get_effort("quick").shrink_calls == 100


def test_minimise__deletes_the_steps_the_failure_does_not_need() -> None:
    """PAY-FUNDED's finding (an escrow with no STR runs a round) buried among price moves and
    waits: only the round is left, and the detail is the shorter trace's."""
    noise: list[Action] = [AdvanceTime(60), MovePrice(Fraction(3, 2)), AdvanceTime(5)]
    actions = (*noise, ROUND, *noise, ROUND, AdvanceTime(1))
    result = minimise_trace(
        NO_STR, actions, "PAY-FUNDED", params=WHITEPAPER_PARAMS, profile=WHITEPAPER
    )
    assert result is not None
    assert result.actions == (ROUND,)
    assert "n0 of the passed group received 0 ustb" in result.detail
    violated = {
        o.invariant_id
        for o in replay(
            NO_STR, result.actions, params=WHITEPAPER_PARAMS, profile=WHITEPAPER
        ).violations
    }
    assert "PAY-FUNDED" in violated
    again = minimise_trace(
        NO_STR, actions, "PAY-FUNDED", params=WHITEPAPER_PARAMS, profile=WHITEPAPER
    )
    assert again == result


def test_minimise__a_trace_that_holds_is_left_alone() -> None:
    """Under the repaired reading the round is refused before it runs: nothing to minimise."""
    assert (
        minimise_trace(NO_STR, (ROUND,), "PAY-FUNDED", params=WHITEPAPER_PARAMS, profile=HARDENED)
        is None
    )


def test_minimise__stops_at_its_replay_count() -> None:
    actions: tuple[Action, ...] = (*(AdvanceTime(1) for _ in range(30)), ROUND)
    result = minimise_trace(
        NO_STR,
        actions,
        "PAY-FUNDED",
        params=WHITEPAPER_PARAMS,
        profile=WHITEPAPER,
        max_replays=3,
    )
    assert result is not None and result.replays == 3
    assert ROUND in result.actions and len(result.actions) < len(actions)
