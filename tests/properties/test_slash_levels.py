"""A validator's slash reports the level it was applied at and the level it leaves (§6.10).

SLASH-DOUBLING and SLASH-DECAY hold the reported levels to the checker's own memory of the
offender's slashes: a model whose slash outcome says the level went anywhere but one up is
caught on the step that reports it.
"""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from broken_fixtures import fresh_machine
from broken_rules import V0

from model import slashing
from model.chain import security
from model.chain.actions import AdvanceTime, SlashValidator
from properties.driver import VIOLATIONS


def _levels_reported(monkeypatch: pytest.MonkeyPatch, change: int) -> None:
    real = slashing.process_slash_validator

    def reported(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        if not isinstance(result, tuple):
            return result
        ledger, staking, record, outcome = result
        moved = attrs.evolve(outcome, level_after=outcome.level_before + change)
        return ledger, staking, record, moved

    monkeypatch.setattr(security, "process_slash_validator", reported)


@pytest.mark.parametrize("change", [0, 2])
def test_slash_reporting_a_wrong_level_after__breaks_slash_doubling(
    monkeypatch: pytest.MonkeyPatch, change: int
) -> None:
    _levels_reported(monkeypatch, change)
    machine = fresh_machine()
    assert machine.apply(SlashValidator(V0))
    with pytest.raises(VIOLATIONS["SLASH-DOUBLING"], match=r"levels 0 -> \d, expected 0 -> 1"):
        machine.check("SLASH-DOUBLING")


def test_second_slash_reporting_its_level_unmoved__breaks_slash_doubling(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = slashing.process_slash_validator

    def stuck_at_one(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        if isinstance(result, tuple) and result[3].level_before == 1:
            ledger, staking, record, outcome = result
            return ledger, staking, record, attrs.evolve(outcome, level_after=1)
        return result

    monkeypatch.setattr(security, "process_slash_validator", stuck_at_one)
    machine = fresh_machine()
    assert machine.apply(SlashValidator(V0))
    machine.check("SLASH-DOUBLING")  # the first slash reports 0 -> 1: it holds
    assert machine.apply(AdvanceTime(1))
    assert machine.apply(SlashValidator(V0))
    with pytest.raises(VIOLATIONS["SLASH-DOUBLING"], match="levels 1 -> 1, expected 1 -> 2"):
        machine.check("SLASH-DOUBLING")
