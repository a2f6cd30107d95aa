"""Subcommittee powers (§6.5, §6.8, §6.10, §4.5): what each committee decides, and its vote.

§6.8 "Subcommittees can create allowed lists, perform slashing operations, set minimums on
specific metrics", and names the committees in charge: the Network Support Committee allocates
STR to core development, app mining and bug bounty (§6.5), the App Mining Voting Committee votes
on the month's app-mining payouts, the Insurance Pool Payouts Committee pays out of the
insurance pool (§4.5), and node slashing is "voted upon by relevant subcommittee" (§6.10): the
Complaint Network Committee, which reviews complaints on nodes. A committee acts only while
active (more than 1% of all STR delegated to it).

The text gives no way for a committee to decide. Under profile switch `committee_votes` the
hardened reading has a committee act on its vote: the signatures of its delegators, each
weighing the STR it delegated to that committee ("each STR token represents one pro-rata
vote"), must hold strictly more than 2/3 of all the STR delegated to it. Absent delegators
count against, so a passing vote is one a Byzantine third of the committee cannot forge or
block alone, the same fraction as §3.3's consensus and §6.4's supermajority; a spend or a slash
cannot be undone, so a bare majority of a committee that needs only 1% of STR is too little.
The literal reading carries out anyone's request while the committee is active.
"""

from __future__ import annotations

from collections.abc import Iterable

from pyrsistent import PMap

from model import arith
from model.governance import (
    NETWORK_SUPPORT_COMMITTEE,
    GovernanceState,
    get_subcommittee_delegated,
    is_subcommittee_active,
)
from model.ledger import NODE_STAKE_POOL, Ledger, process_burn
from model.payment import SupportPurpose
from model.profile import Profile
from model.records import evolve
from model.trusted.settlement import NodeStake
from model.units import BPS_DENOMINATOR, AccountId, NodeId, Outcome, Rejected, UStr

APP_MINING_COMMITTEE = "app-mining-voting"
"""§6.5.2, §6.8: votes on the month's most popular releases; decides app-mining payouts."""
INSURANCE_COMMITTEE = "insurance-pool-payouts"
"""§4.5, §6.8: decides payouts of the insurance pool."""
SLASHING_COMMITTEE = "complaint-network"
"""§6.8, §6.10: reviews complaints on nodes, so votes the STR slashed from a cheating node."""

COMMITTEE_PASS_NUM = 2
COMMITTEE_PASS_DEN = 3
"""A committee's vote passes with strictly more than 2/3 of the STR delegated to it."""

GRANT_COMMITTEES: dict[SupportPurpose, tuple[str, ...]] = {
    SupportPurpose.CORE_DEVELOPMENT: (NETWORK_SUPPORT_COMMITTEE,),
    SupportPurpose.APP_MINING: (NETWORK_SUPPORT_COMMITTEE, APP_MINING_COMMITTEE),
    SupportPurpose.BUG_BOUNTY: (NETWORK_SUPPORT_COMMITTEE,),
}
"""§6.5, §6.8: the committees whose votes a Network Support grant needs, by purpose: Network
Support allocates all three; app-mining payouts are the App Mining Voting Committee's too."""


NO_BOUND = -1
"""`get_max_active_subcommittees` at an activation share of 0: every ustr can back a committee
of its own, so the share bounds nothing."""


def get_max_active_subcommittees(activation_bps: int) -> int:
    """§6.8: the most subcommittees active at once at an activation share of s bps: each holds
    more than s / 10^4 of all STR and no STR backs two, so k x s < 10^4, at most
    ceil(10^4 / s) - 1 (99 at the text's 1%); NO_BOUND at s = 0."""
    ints = arith.INTS
    # The divisor is kept positive; the share 0 takes the other branch.
    divisor = arith.maximum(ints, activation_bps, ints.lit(1))
    rounded_up = ints.floordiv(ints.add(ints.lit(BPS_DENOMINATOR - 1), activation_bps), divisor)
    return ints.ite(
        ints.lt(activation_bps, ints.lit(1)), ints.lit(NO_BOUND), ints.sub(rounded_up, ints.lit(1))
    )


def get_grant_committees(purpose: SupportPurpose) -> tuple[str, ...]:
    """§6.5, §6.8: the committees that must vote a Network Support grant for `purpose`."""
    return GRANT_COMMITTEES.get(purpose, ())


def get_committee_vote_weight(
    gov: GovernanceState, name: str, signers: Iterable[AccountId]
) -> UStr:
    """§6.8: the STR that `signers` delegated to committee `name`: their vote's weight."""
    # In account order, so that the sum is the same term whatever the hash seed (the proofs
    # build it on Z3 terms, and their query text must not change from run to run).
    return sum(
        gov.subcommittee_delegations.get((signer, name), 0) for signer in sorted(set(signers))
    )


def is_committee_vote_passed(gov: GovernanceState, name: str, signers: Iterable[AccountId]) -> bool:
    """§6.8 (hardened reading): the signers hold strictly more than 2/3 of the STR delegated to
    committee `name`."""
    weight = get_committee_vote_weight(gov, name, signers)
    delegated = get_subcommittee_delegated(gov, name)
    return weight * COMMITTEE_PASS_DEN > COMMITTEE_PASS_NUM * delegated


def get_committee_refusal(
    ledger: Ledger,
    gov: GovernanceState,
    *,
    committees: tuple[str, ...],
    signers: frozenset[AccountId],
    profile: Profile,
) -> str | None:
    """§6.8: why `committees` cannot act on `signers`' request (None: they can): a committee is
    inactive, or (switch `committee_votes`) its delegators' vote does not pass."""
    # Verify the power belongs to some committee.
    if not committees:
        return "no committee holds this power"
    for name in committees:
        # Verify the committee is active (> 1% of all STR delegated to it).
        if not is_subcommittee_active(ledger, gov, name):
            return f"the subcommittee {name!r} is not active"
        # Verify the committee voted: its signing delegators hold > 2/3 of its delegated STR.
        if profile.committee_votes and not is_committee_vote_passed(gov, name, signers):
            weight = get_committee_vote_weight(gov, name, signers)
            delegated = get_subcommittee_delegated(gov, name)
            return (
                f"the signers hold {weight} of the {delegated} ustr delegated to {name!r},"
                f" not more than {COMMITTEE_PASS_NUM}/{COMMITTEE_PASS_DEN}"
            )
    return None


def process_committee_node_slash(
    ledger: Ledger, nodes: PMap[NodeId, NodeStake], *, node: NodeId, amount: UStr
) -> Outcome[tuple[Ledger, PMap[NodeId, NodeStake]]]:
    """§6.10: "the amount of STR slashed from a node found of cheating will be voted upon by
    relevant subcommittee": burn `amount` of `node`'s stake."""
    rule = "process_committee_node_slash"
    stake = nodes.get(node)
    # Verify the node is registered.
    if stake is None:
        return Rejected(rule, f"{node} is not a registered node")
    # Verify the amount is a whole, non-negative number of micro-units.
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        return Rejected(rule, f"amount {amount!r} is not a non-negative amount")
    # Verify the node has the stake to lose.
    if amount > stake.ustr:
        return Rejected(rule, f"{node} stakes {stake.ustr} ustr, cannot slash {amount}")
    burned = process_burn(ledger, holder=NODE_STAKE_POOL, amount=amount)
    if isinstance(burned, Rejected):
        return Rejected(rule, burned.reason)
    return burned, nodes.set(node, evolve(stake, ustr=stake.ustr - amount))
