"""GOV-PARAMS (§6.8) for Z3: the checked set is coherent, and the tally keeps it so.

The subject is the coherence check governance runs when it applies a proposal:
`model.governance.process_tally` (and `process_submit_proposal`) adopt a changed set only if
`get_incoherence_reason` finds nothing, i.e. `model.coherence.check_coherence` reports no
violation. That function branches on Python booleans, so it is run here symbolically: each of its
tests becomes a branch point, every path through it is run once with the parameters as Z3 terms,
and the set is accepted on the paths that end with no violation. The goal
(`solver.goals.governance`) is §6.8's coherence, written apart from the model.

The claim: the checked set is coherent, and every set the tally adopts is coherent. Under
`hardened` that is every set in the domain that the check passes, whatever keys a proposal changes
(for all parameters the current set is assumed coherent, as an induction's hypothesis). Under
`whitepaper` the tally adopts any in-domain value: one key changed from the current set, the key
an input (`change.key`, an index into `GOVERNED_KEYS`; a counterexample also names it, as
`change.key.name`).

On the checked set (CONCRETE, ADOPTABLE) each query states one part of the goal, chosen by its
inputs (`solver.goals.governance.GoalPart`): a bound of the constitution, a coherence rule (named
as every GOV-PARAMS check names it: `str-sub-shares`, ...), or the tally's step. The proposal is
read only by the step; for the other parts it is the checked set itself, so a counterexample of
an incoherent set names its broken rule and no change the set does not make (left free, the
solver would fill the proposal with whatever values it met first).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import z3

import model.coherence
import model.governance
from model.params import Params, param_specs
from model.profile import Profile
from solver.algebra import Formula, Term, Z3Algebra
from solver.claim import Claim, ParamMode
from solver.goals import governance as goals
from solver.params import ParamTerms
from solver.proofs import ClaimBuilder
from solver.symbolic import arith_as, make_symbolic_params

GOVERNED_KEYS: tuple[str, ...] = goals.COHERENCE_KEYS
"""The keys §6.8's coherence reads, in the order `change.key` indexes them."""
_SPECS = {spec.name: spec for spec in param_specs()}


class _Branch:
    """A Z3 Boolean that Python code branches on: `bool()` answers from the path being run."""

    def __init__(self, formula: Formula, path: DecisionPath) -> None:
        self.formula = formula
        self.path = path

    def __bool__(self) -> bool:
        return self.path.decide(self.formula)


class DecisionPath:
    """One path through a function: the decisions taken so far and the conditions they need."""

    def __init__(self, decisions: list[bool]) -> None:
        self.decisions = decisions
        self.taken = 0
        self.conditions: list[Formula] = []

    def decide(self, formula: Formula) -> bool:
        if self.taken == len(self.decisions):
            self.decisions.append(True)
        decision = self.decisions[self.taken]
        self.taken += 1
        self.conditions.append(formula if decision else z3.Not(formula))
        return decision


class _PathAlgebra(Z3Algebra):
    """`Z3_TERMS` whose truth values are `_Branch`es of one path."""

    def __init__(self, path: DecisionPath) -> None:
        self.path = path

    def lt(self, a: Term, b: Term) -> Any:
        return _Branch(a < b, self.path)

    def eq(self, a: Term, b: Term) -> Any:
        return _Branch(a == b, self.path)

    def all_of(self, *conditions: Any) -> Any:
        return _Branch(z3.And(*(c.formula for c in conditions)), self.path)

    def ite(self, condition: Any, then: Term, otherwise: Term) -> Term:
        return z3.If(condition.formula, then, otherwise)


def get_tally_acceptance(params: Params, values: Mapping[str, Term]) -> Formula:
    """When the tally adopts a set: `model.governance.get_incoherence_reason` (which runs
    `check_coherence`) finds nothing, over every path through it, the keys of `values` as terms
    (every other key its value in `params`)."""

    def get(name: str) -> Term:
        if name in values:
            return values[name]
        spec = _SPECS[name]
        return z3.IntVal(getattr(getattr(params, spec.subspace), spec.key))

    symbolic = make_symbolic_params(get)
    accepted: list[Formula] = []
    decisions: list[bool] = []
    while True:
        path = DecisionPath(decisions)
        with arith_as(model.coherence, _PathAlgebra(path)):
            if model.governance.get_incoherence_reason(symbolic) is None:
                accepted.append(z3.And(*path.conditions))
        # The next path: flip the last True decision, drop the ones after it.
        while decisions and not decisions[-1]:
            decisions.pop()
        if not decisions:
            break
        decisions[-1] = False
    return z3.Or(*accepted) if accepted else z3.BoolVal(False)


def _changed(terms: ParamTerms, key: Term, value: Term) -> Callable[[str], Term]:
    """The parameters after setting key number `key` to `value`."""
    index = {name: number for number, name in enumerate(GOVERNED_KEYS)}
    return lambda name: z3.If(key == index[name], value, terms[name])


def _in_domain(key: Term, value: Term) -> Formula:
    """The new value lies in the changed key's domain (the model refuses anything else)."""
    return z3.Or(
        *(
            z3.And(key == index, _SPECS[name].minimum <= value, value <= _SPECS[name].maximum)
            for index, name in enumerate(GOVERNED_KEYS)
        )
    )


def claim_gov_params(params: Params, profile: Profile, mode: ParamMode) -> Claim:
    """GOV-PARAMS (§6.8): the set is coherent, and every set the tally adopts is coherent."""
    terms = ParamTerms(params, mode)
    inputs: list[tuple[str, Term]] = []
    assumptions: list[Formula] = []
    given = mode is ParamMode.ALL_PARAMS
    labels: tuple[tuple[str, tuple[str, ...]], ...] = ()
    part: goals.GoalPart | None = None
    if not given:
        # One part of the goal at a time: a bound of the constitution, a coherence rule, or the
        # tally's step; a counterexample names the part it breaks (`constitution.bound.name`,
        # `coherence.rule.name`; of several bounds broken, the first), and a proposal only
        # where the step is the part.
        part = goals.GoalPart(z3.Int("constitution.bound"), z3.Int("coherence.rule"))
        inputs += [("coherence.rule", part.rule), ("constitution.bound", part.bound)]
        assumptions += [part.get_domain(), part.is_first_bound(terms.__getitem__)]
        labels = (
            ("coherence.rule", goals.COHERENCE_RULES),
            ("constitution.bound", goals.CONSTITUTION_BOUNDS),
        )
    if profile.governance_checks_coherence:
        # Any proposal, however many keys it changes, is adopted only if the check passes on
        # the set it makes: every set in the domain that passes must be coherent.
        proposed = {name: z3.Int(f"proposal.{name}") for name in GOVERNED_KEYS}
        inputs += sorted((f"proposal.{name}", term) for name, term in proposed.items())
        in_domain = z3.And(
            *(
                z3.And(_SPECS[name].minimum <= term, term <= _SPECS[name].maximum)
                for name, term in proposed.items()
            )
        )
        if part is None:
            assumptions.append(in_domain)
        else:
            # Where the part is not the step no proposal is read: it is the checked set itself,
            # so the counterexample shows no change the set does not make.
            unchanged = z3.And(*(term == terms[name] for name, term in proposed.items()))
            assumptions.append(z3.If(part.is_step(), in_domain, unchanged))
        accepted = get_tally_acceptance(params, proposed)
        goal = goals.is_kept_coherent(
            terms.__getitem__, proposed.__getitem__, accepted, given=given, part=part
        )
    else:
        # The literal tally adopts any in-domain value: one key changed from the current set.
        key, value = z3.Int("change.key"), z3.Int("change.value")
        inputs += [("change.key", key), ("change.value", value)]
        if part is None:
            assumptions.append(_in_domain(key, value))
        else:
            # Where the part is not the step, no key is changed (key -1 names none).
            no_change = z3.And(key == -1, value == 0)
            assumptions.append(z3.If(part.is_step(), _in_domain(key, value), no_change))
        after = _changed(terms, key, value)
        goal = goals.is_kept_coherent(
            terms.__getitem__, after, z3.BoolVal(True), given=given, part=part
        )
        labels = (*labels, ("change.key", GOVERNED_KEYS))
    domain = terms.get_assumptions(coherent=given)
    return Claim(
        invariant_id="GOV-PARAMS",
        statement=(
            "every key within the constitution's range and each fraction within its bound"
            " (docs/constitution.md), the shares are coherent (§6.8), and every set the tally"
            " adopts under this profile "
            "is coherent: hardened, every set in the domain that "
            "model.governance.get_incoherence_reason (check_coherence) passes, whatever the keys "
            "a proposal changes; whitepaper, every single-key change to an in-domain value"
        ),
        logic="QF_NIA",
        inputs=(*inputs, *terms.get_inputs()),
        assumptions=(*assumptions, *domain),
        goal=goal,
        labels=labels,
    )


CLAIMS: dict[str, ClaimBuilder] = {"GOV-PARAMS": claim_gov_params}
