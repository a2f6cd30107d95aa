"""Mutation campaigns on a Dask cluster: `python -m mutation --workers N` or `--scheduler ADDRESS`.

Every mutant, of the catalogue or of a mechanical sample, is one task of `sweep.cluster.run_tasks`.
A task copies the tree into a temporary folder of its own on the worker, applies the mutant there
and runs the check in that copy, so it is a pure function of its arguments: a worker that dies
mid-task has its mutant rerun elsewhere with the same result. A line is printed per mutant as it
finishes (with the worker that ran it); the summary and the report list the mutants in catalogue
(or sample) order, whatever order they finished in, and name no worker.

On a cluster of other machines, every worker must see the tree at the same path (`--tree`) and
import this repository's `mutation` package (start the workers from a checkout of it).
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from attrs import frozen

from mutation import mechanical
from mutation.catalogue import Mutant
from mutation.harness import MutantResult, run_mutant
from sweep.cluster import IN_PROCESS, Placement, open_client, run_tasks

if TYPE_CHECKING:
    from distributed import Client

    from sweep.cluster import Done


@frozen
class CheckSettings:
    """How every mutant of a campaign is checked: the same for all, sent with each task."""

    tree: Path
    """The tree copied and mutated; a worker must see it at this path."""
    effort: str
    seed: int
    engines: tuple[str, ...]
    timeout_seconds: float


def run_mutant_task(mutant: Mutant | None, settings: CheckSettings) -> MutantResult:
    """Run on a worker: the check of a copy of the tree with `mutant` applied (None: unmutated)."""
    return run_mutant(
        mutant,
        effort=settings.effort,
        seed=settings.seed,
        engines=settings.engines,
        timeout_seconds=settings.timeout_seconds,
        source=settings.tree,
    )


def check_mechanical_task(
    mutant: mechanical.MechanicalMutant, settings: CheckSettings
) -> mechanical.MechanicalResult:
    """Run on a worker: import the mutated model, then (if it imports) check a copy of the tree."""
    return mechanical.check_mutant(
        mutant,
        root=settings.tree,
        effort=settings.effort,
        seed=settings.seed,
        engines=settings.engines,
        timeout_seconds=settings.timeout_seconds,
    )


def task_name(prefix: str, arguments: Sequence[tuple[Any, ...]]) -> str:
    """`prefix-HASH`: the tasks' keys on a shared scheduler depend on what they compute, so two
    campaigns at once never take each other's results, and equal ones may share them."""
    digest = hashlib.sha256(repr(list(arguments)).encode("utf-8")).hexdigest()[:12]
    return f"{prefix}-{digest}"


@contextmanager
def connect(placement: Placement) -> Iterator[Client | None]:
    """One client for a whole campaign (None in this process), so a local cluster starts once."""
    if placement.scheduler is None and placement.workers == IN_PROCESS:
        yield None
        return
    with open_client(placement) as client:
        yield client


def _printer(
    stdout: TextIO, line: Callable[[int, Any], str]
) -> Callable[[Done[Any], int, int], None]:
    def progress(done: Done[Any], finished: int, total: int) -> None:
        stdout.write(f"{line(done.index, done.result)}  on worker {done.worker}\n")
        stdout.flush()

    return progress


def run_catalogue(
    mutants: Sequence[Mutant],
    *,
    placement: Placement,
    settings: CheckSettings,
    line: Callable[[Mutant, MutantResult], str],
    stdout: TextIO,
) -> list[MutantResult]:
    """Check every mutant on `placement`; print `line` of each as it finishes; results in order."""
    arguments = [(mutant, settings) for mutant in mutants]
    done = run_tasks(
        run_mutant_task,
        arguments,
        placement=placement,
        name=task_name("mutant", arguments),
        progress=_printer(stdout, lambda index, result: line(mutants[index], result)),
    )
    return [task.result for task in done]


def main_mechanical(
    *,
    placement: Placement,
    root: Path,
    size: int,
    seed: int,
    check_seed: int,
    only: Sequence[str] | None,
    effort: str,
    engines: Sequence[str],
    timeout_seconds: float,
    out: Path | None,
    stdout: TextIO = sys.stdout,
) -> int:
    """`--mechanical` on `placement`: `mechanical.main`'s run, with each mutant one task."""
    started = time.monotonic()
    sample = mechanical.select_sample(root, size=size, seed=seed, only=only)
    stdout.write(
        f"{len(sample.mutants)} mechanical mutants of {root / mechanical.MUTATED_PACKAGE} "
        f"(seed {seed}, digest {sample.digest}; {len(sample.skipped)} passed over) "
        f"on {placement.describe()}\n"
    )
    stdout.flush()
    settings = CheckSettings(root, effort, check_seed, tuple(engines), timeout_seconds)
    with connect(placement) as client:
        unmutated_arguments = [(None, settings)]
        unmutated = run_tasks(
            run_mutant_task,
            unmutated_arguments,
            placement=placement,
            name=task_name("unmutated", unmutated_arguments),
            client=client,
        )[0].result
        if not mechanical.report_unmutated(unmutated, stdout):
            return mechanical.EXIT_UNMUTATED_FAILS
        results = _run_sample(
            sample.mutants,
            placement=placement,
            client=client,
            settings=settings,
            stdout=stdout,
        )
    # `jobs` is left out of the settings: the report is the same whatever ran it.
    fields = mechanical.get_campaign_settings(
        root, seed=seed, check_seed=check_seed, effort=effort, engines=engines
    )
    fields["timeout_seconds"] = timeout_seconds
    return mechanical.report_campaign(
        results, sample, fields, started=started, out=out, stdout=stdout
    )


def _run_sample(
    mutants: Sequence[mechanical.MechanicalMutant],
    *,
    placement: Placement,
    client: Client | None,
    settings: CheckSettings,
    stdout: TextIO,
) -> list[mechanical.MechanicalResult]:
    """The runnable mutants as tasks; the others settled here, before any task starts."""
    settled: dict[int, mechanical.MechanicalResult] = {}
    runnable: list[int] = []
    for index, mutant in enumerate(mutants):
        if mutant.kind is mechanical.Kind.RUNNABLE:
            runnable.append(index)
        else:
            settled[index] = mechanical.MechanicalResult(
                mutant, mechanical.get_static_outcome(mutant)
            )
            stdout.write(mechanical.format_line(settled[index]) + "\n")
    task_arguments = [(mutants[index], settings) for index in runnable]
    done = run_tasks(
        check_mechanical_task,
        task_arguments,
        placement=placement,
        name=task_name("mechanical", task_arguments),
        progress=_printer(stdout, lambda _, result: mechanical.format_line(result)),
        client=client,
    )
    for index, task in zip(runnable, done, strict=True):
        settled[index] = task.result
    return [settled[index] for index in range(len(mutants))]
