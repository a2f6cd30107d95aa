"""`stratoverify sweep SPEC`: check every point of a sweep file on a Dask cluster, write one report.

Everything the sweep needs is loaded and validated before any point runs (the spec, its base, the
database location, the output folder), so bad input is one line and exit 2 with nothing written.
The points, and the proved region of each pair of keys, run as independent tasks (`sweep.cluster`);
their results are merged in point order, so the report is the same on any number of workers.
"""

from __future__ import annotations

import argparse
import itertools
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from properties.database import apply_writes, get_shippable, open_database, parse_location
from reports.arguments import get_database_location, get_placement
from reports.inputs import InputError, LoadedParams, get_defaults, load_base
from reports.writer import prepare_output, write_reports
from sweep.cluster import Done, default_workers, run_tasks
from sweep.spec import SpecError, SweepSpec, load_spec

if TYPE_CHECKING:
    from reports.cli import _Console

REGION_SAMPLES = 21
"""For a pair whose first key is drawn at random: how many of its values the region samples."""


def run_sweep_task(kind: str, payload: Any) -> Any:
    """One task of a sweep on a worker: a point's check, or a pair's proved region."""
    if kind == "point":
        from sweep.points import run_point  # noqa: PLC0415 - the engines load on the worker

        return run_point(payload)
    from reports.region import run_pair_region  # noqa: PLC0415
    from solver.prove import SolverSettings  # noqa: PLC0415

    base, profile, key_x, key_y, xs, seed = payload
    return run_pair_region(
        base,
        profile,
        key_x,
        key_y,
        settings=SolverSettings(seed=seed),
        samples=REGION_SAMPLES,
        xs=xs,
    ).document


def _load(arguments: argparse.Namespace) -> tuple[SweepSpec, LoadedParams]:
    try:
        spec = load_spec(arguments.spec)
    except SpecError as error:
        raise InputError(str(error)) from None
    base = get_defaults() if spec.base is None else load_base(spec.base)
    return spec, base


def _region_tasks(spec: SweepSpec, base: LoadedParams) -> list[tuple[str, Any]]:
    """A proved region for each pair of swept keys, the other keys at the base."""
    if not spec.regions or "z3" not in spec.engines:
        return []
    tasks: list[tuple[str, Any]] = []
    for axis_x, axis_y in itertools.combinations(spec.keys, 2):
        xs = None if axis_x.random is not None else axis_x.values
        payload = (base, spec.profile, axis_x.name, axis_y.name, xs, spec.seed)
        tasks.append(("region", payload))
    return tasks


def run_sweep_command(
    arguments: argparse.Namespace, console: _Console, env: Mapping[str, str]
) -> int:
    """Run the sweep; the exit code is the worst point's (1 fail, 3 inconclusive, else 0)."""
    spec, base = _load(arguments)
    database = get_database_location(arguments, env)
    placement = get_placement(arguments, default_workers=default_workers())
    assert placement is not None
    prepare_output(arguments.out)

    from reports.check import CheckOptions, select_ids  # noqa: PLC0415 - after the input
    from reports.cli import load_engines  # noqa: PLC0415
    from sweep.points import PointOutcome, PointTask, describe_values  # noqa: PLC0415
    from sweep.render import render_html, render_markdown  # noqa: PLC0415
    from sweep.report import build_document, dump_sweep  # noqa: PLC0415

    load_engines()
    options = CheckOptions(
        profile=spec.profile,
        effort=spec.effort,
        seed=spec.seed,
        only=spec.only,
        engines=spec.engines,
        database=get_shippable(database),
    )
    points = spec.points()
    tasks: list[tuple[str, Any]] = [
        ("point", PointTask(point.index, point.values, base, options)) for point in points
    ]
    tasks += _region_tasks(spec, base)
    console.progress(
        f"sweep {arguments.spec}: {len(points)} points, profile {spec.profile}, effort "
        f"{spec.effort}, engines {','.join(spec.engines)}, on {placement.describe()}"
    )
    busy: dict[str, list[float]] = {}

    def progress(done: Done[Any], finished: int, total: int) -> None:
        busy.setdefault(done.worker, []).append(done.seconds)
        kind, payload = tasks[done.index]
        if kind == "point":
            summary = done.result.summary
            failing = f" ({', '.join(summary['failing'])})" if summary["failing"] else ""
            what = (
                f"point {payload.index} [{describe_values(payload.values)}]: "
                f"{summary['verdict']}{failing}"
            )
        else:
            what = f"region {payload[2]} x {payload[3]}"
        console.progress(
            f"[{finished}/{total}] {what} on worker {done.worker}, {done.seconds:.1f} s"
        )

    clock = time.perf_counter()
    done = run_tasks(run_sweep_task, tasks, placement=placement, name="sweep", progress=progress)
    elapsed = time.perf_counter() - clock
    outcomes: list[PointOutcome] = [d.result for d in done if tasks[d.index][0] == "point"]
    regions = [d.result for d in done if tasks[d.index][0] == "region"]
    reports = {outcome.summary["folder"].split("/")[-1]: outcome.files for outcome in outcomes}
    document = build_document(
        spec,
        base,
        invariants=select_ids(options),
        points=[
            (dict(point.values), outcome.summary)
            for point, outcome in zip(points, outcomes, strict=True)
        ],
        regions=regions,
        timings={"total": round(elapsed, 3), "points": round(sum(d.seconds for d in done), 3)},
        workers={
            "placement": placement.describe(),
            "busy": {
                name: {"tasks": len(times), "seconds": round(sum(times), 3)}
                for name, times in sorted(busy.items())
            },
        },
    )
    files = {
        "sweep.md": render_markdown(document),
        "sweep.html": render_html(document),
        "sweep.json": dump_sweep(document),
    }
    write_reports(arguments.out, "points", reports, files, last="sweep.json")
    _save(database, outcomes, console)
    for name, times in sorted(busy.items()):
        console.progress(f"worker {name}: {len(times)} tasks, {sum(times):.1f} s busy")
    summary = document["summary"]
    line = (
        f"{summary['points']} points: {summary['pass']} pass, {summary['fail']} fail, "
        f"{summary['inconclusive']} inconclusive; report in {arguments.out}/ "
        f"(sweep.json, .md, .html); content {document['content_sha256'][:12]}"
    )
    if arguments.json:
        console.stdout.write(dump_sweep(document))
    else:
        console.stdout.write(line + "\n")
    return int(document["exit_code"])


def _save(database: str | None, outcomes: list[Any], console: _Console) -> None:
    """The failing cases every point found, into the example database, in point order."""
    location = None if database is None else parse_location(database)
    writes = [write for outcome in outcomes for write in outcome.database_writes]
    if location is None or not writes:
        return
    saved = apply_writes(open_database(location), writes)
    console.progress(f"{saved} failing case(s) saved to {location.describe()}")
