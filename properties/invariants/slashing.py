"""Block and slashing invariants: accountability of conflicting commits, the slash schedule.

Voting power comes from the raw bonds through `oracle.staking`, the expected rate of every slash
from the checker's own memory through `oracle.slashing` (§6.10), and every loss from the stakes
and bonds the state held before the step.
"""

from __future__ import annotations

from itertools import combinations

from model.chain.actions import (
    CommitEffect,
    Equivocate,
    SlashEffect,
    SlashValidator,
)
from model.units import NodeId
from oracle.defaults import SLASH_FACTOR
from oracle.slashing import BPS, expired_windows, slashed_amount
from oracle.staking import power_of, total_power, validator_stakes
from properties.invariants.base import Observation, observe
from properties.invariants.step import (
    ChainStep,
    SlashMemory,
    get_expected_level,
    get_expected_rate,
    record_effects,
)

FULL_RATE_BPS = BPS
"""§6.10: a slash never takes more than the whole stake (100%)."""

NODE_OFFENDER = "node:"
"""Node offenders are keyed `node:<id>` (docs/model.md), validators `validator:<id>`."""


# --- Blocks and slashing -------------------------------------------------------------------------


def check_bft_accountable(step: ChainStep) -> Observation | None:
    """BFT-ACCOUNTABLE: conflicting commits at one height mean >= 1/3 of power double-signed,
    and every double signer was slashed, or is on record for slashing when evidence comes."""
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
        seats = a.params.consensus.max_validators
        power = power_of(a.staking, both, max_validators=seats)
        total = total_power(a.staking, max_validators=seats)
        if 3 * power < total:
            problems.append(
                f"height {a.commit.height}: conflicting commits with only {power} of {total}"
                f" voting power double-signed ({sorted(both)})"
            )
        # §6.10: each double signer is slashed on the spot, or (evidence not submitted yet)
        # is on record as an infraction at that height, slashable when the evidence comes.
        pending = step.after.staking.infractions
        unslashed = sorted(
            v
            for v in both
            if f"validator:{v}" not in slashed and (v, a.commit.height, 0) not in pending
        )
        if unslashed:
            problems.append(f"double signers {unslashed} were neither slashed nor on record")
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


def check_slash_doubling(step: ChainStep) -> Observation | None:
    """SLASH-DOUBLING (§6.10): a slash with no window expired since the offender's last one (or
    its first slash) is at min(base * 2**level, cap), the level one up per slash in the run: the
    k-th slash within one window at min(base * 2**(k-1), cap). The 2 is the text's "factor of 2x"
    (`oracle.defaults.SLASH_FACTOR`), which no parameter moves; base and cap are governed."""
    capped = step.after.profile.slash_capped
    bad, seen = [], False
    for slash, memory in _replay_slashes(step):
        window = slash.params.slashing.slash_window_seconds
        if memory is not None and expired_windows(
            last_slash=memory.last_time, now=slash.time, window=window
        ):
            continue
        seen = True
        expected = get_expected_rate(memory, slash, capped=capped)
        k = 1 if memory is None else memory.count + 1
        level = get_expected_level(memory, slash)
        if slash.rate_bps != expected:
            form = f"base x {SLASH_FACTOR}^{level}"
            bad.append(
                f"{slash.offender} slash #{k}: rate {slash.rate_bps}, expected {expected}"
                f" ({f'min({form}, cap)' if capped else form} at level {level}: §6.10's factor"
                f" {SLASH_FACTOR})"
            )
        bad.extend(_level_problems(memory, slash))
    if not seen:
        return None
    return observe("SLASH-DOUBLING", not bad, "; ".join(bad))


def _level_problems(memory: SlashMemory | None, slash: SlashEffect) -> list[str]:
    """§6.10: a validator's slash reports the level it was applied at (the expected level: 0,
    or the last slash's lowered by one per expired window) and the level it leaves, one up."""
    outcome = slash.validator_outcome
    if outcome is None:
        return []
    level = get_expected_level(memory, slash)
    if (outcome.level_before, outcome.level_after) == (level, level + 1):
        return []
    return [
        f"{slash.offender}: the slash reports levels {outcome.level_before} ->"
        f" {outcome.level_after}, expected {level} -> {level + 1}"
    ]


def check_slash_decay(step: ChainStep) -> Observation | None:
    """SLASH-DECAY (§6.10): after whole windows without a slash, the level has come down one per
    window, never below 0, so the (uncapped) rate halved per window, never below base; the rate
    applied is that, capped. "Decreases by the same factor of 2x": the halving is the text's 2
    (`oracle.defaults.SLASH_FACTOR`), not `slashing.slash_factor`."""
    capped = step.after.profile.slash_capped
    bad, seen = [], False
    for slash, memory in _replay_slashes(step):
        if memory is None:
            continue
        window = slash.params.slashing.slash_window_seconds
        expired = expired_windows(last_slash=memory.last_time, now=slash.time, window=window)
        if not expired:
            continue
        seen = True
        expected = get_expected_rate(memory, slash, capped=capped)
        if slash.rate_bps != expected:
            bad.append(
                f"{slash.offender}: {expired} window(s) expired, level"
                f" {get_expected_level(memory, slash)}, rate {slash.rate_bps}, expected {expected}"
                f" (halved per window: §6.10's factor {SLASH_FACTOR})"
            )
        bad.extend(_level_problems(memory, slash))
    if not seen:
        return None
    return observe("SLASH-DECAY", not bad, "; ".join(bad))


def check_slash_stake(step: ChainStep) -> Observation | None:
    """SLASH-STAKE: a slash takes its rate of the offender's own stake as it stood before the
    step, burns what it takes and never more than that stake; no stake goes negative."""
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
    if step.before is not None:
        problems.extend(_stake_problems(step, slashes))
    if isinstance(step.action, (Equivocate, SlashValidator)) and step.before is not None:
        burned = state.ledger.str_burned - step.before.ledger.str_burned
        slashed = sum(s.burned_ustr for s in slashes)
        if burned != slashed:
            problems.append(f"slashes took {slashed} ustr but {burned} ustr was burned")
    return observe("SLASH-STAKE", not problems, "; ".join(problems))


def _stake_problems(step: ChainStep, slashes: list[SlashEffect]) -> list[str]:
    """Each slash against the raw stake before the step: a node's stake in the registry, a
    validator's the sum of its bonds (§4.2, §6.10)."""
    assert step.before is not None
    problems = []
    nodes_before, nodes_after = step.before.nodes, step.after.nodes
    stakes_before = validator_stakes(step.before.staking)
    for slash in slashes:
        outcome = slash.validator_outcome
        if slash.offender.startswith(NODE_OFFENDER):
            node = NodeId(slash.offender.removeprefix(NODE_OFFENDER))
            if node not in nodes_before:
                problems.append(f"{slash.offender} was slashed but is not a registered node")
                continue
            held = nodes_before[node].ustr
            requested = slashed_amount(held, slash.rate_bps)
            burned = min(requested, max(held, 0))
            left = nodes_after[node].ustr if node in nodes_after else 0
            got = (slash.stake_before, slash.requested_ustr, slash.burned_ustr, left)
            if got != (held, requested, burned, held - burned):
                problems.append(
                    f"{slash.offender} at {slash.rate_bps} bps of a {held} stake: (stake, requested,"
                    f" burned, left) = {got}, expected {(held, requested, burned, held - burned)}"
                )
        elif outcome is not None:
            held = stakes_before.get(outcome.validator, 0)
            burned = sum(loss.burned for loss in outcome.losses)
            if (slash.stake_before, slash.burned_ustr) != (held, burned):
                problems.append(
                    f"{slash.offender}: stake {slash.stake_before} and {slash.burned_ustr} burned,"
                    f" but its bonds held {held} and lost {burned}"
                )
    return problems


def check_slash_delegators(step: ChainStep) -> Observation | None:
    """SLASH-DELEGATORS: every bond of a slashed validator loses the same fraction, the slash's
    rate. The bonds come from the staking state before the step, not from the model's list of
    losses, so a bond the slash left out is caught; each bond after the step is what it was
    minus its burn."""
    slashed_validators = [s for s in _slashes(step) if s.validator_outcome is not None]
    if not slashed_validators or step.before is None:
        return None
    bonds = dict(step.before.staking.delegations)
    bad = []
    for slash in slashed_validators:
        outcome = slash.validator_outcome
        assert outcome is not None
        validator = outcome.validator
        if outcome.rate_bps != slash.rate_bps:
            bad.append(f"{validator}: bonds slashed at {outcome.rate_bps}, not {slash.rate_bps}")
        held = {d: amount for (d, v), amount in bonds.items() if v == validator and amount > 0}
        listed = {loss.delegator: loss.amount_before for loss in outcome.losses}
        if listed != held:
            bad.append(f"{validator}: bonds {held} but the slash took from {listed}")
        for loss in outcome.losses:
            requested = slashed_amount(held.get(loss.delegator, 0), slash.rate_bps)
            if (loss.requested, loss.burned) != (requested, min(requested, loss.amount_before)):
                bad.append(f"{loss.delegator} of {validator}: {loss}, expected {requested} taken")
            key = (loss.delegator, validator)
            bonds[key] = bonds.get(key, 0) - loss.burned
    slashed = {s.validator_outcome.validator for s in slashed_validators if s.validator_outcome}
    after = step.after.staking.delegations
    for (delegator, validator), amount in sorted(bonds.items()):
        if validator in slashed and after.get((delegator, validator), 0) != amount:
            got = after.get((delegator, validator), 0)
            bad.append(f"{delegator} of {validator}: bond {got} after the slash, expected {amount}")
    return observe("SLASH-DELEGATORS", not bad, "; ".join(bad))
