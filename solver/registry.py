"""Every invariant with engine Z in the catalogue, mapped to its claim builder; proving the set.

The registry is the one place that says which family module proves which ID; a test checks it
covers exactly the catalogue's Z IDs. `prove_all` runs the set in catalogue order, each with its
own seeded solver, and returns frozen results. By default an ID is proved for every parameter set
in the domain and for the checked set (`get_plan`); `CONCRETE_ONLY` lists the IDs that need
concrete values, with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from model.params import Params
from model.profile import Profile
from properties.catalogue import CATALOGUE, Engine, get_invariant
from solver.claim import ParamMode, ProofResult, ProofStatus
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


CONCRETE_ONLY: dict[str, str] = {
    "CR-INJECTIVE": "reads no parameter: both modes build the same query",
    "SLASH-BOUNDS": "the schedule base x factor^L is a polynomial of degree 14 in the "
    "parameters; for all parameters the query takes seconds and needs cap >= base",
    "SLASH-DOUBLING": "the closed form base x factor^(k-1) is a polynomial of degree 14 in the "
    "parameters (about 1.5 s for all parameters)",
    "SLASH-STAKE": "a stake times the rate base x factor^L: nonlinear of degree 15 (about 1 s "
    "for all parameters, and K, the slashes that zero a stake, is a number of the set)",
    "SLASH-DELEGATORS": "a bond times the rate base x factor^L: nonlinear of degree 15 (about "
    "7 s for all parameters)",
}
"""IDs proved for the checked set only, each with the reason. Every other ID is proved for all
parameters (with the assumptions its statement names) and then for the checked set."""

DEFAULT_PLAN: tuple[ParamMode, ...] = (ParamMode.ALL_PARAMS, ParamMode.CONCRETE)
"""The queries of an ID by default: every parameter set in the domain, then the checked set."""


def get_plan(invariant_id: str) -> tuple[ParamMode, ...]:
    """The parameter modes `invariant_id` is proved in by default, in order."""
    return (ParamMode.CONCRETE,) if invariant_id in CONCRETE_ONLY else DEFAULT_PLAN


def decide(results: tuple[ProofResult, ...]) -> ProofResult:
    """One verdict from an ID's queries, carrying them all (`ProofResult.queries`).

    The checked set's query decides first: REFUTED or UNKNOWN there is the verdict. If it is
    PROVED, the all-parameters query decides: REFUTED there means the model's formula differs
    from the spec's for some parameter set in the domain (a key mixed up with another that the
    checked set happens to give the same value), a defect of the model even if the checked set
    is safe, so the invariant fails with that counterexample; UNKNOWN there is UNKNOWN. Only
    PROVED in every query is PROVED (the result then shows the all-parameters query)."""
    if len(results) == 1:
        return results[0]
    by_mode = {result.mode: result for result in results}
    concrete = by_mode[ParamMode.CONCRETE]
    general = by_mode[ParamMode.ALL_PARAMS]
    deciding = concrete if concrete.status is not ProofStatus.PROVED else general
    return attrs.evolve(deciding, queries=results)


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
    mode: ParamMode | None = None,
    settings: SolverSettings = DEFAULT_SETTINGS,
) -> ProofResult:
    """Build `invariant_id`'s claim for (params, profile, mode) and check it; with no mode, run
    its plan (`get_plan`) and `decide`."""
    builder = get_builder(invariant_id)
    modes = get_plan(invariant_id) if mode is None else (mode,)
    results = tuple(
        prove(builder(params, profile, each), mode=each, settings=settings) for each in modes
    )
    return decide(results)


def prove_all(
    params: Params,
    profile: Profile,
    *,
    mode: ParamMode | None = None,
    settings: SolverSettings = DEFAULT_SETTINGS,
    only: Iterable[str] | None = None,
) -> tuple[ProofResult, ...]:
    """Prove every Z invariant (or those of `only`), in catalogue order: each in its plan's
    modes, or in `mode` alone."""
    wanted = PROVED_IDS if only is None else tuple(only)
    for invariant_id in wanted:
        get_builder(invariant_id)
    return tuple(
        prove_invariant(invariant_id, params, profile, mode=mode, settings=settings)
        for invariant_id in PROVED_IDS
        if invariant_id in wanted
    )
