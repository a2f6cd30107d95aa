"""§3.2 F8-F9 for real: a node process reveals the correct output and sends the app another.

The node computes, commits and reveals honestly, so the validators count and pay it; the output it
sends the app off-chain (F8) is not the one whose hash it revealed, so the app's check (F9)
complains about it. The executor's record must name that node in its app complaints and equal the
model's record (GROUNDED), under both profiles.
"""

from __future__ import annotations

import pytest
from executor_fixtures import (
    make_call,
    make_plans,
    make_round,
    no_orphan_nodes,  # noqa: F401 - autouse: no node left behind
    predict_run,
)

from executor.engine import CallRun, Executor
from executor.grounding import compare
from executor.scenario import TrustedCall
from model.params import WHITEPAPER_PARAMS
from model.profile import HARDENED, WHITEPAPER, Profile
from model.trusted.behaviour import Behaviour
from oracle.commit import digest

H = Behaviour


def _run(call: TrustedCall, profile: Profile) -> CallRun:
    with Executor() as executor:
        return executor.run_call(call, params=WHITEPAPER_PARAMS, profile=profile)


@pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER], ids=lambda p: p.name)
def test_node_process_sends_another_output__app_complains_and_grounds(profile: Profile) -> None:
    call = make_call(make_round(make_plans(H.HONEST, H.HONEST, H.SENDS_OTHER_OUTPUT)))
    run = _run(call, profile)
    main = run.record.main
    assert main is not None
    # F9: the app complains about exactly the node whose sent output differs from its reveal.
    assert main.app_complaints == ("n2",)
    # It revealed the correct output hash, so consensus counts it and pays it like the others.
    correct = run.reference_outputs[1]
    assert correct is not None
    assert main.consensus
    assert main.agreed_output_hash == digest(correct, "sha256").hex()
    assert main.paid == ("n0", "n1", "n2") and not main.slashed
    # GROUNDED: the model, told the same behaviour, predicts the same record.
    predicted = predict_run(call, run, WHITEPAPER_PARAMS, profile)
    assert compare(run.record, predicted) == ()
    assert run.record == predicted


def test_honest_nodes_send_what_they_revealed__no_complaint() -> None:
    """The control: the same round with every node honest draws no complaint from the app."""
    call = make_call(make_round(make_plans(H.HONEST, H.HONEST, H.HONEST)))
    run = _run(call, HARDENED)
    assert run.record.main is not None and run.record.main.app_complaints == ()
