"""Governance, supply and reputation invariants: coherent shares, supermajorities,
subcommittees, complaint fees, the inflation schedule and the outbound cap.

Each checker decides what should have happened from the whitepaper's words (`oracle.governance`,
`oracle.supply`, `oracle.reputation`) and the raw state: parameter values, balances, bonds,
delegation records, reputation records and the clock. None asks the model who votes, who is
active, who is exempt or what a mint should be.
"""

from __future__ import annotations

import attrs
from pyrsistent import PMap

from model.chain.actions import (
    GrantNetworkSupport,
    MintEffect,
    OutboundEffect,
    ResolveComplaint,
    SubmitProposal,
    TallyEffect,
)
from model.constitution import HARDENED_CONSTITUTION
from model.governance import NETWORK_SUPPORT_COMMITTEE, Subcommittee, TallyResult
from model.ledger import (
    COMPLAINT_DEPOSITS,
    RESERVE_POOL,
    REWARDS_POOL,
    SUBCOMMITTEE_POOL,
    Ledger,
)
from model.params import Params
from model.units import AccountId
from oracle.committees import complaint_split, delegated_to, is_active, judging_validators
from oracle.defaults import (
    COMPLAINT_REFUND_BPS,
    OUTBOUND_REQUESTS_PER_MINUTE,
    SUBCOMMITTEE_ACTIVATION_BPS,
    SUPERMAJORITY,
    default_problems,
)
from oracle.domains import domain_problems, param_values, value_problem
from oracle.governance import changed_keys, incoherences
from oracle.governance import (
    constitution_problems as oracle_constitution_problems,
)
from oracle.ledger import STR, movements, ustr_of
from oracle.persistent import remember_last
from oracle.reputation import is_outbound_exempt, requests_in_minute
from oracle.supply import YEAR, age_in_years, circulating_str, mint_bounds, schedule_problems
from properties.invariants.base import Observation, observe
from properties.invariants.step import ChainStep, record_effects

# --- Governance ----------------------------------------------------------------------------------


@remember_last(1)
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


# The last parameter sets judged: the live set changes only at a tally, and GOV-PARAMS looks at
# it on every step.
@remember_last(4)
def _params_problems(params: Params) -> tuple[str, ...]:
    return (
        *domain_problems(params),
        *constitution_problems(params),
        *(f"{i.rule}: {i.message}" for i in incoherences(params)),
    )


def constitution_problems(params: Params) -> list[str]:
    """§6.8 as the hardened constitution reads it (docs/constitution.md, read as data by
    `oracle.governance`): every key of `params` inside its row's range, and every fraction two
    keys form (the consensus threshold, the supermajority) in [least, 1). Each problem names the
    key, the value, the range, the process and the row's reason. The hardened table is the
    measure under every profile, so a set the literal reading lets a vote adopt shows here as a
    finding."""
    values = param_values(params)
    rows = HARDENED_CONSTITUTION.rows
    missing = [f"{name} has no row in the constitution" for name in values if name not in rows]
    return [*missing, *oracle_constitution_problems(params, HARDENED_CONSTITUTION)]


def check_gov_params(step: ChainStep) -> Observation | None:
    """GOV-PARAMS: every live parameter lies inside its documented domain (docs/model.md,
    `oracle.domains`) and inside the constitution's range for its key, each fraction of two keys
    within the constitution's bound (§6.8, docs/constitution.md: `constitution_problems`), and
    the shares are coherent: cost basis + STB margin + STR margin = 100% of T, the cost basis
    covering the cost with under one bp of T to spare (§6.3.1), sub-shares sum to their margin
    (§6.8). A proposal the chain accepted proposes only values inside their domains,
    since a vote could adopt any of them."""
    problems = list(_params_problems(step.after.params))
    if isinstance(step.action, SubmitProposal):
        proposed = (
            value_problem(f"{change.subspace}.{change.key}", change.value)
            for change in step.action.changes
        )
        problems += [f"accepted proposal: {problem}" for problem in proposed if problem]
    return observe("GOV-PARAMS", not problems, "; ".join(problems))


BURN_AND_SUPPORT_KEYS: tuple[tuple[str, str], ...] = (
    ("payment", "str_burn_bps"),
    ("payment", "stb_reserve_swap_bps"),
    ("payment", "str_network_support_bps"),
)
"""§6.4, §6.5: the STR burn, the STB burn through the swap reserve (§6.7) and network support:
the shares that change only with more than 2/3 of the STR votes."""

BURN_AND_SUPPORT_NAMES = frozenset(f"{subspace}.{key}" for subspace, key in BURN_AND_SUPPORT_KEYS)
"""The same keys as `subspace.key` names."""

_OPTIONS = ("yes", "no", "abstain", "no_with_veto")
"""The options a tally records a weight for (no-with-veto: 0 where a tally has none)."""


def _recorded_weights(result: TallyResult) -> dict[str, int]:
    """§6.8: the STR weight the tally recorded behind each option cast."""
    return {option: int(getattr(result, option, 0)) for option in _OPTIONS}


def check_gov_supermajority(step: ChainStep) -> Observation | None:
    """GOV-SUPERMAJORITY (§6.4, §6.5): a tally that changes a burn or the network-support share
    had yes weight more than 2/3 of all STR votes cast (abstentions and vetoes included). The
    2/3 is the text's (`oracle.defaults.SUPERMAJORITY`), not `governance.supermajority_num/den`,
    so lowering the governed bar cannot lower the check. The weights are the tally's record
    (yes, no, abstain and, where the tally has it, no-with-veto); that the record weighs each
    voter by all the STR it holds (§6.8: 1 STR = 1 vote) is the tally's contract
    (ACT-GOVERNANCE)."""
    tallies = [e for e in step.effects if isinstance(e, TallyEffect)]
    if step.before is None or not any(
        f"{change.subspace}.{change.key}" in BURN_AND_SUPPORT_NAMES
        for t in tallies
        for change in t.proposal.changes
    ):
        return None
    bad = []
    for effect in tallies:
        changed = changed_keys(effect.params_before, effect.params_after, BURN_AND_SUPPORT_KEYS)
        if not changed:
            continue
        recorded = _recorded_weights(effect.result)
        num, den = SUPERMAJORITY
        yes, cast = recorded["yes"], sum(recorded.values())
        if not yes * den > num * cast:
            bad.append(
                f"{changed} changed with {yes} of {cast} ustr of votes yes (§6.4, §6.5: needs"
                f" more than {num}/{den})"
            )
    return observe("GOV-SUPERMAJORITY", not bad, "; ".join(bad))


def check_gov_subcommittee(step: ChainStep) -> Observation | None:
    """GOV-SUBCOMMITTEE (§6.8): every delegated unit is held once in the subcommittee pool, each
    delegation positive and to a subcommittee that exists; and the Network Support Committee,
    the one whose activity the chain acts on (§6.5), pays a grant only while more than 1% of the
    circulating STR is delegated to it: the text's "greater than 1% of all STR"
    (`oracle.defaults.SUBCOMMITTEE_ACTIVATION_BPS`), not `governance.subcommittee_activation_bps`."""
    state = step.after
    gov = state.governance
    grant = isinstance(step.action, GrantNetworkSupport) and step.before is not None
    if not gov.subcommittee_delegations and not grant:
        return None
    bad = list(_delegation_problems(state.ledger, gov.subcommittee_delegations, gov.subcommittees))
    if grant and step.before is not None:
        before = step.before
        delegated = delegated_to(before.governance, NETWORK_SUPPORT_COMMITTEE)
        circulating = circulating_str(before.ledger)
        share = SUBCOMMITTEE_ACTIVATION_BPS
        if not is_active(delegated, circulating=circulating, activation_bps=share):
            bad.append(
                f"Network Support paid a grant with {delegated} of {circulating} ustr delegated"
                f" to its committee (inactive: not more than {share} bps, §6.8's 1%)"
            )
    return observe("GOV-SUBCOMMITTEE", not bad, "; ".join(bad))


# A function of the very parts it reads: most steps touch none of them.
@remember_last(2)
def _delegation_problems(
    ledger: Ledger,
    delegations: PMap[tuple[AccountId, str], int],
    subcommittees: PMap[str, Subcommittee],
) -> tuple[str, ...]:
    """§6.8: the pool holds every delegated unit once; each delegation is positive and to a
    subcommittee that exists."""
    bad = []
    pooled = ustr_of(ledger, SUBCOMMITTEE_POOL)
    if pooled != sum(delegations.values()):
        bad.append(f"the pool holds {pooled} ustr, the delegations {sum(delegations.values())}")
    bad.extend(
        f"{delegator} delegates {amount} ustr to {name!r}"
        for (delegator, name), amount in sorted(delegations.items())
        if amount <= 0 or name not in subcommittees
    )
    return tuple(bad)


def check_gov_complaint(step: ChainStep) -> Observation | None:
    """GOV-COMPLAINT (§6.8): a resolved complaint's MinDeposit D leaves the complaint deposits;
    floor(D * 80%) goes to the complainant if upheld, else to the reserve pool; the rest, the
    text's 20%, is split equally among the active validators, its remainder to the reserve pool.
    The 80/20 is the text's (`oracle.defaults.COMPLAINT_REFUND_BPS`), not
    `governance.complaint_refund_bps`. Every account's STR change is compared with that; nothing
    else moves."""
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
        refund_bps=COMPLAINT_REFUND_BPS,
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
        f"complaint {action.complaint_id!r} ({upheld}, deposit {deposit}, §6.8's 80/20: refund"
        f" {split.refund} at {COMPLAINT_REFUND_BPS} bps): {'; '.join(wrong)}",
    )


# --- Supply --------------------------------------------------------------------------------------


def check_sup_inflation(step: ChainStep) -> Observation | None:
    """SUP-INFLATION (§6.9): the schedule starts at the text's 11% (`INFLATION_INITIAL_BPS`, not
    `mint.inflation_initial_bps`), never rises, never goes negative; each mint covers the time since the last one, is neither above nor below the
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
    at most 10 requests in any minute. The 10 is the text's
    (`oracle.defaults.OUTBOUND_REQUESTS_PER_MINUTE`), not `reputation.outbound_requests_per_minute`:
    governance may tighten the chain's cap, and no cap it sets lets an app past 10. The exemption
    thresholds are governed (the constitution only lets them rise)."""
    requests = [e for e in step.effects if isinstance(e, OutboundEffect)]
    if not requests or step.before is None:
        return None
    history = record_effects(step.history, requests)
    params, apps = step.before.params, step.before.reputation.apps
    cap = OUTBOUND_REQUESTS_PER_MINUTE
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
            bad.append(
                f"{request.app}: {seen} requests in the minute to {request.time}, cap {cap} (§4.5)"
            )
    if not capped:
        return None
    return observe("REP-OUTBOUND", not bad, "; ".join(bad))
