"""Chain actions on stake and safety: bonds, block commits, equivocation, slashing, and the
clock every window is measured on (§4.2, §6.10)."""

from __future__ import annotations

from typing import Any

import attrs

from model.chain.actions import (
    AdvanceTime,
    CommitBlock,
    CommitEffect,
    Delegate,
    Effect,
    Equivocate,
    SlashEffect,
    SlashValidator,
    Undelegate,
)
from model.chain.common import Step, check_signer, done, write_back
from model.chain.state import ChainState
from model.slashing import process_double_sign_evidence, process_slash_validator
from model.staking import (
    BlockCommit,
    DoubleSignEvidence,
    Vote,
    get_validator_stake,
    process_block_commit,
    process_delegate,
    process_undelegate,
)
from model.units import Outcome, Rejected


def process_delegate_action(state: ChainState, action: Delegate) -> Outcome[Step]:
    """§4.2: bond STR to a validator."""
    # Verify the signer is a user account: nobody signs for a module pool or an escrow.
    if (refused := check_signer("process_delegate_action", action.delegator)) is not None:
        return refused
    result = process_delegate(
        state.ledger,
        state.staking,
        delegator=action.delegator,
        validator=action.validator,
        amount=action.amount,
    )
    return write_back(state, result, "ledger", "staking")


def process_undelegate_action(state: ChainState, action: Undelegate) -> Outcome[Step]:
    """§4.2: take a bond back."""
    # Verify the signer is a user account: nobody signs for a module pool or an escrow.
    if (refused := check_signer("process_undelegate_action", action.delegator)) is not None:
        return refused
    result = process_undelegate(
        state.ledger,
        state.staking,
        delegator=action.delegator,
        validator=action.validator,
        amount=action.amount,
    )
    return write_back(state, result, "ledger", "staking")


def _record_commit(state: ChainState, commit: BlockCommit) -> ChainState:
    seen = state.commits.get(commit.height, ())
    return attrs.evolve(state, commits=state.commits.set(commit.height, (*seen, commit)))


def process_commit_block(state: ChainState, action: CommitBlock) -> Outcome[Step]:
    """§4.2: the next height commits if its signers hold more than the threshold of power."""
    height = state.height + 1
    commit = BlockCommit(height, 0, f"block-{height}", action.signers)
    accepted = process_block_commit(state.staking, state.params, commit)
    if isinstance(accepted, Rejected):
        return accepted
    effect = CommitEffect(accepted, state.staking, state.params)
    return done(_record_commit(attrs.evolve(state, height=height), accepted), effect)


def _slash_effect(state: ChainState, outcome: Any, stake_before: int) -> SlashEffect:
    return SlashEffect(
        offender=f"validator:{outcome.validator}",
        time=state.now,
        rate_bps=outcome.rate_bps,
        stake_before=stake_before,
        requested_ustr=outcome.total_requested,
        burned_ustr=outcome.total_burned,
        params=state.params,
        validator_outcome=outcome,
    )


def process_equivocate(state: ChainState, action: Equivocate) -> Outcome[Step]:
    """§4.2, §6.10: conflicting votes at the next height; commits that pass are recorded and
    every double-sign is slashed on its evidence."""
    rule = "process_equivocate"
    # Verify someone double-signs.
    if not action.double_signers:
        return Rejected(rule, "an equivocation needs at least one double signer")
    height = state.height + 1
    staking_then, params = state.staking, state.params
    state = attrs.evolve(state, height=height)
    effects: list[Effect] = []
    for side, extra in (("a", action.side_a), ("b", action.side_b)):
        commit = BlockCommit(height, 0, f"block-{height}-{side}", action.double_signers | extra)
        accepted = process_block_commit(staking_then, params, commit)
        if not isinstance(accepted, Rejected):
            state = _record_commit(state, accepted)
            effects.append(CommitEffect(accepted, staking_then, params))
    for validator in sorted(action.double_signers):
        evidence = DoubleSignEvidence(
            Vote(height, 0, f"block-{height}-a", validator),
            Vote(height, 0, f"block-{height}-b", validator),
        )
        stake_before = get_validator_stake(state.staking, validator)
        slashed = process_double_sign_evidence(
            state.ledger,
            state.staking,
            state.slashing,
            evidence=evidence,
            now=state.now,
            params=params,
            profile=state.profile,
        )
        if isinstance(slashed, Rejected):
            return slashed
        ledger, staking, slashing, outcome = slashed
        state = attrs.evolve(state, ledger=ledger, staking=staking, slashing=slashing)
        effects.append(_slash_effect(state, outcome, stake_before))
    return done(state, *effects)


def process_slash_validator_action(state: ChainState, action: SlashValidator) -> Outcome[Step]:
    """§6.10: slash a validator for a fault other than double signing."""
    stake_before = get_validator_stake(state.staking, action.validator)
    slashed = process_slash_validator(
        state.ledger,
        state.staking,
        state.slashing,
        validator=action.validator,
        now=state.now,
        params=state.params,
        profile=state.profile,
    )
    if isinstance(slashed, Rejected):
        return slashed
    ledger, staking, slashing, outcome = slashed
    state = attrs.evolve(state, ledger=ledger, staking=staking, slashing=slashing)
    return done(state, _slash_effect(state, outcome, stake_before))


def process_advance_time(state: ChainState, action: AdvanceTime) -> Outcome[Step]:
    """§3.2, §6.9, §6.10: the clock every deadline, window and year is measured on moves forward."""
    # Verify time moves forward.
    if action.seconds < 0:
        return Rejected("process_advance_time", f"time cannot move back ({action.seconds} s)")
    return done(attrs.evolve(state, now=state.now + action.seconds))
