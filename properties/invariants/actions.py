"""Action contracts (ACT-*): each accepted action does what it says and nothing else.

For every kind of action the chain accepts, the contract names the accounts the whitepaper lets it
debit and credit and by how much (every other account and counter stays as it was), the records it
may touch (every other part of the chain state is the very same object), what may happen only once
(a bridge deposit id, a complaint's resolution, a tally, a locked payment, a round id, a
double-sign), which deadlines bound it, and what the action must have been refused for. Each
expectation is computed from the raw state before the step and the action, never by a model rule.
A refused action returns no state at all (`process_action` answers `Rejected`), so the chain keeps
the state it had; the contracts judge what the chain accepted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from fractions import Fraction
from typing import Any

import attrs
from pyrsistent import PMap, pmap

from model.chain.actions import (
    AddLiquidity,
    AdvanceTime,
    BidService,
    CastVote,
    ChooseNodes,
    CommitBlock,
    CompleteUnbonding,
    CreateSubcommittee,
    Delegate,
    DelegateToSubcommittee,
    DepositUsdc,
    DistributeRewards,
    Equivocate,
    FundInsurance,
    GrantNetworkSupport,
    LaunchService,
    MintInflation,
    MovePrice,
    OutboundRequest,
    PayInsurance,
    PayOwed,
    Prepay,
    PrepayTimeframes,
    RedeemStb,
    RemoveLiquidity,
    ReportDoubleSign,
    ReportDowntime,
    ResolveComplaint,
    ResolveLocked,
    RoundEffect,
    RunRound,
    SetAppProfile,
    SetAppValidatorCount,
    SlashNode,
    SlashValidator,
    SubmitComplaint,
    SubmitProposal,
    Swap,
    SwapReserve,
    Tally,
    Transfer,
    Undelegate,
    UndelegateFromSubcommittee,
    Unjail,
    UseService,
    WithdrawPrepayment,
)
from model.chain.state import ChainState
from model.constitution import Process
from model.escrow import EscrowBook
from model.governance import (
    NETWORK_SUPPORT_COMMITTEE,
    AmendmentPhase,
    ParamChange,
    Proposal,
    TallyResult,
    VoteOption,
)
from model.ledger import (
    BURN_ADDRESS,
    COMPLAINT_DEPOSITS,
    GOVERNANCE_DEPOSITS,
    INSURANCE_POOL,
    NETWORK_SUPPORT,
    NODE_STAKE_POOL,
    RESERVE_POOL,
    REWARDS_POOL,
    STRATOSWAP_POOL,
    SUBCOMMITTEE_POOL,
    SWAP_RESERVE,
    Ledger,
    get_escrow_account,
    get_locked_escrow_account,
)
from model.market import MarketState
from model.params import Params
from model.reputation import AppReputation, NodeReputation
from model.trusted.round import RoundState
from model.trusted.settlement import NodeStake, RoundOutcome
from model.units import AccountId, AppId, NodeId, ValidatorId
from oracle.commit import digest
from oracle.committees import COMPLAINT_NETWORK, INSURANCE_PAYOUTS, delegated_to, is_active
from oracle.effects import BalanceKey, get_active_operators, get_balance_changes, is_user_account
from oracle.governance import (
    AMENDMENT_PERIOD_SECONDS,
    TallyReading,
    proposal_process,
    read_tally,
    submission_problems,
)
from oracle.ledger import balance
from oracle.payment import (
    PaymentSplit,
    StrPayout,
    bid_of,
    node_split,
    read_locked,
    read_split,
    split_payment,
    validation_selected_count,
)
from oracle.reputation import ABSENT, MAJORITY, MINORITY, app_complaints_of_round, round_entries
from oracle.staking import (
    active_set,
)
from oracle.stratoswap import curve_payout
from oracle.supply import circulating_str, mint_bounds
from properties.invariants.app_validators import resolution_outcome
from properties.invariants.base import Observation, observe
from properties.invariants.contract_frame import (
    _NO_PAYOUT,
    STB,
    STR,
    Expected,
    _amount_problems,
    _counters,
    _frame,
    _governance,
    _is_positive,
    _ledger,
    _map_change,
    _move,
    _others_unchanged,
    _untouched,
    _verdict,
    check_once,
)
from properties.invariants.gov_safe import check_gov_safe
from properties.invariants.market import (
    check_add_liquidity_contract,
    check_remove_liquidity_contract,
    check_swap_contract,
)
from properties.invariants.price import (
    check_move_price_contract,
    check_pay_owed_contract,
    check_prepay_timeframes_contract,
    owed_entries,
    pay_split,
    payout_or_none,
    payout_price,
    split_paid_or_owed,
)
from properties.invariants.round import RoundView
from properties.invariants.services import (
    check_bid_contract,
    check_choice_contract,
    check_launch_contract,
    check_use_contract,
)
from properties.invariants.stake_contracts import (
    STAKING_RECORDS,
    check_block_commit_contract,
    check_bond_contract,
    check_downtime_contract,
    check_equivocation_contract,
    check_late_evidence_contract,
    check_rewards_contract,
    check_unbonding_completion_contract,
    check_unjail_contract,
    check_validator_slash_contract,
)
from properties.invariants.step import ChainStep, record_effects

ACT_IDS: tuple[str, ...] = (
    "ACT-BRIDGE",
    "ACT-TRANSFER",
    "ACT-ESCROW",
    "ACT-ROUND",
    "ACT-STAKING",
    "ACT-SLASH",
    "ACT-SUPPLY",
    "ACT-GRANT",
    "ACT-GOVERNANCE",
    "ACT-SUBCOMMITTEE",
    "ACT-COMPLAINT",
    "ACT-REPUTATION",
    "ACT-ONCE",
    "ACT-DEADLINE",
    "ACT-ALLOWED",
    "ACT-TOTAL",
)
"""Every action-contract ID, in catalogue order (ACT-ALLOWED's checks of refusals live in
`properties.invariants.allowed`, ACT-TOTAL's in `properties.invariants.total`)."""


def check_deposit_contract(step: ChainStep, action: DepositUsdc) -> list[Observation]:
    """ACT-BRIDGE, ACT-ONCE (§6.1): a bridge deposit mints exactly its amount of STB to the
    wallet it names and locks as much USDC, once per deposit id."""
    before, after = step.before, step.after
    assert before is not None
    problems = _frame(before, after, "ledger", "supply") + _amount_problems(amount=action.amount)
    # §6.1: the STB is minted to the Stratosphere wallet the deposit names, never to a pool.
    if not is_user_account(action.recipient):
        problems.append(f"the deposit minted to {action.recipient}, a module or escrow account")
    problems += _ledger(
        before.ledger, after.ledger, {(action.recipient, STB): action.amount}, usdc=action.amount
    )
    if after.supply.processed_deposits != before.supply.processed_deposits | {action.deposit_id}:
        problems.append(f"the processed deposits are not those before plus {action.deposit_id!r}")
    if (
        attrs.evolve(before.supply, processed_deposits=after.supply.processed_deposits)
        != after.supply
    ):
        problems.append("the deposit moved the inflation clock")
    seen = (
        action.deposit_id in before.supply.processed_deposits
        or action.deposit_id in step.history.deposits
    )
    done = action.deposit_id in after.supply.processed_deposits
    return [
        observe("ACT-BRIDGE", *_verdict(problems)),
        check_once(step, seen, done, f"bridge deposit {action.deposit_id!r}"),
    ]


def check_redemption_contract(step: ChainStep, action: RedeemStb) -> list[Observation]:
    """ACT-BRIDGE (§6.1): a redemption destroys exactly its amount of its holder's STB and
    releases as much USDC."""
    before, after = step.before, step.after
    assert before is not None
    problems = _frame(before, after, "ledger") + _amount_problems(amount=action.amount)
    problems += _ledger(
        before.ledger, after.ledger, {(action.holder, STB): -action.amount}, usdc=-action.amount
    )
    return [observe("ACT-BRIDGE", *_verdict(problems))]


def check_transfer_contract(step: ChainStep, action: Transfer) -> list[Observation]:
    """ACT-TRANSFER (§6.2): a transfer between two user accounts moves exactly its amount of
    its token from the sender to the recipient."""
    before, after = step.before, step.after
    assert before is not None
    problems = _frame(before, after, "ledger") + _amount_problems(amount=action.amount)
    # §6.2: only a key holder sends, and nobody sends into a pool or an escrow behind its records.
    problems += [
        f"{end} {account} is a module or escrow account"
        for end, account in (("sender", action.sender), ("recipient", action.recipient))
        if not is_user_account(account)
    ]
    expected: Expected = {}
    _move(expected, action.sender, action.token, -action.amount)
    _move(expected, action.recipient, action.token, action.amount)
    problems += _ledger(before.ledger, after.ledger, expected)
    return [observe("ACT-TRANSFER", *_verdict(problems))]


# --- §4.3.1, §3.3 Step 12: escrows ---------------------------------------------------------------


def check_prepayment_contract(step: ChainStep, action: Prepay) -> list[Observation]:
    """ACT-ESCROW (§4.3.1): a prepayment moves exactly its STB and STR from the app's developer
    into the app's escrow, at the deposit-weighted price."""
    before, after = step.before, step.after
    assert before is not None
    problems = _frame(before, after, "ledger", "escrows")
    problems += _amount_problems(ustb=action.ustb, ustr=action.ustr)
    escrow = before.escrows.escrows.get(action.app)
    if escrow is None:
        return [observe("ACT-ESCROW", *_verdict([*problems, f"app {action.app} has no escrow"]))]
    if action.payer != escrow.developer:
        problems.append(f"{action.payer} prepaid, not the developer {escrow.developer}")
    price = action.price
    if action.ustr and not _is_positive(price):
        problems.append(f"{action.ustr} ustr prepaid without a positive price ({price!r})")
    account = get_escrow_account(action.app)
    expected: Expected = {}
    _move(expected, action.payer, STB, -action.ustb)
    _move(expected, action.payer, STR, -action.ustr)
    _move(expected, account, STB, action.ustb)
    _move(expected, account, STR, action.ustr)
    problems += _ledger(before.ledger, after.ledger, expected)
    # §6.3.3: the STR held keeps the USD value it was bought at: the price becomes the average
    # of the held STR's price and the new STR's, weighted by amount (docs/model.md).
    held = before.ledger.balances.get(account)
    held_ustr = held.ustr if held is not None else 0
    want = escrow.str_price
    if action.ustr > 0 and _is_positive(price):
        old = escrow.str_price
        if held_ustr == 0 or old is None:
            want = price
        else:
            want = (held_ustr * old + action.ustr * price) / Fraction(held_ustr + action.ustr)
    escrow_after = after.escrows.escrows.get(action.app)
    if escrow_after is None or escrow_after != attrs.evolve(escrow, str_price=want):
        problems.append(f"the escrow record after is {escrow_after!r}, expected price {want}")
    problems += _others_unchanged(
        before.escrows.escrows, after.escrows.escrows, action.app, "escrows"
    )
    return [observe("ACT-ESCROW", *_verdict(problems))]


def check_withdrawal_contract(step: ChainStep, action: WithdrawPrepayment) -> list[Observation]:
    """ACT-ESCROW (§4.3.1): a withdrawal moves exactly its STB and STR from the app's escrow
    back to its developer."""
    before, after = step.before, step.after
    assert before is not None
    problems = _frame(before, after, "ledger") + _amount_problems(
        ustb=action.ustb, ustr=action.ustr
    )
    escrow = before.escrows.escrows.get(action.app)
    if escrow is None:
        return [observe("ACT-ESCROW", *_verdict([*problems, f"app {action.app} has no escrow"]))]
    # §4.3.1: unspent prepayment goes back to the developer; locked payments stay locked.
    account = get_escrow_account(action.app)
    expected: Expected = {}
    _move(expected, account, STB, -action.ustb)
    _move(expected, account, STR, -action.ustr)
    _move(expected, escrow.developer, STB, action.ustb)
    _move(expected, escrow.developer, STR, action.ustr)
    problems += _ledger(before.ledger, after.ledger, expected)
    return [observe("ACT-ESCROW", *_verdict(problems))]


def check_locked_resolution_contract(step: ChainStep, action: ResolveLocked) -> list[Observation]:
    """ACT-ESCROW, ACT-ONCE (§3.3 Step 12): a locked payment, resolved once by a supermajority
    of its round's committee, pays the locked split to each node that revealed the resolved
    output and returns every other share to the escrow."""
    before, after = step.before, step.after
    assert before is not None
    problems = _frame(before, after, "ledger", "escrows")
    escrow = before.escrows.escrows.get(action.app)
    record = escrow.locked.get(action.round_id) if escrow is not None else None
    escrow_after = after.escrows.escrows.get(action.app)
    still_locked = escrow_after is not None and action.round_id in escrow_after.locked
    what = f"the locked payment of round {action.round_id} of {action.app}"
    once = check_once(step, record is None, not still_locked, what)
    if escrow is None or record is None:
        return [observe("ACT-ESCROW", *_verdict([*problems, f"{what} does not exist"])), once]
    # §6.3.2: each node account is owed its own split (its bid's), at the locked price.
    owed = [(split, payout_or_none(split, record.price)) for split, _ in read_locked(record)]
    if any(payout is None for _, payout in owed):
        return [observe("ACT-ESCROW", *_verdict([*problems, f"{what} owes STR at no price"])), once]
    locked, expected = get_locked_escrow_account(action.app), Expected()
    # §3.3 Step 12: the committee's vote decides who is paid; every other share returns.
    consensus = before.params.consensus
    passed, paid = resolution_outcome(
        record, action.validator_plans, consensus.threshold_num, consensus.threshold_den
    )
    if passed is None:
        problems.append(f"{what} was resolved without a supermajority of its committee")
    for account, (split, payout) in zip(record.node_accounts, owed, strict=True):
        if account in paid:
            pay_split(expected, locked, account, split, payout or _NO_PAYOUT)
            continue
        for token, amount in ((STB, split.stb_total), (STR, (payout or _NO_PAYOUT).total)):
            _move(expected, locked, token, -amount)
            _move(expected, get_escrow_account(action.app), token, amount)
    problems += _ledger(before.ledger, after.ledger, expected)
    if escrow_after is None or escrow_after != attrs.evolve(
        escrow, locked=escrow.locked.discard(action.round_id)
    ):
        problems.append(f"the escrow record of {action.app} changed beyond removing {what}")
    problems += _others_unchanged(
        before.escrows.escrows, after.escrows.escrows, action.app, "escrows"
    )
    return [observe("ACT-ESCROW", *_verdict(problems)), once]


def check_app_validator_count_contract(
    step: ChainStep, action: SetAppValidatorCount
) -> list[Observation]:
    """ACT-ROUND (§3.3, §4.3.2): the app's developer sets its validator count, between 1 and the
    active set's size; only that count changes."""
    before, after = step.before, step.after
    assert before is not None
    problems = _frame(before, after, "app_validator_counts")
    escrow = before.escrows.escrows.get(action.app)
    if escrow is None or action.signer != escrow.developer:
        problems.append(
            f"{action.signer} set the validator count of {action.app}, not its developer"
        )
    seats = before.params.consensus.max_validators
    active = len(active_set(before.staking, max_validators=seats))
    count = action.count
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= active:
        problems.append(f"a count of {action.count!r} with {active} active validators was accepted")
    old, new = before.app_validator_counts, after.app_validator_counts
    if new.get(action.app) != action.count:
        problems.append(f"the count of {action.app} is {new.get(action.app)} after")
    problems += _others_unchanged(old, new, action.app, "validator counts")
    return [observe("ACT-ROUND", *_verdict(problems))]


# --- §3.3 F11-F12, §6.3, §4.4: a round and its settlement ----------------------------------------


@attrs.frozen
class RoundMoney:
    """One round's settlement as the contract sees it: the round's record, the cost and the
    chain's balances, escrow book and node stakes on either side of it."""

    app: AppId
    state: RoundState
    cost: int
    params: Params
    ledger_before: Ledger
    ledger_after: Ledger
    escrows_before: EscrowBook
    escrows_after: EscrowBook
    nodes_before: Mapping[NodeId, NodeStake]
    nodes_after: Mapping[NodeId, NodeStake]
    prefund: int = 0
    subscribers: tuple[AccountId, ...] = ()
    """The accounts a validation prefund may pay (§4.4: the active validators)."""
    outcome: RoundOutcome | None = None
    """The round's record: what its validators passed (§3.3 Steps 10, 12)."""
    price: Fraction | None = None
    """The STR price the round pays at (§6.3.3, §6.6; None: the escrow's deposit price)."""
    owes_when_short: bool = False
    """§4.3.1 read literally: a node the escrow cannot pay in full is owed, not paid."""
    market: MarketState | None = None
    """The chain's market before the round: the STR margin each chosen node bid (§4.4, §6.3.2;
    None: every node is paid the network's split)."""

    def get_node_split(self, node: NodeId) -> PaymentSplit:
        """§4.4 "Payout amount is set by the nodes", §6.3.2: the split `node` is paid, at its
        own bid, or the network's split without one."""
        margin = bid_of(self.market, self.app, node) if self.market is not None else None
        return node_split(self.cost, self.params, margin)

    def get_applied_value(self) -> str | None:
        """§3.3 Step 12: the decision whose payments apply: the one the committee passed with
        its block (None: recourse); F10's own when the round recorded no validators."""
        outcome, decision = self.outcome, self.state.decision
        if outcome is None or outcome.beacon_seed is None:
            if decision is None or not decision.consensus or decision.agreed_output_hash is None:
                return "FALSE"
            return "TRUE:" + decision.agreed_output_hash.hex()
        return outcome.decision_passed if outcome.block_passed else None


def _lock_moves(
    money: RoundMoney, escrow_price: Fraction | None, nodes: tuple[NodeId, ...], expected: Expected
) -> list[str]:
    """F12, §6.3.2: each locked node's own split (its bid's, the network's without one) moves
    from the app's escrow to its locked escrow, its STR at the round's price."""
    price = escrow_price if money.price is None else money.price
    for node in nodes:
        split = money.get_node_split(node)
        payout = payout_or_none(split, price)
        if payout is None:
            return [f"the round locked STR worth {split.str_total_usd} micro-USD at no price"]
        for token, amount in ((STB, split.stb_total), (STR, payout.total)):
            _move(expected, get_escrow_account(money.app), token, -amount)
            _move(expected, get_locked_escrow_account(money.app), token, amount)
    return []


def _lock_problems(money: RoundMoney, nodes: tuple[NodeId, ...]) -> list[str]:
    """§3.3 Step 12, §6.3.2: the lock record names exactly the nodes' accounts, each with the
    split of the cost at its own bid (the §6.3 split without one), and the escrow's price."""
    app, round_id = money.app, money.state.round_id
    before = money.escrows_before.escrows[app]
    after = money.escrows_after.escrows.get(app)
    record = after.locked.get(round_id) if after is not None else None
    if after is None or record is None:
        return [f"no payment of round {round_id} is locked"]
    problems = []
    accounts = sorted(money.nodes_before[node].account for node in nodes)
    if sorted(record.node_accounts) != accounts:
        problems.append(f"the lock names {sorted(record.node_accounts)}, the round {accounts}")
    network = split_payment(money.cost, money.params)
    if read_split(record.split) != network or record.split.cost != money.cost:
        problems.append(f"the lock records the split {record.split!r}, §6.3 gives {network!r}")
    owed = {money.nodes_before[node].account: money.get_node_split(node) for node in nodes}
    for account, (split, _) in zip(record.node_accounts, read_locked(record), strict=True):
        if account in owed and split != owed[account]:
            problems.append(f"the lock owes {account} {split!r}, its bid gives {owed[account]!r}")
    price = before.str_price if money.price is None else money.price
    if record.price != price:
        problems.append(f"the lock keeps the price {record.price}, the payout price is {price}")
    if (
        attrs.evolve(after, locked=after.locked.discard(round_id)) != before
        or round_id in before.locked
    ):
        problems.append(f"the escrow record of {app} changed beyond locking round {round_id}")
    return problems


def _validation(
    money: RoundMoney, expected: Expected, actual: Mapping[BalanceKey, int]
) -> list[str]:
    """§4.4: the prefund pays `count` of the subscribers an equal part each, out of the escrow;
    which of them is the seeded draw's choice, so any `count` subscribers may be the ones."""
    count = validation_selected_count(
        money.prefund, len(money.subscribers), money.params.payment.validation_floor_ustr
    )
    if count == 0:
        return [f"a prefund of {money.prefund} ustr was paid to no validator"]
    each = money.prefund // count
    _move(expected, get_escrow_account(money.app), STR, -each * count)
    if each == 0:
        return []
    credited = sorted(
        account
        for account in set(money.subscribers)
        if actual.get((account, STR), 0) - expected.get((account, STR), 0) == each
    )
    for account in credited[:count]:
        _move(expected, account, STR, each)
    if len(credited) != count:
        return [f"{len(credited)} validators were paid {each} ustr, §4.4 pays {count}"]
    return []


def _node_slashes(
    money: RoundMoney, mismatched: tuple[NodeId, ...], expected: Expected
) -> list[str]:
    """F11: only a node whose reveal does not open its commit loses stake, burned from the pool."""
    problems: list[str] = []
    if money.nodes_before is money.nodes_after:
        return problems
    if money.nodes_before.keys() != money.nodes_after.keys():
        problems.append("the round registered or removed a node")
    for node, stake in money.nodes_before.items():
        after = money.nodes_after.get(node)
        if after is None:
            continue
        lost = stake.ustr - after.ustr
        if after.account != stake.account or lost < 0 or (lost and node not in mismatched):
            problems.append(f"{node}'s stake went from {stake} to {after}")
        _move(expected, NODE_STAKE_POOL, STR, -lost)
        _move(expected, BURN_ADDRESS, STR, lost)
    return problems


def _owed_problems(money: RoundMoney, owed: list[AccountId]) -> list[str]:
    """§4.3.1 (literal): the round recorded each unpaid node of its group as owed, and changed
    nothing else of the escrow books."""
    before = money.escrows_before.escrows[money.app]
    after = money.escrows_after.escrows.get(money.app)
    if after is None:
        return [f"the escrow record of {money.app} disappeared"]
    problems = owed_entries(before, after, money.state.round_id, owed)
    if attrs.evolve(after, owed=before.owed) != before or any(
        app != money.app and book != money.escrows_before.escrows.get(app)
        for app, book in money.escrows_after.escrows.items()
    ):
        problems.append(f"the escrow records changed beyond the owed payments of {money.app}")
    return problems


def _pay_group(
    money: RoundMoney, escrow_price: Fraction | None, group: list[NodeId], expected: Expected
) -> tuple[list[str], list[AccountId]]:
    """F12, §4.4, §6.3.2: each node of the paid group is paid from the app's escrow at its own
    bid (the network's split without one), its STR at the round's price; under the literal
    §4.3.1 what the escrow cannot pay in full is owed instead, in the group's order. Returns
    the reason the round could pay nobody, if any, and the owed accounts."""
    price = escrow_price if money.price is None else money.price
    owing: dict[AccountId, tuple[PaymentSplit, StrPayout | None]] = {}
    for node in group:
        own = money.get_node_split(node)
        owing[money.nodes_before[node].account] = (own, payout_or_none(own, price))
    unpriced = [account for account, (_, payout) in owing.items() if payout is None]
    if unpriced and not money.owes_when_short:
        return [f"the round owes {unpriced} STR at no positive price"], []
    held = balance(money.ledger_before, get_escrow_account(money.app))
    paid, owed = split_paid_or_owed(
        (held.ustb, held.ustr),
        [(account, *owing[account]) for account in owing],
        owes_when_short=money.owes_when_short,
    )
    for account in paid:
        own, payout = owing[account]
        pay_split(expected, get_escrow_account(money.app), account, own, payout or _NO_PAYOUT)
    return [], owed


def get_round_money_problems(money: RoundMoney) -> list[str]:
    """ACT-ROUND: what one settled round moved, against §3.3 F11-F12, §6.3 and §4.4."""
    decision = money.state.decision
    expected: Expected = {}
    problems: list[str] = []
    if decision is None:
        # A round that never decides settles nothing (docs/model.md: the literal F6).
        if money.escrows_before != money.escrows_after or money.nodes_before != money.nodes_after:
            problems.append("an undecided round changed an escrow record or a node stake")
        return problems + _ledger(money.ledger_before, money.ledger_after, expected)
    split = split_payment(money.cost, money.params)
    escrow = money.escrows_before.escrows.get(money.app)
    if escrow is None:
        return [f"app {money.app} has no escrow, yet its round settled"]
    payout = payout_or_none(split, escrow.str_price if money.price is None else money.price)
    if payout is None and not money.owes_when_short:
        return [f"the round owes STR worth {split.str_total_usd} micro-USD at no positive price"]
    locked_nodes: tuple[NodeId, ...] = ()
    owed: list[AccountId] = []
    applied = money.get_applied_value()
    paid_hash = applied.removeprefix("TRUE:") if applied and applied != "FALSE" else None
    if paid_hash is not None and money.cost > 0:
        # F12: each counted node that revealed the output the validators passed (with honest
        # ones, the supermajority group) is paid the split from the app's escrow.
        group = [
            node
            for node in decision.counted
            if money.state.reveals[node].output_hash.hex() == paid_hash
        ]
        unpriced, owed = _pay_group(money, escrow.str_price, group, expected)
        problems += unpriced
    elif paid_hash is None and money.cost > 0:
        # F12: on FALSE, or without a validator supermajority (Step 12 item 4), what the
        # counted nodes (or, if the app stalled at F6, every committed node) would be owed
        # moves to the locked escrow.
        if payout is None:
            return [f"the round locked STR worth {split.str_total_usd} micro-USD at no price"]
        locked_nodes = (
            tuple(sorted(money.state.commits)) if decision.app_withheld_salts else decision.counted
        )
        problems += _lock_moves(money, escrow.str_price, locked_nodes, expected)
    problems += _node_slashes(money, decision.mismatched, expected)
    if money.prefund > 0:
        actual = get_balance_changes(money.ledger_before, money.ledger_after)
        problems += _validation(money, expected, actual)
    problems += _ledger(money.ledger_before, money.ledger_after, expected)
    if locked_nodes:
        problems += _lock_problems(money, locked_nodes)
    elif owed:
        problems += _owed_problems(money, owed)
    elif money.escrows_before != money.escrows_after:
        problems.append("the round changed an escrow record without locking a payment")
    return problems


def _revealed_late(state: RoundState, params: Params) -> list[str]:
    """§3.2 F7: a reveal at the reveal timeout after the phase opened is in time, one a second
    later is not (docs/model.md: the phase is over once now - opened > timeout)."""
    opened = state.reveal_opened_at
    if opened is None:
        return [f"{node} revealed before the reveal phase opened" for node in sorted(state.reveals)]
    deadline = opened + params.consensus.reveal_timeout_seconds
    return [
        f"{node} revealed at {reveal.revealed_at}, after the deadline {deadline}"
        for node, reveal in sorted(state.reveals.items())
        if not opened <= reveal.revealed_at <= deadline
    ]


def _phases_out_of_order(state: RoundState, start: int) -> list[str]:
    """§3.2: a round opens at the chain's time, and its commit phase closes, and its reveal phase
    opens, no earlier than the step before: time inside a round only moves forward."""
    times = [
        ("opening", state.opened_at),
        ("commit close", state.commit_closed_at),
        ("reveal opening", state.reveal_opened_at),
    ]
    problems = [] if state.opened_at == start else [f"opened at {state.opened_at}, not {start}"]
    previous: tuple[str, int] | None = None
    for name, time in times:
        if time is None:
            continue
        if previous is not None and time < previous[1]:
            problems.append(f"the {name} at {time} came before the {previous[0]} at {previous[1]}")
        previous = (name, time)
    return problems


def _committee_operators(before: ChainState, outcome: RoundOutcome | None) -> tuple[AccountId, ...]:
    """§4.4: the operator accounts of the round's committee (its record's validators)."""
    if outcome is None:
        return ()
    known = before.staking.validators
    members = [ValidatorId(v) for v in outcome.validators]
    return tuple(known[v].operator for v in members if v in known)


def _round_price(before: ChainState, action: RunRound) -> Fraction | None:
    """§6.3.3, §6.6: the price the round's STR is paid at, as the profile reads it."""
    escrow = before.escrows.escrows.get(action.app)
    return payout_price(before, escrow.str_price if escrow is not None else None)


def check_round_run_contract(step: ChainStep, action: RunRound) -> list[Observation]:
    """ACT-ROUND, ACT-ONCE, ACT-DEADLINE (§3.3 F11-F12, §6.3, §4.4, §3.2 F6-F7): a round, under
    a fresh round id, moves only what its settlement owes, from reveals made in time."""
    before, after = step.before, step.after
    assert before is not None
    allowed = (
        *("now", "ledger", "escrows", "nodes", "slashing", "reputation", "next_round_id"),
        "market",
    )
    problems = _frame(before, after, *allowed)
    effects = [effect for effect in step.effects if isinstance(effect, RoundEffect)]
    if len(effects) != 1:
        return [observe("ACT-ROUND", *_verdict([*problems, f"{len(effects)} rounds ran, not one"]))]
    run = effects[0].run
    state = run.state
    money = RoundMoney(
        app=action.app,
        state=state,
        cost=action.cost,
        params=before.params,
        ledger_before=before.ledger,
        ledger_after=after.ledger,
        escrows_before=before.escrows,
        escrows_after=after.escrows,
        nodes_before=before.nodes,
        nodes_after=after.nodes,
        prefund=action.validation_prefund_ustr,
        outcome=effects[0].outcome,
        price=_round_price(before, action),
        owes_when_short=not before.profile.rounds_need_escrowed_payment,
        market=before.market,
        # §4.4, §3.3: the validators that offer for the round are its recorded committee.
        subscribers=_committee_operators(before, effects[0].outcome),
    )
    if state.app != action.app or {plan.node for plan in action.plans} != set(state.assigned):
        problems.append(f"the round ran app {state.app} on {state.assigned}, not the action's")
    problems += get_round_money_problems(money)
    # A round id is used once: the chain's next id, never seen in a lock before.
    round_id = state.round_id
    fresh = round_id == before.next_round_id and not any(
        round_id in escrow.locked for escrow in before.escrows.escrows.values()
    )
    once = observe(
        "ACT-ONCE",
        fresh and after.next_round_id == before.next_round_id + 1,
        f"round id {round_id} (chain's next {before.next_round_id} -> {after.next_round_id}) is"
        " not a fresh id used once",
    )
    deadline = _revealed_late(state, before.params) + _phases_out_of_order(state, before.now)
    closed_at, decided_at = state.commit_closed_at, run.decided_at
    if closed_at is not None and decided_at is not None and decided_at < closed_at:
        deadline.append(f"decided at {decided_at}, before the commit phase closed at {closed_at}")
    if after.now < before.now:
        deadline.append(f"the clock went back from {before.now} to {after.now}")
    decision = state.decision
    if decision is not None and decision.app_withheld_salts:
        # docs/model.md: the round expires once now - commit_closed_at > the app salt timeout.
        closed, decided = state.commit_closed_at, run.decided_at
        timeout = before.params.consensus.app_salt_timeout_seconds
        if closed is None or decided is None or decided - closed <= timeout:
            deadline.append(
                f"the app's salts expired at {decided}, closed at {closed}, timeout {timeout}"
            )
    return [
        observe("ACT-ROUND", *_verdict(problems)),
        once,
        observe("ACT-DEADLINE", *_verdict(deadline)),
    ]


def _salts_not_opening(state: RoundState) -> list[str]:
    """§3.2 F6: the app salts written on-chain must each open the hash the app posted at F1."""
    algorithm = state.algorithm.value
    return [
        f"the app salt revealed for {node} does not hash to its F1 hash"
        for node, salt in sorted(state.app_salts.items())
        if digest(salt, algorithm) != state.app_salt_hashes.get(node)
    ]


def check_round_contract(view: RoundView, *, cost: int) -> tuple[Observation, ...]:
    """ACT-ROUND and the reveal deadline of ACT-DEADLINE on one explored round state: the reveals
    are in time and, once settled against `view`'s chain at `cost`, the money moved as it must."""
    observations = []
    if view.state.reveals:
        observations.append(
            observe("ACT-DEADLINE", *_verdict(_revealed_late(view.state, view.params)))
        )
    if view.state.app_salts:
        observations.append(observe("ACT-ROUND", *_verdict(_salts_not_opening(view.state))))
    if view.outcome is not None and view.chain_before is not None and view.chain_after is not None:
        before, after = view.chain_before, view.chain_after
        money = RoundMoney(
            app=view.state.app,
            state=view.state,
            cost=cost,
            params=view.params,
            ledger_before=before.ledger,
            ledger_after=after.ledger,
            escrows_before=before.escrows,
            escrows_after=after.escrows,
            nodes_before=before.nodes,
            nodes_after=after.nodes,
            outcome=view.outcome,
        )
        observations.append(observe("ACT-ROUND", *_verdict(get_round_money_problems(money))))
    return tuple(observations)


# --- §6.9, §6.7, §6.5: supply and Network Support ------------------------------------------------


def check_mint_contract(step: ChainStep, action: MintInflation) -> list[Observation]:
    """ACT-SUPPLY, ACT-DEADLINE (§6.9): a mint credits only the rewards pool, by the curve's
    accrual on the circulating supply over exactly [last mint, now)."""
    before, after = step.before, step.after
    assert before is not None
    problems = _frame(before, after, "ledger", "supply")
    minted = after.ledger.str_minted - before.ledger.str_minted
    problems += _ledger(before.ledger, after.ledger, {(REWARDS_POOL, STR): minted}, minted=minted)
    supply = before.supply
    # §6.9: the exact accrual on the circulating supply since the last mint, rounded down once
    # (docs/model.md): a mint neither above it nor a whole ustr below it.
    bounds = mint_bounds(
        circulating_str(before.ledger),
        genesis=supply.genesis_time,
        start=supply.last_mint_time,
        end=before.now,
        params=before.params,
    )
    wrong = bounds.problem(minted)
    if wrong is not None:
        problems.append(f"{wrong} for [{supply.last_mint_time}, {before.now})")
    deadline = []
    if (
        after.supply != attrs.evolve(supply, last_mint_time=before.now)
        or supply.last_mint_time > before.now
    ):
        deadline.append(
            f"the mint covers [{supply.last_mint_time}, {after.supply.last_mint_time}), not up to now {before.now}"
        )
    return [
        observe("ACT-SUPPLY", *_verdict(problems)),
        observe("ACT-DEADLINE", *_verdict(deadline)),
    ]


def check_reserve_swap_contract(step: ChainStep, action: SwapReserve) -> list[Observation]:
    """ACT-SUPPLY (§6.6, §6.7): a reserve swap sends all the reserve's STB to Stratoswap and
    burns exactly the STR the pool's curve pays for it (`oracle.stratoswap`)."""
    before, after = step.before, step.after
    assert before is not None
    problems = _frame(before, after, "ledger")
    held = before.ledger.balances.get(SWAP_RESERVE)
    reserve = held.ustb if held is not None else 0
    expected: Expected = {}
    if reserve:
        # §6.7: all the reserve's STB buys STR on Stratoswap's curve, and that STR is burned.
        pool = before.ledger.balances.get(STRATOSWAP_POOL)
        pool_stb, pool_str = (pool.ustb, pool.ustr) if pool is not None else (0, 0)
        fee = before.params.market.stratoswap_fee_bps
        bought = curve_payout(pool_stb, pool_str, reserve, fee)
        if bought <= 0:
            return [
                observe(
                    "ACT-SUPPLY",
                    *_verdict([*problems, f"a swap buying {bought} ustr was accepted"]),
                )
            ]
        _move(expected, SWAP_RESERVE, STB, -reserve)
        _move(expected, STRATOSWAP_POOL, STB, reserve)
        _move(expected, STRATOSWAP_POOL, STR, -bought)
        _move(expected, BURN_ADDRESS, STR, bought)
    problems += _ledger(before.ledger, after.ledger, expected)
    return [observe("ACT-SUPPLY", *_verdict(problems))]


def _committee_active(before: ChainState, name: str) -> bool:
    """§6.8: more than the activation share of all STR is delegated to committee `name`."""
    return is_active(
        delegated_to(before.governance, name),
        circulating=circulating_str(before.ledger),
        activation_bps=before.params.governance.subcommittee_activation_bps,
    )


def _committee_payout(
    step: ChainStep, *, pool: AccountId, committee: str, recipient: AccountId, amount: int
) -> list[str]:
    """§4.5, §6.5, §6.8: a committee's payout is made only while the committee is active, only
    to a user account, and moves exactly its amount of STR out of `pool`."""
    before, after = step.before, step.after
    assert before is not None
    problems = _frame(before, after, "ledger") + _amount_problems(amount=amount)
    if not _committee_active(before, committee):
        problems.append(f"paid while the {committee} committee is inactive")
    # Grants and payouts pay people (developers, app miners, bug hunters, nodes), never a pool.
    if not is_user_account(recipient):
        problems.append(f"paid to {recipient}, a module or escrow account")
    expected: Expected = {}
    _move(expected, pool, STR, -amount)
    _move(expected, recipient, STR, amount)
    return problems + _ledger(before.ledger, after.ledger, expected)


def check_grant_contract(step: ChainStep, action: GrantNetworkSupport) -> list[Observation]:
    """ACT-GRANT (§6.5, §6.8): a grant is paid only while Network Support's subcommittee is
    active, only to a user account, and moves exactly its amount."""
    problems = _committee_payout(
        step,
        pool=NETWORK_SUPPORT,
        committee=NETWORK_SUPPORT_COMMITTEE,
        recipient=action.recipient,
        amount=action.amount,
    )
    return [observe("ACT-GRANT", *_verdict(problems))]


def check_insurance_contribution_contract(
    step: ChainStep, action: FundInsurance
) -> list[Observation]:
    """ACT-GRANT (§4.5): a contribution moves exactly its amount of STR from the contributor
    into the insurance pool, and nothing else."""
    before, after = step.before, step.after
    assert before is not None
    problems = _frame(before, after, "ledger") + _amount_problems(amount=action.amount)
    expected: Expected = {}
    _move(expected, action.contributor, STR, -action.amount)
    _move(expected, INSURANCE_POOL, STR, action.amount)
    problems += _ledger(before.ledger, after.ledger, expected)
    return [observe("ACT-GRANT", *_verdict(problems))]


def check_insurance_payout_contract(step: ChainStep, action: PayInsurance) -> list[Observation]:
    """ACT-GRANT (§4.5, §6.8): an insurance payout is paid only while the Insurance Pool Payouts
    Committee is active, only to a user account, and moves exactly its amount out of the pool."""
    problems = _committee_payout(
        step,
        pool=INSURANCE_POOL,
        committee=INSURANCE_PAYOUTS,
        recipient=action.recipient,
        amount=action.amount,
    )
    return [observe("ACT-GRANT", *_verdict(problems))]


def check_node_slash_contract(step: ChainStep, action: SlashNode) -> list[Observation]:
    """ACT-GRANT (§6.10, §6.8): a committee's node slash, while the committee is active, lowers
    that one node's stake by exactly its amount and burns it out of the node stakes' pool."""
    before, after = step.before, step.after
    assert before is not None
    problems = _frame(before, after, "ledger", "nodes") + _amount_problems(amount=action.amount)
    if not _committee_active(before, COMPLAINT_NETWORK):
        problems.append("a node was slashed while its committee is inactive")
    old, new = before.nodes.get(action.node), after.nodes.get(action.node)
    if old is None or new is None or new != attrs.evolve(old, ustr=old.ustr - action.amount):
        problems.append(f"{action.node}'s stake went from {old!r} to {new!r} on {action.amount}")
    problems += _others_unchanged(before.nodes, after.nodes, action.node, "node stakes")
    expected: Expected = {}
    _move(expected, NODE_STAKE_POOL, STR, -action.amount)
    _move(expected, BURN_ADDRESS, STR, action.amount)
    problems += _ledger(before.ledger, after.ledger, expected)
    return [observe("ACT-GRANT", *_verdict(problems))]


# --- §6.8: governance, subcommittees, complaints -------------------------------------------------


def check_proposal_contract(step: ChainStep, action: SubmitProposal) -> list[Observation]:
    """ACT-GOVERNANCE, ACT-ONCE, ACT-DEADLINE (§6.8): a proposal locks exactly its deposit and
    opens one new proposal, under a fresh id, by the process the constitution gives its keys:
    a parameter change voted on for one voting period, or (hardened) an amendment whose proposal
    period runs one amendment period (90 days). Hardened, the chain accepts only a proposal that
    keeps to one process and leaves the parameters inside the constitution's ranges."""
    before, after = step.before, step.after
    assert before is not None
    problems = _frame(before, after, "ledger", "governance")
    problems += _governance(before, after, "proposals", "next_proposal_id")
    problems += _amount_problems(deposit=action.deposit_ustr)
    problems += [
        f"the chain accepted a proposal the constitution refuses: {reason}"
        for reason in submission_problems(before, action.changes)
    ]
    expected: Expected = {}
    _move(expected, action.proposer, STR, -action.deposit_ustr)
    _move(expected, GOVERNANCE_DEPOSITS, STR, action.deposit_ustr)
    problems += _ledger(before.ledger, after.ledger, expected)
    new_id = before.governance.next_proposal_id
    proposal = after.governance.proposals.get(new_id)
    if after.governance.next_proposal_id != new_id + 1:
        problems.append(
            f"the next proposal id went from {new_id} to {after.governance.next_proposal_id}"
        )
    problems += _others_unchanged(
        before.governance.proposals, after.governance.proposals, new_id, "proposals"
    )
    deadline = []
    if proposal is None:
        problems.append(f"no proposal {new_id} was opened")
    else:
        process = proposal_process(before, action.changes) or Process.AMENDMENT
        amendment = process is Process.AMENDMENT and before.profile.constitution_enforced
        phase = AmendmentPhase.PROPOSAL if amendment else None
        if (proposal.proposer, proposal.changes, proposal.deposit_ustr) != (
            action.proposer,
            action.changes,
            action.deposit_ustr,
        ) or (len(proposal.votes), proposal.result, proposal.history) != (0, None, ()):
            problems.append(f"proposal {new_id} is not the one submitted: {proposal!r}")
        if (proposal.process, proposal.phase) != (process, phase):
            problems.append(
                f"proposal {new_id} follows the {proposal.process.value} process in phase"
                f" {proposal.phase}, not the {process.value} process in phase {phase}"
            )
        # §6.8: a vote runs one voting period; an amendment's first period 90 days.
        period = (
            AMENDMENT_PERIOD_SECONDS
            if amendment
            else before.params.governance.voting_period_seconds
        )
        end = before.now + period
        if proposal.voting_end != end:
            deadline.append(f"proposal {new_id}'s vote ends at {proposal.voting_end}, not {end}")
    once = observe(
        "ACT-ONCE",
        new_id not in before.governance.proposals,
        f"proposal id {new_id} was used again",
    )
    return [
        observe("ACT-GOVERNANCE", *_verdict(problems)),
        once,
        observe("ACT-DEADLINE", *_verdict(deadline)),
    ]


def check_vote_contract(step: ChainStep, action: CastVote) -> list[Observation]:
    """ACT-GOVERNANCE, ACT-DEADLINE (§6.8): a vote records only its voter's option, and only
    while now < the vote's end."""
    before, after = step.before, step.after
    assert before is not None
    problems = _frame(before, after, "governance") + _governance(before, after, "proposals")
    proposal = before.governance.proposals.get(action.proposal_id)
    proposal_after = after.governance.proposals.get(action.proposal_id)
    if proposal is None or proposal_after is None:
        return [
            observe("ACT-GOVERNANCE", *_verdict([*problems, f"no proposal {action.proposal_id}"]))
        ]
    # §6.8: a vote records (or replaces) its voter's option and nothing else.
    want = attrs.evolve(proposal, votes=proposal.votes.set(action.voter, action.option))
    if proposal_after != want:
        problems.append(f"proposal {action.proposal_id} after the vote is {proposal_after!r}")
    problems += _others_unchanged(
        before.governance.proposals, after.governance.proposals, action.proposal_id, "proposals"
    )
    # docs/model.md: voting is open while now < end.
    late = before.now >= proposal.voting_end
    deadline = (
        [f"a vote at {before.now} was accepted; voting ended at {proposal.voting_end}"]
        if late
        else []
    )
    # §6.8, as Tezos: the testing period holds no vote.
    if proposal.phase is AmendmentPhase.TESTING:
        problems.append(f"a vote on proposal {action.proposal_id} in its testing period")
    return [
        observe("ACT-GOVERNANCE", *_verdict(problems)),
        observe("ACT-DEADLINE", *_verdict(deadline)),
    ]


def _param_values(
    params: Params, changes: Iterable[ParamChange] = ()
) -> dict[tuple[str, str], int]:
    """Every `subspace.key` of `params` with its value, `changes` applied over them."""
    values = {
        (subspace, key): value
        for subspace, fields in attrs.asdict(params).items()
        for key, value in fields.items()
    }
    values.update({(change.subspace, change.key): change.value for change in changes})
    return values


def _result_problems(result: TallyResult, want: TallyReading, proposal: Proposal) -> list[str]:
    """§6.8: the tally's record against the constitution's reading: the STR behind each option,
    all STR votes, the rule, whether the vote carried, the veto, the amendment's phases, the
    adoption or its refusal, and the validators absent from a core change."""
    weights = want.weights
    recorded = (result.yes, result.no, result.abstain, result.no_with_veto)
    weighed = tuple(
        weights[o]
        for o in (VoteOption.YES, VoteOption.NO, VoteOption.ABSTAIN, VoteOption.NO_WITH_VETO)
    )
    problems = []
    if recorded != weighed:
        problems.append(
            f"the tally counted yes/no/abstain/veto {recorded}, the voters hold {weighed}"
        )
    if result.total_power != want.total:
        problems.append(
            f"the tally counted {result.total_power} ustr of votes in all, not {want.total}"
        )
    if result.rule != want.rule:
        problems.append(f"the tally applied the rule {result.rule!r}, not {want.rule!r}")
    if (result.failed_because is None) != (want.failure is None):
        problems.append(
            f"the vote failed because {result.failed_because!r}; the constitution's reading:"
            f" {want.failure or 'it carries'}"
        )
    if result.vetoed != want.vetoed:
        problems.append(f"vetoed: {result.vetoed}, by the constitution's reading {want.vetoed}")
    if (result.phase, result.next_phase) != (proposal.phase, want.next_phase):
        problems.append(
            f"the tally closed phase {result.phase} into {result.next_phase}, not"
            f" {proposal.phase} into {want.next_phase}"
        )
    carried = want.ends and want.failure is None
    if carried and want.refusal is None and result.refused is not None:
        problems.append(
            "the changes keep the shares coherent and inside the constitution, but the tally"
            f" refused: {result.refused}"
        )
    elif carried and want.refusal is not None and result.passed:
        problems.append(f"the tally adopted changes the constitution refuses: {want.refusal}")
    elif result.passed != want.adopts or (result.refused is not None) != (want.refusal is not None):
        problems.append(
            f"the tally passed: {result.passed}, refused: {result.refused!r}; by the"
            f" constitution's reading adopted: {want.adopts}, refused: {want.refusal!r}"
        )
    if frozenset(result.absent_validators) != want.absent or len(
        set(result.absent_validators)
    ) != len(result.absent_validators):
        problems.append(
            f"the absent validators are {result.absent_validators}, not {sorted(want.absent)}"
        )
    if result.supermajority_required != want.supermajority_required:
        problems.append(f"a supermajority was required: {result.supermajority_required}")
    return problems


def _proposal_after_problems(
    proposal: Proposal, after: Proposal, want: TallyReading
) -> tuple[list[str], TallyResult | None]:
    """§6.8: the proposal after its tally: ended with the result recorded, or (an amendment
    moving on) in its next period, votes cleared, one amendment period later, the tally kept in
    its history; the tally's result either way."""
    result = after.history[-1] if after.history else None
    if result is None:
        return [f"proposal {proposal.proposal_id} after the tally records no tally"], None
    if want.ends:
        expected = attrs.evolve(proposal, result=result, history=(*proposal.history, result))
    else:
        expected = attrs.evolve(
            proposal,
            phase=want.next_phase,
            votes=pmap(),
            voting_end=proposal.voting_end + AMENDMENT_PERIOD_SECONDS,
            history=(*proposal.history, result),
        )
    if after != expected:
        return [f"proposal {proposal.proposal_id} after the tally is {after!r}"], result
    return [], result


def check_tally_contract(step: ChainStep, action: Tally) -> list[Observation]:
    """ACT-GOVERNANCE, ACT-ONCE, ACT-DEADLINE (§6.8): a tally, once and not before the vote's
    end, weighs every STR and decides as the constitution reads it (`oracle.governance.
    read_tally`). At a proposal's last tally the deposit goes back to the proposer, or is burned
    if x/gov's veto rejected it, and the parameters change by exactly the proposal's changes if
    they were adopted; an amendment that moves on keeps its deposit locked and changes nothing
    but its period and Tezos' participation average."""
    before, after = step.before, step.after
    assert before is not None
    problems = _frame(before, after, "ledger", "governance", "staking")
    problems += _governance(before, after, "proposals", "params", "participation_ema_bps")
    # §6.8: a tally may time validators out (VAL-STANDING judges whom); nothing else of staking.
    others = tuple(name for name in STAKING_RECORDS if name not in ("jailed", "missed"))
    if _untouched(before.staking, after.staking, ("delegations", "unbonding", *others), ()):
        problems.append("a tally moved a bond or a staking record other than the jail")
    proposal = before.governance.proposals.get(action.proposal_id)
    proposal_after = after.governance.proposals.get(action.proposal_id)
    if proposal is None or proposal_after is None:
        return [
            observe("ACT-GOVERNANCE", *_verdict([*problems, f"no proposal {action.proposal_id}"]))
        ]
    once = check_once(
        step,
        proposal.result is not None,
        proposal_after.result is not None or proposal_after.phase != proposal.phase,
        f"the tally of proposal {action.proposal_id}",
    )
    if proposal.result is not None:
        return [observe("ACT-GOVERNANCE", *_verdict(problems)), once]
    want = read_tally(before, proposal)
    expected: Expected = {}
    if want.ends:
        # §6.8: the deposit returns, or (x/gov's veto) is burned.
        _move(expected, GOVERNANCE_DEPOSITS, STR, -proposal.deposit_ustr)
        receiver = BURN_ADDRESS if want.vetoed else proposal.proposer
        _move(expected, receiver, STR, proposal.deposit_ustr)
    problems += _ledger(before.ledger, after.ledger, expected)
    found, result = _proposal_after_problems(proposal, proposal_after, want)
    problems += found
    problems += _others_unchanged(
        before.governance.proposals, after.governance.proposals, action.proposal_id, "proposals"
    )
    if result is not None:
        problems += _result_problems(result, want, proposal)
    ema = after.governance.participation_ema_bps
    if ema != want.ema_bps:
        problems.append(f"the participation average moved to {ema} bps, not {want.ema_bps}")
    adopted = want.adopts
    # Only an adopted proposal changes a parameter: comparing every key is needed only then.
    if adopted or after.params != before.params:
        wanted = _param_values(before.params, proposal.changes if adopted else ())
        got = _param_values(after.params)
        moved = sorted(k for k in wanted.keys() | got.keys() if wanted.get(k) != got.get(k))
        if moved:
            problems.append(f"the tally (adopted: {adopted}) left {moved} wrong")
    early = before.now < proposal.voting_end
    deadline = (
        [f"a tally at {before.now} was accepted; voting ends at {proposal.voting_end}"]
        if early
        else []
    )
    return [
        observe("ACT-GOVERNANCE", *_verdict(problems)),
        once,
        observe("ACT-DEADLINE", *_verdict(deadline)),
    ]


def check_subcommittee_creation_contract(
    step: ChainStep, action: CreateSubcommittee
) -> list[Observation]:
    """ACT-SUBCOMMITTEE (§6.8): creating a subcommittee records it under a new name and moves
    no token."""
    before, after = step.before, step.after
    assert before is not None
    problems = _frame(before, after, "governance") + _governance(before, after, "subcommittees")
    old, new = before.governance.subcommittees, after.governance.subcommittees
    created = new.get(action.name)
    if not action.name or action.name in old:
        problems.append(f"subcommittee {action.name!r} is unnamed or exists already")
    if created is None or (created.name, created.creator) != (action.name, action.creator):
        problems.append(f"subcommittee {action.name!r} after is {created!r}")
    problems += _others_unchanged(old, new, action.name, "subcommittees")
    return [observe("ACT-SUBCOMMITTEE", *_verdict(problems))]


def check_subcommittee_bond_contract(
    step: ChainStep, action: DelegateToSubcommittee | UndelegateFromSubcommittee
) -> list[Observation]:
    """ACT-SUBCOMMITTEE (§6.8): a subcommittee delegation moves exactly its amount into the
    subcommittees' pool and raises that one delegation; an undelegation lowers it and credits
    the delegator."""
    before, after = step.before, step.after
    assert before is not None
    problems = _frame(before, after, "ledger", "governance")
    problems += _governance(before, after, "subcommittee_delegations")
    if action.amount <= 0:
        problems.append(
            f"a subcommittee delegation moved by {action.amount}, not a positive amount"
        )
    if action.name not in before.governance.subcommittees:
        problems.append(f"no subcommittee {action.name!r}")
    delegations = before.governance.subcommittee_delegations
    key = (action.delegator, action.name)
    # §6.8: delegated STR moves into the subcommittees' pool; undelegated STR moves back.
    sign = 1 if isinstance(action, DelegateToSubcommittee) else -1
    if sign < 0 and delegations.get(key, 0) < action.amount:
        problems.append(
            f"{action.amount} ustr taken back from a delegation of {delegations.get(key, 0)}"
        )
    expected: Expected = {}
    _move(expected, action.delegator, STR, -sign * action.amount)
    _move(expected, SUBCOMMITTEE_POOL, STR, sign * action.amount)
    problems += _ledger(before.ledger, after.ledger, expected)
    after_delegations = after.governance.subcommittee_delegations
    problems += _map_change(
        delegations, after_delegations, key, sign * action.amount, "the delegation"
    )
    return [observe("ACT-SUBCOMMITTEE", *_verdict(problems))]


def check_complaint_contract(step: ChainStep, action: SubmitComplaint) -> list[Observation]:
    """ACT-COMPLAINT, ACT-ONCE (§6.8): a complaint, under a fresh id, locks exactly its
    deposit, at least the MinDeposit."""
    before, after = step.before, step.after
    assert before is not None
    problems = _frame(before, after, "ledger", "complaints")
    minimum = before.params.governance.complaint_min_deposit_ustr
    if action.deposit_ustr < minimum:
        problems.append(
            f"a deposit of {action.deposit_ustr} ustr is below the MinDeposit {minimum}"
        )
    # §6.8: the deposit is locked with the complaint until it is resolved.
    expected: Expected = {}
    _move(expected, action.complainant, STR, -action.deposit_ustr)
    _move(expected, COMPLAINT_DEPOSITS, STR, action.deposit_ustr)
    problems += _ledger(before.ledger, after.ledger, expected)
    old, new = before.complaints.complaints, after.complaints.complaints
    filed = new.get(action.complaint_id)
    fields = (action.complaint_id, action.complainant, action.target, action.deposit_ustr, None)
    if (
        filed is None
        or (filed.complaint_id, filed.complainant, filed.target, filed.deposit_ustr, filed.upheld)
        != fields
    ):
        problems.append(f"complaint {action.complaint_id!r} after is {filed!r}")
    problems += _others_unchanged(old, new, action.complaint_id, "complaints")
    once = observe(
        "ACT-ONCE",
        action.complaint_id not in old,
        f"complaint id {action.complaint_id!r} was filed again",
    )
    return [observe("ACT-COMPLAINT", *_verdict(problems)), once]


def check_complaint_resolution_contract(
    step: ChainStep, action: ResolveComplaint
) -> list[Observation]:
    """ACT-COMPLAINT, ACT-ONCE (§6.8): a complaint, resolved once, pays out exactly its
    deposit, only to the complainant (if upheld), the reserve pool and the active validators."""
    before, after = step.before, step.after
    assert before is not None
    # The verdict reaches the node's reputation: REP-RECORDED checks how.
    problems = _frame(before, after, "ledger", "complaints", "reputation")
    old, new = before.complaints.complaints, after.complaints.complaints
    complaint, resolved = old.get(action.complaint_id), new.get(action.complaint_id)
    what = f"the resolution of complaint {action.complaint_id!r}"
    once = check_once(
        step,
        complaint is not None and complaint.upheld is not None,
        resolved is not None and resolved.upheld is not None,
        what,
    )
    if complaint is None or complaint.upheld is not None:
        if complaint is None:
            problems.append(f"no complaint {action.complaint_id!r}")
        return [observe("ACT-COMPLAINT", *_verdict(problems)), once]
    if resolved != attrs.evolve(complaint, upheld=action.upheld):
        problems.append(f"complaint {action.complaint_id!r} after is {resolved!r}")
    problems += _others_unchanged(old, new, action.complaint_id, "complaints")
    # §6.8: the deposit leaves the pool whole, to the complainant (if upheld), the reserve pool
    # and the validators; nobody else receives and nothing else is debited.
    recipients = {RESERVE_POOL, *get_active_operators(before.staking, before.params)}
    if action.upheld:
        recipients.add(complaint.complainant)
    changes = get_balance_changes(before.ledger, after.ledger)
    pool = changes.pop((COMPLAINT_DEPOSITS, STR), 0)
    if pool != -complaint.deposit_ustr:
        problems.append(
            f"the complaint pool paid out {-pool}, the deposit is {complaint.deposit_ustr}"
        )
    wrong = sorted(
        f"{account} {token.value} {amount}"
        for (account, token), amount in changes.items()
        if token is not STR or amount < 0 or account not in recipients
    )
    if wrong:
        problems.append(f"moved outside the deposit's recipients: {wrong}")
    if sum(changes.values()) != complaint.deposit_ustr:
        problems.append(
            f"the recipients got {sum(changes.values())}, the deposit is {complaint.deposit_ustr}"
        )
    problems += _counters(before.ledger, after.ledger)
    return [observe("ACT-COMPLAINT", *_verdict(problems)), once]


# --- §4.5: reputation ----------------------------------------------------------------------------


def _remembered_start(step: ChainStep, app: AppId) -> int | None:
    """§4.5: when `app`'s active use began by the checker's memory, this step's effects
    included."""
    return record_effects(step.history, step.effects).first_active.get(app)


def _activity_problems(step: ChainStep, record: AppReputation | None, app: AppId) -> list[str]:
    """§4.5: the app's recorded start of active use is the one the checker remembers."""
    recorded = record.first_active_time if record is not None else None
    remembered = _remembered_start(step, app)
    if recorded != remembered:
        return [f"app {app}'s active use began at {recorded}, the checker saw {remembered}"]
    return []


def fresh_app_record(app: AppId) -> AppReputation:
    """§4.5: the record of an app nobody has profiled yet, written out field by field (not the
    model's defaults): closed source, no stake, not yet in active use, no complaints, no
    outbound request."""
    return AppReputation(
        app=app,
        open_source=False,
        staked_ustr=0,
        first_active_time=None,
        node_complaints=0,
        outbound_log=(),
    )


def check_app_profile_contract(step: ChainStep, action: SetAppProfile) -> list[Observation]:
    """ACT-REPUTATION (§4.5): an app profile sets exactly the open-source flag and the stake
    given, and nothing else."""
    before, after = step.before, step.after
    assert before is not None
    problems = _frame(before, after, "reputation") + _amount_problems(
        staked_ustr=action.staked_ustr
    )
    old, new = before.reputation, after.reputation
    record, updated = old.apps.get(action.app), new.apps.get(action.app)
    if updated is None:
        return [
            observe(
                "ACT-REPUTATION", *_verdict([*problems, f"app {action.app} has no record after"])
            )
        ]
    # §4.5: the profile records what exempts the app (open source, stake) and nothing else.
    kept = (record.node_complaints, record.outbound_log) if record is not None else (0, ())
    got = (updated.node_complaints, updated.outbound_log)
    if (updated.app, updated.open_source, updated.staked_ustr) != (
        action.app,
        action.open_source,
        action.staked_ustr,
    ) or got != kept:
        problems.append(f"app {action.app}'s record after is {updated!r}")
    problems += _activity_problems(step, updated, action.app)
    problems += _others_unchanged(old.apps, new.apps, action.app, "app records")
    if old.nodes != new.nodes:
        problems.append("node records changed")
    return [observe("ACT-REPUTATION", *_verdict(problems))]


def _app_fields(record: AppReputation) -> tuple[object, ...]:
    """An app's record but its outbound log."""
    return (
        record.app,
        record.open_source,
        record.staked_ustr,
        record.first_active_time,
        record.node_complaints,
    )


_PAID_CALL = ("reputation", "ledger")


def _external_payout_problems(
    before: ChainState, after: ChainState, action: OutboundRequest
) -> list[str]:
    """§4.4: the node's account gains the base payout in STB and the app's escrow pays it."""
    payout = before.params.market.external_request_payout_ustb
    stake = before.nodes.get(action.node) if action.node is not None else None
    if stake is None:
        return [f"a request by {action.node}, not a registered node, was accepted"]
    expected: dict[BalanceKey, int] = {}
    if payout:
        expected = {
            (get_escrow_account(action.app), STB): -payout,
            (stake.account, STB): payout,
        }
    moved = get_balance_changes(before.ledger, after.ledger)
    problems = [
        f"{account} {token.value} moved {moved.get((account, token), 0)}, the payout"
        f" {expected.get((account, token), 0)}"
        for account, token in sorted(moved.keys() | expected.keys(), key=str)
        if moved.get((account, token), 0) != expected.get((account, token), 0)
    ]
    return problems + _counters(before.ledger, after.ledger)


def check_outbound_request_contract(step: ChainStep, action: OutboundRequest) -> list[Observation]:
    """ACT-REPUTATION (§4.5, §4.4): an outbound request logs exactly the current time for its
    app and, made by a node, moves the base payout from the app's escrow to the node's account
    in STB; nothing else."""
    before, after = step.before, step.after
    assert before is not None
    problems = _frame(before, after, *(("reputation",) if action.node is None else _PAID_CALL))
    if action.node is not None:
        problems += _external_payout_problems(before, after, action)
    if not _is_positive(action.price):
        problems.append(f"a request at the STR price {action.price} was accepted")
    old, new = before.reputation, after.reputation
    record, updated = old.apps.get(action.app), new.apps.get(action.app)
    if updated is None:
        return [
            observe(
                "ACT-REPUTATION", *_verdict([*problems, f"app {action.app} has no record after"])
            )
        ]
    # §4.5: the request is logged at the current time; the log keeps only requests seen.
    log_before = record.outbound_log if record is not None else ()
    log = updated.outbound_log
    if (
        not log
        or log[-1] != before.now
        or not set(log[:-1]) <= set(log_before)
        or list(log) != sorted(log)
    ):
        problems.append(f"app {action.app}'s log went from {log_before} to {log} at {before.now}")
    base = record if record is not None else fresh_app_record(action.app)
    if _app_fields(base) != _app_fields(updated):
        problems.append(f"app {action.app}'s record changed beyond its log")
    problems += _activity_problems(step, updated, action.app)
    problems += _others_unchanged(old.apps, new.apps, action.app, "app records")
    if old.nodes != new.nodes:
        problems.append("node records changed")
    return [observe("ACT-REPUTATION", *_verdict(problems))]


_NO_TRACK = (0, 0, 0, 0, frozenset[AppId]())


def _track(record: NodeReputation | None) -> tuple[int, int, int, int, frozenset[AppId]]:
    """A node's track record as (assigned, majority, minority, absent, hosted apps)."""
    if record is None:
        return _NO_TRACK
    return (
        record.rounds_assigned,
        record.rounds_in_majority,
        record.rounds_in_minority,
        record.rounds_absent,
        record.hosted_apps,
    )


def _node_track_problems(
    before: PMap[NodeId, NodeReputation],
    after: PMap[NodeId, NodeReputation],
    entries: Mapping[str, str],
    app: AppId,
) -> list[str]:
    """§3.4, §4.5: each node with an entry is assigned one more round, hosted `app`, and counts
    one more round of its entry's kind; every other node's record stays as it was."""
    problems = []
    for node in sorted(set(before) | set(after) | {NodeId(n) for n in entries}):
        old, new = before.get(node), after.get(node)
        kind = entries.get(node)
        if kind is None:
            # The F9 complaints a round adds are REP-RECORDED's to check.
            if _track(old) != _track(new):
                problems.append(f"{node} has no entry for the round, yet its record changed")
            continue
        assigned, majority, minority, absent, hosted = _track(old)
        want = (
            assigned + 1,
            majority + (1 if kind == MAJORITY else 0),
            minority + (1 if kind == MINORITY else 0),
            absent + (1 if kind == ABSENT else 0),
            hosted | {app},
        )
        got = _track(new)
        if new is None or new.node != node or got != want:
            problems.append(
                f"{node} ({kind}): (assigned, majority, minority, absent, apps) went from"
                f" {_track(old)} to {got}, expected {want}"
            )
    return problems


def _round_app_problems(step: ChainStep, app: AppId, complaints: int) -> list[str]:
    """§3.5.2, §4.5: the round's app gets exactly its complaints, and its active use begins at
    its first settled round; the rest of its record stays as it was."""
    before, after = step.before, step.after
    assert before is not None
    old, new = before.reputation.apps, after.reputation.apps
    record, updated = old.get(app), new.get(app)
    problems = _others_unchanged(old, new, app, "app records")
    problems += _activity_problems(step, updated, app)
    if updated is None:
        return (
            problems
            if record is None and complaints == 0
            else [*problems, f"{app} lost its record"]
        )
    base = record if record is not None else fresh_app_record(app)
    want = (app, base.open_source, base.staked_ustr, base.node_complaints + complaints)
    got = (updated.app, updated.open_source, updated.staked_ustr, updated.node_complaints)
    if want != got or updated.outbound_log != base.outbound_log:
        problems.append(
            f"app {app}'s (id, open source, stake, complaints) went from"
            f" {(base.app, base.open_source, base.staked_ustr, base.node_complaints)} to {got},"
            f" expected {want}"
        )
    return problems


def check_round_reputation_contract(step: ChainStep, action: RunRound) -> list[Observation]:
    """ACT-REPUTATION (§3.4, §3.5.2, §4.5): a settled round adds each node's entry to its track
    record, its app's complaints to the app's record, and starts the app's active use if it had
    not begun; a round that never decides changes no record."""
    before, after = step.before, step.after
    assert before is not None
    effects = [effect for effect in step.effects if isinstance(effect, RoundEffect)]
    if len(effects) != 1:
        return []  # ACT-ROUND reports a step that ran no round, or several
    run = effects[0].run
    state, decision = run.state, run.state.decision
    if run.decided_at is None or decision is None:
        unchanged = before.reputation == after.reputation
        return [observe("ACT-REPUTATION", unchanged, "a round that never decided changed records")]
    entries = round_entries(
        assigned=state.assigned,
        abstained=state.abstentions,
        committed=set(state.commits),
        consensus=decision.consensus,
        supermajority=decision.supermajority,
        counted=decision.counted,
        mismatched=decision.mismatched,
        app_withheld_salts=decision.app_withheld_salts,
    )
    complaints = app_complaints_of_round(
        abstained=state.abstentions, app_withheld_salts=decision.app_withheld_salts
    )
    problems = _node_track_problems(
        before.reputation.nodes, after.reputation.nodes, entries, action.app
    )
    problems += _round_app_problems(step, action.app, complaints)
    return [observe("ACT-REPUTATION", *_verdict(problems))]


def check_round_and_reputation_contract(step: ChainStep, action: RunRound) -> list[Observation]:
    """A round's contracts: ACT-ROUND, ACT-ONCE and ACT-DEADLINE, then ACT-REPUTATION."""
    return [*check_round_run_contract(step, action), *check_round_reputation_contract(step, action)]


# --- The clock -----------------------------------------------------------------------------------


def check_clock_contract(step: ChainStep, action: AdvanceTime) -> list[Observation]:
    """ACT-DEADLINE: the clock every window, deadline and year is measured on moves by exactly
    the time step, and nothing else changes."""
    before, after = step.before, step.after
    assert before is not None
    # Every window, deadline and year is measured on this clock: it moves by exactly the step.
    problems = _frame(before, after, "now")
    if action.seconds < 0 or after.now != before.now + action.seconds:
        problems.append(
            f"the clock went from {before.now} to {after.now} on a step of {action.seconds} s"
        )
    return [observe("ACT-DEADLINE", *_verdict(problems))]


# --- Dispatch ------------------------------------------------------------------------------------

CONTRACTS: dict[type[Any], Callable[[ChainStep, Any], list[Observation]]] = {
    DepositUsdc: check_deposit_contract,
    RedeemStb: check_redemption_contract,
    Transfer: check_transfer_contract,
    Prepay: check_prepayment_contract,
    MovePrice: check_move_price_contract,
    PrepayTimeframes: check_prepay_timeframes_contract,
    PayOwed: check_pay_owed_contract,
    RunRound: check_round_and_reputation_contract,
    ResolveLocked: check_locked_resolution_contract,
    SetAppValidatorCount: check_app_validator_count_contract,
    LaunchService: check_launch_contract,
    BidService: check_bid_contract,
    ChooseNodes: check_choice_contract,
    UseService: check_use_contract,
    WithdrawPrepayment: check_withdrawal_contract,
    Delegate: check_bond_contract,
    Undelegate: check_bond_contract,
    CommitBlock: check_block_commit_contract,
    Equivocate: check_equivocation_contract,
    ReportDoubleSign: check_late_evidence_contract,
    ReportDowntime: check_downtime_contract,
    Unjail: check_unjail_contract,
    CompleteUnbonding: check_unbonding_completion_contract,
    DistributeRewards: check_rewards_contract,
    SlashValidator: check_validator_slash_contract,
    AdvanceTime: check_clock_contract,
    MintInflation: check_mint_contract,
    SwapReserve: check_reserve_swap_contract,
    AddLiquidity: check_add_liquidity_contract,
    RemoveLiquidity: check_remove_liquidity_contract,
    Swap: check_swap_contract,
    GrantNetworkSupport: check_grant_contract,
    FundInsurance: check_insurance_contribution_contract,
    PayInsurance: check_insurance_payout_contract,
    SlashNode: check_node_slash_contract,
    SubmitProposal: check_proposal_contract,
    CastVote: check_vote_contract,
    Tally: check_tally_contract,
    CreateSubcommittee: check_subcommittee_creation_contract,
    DelegateToSubcommittee: check_subcommittee_bond_contract,
    UndelegateFromSubcommittee: check_subcommittee_bond_contract,
    SubmitComplaint: check_complaint_contract,
    ResolveComplaint: check_complaint_resolution_contract,
    SetAppProfile: check_app_profile_contract,
    OutboundRequest: check_outbound_request_contract,
}
"""Every kind of action of `model.chain.actions` and its contract."""


SIGNED_BY: dict[type, tuple[str, str]] = {
    RedeemStb: ("holder", "ACT-BRIDGE"),
    Delegate: ("delegator", "ACT-STAKING"),
    Undelegate: ("delegator", "ACT-STAKING"),
    DelegateToSubcommittee: ("delegator", "ACT-SUBCOMMITTEE"),
    UndelegateFromSubcommittee: ("delegator", "ACT-SUBCOMMITTEE"),
    SubmitProposal: ("proposer", "ACT-GOVERNANCE"),
    CastVote: ("voter", "ACT-GOVERNANCE"),
    SubmitComplaint: ("complainant", "ACT-COMPLAINT"),
    FundInsurance: ("contributor", "ACT-GRANT"),
}
"""Actions that spend from or speak for one account, the field naming it, and the contract it
belongs to. §6.2: an account acts only by its key, and nobody holds a key to a module pool or an
app's escrow, so such an action naming one must have been refused."""


def check_signer(step: ChainStep, action: object) -> list[Observation]:
    """ACT-* (§6.2): an accepted action that spends from or speaks for a module pool or an
    escrow breaks its family's contract, whatever it moved."""
    signed = SIGNED_BY.get(type(action))
    if signed is None:
        return []
    field_name, invariant_id = signed
    signer = getattr(action, field_name)
    if is_user_account(signer):
        return []
    return [
        observe(invariant_id, False, f"{field_name} {signer} has no key: the action was accepted")
    ]


def check_action_contracts(step: ChainStep) -> tuple[Observation, ...]:
    """ACT-*: the step's action against its contract (genesis has no action and no contract).
    A tally is also judged by GOV-SAFE (`properties.invariants.gov_safe`): the parameters it
    adopts stay where the invariants are proven."""
    if step.action is None or step.before is None:
        return ()
    safe = check_gov_safe(step) if isinstance(step.action, Tally) else None
    return (
        *CONTRACTS[type(step.action)](step, step.action),
        *check_signer(step, step.action),
        *(() if safe is None else (safe,)),
    )
