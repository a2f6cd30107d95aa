"""Reputation (§4.5, §3.4): node and app track records, and the outbound-request cap.

A node's record counts the rounds it was in the majority, the minority or absent (§3.4's "track
record of inclusion"), and the complaints made on it: its app's F9 complaints on its output
(§3.2) and the complaints the Complaint Network Committee upheld (§6.8). §4.5's node scores
(minority reporting, uptime) are not computed from it yet, as nothing uses them. An app's record
holds what lifts §4.5's outbound cap (open source, stake, the start of its active use) and the
complaints of its nodes (§3.5.2). An unqualified app may make at most the capped number of
outbound requests in any sliding minute; the model keeps only that minute's log, so the state
stays bounded.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from fractions import Fraction

import attrs
from attrs import field, frozen
from pyrsistent import PMap

from model.ledger import Ledger, Token, get_balance, get_escrow_account, process_transfer
from model.maps import dmap
from model.params import Params
from model.records import evolve
from model.units import (
    MICRO,
    SECONDS_PER_MINUTE,
    AccountId,
    AppId,
    NodeId,
    Outcome,
    Rejected,
    Seconds,
    UStb,
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
    """§3.4, §4.5: a node's track record: its rounds by outcome and the apps it hosted."""

    node: NodeId
    rounds_assigned: int = 0
    rounds_in_majority: int = 0
    rounds_in_minority: int = 0
    rounds_absent: int = 0
    hosted_apps: frozenset[AppId] = frozenset()
    output_complaints: int = 0
    """§3.2 F9: rounds in which its app complained that its output did not match its reveal."""
    upheld_complaints: int = 0
    """§6.8: complaints on the node that the Complaint Network Committee's validators upheld."""


@frozen
class AppReputation:
    """§4.5: an app's reputation inputs and its outbound requests of the last minute."""

    app: AppId
    open_source: bool = False
    staked_ustr: UStr = 0
    first_active_time: Seconds | None = None
    """§4.5: when the app's active use began (`process_record_app_activity`); None until then."""
    node_complaints: int = 0
    outbound_log: tuple[Seconds, ...] = ()


def _empty_nodes() -> PMap[NodeId, NodeReputation]:
    return dmap()


def _empty_apps() -> PMap[AppId, AppReputation]:
    return dmap()


@frozen
class ReputationState:
    """§4.5: every node's and app's reputation record."""

    nodes: PMap[NodeId, NodeReputation] = field(factory=_empty_nodes)
    apps: PMap[AppId, AppReputation] = field(factory=_empty_apps)


def get_node_reputation(rep: ReputationState, node: NodeId) -> NodeReputation:
    """§4.5: the record of `node`; a node never seen has an empty record."""
    record = rep.nodes.get(node)
    return NodeReputation(node=node) if record is None else record


def get_app_reputation(rep: ReputationState, app: AppId) -> AppReputation:
    """§4.5: the record of `app`; an app never seen is closed source, unstaked and new."""
    record = rep.apps.get(app)
    return AppReputation(app=app) if record is None else record


def _with_node(rep: ReputationState, record: NodeReputation) -> ReputationState:
    return evolve(rep, nodes=rep.nodes.set(record.node, record))


def _with_app(rep: ReputationState, record: AppReputation) -> ReputationState:
    return evolve(rep, apps=rep.apps.set(record.app, record))


# --- Node track records ---------------------------------------------------------------------


def process_record_round(
    rep: ReputationState, *, node: NodeId, app: AppId, outcome: RoundParticipation
) -> ReputationState:
    """§3.4, §4.5: add one round of `app` to `node`'s track record."""
    record = get_node_reputation(rep, node)
    record = evolve(
        record,
        rounds_assigned=record.rounds_assigned + 1,
        rounds_in_majority=record.rounds_in_majority + (outcome is RoundParticipation.MAJORITY),
        rounds_in_minority=record.rounds_in_minority + (outcome is RoundParticipation.MINORITY),
        rounds_absent=record.rounds_absent + (outcome is RoundParticipation.ABSENT),
        hosted_apps=record.hosted_apps | {app},
    )
    return _with_node(rep, record)


def process_record_output_complaints(
    rep: ReputationState, *, nodes: Iterable[NodeId]
) -> ReputationState:
    """§3.2 F9: "Application complains to decrease Node (n) reputation score": a settled round's
    complaints of its app, one per node it names, are added to those nodes' records."""
    for node in sorted(set(nodes)):
        record = get_node_reputation(rep, node)
        complained = evolve(record, output_complaints=record.output_complaints + 1)
        rep = _with_node(rep, complained)
    return rep


def process_record_upheld_complaint(rep: ReputationState, *, node: NodeId) -> ReputationState:
    """§6.8: "if consensus is reached on the complaint, then the complaint is added to node's
    reputation on-chain": one upheld complaint on `node`."""
    record = get_node_reputation(rep, node)
    return _with_node(rep, evolve(record, upheld_complaints=record.upheld_complaints + 1))


# --- App records ------------------------------------------------------------------------------


def process_record_app_complaint(rep: ReputationState, *, app: AppId) -> ReputationState:
    """§3.5.2: a node's complaint (rating) on an app is added to the app's reputation."""
    record = get_app_reputation(rep, app)
    return _with_app(rep, evolve(record, node_complaints=record.node_complaints + 1))


def process_record_app_activity(
    rep: ReputationState, *, app: AppId, now: Seconds
) -> ReputationState:
    """§4.5 "active use": an app's active use begins at its first settled round, at `now`, the
    round's decision; a later round leaves that start as it is (docs/model.md)."""
    record = get_app_reputation(rep, app)
    if record.first_active_time is not None:
        return rep
    return _with_app(rep, evolve(record, first_active_time=now))


def process_set_app_profile(
    rep: ReputationState,
    *,
    app: AppId,
    open_source: bool | Keep = KEEP,
    staked_ustr: UStr | Keep = KEEP,
) -> Outcome[ReputationState]:
    """§4.5: set what an app's reputation is built on: open source and stake."""
    record = get_app_reputation(rep, app)
    if not isinstance(open_source, Keep):
        record = evolve(record, open_source=open_source)
    if not isinstance(staked_ustr, Keep):
        # Verify the stake is a holding, never a debt.
        if staked_ustr < 0:
            return Rejected("process_set_app_profile", f"stake {staked_ustr} ustr is negative")
        record = attrs.evolve(record, staked_ustr=staked_ustr)
    return _with_app(rep, record)


# --- §4.5 outbound requests -------------------------------------------------------------------


def is_outbound_uncapped(
    app: AppReputation, *, now: Seconds, params: Params, str_price: Fraction
) -> bool:
    """§4.5: uncapped iff open source, stake worth > $10,000, or active > 6 months (strictly)."""
    reputation = params.reputation
    if app.open_source:
        return True
    # Exact: ustr times USD/STR is micro-USD, compared without rounding (both sides times the
    # price's denominator, which is positive).
    if is_valid_price(str_price) and (
        app.staked_ustr * str_price.numerator
        > reputation.uncapped_min_stake_usd * MICRO * str_price.denominator
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
    return _with_app(rep, evolve(record, outbound_log=kept))


def process_external_request_payout(
    ledger: Ledger, *, app: AppId, node_account: AccountId, params: Params
) -> Outcome[tuple[Ledger, UStb]]:
    """§4.4 External Request Payouts: "a minimum base payout set per external server request":
    the node that makes an app's outbound request is paid the base payout in STB from the app's
    escrow; a request the escrow cannot pay is refused."""
    rule = "process_external_request_payout"
    payout = params.market.external_request_payout_ustb
    escrow = get_escrow_account(app)
    # Verify the app's escrow holds the base payout.
    held = get_balance(ledger, escrow).of(Token.STB)
    if held < payout:
        return Rejected(
            rule, f"app {app}'s escrow holds {held} ustb, the external request pays {payout}"
        )
    moved = process_transfer(
        ledger, sender=escrow, recipient=node_account, token=Token.STB, amount=payout
    )
    if isinstance(moved, Rejected):
        return Rejected(rule, moved.reason)
    return moved, payout
