"""The machine judges a rule on every action it applied, not only on the last one.

Multi-action rules (a slash series, outbound bursts, a round after its prepayment) used to keep
only the last action's observations, so a violation earlier in the rule went unraised.
"""

from __future__ import annotations

import attrs
import pytest
from broken_fixtures import GENESIS
from broken_rules import USER_0, V0, P, delegators_spared, slash_rate_uncapped

from model.chain.actions import AdvanceTime, Delegate, SlashValidator
from model.profile import HARDENED
from model.units import MICRO
from properties.driver import VIOLATIONS
from properties.effort import EFFORTS
from properties.machine import ChainMachine
from properties.replay import replay
from properties.runner import Verdict, run_properties


def _machine() -> ChainMachine:
    machine = ChainMachine()
    machine.create_chain(genesis=GENESIS)
    machine.delegators_lose_the_same_fraction()
    assert machine.apply(Delegate(USER_0, V0, 100 * MICRO))
    machine.delegators_lose_the_same_fraction()
    return machine


def test_violation_before_the_rules_last_action__raised(monkeypatch: pytest.MonkeyPatch) -> None:
    delegators_spared(monkeypatch)
    machine = _machine()
    # One rule: a slash that spares the delegator, then a clock step that checks nothing of it.
    assert machine.apply(SlashValidator(V0))
    assert machine.apply(AdvanceTime(1))
    with pytest.raises(VIOLATIONS["SLASH-DELEGATORS"], match="SLASH-DELEGATORS"):
        machine.delegators_lose_the_same_fraction()


def test_observations_are_consumed_by_their_invariant(monkeypatch: pytest.MonkeyPatch) -> None:
    delegators_spared(monkeypatch)
    machine = _machine()
    assert machine.apply(SlashValidator(V0))
    with pytest.raises(VIOLATIONS["SLASH-DELEGATORS"]):
        machine.delegators_lose_the_same_fraction()
    # The next rule is judged on its own actions: no slash, nothing to raise.
    assert machine.apply(AdvanceTime(1))
    machine.delegators_lose_the_same_fraction()


def test_correct_model__the_same_rule_passes() -> None:
    machine = _machine()
    assert machine.apply(SlashValidator(V0))
    assert machine.apply(AdvanceTime(1))
    machine.delegators_lose_the_same_fraction()


class _BlindMachine(ChainMachine):
    """A machine whose invariants never raise: the blind spot a runner must not call a pass."""

    def check(self, invariant_id: str) -> None:
        self.observations.pop(invariant_id, None)


@pytest.mark.slow
def test_recorded_but_unraised_violation__fails_with_the_first_trace(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A machine that records the uncapped slash but never raises it still fails SLASH-BOUNDS,
    with the first recorded trace, unshrunk (quick effort with 400 runs of 20 steps, enough for
    the whole rule mix to draw the slashes that pass the cap)."""
    slash_rate_uncapped(monkeypatch)
    effort = attrs.evolve(EFFORTS["quick"], max_examples=400, steps_per_example=20)
    report = run_properties(
        P,
        HARDENED,
        effort,
        seed=0,
        only=frozenset({"SLASH-BOUNDS"}),
        machine=_BlindMachine,
        explore=False,
    )
    (result,) = report.results
    assert result.violations > 0
    assert result.verdict is Verdict.FAIL
    found = result.counterexample
    assert found is not None and found.detail.startswith("(unshrunk)")
    assert found.genesis is not None
    # The witness is a real trace: replayed under the broken model it breaks the invariant.
    replayed = replay(found.genesis, found.actions, params=P, profile=HARDENED)
    assert "SLASH-BOUNDS" in {v.invariant_id for v in replayed.violations}
