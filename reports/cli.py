"""The `stratoverify` command line: parses arguments, runs a command, maps outcomes to exit codes.

Exit codes follow DESIGN.md: 0 every checked invariant holds, 1 an invariant fails, 2 bad input
or usage (one line on stderr, never a traceback), 3 inconclusive. `check` writes its report
folder with `--out`; `diff` compares two parameter sets; `reproduce` re-runs a report;
`region` prints the values of one key, or a map of two, that keep every proof (docs/guide.md).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from executor.engine import FunctionSpecError
from properties.database import DatabaseError
from properties.effort import get_effort
from reports import github
from reports.arguments import (
    EXIT_BAD_INPUT,
    EXIT_FAIL,
    EXIT_INCONCLUSIVE,
    EXIT_INTERNAL,
    EXIT_PASS,
    PROGRAM,
    RECHECK_SOLVERS,
    build_parser,
    get_database_location,
    get_placement,
)
from reports.inputs import InputError, LoadedParams, load_base, load_params
from reports.report import ReportFileError
from reports.several import (
    combine_exit_codes,
    describe_kind,
    get_label,
    get_sarif_root,
    get_slug,
)
from reports.writer import OutputError, prepare_output, write_report
from sweep.cluster import ClusterError, default_workers

if TYPE_CHECKING:
    from reports.check import CheckOptions, CheckRun

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_FAIL",
    "EXIT_INCONCLUSIVE",
    "EXIT_INTERNAL",
    "EXIT_PASS",
    "RECHECK_SOLVERS",
    "build_parser",
    "combine_exit_codes",
    "get_sarif_root",
    "main",
]

ENGINE_MODULES = (
    "reports.check",
    "reports.region",
    "reports.render",
    "reports.diff",
    "reports.diff_html",
    "reports.reproduce",
    "reports.recheck",
    "reports.summary",
    "reports.combined",
)
"""The engines and renderers: imported only once the input is known to be good."""


def load_engines() -> None:
    """Import every engine and renderer, in one fixed order, before any engine runs."""
    # Two reasons. Bad input is refused before this, in well under a second (the engines and
    # matplotlib take about a second to import). And Hypothesis draws constants from the project
    # modules loaded when it runs (docs/findings.md), so `check`, `diff` and `reproduce` must
    # all have loaded the same ones: this function is the one place that decides which.
    for name in ENGINE_MODULES:
        importlib.import_module(name)


class _Console:
    """Where a command's output goes: the report on stdout, progress and errors on stderr."""

    def __init__(self, *, stdout: TextIO, stderr: TextIO, quiet: bool) -> None:
        self.stdout, self.stderr, self.quiet = stdout, stderr, quiet

    def progress(self, message: str) -> None:
        if not self.quiet:
            self.stderr.write(f"{PROGRAM}: {message}\n")
            self.stderr.flush()


def _options(
    arguments: argparse.Namespace,
    functions: tuple[str, ...] = (),
    env: Mapping[str, str] | None = None,
) -> CheckOptions:
    """What to check; with `env` (`check`), also the example database and where to run."""
    from reports.check import CheckOptions  # noqa: PLC0415 - loaded by load_engines

    return CheckOptions(
        profile=arguments.profile,
        effort=arguments.effort,
        seed=arguments.seed,
        only=tuple(dict.fromkeys(arguments.only)),
        engines=arguments.engines,
        functions=functions,
        function_paths=(str(Path.cwd()),) if functions else (),
        database=None if env is None else get_database_location(arguments, env),
        placement=None
        if env is None
        else get_placement(arguments, default_workers=_spread(arguments)),
    )


def _spread(arguments: argparse.Namespace) -> int | None:
    """A local cluster of every core (at most two workers a stream) for an effort of several
    independent seed streams (thorough): its streams, round search parts and proofs on the
    workers, the same report as in this process; None for the others, whose one stream runs here
    beside the other engines."""
    shards = get_effort(arguments.effort).shards
    return min(default_workers(), 2 * shards) if shards > 1 else None


def _saving(run: CheckRun, options: CheckOptions, console: _Console) -> CheckRun:
    _save_failures(run, options, console)
    return run


def _save_failures(run: CheckRun, options: CheckOptions, console: _Console) -> None:
    """Write the failing cases the check found into its example database, once its report is
    out (`properties.database`)."""
    if options.database is None or not run.database_writes:
        return
    from properties.database import apply_writes, open_database, parse_location  # noqa: PLC0415

    location = parse_location(options.database)
    if location is not None:
        saved = apply_writes(open_database(location), run.database_writes)
        console.progress(f"{saved} failing case(s) saved to {location.describe()}")


def load_functions(specs: Sequence[str], engines: Sequence[str]) -> tuple[str, ...]:
    """The user's functions, resolved and loaded once in a node process before any engine
    runs: a spec that names no loadable callable is bad input (exit 2), not a finding."""
    if not specs:
        return ()
    if "executor" not in engines:
        raise InputError("--function: the executor engine grounds functions; add it to --engines")
    from executor.engine import Executor, resolve_function  # noqa: PLC0415 - after the input

    resolved = tuple(dict.fromkeys(resolve_function(spec) for spec in specs))
    with Executor(function_paths=(str(Path.cwd()),)) as executor:
        for spec in resolved:
            executor.reference_output(spec, b"")
    return resolved


def _load(
    path: str | None,
    base_path: str | None,
    *,
    authority: str | None,
    base: LoadedParams | None = None,
) -> LoadedParams:
    if base is None and base_path is not None:
        base = load_base(base_path)
    return load_params(path, base=base, authority=authority)


def _finish_report(
    run: CheckRun,
    console: _Console,
    *,
    out: Path | None,
    as_json: bool,
    env: Mapping[str, str],
    sarif_root: Path | None = None,
) -> dict[str, Any]:
    from reports.markdown import render_markdown  # noqa: PLC0415 - loaded by load_engines
    from reports.region import render_keys_text  # noqa: PLC0415
    from reports.render import render_files  # noqa: PLC0415
    from reports.report import dump_document, to_document  # noqa: PLC0415
    from reports.summary import render_summary  # noqa: PLC0415

    document = to_document(run.report)
    if out is not None:
        write_report(
            out, render_files(document, run.artifacts, sarif_root=sarif_root, plots=run.plots)
        )
        console.progress(f"report written to {out}/ (report.json, .md, .html, junit.xml, .sarif)")
    if github.is_github_actions(env):
        report_dir = str(out) if out is not None else "the report folder"
        for line in github.render_annotations(
            document, report_dir=report_dir, sarif_root=sarif_root
        ):
            console.stderr.write(line + "\n")
        if not github.write_step_summary(render_markdown(document), env):
            console.progress("could not append the report to $GITHUB_STEP_SUMMARY")
    if as_json:
        console.stdout.write(dump_document(document))
    else:
        summary = render_summary(document)
        keys = render_keys_text(document)
        if keys:
            # The changed keys go above the closing verdict line.
            lines = summary.rstrip("\n").split("\n")
            summary = "\n".join([*lines[:-1], *keys[1:], "", lines[-1]]) + "\n"
        console.stdout.write(summary)
    return document


def _load_inputs(arguments: argparse.Namespace) -> list[tuple[str, LoadedParams]]:
    """Every input, loaded and validated before any engine runs: bad input anywhere is refused
    before a minute is spent on the others."""
    paths: list[str | None] = list(arguments.path) or [None]
    base = load_base(arguments.base) if arguments.base is not None else None
    inputs: list[tuple[str, LoadedParams]] = []
    seen: dict[Path, str] = {}
    for path in paths:
        if path is not None:
            resolved = Path(path).resolve()
            if resolved in seen:
                raise InputError(f"{path}: given twice (as {seen[resolved]!r} before)")
            seen[resolved] = path
        inputs.append(
            (get_label(path), load_params(path, base=base, authority=arguments.authority))
        )
    return inputs


def run_check_command(
    arguments: argparse.Namespace, console: _Console, env: Mapping[str, str]
) -> int:
    """`stratoverify check`: every engine on each parameter set; the verdict as the exit code."""
    inputs = _load_inputs(arguments)
    database = get_database_location(arguments, env)
    if database is not None:  # an unreachable database is bad input, refused before any work
        from properties.database import open_database, parse_location  # noqa: PLC0415

        location = parse_location(database)
        if location is not None:
            open_database(location)
    sarif_root = get_sarif_root(arguments.sarif_root)
    if arguments.out is not None:
        prepare_output(arguments.out)
    functions = load_functions(arguments.function, arguments.engines)
    load_engines()
    from reports.check import run_check  # noqa: PLC0415 - loaded by load_engines

    options = _options(arguments, functions, env)
    if len(inputs) == 1:
        ((_, loaded),) = inputs
        console.progress(
            f"checking {loaded.source} ({describe_kind(loaded)}), profile {arguments.profile}"
        )
        drawn = arguments.out is not None
        run = run_check(loaded, options, progress=console.progress, draw_plots=drawn)
        document = _finish_report(
            run,
            console,
            out=arguments.out,
            as_json=arguments.json,
            env=env,
            sarif_root=sarif_root,
        )
        _save_failures(run, options, console)
        console.progress(f"verdict: {document['verdict']}")
        return int(document["exit_code"])
    return _check_several(
        inputs,
        arguments=arguments,
        console=console,
        env=env,
        sarif_root=sarif_root,
        run_check=lambda loaded: _saving(
            run_check(
                loaded,
                options,
                progress=console.progress,
                draw_plots=arguments.out is not None,
            ),
            options,
            console,
        ),
    )


def _check_several(
    inputs: Sequence[tuple[str, LoadedParams]],
    *,
    arguments: argparse.Namespace,
    console: _Console,
    env: Mapping[str, str],
    sarif_root: Path,
    run_check: Callable[[LoadedParams], CheckRun],
) -> int:
    """Several inputs in one run: a report folder per input under `--out`, one SARIF log with a
    run per input, one JUnit file with a suite per input, and a summary per input."""
    from reports.combined import render_combined  # noqa: PLC0415 - loaded by load_engines
    from reports.render import render_files  # noqa: PLC0415
    from reports.report import dump_document, to_document  # noqa: PLC0415
    from reports.summary import render_summaries  # noqa: PLC0415

    documents: list[dict[str, Any]] = []
    labels = [label for label, _ in inputs]
    taken: set[str] = set()
    for number, (label, loaded) in enumerate(inputs, 1):
        slug = get_slug(label, taken)
        console.progress(
            f"[{number}/{len(inputs)}] checking {label} ({describe_kind(loaded)}), profile "
            f"{arguments.profile}"
        )
        run = run_check(loaded)
        document = to_document(run.report)
        documents.append(document)
        if arguments.out is not None:
            write_report(
                arguments.out / slug,
                render_files(document, run.artifacts, sarif_root=sarif_root, plots=run.plots),
            )
            console.progress(f"[{number}/{len(inputs)}] report written to {arguments.out / slug}/")
        console.progress(f"[{number}/{len(inputs)}] verdict for {label}: {document['verdict']}")
    codes = [int(document["exit_code"]) for document in documents]
    if arguments.out is not None:
        write_report(arguments.out, render_combined(documents, labels, sarif_root=sarif_root))
        console.progress(
            f"{arguments.out}/report.sarif (a run per input), junit.xml and summary.md written"
        )
    if github.is_github_actions(env):
        report_dir = str(arguments.out) if arguments.out is not None else "the report folder"
        for line in github.render_annotations(
            documents, labels, report_dir=report_dir, sarif_root=sarif_root
        ):
            console.stderr.write(line + "\n")
        if not github.write_step_summary(github.render_step_summaries(documents, labels), env):
            console.progress("could not append the reports to $GITHUB_STEP_SUMMARY")
    exit_code = combine_exit_codes(codes)
    if arguments.json:
        console.stdout.write(
            dump_document(
                {
                    "exit_code": exit_code,
                    "reports": [
                        {"input": label, "report": document}
                        for label, document in zip(labels, documents, strict=True)
                    ],
                }
            )
        )
    else:
        console.stdout.write(render_summaries(documents, labels))
        counts = {
            verdict: sum(document["verdict"] == verdict for document in documents)
            for verdict in ("fail", "inconclusive", "pass")
        }
        tally = ", ".join(f"{count} {verdict}" for verdict, count in counts.items() if count)
        console.stdout.write(f"verdict: {len(inputs)} inputs, {tally}; exit code {exit_code}\n")
    return exit_code


def run_diff_command(
    arguments: argparse.Namespace, console: _Console, env: Mapping[str, str]
) -> int:
    """`stratoverify diff`: both sets checked, and what changes between them."""
    old = _load(arguments.old, arguments.base, authority=arguments.authority)
    new = _load(arguments.new, None, base=old, authority=arguments.authority)
    if arguments.out is not None:
        prepare_output(arguments.out)
    load_engines()
    from reports.check import run_check  # noqa: PLC0415 - loaded by load_engines
    from reports.diff import diff_reports, render_diff_markdown  # noqa: PLC0415
    from reports.diff_html import render_diff_files  # noqa: PLC0415
    from reports.render import render_files  # noqa: PLC0415
    from reports.report import dump_document, to_document  # noqa: PLC0415

    options = _options(arguments)
    console.progress(f"checking OLD {old.source}")
    # OLD is the base of the change: what its own keys need is not the question here.
    old_run = run_check(old, options, progress=console.progress, with_keys=False)
    console.progress(f"checking NEW {new.source}")
    new_run = run_check(new, options, progress=console.progress)
    old_document, new_document = to_document(old_run.report), to_document(new_run.report)
    result = diff_reports(old_document, new_document)
    if arguments.out is not None:
        write_report(arguments.out / "old", render_files(old_document, old_run.artifacts))
        write_report(arguments.out / "new", render_files(new_document, new_run.artifacts))
        write_report(arguments.out, render_diff_files(result.document, old_document, new_document))
    if arguments.json:
        console.stdout.write(dump_document(result.document))
    else:
        console.stdout.write(render_diff_markdown(result.document))
    if github.is_github_actions(env):
        github.write_step_summary(render_diff_markdown(result.document), env)
    return result.exit_code


def run_reproduce_command(
    arguments: argparse.Namespace, console: _Console, env: Mapping[str, str]
) -> int:
    """`stratoverify reproduce`: the recorded check again; exit 0 only if nothing differs."""
    load_engines()
    from reports.render import render_files  # noqa: PLC0415 - loaded by load_engines
    from reports.report import dump_document, to_document  # noqa: PLC0415
    from reports.reproduce import load_report, reproduce_report  # noqa: PLC0415

    recorded = load_report(arguments.report)
    if arguments.out is not None:
        prepare_output(arguments.out)
    console.progress(f"reproducing {arguments.report} ({recorded.loaded.source})")
    outcome = reproduce_report(recorded, progress=console.progress)
    if arguments.out is not None:
        fresh = to_document(outcome.run.report)
        write_report(arguments.out, render_files(fresh, outcome.run.artifacts))
    if arguments.json:
        console.stdout.write(dump_document(outcome.document))
    else:
        console.stdout.write(outcome.text)
    return EXIT_PASS if outcome.identical else EXIT_FAIL


def _internal_error(error: BaseException) -> int:
    """An exception nobody expected: one line, the place it was raised, and exit code 4, so a
    gate never reads a broken tool as "an invariant fails" (1) or as bad input (2)."""
    frames = traceback.extract_tb(error.__traceback__)
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    sys.stderr.write(
        f"{PROGRAM}: internal error: {type(error).__name__}: {error}{where}; this is a fault "
        f"of the tool, not a verdict (exit {EXIT_INTERNAL}); `{PROGRAM} --version` lists what "
        "is installed\n"
    )
    return EXIT_INTERNAL


def main(argv: Sequence[str] | None = None, *, env: Mapping[str, str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    arguments = parser.parse_args(argv)
    environment = os.environ if env is None else env
    try:
        if arguments.command in ("params", "recheck"):
            from reports.table_commands import run_params, run_recheck_command  # noqa: PLC0415

        if arguments.command == "params":
            return run_params(arguments, stdout=sys.stdout, stderr=sys.stderr)
        if arguments.command == "recheck":
            return run_recheck_command(arguments, sys.stdout)
        console = _Console(stdout=sys.stdout, stderr=sys.stderr, quiet=arguments.quiet)
        if arguments.command == "check":
            return run_check_command(arguments, console, environment)
        if arguments.command == "diff":
            return run_diff_command(arguments, console, environment)
        if arguments.command == "reproduce":
            return run_reproduce_command(arguments, console, environment)
        if arguments.command == "region":
            from reports.table_commands import run_region_command  # noqa: PLC0415

            return run_region_command(arguments, console)
        if arguments.command == "sweep":
            from sweep.command import run_sweep_command  # noqa: PLC0415 - Dask loads only here

            return run_sweep_command(arguments, console, environment)
        parser.error(f"unknown command {arguments.command!r}")  # pragma: no cover
    except (
        InputError,
        OutputError,
        ReportFileError,
        FunctionSpecError,
        DatabaseError,
        ClusterError,
    ) as error:
        sys.stderr.write(f"{PROGRAM}: error: {error}\n")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROGRAM}: interrupted; no report was written\n")
        return 130
    except BrokenPipeError:  # the reader of stdout went away (e.g. `| head`): not our error
        sys.stderr.close()
        return EXIT_PASS
    except Exception as error:
        return _internal_error(error)
    return EXIT_PASS  # pragma: no cover


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
