"""Every exported query re-checks to the same answer in the z3 binary and in cvc5."""

from __future__ import annotations

from pathlib import Path

import pytest
from solver_fixtures import FAST

from model.params import WHITEPAPER_PARAMS
from model.profile import HARDENED, WHITEPAPER, Profile
from reports.recheck import RecheckError, recheck_with_cvc5, recheck_with_z3_binary
from solver.claim import ProofStatus
from solver.registry import PROVED_IDS, prove_all

EXPECTED = {ProofStatus.PROVED: "unsat", ProofStatus.REFUTED: "sat"}


@pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER], ids=lambda p: p.name)
def test_both_solvers_agree_with_every_proof(profile: Profile, tmp_path: Path) -> None:
    results = prove_all(WHITEPAPER_PARAMS, profile, settings=FAST)
    assert {r.invariant_id for r in results} == set(PROVED_IDS)
    disagreements = []
    for result in results:
        assert result.status in EXPECTED, (result.invariant_id, result.reason)
        script = tmp_path / f"{result.invariant_id}.smt2"
        script.write_text(result.smt2, encoding="utf-8")
        answers = (recheck_with_z3_binary(script), recheck_with_cvc5(script))
        if answers != (EXPECTED[result.status],) * 2:
            disagreements.append((result.invariant_id, result.status.value, answers))
    assert disagreements == []
    # The literal profile really has refutations to re-check.
    if profile is WHITEPAPER:
        assert any(r.status is ProofStatus.REFUTED for r in results)


def test_a_script_a_solver_rejects_is_an_error_not_an_answer(tmp_path: Path) -> None:
    script = tmp_path / "bad.smt2"
    script.write_text(
        "(set-logic QF_LIA)\n(declare-fun x () Int)\n(declare-fun y () Int)\n"
        "(assert (= (* x y) 7))\n(check-sat)\n",
        encoding="utf-8",
    )
    with pytest.raises(RecheckError):
        recheck_with_z3_binary(script)
    with pytest.raises(RecheckError):
        recheck_with_cvc5(script)
