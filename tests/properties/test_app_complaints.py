"""CR-VERIFIABLE's F9 part: the app's complaints are exactly the nodes whose sent output (F8)
does not match their reveal, checked from the round's raw state with the oracle's hashing.

A round where a node sends the app another output than it revealed passes; the same round with
the complaint dropped, with an honest node named, or with a settlement that records other
complaints is flagged; a reveal that public data refutes must be complained about even when the
output matches it. The exhaustive exploration draws the behaviour, finds no violation in the
model, and catches a model whose F9 check never complains.
"""

from __future__ import annotations

import attrs
import pytest

import model.trusted.round as round_model
from model.params import WHITEPAPER_PARAMS
from model.profile import HARDENED, WHITEPAPER, Profile
from model.trusted.behaviour import Behaviour, NodePlan, Scenario
from model.trusted.round import RoundState
from model.trusted.scenario import RoundRun, run_round_to_decision
from model.trusted.settlement import process_settle_round
from model.units import AppId, NodeId, Rejected
from properties.explore import Assignment, Kind, build_round_graph, explore_rounds
from properties.invariants.base import Observation
from properties.invariants.round import RoundView, check_cr_app_complaints, check_round
from properties.round_setup import ROUND_COST, make_funded_chain

P = WHITEPAPER_PARAMS
N = tuple(NodeId(f"n{i}") for i in range(4))
OTHER = N[3]


def _scenario() -> Scenario:
    plans = (*(NodePlan(node) for node in N[:3]), NodePlan(OTHER, Behaviour.SENDS_OTHER_OUTPUT))
    return Scenario(
        round_id=1, app=AppId("app"), plans=plans, correct_output=b"f(a) = b", seed=b"complaints"
    )


def _decided(profile: Profile) -> tuple[Scenario, RoundState]:
    scenario = _scenario()
    run = run_round_to_decision(scenario, params=P, profile=profile)
    assert isinstance(run, RoundRun), run
    return scenario, run.state


def _check(scenario: Scenario, state: RoundState, profile: Profile) -> Observation:
    observation = check_cr_app_complaints(RoundView(scenario, state, P, profile))
    assert observation is not None
    assert observation.invariant_id == "CR-VERIFIABLE"
    return observation


@pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER], ids=lambda p: p.name)
def test_the_model_complains_about_the_node_that_sent_another_output(profile: Profile) -> None:
    scenario, state = _decided(profile)
    assert state.app_complaints == frozenset({OTHER})
    assert _check(scenario, state, profile).holds


@pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER], ids=lambda p: p.name)
def test_a_dropped_complaint_is_flagged(profile: Profile) -> None:
    scenario, state = _decided(profile)
    observation = _check(scenario, attrs.evolve(state, app_complaints=frozenset()), profile)
    assert not observation.holds
    assert "no complaint about ['n3']" in observation.detail


def test_a_complaint_about_an_honest_node_is_flagged() -> None:
    scenario, state = _decided(HARDENED)
    wrong = attrs.evolve(state, app_complaints=frozenset({N[0], OTHER}))
    observation = _check(scenario, wrong, HARDENED)
    assert not observation.holds
    assert "complains about ['n0']" in observation.detail


def test_a_settlement_that_records_other_complaints_is_flagged() -> None:
    scenario, state = _decided(HARDENED)
    settled = process_settle_round(
        make_funded_chain(4),
        state,
        cost=ROUND_COST,
        now=state.opened_at + 100,
        params=P,
        profile=HARDENED,
    )
    assert not isinstance(settled, Rejected), settled
    chain, outcome = settled
    view = RoundView(scenario, state, P, HARDENED, outcome=outcome, chain_before=chain)
    assert outcome.app_complaints == (OTHER,) and _holds(view)
    dropped = attrs.evolve(view, outcome=attrs.evolve(outcome, app_complaints=()))
    observation = check_cr_app_complaints(dropped)
    assert observation is not None and not observation.holds
    assert "the settlement has no complaint about ['n3']" in observation.detail
    assert "the round" not in observation.detail


def _holds(view: RoundView) -> bool:
    observation = check_cr_app_complaints(view)
    assert observation is not None
    return observation.holds


def test_a_reveal_refuted_in_public_needs_a_complaint_even_with_a_matching_output() -> None:
    """n0 sent what it revealed, but its revealed h(S_a) is not the one written at F1."""
    scenario, state = _decided(HARDENED)
    forged = attrs.evolve(state.reveals[N[0]], app_salt_hash=bytes(32))
    refuted = attrs.evolve(state, reveals=state.reveals.set(N[0], forged))
    observation = _check(scenario, refuted, HARDENED)
    assert not observation.holds and "no complaint about ['n0']" in observation.detail
    both = attrs.evolve(refuted, app_complaints=frozenset({N[0], OTHER}))
    assert _check(scenario, both, HARDENED).holds


def test_not_checked_before_the_app_verifies() -> None:
    scenario, state = _decided(HARDENED)
    unverified = attrs.evolve(state, app_verified=False, app_complaints=frozenset())
    assert check_cr_app_complaints(RoundView(scenario, unverified, P, HARDENED)) is None
    assert "CR-VERIFIABLE" in {
        o.invariant_id for o in check_round(RoundView(scenario, state, P, HARDENED))
    }


def test_the_exploration_sends_another_output_and_the_app_verifies_after_it() -> None:
    assignment = Assignment(
        (Kind.HONEST, Kind.SENDS_OTHER_OUTPUT),
        (None, None),
        colluding=False,
        app_reveals_salts=True,
    )
    graph, _ = build_round_graph(assignment, params=P, profile=HARDENED)
    verified = [point for point in graph if point.state.app_verified]
    assert verified
    for point in verified:
        assert point.state.app_complaints == frozenset({NodeId("n1")})
    report = explore_rounds(params=P, profile=HARDENED, max_nodes=2)
    result = report.get_result("CR-VERIFIABLE")
    assert result.observed > 0 and result.violations == 0


def test_a_model_whose_app_never_complains_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(round_model, "is_output_consistent", lambda *a, **k: True)
    report = explore_rounds(params=P, profile=HARDENED, max_nodes=1)
    result = report.get_result("CR-VERIFIABLE")
    assert result.violations > 0
    counterexample = result.counterexample
    assert counterexample is not None
    assert counterexample.assignment == "n0 sends-other-output; app honest"
    assert counterexample.steps[-2:] == ("n0 sends its output", "app verifies the outputs")
    assert "no complaint about ['n0']" in counterexample.detail
