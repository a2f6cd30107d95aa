"""Every benchmark with one command, each in a child process of its own, one after the other.

Run: .venv/bin/python -m benchmarks [--thorough] (or `make bench`). The JSON lines of every
benchmark are printed as they come, then one `targets` line says which of the suite's speed targets
the figures meet; the exit code is 1 if a benchmark failed to run (a missed target is not a failure).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BENCHMARKS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("proofs.py", ()),
    ("governance.py", ()),
    ("model_walk.py", ()),
    ("hypothesis_steps.py", ()),
    ("executor_rounds.py", ()),
    ("sandbox_calls.py", ()),
    ("check_wall.py", ()),
    ("quint_peers.py", ()),
    ("sweep_scaling.py", ()),
)
"""Each script and its arguments; separate processes, so no cache or warm-up carries over."""
QUINT_WALKS = ("slash", "commit-reveal")
"""The peer walks benchmarks/quint_peers.py runs against Quint; the ratio target needs both."""

Line = dict[str, Any]


def _proofs_seconds(lines: list[Line]) -> float | None:
    totals = [line["total_seconds"] for line in lines if line.get("benchmark") == "proofs"]
    return max(totals) if totals else None


def _first(lines: list[Line], field: str, **match: object) -> float | None:
    """`field` of the first line whose keys equal `match` (None if no line matches)."""
    for line in lines:
        if all(line.get(key) == value for key, value in match.items()):
            value: float = line[field]
            return value
    return None


def _model_rate(lines: list[Line]) -> float | None:
    return _first(lines, "transitions_per_second", benchmark="model-walk", mode="bare")


def _executor_rate(lines: list[Line]) -> float | None:
    return _first(
        lines, "rounds_per_second", benchmark="executor-rounds", mode="persistent", nodes=7
    )


def _sandbox_call_cpu(lines: list[Line]) -> float | None:
    """CPU milliseconds of one call of the compute fixture: the zygote's and the call's process."""
    for line in lines:
        if line.get("benchmark") == "sandbox-call" and line.get("function") == "compute":
            cpu_ms: float = line["zygote_cpu_ms_per_call"] + line["call_process_cpu_ms_per_call"]
            return round(cpu_ms, 3)
    return None


def _gov_safe_seconds(lines: list[Line]) -> float | None:
    return _first(lines, "seconds", benchmark="gov-safe", profile="hardened")


def _repairs_seconds(lines: list[Line]) -> float | None:
    return _first(lines, "seconds", benchmark="repairs", key="payment.str_burn_bps")


def _check_seconds(lines: list[Line]) -> float | None:
    return _first(lines, "seconds", benchmark="check-wall", effort="default")


def _quint_ratio(lines: list[Line]) -> float | None:
    """The model's traces per second over Quint's on the slower of the two peer walks."""
    ratios = [_first(lines, "ratio", benchmark="quint-peer", walk=w) for w in QUINT_WALKS]
    return None if None in ratios else min(r for r in ratios if r is not None)


def _sweep_speedup(lines: list[Line]) -> float | None:
    return _first(lines, "speedup", benchmark="sweep-speedup")


TARGETS: tuple[tuple[str, str, float, Callable[[list[Line]], float | None]], ...] = (
    ("model_transitions_per_second", ">=", 50_000, _model_rate),
    ("proof_set_seconds", "<=", 2.0, _proofs_seconds),
    ("gov_safe_seconds", "<=", 3.0, _gov_safe_seconds),
    ("repairs_seconds", "<=", 8.0, _repairs_seconds),
    ("executor_rounds_per_second_n7", ">=", 100, _executor_rate),
    ("sandbox_call_cpu_ms", "<=", 3.0, _sandbox_call_cpu),
    ("check_default_seconds", "<=", 60.0, _check_seconds),
    ("model_over_quint_both_walks", ">=", 3.0, _quint_ratio),
    ("sweep_speedup_one_to_two_workers", ">=", 1.8, _sweep_speedup),
)
"""The suite's speed targets on the 2-core reference machine: name, comparison, bound, figure."""


def judge_targets(lines: list[Line]) -> Line:
    """One line: each target's bound, the measured figure and whether it is met (None: unmeasured)."""
    verdicts: dict[str, Any] = {}
    for name, comparison, bound, read in TARGETS:
        figure = read(lines)
        met = None
        if figure is not None:
            met = figure >= bound if comparison == ">=" else figure <= bound
        verdicts[name] = {"target": f"{comparison} {bound:g}", "measured": figure, "met": met}
    return {"benchmark": "targets", "targets": verdicts}


def run_benchmark(script: str, arguments: tuple[str, ...]) -> tuple[int, list[Line]]:
    """Run one benchmark script, echo its stdout lines as they come, return its exit code and
    the JSON lines it printed."""
    command = [sys.executable, str(HERE / script), *arguments]
    lines: list[Line] = []
    with subprocess.Popen(command, cwd=HERE.parent, stdout=subprocess.PIPE, text=True) as child:
        assert child.stdout is not None
        for text in child.stdout:
            print(text, end="", flush=True)
            try:
                parsed = json.loads(text)
            except json.JSONDecodeError:
                continue
            if isinstance(parsed, dict):
                lines.append(parsed)
    return child.returncode, lines


def main() -> None:
    """Run every benchmark in turn, then print the targets line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--thorough", action="store_true", help="also time check --effort thorough")
    args = parser.parse_args()
    failed: list[str] = []
    lines: list[Line] = []
    for script, arguments in BENCHMARKS:
        extra = ("--thorough",) if script == "check_wall.py" and args.thorough else ()
        code, printed = run_benchmark(script, (*arguments, *extra))
        lines += printed
        if code != 0:
            failed.append(script)
    print(json.dumps(judge_targets(lines), sort_keys=True), flush=True)
    if failed:
        print(f"benchmarks that failed to run: {', '.join(failed)}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
