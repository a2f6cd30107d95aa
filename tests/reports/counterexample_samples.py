"""Counterexamples of every engine under the literal whitepaper, built fast for the reports' tests.

The machine traces are the shrunk ones `run_properties` finds (docs/findings.md), replayed here to
get their detail, so a test need not run the machine; the exploration path comes from the real
bounded search; the executor call is §3.5.5's mismatching reveal, which the executor's own tests
show breaks CR-BINDING under the literal reading.
"""

from __future__ import annotations

import functools
from fractions import Fraction

from executor.engine import resolve_function
from executor.grounding import ExecutorCounterexample, describe_call
from executor.scenario import ExecRound, NodeFault, TrustedCall
from model.chain.actions import Action, RunRound, SlashValidator, Transfer
from model.chain.state import Genesis
from model.ledger import Token
from model.params import WHITEPAPER_PARAMS
from model.profile import WHITEPAPER, Profile
from model.trusted.behaviour import Behaviour, NodePlan, Scenario
from model.units import AccountId, AppId, NodeId, ValidatorId
from properties.explore import ExplorationReport, explore_rounds
from properties.regression import render_regression_test, to_python
from properties.replay import replay
from properties.runner import Counterexample

GENESIS = Genesis(
    user_ustr=(0, 0, 0),
    user_ustb=(0, 0, 0),
    validator_bonds=(1, 1, 1),
    node_stakes=(1, 1, 1, 1),
    developer_ustr=10**15,
    developer_ustb=10**15,
    prepay_ustr=10**14,
    prepay_ustb=10**14,
    price=Fraction(1, 1),
)
"""The genesis the machine shrinks its whitepaper counterexamples to."""

SIX_SLASHES: tuple[Action, ...] = (SlashValidator(ValidatorId("v0")),) * 6
"""SLASH-BOUNDS: the sixth slash in one window asks for 16,000 bps."""

MISMATCHED_REVEAL: tuple[Action, ...] = (
    # Refused (a node operator holds no STB), so the trace shows a refusal before the round.
    Transfer(AccountId("op-n0"), AccountId("user-0"), Token.STB, 1),
    RunRound(
        AppId("app-0"),
        (NodePlan(NodeId("n0")), NodePlan(NodeId("n1"), Behaviour.REVEAL_MISMATCH)),
        100_000_000,
    ),
)
"""CR-BINDING: a node that reveals a hash it did not commit to is paid."""


def make_machine_counterexample(
    invariant_id: str, actions: tuple[Action, ...], *, profile: Profile = WHITEPAPER, seed: int = 0
) -> Counterexample:
    """A machine counterexample as the runner records it; the replay must break `invariant_id`."""
    replayed = replay(GENESIS, actions, params=WHITEPAPER_PARAMS, profile=profile)
    details = [v.detail for v in replayed.violations if v.invariant_id == invariant_id]
    assert details, f"the trace does not break {invariant_id} under {profile.name}"
    imports: set[tuple[str, str]] = set()
    return Counterexample(
        invariant_id=invariant_id,
        detail=details[0],
        source="machine",
        steps=tuple(to_python(item, imports) for item in (GENESIS, *actions)),
        genesis=GENESIS,
        actions=actions,
        regression_test=render_regression_test(
            invariant_id=invariant_id,
            detail=details[0],
            genesis=GENESIS,
            actions=actions,
            params=WHITEPAPER_PARAMS,
            profile_name=profile.name,
            seed=seed,
        ),
    )


@functools.cache
def explore_whitepaper(max_nodes: int = 2) -> ExplorationReport:
    """The literal reading's exhaustive round search (0.2 s at two nodes), once per process."""
    return explore_rounds(params=WHITEPAPER_PARAMS, profile=WHITEPAPER, max_nodes=max_nodes)


def make_exploration_counterexample(invariant_id: str, *, max_nodes: int = 2) -> Counterexample:
    """The shortest round path to `invariant_id`'s break, as the runner records it."""
    path = explore_whitepaper(max_nodes).get_result(invariant_id).counterexample
    assert path is not None, f"the search does not break {invariant_id}"
    return Counterexample(
        invariant_id=invariant_id,
        detail=path.detail,
        source="exploration",
        steps=(path.assignment, *path.steps),
    )


def make_round(
    plans: tuple[NodePlan, ...],
    *,
    function: str,
    data: bytes,
    round_id: int,
    faults: tuple[NodeFault, ...] = (),
) -> ExecRound:
    """One executor round of `plans` on a fixture function."""
    scenario = Scenario(
        round_id=round_id,
        app=AppId("app"),
        plans=plans,
        correct_output=b"",
        seed=b"seed-%d" % round_id,
        start=1_000 * (round_id - 1),
    )
    return ExecRound(scenario, resolve_function(function), data, faults)


def make_call(*behaviours: Behaviour, faults: tuple[NodeFault, ...] = ()) -> TrustedCall:
    """A main round of nodes n0, n1, ... with these behaviours, paid for by an honest billing."""
    nodes = [NodeId(f"n{index}") for index in range(len(behaviours))]
    plans = tuple(
        NodePlan(node, behaviour) for node, behaviour in zip(nodes, behaviours, strict=True)
    )
    usage = b'{"cpu_ms": 250, "memory_mb_s": 40, "requests": 3, "bytes_out": 10000}'
    billing = make_round(
        tuple(NodePlan(node) for node in nodes), function="billing", data=usage, round_id=1
    )
    main = make_round(plans, function="compute", data=b'{"n": 100}', round_id=2, faults=faults)
    return TrustedCall(billing=billing, main=main)


def make_executor_counterexample(
    invariant_id: str = "CR-BINDING", call: TrustedCall | None = None
) -> ExecutorCounterexample:
    """§3.5.5 run for real: three honest nodes and one that reveals what it did not commit to."""
    h = Behaviour.HONEST
    chosen = call or make_call(h, h, h, Behaviour.REVEAL_MISMATCH)
    detail = "reveals of ['n3'] do not open their commits"
    return ExecutorCounterexample(invariant_id, detail, chosen, describe_call(chosen))
