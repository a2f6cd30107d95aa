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


_HELD: dict[str, Observation] = {}
"""ID -> its observation that held: a frozen record, made once per known ID."""


def holds(invariant_id: str) -> Observation:
    """The invariant was exercised and held."""
    held = _HELD.get(invariant_id)
    if held is None:
        get_invariant(invariant_id)
        held = _HELD[invariant_id] = Observation(invariant_id, True)
    return held


def violated(invariant_id: str, detail: str) -> Observation:
    """The invariant was exercised and broke; `detail` says how, with the values involved."""
    get_invariant(invariant_id)
    return Observation(invariant_id, False, detail)


def observe(invariant_id: str, ok: bool, detail: str) -> Observation:
    """`holds` if `ok`, else `violated` with `detail`."""
    return holds(invariant_id) if ok else violated(invariant_id, detail)
