"""The whitepaper's default parameters, typed from the text and DESIGN.md's table, not read from
the model.

`stratoverify check` with no file checks the model's `WHITEPAPER_PARAMS`, and every proposal is
applied over them; if one of them drifted from the number the text gives, every verdict would be
about another chain. Each value below names where it comes from: a whitepaper section that
quotes the number, or DESIGN.md's reading where the text gives none (docs/model.md).
"""

from __future__ import annotations

from collections.abc import Mapping

from attrs import frozen


@frozen
class Default:
    """One key's default and where the number comes from."""

    value: int
    source: str


DAY = 86_400
"""Seconds in a day."""

WHITEPAPER_DEFAULTS: Mapping[str, Default] = {
    # §6.3: "the node receives 2x the cost"; §6.8's initial shares of T and of each margin.
    "payment.payment_rate_bps": Default(20_000, "§6.3: T is 2x the cost"),
    "payment.stb_profit_margin_bps": Default(1_000, "§6.8: STB margin 10% of T"),
    "payment.stb_node_profit_bps": Default(500, "§6.8: 5% of T to the node in STB"),
    "payment.stb_reserve_swap_bps": Default(500, "§6.8: 5% of T to the swap reserve"),
    "payment.str_profit_margin_bps": Default(4_000, "§6.8: STR margin 40% of T"),
    "payment.str_node_profit_bps": Default(2_000, "§6.8: 20% of T to the node in STR"),
    "payment.str_burn_bps": Default(1_000, "§6.4, §6.8: 10% of T burned"),
    "payment.str_network_support_bps": Default(1_000, "§6.5, §6.8: 10% of T to network support"),
    "payment.validation_floor_ustr": Default(1, "§4.4, docs/model.md: one ustr floor"),
    # §6.10: 5% first, doubling within a two-year window; the cap is DESIGN.md's hardening.
    "slashing.slash_base_bps": Default(500, "§6.10: 5% for a first slash"),
    "slashing.slash_factor": Default(2, "§6.10: each repeat doubles"),
    "slashing.slash_cap_bps": Default(10_000, "DESIGN.md: at most 100% (hardened)"),
    "slashing.slash_window_seconds": Default(730 * DAY, "§6.10: a two-year window"),
    # §3.3, §4.2: more than two thirds; the rest are DESIGN.md's readings (numbers not given).
    "consensus.threshold_num": Default(2, "§3.3, §4.2: more than 2/3"),
    "consensus.threshold_den": Default(3, "§3.3, §4.2: more than 2/3"),
    "consensus.max_validators": Default(100, "DESIGN.md (§4.2 gives no number)"),
    "consensus.commit_timeout_seconds": Default(60, "DESIGN.md (§3.2 F5 gives no number)"),
    "consensus.reveal_timeout_seconds": Default(60, "DESIGN.md (§3.2 F7 gives no number)"),
    "consensus.app_salt_timeout_seconds": Default(60, "docs/model.md (§3.2 F6, hardened)"),
    # §6.9: 11% at genesis, one point less per doubling of age, never below 2%.
    "mint.inflation_initial_bps": Default(1_100, "§6.9: 11% at genesis"),
    "mint.inflation_step_bps": Default(100, "§6.9: one point less per step"),
    "mint.inflation_min_bps": Default(200, "§6.9: a 2% floor"),
    # §6.4, §6.5, §6.8.
    "governance.supermajority_num": Default(2, "§6.4, §6.5: a 2/3 supermajority"),
    "governance.supermajority_den": Default(3, "§6.4, §6.5: a 2/3 supermajority"),
    "governance.subcommittee_activation_bps": Default(100, "§6.8: more than 1% of all STR"),
    "governance.complaint_refund_bps": Default(8_000, "§6.8: 80% of the MinDeposit"),
    "governance.complaint_min_deposit_ustr": Default(1_000_000, "docs/model.md: 1 STR"),
    "governance.voting_period_seconds": Default(14 * DAY, "docs/model.md: 14 days, as Cosmos"),
    # §4.5.
    "reputation.outbound_requests_per_minute": Default(10, "§4.5: 10 requests per minute"),
    "reputation.uncapped_min_stake_usd": Default(10_000, "§4.5: a stake over $10,000"),
    "reputation.uncapped_min_active_seconds": Default(180 * DAY, "§4.5: six months (180 days)"),
    # §6.6 names no commission; docs/model.md takes a constant-product pool's usual 0.3%.
    "market.stratoswap_fee_bps": Default(30, "docs/model.md: 0.3%, as Uniswap v2"),
    # §4.3.3, §4.4 name an initiation fee, a deviation and node bids, with no numbers.
    "market.initiation_fee_ustr": Default(1_000_000, "docs/model.md: 1 STR per node launched"),
    "market.max_deviation_bps": Default(3_333, "docs/model.md: 33.33%, F10's > 2/3 kept"),
    "market.max_str_margin_bps": Default(8_000, "§4.4, §6.3: the network's 40% of T at 2x"),
    # §4.4 names a "minimum base payout set per external server request", with no number.
    "market.external_request_payout_ustb": Default(1_000, "docs/model.md: $0.001 a request"),
}
"""`subspace.key` -> its default and its source, for every governable key."""


def default_problems(values: Mapping[str, int]) -> list[str]:
    """Every key of `values` (`subspace.key` -> value) whose value is not its default, every
    default key missing from it, and every key of it that has no default here."""
    problems = [
        f"{name} is {values[name]}, the whitepaper's default is {default.value} ({default.source})"
        for name, default in WHITEPAPER_DEFAULTS.items()
        if name in values and values[name] != default.value
    ]
    problems += [f"{name} is missing" for name in WHITEPAPER_DEFAULTS if name not in values]
    problems += [
        f"{name} has no default in the text" for name in values if name not in WHITEPAPER_DEFAULTS
    ]
    return problems


# --- The numbers the invariants quote ------------------------------------------------------------


def _quoted(name: str) -> int:
    return WHITEPAPER_DEFAULTS[name].value


SLASH_FACTOR = _quoted("slashing.slash_factor")
"""§6.10: "increase by a factor of 2x per subsequent slash", and "decreases by the same factor of
2x per time window expiration": SLASH-DOUBLING and SLASH-DECAY state this 2, whatever
`slashing.slash_factor` holds."""

INFLATION_INITIAL_BPS = _quoted("mint.inflation_initial_bps")
"""§6.9: 11% yearly inflation at genesis: SUP-INFLATION starts the rate here."""

OUTBOUND_REQUESTS_PER_MINUTE = _quoted("reputation.outbound_requests_per_minute")
"""§4.5: an unqualified app makes at most 10 outbound requests a minute (REP-OUTBOUND)."""

SUPERMAJORITY = (_quoted("governance.supermajority_num"), _quoted("governance.supermajority_den"))
"""§6.4, §6.5: burn and network-support shares change only with more than 2/3 of the STR votes
(GOV-SUPERMAJORITY), as (numerator, denominator)."""

SUBCOMMITTEE_ACTIVATION_BPS = _quoted("governance.subcommittee_activation_bps")
"""§6.8: a subcommittee is active with "greater than 1% of all STR" delegated (GOV-SUBCOMMITTEE)."""

COMPLAINT_REFUND_BPS = _quoted("governance.complaint_refund_bps")
"""§6.8: 80% of a complaint's MinDeposit is returned or sent to the reserve, 20% pays the
validators (GOV-COMPLAINT)."""
