"""GROUNDED compares when each step of a round happened, not only what it decided.

Both records carry the protocol clock's times: when the commit phase closed (§3.2 F5), when each
reveal was recorded (F7), when the round was decided or expired (§3.3 F10, hardened F6) and so
slashed (F11), and the commits and reveals the chain refused, each at the time it was tried. The
executor's times come from its own slots; the model's from its round state and run. A model whose
timing is off (a late reveal tried at the wrong time, an expiry at the wrong time) disagrees even
when every outcome is the same.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import pytest
from executor_fixtures import (
    make_call,
    make_plans,
    make_round,
    no_orphan_nodes,  # noqa: F401 - autouse: no node left behind
    predict_run,
)

from executor.books import Books
from executor.engine import CallRun, Executor
from executor.grounding import compare, describe_difference
from executor.records import RefusedStep
from executor.scenario import (
    NODE_STAKE_USTR,
    CallRecord,
    TrustedCall,
    decode_usage,
    make_model_chain,
    to_model_scenario,
)
from executor.validators import settle
from model.params import WHITEPAPER_PARAMS
from model.profile import HARDENED, WHITEPAPER, Profile
from model.trusted import scenario as model_scenario
from model.trusted.behaviour import Behaviour
from model.trusted.billing import run_trusted_function
from model.units import NodeId, Rejected, Seconds

H = Behaviour
PARAMS = WHITEPAPER_PARAMS
T0 = 1_000
"""The main round's start (`make_round`'s default)."""
COMMIT_TIMEOUT = PARAMS.consensus.commit_timeout_seconds
REVEAL_TIMEOUT = PARAMS.consensus.reveal_timeout_seconds
APP_SALT_TIMEOUT = PARAMS.consensus.app_salt_timeout_seconds


def run_and_predict(call: TrustedCall, profile: Profile) -> tuple[CallRun, CallRecord]:
    with Executor() as executor:
        run = executor.run_call(call, params=PARAMS, profile=profile)
    return run, predict_run(call, run, PARAMS, profile)


def late_reveal_call() -> TrustedCall:
    return make_call(make_round(make_plans(H.HONEST, H.HONEST, H.HONEST, H.LATE_REVEAL)))


def withheld_salts_call() -> TrustedCall:
    plans = make_plans(H.HONEST, H.HONEST, H.HONEST, H.LATE_COMMIT)
    return make_call(make_round(plans, app_reveals_salts=False))


@pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER], ids=lambda p: p.name)
def test_a_late_reveal_grounds_with_its_times(profile: Profile) -> None:
    """n3 reveals past the reveal timeout: refused at tc + timeout + 1 on both sides, and the
    round decided then; the others' reveals recorded at tc + 1."""
    run, predicted = run_and_predict(late_reveal_call(), profile)
    assert compare(run.record, predicted) == ()
    assert run.record == predicted
    main = run.record.main
    assert main is not None
    closed = T0 + 2  # everyone committed at t0 + 1
    late = closed + REVEAL_TIMEOUT + 1
    assert main.commit_closed_at == closed
    assert main.reveal_times == tuple((NodeId(f"n{i}"), closed + 1) for i in range(3))
    assert main.decided_at == late
    assert run.record.main_refused_steps == (RefusedStep(late, "n3", "reveal"),)
    assert run.record.billing_refused_steps == ()


def test_withheld_salts_expire_at_the_same_time_on_both_sides() -> None:
    """Hardened F6: n3 commits late (refused just past the commit timeout), the commit phase
    closes then, the app withholds its salts and the round expires at tc + app salt timeout + 1."""
    run, predicted = run_and_predict(withheld_salts_call(), HARDENED)
    assert compare(run.record, predicted) == ()
    main = run.record.main
    assert main is not None and main.app_withheld_salts
    closed = T0 + COMMIT_TIMEOUT + 1
    assert main.commit_closed_at == closed
    assert main.reveal_times == ()
    assert main.decided_at == closed + APP_SALT_TIMEOUT + 1
    assert run.record.main_refused_steps == (RefusedStep(closed, "n3", "commit"),)


def test_a_stalled_round_still_compares_its_refused_steps() -> None:
    """Literal F6: the round never decides, but the late commit was refused at one time."""
    run, predicted = run_and_predict(withheld_salts_call(), WHITEPAPER)
    assert run.record.stalled == "main" and compare(run.record, predicted) == ()
    closed = T0 + COMMIT_TIMEOUT + 1
    assert run.record.main_refused_steps == (RefusedStep(closed, "n3", "commit"),)
    shifted = (RefusedStep(closed + 1, "n3", "commit"),)
    differences = compare(run.record, attrs.evolve(predicted, main_refused_steps=shifted))
    assert differences == (
        f"main_refused_steps: executor (RefusedStep(time={closed}, node='n3', step='commit'),), "
        f"model (RefusedStep(time={closed + 1}, node='n3', step='commit'),)",
    )


def _shift_tc(monkeypatch: pytest.MonkeyPatch, name: str, by: int) -> Callable[[Any, Seconds], Any]:
    """Wrap one step of the model's timeline so it reads the commit close `by` seconds off."""
    original = getattr(model_scenario, name)

    def shifted(run: Any, tc: Seconds) -> Any:
        return original(run, tc + by)

    monkeypatch.setattr(model_scenario, name, shifted)
    return shifted


def test_a_model_that_expires_at_the_wrong_time_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """A model whose F6 expiry comes 5 s late moves nothing differently: only the time tells."""
    call = withheld_salts_call()
    with Executor() as executor:
        run = executor.run_call(call, params=PARAMS, profile=HARDENED)
    _shift_tc(monkeypatch, "_expire_or_stall", 5)
    predicted = predict_run(call, run, PARAMS, HARDENED)
    expired = T0 + COMMIT_TIMEOUT + 1 + APP_SALT_TIMEOUT + 1
    assert compare(run.record, predicted) == (
        f"main.decided_at: executor {expired}, model {expired + 5}",
    )


def test_a_model_that_reveals_at_the_wrong_time_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """A model whose reveals all come one slot late decides the same: the reveal times and the
    refused late reveal's time differ, each shown alone."""
    call = late_reveal_call()
    with Executor() as executor:
        run = executor.run_call(call, params=PARAMS, profile=HARDENED)
    _shift_tc(monkeypatch, "_steps_7_and_8", 1)
    predicted = predict_run(call, run, PARAMS, HARDENED)
    closed = T0 + 2
    late = closed + REVEAL_TIMEOUT + 1

    def times(nodes: int, at: int) -> str:
        return ", ".join(f"('n{i}', {at})" for i in range(nodes))

    # The billing round (all four honest, started at 0) reveals one slot late as well.
    assert compare(run.record, predicted) == (
        f"main_refused_steps: executor (RefusedStep(time={late}, node='n3', step='reveal'),), "
        f"model (RefusedStep(time={late + 1}, node='n3', step='reveal'),)",
        f"billing.reveal_times: executor ({times(4, 3)}), model ({times(4, 4)})",
        f"main.reveal_times: executor ({times(3, closed + 1)}), model ({times(3, closed + 2)})",
    )


def test_a_late_reveal_tried_at_time_zero_is_caught() -> None:
    """The model's late reveal at `tc + timeout + 1 & 1` (time 0 or 1) is refused as too early,
    not too late: the outcome is the same, the refused step's time is not."""
    run, predicted = run_and_predict(late_reveal_call(), HARDENED)
    early = (RefusedStep(1, "n3", "reveal"),)
    differences = compare(run.record, attrs.evolve(predicted, main_refused_steps=early))
    late = T0 + 2 + REVEAL_TIMEOUT + 1
    assert differences == (
        f"main_refused_steps: executor (RefusedStep(time={late}, node='n3', step='reveal'),), "
        "model (RefusedStep(time=1, node='n3', step='reveal'),)",
    )


def test_describe_difference_shows_only_the_times_that_differ() -> None:
    observed = ((NodeId("n0"), 1003), (NodeId("n1"), 1003), (NodeId("n2"), 1003))
    predicted = ((NodeId("n0"), 1003), (NodeId("n1"), 1004), (NodeId("n2"), 1003))
    assert describe_difference(observed, predicted) == (
        "executor [('n1', 1003)], model [('n1', 1004)] (the rest agrees)"
    )
    assert describe_difference(1033, 4096) == "executor 1033, model 4096"
    steps = (RefusedStep(5, "n1", "commit"), RefusedStep(40, "n3", "reveal"))
    moved = (RefusedStep(5, "n1", "commit"), RefusedStep(0, "n3", "reveal"))
    assert describe_difference(steps, moved) == (
        "executor [RefusedStep(time=40, node='n3', step='reveal')], "
        "model [RefusedStep(time=0, node='n3', step='reveal')] (the rest agrees)"
    )


def test_slashes_take_the_decision_time_on_both_sides() -> None:
    """§3.3 F11, §6.10: the executor's books slash at the log's decision time, the model at its
    decision time; both records say when, and it is the same time."""
    call = make_call(make_round(make_plans(H.HONEST, H.HONEST, H.HONEST, H.REVEAL_MISMATCH)))
    run, predicted = run_and_predict(call, HARDENED)
    assert compare(run.record, predicted) == ()
    main = run.record.main
    assert main is not None and [s.node for s in main.slashed] == ["n3"]
    assert main.decided_at == T0 + 2 + 2  # n3 reveals at tc + 2, having watched the others
    # The executor's books: the slash is recorded at the outcome's time.
    assert run.main_log is not None
    nodes = call.main.scenario.assigned
    books = Books(
        app=call.main.scenario.app,
        funding=call.funding,
        stakes={str(n): NODE_STAKE_USTR for n in nodes},
        params=PARAMS,
        profile=HARDENED,
    )
    outcome, _ = settle(
        run.main_log,
        books,
        round_id=call.main.scenario.round_id,
        cost=0,
        params=PARAMS,
        profile=HARDENED,
        algorithm=call.main.scenario.algorithm.value,
        eligible=call.main.scenario.validators,
        seed=call.main.scenario.seed,
    )
    assert books.last_slash == {"n3": outcome.decided_at} and outcome.decided_at == main.decided_at
    # The model's chain: its slash record carries the same time.
    chain = make_model_chain(call.main.scenario.app, nodes, call.funding)
    billing_output, main_output = run.reference_outputs
    result = run_trusted_function(
        chain,
        billing=to_model_scenario(call.billing, billing_output),
        main=to_model_scenario(call.main, main_output),
        usage=decode_usage(billing_output),
        params=PARAMS,
        profile=HARDENED,
    )
    assert not isinstance(result, Rejected), result
    settled, outcomes = result
    assert outcomes.main == main
    assert settled.slashing.records["node:n3"].last_slash_time == main.decided_at
