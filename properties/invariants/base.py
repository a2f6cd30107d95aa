"""What a checker returns: an observation of one invariant on one state or transition.

A checker returns `None` when the state gives it nothing to check (no slash happened, no round
was paid): such a call is not evidence. Evidence counts only observations, so an invariant that
is never observed is VACUOUS, never a pass.
"""

from __future__ import annotations

from attrs import frozen

from properties.catalogue import get_invariant


@frozen
class Observation:
    """One invariant checked once: whether it held, and if not, what broke."""

    invariant_id: str
    holds: bool
    detail: str = ""


def holds(invariant_id: str) -> Observation:
    """The invariant was exercised and held."""
    get_invariant(invariant_id)
    return Observation(invariant_id, True)


def violated(invariant_id: str, detail: str) -> Observation:
    """The invariant was exercised and broke; `detail` says how, with the values involved."""
    get_invariant(invariant_id)
    return Observation(invariant_id, False, detail)


def observe(invariant_id: str, ok: bool, detail: str) -> Observation:
    """`holds` if `ok`, else `violated` with `detail`."""
    return holds(invariant_id) if ok else violated(invariant_id, detail)
