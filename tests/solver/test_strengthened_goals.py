"""Each strengthened goal refutes a wrong model the goal it replaced proved.

Every test plants a realistic bug in the model (a key read in place of another that the
whitepaper's defaults give the same value, a lost floor, a missing coherence rule), shows that the
claim with its former goal (rebuilt here from the same subject) is PROVED on it, and that the
claim as `prove_invariant` now runs it (all parameters, then the checked set) is REFUTED.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import pytest
import z3
from solver_fixtures import FAST

import model.coherence
import model.governance
import model.supply
import model.trusted.decision
from model import arith
from model.params import WHITEPAPER_PARAMS, Params, with_values
from model.profile import HARDENED, Profile
from model.units import BPS_DENOMINATOR
from solver.algebra import Z3_TERMS, Term
from solver.claim import PLAN_MODES, Claim, ParamMode, ProofResult, ProofStatus
from solver.params import ParamTerms
from solver.prove import prove
from solver.registry import get_builder, prove_invariant

Formula = Any


def _old(
    invariant_id: str,
    mode: ParamMode,
    goal: Callable[[ParamTerms], Formula],
    params: Params = WHITEPAPER_PARAMS,
) -> ProofResult:
    """The claim as built now, with its former goal (over the same named inputs) in its place."""
    claim: Claim = get_builder(invariant_id)(params, HARDENED, mode)
    return prove(attrs.evolve(claim, goal=goal(ParamTerms(params, mode))), mode=mode)


def _now(invariant_id: str, params: Params = WHITEPAPER_PARAMS) -> ProofResult:
    return prove_invariant(invariant_id, params, HARDENED, settings=FAST)


def _split(terms: ParamTerms) -> arith.SplitTerms[Term]:
    return arith.split_payment(Z3_TERMS, z3.Int("cost"), terms.get_shares())


# --- CONS-SPLIT: each part at its own key's share -------------------------------------------------


def _split_burn_and_network_swapped(
    alg: arith.Algebra[Any, Any], cost: Any, shares: arith.Shares[Any]
) -> arith.SplitTerms[Any]:
    """Mutant: the burn reads the network-support share and the reverse (1000 bps each at the
    defaults): the parts still sum to T and none is negative."""
    swapped = attrs.evolve(
        shares,
        str_burn_bps=shares.str_network_support_bps,
        str_network_support_bps=shares.str_burn_bps,
    )
    return ORIGINAL_SPLIT(alg, cost, swapped)


ORIGINAL_SPLIT = arith.split_payment


def _old_cons_split(terms: ParamTerms) -> Formula:
    split = _split(terms)
    parts = split.parts()
    return z3.And(z3.Sum(*parts) == split.total, *(part >= 0 for part in parts))


def test_cons_split__swapped_keys_refuted_now_proved_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(arith, "split_payment", _split_burn_and_network_swapped)
    result = _now("CONS-SPLIT")
    assert result.status is ProofStatus.REFUTED, (result.reason, result.milliseconds)
    assert result.mode is ParamMode.ALL_PARAMS
    for mode in PLAN_MODES:
        assert _old("CONS-SPLIT", mode, _old_cons_split).status is ProofStatus.PROVED
    values = dict(result.counterexample)
    assert values["payment.str_burn_bps"] != values["payment.str_network_support_bps"]
    # The checked set alone cannot tell: its two keys are equal.
    by_mode = {query.mode: query.status for query in result.get_queries()}
    assert by_mode[ParamMode.CONCRETE] is ProofStatus.PROVED


# --- PAY-COST: the node's STB is its cost plus its own STB share ----------------------------------


def _old_pay_cost(terms: ParamTerms) -> Formula:
    split = _split(terms)
    return split.stb_cost_basis + split.stb_node_profit >= z3.Int("cost")


def test_pay_cost__node_share_read_by_the_wrong_key_refuted_now_proved_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The reserve's share read by the node's key (500 bps each at the defaults): the reserve
    # gets the node's share and the node keeps the reserve's.
    monkeypatch.setitem(arith.SHARE_KEYS, "stb_reserve_swap_bps", "payment.stb_node_profit_bps")
    assert _old("PAY-COST", ParamMode.ALL_PARAMS, _old_pay_cost).status is ProofStatus.PROVED
    result = _now("PAY-COST")
    assert result.status is ProofStatus.REFUTED and result.mode is ParamMode.ALL_PARAMS
    values = dict(result.counterexample)
    assert values["payment.stb_node_profit_bps"] != values["payment.stb_reserve_swap_bps"]


# --- PAY-BURN: T is rate x C, and the reserve's STR is bought at the price -------------------------


def _split_total_rounded_up(
    alg: arith.Algebra[Any, Any], cost: Any, shares: arith.Shares[Any]
) -> arith.SplitTerms[Any]:
    """Mutant: T is rounded up, one micro-dollar more withdrawn than rate x C allows."""
    rounded = alg.floordiv(
        alg.add(alg.mul(cost, shares.payment_rate_bps), alg.lit(BPS_DENOMINATOR - 1)),
        alg.lit(BPS_DENOMINATOR),
    )
    # The split of the larger T: the same formula on a cost that gives it.
    exact = ORIGINAL_SPLIT(alg, cost, shares)
    extra = alg.sub(rounded, exact.total)
    return attrs.evolve(
        exact,
        total=rounded,
        stb_cost_basis=alg.add(exact.stb_cost_basis, extra),
    )


RATE_TWO_AND_A_HALF = with_values(
    WHITEPAPER_PARAMS,
    {
        ("payment", "payment_rate_bps"): 25_000,
        ("payment", "stb_profit_margin_bps"): 2_000,
        ("payment", "stb_node_profit_bps"): 1_500,
    },
)
"""A coherent set at 2.5x: 25000 x (10^4 - 2000 - 4000) = 10^8."""


def _old_pay_burn(terms: ParamTerms) -> Formula:
    split = _split(terms)
    share = terms["payment.str_burn_bps"] + terms["payment.stb_reserve_swap_bps"]
    dust = split.total * share - (split.str_burn_usd + split.stb_swap_reserve) * BPS_DENOMINATOR
    return z3.And(dust >= 0, dust < 2 * BPS_DENOMINATOR)


def test_pay_burn__a_total_rounded_up_refuted_now_proved_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(arith, "split_payment", _split_total_rounded_up)
    # At 2.5x a cost in micro-dollars is not always a whole T: the rounding shows.
    result = _now("PAY-BURN", RATE_TWO_AND_A_HALF)
    assert result.status is ProofStatus.REFUTED and result.mode is ParamMode.CONCRETE
    # The former goal took T from the model, so it could not see it.
    old = _old("PAY-BURN", ParamMode.CONCRETE, _old_pay_burn, RATE_TWO_AND_A_HALF)
    assert old.status is ProofStatus.PROVED


ORIGINAL_SWAP_OUTPUT = arith.swap_output


def _swap_output_before_fee(
    alg: arith.Algebra[Any, Any], reserve_in: Any, reserve_out: Any, amount_in: Any, fee: Any
) -> Any:
    """Mutant: the pool pays the reserve's order as if no commission were charged."""
    return ORIGINAL_SWAP_OUTPUT(alg, reserve_in, reserve_out, amount_in, alg.lit(0))


def test_pay_burn_market__a_reserve_order_paid_before_the_fee_is_refuted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(arith, "swap_output", _swap_output_before_fee)
    # The books still balance and what leaves the pool is burned, so conservation and
    # PAY-BURN (what is bought is burned) cannot see it.
    assert _now("CONS-STR").status is ProofStatus.PROVED
    assert _now("PAY-BURN").status is ProofStatus.PROVED
    result = _now("PAY-BURN-MARKET")
    assert result.status is ProofStatus.REFUTED
    values = dict(result.counterexample)
    assert isinstance(values["market_order.swap_reserve.stb"], int)
    assert values["market_order.swap_reserve.stb"] > 0


# --- SUP-INFLATION: the rate at every year is the documented schedule ----------------------------


def _two_steps_per_doubling(
    alg: arith.Algebra[Any, Any], initial: Any, step: Any, floor_rate: Any, doublings: Any
) -> Any:
    """Mutant: the rate drops two steps each time the age doubles (still from 11%, never below
    the floor, never rising)."""
    return ORIGINAL_RATE(alg, initial, alg.mul(step, alg.lit(2)), floor_rate, doublings)


ORIGINAL_RATE = arith.inflation_rate


def _old_sup_inflation(terms: ParamTerms) -> Formula:
    initial = terms["mint.inflation_initial_bps"]
    step, floor_rate = terms["mint.inflation_step_bps"], terms["mint.inflation_min_bps"]
    year = z3.Int("year")

    def rate(at: Term) -> Term:
        doublings = z3.Sum(*(z3.If(at >= 2**k, 1, 0) for k in range(65)))
        return arith.inflation_rate(Z3_TERMS, initial, step, floor_rate, doublings)

    within = z3.And(year >= 0, year < 2**64)
    held = z3.And(rate(z3.IntVal(0)) == initial, rate(year) >= 0, rate(year + 1) <= rate(year))
    return z3.Implies(within, held)


def test_sup_inflation__a_steeper_schedule_refuted_now_proved_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(arith, "inflation_rate", _two_steps_per_doubling)
    assert _old("SUP-INFLATION", ParamMode.CONCRETE, _old_sup_inflation).status is (
        ProofStatus.PROVED
    )
    result = _now("SUP-INFLATION")
    assert result.status is ProofStatus.REFUTED
    # The model, so broken: year 1 is at 9%, the schedule's 10%.
    assert model.supply.compute_inflation_rate_bps(1, WHITEPAPER_PARAMS) == 900


def _rate_floored_at_zero(
    alg: arith.Algebra[Any, Any], initial: Any, step: Any, floor_rate: Any, doublings: Any
) -> Any:
    """Mutant: the floor read as 0 (never negative, never rising, but below the 2% floor)."""
    return ORIGINAL_RATE(alg, initial, step, alg.lit(0), doublings)


def test_sup_inflation__the_floor_forgotten_refuted_now_proved_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(arith, "inflation_rate", _rate_floored_at_zero)
    assert _old("SUP-INFLATION", ParamMode.CONCRETE, _old_sup_inflation).status is (
        ProofStatus.PROVED
    )
    assert _now("SUP-INFLATION").status is ProofStatus.REFUTED


# --- GOV-PARAMS: the check the tally runs, against §6.8's coherence --------------------------------


def _old_gov_params(terms: ParamTerms) -> Formula:
    return arith.are_shares_coherent(Z3_TERMS, arith.read_coherence_inputs(terms.__getitem__))


def _without(rule: str) -> Callable[[Params], tuple[model.coherence.CoherenceViolation, ...]]:
    real = model.coherence.check_coherence

    def check(params: Params) -> tuple[model.coherence.CoherenceViolation, ...]:
        return tuple(v for v in real(params) if v.rule != rule)

    return check


def test_gov_params__a_tally_check_missing_a_rule_refuted_now_proved_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The check governance runs forgets the STB sub-shares; `are_shares_coherent`, which the
    # former claim proved, is unchanged (and is not what the tally calls).
    monkeypatch.setattr(model.governance, "check_coherence", _without("stb-sub-shares"))
    assert _old("GOV-PARAMS", ParamMode.CONCRETE, _old_gov_params).status is ProofStatus.PROVED
    result = _now("GOV-PARAMS")
    assert result.status is ProofStatus.REFUTED
    values = {name: value for name, value in result.counterexample if isinstance(value, int)}
    stb_parts = (
        values["proposal.payment.stb_node_profit_bps"]
        + values["proposal.payment.stb_reserve_swap_bps"]
    )
    assert stb_parts != values["proposal.payment.stb_profit_margin_bps"]


def test_gov_params__the_tally_check_is_the_subject() -> None:
    result = _now("GOV-PARAMS")
    assert result.status is ProofStatus.PROVED
    assert "get_incoherence_reason" in result.statement


# --- BFT-*: the model's own test, reading its own keys --------------------------------------------


def _supermajority_of_governance(agree: int, base: int, params: Params) -> bool:
    """Mutant: the round's test reads governance's supermajority (2/3 at the defaults too)."""
    governance = params.governance
    shared = vars(model.trusted.decision)["arith"]  # as the real rule reads it, at call time
    return shared.is_over_threshold(  # type: ignore[no-any-return]
        shared.INTS,
        agree,
        base,
        governance.supermajority_num,
        governance.supermajority_den,
    )


def _old_bft_threshold(terms: ParamTerms) -> Formula:
    agree, assigned = z3.Int("agree"), z3.Int("assigned")
    num, den = terms["consensus.threshold_num"], terms["consensus.threshold_den"]
    passes = arith.is_over_threshold(Z3_TERMS, agree, assigned, num, den)
    return passes == (3 * agree > 2 * assigned)


@pytest.mark.parametrize("profile", [HARDENED], ids=lambda p: p.name)
def test_bft_threshold__a_mixed_up_key_refuted_now_proved_before(
    profile: Profile, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(model.trusted.decision, "is_supermajority", _supermajority_of_governance)
    assert _old("BFT-THRESHOLD", ParamMode.CONCRETE, _old_bft_threshold).status is (
        ProofStatus.PROVED
    )
    result = prove_invariant("BFT-THRESHOLD", WHITEPAPER_PARAMS, profile, settings=FAST)
    assert result.status is ProofStatus.REFUTED and result.mode is ParamMode.ALL_PARAMS
    values = dict(result.counterexample)
    num, den = values["governance.supermajority_num"], values["governance.supermajority_den"]
    assert 3 * num != 2 * den
