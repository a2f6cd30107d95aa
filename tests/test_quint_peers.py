"""The model's side of the Quint peer benchmark (benchmarks/peer_walks.py), without Quint.

The walks run the model's rules a few samples long and hold their invariant; handed a broken
rule, or the literal profile's uncapped slash rate, their checkers report the first violation.
"""

from __future__ import annotations

import attrs

from benchmarks.peer_walks import (
    HONEST_OUTPUT_HASH,
    INITIAL_TOTAL,
    DecideRule,
    build_slash_genesis,
    walk_commit_reveal,
    walk_slash,
)
from model.hashing import compute_hash
from model.ledger import Ledger
from model.params import Params
from model.profile import WHITEPAPER, Profile
from model.slashing import SlashingState, SlashOutcome, process_slash_validator
from model.staking import StakingState
from model.trusted.decision import process_decide
from model.trusted.round import RoundState
from model.units import Outcome, Rejected, Seconds, ValidatorId


def test_slash_walk_holds_its_invariant() -> None:
    result = walk_slash(40, 20, 0)
    assert result.violation is None
    assert (result.traces, result.steps) == (40, 800)


def test_commit_reveal_walk_holds_its_invariant() -> None:
    result = walk_commit_reveal(40, 20, 0)
    assert result.violation is None
    assert (result.traces, result.steps) == (40, 800)


def test_slash_genesis_bonds_the_four_stakes() -> None:
    ledger, staking, slashing = build_slash_genesis()
    assert sorted(staking.delegations.values()) == [7, 40_000, 250_000, 1_000_000]
    assert sum(staking.delegations.values()) == INITIAL_TOTAL
    assert ledger.str_burned == 0
    assert not slashing.records


def _slash_burning_nothing(
    ledger: Ledger,
    staking: StakingState,
    slashing: SlashingState,
    *,
    validator: ValidatorId,
    now: Seconds,
    params: Params,
    profile: Profile,
) -> Outcome[tuple[Ledger, StakingState, SlashingState, SlashOutcome]]:
    """A broken slash: the bonds lose their share, but the ledger burns nothing."""
    slashed = process_slash_validator(
        ledger, staking, slashing, validator=validator, now=now, params=params, profile=profile
    )
    if isinstance(slashed, Rejected):
        return slashed
    _, staking, slashing, outcome = slashed
    return ledger, staking, slashing, outcome


def test_slash_checker_reports_stake_lost_without_a_burn() -> None:
    result = walk_slash(40, 20, 0, slash=_slash_burning_nothing)
    assert result.violation is not None
    assert result.violation.walk == "slash"
    assert f"not {INITIAL_TOTAL} in all" in result.violation.reason


def test_slash_checker_reports_the_literal_profiles_uncapped_rate() -> None:
    # §6.10 read literally names no cap: the sixth slash in a window asks for 16,000 bps.
    result = walk_slash(200, 20, 0, profile=WHITEPAPER)
    assert result.violation is not None
    assert "a slash applied 16000 bps" in result.violation.reason


def _deciding_consensus_on(agreed: bytes | None) -> DecideRule:
    """A broken decision: consensus TRUE on the output `agreed` (None: on no output), whatever
    the reveals say."""

    def decide(
        state: RoundState,
        *,
        now: Seconds,
        params: Params,
        profile: Profile,
        deviation_bps: int | None = None,
    ) -> Outcome[RoundState]:
        decided = process_decide(
            state, now=now, params=params, profile=profile, deviation_bps=deviation_bps
        )
        if isinstance(decided, Rejected) or decided.decision is None:
            return decided
        agreed_hash = None if agreed is None else compute_hash(agreed)
        decision = attrs.evolve(decided.decision, consensus=True, agreed_output_hash=agreed_hash)
        return attrs.evolve(decided, decision=decision)

    return decide


def test_round_checker_reports_consensus_on_a_wrong_output() -> None:
    result = walk_commit_reveal(40, 20, 0, decide=_deciding_consensus_on(b"7"))
    assert result.violation is not None
    assert result.violation.walk == "commit-reveal"
    assert "byzantine of 4 and consensus on" in result.violation.reason


def test_round_checker_reports_consensus_without_an_output() -> None:
    result = walk_commit_reveal(40, 20, 0, decide=_deciding_consensus_on(None))
    assert result.violation is not None
    assert result.violation.reason == "consensus True with agreed output None"


def test_honest_output_hash_is_the_models_digest() -> None:
    assert compute_hash(b"42") == HONEST_OUTPUT_HASH
