"""Proofs about one node payment (§6.3, §6.4): CONS-SPLIT, PAY-COST and PAY-BURN.

Each claim ranges over every cost C with 0 <= C <= 2^128 micro-dollars and splits it with the
model's own formula (`model.arith.split_payment`) read as Z3 terms.
"""

from __future__ import annotations

import z3

from model import arith
from model.params import Params
from model.profile import Profile
from model.units import BPS_DENOMINATOR
from solver.algebra import Z3_TERMS, Formula, Term
from solver.claim import Claim, ParamMode
from solver.params import ParamTerms, get_param_logic
from solver.proofs import ClaimBuilder

MAX_COST = 2**128
"""The largest cost the payment claims range over, in micro-dollars."""


def _cost_claim(params: Params, mode: ParamMode) -> tuple[ParamTerms, Term, arith.SplitTerms[Term]]:
    terms = ParamTerms(params, mode)
    cost = z3.Int("cost")
    return terms, cost, arith.split_payment(Z3_TERMS, cost, terms.get_shares())


def _assemble(
    invariant_id: str,
    statement: str,
    terms: ParamTerms,
    cost: Term,
    goal: Formula,
    *,
    mode: ParamMode,
) -> Claim:
    # "Every valid parameter set": in its domain and coherent (GOV-PARAMS).
    assumptions = (cost >= 0, cost <= MAX_COST, *terms.get_assumptions(coherent=True))
    return Claim(
        invariant_id=invariant_id,
        statement=statement,
        logic=get_param_logic(mode, linear=True),
        inputs=(("cost", cost), *terms.get_inputs()),
        assumptions=assumptions,
        goal=goal,
    )


def claim_cons_split(params: Params, profile: Profile, mode: ParamMode) -> Claim:
    """CONS-SPLIT (§6.3): the six parts are >= 0 and sum to T, for every cost up to 2^128."""
    terms, cost, split = _cost_claim(params, mode)
    parts = split.parts()
    goal = z3.And(sum(parts[1:], parts[0]) == split.total, *(part >= 0 for part in parts))
    statement = "for every cost 0 <= C <= 2^128: every part of the split is >= 0 and they sum to T"
    return _assemble("CONS-SPLIT", statement, terms, cost, goal, mode=mode)


def claim_pay_cost(params: Params, profile: Profile, mode: ParamMode) -> Claim:
    """PAY-COST (§6.3.1): a paid node's STB (cost basis + STB profit) is at least its cost."""
    terms, cost, split = _cost_claim(params, mode)
    goal = split.stb_cost_basis + split.stb_node_profit >= cost
    statement = "for every cost 0 <= C <= 2^128: the node's STB (cost basis + STB profit) >= C"
    return _assemble("PAY-COST", statement, terms, cost, goal, mode=mode)


def claim_pay_burn(params: Params, profile: Profile, mode: ParamMode) -> Claim:
    """PAY-BURN (§6.4): what one payment burns (STR burn + reserve swapped) is the burn share
    (str_burn_bps + stb_reserve_swap_bps) of T, short of it by less than one micro-dollar per
    floored part (two), for every cost."""
    terms, cost, split = _cost_claim(params, mode)
    share = terms["payment.str_burn_bps"] + terms["payment.stb_reserve_swap_bps"]
    burned = split.str_burn_usd + split.stb_swap_reserve
    exact = split.total * share
    dust = exact - burned * BPS_DENOMINATOR
    goal = z3.And(dust >= 0, dust < 2 * BPS_DENOMINATOR)
    statement = (
        "for every cost 0 <= C <= 2^128: 0 <= T * (str_burn_bps + stb_reserve_swap_bps) "
        "- 10000 * burned < 2 * 10000 (two floored parts)"
    )
    return _assemble("PAY-BURN", statement, terms, cost, goal, mode=mode)


CLAIMS: dict[str, ClaimBuilder] = {
    "CONS-SPLIT": claim_cons_split,
    "PAY-COST": claim_pay_cost,
    "PAY-BURN": claim_pay_burn,
}
