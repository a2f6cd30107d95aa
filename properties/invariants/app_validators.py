"""App-layer validator invariants (§3.3 Steps 10-12, §4.3.2, §4.4): APP-VALIDATORS,
BFT-VALIDATORS and the resolution part of PAY-ONLY-MAJORITY.

The checks recompute, with `oracle.validation`, who the app's committee must be (the beacon
seed from the validators' secrets, the ranking, the developer's count over the active set read
from the raw bonds), what each member votes given its plan, and what a vote passes (> 2/3 of
the committee, one validator one vote); they compare that with the records the chain wrote
(`RoundOutcome`, the locked payment, the ledger). None calls a model rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.chain.actions import ResolveEffect, ResolveLocked, RoundEffect, RunRound
from model.escrow import LockedPayment
from model.trusted.behaviour import ValidatorBehaviour, ValidatorPlan
from model.units import AccountId
from oracle.ledger import balance
from oracle.staking import active_set
from oracle.validation import (
    FALSE,
    beacon_secret,
    beacon_seed,
    committee_size,
    double_voters,
    f10_value,
    is_over_two_thirds,
    lie_value,
    passes,
    ranked,
    single_votes,
    tally,
    value_of,
    votes_of,
)
from properties.invariants.base import Observation, observe
from properties.invariants.step import ChainStep

if TYPE_CHECKING:
    from properties.invariants.round import RoundView

_HONEST = ValidatorBehaviour.HONEST


def _truth(view: RoundView) -> str | None:
    outcome = view.outcome
    if outcome is None:
        return None
    agreed = outcome.agreed_output_hash
    return value_of(outcome.consensus, bytes.fromhex(agreed) if agreed else None)


def expected_committee(view: RoundView) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """The beacon seed (hex), the withholders and the committee in ranking order the round's
    scenario calls for."""
    scenario = view.scenario
    algorithm = scenario.algorithm.value
    plans = scenario.validators
    revealed = {
        str(p.validator): beacon_secret(scenario.seed, scenario.round_id, p.validator, algorithm)
        for p in plans
        if not p.withholds_beacon
    }
    seed = beacon_seed(scenario.round_id, revealed, algorithm)
    excluded = view.profile.beacon_excludes_withholders
    eligible = [str(p.validator) for p in plans if not (excluded and p.withholds_beacon)]
    order = ranked(eligible, seed, algorithm)
    size = committee_size(scenario.validator_count, len(order))
    withheld = tuple(sorted(str(p.validator) for p in plans if p.withholds_beacon))
    return seed.hex(), withheld, order[:size]


def check_app_validators(view: RoundView) -> Observation | None:
    """APP-VALIDATORS (round part): the committee is the developer's count of the eligible
    validators, ranked by the beacon seed their revealed secrets make, and none of it withheld
    its secret; the proposer is its first member; only members vote."""
    outcome = view.outcome
    if outcome is None:
        return None
    seed, withheld, committee = expected_committee(view)
    problems: list[str] = []
    if outcome.beacon_seed != seed:
        problems.append(f"beacon seed {outcome.beacon_seed}, the secrets give {seed}")
    if outcome.beacon_withheld != withheld:
        problems.append(f"withholders recorded {outcome.beacon_withheld}, planned {withheld}")
    if outcome.validators != committee:
        problems.append(f"committee {outcome.validators}, the beacon draws {committee}")
    # A withholder saw the others' secrets first: seated, it may have picked the seed.
    seated = sorted(set(outcome.validators) & set(outcome.beacon_withheld))
    if seated:
        problems.append(f"{seated} withheld their beacon secrets and sit on the committee")
    proposer = committee[0] if committee else None
    if outcome.proposer != proposer:
        problems.append(f"proposer {outcome.proposer}, the first drawn is {proposer}")
    members = set(outcome.validators)
    voters = {v for v, _ in outcome.decision_votes} | {v for v, _ in outcome.block_votes}
    if voters - members:
        problems.append(f"{sorted(voters - members)} voted without being on the committee")
    return observe("APP-VALIDATORS", not problems, "; ".join(problems))


def _plans_by_id(plans: tuple[ValidatorPlan, ...]) -> dict[str, ValidatorPlan]:
    return {str(plan.validator): plan for plan in plans}


def _behaviour(plans: dict[str, ValidatorPlan], validator: str) -> ValidatorBehaviour:
    plan = plans.get(validator)
    return plan.behaviour if plan is not None else _HONEST


def _cast_problems(
    votes: tuple[tuple[str, str], ...],
    committee: tuple[str, ...],
    plans: dict[str, ValidatorPlan],
    truth: str,
) -> list[str]:
    """Each member's recorded votes are what its plan casts: the truth, one other value, both,
    or nothing."""
    cast: dict[str, list[str]] = {}
    for validator, value in votes:
        cast.setdefault(validator, []).append(value)
    problems = []
    for validator in committee:
        behaviour = _behaviour(plans, validator)
        got = sorted(cast.get(validator, []))
        ok = {
            ValidatorBehaviour.HONEST: got == [truth],
            ValidatorBehaviour.ABSTAIN: got == [],
            ValidatorBehaviour.LIE: len(got) == 1 and got[0] != truth,
            ValidatorBehaviour.EQUIVOCATE: len(got) == 2 and truth in got and len(set(got)) == 2,
        }[behaviour]
        if not ok:
            problems.append(f"{validator} ({behaviour.value}) cast {got}, the truth is {truth}")
    return problems


def check_bft_validators(view: RoundView) -> Observation | None:
    """BFT-VALIDATORS: no two values both have more than 2/3 of the committee; a value passes
    (Step 10) and a block passes (Step 12) only with more than 2/3 of the committee, counting
    an equivocator for neither; and with byzantine members under 1/3, the value that passes is
    F10 over the nodes' reveals, and an honest proposer's block passes."""
    outcome = view.outcome
    truth = _truth(view)
    if outcome is None or truth is None or not outcome.validators:
        return None
    committee = outcome.validators
    n = len(committee)
    plans = _plans_by_id(view.scenario.validators)
    counts = tally(outcome.decision_votes, n)
    over = sorted(value for value, count in counts.items() if is_over_two_thirds(count, n))
    problems = _cast_problems(outcome.decision_votes, committee, plans, truth)
    if len(over) > 1:
        problems.append(f"two decisions each have more than 2/3 of {n}: {over}")
    if outcome.decision_passed is not None and outcome.decision_passed not in over:
        problems.append(
            f"{outcome.decision_passed} passed with {counts.get(outcome.decision_passed, 0)}"
            f" of {n} validators, not more than 2/3"
        )
    if outcome.decision_passed is None and over:
        problems.append(f"{over[0]} had more than 2/3 of {n} validators and did not pass")
    approvals = sum(
        1
        for approve in single_votes(
            (v, "approve" if a else "reject") for v, a in outcome.block_votes
        ).values()
        if approve == "approve"
    )
    if outcome.block_passed and not (
        outcome.decision_passed is not None and is_over_two_thirds(approvals, n)
    ):
        problems.append(f"the block passed with {approvals} approvals of {n}")
    doubled = double_voters(outcome.decision_votes) | double_voters(outcome.block_votes)
    if set(outcome.equivocators) != doubled:
        problems.append(
            f"equivocators recorded {outcome.equivocators}, double votes by {sorted(doubled)}"
        )
    byzantine = [v for v in committee if _behaviour(plans, v) is not _HONEST]
    if 3 * len(byzantine) < n:
        if outcome.decision_passed != truth:
            problems.append(
                f"with {len(byzantine)} byzantine of {n} validators, {outcome.decision_passed}"
                f" passed, F10 over the reveals is {truth}"
            )
        proposer = outcome.proposer
        if (
            proposer is not None
            and _behaviour(plans, proposer) is _HONEST
            and not outcome.block_passed
        ):
            problems.append(f"with {len(byzantine)} byzantine of {n}, {proposer}'s block failed")
    return observe("BFT-VALIDATORS", not problems, "; ".join(problems))


def byzantine_share_below_third(view: RoundView) -> bool:
    """The BFT assumption over the committee: its non-honest members are under 1/3 of it."""
    outcome = view.outcome
    if outcome is None:
        return True
    plans = _plans_by_id(view.scenario.validators)
    byzantine = [v for v in outcome.validators if _behaviour(plans, v) is not _HONEST]
    return 3 * len(byzantine) < len(outcome.validators) or not outcome.validators


# --- The chain: eligibility, the developer's count, the resolution of a lock ---------------------


def _round_step_problems(step: ChainStep, action: RunRound) -> list[str]:
    before = step.before
    assert before is not None
    problems: list[str] = []
    seats = before.params.consensus.max_validators
    eligible = tuple(str(v) for v in active_set(before.staking, max_validators=seats))
    count = before.app_validator_counts.get(action.app)
    for effect in step.effects:
        if not isinstance(effect, RoundEffect):
            continue
        scenario = effect.run.scenario
        got = tuple(str(plan.validator) for plan in scenario.validators)
        if got != eligible:
            problems.append(
                f"round {scenario.round_id}'s eligible validators {got}, active set {eligible}"
            )
        if scenario.validator_count != count:
            problems.append(
                f"round {scenario.round_id} drew {scenario.validator_count} validators, the"
                f" developer set {count}"
            )
        planned = _plans_by_id(action.validator_plans)
        for plan in scenario.validators:
            want = planned.get(str(plan.validator), ValidatorPlan(plan.validator))
            if plan != want:
                problems.append(f"{plan.validator} plays {plan}, the action plans {want}")
    return problems


def check_app_validators_step(step: ChainStep) -> Observation | None:
    """APP-VALIDATORS (chain part): a round's eligible validators are the active set read from
    the bonds, in set order, with the action's plans; its count is the developer's."""
    action = step.action
    if not isinstance(action, RunRound) or step.before is None:
        return None
    if not any(isinstance(effect, RoundEffect) for effect in step.effects):
        return None
    problems = _round_step_problems(step, action)
    return observe("APP-VALIDATORS", not problems, "; ".join(problems))


def resolution_votes(
    record: LockedPayment, plans: tuple[ValidatorPlan, ...]
) -> tuple[str, tuple[tuple[str, str], ...]]:
    """F10 over the locked nodes' reveals (the truth), and every vote the committee casts on it
    by its plans."""
    counted = [h for h in record.output_hashes if h is not None]
    truth = f10_value(counted, record.threshold_base)
    lie = lie_value(truth, counted)
    by_id = _plans_by_id(plans)
    votes = tuple(
        sorted(
            (str(v), value)
            for v in record.validators
            for value in votes_of(_behaviour(by_id, str(v)).value, truth, lie)
        )
    )
    return truth, votes


def resolution_outcome(
    record: LockedPayment, plans: tuple[ValidatorPlan, ...], num: int, den: int
) -> tuple[str | None, tuple[AccountId, ...]]:
    """What the resolution rule does: the value over the governed threshold of the committee
    (None: none) and the locked node accounts that revealed its output."""
    _, votes = resolution_votes(record, plans)
    members = len(record.validators)
    counts = tally(votes, members)
    over = sorted(
        (value for value, count in counts.items() if passes(count, members, num, den)),
        key=lambda value: (-counts[value], value),
    )
    if not over:
        return None, ()
    passed = over[0]
    paid_hash = None if passed == FALSE else bytes.fromhex(passed.removeprefix("TRUE:"))
    paid = tuple(
        account
        for index, account in enumerate(record.node_accounts)
        if paid_hash is not None
        and index < len(record.output_hashes)
        and record.output_hashes[index] == paid_hash
    )
    return passed, paid


def _gained(step: ChainStep, accounts: tuple[AccountId, ...]) -> list[AccountId]:
    assert step.before is not None
    gained = []
    for account in accounts:
        old, new = balance(step.before.ledger, account), balance(step.after.ledger, account)
        if new.ustb > old.ustb or new.ustr > old.ustr:
            gained.append(account)
    return gained


def check_resolution_pays_majority(step: ChainStep) -> Observation | None:
    """PAY-ONLY-MAJORITY (resolution part): a locked payment resolves only with more than 2/3 of
    its round's committee voting one value, pays only the locked nodes that revealed that
    value's output, and, with byzantine members under 1/3, only F10's supermajority group."""
    action = step.action
    if not isinstance(action, ResolveLocked) or step.before is None:
        return None
    book = step.before.escrows.escrows.get(action.app)
    record = book.locked.get(action.round_id) if book is not None else None
    after_book = step.after.escrows.escrows.get(action.app)
    if record is None or (after_book is not None and action.round_id in after_book.locked):
        return None
    truth, votes = resolution_votes(record, action.validator_plans)
    members = len(record.validators)
    counts = tally(votes, members)
    over = [value for value, count in counts.items() if is_over_two_thirds(count, members)]
    problems: list[str] = []
    effects = [e for e in step.effects if isinstance(e, ResolveEffect)]
    passed = effects[0].passed if effects else None
    if passed is None or passed not in over:
        problems.append(
            f"round {action.round_id}'s lock resolved on {passed} with"
            f" {counts.get(passed or '', 0)} of {members} validators, not more than 2/3"
        )
    paid = _gained(step, record.node_accounts)
    hashes = dict(zip(record.node_accounts, record.output_hashes, strict=False))
    if passed is not None:
        wrong = [a for a in paid if value_of(True, hashes.get(a)) != passed]
        if wrong:
            problems.append(f"{wrong} paid though they did not reveal the resolved {passed}")
    by_id = _plans_by_id(action.validator_plans)
    byzantine = [v for v in record.validators if _behaviour(by_id, str(v)) is not _HONEST]
    if 3 * len(byzantine) < members:
        group = [a for a in record.node_accounts if value_of(True, hashes.get(a)) == truth]
        outside = sorted(set(paid) - set(group))
        if outside:
            problems.append(f"{outside} paid outside F10's supermajority group ({truth})")
    return observe("PAY-ONLY-MAJORITY", not problems, "; ".join(problems))
