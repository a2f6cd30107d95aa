"""Benchmark: GOV-SAFE's proof on both profiles, `stratoverify region` on one key and a pair, and
the repairs `check` searches for a proposal's changed key.

Run: .venv/bin/python benchmarks/governance.py [--repeat N]
Prints one JSON line per figure: the GOV-SAFE proof on the whitepaper defaults under each profile
(wall clock around `prove_invariant`, with its status), and the region command's wall time as a
user runs it (a child process, interpreter start-up included) for one key and for a pair, and the
repairs of a 12% STR burn (`get_repairs`: the other keys that, moved too, make it safe). The best
of N repeats is reported, in seconds.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from model.params import WHITEPAPER_PARAMS
from model.profile import HARDENED, WHITEPAPER
from solver.region import get_repairs
from solver.registry import prove_invariant

REGIONS: tuple[tuple[str, ...], ...] = (
    ("payment.str_burn_bps",),
    ("consensus.max_validators",),
    ("payment.str_burn_bps", "payment.str_node_profit_bps"),
)
"""The region runs timed: two single keys (a point and a range) and one pair."""


def _command() -> list[str]:
    program = Path(sys.executable).with_name("stratoverify")
    return [str(program)] if program.exists() else [sys.executable, "-m", "reports.entry"]


def main() -> None:
    """Time GOV-SAFE and the region command and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for profile in (HARDENED, WHITEPAPER):
        best, status = float("inf"), ""
        for _ in range(args.repeat):
            started = time.perf_counter()
            result = prove_invariant("GOV-SAFE", WHITEPAPER_PARAMS, profile)
            best = min(best, time.perf_counter() - started)
            status = result.status.value
        line = {"benchmark": "gov-safe", "profile": profile.name, "seconds": round(best, 4)}
        print(json.dumps({**line, "status": status}, sort_keys=True), flush=True)
    for keys in REGIONS:
        best, code = float("inf"), 0
        for _ in range(args.repeat):
            started = time.perf_counter()
            done = subprocess.run(
                [*_command(), "region", *keys, "--json"], capture_output=True, check=False
            )
            best = min(best, time.perf_counter() - started)
            code = done.returncode
        line = {"benchmark": "region", "keys": list(keys), "seconds": round(best, 4)}
        print(json.dumps({**line, "exit": code}, sort_keys=True), flush=True)
    best, found = float("inf"), 0
    for _ in range(args.repeat):
        started = time.perf_counter()
        repairs = get_repairs(WHITEPAPER_PARAMS, HARDENED, "payment.str_burn_bps", 1200)
        best = min(best, time.perf_counter() - started)
        found = len(repairs)
    line = {"benchmark": "repairs", "key": "payment.str_burn_bps", "value": 1200}
    print(json.dumps({**line, "seconds": round(best, 4), "repairs": found}, sort_keys=True))


if __name__ == "__main__":
    main()
