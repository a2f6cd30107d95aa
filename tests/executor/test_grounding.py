"""GROUNDED: real node processes and the model agree, call by call, on generated scenarios.

A deliberately wrong model must be caught
with a small, shrunk scenario; a function that is not deterministic must show up as a
disagreement; and the engine's answer must depend only on its inputs and seed.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from executor_fixtures import (
    honest,
    make_call,
    make_round,
    no_orphan_nodes,  # noqa: F401 - autouse: no node left behind
    predict_run,
)

from executor.engine import ROOT, Executor
from executor.grounding import EXECUTOR_IDS, GROUNDED, compare, run_executor
from executor.scenario import CallRecord, TrustedCall, predict
from model.params import WHITEPAPER_PARAMS
from model.profile import HARDENED
from model.units import NodeId


def _wrong_model(**changes: Any) -> Callable[..., CallRecord]:
    """The model's prediction under parameters it should not be using."""

    def predictor(call: TrustedCall, **kwargs: Any) -> CallRecord:
        consensus = attrs.evolve(kwargs["params"].consensus, **changes)
        kwargs["params"] = attrs.evolve(kwargs["params"], consensus=consensus)
        return predict(call, **kwargs)

    return predictor


@pytest.mark.slow
def test_a_wrong_model_is_caught_with_a_shrunk_scenario() -> None:
    """A model that decides by simple majority is caught by GROUNDED on a small round."""
    wrong = _wrong_model(threshold_num=1, threshold_den=2)
    run = run_executor(WHITEPAPER_PARAMS, HARDENED, "quick", seed=0, predictor=wrong)
    grounded = next(r for r in run.results if r.invariant_id == GROUNDED)
    assert grounded.verdict == "fail"
    counterexample = grounded.counterexample
    assert counterexample is not None
    assert "consensus" in counterexample.detail
    # Shrunk: the smallest round where > 1/2 and > 2/3 differ has 2 of 3 nodes agreeing.
    assert len(counterexample.call.main.scenario.plans) <= 4
    assert "main" in counterexample.description


@pytest.mark.slow
def test_a_model_that_forgets_to_slash_is_caught() -> None:
    def forgetful(call: TrustedCall, **kwargs: Any) -> CallRecord:
        record = predict(call, **kwargs)
        if record.main is None:
            return record
        return attrs.evolve(record, main=attrs.evolve(record.main, slashed=()))

    run = run_executor(WHITEPAPER_PARAMS, HARDENED, "quick", seed=0, predictor=forgetful)
    grounded = next(r for r in run.results if r.invariant_id == GROUNDED)
    assert grounded.verdict == "fail" and grounded.counterexample is not None
    assert "main.slashed" in grounded.counterexample.detail


@pytest.mark.slow
def test_a_model_whose_prediction_raises_fails_grounded() -> None:
    """A model that cannot predict a call (it raises) disagrees with what the nodes did: GROUNDED
    fails on that call, and the engine still reports every other check."""

    def raising(call: TrustedCall, **kwargs: Any) -> CallRecord:
        if call.main is not None and len(call.main.scenario.plans) > 3:
            raise ZeroDivisionError("integer division or modulo by zero")
        return predict(call, **kwargs)

    run = run_executor(WHITEPAPER_PARAMS, HARDENED, "quick", seed=0, predictor=raising)
    grounded = next(r for r in run.results if r.invariant_id == GROUNDED)
    assert grounded.verdict == "fail" and grounded.counterexample is not None
    assert "prediction raised ZeroDivisionError" in grounded.counterexample.detail
    assert all(r.verdict == "pass" for r in run.results if r.invariant_id != GROUNDED)


def test_a_nondeterministic_function_disagrees_with_the_model() -> None:
    """Honest nodes running a function that is not deterministic cannot agree; the model,
    which assumes one correct output, predicts they do: GROUNDED reports the difference."""
    main = make_round(
        honest(3), function=f"{ROOT / 'fixtures/functions/hostile.py'}:nondeterministic"
    )
    call = make_call(main)
    with Executor() as executor:
        run = executor.run_call(call, params=WHITEPAPER_PARAMS, profile=HARDENED)
    predicted = predict_run(call, run, WHITEPAPER_PARAMS, HARDENED)
    differences = compare(run.record, predicted)
    assert any(d.startswith("main.consensus: executor False, model True") for d in differences)


def test_compare_names_each_differing_field() -> None:
    call = make_call(make_round(honest(2)))
    with Executor() as executor:
        record = executor.run_call(call, params=WHITEPAPER_PARAMS, profile=HARDENED).record
    assert compare(record, record) == ()
    assert record.main is not None
    changed = attrs.evolve(record, main=attrs.evolve(record.main, paid=(NodeId("n0"),)))
    assert compare(record, changed) == ("main.paid: executor ('n0', 'n1'), model ('n0',)",)
    assert compare(record, CallRecord(None, None, stalled="main"))[0].startswith("stalled")


@pytest.mark.slow
def test_same_seed_same_results() -> None:
    """Deterministic: the protocol clock is the executor's, so two runs give equal records,
    counterexample and shrinking included."""
    wrong = _wrong_model(threshold_num=1, threshold_den=2)
    first, second = (
        run_executor(
            WHITEPAPER_PARAMS,
            HARDENED,
            "quick",
            7,
            predictor=wrong,
            max_examples=40,
            shrink_budget=20,
        )
        for _ in range(2)
    )
    assert first == second
    assert [r.invariant_id for r in first.results] == list(EXECUTOR_IDS)
    assert first.results[0].counterexample is not None, "the shrink path is covered"


@pytest.mark.slow
def test_shrinking_does_not_depend_on_what_else_is_imported() -> None:
    """Hypothesis harvests constants from loaded modules; the engines switch that off, so a
    run after the solver and the CLI are imported shrinks to the same call (docs/findings.md)."""
    wrong = _wrong_model(threshold_num=1, threshold_den=2)
    settings: dict[str, Any] = {"predictor": wrong, "max_examples": 40, "shrink_budget": 20}
    before = run_executor(WHITEPAPER_PARAMS, HARDENED, "quick", 3, **settings)
    importlib.import_module("solver.registry").prove_all(WHITEPAPER_PARAMS, HARDENED)
    importlib.import_module("reports.cli")
    after = run_executor(WHITEPAPER_PARAMS, HARDENED, "quick", 3, **settings)
    assert before == after
