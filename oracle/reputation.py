"""Reputation of §3.4 and §4.5 read from the round record, the raw records and the parameters.

The track record (§3.4): "A track record of inclusion, or exclusion, from the super-majority of
TRUE consensus operations, will develop for each node", and §4.5 lists a node's minority
reporting, uptime and hosted applications among its metrics; a node wronged by its app complains
on the app instead (§3.5.2). `round_entries` and `app_complaints_of_round` read one settled round
the way docs/model.md ("Track record") states it.

The outbound cap (§4.5): "A limited outbound usage based on application reputation, initializing
at 10 requests per minute. For uncapped outbound requests, the initial network release will
necessitate an application to satisfy one of the following; open source code, stake greater than
$10,000 USD worth of STR, or be in active use for > 6 months." Both comparisons are strict and the
stake is valued exactly at the request's STR price; active use begins at the app's first settled
round (docs/model.md, "Active use").
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from fractions import Fraction

from model.params import Params
from model.reputation import AppReputation
from model.units import AppId
from oracle.payment import MICRO

MINUTE = 60
"""§4.5's "per minute", in seconds."""

MAJORITY, MINORITY, ABSENT = "majority", "minority", "absent"
"""§3.4, §4.5: a node's entry for one round: inside the TRUE supermajority, outside it while
reporting (minority reporting), or not taking part (uptime)."""


def round_entries(
    *,
    assigned: Iterable[str],
    abstained: Collection[str],
    committed: Collection[str],
    consensus: bool,
    supermajority: Collection[str],
    counted: Collection[str],
    mismatched: Collection[str],
    app_withheld_salts: bool,
) -> dict[str, str]:
    """§3.4, §4.5: each assigned node's entry for one settled round; a node left out gets none.

    A node that abstained over its app salt (§3.5.2) and a committed node of a round its app
    stalled at F6 were wronged by the app: no entry. A node counted in a FALSE round had no TRUE
    operation to be in or out of: no entry. Otherwise the TRUE supermajority is the majority, a
    provable mismatch or another counted node of a TRUE round the minority, and a node that
    never commits, never reveals or reveals too late is absent."""
    entries: dict[str, str] = {}
    for node in assigned:
        if node in abstained or (app_withheld_salts and node in committed):
            continue
        if consensus and node in supermajority:
            entries[node] = MAJORITY
        elif node in mismatched or (consensus and node in counted):
            entries[node] = MINORITY
        elif node not in counted:
            entries[node] = ABSENT
    return entries


def app_complaints_of_round(*, abstained: Collection[str], app_withheld_salts: bool) -> int:
    """§3.5.2: the complaints one round adds to its app's record: one per node that abstained
    over its app salt, and one for salts the app withheld until the round expired (F6)."""
    return len(abstained) + (1 if app_withheld_salts else 0)


def first_active(seen: int | None, *, settled_at: int | None) -> int | None:
    """§4.5 "in active use": when an app's active use began, given the start `seen` so far and
    the decision time `settled_at` of a round of the app that just settled (None: none did)."""
    return seen if seen is not None else settled_at


def is_stake_over(staked_ustr: int, *, price: Fraction, usd: int) -> bool:
    """§4.5: a stake of `staked_ustr` is worth more than `usd` whole dollars at `price` USD per
    STR; ustr times USD per STR is micro-USD, compared exactly. No positive price, no worth."""
    return price > 0 and staked_ustr * price > usd * MICRO


def is_active_over(first_active: int | None, *, now: int, seconds: int) -> bool:
    """§4.5: in active use for more than `seconds` at `now`; an app never active is not."""
    return first_active is not None and now - first_active > seconds


def is_exempt(
    *,
    open_source: bool,
    staked_ustr: int,
    since: int | None,
    now: int,
    price: Fraction,
    params: Params,
) -> bool:
    """§4.5: an app is exempt from the cap: open source, a stake worth more than the minimum, or
    in active use, from `since`, for longer than the minimum."""
    rules = params.reputation
    return (
        open_source
        or is_stake_over(staked_ustr, price=price, usd=rules.uncapped_min_stake_usd)
        or is_active_over(since, now=now, seconds=rules.uncapped_min_active_seconds)
    )


def is_outbound_exempt(
    record: AppReputation | None,
    *,
    now: int,
    price: Fraction,
    params: Params,
    memory: Mapping[AppId, int] | None = None,
) -> bool:
    """§4.5: `is_exempt` for the app of `record` (no record: closed, unstaked and new). With the
    checker's `memory` of when each app's active use began, the active time is read from it,
    not from the record; without it, from the record's own start."""
    if record is None:
        return False
    since = memory.get(record.app) if memory is not None else record.first_active_time
    return is_exempt(
        open_source=record.open_source,
        staked_ustr=record.staked_ustr,
        since=since,
        now=now,
        price=price,
        params=params,
    )


def requests_in_minute(times: Iterable[int], *, now: int) -> int:
    """§4.5: how many of the request `times` fall in the minute up to `now`: (now - 60, now]."""
    return sum(1 for time in times if now - MINUTE < time <= now)


# --- Complaints on nodes (§3.2 F9, §6.8) ---------------------------------------------------------

NODE_TARGET = "node:"
"""How a complaint names a node: `node:<node id>` (an app: `app:<app id>`)."""


def complained_node(target: str) -> str | None:
    """§6.8: the node a complaint's target names, or None when it names none (an app)."""
    if target.startswith(NODE_TARGET) and len(target) > len(NODE_TARGET):
        return target[len(NODE_TARGET) :]
    return None


def complaint_counts(before: Mapping[str, int], complained: Iterable[str]) -> dict[str, int]:
    """§3.2 F9, §6.8: each node's complaint count after one more complaint on each node named
    in `complained` (a node named twice in one round or verdict counts once)."""
    after = dict(before)
    for node in set(complained):
        after[node] = after.get(node, 0) + 1
    return after
