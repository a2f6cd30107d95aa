"""§3.2 F8-F9 in the model: a node that sends the app an output other than the one it revealed.

SENDS_OTHER_OUTPUT computes, commits and reveals the correct output, then sends the app another
output at F8. The app's check at F9 must complain about exactly that node, under both profiles;
the validators, who see only the on-chain reveal, count and pay it like an honest node.
"""

from __future__ import annotations

import pytest
from trusted_fixtures import COST, make_chain, make_scenario, node_id

from model.hashing import compute_hash
from model.params import WHITEPAPER_PARAMS
from model.profile import HARDENED, WHITEPAPER, Profile
from model.trusted.behaviour import BEHAVIOURS_THAT_COMPUTE, Behaviour, NodePlan
from model.trusted.round import Phase
from model.trusted.scenario import (
    RoundRun,
    get_node_output,
    get_sent_output,
    run_round_to_decision,
)
from model.trusted.settlement import process_settle_round
from model.units import Rejected

P = WHITEPAPER_PARAMS
B = Behaviour
PROFILES = [HARDENED, WHITEPAPER]


def _run(behaviours: list[Behaviour], profile: Profile) -> RoundRun:
    run = run_round_to_decision(make_scenario(behaviours), params=P, profile=profile)
    assert isinstance(run, RoundRun), run
    return run


def test_the_behaviour_computes_and_sends_another_output() -> None:
    scenario = make_scenario([B.HONEST, B.SENDS_OTHER_OUTPUT])
    plan = scenario.plan_of(node_id(1))
    assert B.SENDS_OTHER_OUTPUT in BEHAVIOURS_THAT_COMPUTE
    assert get_node_output(scenario, plan) == scenario.correct_output
    assert get_sent_output(scenario, plan) != scenario.correct_output
    honest = NodePlan(node_id(0))
    assert get_sent_output(scenario, honest) == get_node_output(scenario, honest)


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
def test_app_complains_about_exactly_the_node_that_sent_another_output(profile: Profile) -> None:
    run = _run([B.HONEST, B.HONEST, B.HONEST, B.SENDS_OTHER_OUTPUT], profile)
    state, other = run.state, node_id(3)
    assert run.refused == ()
    assert state.phase is Phase.DECIDED and state.app_verified
    # It revealed the correct output's hash and sent the app something else (F8).
    assert state.reveals[other].output_hash == compute_hash(b"f(a) = b")
    assert compute_hash(state.outputs[other]) != state.reveals[other].output_hash
    assert state.app_complaints == frozenset({other})
    chain = make_chain(4)
    assert run.decided_at is not None
    settled = process_settle_round(
        chain, state, cost=COST, now=run.decided_at, params=P, profile=profile
    )
    assert not isinstance(settled, Rejected), settled
    _, outcome = settled
    assert outcome.app_complaints == (other,)
    assert outcome.consensus and other in outcome.paid and not outcome.slashed


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
def test_two_such_nodes_are_both_named_and_honest_ones_never(profile: Profile) -> None:
    run = _run([B.SENDS_OTHER_OUTPUT, B.HONEST, B.WRONG_OUTPUT, B.SENDS_OTHER_OUTPUT], profile)
    # The wrong-output node sends what it revealed: F9 does not complain about it.
    assert run.state.app_complaints == frozenset({node_id(0), node_id(3)})


def test_an_honest_round_draws_no_complaint() -> None:
    run = _run([B.HONEST] * 4, HARDENED)
    assert run.state.app_verified and run.state.app_complaints == frozenset()
