"""Block and slashing invariants: accountability of conflicting commits, the slash schedule."""

from __future__ import annotations

from itertools import combinations

from model.chain.actions import (
    CommitEffect,
    Equivocate,
    SlashEffect,
    SlashValidator,
)
from model.staking import get_power_of, get_total_voting_power
from model.units import BPS_DENOMINATOR
from properties.invariants.base import Observation, observe
from properties.invariants.step import (
    ChainStep,
    SlashMemory,
    get_expected_uncapped_rate,
    record_effects,
)

FULL_RATE_BPS = BPS_DENOMINATOR


# --- Blocks and slashing -------------------------------------------------------------------------


def check_bft_accountable(step: ChainStep) -> Observation | None:
    """BFT-ACCOUNTABLE: conflicting commits at one height mean >= 1/3 of power double-signed,
    and every double signer was slashed."""
    commits = [e for e in step.effects if isinstance(e, CommitEffect)]
    pairs = [
        (a, b)
        for a, b in combinations(commits, 2)
        if a.commit.height == b.commit.height and a.commit.block_hash != b.commit.block_hash
    ]
    if not pairs:
        return None
    slashed = {e.offender for e in step.effects if isinstance(e, SlashEffect)}
    problems = []
    for a, b in pairs:
        both = a.commit.signers & b.commit.signers
        power = get_power_of(a.staking, a.params, both)
        total = get_total_voting_power(a.staking, a.params)
        if 3 * power < total:
            problems.append(
                f"height {a.commit.height}: conflicting commits with only {power} of {total}"
                f" voting power double-signed ({sorted(both)})"
            )
        unslashed = sorted(v for v in both if f"validator:{v}" not in slashed)
        if unslashed:
            problems.append(f"double signers {unslashed} were not slashed")
    return observe("BFT-ACCOUNTABLE", not problems, "; ".join(problems))


def _slashes(step: ChainStep) -> list[SlashEffect]:
    return [e for e in step.effects if isinstance(e, SlashEffect)]


def check_slash_bounds(step: ChainStep) -> Observation | None:
    """SLASH-BOUNDS: base <= rate <= 100% for every slash."""
    slashes = _slashes(step)
    if not slashes:
        return None
    bad = [
        (s.offender, s.rate_bps)
        for s in slashes
        if not s.params.slashing.slash_base_bps <= s.rate_bps <= FULL_RATE_BPS
    ]
    return observe("SLASH-BOUNDS", not bad, f"slash rates outside [base, 100%]: {bad}")


def _replay_slashes(step: ChainStep) -> list[tuple[SlashEffect, SlashMemory | None]]:
    history, replayed = step.history, []
    for slash in _slashes(step):
        memory = history.slashes.get(slash.offender)
        replayed.append((slash, memory))
        history = record_effects(history, (slash,))
    return replayed


def _cap(slash: SlashEffect, capped: bool) -> int | None:
    return slash.params.slashing.slash_cap_bps if capped else None


def _apply_cap(rate: int, cap: int | None) -> int:
    return rate if cap is None else min(rate, cap)


def check_slash_doubling(step: ChainStep) -> Observation | None:
    """SLASH-DOUBLING: the k-th slash inside one window (counted from the first) is
    min(base * factor^(k-1), cap)."""
    capped = step.after.profile.slash_capped
    bad, seen = [], False
    for slash, memory in _replay_slashes(step):
        window = slash.params.slashing.slash_window_seconds
        if memory is not None and slash.time - memory.first_time >= window:
            continue
        seen = True
        k = 1 if memory is None else memory.count + 1
        schedule = slash.params.slashing
        expected = _apply_cap(
            schedule.slash_base_bps * schedule.slash_factor ** (k - 1), _cap(slash, capped)
        )
        if slash.rate_bps != expected:
            bad.append(f"{slash.offender} slash #{k}: rate {slash.rate_bps}, expected {expected}")
    if not seen:
        return None
    return observe("SLASH-DOUBLING", not bad, "; ".join(bad))


def check_slash_decay(step: ChainStep) -> Observation | None:
    """SLASH-DECAY: after whole windows without a slash, the (uncapped) rate has halved once per
    window, never below base; the rate applied is that, capped."""
    capped = step.after.profile.slash_capped
    bad, seen = [], False
    for slash, memory in _replay_slashes(step):
        window = slash.params.slashing.slash_window_seconds
        if memory is None or (slash.time - memory.last_time) < window:
            continue
        seen = True
        expected = _apply_cap(get_expected_uncapped_rate(memory, slash), _cap(slash, capped))
        if slash.rate_bps != expected:
            expired = (slash.time - memory.last_time) // window
            bad.append(
                f"{slash.offender}: {expired} window(s) expired, rate {slash.rate_bps},"
                f" expected {expected}"
            )
    if not seen:
        return None
    return observe("SLASH-DECAY", not bad, "; ".join(bad))


def check_slash_stake(step: ChainStep) -> Observation | None:
    """SLASH-STAKE: a slash burns what it takes, never more than the stake; no stake negative."""
    slashes = _slashes(step)
    if not slashes:
        return None
    problems = [
        f"{s.offender} burned {s.burned_ustr} of a {s.stake_before} stake"
        for s in slashes
        if not 0 <= s.burned_ustr <= s.stake_before
    ]
    state = step.after
    if any(amount < 0 for amount in state.staking.delegations.values()):
        problems.append("a delegation is negative")
    if any(stake.ustr < 0 for stake in state.nodes.values()):
        problems.append("a node stake is negative")
    if isinstance(step.action, (Equivocate, SlashValidator)) and step.before is not None:
        burned = state.ledger.str_burned - step.before.ledger.str_burned
        slashed = sum(s.burned_ustr for s in slashes)
        if burned != slashed:
            problems.append(f"slashes took {slashed} ustr but {burned} ustr was burned")
    return observe("SLASH-STAKE", not problems, "; ".join(problems))


def check_slash_delegators(step: ChainStep) -> Observation | None:
    """SLASH-DELEGATORS: every bond of a slashed validator loses the same fraction. The bonds
    come from the staking state before the step, not from the model's list of losses, so a
    bond the slash left out is caught; each bond after the step is what it was minus its burn."""
    outcomes = [s.validator_outcome for s in _slashes(step) if s.validator_outcome is not None]
    if not outcomes or step.before is None:
        return None
    bonds = dict(step.before.staking.delegations)
    bad = []
    for outcome in outcomes:
        validator = outcome.validator
        held = {d: amount for (d, v), amount in bonds.items() if v == validator and amount > 0}
        listed = {loss.delegator: loss.amount_before for loss in outcome.losses}
        if listed != held:
            bad.append(f"{validator}: bonds {held} but the slash took from {listed}")
        for loss in outcome.losses:
            requested = loss.amount_before * outcome.rate_bps // BPS_DENOMINATOR
            if (loss.requested, loss.burned) != (requested, min(requested, loss.amount_before)):
                bad.append(f"{loss.delegator} of {validator}: {loss}")
            key = (loss.delegator, validator)
            bonds[key] = bonds.get(key, 0) - loss.burned
    slashed = {outcome.validator for outcome in outcomes}
    after = step.after.staking.delegations
    for (delegator, validator), amount in sorted(bonds.items()):
        if validator in slashed and after.get((delegator, validator), 0) != amount:
            got = after.get((delegator, validator), 0)
            bad.append(f"{delegator} of {validator}: bond {got} after the slash, expected {amount}")
    return observe("SLASH-DELEGATORS", not bad, "; ".join(bad))
