"""`stratoverify params`, `recheck` and `region`: the commands that run no check (a parameter
set's table and coherence; a report's queries in other solvers; a key's proved safe values)."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, TextIO

from model.coherence import check_coherence
from model.params import Params, param_specs, params_to_document
from reports.arguments import EXIT_FAIL, EXIT_PASS
from reports.inputs import InputError, load_params
from reports.report import ReportFileError
from reports.writer import OutputError, prepare_output, write_report

if TYPE_CHECKING:
    from reports.cli import _Console


def run_recheck_command(arguments: argparse.Namespace, stdout: TextIO) -> int:
    """`stratoverify recheck`: every query of a report, in other solvers; exit 0 if all agree."""
    from reports.cli import load_engines  # noqa: PLC0415 - the command line's module

    load_engines()
    from reports.recheck import (  # noqa: PLC0415 - load_engines
        RecheckError,
        is_confirmed,
        recheck_report,
    )
    from reports.reproduce import load_report  # noqa: PLC0415

    recorded = load_report(arguments.report)
    try:
        rows = recheck_report(
            arguments.report.parent,
            recorded.document,
            solvers=arguments.solvers,
            timeout_seconds=arguments.timeout,
        )
    except RecheckError as error:
        raise ReportFileError(str(error)) from None
    for row in rows:
        mark = "agrees" if row.agrees else "gave up" if row.gave_up else "DISAGREES"
        stdout.write(
            f"{row.invariant_id:<18} {row.solver:<5} {row.answer:<8} "
            f"({row.verdict} in the report) {mark}\n"
        )
    agreeing = sum(row.agrees for row in rows)
    undecided = sum(row.gave_up for row in rows)
    gave_up = f"; {undecided} gave up (unknown)" if undecided else ""
    stdout.write(f"{agreeing} of {len(rows)} answers agree with the report{gave_up}\n")
    # Each query must be confirmed by one solver at least, and contradicted by none.
    return EXIT_PASS if is_confirmed(rows) else EXIT_FAIL


def _render_table(params: Params) -> str:
    document = params_to_document(params)
    rows = [("key", "value", "domain", "section", "meaning")]
    for spec in param_specs():
        rows.append(
            (
                spec.name,
                str(document[spec.subspace][spec.key]),
                f"{spec.minimum}..{spec.maximum}",
                f"§{spec.section}",
                spec.meaning,
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True))
        + "  "
        + row[4]
        for row in rows
    ]
    return "\n".join(line.rstrip() for line in lines)


def run_params(arguments: argparse.Namespace, *, stdout: TextIO, stderr: TextIO) -> int:
    """`stratoverify params`: the validated parameter set, and GOV-PARAMS as an exit code."""
    loaded = load_params(arguments.path, authority=arguments.authority)
    if arguments.format == "json":
        stdout.write(json.dumps(params_to_document(loaded.params), indent=2) + "\n")
    else:
        stdout.write(_render_table(loaded.params) + "\n")
    violations = check_coherence(loaded.params)
    if not violations:
        stderr.write(f"GOV-PARAMS holds: the shares of {loaded.source} are coherent\n")
        return EXIT_PASS
    for violation in violations:
        stderr.write(f"GOV-PARAMS fails ({violation.rule}): {violation.message}\n")
    return EXIT_FAIL


def run_region_command(arguments: argparse.Namespace, console: _Console) -> int:
    """`stratoverify region`: a key's exact safe set, or two keys' safe map; exit 0 when it ran."""
    loaded = load_params(arguments.base, authority=arguments.authority)
    if arguments.key_y == arguments.key:
        raise InputError(f"region: give two different keys, not {arguments.key} twice")
    if arguments.out is not None:
        prepare_output(arguments.out)
    # The safe sets are Z3's alone: the other engines are not loaded (nor is their import time
    # spent), since no Hypothesis search runs here.
    from reports.plots import save_region_plot  # noqa: PLC0415 - only once the input is good
    from reports.region import (  # noqa: PLC0415
        render_pair_text,
        render_region_text,
        run_key_region,
        run_pair_region,
    )
    from reports.report import dump_document  # noqa: PLC0415
    from solver.prove import SolverSettings  # noqa: PLC0415

    settings = SolverSettings(seed=arguments.seed)
    if arguments.key_y is None:
        console.progress(
            f"safe set of {arguments.key} on {loaded.source}, profile {arguments.profile}"
        )
        run = run_key_region(loaded, arguments.profile, arguments.key, settings=settings)
        text = render_region_text(run.document)
    else:
        console.progress(
            f"safe map of {arguments.key} x {arguments.key_y} on {loaded.source}, "
            f"{arguments.samples} samples, profile {arguments.profile}"
        )
        run = run_pair_region(
            loaded,
            arguments.profile,
            arguments.key,
            arguments.key_y,
            settings=settings,
            samples=arguments.samples,
        )
        text = render_pair_text(run.document)
    console.progress(f"computed in {run.milliseconds} ms")
    if arguments.plot is not None:
        try:
            arguments.plot.write_bytes(
                save_region_plot(run.document, arguments.plot.suffix.lower())
            )
        except OSError as error:
            raise OutputError(
                f"{arguments.plot}: cannot write ({error.strerror or error})"
            ) from None
        console.progress(f"plot written to {arguments.plot}")
    if arguments.out is not None:
        write_report(
            arguments.out,
            {
                "region.json": dump_document(run.document),
                "region.txt": text,
                "region.svg": save_region_plot(run.document, ".svg").decode("utf-8"),
            },
        )
        console.progress(f"region written to {arguments.out}/ (region.json, .txt, .svg)")
    console.stdout.write(dump_document(run.document) if arguments.json else text)
    return EXIT_PASS
