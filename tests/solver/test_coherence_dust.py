"""The dust rule of coherence in Z3: 1.5x and 3x are coherent, PAY-COST holds there with under
one bp of T to spare, and the goal refuses a cost basis one bp off the cost rounded up."""

from __future__ import annotations

import pytest
from solver_fixtures import refuted, run

from model.params import WHITEPAPER_PARAMS, Params, with_values
from model.payment import compute_payment_split
from model.profile import HARDENED, WHITEPAPER, Profile
from solver.claim import ParamMode, ProofStatus


def _at_rate(rate: int, str_margin: int) -> Params:
    """The defaults at `rate`, the node's STR profit absorbing the STR margin's change."""
    return with_values(
        WHITEPAPER_PARAMS,
        {
            ("payment", "payment_rate_bps"): rate,
            ("payment", "str_profit_margin_bps"): str_margin,
            ("payment", "str_node_profit_bps"): str_margin - 2_000,
        },
    )


ONE_AND_A_HALF = _at_rate(15_000, 2_333)
THREE_TIMES = _at_rate(30_000, 5_666)


@pytest.mark.parametrize("invariant_id", ["CONS-SPLIT", "PAY-COST", "PAY-BURN"])
@pytest.mark.parametrize("params", [ONE_AND_A_HALF, THREE_TIMES], ids=["1.5x", "3x"])
@pytest.mark.parametrize("profile", [HARDENED, WHITEPAPER], ids=lambda p: p.name)
def test_proved_at_rates_that_do_not_divide_10_8(
    invariant_id: str, params: Params, profile: Profile
) -> None:
    result = run(invariant_id, params, profile, ParamMode.CONCRETE)
    assert result.status is ProofStatus.PROVED, result.counterexample


@pytest.mark.parametrize("params", [ONE_AND_A_HALF, THREE_TIMES], ids=["1.5x", "3x"])
def test_gov_params_proved_at_rates_that_do_not_divide_10_8(params: Params) -> None:
    """The set is coherent and the hardened tally keeps it so (the literal tally adopting an
    incoherent change is a finding of its own, whatever the rate)."""
    result = run("GOV-PARAMS", params, HARDENED, ParamMode.CONCRETE)
    assert result.status is ProofStatus.PROVED, result.counterexample


@pytest.mark.parametrize("params", [ONE_AND_A_HALF, THREE_TIMES], ids=["1.5x", "3x"])
def test_gov_params_literal_tally__the_set_itself_is_coherent(params: Params) -> None:
    """Under the literal tally GOV-PARAMS is refuted only by a change the tally adopts, never
    by the checked set's own rules."""
    values = refuted(run("GOV-PARAMS", params, WHITEPAPER, ParamMode.CONCRETE))
    assert values["coherence.rule"] == -1 and values["constitution.bound"] == -1


def test_gov_params_refuted_one_bp_short_of_the_cost() -> None:
    """3x with margins of 6667 bps: the cost basis, 3333 bps of T, does not cover the cost."""
    params = _at_rate(30_000, 5_667)
    values = refuted(run("GOV-PARAMS", params, HARDENED, ParamMode.CONCRETE))
    assert values["coherence.rule"] == 0  # cost-plus-margins


def test_pay_cost_refuted_one_bp_short_of_the_cost() -> None:
    """The same set pays the node less than its cost: the solver finds a cost, the model
    confirms it."""
    params = _at_rate(30_000, 5_667)
    cost = refuted(run("PAY-COST", params, HARDENED, ParamMode.CONCRETE))["cost"]
    split = compute_payment_split(cost, params)
    assert split.stb_cost_basis < cost or split.node_stb < cost
