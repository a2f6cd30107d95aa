"""The executor's scenarios cut into streams: each on its own seed, the explicit calls in the
first only, merged in stream order (a thorough check runs the streams at once on a cluster)."""

from __future__ import annotations

import attrs

from executor.grounding import (
    EXECUTOR_IDS,
    ExecutorCounterexample,
    ExecutorResult,
    ExecutorRun,
    run_executor,
)
from executor.streams import merge_executor_runs
from model.params import WHITEPAPER_PARAMS
from model.profile import PROFILES


def _run(
    results: dict[str, ExecutorResult], *, scenarios: int, faults: dict[str, int]
) -> ExecutorRun:
    real = run_executor(
        WHITEPAPER_PARAMS, PROFILES["hardened"], "quick", 0, max_examples=1, stream=1, streams=2
    )
    return attrs.evolve(
        real,
        scenarios=scenarios,
        rounds=2 * scenarios,
        node_faults=tuple(sorted(faults.items())),
        results=tuple(results.get(i, ExecutorResult(i, "vacuous", 0, 0, 0)) for i in EXECUTOR_IDS),
    )


def test_streams_merge_in_order() -> None:
    first_id, second_id = EXECUTOR_IDS[0], EXECUTOR_IDS[1]
    early = ExecutorCounterexample(first_id, "early", None, "early")  # type: ignore[arg-type]
    late = ExecutorCounterexample(first_id, "late", None, "late")  # type: ignore[arg-type]
    one = _run(
        {
            first_id: ExecutorResult(first_id, "pass", 3, 5, 0),
            second_id: ExecutorResult(second_id, "fail", 1, 1, 1, early),
        },
        scenarios=4,
        faults={"exited": 1},
    )
    two = _run(
        {
            first_id: ExecutorResult(first_id, "fail", 2, 2, 1, late),
            second_id: ExecutorResult(second_id, "fail", 1, 1, 1, late),
        },
        scenarios=3,
        faults={"exited": 2, "timeout": 1},
    )
    merged = merge_executor_runs([one, two])
    assert merged.scenarios == 7 and merged.rounds == 14
    assert merged.node_faults == (("exited", 3), ("timeout", 1))
    rows = {row.invariant_id: row for row in merged.results}
    assert rows[first_id].verdict == "fail" and rows[first_id].counterexample is late
    assert (rows[first_id].scenarios, rows[first_id].observations) == (5, 7)
    assert rows[second_id].counterexample is early  # the first stream's, though both found one
    assert rows[EXECUTOR_IDS[2]].verdict == "vacuous"
    assert merge_executor_runs([one]) is one


def test_a_later_stream_draws_its_own_calls_without_the_explicit_ones() -> None:
    profile = PROFILES["hardened"]
    first = run_executor(
        WHITEPAPER_PARAMS, profile, "quick", 0, max_examples=6, stream=0, streams=2
    )
    second = run_executor(
        WHITEPAPER_PARAMS, profile, "quick", 0, max_examples=6, stream=1, streams=2
    )
    whole = run_executor(WHITEPAPER_PARAMS, profile, "quick", 0, max_examples=6)
    # Three generated calls each; the explicit calls (dissent, money edges, committees) run in
    # the first stream only, as they do in a run of one stream.
    assert second.scenarios == 3
    assert first.scenarios - second.scenarios == whole.scenarios - 6 > 0
