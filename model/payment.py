"""The node payment of §6.3: the cost-basis and margin split of T, and where each part goes.

The split is computed in micro-dollars with floor divisions whose dust is always absorbed by a
named part, so the parts sum to T exactly for every cost and every parameter set (CONS-SPLIT);
incoherent parameters show up as negative parts, which the transitions refuse to pay.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import Enum
from functools import partial

from attrs import frozen

from model import arith
from model.ledger import (
    BURN_ADDRESS,
    NETWORK_SUPPORT,
    STRATOSWAP_POOL,
    SWAP_RESERVE,
    Ledger,
    Move,
    Token,
    get_balance,
    is_user_account,
    process_moves,
)
from model.params import Params, get_param_by_name
from model.records import evolve
from model.stratoswap import compute_swap_output, get_reserves, get_swap_refusal, is_pool_empty
from model.units import (
    AccountId,
    Bps,
    Outcome,
    Rejected,
    StrPrice,
    UsdMicro,
    UStr,
    is_valid_price,
)


@frozen
class PaymentSplit:
    """§6.3: the total payment T for one cost, as its six parts (micro-dollars; STB is 1:1)."""

    cost: UsdMicro
    total: UsdMicro
    """T = cost * payment_rate_bps // 10_000; the fraction of a micro-unit is never withdrawn."""
    stb_cost_basis: UsdMicro
    stb_node_profit: UsdMicro
    stb_swap_reserve: UsdMicro
    str_node_profit_usd: UsdMicro
    str_burn_usd: UsdMicro
    str_network_support_usd: UsdMicro

    @property
    def stb_withdrawn(self) -> UsdMicro:
        """The STB taken from the payer: cost basis, node's STB profit and swap reserve."""
        return self.stb_cost_basis + self.stb_node_profit + self.stb_swap_reserve

    @property
    def node_stb(self) -> UsdMicro:
        """The STB the node receives: its cost basis and its STB profit."""
        return self.stb_cost_basis + self.stb_node_profit

    def parts(self) -> tuple[UsdMicro, ...]:
        """The six parts in a fixed order; they sum to `total` exactly."""
        return (
            self.stb_cost_basis,
            self.stb_node_profit,
            self.stb_swap_reserve,
            self.str_node_profit_usd,
            self.str_burn_usd,
            self.str_network_support_usd,
        )

    def named_parts(self) -> tuple[tuple[str, UsdMicro], ...]:
        """The parts with their field names, for messages and reports."""
        names = (
            "stb_cost_basis",
            "stb_node_profit",
            "stb_swap_reserve",
            "str_node_profit_usd",
            "str_burn_usd",
            "str_network_support_usd",
        )
        return tuple(zip(names, self.parts(), strict=True))


@frozen
class StrPayout:
    """The STR side of a split converted at one price (ustr); the node absorbs conversion dust."""

    total_ustr: UStr
    node_ustr: UStr
    burn_ustr: UStr
    network_ustr: UStr


ZERO_STR_PAYOUT = StrPayout(total_ustr=0, node_ustr=0, burn_ustr=0, network_ustr=0)


class SupportPurpose(Enum):
    """§6.5.1-§6.5.3: what a Network Support grant pays for."""

    CORE_DEVELOPMENT = "core-development"
    APP_MINING = "app-mining"
    BUG_BOUNTY = "bug-bounty"


def is_support_purpose(purpose: object) -> bool:
    """§6.5.1-§6.5.3: `purpose` is one of the three Network Support names."""
    return isinstance(purpose, SupportPurpose)


Step = Callable[[Ledger], Outcome[Ledger]]
"""One ledger primitive with its arguments bound, waiting for the ledger."""


def transfer_step(sender: AccountId, recipient: AccountId, token: Token, amount: int) -> Step:
    """A `process_transfer` of `amount` `token` from `sender` to `recipient`, as a step."""
    return Move(sender, recipient, token, amount)


def burn_step(holder: AccountId, amount: UStr) -> Step:
    """A `process_burn` of `amount` STR held by `holder`, as a step; burning nothing is a no-op."""
    # A no-op even where process_burn would refuse the holder (the burn address itself).
    if amount == 0:
        return lambda ledger: ledger
    return Move(holder, BURN_ADDRESS, Token.STR, amount, burn=True)


def apply_steps(ledger: Ledger, steps: Iterable[Step], *, rule: str) -> Outcome[Ledger]:
    """Apply `steps` in order; the first refusal is reported under `rule` and nothing moves.

    Each run of transfers and burns is applied by `process_moves` as one new ledger, with the
    result and refusals of applying them one by one."""
    moves: list[Move] = []
    for step in [*steps, None]:
        if type(step) is Move:
            moves.append(step)
            continue
        result = process_moves(ledger, moves) if moves else ledger
        if step is not None and not isinstance(result, Rejected):
            result = step(result)
        if isinstance(result, Rejected):
            return Rejected(rule, str(result))
        ledger, moves = result, []
    return ledger


def compute_payment_split(cost: UsdMicro, params: Params) -> PaymentSplit:
    """§6.3, §6.8: split T = rate * C into cost basis, STB margin and STR margin, dust to named parts.

    The sub-shares str_node_profit_bps and stb_node_profit_bps never enter here: the node's
    profits are what is left of each margin, so they equal those shares only when the
    parameters are coherent (GOV-PARAMS); otherwise a part may come out negative.
    """
    shares = arith.read_shares(partial(get_param_by_name, params))
    terms = arith.split_payment(arith.INTS, cost, shares)
    return PaymentSplit(
        cost=cost,
        total=terms.total,
        stb_cost_basis=terms.stb_cost_basis,
        stb_node_profit=terms.stb_node_profit,
        stb_swap_reserve=terms.stb_swap_reserve,
        str_node_profit_usd=terms.str_node_profit_usd,
        str_burn_usd=terms.str_burn_usd,
        str_network_support_usd=terms.str_network_support_usd,
    )


def compute_bid_payment_split(cost: UsdMicro, params: Params, str_margin_bps: int) -> PaymentSplit:
    """§6.3.2 "The node can set this amount to be received", §4.4: the split of a node that bids
    an STR profit margin of `str_margin_bps` of its cost. The STB parts are the network's (cost
    basis and STB margin from the governed shares of T); the STR parts total
    cost * str_margin_bps // 10_000, shared among the node, the burn and network support in
    proportion to the governed STR sub-shares, the node taking the dust. At the network's margin
    (str_profit_margin_bps * payment_rate_bps // 10_000 of cost) and the whitepaper's shares it
    is `compute_payment_split` exactly."""
    network = compute_payment_split(cost, params)
    pay = params.payment
    str_total = cost * str_margin_bps // 10_000
    margin_bps = pay.str_profit_margin_bps
    # A zero STR margin share has zero sub-shares (GOV-PARAMS): the node keeps the whole bid.
    burn = str_total * pay.str_burn_bps // margin_bps if margin_bps else 0
    support = str_total * pay.str_network_support_bps // margin_bps if margin_bps else 0
    return evolve(
        network,
        total=network.stb_withdrawn + str_total,
        str_node_profit_usd=str_total - burn - support,
        str_burn_usd=burn,
        str_network_support_usd=support,
    )


def check_split_nonnegative(split: PaymentSplit, *, rule: str) -> Rejected | None:
    """CONS-SPLIT (§6.3): `rule`'s refusal naming the first negative part, or None if none is."""
    for name, part in split.named_parts():
        if part < 0:
            return Rejected(
                rule, f"part {name} is negative ({part}): the payment parameters are incoherent"
            )
    return None


def compute_str_payout(split: PaymentSplit, price: StrPrice) -> StrPayout:
    """§6.3.3: the split's STR parts in ustr at `price` (> 0); the node absorbs conversion dust."""
    terms = arith.convert_str_parts(
        arith.INTS,
        arith.SplitTerms(split.total, *split.parts()),
        price.numerator,
        price.denominator,
    )
    return StrPayout(
        total_ustr=terms.total_ustr,
        node_ustr=terms.node_ustr,
        burn_ustr=terms.burn_ustr,
        network_ustr=terms.network_ustr,
    )


def get_str_payout(split: PaymentSplit, price: StrPrice | None, *, rule: str) -> Outcome[StrPayout]:
    """§6.3.3: the STR payout of `split`; a price is needed only when an STR part is non-zero."""
    str_parts = (split.str_node_profit_usd, split.str_burn_usd, split.str_network_support_usd)
    if all(part == 0 for part in str_parts):
        return ZERO_STR_PAYOUT
    # Verify a positive STR price is fixed, since STR parts are paid at that price.
    if price is None or not is_valid_price(price):
        return Rejected(
            rule,
            f"the STR parts {str_parts} micro-USD need a positive STR price, got {price!r}",
        )
    return compute_str_payout(split, price)


def process_payment_split(
    ledger: Ledger,
    *,
    source: AccountId,
    node_account: AccountId,
    split: PaymentSplit,
    price: StrPrice | None,
) -> Outcome[Ledger]:
    """§6.3: pay `split` from `source`: STB to the node and the swap reserve, STR to the node,
    Network Support and the burn address, at `price`; nothing moves unless all of it can."""
    rule = "process_payment_split"
    # Verify no part is negative (incoherent parameters produce negative parts).
    refused = check_split_nonnegative(split, rule=rule)
    if refused is not None:
        return refused
    # Verify the node is paid into an account of its own, not a pool or an escrow.
    if not is_user_account(node_account):
        return Rejected(rule, f"node account {node_account} is a module or escrow account")
    payout = get_str_payout(split, price, rule=rule)
    if isinstance(payout, Rejected):
        return payout
    # Verify the source holds all of the STB and STR withdrawn.
    held = get_balance(ledger, source)
    if held.ustb < split.stb_withdrawn or held.ustr < payout.total_ustr:
        return Rejected(
            rule,
            f"{source} holds {held.ustb} ustb and {held.ustr} ustr, the payment withdraws "
            f"{split.stb_withdrawn} ustb and {payout.total_ustr} ustr",
        )
    moves = (
        (node_account, Token.STB, split.node_stb),
        (SWAP_RESERVE, Token.STB, split.stb_swap_reserve),
        (node_account, Token.STR, payout.node_ustr),
        (NETWORK_SUPPORT, Token.STR, payout.network_ustr),
    )
    steps: list[Step] = [transfer_step(source, to, token, amount) for to, token, amount in moves]
    steps.append(burn_step(source, payout.burn_ustr))
    return apply_steps(ledger, steps, rule=rule)


def process_swap_reserve(ledger: Ledger, *, fee_bps: Bps) -> Outcome[Ledger]:
    """§6.7: the swap reserve places a market order for STR with all of its STB on Stratoswap
    (§6.6: the constant-product curve after the `fee_bps` commission), and the STR it receives
    is sent to the burn contract."""
    rule = "process_swap_reserve"
    reserve_ustb = get_balance(ledger, SWAP_RESERVE).ustb
    if reserve_ustb == 0:
        return ledger
    reserves = get_reserves(ledger)
    bought_ustr = (
        0
        if is_pool_empty(reserves)
        else compute_swap_output(reserves.ustb, reserves.ustr, reserve_ustb, fee_bps)
    )
    # Verify the pool can fill the order: it has both sides and pays at least one ustr.
    refused = get_swap_refusal(
        rule, reserves, Token.STB, amount_in=reserve_ustb, out=bought_ustr, min_out=0
    )
    if refused is not None:
        return refused
    steps = (
        transfer_step(SWAP_RESERVE, STRATOSWAP_POOL, Token.STB, reserve_ustb),
        transfer_step(STRATOSWAP_POOL, SWAP_RESERVE, Token.STR, bought_ustr),
        # STR received by the swap reserve is sent to the burn contract automatically.
        burn_step(SWAP_RESERVE, bought_ustr),
    )
    return apply_steps(ledger, steps, rule=rule)


def process_network_support_grant(
    ledger: Ledger, *, recipient: AccountId, amount: UStr, purpose: SupportPurpose
) -> Outcome[Ledger]:
    """§6.5: pay `amount` STR from Network Support to `recipient` for one of its three purposes."""
    rule = "process_network_support_grant"
    # Verify the purpose is one §6.5 names.
    if not isinstance(purpose, SupportPurpose):
        return Rejected(rule, f"unknown Network Support purpose {purpose!r}")
    # Verify Network Support holds the grant.
    held = get_balance(ledger, NETWORK_SUPPORT).ustr
    if held < amount:
        return Rejected(
            rule, f"{NETWORK_SUPPORT} holds {held} ustr, cannot grant {amount} for {purpose.value}"
        )
    step = transfer_step(NETWORK_SUPPORT, recipient, Token.STR, amount)
    return apply_steps(ledger, (step,), rule=rule)
