"""Hostile functions against the sandbox: each attack runs in a 3-node round, then a probe in
another app and an honest call on the same executor show that nothing got out.

Asserted for every attack: the executor survives and the round ends in bounded time; no forged
commit is recorded; nothing the attack wrote appears outside the sandbox; no secret of the
executor is read; the next app's calls inherit nothing (the probe's report equals a fresh
executor's); GROUNDED still agrees on an honest call; and once the executor closes, no process
of any sandbox is left on the machine. All of it holds in a user namespace too (the executor
not root of the machine), where only the sandbox's own uid is missing
(`test_isolation_modes.py` runs this file there).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import hostile_functions as functions
import pytest
from executor_fixtures import (  # noqa: F401 - the autouse fixture
    honest,
    make_call,
    make_round,
    no_orphan_nodes,
    predict_run,
)

from executor.engine import Executor
from executor.pool import Limits
from executor.sandbox.launch import SANDBOX_UID_BASE
from model.params import WHITEPAPER_PARAMS
from model.profile import HARDENED
from model.trusted.behaviour import Scenario
from model.units import AppId

HOSTILE = Path(functions.__file__).resolve()
LIMITS = Limits(wall_seconds=2.0, cpu_seconds=1, memory_bytes=256 * 1024 * 1024)
ATTACKS = (
    "kill_everyone",
    "read_secrets",
    "write_other_pipes",
    "patch_the_interpreter",
    "leave_children",
    "fork_flood",
    "exhaust_descriptors",
    "write_everywhere",
    "lift_limits",
    "reach_the_network",
    "freeze_in_cgroup",
    "memory_children",
)


def in_app(round_: object, app: str) -> object:
    scenario: Scenario = round_.scenario  # type: ignore[attr-defined]
    return type(round_)(  # type: ignore[call-arg]
        Scenario(
            round_id=scenario.round_id,
            app=AppId(app),
            plans=scenario.plans,
            correct_output=scenario.correct_output,
            seed=scenario.seed,
            start=scenario.start,
        ),
        round_.function,  # type: ignore[attr-defined]
        round_.input,  # type: ignore[attr-defined]
    )


def probe_outputs(executor: Executor, round_id: int) -> set[bytes]:
    probe = in_app(
        make_round(honest(3), function=f"{HOSTILE}:probe", data=b"", round_id=round_id), "next-app"
    )
    log = executor.run_round(probe, params=WHITEPAPER_PARAMS, profile=HARDENED)  # type: ignore[arg-type]
    assert not log.faulty, log.faulty
    return set(log.outputs.values())


def children() -> set[int]:
    """Running children of this process."""
    return {pid for pid, (_, parent) in _running() if parent == os.getpid()}


def _running() -> list[tuple[int, tuple[int, int]]]:
    """(pid, (uid, parent pid)) of every running process."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("State", "Z").split()[0] in ("Z", "X"):
            continue
        found.append((int(entry), (int(fields["Uid"].split()[0]), int(fields["PPid"]))))
    return found


def left_behind(node_pids: list[int], before: set[int]) -> list[int]:
    """Running processes left by an executor whose nodes had these pids: any with one of their
    sandboxes' uids, and any new child of this process (where orphans of a killed node or
    sandbox land: the executor is a subreaper); `before` are the children it had already."""
    uids = {SANDBOX_UID_BASE + pid for pid in node_pids}
    return [
        pid
        for pid, (uid, parent) in _running()
        if uid in uids or (parent == os.getpid() and pid not in before)
    ]


@pytest.fixture(scope="module")
def clean_probe() -> set[bytes]:
    """What the probe reports on an executor no attack has touched."""
    with Executor(LIMITS) as executor:
        return probe_outputs(executor, 7)


@pytest.mark.slow
@pytest.mark.parametrize("attack", ATTACKS)
def test_attack_is_contained(
    attack: str, clean_probe: set[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(functions.SECRET_ENV, "hunter2-secret")
    drop = HOSTILE.parent / "hostile-drop"
    before = children()
    started = time.monotonic()
    with Executor(LIMITS) as executor:
        isolation = executor.pool.isolation
        if isolation.mode == "process":
            # No namespaces here: the report does not claim what this machine cannot give.
            assert not isolation.contained and "not claimed" in isolation.describe()
            return
        round_ = in_app(make_round(honest(3), function=f"{HOSTILE}:{attack}", data=b"x"), "hostile")
        log = executor.run_round(round_, params=WHITEPAPER_PARAMS, profile=HARDENED)  # type: ignore[arg-type]
        assert time.monotonic() - started < 4 * LIMITS.wall_seconds + 10
        assert bytes(32) not in log.commits.values()
        assert b"secret-seen" not in log.outputs.values()
        assert b"online" not in log.outputs.values()
        if attack == "freeze_in_cgroup":
            assert set(log.outputs.values()) <= {b"nothing frozen"}
        assert not drop.exists() and not Path("/tmp/hostile-big").exists()
        # The next app inherits nothing: its probe reports what a fresh executor's does.
        assert probe_outputs(executor, 8) == clean_probe
        # GROUNDED on an honest call of the same executor still agrees with the model.
        call = make_call(make_round(honest(3), round_id=9, start=500))
        run = executor.run_call(call, params=WHITEPAPER_PARAMS, profile=HARDENED)
        assert run.record == predict_run(call, run, WHITEPAPER_PARAMS, HARDENED)
        nodes = executor.spawned_groups
    deadline = time.monotonic() + 5
    while left_behind(nodes, before) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert left_behind(nodes, before) == []


def test_a_lifted_cpu_limit_still_stops_the_function() -> None:
    """The CPU limit is hard: a function that lifts it is still stopped by it. The wall clock
    is generous, so the CPU limit is what stops the spin on a loaded machine."""
    limits = Limits(wall_seconds=20.0, cpu_seconds=1, memory_bytes=256 * 1024 * 1024)
    with Executor(limits) as executor:
        spin = in_app(make_round(honest(1), function=f"{HOSTILE}:lift_limits"), "spin")
        log = executor.run_round(spin, params=WHITEPAPER_PARAMS, profile=HARDENED)  # type: ignore[arg-type]
    assert log.faulty == {"n0": "killed-by-signal: SIGXCPU"}


def test_a_fork_flood_stops_at_the_process_limit() -> None:
    """Where a process limit binds, a fork flood stops at it and the function answers; where it
    does not (the sandbox is uid 0 of the machine), the call's wall clock ends it."""
    before = children()
    with Executor(LIMITS) as executor:
        isolation = executor.pool.isolation
        flood = in_app(make_round(honest(1), function=f"{HOSTILE}:fork_flood"), "flood")
        log = executor.run_round(flood, params=WHITEPAPER_PARAMS, profile=HARDENED)  # type: ignore[arg-type]
        nodes = executor.spawned_groups
    if "hard-limits" in isolation.missing:
        assert log.faulty == {"n0": f"timeout: no result within {LIMITS.sandbox().wall_seconds} s"}
    else:
        assert not log.faulty
        assert int(log.outputs["n0"]) < LIMITS.processes
    deadline = time.monotonic() + 5
    while left_behind(nodes, before) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert left_behind(nodes, before) == []
