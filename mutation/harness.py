"""Run the whole check on a mutated copy of the repository and say whether the suite noticed.

The copy holds the packages, the fixtures and pyproject.toml of a source tree (this repository,
or another checkout of it); `python -m reports.cli` runs with the copy as its working directory,
so the copy's packages come first on `sys.path` and shadow the installed (editable) ones. A probe
run the same way proves that before every check, since a check of the unmutated tree would
otherwise pass for every mutant.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from enum import Enum
from pathlib import Path
from typing import Any

from attrs import field, frozen

from mutation.catalogue import Mutant

REPO_ROOT = Path(__file__).resolve().parent.parent
COPIED_DIRECTORIES = ("model", "oracle", "properties", "solver", "executor", "reports", "fixtures")
COPIED_FILES = ("pyproject.toml",)
SHADOWED_PACKAGES = ("model", "oracle", "properties", "solver", "executor", "reports")
ENGINES = ("hypothesis", "z3", "executor")
DEFAULT_TIMEOUT_SECONDS = 600.0
"""Far above a quick check (about 15 s), so only a hang or a runaway shrink reaches it."""
PROBE_MODULE = "_mutation_probe"
PROBE_TEMPLATE = """\
import importlib
import importlib.util
import json

files = {{}}
for name in {packages!r}:
    try:
        files[name] = importlib.import_module(name).__file__
    except Exception:  # a mutant may break the import; where it would come from still counts
        files[name] = importlib.util.find_spec(name).origin
print(json.dumps(files))
"""
"""Run as `python -m` in the copy, like the check: each package's file as the child imports it."""
FAILING_VERDICTS = {"hypothesis": "fail", "z3": "refuted", "executor": "fail"}
"""The engine verdict that means "this engine found the invariant broken"."""
# Variables that would change what the child imports or prints: PYTHONPATH and PYTHONSAFEPATH
# move or drop the working directory on sys.path; under GitHub Actions the CLI also writes
# annotations, which must not reach the report on stdout.
SCRUBBED_ENVIRONMENT = (
    "PYTHONPATH",
    "PYTHONSAFEPATH",
    "PYTHONHOME",
    "GITHUB_ACTIONS",
    "GITHUB_STEP_SUMMARY",
)


class MutationError(Exception):
    """Root of the harness's own errors (never raised for what a mutant does to the suite)."""


class SnippetError(MutationError):
    """Raised when a mutant's `original` does not occur exactly once in its file."""


class IsolationError(MutationError):
    """Raised when the copy's packages do not shadow the installed ones in the child process."""


class Outcome(Enum):
    """What running the check on a mutated copy gave."""

    KILLED = "killed"
    """Exit 1 with a report: at least one invariant failed."""
    SURVIVED = "survived"
    """Exit 0 with a report: every invariant held."""
    INCONCLUSIVE = "inconclusive"
    """Exit 3 with a report: an engine broke, a proof was unknown or a property vacuous."""
    TIMEOUT = "timeout"
    """The check did not finish within the wall-clock limit."""
    ERROR = "error"
    """No report at all: the check crashed (an import that fails, say) or exited otherwise."""


@frozen
class MutatedFile:
    """A mutant given as the whole mutated text of one file, as a mechanical tool writes it."""

    id: str
    file: str
    """The mutated file, relative to the root of the tree."""
    source: str = field(repr=False)


@frozen
class Failure:
    """One invariant the mutant broke and the engines that found it broken."""

    invariant_id: str
    engines: tuple[str, ...]


@frozen
class MutantResult:
    """The suite's verdict on one mutant (or on the unmutated tree, id `unmutated`)."""

    mutant_id: str
    outcome: Outcome
    killed_by: tuple[str, ...]
    """IDs of the failing invariants, in report order."""
    engines: tuple[str, ...]
    """Engines that found at least one invariant broken."""
    seconds: float
    detail: str
    failures: tuple[Failure, ...] = ()
    exit_code: int | None = None


@frozen
class CheckRun:
    """How the child `check` process ended."""

    exit_code: int | None
    """None when it was killed at the timeout."""
    stdout: str
    stderr: str
    seconds: float


def copy_tree(source: Path, target: Path) -> None:
    """Copy the packages, fixtures and pyproject.toml of `source` into `target`.

    A package that `source` does not have (an older checkout, before `oracle/`) is left out; the
    isolation probe then leaves it out too, since nothing in that tree imports it.
    """
    if not (source / "model").is_dir():
        raise MutationError(f"{source} has no model/ package: not a tree to mutate")
    # Stale bytecode could outlive a mutation made in the same second; never copy it.
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in COPIED_DIRECTORIES:
        if (source / name).is_dir():
            shutil.copytree(source / name, target / name, ignore=ignore)
    for name in COPIED_FILES:
        shutil.copy2(source / name, target / name)


def apply_mutant(mutant: Mutant, root: Path) -> None:
    """Replace the mutant's `original` by its `replacement` in the copy at `root`."""
    path = root / mutant.file
    source = path.read_text(encoding="utf-8")
    count = source.count(mutant.original)
    if count != 1:
        raise SnippetError(
            f"{mutant.id}: the original snippet occurs {count} times in {mutant.file}, "
            "expected exactly once; update the catalogue to the current source"
        )
    path.write_text(source.replace(mutant.original, mutant.replacement), encoding="utf-8")


def apply_mutated_file(mutant: MutatedFile, root: Path) -> None:
    """Overwrite the mutant's file in the copy at `root` with its mutated text."""
    path = root / mutant.file
    if not path.is_file():
        raise SnippetError(f"{mutant.id}: {mutant.file} does not exist in the tree")
    path.write_text(mutant.source, encoding="utf-8")


def get_child_environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of the child check: `base` (default: ours) without import overrides."""
    environment = dict(os.environ if base is None else base)
    for name in SCRUBBED_ENVIRONMENT:
        environment.pop(name, None)
    environment["PYTHONDONTWRITEBYTECODE"] = "1"
    # Each mutant is judged on its own: no example database shared with another mutant's check.
    environment["STRATOVERIFY_DATABASE"] = "off"
    return environment


def run_in_copy(
    root: Path, arguments: Sequence[str], *, timeout_seconds: float, python: str
) -> CheckRun:
    """Run `python ARGUMENTS` in `root`; at the timeout, kill its whole process group."""
    started = time.monotonic()
    process = subprocess.Popen(
        [python, *arguments],
        cwd=root,
        env=get_child_environment(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout_seconds)
    except subprocess.TimeoutExpired:
        # The check's own children share its session; killing the group leaves none behind.
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        return CheckRun(None, stdout, stderr, time.monotonic() - started)
    except BaseException:
        # Interrupted (Ctrl-C): the check runs in a session of its own, so stop it here.
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise
    return CheckRun(process.returncode, stdout, stderr, time.monotonic() - started)


def verify_isolation(root: Path, *, python: str = sys.executable) -> dict[str, str]:
    """Prove that `python -m` in `root` imports every package from the copy; return their files."""
    packages = tuple(name for name in SHADOWED_PACKAGES if (root / name).is_dir()) or (
        SHADOWED_PACKAGES
    )
    probe = PROBE_TEMPLATE.format(packages=packages)
    (root / f"{PROBE_MODULE}.py").write_text(probe, encoding="utf-8")
    try:
        run = run_in_copy(root, ["-m", PROBE_MODULE], timeout_seconds=120.0, python=python)
    finally:
        (root / f"{PROBE_MODULE}.py").unlink()
    if run.exit_code != 0:
        raise IsolationError(f"the import probe failed in {root}: {_tail(run.stderr)}")
    files: dict[str, str] = json.loads(run.stdout)
    resolved = root.resolve()
    outside = {
        name: file
        for name, file in files.items()
        if not Path(file).resolve().is_relative_to(resolved)
    }
    if outside:
        raise IsolationError(
            f"the child imports {sorted(outside)} from {sorted(outside.values())}, "
            f"not from the copy {resolved}: a check there would not test the mutant"
        )
    return files


def get_check_arguments(
    *, effort: str, seed: int, engines: Sequence[str], only: Sequence[str] = ()
) -> list[str]:
    """The command line of the check run on a copy (after the Python executable)."""
    arguments = ["-m", "reports.cli", "check", "--effort", effort, "--seed", str(seed)]
    arguments += ["--engines", ",".join(engines), "--json", "--quiet"]
    if only:
        arguments += ["--only", *only]
    return arguments


def get_failures(report: Mapping[str, Any]) -> tuple[Failure, ...]:
    """Every failing invariant of a report, with the engines whose verdict broke it."""
    failures = []
    for invariant in report.get("invariants", ()):
        if invariant.get("verdict") != "fail":
            continue
        engines = tuple(
            engine
            for engine, evidence in invariant.get("engines", {}).items()
            if evidence.get("verdict") == FAILING_VERDICTS.get(engine)
        )
        failures.append(Failure(invariant["id"], engines))
    return tuple(failures)


def _first_counterexample(report: Mapping[str, Any]) -> str:
    for invariant in report.get("invariants", ()):
        for counterexample in invariant.get("counterexamples") or ():
            detail = " ".join(str(counterexample.get("detail", "")).split())
            return f"{invariant['id']} ({counterexample.get('engine')}): {detail}"[:300]
    return ""


def _why_inconclusive(report: Mapping[str, Any]) -> str:
    reasons = [
        f"{engine} {summary.get('verdict')}: {summary.get('reason', '')}"
        for engine, summary in report.get("engines", {}).items()
        if summary.get("verdict") != "ran"
    ]
    open_ids = [
        invariant["id"]
        for invariant in report.get("invariants", ())
        if invariant.get("verdict") == "inconclusive"
    ]
    return "; ".join([*reasons, f"inconclusive: {', '.join(open_ids)}"])[:500]


def _tail(text: str, lines: int = 3) -> str:
    return " | ".join(line.strip() for line in text.strip().splitlines()[-lines:])[:500]


def classify(run: CheckRun, mutant_id: str) -> MutantResult:
    """The outcome of one check run, read from its exit code and its JSON report."""
    seconds = round(run.seconds, 2)
    if run.exit_code is None:
        return MutantResult(mutant_id, Outcome.TIMEOUT, (), (), seconds, "killed at the timeout")
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        report = None
    # Exit 1 without a report is a traceback, not a failed invariant: never count it a kill.
    if not isinstance(report, dict) or report.get("exit_code") != run.exit_code:
        detail = f"exit {run.exit_code} without a report: {_tail(run.stderr)}"
        return MutantResult(mutant_id, Outcome.ERROR, (), (), seconds, detail, (), run.exit_code)
    failures = get_failures(report)
    if run.exit_code == 1 and failures:
        engines = tuple(e for e in ENGINES if any(e in f.engines for f in failures))
        return MutantResult(
            mutant_id,
            Outcome.KILLED,
            tuple(f.invariant_id for f in failures),
            engines,
            seconds,
            _first_counterexample(report),
            failures,
            run.exit_code,
        )
    if run.exit_code == 0 and report.get("verdict") == "pass":
        return MutantResult(mutant_id, Outcome.SURVIVED, (), (), seconds, "", (), 0)
    if run.exit_code == 3:
        detail = _why_inconclusive(report)
        return MutantResult(mutant_id, Outcome.INCONCLUSIVE, (), (), seconds, detail, (), 3)
    detail = f"exit {run.exit_code}, verdict {report.get('verdict')}: {_tail(run.stderr)}"
    return MutantResult(mutant_id, Outcome.ERROR, (), (), seconds, detail, (), run.exit_code)


def run_mutant(
    mutant: Mutant | MutatedFile | None,
    *,
    effort: str = "quick",
    seed: int = 0,
    engines: Sequence[str] = ENGINES,
    only: Sequence[str] = (),
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    source: Path = REPO_ROOT,
    python: str = sys.executable,
) -> MutantResult:
    """Check a copy of `source` with `mutant` applied (None: unmutated) and classify the result."""
    mutant_id = "unmutated" if mutant is None else mutant.id
    # A mechanical mutant's id holds its file path; only its safe characters name the folder.
    prefix = re.sub(r"[^A-Za-z0-9_.-]+", "_", mutant_id)
    with tempfile.TemporaryDirectory(prefix=f"stratoverify-{prefix}-") as folder:
        root = Path(folder)
        copy_tree(source, root)
        if isinstance(mutant, MutatedFile):
            apply_mutated_file(mutant, root)
        elif mutant is not None:
            apply_mutant(mutant, root)
        verify_isolation(root, python=python)
        arguments = get_check_arguments(effort=effort, seed=seed, engines=engines, only=only)
        run = run_in_copy(root, arguments, timeout_seconds=timeout_seconds, python=python)
    return classify(run, mutant_id)
