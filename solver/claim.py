"""What a proof states and what the solver answered, as frozen records.

A `Claim` is one invariant for one parameter set: the inputs it ranges over (named Z3 terms),
the assumptions that bound them (their domain) and the goal. The query handed to the solver is
"assumptions and not goal": unsatisfiable means PROVED for every input in the domain, satisfiable
means REFUTED with the solver's model as the counterexample, anything else is UNKNOWN with the
solver's reason, which never counts as a pass.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from attrs import frozen


class ProofStatus(Enum):
    """The three answers a proof can have."""

    PROVED = "proved"
    REFUTED = "refuted"
    UNKNOWN = "unknown"


class ParamMode(Enum):
    """Whether the parameters are the set's values, every value in their domains, or every value
    governance can adopt."""

    CONCRETE = "concrete"
    """The parameters are the checked set's values: the claim ranges over the other inputs."""
    ALL_PARAMS = "all-params"
    """Every parameter of the claim is a variable over its domain (and coherent where stated)."""
    ADOPTABLE = "adoptable"
    """Every parameter the claim reads is a variable, and the claim assumes nothing of it but its
    domain: no stated value kept, no coherence, no other guard, so at each value of the
    parameters it means what the CONCRETE claim of that set means. `solver.safety` bounds the
    variables by a constitution (each key's range, the fractions' bounds, coherent shares where
    the tally checks them): PROVED then means "safe for every set governance can adopt"."""


PLAN_MODES: tuple[ParamMode, ...] = (ParamMode.CONCRETE, ParamMode.ALL_PARAMS)
"""The modes a claim builder states on its own; ADOPTABLE claims are bounded by a constitution
(`solver.safety.get_adoptable_claim`, which `solver.registry.build_claim` applies)."""


@frozen
class Claim:
    """One invariant's statement for Z3: inputs, their domain, the goal."""

    invariant_id: str
    statement: str
    """The claim in words, with its domain: what PROVED means for this ID."""
    logic: str
    """The SMT-LIB logic of the query, e.g. QF_LIA."""
    inputs: tuple[tuple[str, Any], ...]
    """Named Z3 terms the counterexample reports, sorted by name."""
    assumptions: tuple[Any, ...]
    """Z3 Booleans bounding the inputs (domains, guards of the rule)."""
    goal: Any
    """The Z3 Boolean the invariant asserts."""
    labels: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """Inputs that number a choice, with the name of each number: a counterexample reports
    the name beside the number (`change.key = 11` and `change.key.name = ...`)."""


CounterexampleValue = int | str
"""An integer input, or a byte string input as lowercase hex."""


@frozen
class ProofResult:
    """One proof's outcome: status, counterexample, and what the auditor needs to re-check it."""

    invariant_id: str
    status: ProofStatus
    mode: ParamMode
    statement: str
    counterexample: tuple[tuple[str, CounterexampleValue], ...]
    """Sorted name -> value; empty unless REFUTED."""
    reason: str
    """Why the solver gave up (UNKNOWN), else empty."""
    solver: str
    """The solver and its version, e.g. "z3 4.13.0"."""
    logic: str
    smt2: str
    """The standalone SMT-LIB2 query (plain asserts, set-logic, check-sat)."""
    query_sha256: str
    milliseconds: int
    """The solver's own time for the check (not part of any hash)."""
    queries: tuple[ProofResult, ...] = ()
    """Every query of the invariant's plan (all parameters, then the checked set), each a
    result of its own; empty for a single query. This result's own fields are the deciding
    query's (`solver.registry.decide`)."""

    def get_queries(self) -> tuple[ProofResult, ...]:
        """The queries behind this result: its plan's, or itself alone."""
        return self.queries or (self,)

    def get_value(self, name: str) -> CounterexampleValue:
        """The counterexample's value for input `name` (KeyError if it has none)."""
        return dict(self.counterexample)[name]
