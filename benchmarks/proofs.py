"""Benchmark: the time of every Z3 proof and of the whole set, as one JSON line per profile.

Run: .venv/bin/python benchmarks/proofs.py [--repeat N] [--mode concrete|all-params]
Each proof is timed on the wall clock around `prove_invariant` (claim building, folding, export
and solving); the best of N repeats is reported, in seconds.
"""

from __future__ import annotations

import argparse
import json
import time

from model.params import WHITEPAPER_PARAMS
from model.profile import HARDENED, WHITEPAPER
from solver.claim import ParamMode
from solver.registry import PROVED_IDS, prove_invariant


def main() -> None:
    """Time each proof and the whole set for both profiles and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--mode", choices=[m.value for m in ParamMode], default="concrete")
    args = parser.parse_args()
    mode = ParamMode(args.mode)
    for profile in (HARDENED, WHITEPAPER):
        best: dict[str, float] = {}
        statuses: dict[str, str] = {}
        totals = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            for invariant_id in PROVED_IDS:
                begun = time.perf_counter()
                result = prove_invariant(invariant_id, WHITEPAPER_PARAMS, profile, mode=mode)
                elapsed = time.perf_counter() - begun
                best[invariant_id] = min(best.get(invariant_id, elapsed), elapsed)
                statuses[invariant_id] = result.status.value
            totals.append(time.perf_counter() - started)
        slowest = max(best, key=lambda invariant_id: best[invariant_id])
        print(
            json.dumps(
                {
                    "benchmark": "proofs",
                    "profile": profile.name,
                    "mode": mode.value,
                    "proofs": len(PROVED_IDS),
                    "total_seconds": round(min(totals), 4),
                    "slowest": {"id": slowest, "seconds": round(best[slowest], 4)},
                    "seconds": {key: round(value, 4) for key, value in best.items()},
                    "status": statuses,
                },
                sort_keys=True,
            )
        )


if __name__ == "__main__":
    main()
