"""Every Z3 query of a check is written to its own smt2 file, whose sha256 the report gives.

A proof plan may hold several queries of one mode (GOV-SAFE asks one ADOPTABLE query per
invariant); each must land in its own file, or a later query would overwrite an earlier one and
the recorded hashes would name files that are not on disk.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def test_every_query_has_its_own_file(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "reports.cli",
            "check",
            "--engines",
            "z3",
            "--only",
            "GOV-SAFE",
            "CONS-SPLIT",
            "--out",
            tmp_path,
            "--quiet",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode in (0, 1, 3), result.stderr
    document: dict[str, Any] = json.loads((tmp_path / "report.json").read_text("utf-8"))
    paths: list[str] = []
    for row in document["invariants"]:
        z3 = row["engines"]["z3"]
        queries = z3["queries"]
        paths += [query["smt2"] for query in queries]
        assert z3["smt2"] in [query["smt2"] for query in queries], row["id"]
        for query in [*queries, z3]:
            text = (tmp_path / query["smt2"]).read_bytes()
            assert hashlib.sha256(text).hexdigest() == query["smt2_sha256"], query["smt2"]
    assert len(paths) == len(set(paths))
    written = sorted(str(path.relative_to(tmp_path)) for path in tmp_path.glob("smt2/*.smt2"))
    assert written == sorted(paths)
