"""Exit code 3: a proof the solver gives up on, or an engine that breaks, is never a pass.

The solver really times out here (a query too hard for its budget, as in
tests/solver/test_registry.py), and the executor engine really raises; the command line must
turn both into an inconclusive report that keeps every other engine's verdicts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
import z3

import reports.check
from model.params import Params
from model.profile import Profile
from reports.cli import EXIT_INCONCLUSIVE, main
from solver.claim import Claim, ProofResult
from solver.prove import SolverSettings, prove


def prove_too_hard(
    params: Params,
    profile: Profile,
    *,
    settings: SolverSettings,
    only: Iterable[str],
) -> tuple[ProofResult, ...]:
    """Each selected proof replaced by factoring a 128-bit semiprime in 100 ms."""
    x, y = z3.Int("x"), z3.Int("y")
    semiprime = 18446744073709551557 * 18446744073709551533
    results = []
    for invariant_id in only:
        claim = Claim(
            invariant_id=invariant_id,
            statement="a query too hard for the budget",
            logic="QF_NIA",
            inputs=(("x", x), ("y", y)),
            assumptions=(x > 1, y > 1),
            goal=x * y != semiprime,
        )
        results.append(prove(claim, settings=SolverSettings(timeout_ms=100)))
    return tuple(results)


def run_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code = main([*argv, "--json", "--quiet"], env={})
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    return code, document


def test_unknown_proof__inconclusive(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(reports.check, "prove_all", prove_too_hard)
    monkeypatch.setattr(reports.check, "ENGINES_IN_BACKGROUND", False)  # where the patch holds
    code, document = run_json(["check", "--engines", "z3", "--only", "PAY-BURN"], capsys)
    assert code == EXIT_INCONCLUSIVE == document["exit_code"]
    assert document["verdict"] == "inconclusive"
    (row,) = document["invariants"]
    assert row["verdict"] == "inconclusive"
    assert row["engines"]["z3"]["verdict"] == "unknown"
    assert row["engines"]["z3"]["reason"]


def test_broken_engine__inconclusive_and_the_others_kept(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def broken_executor(*args: object, **kwargs: object) -> object:
        raise RuntimeError("the executor gave different answers on one call:\nsecond line")

    monkeypatch.setattr(reports.check, "run_executor_streams", broken_executor)
    monkeypatch.setattr(reports.check, "ENGINES_IN_BACKGROUND", False)  # where the patch holds
    code, document = run_json(
        [
            "check",
            "--engines",
            "z3,executor",
            "--only",
            "CR-INJECTIVE",
            "GROUNDED",
            "--out",
            str(tmp_path),
        ],
        capsys,
    )
    assert code == EXIT_INCONCLUSIVE
    rows = {row["id"]: row for row in document["invariants"]}
    assert rows["GROUNDED"]["verdict"] == "inconclusive"
    assert rows["GROUNDED"]["engines"]["executor"]["verdict"] == "error"
    # CR-INJECTIVE is proved by Z3, but the executor's half of its evidence is missing.
    assert rows["CR-INJECTIVE"]["engines"]["z3"]["verdict"] == "proved"
    assert rows["CR-INJECTIVE"]["verdict"] == "inconclusive"
    engine = document["engines"]["executor"]
    assert engine["verdict"] == "error"
    assert engine["reason"].startswith("RuntimeError: the executor gave different answers")
    assert "\n" not in engine["reason"]
    assert json.loads((tmp_path / "report.json").read_text("utf-8")) == document
