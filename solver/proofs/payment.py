"""Proofs about one node payment (§6.3, §6.4, §6.7): CONS-SPLIT, PAY-COST and PAY-BURN.

Each claim ranges over every cost C with 0 <= C <= 2^128 micro-dollars. The subject is the
model's own split (`model.arith.split_payment`, read as Z3 terms); the goal
(`solver.goals.payment`) computes T from the cost and compares each part with the share §6.8
names for it, so a formula that reads the wrong key or loses dust is refuted, not only one whose
parts fail to add up.
"""

from __future__ import annotations

import z3

from model import arith
from model.params import Params
from model.profile import Profile
from solver.algebra import Z3_TERMS, Formula, Term
from solver.claim import Claim, ParamMode
from solver.goals import payment as goals
from solver.params import ParamTerms, get_param_logic
from solver.proofs import ClaimBuilder
from solver.proofs.conservation import Kind, kind_reserve_swap

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
    extra: tuple[tuple[str, Term], ...] = (),
    assumptions: tuple[Formula, ...] = (),
    linear: bool = True,
) -> Claim:
    # "Every valid parameter set": in its domain and coherent (§6.8, read by the goals).
    domain = (cost >= 0, cost <= MAX_COST, *assumptions, *terms.get_assumptions(coherent=True))
    return Claim(
        invariant_id=invariant_id,
        statement=statement,
        logic=get_param_logic(mode, linear=linear),
        inputs=tuple(sorted((("cost", cost), *extra, *terms.get_inputs()))),
        assumptions=domain,
        goal=goal,
    )


def claim_cons_split(params: Params, profile: Profile, mode: ParamMode) -> Claim:
    """CONS-SPLIT (§6.3, §6.8): T is rate x C and each of the six parts is its key's share of T
    (dust as documented), none negative, summing to T, for every cost up to 2^128."""
    terms, cost, split = _cost_claim(params, mode)
    parts = {"total": split.total}
    parts.update(zip(goals.PART_NAMES, split.parts(), strict=True))
    goal = goals.is_split_as_stated(cost, terms.__getitem__, parts)
    statement = (
        "for every cost 0 <= C <= 2^128: T = floor(C * payment_rate_bps / 10^4); each part p "
        "against its key's exact share s = T * bps / 10^4: swap reserve, burn and network "
        "support s - 1 < p <= s; node STB profit (stb_node_profit_bps) s - 1 < p < s + 1; node "
        "STR profit (str_node_profit_bps) s - 1 < p < s + 2; cost basis (10^4 - both margins) "
        "s <= p < s + 2; every part >= 0 and they sum to T"
    )
    return _assemble("CONS-SPLIT", statement, terms, cost, goal, mode=mode)


def claim_pay_cost(params: Params, profile: Profile, mode: ParamMode) -> Claim:
    """PAY-COST (§6.3.1): a paid node's cost basis covers its cost with under one bp of T to
    spare, and its STB is its cost plus its STB profit share of T, within that dust."""
    terms, cost, split = _cost_claim(params, mode)
    node_stb = split.stb_cost_basis + split.stb_node_profit
    goal = goals.is_cost_covered(
        cost, terms.__getitem__, split.total, split.stb_cost_basis, node_stb
    )
    statement = (
        "for every cost 0 <= C <= 2^128, T = floor(C * rate / 10^4) and P = T * "
        "stb_node_profit_bps / 10^4: the cost basis B has C <= B < C + T / 10^4 + 2 (costs fully "
        "covered, under one bp of T to spare); the node's STB (cost basis + STB profit) is >= C "
        "and C + P - 1 < STB < C + P + T / 10^4 + 2"
    )
    return _assemble("PAY-COST", statement, terms, cost, goal, mode=mode)


def claim_pay_burn(params: Params, profile: Profile, mode: ParamMode) -> Claim:
    """PAY-BURN (§6.4, §6.7): what one payment burns is the burn share of T less at most two
    micro-dollars of dust, and the STR the swap reserve buys is all burned."""
    terms, cost, split = _cost_claim(params, mode)
    burned = split.str_burn_usd + split.stb_swap_reserve
    # §6.7: the reserve swap as the ledger steps the model performs (`process_swap_reserve`).
    swap = Kind("reserve_swap", terms)
    kind_reserve_swap(swap)
    books = swap.books
    reserve_str = (books.openings[("swap_reserve", "str")], books.get("swap_reserve", "str"))
    pool_str = (books.openings[("stratoswap", "str")], books.get("stratoswap", "str"))
    swapped = goals.is_reserve_burned(
        (books.openings[("swap_reserve", "stb")], books.get("swap_reserve", "stb")),
        pool_str,
        books.burned - swap.inputs["reserve_swap.burned"],
        reserve_str,
    )
    goal = z3.And(
        goals.is_burn_as_stated(cost, terms.__getitem__, split.total, burned),
        z3.Implies(z3.And(*books.guards), swapped),
    )
    statement = (
        "for every cost 0 <= C <= 2^128: 0 <= T * (str_burn_bps + stb_reserve_swap_bps) "
        "- 10^4 * burned < 2 * 10^4, T = floor(C * rate / 10^4) (two floored parts); and for "
        "every reserve and pool with both sides, the reserve's market order spends all its STB "
        "and burns exactly the STR the pool pays out, the reserve keeping none of it (the "
        "curve's price is PAY-BURN-MARKET's)"
    )
    return _assemble(
        "PAY-BURN",
        statement,
        terms,
        cost,
        goal,
        mode=mode,
        extra=tuple(swap.inputs.items()),
        assumptions=tuple(swap.assumptions),
        linear=False,
    )


CLAIMS: dict[str, ClaimBuilder] = {
    "CONS-SPLIT": claim_cons_split,
    "PAY-COST": claim_pay_cost,
    "PAY-BURN": claim_pay_burn,
}
