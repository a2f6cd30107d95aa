"""An engine's work in a child process: its value, its raise and its death come back as such."""

from __future__ import annotations

import os

import pytest

from reports.background import Background, BackgroundError
from reports.check import CheckOptions, run_check
from reports.html import draw_report_plots
from reports.inputs import load_params
from reports.report import to_document


def _add(a: int, b: int) -> int:
    return a + b


def _raise(message: str) -> None:
    raise ValueError(message)


def _die(code: int) -> None:
    os._exit(code)


def _pid() -> int:
    return os.getpid()


def test_the_value_comes_back_from_another_process() -> None:
    task = Background(_add, (2, 40))
    assert task.result() == 42
    assert task.result() == 42  # asked twice, the same answer
    task.close()
    other = Background(_pid, ())
    assert other.result() != os.getpid()
    other.close()


def test_a_raise_comes_back_as_one_line_naming_its_type() -> None:
    task = Background(_raise, ("the model raised",))
    with pytest.raises(BackgroundError, match=r"^ValueError: the model raised$"):
        task.result()
    task.close()


def test_a_process_that_dies_is_an_error_not_a_hang() -> None:
    task = Background(_die, (3,))
    with pytest.raises(BackgroundError, match=r"process died \(exit code 3\)"):
        task.result()
    task.close()


def test_close_without_asking_waits_and_reaps() -> None:
    task = Background(_add, (1, 1))
    task.close()
    assert task._process.exitcode == 0


def test_plots_drawn_beside_the_engines_are_the_reports_own() -> None:
    """`check` draws the HTML report's plots from the inputs before the engines end; they are
    the plots the finished report's document gives (`render_html` draws those when none are
    handed to it), so the page is the same either way."""
    loaded = load_params(None)
    options = CheckOptions(effort="quick", engines=("z3",), only=("PAY-BURN",))
    run = run_check(loaded, options, draw_plots=True)
    document = to_document(run.report)
    assert run.plots is not None and len(run.plots) == 5
    assert run.plots == draw_report_plots(document)
    assert run_check(loaded, options).plots is None  # not asked: drawn with the report
