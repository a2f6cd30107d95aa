"""Benchmark: a 100-point sweep on a Dask local cluster of one worker, then of two.

Run: .venv/bin/python benchmarks/sweep_scaling.py [--size 10] [--workers 1 2]
A `size` x `size` grid over two payment shares, each point a check by the Z3 engine of the four
invariants that read the payment shares (a point takes about a second), as one
`python -m reports.entry sweep` child process per cluster size, timed from spawn to exit. One JSON
line per cluster size (wall seconds, the points' own seconds, the overhead per point, the report
hash), then one line with the speed-up from the first size to the last and whether the hashes agree.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
TARGET_SPEEDUP = 1.8
"""From one worker to two on the 2-core reference machine."""

SPEC = """
effort = "quick"
engines = ["z3"]
only = ["CONS-SPLIT", "GOV-PARAMS", "PAY-BURN", "PAY-COST"]
regions = false

[keys."payment.str_burn_bps"]
range = {{ from = 500, to = {burn_to}, step = 100 }}

[keys."payment.str_node_profit_bps"]
range = {{ from = 1500, to = {node_to}, step = 100 }}
"""


def run_sweep(spec: Path, out: Path, workers: int) -> dict[str, Any]:
    """One sweep as a user runs it; its figures."""
    command = [sys.executable, "-m", "reports.entry", "sweep", str(spec), "--out", str(out)]
    command += ["--workers", str(workers), "--no-database", "--quiet"]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    document = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    points = document["summary"]["points"]
    busy = sum(entry["seconds"] for entry in document["workers"]["busy"].values())
    return {
        "benchmark": "sweep-scaling",
        "workers": workers,
        "points": points,
        "exit_code": done.returncode,
        "wall_seconds": round(wall, 2),
        "point_seconds_mean": round(busy / points, 3),
        "overhead_seconds_per_point": round((wall * workers - busy) / points, 3),
        "content_sha256": document["content_sha256"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=10, help="values per key (10: 100 points)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        spec = Path(folder) / "sweep.toml"
        spec.write_text(
            SPEC.format(burn_to=500 + 100 * (args.size - 1), node_to=1500 + 100 * (args.size - 1)),
            encoding="utf-8",
        )
        lines = []
        for workers in args.workers:
            line = run_sweep(spec, Path(folder) / f"out-{workers}", workers)
            print(json.dumps(line), flush=True)
            lines.append(line)
    first, last = lines[0], lines[-1]
    speedup = first["wall_seconds"] / last["wall_seconds"]
    print(
        json.dumps(
            {
                "benchmark": "sweep-speedup",
                "from_workers": first["workers"],
                "to_workers": last["workers"],
                "speedup": round(speedup, 2),
                "target": TARGET_SPEEDUP,
                "met": speedup >= TARGET_SPEEDUP,
                "same_hash": len({line["content_sha256"] for line in lines}) == 1,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
