"""BFT-DEVIATION: proved for every N and every deviation the hardened constitution allows (at
most 3333 bps, F10 kept); refuted under the literal §4.3.3 (c), whose counterexample is re-run
through the model as a real round."""

from __future__ import annotations

import attrs
import pytest
from solver_fixtures import FAST, refuted, run

from model.params import WHITEPAPER_PARAMS, with_values
from model.profile import HARDENED, WHITEPAPER, Profile
from model.trusted.behaviour import Behaviour, NodePlan, Scenario
from model.trusted.scenario import run_round_to_decision
from model.units import AppId, NodeId, Rejected
from properties.invariants.round import RoundView
from properties.invariants.services import check_bft_deviation
from solver.claim import ParamMode, ProofStatus
from solver.proofs.services import claim_bft_deviation
from solver.prove import prove

P = WHITEPAPER_PARAMS
CAP = 8
"""Test-only bound on the node count of a counterexample, so the model runs a real round on it."""


@pytest.mark.parametrize("mode", [ParamMode.CONCRETE, ParamMode.ALL_PARAMS])
def test_hardened__proved(mode: ParamMode) -> None:
    assert run("BFT-DEVIATION", P, HARDENED, mode).status is ProofStatus.PROVED


def test_hardened_half_allowed__still_proved_by_f10() -> None:
    """A proposal raising the bound to 50% keeps F10 under the hardened rule: still one output."""
    params = with_values(P, {("market", "max_deviation_bps"): 5_000})
    assert run("BFT-DEVIATION", params, HARDENED).status is ProofStatus.PROVED


def test_whitepaper__refuted() -> None:
    values = refuted(run("BFT-DEVIATION", P, WHITEPAPER))
    assert values["deviation"] >= 5_000
    assert values["first"] + values["second"] <= values["committed"] <= values["assigned"]


def _small(profile: Profile) -> dict[str, int]:
    """A counterexample of at most CAP nodes, all of which reveal."""
    claim = claim_bft_deviation(P, profile, ParamMode.CONCRETE)
    inputs = dict(claim.inputs)
    assigned, committed = inputs["assigned"], inputs["committed"]
    # Every node commits and reveals: N is the same for the model and the checker.
    small = (assigned <= CAP, committed == assigned, inputs["first"] + inputs["second"] == assigned)
    bounded = attrs.evolve(claim, assumptions=(*claim.assumptions, *small))
    return refuted(prove(bounded, mode=ParamMode.CONCRETE, settings=FAST))


def test_whitepaper_counterexample__two_outputs_agree_in_a_real_round() -> None:
    values = _small(WHITEPAPER)
    first, second = values["first"], values["second"]
    plans = [NodePlan(NodeId(f"n{i:02d}")) for i in range(first)]
    plans += [
        NodePlan(NodeId(f"n{first + i:02d}"), Behaviour.WRONG_OUTPUT, wrong_output=b"other")
        for i in range(second)
    ]
    scenario = Scenario(
        round_id=1,
        app=AppId("app"),
        plans=tuple(plans),
        correct_output=b"f(x) = y",
        seed=b"z3",
        deviation_bps=values["deviation"],
    )
    result = run_round_to_decision(scenario, params=P, profile=WHITEPAPER)
    assert not isinstance(result, Rejected)
    decision = result.state.decision
    assert decision is not None and decision.groups_over_threshold == 2
    view = RoundView(scenario=scenario, state=result.state, params=P, profile=WHITEPAPER)
    observation = check_bft_deviation(view)
    assert observation is not None and not observation.holds
