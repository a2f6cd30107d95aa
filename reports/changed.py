"""Which proposals a change touches: the files a governance gate must check, or an error.

`python -m reports.changed --base REF [--paths GLOB ...] [-z]` lists the files under the proposal
paths that differ between REF and HEAD (added, modified, renamed to; not deleted), one a line
(NUL-separated with -z), relative to the current directory. The gate fails closed: a base that is
not a commit here (a shallow clone that never fetched it), any git error, or a touched file under
the proposal paths that is not a governance proposal (unreadable, not JSON, a parameter set, a
symlink) exits 2 with one line saying what is wrong, never an empty list. See docs/guide.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from model.params import ParamsError
from reports.chain_shapes import (
    GOV_V1_PROPOSAL,
    LEGACY_PROPOSAL,
    classify_document,
    read_document,
)
from reports.inputs import InputError, read_json_document

DEFAULT_PATHS = ("proposals/**/*.json",)
"""Where a governance repository keeps its proposals, relative to the repository's root."""
PROPOSAL_KINDS = frozenset({LEGACY_PROPOSAL, GOV_V1_PROPOSAL})
GIT_TIMEOUT_SECONDS = 120


class ChangedError(Exception):
    """Raised when the changed proposals cannot be told for sure: git failed, the base is
    missing, or a touched file under the proposal paths is not a proposal."""


def run_git(*arguments: str, cwd: Path) -> bytes:
    """The standard output of one git command; any failure is a `ChangedError` with git's words."""
    try:
        done = subprocess.run(
            ["git", *arguments],
            cwd=cwd,
            capture_output=True,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except FileNotFoundError:
        raise ChangedError("git is not installed (or not on PATH)") from None
    except subprocess.TimeoutExpired:
        raise ChangedError(f"git {arguments[0]} took longer than {GIT_TIMEOUT_SECONDS} s") from None
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        said = lines[-1] if lines else f"exit code {done.returncode}"
        raise ChangedError(f"git {arguments[0]} failed: {said}")
    return done.stdout


def resolve_base(base: str, *, cwd: Path) -> str:
    """The commit `base` names here; missing in a shallow clone is an error, not an empty diff."""
    if not base.strip():
        raise ChangedError("no base to compare with: give --base REF (the pull request's base)")
    try:
        found = run_git(
            "rev-parse", "--verify", "--quiet", "--end-of-options", f"{base}^{{commit}}", cwd=cwd
        )
    except ChangedError:
        raise ChangedError(
            f"base {base!r} is not a commit in this clone (a shallow clone? "
            f"fetch it first: git fetch --no-tags --depth=1 origin {base})"
        ) from None
    return found.decode("ascii").strip()


def get_proposal_kind(path: Path, shown: str) -> str:
    """The kind of proposal in `path`; anything else under the proposal paths is a `ChangedError`."""
    if path.is_symlink():
        raise ChangedError(
            f"{shown}: a symbolic link under the proposal paths, not a proposal file"
        )
    try:
        document = read_json_document(path)
    except InputError as error:
        raise ChangedError(str(error)) from None
    try:
        classified = classify_document(document)
        kind = classified[0] if classified else read_document(document, authority=None).kind
    except ParamsError as error:
        raise ChangedError(f"{shown}: not a governance proposal: {error}") from None
    if kind not in PROPOSAL_KINDS:
        raise ChangedError(
            f"{shown}: a {kind}, not a governance proposal; only proposals may sit under the "
            "proposal paths (--paths)"
        )
    return kind


def find_changed_proposals(
    base: str, patterns: Sequence[str] = DEFAULT_PATHS, *, cwd: Path | None = None
) -> list[str]:
    """The proposal files under `patterns` that differ between `base` and HEAD, as paths relative
    to `cwd`, sorted; every touched file there must be a proposal."""
    here = Path.cwd() if cwd is None else cwd
    top = Path(run_git("rev-parse", "--show-toplevel", cwd=here).decode().rstrip("\n"))
    base_commit = resolve_base(base, cwd=top)
    try:
        head = (
            run_git("rev-parse", "--verify", "--quiet", "HEAD^{commit}", cwd=top).decode().strip()
        )
    except ChangedError:
        raise ChangedError("no commit is checked out (HEAD) to compare with the base") from None
    pathspecs = [f":(glob){pattern}" for pattern in patterns]
    listed = run_git(
        "diff", "--name-only", "-z", "--no-renames", "--diff-filter=d", "--no-ext-diff",
        base_commit, head, "--", *pathspecs, cwd=top,
    )  # fmt: skip
    names = sorted(name for name in listed.decode("utf-8", "surrogateescape").split("\0") if name)
    changed = []
    for name in names:
        shown = os.path.relpath(top / name, here)
        if shown.startswith("-"):
            shown = f".{os.sep}{shown}"  # never read as an option of the command it is given to
        get_proposal_kind(top / name, shown)
        changed.append(shown)
    return changed


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m reports.changed",
        description=(
            "List the governance proposals changed since a base commit, for a gate to check. "
            "Exit 0 with the list (possibly empty), 2 on any error: a git failure or a missing "
            "base never reads as 'no proposal changed'. See docs/guide.md."
        ),
    )
    parser.add_argument("--base", required=True, help="the commit or ref to compare HEAD with")
    parser.add_argument(
        "--paths",
        nargs="+",
        default=list(DEFAULT_PATHS),
        metavar="GLOB",
        help="where proposals live, git globs from the repository root (default: %(default)s)",
    )
    parser.add_argument(
        "-z", action="store_true", help="separate the files with NUL instead of newlines"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    try:
        changed = find_changed_proposals(arguments.base, arguments.paths)
    except ChangedError as error:
        print(f"stratoverify changed: {error}", file=sys.stderr)
        return 2
    separator = "\0" if arguments.z else "\n"
    if not arguments.z and any("\n" in path for path in changed):
        print("stratoverify changed: a file name holds a newline; use -z", file=sys.stderr)
        return 2
    sys.stdout.write("".join(f"{path}{separator}" for path in changed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
