"""Benchmark: the wall time of the whole test suite as CI runs it, one JSON line.

Run: .venv/bin/python benchmarks/suite_wall.py [--timeout SECONDS]
The suite is `pytest` from the checkout (pyproject.toml's options: every core through
pytest-xdist, a test file per worker), a child process timed on the wall clock from spawn to exit.
The line gives the seconds, the tests counted by outcome from the JUnit XML pytest writes, the
exit code and the load average; the target is 4 minutes on the 2-core reference machine, with
every test passing and none skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.etree import ElementTree

REPO_ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 240.0
"""The whole suite within 4 minutes on the 2-core reference machine, nothing skipped."""


def count_outcomes(junit: Path) -> dict[str, int]:
    """Tests, failures, errors and skips summed over the JUnit file's test suites."""
    root = ElementTree.parse(junit).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in suites:
        for key in counts:
            counts[key] += int(suite.get(key, "0"))
    return counts


def main() -> None:
    """Run the suite once and print its line; exit 1 if pytest could not run or report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds for the suite")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="suite-") as folder:
        junit = Path(folder) / "junit.xml"
        command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", f"--junitxml={junit}"]
        started = time.perf_counter()
        try:
            done = subprocess.run(
                command,
                cwd=REPO_ROOT,
                capture_output=True,
                text=True,
                timeout=args.timeout,
                check=False,
            )
            code = done.returncode
        except subprocess.TimeoutExpired:
            code = -1
        seconds = time.perf_counter() - started
        counts = count_outcomes(junit) if junit.exists() else None
    clean = code == 0 and counts is not None and counts["skipped"] == 0
    print(
        json.dumps(
            {
                "benchmark": "test-suite",
                "seconds": round(seconds, 1),
                "exit_code": code,
                "outcomes": counts,
                "target_seconds": TARGET_SECONDS,
                "target_met": clean and seconds <= TARGET_SECONDS,
                "load_1min": round(load, 2),
            },
            sort_keys=True,
        ),
        flush=True,
    )
    if counts is None:
        sys.exit(1)


if __name__ == "__main__":
    main()
