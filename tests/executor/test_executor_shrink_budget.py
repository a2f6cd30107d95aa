"""The executor's shrink budget: a count of real calls per failure, set per effort.

Shrinking one failure runs at most the effort's `SHRINK_BUDGET_PER_EFFORT` calls with real
processes (or the `shrink_budget` given); after that, unseen calls count as passing and the
smallest failure found so far is reported. Hypothesis' explain phase, which re-ran the shrunk
call's variants for a printout nobody sees, is off.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from executor_fixtures import no_orphan_nodes  # noqa: F401 - autouse: no node left behind
from hypothesis import Phase

from executor import grounding
from executor.engine import resolve_function
from executor.grounding import (
    GROUNDED,
    SCENARIOS_PER_EFFORT,
    SHRINK_BUDGET_PER_EFFORT,
    ExecutorRun,
    run_executor,
)
from executor.scenario import CallRecord, TrustedCall, predict
from model.params import WHITEPAPER_PARAMS
from model.profile import HARDENED
from properties.effort import EFFORTS

DATABASE = resolve_function("database")


def _wrong_on_database(call: TrustedCall, **kwargs: Any) -> CallRecord:
    """The model, except that it cannot predict a main round on the database function (none of
    the explicit calls has one, so only generated calls fail, and they shrink)."""
    if call.main.function == DATABASE:
        raise ValueError("no prediction for the database function")
    return predict(call, **kwargs)


def _run_counting(
    monkeypatch: pytest.MonkeyPatch, **options: Any
) -> tuple[ExecutorRun, list[Counter[str]]]:
    """A quick run with the wrong model, and for each search the real calls it made while
    generating and while shrinking."""
    searches: list[Counter[str]] = []
    original = grounding._Search.run

    def counted(search: grounding._Search, call: TrustedCall) -> Any:
        if not searches or searches[-1]["search"] != id(search):
            searches.append(Counter(search=id(search)))
        searches[-1]["generating" if search.shrink_budget is None else "shrinking"] += 1
        return original(search, call)

    monkeypatch.setattr(grounding._Search, "run", counted)
    run = run_executor(
        WHITEPAPER_PARAMS,
        HARDENED,
        "quick",
        seed=0,
        predictor=_wrong_on_database,
        max_examples=12,
        **options,
    )
    return run, searches


def test_every_effort_has_a_shrink_budget_not_shrinking_with_it() -> None:
    assert list(SHRINK_BUDGET_PER_EFFORT) == list(EFFORTS) == list(SCENARIOS_PER_EFFORT)
    budgets = list(SHRINK_BUDGET_PER_EFFORT.values())
    assert all(budget > 0 for budget in budgets)
    assert budgets == sorted(budgets)


def test_the_search_has_no_explain_phase() -> None:
    phases = grounding._search_settings(10).phases
    assert Phase.explain not in phases
    assert Phase.shrink in phases and Phase.generate in phases


def test_the_efforts_budget_bounds_the_real_calls_of_a_shrink(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With no budget given, the effort's is used: shrinking stops after that many real calls,
    and the smallest failure found by then is the counterexample."""
    monkeypatch.setitem(SHRINK_BUDGET_PER_EFFORT, "quick", 3)
    run, searches = _run_counting(monkeypatch)
    shrinks = [search["shrinking"] for search in searches if search["shrinking"]]
    assert shrinks == [3], searches
    grounded = next(r for r in run.results if r.invariant_id == GROUNDED)
    assert grounded.verdict == "fail"
    assert grounded.counterexample is not None
    assert grounded.counterexample.call.main.function == DATABASE
    assert "database function" in grounded.counterexample.detail


def test_a_given_budget_overrides_the_efforts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(SHRINK_BUDGET_PER_EFFORT, "quick", 3)
    _, searches = _run_counting(monkeypatch, shrink_budget=5)
    assert [search["shrinking"] for search in searches if search["shrinking"]] == [5]
