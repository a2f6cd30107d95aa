"""An engine's work in a child process: its value, its raise and its death come back as such."""

from __future__ import annotations

import os

import pytest

from reports.background import Background, BackgroundError


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
