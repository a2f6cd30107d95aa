"""The pieces of `solver.prove`: reading counterexample values and folding constants."""

from __future__ import annotations

import z3

from solver.prove import read_value
from solver.terms import fold_constants


def test_a_long_byte_sequence_reads_back_as_hex() -> None:
    data = bytes(range(256)) * 8
    term = z3.Concat(*(z3.Unit(z3.BitVecVal(byte, 8)) for byte in data))
    assert read_value(term) == data.hex()
    assert read_value(z3.Empty(z3.SeqSort(z3.BitVecSort(8)))) == ""


def test_integers_read_back_exactly() -> None:
    assert read_value(z3.IntVal(2**130 + 1)) == 2**130 + 1
    assert read_value(z3.IntVal(-5)) == -5


def test_folding_evaluates_numeral_arithmetic_and_keeps_the_order_of_the_rest() -> None:
    x, y = z3.Int("x"), z3.Int("y")
    folded = fold_constants((z3.IntVal(1_000) + z3.IntVal(500)) * x + y / (z3.IntVal(2) * 5), {})
    assert folded.sexpr() == "(+ (* 1500 x) (div y 10))"
    # Division by a non-positive numeral is left to the solver's own semantics.
    assert fold_constants(z3.IntVal(7) / z3.IntVal(0), {}).sexpr() == "(div 7 0)"
