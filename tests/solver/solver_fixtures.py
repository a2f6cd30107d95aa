"""Shared helpers of the solver tests: run a claim, read its counterexample."""

from __future__ import annotations

from model.params import Params
from model.profile import Profile
from solver.claim import ParamMode, ProofResult, ProofStatus
from solver.prove import SolverSettings
from solver.registry import prove_invariant

FAST = SolverSettings(timeout_ms=20_000)


def run(
    invariant_id: str,
    params: Params,
    profile: Profile,
    mode: ParamMode = ParamMode.CONCRETE,
) -> ProofResult:
    """Prove `invariant_id` for (params, profile, mode) with the test settings."""
    return prove_invariant(invariant_id, params, profile, mode=mode, settings=FAST)


def refuted(result: ProofResult) -> dict[str, int]:
    """The integer counterexample of a result that must be REFUTED (without the names some
    claims report beside a numbered choice, `<input>.name`)."""
    assert result.status is ProofStatus.REFUTED, (result.status, result.reason)
    values = {name: value for name, value in result.counterexample if not name.endswith(".name")}
    assert all(isinstance(value, int) for value in values.values())
    return {name: int(value) for name, value in values.items()}
