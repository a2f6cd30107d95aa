"""Settling a decided round, Steps 11 and 12 of §3.3, over the slice of chain state it touches.

F11: only the supermajority group is paid, and a node whose reveal provably does not open its
commit is slashed (on the §6.10 schedule, from its node stake). F12: once the app's validators
pass consensus TRUE and its block (`model.trusted.validation`), the paid nodes receive the §6.3
split from the app's own escrow; on FALSE, or without a validator supermajority (recourse),
their payment is locked in escrow until the validators resolve it. A round the app stalled by withholding its salts (F6, expired under the
hardened profile) locks the committed nodes' payment and marks the app, not the nodes. The
result is one `RoundOutcome`, complete enough for the executor to produce the same record from
real processes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attrs import field, frozen
from pyrsistent import PMap

from model import arith
from model.escrow import (
    EscrowBook,
    get_node_split,
    is_payment_covered,
    process_lock_round_payment,
    process_record_owed,
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
from model.maps import dmap
from model.params import Params
from model.payment import check_split_nonnegative
from model.price import get_payout_price
from model.profile import Profile
from model.records import evolve
from model.reputation import (
    ReputationState,
    RoundParticipation,
    process_record_app_activity,
    process_record_app_complaint,
    process_record_round,
)
from model.slashing import SlashingState, process_slash_offender
from model.trusted.round import Phase, RoundState
from model.trusted.validation import AppValidation, encode_value, get_value_hash
from model.units import (
    AccountId,
    NodeId,
    Outcome,
    Rejected,
    Seconds,
    StrPrice,
    UsdMicro,
    UStr,
)


@frozen
class NodeStake:
    """A node's payout account and the STR it keeps staked in NODE_STAKE_POOL (§6.9)."""

    account: AccountId
    ustr: UStr


def _no_nodes() -> PMap[NodeId, NodeStake]:
    return dmap()


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
    validators: tuple[str, ...] = ()
    """§3.3, §4.3.2: the app's committee of validators for the round, in the beacon's ranking
    order (empty: settled without modelling the validators)."""
    beacon_seed: str | None = None
    """§4.4: hex of the beacon seed the committee was drawn with."""
    beacon_withheld: tuple[str, ...] = ()
    """Eligible validators that committed to the beacon and never revealed their secret."""
    decision_votes: tuple[tuple[str, str], ...] = ()
    """§3.3 Step 10: (validator, `TRUE:<hex>` or `FALSE`), every vote cast, sorted."""
    decision_passed: str | None = None
    """The value more than 2/3 of the committee voted, or None."""
    proposer: str | None = None
    """§3.3 Step 12 item 1: the committee member that proposed the block (the first ranked)."""
    block_votes: tuple[tuple[str, bool], ...] = ()
    """§3.3 Step 12 item 3: (validator, approve), every vote on the proposed block, sorted."""
    block_passed: bool = False
    """§3.3 Step 12 item 4: more than 2/3 of the committee approved the block."""
    equivocators: tuple[str, ...] = ()
    """Committee members that cast two conflicting votes (evidence; neither counted)."""
    owed: tuple[NodeId, ...] = ()
    """§4.3.1 (literal reading): nodes of the paid group the escrow could not pay; each is owed
    its payment in the app's escrow book (`model.escrow.OwedPayment`)."""


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
    return evolve(chain, ledger=moved, nodes=chain.nodes.set(node, NodeStake(account, stake)))


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
    nodes = chain.nodes.set(node, evolve(stake, ustr=stake.ustr - burned))
    record = NodeSlash(node=node, rate_bps=rate, requested_ustr=requested, burned_ustr=burned)
    return evolve(chain, ledger=ledger, slashing=slashing, nodes=nodes), record


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
        # Each token's change, in the order of `Token` (`Balance.of`, read field by field).
        for token, delta in ((_STR, new.ustr - old.ustr), (_STB, new.ustb - old.ustb)):
            if delta:
                movements.append(TokenMovement(str(account), token, delta))
    # The key is attrs' own order (the fields as a tuple), without building two tuples per
    # comparison in the generated __lt__.
    return tuple(sorted(movements, key=lambda m: (m.account, m.token, m.delta)))


_STR, _STB = Token.STR.value, Token.STB.value


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
    return evolve(chain, reputation=reputation)


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
    validation: AppValidation | None = None,
    str_price: StrPrice | None = None,
    str_margins: Mapping[NodeId, int] | None = None,
) -> Outcome[tuple[TrustedChain, RoundOutcome]]:
    """§3.3 Steps 11-12: slash mismatches; pay the group of the decision the app's validators
    passed, block included, or lock the payment in escrow (FALSE, or no validator
    supermajority: recourse); record reputation. Without `validation` the F10 decision applies
    as honest validators would pass it. `str_price` is the chain's market price (§6.6), which
    the `str_priced_at_payout` reading pays STR at; `str_margins` the nodes' STR margin bids
    (bps of cost, §6.3.2; a node left out takes the network's margin)."""
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
    # Step 12: pay the group of the decision the validators passed, or lock the payment.
    step12 = _pay_or_lock(
        chain,
        state,
        cost=cost,
        params=params,
        validation=validation,
        profile=profile,
        market_price=str_price,
        str_margins=str_margins or {},
    )
    if isinstance(step12, Rejected):
        return Rejected(rule, step12.reason)
    ledger, escrows, paid, locked, owed = step12
    # §4.4: the subscribers are the validators that offer for the round (the chain passes the
    # accounts of the app's committee).
    if validation_prefund_ustr > 0:
        # The draw on oversubscription: the round's beacon seed, which no single validator
        # controls, or (literally) the public round id.
        seed = (
            validation.committee.seed
            if profile.validation_draw_by_beacon and validation is not None
            else state.round_id.to_bytes(8, "big")
        )
        prefunded = process_validation_payment(
            ledger,
            escrows,
            app=state.app,
            prefund_ustr=validation_prefund_ustr,
            subscribers=validators,
            seed=seed,
            params=params,
        )
        if isinstance(prefunded, Rejected):
            return Rejected(rule, str(prefunded))
        ledger, escrows, _ = prefunded
    chain = _record_reputation(evolve(chain, ledger=ledger, escrows=escrows), state, now)
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
        owed=owed,
        movements=compute_movements(before, chain.ledger),
        commit_closed_at=state.commit_closed_at,
        reveal_times=tuple(sorted((node, r.revealed_at) for node, r in state.reveals.items())),
        decided_at=now,
        app_withheld_salts=decision.app_withheld_salts,
        **({} if validation is None else _get_validation_record(validation)),
    )
    return chain, outcome


def _pay_or_lock(
    chain: TrustedChain,
    state: RoundState,
    *,
    cost: UsdMicro,
    params: Params,
    validation: AppValidation | None,
    profile: Profile,
    market_price: StrPrice | None,
    str_margins: Mapping[NodeId, int],
) -> Outcome[tuple[Ledger, EscrowBook, tuple[NodeId, ...], tuple[NodeId, ...], tuple[NodeId, ...]]]:
    """§3.3 Step 12: with the validators' block passed on `TRUE:h`, pay the counted nodes that
    revealed h; otherwise (FALSE, or recourse: no validator supermajority) lock what the counted
    nodes would be owed, each at its own bid; a round the app stalled at F6 locks what every
    committed node would be owed. The lock keeps the committee and the reveals, for the
    resolution's vote. STR is paid at the payout price (§6.3.3, §6.6); under the literal
    §4.3.1 a node the escrow cannot pay in full is owed its payment instead (paid, locked and
    owed nodes are returned)."""
    rule = "process_settle_round"
    decision = state.decision
    assert decision is not None
    truth = encode_value(decision.consensus, decision.agreed_output_hash)
    applied = validation.applied_value if validation is not None else truth
    paid_hash = get_value_hash(applied) if applied is not None else None
    # The validators passed F10's own decision (always, with honest ones): its supermajority.
    group: tuple[NodeId, ...] = (
        decision.supermajority
        if applied == truth
        else tuple(n for n in decision.counted if state.reveals[n].output_hash == paid_hash)
    )
    to_lock = tuple(sorted(state.commits)) if decision.app_withheld_salts else decision.counted
    locked: tuple[NodeId, ...] = ()
    ledger, escrows = chain.ledger, chain.escrows
    escrow = escrows.escrows.get(state.app)
    price = get_payout_price(
        escrow.str_price if escrow is not None else None, market_price, profile
    )
    if paid_hash is None or cost == 0:
        paid: tuple[NodeId, ...] = group if paid_hash is not None else ()
        owed: tuple[NodeId, ...] = ()
    else:
        paying = _pay_group(
            ledger,
            escrows,
            state,
            group,
            chain=chain,
            cost=cost,
            params=params,
            price=price,
            profile=profile,
            str_margins=str_margins,
        )
        if isinstance(paying, Rejected):
            return Rejected(rule, paying.reason)
        ledger, escrows, paid, owed = paying
    if paid_hash is None and to_lock and cost > 0:
        locked = to_lock
        lock = process_lock_round_payment(
            ledger,
            escrows,
            app=state.app,
            round_id=state.round_id,
            node_accounts=tuple(chain.nodes[node].account for node in locked),
            cost=cost,
            params=params,
            validators=validation.committee.selected if validation is not None else (),
            output_hashes=tuple(
                state.reveals[node].output_hash if node in decision.counted else None
                for node in locked
            ),
            agreed_output_hash=decision.agreed_output_hash if decision.consensus else None,
            threshold_base=decision.base,
            at_price=price,
            str_margins=tuple(str_margins.get(node) for node in locked),
        )
        if isinstance(lock, Rejected):
            return Rejected(rule, str(lock))
        ledger, escrows = lock
    return ledger, escrows, paid, locked, owed


def _pay_group(
    ledger: Ledger,
    escrows: EscrowBook,
    state: RoundState,
    group: tuple[NodeId, ...],
    *,
    chain: TrustedChain,
    cost: UsdMicro,
    params: Params,
    price: StrPrice | None,
    profile: Profile,
    str_margins: Mapping[NodeId, int],
) -> Outcome[tuple[Ledger, EscrowBook, tuple[NodeId, ...], tuple[NodeId, ...]]]:
    """§3.3 Step 12, §6.3: pay each node of the group its split from the app's escrow, its STR
    at `price`; under the literal §4.3.1 (`rounds_need_escrowed_payment` off) a node the escrow
    cannot pay in full is owed its payment instead (the paid and the owed nodes are returned)."""
    rule = "process_settle_round"
    paid: list[NodeId] = []
    owed: list[NodeId] = []
    for node in group:
        account = chain.nodes[node].account
        margin = str_margins.get(node)
        # The node's split is read here only when the round ran without its payment escrowed.
        split = (
            None if profile.rounds_need_escrowed_payment else get_node_split(cost, params, margin)
        )
        if (
            split is not None
            and check_split_nonnegative(split, rule=rule) is None
            and not is_payment_covered(ledger, state.app, split, price)
        ):
            # §4.3.1 read literally: the round ran; what the escrow cannot pay is owed.
            recorded = process_record_owed(
                escrows, app=state.app, round_id=state.round_id, node_account=account, split=split
            )
            if isinstance(recorded, Rejected):
                return Rejected(rule, str(recorded))
            escrows = recorded
            owed.append(node)
            continue
        payment = process_usage_payment(
            ledger,
            escrows,
            app=state.app,
            node_account=account,
            cost=cost,
            params=params,
            at_price=price,
            str_margin_bps=margin,
        )
        if isinstance(payment, Rejected):
            return Rejected(rule, str(payment))
        ledger = payment
        paid.append(node)
    return ledger, escrows, tuple(paid), tuple(owed)


def _get_validation_record(validation: AppValidation) -> dict[str, Any]:
    """The fields of the round's record that say what the app's validators did (§3.3 Steps 10
    and 12)."""
    committee = validation.committee
    return dict(
        validators=tuple(str(v) for v in committee.selected),
        beacon_seed=committee.seed.hex(),
        beacon_withheld=tuple(str(v) for v in committee.withheld),
        decision_votes=tuple((str(v), value) for v, value in validation.decision_votes),
        decision_passed=validation.decision_passed,
        proposer=str(validation.proposer) if validation.proposer is not None else None,
        block_votes=tuple((str(v), approve) for v, approve in validation.block_votes),
        block_passed=validation.block_passed,
        equivocators=tuple(str(v) for v in validation.equivocators),
    )
