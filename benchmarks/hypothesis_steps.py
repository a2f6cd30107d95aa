"""Benchmark: the Hypothesis engine's speed, machine steps per second and explored round states
per second, one JSON line per measurement.

Run: .venv/bin/python benchmarks/hypothesis_steps.py [--effort quick] [--repeat N] [--nodes 2 3]
The machine runs through `run_properties` on the whitepaper defaults, hardened, without the
exploration (`explore=False`), and the figures come from the `PropertyReport` it returns; the
exploration runs alone through `explore_rounds`. Best of N wall-clock repeats, in seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import time

from model.params import WHITEPAPER_PARAMS
from model.profile import HARDENED
from properties.effort import EFFORTS, get_effort
from properties.explore import MAX_NODES, explore_rounds
from properties.runner import PropertyReport, run_properties


def measure_machine(effort_name: str, seed: int, repeat: int) -> dict[str, object]:
    """The best of `repeat` machine runs at `effort_name`: examples, steps, seconds, rates."""
    effort = get_effort(effort_name)
    load = os.getloadavg()[0]
    runs: list[tuple[float, PropertyReport]] = []
    for _ in range(repeat):
        started = time.perf_counter()
        report = run_properties(WHITEPAPER_PARAMS, HARDENED, effort, seed, explore=False)
        runs.append((time.perf_counter() - started, report))
    seconds, report = min(runs, key=lambda run: run[0])
    verdicts: dict[str, int] = {}
    for result in report.results:
        verdicts[result.verdict.value] = verdicts.get(result.verdict.value, 0) + 1
    return {
        "benchmark": "hypothesis-machine",
        "effort": effort.name,
        "profile": report.profile,
        "seed": seed,
        "repeat": repeat,
        "machine_runs": report.machine_runs,
        "examples": report.examples,
        "steps": report.steps,
        "seconds": round(seconds, 3),
        "first_seconds": round(runs[0][0], 3),
        "steps_per_second": round(report.steps / seconds),
        "examples_per_second": round(report.examples / seconds, 1),
        "verdicts": verdicts,
        "load_1min": round(load, 2),
    }


def measure_exploration(max_nodes: int, seed: int, repeat: int) -> dict[str, object]:
    """The best of `repeat` exhaustive explorations up to `max_nodes` nodes: states per second."""
    load = os.getloadavg()[0]
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        report = explore_rounds(
            params=WHITEPAPER_PARAMS, profile=HARDENED, max_nodes=max_nodes, seed=seed
        )
        timings.append(time.perf_counter() - started)
    seconds = min(timings)
    return {
        "benchmark": "hypothesis-exploration",
        "max_nodes": max_nodes,
        "profile": report.profile,
        "repeat": repeat,
        "assignments": report.assignments,
        "states": report.states,
        "edges": report.edges,
        "ends": report.ends,
        "violations": sum(row.violations for row in report.invariants),
        "seconds": round(seconds, 3),
        "first_seconds": round(timings[0], 3),
        "states_per_second": round(report.states / seconds),
        "load_1min": round(load, 2),
    }


def main() -> None:
    """Time the machine and the exploration and print one line of figures for each."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--effort", choices=sorted(EFFORTS), default="quick")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--nodes", type=int, nargs="+", default=[2, 3], help="exploration bounds")
    args = parser.parse_args()
    if args.repeat < 1 or not all(1 <= nodes <= MAX_NODES for nodes in args.nodes):
        parser.error(f"repeat must be at least 1 and node bounds between 1 and {MAX_NODES}")
    print(json.dumps(measure_machine(args.effort, args.seed, args.repeat), sort_keys=True))
    for nodes in args.nodes:
        print(json.dumps(measure_exploration(nodes, args.seed, args.repeat), sort_keys=True))


if __name__ == "__main__":
    main()
