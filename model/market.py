"""The free market of cloud services (§4.3.3, §4.4, §6.3.2): launches, node bids and usage fees.

A developer launches its app's service with the four settings of §4.3.3 (a number of nodes, a
frequency of consensus, an allowed deviation, a usage fee), staking STR in advance (held in
`APP_STAKE_POOL`). Registered nodes bid their own STR profit margin (§6.3.2: "the node can set
this amount"); the developer chooses the `max_nodes` lowest bids and pays each newly chosen node
the initiation payment of §4.4. A round of the app then runs only the chosen nodes, no sooner
than its frequency after the previous one, each paid at its own bid.
"""

from __future__ import annotations

from collections.abc import Mapping

from attrs import field, frozen
from pyrsistent import PMap

from model.ledger import APP_STAKE_POOL, Ledger, Token, process_transfer
from model.maps import dmap
from model.params import Params
from model.profile import Profile
from model.records import evolve
from model.units import BPS_DENOMINATOR, AccountId, AppId, Bps, NodeId, Outcome, Rejected, Seconds


@frozen
class Service:
    """§4.3.3 (a)-(d), §4.4: an app's launched service: its settings, its locked stake, the
    nodes chosen to run it and the start of its last round."""

    app: AppId
    developer: AccountId
    max_nodes: int
    """(a) the number of nodes per cloud service (§4.4: "the maximum number of nodes")."""
    frequency_seconds: Seconds
    """(b) the time between two rounds of consensus (§4.4: "time-frequency")."""
    deviation_bps: Bps
    """(c) the allowed deviation from complete consensus, in bps of the nodes."""
    usage_fee_ustr: int
    """(d) the STR a user pays to use the service (0: none)."""
    stake_ustr: int
    """The STR staked in advance of usage, held in `APP_STAKE_POOL`."""
    chosen: tuple[NodeId, ...] = ()
    """The nodes the developer chose, lowest bid first (tie: node id)."""
    margins: tuple[tuple[NodeId, Bps], ...] = ()
    """Each chosen node's bid when it was chosen: the STR margin it is paid at."""
    last_round_at: Seconds | None = None
    """When the app's last round started (None: none yet)."""


def _empty_services() -> PMap[AppId, Service]:
    return dmap()


def _empty_bids() -> PMap[tuple[AppId, NodeId], Bps]:
    return dmap()


@frozen
class MarketState:
    """Every launched service and every node's standing bid, per (app, node)."""

    services: PMap[AppId, Service] = field(factory=_empty_services)
    bids: PMap[tuple[AppId, NodeId], Bps] = field(factory=_empty_bids)


def _is_whole(value: object, low: int, high: int | None = None) -> bool:
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and value >= low
        and (high is None or value <= high)
    )


def is_deviation_allowed(deviation_bps: int, *, params: Params, profile: Profile) -> bool:
    """§4.3.3 (c): a deviation is a share of the nodes, 0..100%; hardened (`deviation_bounded`)
    at most `market.max_deviation_bps`."""
    high = params.market.max_deviation_bps if profile.deviation_bounded else BPS_DENOMINATOR
    return _is_whole(deviation_bps, 0, high)


def is_bid_allowed(str_margin_bps: int, *, params: Params, profile: Profile) -> bool:
    """§4.4, §6.3.2: a bid is a non-negative STR margin in bps of cost; hardened (`bids_bounded`)
    at most `market.max_str_margin_bps`."""
    high = params.market.max_str_margin_bps if profile.bids_bounded else None
    return _is_whole(str_margin_bps, 0, high)


def process_launch_service(
    ledger: Ledger,
    market: MarketState,
    *,
    service: Service,
    params: Params,
    profile: Profile,
) -> Outcome[tuple[Ledger, MarketState]]:
    """§4.3.3: launch `service`: its settings recorded, its stake moved from the developer into
    `APP_STAKE_POOL` ("staked in advance of usage"), once per app."""
    rule = "process_launch_service"
    # Verify the app has no service yet.
    if service.app in market.services:
        return Rejected(rule, f"app {service.app} already launched its service")
    # Verify (a) the service runs on at least one node.
    if not _is_whole(service.max_nodes, 1):
        return Rejected(rule, f"the number of nodes {service.max_nodes!r} is not positive")
    # Verify (b) the frequency is a whole number of seconds.
    if not _is_whole(service.frequency_seconds, 0):
        return Rejected(rule, f"the frequency {service.frequency_seconds!r} is not a duration")
    # Verify (c) the deviation is one the profile allows.
    if not is_deviation_allowed(service.deviation_bps, params=params, profile=profile):
        return Rejected(rule, f"the deviation {service.deviation_bps!r} bps is not allowed")
    # Verify (d) the usage fee and the stake are amounts.
    for name, amount in (("usage fee", service.usage_fee_ustr), ("stake", service.stake_ustr)):
        if not _is_whole(amount, 0):
            return Rejected(rule, f"the {name} {amount!r} is not a non-negative amount")
    staked = process_transfer(
        ledger,
        sender=service.developer,
        recipient=APP_STAKE_POOL,
        token=Token.STR,
        amount=service.stake_ustr,
    )
    if isinstance(staked, Rejected):
        return Rejected(rule, staked.reason)
    fresh = evolve(service, chosen=(), margins=(), last_round_at=None)
    return staked, evolve(market, services=market.services.set(service.app, fresh))


def process_bid_service(
    market: MarketState,
    *,
    app: AppId,
    node: NodeId,
    str_margin_bps: Bps,
    params: Params,
    profile: Profile,
) -> Outcome[MarketState]:
    """§4.4, §6.3.2: `node` offers to serve `app` at its own STR margin (bps of cost); a new bid
    replaces its last one."""
    rule = "process_bid_service"
    # Verify the app launched a service.
    if app not in market.services:
        return Rejected(rule, f"app {app} has no service to bid on")
    # Verify the margin is a bid the profile allows.
    if not is_bid_allowed(str_margin_bps, params=params, profile=profile):
        return Rejected(rule, f"the STR margin {str_margin_bps!r} bps is not an allowed bid")
    return evolve(market, bids=market.bids.set((app, node), str_margin_bps))


def get_bids(market: MarketState, app: AppId) -> dict[NodeId, Bps]:
    """§4.4: the standing bids on `app`'s service, by node."""
    return {node: bid for (bid_app, node), bid in market.bids.items() if bid_app == app}


def compute_lowest_bids(bids: Mapping[NodeId, Bps], count: int) -> tuple[NodeId, ...]:
    """§4.4 "nodes must compete to be chosen": the `count` lowest bids (tie: node id)."""
    return tuple(sorted(bids, key=lambda node: (bids[node], node))[:count])


def process_choose_nodes(
    ledger: Ledger,
    market: MarketState,
    *,
    app: AppId,
    signer: AccountId,
    node_accounts: Mapping[NodeId, AccountId],
    params: Params,
) -> Outcome[tuple[Ledger, MarketState]]:
    """§4.4: the developer chooses the service's nodes, the `max_nodes` lowest bids of
    registered nodes, and pays each node newly chosen the initiation payment ("paid by the
    developer for a node to launch the cloud application")."""
    rule = "process_choose_nodes"
    service = market.services.get(app)
    if service is None:
        return Rejected(rule, f"app {app} has no service")
    # Verify the developer of the app signs.
    if signer != service.developer:
        return Rejected(rule, f"{signer} is not the developer of app {app}")
    bids = {node: bid for node, bid in get_bids(market, app).items() if node in node_accounts}
    chosen = compute_lowest_bids(bids, service.max_nodes)
    fee = params.market.initiation_fee_ustr
    for node in chosen:
        if node in service.chosen:
            continue
        paid = process_transfer(
            ledger,
            sender=service.developer,
            recipient=node_accounts[node],
            token=Token.STR,
            amount=fee,
        )
        if isinstance(paid, Rejected):
            return Rejected(rule, paid.reason)
        ledger = paid
    margins = tuple((node, bids[node]) for node in chosen)
    updated = evolve(service, chosen=chosen, margins=margins)
    return ledger, evolve(market, services=market.services.set(app, updated))


def process_use_service(
    ledger: Ledger, market: MarketState, *, app: AppId, user: AccountId
) -> Outcome[Ledger]:
    """§4.3.3 (d): a user of the service pays its usage fee in STR to the app's developer ("can
    be used to monetize protocol and limit DDOS attack risk": the developer earns, a flood
    costs)."""
    rule = "process_use_service"
    service = market.services.get(app)
    if service is None:
        return Rejected(rule, f"app {app} has no service")
    paid = process_transfer(
        ledger,
        sender=user,
        recipient=service.developer,
        token=Token.STR,
        amount=service.usage_fee_ustr,
    )
    if isinstance(paid, Rejected):
        return Rejected(rule, paid.reason)
    return paid


def get_round_refusal(
    market: MarketState, *, app: AppId, nodes: tuple[NodeId, ...], now: Seconds
) -> str | None:
    """§4.3.3 (a), (b), §4.4: why a round of `app` with `nodes` may not start at `now` (None: it
    may): an app with a service runs only its chosen nodes, at most `max_nodes` of them, and
    starts no sooner than `frequency_seconds` after its last round started."""
    service = market.services.get(app)
    if service is None:
        return None
    # Verify the round runs only the nodes the developer chose, at most max_nodes (a).
    outside = sorted(set(nodes) - set(service.chosen))
    if outside:
        return f"{outside[0]} is not one of the nodes chosen for app {app}'s service"
    if len(nodes) > service.max_nodes:
        return f"{len(nodes)} nodes, app {app}'s service runs at most {service.max_nodes}"
    # Verify the round comes no sooner than the app's frequency after its last one (b).
    last = service.last_round_at
    if last is not None and now < last + service.frequency_seconds:
        return (
            f"app {app}'s last round started at {last}: the next may start at"
            f" {last + service.frequency_seconds}, not {now}"
        )
    return None


def process_record_round_start(market: MarketState, *, app: AppId, now: Seconds) -> MarketState:
    """§4.3.3 (b): the start of `app`'s round, from which its frequency counts."""
    service = market.services.get(app)
    if service is None:
        return market
    updated = evolve(service, last_round_at=now)
    return evolve(market, services=market.services.set(app, updated))


def get_str_margins(market: MarketState, app: AppId) -> dict[NodeId, Bps] | None:
    """§4.4 "Payout amount is set by the nodes", §6.3.2: each chosen node's own STR margin, as
    it bid when chosen (None: the app has no service, and the network's rate pays)."""
    service = market.services.get(app)
    return None if service is None else dict(service.margins)


def get_deviation(market: MarketState, app: AppId) -> Bps | None:
    """§4.3.3 (c): `app`'s allowed deviation (None: no service, F10 alone decides)."""
    service = market.services.get(app)
    return None if service is None else service.deviation_bps
