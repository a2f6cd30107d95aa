"""The orphan check tells the executor's own process groups from a later process that was given
the same number (another test worker's node, once ours was gone)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from executor import pool


def test_a_reused_number_is_not_our_group(monkeypatch: pytest.MonkeyPatch) -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"], process_group=0)
    try:
        monkeypatch.setattr(pool, "_SPAWNED_GROUPS", [child.pid])
        started = pool._start_time(child.pid)
        assert started is not None
        # Recorded as ours when it started: a live group of ours.
        monkeypatch.setattr(pool, "_GROUP_STARTS", {child.pid: started})
        assert pool.get_live_groups() == [child.pid]
        # Recorded with another start: our group under that number ended long ago.
        monkeypatch.setattr(pool, "_GROUP_STARTS", {child.pid: str(int(started) - 1)})
        assert pool.get_live_groups() == []
    finally:
        child.kill()
        child.wait()
    monkeypatch.setattr(pool, "_GROUP_STARTS", {child.pid: started})
    assert pool.get_live_groups() == []
