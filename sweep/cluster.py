"""Where independent pieces of work run: a Dask local cluster on this machine's cores, an existing
Dask cluster by its scheduler's address, or this process.

A sweep's points, a thorough check's shards and a mutation campaign's mutants are all lists of
independent tasks whose results are merged in task order, never in the order they finish, so a
report does not depend on how many workers ran it or which finished first. A worker that dies
mid-task (killed, out of memory) has its task run again on another worker by the scheduler, up to
`ALLOWED_FAILURES` times: every task is a pure function of its arguments, so the rerun gives the
same result.

Dask is imported only when a cluster is asked for: `check` on one core never pays for it.
"""

from __future__ import annotations

import logging
import os
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from attrs import frozen

if TYPE_CHECKING:
    from distributed import Client

T = TypeVar("T")

ALLOWED_FAILURES = 3
"""How many workers may die running one task before it is given up (Dask's allowed-failures)."""

CONNECT_SECONDS = 20
"""How long to keep trying to reach a scheduler given by address."""

IN_PROCESS = 0
"""`--workers 0`: run every task in this process, one after another, without Dask."""


class ClusterError(RuntimeError):
    """The cluster could not be reached or gave a task up; the message is one line."""


@frozen
class Placement:
    """Where to run: `workers` processes of a local cluster (0: this process, without Dask), or
    the cluster whose scheduler listens at `scheduler`."""

    workers: int = IN_PROCESS
    scheduler: str | None = None

    def describe(self) -> str:
        if self.scheduler is not None:
            return f"the Dask cluster at {self.scheduler}"
        if self.workers == IN_PROCESS:
            return "this process"
        plural = "s" if self.workers != 1 else ""
        return f"a local Dask cluster of {self.workers} worker{plural}"


def default_workers() -> int:
    """Every core of this machine."""
    return max(1, os.cpu_count() or 1)


@frozen
class Done(Generic[T]):
    """One finished task: its place in the list, its result, where and how long it ran."""

    index: int
    result: T
    worker: str
    seconds: float


Progress = Callable[["Done[Any]", int, int], None]
"""Called as each task finishes: the task, how many have finished, how many there are."""


def _timed(function: Callable[..., T], args: tuple[Any, ...]) -> tuple[T, str, float]:
    """Run on a worker: the result, the worker's name and the seconds it took there."""
    from distributed import get_worker  # noqa: PLC0415 - only ever called on a worker
    from hypothesis.errors import HypothesisDeprecationWarning  # noqa: PLC0415

    # The worker's own threads (heartbeats, retries with jitter) draw from the global `random`
    # module while a test case runs on the task's thread; Hypothesis sees the global state move
    # and warns that a strategy used it. The model never does (docs/model.md), and a test case's
    # draws come from Hypothesis' own seeded source, so the warning says nothing about the run.
    warnings.filterwarnings(
        "ignore",
        message="Do not use the `random` module inside strategies",
        category=HypothesisDeprecationWarning,
    )
    clock = time.perf_counter()
    result = function(*args)
    return result, str(get_worker().name), time.perf_counter() - clock


@contextmanager
def open_client(placement: Placement) -> Iterator[Client]:
    """A Dask client on `placement`'s cluster; a local cluster is started and stopped with it."""
    import dask  # noqa: PLC0415 - a cluster is the only reason to load Dask
    from distributed import Client, LocalCluster  # noqa: PLC0415

    # Workers may start processes of their own (the executor's nodes and sandboxes), which a
    # daemonic process may not; a task may be retried when its worker dies.
    config = {
        "distributed.worker.daemon": False,
        "distributed.scheduler.allowed-failures": ALLOWED_FAILURES,
        "distributed.admin.tick.limit": "1h",
    }
    with dask.config.set(config):
        if placement.scheduler is not None:
            try:
                client = Client(placement.scheduler, timeout=f"{CONNECT_SECONDS}s")
            except (OSError, TimeoutError, ValueError) as error:
                raise ClusterError(
                    f"cannot reach the Dask scheduler at {placement.scheduler}: "
                    f"{' '.join(str(error).split())}"
                ) from None
            try:
                yield client
            finally:
                client.close()
            return
        cluster = LocalCluster(
            n_workers=placement.workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=logging.ERROR,
        )
        try:
            with Client(cluster) as client:
                yield client
        finally:
            cluster.close()


def run_tasks(
    function: Callable[..., T],
    arguments: Sequence[tuple[Any, ...]],
    *,
    placement: Placement,
    name: str,
    progress: Progress | None = None,
    client: Client | None = None,
) -> list[Done[T]]:
    """`function(*args)` for every entry of `arguments`, on `placement`, in the order given.

    `function` must be importable by the workers (a module-level function of the tool) and its
    arguments picklable. `name` prefixes the tasks' keys on the cluster (`point-00003`).
    """
    report = progress or (lambda done, finished, total: None)
    total = len(arguments)
    if placement.scheduler is None and placement.workers == IN_PROCESS and client is None:
        finished: list[Done[T]] = []
        for index, args in enumerate(arguments):
            clock = time.perf_counter()
            result = function(*args)
            done = Done(index, result, "main", time.perf_counter() - clock)
            finished.append(done)
            report(done, len(finished), total)
        return finished
    if client is not None:
        return _run_on(client, function, arguments, name=name, report=report)
    with open_client(placement) as opened:
        return _run_on(opened, function, arguments, name=name, report=report)


def _run_on(
    client: Client,
    function: Callable[..., T],
    arguments: Sequence[tuple[Any, ...]],
    *,
    name: str,
    report: Progress,
) -> list[Done[T]]:
    from distributed import as_completed  # noqa: PLC0415

    futures = [
        client.submit(_timed, function, args, key=f"{name}-{index:05d}", pure=False)
        for index, args in enumerate(arguments)
    ]
    index_of = {future.key: index for index, future in enumerate(futures)}
    results: dict[int, Done[T]] = {}
    try:
        for future in as_completed(futures):
            index = index_of[future.key]
            try:
                result, worker, seconds = future.result()
            except Exception as error:
                raise ClusterError(
                    f"{name} {index} failed on the cluster: {type(error).__name__}: "
                    f"{' '.join(str(error).split())[:300]}"
                ) from None
            results[index] = Done(index, result, worker, seconds)
            report(results[index], len(results), len(futures))
    finally:
        client.cancel([future for future in futures if not future.done()])
    return [results[index] for index in range(len(futures))]
