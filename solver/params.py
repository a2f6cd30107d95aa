"""The parameters as Z3 terms: the checked set's values, or variables over their domains.

In `ParamMode.CONCRETE` every parameter is its value in the checked set, so a claim ranges over
the other inputs only (costs, stakes, vote counts) and mostly stays linear. In
`ParamMode.ALL_PARAMS` a parameter a claim reads is a variable bounded by its key's domain, so
PROVED means "safe for every parameter set in the domain" and REFUTED names an unsafe one. In
`ParamMode.ADOPTABLE` every parameter read is a variable with no stated value kept and no
assumption but its domain; `solver.safety` adds what a constitution guarantees of it.
"""

from __future__ import annotations

from collections.abc import Mapping

import z3

from model import arith
from model.params import Params, get_param, param_specs
from solver.algebra import Formula, Term
from solver.claim import ParamMode
from solver.goals import governance

_SPECS = {spec.name: spec for spec in param_specs()}


class ParamTerms:
    """The parameters a claim reads, as terms; in ALL_PARAMS mode also their domains."""

    def __init__(
        self, params: Params, mode: ParamMode, *, fixed: Mapping[str, int] | None = None
    ) -> None:
        self.params = params
        self.mode = mode
        self.fixed = dict(fixed or {}) if mode is ParamMode.ALL_PARAMS else {}
        """Keys that keep a stated value in ALL_PARAMS mode (the whitepaper's, where a claim
        holds only there), each a numeral rather than a variable; none in the other modes (in
        ADOPTABLE mode the constitution says which values a key may take)."""
        self._used: dict[str, Term] = {}

    def __getitem__(self, name: str) -> Term:
        """The term of parameter `name` ("subspace.key"): its value, or a variable."""
        spec = _SPECS[name]
        if name not in self._used:
            if self.mode is ParamMode.CONCRETE:
                self._used[name] = z3.IntVal(get_param(self.params, spec.subspace, spec.key))
            elif name in self.fixed and self.mode is ParamMode.ALL_PARAMS:
                self._used[name] = z3.IntVal(self.fixed[name])
            else:
                self._used[name] = z3.Int(name)
        return self._used[name]

    def get_inputs(self) -> tuple[tuple[str, Term], ...]:
        """The parameters read so far that are variables (none in CONCRETE mode)."""
        if self.mode is ParamMode.CONCRETE:
            return ()
        return tuple(sorted((k, v) for k, v in self._used.items() if k not in self.fixed))

    def get_domain(self) -> tuple[Formula, ...]:
        """Each variable parameter within its key's domain (nothing in CONCRETE mode)."""
        return tuple(
            z3.And(_SPECS[name].minimum <= term, term <= _SPECS[name].maximum)
            for name, term in self.get_inputs()
        )

    def get_assumptions(self, *, coherent: bool) -> tuple[Formula, ...]:
        """In ALL_PARAMS mode: every parameter read within its domain, and, if `coherent`, the
        shares coherent (GOV-PARAMS); in ADOPTABLE mode the domains only (whether the shares are
        coherent is the constitution's to say); in CONCRETE mode nothing. Call it after building
        the goal."""
        if self.mode is ParamMode.CONCRETE:
            return ()
        if self.mode is ParamMode.ADOPTABLE:
            return self.get_domain()
        coherence = (self.get_coherence(),) if coherent else ()
        return (*self.get_domain(), *coherence)

    def get_shares(self) -> arith.Shares[Term]:
        """The payment shares the split reads (§6.8), as terms."""
        return arith.read_shares(self.__getitem__)

    def get_coherence(self) -> Formula:
        """GOV-PARAMS (§6.8): the shares add up, as the whitepaper states it
        (`solver.goals.governance`), not by the model's own rule: an assumption the model
        computed wrongly would hide the very sets a claim should range over."""
        return governance.is_coherent(self.__getitem__)


def get_param_logic(mode: ParamMode, *, linear: bool) -> str:
    """The SMT-LIB logic of a claim: linear only if it is and the parameters are constants."""
    return "QF_LIA" if linear and mode is ParamMode.CONCRETE else "QF_NIA"
