"""`check`: run the three engines on one parameter set and gather one `Report` and its files.

The engines run one after another (Hypothesis, Z3, executor), each on the invariants it claims
in the catalogue and `--only` selects. An engine that breaks (a model bug, a flaky function)
does not end the check: its invariants become `error`, so the report says inconclusive and why.
Besides the report, a check produces its artifacts: each Z3 query as SMT-LIB2, and each
counterexample as an ITF trace and a pytest regression file.
"""

from __future__ import annotations

import hashlib
import platform
import time
from collections.abc import Callable, Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attrs import frozen
from hypothesis.database import ExampleDatabase

from executor.grounding import EXECUTOR_IDS
from executor.streams import run_executor_streams
from model.params import Params, params_to_document
from properties.catalogue import CATALOGUE, Engine
from properties.database import Write, get_shippable, open_database, parse_location
from properties.effort import get_effort
from properties.runner import (
    run_properties,
)
from reports.background import Background, BackgroundError
from reports.engine_tasks import (
    BACKGROUND_SEARCH_NODES,
    ExecutorJob,
    run_executor_task,
    run_proofs_task,
    run_search_task,
)
from reports.gather import Gatherer, describe_error_text
from reports.html import draw_report_plots
from reports.inputs import LoadedParams
from reports.plots import Plot
from reports.region import KeysRun, analyse_changes
from reports.report import (
    ENGINE_NAMES,
    BaseInputs,
    Inputs,
    Report,
    canonical_json,
    inputs_document,
)
from solver.prove import SolverSettings, get_solver_version
from solver.registry import PROVED_IDS, prove_all
from sweep.cluster import Placement

if TYPE_CHECKING:
    from sweep.shards import PartResults

ENGINE_OF = {"hypothesis": Engine.HYPOTHESIS, "z3": Engine.Z3, "executor": Engine.EXECUTOR}

VERSIONED_PACKAGES = ("hypothesis", "networkx", "attrs", "pycryptodome", "pyrsistent")
"""Packages whose version can change a verdict or a counterexample, recorded in every report."""

Progress = Callable[[str], None]


@frozen
class CheckOptions:
    """How to check: the profile, the effort, the seed and what to look at."""

    profile: str = "hardened"
    effort: str = "default"
    seed: int = 0
    only: tuple[str, ...] = ()
    """Invariant IDs to check; empty means all."""
    engines: tuple[str, ...] = ENGINE_NAMES
    functions: tuple[str, ...] = ()
    """The user's own functions the executor grounds beside the fixtures, as resolved specs
    (`/abs/path/file.py:callable` or `module:callable`)."""
    function_paths: tuple[str, ...] = ()
    """Where `module:callable` functions are imported from."""
    database: str | None = None
    """The example database's location (a directory or a redis:// URL), None for none
    (`properties.database`). It never enters the report's inputs: a replayed failure says so in
    its counterexample's source."""
    placement: Placement | None = None
    """Where the engines' parts run (`sweep.shards`): None runs them here, the Z3 and executor
    engines each in a process of its own."""
    in_background: bool | None = None
    """Whether the Z3 and executor engines may run in processes of their own (None:
    `ENGINES_IN_BACKGROUND`); a sweep's point runs them in turn, its worker being one core."""


@frozen
class CheckRun:
    """A finished check: the report and its files (path relative to the report -> text)."""

    report: Report
    artifacts: Mapping[str, str]
    database_writes: tuple[Write, ...] = ()
    """The failing cases to save in the example database once the check is written."""
    plots: tuple[Plot, ...] | None = None
    """The HTML report's plots, drawn beside the engines (None: drawn when the report is)."""


def get_versions() -> dict[str, str]:
    """The versions of the tool, Python and every package that can change a verdict."""
    versions = {"stratoverify": _package_version("stratoverify")}
    versions["python"] = platform.python_version()
    versions["hypothesis"] = _package_version("hypothesis")
    versions["z3"] = get_solver_version().removeprefix("z3 ")
    for name in VERSIONED_PACKAGES[1:]:
        versions[name] = _package_version(name)
    return versions


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:  # pragma: no cover - running from a tree without install
        return "unknown"


def describe_function(spec: str) -> dict[str, str]:
    """A user's function as a report records it: its spec and, for a file, the sha256 of the
    file's bytes, so a re-run can tell that the function is the one that was checked."""
    location = spec.rpartition(":")[0]
    if location.endswith(".py"):
        return {"spec": spec, "sha256": hashlib.sha256(Path(location).read_bytes()).hexdigest()}
    return {"spec": spec, "sha256": ""}


def get_params_sha256(params: Params) -> str:
    """The hash of a parameter set's canonical document."""
    return hashlib.sha256(canonical_json(params_to_document(params))).hexdigest()


def select_ids(options: CheckOptions) -> tuple[str, ...]:
    """The catalogue IDs the check reports on: those `--only` names and a selected engine checks."""
    wanted = {ENGINE_OF[name] for name in options.engines}
    return tuple(
        invariant.id
        for invariant in CATALOGUE
        if invariant.engines & wanted and (not options.only or invariant.id in options.only)
    )


def _engine_ids(engine: str, ids: tuple[str, ...]) -> tuple[str, ...]:
    claimed = {
        "hypothesis": {i.id for i in CATALOGUE if Engine.HYPOTHESIS in i.engines},
        "z3": set(PROVED_IDS),
        "executor": set(EXECUTOR_IDS),
    }[engine]
    return tuple(i for i in ids if i in claimed)


@frozen
class _EngineStep:
    """How `run_check` runs one engine on its selected IDs and hands the result over."""

    name: str
    describe: str
    run: Callable[[tuple[str, ...]], Any]
    take: Callable[[Any, tuple[str, ...]], None]


ENGINES_IN_BACKGROUND = True
"""Run the Z3 and executor engines each in a process of its own, beside the Hypothesis engine
(off: in this process, in their turn, where a test can replace them). An engine with no other
beside it runs in this process: a process of its own would only add its start-up."""


def _describe_error(error: BaseException) -> str:
    if isinstance(error, _PartFailedError | BackgroundError):  # described there the same way
        return describe_error_text(str(error))
    return describe_error_text(f"{type(error).__name__}: {error}")


def _open_database(options: CheckOptions) -> ExampleDatabase | None:
    location = None if options.database is None else parse_location(options.database)
    return None if location is None else open_database(location)


def _engine_steps(
    gatherer: Gatherer, options: CheckOptions, run_hypothesis: Callable[[tuple[str, ...]], Any]
) -> tuple[_EngineStep, ...]:
    """How each engine runs in this process, in the report's order."""
    params, profile, effort = gatherer.params, gatherer.profile, gatherer.effort
    return (
        _EngineStep(
            "hypothesis",
            f"effort {effort.name}, seed {options.seed}",
            run_hypothesis,
            lambda result, _: gatherer.take_properties(result),
        ),
        _EngineStep(
            "z3",
            f"seed {options.seed}",
            lambda selected: prove_all(
                params, profile, settings=SolverSettings(seed=options.seed), only=selected
            ),
            lambda result, _: gatherer.take_proofs(result),
        ),
        _EngineStep(
            "executor",
            f"effort {effort.name}, seed {options.seed}, real node processes",
            lambda _: run_executor_streams(
                params,
                profile,
                effort.name,
                options.seed,
                functions=options.functions,
                function_paths=options.function_paths,
            ),
            gatherer.take_executor,
        ),
    )


def run_check(
    loaded: LoadedParams,
    options: CheckOptions,
    *,
    progress: Progress | None = None,
    with_keys: bool = True,
    draw_plots: bool = False,
) -> CheckRun:
    """Run the selected engines on `loaded` and gather the report and its files; with
    `with_keys`, also what each changed key needs and which of its values are safe; with
    `draw_plots`, also the HTML report's plots, in a process of their own beside the engines
    (they read only the inputs)."""
    say = progress or (lambda _: None)
    params = loaded.params
    gatherer = Gatherer(params, options, loaded.changes)
    profile, effort = gatherer.profile, gatherer.effort
    ids = select_ids(options)
    started = time.perf_counter()
    database = _open_database(options)
    writes: list[Write] = []

    def run_hypothesis(selected: tuple[str, ...]) -> Any:
        search = background.get("exploration")
        report = run_properties(
            params,
            profile,
            effort,
            options.seed,
            only=frozenset(selected),
            database=database,
            explorer=None if search is None else search.result,
        )
        writes.extend(report.database_writes)
        return report

    engines = _engine_steps(gatherer, options, run_hypothesis)
    inputs = _inputs(loaded, options)
    background: dict[str, Background] = {}
    running = [name for name in ENGINE_NAMES if name in options.engines and _engine_ids(name, ids)]
    on_cluster = None
    if options.placement is not None:
        on_cluster = _run_on_cluster(params, options, ids, running, say)
        if on_cluster.hypothesis is not None:
            writes.extend(on_cluster.hypothesis.database_writes)
    else:
        drawn = inputs if draw_plots else None
        background = _start_background(params, options, ids, running, plots_of=drawn)
    try:
        for step in engines:
            selected = _engine_ids(step.name, ids)
            if step.name not in options.engines or not selected:
                continue
            say(f"{step.name}: {len(selected)} invariants, {step.describe}")
            clock = time.perf_counter()
            try:
                result, seconds = _run_step(step, selected, on_cluster, background)
            except Exception as error:  # a model bug must not lose the other engines' results
                gatherer.engine_failed(step.name, selected, _describe_error(error))
                seconds = None
            else:
                step.take(result, selected)
            elapsed = time.perf_counter() - clock if seconds is None else seconds
            gatherer.timings[step.name] = round(elapsed, 3)
            _say_verdicts(say, step.name, gatherer.evidence_of(step.name), selected)
    finally:
        for task in background.values():
            task.close()

    keys = _analyse_changes(loaded, options, gatherer, say) if with_keys else KeysRun((), {}, "")
    gatherer.timings["total"] = round(time.perf_counter() - started, 3)
    report = Report(
        inputs=inputs,
        versions=get_versions(),
        seeds={name: options.seed for name in ENGINE_NAMES if name in options.engines},
        engines={
            name: gatherer.summaries[name] for name in ENGINE_NAMES if name in gatherer.summaries
        },
        invariants=gatherer.rows(ids),
        timings=gatherer.timings,
        keys=keys.keys,
        keys_note=keys.note,
    )
    return CheckRun(
        report=report,
        artifacts=dict(sorted(gatherer.artifacts.items())),
        database_writes=tuple(writes),
        plots=_take_plots(background),
    )


def _run_step(
    step: _EngineStep,
    selected: tuple[str, ...],
    on_cluster: PartResults | None,
    background: Mapping[str, Background],
) -> tuple[Any, float | None]:
    """An engine's result, from the cluster, its own process or run here, and the seconds it
    took where it ran (None: here, timed by the caller)."""
    if on_cluster is not None:
        return _cluster_result(on_cluster, step.name)
    if step.name in background:
        result, seconds = background[step.name].result()
        return result, seconds
    return step.run(selected), None


def _executor_job(params: Params, options: CheckOptions) -> ExecutorJob:
    return ExecutorJob(
        params,
        options.profile,
        options.effort,
        options.seed,
        functions=options.functions,
        function_paths=options.function_paths,
    )


def _take_plots(background: Mapping[str, Background]) -> tuple[Plot, ...] | None:
    """The plots drawn beside the engines; None if none were, or their drawing failed (they
    are drawn again with the report, where a failure is the writer's to say)."""
    if "plots" not in background:
        return None
    try:
        plots: tuple[Plot, ...] = background["plots"].result()
    except BackgroundError:
        return None
    return plots


def _start_background(
    params: Params,
    options: CheckOptions,
    ids: tuple[str, ...],
    running: list[str],
    *,
    plots_of: Inputs | None = None,
) -> dict[str, Background]:
    """The executor's node processes mostly wait on each other, and the proofs and the round
    search need no state of the machine: each runs in a process of its own beside the machine,
    and its result is taken in its turn. The round search goes beside the machine only when it
    is longer than a process's start (`BACKGROUND_SEARCH_NODES`)."""
    allowed = ENGINES_IN_BACKGROUND if options.in_background is None else options.in_background
    if not allowed:
        return {}
    max_nodes = get_effort(options.effort).explore_max_nodes
    tasks: dict[str, tuple[Callable[..., Any], tuple[Any, ...]]] = {
        "z3": (run_proofs_task, (params, options.profile, options.seed, _engine_ids("z3", ids))),
        "executor": (run_executor_task, (_executor_job(params, options),)),
        "exploration": (run_search_task, (params, options.profile, max_nodes, options.seed)),
    }
    wanted = set(running) if len(running) > 1 else set()
    if "hypothesis" in running and max_nodes >= BACKGROUND_SEARCH_NODES:
        wanted.add("exploration")
    if plots_of is not None:  # the HTML report's plots read only the inputs
        tasks["plots"] = (draw_report_plots, ({"inputs": inputs_document(plots_of)},))
        wanted.add("plots")
    return {
        name: Background(function, args)
        for name, (function, args) in tasks.items()
        if name in wanted
    }


class _PartFailedError(RuntimeError):
    """An engine's part stopped on a worker; the message is the worker's one-line reason."""


def _run_on_cluster(
    params: Params,
    options: CheckOptions,
    ids: tuple[str, ...],
    running: list[str],
    say: Progress,
) -> PartResults:
    """Every engine's parts at once on the options' placement (`sweep.shards`)."""
    from sweep.cluster import Done  # noqa: PLC0415
    from sweep.shards import CheckParts, run_parts  # noqa: PLC0415

    placement = options.placement
    assert placement is not None
    parts = CheckParts(
        params=params,
        profile=options.profile,
        effort=get_effort(options.effort),
        seed=options.seed,
        hypothesis_ids=_engine_ids("hypothesis", ids) if "hypothesis" in running else (),
        z3_ids=_engine_ids("z3", ids) if "z3" in running else (),
        run_executor="executor" in running,
        functions=options.functions,
        function_paths=options.function_paths,
        database=get_shippable(options.database),
    )

    def progress(done: Done[Any], finished: int, total: int) -> None:
        say(
            f"  part {finished}/{total}: {done.result.kind} on worker {done.worker}, "
            f"{done.seconds:.1f} s"
        )

    say(f"running the check's parts on {placement.describe()}")
    return run_parts(parts, placement, progress=progress)


def _cluster_result(results: PartResults, engine: str) -> tuple[Any, float]:
    if engine in results.errors:
        raise _PartFailedError(results.errors[engine])
    found = {"hypothesis": results.hypothesis, "z3": results.z3, "executor": results.executor}
    return found[engine], results.seconds.get(engine, 0.0)


def _analyse_changes(
    loaded: LoadedParams, options: CheckOptions, gatherer: Gatherer, say: Progress
) -> KeysRun:
    """The per-key section: each changed key's constitution row, safe set and repairs."""
    if not loaded.changes:
        return KeysRun((), {}, "")
    clock = time.perf_counter()
    keys = analyse_changes(
        loaded,
        gatherer.profile,
        effort=options.effort,
        seed=options.seed,
        with_regions="z3" in options.engines,
        progress=say,
    )
    gatherer.timings["keys"] = round(time.perf_counter() - clock, 3)
    if keys.milliseconds:
        gatherer.timings["region_milliseconds"] = dict(keys.milliseconds)
    if keys.note:
        say(f"keys: {keys.note}")
    return keys


def _say_verdicts(
    say: Progress, engine: str, found: Mapping[str, Any], ids: tuple[str, ...]
) -> None:
    for invariant_id in ids:
        evidence = found.get(invariant_id)
        if evidence is not None:
            say(f"  {engine} {invariant_id}: {evidence.verdict}")


def _inputs(loaded: LoadedParams, options: CheckOptions) -> Inputs:
    return Inputs(
        source=loaded.source,
        kind=loaded.kind,
        input_sha256=loaded.input_sha256,
        params_sha256=get_params_sha256(loaded.params),
        params=params_to_document(loaded.params),
        base=BaseInputs(
            source=loaded.base_source,
            params_sha256=get_params_sha256(loaded.base),
            params=params_to_document(loaded.base),
        ),
        changes=loaded.changes,
        profile=options.profile,
        effort=options.effort,
        seed=options.seed,
        only=options.only,
        engines=tuple(name for name in ENGINE_NAMES if name in options.engines),
        functions=tuple(describe_function(spec) for spec in options.functions),
    )
