"""Governance (§6.8): parameter-change votes and subcommittees.

One STR is one vote, weighed at tally; burn and network-support shares (§6.4, §6.5) change only
by supermajority. The literal text adopts whatever passes; the hardened profile also refuses
changes whose shares no longer add up (GOV-PARAMS), at submission and again at the tally.
Subcommittees hold their delegated STR in one pool so each unit backs at most one of them. The
Complaint Network Committee's complaints live in model/complaints.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

import attrs
from attrs import frozen
from pyrsistent import PMap, pmap

from model.coherence import check_coherence
from model.ledger import (
    GOVERNANCE_DEPOSITS,
    SUBCOMMITTEE_POOL,
    Ledger,
    get_balance,
    get_str_circulating_supply,
    process_transfer_str,
)
from model.params import WHITEPAPER_PARAMS, Params, ParamsError, with_values
from model.profile import DEFAULT_PROFILE, Profile
from model.units import BPS_DENOMINATOR, AccountId, Outcome, Rejected, Seconds, UStr

SUPERMAJORITY_KEYS: frozenset[tuple[str, str]] = frozenset(
    {
        ("payment", "str_burn_bps"),
        ("payment", "stb_reserve_swap_bps"),
        ("payment", "str_network_support_bps"),
        ("governance", "supermajority_num"),
        ("governance", "supermajority_den"),
    }
)
"""§6.4, §6.5: both burns, network support, and the supermajority itself (else a simple majority
could lower the bar first)."""

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
    """§6.8: the options of a parameter-change vote (Cosmos SDK without veto)."""

    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"


@frozen
class ParamChange:
    """One `subspace.key = value` of a proposal; the value is an int, its domain checked on use."""

    subspace: str
    key: str
    value: int


@frozen
class TallyResult:
    """§6.8: the STR weight behind each option, and whether the proposal passed."""

    yes: UStr
    no: UStr
    abstain: UStr
    supermajority_required: bool
    passed: bool
    """The vote passed and the changes were applied."""
    refused: str | None = None
    """Why a proposal the vote passed was not applied (hardened: it would break GOV-PARAMS)."""


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


def create_governance_state(*, params: Params = WHITEPAPER_PARAMS) -> GovernanceState:
    """§6.8: governance at genesis: live `params` and the initial subcommittees, none active."""
    subcommittees: PMap[str, Subcommittee] = pmap(
        {name: Subcommittee(name=name, creator=GENESIS_CREATOR) for name in INITIAL_SUBCOMMITTEES}
    )
    return GovernanceState(
        params=params,
        proposals=pmap(),
        next_proposal_id=1,
        subcommittees=subcommittees,
        subcommittee_delegations=pmap(),
    )


# --- Parameter-change proposals ---------------------------------------------------------------


def is_supermajority_key(subspace: str, key: str) -> bool:
    """§6.4, §6.5: True iff changing `subspace.key` needs a supermajority."""
    return (subspace, key) in SUPERMAJORITY_KEYS


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
    """§6.8: open a parameter-change vote, locking the proposer's deposit until the tally."""
    # Verify the proposal changes something.
    if not changes:
        return Rejected("process_submit_proposal", "a proposal must change at least one key")
    # Verify every change names a known key and stays inside its domain.
    checked = compute_changed_params(gov.params, changes)
    if isinstance(checked, Rejected):
        return Rejected("process_submit_proposal", checked.reason)
    # Verify the changed shares still add up (hardened; the literal §6.8 does not check).
    incoherent = get_incoherence_reason(checked) if profile.governance_checks_coherence else None
    if incoherent is not None:
        return Rejected("process_submit_proposal", incoherent)
    locked = process_transfer_str(
        ledger, sender=proposer, recipient=GOVERNANCE_DEPOSITS, amount=deposit_ustr
    )
    if isinstance(locked, Rejected):
        return locked
    proposal = Proposal(
        proposal_id=gov.next_proposal_id,
        proposer=proposer,
        changes=changes,
        deposit_ustr=deposit_ustr,
        voting_end=now + gov.params.governance.voting_period_seconds,
        votes=pmap(),
    )
    gov = attrs.evolve(
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
    proposal = attrs.evolve(proposal, votes=proposal.votes.set(voter, option))
    return attrs.evolve(gov, proposals=gov.proposals.set(proposal_id, proposal))


def get_voting_power(ledger: Ledger, voter: AccountId, bonded: Mapping[AccountId, UStr]) -> UStr:
    """§6.8: 1 STR = 1 vote: the voter's liquid STR plus its bonded STR, at the tally."""
    return get_balance(ledger, voter).ustr + bonded.get(voter, 0)


def is_proposal_passing(
    *, yes: UStr, no: UStr, abstain: UStr, supermajority: bool, params: Params
) -> bool:
    """§6.4, §6.5, §6.8: yes * den > num * all votes for a supermajority; else yes > no."""
    if supermajority:
        num = params.governance.supermajority_num
        den = params.governance.supermajority_den
        return yes * den > num * (yes + no + abstain)
    return yes > no


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


def process_tally(
    ledger: Ledger,
    gov: GovernanceState,
    *,
    proposal_id: int,
    now: Seconds,
    bonded: Mapping[AccountId, UStr] | None = None,
    profile: Profile = DEFAULT_PROFILE,
) -> Outcome[tuple[Ledger, GovernanceState, TallyResult]]:
    """§6.8: weigh the votes by STR held at tally, apply the changes if passed, return the deposit."""
    bonded = bonded or {}
    proposal = get_tallyable_proposal(gov, proposal_id=proposal_id, now=now)
    if isinstance(proposal, Rejected):
        return proposal
    # Verify bonded stake is a holding, never a debt.
    negative = sorted(voter for voter, amount in bonded.items() if amount < 0)
    if negative:
        return Rejected("process_tally", f"bonded stake of {negative[0]} is negative")
    weights = {option: 0 for option in VoteOption}
    for voter, option in proposal.votes.items():
        weights[option] += get_voting_power(ledger, voter, bonded)
    supermajority = get_required_majority(proposal.changes)
    passed = is_proposal_passing(
        yes=weights[VoteOption.YES],
        no=weights[VoteOption.NO],
        abstain=weights[VoteOption.ABSTAIN],
        supermajority=supermajority,
        params=gov.params,
    )
    params = gov.params
    refused: str | None = None
    if passed:
        changed = compute_changed_params(params, proposal.changes)
        if isinstance(changed, Rejected):
            return Rejected("process_tally", changed.reason)
        # Verify the shares still add up against today's parameters (hardened): another
        # proposal may have passed since this one was submitted.
        check = profile.governance_checks_coherence
        incoherent = get_incoherence_reason(changed) if check else None
        if incoherent is None:
            params = changed
        else:
            passed, refused = False, f"the vote passed, but on today's parameters {incoherent}"
    refunded = process_transfer_str(
        ledger,
        sender=GOVERNANCE_DEPOSITS,
        recipient=proposal.proposer,
        amount=proposal.deposit_ustr,
    )
    if isinstance(refunded, Rejected):
        return refunded
    result = TallyResult(
        yes=weights[VoteOption.YES],
        no=weights[VoteOption.NO],
        abstain=weights[VoteOption.ABSTAIN],
        supermajority_required=supermajority,
        passed=passed,
        refused=refused,
    )
    proposal = attrs.evolve(proposal, result=result)
    gov = attrs.evolve(gov, params=params, proposals=gov.proposals.set(proposal_id, proposal))
    return refunded, gov, result


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
    return attrs.evolve(gov, subcommittees=gov.subcommittees.set(name, subcommittee))


def get_subcommittee_delegated(gov: GovernanceState, name: str) -> UStr:
    """§6.8: the STR delegated to subcommittee `name`."""
    return sum(
        amount
        for (_, subcommittee), amount in gov.subcommittee_delegations.items()
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
    return moved, attrs.evolve(gov, subcommittee_delegations=delegations)


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
    return moved, attrs.evolve(gov, subcommittee_delegations=delegations)


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
