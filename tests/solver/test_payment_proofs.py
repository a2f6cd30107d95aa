"""CONS-SPLIT, PAY-COST and PAY-BURN: proved for every cost, refuted where the rules break."""

from __future__ import annotations

import pytest
from model_checks import compute_total_burn_usd, is_split_exact, is_split_nonnegative
from solver_fixtures import refuted, run

from model import arith
from model.params import WHITEPAPER_PARAMS, with_values
from model.payment import compute_payment_split
from model.profile import HARDENED, WHITEPAPER, Profile
from model.units import BPS_DENOMINATOR
from reports.plots import compute_burn_share_bps
from solver.claim import ParamMode, ProofStatus
from solver.proofs.payment import MAX_COST

IDS = ("CONS-SPLIT", "PAY-COST", "PAY-BURN")


@pytest.mark.parametrize("invariant_id", IDS)
@pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER], ids=lambda p: p.name)
def test_proved_for_the_whitepaper_parameters(invariant_id: str, profile: Profile) -> None:
    result = run(invariant_id, WHITEPAPER_PARAMS, profile)
    assert result.status is ProofStatus.PROVED
    assert "2^128" in result.statement


@pytest.mark.parametrize("invariant_id", IDS)
def test_proved_for_every_coherent_parameter_set(invariant_id: str) -> None:
    # No coherent parameter set in the domain breaks these: the breaks below are incoherent
    # sets or mutants of the shared formula.
    result = run(invariant_id, WHITEPAPER_PARAMS, HARDENED, ParamMode.ALL_PARAMS)
    assert result.status is ProofStatus.PROVED


def test_cons_split_refuted_when_the_reserve_share_exceeds_its_margin() -> None:
    # One bps off: the swap reserve takes 1001 bps of T out of a 1000 bps STB margin.
    params = with_values(WHITEPAPER_PARAMS, {("payment", "stb_reserve_swap_bps"): 1001})
    cost = refuted(run("CONS-SPLIT", params, HARDENED))["cost"]
    assert 0 <= cost <= MAX_COST
    split = compute_payment_split(cost, params)
    assert is_split_exact(split)
    assert not is_split_nonnegative(split)
    assert split.stb_node_profit < 0


def test_pay_cost_refuted_when_the_margins_eat_the_cost_basis() -> None:
    params = with_values(WHITEPAPER_PARAMS, {("payment", "str_profit_margin_bps"): 6000})
    cost = refuted(run("PAY-COST", params, HARDENED))["cost"]
    split = compute_payment_split(cost, params)
    assert split.node_stb < cost


_REAL_SPLIT = arith.split_payment


def _reserve_of_the_margin(
    alg: arith.Algebra[arith.N, arith.B], cost: arith.N, shares: arith.Shares[arith.N]
) -> arith.SplitTerms[arith.N]:
    """A realistic mutant: the swap reserve read as a share of the STB margin, not of T."""
    real = _REAL_SPLIT(alg, cost, shares)
    margin = arith.bps_of(alg, real.total, shares.stb_profit_margin_bps)
    reserve = arith.bps_of(alg, margin, shares.stb_reserve_swap_bps)
    return arith.SplitTerms(
        total=real.total,
        stb_cost_basis=real.stb_cost_basis,
        stb_node_profit=alg.sub(margin, reserve),
        stb_swap_reserve=reserve,
        str_node_profit_usd=real.str_node_profit_usd,
        str_burn_usd=real.str_burn_usd,
        str_network_support_usd=real.str_network_support_usd,
    )


def test_pay_burn_refuted_by_a_reserve_read_against_the_margin(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(arith, "split_payment", _reserve_of_the_margin)
    cost = refuted(run("PAY-BURN", WHITEPAPER_PARAMS, HARDENED))["cost"]
    # The mutated model, run on the counterexample, burns less than the burn share of T.
    split = compute_payment_split(cost, WHITEPAPER_PARAMS)
    shortfall = (
        split.total * compute_burn_share_bps(WHITEPAPER_PARAMS)
        - compute_total_burn_usd(split) * BPS_DENOMINATOR
    )
    assert shortfall >= 2 * BPS_DENOMINATOR


def test_the_split_is_proved_up_to_two_to_the_128() -> None:
    # The bound is in the query itself, so the proof covers the largest cost.
    result = run("CONS-SPLIT", WHITEPAPER_PARAMS, HARDENED)
    assert str(MAX_COST) in result.smt2
    split = compute_payment_split(MAX_COST, WHITEPAPER_PARAMS)
    assert is_split_exact(split) and is_split_nonnegative(split)
