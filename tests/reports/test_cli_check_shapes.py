"""End-to-end tests of `stratoverify check` on each input shape (a legacy proposal, a gov v1
proposal, a parameter set), coherent and incoherent, through the proofs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_runner import (
    PROPOSALS,
    assert_no_traceback,
    read_report,
    stratoverify,
)

# --- each input shape, good and bad -------------------------------------------------------------

SHAPES = [
    ("burn-12pct.legacy.json", 0),
    ("burn-12pct-alone.legacy.json", 1),
    ("payment.gov-v1.json", 0),
    ("payment-incoherent.gov-v1.json", 1),
    ("live-params.json", 0),
]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "expected"), SHAPES)
def test_check_each_shape__good_and_bad(name: str, expected: int, tmp_path: Path) -> None:
    """Every input shape through the proofs: coherent changes pass, incoherent ones fail. (Quick
    effort: the proofs are the same at every effort, the changed keys' safe sets get less time.)"""
    result = stratoverify(
        "check",
        PROPOSALS / name,
        "--engines",
        "z3",
        "--effort",
        "quick",
        "--out",
        tmp_path,
        "--quiet",
    )
    assert_no_traceback(result)
    assert result.returncode == expected, result.stdout + result.stderr
    document = read_report(tmp_path)
    if expected == 1:
        gov = next(r for r in document["invariants"] if r["id"] == "GOV-PARAMS")
        assert gov["verdict"] == "fail"
        assert gov["counterexample"]["engine"] == "z3"


@pytest.mark.slow
def test_check_parameter_set_that_fails(tmp_path: Path) -> None:
    path = tmp_path / "params.json"
    path.write_text('{\n  "slashing": {\n    "slash_factor": 1\n  }\n}\n', encoding="utf-8")
    result = stratoverify(
        "check", path, "--engines", "z3", "--only", "SLASH-DOUBLING", "SLASH-BOUNDS", "--json"
    )
    document = json.loads(result.stdout)
    assert [row["id"] for row in document["invariants"]] == ["SLASH-BOUNDS", "SLASH-DOUBLING"]
    assert document["inputs"]["changes"][0]["line"] == 3
    assert result.returncode == document["exit_code"]
