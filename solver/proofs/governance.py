"""GOV-PARAMS (§6.8) for Z3: the checked set is coherent, and governance keeps it so.

The claim has two halves. The checked parameter set satisfies every coherence rule
(`model.arith.are_shares_coherent`, the rule `model.coherence` runs). And coherence is inductive
over governance: from the checked set, every single-key change to a value in the key's domain
that the profile's governance accepts (hardened: only if the result is coherent, as
`model.governance.process_submit_proposal` checks; whitepaper: any in-domain value) leaves the
set coherent. The changed key is an input (`change.key`, an index into `GOVERNED_KEYS`; a counterexample
also names it, as `change.key.name`).
"""

from __future__ import annotations

import z3

from model import arith
from model.params import Params, param_specs
from model.profile import Profile
from solver.algebra import Z3_TERMS, Formula, Term
from solver.claim import Claim, ParamMode
from solver.params import ParamTerms
from solver.proofs import ClaimBuilder

GOVERNED_KEYS: tuple[str, ...] = tuple(arith.COHERENCE_KEYS.values())
"""The keys the coherence rules read, in the order `change.key` indexes them."""
_SPECS = {spec.name: spec for spec in param_specs()}


def _changed(terms: ParamTerms, key: Term, value: Term) -> arith.CoherenceInputs[Term]:
    """The coherence inputs after setting key number `key` to `value`."""
    index = {name: number for number, name in enumerate(GOVERNED_KEYS)}
    return arith.read_coherence_inputs(lambda name: z3.If(key == index[name], value, terms[name]))


def _in_domain(key: Term, value: Term) -> Formula:
    """The new value lies in the changed key's domain (the model refuses anything else)."""
    return z3.Or(
        *(
            z3.And(key == index, _SPECS[name].minimum <= value, value <= _SPECS[name].maximum)
            for index, name in enumerate(GOVERNED_KEYS)
        )
    )


def claim_gov_params(params: Params, profile: Profile, mode: ParamMode) -> Claim:
    """GOV-PARAMS (§6.8): the set is coherent, and every change governance accepts keeps it so."""
    terms = ParamTerms(params, mode)
    key, value = z3.Int("change.key"), z3.Int("change.value")
    now_coherent = terms.get_coherence()
    after = arith.are_shares_coherent(Z3_TERMS, _changed(terms, key, value))
    # Hardened governance refuses a change that leaves the shares incoherent; literal does not.
    accepted = after if profile.governance_checks_coherence else z3.BoolVal(True)
    step = z3.Implies(accepted, after)
    # Concrete: the checked set is coherent and the step holds from it. All parameters: the step
    # holds from every coherent set in the domain (coherence is then assumed, as an induction).
    goal = z3.And(now_coherent, step) if mode is ParamMode.CONCRETE else step
    domain = terms.get_assumptions(coherent=mode is ParamMode.ALL_PARAMS)
    return Claim(
        invariant_id="GOV-PARAMS",
        statement=(
            "the shares are coherent, and every single-key change to an in-domain value that "
            "governance accepts under this profile leaves them coherent"
        ),
        logic="QF_NIA",
        inputs=(("change.key", key), ("change.value", value), *terms.get_inputs()),
        assumptions=(_in_domain(key, value), *domain),
        goal=goal,
        labels=(("change.key", GOVERNED_KEYS),),
    )


CLAIMS: dict[str, ClaimBuilder] = {"GOV-PARAMS": claim_gov_params}
