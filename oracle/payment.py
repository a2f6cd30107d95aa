"""The node payment read from the whitepaper: the split of §6.3, the STR conversion, §4.4's fee.

Each function is the plainest restatement of one sentence of the text, with the dust rule that
docs/model.md documents, so a check can tell the model's arithmetic from the protocol's. Amounts
are micro-units (micro-USD, ustr, ustb), shares are basis points, prices are exact fractions.
"""

from __future__ import annotations

from fractions import Fraction

import attrs
from attrs import frozen

from model.escrow import LockedPayment
from model.market import MarketState
from model.params import Params
from model.payment import StrPayout as RecordedPayout
from model.units import AppId, NodeId

BPS = 10_000
"""Basis points in a whole: a share of `bps` is `bps / BPS` of the amount."""

MICRO = 1_000_000
"""Micro-units in one unit (USD, STR, STB)."""


def share_of(amount: int, bps: int) -> int:
    """`bps` basis points of `amount`, rounded down (the remainder is placed by the caller)."""
    return amount * bps // BPS


@frozen
class PaymentSplit:
    """The parts of the total payment T for one paid node, in micro-USD (§6.3, §6.8).

    The three STB parts are paid in STB at 1 USD = 1 STB (§6.1); the three STR parts are USD
    values, converted to STR at the escrow's price (§6.3.3).
    """

    total: int
    stb_cost_basis: int
    stb_node_profit: int
    stb_swap_reserve: int
    str_node_profit_usd: int
    str_burn_usd: int
    str_network_support_usd: int

    @property
    def parts(self) -> tuple[int, int, int, int, int, int]:
        """The six parts, STB first, in the order of the fields."""
        return (
            self.stb_cost_basis,
            self.stb_node_profit,
            self.stb_swap_reserve,
            self.str_node_profit_usd,
            self.str_burn_usd,
            self.str_network_support_usd,
        )

    @property
    def stb_total(self) -> int:
        """The STB withdrawn for this node: cost basis, node profit and swap reserve."""
        return self.stb_cost_basis + self.stb_node_profit + self.stb_swap_reserve

    @property
    def str_total_usd(self) -> int:
        """The USD value of the STR withdrawn for this node: the STR profit margin."""
        return self.str_node_profit_usd + self.str_burn_usd + self.str_network_support_usd

    @property
    def node_stb(self) -> int:
        """The STB the node itself receives: its costs plus its STB profit (§6.3.1)."""
        return self.stb_cost_basis + self.stb_node_profit


def read_split(record: object) -> PaymentSplit:
    """A split the model recorded (a locked payment's, say), read field by field into the
    oracle's record, so the model's own derived totals are never used."""
    return PaymentSplit(
        **{field.name: getattr(record, field.name) for field in attrs.fields(PaymentSplit)}
    )


def read_payout(record: RecordedPayout) -> StrPayout:
    """An STR payout the model recorded, read field by field into the oracle's record."""
    return StrPayout(
        total=record.total_ustr,
        node=record.node_ustr,
        burn=record.burn_ustr,
        network_support=record.network_ustr,
    )


def read_locked(record: LockedPayment) -> tuple[tuple[PaymentSplit, StrPayout], ...]:
    """§3.3 Step 12, §6.3.2: what a locked payment owes each of its node accounts, in order,
    read from its fields: the node's own split and STR, or the one split every node is owed."""
    if record.node_splits:
        return tuple(
            (read_split(split), read_payout(payout)) for split, payout in record.node_splits
        )
    owed = (read_split(record.split), read_payout(record.str_payout))
    return (owed,) * len(record.node_accounts)


def split_payment(cost: int, params: Params) -> PaymentSplit:
    """§6.3, §6.8: the split of the payment for a cost of `cost` micro-USD.

    §6.3: the payment T is the rate times the cost; the developer keeps the fraction of a
    micro-unit. §6.8: each margin is its share of T; the cost basis in STB (§6.3.1) is the rest
    of T, so it takes the first rounding. The swap reserve, the burn and network support are
    their shares of T; the node's STB and STR profits are what remains of their margins, so the
    node takes the rest of the dust (docs/model.md).
    """
    pay = params.payment
    total = cost * pay.payment_rate_bps // BPS
    stb_margin = share_of(total, pay.stb_profit_margin_bps)
    str_margin = share_of(total, pay.str_profit_margin_bps)
    swap_reserve = share_of(total, pay.stb_reserve_swap_bps)
    burn = share_of(total, pay.str_burn_bps)
    network_support = share_of(total, pay.str_network_support_bps)
    return PaymentSplit(
        total=total,
        stb_cost_basis=total - stb_margin - str_margin,
        stb_node_profit=stb_margin - swap_reserve,
        stb_swap_reserve=swap_reserve,
        str_node_profit_usd=str_margin - burn - network_support,
        str_burn_usd=burn,
        str_network_support_usd=network_support,
    )


def bid_split(cost: int, params: Params, str_margin_bps: int) -> PaymentSplit:
    """§6.3.2 "The node can set this amount to be received": the split of a node that bids an
    STR profit margin of `str_margin_bps` basis points of its cost `cost` micro-USD.

    §6.3.1: the STB parts (cost basis, STB profit, swap reserve) are the network's, as in
    `split_payment`. §6.3.2: the STR received is the bid's share of the cost, rounded down;
    "Received STR is divided into three sections", in the proportions the STR sub-shares hold
    within the STR margin share; burn and network support round down and the node takes the
    rest. A network whose STR margin share is zero has no sub-shares: the node keeps the bid.
    """
    network = split_payment(cost, params)
    pay = params.payment
    received = share_of(cost, str_margin_bps)
    whole = pay.str_profit_margin_bps
    burn = received * pay.str_burn_bps // whole if whole else 0
    network_support = received * pay.str_network_support_bps // whole if whole else 0
    return PaymentSplit(
        total=network.stb_total + received,
        stb_cost_basis=network.stb_cost_basis,
        stb_node_profit=network.stb_node_profit,
        stb_swap_reserve=network.stb_swap_reserve,
        str_node_profit_usd=received - burn - network_support,
        str_burn_usd=burn,
        str_network_support_usd=network_support,
    )


def node_split(cost: int, params: Params, str_margin_bps: int | None) -> PaymentSplit:
    """The split a paid node is owed: at its own bid (§6.3.2) when it has one, else the
    network's split (§6.3)."""
    if str_margin_bps is None:
        return split_payment(cost, params)
    return bid_split(cost, params, str_margin_bps)


def bid_of(market: MarketState, app: AppId, node: NodeId) -> int | None:
    """§4.4 "Payout amount is set by the nodes": the STR margin `node` bid when it was chosen
    for `app`'s service, as the market's record holds it (None: the app has no service or the
    node no bid on it, so the network's rate pays)."""
    service = market.services.get(app)
    if service is None:
        return None
    return dict(service.margins).get(node)


def usd_to_ustr(usd_micro: int, price: Fraction) -> int:
    """§6.3.3: the ustr bought with `usd_micro` micro-USD at `price` USD per STR, rounded down.

    A micro-USD over a price in USD per STR is a micro-STR, so no scale factor enters.
    """
    if price <= 0:
        raise ValueError(f"a price must be positive, not {price}")
    quotient = Fraction(usd_micro) / price
    return quotient.numerator // quotient.denominator


@frozen
class StrPayout:
    """The STR parts of one node's payment, in ustr, at one price (§6.3.2, §6.3.3)."""

    total: int
    node: int
    burn: int
    network_support: int


def str_payout(split: PaymentSplit, price: Fraction) -> StrPayout:
    """§6.3.2, §6.3.3: the STR margin converted at the escrow's price.

    The STR withdrawn is the margin's USD value at the price, rounded down; burn and network
    support get their USD values at the same price, rounded down, and the node gets the rest
    (the node absorbs the conversion dust, docs/model.md).
    """
    total = usd_to_ustr(split.str_total_usd, price)
    burn = usd_to_ustr(split.str_burn_usd, price)
    network_support = usd_to_ustr(split.str_network_support_usd, price)
    return StrPayout(
        total=total,
        node=total - burn - network_support,
        burn=burn,
        network_support=network_support,
    )


def validation_payment_each(prefund: int, validators: int) -> int:
    """§4.4: "the validator reward equating to the total pre-fund divided by the number of
    validators"; the remainder stays in the escrow (DESIGN.md)."""
    if validators <= 0:
        raise ValueError(f"a validation payment needs at least one validator, not {validators}")
    return prefund // validators


def validation_selected_count(prefund: int, subscribers: int, floor: int) -> int:
    """§4.4: how many validators a prefund pays: all subscribers while each share reaches the
    floor; when there are more subscribers than the payment covers, as many as the floor allows
    (a randomized selection picks which)."""
    return min(subscribers, prefund // floor) if floor > 0 else subscribers


WHITEPAPER_PAYMENT: dict[str, int] = {
    "payment_rate_bps": 20_000,
    "stb_profit_margin_bps": 1_000,
    "stb_node_profit_bps": 500,
    "stb_reserve_swap_bps": 500,
    "str_profit_margin_bps": 4_000,
    "str_node_profit_bps": 2_000,
    "str_burn_bps": 1_000,
    "str_network_support_bps": 1_000,
}
"""§6.3 (2x cost) and §6.8's initial rates, as DESIGN.md reads them: shares of the total payment T."""


def is_whitepaper_payment(params: Params) -> bool:
    """The payment keys of `params` are the whitepaper's initial values (§6.3, §6.8)."""
    return all(getattr(params.payment, key) == value for key, value in WHITEPAPER_PAYMENT.items())


@frozen
class GoldenVector:
    """§6.3.3's example in the whitepaper's own numbers, in whole USD (1 STB = 1 USD, §6.1)."""

    cost_usd: int
    split: PaymentSplit
    stb_withdrawn: int
    str_withdrawn_usd: int
    node_stb: int
    node_str_usd: int


GOLDEN_VECTOR = GoldenVector(
    cost_usd=100,
    split=PaymentSplit(
        total=200,
        stb_cost_basis=100,
        stb_node_profit=10,
        stb_swap_reserve=10,
        str_node_profit_usd=40,
        str_burn_usd=20,
        str_network_support_usd=20,
    ),
    stb_withdrawn=120,
    str_withdrawn_usd=80,
    node_stb=110,
    node_str_usd=40,
)
"""§6.3.3: a $100 cost at 2x; 120 STB and $80 of STR withdrawn; the node gets 100 + 10 STB and
$40 of STR; 10 STB to the swap reserve; $20 of STR to network support and $20 burned. Numbers
typed from the text, not computed, so a split that disagrees with them is caught."""


def golden_split_micro() -> PaymentSplit:
    """`GOLDEN_VECTOR.split` in micro-USD, the unit `split_payment` speaks."""
    whole = GOLDEN_VECTOR.split
    return PaymentSplit(*(part * MICRO for part in (whole.total, *whole.parts)))
