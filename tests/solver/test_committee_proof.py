"""SUB-POWERS in Z3: the committee's vote is proved to be more than 2/3 of its own delegated STR
under hardened; the literal reading (no vote) and models that weigh the vote wrongly are
refuted."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

import model.committees
from model.governance import GovernanceState
from model.params import WHITEPAPER_PARAMS
from model.profile import HARDENED, WHITEPAPER, Profile
from model.units import AccountId
from solver.claim import ParamMode, ProofResult, ProofStatus
from solver.proofs.committees import claim_sub_powers
from solver.prove import prove
from solver.registry import CONCRETE_ONLY, PROVED_IDS


def _prove(profile: Profile) -> ProofResult:
    claim = claim_sub_powers(WHITEPAPER_PARAMS, profile, ParamMode.CONCRETE)
    return prove(claim, mode=ParamMode.CONCRETE)


def test_hardened__proved() -> None:
    assert "SUB-POWERS" in PROVED_IDS and "SUB-POWERS" in CONCRETE_ONLY
    result = _prove(HARDENED)
    assert result.status is ProofStatus.PROVED, result.counterexample


def test_whitepaper__refuted_the_committee_acts_unvoted() -> None:
    """docs/findings.md: the literal reading asks no vote, so signers holding none of the
    committee's STR carry its power."""
    result = _prove(WHITEPAPER)
    assert result.status is ProofStatus.REFUTED
    values = dict(result.counterexample)
    assert isinstance(values["signer_a"], int) and isinstance(values["absent"], int)
    signed = values["signer_a"] + values["signer_b"]  # type: ignore[operator]
    assert 3 * signed <= 2 * (signed + values["absent"])


def test_a_bare_majority__refuted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model.committees, "COMMITTEE_PASS_NUM", 1)
    monkeypatch.setattr(model.committees, "COMMITTEE_PASS_DEN", 2)
    assert _prove(HARDENED).status is ProofStatus.REFUTED


def test_counting_str_delegated_elsewhere__refuted(monkeypatch: pytest.MonkeyPatch) -> None:
    """A vote that weighs all the signers' delegated STR, to any committee."""

    def everything(gov: GovernanceState, name: str, signers: Iterable[AccountId]) -> object:
        chosen = set(signers)
        return sum(v for (d, _), v in gov.subcommittee_delegations.items() if d in chosen)

    monkeypatch.setattr(model.committees, "get_committee_vote_weight", everything)
    assert _prove(HARDENED).status is ProofStatus.REFUTED
