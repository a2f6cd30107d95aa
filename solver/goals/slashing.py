"""Goals of the slash claims (§6.10, §4.2): SLASH-BOUNDS, -DOUBLING, -DECAY, -STAKE, -DELEGATORS.

§6.10: "an initial [slash] in a two year time window will begin at 5%, and increase by a factor
of 2x per subsequent slash within the time window. Slash penalty inversely decreases by the same
factor of 2x per time window expiration." DESIGN.md reads it as a level L: the rate is
base x factor^L (capped under `hardened`), each slash raises L by one and each expired window
lowers it by one, never below 0. §4.2: delegators lose the same fraction as their validator.

SLASH-DOUBLING and SLASH-DECAY quote the factor, so their goals state the text's 2
(`oracle.defaults.SLASH_FACTOR`), never `slashing.slash_factor`: a parameter set that moves the
governed factor is judged against the doubling. Base and cap stay the governed values.
"""

from __future__ import annotations

import z3

from model.params import Params
from model.profile import Profile
from model.units import BPS_DENOMINATOR
from oracle.defaults import SLASH_FACTOR
from oracle.slashing import slash_rate_bps
from solver.goals import Formula, Term

SCHEDULE_DEPTH = 14
"""Levels past which every schedule in the domain is constant or past 100% (base >= 1 and
factor >= 2 give base x factor^14 >= 2^14 > 10000)."""

FULL_RATE_BPS = BPS_DENOMINATOR
"""100%, in basis points."""

TEXT_FACTOR: dict[str, int] = {"slashing.slash_factor": SLASH_FACTOR}
"""§6.10's "factor of 2x" as the parameters write it: a claim of SLASH-DOUBLING or SLASH-DECAY
for all parameters keeps it (every other factor breaks the statement), the constitution's range
for the key (2..2)."""


def _numeral(term: Term) -> Term:
    """`term` as a numeral if it reads no input, so a product with it stays linear."""
    folded = z3.simplify(term)
    return folded if z3.is_int_value(folded) else term


def is_rate_bounded(rate: Term, base: Term) -> Formula:
    """SLASH-BOUNDS: base <= rate <= 100%."""
    return z3.And(base <= rate, rate <= FULL_RATE_BPS)


def get_doubled(base: Term, count: int) -> list[Term]:
    """SLASH-DOUBLING (§6.10): E_1..E_count, E_k = base x 2^(k-1), the text's factor (a numeral
    where `base` is one)."""
    powers = [base]
    for _ in range(count - 1):
        powers.append(_numeral(powers[-1] * SLASH_FACTOR))
    return powers


def get_next_doubled(uncapped: Term) -> Term:
    """SLASH-DOUBLING (§6.10): E_(k+1) = E_k x 2."""
    return uncapped * SLASH_FACTOR


def get_closed_rate(uncapped: Term, cap: Term, *, capped: bool) -> Term:
    """SLASH-DOUBLING: the k-th slash's rate from E_k = base x 2^(k-1): min(E_k, cap) when the
    profile caps it, else E_k."""
    return z3.If(uncapped <= cap, uncapped, cap) if capped else uncapped


def is_rate_closed(rate: Term, uncapped: Term, cap: Term, *, capped: bool) -> Formula:
    """SLASH-DOUBLING: the rate is the closed form of E_k."""
    return rate == get_closed_rate(uncapped, cap, capped=capped)


def get_decayed_level(level: Term, elapsed: Term, window: Term) -> Term:
    """SLASH-DECAY: the level after `elapsed` seconds without a slash: one lower per whole
    window, never below 0."""
    lowered = level - elapsed / window
    return z3.If(lowered < 0, 0, lowered)


def get_halved(rate: Term, base: Term) -> Term:
    """SLASH-DECAY (§6.10): the uncapped rate one level down: halved ("decreases by the same
    factor of 2x"), never below base."""
    quotient = rate / SLASH_FACTOR
    return z3.If(quotient < base, base, quotient)


def is_decay_as_stated(
    level: Term, elapsed: Term, window: Term, decayed: Term, later: Term
) -> Formula:
    """SLASH-DECAY on levels: `decayed` (after `elapsed`) and `later` (one window more) are the
    level less the whole windows, never below 0."""
    return z3.And(
        decayed == get_decayed_level(level, elapsed, window),
        later == get_decayed_level(level, elapsed + window, window),
    )


def is_rate_decayed(first: Term, raised: Term, uncapped: Term, base: Term) -> Formula:
    """SLASH-DECAY on rates: the level-0 rate is base and stays base one level down; a rate
    U >= base raised one level is >= base and halves back to U (the text's factor 2)."""
    return z3.And(
        first >= base,
        get_halved(first, base) == first,
        z3.Implies(uncapped >= base, z3.And(raised >= base, get_halved(raised, base) == uncapped)),
    )


def is_loss_covered(amount: Term, requested: Term, burned: Term) -> Formula:
    """SLASH-STAKE: 0 <= burned <= stake, and all that the rate requests is burned."""
    return z3.And(burned >= 0, amount - burned >= 0, requested == burned)


def is_fraction_lost(amount: Term, rate: Term, requested: Term, burned: Term) -> Formula:
    """SLASH-DELEGATORS (§4.2): a bond requests floor(amount x rate / 100%) and loses
    floor(amount x min(rate, 100%) / 100%): the same fraction as every other bond."""
    fraction = _numeral(z3.If(rate < FULL_RATE_BPS, rate, FULL_RATE_BPS))
    remainder = amount * fraction - burned * FULL_RATE_BPS
    return z3.And(
        requested == (amount * rate) / FULL_RATE_BPS,
        remainder >= 0,
        remainder < FULL_RATE_BPS,
    )


def get_slashes_to_zero(params: Params, profile: Profile) -> int | None:
    """SLASH-STAKE (§6.10): the number K of slashes within one window that takes a positive stake
    to zero (the first whose rate reaches 100%, by the schedule as `oracle.slashing` reads it),
    or None if no rate up to level SCHEDULE_DEPTH does (the schedule is constant from there on
    or already past 100%)."""
    slashing = params.slashing
    cap = slashing.slash_cap_bps if profile.slash_capped else None
    for k in range(1, SCHEDULE_DEPTH + 2):
        rate = slash_rate_bps(
            base=slashing.slash_base_bps, factor=slashing.slash_factor, cap=cap, level=k - 1
        )
        if rate >= FULL_RATE_BPS:
            return k
    return None
