"""Proofs about the slash schedule (§6.10) and its application to bonds (§4.2): SLASH-*.

The schedule is the model's own: the rate at level 0 is `arith.first_slash_rate` and each level
up applies `arith.next_slash_rate` (what `model.slashing.compute_slash_rate_bps` iterates); a
bond loses `arith.slash_bond`; the windows expired since the last slash
(`arith.expired_windows`) lower the level by `arith.decayed_level`.

Levels are unbounded, so the level claims are inductions in one query. Levels 0..SCHEDULE_DEPTH
are unrolled (the base cases; a counterexample then names a real `level`). Above that, an
inductive step over a symbolic rate `step.rate` carries the claim to every level, with the
invariant "the rate is the level-D rate r_D, or r_D is already past 100% and the rate is at
least r_D" (D = SCHEDULE_DEPTH): every capped schedule in the domain has reached its fixed point
by level D, and an uncapped one is constant or past 100% by then. The step is asked only where the
claim holds at level D (`Schedule.get_induction`): PROVED is unaffected, and a counterexample then
names a failing unrolled level, never a rate no slash reaches.

With concrete parameters the rates are numerals, so a claim stays linear (QF_LIA) unless the
literal schedule passes 100% by level D and the claim multiplies a stake by the step's rate
(SLASH-STAKE and SLASH-DELEGATORS under the literal profile: QF_NIA).
"""

from __future__ import annotations

from collections.abc import Callable

import z3

from model import arith
from model.params import Params
from model.profile import Profile
from model.units import BPS_DENOMINATOR
from solver.algebra import Z3_TERMS, Formula, Term
from solver.claim import Claim, ParamMode
from solver.goals import slashing as goals
from solver.params import ParamTerms, get_param_logic
from solver.proofs import ClaimBuilder

SCHEDULE_DEPTH = goals.SCHEDULE_DEPTH
"""D: the levels 0..D the claims unroll. Every schedule in the domain is constant from level D on
or past 100% at level D: with base >= 1 and factor >= 2, base * factor^14 >= 2^14 > 10000 >= cap
(base 0 or factor 1 make it constant from level 1)."""

FULL_RATE_BPS = BPS_DENOMINATOR
"""100%, in basis points."""

RateProperty = Callable[[Term], Formula]
"""A property of one slash rate (the other inputs of the claim fixed)."""


def fold(term: Term) -> Term:
    """`term` as a numeral if it reads no input (parameters are numerals in CONCRETE mode), else
    unchanged: a product with a folded rate then has a numeral factor, as linear logic needs."""
    folded = z3.simplify(term)
    return folded if z3.is_int_value(folded) else term


class Schedule:
    """§6.10: the slash schedule of one parameter set and profile, as Z3 terms."""

    def __init__(self, terms: ParamTerms, profile: Profile, mode: ParamMode) -> None:
        self.terms = terms
        self.mode = mode
        self.capped = profile.slash_capped
        self.base = terms["slashing.slash_base_bps"]
        self.factor = terms["slashing.slash_factor"]
        self.cap = terms["slashing.slash_cap_bps"]
        rate = fold(arith.first_slash_rate(Z3_TERMS, self.base, self.cap, capped=self.capped))
        rates = [rate]
        for _ in range(SCHEDULE_DEPTH):
            rate = fold(self.next(rate))
            rates.append(rate)
        self.rates: tuple[Term, ...] = tuple(rates)
        """r_0..r_D: the rate at each unrolled level, as the model iterates it."""
        self.level = z3.Int("level")
        self.level_rate = z3.Int("level.rate")
        self.step_rate = z3.Int("step.rate")

    def next(self, rate: Term) -> Term:
        """The rate one level up (`arith.next_slash_rate`)."""
        return arith.next_slash_rate(Z3_TERMS, rate, self.factor, self.cap, capped=self.capped)

    def get_level_domain(self) -> tuple[Formula, ...]:
        """The unrolled levels, 0 <= level <= D, and `level.rate` defined as r_level."""
        chain = self.rates[-1]
        for n in range(SCHEDULE_DEPTH - 1, -1, -1):
            chain = z3.If(self.level == n, self.rates[n], chain)
        return (self.level >= 0, self.level <= SCHEDULE_DEPTH, self.level_rate == chain)

    def at_level(self, prop: RateProperty) -> Formula:
        """`prop` of the rate at the input `level`: one implication per level when the rates are
        numerals (linear); of the one variable `level.rate` when they are terms in the
        parameters (the nonlinear solver then multiplies by one rate, not by fifteen)."""
        if self.mode is not ParamMode.CONCRETE:
            return prop(self.level_rate)
        return z3.And(
            *(z3.Implies(self.level == n, prop(rate)) for n, rate in enumerate(self.rates))
        )

    def is_past_full(self) -> Formula:
        """r_D > 100%: the schedule is past 100% at level D (uncapped and growing)."""
        return self.rates[-1] > FULL_RATE_BPS

    def can_pass_full(self) -> bool:
        """Whether r_D > 100% is possible: with numeral rates, whether it holds."""
        return not z3.is_false(z3.simplify(self.is_past_full()))

    def is_tail_rate(self, rate: Term) -> Formula:
        """The invariant of the levels above D: r_D itself, or at least r_D once r_D > 100%."""
        last = self.rates[-1]
        return z3.Or(rate == last, z3.And(self.is_past_full(), rate >= last))

    def get_induction(self, prop: RateProperty, *, witness: RateProperty | None = None) -> Formula:
        """`prop` at every level: the unrolled levels, then the step over `step.rate`.

        The step is asked only where `prop` holds at level D, for the claim's inputs and for the
        fixed inputs of `witness` (`prop` with, e.g., a stake of 10000). Either failing is itself
        a counterexample the query admits (level D is unrolled), so PROVED is unchanged; and a
        failing unrolled level, never a rate no slash reaches, is then the counterexample.
        """
        rate, last = self.step_rate, self.rates[-1]
        # `prop` of a tail rate: of r_D (level D, unrolled), and of every rate >= r_D if r_D > 100%
        # (left out where r_D <= 100% is known, which keeps a claim linear in the rate linear).
        beyond = (
            (z3.Implies(z3.And(self.is_past_full(), rate >= last), prop(rate)),)
            if self.can_pass_full()
            else ()
        )
        step = z3.And(
            z3.Implies(self.is_tail_rate(rate), self.is_tail_rate(self.next(rate))), *beyond
        )
        excuses = [z3.Not(prop(last))]
        if witness is not None:
            excuses.append(z3.Not(witness(last)))
        return z3.And(self.at_level(prop), z3.Or(step, *excuses))

    def is_linear_in_rate(self) -> bool:
        """Whether a property with a product of an input and the rate stays linear: only if the
        rates are numerals and the symbolic step rate never reaches the property."""
        return self.mode is ParamMode.CONCRETE and not self.can_pass_full()

    def get_inputs(self) -> tuple[tuple[str, Term], ...]:
        """The level, its rate and the step's rate, as counterexample inputs."""
        return (
            ("level", self.level),
            ("level.rate", self.level_rate),
            ("step.rate", self.step_rate),
        )


def _assemble(
    invariant_id: str,
    statement: str,
    terms: ParamTerms,
    goal: Formula,
    *,
    inputs: tuple[tuple[str, Term], ...],
    assumptions: tuple[Formula, ...],
    mode: ParamMode,
    linear: bool = True,
) -> Claim:
    return Claim(
        invariant_id=invariant_id,
        statement=statement,
        logic=get_param_logic(mode, linear=linear),
        inputs=tuple(sorted((*inputs, *terms.get_inputs()))),
        assumptions=(*assumptions, *terms.get_assumptions(coherent=False)),
        goal=goal,
    )


_INDUCTION = (
    "levels 0..14 unrolled; above 14 by induction on the level with a symbolic rate r: "
    "r is r_14, or r_14 > 100% and r >= r_14, and next(r) is so too"
)


# --- SLASH-BOUNDS ---------------------------------------------------------------------------------


def claim_slash_bounds(params: Params, profile: Profile, mode: ParamMode) -> Claim:
    """SLASH-BOUNDS (§6.10): base <= rate <= 100% at every level, so for every slash sequence."""
    schedule = Schedule(ParamTerms(params, mode), profile, mode)

    def in_bounds(rate: Term) -> Formula:
        return goals.is_rate_bounded(rate, schedule.base)

    goal = schedule.get_induction(in_bounds)
    statement = (
        "for every level L >= 0 (so for every slash sequence: a slash is at the rate of its "
        f"decayed level): base <= rate(L) <= 10000 ({_INDUCTION})"
    )
    return _assemble(
        "SLASH-BOUNDS",
        statement,
        schedule.terms,
        goal,
        inputs=schedule.get_inputs(),
        assumptions=schedule.get_level_domain(),
        mode=mode,
    )


# --- SLASH-DOUBLING -------------------------------------------------------------------------------


def claim_slash_doubling(params: Params, profile: Profile, mode: ParamMode) -> Claim:
    """SLASH-DOUBLING (§6.10): within one window the k-th slash is at min(base * 2^(k-1), cap)
    (no cap under the literal profile), for every k >= 1: the text's factor 2, whatever
    `slashing.slash_factor` holds (for all parameters it keeps 2, the constitution's range)."""
    schedule = Schedule(ParamTerms(params, mode, fixed=goals.TEXT_FACTOR), profile, mode)
    base, cap = schedule.base, schedule.cap

    def closed(uncapped: Term) -> Term:
        return goals.get_closed_rate(uncapped, cap, capped=schedule.capped)

    # E_k = base * 2^(k-1), as products (the closed form of the checker, not the recurrence).
    powers = goals.get_doubled(base, SCHEDULE_DEPTH + 1)
    k = z3.Int("k")
    capped = schedule.capped
    at_k = z3.And(
        *(
            z3.Implies(k == n + 1, goals.is_rate_closed(rate, power, cap, capped=capped))
            for n, (rate, power) in enumerate(zip(schedule.rates, powers, strict=True))
        )
    )
    every_k = z3.And(
        *(
            goals.is_rate_closed(rate, power, cap, capped=capped)
            for rate, power in zip(schedule.rates, powers, strict=True)
        )
    )
    # The step: for a symbolic E_k >= 0, the recurrence from min(E_k, cap) is min(E_k * 2, cap).
    uncapped = z3.Int("step.uncapped")
    step = goals.is_rate_closed(
        schedule.next(closed(uncapped)), goals.get_next_doubled(uncapped), cap, capped=capped
    )
    goal = z3.And(at_k, z3.Or(step, z3.Not(every_k)))
    cap_text = "min(E_k, cap)" if schedule.capped else "E_k (no cap)"
    statement = (
        f"for every k >= 1: the k-th slash within one window (level k-1) is at {cap_text} with "
        f"E_k = base * 2^(k-1) (§6.10's factor 2); k = 1..{SCHEDULE_DEPTH + 1} unrolled; above by "
        "induction on k with a symbolic E_k >= 0: if the rate is the closed form of E_k, the next "
        "rate is the closed form of E_(k+1) = E_k * 2"
    )
    return _assemble(
        "SLASH-DOUBLING",
        statement,
        schedule.terms,
        goal,
        inputs=(("k", k), ("step.uncapped", uncapped)),
        assumptions=(k >= 1, k <= SCHEDULE_DEPTH + 1, uncapped >= 0),
        mode=mode,
    )


# --- SLASH-DECAY ----------------------------------------------------------------------------------


def claim_slash_decay(params: Params, profile: Profile, mode: ParamMode) -> Claim:
    """SLASH-DECAY (§6.10): each expired window lowers the level by one, never below 0, so the
    uncapped rate is halved per window (the text's factor 2, whatever `slashing.slash_factor`
    holds), never below base (then capped as SLASH-DOUBLING proves; the claim is the same under
    both profiles)."""
    terms = ParamTerms(params, mode, fixed=goals.TEXT_FACTOR)
    base, factor = terms["slashing.slash_base_bps"], terms["slashing.slash_factor"]
    window = terms["slashing.slash_window_seconds"]
    level, elapsed, uncapped = z3.Int("level"), z3.Int("elapsed"), z3.Int("step.uncapped")
    expired = arith.expired_windows(Z3_TERMS, elapsed, window)
    decayed = arith.decayed_level(Z3_TERMS, level, expired)
    one_more_window = arith.expired_windows(Z3_TERMS, elapsed + window, window)
    one_more = arith.decayed_level(Z3_TERMS, level, one_more_window)
    # The uncapped rate one level down is this level's divided by the factor, never below base.
    no_cap = z3.IntVal(FULL_RATE_BPS)  # read by neither formula when uncapped
    first = arith.first_slash_rate(Z3_TERMS, base, no_cap, capped=False)
    raised = arith.next_slash_rate(Z3_TERMS, uncapped, factor, no_cap, capped=False)
    goal = z3.And(
        goals.is_decay_as_stated(level, elapsed, window, decayed, one_more),
        goals.is_rate_decayed(first, raised, uncapped, base),
    )
    statement = (
        "for every level L >= 0 and time t >= 0 since the last slash: the decayed level is "
        "max(0, L - floor(t / window)), at t and at t + window (one level less per whole "
        "window); the uncapped rate U_l = base * factor^l is >= base "
        "(induction on l) and U_(l-1) = max(base, U_l div 2), U_0 = max(base, U_0 div 2) "
        "(§6.10's factor 2); so after n windows the uncapped rate is max(base, U_L div 2^n), "
        "applied capped (SLASH-DOUBLING)"
    )
    return _assemble(
        "SLASH-DECAY",
        statement,
        terms,
        goal,
        inputs=(("elapsed", elapsed), ("level", level), ("step.uncapped", uncapped)),
        assumptions=(level >= 0, elapsed >= 0, uncapped >= 0),
        mode=mode,
    )


# --- SLASH-STAKE ----------------------------------------------------------------------------------


def _left_after(stake: Term, rate: Term) -> Term:
    """The bond after one slash at `rate`: the model keeps amount - burned."""
    return stake - arith.slash_bond(Z3_TERMS, stake, rate).burned


def claim_slash_stake(params: Params, profile: Profile, mode: ParamMode) -> Claim:
    """SLASH-STAKE (§6.10): for every stake and every reachable rate, 0 <= burned <= stake and all
    that is requested is burned; K slashes within one window zero a stake, K - 1 do not."""
    schedule = Schedule(ParamTerms(params, mode), profile, mode)
    stake = z3.Int("stake")
    slashes_to_zero = goals.get_slashes_to_zero(params, profile)

    def covered_for(amount: Term) -> RateProperty:
        def covered(rate: Term) -> Formula:
            loss = arith.slash_bond(Z3_TERMS, amount, rate)
            left = amount - loss.burned
            held = goals.is_loss_covered(amount, loss.requested, loss.burned)
            if mode is not ParamMode.CONCRETE:
                # Every parameter: a slash zeroes a positive stake iff its rate reaches 100%.
                zeroes = (left == 0) == (rate >= FULL_RATE_BPS)
                return z3.And(held, z3.Implies(amount > 0, zeroes))
            if slashes_to_zero is None:
                # No rate reaches 100%: a positive stake stays positive (induction on the slashes).
                return z3.And(held, z3.Implies(amount > 0, left > 0))
            return held

        return covered

    covered = covered_for(stake)
    # A stake of 10000 is not covered by any rate past 100%: the witness of the step's guard.
    witness = covered_for(z3.IntVal(FULL_RATE_BPS))
    goal = schedule.get_induction(covered, witness=witness)
    if mode is ParamMode.CONCRETE and slashes_to_zero is not None:
        # K slashes in one window, at levels 0..K-1, unrolled: the stake after each.
        left = [stake]
        for rate in schedule.rates[:slashes_to_zero]:
            left.append(_left_after(left[-1], rate))
        zeroing = z3.Implies(stake > 0, z3.And(left[-2] > 0, left[-1] == 0))
        goal = z3.And(goal, zeroing)
        zero_text = (
            f"every stake s > 0 is > 0 after K-1 and 0 after K = {slashes_to_zero} slashes "
            "within one window (get_slashes_to_zero; K steps unrolled)"
        )
    elif mode is ParamMode.CONCRETE:
        zero_text = "the rate never reaches 100% (K = None): no slash zeroes a positive stake"
    else:
        zero_text = (
            "a slash leaves a positive stake at 0 iff its rate is >= 100%, so K = the first k "
            "whose rate reaches 100% (get_slashes_to_zero)"
        )
    statement = (
        "for every stake s >= 0 and every level L >= 0 (every reachable rate): 0 <= burned <= s "
        "(the bond after, s - burned, is >= 0 and bond before = bond after + burned) and "
        f"requested == burned; {zero_text} ({_INDUCTION})"
    )
    return _assemble(
        "SLASH-STAKE",
        statement,
        schedule.terms,
        goal,
        inputs=(("stake", stake), *schedule.get_inputs()),
        assumptions=(stake >= 0, *schedule.get_level_domain()),
        mode=mode,
        linear=schedule.is_linear_in_rate(),
    )


# --- SLASH-DELEGATORS -----------------------------------------------------------------------------


def is_fraction_lost(amount: Term, rate: Term) -> Formula:
    """SLASH-DELEGATORS (§4.2): the model's loss of a bond (`arith.slash_bond`) against the
    goal: floor(amount * min(rate, 100%) / 100%) lost, floor(amount * rate / 100%) requested."""
    loss = arith.slash_bond(Z3_TERMS, amount, rate)
    return goals.is_fraction_lost(amount, rate, loss.requested, loss.burned)


def claim_slash_delegators(params: Params, profile: Profile, mode: ParamMode) -> Claim:
    """SLASH-DELEGATORS (§4.2): every bond of a slashed validator loses the same fraction of
    itself, min(rate, 100%), rounded down, for every two bonds and every reachable rate."""
    schedule = Schedule(ParamTerms(params, mode), profile, mode)
    first, second = z3.Int("bond.a"), z3.Int("bond.b")

    def pro_rata(rate: Term) -> Formula:
        return z3.And(is_fraction_lost(first, rate), is_fraction_lost(second, rate))

    goal = schedule.get_induction(pro_rata)
    statement = (
        "for every two bonds a, b >= 0 of one validator and every level L >= 0 (every reachable "
        "rate r): each bond x requests floor(x * r / 10000) and loses burned with "
        f"0 <= x * min(r, 10000) - 10000 * burned < 10000 ({_INDUCTION})"
    )
    return _assemble(
        "SLASH-DELEGATORS",
        statement,
        schedule.terms,
        goal,
        inputs=(("bond.a", first), ("bond.b", second), *schedule.get_inputs()),
        assumptions=(first >= 0, second >= 0, *schedule.get_level_domain()),
        mode=mode,
        linear=schedule.is_linear_in_rate(),
    )


CLAIMS: dict[str, ClaimBuilder] = {
    "SLASH-BOUNDS": claim_slash_bounds,
    "SLASH-DOUBLING": claim_slash_doubling,
    "SLASH-DECAY": claim_slash_decay,
    "SLASH-STAKE": claim_slash_stake,
    "SLASH-DELEGATORS": claim_slash_delegators,
}
