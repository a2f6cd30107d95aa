"""Subcommittee powers, the insurance pool and the complaints a node's reputation records
(SUB-POWERS, INS-POOL, REP-RECORDED; §4.5, §6.5, §6.8, §6.10, §3.2 F9).

Each checker reads the raw state around an accepted step (delegation records, balances, the
complaint book, reputation counters) and the action; none asks the model who may vote, which
committee holds a power, or what a record should become (`oracle.committees`,
`oracle.reputation`).
"""

from __future__ import annotations

from collections.abc import Iterable

from model.chain.actions import (
    FundInsurance,
    GrantNetworkSupport,
    PayInsurance,
    ResolveComplaint,
    RoundEffect,
    RunRound,
    SlashNode,
)
from model.chain.state import ChainState
from model.insurance import InsuranceClaim
from model.ledger import INSURANCE_POOL
from model.reputation import NodeReputation
from model.units import NodeId
from oracle.committees import (
    COMPLAINT_NETWORK,
    INSURANCE_PAYOUTS,
    committee_power_problems,
    grant_committees,
)
from oracle.defaults import SUBCOMMITTEE_ACTIVATION_BPS
from oracle.effects import is_user_account
from oracle.ledger import balance
from oracle.reputation import complained_node, complaint_counts
from properties.invariants.base import Observation, observe
from properties.invariants.step import ChainStep, record_effects

CommitteeAction = GrantNetworkSupport | PayInsurance | SlashNode


def committees_of(action: CommitteeAction) -> tuple[str, ...]:
    """§4.5, §6.5, §6.8, §6.10: the committees whose vote the action carries out."""
    if isinstance(action, GrantNetworkSupport):
        return grant_committees(action.purpose)
    if isinstance(action, PayInsurance):
        return (INSURANCE_PAYOUTS,)
    return (COMPLAINT_NETWORK,)


# --- SUB-POWERS ------------------------------------------------------------------------------


def check_sub_powers(step: ChainStep) -> Observation | None:
    """SUB-POWERS (§6.8, §6.5, §6.10, §4.5): a grant, an insurance payout or a node slash the
    chain carried out was its committees' act: each active by the text's "greater than 1% of
    all STR" (`oracle.defaults`), and each voted by signing delegators holding more than 2/3 of
    the STR delegated to it, every signer a user account."""
    action, before = step.action, step.before
    if before is None or not isinstance(action, GrantNetworkSupport | PayInsurance | SlashNode):
        return None
    problems = committee_power_problems(
        before,
        committees_of(action),
        action.signers,
        activation_bps=SUBCOMMITTEE_ACTIVATION_BPS,
        votes=True,
    )
    what = type(action).__name__
    return observe("SUB-POWERS", not problems, f"{what} carried out: {'; '.join(problems)}")


# --- INS-POOL --------------------------------------------------------------------------------


def _pool(state: ChainState) -> tuple[int, int]:
    held = balance(state.ledger, INSURANCE_POOL)
    return held.ustr, held.ustb


def check_ins_pool(step: ChainStep) -> Observation | None:
    """INS-POOL (§4.5): the insurance pool holds STR only, grows only by a contribution of
    exactly its amount, and shrinks only by a payout of exactly its amount to a user account for
    one of §4.5's two purposes (a cybercrime bounty, a node's reimbursement)."""
    action, before = step.action, step.before
    if before is None:
        return None
    old, new = _pool(before), _pool(step.after)
    insurance = isinstance(action, FundInsurance | PayInsurance)
    if old == new and not insurance:
        return None
    expected = 0
    problems = []
    if isinstance(action, FundInsurance):
        expected = action.amount
    elif isinstance(action, PayInsurance):
        expected = -action.amount
        if not isinstance(action.claim, InsuranceClaim):
            problems.append(f"a payout for {action.claim!r}, not a purpose of §4.5")
        if not is_user_account(action.recipient):
            problems.append(f"a payout to {action.recipient}, a pool or an escrow")
    if new[0] - old[0] != expected:
        problems.append(
            f"{type(action).__name__} moved the pool's STR by {new[0] - old[0]}, expected"
            f" {expected}"
        )
    if new[1] != 0 or new[0] < 0:
        problems.append(f"the pool holds {new[0]} ustr and {new[1]} ustb")
    return observe("INS-POOL", not problems, "; ".join(problems))


# --- REP-RECORDED ----------------------------------------------------------------------------


def _counts(state: ChainState, nodes: Iterable[str], field: str) -> dict[str, int]:
    records = state.reputation.nodes
    counts: dict[str, int] = {}
    for node in nodes:
        record: NodeReputation | None = records.get(NodeId(node))
        counts[node] = getattr(record, field) if record is not None else 0
    return counts


def _count_problems(step: ChainStep, field: str, complained: Iterable[str], why: str) -> list[str]:
    """Every node's `field` went up by one if it is in `complained`, else stayed."""
    before = step.before
    assert before is not None
    complained = set(complained)
    nodes = set(before.reputation.nodes) | set(step.after.reputation.nodes) | complained
    old = _counts(before, nodes, field)
    want = complaint_counts(old, complained)
    got = _counts(step.after, nodes, field)
    return [
        f"{node}'s {field} went from {old[node]} to {got[node]}, expected {want[node]} ({why})"
        for node in sorted(nodes)
        if got[node] != want[node]
    ]


def _round_problems(step: ChainStep, effect: RoundEffect) -> list[str]:
    """§3.2 F9, §4.5: a settled round's app complaints reach the nodes' records, and its app's
    active use has begun, when the checker remembers it began."""
    if effect.outcome is None or effect.run.decided_at is None:
        return _count_problems(step, "output_complaints", (), "a round that never settled")
    complained = [str(node) for node in effect.run.state.app_complaints]
    problems = _count_problems(step, "output_complaints", complained, "the app's F9 complaints")
    app = effect.run.state.app
    start = record_effects(step.history, step.effects).first_active.get(app)
    record = step.after.reputation.apps.get(app)
    recorded = record.first_active_time if record is not None else None
    if recorded != start:
        problems.append(f"{app}'s active use began at {recorded}, the chain saw it at {start}")
    return problems


def check_rep_recorded(step: ChainStep) -> Observation | None:
    """REP-RECORDED (§6.8, §3.2 F9, §4.5): an upheld complaint on a node adds one to that node's
    upheld complaints, a settled round's F9 complaints one to each named node's output
    complaints, and a settled round starts its app's active use; nothing else moves them."""
    action, before = step.action, step.before
    if before is None:
        return None
    unchanged = before.reputation.nodes is step.after.reputation.nodes
    problems: list[str] = []
    if isinstance(action, ResolveComplaint):
        complaint = before.complaints.complaints.get(action.complaint_id)
        node = complained_node(complaint.target) if complaint is not None else None
        upheld = [node] if action.upheld and node is not None else []
        problems += _count_problems(step, "upheld_complaints", upheld, "the verdict")
        problems += _count_problems(step, "output_complaints", (), "a verdict")
    elif isinstance(action, RunRound):
        for effect in step.effects:
            if isinstance(effect, RoundEffect):
                problems += _round_problems(step, effect)
        problems += _count_problems(step, "upheld_complaints", (), "a round")
    elif unchanged:
        return None
    else:
        for field in ("upheld_complaints", "output_complaints"):
            problems += _count_problems(step, field, (), f"a {type(action).__name__}")
    return observe("REP-RECORDED", not problems, "; ".join(problems))
