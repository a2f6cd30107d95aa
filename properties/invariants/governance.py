"""Governance, supply and reputation invariants: coherent shares, supermajorities,
subcommittees, the inflation schedule and the outbound cap."""

from __future__ import annotations

from itertools import pairwise

from model.chain.actions import (
    MintEffect,
    OutboundEffect,
    ResolveComplaint,
    TallyEffect,
)
from model.chain.common import get_bonded_by_account, get_validator_accounts
from model.coherence import check_coherence
from model.governance import VoteOption, get_subcommittee_delegated, is_subcommittee_active
from model.ledger import (
    COMPLAINT_DEPOSITS,
    RESERVE_POOL,
    SUBCOMMITTEE_POOL,
    get_balance,
    get_str_circulating_supply,
)
from model.params import Params
from model.reputation import get_app_reputation, is_outbound_uncapped
from model.supply import compute_inflation_rate_bps, get_year_since_genesis
from model.units import BPS_DENOMINATOR, SECONDS_PER_MINUTE, SECONDS_PER_YEAR, AccountId
from properties.invariants.base import Observation, observe
from properties.invariants.step import ChainStep, record_effects

# --- Governance, supply, reputation --------------------------------------------------------------


def check_gov_params(step: ChainStep) -> Observation | None:
    """GOV-PARAMS: the live parameters are coherent (every key is in its domain by construction)."""
    violations = check_coherence(step.after.params)
    return observe(
        "GOV-PARAMS",
        not violations,
        "; ".join(f"{v.rule}: {v.message}" for v in violations),
    )


SUPERMAJORITY_PARAMS = (
    ("payment", "str_burn_bps"),
    ("payment", "stb_reserve_swap_bps"),
    ("payment", "str_network_support_bps"),
)
"""The shares behind the burn (§6.4) and network-support (§6.5) percentages."""


def _changed_supermajority_keys(before: Params, after: Params) -> list[str]:
    changed = []
    for subspace, key in SUPERMAJORITY_PARAMS:
        if getattr(getattr(before, subspace), key) != getattr(getattr(after, subspace), key):
            changed.append(f"{subspace}.{key}")
    return changed


def check_gov_supermajority(step: ChainStep) -> Observation | None:
    """GOV-SUPERMAJORITY: a tally that changes the burn or network-support share had more than
    num/den of all STR votes cast, weighed by STR held and bonded at the tally."""
    tallies = [e for e in step.effects if isinstance(e, TallyEffect)]
    touched = {f"{subspace}.{key}" for subspace, key in SUPERMAJORITY_PARAMS}
    if step.before is None or not any(
        f"{change.subspace}.{change.key}" in touched
        for t in tallies
        for change in t.proposal.changes
    ):
        return None
    relevant = [t for t in tallies if _changed_supermajority_keys(t.params_before, t.params_after)]
    bonded = get_bonded_by_account(step.before)
    bad = []
    for tally in relevant:
        weights = {option: 0 for option in VoteOption}
        for voter, option in tally.proposal.votes.items():
            weights[option] += get_balance(step.before.ledger, voter).ustr + bonded.get(voter, 0)
        cast = sum(weights.values())
        gov = tally.params_before.governance
        if not weights[VoteOption.YES] * gov.supermajority_den > gov.supermajority_num * cast:
            changed = _changed_supermajority_keys(tally.params_before, tally.params_after)
            bad.append(f"{changed} changed with {weights[VoteOption.YES]} of {cast} votes yes")
    return observe("GOV-SUPERMAJORITY", not bad, "; ".join(bad))


def check_gov_subcommittee(step: ChainStep) -> Observation | None:
    """GOV-SUBCOMMITTEE: active iff more than the activation share of STR is delegated to it."""
    state = step.after
    gov, ledger = state.governance, state.ledger
    if not gov.subcommittee_delegations:
        return None
    supply = get_str_circulating_supply(ledger)
    share = gov.params.governance.subcommittee_activation_bps
    bad = []
    for name in sorted(gov.subcommittees):
        delegated = get_subcommittee_delegated(gov, name)
        should = delegated * BPS_DENOMINATOR > share * supply
        if is_subcommittee_active(ledger, gov, name) != should:
            bad.append(f"{name}: {delegated} of {supply} delegated, active={not should}")
    if get_balance(ledger, SUBCOMMITTEE_POOL).ustr != sum(gov.subcommittee_delegations.values()):
        bad.append("delegated units are not each held once in the subcommittee pool")
    return observe("GOV-SUBCOMMITTEE", not bad, "; ".join(bad))


def check_gov_complaint(step: ChainStep) -> Observation | None:
    """GOV-COMPLAINT (§6.8): a resolved complaint's MinDeposit D leaves the complaint deposits;
    floor(D * refund_bps / 10000) goes to the complainant if upheld, else to the reserve pool; the
    rest is split equally among the active validators, its remainder to the reserve pool. Every
    account's STR change is compared with that, written out here, not taken from the model."""
    action = step.action
    if not isinstance(action, ResolveComplaint) or step.before is None:
        return None
    complaint = step.before.complaints.complaints.get(action.complaint_id)
    if complaint is None:
        return None
    deposit = complaint.deposit_ustr
    refund = deposit * step.before.params.governance.complaint_refund_bps // BPS_DENOMINATOR
    validators = get_validator_accounts(step.before)
    rest = deposit - refund
    each = rest // len(validators) if validators else 0
    expected: dict[AccountId, int] = {}

    def pay(account: AccountId, amount: int) -> None:
        expected[account] = expected.get(account, 0) + amount

    pay(COMPLAINT_DEPOSITS, -deposit)
    pay(complaint.complainant if action.upheld else RESERVE_POOL, refund)
    for validator in validators:
        pay(validator, each)
    pay(RESERVE_POOL, rest - each * len(validators))
    before, after = step.before.ledger, step.after.ledger
    accounts = set(before.balances) | set(after.balances) | set(expected)
    wrong = []
    for account in sorted(accounts):
        moved = get_balance(after, account).ustr - get_balance(before, account).ustr
        if moved != expected.get(account, 0):
            wrong.append(f"{account} {moved:+} ustr (expected {expected.get(account, 0):+})")
    upheld = "upheld" if action.upheld else "rejected"
    return observe(
        "GOV-COMPLAINT",
        not wrong,
        f"complaint {action.complaint_id!r} ({upheld}, deposit {deposit}): {'; '.join(wrong)}",
    )


def check_sup_inflation(step: ChainStep) -> Observation | None:
    """SUP-INFLATION: the schedule starts at the initial rate, never rises, never goes negative;
    a mint never exceeds the initial rate over its interval."""
    mints = [e for e in step.effects if isinstance(e, MintEffect)]
    if not mints or step.before is None:
        return None
    params, supply = step.after.params, step.after.supply
    problems = []
    years = get_year_since_genesis(supply, step.after.now) + 2
    rates = [compute_inflation_rate_bps(year, params) for year in range(years)]
    if rates[0] != params.mint.inflation_initial_bps:
        problems.append(
            f"year 0 rate {rates[0]} is not the initial {params.mint.inflation_initial_bps}"
        )
    if any(r < 0 for r in rates) or any(b > a for a, b in pairwise(rates)):
        problems.append(f"rates {rates} rise or go negative")
    base = get_str_circulating_supply(step.before.ledger)
    for mint in mints:
        ceiling = base * rates[0] * (mint.end - mint.start) // (BPS_DENOMINATOR * SECONDS_PER_YEAR)
        if not 0 <= mint.amount <= ceiling:
            problems.append(
                f"minted {mint.amount} over [{mint.start}, {mint.end}), ceiling {ceiling}"
            )
    return observe("SUP-INFLATION", not problems, "; ".join(problems))


def check_rep_outbound(step: ChainStep) -> Observation | None:
    """REP-OUTBOUND: an unqualified app's requests let through in any minute stay within the cap."""
    requests = [e for e in step.effects if isinstance(e, OutboundEffect)]
    if not requests:
        return None
    history = record_effects(step.history, requests)
    params, reputation = step.after.params, step.after.reputation
    bad, capped = [], 0
    for request in requests:
        record = get_app_reputation(reputation, request.app)
        if is_outbound_uncapped(record, now=request.time, params=params, str_price=request.price):
            continue
        capped += 1
        times = history.outbound.get(request.app, ())
        in_minute = [t for t in times if request.time - SECONDS_PER_MINUTE < t <= request.time]
        if len(in_minute) > params.reputation.outbound_requests_per_minute:
            bad.append(f"{request.app}: {len(in_minute)} requests in the minute to {request.time}")
    if not capped:
        return None
    return observe("REP-OUTBOUND", not bad, "; ".join(bad))
