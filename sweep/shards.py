"""One check, cut into independent parts that run at once on a cluster.

The Hypothesis engine's seed streams (`Effort.shards`), its exhaustive round search (cut into as
many parts, each every `shards`-th assignment), the Z3 proofs and the executor's streams are
independent: each part is a pure function of the parameter set, the profile, the effort and the
seed, so it runs on any worker and gives the same result. The parts are merged in a fixed order
(`properties.runner.assemble_properties`, `properties.explore.merge_exploration`), so a report's
content hash is the same on one worker, on two, or in this process. The executor's scenarios are
cut the same way into streams (`executor.streams`).
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import time
from collections.abc import Callable
from typing import Any

import attrs
from attrs import frozen

from executor.grounding import ExecutorRun, run_executor
from executor.streams import merge_executor_runs
from model.params import Params
from model.profile import PROFILES
from properties.catalogue import Engine, get_ids_for
from properties.database import open_database, parse_location
from properties.effort import Effort, get_shard_seeds
from properties.explore import ExplorationPart, explore_part, merge_exploration
from properties.runner import (
    EngineError,
    MachineShard,
    PropertyReport,
    assemble_properties,
    run_machine_shard,
)
from solver.claim import ProofResult
from solver.prove import SolverSettings
from solver.registry import prove_all
from sweep.cluster import IN_PROCESS, Placement, Progress, run_tasks


@frozen
class PartOutcome:
    """A part's result, or the one-line reason it stopped (a model bug, say)."""

    kind: str
    result: Any = None
    error: str = ""
    seconds: float = 0.0


@frozen
class CheckParts:
    """Where a check is cut: what runs, with which arguments, and the IDs of each engine."""

    params: Params
    profile: str
    effort: Effort
    seed: int
    hypothesis_ids: tuple[str, ...]
    z3_ids: tuple[str, ...]
    run_executor: bool
    functions: tuple[str, ...] = ()
    function_paths: tuple[str, ...] = ()
    database: str | None = None


def _machine_part(parts: CheckParts, seed: int) -> MachineShard:
    location = None if parts.database is None else parse_location(parts.database)
    opened = None if location is None else open_database(location)
    return run_machine_shard(
        parts.params,
        PROFILES[parts.profile],
        parts.effort,
        seed,
        ids=parts.hypothesis_ids,
        database=opened,
    )


def _exploration_part(parts: CheckParts, part: int) -> ExplorationPart:
    return explore_part(
        params=parts.params,
        profile=PROFILES[parts.profile],
        max_nodes=parts.effort.explore_max_nodes,
        seed=parts.seed,
        part=part,
        parts=parts.effort.shards,
    )


def _z3_part(parts: CheckParts) -> tuple[ProofResult, ...]:
    return prove_all(
        parts.params,
        PROFILES[parts.profile],
        settings=SolverSettings(seed=parts.seed),
        only=parts.z3_ids,
    )


def _executor_part(parts: CheckParts, stream: int) -> ExecutorRun:
    return run_executor(
        parts.params,
        PROFILES[parts.profile],
        parts.effort.name,
        parts.seed,
        functions=parts.functions,
        function_paths=parts.function_paths,
        stream=stream,
        streams=parts.effort.shards,
    )


PARTS: dict[str, Callable[..., Any]] = {
    "machine": _machine_part,
    "exploration": _exploration_part,
    "z3": _z3_part,
    "executor": _executor_part,
}


def run_part(kind: str, args: tuple[Any, ...]) -> PartOutcome:
    """Run one part on a worker; an error becomes its one-line description."""
    try:
        return PartOutcome(kind, PARTS[kind](*args))
    except Exception as error:  # as `check` describes an engine that stopped
        return PartOutcome(kind, error=f"{type(error).__name__}: {error}")


@frozen
class PartResults:
    """Each engine's result once its parts are merged, or the reason it failed."""

    hypothesis: PropertyReport | None
    z3: tuple[ProofResult, ...] | None
    executor: ExecutorRun | None
    errors: dict[str, str]
    seconds: dict[str, float]
    """Per engine, the seconds its parts took on their workers, summed."""


def plan_parts(parts: CheckParts) -> list[tuple[str, tuple[Any, ...]]]:
    """Every part of the check with its arguments, in the order they are submitted (the longest,
    the executor, first)."""
    plan: list[tuple[str, tuple[Any, ...]]] = []
    if parts.run_executor:
        plan.extend(("executor", (parts, stream)) for stream in range(parts.effort.shards))
    if parts.hypothesis_ids:
        seeds = get_shard_seeds(parts.seed, parts.effort.shards)
        plan.extend(("machine", (parts, seed)) for seed in seeds)
        plan.extend(("exploration", (parts, part)) for part in range(parts.effort.shards))
    if parts.z3_ids:
        plan.append(("z3", (parts,)))
    return plan


def run_parts(
    parts: CheckParts,
    placement: Placement,
    *,
    progress: Progress | None = None,
    executor_here: bool | None = None,
) -> PartResults:
    """Run every part of the check on `placement` and merge each engine's parts.

    With `executor_here` (by default, on a local cluster) the executor's streams run in
    processes of this machine beside the cluster, each at a lower priority, rather than on its
    workers: a stream mostly waits on its nodes (their wall-clock limits), and on a worker it
    would hold a core's slot while it waits. With no cluster (`--workers 0`) every part runs in
    this process, one after another.
    """
    if executor_here is None:
        executor_here = placement.scheduler is None and placement.workers != IN_PROCESS
    local = parts.run_executor and executor_here
    plan = plan_parts(attrs.evolve(parts, run_executor=False) if local else parts)
    pool = None
    streams: list[concurrent.futures.Future[tuple[PartOutcome, float]]] = []
    if local:
        pool = concurrent.futures.ProcessPoolExecutor(
            max_workers=parts.effort.shards, mp_context=multiprocessing.get_context("spawn")
        )
        streams = [
            pool.submit(_stream_here, parts, stream) for stream in range(parts.effort.shards)
        ]
    try:
        done = run_tasks(
            run_part,
            [(kind, args) for kind, args in plan],
            placement=placement,
            name="part",
            progress=progress,
        )
        here = [future.result() for future in streams]
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    outcomes = [d.result for d in done] + [outcome for outcome, _ in here]
    seconds: dict[str, float] = {}
    for (kind, _), finished in zip(plan, done, strict=True):
        engine = "hypothesis" if kind in ("machine", "exploration") else kind
        seconds[engine] = round(seconds.get(engine, 0.0) + finished.seconds, 3)
    if here:
        seconds["executor"] = round(sum(taken for _, taken in here), 3)
    return _merge_parts(parts, outcomes, seconds)


def _merge_parts(
    parts: CheckParts, outcomes: list[PartOutcome], seconds: dict[str, float]
) -> PartResults:
    """Each engine's parts joined in plan order, or the first part's reason it stopped."""
    errors: dict[str, str] = {}
    by_kind: dict[str, list[PartOutcome]] = {}
    for outcome in outcomes:
        by_kind.setdefault(outcome.kind, []).append(outcome)
    hypothesis = None
    if parts.hypothesis_ids:
        hypothesis, error = _merge_hypothesis(parts, by_kind["machine"], by_kind["exploration"])
        if error:
            errors["hypothesis"] = error
    z3 = None
    if parts.z3_ids:
        (outcome,) = by_kind["z3"]
        z3 = outcome.result
        if outcome.error:
            errors["z3"] = outcome.error
    executor = None
    if parts.run_executor:
        runs = by_kind["executor"]
        failed = next((outcome.error for outcome in runs if outcome.error), "")
        if failed:
            errors["executor"] = failed
        else:
            executor = merge_executor_runs([outcome.result for outcome in runs])
    return PartResults(hypothesis, z3, executor, errors, seconds)


def _stream_here(parts: CheckParts, stream: int) -> tuple[PartOutcome, float]:
    """One executor stream in a process of this machine, yielding the processor to the cluster's
    workers a little (not so much that a node starves past its wall-clock limits)."""
    os.nice(10)
    clock = time.perf_counter()
    outcome = run_part("executor", (parts, stream))
    return outcome, time.perf_counter() - clock


def _merge_hypothesis(
    parts: CheckParts, machines: list[PartOutcome], explorations: list[PartOutcome]
) -> tuple[PropertyReport | None, str]:
    """As `run_properties` joins its streams (`assemble_properties`): a stream that crashed
    keeps what it saw; nothing seen anywhere, or a part that stopped outside the machine, fails
    the engine with the part's reason."""
    stopped = next((outcome.error for outcome in machines if outcome.error), "")
    if stopped:
        return None, stopped
    search_error = next((outcome.error for outcome in explorations if outcome.error), "")
    explored = None
    if not search_error:
        explored = merge_exploration(
            [outcome.result for outcome in explorations],
            profile=PROFILES[parts.profile],
            max_nodes=parts.effort.explore_max_nodes,
        )
    shards: list[MachineShard] = [outcome.result for outcome in machines]
    if search_error and not any(shard.found for shard in shards):
        return None, search_error
    ids = tuple(i for i in get_ids_for(Engine.HYPOTHESIS) if i in parts.hypothesis_ids)
    try:
        report = assemble_properties(
            parts.params,
            PROFILES[parts.profile],
            parts.effort,
            parts.seed,
            ids=ids,
            shards=shards,
            exploration=explored,
            explore=False,
        )
    except EngineError as error:
        return None, f"{type(error).__name__}: {error}"
    if search_error and not report.engine_error:
        # As `describe_error` words it in this process: the type and the first line, cut.
        kind, _, message = search_error.partition(": ")
        first = message.splitlines()[0][:200] if message.strip() else ""
        stopped = kind + (f": {first}" if first else "")
        report = attrs.evolve(report, engine_error=f"the round search stopped on {stopped}")
    return report, ""
