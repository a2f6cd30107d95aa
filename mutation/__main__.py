"""`python -m mutation`: run the check against every mutant and print the mutation score.

One line per mutant as it finishes, then one JSON line with the counts and the score. Exit 0 iff
every mutant is killed or survives as a catalogued equivalent; 1 otherwise; 2 on bad usage.
A crash, timeout or inconclusive check is its own outcome and counts as a kill only with
`--crash-kills`, so a model that merely breaks is never mistaken for a suite that caught it.
`--mechanical` runs a seeded sample of cosmic-ray's mutants instead (`mutation.mechanical`;
exit 3 there when the unmutated tree does not pass). `--workers N` or `--scheduler ADDRESS` runs
each mutant as a task of a Dask cluster (`mutation.distributed`) instead of `--jobs` threads.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any, TextIO

import attrs

from mutation import distributed, mechanical
from mutation.catalogue import MUTANTS, Mutant, get_mutant
from mutation.harness import (
    DEFAULT_TIMEOUT_SECONDS,
    ENGINES,
    REPO_ROOT,
    MutantResult,
    Outcome,
    run_mutant,
)
from reports.arguments import add_cluster_options, get_placement
from sweep.cluster import ClusterError, Placement

EXIT_ALL_KILLED = 0
EXIT_SURVIVORS = 1
EXIT_USAGE = 2
CRASH_OUTCOMES = frozenset({Outcome.INCONCLUSIVE, Outcome.TIMEOUT, Outcome.ERROR})


def is_accounted_for(mutant: Mutant, result: MutantResult, *, crash_kills: bool) -> bool:
    """Killed, a surviving catalogued equivalent, or (with `crash_kills`) a crash."""
    if result.outcome is Outcome.KILLED:
        return True
    if result.outcome is Outcome.SURVIVED:
        return bool(mutant.equivalent)
    return crash_kills and result.outcome in CRASH_OUTCOMES


def format_line(mutant: Mutant, result: MutantResult) -> str:
    """One line per mutant: outcome, id, name, then what killed it or what went wrong."""
    label = result.outcome.name
    if result.outcome is Outcome.SURVIVED and mutant.equivalent:
        label = "EQUIV"
    head = f"{label:<7} {mutant.id} {mutant.name}"
    if result.outcome is Outcome.KILLED:
        killers = ", ".join(f"{f.invariant_id} ({', '.join(f.engines)})" for f in result.failures)
        tail = f"by {killers}"
        if mutant.equivalent:
            tail += "  (catalogued as equivalent: its explanation is wrong)"
    elif result.outcome is Outcome.SURVIVED:
        tail = "listed as equivalent" if mutant.equivalent else "no invariant failed"
    else:
        tail = result.detail
    return f"{head}  {tail}  [{result.seconds:.1f} s]"


def summarise(
    results: Sequence[tuple[Mutant, MutantResult]],
    *,
    seconds: float,
    crash_kills: bool,
    settings: dict[str, Any],
) -> dict[str, Any]:
    """The machine-readable summary: counts per outcome, the score, the mutants left alive."""
    counts = {outcome: 0 for outcome in Outcome}
    for _, result in results:
        counts[result.outcome] += 1
    equivalent = sum(
        1 for mutant, result in results if mutant.equivalent and result.outcome is Outcome.SURVIVED
    )
    crashed = sum(counts[outcome] for outcome in CRASH_OUTCOMES)
    killed = counts[Outcome.KILLED] + (crashed if crash_kills else 0)
    scored = len(results) - equivalent
    return {
        "mutants": len(results),
        "killed": counts[Outcome.KILLED],
        "survived": counts[Outcome.SURVIVED] - equivalent,
        "equivalent": equivalent,
        "inconclusive": counts[Outcome.INCONCLUSIVE],
        "timeout": counts[Outcome.TIMEOUT],
        "error": counts[Outcome.ERROR],
        "killed_by_crash": crashed if crash_kills else 0,
        "score": round(killed / scored, 4) if scored else 1.0,
        "not_killed": [
            mutant.id
            for mutant, result in results
            if not is_accounted_for(mutant, result, crash_kills=crash_kills)
        ],
        "seconds": round(seconds, 1),
        **settings,
    }


def _result_document(mutant: Mutant, result: MutantResult) -> dict[str, Any]:
    document: dict[str, Any] = attrs.asdict(result, value_serializer=_serialise)
    document["name"] = mutant.name
    document["file"] = mutant.file
    document["section"] = mutant.section
    document["description"] = mutant.description
    document["equivalent"] = mutant.equivalent
    return document


def _serialise(_: object, __: object, value: object) -> object:
    return value.value if isinstance(value, Outcome) else value


def _engines(text: str) -> tuple[str, ...]:
    engines = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = sorted(set(engines) - set(ENGINES))
    if unknown or not engines:
        raise argparse.ArgumentTypeError(
            f"engines are a comma-separated subset of {','.join(ENGINES)}, got {text!r}"
        )
    return engines


def build_parser() -> argparse.ArgumentParser:
    """The command line of `python -m mutation`."""
    parser = argparse.ArgumentParser(
        prog="python -m mutation",
        description="Plant each catalogued bug in a copy of the model and run the whole check.",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="MUTANT_ID",
        help="run only these mutants (with --mechanical: model/FILE.py:OPERATOR:OCCURRENCE)",
    )
    parser.add_argument(
        "--jobs", type=int, help="mutants checked at once by threads (default 1: 2 cores)"
    )
    add_cluster_options(
        parser,
        workers_help="check each mutant as a task of a local Dask cluster of N worker processes "
        "(0: in this process); the report is the same whatever N",
    )
    parser.add_argument("--out", type=Path, help="also write a JSON report to this file")
    parser.add_argument("--effort", default="quick", choices=("quick", "default", "thorough"))
    parser.add_argument(
        "--seed", type=int, default=0, help="the check's seed; with --mechanical, the sample's too"
    )
    parser.add_argument(
        "--engines", type=_engines, default=ENGINES, help="default: hypothesis,z3,executor"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        help=f"seconds per mutant (default {DEFAULT_TIMEOUT_SECONDS:.0f}; "
        f"{mechanical.DEFAULT_MECHANICAL_TIMEOUT_SECONDS:.0f} with --mechanical)",
    )
    parser.add_argument(
        "--tree",
        type=Path,
        default=REPO_ROOT,
        help="copy and mutate this checkout instead of this repository (e.g. an older commit)",
    )
    mechanical_options = parser.add_argument_group(
        "mechanical mutants", "cosmic-ray's operators over model/ (docs/mutation.md)"
    )
    mechanical_options.add_argument(
        "--mechanical", action="store_true", help="run a seeded sample of cosmic-ray mutants"
    )
    mechanical_options.add_argument(
        "--sample",
        type=int,
        default=mechanical.DEFAULT_SAMPLE,
        help=f"mutants to draw (default {mechanical.DEFAULT_SAMPLE})",
    )
    mechanical_options.add_argument(
        "--check-seed", type=int, help="the check's seed when it differs from the sample's"
    )
    mechanical_options.add_argument(
        "--list",
        action="store_true",
        help="enumerate and judge every mutant without running any (about a minute)",
    )
    parser.add_argument(
        "--crash-kills",
        action="store_true",
        help="count a crash, timeout or inconclusive check as a kill (reported apart)",
    )
    return parser


def main(argv: Sequence[str] | None = None, *, stdout: TextIO = sys.stdout) -> int:
    """Run the selected mutants, print a line each and the JSON summary; exit 0 iff none survive."""
    parser = build_parser()
    arguments = parser.parse_args(argv)
    placement = get_placement(arguments, default_workers=None)
    if arguments.jobs is not None and placement is not None:
        parser.error("--jobs goes without --workers and --scheduler (a cluster has its own)")
    if arguments.jobs is None:
        arguments.jobs = 1
    if arguments.jobs < 1:
        parser.error(f"--jobs must be at least 1, got {arguments.jobs}")
    try:
        if arguments.mechanical:
            return _main_mechanical(parser, arguments, placement, stdout)
        return _main_catalogue(parser, arguments, placement, stdout)
    except ClusterError as error:
        sys.stderr.write(f"python -m mutation: error: {error}\n")
        return EXIT_USAGE


def _main_catalogue(
    parser: argparse.ArgumentParser,
    arguments: argparse.Namespace,
    placement: Placement | None,
    stdout: TextIO,
) -> int:
    if arguments.sample != mechanical.DEFAULT_SAMPLE or arguments.list:
        parser.error("--sample and --list go with --mechanical")
    timeout = DEFAULT_TIMEOUT_SECONDS if arguments.timeout is None else arguments.timeout
    try:
        mutants = [get_mutant(i) for i in arguments.only] if arguments.only else list(MUTANTS)
    except KeyError as error:
        parser.print_usage(sys.stderr)
        sys.stderr.write(f"python -m mutation: error: {error.args[0]}\n")
        return EXIT_USAGE
    started = time.monotonic()
    if placement is None:
        ordered = _run_threads(mutants, arguments, timeout, stdout)
    else:
        plural = "s" if len(mutants) != 1 else ""
        stdout.write(f"{len(mutants)} mutant{plural} on {placement.describe()}\n")
        stdout.flush()
        finished = distributed.run_catalogue(
            mutants,
            placement=placement,
            settings=distributed.CheckSettings(
                arguments.tree.resolve(),
                arguments.effort,
                arguments.seed,
                arguments.engines,
                timeout,
            ),
            line=format_line,
            stdout=stdout,
        )
        ordered = list(zip(mutants, finished, strict=True))
    return _report(ordered, arguments, started, stdout)


def _run_threads(
    mutants: Sequence[Mutant], arguments: argparse.Namespace, timeout: float, stdout: TextIO
) -> list[tuple[Mutant, MutantResult]]:
    """`--jobs` threads in this process, a line per mutant as it finishes; results in order."""
    results: dict[str, MutantResult] = {}
    with ThreadPoolExecutor(max_workers=arguments.jobs) as pool:
        futures = {
            pool.submit(
                run_mutant,
                mutant,
                effort=arguments.effort,
                seed=arguments.seed,
                engines=arguments.engines,
                timeout_seconds=timeout,
                source=arguments.tree,
            ): mutant
            for mutant in mutants
        }
        for future in as_completed(futures):
            mutant = futures[future]
            results[mutant.id] = future.result()
            stdout.write(format_line(mutant, results[mutant.id]) + "\n")
            stdout.flush()
    return [(mutant, results[mutant.id]) for mutant in mutants]


def _report(
    ordered: Sequence[tuple[Mutant, MutantResult]],
    arguments: argparse.Namespace,
    started: float,
    stdout: TextIO,
) -> int:
    """The JSON line (and `--out`), in catalogue order; nothing in it names a worker."""
    settings = {
        "effort": arguments.effort,
        "seed": arguments.seed,
        "engines": list(arguments.engines),
        "crash_kills": arguments.crash_kills,
        "tree": str(arguments.tree),
    }
    summary = summarise(
        ordered,
        seconds=time.monotonic() - started,
        crash_kills=arguments.crash_kills,
        settings=settings,
    )
    if arguments.out is not None:
        document = {
            "summary": summary,
            "results": [_result_document(mutant, result) for mutant, result in ordered],
        }
        arguments.out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    stdout.write(json.dumps(summary) + "\n")
    return EXIT_SURVIVORS if summary["not_killed"] else EXIT_ALL_KILLED


def _main_mechanical(
    parser: argparse.ArgumentParser,
    arguments: argparse.Namespace,
    placement: Placement | None,
    stdout: TextIO,
) -> int:
    if arguments.crash_kills:
        parser.error("--crash-kills does not apply to --mechanical (it reports both scores)")
    if arguments.sample < 1:
        parser.error(f"--sample must be at least 1, got {arguments.sample}")
    timeout = (
        mechanical.DEFAULT_MECHANICAL_TIMEOUT_SECONDS
        if arguments.timeout is None
        else arguments.timeout
    )
    check_seed = arguments.seed if arguments.check_seed is None else arguments.check_seed
    try:
        if placement is not None and not arguments.list:
            return distributed.main_mechanical(
                placement=placement,
                root=arguments.tree.resolve(),
                size=arguments.sample,
                seed=arguments.seed,
                check_seed=check_seed,
                only=arguments.only,
                effort=arguments.effort,
                engines=arguments.engines,
                timeout_seconds=timeout,
                out=arguments.out,
                stdout=stdout,
            )
        return mechanical.main(
            root=arguments.tree.resolve(),
            size=arguments.sample,
            seed=arguments.seed,
            check_seed=check_seed,
            only=arguments.only,
            list_only=arguments.list,
            jobs=arguments.jobs,
            effort=arguments.effort,
            engines=arguments.engines,
            timeout_seconds=timeout,
            out=arguments.out,
            stdout=stdout,
        )
    except mechanical.MechanicalError as error:
        parser.print_usage(sys.stderr)
        sys.stderr.write(f"python -m mutation: error: {error}\n")
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
