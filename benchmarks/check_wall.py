"""Benchmark: the wall time of a whole `stratoverify check` per effort, one JSON line each.

Run: .venv/bin/python benchmarks/check_wall.py [--efforts quick default] [--thorough] [--repeat N]
Each check is a child process, `python -m reports.cli check --effort E --quiet --json`, timed on
the wall clock from spawn to exit (imports, every engine, the report); the line also carries the
report's own `timings` per engine. `--thorough` adds the thorough effort (about 13 minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
TARGETS_SECONDS = {"quick": 15.0, "default": 60.0}
"""The wall-time targets of `check` on the 2-core reference machine: quick for a designer's loop,
default for the gate."""
ENGINE_TIMINGS = ("hypothesis", "z3", "executor", "total")


def run_check(effort: str, seed: int, timeout: float) -> tuple[float, int, dict[str, Any] | None]:
    """Wall seconds, exit code and the parsed report of one check (None if stdout is not JSON)."""
    command = [sys.executable, "-m", "reports.cli", "check"]
    command += ["--effort", effort, "--seed", str(seed), "--quiet", "--json", "--no-database"]
    started = time.perf_counter()
    try:
        done = subprocess.run(
            command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return time.perf_counter() - started, -1, None
    elapsed = time.perf_counter() - started
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        return elapsed, done.returncode, None
    return elapsed, done.returncode, report if isinstance(report, dict) else None


def summarise_timings(timings: dict[str, Any]) -> dict[str, Any]:
    """The report's seconds per engine, and the slowest proof (not all of them, to stay short)."""
    summary: dict[str, Any] = {key: timings[key] for key in ENGINE_TIMINGS if key in timings}
    proofs = timings.get("z3_milliseconds") or {}
    if proofs:
        slowest = max(proofs, key=lambda invariant_id: proofs[invariant_id])
        summary["z3_slowest"] = {"id": slowest, "milliseconds": proofs[slowest]}
    return summary


def main() -> None:
    """Run the check at each effort, print a line of figures each; exit 1 if one failed to run."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--efforts", nargs="+", default=["quick", "default"])
    parser.add_argument("--thorough", action="store_true", help="add the thorough effort")
    parser.add_argument("--repeat", type=int, default=1, help="checks per effort; best is kept")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per check")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("repeat must be at least 1")
    efforts = [*args.efforts, *(["thorough"] if args.thorough else [])]
    failed = False
    for effort in dict.fromkeys(efforts):
        load = os.getloadavg()[0]
        runs = [run_check(effort, args.seed, args.timeout) for _ in range(args.repeat)]
        seconds, code, report = min(runs, key=lambda run: run[0])
        # Exit 0, 1 and 3 are verdicts; 2 (usage), a crash or a timeout means no measurement.
        ok = code in (0, 1, 3) and report is not None
        failed = failed or not ok
        target = TARGETS_SECONDS.get(effort)
        print(
            json.dumps(
                {
                    "benchmark": "check-wall",
                    "effort": effort,
                    "seed": args.seed,
                    "repeat": args.repeat,
                    "seconds": round(seconds, 2),
                    "all_seconds": [round(run[0], 2) for run in runs],
                    "exit_code": code,
                    "verdict": report.get("verdict") if report else None,
                    # Equal hashes: a speed-up left every verdict and its evidence as it was.
                    "content_sha256": report.get("content_sha256") if report else None,
                    "timings": summarise_timings(report.get("timings", {})) if report else None,
                    "target_seconds": target,
                    "target_met": None if target is None else ok and seconds <= target,
                    "load_1min": round(load, 2),
                    "ok": ok,
                },
                sort_keys=True,
            )
        )
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
