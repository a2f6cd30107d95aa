"""Reputation (§4.5, §3.4): node and app track records, and the outbound-request cap.

A node's record counts the rounds it was in the majority, the minority or absent (§3.4's "track
record of inclusion"); an app's record holds what lifts §4.5's outbound cap (open source, stake,
age). An unqualified app may make at most the capped number of outbound requests in any sliding
minute; the model keeps only that minute's log, so the state stays bounded.
"""

from __future__ import annotations

from enum import Enum
from fractions import Fraction

import attrs
from attrs import field, frozen
from pyrsistent import PMap, pmap

from model.params import Params
from model.units import (
    BPS_DENOMINATOR,
    MICRO,
    SECONDS_PER_MINUTE,
    AppId,
    Bps,
    NodeId,
    Outcome,
    Rejected,
    Seconds,
    UStr,
    is_valid_price,
)


class RoundParticipation(Enum):
    """§3.3, §3.4: how a node assigned to a round ended up."""

    MAJORITY = "majority"
    MINORITY = "minority"
    ABSENT = "absent"


class Keep(Enum):
    """Marks a profile field that `process_set_app_profile` leaves as it is."""

    KEEP = "keep"


KEEP = Keep.KEEP


@frozen
class NodeReputation:
    """§4.5: a node's track record (minority reporting, uptime, complaints, hosted apps)."""

    node: NodeId
    rounds_assigned: int = 0
    rounds_in_majority: int = 0
    rounds_in_minority: int = 0
    rounds_absent: int = 0
    complaints_upheld: int = 0
    hosted_apps: frozenset[AppId] = frozenset()


@frozen
class AppReputation:
    """§4.5: an app's reputation inputs and its outbound requests of the last minute."""

    app: AppId
    open_source: bool = False
    staked_ustr: UStr = 0
    first_active_time: Seconds | None = None
    flags: frozenset[str] = frozenset()
    node_complaints: int = 0
    outbound_log: tuple[Seconds, ...] = ()


def _empty_nodes() -> PMap[NodeId, NodeReputation]:
    return pmap()


def _empty_apps() -> PMap[AppId, AppReputation]:
    return pmap()


@frozen
class ReputationState:
    """§4.5: every node's and app's reputation record."""

    nodes: PMap[NodeId, NodeReputation] = field(factory=_empty_nodes)
    apps: PMap[AppId, AppReputation] = field(factory=_empty_apps)


def get_node_reputation(rep: ReputationState, node: NodeId) -> NodeReputation:
    """§4.5: the record of `node`; a node never seen has an empty record."""
    return rep.nodes.get(node, NodeReputation(node=node))


def get_app_reputation(rep: ReputationState, app: AppId) -> AppReputation:
    """§4.5: the record of `app`; an app never seen is closed source, unstaked and new."""
    return rep.apps.get(app, AppReputation(app=app))


def _with_node(rep: ReputationState, record: NodeReputation) -> ReputationState:
    return attrs.evolve(rep, nodes=rep.nodes.set(record.node, record))


def _with_app(rep: ReputationState, record: AppReputation) -> ReputationState:
    return attrs.evolve(rep, apps=rep.apps.set(record.app, record))


# --- Node metrics -----------------------------------------------------------------------------


def compute_minority_reporting_bps(node: NodeReputation) -> Bps:
    """§4.5: the share of rounds the node reported in where it was in the minority; 0 if none."""
    reported = node.rounds_in_majority + node.rounds_in_minority
    if reported == 0:
        return 0
    # A metric, not tokens: the floor's remainder is simply dropped.
    return node.rounds_in_minority * BPS_DENOMINATOR // reported


def compute_uptime_bps(node: NodeReputation) -> Bps:
    """§4.5: the share of assigned rounds the node took part in; 0 until it is assigned one."""
    if node.rounds_assigned == 0:
        # Uptime is earned (§4.5: reputation is built over time), so a new node starts at 0.
        return 0
    present = node.rounds_assigned - node.rounds_absent
    # A metric, not tokens: the floor's remainder is simply dropped.
    return present * BPS_DENOMINATOR // node.rounds_assigned


def process_record_round(
    rep: ReputationState, *, node: NodeId, app: AppId, outcome: RoundParticipation
) -> ReputationState:
    """§3.4, §4.5: add one round of `app` to `node`'s track record."""
    record = get_node_reputation(rep, node)
    record = attrs.evolve(
        record,
        rounds_assigned=record.rounds_assigned + 1,
        rounds_in_majority=record.rounds_in_majority + (outcome is RoundParticipation.MAJORITY),
        rounds_in_minority=record.rounds_in_minority + (outcome is RoundParticipation.MINORITY),
        rounds_absent=record.rounds_absent + (outcome is RoundParticipation.ABSENT),
        hosted_apps=record.hosted_apps | {app},
    )
    return _with_node(rep, record)


def process_record_node_complaint(rep: ReputationState, *, node: NodeId) -> ReputationState:
    """§6.8: an upheld complaint is added to the node's reputation on-chain."""
    record = get_node_reputation(rep, node)
    return _with_node(rep, attrs.evolve(record, complaints_upheld=record.complaints_upheld + 1))


# --- App profile ------------------------------------------------------------------------------


def process_record_app_complaint(rep: ReputationState, *, app: AppId) -> ReputationState:
    """§3.5.2: a node's complaint (rating) on an app is added to the app's reputation."""
    record = get_app_reputation(rep, app)
    return _with_app(rep, attrs.evolve(record, node_complaints=record.node_complaints + 1))


def process_set_app_profile(
    rep: ReputationState,
    *,
    app: AppId,
    open_source: bool | Keep = KEEP,
    staked_ustr: UStr | Keep = KEEP,
    first_active_time: Seconds | Keep | None = KEEP,
) -> Outcome[ReputationState]:
    """§4.5: set what an app's reputation is built on: open source, stake, start of active use."""
    record = get_app_reputation(rep, app)
    if not isinstance(open_source, Keep):
        record = attrs.evolve(record, open_source=open_source)
    if not isinstance(staked_ustr, Keep):
        # Verify the stake is a holding, never a debt.
        if staked_ustr < 0:
            return Rejected("process_set_app_profile", f"stake {staked_ustr} ustr is negative")
        record = attrs.evolve(record, staked_ustr=staked_ustr)
    if not isinstance(first_active_time, Keep):
        record = attrs.evolve(record, first_active_time=first_active_time)
    return _with_app(rep, record)


def process_add_app_flag(rep: ReputationState, *, app: AppId, flag: str) -> ReputationState:
    """§4.5: the Flagged Application List Committee marks `app` with a flagged activity."""
    record = get_app_reputation(rep, app)
    return _with_app(rep, attrs.evolve(record, flags=record.flags | {flag}))


# --- §4.5 outbound requests -------------------------------------------------------------------


def is_outbound_uncapped(
    app: AppReputation, *, now: Seconds, params: Params, str_price: Fraction
) -> bool:
    """§4.5: uncapped iff open source, stake worth > $10,000, or active > 6 months (strictly)."""
    reputation = params.reputation
    if app.open_source:
        return True
    # Exact: ustr times USD/STR is micro-USD, compared without rounding.
    if is_valid_price(str_price) and (
        app.staked_ustr * str_price > reputation.uncapped_min_stake_usd * MICRO
    ):
        return True
    return (
        app.first_active_time is not None
        and now - app.first_active_time > reputation.uncapped_min_active_seconds
    )


def get_outbound_window(app: AppReputation, *, now: Seconds) -> tuple[Seconds, ...]:
    """§4.5: the app's logged outbound requests inside the sliding minute (now - 60, now]."""
    return tuple(time for time in app.outbound_log if time > now - SECONDS_PER_MINUTE)


def process_outbound_request(
    rep: ReputationState, *, app: AppId, now: Seconds, params: Params, str_price: Fraction
) -> Outcome[ReputationState]:
    """§4.5: an unqualified app makes at most the capped number of requests in any minute."""
    record = get_app_reputation(rep, app)
    # Verify the price can value a stake.
    if not is_valid_price(str_price):
        return Rejected("process_outbound_request", f"STR price {str_price} is not positive")
    # Verify time does not run backwards.
    if record.outbound_log and now < record.outbound_log[-1]:
        return Rejected(
            "process_outbound_request",
            f"now {now} is before the last request at {record.outbound_log[-1]}",
        )
    cap = params.reputation.outbound_requests_per_minute
    window = get_outbound_window(record, now=now)
    # Verify an unqualified app still has room in this minute.
    uncapped = is_outbound_uncapped(record, now=now, params=params, str_price=str_price)
    if not uncapped and len(window) >= cap:
        return Rejected(
            "process_outbound_request",
            f"app {app} made {len(window)} outbound requests in the minute up to {now}, cap {cap}",
        )
    # Bounded log: the newest `cap` requests decide whether the window is full should the
    # exemption lapse; at least one is kept so time cannot run backwards unnoticed.
    kept = (*window, now)[-max(cap, 1) :]
    return _with_app(rep, attrs.evolve(record, outbound_log=kept))
