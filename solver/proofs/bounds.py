"""Proofs of two facts about sets (§6.8, §4.2): GOV-SUBCOMMITTEE-BOUND and VAL-SET-ORDER.

GOV-SUBCOMMITTEE-BOUND: the subject is the model's activation rule,
`model.governance.is_subcommittee_active`, run on Z3 terms (a committee's delegation, all STR
and the activation share as terms), and the model's bound
`model.committees.get_max_active_subcommittees`. The claim ranges over every supply, every
count of committees and every delegation to them, for every activation share s >= 1 bps (the
checked set's, or all of the domain).

VAL-SET-ORDER: the subject is the model's ranking, `model.staking.get_active_set`, under the
profile's switch `validator_set_by_arrival`. It sorts with Python
comparisons, so it is run on every path: each comparison of two stakes (or arrival numbers)
becomes a branch point, every path is run once, and a validator is seated on the disjunction of
the paths that seat it. Three validators compete for two seats, with any stakes, in two
arrival orders (any two numberings of the three).
"""

from __future__ import annotations

from typing import Any

import attrs
import z3
from pyrsistent import pmap

import model.committees
import model.governance
from model.governance import NETWORK_SUPPORT_COMMITTEE, create_governance_state
from model.ledger import Ledger
from model.params import Params, with_values
from model.profile import Profile
from model.staking import StakingState, Validator, get_active_set
from model.units import AccountId, ValidatorId
from solver.algebra import Formula, Term
from solver.claim import Claim, ParamMode
from solver.goals import bounds as goals
from solver.params import ParamTerms, get_param_logic
from solver.proofs import ClaimBuilder
from solver.proofs.governance import DecisionPath
from solver.symbolic import arith_as, make_symbolic_params

ACTIVATION_KEY = "governance.subcommittee_activation_bps"
COMMITTEE = NETWORK_SUPPORT_COMMITTEE
DELEGATOR = AccountId("delegator")


def _is_active(params: Params, delegated: Term, supply: Term) -> Formula:
    """The model's rule: is a committee holding `delegated` of `supply` ustr active?"""
    gov = attrs.evolve(
        create_governance_state(),
        params=params,
        subcommittee_delegations=pmap({(DELEGATOR, COMMITTEE): delegated}),
    )
    active: Formula = model.governance.is_subcommittee_active(
        Ledger(str_genesis=supply), gov, COMMITTEE
    )
    return active


def claim_gov_subcommittee_bound(params: Params, profile: Profile, mode: ParamMode) -> Claim:
    """GOV-SUBCOMMITTEE-BOUND (§6.8): at most ceil(10^4 / s) - 1 subcommittees are active at
    once, and that many can be."""
    terms = ParamTerms(params, mode)
    symbolic = make_symbolic_params(terms.__getitem__)
    share = terms[ACTIVATION_KEY]
    count, smallest, held, supply = z3.Ints("committees smallest held supply")
    with arith_as(model.committees):
        model_most: Term = model.committees.get_max_active_subcommittees(share)
    witness = goals.get_witness_holding(share)
    goal = goals.is_subcommittee_bound(
        share,
        model_most,
        count=count,
        smallest=smallest,
        held=held,
        supply=supply,
        smallest_active=_is_active(symbolic, smallest, supply),
        witness_active=_is_active(symbolic, witness, z3.IntVal(goals.WITNESS_SUPPLY)),
    )
    statement = (
        "for every activation share 1 <= s <= 10^4 bps, every supply of all STR >= 1 ustr and "
        "every k >= 1 subcommittees with disjoint delegations (held <= supply between them, each "
        "at least the smallest, which the model counts active): k <= ceil(10^4 / s) - 1 (99 at "
        "§6.8's 1%); ceil(10^4 / s) - 1 subcommittees of s x 10^4 + 1 ustr of 10^8, each active "
        "by the model's rule, fit; and model.committees.get_max_active_subcommittees(s) is that "
        "number"
    )
    inputs = (
        ("committees", count),
        ("held", held),
        ("smallest", smallest),
        ("supply", supply),
    )
    return Claim(
        invariant_id="GOV-SUBCOMMITTEE-BOUND",
        statement=statement,
        logic=get_param_logic(mode, linear=False),
        inputs=tuple(sorted((*inputs, *terms.get_inputs()), key=lambda kv: kv[0])),
        assumptions=(share >= 1, smallest >= 0, *terms.get_assumptions(coherent=False)),
        goal=goal,
    )


# --- VAL-SET-ORDER -------------------------------------------------------------------------------

VALIDATORS = tuple(ValidatorId(f"v{index}") for index in range(3))
"""The three validators of VAL-SET-ORDER's claim."""
SEATS = 2
"""The active set's size in VAL-SET-ORDER's claim: one validator is always left out."""


class _Number:
    """A Z3 integer that Python code compares: each comparison asks the path being run."""

    def __init__(self, term: Term, path: DecisionPath) -> None:
        self.term = term
        self.path = path

    def _of(self, other: object) -> Term:
        return other.term if isinstance(other, _Number) else other

    def __neg__(self) -> _Number:
        return _Number(-self.term, self.path)

    def __add__(self, other: object) -> _Number:
        return _Number(self.term + self._of(other), self.path)

    __radd__ = __add__

    def __lt__(self, other: object) -> bool:
        return self.path.decide(self.term < self._of(other))

    def __gt__(self, other: object) -> bool:
        return self.path.decide(self.term > self._of(other))

    def __eq__(self, other: object) -> bool:
        return self.path.decide(self.term == self._of(other))

    __hash__ = None  # type: ignore[assignment]


def _operator(validator: ValidatorId) -> AccountId:
    return AccountId(f"op-{validator}")


def get_seated(
    params: Params,
    stakes: dict[ValidatorId, Term],
    arrivals: dict[ValidatorId, Term],
    *,
    by_arrival: bool,
) -> dict[str, Formula]:
    """Validator -> when the model's ranking seats it, for the stakes and arrival numbers given
    as terms, over every path through the ranking."""
    seated: dict[str, list[Formula]] = {v: [] for v in VALIDATORS}
    decisions: list[bool] = []
    while True:
        path = DecisionPath(decisions)
        # The stakes and arrival numbers stand where the state holds integers: the ranking
        # compares them, and each comparison asks the path.
        bonds: dict[tuple[AccountId, ValidatorId], Any] = {
            (_operator(v), v): _Number(stakes[v], path) for v in VALIDATORS
        }
        order: dict[ValidatorId, Any] = {v: _Number(arrivals[v], path) for v in VALIDATORS}
        staking = StakingState(
            validators=pmap({v: Validator(v, _operator(v)) for v in VALIDATORS}),
            delegations=pmap(bonds),
            arrivals=pmap(order),
            next_arrival=len(VALIDATORS),
        )
        for validator in get_active_set(staking, params, by_arrival=by_arrival):
            seated[validator].append(z3.And(*path.conditions))
        # The next path: flip the last True decision, drop the ones after it.
        while decisions and not decisions[-1]:
            decisions.pop()
        if not decisions:
            break
        decisions[-1] = False
    return {v: z3.Or(*paths) if paths else z3.BoolVal(False) for v, paths in seated.items()}


def claim_val_set_order(params: Params, profile: Profile, mode: ParamMode) -> Claim:
    """VAL-SET-ORDER (§4.2): the active set depends only on the stakes, not on the order in
    which the validators arrived."""
    sized = with_values(params, {("consensus", "max_validators"): SEATS})
    stakes = {v: z3.Int(f"stake.{v}") for v in VALIDATORS}
    first = {v: z3.Int(f"first_order.{v}") for v in VALIDATORS}
    second = {v: z3.Int(f"second_order.{v}") for v in VALIDATORS}
    by_arrival = profile.validator_set_by_arrival
    goal = goals.is_set_of_the_stakes(
        {str(v): term for v, term in stakes.items()},
        get_seated(sized, stakes, first, by_arrival=by_arrival),
        get_seated(sized, stakes, second, by_arrival=by_arrival),
        SEATS,
    )
    statement = (
        "for every stakes >= 0 of three validators in good standing competing for two seats, "
        "and any two orders of arrival (each a numbering of the three): both orders seat the "
        "same validators, the two with the most stake (fewer if fewer have stake > 0)"
    )
    orders = (
        z3.Distinct(*first.values()),
        z3.Distinct(*second.values()),
        *(z3.And(number >= 0, number < len(VALIDATORS)) for number in first.values()),
        *(z3.And(number >= 0, number < len(VALIDATORS)) for number in second.values()),
    )
    inputs = (
        *((f"stake.{v}", term) for v, term in stakes.items()),
        *((f"first_order.{v}", term) for v, term in first.items()),
        *((f"second_order.{v}", term) for v, term in second.items()),
    )
    return Claim(
        invariant_id="VAL-SET-ORDER",
        statement=statement,
        logic="QF_LIA",
        inputs=tuple(sorted(inputs, key=lambda kv: kv[0])),
        assumptions=(*(stake >= 0 for stake in stakes.values()), *orders),
        goal=goal,
    )


CLAIMS: dict[str, ClaimBuilder] = {
    "GOV-SUBCOMMITTEE-BOUND": claim_gov_subcommittee_bound,
    "VAL-SET-ORDER": claim_val_set_order,
}
