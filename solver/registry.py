"""Every invariant with engine Z in the catalogue, mapped to its claim builder; proving the set.

The registry is the one place that says which family module proves which ID; a test checks it
covers exactly the catalogue's Z IDs. `prove_all` runs the set in catalogue order, each with its
own seeded solver, and returns frozen results. By default an ID is proved for every parameter set
in the domain and for the checked set (`get_plan`); `CONCRETE_ONLY` lists the IDs that need
concrete values, with the reason. GOV-SAFE has no claim of its own: it is every claim of
`GOV_SAFE_COVERED` over the sets the constitution lets governance adopt (`solver.safety`).
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from model.constitution import Constitution, get_constitution
from model.params import Params
from model.profile import Profile
from properties.catalogue import CATALOGUE, Engine, get_invariant
from solver.claim import Claim, ParamMode, ProofResult, ProofStatus
from solver.proofs import (
    ClaimBuilder,
    bounds,
    committees,
    consensus,
    conservation,
    encoding,
    governance,
    payment,
    rewards,
    services,
    slashing,
    stratoswap,
    supply,
    validators,
)
from solver.prove import DEFAULT_SETTINGS, SolverSettings, prove
from solver.safety import GOV_SAFE, get_adoptable_claim, prove_gov_safe

CLAIM_BUILDERS: dict[str, ClaimBuilder] = {
    **conservation.CLAIMS,
    **payment.CLAIMS,
    **consensus.CLAIMS,
    **encoding.CLAIMS,
    **slashing.CLAIMS,
    **rewards.CLAIMS,
    **governance.CLAIMS,
    **supply.CLAIMS,
    **validators.CLAIMS,
    **services.CLAIMS,
    **committees.CLAIMS,
    **bounds.CLAIMS,
    **stratoswap.CLAIMS,
}
"""Invariant ID -> the builder of its claim."""

SET_IDS: tuple[str, ...] = tuple(
    invariant.id for invariant in CATALOGUE if invariant.id in CLAIM_BUILDERS
)
"""The IDs with a claim about one parameter set (a builder each), in catalogue order: what a
parameter set's safe region (`solver.region`) is judged by."""

GOV_SAFE_COVERED: tuple[str, ...] = SET_IDS
"""The IDs whose claims GOV-SAFE proves over every adoptable set: every ID with a claim."""

COMPOSITE_IDS: tuple[str, ...] = (GOV_SAFE,)
"""IDs proved by many queries, one per covered claim, rather than by a claim of their own."""

PROVED_IDS: tuple[str, ...] = tuple(
    invariant.id
    for invariant in CATALOGUE
    if invariant.id in CLAIM_BUILDERS or invariant.id in COMPOSITE_IDS
)
"""The IDs this engine proves, in catalogue order."""


CONCRETE_ONLY: dict[str, str] = {
    "CR-INJECTIVE": "reads no parameter: both modes build the same query",
    "SUB-POWERS": "the committee's vote reads no parameter: both modes build the same query",
    "REW-PRORATA": "the split reads no parameter: both modes build the same query",
    "VAL-SET-ORDER": "three validators for two seats, whatever the set: both modes build the"
    " same query",
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
    """The parameter modes `invariant_id` is proved in by default, in order (GOV-SAFE: every
    adoptable set, one query per covered ID)."""
    if invariant_id in COMPOSITE_IDS:
        return (ParamMode.ADOPTABLE,)
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


def check_provable(invariant_id: str) -> None:
    """Raise unless Z3 proves `invariant_id` (unknown IDs raise the catalogue's error)."""
    invariant = get_invariant(invariant_id)
    if Engine.Z3 not in invariant.engines or invariant_id not in PROVED_IDS:
        raise NotProvableError(f"{invariant_id} is not checked by Z3 (engines: Z is absent)")


def get_builder(invariant_id: str) -> ClaimBuilder:
    """The claim builder of `invariant_id` (unknown IDs raise the catalogue's error; GOV-SAFE,
    which has none, raises NotProvableError)."""
    check_provable(invariant_id)
    if invariant_id not in CLAIM_BUILDERS:
        raise NotProvableError(f"{invariant_id} has no claim of its own (solver.safety)")
    return CLAIM_BUILDERS[invariant_id]


def build_claim(
    invariant_id: str,
    params: Params,
    profile: Profile,
    mode: ParamMode,
    *,
    constitution: Constitution | None = None,
) -> Claim:
    """`invariant_id`'s claim for (params, profile, mode); in ADOPTABLE mode bounded by
    `constitution` (default: the profile's, `model.constitution.get_constitution`)."""
    claim = get_builder(invariant_id)(params, profile, mode)
    if mode is not ParamMode.ADOPTABLE:
        return claim
    constitution = get_constitution(profile) if constitution is None else constitution
    return get_adoptable_claim(claim, profile, constitution)


def prove_safe(
    params: Params,
    profile: Profile,
    *,
    constitution: Constitution | None = None,
    settings: SolverSettings = DEFAULT_SETTINGS,
) -> ProofResult:
    """GOV-SAFE: every claim of `GOV_SAFE_COVERED` over every set `constitution` (default: the
    profile's) lets governance adopt (`solver.safety.prove_gov_safe`)."""
    builders = tuple(
        (invariant_id, CLAIM_BUILDERS[invariant_id]) for invariant_id in GOV_SAFE_COVERED
    )
    return prove_gov_safe(builders, params, profile, constitution=constitution, settings=settings)


def prove_invariant(
    invariant_id: str,
    params: Params,
    profile: Profile,
    *,
    mode: ParamMode | None = None,
    settings: SolverSettings = DEFAULT_SETTINGS,
) -> ProofResult:
    """Build `invariant_id`'s claim for (params, profile, mode) and check it; with no mode, run
    its plan (`get_plan`) and `decide`. GOV-SAFE is about every adoptable set, whatever `mode`
    says (`prove_safe`)."""
    check_provable(invariant_id)
    if invariant_id == GOV_SAFE:
        return prove_safe(params, profile, settings=settings)
    modes = get_plan(invariant_id) if mode is None else (mode,)
    results = tuple(
        prove(build_claim(invariant_id, params, profile, each), mode=each, settings=settings)
        for each in modes
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
        check_provable(invariant_id)
    return tuple(
        prove_invariant(invariant_id, params, profile, mode=mode, settings=settings)
        for invariant_id in PROVED_IDS
        if invariant_id in wanted
    )
