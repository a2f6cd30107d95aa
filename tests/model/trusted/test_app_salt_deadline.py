"""Tests for the hardened deadline on the app's salts (§3.2 F6, profile switch app_salt_timeout)."""

from __future__ import annotations

import attrs
from round_fixtures import (
    NODES,
    SALTS,
    P,
    commit_of,
    committed,
    ok,
    opened,
    refused,
    revealing,
    with_salt_hashes,
)

from model.params import with_values
from model.profile import HARDENED, WHITEPAPER, Profile, ThresholdBase
from model.trusted.round import (
    Decision,
    Phase,
    RoundState,
    is_app_salt_deadline_passed,
    process_close_commit_phase,
    process_commit,
    process_expire_app_salts,
    process_reveal_app_salts,
)

# Step 6, hardened: the app's deadline ---------------------------------------------------------

SALT_TIMEOUT = P.consensus.app_salt_timeout_seconds


def closed(profile: Profile) -> RoundState:
    """All three nodes committed and the commit phase closed at 101; the app's salts are due."""
    return ok(process_close_commit_phase(committed(profile), now=101, params=P))


def test_expire_app_salts_basic() -> None:
    state = closed(HARDENED)
    assert not is_app_salt_deadline_passed(state, now=101 + SALT_TIMEOUT, params=P)
    assert is_app_salt_deadline_passed(state, now=101 + SALT_TIMEOUT + 1, params=P)
    expired = ok(
        process_expire_app_salts(state, now=101 + SALT_TIMEOUT + 1, params=P, profile=HARDENED)
    )
    assert expired.phase is Phase.DECIDED
    assert expired.decision == Decision(
        consensus=False,
        agreed_output_hash=None,
        supermajority=(),
        counted=(),
        mismatched=(),
        base=len(NODES),
        groups_over_threshold=0,
        app_withheld_salts=True,
    )
    assert expired.reveals == {} and expired.app_salts == {}
    assert expired.commits == state.commits


def test_expire_app_salts__base_follows_the_threshold_base() -> None:
    """With N read as the committed nodes, the expired round's base counts only those."""
    profile = attrs.evolve(HARDENED, threshold_base=ThresholdBase.COMMITTED)
    partial = with_salt_hashes(opened())
    commit = commit_of(partial, NODES[0], profile)
    partial = ok(process_commit(partial, node=NODES[0], commit=commit, now=101, params=P))
    state = ok(process_close_commit_phase(partial, now=161, params=P))
    expired = ok(
        process_expire_app_salts(state, now=161 + SALT_TIMEOUT + 1, params=P, profile=profile)
    )
    assert expired.decision is not None and expired.decision.base == 1


def test_expire_app_salts__follows_the_parameter() -> None:
    params = with_values(P, {("consensus", "app_salt_timeout_seconds"): 3_600})
    state = closed(HARDENED)
    refused(
        process_expire_app_salts(state, now=101 + 3_600, params=params, profile=HARDENED),
        "process_expire_app_salts",
        "may still reveal its salts (until 3701)",
    )
    ok(process_expire_app_salts(state, now=101 + 3_601, params=params, profile=HARDENED))


def test_invalid_expire_app_salts__whitepaper_gives_no_deadline() -> None:
    refused(
        process_expire_app_salts(closed(WHITEPAPER), now=10**9, params=P, profile=WHITEPAPER),
        "process_expire_app_salts",
        "gives the app no deadline",
    )


def test_invalid_expire_app_salts__at_the_deadline_the_app_may_still_reveal() -> None:
    refused(
        process_expire_app_salts(
            closed(HARDENED), now=101 + SALT_TIMEOUT, params=P, profile=HARDENED
        ),
        "process_expire_app_salts",
        "may still reveal",
    )


def test_invalid_expire_app_salts__wrong_phase() -> None:
    late = 101 + SALT_TIMEOUT + 1
    refused(
        process_expire_app_salts(committed(HARDENED), now=late, params=P, profile=HARDENED),
        "process_expire_app_salts",
        "phase is commit)",
    )
    revealed = revealing(HARDENED)
    assert not is_app_salt_deadline_passed(revealed, now=late, params=P)
    refused(
        process_expire_app_salts(revealed, now=late, params=P, profile=HARDENED),
        "process_expire_app_salts",
        "phase is reveal)",
    )
    expired = ok(process_expire_app_salts(closed(HARDENED), now=late, params=P, profile=HARDENED))
    refused(
        process_expire_app_salts(expired, now=late + 1, params=P, profile=HARDENED),
        "process_expire_app_salts",
        "phase is decided)",
    )
    refused(
        process_reveal_app_salts(expired, salts=SALTS, now=late + 1),
        "process_reveal_app_salts",
        "phase is decided",
    )
