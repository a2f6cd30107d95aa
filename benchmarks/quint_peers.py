"""Benchmark: the model against Quint's simulator on the same two walks, the same invariant checked.

Run: .venv/bin/python -m benchmarks.quint_peers [--samples N] [--steps K] [--repeat R] [--seed S]
        [--walks slash commit-reveal]
Quint 0.33.1 (npm, pinned in benchmarks/peers/quint/, installed there on the first run) walks
`slash.qnt` and `commit_reveal.qnt`; the model walks the same steps through its own rules
(`benchmarks/peer_walks.py`), each sample from a freshly built initial state, drawing with a local `random.Random(seed)` and checking the specs' `inv` on
the raw state after every step. Quint and the model run alternately R times; one JSON line per
walk gives the best traces per second of each, their ratio and the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from attrs import frozen

from benchmarks.peer_walks import WalkResult, walk_commit_reveal, walk_slash

PEERS = Path(__file__).resolve().parent / "peers" / "quint"
QUINT_VERSION = "0.33.1"
TARGET_RATIO = 3.0
"""The suite's target: the model walks at least 3 times as many traces per second as Quint."""
QUINT_TIMEOUT_SECONDS = 1_800.0

# --- Quint ----------------------------------------------------------------------------------------


@frozen
class Walk:
    """One peer walk: its Quint spec and the model's walk."""

    name: str
    spec: str
    run_model: Callable[[int, int, int], WalkResult]


WALKS: dict[str, Walk] = {
    "slash": Walk("slash", "slash.qnt", walk_slash),
    "commit-reveal": Walk("commit-reveal", "commit_reveal.qnt", walk_commit_reveal),
}


class QuintUnavailableError(Exception):
    """Node.js or npm is missing, or Quint could not be installed or run."""


@frozen
class QuintRun:
    """One `quint run`: its own simulation time and rate, and the wall time with start-up."""

    traces_per_second: float
    simulation_seconds: float
    wall_seconds: float
    trace_length_max: int | None


def ensure_quint() -> None:
    """Install the pinned Quint into benchmarks/peers/quint unless it is there already."""
    for tool in ("node", "npm", "npx"):
        if shutil.which(tool) is None:
            raise QuintUnavailableError(
                f"{tool} is missing: install Node.js and npm (`make quint`, or "
                "`sudo apt-get install nodejs npm`), see benchmarks/peers/quint/README.md"
            )
    installed = PEERS / "node_modules" / "@informalsystems" / "quint" / "package.json"
    if installed.exists() and json.loads(installed.read_text())["version"] == QUINT_VERSION:
        return
    print(f"installing Quint {QUINT_VERSION} into {PEERS} (npm ci)", file=sys.stderr, flush=True)
    done = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=PEERS,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise QuintUnavailableError(f"npm ci failed in {PEERS}: {done.stderr.strip()[-500:]}")


_RATE = re.compile(r"No violation found \((\d+)ms at (\d+) traces/second\)")
_LENGTHS = re.compile(r"Trace length statistics: max=(\d+)")


def run_quint(spec: str, *, samples: int, steps: int, seed: int) -> QuintRun:
    """`quint run` of `spec` with the TypeScript backend, checking `inv` at every state."""
    command = ["npx", "--no", "quint", "run", "--backend=typescript", f"--seed={seed}"]
    command += [f"--max-samples={samples}", f"--max-steps={steps}", "--invariant=inv"]
    command += ["--verbosity=2", spec]
    env = {**os.environ, "QUINT_HOME": str(PEERS / ".quint")}
    started = time.perf_counter()
    done = subprocess.run(
        command,
        cwd=PEERS,
        env=env,
        capture_output=True,
        text=True,
        timeout=QUINT_TIMEOUT_SECONDS,
        check=False,
    )
    wall = time.perf_counter() - started
    rate = _RATE.search(done.stdout)
    if done.returncode != 0 or rate is None:
        tail = (done.stdout + done.stderr).strip()[-800:]
        raise QuintUnavailableError(f"quint run {spec} exited {done.returncode}: {tail}")
    lengths = _LENGTHS.search(done.stdout)
    return QuintRun(
        traces_per_second=float(rate.group(2)),
        simulation_seconds=int(rate.group(1)) / 1000,
        wall_seconds=wall,
        trace_length_max=int(lengths.group(1)) if lengths else None,
    )


def time_model(walk: Walk, *, samples: int, steps: int, seed: int) -> tuple[float, WalkResult]:
    """Wall seconds of one model walk (imports excluded, as Quint's figure excludes its start)."""
    started = time.perf_counter()
    result = walk.run_model(samples, steps, seed)
    return time.perf_counter() - started, result


def measure(walk: Walk, *, samples: int, steps: int, seed: int, repeat: int) -> dict[str, Any]:
    """Quint then the model, `repeat` times in turn; the best of each and their ratio."""
    load_before = os.getloadavg()[0]
    quint_runs: list[QuintRun] = []
    model_seconds: list[float] = []
    for _ in range(repeat):
        quint_runs.append(run_quint(walk.spec, samples=samples, steps=steps, seed=seed))
        seconds, result = time_model(walk, samples=samples, steps=steps, seed=seed)
        if result.violation is not None:
            raise AssertionError(f"the model's {walk.name} walk broke its invariant: {result}")
        model_seconds.append(seconds)
    load_after = os.getloadavg()[0]
    quint_best = max(run.traces_per_second for run in quint_runs)
    model_best = samples / min(model_seconds)
    ratio = model_best / quint_best
    return {
        "benchmark": "quint-peer",
        "walk": walk.name,
        "spec": f"benchmarks/peers/quint/{walk.spec}",
        "quint_version": QUINT_VERSION,
        "samples": samples,
        "steps": steps,
        "seed": seed,
        "repeat": repeat,
        "quint_traces_per_second": round(quint_best, 1),
        "quint_runs_traces_per_second": [run.traces_per_second for run in quint_runs],
        "quint_wall_traces_per_second": round(
            samples / min(run.wall_seconds for run in quint_runs), 1
        ),
        "quint_trace_length_max": quint_runs[0].trace_length_max,
        "model_traces_per_second": round(model_best, 1),
        "model_runs_traces_per_second": [round(samples / s, 1) for s in model_seconds],
        "ratio": round(ratio, 2),
        "target_ratio": TARGET_RATIO,
        "met": ratio >= TARGET_RATIO,
        "load_1min_before": round(load_before, 2),
        "load_1min_after": round(load_after, 2),
    }


def main() -> None:
    """Install Quint if needed, then measure each walk and print one JSON line per walk."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=10_000, help="traces per run")
    parser.add_argument("--steps", type=int, default=20, help="steps per trace")
    parser.add_argument("--repeat", type=int, default=3, help="alternate runs; the best is kept")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--walks", nargs="+", choices=sorted(WALKS), default=list(WALKS))
    args = parser.parse_args()
    if min(args.samples, args.steps, args.repeat) < 1:
        parser.error("samples, steps and repeat must be at least 1")
    try:
        ensure_quint()
    except QuintUnavailableError as missing:
        print(f"quint_peers: {missing}", file=sys.stderr)
        sys.exit(2)
    for name in args.walks:
        line = measure(
            WALKS[name], samples=args.samples, steps=args.steps, seed=args.seed, repeat=args.repeat
        )
        print(json.dumps(line, sort_keys=True), flush=True)


if __name__ == "__main__":
    main()
