"""Benchmark: what a function call costs in its sandbox, against the floor of one fork.

Run: .venv/bin/python benchmarks/sandbox_calls.py [--calls N]
Prints one JSON line per figure:
- `fork-floor`: a bare interpreter (`python -I -S`) forking a child that exits at once, per
  round trip: the least a fresh process per call can cost here;
- `sandbox-start`: starting a sandbox in this machine's mode until its zygote says hello;
- `sandbox-call`: one call of a one-line function and of the compute fixture through one
  sandbox, wall milliseconds and CPU milliseconds of the zygote and of the call's process.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

from executor.sandbox.client import Sandbox
from executor.sandbox.isolation import probe
from executor.sandbox.launch import SANDBOX_UID_BASE, SandboxLimits, get_interpreter

FORK_FLOOR = """
import os, time
started = time.perf_counter()
for _ in range({calls}):
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
print((time.perf_counter() - started) / {calls} * 1000)
"""
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRIVIAL = {
    "source": "def f(data):\n    return data\n",
    "filename": "/f.py",
    "name": "f",
    "sys_path": [],
}
COMPUTE = {"module": "executor.functions.compute", "name": "run", "sys_path": [ROOT]}


def _cpu_ms(pid: int) -> tuple[float, float]:
    """(own, reaped children's) user+system CPU milliseconds of `pid`."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    tick = 1000 / os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) * tick, (int(fields[13]) + int(fields[14])) * tick


def _zygote_pid(sandbox: Sandbox) -> int:
    if sandbox.mode == "process":
        return sandbox.popen.pid
    launcher = str(sandbox.popen.pid)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii") as stat:
                    if stat.read().rsplit(")", 1)[1].split()[1] == launcher:
                        return int(entry)
            except OSError:
                continue
    raise RuntimeError("no zygote under the launcher")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    calls = args.calls
    floor = subprocess.run(
        [get_interpreter(), "-I", "-S", "-c", FORK_FLOOR.format(calls=calls)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    print(
        json.dumps(
            {
                "benchmark": "fork-floor",
                "calls": calls,
                "ms_per_call": round(float(floor.stdout), 3),
            }
        )
    )
    isolation, mode = probe()
    limits, uid = SandboxLimits(), SANDBOX_UID_BASE + os.getpid()
    started = time.perf_counter()
    for _ in range(10):
        sandbox = Sandbox(mode, limits, paths=(ROOT,), uid=uid, max_message_bytes=1 << 23)
        _ = sandbox.measured
        sandbox.close()
    start_ms = (time.perf_counter() - started) / 10 * 1000
    print(
        json.dumps(
            {
                "benchmark": "sandbox-start",
                "mode": mode,
                "contained": isolation.contained,
                "ms": round(start_ms, 2),
            }
        )
    )
    sandbox = Sandbox(mode, limits, paths=(ROOT,), uid=uid, max_message_bytes=1 << 23)
    _ = sandbox.measured  # started
    zygote = _zygote_pid(sandbox)
    for name, request in (("one-line", TRIVIAL), ("compute", COMPUTE)):
        data = b'{"n": 1000}'.hex()
        sandbox.call({**request, "input": data})
        own, children = _cpu_ms(zygote)
        clock = time.perf_counter()
        for _ in range(calls):
            reply = sandbox.call({**request, "input": data})
            if "output" not in reply:
                sys.exit(f"the {name} call failed: {reply}")
        wall = (time.perf_counter() - clock) / calls * 1000
        own_after, children_after = _cpu_ms(zygote)
        print(json.dumps({
            "benchmark": "sandbox-call", "function": name, "mode": mode, "calls": calls,
            "ms_per_call": round(wall, 3),
            "zygote_cpu_ms_per_call": round((own_after - own) / calls, 3),
            "call_process_cpu_ms_per_call": round((children_after - children) / calls, 3),
        }))  # fmt: skip
    sandbox.close()


if __name__ == "__main__":
    main()
