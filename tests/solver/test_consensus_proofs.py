"""BFT-THRESHOLD, BFT-UNIQUE, BFT-SOUND, BFT-TIMEOUT and BFT-ACCOUNTABLE: proved for every N at
the whitepaper's 2/3 under the hardened profile; each break is re-run through the model."""

from __future__ import annotations

from collections.abc import Callable

import attrs
import pytest
import z3
from model_checks import is_accountable

from model.hashing import compute_hash
from model.ledger import Ledger, create_genesis
from model.params import WHITEPAPER_PARAMS, Params, with_values
from model.profile import HARDENED, WHITEPAPER, Profile
from model.staking import BlockCommit, StakingState, is_block_committed, process_create_validator
from model.trusted.behaviour import Behaviour, NodePlan, Scenario
from model.trusted.decision import is_supermajority
from model.trusted.round import Decision, RoundState
from model.trusted.scenario import RoundRun, run_round_to_decision
from model.units import AccountId, AppId, NodeId, Rejected, ValidatorId
from properties.invariants.base import Observation
from properties.invariants.round import (
    RoundView,
    check_bft_sound,
    check_bft_timeout,
    check_bft_unique,
)
from solver.claim import Claim, ParamMode, ProofResult, ProofStatus
from solver.goals import consensus as goals
from solver.proofs.consensus import CLAIMS
from solver.prove import SolverSettings, prove

IDS = tuple(CLAIMS)
P = WHITEPAPER_PARAMS
FAST = SolverSettings(timeout_ms=20_000)
CAP = 9
"""Test-only bound on the node count of a counterexample, so the model runs a real round on it."""
CORRECT = b"f(x) = y"
COLLUDED = b"the faulty nodes' output"
NUM = z3.Int("consensus.threshold_num")
DEN = z3.Int("consensus.threshold_den")


def threshold(num: int, den: int) -> Params:
    return with_values(
        P, {("consensus", "threshold_num"): num, ("consensus", "threshold_den"): den}
    )


def build(
    invariant_id: str, params: Params, profile: Profile, mode: ParamMode = ParamMode.CONCRETE
) -> Claim:
    return CLAIMS[invariant_id](params, profile, mode)


def solve(claim: Claim, mode: ParamMode = ParamMode.CONCRETE, *extra: z3.BoolRef) -> ProofResult:
    return prove(
        attrs.evolve(claim, assumptions=(*claim.assumptions, *extra)), mode=mode, settings=FAST
    )


def small_counterexample(claim: Claim, size: str = "assigned") -> dict[str, int]:
    """The claim is REFUTED; its counterexample re-solved with `size` <= CAP (test-only cap)."""
    assert solve(claim).status is ProofStatus.REFUTED
    result = solve(claim, ParamMode.CONCRETE, dict(claim.inputs)[size] <= CAP)
    assert result.status is ProofStatus.REFUTED, result.reason
    values = {name: int(value) for name, value in result.counterexample}
    assert values[size] <= CAP
    return values


# --- Running the counterexample's counts as a real round ------------------------------------------


def node(index: int) -> NodeId:
    return NodeId(f"n{index:02d}")


def scenario_of(groups: list[tuple[int, NodePlan]]) -> Scenario:
    """A round with `count` nodes of each plan (the plan's node id is replaced per node)."""
    plans: list[NodePlan] = []
    for count, plan in groups:
        start = len(plans)
        plans.extend(attrs.evolve(plan, node=node(start + i)) for i in range(count))
    return Scenario(
        round_id=1, app=AppId("app"), plans=tuple(plans), correct_output=CORRECT, seed=b"z3"
    )


def plan(behaviour: Behaviour, *, wronged: bool = False, output: bytes | None = None) -> NodePlan:
    return NodePlan(NodeId("_"), behaviour, wrong_output=output, gets_wrong_app_salt=wronged)


def decide(scenario: Scenario, params: Params, profile: Profile) -> tuple[RoundState, Decision]:
    run = run_round_to_decision(scenario, params=params, profile=profile)
    assert isinstance(run, RoundRun), run
    assert run.state.decision is not None
    return run.state, run.state.decision


def observe(
    checker: Callable[[RoundView], Observation | None],
    scenario: Scenario,
    params: Params,
    profile: Profile,
) -> Observation | None:
    state, _ = decide(scenario, params, profile)
    return checker(RoundView(scenario, state, params, profile))


def threshold_round(values: dict[str, int]) -> Scenario:
    """`agree` honest reveals; the other committed nodes never reveal; the rest never commit."""
    agree, committed, assigned = values["agree"], values["committed"], values["assigned"]
    return scenario_of(
        [
            (agree, plan(Behaviour.HONEST)),
            (committed - agree, plan(Behaviour.NO_REVEAL)),
            (assigned - committed, plan(Behaviour.NO_COMMIT)),
        ]
    )


# --- Proved at 2/3 --------------------------------------------------------------------------------


@pytest.mark.parametrize("invariant_id", IDS)
def test_proved_for_the_whitepaper_parameters_under_hardened(invariant_id: str) -> None:
    result = solve(build(invariant_id, P, HARDENED))
    assert result.status is ProofStatus.PROVED, result.counterexample
    assert result.logic == "QF_LIA"
    assert result.milliseconds < 200


@pytest.mark.parametrize(
    ("invariant_id", "status"),
    [
        ("BFT-THRESHOLD", ProofStatus.REFUTED),
        ("BFT-UNIQUE", ProofStatus.PROVED),
        ("BFT-SOUND", ProofStatus.REFUTED),
        ("BFT-TIMEOUT", ProofStatus.REFUTED),
        ("BFT-ACCOUNTABLE", ProofStatus.PROVED),
    ],
)
def test_whitepaper_profile_breaks_what_counts_only_committed_nodes(
    invariant_id: str, status: ProofStatus
) -> None:
    assert solve(build(invariant_id, P, WHITEPAPER)).status is status


@pytest.mark.parametrize("invariant_id", IDS)
def test_node_counts_are_unbounded(invariant_id: str) -> None:
    # "For every N": the domain holds counts (or powers) beyond any bound a loop could reach.
    claim = build(invariant_id, P, HARDENED)
    size = "power.neither" if invariant_id == "BFT-ACCOUNTABLE" else "assigned"
    domain = z3.Solver()
    domain.add(*claim.assumptions, dict(claim.inputs)[size] >= 10**30)
    assert domain.check() == z3.sat


# --- BFT-THRESHOLD --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "profile"),
    [(threshold(1, 2), HARDENED), (threshold(3, 4), HARDENED), (P, WHITEPAPER)],
    ids=["threshold-1/2", "threshold-3/4", "whitepaper-profile"],
)
def test_threshold_refuted_and_the_round_decides_against_two_thirds(
    params: Params, profile: Profile
) -> None:
    values = small_counterexample(build("BFT-THRESHOLD", params, profile))
    _, decision = decide(threshold_round(values), params, profile)
    two_thirds = 3 * values["agree"] > 2 * values["assigned"]
    assert decision.consensus is not two_thirds
    if decision.consensus:
        assert len(decision.supermajority) == values["agree"]


@pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER], ids=lambda p: p.name)
def test_threshold_claim_agrees_with_real_rounds_on_small_counts(profile: Profile) -> None:
    claim = build("BFT-THRESHOLD", P, profile)
    terms = dict(claim.inputs)
    for assigned in range(1, 5):
        for committed in range(assigned + 1):
            for agree in range(committed + 1):
                values = {"assigned": assigned, "committed": committed, "agree": agree}
                pairs = [(terms[name], z3.IntVal(value)) for name, value in values.items()]
                claimed = z3.is_true(z3.simplify(z3.substitute(claim.goal, *pairs)))
                _, decision = decide(threshold_round(values), P, profile)
                assert decision.base == (assigned if profile is HARDENED else committed)
                assert claimed is (decision.consensus == (3 * agree > 2 * assigned)), values


# --- BFT-UNIQUE -----------------------------------------------------------------------------------


@pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER], ids=lambda p: p.name)
def test_unique_refuted_at_one_third_and_two_outputs_pass(profile: Profile) -> None:
    params = threshold(1, 3)
    values = small_counterexample(build("BFT-UNIQUE", params, profile))
    first, second = values["first"], values["second"]
    assert first > 0 and second > 0
    scenario = scenario_of(
        [
            (first, plan(Behaviour.HONEST)),
            (second, plan(Behaviour.WRONG_OUTPUT, output=COLLUDED)),
            (values["committed"] - first - second, plan(Behaviour.NO_REVEAL)),
            (values["assigned"] - values["committed"], plan(Behaviour.NO_COMMIT)),
        ]
    )
    _, decision = decide(scenario, params, profile)
    assert decision.groups_over_threshold == 2
    observation = observe(check_bft_unique, scenario, params, profile)
    assert observation is not None and not observation.holds


# --- BFT-SOUND ------------------------------------------------------------------------------------


def sound_round(values: dict[str, int]) -> Scenario:
    """Wronged honest nodes abstain; the faulty group colludes on one wrong output; the other
    faulty nodes commit and stay silent, or never commit."""
    faulty, wronged = values["faulty"], values["wronged"]
    committed, group = values["faulty_committed"], values["faulty_group"]
    return scenario_of(
        [
            (values["assigned"] - faulty - wronged, plan(Behaviour.HONEST)),
            (wronged, plan(Behaviour.HONEST, wronged=True)),
            (group, plan(Behaviour.WRONG_OUTPUT, output=COLLUDED)),
            (committed - group, plan(Behaviour.NO_REVEAL)),
            (faulty - committed, plan(Behaviour.NO_COMMIT)),
        ]
    )


def test_sound_refuted_under_whitepaper_by_wronged_honest_nodes() -> None:
    values = small_counterexample(build("BFT-SOUND", P, WHITEPAPER))
    assert 3 * values["faulty"] < values["assigned"]
    scenario = sound_round(values)
    observation = observe(check_bft_sound, scenario, P, WHITEPAPER)
    assert observation is not None and not observation.holds
    # The same round under the hardened profile counts every assigned node: no wrong consensus.
    hardened = observe(check_bft_sound, scenario, P, HARDENED)
    assert hardened is None or hardened.holds


def test_sound_refuted_under_hardened_below_one_third() -> None:
    params = threshold(1, 4)
    claim = build("BFT-SOUND", params, HARDENED)
    values = small_counterexample(claim)
    scenario = sound_round(values)
    state, decision = decide(scenario, params, HARDENED)
    # The faulty group passes: it is the decision (BFT-SOUND) or a second passing output.
    group = [n for n in decision.counted if state.reveals[n].output_hash != _correct_hash()]
    assert len(group) == values["faulty_group"]
    assert is_supermajority(len(group), decision.base, params)
    view = RoundView(scenario, state, params, HARDENED)
    observations = [check_bft_sound(view), check_bft_unique(view)]
    assert any(o is not None and not o.holds for o in observations)


def _correct_hash() -> bytes:
    return compute_hash(CORRECT)


# --- BFT-TIMEOUT ----------------------------------------------------------------------------------


def timeout_round(values: dict[str, int]) -> Scenario:
    agree, revealed = values["agree"], values["revealed"]
    committed, assigned = values["committed"], values["assigned"]
    return scenario_of(
        [
            (agree, plan(Behaviour.HONEST)),
            (revealed - agree, plan(Behaviour.WRONG_OUTPUT)),
            (committed - revealed, plan(Behaviour.NO_REVEAL)),
            (assigned - committed, plan(Behaviour.NO_COMMIT)),
        ]
    )


def test_timeout_refuted_under_whitepaper_by_silent_nodes() -> None:
    values = small_counterexample(build("BFT-TIMEOUT", P, WHITEPAPER))
    assert values["committed"] < values["assigned"]
    scenario = timeout_round(values)
    observation = observe(check_bft_timeout, scenario, P, WHITEPAPER)
    assert observation is not None and not observation.holds
    hardened = observe(check_bft_timeout, scenario, P, HARDENED)
    assert hardened is None or hardened.holds


def test_timeout_refuted_under_hardened_at_one_half() -> None:
    params = threshold(1, 2)
    values = small_counterexample(build("BFT-TIMEOUT", params, HARDENED))
    _, decision = decide(timeout_round(values), params, HARDENED)
    # A minority of the assigned nodes (3 * agree <= 2 * N) reached consensus.
    assert decision.consensus
    assert 3 * len(decision.supermajority) <= 2 * values["assigned"]


# --- BFT-ACCOUNTABLE ------------------------------------------------------------------------------

CLASSES = ("power.both", "power.only_a", "power.only_b", "power.neither")


def staking_of(values: dict[str, int]) -> StakingState:
    """One validator per class of non-zero power, self-bonded with that power."""
    powers = {name: values[name] for name in CLASSES if values[name] > 0}
    operators = {name: AccountId(f"op-{name}") for name in powers}
    ledger = create_genesis({operators[name]: power for name, power in powers.items()})
    assert isinstance(ledger, Ledger), ledger
    staking = StakingState()
    for name, power in powers.items():
        created = process_create_validator(
            ledger, staking, validator=ValidatorId(name), operator=operators[name], self_bond=power
        )
        assert not isinstance(created, Rejected), created
        ledger, staking = created
    return staking


def commits_of(values: dict[str, int]) -> tuple[BlockCommit, BlockCommit]:
    present = {name for name in CLASSES if values[name] > 0}
    signers_a = {ValidatorId(n) for n in ("power.both", "power.only_a") if n in present}
    signers_b = {ValidatorId(n) for n in ("power.both", "power.only_b") if n in present}
    return (
        BlockCommit(height=5, round=0, block_hash="A", signers=frozenset(signers_a)),
        BlockCommit(height=5, round=0, block_hash="B", signers=frozenset(signers_b)),
    )


@pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER], ids=lambda p: p.name)
def test_accountable_refuted_at_one_half_and_the_model_agrees(profile: Profile) -> None:
    params = threshold(1, 2)
    result = solve(build("BFT-ACCOUNTABLE", params, profile))
    assert result.status is ProofStatus.REFUTED
    values = {name: int(value) for name, value in result.counterexample}
    assert len([n for n in CLASSES if values[n] > 0]) <= params.consensus.max_validators
    staking = staking_of(values)
    commit_a, commit_b = commits_of(values)
    assert is_block_committed(staking, params, commit_a.signers)
    assert is_block_committed(staking, params, commit_b.signers)
    assert not is_accountable(staking, params, commit_a, commit_b)
    # At 2/3 the same validator set cannot commit both blocks.
    assert is_accountable(staking, P, commit_a, commit_b)


# --- Every parameter set in the domain ------------------------------------------------------------

SAFE = {
    "BFT-THRESHOLD": 3 * NUM == 2 * DEN,
    "BFT-UNIQUE": 2 * NUM >= DEN,
    "BFT-SOUND": 3 * NUM >= DEN,
    "BFT-TIMEOUT": 3 * NUM >= 2 * DEN,
    "BFT-ACCOUNTABLE": 3 * NUM >= 2 * DEN,
}
"""Under the hardened profile, the thresholds num/den (< 1) where each claim holds for every N."""


def free_threshold(invariant_id: str, profile: Profile = HARDENED) -> Claim:
    """The claim for all parameters with the threshold free as well (num < den), where the
    default claim keeps the whitepaper's 2/3: to map where each claim holds."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(goals, "WHITEPAPER_THRESHOLD", {})
        claim = build(invariant_id, P, profile, ParamMode.ALL_PARAMS)
    return attrs.evolve(claim, assumptions=(*claim.assumptions, NUM < DEN))


@pytest.mark.parametrize("invariant_id", IDS)
def test_all_params_keeps_the_whitepaper_threshold_and_proves(invariant_id: str) -> None:
    claim = build(invariant_id, P, HARDENED, ParamMode.ALL_PARAMS)
    assert solve(claim, ParamMode.ALL_PARAMS).status is ProofStatus.PROVED
    # The threshold is 2/3 in the query, every other key a variable.
    assert "consensus.threshold_num" not in dict(claim.inputs)


@pytest.mark.parametrize("invariant_id", IDS)
def test_all_params_names_an_unsafe_threshold(invariant_id: str) -> None:
    claim = free_threshold(invariant_id)
    assert claim.logic == "QF_NIA"
    result = solve(claim, ParamMode.ALL_PARAMS)
    assert result.status is ProofStatus.REFUTED, result.reason
    values = dict(result.counterexample)
    num, den = int(values["consensus.threshold_num"]), int(values["consensus.threshold_den"])
    assert 1 <= num < den <= 1000
    substituted = z3.substitute(SAFE[invariant_id], (NUM, z3.IntVal(num)), (DEN, z3.IntVal(den)))
    assert z3.is_false(z3.simplify(substituted))


@pytest.mark.parametrize("invariant_id", IDS)
def test_all_params_proves_the_safe_region_and_refutes_the_rest(invariant_id: str) -> None:
    claim = free_threshold(invariant_id)
    region = SAFE[invariant_id]
    assert solve(claim, ParamMode.ALL_PARAMS, region).status is ProofStatus.PROVED
    assert solve(claim, ParamMode.ALL_PARAMS, z3.Not(region)).status is ProofStatus.REFUTED


def test_all_params_accountable_counterexample_fails_in_the_model() -> None:
    result = solve(free_threshold("BFT-ACCOUNTABLE"), ParamMode.ALL_PARAMS)
    values = {name: int(value) for name, value in result.counterexample}
    params = threshold(values["consensus.threshold_num"], values["consensus.threshold_den"])
    commit_a, commit_b = commits_of(values)
    assert not is_accountable(staking_of(values), params, commit_a, commit_b)


def test_all_params_threshold_counterexample_fails_in_the_model() -> None:
    result = solve(free_threshold("BFT-THRESHOLD"), ParamMode.ALL_PARAMS)
    values = {name: int(value) for name, value in result.counterexample}
    params = threshold(values["consensus.threshold_num"], values["consensus.threshold_den"])
    # Hardened: the base is every assigned node (checked on real rounds above).
    passes = is_supermajority(values["agree"], values["assigned"], params)
    assert passes is not (3 * values["agree"] > 2 * values["assigned"])
