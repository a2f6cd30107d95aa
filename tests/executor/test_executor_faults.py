"""Each process fault is contained: the round completes, the node is faulty, nothing is left behind.

Faults come two ways: a node told to suffer one (crash, hang, sleep, memory bomb, garbage on the
pipe, huge output) while the others stay honest, and a hostile function that every node runs.
"""

from __future__ import annotations

import os
import signal
import time

import pytest
from executor_fixtures import (
    honest,
    make_call,
    make_round,
    no_orphan_nodes,  # noqa: F401 - autouse: no node left behind
    predict_run,
)

from executor.engine import ROOT, Executor
from executor.pool import Fault, Limits, NodePool
from executor.scenario import FaultPhase, NodeFault, ProcessFault
from executor.validators import decide
from model.params import WHITEPAPER_PARAMS
from model.profile import HARDENED
from model.units import NodeId

LIMITS = Limits(wall_seconds=1.0, cpu_seconds=1, memory_bytes=256 * 1024 * 1024)
HOSTILE = ROOT / "fixtures" / "functions" / "hostile.py"
EXPECTED_CODE = {
    ProcessFault.CRASH: "exited",
    ProcessFault.HANG: "timeout",
    ProcessFault.SLEEP: "timeout",
    ProcessFault.MEMORY_BOMB: "exited",
    ProcessFault.GARBAGE: "garbage",
    ProcessFault.HUGE_OUTPUT: "oversize",
}


@pytest.mark.slow
@pytest.mark.parametrize("phase", list(FaultPhase))
@pytest.mark.parametrize("fault", list(ProcessFault))
def test_node_fault_is_contained(fault: ProcessFault, phase: FaultPhase) -> None:
    """n3 fails as a process; the other three still reach consensus and are paid."""
    round_ = make_round(honest(4), faults=(NodeFault(NodeId("n3"), fault, phase),))
    started = time.monotonic()
    with Executor(LIMITS) as executor:
        log = executor.run_round(round_, params=WHITEPAPER_PARAMS, profile=HARDENED)
        # The executor stays usable: the faulty node's replacement serves the next round.
        again = executor.run_round(
            make_round(honest(4), round_id=3), params=WHITEPAPER_PARAMS, profile=HARDENED
        )
    elapsed = time.monotonic() - started
    assert set(log.faulty) == {"n3"}
    assert log.faulty["n3"].startswith(EXPECTED_CODE[fault])
    assert ("n3" in log.commits) is (phase is FaultPhase.REVEAL)
    assert "n3" not in log.reveals
    decision = decide(log, params=WHITEPAPER_PARAMS, profile=HARDENED, algorithm="sha256")
    assert decision.consensus and decision.supermajority == ("n0", "n1", "n2")
    assert not again.faulty and len(again.reveals) == 4
    # Bounded: at most one wall timeout per slot the faulty node was asked in, plus start-up.
    assert elapsed < 4 * LIMITS.wall_seconds + 3


@pytest.mark.slow
@pytest.mark.parametrize("fault", list(ProcessFault))
def test_fault_matches_the_model_prediction(fault: ProcessFault) -> None:
    """GROUNDED on a faulted call: the model's reading of the fault gives the same record."""
    main = make_round(honest(3), faults=(NodeFault(NodeId("n1"), fault, FaultPhase.COMPUTE),))
    call = make_call(main)
    with Executor(LIMITS) as executor:
        run = executor.run_call(call, params=WHITEPAPER_PARAMS, profile=HARDENED)
    predicted = predict_run(call, run, WHITEPAPER_PARAMS, HARDENED)
    assert run.record == predicted
    assert run.record.main is not None and run.record.main.committed == ("n0", "n2")


@pytest.mark.parametrize(
    ("function", "code"),
    [
        ("crash", "exited"),
        ("sleep", "timeout"),
        ("raise_error", "function-error"),
        ("not_bytes", "function-error"),
        ("huge_output", "function-error"),
    ],
)
@pytest.mark.slow
def test_hostile_function_makes_every_node_faulty(function: str, code: str) -> None:
    """A function that fails for everyone: every node faulty, no consensus, the executor fine."""
    round_ = make_round(honest(3), function=f"{HOSTILE}:{function}")
    with Executor(LIMITS) as executor:
        log = executor.run_round(round_, params=WHITEPAPER_PARAMS, profile=HARDENED)
    assert sorted(log.faulty) == ["n0", "n1", "n2"]
    assert all(reason.startswith(code) for reason in log.faulty.values()), log.faulty
    decision = decide(log, params=WHITEPAPER_PARAMS, profile=HARDENED, algorithm="sha256")
    assert not decision.consensus


def test_spinning_function_is_stopped_by_the_cpu_limit() -> None:
    """With a generous wall clock, the CPU-seconds limit is what stops a spinning function."""
    limits = Limits(wall_seconds=20.0, cpu_seconds=1)
    started = time.monotonic()
    with Executor(limits) as executor:
        log = executor.run_round(
            make_round(honest(1), function=f"{HOSTILE}:hang"),
            params=WHITEPAPER_PARAMS,
            profile=HARDENED,
        )
    assert log.faulty == {"n0": "killed-by-signal: SIGXCPU"}
    assert time.monotonic() - started < 10


def test_memory_bomb_is_stopped_by_the_address_space_limit() -> None:
    """A function touching ever more memory hits the address-space cap, not the machine."""
    limits = Limits(wall_seconds=20.0, memory_bytes=256 * 1024 * 1024)
    with Executor(limits) as executor:
        log = executor.run_round(
            make_round(honest(1), function=f"{HOSTILE}:memory_bomb"),
            params=WHITEPAPER_PARAMS,
            profile=HARDENED,
        )
    assert log.faulty == {"n0": "function-error"}
    assert "MemoryError" in log.function_errors["n0"]


def test_function_printing_to_stdout_cannot_corrupt_the_protocol() -> None:
    """Writes to fd 1 go to /dev/null: the nodes answer correctly and agree."""
    with Executor(LIMITS) as executor:
        log = executor.run_round(
            make_round(honest(3), function=f"{HOSTILE}:print_garbage", data=b"x"),
            params=WHITEPAPER_PARAMS,
            profile=HARDENED,
        )
    assert not log.faulty
    decision = decide(log, params=WHITEPAPER_PARAMS, profile=HARDENED, algorithm="sha256")
    assert decision.consensus and len(decision.supermajority) == 3


def test_pool_reports_a_dead_node_as_a_fault_value() -> None:
    with NodePool(LIMITS) as pool:
        reply = pool.exchange({"a": {"op": "ping"}})["a"]
        assert not isinstance(reply, Fault)
        pid = reply["pong"]
        os.kill(pid, signal.SIGKILL)
        time.sleep(0.05)
        dead = pool.exchange({"a": {"op": "ping"}})["a"]
        assert isinstance(dead, (dict, Fault))  # respawned or reported, never raised
        revived = pool.exchange({"a": {"op": "ping"}})["a"]
        assert not isinstance(revived, Fault) and revived["pong"] != pid


def test_per_call_mode_starts_fresh_processes_every_round() -> None:
    with Executor(LIMITS, persistent=False) as executor:
        for round_id in (2, 3):
            log = executor.run_round(
                make_round(honest(2), round_id=round_id), params=WHITEPAPER_PARAMS, profile=HARDENED
            )
            assert len(log.reveals) == 2
        assert executor.pool.spawn_count == 4


@pytest.mark.parametrize("fault", [ProcessFault.GARBAGE, ProcessFault.HUGE_OUTPUT])
def test_a_node_that_wrote_garbage_is_read_clean_and_kept(fault: ProcessFault) -> None:
    """A node that wrote outside the protocol but lives is faulty in that round; before its next
    request everything it wrote is read away and it answers a ping, so it serves the next round
    as the same process (no new node or sandbox to start)."""
    with Executor(LIMITS) as executor:
        log = executor.run_round(
            make_round(honest(3), faults=(NodeFault(NodeId("n2"), fault, FaultPhase.COMPUTE),)),
            params=WHITEPAPER_PARAMS,
            profile=HARDENED,
        )
        spawned = executor.pool.spawn_count
        again = executor.run_round(
            make_round(honest(3), round_id=3), params=WHITEPAPER_PARAMS, profile=HARDENED
        )
        assert executor.pool.spawn_count == spawned == 3
    assert log.faulty["n2"].startswith(EXPECTED_CODE[fault])
    assert not again.faulty and len(again.reveals) == 3
