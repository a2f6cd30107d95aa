"""Several inputs in one `check`: how each is named in the reports (its label, its report folder),
where SARIF paths are relative to, and one exit code for all of them (docs/guide.md).
"""

from __future__ import annotations

import contextlib
import re
import subprocess
from collections.abc import Sequence
from pathlib import Path

from reports.arguments import EXIT_FAIL, EXIT_INCONCLUSIVE, EXIT_PASS
from reports.inputs import LoadedParams


def get_label(path: str | None) -> str:
    """An input as the reports name it: the path as given, relative and with `/`."""
    if path is None:
        return "whitepaper defaults"
    given = Path(path)
    with contextlib.suppress(ValueError):  # outside the current folder: the path as given
        given = given.resolve().relative_to(Path.cwd().resolve())
    return given.as_posix()


def get_slug(label: str, taken: set[str]) -> str:
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


def describe_kind(loaded: LoadedParams) -> str:
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
