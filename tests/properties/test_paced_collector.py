"""The collector's pacing while the machine runs: raised for the block, put back after it."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from model.params import WHITEPAPER_PARAMS
from model.profile import HARDENED
from properties import runner
from properties.effort import EFFORTS
from properties.pacing import MACHINE_COLLECTOR_THRESHOLDS, paced_collector


@pytest.fixture
def thresholds() -> Iterator[tuple[int, int, int]]:
    before = gc.get_threshold()
    yield before
    gc.set_threshold(*before)


def test_raised_inside_and_restored_after(thresholds: tuple[int, int, int]) -> None:
    gc.set_threshold(700, 10, 10)
    with paced_collector():
        assert gc.get_threshold() == MACHINE_COLLECTOR_THRESHOLDS
    assert gc.get_threshold() == (700, 10, 10)


def test_restored_when_the_block_raises(thresholds: tuple[int, int, int]) -> None:
    gc.set_threshold(700, 10, 10)
    with pytest.raises(RuntimeError), paced_collector():
        raise RuntimeError("the machine stopped")
    assert gc.get_threshold() == (700, 10, 10)


def test_a_higher_threshold_of_the_process_is_kept(thresholds: tuple[int, int, int]) -> None:
    gc.set_threshold(100_000, 5, 200)
    with paced_collector((20_000, 50, 50)):
        assert gc.get_threshold() == (100_000, 50, 200)
    assert gc.get_threshold() == (100_000, 5, 200)


def test_the_machine_runs_paced(
    thresholds: tuple[int, int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inside `run_state_machine_as_test`, the collector is at the machine's thresholds."""
    gc.set_threshold(700, 10, 10)
    seen: list[tuple[int, int, int]] = []

    def record(*_: object, **__: object) -> None:
        seen.append(gc.get_threshold())

    monkeypatch.setattr(runner, "run_state_machine_as_test", record)
    runner.run_properties(WHITEPAPER_PARAMS, HARDENED, EFFORTS["quick"], 0, explore=False)
    assert seen and set(seen) == {MACHINE_COLLECTOR_THRESHOLDS}
    assert gc.get_threshold() == (700, 10, 10)
