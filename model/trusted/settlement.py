"""Settling a decided round, Steps 11 and 12 of §3.3, over the slice of chain state it touches.

F11: only the supermajority group is paid, and a node whose reveal provably does not open its
commit is slashed (on the §6.10 schedule, from its node stake). F12: on consensus TRUE the paid
nodes receive the §6.3 split from the app's own escrow; on FALSE their payment is locked in
escrow until resolved. A round the app stalled by withholding its salts (F6, expired under the
hardened profile) locks the committed nodes' payment and marks the app, not the nodes. The
result is one `RoundOutcome`, complete enough for the executor to produce the same record from
real processes.
"""

from __future__ import annotations

import attrs
from attrs import field, frozen
from pyrsistent import PMap, pmap

from model import arith
from model.escrow import (
    EscrowBook,
    process_lock_round_payment,
    process_usage_payment,
    process_validation_payment,
)
from model.ledger import (
    EMPTY,
    NODE_STAKE_POOL,
    Ledger,
    Token,
    is_user_account,
    process_burn,
    process_transfer,
)
from model.params import Params
from model.profile import Profile
from model.reputation import (
    ReputationState,
    RoundParticipation,
    process_record_app_activity,
    process_record_app_complaint,
    process_record_round,
)
from model.slashing import SlashingState, process_slash_offender
from model.trusted.round import Phase, RoundState
from model.units import (
    AccountId,
    NodeId,
    Outcome,
    Rejected,
    Seconds,
    UsdMicro,
    UStr,
)


@frozen
class NodeStake:
    """A node's payout account and the STR it keeps staked in NODE_STAKE_POOL (§6.9)."""

    account: AccountId
    ustr: UStr


def _no_nodes() -> PMap[NodeId, NodeStake]:
    return pmap()


@frozen
class TrustedChain:
    """The chain state a Trusted Function round reads and writes."""

    ledger: Ledger
    escrows: EscrowBook = field(factory=EscrowBook)
    nodes: PMap[NodeId, NodeStake] = field(factory=_no_nodes)
    slashing: SlashingState = field(factory=SlashingState)
    reputation: ReputationState = field(factory=ReputationState)


@frozen(order=True)
class TokenMovement:
    """One account's net change in one token over a settlement."""

    account: str
    token: str
    delta: int


@frozen(order=True)
class NodeSlash:
    """§3.3 F11: a node slashed for a reveal that does not open its commit."""

    node: NodeId
    rate_bps: int
    requested_ustr: UStr
    burned_ustr: UStr


@frozen
class RoundOutcome:
    """Everything a round decided and moved, and when; equal records mean equal rounds."""

    round_id: int
    app: str
    profile: str
    assigned: tuple[NodeId, ...]
    committed: tuple[NodeId, ...]
    revealed: tuple[NodeId, ...]
    abstained: tuple[NodeId, ...]
    """Nodes that complained about their app salt and did not serve (§3.5.2)."""
    consensus: bool
    agreed_output_hash: str | None
    paid: tuple[NodeId, ...]
    slashed: tuple[NodeSlash, ...]
    app_complaints: tuple[NodeId, ...]
    """Nodes the app complained about after verifying their outputs (F9)."""
    cost: UsdMicro
    escrow_locked: tuple[NodeId, ...]
    """Nodes whose payment was locked in escrow after consensus FALSE (F12)."""
    movements: tuple[TokenMovement, ...]
    commit_closed_at: Seconds | None
    """§3.2 F5: when the commit phase closed (every participant committed, or just past the
    commit timeout); the app reveals its salts then (F6) and the reveal timeout runs from it."""
    reveal_times: tuple[tuple[NodeId, Seconds], ...]
    """§3.2 F7: (node, time) of every reveal recorded on-chain, by node."""
    decided_at: Seconds
    """§3.3 F10: when the validators decided, or (§3.2 F6, hardened) when the app's salt deadline
    expired the round; its slashes (F11, §6.10) and its settlement (F12) take this time."""
    app_withheld_salts: bool = False
    """The app never revealed its salts (F6); the round expired with its nodes' payment locked."""


def process_register_node(
    chain: TrustedChain, *, node: NodeId, account: AccountId, stake: UStr
) -> Outcome[TrustedChain]:
    """§4.3.1, §6.9: a node joins with a payout account and stakes STR from it."""
    rule = "process_register_node"
    # Verify the node is new and pays into an ordinary account.
    if node in chain.nodes:
        return Rejected(rule, f"{node} is already registered")
    if not is_user_account(account):
        return Rejected(rule, f"{account} is a module or escrow account")
    moved = process_transfer(
        chain.ledger, sender=account, recipient=NODE_STAKE_POOL, token=Token.STR, amount=stake
    )
    if isinstance(moved, Rejected):
        return Rejected(rule, moved.reason)
    return attrs.evolve(chain, ledger=moved, nodes=chain.nodes.set(node, NodeStake(account, stake)))


def process_slash_node(
    chain: TrustedChain, *, node: NodeId, now: Seconds, params: Params, profile: Profile
) -> Outcome[tuple[TrustedChain, NodeSlash]]:
    """§3.3 F11, §6.10: slash a node's stake at its schedule rate; burn what the stake covers."""
    rule = "process_slash_node"
    stake = chain.nodes.get(node)
    if stake is None:
        return Rejected(rule, f"{node} is not registered")
    slashed = process_slash_offender(
        chain.slashing, offender=f"node:{node}", now=now, params=params, profile=profile
    )
    if isinstance(slashed, Rejected):
        return slashed
    slashing, rate = slashed
    # The literal schedule can ask for more than the stake; only what exists is burned.
    loss = arith.slash_bond(arith.INTS, stake.ustr, rate)
    requested, burned = loss.requested, loss.burned
    ledger = process_burn(chain.ledger, holder=NODE_STAKE_POOL, amount=burned)
    if isinstance(ledger, Rejected):
        return Rejected(rule, ledger.reason)
    nodes = chain.nodes.set(node, attrs.evolve(stake, ustr=stake.ustr - burned))
    record = NodeSlash(node=node, rate_bps=rate, requested_ustr=requested, burned_ustr=burned)
    return attrs.evolve(chain, ledger=ledger, slashing=slashing, nodes=nodes), record


def compute_movements(before: Ledger, after: Ledger) -> tuple[TokenMovement, ...]:
    """Every account's net change in each token between two ledgers, sorted."""
    movements = []
    # Plain dicts of both ledgers' balances: one pass over each PMap, then cheap look-ups.
    old_balances, new_balances = dict(before.balances.items()), dict(after.balances.items())
    for account in old_balances.keys() | new_balances.keys():
        old, new = old_balances.get(account, EMPTY), new_balances.get(account, EMPTY)
        # An untouched balance is the same object in both ledgers (they share structure): it
        # moved nothing, and most of a ledger's accounts are untouched by one settlement.
        if old is new:
            continue
        for token in _TOKENS:
            delta = new.of(token) - old.of(token)
            if delta:
                movements.append(TokenMovement(str(account), token.value, delta))
    # The key is attrs' own order (the fields as a tuple), without building two tuples per
    # comparison in the generated __lt__.
    return tuple(sorted(movements, key=lambda m: (m.account, m.token, m.delta)))


_TOKENS = tuple(Token)


def get_participation(state: RoundState, node: NodeId) -> RoundParticipation | None:
    """§3.4: a node's track-record entry for a decided round (None: no entry)."""
    decision = state.decision
    assert decision is not None
    if node in state.abstentions:
        return None  # the app wronged the node; the app's record carries it
    if decision.app_withheld_salts and node in state.commits:
        return None  # the app stalled the round before the node could reveal
    if node in decision.supermajority:
        return RoundParticipation.MAJORITY
    if node in decision.counted or node in decision.mismatched:
        return (
            RoundParticipation.MINORITY
            if decision.consensus or node in decision.mismatched
            else None
        )
    return RoundParticipation.ABSENT


def _record_reputation(chain: TrustedChain, state: RoundState, now: Seconds) -> TrustedChain:
    # §4.5: a settled round is active use of its app (from its first such round on).
    reputation = process_record_app_activity(chain.reputation, app=state.app, now=now)
    for node in state.assigned:
        participation = get_participation(state, node)
        if participation is not None:
            reputation = process_record_round(
                reputation, node=node, app=state.app, outcome=participation
            )
    for _ in sorted(state.abstentions):
        reputation = process_record_app_complaint(reputation, app=state.app)
    if state.decision is not None and state.decision.app_withheld_salts:
        reputation = process_record_app_complaint(reputation, app=state.app)
    return attrs.evolve(chain, reputation=reputation)


def process_settle_round(
    chain: TrustedChain,
    state: RoundState,
    *,
    cost: UsdMicro,
    now: Seconds,
    params: Params,
    profile: Profile,
    validators: tuple[AccountId, ...] = (),
    validation_prefund_ustr: UStr = 0,
) -> Outcome[tuple[TrustedChain, RoundOutcome]]:
    """§3.3 Steps 11-12: slash mismatches, pay the supermajority or lock in escrow, record reputation."""
    rule = "process_settle_round"
    decision = state.decision
    # Verify the validators decided (F10) and every node to pay is registered.
    if state.phase is not Phase.DECIDED or decision is None:
        return Rejected(rule, "a round settles after its decision (F10)")
    involved = set(decision.supermajority) | set(decision.counted) | set(decision.mismatched)
    if decision.app_withheld_salts:
        involved |= set(state.commits)
    unknown = sorted(involved - set(chain.nodes))
    if unknown:
        return Rejected(rule, f"{unknown[0]} is not a registered node")
    before = chain.ledger
    # Step 11: slash every node whose reveal provably does not open its commit.
    slashes: list[NodeSlash] = []
    for node in decision.mismatched:
        slashed = process_slash_node(chain, node=node, now=now, params=params, profile=profile)
        if isinstance(slashed, Rejected):
            return Rejected(rule, str(slashed))
        chain, record = slashed
        slashes.append(record)
    # Step 12: pay the supermajority group, or lock what the counted nodes would be owed; a
    # round the app stalled at F6 locks what every committed node would be owed.
    paid: tuple[NodeId, ...] = decision.supermajority if decision.consensus else ()
    to_lock = tuple(sorted(state.commits)) if decision.app_withheld_salts else decision.counted
    locked: tuple[NodeId, ...] = ()
    ledger, escrows = chain.ledger, chain.escrows
    if decision.consensus and cost > 0:
        for node in paid:
            payment = process_usage_payment(
                ledger,
                escrows,
                app=state.app,
                node_account=chain.nodes[node].account,
                cost=cost,
                params=params,
            )
            if isinstance(payment, Rejected):
                return Rejected(rule, str(payment))
            ledger = payment
    elif not decision.consensus and to_lock and cost > 0:
        locked = to_lock
        lock = process_lock_round_payment(
            ledger,
            escrows,
            app=state.app,
            round_id=state.round_id,
            node_accounts=tuple(chain.nodes[node].account for node in locked),
            cost=cost,
            params=params,
        )
        if isinstance(lock, Rejected):
            return Rejected(rule, str(lock))
        ledger, escrows = lock
    if validation_prefund_ustr > 0:
        validation = process_validation_payment(
            ledger,
            escrows,
            app=state.app,
            prefund_ustr=validation_prefund_ustr,
            subscribers=validators,
            seed=state.round_id.to_bytes(8, "big"),
            params=params,
        )
        if isinstance(validation, Rejected):
            return Rejected(rule, str(validation))
        ledger, escrows, _ = validation
    chain = _record_reputation(attrs.evolve(chain, ledger=ledger, escrows=escrows), state, now)
    outcome = RoundOutcome(
        round_id=state.round_id,
        app=str(state.app),
        profile=profile.name,
        assigned=state.assigned,
        committed=tuple(sorted(state.commits)),
        revealed=tuple(sorted(state.reveals)),
        abstained=tuple(sorted(state.abstentions)),
        consensus=decision.consensus,
        agreed_output_hash=decision.agreed_output_hash.hex()
        if decision.agreed_output_hash
        else None,
        paid=tuple(sorted(paid)),
        slashed=tuple(sorted(slashes)),
        app_complaints=tuple(sorted(state.app_complaints)),
        cost=cost,
        escrow_locked=tuple(sorted(locked)),
        movements=compute_movements(before, chain.ledger),
        commit_closed_at=state.commit_closed_at,
        reveal_times=tuple(sorted((node, r.revealed_at) for node, r in state.reveals.items())),
        decided_at=now,
        app_withheld_salts=decision.app_withheld_salts,
    )
    return chain, outcome
