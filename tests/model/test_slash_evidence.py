"""Tests of model.slashing for double-sign evidence (§6.10): validity, once per offence, and the slash it triggers."""

from __future__ import annotations

from model_checks import is_bonded_pool_consistent, is_str_conserved
from slashing_fixtures import (
    V1,
    bonded_validator,
    ok,
)

from model.ledger import Ledger
from model.params import WHITEPAPER_PARAMS
from model.profile import HARDENED
from model.slashing import (
    SlashingState,
    SlashOutcome,
    process_double_sign_evidence,
)
from model.staking import DoubleSignEvidence, StakingState, Vote
from model.units import Outcome, Rejected, ValidatorId

# --- Double-sign evidence ------------------------------------------------------------------------


def evidence(
    hash_b: str = "h2",
    *,
    height_b: int = 9,
    validator_b: ValidatorId = V1,
    round_b: int = 0,
) -> DoubleSignEvidence:
    return DoubleSignEvidence(Vote(9, 0, "h1", V1), Vote(height_b, round_b, hash_b, validator_b))


def run_double_sign(
    ledger: Ledger,
    staking: StakingState,
    slashing: SlashingState,
    proof: DoubleSignEvidence,
    *,
    now: int = 0,
) -> Outcome[tuple[Ledger, StakingState, SlashingState, SlashOutcome]]:
    return process_double_sign_evidence(
        ledger,
        staking,
        slashing,
        evidence=proof,
        now=now,
        params=WHITEPAPER_PARAMS,
        profile=HARDENED,
    )


def test_double_sign__basic() -> None:
    ledger, staking = bonded_validator((2_000,), self_bond=4_000)
    new_ledger, new_staking, _, outcome = ok(
        run_double_sign(ledger, staking, SlashingState(), evidence())
    )
    assert outcome.total_burned == 300
    assert (V1, 9, 0) in new_staking.processed_evidence
    assert is_str_conserved(new_ledger)
    assert is_bonded_pool_consistent(new_ledger, new_staking)


def test_invalid_double_sign__duplicate() -> None:
    ledger, staking = bonded_validator((2_000,), self_bond=4_000)
    ledger, staking, slashing, _ = ok(run_double_sign(ledger, staking, SlashingState(), evidence()))
    for again in (
        evidence(),
        evidence("h3"),
        DoubleSignEvidence(evidence().vote_b, evidence().vote_a),
    ):
        refused = run_double_sign(ledger, staking, slashing, again, now=10)
        assert isinstance(refused, Rejected)
        assert refused.rule == "process_double_sign_evidence"
    # A double-sign in another round is a new offence.
    other_round = DoubleSignEvidence(Vote(9, 1, "h1", V1), Vote(9, 1, "h2", V1))
    ok(run_double_sign(ledger, staking, slashing, other_round, now=10))


def test_invalid_double_sign__not_a_double_sign() -> None:
    ledger, staking = bonded_validator((2_000,), self_bond=4_000)
    for proof in (
        evidence("h1"),
        evidence(height_b=10),
        evidence(round_b=1),
        evidence(validator_b=ValidatorId("val-2")),
    ):
        refused = run_double_sign(ledger, staking, SlashingState(), proof)
        assert isinstance(refused, Rejected)
        assert refused.rule == "process_double_sign_evidence"


def test_invalid_double_sign__unknown_validator() -> None:
    ledger, staking = bonded_validator((2_000,), self_bond=4_000)
    nobody = ValidatorId("nobody")
    proof = DoubleSignEvidence(Vote(1, 0, "a", nobody), Vote(1, 0, "b", nobody))
    refused = run_double_sign(ledger, staking, SlashingState(), proof)
    assert isinstance(refused, Rejected)


def test_invalid_double_sign__time_runs_backwards() -> None:
    ledger, staking = bonded_validator((2_000,), self_bond=4_000)
    ledger, staking, slashing, _ = ok(
        run_double_sign(ledger, staking, SlashingState(), evidence(), now=100)
    )
    later = DoubleSignEvidence(Vote(10, 0, "x", V1), Vote(10, 0, "y", V1))
    refused = run_double_sign(ledger, staking, slashing, later, now=50)
    assert isinstance(refused, Rejected)
    assert (V1, 10, 0) not in staking.processed_evidence
