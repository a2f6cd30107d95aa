"""The documented domain of every governable key, written out from docs/model.md, not read from
the model.

docs/model.md ("Domains") lists, for each key of the parameter set, the least and the greatest
value the chain takes: bps keys 0..10,000, the payment rate 0..100x, the slash factor 1..100,
each threshold term 1..1000, and so on. These are sanity ranges (§6.8 lets governance move the
shares; it gives no range), so a value inside its domain can still break an invariant; a value
outside it is bad input, and a parameter set holding one is not a parameter set of this chain.
GOV-PARAMS holds every live parameter to this table, the machine proposes each key at and one
past each bound, and ACT-ALLOWED judges a refused proposal against it.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs
from attrs import frozen

from model.params import Params
from oracle.persistent import remember_last


@frozen
class Domain:
    """One key's documented range, both ends included, and why it is that range."""

    minimum: int
    maximum: int
    source: str

    def contains(self, value: object) -> bool:
        """True iff `value` is an integer (not a boolean) inside the range."""
        return (
            isinstance(value, int)
            and not isinstance(value, bool)
            and self.minimum <= value <= self.maximum
        )


DAY = 86_400
"""Seconds in a day."""
BPS_MAX = 10_000
"""100% in basis points: a share is a part of its whole, never more."""
AMOUNT_MAX = 10**24
"""The largest amount of micro-units a key takes: a billion times a billion STR."""
SECONDS_MAX = 100 * 365 * DAY
"""The longest period a key takes: a hundred years of 365 days."""
TIMEOUT_MAX = 30 * DAY
"""The longest round phase: thirty days."""
THRESHOLD_MAX = 1_000
"""The largest numerator or denominator of a threshold."""

_BPS = "docs/model.md: a share in bps, 0..100%"
_THRESHOLD = "docs/model.md: a threshold term, 1..1000"
_TIMEOUT = "docs/model.md: a round phase, 1 s..30 days"

DOMAINS: Mapping[str, Domain] = {
    # §4.4, §6.3, §6.8: T is a multiple of the cost, the margins and sub-shares parts of T.
    "payment.payment_rate_bps": Domain(0, 1_000_000, "docs/model.md: T is 0..100x the cost"),
    "payment.stb_profit_margin_bps": Domain(0, BPS_MAX, _BPS),
    "payment.stb_node_profit_bps": Domain(0, BPS_MAX, _BPS),
    "payment.stb_reserve_swap_bps": Domain(0, BPS_MAX, _BPS),
    "payment.str_profit_margin_bps": Domain(0, BPS_MAX, _BPS),
    "payment.str_node_profit_bps": Domain(0, BPS_MAX, _BPS),
    "payment.str_burn_bps": Domain(0, BPS_MAX, _BPS),
    "payment.str_network_support_bps": Domain(0, BPS_MAX, _BPS),
    "payment.validation_floor_ustr": Domain(0, AMOUNT_MAX, "docs/model.md: an amount, 0..10^24"),
    # §6.10.
    "slashing.slash_base_bps": Domain(0, BPS_MAX, _BPS),
    "slashing.slash_factor": Domain(1, 100, "docs/model.md: a multiplier, 1..100"),
    "slashing.slash_cap_bps": Domain(0, BPS_MAX, _BPS),
    "slashing.slash_window_seconds": Domain(1, SECONDS_MAX, "docs/model.md: 1 s..100 years"),
    # §3.2, §3.3, §4.2.
    "consensus.threshold_num": Domain(1, THRESHOLD_MAX, _THRESHOLD),
    "consensus.threshold_den": Domain(1, THRESHOLD_MAX, _THRESHOLD),
    "consensus.max_validators": Domain(1, 10_000, "docs/model.md: 1..10,000 validators"),
    "consensus.commit_timeout_seconds": Domain(1, TIMEOUT_MAX, _TIMEOUT),
    "consensus.reveal_timeout_seconds": Domain(1, TIMEOUT_MAX, _TIMEOUT),
    "consensus.app_salt_timeout_seconds": Domain(1, TIMEOUT_MAX, _TIMEOUT),
    # §6.9.
    "mint.inflation_initial_bps": Domain(0, BPS_MAX, _BPS),
    "mint.inflation_step_bps": Domain(0, BPS_MAX, _BPS),
    "mint.inflation_min_bps": Domain(0, BPS_MAX, _BPS),
    # §6.4, §6.5, §6.8.
    "governance.supermajority_num": Domain(1, THRESHOLD_MAX, _THRESHOLD),
    "governance.supermajority_den": Domain(1, THRESHOLD_MAX, _THRESHOLD),
    "governance.subcommittee_activation_bps": Domain(0, BPS_MAX, _BPS),
    "governance.complaint_refund_bps": Domain(0, BPS_MAX, _BPS),
    "governance.complaint_min_deposit_ustr": Domain(
        0, AMOUNT_MAX, "docs/model.md: an amount, 0..10^24"
    ),
    "governance.voting_period_seconds": Domain(1, SECONDS_MAX, "docs/model.md: 1 s..100 years"),
    # §4.5.
    "reputation.outbound_requests_per_minute": Domain(
        0, 1_000_000, "docs/model.md: 0..a million requests a minute"
    ),
    "reputation.uncapped_min_stake_usd": Domain(0, 10**15, "docs/model.md: $0..$10^15"),
    "reputation.uncapped_min_active_seconds": Domain(
        0, SECONDS_MAX, "docs/model.md: 0 s..100 years"
    ),
    # §6.6.
    "market.stratoswap_fee_bps": Domain(0, 1_000, "docs/model.md: 0..10% commission in bps"),
    # §4.3.3, §4.4, §6.3.2.
    "market.initiation_fee_ustr": Domain(0, AMOUNT_MAX, "docs/model.md: an amount of ustr"),
    "market.max_deviation_bps": Domain(0, BPS_MAX, _BPS),
    "market.max_str_margin_bps": Domain(0, 1_000_000, "docs/model.md: bps of cost, 0..100x"),
    # §4.4: External Request Payouts.
    "market.external_request_payout_ustb": Domain(0, AMOUNT_MAX, "docs/model.md: ustb, 0..10^24"),
}
"""`subspace.key` -> its documented domain, for every governable key."""


def value_problem(name: str, value: object) -> str | None:
    """Why `value` cannot be the value of key `name` (unknown key, not an integer, or outside the
    documented domain), or None."""
    domain = DOMAINS.get(name)
    if domain is None:
        return f"{name} is not a governable key"
    if isinstance(value, bool) or not isinstance(value, int):
        return f"{name} is {value!r}, not an integer"
    if not domain.contains(value):
        return (
            f"{name} is {value}, outside its documented domain"
            f" {domain.minimum}..{domain.maximum} ({domain.source})"
        )
    return None


def param_values(params: Params) -> dict[str, int]:
    """Every key of `params` as `subspace.key` -> value, read off the records' own fields."""
    # A copy: the reading is shared by every call on the very same parameter set.
    return dict(_param_values(params))


@remember_last(4)
def _param_values(params: Params) -> dict[str, int]:
    values: dict[str, int] = {}
    for subspace in attrs.fields(type(params)):
        record = getattr(params, subspace.name)
        for key in attrs.fields(type(record)):
            values[f"{subspace.name}.{key.name}"] = getattr(record, key.name)
    return values


def domain_problems(params: Params) -> list[str]:
    """Every key of `params` whose value lies outside its documented domain, every documented key
    `params` lacks, and every key of `params` the documentation gives no domain."""
    values = param_values(params)
    problems = [
        problem
        for name, value in values.items()
        if name in DOMAINS and (problem := value_problem(name, value)) is not None
    ]
    problems += [f"{name} is missing" for name in DOMAINS if name not in values]
    problems += [f"{name} has no documented domain" for name in values if name not in DOMAINS]
    return problems
