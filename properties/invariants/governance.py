"""Governance, supply and reputation invariants: coherent shares, supermajorities,
subcommittees, complaint fees, the inflation schedule and the outbound cap.

Each checker decides what should have happened from the whitepaper's words (`oracle.governance`,
`oracle.supply`, `oracle.reputation`) and the raw state: parameter values, balances, bonds,
delegation records, reputation records and the clock. None asks the model who votes, who is
active, who is exempt or what a mint should be.
"""

from __future__ import annotations

import attrs

from model.chain.actions import (
    GrantNetworkSupport,
    MintEffect,
    OutboundEffect,
    ResolveComplaint,
    SubmitProposal,
    TallyEffect,
)
from model.governance import NETWORK_SUPPORT_COMMITTEE, VoteOption
from model.ledger import (
    COMPLAINT_DEPOSITS,
    RESERVE_POOL,
    REWARDS_POOL,
    SUBCOMMITTEE_POOL,
)
from model.params import Params
from model.units import AccountId
from oracle.defaults import default_problems
from oracle.domains import domain_problems, value_problem
from oracle.governance import (
    SUPERMAJORITY_KEYS,
    changed_keys,
    complaint_split,
    delegated_to,
    has_supermajority,
    incoherences,
    is_active,
    judging_validators,
    tally,
)
from oracle.ledger import STR, movements, ustr_of
from oracle.reputation import is_outbound_exempt, requests_in_minute
from oracle.supply import YEAR, age_in_years, circulating_str, mint_bounds, schedule_problems
from properties.invariants.base import Observation, observe
from properties.invariants.step import ChainStep, record_effects

# --- Governance ----------------------------------------------------------------------------------


def check_gov_defaults(defaults: Params) -> Observation:
    """GOV-DEFAULTS: the model's whitepaper defaults (what `check` reads with no file, and the
    base of every proposal), handed over at genesis, are the numbers the whitepaper quotes, or
    DESIGN.md's reading where it quotes none (`oracle.defaults`)."""
    values = {
        f"{subspace}.{key}": value
        for subspace, fields in attrs.asdict(defaults).items()
        for key, value in fields.items()
    }
    return observe("GOV-DEFAULTS", *_verdict_of(default_problems(values)))


def _verdict_of(problems: list[str]) -> tuple[bool, str]:
    return not problems, "; ".join(problems)


_checked_params: list[tuple[Params, tuple[str, ...]]] = []
"""The last parameter set judged and its problems: the live set changes only at a tally, and
GOV-PARAMS looks at it on every step."""


def _params_problems(params: Params) -> tuple[str, ...]:
    if _checked_params and _checked_params[0][0] is params:
        return _checked_params[0][1]
    problems = (
        *domain_problems(params),
        *(f"{i.rule}: {i.message}" for i in incoherences(params)),
    )
    _checked_params[:] = [(params, problems)]
    return problems


def check_gov_params(step: ChainStep) -> Observation | None:
    """GOV-PARAMS: every live parameter lies inside its documented domain (docs/model.md,
    `oracle.domains`), and the shares are coherent: cost + STB margin + STR margin = 100% of T,
    sub-shares sum to their margin (§6.8). A proposal the chain accepted proposes only values
    inside their domains, since a vote could adopt any of them."""
    problems = list(_params_problems(step.after.params))
    if isinstance(step.action, SubmitProposal):
        proposed = (
            value_problem(f"{change.subspace}.{change.key}", change.value)
            for change in step.action.changes
        )
        problems += [f"accepted proposal: {problem}" for problem in proposed if problem]
    return observe("GOV-PARAMS", not problems, "; ".join(problems))


def check_gov_supermajority(step: ChainStep) -> Observation | None:
    """GOV-SUPERMAJORITY: a tally that changes the burn or network-support share (or the
    supermajority itself) had more than num/den of all STR votes cast, each voter weighed by the
    STR it held and bonded at the tally (§6.8: 1 STR = 1 vote)."""
    tallies = [e for e in step.effects if isinstance(e, TallyEffect)]
    touched = {f"{subspace}.{key}" for subspace, key in SUPERMAJORITY_KEYS}
    if step.before is None or not any(
        f"{change.subspace}.{change.key}" in touched
        for t in tallies
        for change in t.proposal.changes
    ):
        return None
    ledger, staking = step.before.ledger, step.before.staking
    bad = []
    for effect in tallies:
        changed = changed_keys(effect.params_before, effect.params_after, SUPERMAJORITY_KEYS)
        if not changed:
            continue
        weights = tally(effect.proposal.votes, ledger, staking)
        gov = effect.params_before.governance
        num, den = gov.supermajority_num, gov.supermajority_den
        if not has_supermajority(weights, num=num, den=den):
            bad.append(
                f"{changed} changed with {weights[VoteOption.YES]} of {sum(weights.values())}"
                f" ustr of votes yes (needs more than {num}/{den})"
            )
        recorded = (effect.result.yes, effect.result.no, effect.result.abstain)
        weighed = (weights[VoteOption.YES], weights[VoteOption.NO], weights[VoteOption.ABSTAIN])
        if recorded != weighed:
            bad.append(
                f"{changed} changed on a tally of yes/no/abstain {recorded}, but the STR held"
                f" and bonded by the voters weighs {weighed}"
            )
    return observe("GOV-SUPERMAJORITY", not bad, "; ".join(bad))


def check_gov_subcommittee(step: ChainStep) -> Observation | None:
    """GOV-SUBCOMMITTEE (§6.8): every delegated unit is held once in the subcommittee pool, each
    delegation positive and to a subcommittee that exists; and the Network Support Committee,
    the one whose activity the chain acts on (§6.5), pays a grant only while more than the
    activation share of the circulating STR is delegated to it."""
    state = step.after
    gov = state.governance
    grant = isinstance(step.action, GrantNetworkSupport) and step.before is not None
    if not gov.subcommittee_delegations and not grant:
        return None
    bad = []
    delegations = gov.subcommittee_delegations
    pooled = ustr_of(state.ledger, SUBCOMMITTEE_POOL)
    if pooled != sum(delegations.values()):
        bad.append(f"the pool holds {pooled} ustr, the delegations {sum(delegations.values())}")
    bad.extend(
        f"{delegator} delegates {amount} ustr to {name!r}"
        for (delegator, name), amount in sorted(delegations.items())
        if amount <= 0 or name not in gov.subcommittees
    )
    if grant and step.before is not None:
        before = step.before
        delegated = delegated_to(before.governance, NETWORK_SUPPORT_COMMITTEE)
        circulating = circulating_str(before.ledger)
        share = before.params.governance.subcommittee_activation_bps
        if not is_active(delegated, circulating=circulating, activation_bps=share):
            bad.append(
                f"Network Support paid a grant with {delegated} of {circulating} ustr delegated"
                f" to its committee (inactive: not more than {share} bps)"
            )
    return observe("GOV-SUBCOMMITTEE", not bad, "; ".join(bad))


def check_gov_complaint(step: ChainStep) -> Observation | None:
    """GOV-COMPLAINT (§6.8): a resolved complaint's MinDeposit D leaves the complaint deposits;
    floor(D * refund_bps / 10000) goes to the complainant if upheld, else to the reserve pool; the
    rest is split equally among the active validators, its remainder to the reserve pool. Every
    account's STR change is compared with that; nothing else moves."""
    action = step.action
    if not isinstance(action, ResolveComplaint) or step.before is None:
        return None
    complaint = step.before.complaints.complaints.get(action.complaint_id)
    if complaint is None:
        return None
    deposit = complaint.deposit_ustr
    validators = judging_validators(step.before.staking, step.before.params)
    split = complaint_split(
        deposit,
        refund_bps=step.before.params.governance.complaint_refund_bps,
        validators=len(validators),
    )
    expected: dict[AccountId, int] = {}

    def pay(account: AccountId, amount: int) -> None:
        expected[account] = expected.get(account, 0) + amount

    pay(COMPLAINT_DEPOSITS, -deposit)
    pay(complaint.complainant if action.upheld else RESERVE_POOL, split.refund)
    for validator in validators:
        pay(validator, split.each_validator)
    pay(RESERVE_POOL, split.reserve_dust)
    moved = movements(step.before.ledger, step.after.ledger)
    wrong = [
        f"{account} {token} {delta:+}"
        for (account, token), delta in sorted(moved.items())
        if token != STR
    ]
    accounts = {account for account, _ in moved} | set(expected)
    for account in sorted(accounts):
        got = moved.get((account, STR), 0)
        if got != expected.get(AccountId(account), 0):
            wrong.append(
                f"{account} {got:+} ustr (expected {expected.get(AccountId(account), 0):+})"
            )
    upheld = "upheld" if action.upheld else "rejected"
    return observe(
        "GOV-COMPLAINT",
        not wrong,
        f"complaint {action.complaint_id!r} ({upheld}, deposit {deposit}): {'; '.join(wrong)}",
    )


# --- Supply --------------------------------------------------------------------------------------


def check_sup_inflation(step: ChainStep) -> Observation | None:
    """SUP-INFLATION (§6.9): the schedule starts at the initial rate, never rises, never goes
    negative; each mint covers the time since the last one, is neither above nor below the
    schedule's accrual on the circulating STR (rounded down once), and lands in the rewards pool.
    A step that mints nothing leaves the inflation clock alone."""
    mints = [e for e in step.effects if isinstance(e, MintEffect)]
    before, after = step.before, step.after
    if before is None:
        return None
    clock_before = (before.supply.genesis_time, before.supply.last_mint_time)
    clock_after = (after.supply.genesis_time, after.supply.last_mint_time)
    if not mints:
        if clock_before == clock_after:
            return None
        return observe(
            "SUP-INFLATION",
            False,
            f"the inflation clock (genesis, last mint) moved from {clock_before} to {clock_after}"
            " without a mint",
        )
    params, genesis = before.params, before.supply.genesis_time
    years = age_in_years(genesis=genesis, time=max(after.now, genesis)) + 1
    problems = schedule_problems(params, years=years)
    base = circulating_str(before.ledger)
    cursor = before.supply.last_mint_time
    for mint in mints:
        if mint.start != cursor or mint.end < mint.start or mint.start < genesis:
            problems.append(
                f"a mint over [{mint.start}, {mint.end}) where the last mint ended at {cursor}"
            )
            continue
        bounds = mint_bounds(base, genesis=genesis, start=mint.start, end=mint.end, params=params)
        problem = bounds.problem(mint.amount)
        if problem is not None:
            problems.append(
                f"{problem} over [{mint.start}, {mint.end}) on {base} ustr (year"
                f" {(mint.start - genesis) // YEAR})"
            )
        cursor = mint.end
    if mints[-1].end != after.now or after.supply.last_mint_time != after.now:
        problems.append(
            f"the mint ends at {mints[-1].end} and the clock records {after.supply.last_mint_time},"
            f" not now ({after.now})"
        )
    minted = sum(mint.amount for mint in mints)
    moved = movements(before.ledger, after.ledger)
    expected = {(str(REWARDS_POOL), STR): minted} if minted else {}
    if moved != expected or after.ledger.str_minted - before.ledger.str_minted != minted:
        problems.append(
            f"minting {minted} ustr moved {dict(sorted(moved.items()))} and counted"
            f" {after.ledger.str_minted - before.ledger.str_minted} as minted"
        )
    return observe("SUP-INFLATION", not problems, "; ".join(problems))


# --- Reputation ----------------------------------------------------------------------------------


def check_rep_outbound(step: ChainStep) -> Observation | None:
    """REP-OUTBOUND (§4.5): an app that is not open source, stakes no more than the minimum's
    worth of STR at the request's price and has not been active longer than the minimum makes
    at most the cap's requests in any minute."""
    requests = [e for e in step.effects if isinstance(e, OutboundEffect)]
    if not requests or step.before is None:
        return None
    history = record_effects(step.history, requests)
    params, apps = step.before.params, step.before.reputation.apps
    cap = params.reputation.outbound_requests_per_minute
    bad, capped = [], 0
    for request in requests:
        record = apps.get(request.app)
        if is_outbound_exempt(
            record,
            now=request.time,
            price=request.price,
            params=params,
            memory=history.first_active,
        ):
            continue
        capped += 1
        seen = requests_in_minute(history.outbound.get(request.app, ()), now=request.time)
        if seen > cap:
            bad.append(f"{request.app}: {seen} requests in the minute to {request.time}, cap {cap}")
    if not capped:
        return None
    return observe("REP-OUTBOUND", not bad, "; ".join(bad))
