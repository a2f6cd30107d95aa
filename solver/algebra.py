"""The Z3 reading of `model.arith`: the same formulas as the model, built as Z3 terms.

`Z3_TERMS` implements `model.arith.Algebra` over Z3 integer terms and Booleans, so a proof calls
the very function the model calls (`arith.split_payment(Z3_TERMS, ...)`) and reasons about the
arithmetic the model executes. SMT-LIB's `div` is floor division for positive divisors, which is
the only division the formulas use.
"""

from __future__ import annotations

from typing import Any

import z3

Term = Any
"""A Z3 integer term (z3 ships no type information)."""
Formula = Any
"""A Z3 Boolean term."""


class Z3Algebra:
    """`model.arith.Algebra` over Z3 integer terms: every operation builds a term."""

    def lit(self, value: int) -> Term:
        """The integer constant `value`."""
        return z3.IntVal(value)

    def add(self, a: Term, b: Term) -> Term:
        """a + b."""
        return a + b

    def sub(self, a: Term, b: Term) -> Term:
        """a - b."""
        return a - b

    def mul(self, a: Term, b: Term) -> Term:
        """a * b."""
        return a * b

    def floordiv(self, a: Term, b: Term) -> Term:
        """SMT-LIB `div`: floor(a / b) for b > 0."""
        return a / b

    def lt(self, a: Term, b: Term) -> Formula:
        """a < b."""
        return a < b

    def eq(self, a: Term, b: Term) -> Formula:
        """a == b."""
        return a == b

    def all_of(self, *conditions: Formula) -> Formula:
        """Every condition holds."""
        return z3.And(*conditions)

    def ite(self, condition: Formula, then: Term, otherwise: Term) -> Term:
        """`then` if `condition`, else `otherwise`."""
        return z3.If(condition, then, otherwise)


Z3_TERMS = Z3Algebra()
"""The Z3 algebra every proof builds its terms with."""
