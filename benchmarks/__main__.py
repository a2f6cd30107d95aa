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
    ("machine_reference.py", ("--when", "start")),
    ("proofs.py", ()),
    ("governance.py", ()),
    ("model_walk.py", ()),
    ("hypothesis_steps.py", ()),
    ("executor_rounds.py", ()),
    ("sandbox_calls.py", ()),
    ("check_wall.py", ()),
    ("quint_peers.py", ()),
    ("sweep_scaling.py", ()),
    ("suite_wall.py", ()),
    ("machine_reference.py", ("--when", "end")),
)
"""Each script and its arguments; separate processes, so no cache or warm-up carries over. The
machine's reference workload runs first and last: how fast the machine itself was meanwhile."""

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


def _check_seconds(run: str) -> Callable[[list[Line]], float | None]:
    def read(lines: list[Line]) -> float | None:
        return _first(lines, "seconds", benchmark="check-wall", run=run, placement="both cores")

    return read


def _same_hash(lines: list[Line]) -> float | None:
    """1 if every check run in one process gave the parallel run's report hash, else 0."""
    alone = [line for line in lines if line.get("placement") == "one process"]
    if not alone:
        return None
    return float(all(line.get("same_hash") is True for line in alone))


def _steps_per_second(lines: list[Line]) -> float | None:
    return _first(lines, "steps_per_second", benchmark="hypothesis-machine", effort="quick")


def _quint_ratio(walk: str) -> Callable[[list[Line]], float | None]:
    def read(lines: list[Line]) -> float | None:
        return _first(lines, "ratio", benchmark="quint-peer", walk=walk)

    return read


def _suite_seconds(tier: str) -> Callable[[list[Line]], float | None]:
    """A tier's wall seconds, if every test passed and none was skipped (else no figure)."""

    def read(lines: list[Line]) -> float | None:
        for line in lines:
            if line.get("benchmark") == "test-suite" and line.get("tier") == tier:
                outcomes = line.get("outcomes") or {}
                passed = line.get("exit_code") == 0 and outcomes.get("skipped") == 0
                seconds: float = line["seconds"]
                return seconds if passed else None
        return None

    return read


def _sweep_speedup(lines: list[Line]) -> float | None:
    return _first(lines, "speedup", benchmark="sweep-speedup")


TARGETS: tuple[tuple[str, str, float, Callable[[list[Line]], float | None]], ...] = (
    ("model_transitions_per_second", ">=", 50_000, _model_rate),
    ("model_over_quint_slash_walk", ">=", 3.0, _quint_ratio("slash")),
    ("model_over_quint_commit_reveal_walk", ">=", 3.0, _quint_ratio("commit-reveal")),
    ("hypothesis_machine_steps_per_second_quick", ">=", 4_000, _steps_per_second),
    ("check_quick_seconds", "<=", 8.0, _check_seconds("quick")),
    ("check_default_seconds", "<=", 30.0, _check_seconds("default")),
    ("check_whitepaper_quick_seconds", "<=", 60.0, _check_seconds("whitepaper-quick")),
    ("check_one_process_same_hash", ">=", 1.0, _same_hash),
    ("test_suite_fast_seconds", "<=", 240.0, _suite_seconds("fast")),
    ("test_suite_all_seconds", "<=", 900.0, _suite_seconds("all")),
    ("proof_set_seconds", "<=", 2.0, _proofs_seconds),
    ("gov_safe_seconds", "<=", 3.0, _gov_safe_seconds),
    ("repairs_seconds", "<=", 8.0, _repairs_seconds),
    ("executor_rounds_per_second_n7", ">=", 100, _executor_rate),
    ("sandbox_call_cpu_ms", "<=", 3.0, _sandbox_call_cpu),
    ("sweep_speedup_one_to_two_workers", ">=", 1.8, _sweep_speedup),
)
"""The suite's speed targets on the 2-core reference machine: name, comparison, bound, figure."""


def judge_targets(lines: list[Line]) -> Line:
    """One line: each target's bound, the measured figure and whether it is met (None: unmeasured)."""
    verdicts: dict[str, Any] = {}  # in TARGETS' order
    for name, comparison, bound, read in TARGETS:
        figure = read(lines)
        met = None
        if figure is not None:
            met = figure >= bound if comparison == ">=" else figure <= bound
        verdicts[name] = {"target": f"{comparison} {bound:g}", "measured": figure, "met": met}
    reference = {
        line["when"]: line["best_ms"]
        for line in lines
        if line.get("benchmark") == "machine-reference"
    }
    return {"benchmark": "targets", "targets": verdicts, "machine_reference_ms": reference}


def format_targets(judged: Line) -> str:
    """The targets line as a table: each figure beside its target, and whether it is met."""
    rows = [("target", "measured", "bound", "met")]
    for name, verdict in judged["targets"].items():
        figure = verdict["measured"]
        shown = "-" if figure is None else f"{figure:,.2f}".rstrip("0").rstrip(".")
        met = {True: "yes", False: "MISSED", None: "not measured"}[verdict["met"]]
        rows.append((name, shown, verdict["target"], met))
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    table = [
        f"{row[0]:<{widths[0]}}  {row[1]:>{widths[1]}}  {row[2]:<{widths[2]}}  {row[3]}"
        for row in rows
    ]
    reference = judged.get("machine_reference_ms") or {}
    if reference:
        said = ", ".join(f"{ms:g} ms at the {when}" for when, ms in reference.items())
        table.append(f"machine reference workload (docs/benchmarks.md): {said}")
    return "\n".join(table)


def run_benchmark(script: str, arguments: tuple[str, ...]) -> tuple[int, list[Line]]:
    """Run one benchmark script, echo its stdout lines as they come, return its exit code and
    the JSON lines it printed."""
    # As a module of the `benchmarks` folder (run from the checkout), so a benchmark can import
    # another's parts: `python -m benchmarks.quint_peers`.
    command = [sys.executable, "-m", f"benchmarks.{script.removesuffix('.py')}", *arguments]
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
    judged = judge_targets(lines)
    print(json.dumps(judged, sort_keys=True), flush=True)
    print(format_targets(judged), flush=True)
    if failed:
        print(f"benchmarks that failed to run: {', '.join(failed)}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
