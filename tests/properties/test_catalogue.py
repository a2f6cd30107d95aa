"""The catalogue in code: unique IDs, engines that claim an ID check it, and no ID is unchecked."""

from __future__ import annotations

import pytest

from executor.grounding import EXECUTOR_IDS
from properties.catalogue import (
    CATALOGUE,
    INVARIANT_IDS,
    Engine,
    UnknownInvariantError,
    get_ids_for,
    get_invariant,
)
from properties.driver import MACHINE_IDS
from properties.explore import ROUND_INVARIANT_IDS
from properties.machine import CHECKED_BY_MACHINE, STEP_CHECK_MARKER, STEP_CHECKS, ChainMachine

PENDING_ENGINES: dict[Engine, str] = {}
"""Engines not built yet. An ID claimed only by them is checked by no engine today."""


def test_ids_are_unique_and_well_formed() -> None:
    assert len(set(INVARIANT_IDS)) == len(INVARIANT_IDS)
    for invariant in CATALOGUE:
        assert invariant.id == invariant.id.upper()
        assert invariant.statement and invariant.section and invariant.engines


def test_unknown_id_is_refused_with_the_known_ones() -> None:
    with pytest.raises(UnknownInvariantError, match="CONS-STR"):
        get_invariant("CONS-STRR")


def test_hypothesis_claims_exactly_what_the_machine_asserts() -> None:
    """Every ID with engine H has a machine invariant, and the machine asserts nothing else."""
    assert set(CHECKED_BY_MACHINE) == set(get_ids_for(Engine.HYPOTHESIS)) == set(MACHINE_IDS)


def test_each_machine_invariant_runs_after_every_step() -> None:
    """Each ID's method is a step check, and Hypothesis runs exactly one invariant: the one that
    calls every step check, in the order Hypothesis would give their own `@invariant()`s."""
    for invariant_id, method in CHECKED_BY_MACHINE.items():
        function = getattr(ChainMachine, method)
        assert getattr(function, STEP_CHECK_MARKER, False), invariant_id
        assert method in STEP_CHECKS, invariant_id
    assert tuple(sorted(set(CHECKED_BY_MACHINE.values()))) == STEP_CHECKS
    invariants = ChainMachine.setup_state().invariants
    assert [inv.function.__name__ for inv in invariants] == ["every_step_check_holds"]


def test_round_exploration_checks_only_claimed_ids() -> None:
    assert set(ROUND_INVARIANT_IDS) <= set(get_ids_for(Engine.HYPOTHESIS))


def test_no_id_is_left_unchecked() -> None:
    """An ID whose engines are all still pending is checked by nothing: only those may remain,
    and each such ID is listed here with the engine that will check it."""
    unchecked = {
        invariant.id for invariant in CATALOGUE if not invariant.engines - set(PENDING_ENGINES)
    }
    assert unchecked == set()


def test_executor_checks_exactly_what_the_catalogue_gives_it() -> None:
    """Every ID with engine X has an executor check (GROUNDED: the comparison), and no other."""
    assert set(EXECUTOR_IDS) == set(get_ids_for(Engine.EXECUTOR))
