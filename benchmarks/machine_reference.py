"""Benchmark: how fast this machine runs a fixed pure-Python workload, one JSON line.

Run: .venv/bin/python -m benchmarks.machine_reference [--repeat 5] [--when start]
The workload touches none of the suite's code: integer arithmetic, a dict of a thousand keys,
tuples built and dropped, in one interpreter, for about a quarter of a second here. Its time moves
with the machine (the host's load, its clock) and with the interpreter that runs it: this
machine's optimised Debian build takes about three quarters of the time a default build from
source takes, so the line names the interpreter, and only figures from one interpreter compare.
`make bench` runs it first and last, so each run's figures can be read beside the machine's speed
at the time: a figure measured when the reference took 20% longer is not a 20% slower suite. Best
of N, in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time

ROUNDS = 1_500_000
"""Loop iterations of one workload run."""


def run_workload(rounds: int = ROUNDS) -> int:
    """The fixed workload; returns a checksum so no part of it can be skipped."""
    table: dict[int, int] = {}
    total = 0
    pairs = []
    for i in range(rounds):
        key = i % 1021
        table[key] = table.get(key, 0) + i
        total += (i * 7) ^ (i >> 3)
        if i & 1023 == 0:
            pairs = [(key, total & 255)]
    return total + sum(table.values()) + len(pairs)


def measure(repeat: int, when: str) -> dict[str, object]:
    """The best of `repeat` timed workload runs."""
    load = os.getloadavg()[0]
    timings = []
    checksum = 0
    for _ in range(repeat):
        started = time.perf_counter()
        checksum = run_workload()
        timings.append(time.perf_counter() - started)
    return {
        "benchmark": "machine-reference",
        "when": when,
        "rounds": ROUNDS,
        "checksum": checksum,
        "repeat": repeat,
        "best_ms": round(min(timings) * 1000, 1),
        "first_ms": round(timings[0] * 1000, 1),
        "load_1min": round(load, 2),
        "python": platform.python_version(),
        "interpreter": os.path.realpath(sys.executable),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.machine_reference")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--when", default="alone", help="a label: start or end of a run")
    args = parser.parse_args()
    print(json.dumps(measure(args.repeat, args.when), sort_keys=True), flush=True)


if __name__ == "__main__":
    main()
