"""The safe region of a key agrees with a brute-force scan of the model.

The scan ("the model") sets the key to each value with `model.params.with_values` and checks the
CONCRETE claim of every invariant the catalogue says reads the key (`PARAMETERS_READ`, written
apart from the solver's own detection of what a claim reads); the other Z3 invariants do not
change with the key and are checked once. Small stretches are scanned whole; for big domains,
windows around every reported end, the domain's bounds and seeded random points.
"""

from __future__ import annotations

import random
from functools import cache

import attrs
import pytest
from solver_fixtures import FAST

from model.params import WHITEPAPER_PARAMS, Params, param_specs, with_values
from model.profile import HARDENED, WHITEPAPER, Profile
from properties.catalogue import get_parameters_read
from solver.claim import ParamMode, ProofStatus
from solver.region import (
    End,
    Interval,
    KeyRegion,
    get_key_region,
    get_pair_region,
    get_repairs,
)
from solver.registry import SET_IDS, prove_invariant

_SPECS = {spec.name: spec for spec in param_specs()}

THRESHOLD_OF_THREE = WHITEPAPER_PARAMS
"""The defaults: the consensus threshold's denominator is 3."""


def _set(params: Params, key: str, value: int) -> Params:
    spec = _SPECS[key]
    return with_values(params, {(spec.subspace, spec.key): value})


@cache
def _concrete(invariant_id: str, params: Params, profile: Profile) -> ProofStatus:
    """The CONCRETE claim's status, proved once per module for each (ID, parameters, profile):
    the scans and the evidence checks of different keys meet at the same sets (the defaults)."""
    result = prove_invariant(invariant_id, params, profile, mode=ParamMode.CONCRETE, settings=FAST)
    return result.status


@cache
def _is_safe(params: Params, profile: Profile, key: str, value: int) -> bool:
    """The model's answer: every Z3 invariant PROVED (CONCRETE) with `key` at `value`."""
    changed = _set(params, key, value)
    return all(
        _concrete(invariant_id, changed, profile) is ProofStatus.PROVED
        for invariant_id in SET_IDS
        if key in get_parameters_read(invariant_id)
    )


@cache
def _region(params: Params, profile: Profile, key: str) -> KeyRegion:
    """`key`'s region, searched once per module (a KeyRegion is frozen) for the tests that read
    the same one."""
    return get_key_region(params, profile, key, settings=FAST)


def _is_reported_safe(region: KeyRegion, value: int) -> bool:
    return any(interval.low <= value <= interval.high for interval in region.safe)


def _scan_points(region: KeyRegion, *, window: int, randoms: int, seed: int) -> list[int]:
    """The domain's bounds, a window around the checked value and every end, random points."""
    domain = region.domain
    centres = [domain.low, domain.high, region.value]
    for low, high in region.ends:
        centres += [low.value, high.value]
    points = {
        value
        for centre in centres
        for value in range(centre - window, centre + window + 1)
        if domain.low <= value <= domain.high
    }
    chooser = random.Random(seed)
    points |= {chooser.randint(domain.low, domain.high) for _ in range(randoms)}
    return sorted(points)


def _check_against_scan(
    region: KeyRegion, params: Params, profile: Profile, points: list[int]
) -> None:
    others = [i for i in SET_IDS if region.key not in get_parameters_read(i)]
    assert all(_concrete(i, params, profile) is ProofStatus.PROVED for i in others)
    assert region.unknown == ()
    for value in points:
        assert _is_reported_safe(region, value) == _is_safe(params, profile, region.key, value), (
            region.key,
            value,
        )


def _check_evidence(region: KeyRegion, params: Params, profile: Profile) -> None:
    """Each end PROVED at its value, its neighbour REFUTED by the named ID (or a domain bound);
    the intervals sorted and disjoint, and `breaks` the IDs refuted at the checked value."""
    assert len(region.safe) == len(region.ends)
    for before, after in zip(region.safe, region.safe[1:], strict=False):
        assert before.high + 1 < after.low
    for interval, (low, high) in zip(region.safe, region.ends, strict=True):
        assert (low.value, high.value) == (interval.low, interval.high)
        for end, step in ((low, -1), (high, 1)):
            assert _is_safe(params, profile, region.key, end.value)
            if end.neighbour is None:
                bound = region.domain.low if step < 0 else region.domain.high
                assert end.value == bound
                continue
            assert end.neighbour == end.value + step
            assert end.refuted_by is not None
            changed = _set(params, region.key, end.neighbour)
            assert _concrete(end.refuted_by, changed, profile) is ProofStatus.REFUTED
    changed = _set(params, region.key, region.value)
    refuted = tuple(i for i in SET_IDS if _concrete(i, changed, profile) is ProofStatus.REFUTED)
    assert region.breaks == refuted


@pytest.mark.slow
def test_str_burn_bps__exactly_the_default() -> None:
    region = _region(WHITEPAPER_PARAMS, HARDENED, "payment.str_burn_bps")
    assert region.safe == (Interval(1000, 1000),)
    assert region.value == 1000 and region.breaks == ()
    assert region.domain == Interval(0, 10_000)
    low, high = region.ends[0]
    assert (low.neighbour, high.neighbour) == (999, 1001)
    _check_evidence(region, WHITEPAPER_PARAMS, HARDENED)
    points = _scan_points(region, window=3, randoms=4, seed=1)
    _check_against_scan(region, WHITEPAPER_PARAMS, HARDENED, points)


def test_threshold_num__above_two_thirds_and_below_one() -> None:
    region = _region(THRESHOLD_OF_THREE, HARDENED, "consensus.threshold_num")
    # With den 3: num 2 (2/3) is the only safe value; 3/3 can never be passed.
    assert region.safe == (Interval(2, 2),)
    assert region.ends == (
        (End(2, 1, region.ends[0][0].refuted_by), End(2, 3, region.ends[0][1].refuted_by)),
    )
    _check_evidence(region, THRESHOLD_OF_THREE, HARDENED)
    points = [*range(1, 9), *_scan_points(region, window=2, randoms=6, seed=2)]
    _check_against_scan(region, THRESHOLD_OF_THREE, HARDENED, sorted(set(points)))


@pytest.mark.slow
def test_slash_base_bps__the_constitution_range() -> None:
    region = get_key_region(WHITEPAPER_PARAMS, HARDENED, "slashing.slash_base_bps", settings=FAST)
    # A first slash of 0% is in the domain but outside the constitution (GOV-PARAMS).
    assert region.safe == (Interval(1, 10_000),)
    assert region.ends == ((End(1, 0, "GOV-PARAMS"), End(10_000, None, None)),)
    _check_evidence(region, WHITEPAPER_PARAMS, HARDENED)
    points = _scan_points(region, window=2, randoms=4, seed=3)
    _check_against_scan(region, WHITEPAPER_PARAMS, HARDENED, points)


def test_slash_cap_bps__from_the_base_to_full() -> None:
    region = get_key_region(WHITEPAPER_PARAMS, HARDENED, "slashing.slash_cap_bps", settings=FAST)
    _check_evidence(region, WHITEPAPER_PARAMS, HARDENED)
    points = _scan_points(region, window=2, randoms=4, seed=4)
    _check_against_scan(region, WHITEPAPER_PARAMS, HARDENED, points)
    assert region.safe and region.safe[-1].high == 10_000


def test_validation_floor__only_the_constitution_bounds_it() -> None:
    region = get_key_region(
        WHITEPAPER_PARAMS, HARDENED, "payment.validation_floor_ustr", settings=FAST
    )
    # Only GOV-PARAMS reads the floor: the constitution keeps it at one ustr or more.
    assert region.safe == (Interval(1, region.domain.high),)
    assert region.ends[0][0] == End(1, 0, "GOV-PARAMS")
    points = _scan_points(region, window=1, randoms=3, seed=5)
    _check_against_scan(region, WHITEPAPER_PARAMS, HARDENED, points)


def test_whitepaper__invariants_the_key_cannot_change_leave_no_safe_value() -> None:
    region = get_key_region(WHITEPAPER_PARAMS, WHITEPAPER, "payment.str_burn_bps", settings=FAST)
    assert region.safe == () and region.ends == ()
    assert "BFT-THRESHOLD" in region.fixed_breaks
    assert set(region.fixed_breaks) <= set(region.breaks)
    for invariant_id in region.fixed_breaks:
        assert "payment.str_burn_bps" not in get_parameters_read(invariant_id)
        assert _concrete(invariant_id, WHITEPAPER_PARAMS, WHITEPAPER) is ProofStatus.REFUTED


def test_a_region_is_the_same_in_every_run() -> None:
    key = "consensus.threshold_num"
    first = _region(WHITEPAPER_PARAMS, HARDENED, key)
    second = get_key_region(WHITEPAPER_PARAMS, HARDENED, key, settings=FAST)  # searched anew
    assert attrs.evolve(first, milliseconds=0) == attrs.evolve(second, milliseconds=0)


def test_pair__each_row_is_the_key_region_at_that_value() -> None:
    pair = get_pair_region(
        WHITEPAPER_PARAMS,
        HARDENED,
        "payment.str_burn_bps",
        "payment.str_network_support_bps",
        samples=3,
        settings=FAST,
    )
    assert (pair.value_x, pair.value_y) == (1000, 1000)
    xs = [x for x, _ in pair.rows]
    assert xs == [0, 1000, 5000, 10_000]
    for x, row in pair.rows:
        # STR margin 4000 = node 2000 + burn x + network support y.
        expected = 2000 - x
        assert row.safe == ((Interval(expected, expected),) if expected >= 0 else ())
        assert row.key == "payment.str_network_support_bps"


@pytest.mark.slow
def test_repairs__the_other_str_shares_make_room() -> None:
    repairs = get_repairs(WHITEPAPER_PARAMS, HARDENED, "payment.str_burn_bps", 1200)
    assert ("payment.str_node_profit_bps", Interval(1800, 1800)) in repairs
    assert ("payment.str_network_support_bps", Interval(800, 800)) in repairs
    for key, interval in repairs:
        assert key != "payment.str_burn_bps"
        for value in (interval.low, interval.high):
            changed = _set(_set(WHITEPAPER_PARAMS, "payment.str_burn_bps", 1200), key, value)
            assert all(_concrete(i, changed, HARDENED) is ProofStatus.PROVED for i in SET_IDS)
    assert get_repairs(WHITEPAPER_PARAMS, HARDENED, "payment.str_burn_bps", 1000) == ()


@pytest.mark.parametrize("key", ["payment.str_burn_bps", "consensus.threshold_num"])
def test_a_key_region_takes_seconds(key: str) -> None:
    region = _region(
        WHITEPAPER_PARAMS, HARDENED, key
    )  # its own search's time, whichever test asked first
    assert region.milliseconds < 20_000
    assert region.queries < 200
