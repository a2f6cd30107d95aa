"""Action contracts of stake and safety (§4.2, §6.9, §6.10): bonds and unbonding, rewards,
block commits, equivocation, late and downtime evidence, jail, validator slashes. Each
expectation is computed from the raw state before the step and the action, never by a model
rule (`properties.invariants.actions` holds the dispatch)."""

from __future__ import annotations

from typing import Any

from model.chain.actions import (
    CommitBlock,
    CompleteUnbonding,
    Delegate,
    DistributeRewards,
    Equivocate,
    ReportDoubleSign,
    ReportDowntime,
    SlashEffect,
    SlashValidator,
    Undelegate,
    Unjail,
)
from model.chain.state import ChainState
from model.ledger import (
    BONDED_POOL,
    BURN_ADDRESS,
    REWARDS_POOL,
    UNBONDING_POOL,
)
from model.staking import Infraction, UnbondingEntry
from model.units import ValidatorId
from oracle.effects import get_balance_changes
from oracle.staking import (
    DOWNTIME_JAIL_SECONDS,
    UNBONDING_SECONDS,
    power_of,
    total_power,
)
from properties.invariants.base import Observation, observe
from properties.invariants.contract_frame import (
    STR,
    Expected,
    _counters,
    _frame,
    _ledger,
    _map_change,
    _move,
    _untouched,
    _verdict,
    check_once,
)
from properties.invariants.step import ChainStep

# --- §4.2, §6.10: stake, blocks and slashing -----------------------------------------------------


def check_bond_contract(step: ChainStep, action: Delegate | Undelegate) -> list[Observation]:
    """ACT-STAKING (§4.2): a delegation moves exactly its amount into the bonded pool and
    raises that one bond; an undelegation lowers it by the amount and credits the delegator."""
    before, after = step.before, step.after
    assert before is not None
    problems = _frame(before, after, "ledger", "staking")
    bonds = before.staking.delegations
    key = (action.delegator, action.validator)
    if action.amount <= 0:
        problems.append(f"a bond moved by {action.amount}, not a positive amount")
    if action.validator not in before.staking.validators:
        problems.append(f"{action.validator} is no validator")
    # §4.2: a delegation moves STR into the bonded pool; an undelegation moves it back out.
    sign = 1 if isinstance(action, Delegate) else -1
    if sign < 0 and bonds.get(key, 0) < action.amount:
        problems.append(f"{action.amount} ustr undelegated from a bond of {bonds.get(key, 0)}")
    # §4.2 (Cosmos x/staking, profile `unbonding_period`): an undelegation waits out the
    # unbonding period in the unbonding pool, as one new entry.
    unbonds = sign < 0 and before.profile.unbonding_period
    expected: Expected = {}
    _move(expected, UNBONDING_POOL if unbonds else action.delegator, STR, -sign * action.amount)
    _move(expected, BONDED_POOL, STR, sign * action.amount)
    problems += _ledger(before.ledger, after.ledger, expected)
    problems += _map_change(bonds, after.staking.delegations, key, sign * action.amount, "the bond")
    problems += _entries_added(before, after, [action] if unbonds else [])
    if _untouched(before.staking, after.staking, STAKING_RECORDS, ()):
        problems.append("the validators, the evidence or the jail changed")
    return [observe("ACT-STAKING", *_verdict(problems))]


STAKING_RECORDS = (
    "validators",
    "processed_evidence",
    "infractions",
    "jailed",
    "tombstoned",
    "missed",
)
"""The staking records no bond, unbonding or reward moves."""


def _entries_added(before: ChainState, after: ChainState, undelegations: list[Any]) -> list[str]:
    """§4.2: one unbonding entry per undelegation, numbered on, completing 21 days on."""
    old, new = before.staking, after.staking
    number = old.next_entry
    wanted = dict(old.unbonding)
    for undelegation in undelegations:
        wanted[number] = UnbondingEntry(
            undelegation.delegator,
            undelegation.validator,
            undelegation.amount,
            before.now,
            before.now + UNBONDING_SECONDS,
        )
        number += 1
    if new.next_entry != number or dict(new.unbonding) != wanted:
        return [f"the unbonding entries are {dict(new.unbonding)}, expected {wanted}"]
    return []


def check_unbonding_completion_contract(
    step: ChainStep, action: CompleteUnbonding
) -> list[Observation]:
    """ACT-STAKING (§4.2): every entry whose 21 days have passed, and only those, is paid to
    its delegator out of the unbonding pool and removed."""
    before, after = step.before, step.after
    assert before is not None
    problems = _frame(before, after, "ledger", "staking")
    expected: Expected = {}
    due = {n: e for n, e in before.staking.unbonding.items() if e.completion <= before.now}
    for entry in due.values():
        _move(expected, UNBONDING_POOL, STR, -entry.amount)
        _move(expected, entry.delegator, STR, entry.amount)
    problems += _ledger(before.ledger, after.ledger, expected)
    left = {n: e for n, e in before.staking.unbonding.items() if n not in due}
    if dict(after.staking.unbonding) != left:
        problems.append(f"the entries left are {dict(after.staking.unbonding)}, not {left}")
    if _untouched(before.staking, after.staking, ("delegations", *STAKING_RECORDS), ()):
        problems.append("a bond or a staking record changed")
    return [observe("ACT-STAKING", *_verdict(problems))]


def check_unjail_contract(step: ChainStep, action: Unjail) -> list[Observation]:
    """ACT-STAKING (§6.10): an unjailed validator, jailed until now or before and never
    tombstoned, leaves the jail record; nothing else moves."""
    before, after = step.before, step.after
    assert before is not None
    problems = _frame(before, after, "staking")
    jailed = before.staking.jailed
    validator = action.validator
    if validator not in jailed or before.now < jailed[validator]:
        problems.append(
            f"{validator} was let out of a jail {jailed.get(validator)} at {before.now}"
        )
    if validator in before.staking.tombstoned:
        problems.append(f"{validator} is tombstoned and was unjailed")
    if dict(after.staking.jailed) != {v: t for v, t in jailed.items() if v != validator}:
        problems.append(f"the jail became {dict(after.staking.jailed)}")
    others = tuple(name for name in STAKING_RECORDS if name != "jailed")
    if _untouched(before.staking, after.staking, ("delegations", "unbonding", *others), ()):
        problems.append("a bond or another staking record changed")
    return [observe("ACT-STAKING", *_verdict(problems))]


def check_rewards_contract(step: ChainStep, action: DistributeRewards) -> list[Observation]:
    """ACT-SUPPLY (§6.9): a distribution debits only the rewards pool, by what it credits, and
    credits only accounts bonded to a validator; no bond or record moves."""
    before, after = step.before, step.after
    assert before is not None
    problems = _frame(before, after, "ledger")
    changes = get_balance_changes(before.ledger, after.ledger)
    bonded = {d for (d, _), amount in before.staking.delegations.items() if amount}
    credited = 0
    for (account, token), amount in sorted(changes.items(), key=str):
        if (account, token) == (REWARDS_POOL, STR):
            continue
        if token is not STR or amount < 0 or account not in bonded:
            problems.append(f"{account} {token.value} moved {amount} in a distribution")
        credited += amount
    if changes.get((REWARDS_POOL, STR), 0) != -credited:
        problems.append(f"the pool paid {changes.get((REWARDS_POOL, STR), 0)}, {credited} paid")
    problems += _counters(before.ledger, after.ledger)
    return [observe("ACT-SUPPLY", *_verdict(problems))]


def _power_passes(before: ChainState, signers: frozenset[ValidatorId]) -> bool:
    """§4.2: signers commit a block iff their power is more than the threshold of the active
    set's power."""
    consensus = before.params.consensus
    most = consensus.max_validators
    signed = power_of(before.staking, signers, max_validators=most)
    total = total_power(before.staking, max_validators=most)
    return total > 0 and signed * consensus.threshold_den > consensus.threshold_num * total


def _commits_added(
    before: ChainState, after: ChainState, signer_sets: list[frozenset[ValidatorId]]
) -> list[str]:
    """The next height's commits: exactly those of `signer_sets`, each over the threshold."""
    height = before.height + 1
    problems = []
    if after.height != height:
        problems.append(f"the height went from {before.height} to {after.height}")
    added = after.commits.get(height, ())[len(before.commits.get(height, ())) :]
    if before.commits.discard(height) != after.commits.discard(height):
        problems.append("commits at another height changed")
    if sorted(map(sorted, (c.signers for c in added))) != sorted(map(sorted, signer_sets)) or any(
        c.height != height for c in added
    ):
        problems.append(f"the commits recorded at {height} are {added}")
    weak = [sorted(c.signers) for c in added if not _power_passes(before, c.signers)]
    if weak:
        problems.append(f"commits signed by {weak} hold no more than the threshold of power")
    return problems


def check_block_commit_contract(step: ChainStep, action: CommitBlock) -> list[Observation]:
    """ACT-STAKING (§4.2): a block commit moves no token, raises the height by one and records
    a commit over the threshold."""
    before, after = step.before, step.after
    assert before is not None
    problems = _frame(before, after, "height", "commits", "staking")
    problems += _commits_added(before, after, [action.signers])
    # §6.10: a commit changes only the record of the blocks each validator missed.
    records = ("delegations", "unbonding", "next_entry", *STAKING_RECORDS[:-1])
    if _untouched(before.staking, after.staking, records, ()):
        problems.append("a block commit changed a bond or a staking record")
    return [observe("ACT-STAKING", *_verdict(problems))]


def _slashed_bonds(
    before: ChainState, after: ChainState, offenders: frozenset[ValidatorId]
) -> tuple[list[str], int]:
    """§6.10, §4.2: only the offenders' bonds fall, none rises; what they lost, in total."""
    problems = []
    old, new = before.staking.delegations, after.staking.delegations
    lost = 0
    for key in old.keys() | new.keys():
        drop = old.get(key, 0) - new.get(key, 0)
        if drop and key[1] not in offenders:
            problems.append(f"the bond {key} of a validator not slashed moved by {-drop}")
        elif drop < 0:
            problems.append(f"the bond {key} rose by {-drop} in a slash")
        lost += drop
    if before.staking.validators != after.staking.validators:
        problems.append("the validator set changed")
    return problems, lost


def _slash_records(
    before: ChainState, after: ChainState, offenders: frozenset[ValidatorId]
) -> list[str]:
    """§6.10: each offender's slash is recorded at the time of the slash; no one else's record moves."""
    names = {f"validator:{v}" for v in offenders}
    old, new = before.slashing.records, after.slashing.records
    problems = [
        f"{name}'s record was not set at {before.now}: {new.get(name)}"
        for name in sorted(names)
        if (record := new.get(name)) is None or record.last_slash_time != before.now
    ]
    if {k: v for k, v in old.items() if k not in names} != {
        k: v for k, v in new.items() if k not in names
    }:
        problems.append("the slash record of another offender changed")
    return problems


def _slash_money(before: ChainState, after: ChainState, lost: int) -> list[str]:
    expected: Expected = {}
    _move(expected, BONDED_POOL, STR, -lost)
    _move(expected, BURN_ADDRESS, STR, lost)
    return _ledger(before.ledger, after.ledger, expected)


def check_validator_slash_contract(step: ChainStep, action: SlashValidator) -> list[Observation]:
    """ACT-SLASH (§6.10, §4.2): a slash lowers only the validator's bonds, burns exactly what
    they lost and records the slash at its time."""
    before, after = step.before, step.after
    assert before is not None
    offenders = frozenset({action.validator})
    problems = _frame(before, after, "ledger", "staking", "slashing")
    if action.validator not in before.staking.validators:
        problems.append(f"{action.validator} is no validator")
    bonds, lost = _slashed_bonds(before, after, offenders)
    problems += bonds + _slash_records(before, after, offenders) + _slash_money(before, after, lost)
    if before.staking.processed_evidence != after.staking.processed_evidence:
        problems.append("a slash without evidence recorded evidence")
    return [observe("ACT-SLASH", *_verdict(problems))]


def check_equivocation_contract(step: ChainStep, action: Equivocate) -> list[Observation]:
    """ACT-SLASH, ACT-ONCE (§4.2, §6.10): a double-sign records the commits over the threshold
    and slashes each double signer once, burning exactly what its bonds lost."""
    before, after = step.before, step.after
    assert before is not None
    offenders = action.double_signers
    problems = _frame(before, after, "ledger", "staking", "slashing", "height", "commits")
    if not offenders:
        problems.append("an equivocation without double signers was accepted")
    unknown = sorted(offenders - set(before.staking.validators))
    if unknown:
        problems.append(f"{unknown} are no validators")
    # §4.2: of the two conflicting blocks, those over the threshold are recorded as commits.
    sides = [offenders | side for side in (action.side_a, action.side_b)]
    problems += _commits_added(before, after, [s for s in sides if _power_passes(before, s)])
    height = before.height + 1
    if not action.reported:
        return [observe("ACT-SLASH", *_verdict(problems + _unreported(before, after, action)))]
    bonds, lost = _slashed_bonds(before, after, offenders)
    problems += bonds + _slash_records(before, after, offenders) + _slash_money(before, after, lost)
    # §6.10: a double signer loses its good standing for ever.
    if after.staking.tombstoned != before.staking.tombstoned | offenders:
        problems.append(f"the tombstones are {sorted(after.staking.tombstoned)}")
    # §6.10: one double-sign, one piece of evidence, punished once.
    evidence = {(v, height, 0) for v in offenders}
    seen = bool(evidence & before.staking.processed_evidence)
    recorded = after.staking.processed_evidence == before.staking.processed_evidence | evidence
    if not recorded:
        problems.append(f"the evidence recorded is not the evidence before plus {sorted(evidence)}")
    return [
        observe("ACT-SLASH", *_verdict(problems)),
        check_once(step, seen, recorded, f"the double-sign at {height}"),
    ]


def _unreported(before: ChainState, after: ChainState, action: Equivocate) -> list[str]:
    """§6.10: a double sign nobody reports yet moves no token and slashes no bond; it is on
    record as an infraction at this time, with the unbonding entries numbered from now on."""
    problems = _ledger(before.ledger, after.ledger, {})
    if before.staking.delegations != after.staking.delegations:
        problems.append("an unreported double sign moved a bond")
    if before.slashing != after.slashing:
        problems.append("an unreported double sign changed a slash record")
    height = before.height + 1
    added = {
        (v, height, 0): Infraction(before.now, before.staking.next_entry)
        for v in action.double_signers
    }
    wanted = {**before.staking.infractions, **added}
    if dict(after.staking.infractions) != wanted or any(
        key in before.staking.processed_evidence for key in added
    ):
        problems.append(f"the infractions are {dict(after.staking.infractions)}, not {wanted}")
    return problems


def _slash_problems(
    before: ChainState, after: ChainState, validator: ValidatorId, unbonding_burned: int
) -> list[str]:
    """§6.10: only `validator`'s bonds fall, and its unbonding entries by `unbonding_burned`;
    the bonded and unbonding pools burn exactly what they lost; its record is set now."""
    offenders = frozenset({validator})
    bonds, lost = _slashed_bonds(before, after, offenders)
    expected: Expected = {}
    _move(expected, BONDED_POOL, STR, -lost)
    _move(expected, UNBONDING_POOL, STR, -unbonding_burned)
    _move(expected, BURN_ADDRESS, STR, lost + unbonding_burned)
    return [
        *bonds,
        *_slash_records(before, after, offenders),
        *_ledger(before.ledger, after.ledger, expected),
    ]


def check_late_evidence_contract(step: ChainStep, action: ReportDoubleSign) -> list[Observation]:
    """ACT-SLASH, ACT-ONCE (§6.10): evidence of an unreported double sign slashes the
    validator's bonds, and its unbonding entries started since the double sign at the same
    rate, burning what they lose; it tombstones the validator and is punished once."""
    before, after = step.before, step.after
    assert before is not None
    problems = _frame(before, after, "ledger", "staking", "slashing")
    key = (action.validator, action.height, 0)
    infraction = before.staking.infractions.get(key)
    if infraction is None:
        problems.append(f"no double sign of {action.validator} at {action.height} was on record")
    old, new = before.staking.unbonding, after.staking.unbonding
    offender = f"validator:{action.validator}"
    rates = [
        e.rate_bps for e in step.effects if isinstance(e, SlashEffect) and e.offender == offender
    ]
    burned = 0
    for number, entry in old.items():
        left = new[number].amount if number in new else 0
        slashable = (
            infraction is not None
            and entry.validator == action.validator
            and number >= infraction.first_entry
        )
        # §6.10 (Cosmos): an entry started after the infraction loses the slash's rate.
        loss = min(entry.amount, entry.amount * rates[0] // 10_000) if slashable and rates else 0
        if left != entry.amount - loss:
            problems.append(
                f"unbonding entry {number} of {entry.amount} left {left}, not {entry.amount - loss}"
            )
        burned += entry.amount - left
    if set(new) - set(old):
        problems.append("an unbonding entry appeared")
    problems += _slash_problems(before, after, action.validator, burned)
    if after.staking.tombstoned != before.staking.tombstoned | {action.validator}:
        problems.append(f"the tombstones are {sorted(after.staking.tombstoned)}")
    if dict(after.staking.infractions) != {
        k: v for k, v in before.staking.infractions.items() if k != key
    }:
        problems.append("the infractions on record are not those before less this one")
    done = key in after.staking.processed_evidence
    return [
        observe("ACT-SLASH", *_verdict(problems)),
        check_once(step, key in before.staking.processed_evidence, done, f"the evidence {key}"),
    ]


def check_downtime_contract(step: ChainStep, action: ReportDowntime) -> list[Observation]:
    """ACT-SLASH (§6.10): downtime evidence slashes only the validator's bonds, burning what they
    lose, records the slash now and jails it for Cosmos' ten minutes."""
    before, after = step.before, step.after
    assert before is not None
    problems = _frame(before, after, "ledger", "staking", "slashing")
    problems += _slash_problems(before, after, action.validator, 0)
    until = before.now + DOWNTIME_JAIL_SECONDS
    if after.staking.jailed.get(action.validator, -1) < until:
        problems.append(
            f"{action.validator} is jailed until {after.staking.jailed.get(action.validator)}"
        )
    if before.staking.unbonding != after.staking.unbonding:
        problems.append("downtime moved an unbonding entry")
    return [observe("ACT-SLASH", *_verdict(problems))]
