"""Governance (§6.8): parameter changes, amendments and subcommittees.

One STR is one vote, weighed at tally, wherever the STR sits (the chain layer counts it:
`model.chain.common.get_voting_power_by_account`). The profile's constitution
(`model.constitution`) says which process may change each key, by which vote, within which
range: the hardened one enforces the Cosmos x/gov tally (quorum, threshold, veto) for parameter
changes and Tezos' four 90-day periods for amendments, each key inside its range; the literal one
adopts any in-domain value on yes over no (more than 2/3 for the burn and network-support
shares, §6.4, §6.5). The hardened profile also refuses changes whose shares no longer add up
(GOV-PARAMS), at submission and again at the tally. Subcommittees hold their delegated STR in
one pool so each unit backs at most one of them. The Complaint Network Committee's complaints
live in model/complaints.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

import attrs
from attrs import frozen
from pyrsistent import PMap, pmap

from model.coherence import check_coherence
from model.constitution import (
    CORE_KEYS,
    LITERAL_SUPERMAJORITY_KEYS,
    AmendmentRule,
    Constitution,
    Fraction,
    Process,
    VoteRule,
    get_constitution,
)
from model.ledger import (
    GOVERNANCE_DEPOSITS,
    SUBCOMMITTEE_POOL,
    Ledger,
    get_balance,
    get_str_circulating_supply,
    is_user_account,
    process_burn,
    process_transfer_str,
)
from model.maps import dmap
from model.params import WHITEPAPER_PARAMS, Params, ParamsError, get_param_by_name, with_values
from model.profile import DEFAULT_PROFILE, Profile
from model.records import evolve
from model.units import BPS_DENOMINATOR, AccountId, Outcome, Rejected, Seconds, UStr

NETWORK_SUPPORT_COMMITTEE = "network-support"
INITIAL_SUBCOMMITTEES: tuple[str, ...] = (
    NETWORK_SUPPORT_COMMITTEE,
    "flagged-activity-list",
    "insurance-pool-payouts",
    "complaint-network",
    "app-mining-voting",
)
"""§6.8: the subcommittees launched with the network (inactive until STR is delegated)."""
GENESIS_CREATOR = AccountId("genesis")


class VoteOption(Enum):
    """§6.8: the options of a vote, as Cosmos x/gov has them (Tezos' yay, nay and pass are yes,
    no and abstain; in an amendment's proposal period a yes is an upvote)."""

    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"
    NO_WITH_VETO = "no_with_veto"


class AmendmentPhase(Enum):
    """§6.8: the four 90-day steps of an amendment, as Tezos' periods."""

    PROPOSAL = "proposal"
    EXPLORATION = "exploration"
    TESTING = "testing"
    PROMOTION = "promotion"


_NEXT_PHASE: dict[AmendmentPhase, AmendmentPhase | None] = {
    AmendmentPhase.PROPOSAL: AmendmentPhase.EXPLORATION,
    AmendmentPhase.EXPLORATION: AmendmentPhase.TESTING,
    AmendmentPhase.TESTING: AmendmentPhase.PROMOTION,
    AmendmentPhase.PROMOTION: None,
}


@frozen
class ParamChange:
    """One `subspace.key = value` of a proposal; the value is an int, its domain checked on use."""

    subspace: str
    key: str
    value: int


@frozen
class TallyResult:
    """§6.8: the STR weight behind each option, the rule that weighed it, and the outcome."""

    yes: UStr
    no: UStr
    abstain: UStr
    supermajority_required: bool
    passed: bool
    """The changes were applied (for an amendment: at the end of its promotion vote)."""
    refused: str | None = None
    """Why a proposal the vote passed was not applied (hardened: it would break GOV-PARAMS or
    leave the constitution's ranges)."""
    no_with_veto: UStr = 0
    total_power: UStr = 0
    """All STR voting power at the tally: the base of the quorum."""
    rule: str = ""
    """The vote rule applied (a `model.constitution.VoteRule` name, or an amendment phase)."""
    failed_because: str | None = None
    """Why the vote itself did not pass (no quorum, vetoed, threshold not met), or None."""
    vetoed: bool = False
    """x/gov: more than the veto share voted no-with-veto; the deposit is burned."""
    phase: AmendmentPhase | None = None
    """For an amendment: the phase this tally closed."""
    next_phase: AmendmentPhase | None = None
    """For an amendment that moved on: the phase it entered (None when it ended)."""
    absent_validators: tuple[AccountId, ...] = ()
    """§6.8: active validators that did not vote on a core parameter change (they risk the
    time-out penalty)."""


@frozen
class Proposal:
    """§6.8: a parameter-change proposal, its deposit, its votes and, once tallied, its result."""

    proposal_id: int
    proposer: AccountId
    changes: tuple[ParamChange, ...]
    deposit_ustr: UStr
    voting_end: Seconds
    votes: PMap[AccountId, VoteOption]
    result: TallyResult | None = None
    process: Process = Process.PARAMETER_CHANGE
    phase: AmendmentPhase | None = None
    """The amendment's current phase (None for a parameter change)."""
    history: tuple[TallyResult, ...] = ()
    """The amendment's tallies of the phases it has passed."""


@frozen
class Subcommittee:
    """§6.8: a subcommittee, launched by anyone and active only with enough delegated STR."""

    name: str
    creator: AccountId


@frozen
class GovernanceState:
    """§6.8: the live parameters, proposals, subcommittees and delegations."""

    params: Params
    proposals: PMap[int, Proposal]
    next_proposal_id: int
    subcommittees: PMap[str, Subcommittee]
    subcommittee_delegations: PMap[tuple[AccountId, str], UStr]
    participation_ema_bps: int = 8_000
    """Tezos' participation moving average, which sets an amendment ballot's quorum."""


def create_governance_state(*, params: Params = WHITEPAPER_PARAMS) -> GovernanceState:
    """§6.8: governance at genesis: live `params` and the initial subcommittees, none active."""
    subcommittees: PMap[str, Subcommittee] = dmap(
        {name: Subcommittee(name=name, creator=GENESIS_CREATOR) for name in INITIAL_SUBCOMMITTEES}
    )
    return GovernanceState(
        params=params,
        proposals=pmap(),
        next_proposal_id=1,
        subcommittees=subcommittees,
        subcommittee_delegations=dmap(),
    )


# --- Parameter-change proposals ---------------------------------------------------------------


def is_supermajority_key(subspace: str, key: str) -> bool:
    """§6.4, §6.5: True iff changing `subspace.key` needs a supermajority."""
    return f"{subspace}.{key}" in LITERAL_SUPERMAJORITY_KEYS


def get_required_majority(changes: tuple[ParamChange, ...]) -> bool:
    """§6.4, §6.5: True iff the changes need a supermajority (any touches a supermajority key)."""
    return any(is_supermajority_key(change.subspace, change.key) for change in changes)


def compute_changed_params(params: Params, changes: tuple[ParamChange, ...]) -> Outcome[Params]:
    """§6.8: `params` with `changes` applied; an unknown key or an out-of-domain value is refused."""
    values = {(change.subspace, change.key): change.value for change in changes}
    # Verify no key is changed twice, since only one of the values could apply.
    if len(values) != len(changes):
        return Rejected("compute_changed_params", "a proposal changes the same key twice")
    try:
        return with_values(params, values)
    except ParamsError as error:
        return Rejected("compute_changed_params", str(error))


def get_incoherence_reason(params: Params) -> str | None:
    """§6.8 GOV-PARAMS: why `params`' shares do not add up (its first violation), or None."""
    violations = check_coherence(params)
    if not violations:
        return None
    first = violations[0]
    return f"the shares would no longer add up ({first.rule}): {first.message}"


def get_constitution_violation(params: Params, constitution: Constitution) -> str | None:
    """§6.8: why `params` leaves `constitution` (a key outside its row's range, or a fraction
    outside its bound), naming the key, the process and the range; or None."""
    for name, row in constitution.rows.items():
        value = get_param_by_name(params, name)
        # Verify the key stays inside its row's range.
        if not row.minimum <= value <= row.maximum:
            return (
                f"{name} = {value} is outside the constitution's range"
                f" {row.minimum}..{row.maximum} for the {row.process.value} process"
                f" ({row.reason})"
            )
    for bound in constitution.ratio_bounds:
        num = get_param_by_name(params, bound.num_key)
        den = get_param_by_name(params, bound.den_key)
        # Verify the fraction stays in [least, 1).
        if num * bound.least.den < bound.least.num * den or num >= den:
            return (
                f"{bound.num_key} / {bound.den_key} = {num}/{den} is outside the constitution's"
                f" range [{bound.least}, 1) ({bound.reason})"
            )
    return None


def get_proposal_process(
    changes: tuple[ParamChange, ...], constitution: Constitution
) -> Outcome[Process]:
    """§6.8: the process a proposal's changes follow: an amendment iff any key needs one; a
    constitution that keeps the processes apart refuses a proposal mixing them."""
    processes = {constitution.rows[f"{change.subspace}.{change.key}"].process for change in changes}
    # Verify the keys share one process (or the constitution lets them mix).
    if len(processes) > 1 and not constitution.mixed_processes:
        amended = sorted(
            f"{change.subspace}.{change.key}"
            for change in changes
            if constitution.rows[f"{change.subspace}.{change.key}"].process is Process.AMENDMENT
        )
        return Rejected(
            "process_submit_proposal",
            f"{amended[0]} changes only by the amendment process, and a proposal may not mix"
            " it with parameter changes",
        )
    if Process.AMENDMENT in processes and not constitution.mixed_processes:
        return Process.AMENDMENT
    return Process.PARAMETER_CHANGE


def process_submit_proposal(
    ledger: Ledger,
    gov: GovernanceState,
    *,
    proposer: AccountId,
    changes: tuple[ParamChange, ...],
    deposit_ustr: UStr,
    now: Seconds,
    profile: Profile = DEFAULT_PROFILE,
) -> Outcome[tuple[Ledger, GovernanceState, int]]:
    """§6.8: open a parameter-change vote or an amendment's proposal period, locking the
    proposer's deposit until the last tally."""
    # Verify the proposal changes something.
    if not changes:
        return Rejected("process_submit_proposal", "a proposal must change at least one key")
    # Verify every change names a known key and stays inside its domain.
    checked = compute_changed_params(gov.params, changes)
    if isinstance(checked, Rejected):
        return Rejected("process_submit_proposal", checked.reason)
    constitution = get_constitution(profile)
    process = get_proposal_process(changes, constitution)
    if isinstance(process, Rejected):
        return process
    # Verify the changed set stays inside the constitution's ranges.
    outside = get_constitution_violation(checked, constitution)
    if outside is not None:
        return Rejected("process_submit_proposal", outside)
    # Verify the changed shares still add up (hardened; the literal §6.8 does not check).
    incoherent = get_incoherence_reason(checked) if profile.governance_checks_coherence else None
    if incoherent is not None:
        return Rejected("process_submit_proposal", incoherent)
    locked = process_transfer_str(
        ledger, sender=proposer, recipient=GOVERNANCE_DEPOSITS, amount=deposit_ustr
    )
    if isinstance(locked, Rejected):
        return locked
    amendment = process is Process.AMENDMENT and constitution.amendment is not None
    period = (
        constitution.amendment.period_seconds
        if amendment and constitution.amendment is not None
        else gov.params.governance.voting_period_seconds
    )
    proposal = Proposal(
        proposal_id=gov.next_proposal_id,
        proposer=proposer,
        changes=changes,
        deposit_ustr=deposit_ustr,
        voting_end=now + period,
        votes=dmap(),
        process=process,
        phase=AmendmentPhase.PROPOSAL if amendment else None,
    )
    gov = evolve(
        gov,
        proposals=gov.proposals.set(proposal.proposal_id, proposal),
        next_proposal_id=gov.next_proposal_id + 1,
    )
    return locked, gov, proposal.proposal_id


def process_vote(
    gov: GovernanceState,
    *,
    proposal_id: int,
    voter: AccountId,
    option: VoteOption,
    now: Seconds,
) -> Outcome[GovernanceState]:
    """§6.8: record `voter`'s vote; a later vote by the same voter replaces the earlier one."""
    proposal = gov.proposals.get(proposal_id)
    # Verify the proposal exists.
    if proposal is None:
        return Rejected("process_vote", f"no proposal {proposal_id}")
    # Verify the voting period is still open: it ends at voting_end, exclusive.
    if now >= proposal.voting_end:
        return Rejected(
            "process_vote",
            f"voting on proposal {proposal_id} ended at {proposal.voting_end}, now is {now}",
        )
    # Verify the amendment is in a phase that votes (testing holds none).
    if proposal.phase is AmendmentPhase.TESTING:
        return Rejected("process_vote", f"proposal {proposal_id} is in its testing period")
    proposal = evolve(proposal, votes=proposal.votes.set(voter, option))
    return evolve(gov, proposals=gov.proposals.set(proposal_id, proposal))


def get_voting_power(ledger: Ledger, voter: AccountId, held: Mapping[AccountId, UStr]) -> UStr:
    """§6.8: 1 STR = 1 vote: the voter's liquid STR plus the STR it holds elsewhere (`held`:
    bonded, delegated to a subcommittee, staked as a node, prepaid into an escrow)."""
    liquid = get_balance(ledger, voter).ustr if is_user_account(voter) else 0
    return liquid + held.get(voter, 0)


def get_total_voting_power(ledger: Ledger, held: Mapping[AccountId, UStr]) -> UStr:
    """§6.8: all STR voting power: every user account's liquid STR and every holding's."""
    liquid = sum(
        balance.ustr for account, balance in ledger.balances.items() if is_user_account(account)
    )
    return liquid + sum(held.values())


def get_vote_rule(changes: tuple[ParamChange, ...], constitution: Constitution) -> VoteRule:
    """§6.4, §6.5, §6.8: the vote a parameter change needs: a supermajority rule if any key's
    row names one (a threshold of None), else the rule of its keys."""
    rules = [
        constitution.votes[constitution.rows[f"{change.subspace}.{change.key}"].vote]
        for change in changes
    ]
    governed = [rule for rule in rules if rule.threshold is None]
    return governed[0] if governed else rules[0]


def get_vote_failure(
    rule: VoteRule, weights: Mapping[VoteOption, UStr], total: UStr, params: Params
) -> tuple[str | None, bool]:
    """§6.8: why a parameter change's vote fails under `rule` (None if it passes), and whether
    it was vetoed. Order as x/gov: quorum, then veto, then threshold."""
    yes, no = weights[VoteOption.YES], weights[VoteOption.NO]
    abstain, veto = weights[VoteOption.ABSTAIN], weights[VoteOption.NO_WITH_VETO]
    cast = yes + no + abstain + veto
    if rule.quorum is not None and cast * rule.quorum.den < rule.quorum.num * total:
        return f"the votes cast, {cast} of {total} ustr, miss the quorum {rule.quorum}", False
    if rule.veto is not None and veto * rule.veto.den > rule.veto.num * cast:
        return f"no-with-veto, {veto} of {cast} ustr cast, passes the veto {rule.veto}", True
    threshold = rule.threshold or Fraction(
        params.governance.supermajority_num, params.governance.supermajority_den
    )
    base = cast if rule.counts_abstain else cast - abstain
    if base == 0 or yes * threshold.den <= threshold.num * base:
        return f"yes, {yes} of {base} ustr counted, is not more than {threshold}", False
    return None, False


def get_amendment_failure(
    rule: AmendmentRule,
    phase: AmendmentPhase,
    weights: Mapping[VoteOption, UStr],
    total: UStr,
    ema_bps: int,
) -> str | None:
    """§6.8, as Tezos: why an amendment does not move on from `phase` (None if it does)."""
    yes, no = weights[VoteOption.YES], weights[VoteOption.NO]
    if phase is AmendmentPhase.PROPOSAL:
        quorum = rule.proposal_quorum
        if yes * quorum.den < quorum.num * total:
            return f"upvotes, {yes} of {total} ustr, miss the proposal quorum {quorum}"
        return None
    if phase is AmendmentPhase.TESTING:
        return None
    cast = yes + no + weights[VoteOption.ABSTAIN] + weights[VoteOption.NO_WITH_VETO]
    quorum_bps = get_amendment_quorum_bps(rule, ema_bps)
    if cast * 10_000 < quorum_bps * total:
        return f"participation, {cast} of {total} ustr, misses the quorum {quorum_bps} bps"
    majority = rule.supermajority
    if yes + no == 0 or yes * majority.den < majority.num * (yes + no):
        return f"yay, {yes} of {yes + no} ustr, is less than {majority} of yay and nay"
    return None


def get_amendment_quorum_bps(rule: AmendmentRule, ema_bps: int) -> int:
    """Tezos: the ballot quorum, quorum_min + ema x (quorum_max - quorum_min), in bps (floor)."""
    low = rule.quorum_min.num * 10_000 // rule.quorum_min.den
    high = rule.quorum_max.num * 10_000 // rule.quorum_max.den
    return low + ema_bps * (high - low) // 10_000


def compute_next_ema_bps(rule: AmendmentRule, ema_bps: int, cast: UStr, total: UStr) -> int:
    """Tezos: a ballot moves the participation average `ema_weight` of the way to its
    participation (both in bps, floor)."""
    participation = cast * 10_000 // total if total else 0
    weight = rule.ema_weight
    return (ema_bps * (weight.den - weight.num) + participation * weight.num) // weight.den


def get_tallyable_proposal(
    gov: GovernanceState, *, proposal_id: int, now: Seconds
) -> Outcome[Proposal]:
    """§6.8: the proposal to tally: it exists, is not tallied yet, and its vote has ended."""
    proposal = gov.proposals.get(proposal_id)
    # Verify the proposal exists and has not been tallied.
    if proposal is None:
        return Rejected("process_tally", f"no proposal {proposal_id}")
    if proposal.result is not None:
        return Rejected("process_tally", f"proposal {proposal_id} was already tallied")
    # Verify the voting period is over.
    if now < proposal.voting_end:
        return Rejected(
            "process_tally",
            f"voting on proposal {proposal_id} ends at {proposal.voting_end}, now is {now}",
        )
    return proposal


def get_adoption_refusal(params: Params, profile: Profile) -> str | None:
    """Hardened: why a changed set may not be adopted although its vote passed (it leaves the
    constitution or its shares no longer add up), rechecked on today's parameters since another
    proposal may have passed after this one was submitted."""
    outside = get_constitution_violation(params, get_constitution(profile))
    if outside is not None:
        return f"the vote passed, but on today's parameters {outside}"
    if profile.governance_checks_coherence:
        incoherent = get_incoherence_reason(params)
        if incoherent is not None:
            return f"the vote passed, but on today's parameters {incoherent}"
    return None


@frozen
class VoteDecision:
    """How a tally's vote came out: the rule, why it failed (or None), whether x/gov's veto
    rejected it, the amendment's next phase (None: the proposal ends here), and Tezos'
    participation average after it."""

    rule: str
    failure: str | None
    vetoed: bool
    next_phase: AmendmentPhase | None
    ema_bps: int


def decide_vote(
    proposal: Proposal,
    weights: Mapping[VoteOption, UStr],
    total: UStr,
    gov: GovernanceState,
    constitution: Constitution,
) -> VoteDecision:
    """§6.8: weigh one tally's votes under the constitution: an amendment phase by Tezos' rules
    (a ballot also moves the participation average), a parameter change by its vote rule."""
    amendment = constitution.amendment
    ema = gov.participation_ema_bps
    if proposal.phase is None or amendment is None:
        rule = get_vote_rule(proposal.changes, constitution)
        failure, vetoed = get_vote_failure(rule, weights, total, gov.params)
        return VoteDecision(rule.name, failure, vetoed, None, ema)
    failure = get_amendment_failure(amendment, proposal.phase, weights, total, ema)
    if proposal.phase in {AmendmentPhase.EXPLORATION, AmendmentPhase.PROMOTION}:
        ema = compute_next_ema_bps(amendment, ema, sum(weights.values()), total)
    next_phase = _NEXT_PHASE[proposal.phase] if failure is None else None
    return VoteDecision(f"amendment {proposal.phase.value}", failure, False, next_phase, ema)


def process_settle_deposit(ledger: Ledger, proposal: Proposal, *, vetoed: bool) -> Outcome[Ledger]:
    """§6.8: at a proposal's last tally its deposit returns to the proposer, or, as x/gov does
    for a vetoed proposal, is burned."""
    if vetoed:
        return process_burn(ledger, holder=GOVERNANCE_DEPOSITS, amount=proposal.deposit_ustr)
    return process_transfer_str(
        ledger,
        sender=GOVERNANCE_DEPOSITS,
        recipient=proposal.proposer,
        amount=proposal.deposit_ustr,
    )


def process_tally(
    ledger: Ledger,
    gov: GovernanceState,
    *,
    proposal_id: int,
    now: Seconds,
    held: Mapping[AccountId, UStr] | None = None,
    validators: tuple[AccountId, ...] = (),
    profile: Profile = DEFAULT_PROFILE,
) -> Outcome[tuple[Ledger, GovernanceState, TallyResult]]:
    """§6.8: weigh the votes by all STR at tally (`held`: STR outside liquid balances, by
    owner); a parameter change is applied if its vote passes, an amendment moves to its next
    phase or, after its promotion vote, is applied. The deposit returns at the last tally, or
    is burned if x/gov's veto rejected it."""
    held = held or {}
    proposal = get_tallyable_proposal(gov, proposal_id=proposal_id, now=now)
    if isinstance(proposal, Rejected):
        return proposal
    # Verify held stake is a holding, never a debt.
    negative = sorted(voter for voter, amount in held.items() if amount < 0)
    if negative:
        return Rejected("process_tally", f"held stake of {negative[0]} is negative")
    weights = dict.fromkeys(VoteOption, 0)
    for voter, option in proposal.votes.items():
        weights[option] += get_voting_power(ledger, voter, held)
    total = get_total_voting_power(ledger, held)
    supermajority = get_required_majority(proposal.changes)
    decision = decide_vote(proposal, weights, total, gov, get_constitution(profile))
    rule_name, failure, vetoed = decision.rule, decision.failure, decision.vetoed
    next_phase, ema = decision.next_phase, decision.ema_bps
    amendment = get_constitution(profile).amendment
    passed = failure is None and next_phase is None
    params = gov.params
    refused: str | None = None
    if passed:
        changed = compute_changed_params(params, proposal.changes)
        if isinstance(changed, Rejected):
            return Rejected("process_tally", changed.reason)
        refused = get_adoption_refusal(changed, profile)
        if refused is None:
            params = changed
        else:
            passed = False
    absent = (
        tuple(v for v in validators if v not in proposal.votes)
        if any(f"{c.subspace}.{c.key}" in CORE_KEYS for c in proposal.changes)
        else ()
    )
    result = TallyResult(
        yes=weights[VoteOption.YES],
        no=weights[VoteOption.NO],
        abstain=weights[VoteOption.ABSTAIN],
        supermajority_required=supermajority,
        passed=passed,
        refused=refused,
        no_with_veto=weights[VoteOption.NO_WITH_VETO],
        total_power=total,
        rule=rule_name,
        failed_because=failure,
        vetoed=vetoed,
        phase=proposal.phase,
        next_phase=next_phase,
        absent_validators=absent,
    )
    if next_phase is not None:
        # The amendment moves on: a new period with fresh votes; the deposit stays locked.
        assert amendment is not None
        moved = evolve(
            proposal,
            phase=next_phase,
            votes=dmap(),
            voting_end=proposal.voting_end + amendment.period_seconds,
            history=(*proposal.history, result),
        )
        gov = evolve(
            gov, proposals=gov.proposals.set(proposal_id, moved), participation_ema_bps=ema
        )
        return ledger, gov, result
    settled = process_settle_deposit(ledger, proposal, vetoed=vetoed)
    if isinstance(settled, Rejected):
        return settled
    proposal = attrs.evolve(proposal, result=result, history=(*proposal.history, result))
    gov = evolve(
        gov,
        params=params,
        proposals=gov.proposals.set(proposal_id, proposal),
        participation_ema_bps=ema,
    )
    return settled, gov, result


# --- Subcommittees ----------------------------------------------------------------------------


def process_create_subcommittee(
    gov: GovernanceState, *, name: str, creator: AccountId
) -> Outcome[GovernanceState]:
    """§6.8: launching a subcommittee is free; it stays inactive until enough STR backs it."""
    # Verify the name is given and not taken.
    if not name:
        return Rejected("process_create_subcommittee", "a subcommittee needs a name")
    if name in gov.subcommittees:
        return Rejected("process_create_subcommittee", f"subcommittee {name!r} already exists")
    subcommittee = Subcommittee(name=name, creator=creator)
    return evolve(gov, subcommittees=gov.subcommittees.set(name, subcommittee))


def get_subcommittee_delegated(gov: GovernanceState, name: str) -> UStr:
    """§6.8: the STR delegated to subcommittee `name`."""
    return sum(
        amount
        for (_, subcommittee), amount in sorted(gov.subcommittee_delegations.items())
        if subcommittee == name
    )


def process_delegate_to_subcommittee(
    ledger: Ledger, gov: GovernanceState, *, delegator: AccountId, subcommittee: str, amount: UStr
) -> Outcome[tuple[Ledger, GovernanceState]]:
    """§6.8: delegate STR to a subcommittee; the STR moves to the pool, so it backs only this one."""
    # Verify the subcommittee exists.
    if subcommittee not in gov.subcommittees:
        return Rejected("process_delegate_to_subcommittee", f"no subcommittee {subcommittee!r}")
    # Verify the amount is positive.
    if amount <= 0:
        return Rejected("process_delegate_to_subcommittee", f"amount {amount} must be positive")
    moved = process_transfer_str(
        ledger, sender=delegator, recipient=SUBCOMMITTEE_POOL, amount=amount
    )
    if isinstance(moved, Rejected):
        return moved
    key = (delegator, subcommittee)
    held = gov.subcommittee_delegations.get(key, 0)
    delegations = gov.subcommittee_delegations.set(key, held + amount)
    return moved, evolve(gov, subcommittee_delegations=delegations)


def process_undelegate_from_subcommittee(
    ledger: Ledger, gov: GovernanceState, *, delegator: AccountId, subcommittee: str, amount: UStr
) -> Outcome[tuple[Ledger, GovernanceState]]:
    """§6.8: take delegated STR back from a subcommittee, freeing it to back another."""
    key = (delegator, subcommittee)
    held = gov.subcommittee_delegations.get(key, 0)
    # Verify the amount is positive and delegated by this delegator to this subcommittee.
    if amount <= 0:
        return Rejected("process_undelegate_from_subcommittee", f"amount {amount} must be positive")
    if amount > held:
        return Rejected(
            "process_undelegate_from_subcommittee",
            f"{delegator} delegated {held} ustr to {subcommittee!r}, cannot take back {amount}",
        )
    moved = process_transfer_str(
        ledger, sender=SUBCOMMITTEE_POOL, recipient=delegator, amount=amount
    )
    if isinstance(moved, Rejected):
        return moved
    rest = held - amount
    delegations = (
        gov.subcommittee_delegations.set(key, rest)
        if rest
        else gov.subcommittee_delegations.remove(key)
    )
    return moved, evolve(gov, subcommittee_delegations=delegations)


def is_subcommittee_active(ledger: Ledger, gov: GovernanceState, name: str) -> bool:
    """§6.8 GOV-SUBCOMMITTEE: active iff strictly more than the activation share of STR backs it."""
    if name not in gov.subcommittees:
        return False
    delegated = get_subcommittee_delegated(gov, name)
    threshold = gov.params.governance.subcommittee_activation_bps
    return delegated * BPS_DENOMINATOR > threshold * get_str_circulating_supply(ledger)


def is_network_support_grant_allowed(ledger: Ledger, gov: GovernanceState) -> bool:
    """§6.5, §6.8: Network Support grants need the Network Support Committee to be active."""
    return is_subcommittee_active(ledger, gov, NETWORK_SUPPORT_COMMITTEE)
