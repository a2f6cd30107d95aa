"""`stratoverify` in a child process, as a user runs it: the real exit code, stdout and stderr, with
no state of the test process leaking into the engines, and no GitHub Actions variable of the
machine running the tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

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


def stratoverify(
    *args: str | Path,
    cwd: Path = ROOT,
    env: Mapping[str, str] | None = None,
    timeout: float = 900,
) -> subprocess.CompletedProcess[str]:
    """`stratoverify ARGS` run from `cwd` (the checkout by default), with `env` added."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    # The checkout's packages, from any folder the command runs in.
    environment["PYTHONPATH"] = os.pathsep.join([str(ROOT), environment.get("PYTHONPATH", "")])
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "reports.cli", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=environment,
        check=False,
    )
