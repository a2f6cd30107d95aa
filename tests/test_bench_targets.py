"""The targets line of `make bench`: each figure read from its benchmark's line and judged."""

from __future__ import annotations

import os
import platform
import sys
from typing import Any

from benchmarks.__main__ import format_targets, judge_targets
from benchmarks.machine_reference import measure, run_workload
from benchmarks.suite_wall import count_outcomes


def _lines() -> list[dict[str, Any]]:
    return [
        {"benchmark": "machine-reference", "when": "start", "best_ms": 240.5},
        {"benchmark": "model-walk", "mode": "checked", "transitions_per_second": 9_000},
        {"benchmark": "model-walk", "mode": "bare", "transitions_per_second": 51_000},
        {"benchmark": "quint-peer", "walk": "slash", "ratio": 2.5},
        {"benchmark": "quint-peer", "walk": "commit-reveal", "ratio": 9.0},
        {"benchmark": "check-wall", "run": "quick", "placement": "both cores", "seconds": 7.5},
        {"benchmark": "check-wall", "run": "quick", "placement": "one process", "seconds": 9.0,
         "same_hash": True},
        {"benchmark": "check-wall", "run": "default", "placement": "both cores", "seconds": 31.0},
        {"benchmark": "check-wall", "run": "default", "placement": "one process", "seconds": 40.0,
         "same_hash": False},
        {"benchmark": "test-suite", "tier": "fast", "seconds": 200.0, "exit_code": 0,
         "outcomes": {"tests": 10, "failures": 0, "errors": 0, "skipped": 1}},
        {"benchmark": "test-suite", "tier": "all", "seconds": 950.0, "exit_code": 0,
         "outcomes": {"tests": 12, "failures": 0, "errors": 0, "skipped": 0}},
        {"benchmark": "machine-reference", "when": "end", "best_ms": 251.0},
    ]  # fmt: skip


def test_each_target_reads_its_own_line() -> None:
    targets = judge_targets(_lines())["targets"]
    assert targets["model_transitions_per_second"] == {
        "target": ">= 50000",
        "measured": 51_000,
        "met": True,
    }
    assert targets["model_over_quint_slash_walk"]["met"] is False
    assert targets["model_over_quint_commit_reveal_walk"]["met"] is True
    assert targets["check_quick_seconds"]["measured"] == 7.5
    assert targets["check_default_seconds"]["met"] is False
    # One one-process run with another hash fails the whole target.
    assert targets["check_one_process_same_hash"] == {
        "target": ">= 1",
        "measured": 0.0,
        "met": False,
    }
    # A suite that skipped a test gives no figure, whatever its time.
    assert targets["test_suite_fast_seconds"]["measured"] is None
    # Each tier is judged on its own line.
    assert targets["test_suite_all_seconds"] == {
        "target": "<= 900",
        "measured": 950.0,
        "met": False,
    }
    assert targets["hypothesis_machine_steps_per_second_quick"]["met"] is None


def test_the_table_puts_each_figure_beside_its_target() -> None:
    rows = {line.split()[0]: line.split()[1:] for line in format_targets(
        judge_targets(_lines())).splitlines()[1:]}  # fmt: skip
    assert rows["model_transitions_per_second"] == ["51,000", ">=", "50000", "yes"]
    assert rows["model_over_quint_slash_walk"] == ["2.5", ">=", "3", "MISSED"]
    assert rows["test_suite_fast_seconds"] == ["-", "<=", "240", "not", "measured"]
    assert rows["test_suite_all_seconds"] == ["950", "<=", "900", "MISSED"]


def test_the_machines_reference_is_given_at_the_start_and_the_end() -> None:
    judged = judge_targets(_lines())
    assert judged["machine_reference_ms"] == {"start": 240.5, "end": 251.0}
    assert format_targets(judged).splitlines()[-1] == (
        "machine reference workload (docs/benchmarks.md): 240.5 ms at the start, 251 ms at the end"
    )


def test_the_reference_workload_is_fixed() -> None:
    """The reference figures of different days compare only if the work is the same: a change to
    the workload changes its checksum and fails here (then earlier figures no longer compare)."""
    assert run_workload(10_000) == 400_015_617


def test_the_reference_line_names_its_interpreter() -> None:
    """The workload times the interpreter as much as the machine: its line says which one ran."""
    line = measure(1, "test")
    assert line["python"] == platform.python_version()
    assert line["interpreter"] == os.path.realpath(sys.executable)


def test_suite_outcomes_are_summed_over_the_junit_suites(tmp_path: Any) -> None:
    junit = tmp_path / "junit.xml"
    junit.write_text(
        '<testsuites><testsuite name="a" tests="3" failures="1" errors="0" skipped="0"/>'
        '<testsuite name="b" tests="2" failures="0" errors="1" skipped="1"/></testsuites>'
    )
    assert count_outcomes(junit) == {"tests": 5, "failures": 1, "errors": 1, "skipped": 1}
