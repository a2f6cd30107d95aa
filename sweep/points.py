"""One point of a sweep: a full check of the base with the point's values, run on a worker.

The point's parameter set is the sweep's base with each swept key set to the point's value; it is
checked as `stratoverify check` checks a parameter set (the same engines, effort and seed, the
same report folder, counterexamples included), with the engines in turn: a worker is one core,
and the sweep's parallelism is across points. The point's check reads the example database as it
was when the sweep started; its saves come back with the outcome and the sweep writes them at the
end, in point order (`properties.database`).
"""

from __future__ import annotations

from typing import Any

import attrs
from attrs import frozen

from model.params import with_values
from properties.database import Write
from reports.check import CheckOptions, run_check
from reports.inputs import LoadedParams, compute_changes
from reports.render import render_files
from reports.report import to_document

EXIT_OF = {"pass": 0, "fail": 1, "inconclusive": 3}


@frozen
class PointTask:
    """What a worker needs to check one point."""

    index: int
    values: tuple[tuple[str, int], ...]
    base: LoadedParams
    options: CheckOptions


@frozen
class PointOutcome:
    """A checked point: its summary for the sweep, its report folder and its database saves."""

    index: int
    summary: dict[str, Any]
    files: dict[str, str]
    database_writes: tuple[Write, ...] = ()


def get_folder(index: int) -> str:
    """The point's report folder, relative to the sweep's."""
    return f"points/{index:04d}"


def describe_values(values: tuple[tuple[str, int], ...]) -> str:
    return ", ".join(f"{key}={value}" for key, value in values)


def load_point(task: PointTask) -> LoadedParams:
    """The point's parameter set, as `check` would have loaded it from a file over the base."""
    names = {key: tuple(key.split(".", 1)) for key, _ in task.values}
    params = with_values(
        task.base.params, {(names[key][0], names[key][1]): value for key, value in task.values}
    )
    return LoadedParams(
        params=params,
        source=f"sweep point {task.index} ({describe_values(task.values)})",
        kind="parameter set",
        base=task.base.params,
        base_source=task.base.source,
        changes=compute_changes(task.base.params, params),
        input_sha256=None,
    )


def run_point(task: PointTask) -> PointOutcome:
    """Check one point and render its report folder."""
    options = attrs.evolve(task.options, in_background=False, placement=None)
    run = run_check(load_point(task), options, with_keys=False)
    document = to_document(run.report)
    folder = get_folder(task.index)
    files = render_files(document, run.artifacts)
    return PointOutcome(
        index=task.index,
        summary=summarise(document, folder),
        files=files,
        database_writes=run.database_writes,
    )


def summarise(document: dict[str, Any], folder: str) -> dict[str, Any]:
    """What the sweep's report keeps of a point's check report."""
    invariants = document["invariants"]
    failing = [row["id"] for row in invariants if row["verdict"] == "fail"]
    undecided = [row["id"] for row in invariants if row["verdict"] == "inconclusive"]
    counterexamples = [
        {
            "id": row["id"],
            "engine": found["engine"],
            "source": found["source"],
            "detail": found["detail"],
            "trace": f"{folder}/{found['trace']}" if found.get("trace") else None,
        }
        for row in invariants
        for found in row.get("counterexamples", [])
    ]
    return {
        "verdict": document["verdict"],
        "exit_code": document["exit_code"],
        "failing": failing,
        "inconclusive": undecided,
        "report_sha256": document["content_sha256"],
        "folder": folder,
        "counterexamples": counterexamples,
    }
