"""GOV-PARAMS (§6.8): whether a parameter set's shares add up, computed as data.

A parameter set can lie inside every key's domain and still be incoherent: the cost basis and
the two margins may not make up the whole payment, or a margin's sub-shares may not make up the
margin. Such a set is a failed invariant to report with its reasons, never a crash.
"""

from __future__ import annotations

from attrs import frozen

from model import arith
from model.params import Params, get_param_by_name


@frozen
class CoherenceViolation:
    """One way a parameter set's shares fail to add up (GOV-PARAMS, §6.8)."""

    rule: str
    message: str


def get_coherence_inputs(params: Params) -> arith.CoherenceInputs[int]:
    """§6.8: the parameters the coherence rules read, for the shared formulas of `arith`."""
    return arith.read_coherence_inputs(lambda name: get_param_by_name(params, name))


def check_coherence(params: Params) -> tuple[CoherenceViolation, ...]:
    """§6.8 GOV-PARAMS: cost basis + STB margin + STR margin = 100% of T, the cost basis covering
    the cost with under one bp of T to spare (§6.3.1); sub-shares sum to margins."""
    payment = params.payment
    inputs = get_coherence_inputs(params)
    violations: list[CoherenceViolation] = []
    # Verify the cost basis the margins leave covers the cost, with under one bp of T to spare.
    if not arith.is_cost_plus_margins_whole(arith.INTS, inputs):
        # The message names the inputs only: arithmetic in a message is arithmetic nothing checks.
        violations.append(
            CoherenceViolation(
                "cost-plus-margins",
                f"at payment_rate_bps {payment.payment_rate_bps} the cost is "
                f"10^8/{payment.payment_rate_bps} bps of T, but the margins leave a cost basis of "
                f"10^4 - {payment.stb_profit_margin_bps} - {payment.str_profit_margin_bps} bps, "
                "not the least whole number of bps that covers it",
            )
        )
    # Verify the STB margin is split exactly between node and swap reserve.
    if not arith.is_stb_margin_split(arith.INTS, inputs):
        violations.append(
            CoherenceViolation(
                "stb-sub-shares",
                f"stb_node_profit_bps {payment.stb_node_profit_bps} + stb_reserve_swap_bps "
                f"{payment.stb_reserve_swap_bps} != stb_profit_margin_bps "
                f"{payment.stb_profit_margin_bps}",
            )
        )
    # Verify the STR margin is split exactly between node, burn and network support.
    if not arith.is_str_margin_split(arith.INTS, inputs):
        violations.append(
            CoherenceViolation(
                "str-sub-shares",
                f"str_node_profit_bps {payment.str_node_profit_bps} + str_burn_bps "
                f"{payment.str_burn_bps} + str_network_support_bps "
                f"{payment.str_network_support_bps} != str_profit_margin_bps "
                f"{payment.str_profit_margin_bps}",
            )
        )
    # Verify both thresholds are fractions below one, else they can never be met.
    for name, num, den in (
        ("consensus-threshold", inputs.threshold_num, inputs.threshold_den),
        ("governance-supermajority", inputs.supermajority_num, inputs.supermajority_den),
    ):
        if not arith.is_fraction_below_one(arith.INTS, num, den):
            violations.append(
                CoherenceViolation(name, f"{num}/{den} is not below 1, so it can never be exceeded")
            )
    return tuple(violations)


def is_coherent(params: Params) -> bool:
    """GOV-PARAMS holds for `params` (every rule of `arith.are_shares_coherent`)."""
    return arith.are_shares_coherent(arith.INTS, get_coherence_inputs(params))
