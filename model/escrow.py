"""Application escrows: the developer's prepayment and every payout drawn from it (§4.3.1, §4.4).

Each app's tokens sit in two ledger accounts, its escrow and its locked escrow (§3.3 Step 12);
this module keeps the book beside them: the developer, the STR price fixed at deposit and the
round payments locked after a consensus FALSE. Payouts draw only on the app's own accounts, so
ESCROW-SOLVENT is a property of the ledger and the book together.
"""

from __future__ import annotations

import hashlib
from fractions import Fraction

import attrs
from attrs import field, frozen
from pyrsistent import PMap, pmap

from model import arith
from model.ledger import (
    Ledger,
    Token,
    get_balance,
    get_escrow_account,
    get_locked_escrow_account,
    is_user_account,
)
from model.maps import dmap
from model.params import Params
from model.payment import (
    PaymentSplit,
    Step,
    StrPayout,
    apply_steps,
    check_split_nonnegative,
    compute_bid_payment_split,
    compute_payment_split,
    get_str_payout,
    process_payment_split,
    transfer_step,
)
from model.records import evolve
from model.units import (
    AccountId,
    AppId,
    Outcome,
    Rejected,
    StrPrice,
    UsdMicro,
    UStb,
    UStr,
    ValidatorId,
    is_valid_price,
)


@frozen
class LockedPayment:
    """§3.3 Step 12: one round's payment to `node_accounts`, locked until the dispute is resolved."""

    round_id: int
    node_accounts: tuple[AccountId, ...]
    split: PaymentSplit
    """The network's split of the round's cost (§6.3): what a node without a bid is owed."""
    str_payout: StrPayout
    """The split's STR side at `price`, per node."""
    price: StrPrice | None
    """The escrow's STR price at locking; None when no locked split has an STR part."""
    validators: tuple[ValidatorId, ...] = ()
    """§3.3 Step 12: the round's committee of validators, who resolve the lock (ranking order)."""
    output_hashes: tuple[bytes | None, ...] = ()
    """Per node account, in order, the output hash its counted reveal carried (None: none)."""
    agreed_output_hash: bytes | None = None
    """§3.3 F10 over the nodes' reveals: the supermajority output, None if consensus FALSE."""
    threshold_base: int = 0
    """The N of the round's F10 threshold."""
    node_splits: tuple[tuple[PaymentSplit, StrPayout], ...] = ()
    """§4.4, §6.3.2: per node account, in order, the split it is owed at its own STR margin bid
    and its STR side at `price` (empty: every node is owed `split` and `str_payout`)."""

    def get_output_hash(self, index: int) -> bytes | None:
        """The output hash of the `index`-th node account (None when not recorded)."""
        return self.output_hashes[index] if index < len(self.output_hashes) else None

    def get_node_split(self, index: int) -> tuple[PaymentSplit, StrPayout]:
        """The split the `index`-th node account is owed, and its STR side at `price`."""
        if self.node_splits:
            return self.node_splits[index]
        return self.split, self.str_payout

    @property
    def locked_ustb(self) -> UStb:
        """All STB the record holds in the locked escrow."""
        return sum(self.get_node_split(i)[0].stb_withdrawn for i in range(len(self.node_accounts)))

    @property
    def locked_ustr(self) -> UStr:
        """All STR the record holds in the locked escrow."""
        return sum(self.get_node_split(i)[1].total_ustr for i in range(len(self.node_accounts)))


def _no_locked() -> PMap[int, LockedPayment]:
    return pmap()


@frozen
class OwedPayment:
    """§4.3.1, §6.3: a node's payment for a round that its app's escrow could not pay when the
    round settled (the literal reading runs such rounds); a book entry, never tokens."""

    round_id: int
    node_account: AccountId
    split: PaymentSplit
    """The node's §6.3 split: its STB (`split.stb_withdrawn`) and its STR as USD values."""

    @property
    def owed_ustb(self) -> UStb:
        """The STB owed: the node's cost basis and STB profit, and the swap reserve's part."""
        return self.split.stb_withdrawn

    @property
    def owed_str_usd(self) -> UsdMicro:
        """The STR owed, in micro-dollars: the node's STR profit, the burn and network support."""
        return (
            self.split.str_node_profit_usd
            + self.split.str_burn_usd
            + self.split.str_network_support_usd
        )


@frozen
class AppEscrow:
    """§4.3.1: the book of one app's escrow; the tokens live in the ledger's escrow accounts."""

    app: AppId
    developer: AccountId
    str_price: StrPrice | None = None
    """USD per STR of the STR held, the deposit-weighted average of prepayment prices."""
    locked: PMap[int, LockedPayment] = field(factory=_no_locked)
    owed: tuple[OwedPayment, ...] = ()
    """Node payments the escrow could not pay at settlement, oldest first (`process_pay_owed`)."""


def _no_escrows() -> PMap[AppId, AppEscrow]:
    return dmap()


@frozen
class EscrowBook:
    """Every app's escrow book, by app id."""

    escrows: PMap[AppId, AppEscrow] = field(factory=_no_escrows)


@frozen
class ValidationPayout:
    """§4.4: who was paid for one validation round, how much each, and what stayed in escrow."""

    selected: tuple[AccountId, ...]
    per_validator: UStr
    remainder: UStr


def _with_escrow(book: EscrowBook, escrow: AppEscrow) -> EscrowBook:
    return evolve(book, escrows=book.escrows.set(escrow.app, escrow))


def _unknown_app(rule: str, app: AppId) -> Rejected:
    return Rejected(rule, f"app {app} has no escrow")


def _check_cost(rule: str, cost: UsdMicro) -> Rejected | None:
    if cost < 0:
        return Rejected(rule, f"cost must not be negative, got {cost}")
    return None


def _check_distinct_user_accounts(
    rule: str, accounts: tuple[AccountId, ...], *, what: str
) -> Rejected | None:
    if len(set(accounts)) != len(accounts):
        return Rejected(rule, f"{what}s contain duplicates: {accounts}")
    for account in accounts:
        if not is_user_account(account):
            return Rejected(rule, f"{what} {account} is a module or escrow account")
    return None


def process_open_escrow(
    book: EscrowBook, *, app: AppId, developer: AccountId
) -> Outcome[EscrowBook]:
    """§4.3.1: open the application-specific escrow of `app`, owned by `developer`."""
    rule = "process_open_escrow"
    # Verify the app has no escrow yet.
    if app in book.escrows:
        return Rejected(rule, f"app {app} already has an escrow")
    # Verify the app id is non-empty, so escrow account ids stay distinct from one another.
    if not app:
        return Rejected(rule, "the app id must not be empty")
    # Verify the developer is an account of its own, not a pool or an escrow.
    if not is_user_account(developer):
        return Rejected(rule, f"developer {developer} is a module or escrow account")
    return _with_escrow(book, AppEscrow(app=app, developer=developer))


def compute_average_price(
    held_ustr: UStr, old_price: StrPrice | None, deposit_ustr: UStr, price: StrPrice
) -> StrPrice | None:
    """§6.3.3: the escrow's STR price after a deposit, the exact deposit-weighted average."""
    if deposit_ustr == 0:
        return old_price
    # STR that arrived without a price (or nothing at all) does not weigh on the average.
    if held_ustr == 0 or old_price is None:
        return price
    return (held_ustr * old_price + deposit_ustr * price) / Fraction(held_ustr + deposit_ustr)


def process_prepayment(
    ledger: Ledger,
    book: EscrowBook,
    *,
    app: AppId,
    payer: AccountId,
    ustb: UStb,
    ustr: UStr,
    price: StrPrice | None,
) -> Outcome[tuple[Ledger, EscrowBook]]:
    """§4.3.1: the developer prepays STB and STR (at `price`) into the app's escrow."""
    rule = "process_prepayment"
    escrow = book.escrows.get(app)
    if escrow is None:
        return _unknown_app(rule, app)
    # Verify only the app's developer prepays.
    if payer != escrow.developer:
        return Rejected(rule, f"{payer} is not the developer {escrow.developer} of app {app}")
    # Verify STR comes with a positive USD price, at which its payouts are valued.
    if ustr != 0 and (price is None or not is_valid_price(price)):
        return Rejected(rule, f"a deposit of {ustr} ustr needs a positive price, got {price!r}")
    account = get_escrow_account(app)
    held_ustr = get_balance(ledger, account).ustr
    steps = (
        transfer_step(payer, account, Token.STB, ustb),
        transfer_step(payer, account, Token.STR, ustr),
    )
    result = apply_steps(ledger, steps, rule=rule)
    if isinstance(result, Rejected):
        return result
    new_price = escrow.str_price
    if price is not None and ustr > 0:
        new_price = compute_average_price(held_ustr, escrow.str_price, ustr, price)
    return result, _with_escrow(book, evolve(escrow, str_price=new_price))


def process_usage_payment(
    ledger: Ledger,
    book: EscrowBook,
    *,
    app: AppId,
    node_account: AccountId,
    cost: UsdMicro,
    params: Params,
    at_price: StrPrice | None = None,
    str_margin_bps: int | None = None,
) -> Outcome[Ledger]:
    """§4.4, §6.3: pay a node's usage payment for `cost` from the app's own escrow, its STR at
    `at_price` (None: the escrow's deposit price, §6.3.3), its STR margin the node's bid
    (`str_margin_bps` of cost; None: the network's)."""
    rule = "process_usage_payment"
    escrow = book.escrows.get(app)
    if escrow is None:
        return _unknown_app(rule, app)
    # Verify the cost is a non-negative number of micro-dollars.
    refused = _check_cost(rule, cost)
    if refused is not None:
        return refused
    result = process_payment_split(
        ledger,
        source=get_escrow_account(app),
        node_account=node_account,
        split=get_node_split(cost, params, str_margin_bps),
        price=escrow.str_price if at_price is None else at_price,
    )
    if isinstance(result, Rejected):
        return Rejected(rule, str(result))
    return result


def get_node_split(cost: UsdMicro, params: Params, str_margin_bps: int | None) -> PaymentSplit:
    """§6.3, §6.3.2: a node's split: the network's, or the one of its STR margin bid."""
    if str_margin_bps is None:
        return compute_payment_split(cost, params)
    return compute_bid_payment_split(cost, params, str_margin_bps)


def is_payment_covered(
    ledger: Ledger, app: AppId, split: PaymentSplit, price: StrPrice | None, count: int = 1
) -> bool:
    """§4.3.1: the app's escrow holds `count` payments of `split` (STR at `price`) in full."""
    payout = get_str_payout(split, price, rule="is_payment_covered")
    if isinstance(payout, Rejected):
        return False
    held = get_balance(ledger, get_escrow_account(app))
    return held.ustb >= count * split.stb_withdrawn and held.ustr >= count * payout.total_ustr


def check_round_funded(
    ledger: Ledger,
    *,
    app: AppId,
    nodes: int,
    cost: UsdMicro,
    params: Params,
    price: StrPrice | None,
    prefund_ustr: UStr,
    str_margins: tuple[int | None, ...] = (),
) -> Rejected | None:
    """§4.3.1, §4.4: a round starts only when the app's escrow holds its whole payment: each of
    its `nodes` assigned nodes' STB and STR (at `price`), each at its own STR margin bid
    (`str_margins`, per node; none, or None: the network's, §6.3.2), and the validation
    prefund."""
    rule = "check_round_funded"
    split = compute_payment_split(cost, params)
    # Verify no part is negative (incoherent parameters produce negative parts).
    refused = check_split_nonnegative(split, rule=rule)
    if refused is not None:
        return refused
    payout = get_str_payout(split, price, rule=rule)
    if isinstance(payout, Rejected):
        return payout
    margins = str_margins or (None,) * nodes
    owed = _get_own_splits(cost, params, price, margins, rule=rule) or ((split, payout),) * nodes
    if isinstance(owed, Rejected):
        return owed
    held = get_balance(ledger, get_escrow_account(app))
    need_ustb = sum(own.stb_withdrawn for own, _ in owed)
    need_ustr = sum(own_payout.total_ustr for _, own_payout in owed) + prefund_ustr
    # Verify the escrow holds every node's payment and the prefund.
    if held.ustb < need_ustb or held.ustr < need_ustr:
        return Rejected(
            rule,
            f"the escrow of {app} holds {held.ustb} ustb and {held.ustr} ustr, the round needs"
            f" {need_ustb} ustb and {need_ustr} ustr",
        )
    return None


def process_record_owed(
    book: EscrowBook, *, app: AppId, round_id: int, node_account: AccountId, split: PaymentSplit
) -> Outcome[EscrowBook]:
    """§4.3.1 (literal): a node the escrow cannot pay is owed its payment, in the book only."""
    rule = "process_record_owed"
    escrow = book.escrows.get(app)
    if escrow is None:
        return _unknown_app(rule, app)
    entry = OwedPayment(round_id=round_id, node_account=node_account, split=split)
    return _with_escrow(book, evolve(escrow, owed=(*escrow.owed, entry)))


def process_pay_owed(
    ledger: Ledger, book: EscrowBook, *, app: AppId, at_price: StrPrice | None = None
) -> Outcome[tuple[Ledger, EscrowBook, tuple[OwedPayment, ...]]]:
    """§4.3.1, §6.3: pay the app's owed node payments oldest first, each in full from the
    escrow (STR at `at_price`; None: the deposit price), stopping at the first it cannot pay."""
    rule = "process_pay_owed"
    escrow = book.escrows.get(app)
    if escrow is None:
        return _unknown_app(rule, app)
    # Verify something is owed.
    if not escrow.owed:
        return Rejected(rule, f"app {app} owes no node payment")
    price = escrow.str_price if at_price is None else at_price
    account = get_escrow_account(app)
    paid: list[OwedPayment] = []
    for entry in escrow.owed:
        result = process_payment_split(
            ledger,
            source=account,
            node_account=entry.node_account,
            split=entry.split,
            price=price,
        )
        if isinstance(result, Rejected):
            break
        ledger = result
        paid.append(entry)
    # Verify the oldest owed payment could be paid.
    if not paid:
        return Rejected(rule, f"the escrow of {app} cannot pay its oldest owed payment")
    rest = escrow.owed[len(paid) :]
    return ledger, _with_escrow(book, evolve(escrow, owed=rest)), tuple(paid)


def compute_validator_ranking(
    subscribers: tuple[AccountId, ...], seed: bytes
) -> tuple[AccountId, ...]:
    """§4.4: the subscribers in a seeded uniform random order: by sha256(seed + id), then by id."""
    return tuple(
        sorted(
            subscribers,
            key=lambda account: (hashlib.sha256(seed + account.encode("utf-8")).digest(), account),
        )
    )


def compute_validator_count(prefund_ustr: UStr, subscribers: int, floor_ustr: UStr) -> int:
    """§4.4: all subscribers, unless the floor cannot be met: then as many as the prefund pays."""
    if subscribers == 0:
        return 0
    if floor_ustr > 0 and prefund_ustr // subscribers < floor_ustr:
        return prefund_ustr // floor_ustr
    return subscribers


def process_validation_payment(
    ledger: Ledger,
    book: EscrowBook,
    *,
    app: AppId,
    prefund_ustr: UStr,
    subscribers: tuple[AccountId, ...],
    seed: bytes,
    params: Params,
) -> Outcome[tuple[Ledger, EscrowBook, ValidationPayout]]:
    """§4.4: split a round's validation prefund equally among the (selected) validators."""
    rule = "process_validation_payment"
    if app not in book.escrows:
        return _unknown_app(rule, app)
    account = get_escrow_account(app)
    # Verify the prefund is non-negative and held in the app's escrow.
    held = get_balance(ledger, account).ustr
    if not 0 <= prefund_ustr <= held:
        return Rejected(rule, f"prefund {prefund_ustr} ustr is not within the escrow's {held} ustr")
    # Verify every subscriber is a distinct account of its own.
    refused = _check_distinct_user_accounts(rule, subscribers, what="subscriber")
    if refused is not None:
        return refused
    floor = params.payment.validation_floor_ustr
    count = compute_validator_count(prefund_ustr, len(subscribers), floor)
    # Verify at least one validator can be paid at least the floor.
    if count == 0:
        return Rejected(
            rule,
            f"no validator can be paid: {len(subscribers)} subscribers, "
            f"prefund {prefund_ustr} ustr, floor {floor} ustr",
        )
    selected = compute_validator_ranking(subscribers, seed)[:count]
    # The remainder of the equal division is never withdrawn: it stays in the escrow.
    share = arith.divide_validation_payment(arith.INTS, prefund_ustr, count)
    per_validator, remainder = share.each, share.remainder
    steps = [transfer_step(account, validator, Token.STR, per_validator) for validator in selected]
    result = apply_steps(ledger, steps, rule=rule)
    if isinstance(result, Rejected):
        return result
    return result, book, ValidationPayout(selected, per_validator, remainder)


def process_lock_round_payment(
    ledger: Ledger,
    book: EscrowBook,
    *,
    app: AppId,
    round_id: int,
    node_accounts: tuple[AccountId, ...],
    cost: UsdMicro,
    params: Params,
    validators: tuple[ValidatorId, ...] = (),
    output_hashes: tuple[bytes | None, ...] = (),
    agreed_output_hash: bytes | None = None,
    threshold_base: int = 0,
    at_price: StrPrice | None = None,
    str_margins: tuple[int | None, ...] = (),
) -> Outcome[tuple[Ledger, EscrowBook]]:
    """§3.3 Step 12: after consensus FALSE, or without a validator supermajority, lock what the
    round would pay its nodes in escrow, with what its validators need to resolve it; the STR
    at `at_price` (None: the escrow's deposit price, §6.3.3); each node at its own STR margin
    bid, `str_margins` per node account (§4.4, §6.3.2; none, or None: the network's)."""
    rule = "process_lock_round_payment"
    escrow = book.escrows.get(app)
    if escrow is None:
        return _unknown_app(rule, app)
    # Verify the round is not locked yet and its nodes are distinct accounts of their own.
    refused = _check_new_round(rule, escrow, round_id, node_accounts)
    if refused is not None:
        return refused
    split = compute_payment_split(cost, params)
    # Verify the cost is non-negative and no part is negative (incoherent parameters).
    refused = _check_cost(rule, cost) or check_split_nonnegative(split, rule=rule)
    if refused is not None:
        return refused
    price = escrow.str_price if at_price is None else at_price
    # Verify each node account has at most one margin and one recorded output hash.
    if len(str_margins) > len(node_accounts) or len(output_hashes) > len(node_accounts):
        return Rejected(rule, "more margins or output hashes than locked node accounts")
    payout = get_str_payout(split, price, rule=rule)
    if isinstance(payout, Rejected):
        return payout
    own_splits = _get_own_splits(cost, params, price, str_margins, rule=rule)
    if isinstance(own_splits, Rejected):
        return own_splits
    record = LockedPayment(
        round_id,
        node_accounts,
        split,
        payout,
        price,
        validators=validators,
        output_hashes=output_hashes,
        agreed_output_hash=agreed_output_hash,
        threshold_base=threshold_base,
        node_splits=own_splits,
    )
    source, target = get_escrow_account(app), get_locked_escrow_account(app)
    steps = (
        transfer_step(source, target, Token.STB, record.locked_ustb),
        transfer_step(source, target, Token.STR, record.locked_ustr),
    )
    result = apply_steps(ledger, steps, rule=rule)
    if isinstance(result, Rejected):
        return result
    locked = evolve(escrow, locked=escrow.locked.set(round_id, record))
    return result, _with_escrow(book, locked)


def _get_own_splits(
    cost: UsdMicro,
    params: Params,
    price: StrPrice | None,
    str_margins: tuple[int | None, ...],
    *,
    rule: str,
) -> Outcome[tuple[tuple[PaymentSplit, StrPayout], ...]]:
    """§4.4, §6.3.2: each node's split at its own margin and its STR side at `price`; none when
    no node bid (every node is owed the network's split)."""
    if all(margin is None for margin in str_margins):
        return ()
    owed = []
    for margin in str_margins:
        split = get_node_split(cost, params, margin)
        # Verify no part of the node's split is negative.
        refused = check_split_nonnegative(split, rule=rule)
        if refused is not None:
            return refused
        payout = get_str_payout(split, price, rule=rule)
        if isinstance(payout, Rejected):
            return payout
        owed.append((split, payout))
    return tuple(owed)


def _check_new_round(
    rule: str, escrow: AppEscrow, round_id: int, node_accounts: tuple[AccountId, ...]
) -> Rejected | None:
    if round_id in escrow.locked:
        return Rejected(rule, f"round {round_id} of app {escrow.app} is already locked")
    if not node_accounts:
        return Rejected(rule, "a locked round payment needs at least one node")
    return _check_distinct_user_accounts(rule, node_accounts, what="node account")


def process_resolve_locked_payment(
    ledger: Ledger, book: EscrowBook, *, app: AppId, round_id: int, paid_hash: bytes | None
) -> Outcome[tuple[Ledger, EscrowBook, tuple[AccountId, ...]]]:
    """§3.3 Steps 11-12: a resolved lock pays the locked split to exactly the nodes whose
    revealed output is the resolved one (`paid_hash`; None: consensus FALSE, nobody) and
    returns every other node's share to the app's escrow."""
    rule = "process_resolve_locked_payment"
    escrow = book.escrows.get(app)
    if escrow is None:
        return _unknown_app(rule, app)
    # Verify the round has a locked payment.
    record = escrow.locked.get(round_id)
    if record is None:
        return Rejected(rule, f"round {round_id} of app {app} has no locked payment")
    locked_account = get_locked_escrow_account(app)
    paid = tuple(
        account
        for index, account in enumerate(record.node_accounts)
        if paid_hash is not None and record.get_output_hash(index) == paid_hash
    )
    owed = [record.get_node_split(i) for i in range(len(record.node_accounts))]
    returned = [owed[i] for i, account in enumerate(record.node_accounts) if account not in paid]
    target = get_escrow_account(app)
    steps: list[Step] = [
        _pay_step(locked_account, account, owed[i][0], record.price)
        for i, account in enumerate(record.node_accounts)
        if account in paid
    ]
    if returned:
        steps += [
            transfer_step(
                locked_account, target, Token.STB, sum(s.stb_withdrawn for s, _ in returned)
            ),
            transfer_step(
                locked_account, target, Token.STR, sum(p.total_ustr for _, p in returned)
            ),
        ]
    result = apply_steps(ledger, steps, rule=rule)
    if isinstance(result, Rejected):
        return result
    resolved = attrs.evolve(escrow, locked=escrow.locked.remove(round_id))
    return result, _with_escrow(book, resolved), paid


def _pay_step(
    source: AccountId, node: AccountId, split: PaymentSplit, price: StrPrice | None
) -> Step:
    return lambda ledger: process_payment_split(
        ledger, source=source, node_account=node, split=split, price=price
    )


def process_withdraw_prepayment(
    ledger: Ledger, book: EscrowBook, *, app: AppId, developer: AccountId, ustb: UStb, ustr: UStr
) -> Outcome[Ledger]:
    """§4.3.1: the developer takes back unused prepayment; locked payments stay locked."""
    rule = "process_withdraw_prepayment"
    escrow = book.escrows.get(app)
    if escrow is None:
        return _unknown_app(rule, app)
    # Verify only the app's developer withdraws.
    if developer != escrow.developer:
        return Rejected(rule, f"{developer} is not the developer {escrow.developer} of app {app}")
    account = get_escrow_account(app)
    steps = (
        transfer_step(account, developer, Token.STB, ustb),
        transfer_step(account, developer, Token.STR, ustr),
    )
    return apply_steps(ledger, steps, rule=rule)
