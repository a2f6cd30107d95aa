"""The `stratoverify` command line: parses arguments, runs a command, maps outcomes to exit codes.

Exit codes follow DESIGN.md: 0 every checked invariant holds, 1 an invariant fails, 2 bad input
or usage (one line on stderr, never a traceback), 3 inconclusive. `check` writes its report
folder with `--out`; `diff` compares two parameter sets; `reproduce` re-runs a report;
`region` prints the values of one key, or a map of two, that keep every proof (docs/guide.md).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import re
import subprocess
import sys
import traceback
from collections.abc import Callable, Mapping, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

import shtab

from executor.engine import FunctionSpecError
from model.coherence import check_coherence
from model.params import Params, param_specs, params_to_document
from model.profile import PROFILES
from properties.catalogue import INVARIANT_IDS
from properties.effort import EFFORTS
from reports import github
from reports.inputs import InputError, LoadedParams, load_base, load_params
from reports.param_documents import suggest
from reports.report import ENGINE_NAMES, ReportFileError
from reports.writer import OutputError, prepare_output, write_report

if TYPE_CHECKING:
    from reports.check import CheckOptions, CheckRun

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

RECHECK_SOLVERS = ("z3", "cvc5")

EXIT_PASS = 0
EXIT_FAIL = 1
EXIT_BAD_INPUT = 2
EXIT_INCONCLUSIVE = 3
EXIT_INTERNAL = 4
"""The tool itself broke (a broken install, a bug): never read as a verdict."""

PROGRAM = "stratoverify"


class _ArgumentParser(argparse.ArgumentParser):
    """argparse, with usage errors reduced to one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def _version() -> str:
    try:
        return version("stratoverify")
    except PackageNotFoundError:  # pragma: no cover - running from a tree without install
        return "unknown"


class _VersionAction(argparse.Action):
    """`--version`: the tool's version, then each engine's and package's that can change a
    verdict (the same list every report records under `versions`)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help=kwargs.get("help"))

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        from reports.check import get_versions  # noqa: PLC0415 - the engines load only here

        versions = get_versions()
        lines = [f"{PROGRAM} {versions.pop('stratoverify')}"]
        width = max(map(len, versions))
        lines += [f"  {name:<{width}}  {value}" for name, value in versions.items()]
        sys.stdout.write("\n".join(lines) + "\n")
        parser.exit(EXIT_PASS)


def load_engines() -> None:
    """Import every engine and renderer, in one fixed order, before any engine runs."""
    # Two reasons. Bad input is refused before this, in well under a second (the engines and
    # matplotlib take about a second to import). And Hypothesis draws constants from the project
    # modules loaded when it runs (docs/findings.md), so `check`, `diff` and `reproduce` must
    # all have loaded the same ones: this function is the one place that decides which.
    for name in ENGINE_MODULES:
        importlib.import_module(name)


def _seed(text: str) -> int:
    try:
        value = int(text, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"{value} is outside 0..2^63-1")
    return value


def _comma_list(text: str, *, choices: tuple[str, ...], what: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    unknown = [name for name in names if name not in choices]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown {what} {unknown[0] if unknown else text!r}; choose from "
            f"{', '.join(choices)} (comma-separated)"
        )
    return names


def _engines(text: str) -> tuple[str, ...]:
    return _comma_list(text, choices=ENGINE_NAMES, what="engine")


def _solvers(text: str) -> tuple[str, ...]:
    return _comma_list(text, choices=RECHECK_SOLVERS, what="solver")


def _invariant_id(text: str) -> str:
    name = text.strip().upper()
    if name not in INVARIANT_IDS:
        raise argparse.ArgumentTypeError(
            f"unknown invariant {text!r}; known: {', '.join(INVARIANT_IDS)}"
        )
    return name


def _key_name(text: str) -> str:
    names = [spec.name for spec in param_specs()]
    if text not in names:
        raise argparse.ArgumentTypeError(
            f"unknown parameter {text!r}{suggest(text, names)}; "
            "`stratoverify params --format table` lists every key"
        )
    return text


def _samples(text: str) -> int:
    value = _seed(text)
    if not 2 <= value <= 1_000:
        raise argparse.ArgumentTypeError(f"{value} is outside 2..1000")
    return value


def _plot_path(text: str) -> Path:
    path = Path(text)
    if path.suffix.lower() not in (".svg", ".png"):
        raise argparse.ArgumentTypeError(f"{text!r}: a plot file ends in .svg or .png")
    return path


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--profile",
        choices=tuple(PROFILES),
        default="hardened",
        help="hardened (default): DESIGN.md's repaired readings; whitepaper: the literal text",
    )
    parser.add_argument(
        "--effort",
        choices=tuple(EFFORTS),
        default="default",
        help="how hard the engines search (default: default, about a minute)",
    )
    parser.add_argument("--seed", type=_seed, default=0, help="the seed of every engine (0)")
    parser.add_argument(
        "--only",
        nargs="+",
        type=_invariant_id,
        metavar="ID",
        default=(),
        help="check only these invariant IDs",
    )
    parser.add_argument(
        "--engines",
        type=_engines,
        default=ENGINE_NAMES,
        metavar="LIST",
        help="comma-separated engines to run (default: hypothesis,z3,executor)",
    )
    parser.add_argument(
        "--base",
        metavar="PARAMS",
        help="the parameter set a proposal applies over (default: the whitepaper's)",
    )
    _add_authority_option(parser)


def _add_authority_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--authority",
        metavar="ADDRESS",
        help="the bech32 address a MsgUpdateParams must name as its authority (default: the "
        "gov module account's address, docs/inputs.md)",
    )


def _add_output_options(parser: argparse.ArgumentParser, *, out_help: str) -> None:
    parser.add_argument("--out", metavar="DIR", type=Path, help=out_help)
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    parser.add_argument(
        "--json", action="store_true", help="print the JSON document alone on stdout"
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = _ArgumentParser(
        prog=PROGRAM,
        description="Check the Stratosphere protocol's invariants for a set of parameters.",
        epilog=(
            "Exit codes: 0 pass, 1 an invariant fails, 2 bad input or usage, 3 inconclusive, "
            "4 the tool itself failed. docs/guide.md tells more."
        ),
    )
    parser.add_argument(
        "--version",
        action=_VersionAction,
        help="print the version of the tool and of every engine and package, then exit",
    )
    shtab.add_argument_to(
        parser, ["--print-completion"], help="print a shell completion script (bash, zsh, tcsh)"
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_ArgumentParser)

    check = commands.add_parser(
        "check",
        help="run every engine on a parameter set or proposal and write the report",
        description=(
            "Check every invariant of the catalogue with the Hypothesis, Z3 and executor "
            "engines, on the whitepaper defaults, a parameter set, a Cosmos legacy "
            "param-change proposal or a gov v1 proposal of MsgUpdateParams. Exit 0 if every "
            "invariant holds, 1 if one fails, 2 on bad input, 3 if inconclusive."
        ),
    )
    check.add_argument(
        "path",
        nargs="*",
        metavar="PARAMS_OR_PROPOSAL",
        help="JSON parameter sets or proposals, each checked on its own (default: the "
        "whitepaper's parameters)",
    )
    _add_run_options(check)
    _add_output_options(
        check,
        out_help="write report.json, report.md, report.html, junit.xml, report.sarif, smt2/, "
        "traces/ and regressions/ here; with several inputs, one such folder per input and "
        "report.sarif, junit.xml and summary.md over all of them",
    )
    check.add_argument(
        "--sarif-root",
        type=Path,
        metavar="DIR",
        help="SARIF locations are relative to DIR (default: the git top level of the current "
        "folder, else the current folder)",
    )
    check.add_argument(
        "--function",
        action="append",
        default=[],
        metavar="SPEC",
        help="ground your own function too: path/to/file.py:callable or module:callable, "
        "bytes -> bytes; the executor runs it on generated inputs beside the fixtures "
        "(repeatable; docs/guide.md)",
    )

    diff = commands.add_parser(
        "diff",
        help="what a parameter change does: parameters, payment split, slashing, verdicts",
        description=(
            "Compare two parameter sets (NEW may be a proposal, applied over OLD): every "
            "parameter that differs, the payment split and burn share, the slash schedule, "
            "and every verdict that changes. Exit 0 if no invariant that held breaks, 1 if "
            "one does, 2 on bad input, 3 if a verdict becomes inconclusive."
        ),
    )
    diff.add_argument("old", metavar="OLD", help="the parameter set (or proposal) before")
    diff.add_argument("new", metavar="NEW", help="the parameter set or proposal after")
    _add_run_options(diff)
    _add_output_options(
        diff,
        out_help="write both reports (old/, new/), diff.json, diff.md, diff.html and the "
        "before/after plots (SVG) here",
    )

    reproduce = commands.add_parser(
        "reproduce",
        help="re-run a report with its recorded inputs and seeds; exit 0 only if identical",
        description=(
            "Re-run the check a report.json records (parameters, profile, effort, seed, "
            "selection) and compare every verdict and counterexample. Exit 0 only if they "
            "are all the same, 1 if any differs, 2 if the report cannot be read."
        ),
    )
    reproduce.add_argument("report", metavar="REPORT.json", type=Path)
    _add_output_options(reproduce, out_help="write the re-run's report folder here")

    recheck = commands.add_parser(
        "recheck",
        help="re-run a report's SMT-LIB2 queries in the z3 binary and in cvc5",
        description=(
            "Re-run every Z3 query of a report folder (smt2/) in other solvers: the z3 binary "
            "and cvc5. A proved invariant must come back unsat, a refuted one sat. Exit 0 if "
            "every query is confirmed by one solver at least and contradicted by none (a solver "
            "may give up, unknown, on a nonlinear query), 1 if not, 2 if the report cannot be "
            "read."
        ),
    )
    recheck.add_argument("report", metavar="REPORT.json", type=Path)
    recheck.add_argument(
        "--solvers",
        type=_solvers,
        default=RECHECK_SOLVERS,
        metavar="LIST",
        help="comma-separated solvers (default: z3,cvc5)",
    )
    recheck.add_argument(
        "--timeout", type=int, default=120, metavar="SECONDS", help="per query (120)"
    )

    region = commands.add_parser(
        "region",
        help="the exact values of a key (or a map of two) that keep every proved invariant",
        description=(
            "For one key: exactly the values that, the other keys fixed, keep every invariant "
            "the Z3 engine checks proved, each end of each safe interval with its evidence "
            "(the end proved, its neighbour refuted by a named invariant), and the "
            "constitution's process, vote and range for the key (docs/constitution.md). For "
            "two keys: for each sampled value of the first, the safe values of the second. "
            "Exit 0 when it ran, 2 on bad input."
        ),
    )
    region.add_argument(
        "key", metavar="KEY", type=_key_name, help="subspace.key, e.g. payment.str_burn_bps"
    )
    region.add_argument(
        "key_y",
        nargs="?",
        metavar="KEY2",
        type=_key_name,
        help="a second key: map the safe values of KEY2 over sampled values of KEY",
    )
    region.add_argument(
        "--base",
        metavar="PARAMS_OR_PROPOSAL",
        help="the parameter set, or a proposal over the whitepaper's (default: the whitepaper's)",
    )
    region.add_argument(
        "--profile",
        choices=tuple(PROFILES),
        default="hardened",
        help="hardened (default): the repaired readings and constitution; whitepaper: the "
        "literal text (docs/constitution.md)",
    )
    region.add_argument("--seed", type=_seed, default=0, help="the solver's seed (0)")
    region.add_argument(
        "--samples",
        type=_samples,
        default=21,
        metavar="N",
        help="for two keys: how many values of KEY to sample (21)",
    )
    region.add_argument(
        "--plot", type=_plot_path, metavar="FILE", help="draw the region to FILE.svg or FILE.png"
    )
    _add_authority_option(region)
    _add_output_options(region, out_help="write region.json, region.txt and region.svg here")

    params = commands.add_parser(
        "params",
        help="print a validated parameter set and whether its shares are coherent (GOV-PARAMS)",
        description=(
            "Validate a parameter set or a proposal (applied over the whitepaper defaults) and "
            "print the complete parameter set. Exit 0 if its shares are coherent, 1 if "
            "GOV-PARAMS fails, 2 on bad input."
        ),
    )
    params.add_argument(
        "path",
        nargs="?",
        metavar="PARAMS_OR_PROPOSAL",
        help="a JSON parameter set or proposal (default: the whitepaper's parameters)",
    )
    params.add_argument(
        "--format",
        choices=("json", "table"),
        default="json",
        help="json (default): the parameter set document; table: keys with domains and sections",
    )
    _add_authority_option(params)
    return parser


class _Console:
    """Where a command's output goes: the report on stdout, progress and errors on stderr."""

    def __init__(self, *, stdout: TextIO, stderr: TextIO, quiet: bool) -> None:
        self.stdout, self.stderr, self.quiet = stdout, stderr, quiet

    def progress(self, message: str) -> None:
        if not self.quiet:
            self.stderr.write(f"{PROGRAM}: {message}\n")
            self.stderr.flush()


def _options(arguments: argparse.Namespace, functions: tuple[str, ...] = ()) -> CheckOptions:
    from reports.check import CheckOptions  # noqa: PLC0415 - loaded by load_engines

    return CheckOptions(
        profile=arguments.profile,
        effort=arguments.effort,
        seed=arguments.seed,
        only=tuple(dict.fromkeys(arguments.only)),
        engines=arguments.engines,
        functions=functions,
        function_paths=(str(Path.cwd()),) if functions else (),
    )


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
        write_report(out, render_files(document, run.artifacts, sarif_root=sarif_root))
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


def _label(path: str | None) -> str:
    """An input as the reports name it: the path as given, relative and with `/`."""
    if path is None:
        return "whitepaper defaults"
    given = Path(path)
    with contextlib.suppress(ValueError):  # outside the current folder: the path as given
        given = given.resolve().relative_to(Path.cwd().resolve())
    return given.as_posix()


def _slug(label: str, taken: set[str]) -> str:
    """A folder name for one input's report: its label with every character that is not a
    letter, digit, `.`, `_` or `-` replaced, unique among the inputs of the run."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", label.replace("/", "__")).strip("._") or "input"
    slug, number = stem, 2
    while slug in taken:
        slug, number = f"{stem}-{number}", number + 1
    taken.add(slug)
    return slug


def get_sarif_root(given: Path | None, cwd: Path | None = None) -> Path:
    """Where SARIF URIs are relative to: `--sarif-root`, else the git top level of the current
    folder, else the current folder."""
    if given is not None:
        return given.resolve()
    here = (cwd or Path.cwd()).resolve()
    try:
        completed = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return here
    top = completed.stdout.strip()
    return Path(top).resolve() if completed.returncode == 0 and top else here


def _describe_kind(loaded: LoadedParams) -> str:
    """The input's kind, and the shape it was read in when that says more (`a gov v1
    {"proposal": ...} query output`)."""
    plain = loaded.shape.removeprefix("an ").removeprefix("a ")
    return f"{loaded.kind}, as {loaded.shape}" if plain not in ("", loaded.kind) else loaded.kind


def combine_exit_codes(codes: Sequence[int]) -> int:
    """One exit code for several inputs: 1 if any fails, else 3 if any is inconclusive, else 0."""
    if EXIT_FAIL in codes:
        return EXIT_FAIL
    if EXIT_INCONCLUSIVE in codes:
        return EXIT_INCONCLUSIVE
    return EXIT_PASS


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
        inputs.append((_label(path), load_params(path, base=base, authority=arguments.authority)))
    return inputs


def run_check_command(
    arguments: argparse.Namespace, console: _Console, env: Mapping[str, str]
) -> int:
    """`stratoverify check`: every engine on each parameter set; the verdict as the exit code."""
    inputs = _load_inputs(arguments)
    sarif_root = get_sarif_root(arguments.sarif_root)
    if arguments.out is not None:
        prepare_output(arguments.out)
    functions = load_functions(arguments.function, arguments.engines)
    load_engines()
    from reports.check import run_check  # noqa: PLC0415 - loaded by load_engines

    if len(inputs) == 1:
        ((_, loaded),) = inputs
        console.progress(
            f"checking {loaded.source} ({_describe_kind(loaded)}), profile {arguments.profile}"
        )
        run = run_check(loaded, _options(arguments, functions), progress=console.progress)
        document = _finish_report(
            run,
            console,
            out=arguments.out,
            as_json=arguments.json,
            env=env,
            sarif_root=sarif_root,
        )
        console.progress(f"verdict: {document['verdict']}")
        return int(document["exit_code"])
    return _check_several(
        inputs,
        arguments=arguments,
        console=console,
        env=env,
        sarif_root=sarif_root,
        run_check=lambda loaded: run_check(
            loaded, _options(arguments, functions), progress=console.progress
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
        slug = _slug(label, taken)
        console.progress(
            f"[{number}/{len(inputs)}] checking {label} ({_describe_kind(loaded)}), profile "
            f"{arguments.profile}"
        )
        run = run_check(loaded)
        document = to_document(run.report)
        documents.append(document)
        if arguments.out is not None:
            write_report(
                arguments.out / slug,
                render_files(document, run.artifacts, sarif_root=sarif_root),
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


def run_region_command(arguments: argparse.Namespace, console: _Console) -> int:
    """`stratoverify region`: a key's exact safe set, or two keys' safe map; exit 0 when it ran."""
    loaded = _load(arguments.base, None, authority=arguments.authority)
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


def run_recheck_command(arguments: argparse.Namespace, stdout: TextIO) -> int:
    """`stratoverify recheck`: every query of a report, in other solvers; exit 0 if all agree."""
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
            return run_region_command(arguments, console)
        parser.error(f"unknown command {arguments.command!r}")  # pragma: no cover
    except (InputError, OutputError, ReportFileError, FunctionSpecError) as error:
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
