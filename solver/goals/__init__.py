"""The goals of the Z3 claims: what each invariant asserts, read from the whitepaper on Z3 terms.

A claim in `solver/proofs/` evaluates the model (its subject) and hands the values to a goal
here, which says what they should be by the catalogue statement and the whitepaper. This package
is oracle code (`oracle.boundary`): it never imports `model.arith` or a model rule, so a formula
of the model that reads the wrong key or floors in the wrong place cannot pass by agreeing with
itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Term = Any
"""A Z3 integer term (z3 ships no type information)."""

Formula = Any
"""A Z3 Boolean term."""

ParamGetter = Callable[[str], Term]
"""A parameter ("subspace.key") as a term: its value, or a variable over its domain."""
