"""Benchmark: Trusted Function rounds per second on the reference executor, all nodes honest.

Run: .venv/bin/python benchmarks/executor_rounds.py [--rounds N] [--per-call-rounds M] [--nodes 4 7 16]
Every round runs the `compute` fixture on `{"n": 1000}` with real node processes, either kept
alive across rounds (persistent) or spawned afresh for each round (per-call); one JSON line of
figures is printed per mode and node count; the script exits 1 if a round missed consensus or a
mode started other than the node processes it should (N once, or N for every round).
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from executor.engine import Executor, resolve_function
from executor.records import RoundLog
from executor.scenario import ExecRound
from model.params import WHITEPAPER_PARAMS
from model.profile import HARDENED
from model.trusted.behaviour import NodePlan, Scenario
from model.units import AppId, NodeId

INPUT = json.dumps({"n": 1000}).encode()
MODES = {"persistent": True, "per-call": False}


def make_round(nodes: int, round_id: int, correct_output: bytes) -> ExecRound:
    """An all-honest round of `nodes` nodes on the compute fixture, with its own id and seed."""
    scenario = Scenario(
        round_id=round_id,
        app=AppId("bench-app"),
        plans=tuple(NodePlan(node=NodeId(f"n{i}")) for i in range(nodes)),
        correct_output=correct_output,
        seed=f"bench-seed-{round_id}".encode(),
    )
    return ExecRound(scenario=scenario, function=resolve_function("compute"), input=INPUT)


def get_consensus_problems(log: RoundLog, nodes: int, correct_output: bytes) -> list[str]:
    """Why a round of honest nodes did not end in consensus on the correct output (none if it did)."""
    problems = []
    if log.decided_at is None:
        problems.append("the round never decided")
    if len(log.reveals) != nodes:
        problems.append(f"{len(log.reveals)} of {nodes} nodes revealed")
    if log.faulty:
        problems.append(f"faulty nodes: {log.faulty}")
    if len({revealed.output_hash for revealed in log.reveals.values()}) != 1:
        problems.append("the revealed output hashes differ")
    if set(log.outputs.values()) != {correct_output}:
        problems.append("an output is not the function's reference output")
    return problems


def measure(mode: str, nodes: int, rounds: int) -> tuple[float, int, list[str]]:
    """Seconds for `rounds` timed rounds (after one warm-up round), the node processes spawned,
    and every problem seen: a round without consensus, or a mode that spawned the wrong count."""
    problems: list[str] = []
    with Executor(persistent=MODES[mode]) as executor:
        correct_output = executor.reference_output(resolve_function("compute"), INPUT)
        if correct_output is None:
            return 0.0, 0, ["the compute fixture failed in its reference run"]
        params, profile = WHITEPAPER_PARAMS, HARDENED
        warm_up = executor.run_round(
            make_round(nodes, 0, correct_output), params=params, profile=profile
        )
        problems += get_consensus_problems(warm_up, nodes, correct_output)
        started = time.perf_counter()
        for round_id in range(1, rounds + 1):
            round_ = make_round(nodes, round_id, correct_output)
            log = executor.run_round(round_, params=params, profile=profile)
            problems += get_consensus_problems(log, nodes, correct_output)
        elapsed = time.perf_counter() - started
        spawned = executor.pool.spawn_count
    # Persistent nodes start once; per-call nodes start afresh for every round, warm-up included.
    expected = nodes if MODES[mode] else nodes * (rounds + 1)
    if spawned != expected:
        problems.append(f"spawned {spawned} node processes, expected {expected}")
    return elapsed, spawned, problems


def main() -> None:
    """Time the rounds for each mode and node count, print the figures, fail on no consensus."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=500, help="timed rounds, persistent mode")
    parser.add_argument("--per-call-rounds", type=int, default=20, help="timed rounds, per-call")
    parser.add_argument("--nodes", type=int, nargs="+", default=[4, 7, 16])
    args = parser.parse_args()
    if args.rounds < 1 or args.per_call_rounds < 1 or min(args.nodes) < 1:
        parser.error("rounds and node counts must be at least 1")
    failed = False
    for mode, persistent in MODES.items():
        rounds = args.rounds if persistent else args.per_call_rounds
        for nodes in args.nodes:
            seconds, spawned, problems = measure(mode, nodes, rounds)
            for problem in sorted(set(problems)):
                print(f"{mode}, {nodes} nodes: {problem}", file=sys.stderr)
            failed = failed or bool(problems)
            print(
                json.dumps(
                    {
                        "benchmark": "executor-rounds",
                        "mode": mode,
                        "nodes": nodes,
                        "rounds": rounds,
                        "seconds": round(seconds, 4),
                        "rounds_per_second": round(rounds / seconds, 2) if seconds > 0 else None,
                        "processes_spawned": spawned,
                        "ok": not problems,
                    },
                    sort_keys=True,
                )
            )
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
