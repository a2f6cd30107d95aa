"""The console script moves what is alive after the imports out of the collector's reach, and a
caller that passes its own arguments keeps its collector as it was."""

from __future__ import annotations

import gc
from collections.abc import Sequence

import pytest

import reports.cli
from reports.entry import main


def _frozen_count(argv: Sequence[str] | None = None) -> int:
    return gc.get_freeze_count()


def test_the_console_script_freezes_what_the_imports_left(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reports.cli, "main", _frozen_count)
    gc.unfreeze()
    try:
        assert main(["check"]) == 0  # run inside this process: nothing frozen
        assert main() > 1000  # the process's own command: the imported world is frozen
    finally:
        gc.unfreeze()


def test_what_the_command_made_is_frozen_before_the_process_exits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[list[int]] = []
    frozen_at_start: list[int] = []

    def run(argv: Sequence[str] | None = None) -> int:
        frozen_at_start.append(gc.get_freeze_count())
        made.extend([i] for i in range(5_000))  # what a run leaves alive until exit
        return 3

    monkeypatch.setattr(reports.cli, "main", run)
    gc.unfreeze()
    try:
        assert main(["check"]) == 3
        assert gc.get_freeze_count() == 0  # inside a longer-lived process: nothing frozen
        assert main() == 3  # the exit code is the command's
        assert gc.get_freeze_count() >= frozen_at_start[-1] + 5_000
    finally:
        gc.unfreeze()
