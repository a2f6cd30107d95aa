"""The executor's validators: check reveals, decide, slash, pay or lock, on books of their own.

Written from the whitepaper apart from `model.trusted`, so that the two must agree for GROUNDED
to pass. Hashes are recomputed with `executor.wire`. Amounts come from the economic formulas the
solver proves (`model.payment` split and STR conversion, `model.slashing` rate, `model.arith`
bond loss); the bookkeeping, who is paid, slashed, locked or complained about, is the
executor's own. The result is the model's `RoundOutcome` record, filled from what was observed.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from attrs import frozen

from executor import wire
from executor.round import RoundLog
from executor.scenario import STR_PRICE, get_node_account
from model import arith
from model.ledger import (
    BURN_ADDRESS,
    NETWORK_SUPPORT,
    NODE_STAKE_POOL,
    SWAP_RESERVE,
    Token,
    get_escrow_account,
    get_locked_escrow_account,
)
from model.params import Params
from model.payment import compute_payment_split, compute_str_payout
from model.profile import Profile
from model.slashing import compute_slash_rate_bps
from model.trusted.settlement import NodeSlash, RoundOutcome, TokenMovement
from model.units import AppId, NodeId

STB, STR = Token.STB.value, Token.STR.value


class SettlementRefusedError(Exception):
    """Raised when a round cannot be settled: a part of the payment split is negative."""


@frozen
class Decision:
    """F10-F11 as the executor's validators reach them."""

    consensus: bool
    agreed_output_hash: bytes | None
    supermajority: tuple[str, ...]
    counted: tuple[str, ...]
    mismatched: tuple[str, ...]


def opens_commit(log: RoundLog, node: str, *, profile: Profile, algorithm: str) -> bool | None:
    """F9/F11: True if the reveal provably opens the commit, False if provably not, None if the
    reveal cannot tell (the literal F7 reveals only h(S_N))."""
    reveal = log.reveals[node]
    if reveal.app_salt_hash != log.app_salt_hashes[node]:
        return False
    if profile.reveal_contents.value == "node-salt-hash":
        return None if reveal.node_salt == log.salt_hashes[node] else False
    if wire.digest(reveal.node_salt, algorithm) != log.salt_hashes[node]:
        return False
    recomputed = wire.commitment(
        node=node,
        app_salt=log.app_salts[node],
        node_salt=reveal.node_salt,
        output_hash=reveal.output_hash,
        encoding=profile.composite_encoding.value,
        algorithm=algorithm,
    )
    return recomputed == log.commits[node]


def complain_about(log: RoundLog, *, profile: Profile, algorithm: str) -> tuple[str, ...]:
    """F9: the app complains about each node whose output disagrees with its reveal or commit."""
    complaints = []
    for node, reveal in log.reveals.items():
        output = log.outputs.get(node)
        if output is None:
            continue
        if (
            wire.digest(output, algorithm) != reveal.output_hash
            or opens_commit(log, node, profile=profile, algorithm=algorithm) is False
        ):
            complaints.append(node)
    return tuple(sorted(complaints))


def decide(log: RoundLog, *, params: Params, profile: Profile, algorithm: str) -> Decision:
    """F10: TRUE iff one output hash is revealed by more than num/den of N counted nodes."""
    checks = {n: opens_commit(log, n, profile=profile, algorithm=algorithm) for n in log.reveals}
    counted = tuple(sorted(n for n, opened in checks.items() if opened is not False))
    mismatched = tuple(sorted(n for n, opened in checks.items() if opened is False))
    base = len(log.assigned) if profile.threshold_base.value == "assigned" else len(log.commits)
    votes = Counter(log.reveals[n].output_hash for n in counted)
    num, den = params.consensus.threshold_num, params.consensus.threshold_den
    passing = sorted(
        (h for h, agree in votes.items() if agree * den > num * base), key=lambda h: (-votes[h], h)
    )
    if not passing:
        return Decision(False, None, (), counted, mismatched)
    agreed = passing[0]
    group = tuple(n for n in counted if log.reveals[n].output_hash == agreed)
    return Decision(True, agreed, group, counted, mismatched)


class Books:
    """Net token movements of one settlement, and each node's stake and slash level."""

    def __init__(self, stakes: dict[str, int], levels: dict[str, int]) -> None:
        self.stakes = stakes
        self.levels = levels
        self.moves: defaultdict[tuple[str, str], int] = defaultdict(int)

    def move(self, source: str, target: str, token: str, amount: int) -> None:
        self.moves[(source, token)] -= amount
        self.moves[(target, token)] += amount

    def movements(self) -> tuple[TokenMovement, ...]:
        return tuple(
            sorted(TokenMovement(a, t, delta) for (a, t), delta in self.moves.items() if delta)
        )


def slash(books: Books, node: str, *, params: Params, profile: Profile) -> NodeSlash:
    """§6.10: the node's rate at its level in this window; the stake it has is burned."""
    level = books.levels.get(node, 0)
    rate = compute_slash_rate_bps(level, params, profile)
    books.levels[node] = level + 1
    loss = arith.slash_bond(arith.INTS, books.stakes[node], rate)
    books.stakes[node] -= loss.burned
    books.move(NODE_STAKE_POOL, BURN_ADDRESS, STR, loss.burned)
    return NodeSlash(NodeId(node), rate, loss.requested, loss.burned)


def pay_or_lock(
    books: Books, app: AppId, nodes: tuple[str, ...], *, cost: int, lock: bool, params: Params
) -> None:
    """§6.3, F12: pay each node its split from the app's escrow, or lock it all in escrow."""
    split = compute_payment_split(cost, params)
    if any(part < 0 for part in split.parts()):
        raise SettlementRefusedError(f"the payment split of {cost} has a negative part")
    payout = compute_str_payout(split, STR_PRICE)
    escrow = str(get_escrow_account(app))
    for node in nodes:
        if lock:
            locked = str(get_locked_escrow_account(app))
            books.move(escrow, locked, STB, split.stb_withdrawn)
            books.move(escrow, locked, STR, payout.total_ustr)
            continue
        account = str(get_node_account(NodeId(node)))
        books.move(escrow, account, STB, split.node_stb)
        books.move(escrow, str(SWAP_RESERVE), STB, split.stb_swap_reserve)
        books.move(escrow, account, STR, payout.node_ustr)
        books.move(escrow, str(NETWORK_SUPPORT), STR, payout.network_ustr)
        books.move(escrow, str(BURN_ADDRESS), STR, payout.burn_ustr)


def settle(
    log: RoundLog,
    books: Books,
    *,
    round_id: int,
    app: AppId,
    cost: int,
    params: Params,
    profile: Profile,
    algorithm: str,
) -> tuple[RoundOutcome, Decision]:
    """§3.3 Steps 9-12 on an observed round: complaints, decision, slashes, payment or lock."""
    if log.expired:
        decision = Decision(False, None, (), (), ())
        complaints: tuple[str, ...] = ()
    else:
        complaints = complain_about(log, profile=profile, algorithm=algorithm)
        decision = decide(log, params=params, profile=profile, algorithm=algorithm)
    slashes = [slash(books, n, params=params, profile=profile) for n in decision.mismatched]
    paid = decision.supermajority if decision.consensus else ()
    to_lock = tuple(sorted(log.commits)) if log.expired else decision.counted
    locked: tuple[str, ...] = ()
    if decision.consensus and cost > 0:
        pay_or_lock(books, app, paid, cost=cost, lock=False, params=params)
    elif not decision.consensus and to_lock and cost > 0:
        locked = to_lock
        pay_or_lock(books, app, locked, cost=cost, lock=True, params=params)
    outcome = RoundOutcome(
        round_id=round_id,
        app=str(app),
        profile=profile.name,
        assigned=tuple(NodeId(n) for n in log.assigned),
        committed=_ids(log.commits),
        revealed=_ids(log.reveals),
        abstained=_ids(log.abstained),
        consensus=decision.consensus,
        agreed_output_hash=None
        if decision.agreed_output_hash is None
        else decision.agreed_output_hash.hex(),
        paid=_ids(paid),
        slashed=tuple(sorted(slashes)),
        app_complaints=_ids(complaints),
        cost=cost,
        escrow_locked=_ids(locked),
        movements=books.movements(),
        app_withheld_salts=log.expired,
    )
    return outcome, decision


def _ids(nodes: object) -> tuple[NodeId, ...]:
    assert isinstance(nodes, (dict, set, frozenset, tuple, list))
    return tuple(sorted(NodeId(str(n)) for n in nodes))
