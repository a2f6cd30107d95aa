"""Goal of CR-INJECTIVE (§3.2 F4): equal encodings of two composite-hash inputs imply equal inputs.

F4 hashes four fields together; the commitment binds a node to its output only if no two
different tuples encode to the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence

import z3

from solver.goals import Formula, Term


def is_injective(
    first_encoding: Term, second_encoding: Term, first: Sequence[Term], second: Sequence[Term]
) -> Formula:
    """Equal encodings imply equal tuples, field by field."""
    same_fields = z3.And(*(a == b for a, b in zip(first, second, strict=True)))
    return z3.Implies(first_encoding == second_encoding, same_fields)
