"""Builders shared by the executor tests: rounds and calls of honest or misbehaving nodes."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from executor.engine import CallRun, resolve_function
from executor.pool import get_live_groups
from executor.scenario import CallRecord, ExecRound, NodeFault, TrustedCall, predict
from model.params import Params
from model.profile import Profile
from model.trusted.behaviour import Behaviour, NodePlan, Scenario
from model.units import AppId, NodeId

APP = AppId("app")
COMPUTE_INPUT = b'{"n": 100}'
USAGE = json.dumps({"cpu_ms": 250, "memory_mb_s": 40, "requests": 3, "bytes_out": 10_000}).encode()


def make_plans(
    *behaviours: Behaviour, copy_from: dict[int, int] | None = None
) -> tuple[NodePlan, ...]:
    """Nodes n0, n1, ... with these behaviours; `copy_from` maps a copier's index to its target's."""
    targets = copy_from or {}
    return tuple(
        NodePlan(
            node=NodeId(f"n{i}"),
            behaviour=b,
            copy_from=NodeId(f"n{targets[i]}") if i in targets else None,
        )
        for i, b in enumerate(behaviours)
    )


def make_round(
    plans: tuple[NodePlan, ...],
    *,
    function: str = "compute",
    data: bytes = COMPUTE_INPUT,
    faults: tuple[NodeFault, ...] = (),
    round_id: int = 2,
    start: int = 1_000,
    app_reveals_salts: bool = True,
) -> ExecRound:
    """One round of `plans` on a real function."""
    scenario = Scenario(
        round_id=round_id,
        app=APP,
        plans=plans,
        correct_output=b"",
        seed=b"seed-%d" % round_id,
        start=start,
        app_reveals_salts=app_reveals_salts,
    )
    return ExecRound(scenario, resolve_function(function), data, faults)


def make_call(main: ExecRound) -> TrustedCall:
    """`main` paid for by an all-honest billing round of the same nodes."""
    honest = tuple(NodePlan(node=p.node) for p in main.scenario.plans)
    billing = make_round(honest, function="billing", data=USAGE, round_id=1, start=0)
    return TrustedCall(billing=billing, main=main)


def honest(n: int) -> tuple[NodePlan, ...]:
    """n honest nodes."""
    return make_plans(*([Behaviour.HONEST] * n))


@pytest.fixture(autouse=True)
def no_orphan_nodes() -> Iterator[None]:
    """After the test, no process group the executor started has a process left in it."""
    yield
    assert get_live_groups() == []


def predict_run(call: TrustedCall, run: CallRun, params: Params, profile: Profile) -> CallRecord:
    """The model's record for a call the executor ran, from the same reference outputs."""
    return predict(
        call,
        billing_output=run.reference_outputs[0],
        main_output=run.reference_outputs[1],
        params=params,
        profile=profile,
    )
