"""The validator stake lifecycle: rewards (REW-PRORATA), unbonding against late evidence
(SLASH-AVOIDED) and good standing (VAL-STANDING), §4.2, §6.8, §6.9, §6.10.

Each check reads the raw state before and after the step (balances, bonds, unbonding entries,
jail and tombstone records), the action, and the checker's own memory (`History`: the bonds at
each unreported double sign, the blocks each validator missed), with the oracle's readings of
the text and of Cosmos' defaults (`oracle.staking`, `oracle.rewards`), never a model rule.
"""

from __future__ import annotations

from model.chain.actions import (
    CommitEffect,
    DistributeRewards,
    Equivocate,
    ReportDoubleSign,
    ReportDowntime,
    SlashEffect,
    Tally,
    Unjail,
)
from model.chain.state import ChainState, get_validator_operator
from model.constitution import CORE_KEYS
from model.ledger import REWARDS_POOL, Token
from model.units import AccountId, ValidatorId
from oracle.effects import get_balance_changes
from oracle.ledger import ustr_of
from oracle.rewards import expected_rewards, reward_eligible
from oracle.staking import (
    DOWNTIME_JAIL_SECONDS,
    UNBONDING_SECONDS,
    active_set,
    is_down,
    power_of,
    slashed_amount_capped,
    total_power,
    unbonding_of,
)
from properties.invariants.base import Observation, observe
from properties.invariants.step import ChainStep

STR = Token.STR


# --- REW-PRORATA ---------------------------------------------------------------------------------


def check_rew_prorata(step: ChainStep) -> Observation | None:
    """REW-PRORATA (§6.9, §4.2): a distribution pays each account the sum over its bonds to
    eligible validators of floor(pool * bond / eligible stake), out of the rewards pool only;
    the dust left in the pool is less than one ustr per bond."""
    before, action = step.before, step.action
    if before is None or not isinstance(action, DistributeRewards):
        return None
    pool = ustr_of(before.ledger, REWARDS_POOL)
    eligible = reward_eligible(
        before.staking,
        max_validators=before.params.consensus.max_validators,
        whole_set=before.profile.rewards_whole_active_set,
    )
    want, bonds = expected_rewards(pool, before.staking, eligible)
    moved = {
        account: amount
        for (account, token), amount in get_balance_changes(
            before.ledger, step.after.ledger
        ).items()
        if token is STR and amount
    }
    paid = sum(want.values())
    expected = {**want, REWARDS_POOL: -paid} if paid else {}
    problems = [
        f"{account} moved {moved.get(account, 0)} ustr, expected {expected.get(account, 0)}"
        for account in sorted(moved.keys() | expected.keys())
        if moved.get(account, 0) != expected.get(account, 0)
    ]
    dust = pool - paid
    if bonds and not 0 <= dust < bonds:
        problems.append(f"{dust} ustr of dust left by {bonds} bonds")
    return observe("REW-PRORATA", not problems, "; ".join(problems))


# --- SLASH-AVOIDED -------------------------------------------------------------------------------


def _at_stake(state: ChainState, delegator: AccountId, validator: ValidatorId) -> int:
    """What `delegator` still has at risk with `validator`: its bond and its unbonding."""
    bond = state.staking.delegations.get((delegator, validator), 0)
    return bond + unbonding_of(state.staking, delegator, validator)


def check_slash_avoided(step: ChainStep) -> Observation | None:
    """SLASH-AVOIDED (§6.10, §4.2): evidence of a double sign reported within the unbonding
    period takes the slash rate of every bond the validator had when it double-signed, whether
    or not it was undelegated since (each piece rounds down once, and each slash since lowered
    it)."""
    before, action = step.before, step.action
    if before is None or not isinstance(action, ReportDoubleSign):
        return None
    memory = step.history.infractions.get((action.validator, action.height))
    if memory is None:
        return observe(
            "SLASH-AVOIDED",
            False,
            f"evidence of a double sign of {action.validator} at {action.height} was accepted,"
            " but none was committed there",
        )
    if before.now - memory.time >= UNBONDING_SECONDS:
        return None
    offender = f"validator:{action.validator}"
    rates = [
        e.rate_bps for e in step.effects if isinstance(e, SlashEffect) and e.offender == offender
    ]
    if not rates:
        return observe(
            "SLASH-AVOIDED", False, f"the evidence slashed {action.validator} at no rate"
        )
    rate = rates[0]
    problems = []
    for delegator, amount in sorted(memory.at_stake.items()):
        want = slashed_amount_capped(amount, rate)
        lost = _at_stake(before, delegator, action.validator) - _at_stake(
            step.after, delegator, action.validator
        )
        pieces = 1 + sum(
            1
            for e in before.staking.unbonding.values()
            if e.delegator == delegator and e.validator == action.validator
        )
        if lost + pieces + memory.slashes < want:
            problems.append(
                f"{delegator} had {amount} ustr bonded to {action.validator} at the double sign"
                f" ({memory.time}) but lost {lost}, not {want} at {rate} bps"
            )
    return observe("SLASH-AVOIDED", not problems, "; ".join(problems))


# --- VAL-STANDING --------------------------------------------------------------------------------


def _barred(state: ChainState) -> frozenset[ValidatorId]:
    return frozenset(state.staking.jailed) | state.staking.tombstoned


def _jail_reasons(step: ChainStep, before: ChainState) -> dict[ValidatorId, int | None]:
    """The validators the step's action may jail and until when (None: tombstoned for ever),
    by the text: a double sign's evidence, downtime evidence, no vote on a core change."""
    action = step.action
    seats = before.params.consensus.max_validators
    until = before.now + DOWNTIME_JAIL_SECONDS
    if isinstance(action, Equivocate) and action.reported:
        return dict.fromkeys(action.double_signers, None)
    if isinstance(action, ReportDoubleSign):
        known = (action.validator, action.height) in step.history.infractions
        return {action.validator: None} if known else {}
    if isinstance(action, ReportDowntime):
        down = is_down(step.history.signing.get(action.validator, ()))
        active = action.validator in active_set(before.staking, max_validators=seats)
        return {action.validator: until} if down and active else {}
    if isinstance(action, Tally):
        proposal = before.governance.proposals.get(action.proposal_id)
        if proposal is None or not any(
            f"{c.subspace}.{c.key}" in CORE_KEYS for c in proposal.changes
        ):
            return {}
        return {
            v: until
            for v in active_set(before.staking, max_validators=seats)
            if get_validator_operator(v) not in proposal.votes
        }
    return {}


def _standing_problems(step: ChainStep, before: ChainState) -> list[str]:
    after, action = step.after, step.action
    old, new = before.staking, after.staking
    problems = []
    if not old.tombstoned <= new.tombstoned:
        problems.append(f"tombstoned {sorted(old.tombstoned - new.tombstoned)} came back")
    reasons = _jail_reasons(step, before)
    for validator in sorted(reasons):
        until = reasons[validator]
        if until is None and validator not in new.tombstoned:
            problems.append(f"{validator} double-signed on evidence but is not tombstoned")
        elif until is not None and new.jailed.get(validator, -1) < until:
            problems.append(
                f"{validator} should be jailed until {until}: {new.jailed.get(validator)}"
            )
    for validator in sorted(new.tombstoned - old.tombstoned):
        if reasons.get(validator, 0) is not None:
            problems.append(f"{validator} was tombstoned without evidence of a double sign")
    for validator, until in sorted(new.jailed.items()):
        if old.jailed.get(validator) != until and validator not in reasons:
            problems.append(f"{validator} was jailed until {until} without evidence")
    for validator in sorted(set(old.jailed) - set(new.jailed)):
        freed = (
            isinstance(action, Unjail)
            and action.validator == validator
            and validator not in new.tombstoned
            and before.now >= old.jailed[validator]
        )
        if not freed:
            problems.append(
                f"{validator} left jail (until {old.jailed[validator]}) at {before.now}"
            )
    return problems


def _earnings_problems(step: ChainStep, before: ChainState) -> list[str]:
    """Commits weighed without the barred validators' power; rewards only to their others."""
    barred = _barred(before)
    problems = []
    consensus = before.params.consensus
    for commit in (e.commit for e in step.effects if isinstance(e, CommitEffect)):
        # Only a commit a barred validator signed can lean on barred power.
        if not commit.signers & barred:
            continue
        seats = consensus.max_validators
        signed = power_of(before.staking, commit.signers - barred, max_validators=seats)
        total = total_power(before.staking, max_validators=seats)
        if not signed * consensus.threshold_den > consensus.threshold_num * total:
            problems.append(
                f"a commit at {commit.height} passed with the power of barred {sorted(barred)}"
            )
    if isinstance(step.action, DistributeRewards):
        seats = consensus.max_validators
        earning = set(active_set(before.staking, max_validators=seats))
        bonded = {d for (d, v), a in before.staking.delegations.items() if v in earning and a}
        changes = get_balance_changes(before.ledger, step.after.ledger)
        unearned = sorted(
            str(a) for (a, t), amount in changes.items() if amount > 0 and a not in bonded
        )
        if unearned:
            problems.append(f"rewards reached {unearned}, bonded to no validator in good standing")
    return problems


def check_val_standing(step: ChainStep) -> Observation | None:
    """VAL-STANDING (§6.10, §6.8, §4.2): a jailed or tombstoned validator carries no power and
    earns nothing; a tombstone is for ever; a validator is jailed only on evidence (a double
    sign, downtime over the watched window, no vote on a core change), and each such evidence
    jails it; it leaves jail only by unjailing after the jail ends."""
    before = step.before
    if before is None:
        return None
    old, new = before.staking, step.after.staking
    touched = (
        old.jailed is not new.jailed
        or old.tombstoned is not new.tombstoned
        or isinstance(step.action, (DistributeRewards, ReportDowntime, Unjail))
        or (isinstance(step.action, Tally) and bool(_jail_reasons(step, before)))
    )
    if not touched and not (_barred(before) and step.effects_of(CommitEffect)):
        return None
    problems = _standing_problems(step, before) + _earnings_problems(step, before)
    return observe("VAL-STANDING", not problems, "; ".join(problems))
