"""The `stratoverify` command line's arguments: every subcommand's parser, the argument types
that refuse bad values in one line, `--version` and shell completion, and the exit codes.

`reports.cli` runs the commands; this module only says what they accept (docs/guide.md).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, NoReturn

import shtab

from model.params import param_specs
from model.profile import PROFILES
from properties.catalogue import INVARIANT_IDS
from properties.database import DATABASE_ENVIRONMENT, DEFAULT_DATABASE, parse_location
from properties.effort import EFFORTS
from reports.param_documents import suggest
from reports.report import ENGINE_NAMES
from sweep.cluster import Placement

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


def _workers(text: str) -> int:
    value = _seed(text)
    if not 0 <= value <= 1_024:
        raise argparse.ArgumentTypeError(f"{value} is outside 0..1024")
    return value


def add_cluster_options(parser: argparse.ArgumentParser, *, workers_help: str) -> None:
    """`--workers N` (a local Dask cluster) or `--scheduler ADDRESS` (an existing one)."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--workers", type=_workers, metavar="N", help=workers_help)
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on the Dask cluster whose scheduler listens at ADDRESS (tcp://host:8786; "
        "docs/sweep.md shows SLURM and Kubernetes set-ups)",
    )


def add_database_options(parser: argparse.ArgumentParser) -> None:
    """`--database LOCATION` or `--no-database`: the shared Hypothesis example database."""
    which = parser.add_mutually_exclusive_group()
    which.add_argument(
        "--database",
        metavar="LOCATION",
        help="the example database that replays earlier failures first: a directory or a "
        "redis://host:port/db URL (default: $STRATOVERIFY_DATABASE, else "
        ".stratoverify/examples; docs/sweep.md)",
    )
    which.add_argument(
        "--no-database",
        action="store_true",
        help="read and write no example database: the same inputs and seed give the same "
        "report, byte for byte",
    )


def get_database_location(arguments: argparse.Namespace, env: Mapping[str, str]) -> str | None:
    """The example database `--database`/`--no-database` ask for, or the environment's default;
    None for none. A malformed location is a DatabaseError (one line)."""
    if arguments.no_database:
        return None
    location = arguments.database or env.get(DATABASE_ENVIRONMENT) or DEFAULT_DATABASE
    return None if parse_location(location) is None else location


def get_placement(
    arguments: argparse.Namespace, *, default_workers: int | None
) -> Placement | None:
    """Where `--workers`/`--scheduler` ask the work to run; `default_workers` when neither is
    given (None: not on a cluster)."""
    if arguments.scheduler is not None:
        return Placement(scheduler=arguments.scheduler)
    workers = arguments.workers if arguments.workers is not None else default_workers
    return None if workers is None else Placement(workers=workers)


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
    add_database_options(check)
    add_cluster_options(
        check,
        workers_help="run the engines' parts (each Hypothesis seed stream, the round search, "
        "the proofs, the executor) on a local Dask cluster of N worker processes; the report "
        "is the same as without (default: here, the proofs and executor beside the machine; at "
        "thorough, a local cluster of every core)",
    )

    sweep = commands.add_parser(
        "sweep",
        help="check every point of a grid or sample of parameter values, on a Dask cluster",
        description=(
            "Run a full check on every point a sweep file names (keys with values, ranges or "
            "seeded random samples, over a base; docs/sweep.md) and write one report: each "
            "point's verdict and failing IDs, safety maps over each pair of keys with the "
            "proved region drawn on them, the points sorted by margin, and each point's own "
            "report folder. Exit 0 if every point passes, 1 if one fails, 2 on bad input, 3 if "
            "a point is inconclusive."
        ),
    )
    sweep.add_argument("spec", metavar="SPEC", type=Path, help="the sweep file (.toml or .json)")
    sweep.add_argument(
        "--out",
        metavar="DIR",
        type=Path,
        required=True,
        help="write sweep.json, sweep.md, sweep.html and points/NNNN/ (each a check report) here",
    )
    sweep.add_argument("--quiet", action="store_true", help="no progress on stderr")
    sweep.add_argument(
        "--json", action="store_true", help="print the sweep document alone on stdout"
    )
    add_database_options(sweep)
    add_cluster_options(
        sweep,
        workers_help="worker processes of the local Dask cluster (default: every core; 0: "
        "every point in this process, without Dask)",
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
