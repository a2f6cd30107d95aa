"""The attacks of §3.5, run for real: copied commit, wrong app salt, stalled reveal, mismatching reveal.

Each runs with real node processes under both profiles; the executor's record must equal the
model's (GROUNDED), and the executor's own checks must say what the profile predicts: the hardened
reading stops the attack, the literal one lets some through.
"""

from __future__ import annotations

import attrs
import pytest
from executor_fixtures import (
    make_call,
    make_plans,
    make_round,
    no_orphan_nodes,  # noqa: F401 - autouse: no node left behind
    predict_run,
)

from executor.checks import Observation, check_settled_round
from executor.engine import CallRun, Executor
from executor.grounding import settled_rounds
from executor.scenario import TrustedCall
from model.params import WHITEPAPER_PARAMS
from model.profile import HARDENED, WHITEPAPER, Profile
from model.trusted.behaviour import Behaviour
from model.trusted.settlement import RoundOutcome

H = Behaviour


def run_attack(
    call: TrustedCall, profile: Profile
) -> tuple[RoundOutcome, CallRun, dict[str, bool]]:
    """Run the call, assert GROUNDED, return the main outcome and each X check's verdict."""
    with Executor() as executor:
        run = executor.run_call(call, params=WHITEPAPER_PARAMS, profile=profile)
    predicted = predict_run(call, run, WHITEPAPER_PARAMS, profile)
    assert run.record == predicted
    assert run.record.main is not None
    observations: list[Observation] = []
    for settled in settled_rounds(run, call, WHITEPAPER_PARAMS, profile):
        if settled.round is call.main:
            observations.extend(check_settled_round(settled))
    verdicts: dict[str, bool] = {}
    for o in observations:
        verdicts[o.invariant_id] = verdicts.get(o.invariant_id, True) and o.holds
    return run.record.main, run, verdicts


def test_copied_commit__hardened() -> None:
    """§3.5.3: n3 copies n0's commit; recomputing it with n3's own salt fails: slashed, unpaid."""
    call = make_call(
        make_round(make_plans(H.HONEST, H.HONEST, H.HONEST, H.COPY_COMMIT, copy_from={3: 0}))
    )
    main, _, verdicts = run_attack(call, HARDENED)
    assert main.consensus and main.paid == ("n0", "n1", "n2")
    assert [s.node for s in main.slashed] == ["n3"]
    assert verdicts["CR-NO-COPY"] and verdicts["CR-BINDING"]


def test_copied_commit__whitepaper() -> None:
    """Literal F7 reveals only h(S_N): nobody can recompute the copied commit, so the copier is paid."""
    call = make_call(
        make_round(make_plans(H.HONEST, H.HONEST, H.HONEST, H.COPY_COMMIT, copy_from={3: 0}))
    )
    main, _, verdicts = run_attack(call, WHITEPAPER)
    assert main.consensus and "n3" in main.paid and not main.slashed
    assert verdicts["CR-NO-COPY"] is False
    assert verdicts["CR-BINDING"] is False


@pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER], ids=lambda p: p.name)
def test_wrong_app_salt(profile: Profile) -> None:
    """§3.5.2: the app sends n1 a salt not matching its on-chain hash; n1 complains, abstains."""
    plans = make_plans(H.HONEST, H.HONEST, H.HONEST, H.HONEST)
    plans = (plans[0], attrs.evolve(plans[1], gets_wrong_app_salt=True), *plans[2:])
    main, run, verdicts = run_attack(make_call(make_round(plans)), profile)
    assert main.abstained == ("n1",) and "n1" not in main.committed
    assert main.consensus and main.paid == ("n0", "n2", "n3")
    assert verdicts["CR-APP-SALT"]
    assert run.main_log is not None and run.main_log.abstained == frozenset({"n1"})


@pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER], ids=lambda p: p.name)
@pytest.mark.parametrize("stall", [H.NO_REVEAL, H.LATE_REVEAL], ids=lambda b: b.value)
def test_stalled_reveal(profile: Profile, stall: Behaviour) -> None:
    """§3.5.4: two of four nodes commit and never reveal in time: no consensus, payment locked."""
    call = make_call(make_round(make_plans(H.HONEST, H.HONEST, stall, stall)))
    main, run, _ = run_attack(call, profile)
    assert main.committed == ("n0", "n1", "n2", "n3") and main.revealed == ("n0", "n1")
    assert not main.consensus and not main.paid
    assert main.escrow_locked == ("n0", "n1")
    assert run.main_log is not None
    late = [why for _, node, why in run.main_log.refused if node in ("n2", "n3")]
    assert late == (["reveal after the reveal timeout"] * 2 if stall is H.LATE_REVEAL else [])


def test_mismatching_reveal__hardened() -> None:
    """§3.5.5: n3 commits to a guess, then reveals the hash the others revealed: slashed."""
    call = make_call(make_round(make_plans(H.HONEST, H.HONEST, H.HONEST, H.REVEAL_MISMATCH)))
    main, _, verdicts = run_attack(call, HARDENED)
    assert [s.node for s in main.slashed] == ["n3"] and "n3" not in main.paid
    assert main.consensus and main.paid == ("n0", "n1", "n2")
    assert verdicts["CR-BINDING"]


def test_mismatching_reveal__whitepaper() -> None:
    """Under the literal reveal the mismatch cannot be seen: the guesser is paid (CR-BINDING fails)."""
    call = make_call(make_round(make_plans(H.HONEST, H.HONEST, H.HONEST, H.REVEAL_MISMATCH)))
    main, _, verdicts = run_attack(call, WHITEPAPER)
    assert "n3" in main.paid and not main.slashed
    assert verdicts["CR-BINDING"] is False


def test_withheld_app_salts__whitepaper_stalls_hardened_expires() -> None:
    """F6: an app that never reveals its salts stalls the literal round; hardened expires it."""
    call = make_call(make_round(make_plans(H.HONEST, H.HONEST, H.HONEST), app_reveals_salts=False))
    with Executor() as executor:
        stalled = executor.run_call(call, params=WHITEPAPER_PARAMS, profile=WHITEPAPER)
        expired = executor.run_call(call, params=WHITEPAPER_PARAMS, profile=HARDENED)
    assert stalled.record.stalled == "main" and stalled.record.main is None
    assert expired.record.main is not None and expired.record.main.app_withheld_salts
    assert expired.record.main.escrow_locked == ("n0", "n1", "n2")
