"""The executor engine on an effort's independent streams, merged as one run.

At `thorough` the executor's scenarios are cut into `Effort.shards` streams, each on its own seed
(the explicit calls in the first): a cluster runs them at once (`sweep.shards`), this process one
after the other, and `merge_executor_runs` joins them in stream order, so the report is the same
whatever ran them. With one stream (quick, default) the run is `run_executor`'s, unchanged.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import attrs

from executor.grounding import EXECUTOR_IDS, ExecutorResult, ExecutorRun, run_executor
from model.params import Params
from model.profile import Profile
from properties.effort import get_effort


def run_executor_streams(
    params: Params,
    profile: Profile,
    effort: str,
    seed: int,
    *,
    functions: tuple[str, ...] = (),
    function_paths: tuple[str, ...] = (),
) -> ExecutorRun:
    """Every stream of `effort`, one after the other, merged."""
    streams = get_effort(effort).shards
    return merge_executor_runs(
        [
            run_executor(
                params,
                profile,
                effort,
                seed,
                functions=functions,
                function_paths=function_paths,
                stream=stream,
                streams=streams,
            )
            for stream in range(streams)
        ]
    )


def merge_executor_runs(runs: Sequence[ExecutorRun]) -> ExecutorRun:
    """One run from its streams, in stream order: counts summed, each invariant's counterexample
    the first stream's that has one, its verdict the worst (fail, then pass, then vacuous)."""
    if len(runs) == 1:
        return runs[0]
    first = runs[0]
    faults: Counter[str] = Counter()
    for run in runs:
        faults.update(dict(run.node_faults))
    results = []
    for invariant_id in EXECUTOR_IDS:
        rows = [row for run in runs for row in run.results if row.invariant_id == invariant_id]
        counterexample = next((row.counterexample for row in rows if row.counterexample), None)
        verdicts = {row.verdict for row in rows}
        verdict = next(v for v in ("fail", "pass", "vacuous") if v in verdicts or v == "vacuous")
        results.append(
            ExecutorResult(
                invariant_id=invariant_id,
                verdict=verdict,
                scenarios=sum(row.scenarios for row in rows),
                observations=sum(row.observations for row in rows),
                violations=sum(row.violations for row in rows),
                counterexample=counterexample,
            )
        )
    return attrs.evolve(
        first,
        scenarios=sum(run.scenarios for run in runs),
        rounds=sum(run.rounds for run in runs),
        node_faults=tuple(sorted(faults.items())),
        results=tuple(results),
    )
