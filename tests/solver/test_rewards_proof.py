"""REW-PRORATA in Z3: the model's reward share is proved to be the floored pro-rata share, with
the dust under one ustr per bond, for every pool and two bonds (three with z3 alone) in a
bounded domain; shares that round up or split equally are refuted."""

from __future__ import annotations

from typing import Any

import pytest

import solver.proofs.rewards
from model.params import WHITEPAPER_PARAMS
from model.profile import HARDENED, WHITEPAPER, Profile
from solver.claim import ParamMode, ProofResult, ProofStatus
from solver.proofs.rewards import claim_rew_prorata
from solver.prove import prove
from solver.registry import CONCRETE_ONLY, PROVED_IDS


def _prove(profile: Profile = HARDENED) -> ProofResult:
    claim = claim_rew_prorata(WHITEPAPER_PARAMS, profile, ParamMode.CONCRETE)
    return prove(claim, mode=ParamMode.CONCRETE)


@pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER], ids=lambda p: p.name)
def test_the_split__proved(profile: Profile) -> None:
    assert "REW-PRORATA" in PROVED_IDS and "REW-PRORATA" in CONCRETE_ONLY
    result = _prove(profile)
    assert result.status is ProofStatus.PROVED, result.counterexample


def test_three_bonds__proved_by_z3() -> None:
    claim = claim_rew_prorata(WHITEPAPER_PARAMS, HARDENED, ParamMode.CONCRETE, bond_count=3)
    result = prove(claim, mode=ParamMode.CONCRETE)
    assert result.status is ProofStatus.PROVED, result.counterexample


def test_a_share_rounded_up__refuted(monkeypatch: pytest.MonkeyPatch) -> None:
    def rounded_up(alg: Any, pool: Any, bond: Any, total: Any) -> Any:
        return (pool * bond + total - 1) / total

    monkeypatch.setattr(solver.proofs.rewards, "compute_reward_share", rounded_up)
    result = _prove()
    assert result.status is ProofStatus.REFUTED
    values = dict(result.counterexample)
    assert values["pool"] != 0


def test_equal_parts__refuted(monkeypatch: pytest.MonkeyPatch) -> None:
    def equal(alg: Any, pool: Any, bond: Any, total: Any) -> Any:
        return pool / 3

    monkeypatch.setattr(solver.proofs.rewards, "compute_reward_share", equal)
    assert _prove().status is ProofStatus.REFUTED
