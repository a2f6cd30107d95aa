"""Benchmark: the wall time of a whole `stratoverify check`, one JSON line per run.

Run: .venv/bin/python benchmarks/check_wall.py [--runs quick default whitepaper-quick]
        [--thorough] [--repeat N] [--no-sequential]
Each check is a child process, `python -m reports.entry check --effort E [--profile P] --quiet
--json --no-database`, timed on the wall clock from spawn to exit (imports, every engine, the
report); the line also carries the report's own `timings` per engine and its `content_sha256`.

The runs: `quick` and `default` are the hardened check at those efforts (its engines, and the
round search from 3 nodes on, in processes of their own on both cores); `whitepaper-quick` is the
literal profile at quick, where most of the time goes to shrinking the invariants it breaks.
Unless `--no-sequential`, `quick` and `default` are also run with `--workers 0` (every part in
one process, one after another): its line says whether the report hash is the same as the
parallel run's. `--thorough` adds the thorough effort (about ten minutes).
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

from attrs import frozen

REPO_ROOT = Path(__file__).resolve().parent.parent
ENGINE_TIMINGS = ("hypothesis", "z3", "executor", "total")


@frozen
class CheckRun:
    """One measured configuration: its name, the check's profile and effort, its target."""

    name: str
    profile: str
    effort: str
    target_seconds: float | None


RUNS: dict[str, CheckRun] = {
    run.name: run
    for run in (
        CheckRun("quick", "hardened", "quick", 8.0),
        CheckRun("default", "hardened", "default", 30.0),
        CheckRun("whitepaper-quick", "whitepaper", "quick", 60.0),
        CheckRun("thorough", "hardened", "thorough", None),
    )
}
"""The wall-time targets of `check` on the 2-core reference machine: quick for a designer's loop,
default for the gate, the literal profile's quick check for a reader of the findings."""
SEQUENTIAL = ("quick", "default")
"""The runs also timed with every part in one process, to show the same report comes out."""


def run_check(
    run: CheckRun, seed: int, timeout: float, *, sequential: bool = False
) -> tuple[float, int, dict[str, Any] | None]:
    """Wall seconds, exit code and the parsed report of one check (None if stdout is not JSON)."""
    command = [sys.executable, "-m", "reports.entry", "check", "--profile", run.profile]
    command += ["--effort", run.effort, "--seed", str(seed), "--quiet", "--json", "--no-database"]
    if sequential:
        command += ["--workers", "0"]
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


def measure(
    run: CheckRun, *, seed: int, repeat: int, timeout: float, sequential: bool = False
) -> dict[str, Any]:
    """The best of `repeat` checks of `run` as one line of figures."""
    load = os.getloadavg()[0]
    runs = [run_check(run, seed, timeout, sequential=sequential) for _ in range(repeat)]
    seconds, code, report = min(runs, key=lambda measured: measured[0])
    # Exit 0, 1 and 3 are verdicts; 2 (usage), a crash or a timeout means no measurement.
    ok = code in (0, 1, 3) and report is not None
    target = None if sequential else run.target_seconds
    return {
        "benchmark": "check-wall",
        "run": run.name,
        "profile": run.profile,
        "effort": run.effort,
        "placement": "one process" if sequential else "both cores",
        "seed": seed,
        "repeat": repeat,
        "seconds": round(seconds, 2),
        "all_seconds": [round(measured[0], 2) for measured in runs],
        "exit_code": code,
        "verdict": report.get("verdict") if report else None,
        # Equal hashes: a speed-up left every verdict and its evidence as it was.
        "content_sha256": report.get("content_sha256") if report else None,
        "timings": summarise_timings(report.get("timings", {})) if report else None,
        "target_seconds": target,
        "target_met": None if target is None else ok and seconds <= target,
        "load_1min": round(load, 2),
        "ok": ok,
    }


def main() -> None:
    """Run each check, print a line of figures each; exit 1 if one failed to run."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", nargs="+", choices=sorted(RUNS), default=list(RUNS)[:3])
    parser.add_argument("--thorough", action="store_true", help="add the thorough effort")
    parser.add_argument("--repeat", type=int, default=1, help="checks per run; best is kept")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per check")
    parser.add_argument(
        "--no-sequential", action="store_true", help="skip the one-process runs of the hash"
    )
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("repeat must be at least 1")
    names = [*args.runs, *(["thorough"] if args.thorough else [])]
    failed = False
    for name in dict.fromkeys(names):
        figures = measure(RUNS[name], seed=args.seed, repeat=args.repeat, timeout=args.timeout)
        print(json.dumps(figures, sort_keys=True), flush=True)
        failed = failed or not figures["ok"]
        if name in SEQUENTIAL and not args.no_sequential:
            alone = measure(
                RUNS[name], seed=args.seed, repeat=1, timeout=args.timeout, sequential=True
            )
            alone["same_hash"] = alone["content_sha256"] == figures["content_sha256"]
            alone["speedup"] = round(alone["seconds"] / figures["seconds"], 2)
            print(json.dumps(alone, sort_keys=True), flush=True)
            failed = failed or not alone["ok"]
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
