"""`stratoverify ARGS` as a user runs it: the exit code, stdout and stderr, and no GitHub Actions
variable of the machine running the tests.

`stratoverify` calls the command line's `main(argv)` in this process: the same parser, the same
exit codes, everything the command writes to stdout and stderr (its own and its child processes',
read at the file descriptors), the environment the command would inherit without `GITHUB_*`
(plus `env`), and `cwd` as the current folder while it runs. A child interpreter costs about a
second of imports per command and shows nothing more for the Z3 engine, `region`, `recheck` and
bad input. `stratoverify_process` runs the command in a child interpreter (`python -m
reports.cli`) where the process is what a test is about (the determinism of two separate runs)
and for checks that run the Hypothesis or executor engines: those take 3-5 s more CPU time in the
test process than in a fresh interpreter (measured on a quick check of every engine).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from reports import cli

ROOT = Path(__file__).resolve().parents[2]
PROPOSALS = ROOT / "fixtures" / "proposals"
REPORT_FILES = ("report.json", "report.md", "report.html", "junit.xml", "report.sarif")
"""The files `check --out` writes for one input."""


def read_report(folder: Path) -> dict[str, Any]:
    """The report.json a `check --out` wrote in `folder`."""
    document: dict[str, Any] = json.loads((folder / "report.json").read_text("utf-8"))
    return document


def assert_no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert "Traceback" not in result.stdout


def _environment(env: Mapping[str, str] | None) -> dict[str, str]:
    """The command's environment: this process's without `GITHUB_*`, with `env` added."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    environment.update(env or {})
    return environment


@contextlib.contextmanager
def _descriptor(number: int) -> Iterator[io.BytesIO]:
    """What is written to file descriptor `number` (1 or 2) inside the block, by this process or
    a child it starts; the bytes are in the yielded buffer once the block ends."""
    captured = io.BytesIO()
    with tempfile.TemporaryFile() as sink:
        saved = os.dup(number)
        os.dup2(sink.fileno(), number)
        try:
            yield captured
        finally:
            os.dup2(saved, number)
            os.close(saved)
            sink.seek(0)
            captured.write(sink.read())


def stratoverify(
    *args: str | Path,
    cwd: Path = ROOT,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`stratoverify ARGS` run from `cwd` (the checkout by default), with `env` added, in this
    process: its exit code (an argparse exit, such as `--version`'s, included) and its output."""
    argv = [str(arg) for arg in args]
    out, err = io.StringIO(), io.StringIO()
    previous = Path.cwd()
    sys.stdout.flush()
    sys.stderr.flush()
    with _descriptor(1) as out_fd, _descriptor(2) as err_fd:
        os.chdir(cwd)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    code = cli.main(argv, env=_environment(env))
                except SystemExit as stop:  # argparse: --version, --print-completion, usage
                    code = (
                        stop.code if isinstance(stop.code, int) else 0 if stop.code is None else 1
                    )
                    if isinstance(stop.code, str):
                        err.write(f"{stop.code}\n")
        finally:
            os.chdir(previous)
    stdout = out.getvalue() + out_fd.getvalue().decode("utf-8", "replace")
    stderr = err.getvalue() + err_fd.getvalue().decode("utf-8", "replace")
    return subprocess.CompletedProcess(["stratoverify", *argv], code, stdout, stderr)


def stratoverify_process(
    *args: str | Path,
    cwd: Path = ROOT,
    env: Mapping[str, str] | None = None,
    timeout: float = 900,
) -> subprocess.CompletedProcess[str]:
    """`stratoverify ARGS` in a child interpreter (`python -m reports.cli`) run from `cwd`, with
    `env` added: the real process's exit status and output."""
    environment = _environment(env)
    # The checkout's packages, from any folder the command runs in.
    environment["PYTHONPATH"] = os.pathsep.join([str(ROOT), environment.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, "-m", "reports.cli", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=environment,
        check=False,
    )
