"""Checks of the STR price between prepayment and payout, of prepayments sized by timeframes and of
rounds the escrow cannot pay (§4.3.1, §6.3, §6.3.3, §6.6).

PAY-USD values what a paid node received at the chain's market price when its round settled;
PAY-FUNDED holds that no node of a passed decision is left owed. The contracts of the price
report, the sized prepayment and the payment of owed node payments belong to ACT-ESCROW. Oracle
code: every amount is recomputed from the whitepaper's numbers and the raw state.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from fractions import Fraction

from model.chain.actions import MovePrice, PayOwed, PrepayTimeframes, RoundEffect, RunRound
from model.chain.state import ChainState
from model.escrow import AppEscrow
from model.ledger import BURN_ADDRESS, NETWORK_SUPPORT, SWAP_RESERVE, get_escrow_account
from model.trusted.settlement import RoundOutcome
from model.units import AccountId, AppId, NodeId
from oracle.ledger import balance
from oracle.payment import (
    PaymentSplit,
    StrPayout,
    bid_of,
    node_split,
    read_split,
    split_payment,
    str_payout,
    usd_to_ustr,
)
from properties.invariants.base import Observation, observe
from properties.invariants.contract_frame import (
    STB,
    STR,
    Expected,
    _frame,
    _is_positive,
    _ledger,
    _move,
    _others_unchanged,
    _verdict,
)
from properties.invariants.step import ChainStep

NO_STR = StrPayout(total=0, node=0, burn=0, network_support=0)

STR_PARTS = 3
"""§6.3.2: the STR margin has three parts (node, network support, burn); each conversion to
ustr rounds down by less than one ustr, and the node takes what the other two leave."""


# --- The price a payout converts STR at ----------------------------------------------------------


def payout_price(state: ChainState, escrow_price: Fraction | None) -> Fraction | None:
    """§6.3.3, §6.6: the price the chain pays STR at: "calculated at the time of prepayment
    deposit" (the escrow's deposit price), or, where the profile reprices at payout, the market
    price last reported (when one was)."""
    if state.profile.str_priced_at_payout and state.str_price is not None:
        return state.str_price
    return escrow_price


def payout_or_none(split: PaymentSplit, price: Fraction | None) -> StrPayout | None:
    """The STR side of `split` at `price`; None when STR is owed and no positive price exists."""
    if split.str_total_usd == 0:
        return NO_STR
    if not _is_positive(price):
        return None
    return str_payout(split, price)


def pay_split(
    expected: Expected,
    source: AccountId,
    account: AccountId,
    split: PaymentSplit,
    payout: StrPayout,
) -> None:
    """§6.3: `account` is paid `split` out of `source`: the node's STB and STR, the swap
    reserve's STB, network support's STR and the burn."""
    _move(expected, source, STB, -split.stb_total)
    _move(expected, source, STR, -payout.total)
    _move(expected, account, STB, split.node_stb)
    _move(expected, account, STR, payout.node)
    _move(expected, SWAP_RESERVE, STB, split.stb_swap_reserve)
    _move(expected, NETWORK_SUPPORT, STR, payout.network_support)
    _move(expected, BURN_ADDRESS, STR, payout.burn)


def split_paid_or_owed(
    held: tuple[int, int],
    payments: Sequence[tuple[AccountId, PaymentSplit, StrPayout | None]],
    *,
    owes_when_short: bool,
) -> tuple[list[AccountId], list[AccountId]]:
    """§4.3.1: which of the accounts of `payments` (each with its own split and STR payout, None
    when its STR has no price to be paid at), paid in order from an escrow holding `held`
    (ustb, ustr), are paid in full and which (the literal reading) are left owed because the
    escrow no longer holds a whole payment; without `owes_when_short` every account is to be
    paid."""
    if not owes_when_short:
        return [account for account, _, _ in payments], []
    ustb, ustr = held
    paid: list[AccountId] = []
    owed: list[AccountId] = []
    for account, split, payout in payments:
        if payout is not None and ustb >= split.stb_total and ustr >= payout.total:
            ustb, ustr = ustb - split.stb_total, ustr - payout.total
            paid.append(account)
        else:
            owed.append(account)
    return paid, owed


# --- PAY-USD -------------------------------------------------------------------------------------


def _round_effects(step: ChainStep) -> list[RoundEffect]:
    return [effect for effect in step.effects if isinstance(effect, RoundEffect)]


def _received(outcome: RoundOutcome, account: str) -> tuple[int, int]:
    got = {(m.account, m.token): m.delta for m in outcome.movements}
    return got.get((account, STB.value), 0), got.get((account, STR.value), 0)


def check_pay_usd(step: ChainStep) -> Observation | None:
    """PAY-USD (§6.3, §6.3.2, §6.6): valued at the chain's STR price when its round settles, a
    paid node receives its cost basis and STB profit in STB, and STR worth its STR profit share
    of T, less the conversion dust (under one ustr for each of the three STR parts)."""
    before = step.before
    if before is None or not isinstance(step.action, RunRound):
        return None
    market = before.str_price
    problems: list[str] = []
    seen = False
    for effect in _round_effects(step):
        outcome = effect.outcome
        if outcome is None or not outcome.paid or outcome.cost <= 0 or not _is_positive(market):
            continue
        seen = True
        for node in outcome.paid:
            stake = effect.before.nodes.get(node)
            if stake is None:
                problems.append(f"paid node {node} is not registered")
                continue
            # §4.4, §6.3.2: the node is owed at its own bid (the network's split without one).
            margin = bid_of(before.market, AppId(outcome.app), node)
            split = node_split(outcome.cost, effect.params, margin)
            # The ustr worth the node's STR share at the market price, rounded down once.
            least = usd_to_ustr(split.str_node_profit_usd, market)
            most = least + STR_PARTS - 1
            ustb, ustr = _received(outcome, str(stake.account))
            if ustb != split.node_stb or not least <= ustr <= most:
                worth = Fraction(ustr) * market
                problems.append(
                    f"round {outcome.round_id}: {node} received {ustb} ustb and {ustr} ustr (worth"
                    f" {float(worth) / 1e6:.6f} USD at {market} USD/STR); §6.3 owes it"
                    f" {split.node_stb} ustb and STR worth {split.str_node_profit_usd} micro-USD"
                    f" ({least}..{most} ustr)"
                )
    if not seen:
        return None
    return observe("PAY-USD", not problems, "; ".join(problems))


# --- PAY-FUNDED ----------------------------------------------------------------------------------


def passed_group(effect: RoundEffect) -> set[NodeId]:
    """§3.3 F11-F12: the nodes the round's passed decision pays: the F10 supermajority when the
    validators passed F10's own TRUE with their block (or none were modelled), and every node
    the settlement named as paid or owed."""
    outcome = effect.outcome
    assert outcome is not None
    decision = effect.run.state.decision
    group = set(outcome.paid) | set(outcome.owed)
    if decision is None or not decision.consensus or decision.agreed_output_hash is None:
        return group
    truth = "TRUE:" + decision.agreed_output_hash.hex()
    passed = outcome.beacon_seed is None or (
        outcome.block_passed and outcome.decision_passed == truth
    )
    return group | set(decision.supermajority) if passed else group


def _owed_books(state: ChainState) -> list[str]:
    return [
        f"{app} owes {len(book.owed)} node payments"
        for app, book in sorted(state.escrows.escrows.items())
        if book.owed
    ]


def check_pay_funded(step: ChainStep) -> Observation | None:
    """PAY-FUNDED (§4.3.1, §3.3 F12): every node of a passed supermajority is paid in full when
    its round settles (its cost basis and STB profit reach it), and no escrow owes a node."""
    problems: list[str] = []
    seen = False
    for effect in _round_effects(step):
        outcome = effect.outcome
        if outcome is None or outcome.cost <= 0:
            continue
        group = passed_group(effect)
        if not group:
            continue
        seen = True
        for node in sorted(group):
            margin = bid_of(step.before.market, AppId(outcome.app), node) if step.before else None
            split = node_split(outcome.cost, effect.params, margin)
            stake = effect.before.nodes.get(node)
            account = str(stake.account) if stake is not None else f"unregistered {node}"
            ustb, _ = _received(outcome, account)
            if ustb < split.node_stb:
                problems.append(
                    f"round {outcome.round_id}: {node} of the passed group received {ustb} ustb,"
                    f" its payment is {split.node_stb} ustb and STR worth"
                    f" {split.str_node_profit_usd} micro-USD"
                )
    owing = _owed_books(step.after)
    if owing:
        seen = True
        problems.extend(owing)
    if not seen:
        return None
    return observe("PAY-FUNDED", not problems, "; ".join(problems))


# --- ACT-ESCROW: the price report, sized prepayments, owed payments ------------------------------


def check_move_price_contract(step: ChainStep, action: MovePrice) -> list[Observation]:
    """ACT-ESCROW (§6.6): a market price report sets the chain's STR price to the reported
    positive price and changes nothing else."""
    before, after = step.before, step.after
    assert before is not None
    problems = _frame(before, after, "str_price")
    if not _is_positive(action.price):
        problems.append(f"the price {action.price!r} is not positive, yet it was reported")
    if after.str_price != action.price:
        problems.append(f"the chain's price is {after.str_price}, the report said {action.price}")
    return [observe("ACT-ESCROW", *_verdict(problems))]


def _averaged(escrow: AppEscrow, held_ustr: int, ustr: int, price: Fraction | None) -> object:
    """§6.3.3: the held STR's deposit price after `ustr` more arrive at `price`."""
    if ustr <= 0 or not _is_positive(price):
        return escrow.str_price
    old = escrow.str_price
    if held_ustr == 0 or old is None:
        return price
    return (held_ustr * old + ustr * price) / Fraction(held_ustr + ustr)


def check_prepay_timeframes_contract(
    step: ChainStep, action: PrepayTimeframes
) -> list[Observation]:
    """ACT-ESCROW (§4.3.1, §6.3, §6.3.3): a prepayment for `timeframes` rounds of `nodes` nodes
    at `cost_per_node` moves from the developer into the app's escrow exactly the sum of the
    fees of the chosen nodes per timeframe times the timeframes: each node's STB and its STR
    margin at the chain's market price."""
    before, after = step.before, step.after
    assert before is not None
    problems = _frame(before, after, "ledger", "escrows")
    escrow = before.escrows.escrows.get(action.app)
    if escrow is None:
        return [observe("ACT-ESCROW", *_verdict([*problems, f"app {action.app} has no escrow"]))]
    if action.payer != escrow.developer:
        problems.append(f"{action.payer} prepaid, not the developer {escrow.developer}")
    counts = (action.cost_per_node, action.nodes, action.timeframes)
    if any(isinstance(n, bool) or not isinstance(n, int) or n < 0 for n in counts):
        problems.append(f"the sizes {counts} are not whole non-negative numbers")
        return [observe("ACT-ESCROW", *_verdict(problems))]
    split = split_payment(action.cost_per_node, before.params)
    if min(split.parts) < 0:
        problems.append(f"the split {split.parts} has a negative part, yet it was prepaid")
    payout = payout_or_none(split, before.str_price)
    if payout is None:
        problems.append("STR was prepaid without a positive market price")
        payout = NO_STR
    rounds = action.nodes * action.timeframes
    ustb, ustr = rounds * split.stb_total, rounds * payout.total
    account = get_escrow_account(action.app)
    expected: Expected = {}
    _move(expected, action.payer, STB, -ustb)
    _move(expected, action.payer, STR, -ustr)
    _move(expected, account, STB, ustb)
    _move(expected, account, STR, ustr)
    problems += _ledger(before.ledger, after.ledger, expected)
    want = _averaged(escrow, balance(before.ledger, account).ustr, ustr, before.str_price)
    escrow_after = after.escrows.escrows.get(action.app)
    if escrow_after is None or escrow_after.str_price != want:
        problems.append(f"the escrow's price after is {escrow_after!r}, expected {want}")
    elif (escrow_after.locked, escrow_after.owed) != (escrow.locked, escrow.owed):
        problems.append("the prepayment changed the escrow's locked or owed payments")
    problems += _others_unchanged(
        before.escrows.escrows, after.escrows.escrows, action.app, "escrows"
    )
    return [observe("ACT-ESCROW", *_verdict(problems))]


def check_pay_owed_contract(step: ChainStep, action: PayOwed) -> list[Observation]:
    """ACT-ESCROW (§4.3.1, §6.3): the escrow pays what it owes its nodes oldest first, each
    payment in full at the payout price, stopping at the first it cannot pay; at least one."""
    before, after = step.before, step.after
    assert before is not None
    problems = _frame(before, after, "ledger", "escrows")
    escrow = before.escrows.escrows.get(action.app)
    if escrow is None or not escrow.owed:
        return [observe("ACT-ESCROW", *_verdict([*problems, f"{action.app} owed nothing"]))]
    price = payout_price(before, escrow.str_price)
    account = get_escrow_account(action.app)
    held = balance(before.ledger, account)
    ustb, ustr = held.ustb, held.ustr
    expected: Expected = {}
    paid = 0
    for entry in escrow.owed:
        split = read_split(entry.split)
        payout = payout_or_none(split, price)
        if payout is None or ustb < split.stb_total or ustr < payout.total:
            break
        ustb, ustr = ustb - split.stb_total, ustr - payout.total
        pay_split(expected, account, entry.node_account, split, payout)
        paid += 1
    if paid == 0:
        problems.append("the escrow could not pay its oldest owed payment, yet it paid")
    problems += _ledger(before.ledger, after.ledger, expected)
    escrow_after = after.escrows.escrows.get(action.app)
    if escrow_after is None or escrow_after.owed != escrow.owed[paid:]:
        problems.append(f"{paid} owed payments were paid, the book after is {escrow_after!r}")
    elif (escrow_after.locked, escrow_after.str_price) != (escrow.locked, escrow.str_price):
        problems.append("paying owed payments changed the escrow's locks or price")
    problems += _others_unchanged(
        before.escrows.escrows, after.escrows.escrows, action.app, "escrows"
    )
    return [observe("ACT-ESCROW", *_verdict(problems))]


def owed_entries(
    before: AppEscrow, after: AppEscrow, round_id: int, accounts: Iterable[AccountId]
) -> list[str]:
    """§4.3.1 (literal): a round appends one owed entry per unpaid node of its passed group,
    in order, and leaves the older entries as they were."""
    added = after.owed[len(before.owed) :]
    want = [(round_id, account) for account in accounts]
    got = [(entry.round_id, entry.node_account) for entry in added]
    if after.owed[: len(before.owed)] != before.owed or got != want:
        return [f"the round recorded owed payments {got}, expected {want}"]
    return []


# --- Boundaries (`properties.edges`) -------------------------------------------------------------

PRICE_EDGES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    (
        "price.moved",
        ("PAY-USD",),
        "a round paid while the market price differs from its escrow's deposit price",
    ),
    (
        "round-funding.short",
        ("PAY-FUNDED",),
        "a round asked of an escrow that holds less than its whole payment",
    ),
    (
        "round-funding.exact",
        ("PAY-FUNDED",),
        "a round asked of an escrow that holds exactly its whole payment in STB or in STR",
    ),
)
"""(name, invariants, meaning) of the boundaries of the price and the escrow's funding."""


def _funding_edge(before: ChainState, action: RunRound) -> str | None:
    """§4.3.1, §4.4: whether the escrow holds less than, or exactly, every assigned node's
    payment at the payout price and the validation prefund."""
    escrow = before.escrows.escrows.get(action.app)
    if escrow is None or action.cost <= 0:
        return None
    split = split_payment(action.cost, before.params)
    payout = payout_or_none(split, payout_price(before, escrow.str_price))
    if payout is None or min(split.parts) < 0:
        return None
    nodes = len({plan.node for plan in action.plans})
    need_stb = nodes * split.stb_total
    need_str = nodes * payout.total + action.validation_prefund_ustr
    held = balance(before.ledger, get_escrow_account(action.app))
    if held.ustb < need_stb or held.ustr < need_str:
        return "round-funding.short"
    if held.ustb == need_stb or held.ustr == need_str:
        return "round-funding.exact"
    return None


def get_price_edges(
    before: ChainState, action: object, effects: tuple[object, ...]
) -> Iterator[str]:
    """The boundaries of the price and the escrow's funding a step reaches (`effects` empty:
    refused)."""
    if not isinstance(action, RunRound):
        return
    edge = _funding_edge(before, action)
    if edge is not None:
        yield edge
    escrow = before.escrows.escrows.get(action.app)
    market = before.str_price
    for effect in effects:
        if (
            isinstance(effect, RoundEffect)
            and effect.outcome is not None
            and effect.outcome.paid
            and effect.outcome.cost > 0
            and escrow is not None
            and market is not None
            and escrow.str_price != market
        ):
            yield "price.moved"
