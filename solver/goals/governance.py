"""Goal of GOV-PARAMS (§6.8): the shares are coherent, read from the whitepaper's table.

§6.8 names the payment's parts as shares of T: the cost basis and the two margins make up all
of T, the cost basis a whole number of bps that covers the cost (10^4 / rate of T, §6.3.1:
"fully covered in STB") with less than one bp to spare; the STB margin is the node's STB profit
plus the swap reserve; the STR margin is the node's STR profit plus the burn plus network
support. §3.3 and §6.8's thresholds
can only be met if they are below one. Written here on terms, apart from `model.coherence`.
"""

from __future__ import annotations

import z3
from attrs import frozen

from model.constitution import HARDENED_CONSTITUTION
from model.units import BPS_DENOMINATOR
from solver.goals import Formula, ParamGetter, Term

COHERENCE_KEYS: tuple[str, ...] = (
    "payment.payment_rate_bps",
    "payment.stb_profit_margin_bps",
    "payment.stb_node_profit_bps",
    "payment.stb_reserve_swap_bps",
    "payment.str_profit_margin_bps",
    "payment.str_node_profit_bps",
    "payment.str_burn_bps",
    "payment.str_network_support_bps",
    "consensus.threshold_num",
    "consensus.threshold_den",
    "governance.supermajority_num",
    "governance.supermajority_den",
)
"""Every key §6.8's coherence speaks of, in a fixed order (a change's `key` indexes it)."""


COHERENCE_RULES: tuple[str, ...] = (
    "cost-plus-margins",
    "stb-sub-shares",
    "str-sub-shares",
    "consensus-threshold",
    "governance-supermajority",
)
"""The rules of §6.8's coherence, in the order `get_coherence_rules` states them (a claim's
`coherence.rule` input indexes it, so a counterexample names the rule it breaks). The names are
the ones a violation carries wherever GOV-PARAMS is checked."""


COHERENCE_RULE_KEYS: dict[str, tuple[str, ...]] = {
    "cost-plus-margins": (
        "payment.payment_rate_bps",
        "payment.stb_profit_margin_bps",
        "payment.str_profit_margin_bps",
    ),
    "stb-sub-shares": (
        "payment.stb_profit_margin_bps",
        "payment.stb_node_profit_bps",
        "payment.stb_reserve_swap_bps",
    ),
    "str-sub-shares": (
        "payment.str_profit_margin_bps",
        "payment.str_node_profit_bps",
        "payment.str_burn_bps",
        "payment.str_network_support_bps",
    ),
    "consensus-threshold": ("consensus.threshold_num", "consensus.threshold_den"),
    "governance-supermajority": ("governance.supermajority_num", "governance.supermajority_den"),
}
"""The keys each rule of `COHERENCE_RULES` reads: a change to one of them is what can break it."""


def get_coherence_rules(get: ParamGetter) -> tuple[Formula, ...]:
    """§6.8 GOV-PARAMS, one formula per rule of `COHERENCE_RULES`: cost basis + STB margin + STR
    margin = 100% of T, the cost basis covering the cost with under one bp of T to spare
    (§6.3.1), each margin's sub-shares sum to it, and both thresholds are fractions below one."""
    margins = get("payment.stb_profit_margin_bps") + get("payment.str_profit_margin_bps")
    stb_parts = get("payment.stb_node_profit_bps") + get("payment.stb_reserve_swap_bps")
    str_parts = (
        get("payment.str_node_profit_bps")
        + get("payment.str_burn_bps")
        + get("payment.str_network_support_bps")
    )
    # §6.3.1 costs "fully covered in STB": the cost basis b = 10^4 - margins bps of T covers the
    # cost, 10^8 / rate bps of T, and b - 1 would not (the least whole number of bps that does).
    basis = BPS_DENOMINATOR - margins
    rate = get("payment.payment_rate_bps")
    return (
        z3.And(
            rate * basis >= BPS_DENOMINATOR * BPS_DENOMINATOR,
            rate * (basis - 1) < BPS_DENOMINATOR * BPS_DENOMINATOR,
        ),
        stb_parts == get("payment.stb_profit_margin_bps"),
        str_parts == get("payment.str_profit_margin_bps"),
        get("consensus.threshold_num") < get("consensus.threshold_den"),
        get("governance.supermajority_num") < get("governance.supermajority_den"),
    )


def is_coherent(get: ParamGetter, rule: Term | None = None) -> Formula:
    """§6.8 GOV-PARAMS: every rule of `get_coherence_rules` holds; with `rule`, the rule of that
    number in `COHERENCE_RULES` (none for any other number)."""
    rules = get_coherence_rules(get)
    if rule is None:
        return z3.And(*rules)
    return z3.And(*(z3.Implies(rule == index, each) for index, each in enumerate(rules)))


CONSTITUTION_BOUNDS: tuple[str, ...] = (
    *sorted(HARDENED_CONSTITUTION.rows),
    *(f"{bound.num_key}/{bound.den_key}" for bound in HARDENED_CONSTITUTION.ratio_bounds),
)
"""Every bound of the constitution: a key's range, then each fraction's, in a fixed order (a
claim's `constitution.bound` input indexes it, so a counterexample names the bound it breaks)."""


def _get_bounds_held(get: ParamGetter) -> list[Formula]:
    """Each bound of `CONSTITUTION_BOUNDS`, in its order: the key inside the constitution's
    range, or the fraction of two keys inside its bound (docs/constitution.md)."""
    rows = sorted(HARDENED_CONSTITUTION.rows.items())
    held = [z3.And(row.minimum <= get(name), get(name) <= row.maximum) for name, row in rows]
    held += [
        z3.And(
            get(fraction.num_key) * fraction.least.den
            >= fraction.least.num * get(fraction.den_key),
            get(fraction.num_key) < get(fraction.den_key),
        )
        for fraction in HARDENED_CONSTITUTION.ratio_bounds
    ]
    return held


def is_within_constitution(get: ParamGetter, bound: Term | None = None) -> Formula:
    """§6.8 GOV-PARAMS: every key inside the range the constitution gives it, and each fraction
    of two keys inside its bound (docs/constitution.md; the ranges the invariants need, whatever
    the profile enforces). With `bound`, the bound of that number in `CONSTITUTION_BOUNDS`."""
    held = _get_bounds_held(get)
    if bound is None:
        return z3.And(*held)
    return z3.And(*(z3.Implies(bound == index, each) for index, each in enumerate(held)))


def is_kept_coherent(
    now: ParamGetter,
    after: ParamGetter,
    accepted: Formula,
    *,
    given: bool,
    part: GoalPart | None = None,
) -> Formula:
    """GOV-PARAMS over governance: a change the tally applies (`accepted`) leaves the set
    coherent; with `given` False the current set's fit to the constitution and its coherence
    are part of the goal too. With `part`, the one part of the goal it selects: the bound of
    that number, the coherence rule of that number, or (neither selected) the tally's step."""
    step = z3.Implies(accepted, is_coherent(after))
    if given:
        return step
    if part is None:
        return z3.And(is_within_constitution(now), is_coherent(now), step)
    return z3.And(
        is_within_constitution(now, part.bound),
        is_coherent(now, part.rule),
        z3.Implies(part.is_step(), step),
    )


@frozen
class GoalPart:
    """Which part of GOV-PARAMS a query states: `bound` numbers a bound of
    `CONSTITUTION_BOUNDS`, `rule` a rule of `COHERENCE_RULES`, each -1 when it selects none;
    at most one selects, and with neither the part is the tally's step. A counterexample then
    names the one part that fails, and the inputs of the other parts stay out of it."""

    bound: Term
    rule: Term

    def get_domain(self) -> Formula:
        """Each number names one of its parts or none, and at most one of them names one."""
        return z3.And(
            self.bound >= -1,
            self.bound < len(CONSTITUTION_BOUNDS),
            self.rule >= -1,
            self.rule < len(COHERENCE_RULES),
            z3.Or(self.bound == -1, self.rule == -1),
        )

    def is_step(self) -> Formula:
        """The part is the tally's step: neither a bound nor a coherence rule is selected."""
        return z3.And(self.bound == -1, self.rule == -1)

    def is_first_bound(self, get: ParamGetter) -> Formula:
        """A bound is selected only if every bound before it in `CONSTITUTION_BOUNDS` holds of
        `get`: a set that leaves several bounds is shown leaving the first of them, whichever
        one the solver meets first (the goal fails for some bound exactly when it fails for
        the first one it fails for, so no counterexample is lost)."""
        held = _get_bounds_held(get)
        return z3.And(
            *(
                z3.Implies(self.bound == index, z3.And(True, *held[:index]))
                for index in range(len(held))
            )
        )
