"""Governance read from §6.8: coherent shares, STR-weighted votes, subcommittees, complaint fees.

Each reading restates one sentence of the text on raw state: the parameter values, balances,
bonds and delegation records. "Each STR token represents one pro-rata vote": a voter weighs its
liquid STR plus the STR it has bonded (docs/model.md). A subcommittee is active with "greater
than 1% of all STR" delegated to it; a complaint's MinDeposit returns 80% and pays validators 20%.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction

import attrs
from attrs import frozen

from model.chain.state import get_validator_operator
from model.governance import GovernanceState, ParamChange, VoteOption
from model.ledger import Ledger
from model.params import Params
from model.staking import StakingState
from model.units import AccountId
from oracle.payment import BPS
from oracle.staking import active_set, validator_stakes

SUPERMAJORITY_KEYS: tuple[tuple[str, str], ...] = (
    ("payment", "str_burn_bps"),
    ("payment", "stb_reserve_swap_bps"),
    ("payment", "str_network_support_bps"),
    ("governance", "supermajority_num"),
    ("governance", "supermajority_den"),
)
"""§6.4, §6.5: the STR burn, the second burn through the swap reserve (§6.7), network support;
and the supermajority itself, else a simple majority could lower the bar first (docs/model.md)."""


# --- Coherence of the shares (GOV-PARAMS) ------------------------------------------------------


@frozen
class Incoherence:
    """One way the shares of §6.8 fail to add up: a short name and the numbers."""

    rule: str
    message: str


def incoherences(params: Params) -> tuple[Incoherence, ...]:
    """§6.8: the cost basis, the STB margin and the STR margin make up all of T; each margin's
    sub-shares make up the margin; and both thresholds are fractions below one, else no vote and
    no round could ever pass them.

    T is the payment rate times the cost (§6.3), so the cost basis is 10_000 / rate of T:
    10_000 * 10_000 / rate bps of it, the one share that need not be a whole number of bps.
    """
    pay = params.payment
    found: list[Incoherence] = []
    rate = pay.payment_rate_bps
    margins = pay.stb_profit_margin_bps + pay.str_profit_margin_bps
    if rate <= 0 or Fraction(BPS * BPS, rate) + margins != BPS:
        cost = "none" if rate <= 0 else f"{Fraction(BPS * BPS, rate)}"
        found.append(
            Incoherence(
                "cost-plus-margins",
                f"at payment_rate_bps {rate} the cost basis is {cost} bps of T, and the margins"
                f" {margins} bps: together not the {BPS} bps of T",
            )
        )
    stb_parts = pay.stb_node_profit_bps + pay.stb_reserve_swap_bps
    if stb_parts != pay.stb_profit_margin_bps:
        found.append(
            Incoherence(
                "stb-sub-shares",
                f"stb_node_profit_bps + stb_reserve_swap_bps = {stb_parts},"
                f" not stb_profit_margin_bps {pay.stb_profit_margin_bps}",
            )
        )
    str_parts = pay.str_node_profit_bps + pay.str_burn_bps + pay.str_network_support_bps
    if str_parts != pay.str_profit_margin_bps:
        found.append(
            Incoherence(
                "str-sub-shares",
                f"str_node_profit_bps + str_burn_bps + str_network_support_bps = {str_parts},"
                f" not str_profit_margin_bps {pay.str_profit_margin_bps}",
            )
        )
    consensus, gov = params.consensus, params.governance
    for name, num, den in (
        ("consensus-threshold", consensus.threshold_num, consensus.threshold_den),
        ("governance-supermajority", gov.supermajority_num, gov.supermajority_den),
    ):
        if not 0 < num < den:
            found.append(Incoherence(name, f"{num}/{den} is not a fraction below 1"))
    return tuple(found)


def with_changes(params: Params, changes: Iterable[ParamChange]) -> Params:
    """§6.8: the parameter set a passed proposal leaves: `params` with each change's key set to
    its value, read off the records' own fields. No domain or coherence is judged here: the
    records' own range checks (the model's bounds) are left out, and the documented domains are
    judged apart (`oracle.domains`). Every change must name a key of the records."""
    with attrs.validators.disabled():
        for change in changes:
            record = getattr(params, change.subspace)
            params = attrs.evolve(
                params, **{change.subspace: attrs.evolve(record, **{change.key: change.value})}
            )
    return params


# --- Votes (GOV-SUPERMAJORITY) -----------------------------------------------------------------


def bonded_by(staking: StakingState, account: AccountId) -> int:
    """§4.2: the STR `account` has bonded, to any validator (its self-bond included)."""
    return sum(
        amount for (delegator, _), amount in staking.delegations.items() if delegator == account
    )


def vote_weight(ledger: Ledger, staking: StakingState, voter: AccountId) -> int:
    """§6.8: "each STR token represents one pro-rata vote": the voter's liquid STR plus the STR it
    has bonded, at the tally (docs/model.md)."""
    held = ledger.balances.get(voter)
    return (0 if held is None else held.ustr) + bonded_by(staking, voter)


def tally(
    votes: Mapping[AccountId, VoteOption], ledger: Ledger, staking: StakingState
) -> dict[VoteOption, int]:
    """§6.8: the STR weight behind each option (each voter's last vote counts once)."""
    weights = dict.fromkeys(VoteOption, 0)
    for voter, option in votes.items():
        weights[option] += vote_weight(ledger, staking, voter)
    return weights


def has_supermajority(weights: Mapping[VoteOption, int], *, num: int, den: int) -> bool:
    """§6.4, §6.5: more than num/den of all STR votes cast (yes, no and abstain) are yes."""
    cast = sum(weights.values())
    return weights[VoteOption.YES] * den > num * cast


def changed_keys(before: Params, after: Params, keys: Iterable[tuple[str, str]]) -> list[str]:
    """The `subspace.key` names among `keys` whose value differs from `before` to `after`."""
    return [
        f"{subspace}.{key}"
        for subspace, key in keys
        if getattr(getattr(before, subspace), key) != getattr(getattr(after, subspace), key)
    ]


# --- Subcommittees (GOV-SUBCOMMITTEE) ----------------------------------------------------------


def delegated_to(gov: GovernanceState, name: str) -> int:
    """§6.8: the STR delegated to subcommittee `name`, summed over its delegation records."""
    return sum(
        amount
        for (_, subcommittee), amount in gov.subcommittee_delegations.items()
        if subcommittee == name
    )


def is_active(delegated: int, *, circulating: int, activation_bps: int) -> bool:
    """§6.8: "inactive until greater than 1% of all STR is delegated to the subcommittee":
    strictly more than the activation share of the circulating STR."""
    return delegated * BPS > activation_bps * circulating


# --- Complaints (GOV-COMPLAINT) ----------------------------------------------------------------


def judging_validators(staking: StakingState, params: Params) -> tuple[AccountId, ...]:
    """§6.8, §4.2: the accounts of the validators that verify a complaint: the operators of the
    active set. A validator with nothing bonded has no vote weight, so it judges nothing."""
    stakes = validator_stakes(staking)
    active = active_set(staking, max_validators=params.consensus.max_validators)
    operators = []
    for validator in active:
        if stakes.get(validator, 0) <= 0:
            continue
        record = staking.validators.get(validator)
        operators.append(record.operator if record else get_validator_operator(validator))
    return tuple(operators)


@frozen
class ComplaintSplit:
    """§6.8: where a resolved complaint's MinDeposit D goes."""

    refund: int
    """80% of D, rounded down: to the complainant if upheld, else to the reserve pool."""
    each_validator: int
    """The rest of D shared equally by the judging validators, rounded down."""
    reserve_dust: int
    """What the equal shares leave (all of the rest when no validator judges)."""


def complaint_split(deposit: int, *, refund_bps: int, validators: int) -> ComplaintSplit:
    """§6.8: "the app receives 80% of MinDeposit back ... 20% of MinDeposit pays Validators";
    the refund is rounded down, so its fraction joins the validators' part, and the fraction of
    their equal shares goes to the reserve pool (docs/model.md)."""
    refund = deposit * refund_bps // BPS
    rest = deposit - refund
    each = rest // validators if validators > 0 else 0
    return ComplaintSplit(refund=refund, each_validator=each, reserve_dust=rest - each * validators)
