"""No drift between model and proof: every shared formula of `model.arith`, built as Z3 terms and
evaluated by Z3, gives what the model computes on Python integers, on many random inputs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import z3
from hypothesis import example, given, settings
from hypothesis import strategies as st

from model import arith
from solver.algebra import Z3_TERMS

naturals = st.integers(min_value=0, max_value=2**130)
bps = st.integers(min_value=0, max_value=20_000)
positive = st.integers(min_value=1, max_value=10**9)
signed = st.integers(min_value=-(10**12), max_value=10**12)


def _z3(value: Any) -> int | bool:
    simplified = z3.simplify(value)
    if z3.is_bool(simplified):
        return bool(z3.is_true(simplified))
    return int(simplified.as_long())


def _both(formula: Callable[..., Any], *args: int, **kwargs: bool) -> tuple[Any, Any]:
    on_ints = formula(arith.INTS, *args, **kwargs)
    on_terms = formula(Z3_TERMS, *(z3.IntVal(a) for a in args), **kwargs)
    return on_ints, on_terms


@settings(max_examples=200, deadline=None)
@given(naturals, st.lists(bps, min_size=6, max_size=6), positive, positive)
def test_split_and_conversion_agree(cost: int, shares: list[int], num: int, den: int) -> None:
    ints = arith.Shares(*shares)
    terms = arith.Shares(*(z3.IntVal(share) for share in shares))
    split_ints = arith.split_payment(arith.INTS, cost, ints)
    split_terms = arith.split_payment(Z3_TERMS, z3.IntVal(cost), terms)
    assert [_z3(t) for t in split_terms.parts()] == list(split_ints.parts())
    assert _z3(split_terms.total) == split_ints.total
    str_ints = arith.convert_str_parts(arith.INTS, split_ints, num, den)
    str_terms = arith.convert_str_parts(Z3_TERMS, split_terms, z3.IntVal(num), z3.IntVal(den))
    for name in ("total_ustr", "node_ustr", "burn_ustr", "network_ustr"):
        assert _z3(getattr(str_terms, name)) == getattr(str_ints, name)


@settings(max_examples=200, deadline=None)
@given(naturals, naturals, positive, positive)
def test_threshold_agrees(agree: int, base: int, num: int, den: int) -> None:
    on_ints, on_terms = _both(arith.is_over_threshold, agree, base, num, den)
    assert _z3(on_terms) == on_ints


@settings(max_examples=200, deadline=None)
@given(bps, st.integers(min_value=1, max_value=100), bps, st.booleans())
def test_slash_rates_agree(rate: int, factor: int, cap: int, capped: bool) -> None:
    for formula, args in (
        (arith.first_slash_rate, (rate, cap)),
        (arith.next_slash_rate, (rate, factor, cap)),
    ):
        on_ints, on_terms = _both(formula, *args, capped=capped)
        assert _z3(on_terms) == on_ints


@settings(max_examples=200, deadline=None)
@given(naturals, st.integers(min_value=0, max_value=10**6))
def test_slash_bond_agrees(amount: int, rate: int) -> None:
    on_ints, on_terms = _both(arith.slash_bond, amount, rate)
    assert (_z3(on_terms.requested), _z3(on_terms.burned)) == (on_ints.requested, on_ints.burned)


@settings(max_examples=200, deadline=None)
@given(naturals, positive)
def test_validation_division_agrees(prefund: int, count: int) -> None:
    on_ints, on_terms = _both(arith.divide_validation_payment, prefund, count)
    assert (_z3(on_terms.each), _z3(on_terms.remainder)) == (on_ints.each, on_ints.remainder)


@settings(max_examples=200, deadline=None)
@given(signed, bps, bps, bps, st.integers(min_value=0, max_value=64))
def test_inflation_and_bps_agree(amount: int, initial: int, step: int, floor: int, d: int) -> None:
    on_ints, on_terms = _both(arith.inflation_rate, initial, step, floor, d)
    assert _z3(on_terms) == on_ints
    # Floor division of a negative amount: SMT-LIB div and Python // agree for positive divisors.
    on_ints, on_terms = _both(arith.bps_of, amount, initial)
    assert _z3(on_terms) == on_ints


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=25_000), min_size=12, max_size=12))
@example([20_000, 1_000, 500, 500, 4_000, 2_000, 1_000, 1_000, 2, 3, 2, 3])
@example([20_000, 1_000, 500, 500, 4_000, 2_000, 1_000, 1_001, 2, 3, 2, 3])
def test_coherence_agrees(values: list[int]) -> None:
    ints = arith.CoherenceInputs(*values)
    terms = arith.CoherenceInputs(*(z3.IntVal(v) for v in values))
    assert _z3(arith.are_shares_coherent(Z3_TERMS, terms)) == arith.are_shares_coherent(
        arith.INTS, ints
    )
