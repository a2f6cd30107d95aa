"""Every invariant with engine Z in the catalogue, mapped to its claim builder; proving the set.

The registry is the one place that says which family module proves which ID; a test checks it
covers exactly the catalogue's Z IDs. `prove_all` runs the set in catalogue order, each with its
own seeded solver, and returns frozen results.
"""

from __future__ import annotations

from collections.abc import Iterable

from model.params import Params
from model.profile import Profile
from properties.catalogue import CATALOGUE, Engine, get_invariant
from solver.claim import ParamMode, ProofResult
from solver.proofs import (
    ClaimBuilder,
    consensus,
    conservation,
    encoding,
    governance,
    payment,
    slashing,
    supply,
)
from solver.prove import DEFAULT_SETTINGS, SolverSettings, prove

CLAIM_BUILDERS: dict[str, ClaimBuilder] = {
    **conservation.CLAIMS,
    **payment.CLAIMS,
    **consensus.CLAIMS,
    **encoding.CLAIMS,
    **slashing.CLAIMS,
    **governance.CLAIMS,
    **supply.CLAIMS,
}
"""Invariant ID -> the builder of its claim."""

PROVED_IDS: tuple[str, ...] = tuple(
    invariant.id for invariant in CATALOGUE if invariant.id in CLAIM_BUILDERS
)
"""The IDs this engine proves, in catalogue order."""


class NotProvableError(KeyError):
    """Raised for a catalogue ID that has no Z3 proof (its engines do not include Z)."""


def get_builder(invariant_id: str) -> ClaimBuilder:
    """The claim builder of `invariant_id` (unknown IDs raise the catalogue's error)."""
    invariant = get_invariant(invariant_id)
    if Engine.Z3 not in invariant.engines or invariant_id not in CLAIM_BUILDERS:
        raise NotProvableError(f"{invariant_id} is not checked by Z3 (engines: Z is absent)")
    return CLAIM_BUILDERS[invariant_id]


def prove_invariant(
    invariant_id: str,
    params: Params,
    profile: Profile,
    *,
    mode: ParamMode = ParamMode.CONCRETE,
    settings: SolverSettings = DEFAULT_SETTINGS,
) -> ProofResult:
    """Build `invariant_id`'s claim for (params, profile, mode) and check it."""
    claim = get_builder(invariant_id)(params, profile, mode)
    return prove(claim, mode=mode, settings=settings)


def prove_all(
    params: Params,
    profile: Profile,
    *,
    mode: ParamMode = ParamMode.CONCRETE,
    settings: SolverSettings = DEFAULT_SETTINGS,
    only: Iterable[str] | None = None,
) -> tuple[ProofResult, ...]:
    """Prove every Z invariant (or those of `only`), in catalogue order."""
    wanted = PROVED_IDS if only is None else tuple(only)
    for invariant_id in wanted:
        get_builder(invariant_id)
    return tuple(
        prove_invariant(invariant_id, params, profile, mode=mode, settings=settings)
        for invariant_id in PROVED_IDS
        if invariant_id in wanted
    )
