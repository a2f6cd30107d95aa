"""Benchmark: the wall time of the test suite, the fast tier and every test, one JSON line each.

Run: .venv/bin/python benchmarks/suite_wall.py [--tiers fast all] [--timeout SECONDS]
Each tier is `pytest` from the checkout with pyproject.toml's options (every core through
pytest-xdist, a test file per worker), a child process timed on the wall clock from spawn to exit:
`fast` is `make test-fast` (`-m "not slow"`: every test but those that run an engine end to end),
`all` is every test, as `make test` and CI run them. Each line gives the seconds, the tests
counted by outcome from the JUnit XML pytest writes, the exit code and the load average. The
targets, on the 2-core reference machine, with every test passing and none skipped: the fast tier
within 4 minutes, and every test within CI's 15 minutes (set-up included there, so this is its
larger part).
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
TIERS: dict[str, tuple[tuple[str, ...], float]] = {
    "fast": (("-m", "not slow"), 240.0),
    "all": ((), 900.0),
}
"""Each tier's pytest arguments and its target seconds on the 2-core reference machine."""


def count_outcomes(junit: Path) -> dict[str, int]:
    """Tests, failures, errors and skips summed over the JUnit file's test suites."""
    root = ElementTree.parse(junit).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in suites:
        for key in counts:
            counts[key] += int(suite.get(key, "0"))
    return counts


def run_tier(tier: str, timeout: float) -> dict[str, object]:
    """Run one tier of the suite and return its line."""
    arguments, target = TIERS[tier]
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="suite-") as folder:
        junit = Path(folder) / "junit.xml"
        command = [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            *arguments,
            f"--junitxml={junit}",
        ]
        started = time.perf_counter()
        try:
            done = subprocess.run(
                command,
                cwd=REPO_ROOT,
                # As `make test` runs it: bytecode, and pytest's rewritten tests, cached.
                env={**os.environ, "PYTHONDONTWRITEBYTECODE": ""},
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
            code = done.returncode
        except subprocess.TimeoutExpired:
            code = -1
        seconds = time.perf_counter() - started
        counts = count_outcomes(junit) if junit.exists() else None
    clean = code == 0 and counts is not None and counts["skipped"] == 0
    return {
        "benchmark": "test-suite",
        "tier": tier,
        "pytest_arguments": list(arguments),
        "seconds": round(seconds, 1),
        "exit_code": code,
        "outcomes": counts,
        "target_seconds": target,
        "target_met": clean and seconds <= target,
        "load_1min": round(load, 2),
    }


def main() -> None:
    """Run each tier once and print its line; exit 1 if pytest could not run or report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tiers", nargs="+", choices=list(TIERS), default=list(TIERS))
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds for each tier")
    args = parser.parse_args()
    failed = False
    for tier in args.tiers:
        line = run_tier(tier, args.timeout)
        print(json.dumps(line, sort_keys=True), flush=True)
        failed = failed or line["outcomes"] is None
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
