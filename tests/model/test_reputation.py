"""Tests for model/reputation.py: node and app records (§4.5, §3.4) and the outbound cap."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st
from model_checks import is_outbound_within_cap

from model.params import WHITEPAPER_PARAMS, Params, with_values
from model.reputation import (
    KEEP,
    AppReputation,
    Keep,
    NodeReputation,
    ReputationState,
    RoundParticipation,
    get_app_reputation,
    get_node_reputation,
    is_outbound_uncapped,
    process_outbound_request,
    process_record_app_activity,
    process_record_app_complaint,
    process_record_round,
    process_set_app_profile,
)
from model.units import AppId, NodeId, Rejected

APP = AppId("app0xa")
OTHER_APP = AppId("app0xb")
NODE = NodeId("node0x1")
PRICE = Fraction(1, 2)
"""USD per STR: $10,000 of stake is 20_000 STR = 2 * 10**10 ustr."""
TEN_THOUSAND_USD_USTR = 20_000 * 10**6
SIX_MONTHS = WHITEPAPER_PARAMS.reputation.uncapped_min_active_seconds


# --- Node track records -------------------------------------------------------------------------


def test_record_round_basic() -> None:
    rep = ReputationState()
    for outcome in (
        RoundParticipation.MAJORITY,
        RoundParticipation.MAJORITY,
        RoundParticipation.MINORITY,
        RoundParticipation.ABSENT,
    ):
        rep = process_record_round(rep, node=NODE, app=APP, outcome=outcome)
    rep = process_record_round(rep, node=NODE, app=OTHER_APP, outcome=RoundParticipation.MAJORITY)
    assert get_node_reputation(rep, NODE) == NodeReputation(
        node=NODE,
        rounds_assigned=5,
        rounds_in_majority=3,
        rounds_in_minority=1,
        rounds_absent=1,
        hosted_apps=frozenset({APP, OTHER_APP}),
    )


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list(RoundParticipation)), max_size=50))
def test_record_round__counts_add_up(outcomes: list[RoundParticipation]) -> None:
    rep = ReputationState()
    for outcome in outcomes:
        rep = process_record_round(rep, node=NODE, app=APP, outcome=outcome)
    node = get_node_reputation(rep, NODE)
    assert node.rounds_assigned == len(outcomes)
    assert node.rounds_in_majority + node.rounds_in_minority + node.rounds_absent == len(outcomes)


# --- App records ---------------------------------------------------------------------------------


def test_app_complaints() -> None:
    rep = process_record_app_complaint(ReputationState(), app=APP)
    rep = process_record_app_complaint(rep, app=APP)
    assert get_app_reputation(rep, APP).node_complaints == 2
    assert get_app_reputation(rep, OTHER_APP).node_complaints == 0


def test_app_activity__first_settled_round_only() -> None:
    """§4.5: active use begins at the first settled round; later rounds keep that start."""
    rep = process_record_app_activity(ReputationState(), app=APP, now=77)
    assert get_app_reputation(rep, APP).first_active_time == 77
    assert process_record_app_activity(rep, app=APP, now=90) is rep
    assert get_app_reputation(rep, OTHER_APP).first_active_time is None


def test_set_app_profile__keeps_unnamed_fields() -> None:
    active = process_record_app_activity(ReputationState(), app=APP, now=77)
    opened = process_set_app_profile(active, app=APP, open_source=True, staked_ustr=5)
    assert not isinstance(opened, Rejected)
    rep = process_set_app_profile(opened, app=APP, staked_ustr=6)
    assert not isinstance(rep, Rejected)
    assert get_app_reputation(rep, APP) == AppReputation(
        app=APP, open_source=True, staked_ustr=6, first_active_time=77
    )


def test_invalid_set_app_profile__negative_stake() -> None:
    result = process_set_app_profile(ReputationState(), app=APP, staked_ustr=-1)
    assert isinstance(result, Rejected)
    assert result.rule == "process_set_app_profile"


def test_states_hashable() -> None:
    rep = process_record_round(
        ReputationState(), node=NODE, app=APP, outcome=RoundParticipation.MAJORITY
    )
    same = process_record_round(
        ReputationState(), node=NODE, app=APP, outcome=RoundParticipation.MAJORITY
    )
    assert rep == same and hash(rep) == hash(same)


# --- §4.5 outbound cap --------------------------------------------------------------------------


def request(
    rep: ReputationState, now: int, *, params: Params = WHITEPAPER_PARAMS
) -> ReputationState | Rejected:
    result = process_outbound_request(rep, app=APP, now=now, params=params, str_price=PRICE)
    if not isinstance(result, Rejected):
        assert is_outbound_within_cap(
            get_app_reputation(result, APP), now=now, params=params, str_price=PRICE
        )
    return result


def fill_minute(rep: ReputationState, times: list[int]) -> ReputationState:
    for now in times:
        result = request(rep, now)
        assert not isinstance(result, Rejected), (now, result)
        rep = result
    return rep


def test_outbound_basic__ten_pass_eleventh_rejected() -> None:
    rep = fill_minute(ReputationState(), list(range(100, 110)))
    eleventh = request(rep, 110)
    assert isinstance(eleventh, Rejected)
    assert eleventh.rule == "process_outbound_request"
    # The window (t - 60, t] at t = 159 still holds the request made at 100.
    assert isinstance(request(rep, 159), Rejected)


def test_outbound__allowed_after_window_slides() -> None:
    rep = fill_minute(ReputationState(), list(range(100, 110)))
    # At t = 160 the request at 100 left the window (100 is not > 160 - 60).
    rep = fill_minute(rep, [160])
    assert isinstance(request(rep, 160), Rejected)
    rep = fill_minute(rep, [161])
    assert len(get_app_reputation(rep, APP).outbound_log) <= 10


def test_outbound__same_second_burst() -> None:
    rep = fill_minute(ReputationState(), [5] * 10)
    assert isinstance(request(rep, 5), Rejected)
    assert isinstance(request(rep, 64), Rejected)
    assert not isinstance(request(rep, 65), Rejected)


def test_invalid_outbound__time_backwards() -> None:
    rep = fill_minute(ReputationState(), [100])
    result = request(rep, 99)
    assert isinstance(result, Rejected)


def test_invalid_outbound__bad_price() -> None:
    result = process_outbound_request(
        ReputationState(), app=APP, now=1, params=WHITEPAPER_PARAMS, str_price=Fraction(0)
    )
    assert isinstance(result, Rejected)


def profile(
    *,
    open_source: bool | Keep = KEEP,
    staked_ustr: int | Keep = KEEP,
    first_active_time: int | None = None,
) -> ReputationState:
    rep = ReputationState()
    if first_active_time is not None:
        rep = process_record_app_activity(rep, app=APP, now=first_active_time)
    result = process_set_app_profile(rep, app=APP, open_source=open_source, staked_ustr=staked_ustr)
    assert not isinstance(result, Rejected)
    return result


def assert_uncapped(rep: ReputationState, now: int) -> None:
    app = get_app_reputation(rep, APP)
    assert is_outbound_uncapped(app, now=now, params=WHITEPAPER_PARAMS, str_price=PRICE)
    for _ in range(50):
        result = request(rep, now)
        assert not isinstance(result, Rejected)
        rep = result


def assert_capped(rep: ReputationState, now: int) -> None:
    app = get_app_reputation(rep, APP)
    assert not is_outbound_uncapped(app, now=now, params=WHITEPAPER_PARAMS, str_price=PRICE)
    rep = fill_minute(rep, [now] * 10)
    assert isinstance(request(rep, now), Rejected)


def test_outbound_exemption__open_source() -> None:
    assert_uncapped(profile(open_source=True), 1_000)
    assert_capped(profile(open_source=False), 1_000)


def test_outbound_exemption__stake_strictly_above_ten_thousand_usd() -> None:
    assert_capped(profile(staked_ustr=TEN_THOUSAND_USD_USTR), 1_000)
    assert_uncapped(profile(staked_ustr=TEN_THOUSAND_USD_USTR + 1), 1_000)


def test_outbound_exemption__stake_exact_fraction() -> None:
    """A third of a micro-dollar above $10,000 lifts the cap: the comparison is exact."""
    app = AppReputation(app=APP, staked_ustr=3 * 10**10)
    exactly = Fraction(1, 3)
    assert not is_outbound_uncapped(app, now=0, params=WHITEPAPER_PARAMS, str_price=exactly)
    # 3 * 10**10 ustr at this price is worth 10**10 + 1/3 micro-dollars.
    above = Fraction(3 * 10**10 + 1, 9 * 10**10)
    assert is_outbound_uncapped(app, now=0, params=WHITEPAPER_PARAMS, str_price=above)


def test_outbound_exemption__active_strictly_above_six_months() -> None:
    start = 1_000
    assert_capped(profile(first_active_time=start), start + SIX_MONTHS)
    assert_uncapped(profile(first_active_time=start), start + SIX_MONTHS + 1)
    assert_capped(profile(first_active_time=None), start + 10 * SIX_MONTHS)


def test_outbound__exemption_lapses_mid_minute() -> None:
    """An app whose exemption lapses is capped at once, counting its requests of the minute."""
    rep = profile(open_source=True)
    for _ in range(30):
        result = request(rep, 10)
        assert not isinstance(result, Rejected)
        rep = result
    assert len(get_app_reputation(rep, APP).outbound_log) == 10
    lapsed = process_set_app_profile(rep, app=APP, open_source=False)
    assert not isinstance(lapsed, Rejected)
    assert isinstance(request(lapsed, 11), Rejected)
    assert not isinstance(request(lapsed, 70), Rejected)


def test_outbound__cap_zero() -> None:
    params = with_values(WHITEPAPER_PARAMS, {("reputation", "outbound_requests_per_minute"): 0})
    assert isinstance(request(ReputationState(), 1, params=params), Rejected)


def test_within_cap_detects_overfull_log() -> None:
    app = AppReputation(app=APP, outbound_log=tuple([5] * 11))
    assert not is_outbound_within_cap(app, now=5, params=WHITEPAPER_PARAMS, str_price=PRICE)
    assert is_outbound_within_cap(app, now=65, params=WHITEPAPER_PARAMS, str_price=PRICE)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=1, max_size=80))
def test_outbound_never_exceeds_cap__rep_outbound(gaps: list[int]) -> None:
    """REP-OUTBOUND: over any request sequence, no minute holds more than 10 accepted requests."""
    rep = ReputationState()
    accepted: list[int] = []
    now = 0
    for gap in gaps:
        now += gap
        before = [t for t in accepted if now - 60 < t <= now]
        result = request(rep, now)
        # Refused exactly when the minute up to now already holds 10 accepted requests.
        assert isinstance(result, Rejected) == (len(before) >= 10)
        if not isinstance(result, Rejected):
            rep = result
            accepted.append(now)
        assert len([t for t in accepted if now - 60 < t <= now]) <= 10
        assert len(get_app_reputation(rep, APP).outbound_log) <= 10


def test_outbound_never_exceeds_cap__burst_of_zero_gaps() -> None:
    rep = fill_minute(ReputationState(), [0] * 10)
    assert isinstance(request(rep, 0), Rejected)
