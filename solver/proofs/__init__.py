"""One module per family of invariants; each maps its invariant IDs to claim builders.

A claim builder takes the checked parameter set, the protocol profile and the parameter mode
and returns the `Claim` for its ID: its subject is the model's own arithmetic (`model.arith` read
as Z3 terms, or a model rule run on terms by `solver.symbolic`), and its goal comes from
`solver/goals/`, the whitepaper's statement, so a proof compares the model with the spec.
"""

from __future__ import annotations

from collections.abc import Callable

from model.params import Params
from model.profile import Profile
from solver.claim import Claim, ParamMode

ClaimBuilder = Callable[[Params, Profile, ParamMode], Claim]
"""Builds one invariant's claim for (parameters, profile, mode)."""
