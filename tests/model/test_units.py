"""Tests of model/units.py: exact conversions, basis points and the Rejected value."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from model.profile import HARDENED, PROFILES, WHITEPAPER
from model.units import Rejected, is_valid_price, usd_to_ustr


def test_usd_to_ustr__at_half_a_dollar() -> None:
    assert usd_to_ustr(80_000_000, Fraction(1, 2)) == 160_000_000


def test_usd_to_ustr__rounds_down() -> None:
    assert usd_to_ustr(10, Fraction(3)) == 3


@settings(max_examples=300, deadline=None)
@given(
    usd=st.integers(min_value=0, max_value=2**128),
    num=st.integers(min_value=1, max_value=10**12),
    den=st.integers(min_value=1, max_value=10**12),
)
def test_conversion_never_overpays(usd: int, num: int, den: int) -> None:
    price = Fraction(num, den)
    ustr = usd_to_ustr(usd, price)
    assert ustr * price <= usd < (ustr + 1) * price


def test_price_validity() -> None:
    assert is_valid_price(Fraction(1, 10**9))
    assert not is_valid_price(Fraction(0))
    assert not is_valid_price(Fraction(-1, 2))


def test_rejected_is_a_value() -> None:
    refusal = Rejected("process_transfer", "no funds")
    assert str(refusal) == "process_transfer: no funds"
    assert refusal == Rejected("process_transfer", "no funds")


def test_profiles_differ_on_every_switch() -> None:
    assert PROFILES == {"hardened": HARDENED, "whitepaper": WHITEPAPER}
    assert HARDENED.composite_encoding != WHITEPAPER.composite_encoding
    assert HARDENED.reveal_contents != WHITEPAPER.reveal_contents
    assert HARDENED.threshold_base != WHITEPAPER.threshold_base
    assert HARDENED.slash_capped and not WHITEPAPER.slash_capped
    assert HARDENED.app_salt_timeout and not WHITEPAPER.app_salt_timeout
    assert HARDENED.governance_checks_coherence and not WHITEPAPER.governance_checks_coherence
