"""A node simulating a hang stops on its own at a CPU limit, should nobody kill it: an executor
killed mid-run (its process, its worker) must not leave a node spinning for ever."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_an_orphaned_hang_ends_at_its_cpu_limit() -> None:
    script = (
        "import executor.worker as worker; worker.HANG_CPU_SECONDS = 1; worker.suffer('hang', None)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, timeout=60, check=False
    )
    # SIGXCPU at the soft limit (SIGKILL at the hard one, a second later, should it be caught).
    assert done.returncode in (-signal.SIGXCPU, -signal.SIGKILL)
