"""§6.8's subcommittees read from raw state: when one is active, what a complaint's MinDeposit
pays, and whether a committee can act on its signers' request.

A subcommittee is active with "greater than 1% of all STR" delegated to it; a complaint's
MinDeposit returns 80% and pays the judging validators 20%; a committee that holds a power (the
Network Support grants, app mining, insurance payouts, complaints) acts when active and, in the
hardened reading, when its signing delegators hold more than 2/3 of its delegated STR.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

from attrs import frozen

from model.chain.state import ChainState, get_validator_operator
from model.governance import GovernanceState
from model.params import Params
from model.staking import StakingState
from model.units import AccountId
from oracle.effects import is_user_account
from oracle.payment import BPS
from oracle.staking import active_set, validator_stakes
from oracle.supply import circulating_str

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


# --- Subcommittee powers (SUB-POWERS) ----------------------------------------------------------

COMMITTEE_PASS = Fraction(2, 3)
"""The hardened reading of a committee's vote (docs/model.md, "Subcommittee powers"): its
signing delegators hold strictly more than 2/3 of the STR delegated to it."""
NETWORK_SUPPORT = "network-support"
APP_MINING = "app-mining-voting"
INSURANCE_PAYOUTS = "insurance-pool-payouts"
COMPLAINT_NETWORK = "complaint-network"
"""§6.8's committees that hold a power the chain acts on, by the names the chain gives them."""


def grant_committees(purpose: object) -> tuple[str, ...]:
    """§6.5, §6.8: "The Network Support Committee will initially be in charge of STR allocation
    to core development, app mining, and bug bounty"; app mining's payouts are also what the App
    Mining Committee's monthly vote decides. An unknown purpose belongs to no committee."""
    value = getattr(purpose, "value", None)
    if value == "app-mining":
        return (NETWORK_SUPPORT, APP_MINING)
    if value in ("core-development", "bug-bounty"):
        return (NETWORK_SUPPORT,)
    return ()


def signed_weight(gov: GovernanceState, name: str, signers: Iterable[AccountId]) -> int:
    """§6.8 "each STR token represents one pro-rata vote": the STR the distinct `signers`
    delegated to committee `name`."""
    return sum(gov.subcommittee_delegations.get((signer, name), 0) for signer in set(signers))


def committee_vote_passes(weight: int, delegated: int) -> bool:
    """The committee's vote passes: `weight` is strictly more than 2/3 of `delegated`."""
    return weight > COMMITTEE_PASS * delegated


def committee_power_problems(
    state: ChainState,
    committees: Iterable[str],
    signers: Iterable[AccountId],
    *,
    activation_bps: int,
    votes: bool,
) -> list[str]:
    """§6.8: why `committees` could not act on `signers`' request in `state`: one is inactive
    (not more than `activation_bps` of the circulating STR delegated to it), or, if `votes`, its
    signers hold no more than 2/3 of its delegated STR, or a signer is a pool or an escrow."""
    names = tuple(committees)
    signers = tuple(signers)
    problems = [] if names else ["no committee holds this power"]
    circulating = circulating_str(state.ledger)
    for name in names:
        delegated = delegated_to(state.governance, name)
        if not is_active(delegated, circulating=circulating, activation_bps=activation_bps):
            problems.append(
                f"committee {name} is inactive: {delegated} of {circulating} ustr delegated,"
                f" not more than {activation_bps} bps"
            )
        weight = signed_weight(state.governance, name, signers)
        if votes and not committee_vote_passes(weight, delegated):
            problems.append(
                f"committee {name}: the signers hold {weight} of its {delegated} delegated ustr,"
                " not more than 2/3"
            )
    problems.extend(f"voter {s} is a pool or an escrow" for s in signers if not is_user_account(s))
    return problems
