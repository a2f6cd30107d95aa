"""A run of the Hypothesis engine depends on its arguments and seed only (docs/findings.md).

Not on which project modules the process has imported (Hypothesis' local constants), not on the
wall clock (the engine's 10-second and 5-minute cut-offs), and it leaves no state behind.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import settings
from hypothesis.internal.conjecture import engine, providers

from model.chain.actions import Action, AdvanceTime
from model.params import WHITEPAPER_PARAMS
from model.profile import HARDENED
from properties.driver import VIOLATIONS, ChainDriver
from properties.effort import Effort
from properties.machine import ChainMachine
from properties.reproducible import (
    seed_only_hypothesis,
    seed_only_settings,
    without_local_constants,
)
from properties.runner import EngineError, PropertyReport, run_properties

ROOT = Path(__file__).resolve().parents[2]
SMALL = Effort("small", max_examples=40, steps_per_example=12, explore_max_nodes=1)
HEAVY_IMPORTS = ("solver", "reports.cli", "executor")

# Run in a fresh interpreter that imports nothing of the project but the runner's own modules.
_BARE_RUN = """
import sys
from model.params import WHITEPAPER_PARAMS
from model.profile import HARDENED
from properties.effort import Effort
from properties.runner import run_properties

small = Effort("small", max_examples=40, steps_per_example=12, explore_max_nodes=1)
report = run_properties(WHITEPAPER_PARAMS, HARDENED, small, 3, explore=False)
loaded = [name for name in ("solver", "reports", "executor") if name in sys.modules]
print(repr(loaded))
print(repr(report))
"""


def test_same_seed_same_report_whatever_the_process_imported() -> None:
    """A bare process and this one, after the solver, the CLI and the executor, agree exactly.

    With Hypothesis' own harvest the two differed (41 examples and 537 steps after the imports,
    43 and 518 without, seed 3); the repr covers every count, verdict and rule of the report.
    """
    bare = subprocess.run(
        [sys.executable, "-c", _BARE_RUN],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    loaded, bare_report = bare.stdout.strip().split("\n", 1)
    assert loaded == "[]", "the bare run imported more of the project than the runner needs"
    for name in HEAVY_IMPORTS:
        importlib.import_module(name)
    report = run_properties(WHITEPAPER_PARAMS, HARDENED, SMALL, 3, explore=False)
    assert report.examples > 0 and report.steps > 0
    assert repr(report) == bare_report


class _PlantedBugs(ChainMachine):
    """Two cheap planted failures, so a run finds and shrinks more than one bug quickly."""

    def check(self, invariant_id: str) -> None:
        actions: tuple[Action, ...] = tuple(self.actions)
        broken = (invariant_id == "CONS-STR" and len(actions) >= 2) or (
            invariant_id == "CONS-STB" and any(isinstance(a, AdvanceTime) for a in actions)
        )
        if broken and invariant_id in self.asserted:
            assert self.genesis is not None
            raise VIOLATIONS[invariant_id]("planted", self.genesis, actions)
        super().check(invariant_id)


class _RacingClock:
    """A clock for Hypothesis' engine on which every reading is 1000 seconds after the last."""

    def __init__(self) -> None:
        self.now = 0.0

    def read(self) -> float:
        self.now += 1_000.0
        return self.now


def _planted_run() -> PropertyReport:
    tiny = Effort("tiny", max_examples=30, steps_per_example=6, explore_max_nodes=1)
    only = frozenset({"CONS-STR", "CONS-STB"})
    return run_properties(
        WHITEPAPER_PARAMS, HARDENED, tiny, 1, only=only, machine=_PlantedBugs, explore=False
    )


def test_same_seed_same_report_however_slow_the_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """A process so slow that each clock reading is 1000 s on finds and shrinks the same bugs.

    Hypothesis stops generating 10 s after the first bug when it reports several at once, and
    stops shrinking after 5 minutes: neither may decide a verdict or a counterexample.
    """
    steady = _planted_run()
    clock = _RacingClock()
    monkeypatch.setattr(
        engine, "time", SimpleNamespace(monotonic=clock.read, perf_counter=clock.read)
    )
    racing = _planted_run()
    assert clock.now > 0, "the engine no longer reads this clock: the test proves nothing"
    failed = {r.invariant_id for r in racing.results if r.counterexample is not None}
    assert failed == {"CONS-STR", "CONS-STB"}
    assert racing == steady


def test_a_run_leaves_the_machine_class_and_hypothesis_as_it_found_them() -> None:
    # The class variables live on the driver; the machine and its rule mixins inherit them.
    names = ("params", "profile", "recorder")
    before = {name: vars(ChainDriver)[name] for name in names}
    asserted = ChainMachine.asserted
    examples = ChainMachine.recorder.examples
    harvest = providers._get_local_constants
    limit = engine.MAX_SHRINKING_SECONDS
    run_properties(
        WHITEPAPER_PARAMS, HARDENED, SMALL, 0, only=frozenset({"CONS-STR"}), explore=False
    )
    with pytest.raises(EngineError):
        run_properties(
            WHITEPAPER_PARAMS, HARDENED, SMALL, 0, machine=_RaisingMachine, explore=False
        )
    for name, value in before.items():
        assert vars(ChainDriver)[name] is value, name
        assert name not in vars(ChainMachine), f"a run set {name} on the machine class"
    assert ChainMachine.asserted == asserted
    assert ChainMachine.recorder.examples == examples, "a run wrote to the shared class recorder"
    assert providers._get_local_constants is harvest
    assert limit == engine.MAX_SHRINKING_SECONDS


class _RaisingMachine(ChainMachine):
    def apply(self, action: Action) -> bool:
        raise ValueError("a planted model bug")


def test_the_switches_restore_hypothesis_and_its_settings_read_no_clock() -> None:
    harvest = providers._get_local_constants
    limit = engine.MAX_SHRINKING_SECONDS
    with pytest.raises(RuntimeError), seed_only_hypothesis():
        assert len(providers._get_local_constants()) == 0  # no literal of the source
        importlib.import_module("solver")
        assert len(providers._get_local_constants()) == 0  # another import changes nothing
        assert engine.MAX_SHRINKING_SECONDS > 10**8
        raise RuntimeError
    with without_local_constants():
        assert len(providers._get_local_constants()) == 0
        assert limit == engine.MAX_SHRINKING_SECONDS
    assert providers._get_local_constants is harvest
    assert limit == engine.MAX_SHRINKING_SECONDS
    configured = seed_only_settings(settings(report_multiple_bugs=True, deadline=200))
    assert configured.report_multiple_bugs is False
    assert configured.deadline is None and configured.database is None
