"""The oracle's slash schedule (§6.10): 5%, doubling per slash, halving per expired window.

The expected rates are written out as the text's percentages, and a wrong schedule (the
window lowering the level to zero at once) is shown to disagree with the oracle.
"""

from __future__ import annotations

import pytest

from oracle.slashing import decayed_level, expired_windows, slash_rate_bps, slashed_amount

BASE, FACTOR, CAP = 500, 2, 10_000
TWO_YEARS = 2 * 365 * 86_400


def rate(level: int, cap: int | None = CAP) -> int:
    return slash_rate_bps(base=BASE, factor=FACTOR, cap=cap, level=level)


def test_rate__doubles_from_five_percent() -> None:
    assert [rate(level) for level in range(6)] == [500, 1_000, 2_000, 4_000, 8_000, 10_000]


def test_rate__uncapped_passes_one_hundred_percent() -> None:
    assert rate(5, cap=None) == 16_000
    assert rate(0, cap=None) == 500


def test_rate__negative_level_refused() -> None:
    with pytest.raises(ValueError):
        rate(-1)


def test_decayed_level__one_per_window_never_below_zero() -> None:
    assert decayed_level(3, 0) == 3
    assert decayed_level(3, 1) == 2
    assert decayed_level(3, 5) == 0
    assert decayed_level(0, 2) == 0
    with pytest.raises(ValueError):
        decayed_level(1, -1)


def test_decay__halves_the_rate_per_window() -> None:
    level = 4  # the fifth slash would be at 80%
    halved = [rate(decayed_level(level, windows), cap=None) for windows in range(6)]
    assert halved == [8_000, 4_000, 2_000, 1_000, 500, 500]


def test_wrong_decay__differs_from_the_oracle() -> None:
    def reset_on_expiry(level: int, expired: int) -> int:
        return 0 if expired else level

    assert reset_on_expiry(3, 1) != decayed_level(3, 1)


def test_expired_windows__whole_windows_since_the_last_slash() -> None:
    assert expired_windows(last_slash=10, now=10 + TWO_YEARS - 1, window=TWO_YEARS) == 0
    assert expired_windows(last_slash=10, now=10 + TWO_YEARS, window=TWO_YEARS) == 1
    assert expired_windows(last_slash=10, now=10 + 5 * TWO_YEARS + 3, window=TWO_YEARS) == 5
    assert expired_windows(last_slash=10, now=5, window=TWO_YEARS) == 0


def test_slashed_amount__rounds_down() -> None:
    assert slashed_amount(1_000, 500) == 50
    assert slashed_amount(19, 500) == 0  # 0.95
    assert slashed_amount(1_000, 16_000) == 1_600  # the uncapped request can pass the stake
