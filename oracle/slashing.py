"""The slash schedule of §6.10 read from the text: the rate at a level, and how windows decay it.

"An initial [slash] in a two year time window will begin at 5%, and increase by a factor of 2x
per subsequent slash within the time window. Slash penalty inversely decreases by the same factor
of 2x per time window expiration." DESIGN.md reads this as a level `L`: rate `base * factor**L`,
capped under `hardened`; each slash raises `L` by one and each expired window lowers it by one.
"""

from __future__ import annotations

BPS = 10_000
"""Basis points in a whole (100%)."""


def slash_rate_bps(*, base: int, factor: int, cap: int | None, level: int) -> int:
    """§6.10: the slash rate at `level`, `base * factor**level`, no higher than `cap` if any."""
    if level < 0:
        raise ValueError(f"a slash level is never negative, not {level}")
    rate: int = base * factor**level
    return rate if cap is None else min(rate, cap)


def decayed_level(level: int, expired_windows: int) -> int:
    """§6.10: each expired window lowers the level by one, never below 0 (DESIGN.md)."""
    if expired_windows < 0:
        raise ValueError(f"windows cannot expire a negative number of times: {expired_windows}")
    return max(0, level - expired_windows)


def expired_windows(*, last_slash: int, now: int, window: int) -> int:
    """§6.10: whole windows passed since the last slash (docs/model.md: a slash restarts the
    count)."""
    if now < last_slash:
        return 0
    return (now - last_slash) // window


def slashed_amount(stake: int, rate_bps: int) -> int:
    """§6.10, §4.2: what one bond loses at `rate_bps`, rounded down (docs/model.md)."""
    return stake * rate_bps // BPS
