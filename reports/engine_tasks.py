"""What `check` runs in a process of its own beside the Hypothesis machine (`reports.background`):
the proofs, the executor and the round search, each from picklable arguments, each returning
what the engine returns in this process (with the seconds it took there)."""

from __future__ import annotations

import os
import time

from attrs import frozen

from executor.grounding import ExecutorRun
from executor.streams import run_executor_streams
from model.params import Params
from model.profile import PROFILES
from properties.explore import ExplorationReport, explore_rounds
from solver.claim import ProofResult
from solver.prove import SolverSettings
from solver.registry import prove_all

BACKGROUND_SEARCH_NODES = 3
"""The round search runs in a process of its own from this many nodes on (default: about 2 s);
at quick (2 nodes, about 0.2 s) it is shorter than a process's start, and runs in turn."""


def run_proofs_task(
    params: Params, profile_name: str, seed: int, selected: tuple[str, ...]
) -> tuple[tuple[ProofResult, ...], float]:
    """The Z3 engine as its own process runs it, and the seconds it took there."""
    clock = time.perf_counter()
    results = prove_all(
        params, PROFILES[profile_name], settings=SolverSettings(seed=seed), only=selected
    )
    return results, time.perf_counter() - clock


def run_search_task(
    params: Params, profile_name: str, max_nodes: int, seed: int
) -> ExplorationReport:
    """The Hypothesis engine's round search, as its own process runs it."""
    return explore_rounds(
        params=params, profile=PROFILES[profile_name], max_nodes=max_nodes, seed=seed
    )


@frozen
class ExecutorJob:
    """What the executor engine is asked to run: the set, profile, effort and seed, and the
    user's own functions with where their modules are imported from."""

    params: Params
    profile_name: str
    effort: str
    seed: int
    functions: tuple[str, ...] = ()
    function_paths: tuple[str, ...] = ()


def run_executor_task(job: ExecutorJob) -> tuple[ExecutorRun, float]:
    """The executor engine as its own process runs it, and the seconds it took there. It yields
    the processor to the other engines a little (its nodes mostly wait on each other); not so
    much that a node starves past its wall-clock limits."""
    os.nice(10)
    clock = time.perf_counter()
    run = run_executor_streams(
        job.params,
        PROFILES[job.profile_name],
        job.effort,
        job.seed,
        functions=job.functions,
        function_paths=job.function_paths,
    )
    return run, time.perf_counter() - clock
