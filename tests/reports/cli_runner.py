"""`stratoverify` in a child process, as a user runs it: the real exit code, stdout and stderr, with
no state of the test process leaking into the engines, and no GitHub Actions variable of the
machine running the tests."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


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
