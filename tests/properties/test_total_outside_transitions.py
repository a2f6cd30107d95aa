"""ACT-TOTAL beyond a raising transition: a malformed state returned, a model function that
raises when a rule asks it something, and what the engine reports when it crashes after it has
already seen a violation."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from broken_fixtures import GENESIS
from broken_rules import DEFAULTS, USER_0, USER_1, P

import model.chain.transitions
import model.staking
import properties.edges
import properties.replay
import properties.rules.rounds
from model.chain.actions import Action, AdvanceTime, Transfer
from model.chain.state import ChainState, create_chain
from model.ledger import Token
from model.profile import HARDENED
from model.units import Rejected
from properties.effort import Effort
from properties.invariants.total import raised_in_model
from properties.invariants.wellformed import find_malformed
from properties.replay import replay
from properties.runner import Verdict, run_properties

SMALL = Effort("small", max_examples=40, steps_per_example=10, explore_max_nodes=1)


def _genesis_state() -> ChainState:
    state = create_chain(GENESIS, params=P, profile=HARDENED)
    assert not isinstance(state, Rejected)
    return state


def test_a_genesis_state__is_well_formed() -> None:
    assert find_malformed(_genesis_state(), ChainState) is None


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"ledger": None}, "a NoneType None, declared Ledger at the state.ledger"),
        ({"height": 1.0}, "a float 1.0 at the state.height"),
        ({"now": 2**70}, None),
    ],
)
def test_a_malformed_part__is_named_with_its_path(
    change: dict[str, Any], expected: str | None
) -> None:
    state = _genesis_state()
    assert find_malformed(attrs.evolve(state, **change), ChainState, before=state) == expected


def test_a_part_of_another_declared_type__is_found() -> None:
    state = _genesis_state()
    found = find_malformed(attrs.evolve(state, governance=state.ledger), ChainState)  # type: ignore[arg-type]
    assert found == "a Ledger, declared GovernanceState at the state.governance"


def test_a_float_deep_in_a_mapping__is_found_and_unchanged_parts_are_skipped() -> None:
    state = _genesis_state()
    balances = state.ledger.balances
    account = sorted(balances)[0]
    broken = attrs.evolve(balances[account], ustr=0.5)  # type: ignore[arg-type]
    ledger = attrs.evolve(state.ledger, balances=balances.set(account, broken))
    after = attrs.evolve(state, ledger=ledger)
    found = find_malformed(after, ChainState, before=state)
    assert found == f"a float 0.5 at the state.ledger.balances[{account!r}].ustr"
    # Walked against itself, nothing is looked at: the same object is taken as checked.
    assert find_malformed(after, ChainState, before=after) is None


def test_a_transition_returning_a_float__breaks_act_total(monkeypatch: pytest.MonkeyPatch) -> None:
    """A transfer whose model leaves the height a float: ACT-TOTAL names the action and the
    part, and the chain stays as it was (the second transfer still runs)."""
    real = model.chain.transitions.process_action

    def broken(state: ChainState, action: Action) -> Any:
        result = real(state, action)
        if isinstance(action, Transfer) and action.token is Token.STR:
            assert not isinstance(result, Rejected)
            after, effects = result
            return attrs.evolve(after, height=after.height / 1), effects  # type: ignore[arg-type]
        return result

    monkeypatch.setattr(properties.replay, "process_action", broken)
    actions = (Transfer(USER_0, USER_1, Token.STR, 1_000), Transfer(USER_0, USER_1, Token.STB, 1))
    result = replay(GENESIS, actions, params=P, profile=HARDENED)
    assert [v.invariant_id for v in result.violations] == ["ACT-TOTAL"]
    detail = result.violations[0].detail
    assert detail.startswith("Transfer returned a malformed state: a float")
    assert "at the state.height" in detail
    assert result.final is not None and isinstance(result.final.height, int)


def test_raised_in_model__tells_the_models_frames_from_others() -> None:
    with pytest.raises(AttributeError) as in_model:
        model.staking.get_validator_stakes(None)  # type: ignore[arg-type]
    assert raised_in_model(in_model.value)
    with pytest.raises(ZeroDivisionError) as here:
        _ = 1 // 0
    assert not raised_in_model(here.value)


@pytest.mark.slow
def test_a_model_function_raising_inside_a_rule__breaks_act_total(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The round rules ask the model for an app's developer account; a model that raises there
    fails ACT-TOTAL with the trace so far, instead of ending the engine."""

    def raising(app: Any) -> Any:
        return model.staking.get_validator_stakes(None)  # type: ignore[arg-type]

    monkeypatch.setattr(properties.rules.rounds, "get_developer", raising)
    report = run_properties(*DEFAULTS, SMALL, 0, explore=False)
    by_id = {result.invariant_id: result for result in report.results}
    total = by_id["ACT-TOTAL"]
    assert total.verdict is Verdict.FAIL and total.counterexample is not None
    assert "the model raised AttributeError" in total.counterexample.detail
    assert "when the rule process_" in total.counterexample.detail
    assert not report.engine_error
    assert {r.invariant_id for r in report.results if r.verdict is Verdict.FAIL} == {"ACT-TOTAL"}


def test_a_crash_after_a_violation__keeps_the_violation_and_marks_the_rest_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A crash of the machine's own code ends the run; what it had already seen fail still
    fails, every other verdict is `error`, never a pass."""
    real = model.chain.transitions.process_action
    minted: dict[int, ChainState] = {}

    def minting(state: ChainState, action: Action) -> Any:
        result = real(state, action)
        if isinstance(action, AdvanceTime) and not isinstance(result, Rejected):
            after, effects = result
            ledger = attrs.evolve(after.ledger, str_genesis=after.ledger.str_genesis + 1)
            after = attrs.evolve(after, ledger=ledger)
            minted[id(after)] = after
            return after, effects
        return result

    real_reached = properties.edges.EdgeTracker.reached

    def reached(self: Any, before: ChainState, *args: Any) -> Any:
        # The step after a minting clock step crashes, in every run of the same trace.
        if id(before) in minted:
            raise RuntimeError("a bug of the machine itself")
        return real_reached(self, before, *args)

    monkeypatch.setattr(properties.replay, "process_action", minting)
    monkeypatch.setattr(properties.edges.EdgeTracker, "reached", reached)
    report = run_properties(*DEFAULTS, SMALL, 0, explore=False)
    verdicts = {result.invariant_id: result.verdict for result in report.results}
    assert "the machine stopped on RuntimeError: a bug of the machine itself" in (
        report.engine_error
    )
    failed = {i for i, v in verdicts.items() if v is Verdict.FAIL}
    assert "CONS-STR" in failed
    assert Verdict.PASS not in verdicts.values()
    assert {i for i, v in verdicts.items() if v is Verdict.ERROR} == set(verdicts) - failed
    counterexample = next(r.counterexample for r in report.results if r.invariant_id == "CONS-STR")
    assert counterexample is not None
    assert any(isinstance(action, AdvanceTime) for action in counterexample.actions)
