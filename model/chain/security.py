"""Chain actions on stake and safety: bonds and unbonding, block commits, equivocation and its
evidence, downtime, jail, slashing, staking rewards, and the clock every window is measured on
(§4.2, §6.9, §6.10)."""

from __future__ import annotations

from typing import Any

from model.chain.actions import (
    AdvanceTime,
    CommitBlock,
    CommitEffect,
    CompleteUnbonding,
    Delegate,
    DistributeRewards,
    Effect,
    Equivocate,
    InfractionEffect,
    JailEffect,
    ReportDoubleSign,
    ReportDowntime,
    SlashEffect,
    SlashValidator,
    Undelegate,
    Unjail,
)
from model.chain.common import Step, check_signer, done, write_back
from model.chain.state import ChainState, get_validator_operator
from model.constitution import CORE_KEYS
from model.governance import Proposal
from model.ledger import Ledger
from model.records import evolve
from model.rewards import process_distribute_rewards
from model.slashing import (
    SlashingState,
    process_double_sign_evidence,
    process_slash_validator,
)
from model.staking import (
    BlockCommit,
    DoubleSignEvidence,
    StakingState,
    Vote,
    get_active_set,
    get_validator_stake,
    process_block_commit,
    process_complete_unbonding,
    process_delegate,
    process_undelegate,
)
from model.standing import (
    DOWNTIME_JAIL_SECONDS,
    process_downtime_evidence,
    process_late_double_sign_evidence,
    process_non_vote_penalty,
    process_record_infraction,
    process_record_signatures,
    process_tombstone,
    process_unjail,
)
from model.units import Outcome, Rejected, ValidatorId


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
        now=state.now,
        unbonding=state.profile.unbonding_period,
    )
    return write_back(state, result, "ledger", "staking")


def process_complete_unbonding_action(
    state: ChainState, action: CompleteUnbonding
) -> Outcome[Step]:
    """§4.2 (Cosmos x/staking): pay out every unbonding entry whose period has ended."""
    result = process_complete_unbonding(state.ledger, state.staking, now=state.now)
    return write_back(state, result, "ledger", "staking")


def process_distribute_rewards_action(
    state: ChainState, action: DistributeRewards
) -> Outcome[Step]:
    """§6.9, §4.2: one staking period's rewards paid to the eligible validators' bonds."""
    result = process_distribute_rewards(state.ledger, state.staking, state.params, state.profile)
    return write_back(state, result, "ledger")


def process_commit_block(state: ChainState, action: CommitBlock) -> Outcome[Step]:
    """§4.2: the next height commits if its signers hold more than the threshold of power."""
    height = state.height + 1
    commit = BlockCommit(height, 0, f"block-{height}", action.signers)
    accepted = process_block_commit(state.staking, state.params, commit)
    if isinstance(accepted, Rejected):
        return accepted
    effect = CommitEffect(accepted, state.staking, state.params)
    staking = process_record_signatures(state.staking, state.params, accepted.signers)
    commits = state.commits.set(height, (*state.commits.get(height, ()), accepted))
    return done(evolve(state, height=height, staking=staking, commits=commits), effect)


def _write_slash(
    state: ChainState, slashed: tuple[Any, ...], stake_before: int
) -> tuple[ChainState, SlashEffect]:
    """A validator slash's ledger, bonds and slash record written back, and its effect."""
    ledger, staking, slashing, outcome = slashed[:4]
    state = evolve(state, ledger=ledger, staking=staking, slashing=slashing)
    return state, _slash_effect(state, outcome, stake_before)


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
    staking_then, params, now = state.staking, state.params, state.now
    # The chain's parts this action changes, written back once at the end.
    staking, commits = staking_then, state.commits
    effects: list[Effect] = []
    if action.reported:
        # Verify every double sign's evidence is slashed, before the commits are counted: the
        # evidence reads no part of the chain that counting them changes (the signatures each
        # validator missed), so this refuses exactly as the slashes below would.
        refused = _slash_double_signers(state, staking_then, action.double_signers, height=height)
        if isinstance(refused, Rejected):
            return refused
    signed: set[ValidatorId] = set()
    for side, extra in (("a", action.side_a), ("b", action.side_b)):
        commit = BlockCommit(height, 0, f"block-{height}-{side}", action.double_signers | extra)
        accepted = process_block_commit(staking_then, params, commit)
        if not isinstance(accepted, Rejected):
            commits = commits.set(height, (*commits.get(height, ()), accepted))
            effects.append(CommitEffect(accepted, staking_then, params))
            signed |= accepted.signers
    if effects:
        # A validator that signed neither committed block missed the height.
        staking = process_record_signatures(staking, params, signed)
    if not action.reported:
        # The double signs are committed; their evidence may come later (ReportDoubleSign).
        for validator in sorted(action.double_signers):
            # Verify the validator exists.
            if validator not in staking.validators:
                return Rejected(rule, f"unknown validator {validator}")
            # Verify this double sign is not on record already.
            if (validator, height, 0) in staking.processed_evidence:
                return Rejected(rule, f"double-sign of {validator} at {height} already slashed")
            staking = process_record_infraction(
                staking, validator=validator, height=height, now=now
            )
            effects.append(InfractionEffect(validator, height, now, staking_then))
        return done(evolve(state, height=height, commits=commits, staking=staking), *effects)
    slashed = _slash_double_signers(state, staking, action.double_signers, height=height)
    if isinstance(slashed, Rejected):
        return slashed
    ledger, staking, slashing, slashes = slashed
    state = evolve(
        state, height=height, commits=commits, ledger=ledger, staking=staking, slashing=slashing
    )
    return done(state, *effects, *slashes)


def _slash_double_signers(
    state: ChainState,
    staking: StakingState,
    double_signers: frozenset[ValidatorId],
    *,
    height: int,
) -> Outcome[tuple[Ledger, StakingState, SlashingState, list[Effect]]]:
    """§6.10: each double signer of `height`, in id order, slashed on its evidence (its votes
    for both blocks) and tombstoned, from `state`'s ledger and slash records and `staking`."""
    ledger, slashing, now = state.ledger, state.slashing, state.now
    effects: list[Effect] = []
    for validator in sorted(double_signers):
        evidence = DoubleSignEvidence(
            Vote(height, 0, f"block-{height}-a", validator),
            Vote(height, 0, f"block-{height}-b", validator),
        )
        stake_before = get_validator_stake(staking, validator)
        slashed = process_double_sign_evidence(
            ledger,
            staking,
            slashing,
            evidence=evidence,
            now=now,
            params=state.params,
            profile=state.profile,
        )
        if isinstance(slashed, Rejected):
            return slashed
        ledger, staking, slashing, outcome = slashed
        staking = process_tombstone(staking, validator=validator)
        effects.append(_slash_effect(state, outcome, stake_before))
        effects.append(JailEffect(validator, now, True, "double sign"))
    return ledger, staking, slashing, effects


def process_report_double_sign(state: ChainState, action: ReportDoubleSign) -> Outcome[Step]:
    """§6.10: late evidence of a double sign slashes the validator's bonds and the unbonding
    entries that started after the infraction, and tombstones it."""
    stake_before = get_validator_stake(state.staking, action.validator)
    slashed = process_late_double_sign_evidence(
        state.ledger,
        state.staking,
        state.slashing,
        validator=action.validator,
        height=action.height,
        now=state.now,
        params=state.params,
        profile=state.profile,
    )
    if isinstance(slashed, Rejected):
        return slashed
    state, effect = _write_slash(state, slashed, stake_before)
    jail = JailEffect(action.validator, state.now, True, "double sign")
    return done(state, effect, jail)


def process_report_downtime(state: ChainState, action: ReportDowntime) -> Outcome[Step]:
    """§6.10: a validator that missed too many recent blocks is slashed and jailed."""
    stake_before = get_validator_stake(state.staking, action.validator)
    slashed = process_downtime_evidence(
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
    state, effect = _write_slash(state, slashed, stake_before)
    until = state.now + DOWNTIME_JAIL_SECONDS
    jail = JailEffect(action.validator, until, False, "downtime")
    return done(state, effect, jail)


def process_unjail_action(state: ChainState, action: Unjail) -> Outcome[Step]:
    """§6.10: a jailed validator returns once its jail has ended."""
    staking = process_unjail(state.staking, validator=action.validator, now=state.now)
    return write_back(state, staking, "staking")


def is_core_proposal(proposal: Proposal) -> bool:
    """§6.8: a proposal that changes a core network parameter."""
    return any(f"{change.subspace}.{change.key}" in CORE_KEYS for change in proposal.changes)


def process_core_vote_timeouts(
    before: ChainState, after: ChainState, proposal: Proposal
) -> tuple[ChainState, tuple[Effect, ...]]:
    """§6.8: once a core parameter change is tallied, each validator of the active set whose
    operator did not vote on it is timed out (jailed as for downtime); `before` is the chain
    the tally weighed, `after` the chain it left."""
    if not is_core_proposal(proposal):
        return after, ()
    silent = tuple(
        validator
        for validator in get_active_set(before.staking, before.params)
        if get_validator_operator(validator) not in proposal.votes
    )
    staking = process_non_vote_penalty(after.staking, validators=silent, now=after.now)
    until = after.now + DOWNTIME_JAIL_SECONDS
    effects = tuple(JailEffect(v, until, False, "no vote on a core parameter") for v in silent)
    return evolve(after, staking=staking), effects


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
    state, effect = _write_slash(state, slashed, stake_before)
    return done(state, effect)


def process_advance_time(state: ChainState, action: AdvanceTime) -> Outcome[Step]:
    """§3.2, §6.9, §6.10: the clock every deadline, window and year is measured on moves forward."""
    # Verify time moves forward.
    if action.seconds < 0:
        return Rejected("process_advance_time", f"time cannot move back ({action.seconds} s)")
    return done(evolve(state, now=state.now + action.seconds))
