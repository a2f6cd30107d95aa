"""Where `check` runs its parts by default: beside the machine in this process, except for an
effort of several independent seed streams, which takes a local cluster of every core."""

from __future__ import annotations

import os

from reports.arguments import build_parser
from reports.cli import _options
from sweep.cluster import IN_PROCESS, Placement


def _placement(*argv: str) -> Placement | None:
    arguments = build_parser().parse_args(["check", *argv])
    return _options(arguments, env={}).placement


def test_one_stream_efforts_run_here() -> None:
    assert _placement("--effort", "quick") is None
    assert _placement() is None  # default effort


def test_thorough_takes_every_core_up_to_two_workers_a_stream() -> None:
    cores = max(1, os.cpu_count() or 1)
    assert _placement("--effort", "thorough") == Placement(workers=min(cores, 8))


def test_an_explicit_placement_wins() -> None:
    assert _placement("--effort", "thorough", "--workers", "0") == Placement(workers=IN_PROCESS)
    assert _placement("--effort", "quick", "--workers", "2") == Placement(workers=2)
    scheduler = _placement("--effort", "thorough", "--scheduler", "tcp://127.0.0.1:8786")
    assert scheduler == Placement(scheduler="tcp://127.0.0.1:8786")
