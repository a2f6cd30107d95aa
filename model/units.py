"""Units, identities and the `Rejected` value shared by every rule of the model.

Token amounts are integers in micro-units, shares are basis points and prices are exact
rationals; nothing here is binary floating point. A transition the protocol forbids returns `Rejected`
instead of raising, so an exception escaping the model is always a bug in the model.
"""

from __future__ import annotations

from fractions import Fraction
from typing import NewType, TypeAlias, TypeVar

from attrs import frozen

# Amounts and times are plain integers with a name that says the unit.
UStr: TypeAlias = int
"""Micro-STR: 1 STR = 10**6 ustr."""
UStb: TypeAlias = int
"""Micro-STB: 1 STB = 1 USD = 10**6 ustb."""
UsdMicro: TypeAlias = int
"""A USD value in micro-dollars (the unit STB is counted in)."""
Bps: TypeAlias = int
"""Basis points: 10_000 bps = 100%."""
Seconds: TypeAlias = int
Height: TypeAlias = int

AccountId = NewType("AccountId", str)
AppId = NewType("AppId", str)
NodeId = NewType("NodeId", str)
ValidatorId = NewType("ValidatorId", str)

BPS_DENOMINATOR: Bps = 10_000
MICRO: int = 1_000_000
SECONDS_PER_MINUTE: Seconds = 60
SECONDS_PER_DAY: Seconds = 86_400
SECONDS_PER_YEAR: Seconds = 365 * SECONDS_PER_DAY

StrPrice: TypeAlias = Fraction
"""USD per STR, exactly; also micro-dollars per ustr, since both sides count micro-units."""


@frozen
class Rejected:
    """A transition the protocol forbids: which rule refused it and why."""

    rule: str
    reason: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.reason}"


T = TypeVar("T")
Outcome: TypeAlias = T | Rejected
"""What a transition returns: the new value, or the rule's refusal."""


def is_valid_price(price: StrPrice) -> bool:
    """A price is usable iff it is a strictly positive rational."""
    # A Fraction keeps its sign in the numerator (its denominator is positive): one attribute
    # read, where the ABC's isinstance and `price > 0` take several Python calls.
    if type(price) is Fraction:
        return price.numerator > 0
    return isinstance(price, Fraction) and price > 0


def usd_to_ustr(usd: UsdMicro, price: StrPrice) -> UStr:
    """§6.3.3: the ustr worth `usd` micro-dollars at `price`, rounded down (the payer keeps dust)."""
    return Fraction(usd) // price
