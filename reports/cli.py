"""The `stratoverify` command line: parses arguments, runs a command, maps outcomes to exit codes.

Exit codes follow DESIGN.md: 0 every checked invariant holds, 1 an invariant fails, 2 bad input
or usage (one line on stderr, never a traceback), 3 inconclusive.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import NoReturn, TextIO

from model.coherence import check_coherence
from model.params import Params, param_specs, params_to_document
from reports.inputs import InputError, load_params

EXIT_PASS = 0
EXIT_FAIL = 1
EXIT_BAD_INPUT = 2
EXIT_INCONCLUSIVE = 3

PROGRAM = "stratoverify"


class _ArgumentParser(argparse.ArgumentParser):
    """argparse, with usage errors reduced to one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def _version() -> str:
    try:
        return version("stratoverify")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
        return "0+unknown"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = _ArgumentParser(
        prog=PROGRAM,
        description="Check the Stratosphere protocol's invariants for a set of parameters.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_ArgumentParser)

    params = commands.add_parser(
        "params",
        help="print a validated parameter set and whether its shares are coherent (GOV-PARAMS)",
        description=(
            "Validate a parameter set or a Cosmos legacy param-change proposal (applied over the "
            "whitepaper defaults) and print the complete parameter set. Exit 0 if its shares are "
            "coherent, 1 if GOV-PARAMS fails, 2 on bad input."
        ),
    )
    params.add_argument(
        "path",
        nargs="?",
        metavar="PARAMS_OR_PROPOSAL",
        help="a JSON parameter set or legacy proposal (default: the whitepaper's parameters)",
    )
    params.add_argument(
        "--format",
        choices=("json", "table"),
        default="json",
        help="json (default): the parameter set document; table: keys with domains and sections",
    )
    return parser


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
    loaded = load_params(arguments.path)
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    arguments = parser.parse_args(argv)
    try:
        if arguments.command == "params":
            return run_params(arguments, stdout=sys.stdout, stderr=sys.stderr)
        parser.error(f"unknown command {arguments.command!r}")  # pragma: no cover
    except InputError as error:
        sys.stderr.write(f"{PROGRAM}: error: {error}\n")
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # the reader of stdout went away (e.g. `| head`): not our error
        sys.stderr.close()
        return EXIT_PASS
    return EXIT_PASS  # pragma: no cover


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
