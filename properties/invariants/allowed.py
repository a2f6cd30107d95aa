"""ACT-ALLOWED: what the whitepaper allows is applied, not refused.

The action contracts (`properties.invariants.actions`) judge what an applied action did; a model
that refuses too much passes them all, since a refusal changes nothing. These checks judge each
refusal instead: from the raw state before it (balances, bonds, escrow records, the validator
list) and the checker's own memory of bridge deposits, they decide, by the words of the
section, whether the action was allowed; a refused action that was allowed breaks ACT-ALLOWED.

Only the actions whose preconditions the whitepaper states in full are judged here: transfers
(§6.2), the bridge (§6.1), bonds (§4.2), an app's prepayment (§4.3.1), votes and complaints (§6.8),
outbound requests (§4.5), the committees' grants, insurance payouts and node slashes and the
insurance pool's contributions (§4.5, §6.5, §6.8, §6.10), Stratoswap's deposits, redemptions and
market orders (§6.6, `properties.invariants.market`), and Trusted Function rounds and their locked payments (§3.2-§3.3,
§4.3.1, §4.4: `properties.invariants.allowed_rounds`). A refusal of any other
kind is not judged (it neither holds nor breaks the invariant); an applied action of a judged
kind counts as evidence that the invariant was exercised, except an applied round or
resolution with a caller's error (a malformed scenario, an unregistered node, no escrow, no
locked payment), which the chain must refuse and which breaks the invariant.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

from model.chain.actions import (
    Action,
    AddLiquidity,
    AdvanceTime,
    CastVote,
    CommitBlock,
    CompleteUnbonding,
    CreateSubcommittee,
    Delegate,
    DelegateToSubcommittee,
    DepositUsdc,
    DistributeRewards,
    Equivocate,
    FundInsurance,
    GrantNetworkSupport,
    MintInflation,
    OutboundRequest,
    PayInsurance,
    Prepay,
    RedeemStb,
    RemoveLiquidity,
    ReportDoubleSign,
    ReportDowntime,
    ResolveComplaint,
    SetAppProfile,
    SlashNode,
    SlashValidator,
    SubmitComplaint,
    SubmitProposal,
    Swap,
    SwapReserve,
    Tally,
    Transfer,
    Undelegate,
    UndelegateFromSubcommittee,
    Unjail,
    WithdrawPrepayment,
)
from model.chain.state import ChainState
from model.governance import NETWORK_SUPPORT_COMMITTEE, AmendmentPhase
from model.insurance import InsuranceClaim
from model.ledger import (
    BONDED_POOL,
    COMPLAINT_DEPOSITS,
    GOVERNANCE_DEPOSITS,
    INSURANCE_POOL,
    NETWORK_SUPPORT,
    STRATOSWAP_POOL,
    SUBCOMMITTEE_POOL,
    SWAP_RESERVE,
    UNBONDING_POOL,
    Token,
    get_escrow_account,
)
from model.units import AccountId, Rejected
from oracle.committees import (
    COMPLAINT_NETWORK,
    INSURANCE_PAYOUTS,
    committee_power_problems,
    delegated_to,
    grant_committees,
    is_active,
)
from oracle.domains import value_problem
from oracle.effects import is_user_account
from oracle.governance import incoherences, submission_problems, with_changes
from oracle.ledger import balance, ustr_of
from oracle.reputation import is_outbound_exempt, requests_in_minute
from oracle.staking import active_set, bonded_total, is_down, power_of, total_power
from oracle.stratoswap import curve_payout
from oracle.supply import circulating_str
from properties.invariants.allowed_rounds import ROUND_JUDGES, check_applied_round
from properties.invariants.base import Observation, holds, violated
from properties.invariants.market import (
    add_liquidity_allowed,
    remove_liquidity_allowed,
    swap_allowed,
)
from properties.invariants.step import ChainStep, History


def _reasons(*checks: tuple[str, bool]) -> list[str]:
    """The reasons, of (reason, applies) pairs, that apply: why the text lets the chain refuse."""
    return [reason for reason, applies in checks if applies]


def _is_amount(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _held(state: ChainState, account: str, token: Token) -> int:
    held = balance(state.ledger, account)  # type: ignore[arg-type]
    return held.ustr if token is Token.STR else held.ustb


def _transfer_allowed(state: ChainState, history: History, action: Transfer) -> list[str]:
    """§6.2: tokens move between two user accounts, up to what the sender holds."""
    return _reasons(
        ("the sender is not a user account", not is_user_account(action.sender)),
        ("the recipient is not a user account", not is_user_account(action.recipient)),
        ("the amount is not a whole number of micro-units", not _is_amount(action.amount)),
        (
            "the sender holds less than the amount",
            _is_amount(action.amount) and _held(state, action.sender, action.token) < action.amount,
        ),
    )


def _deposit_allowed(state: ChainState, history: History, action: DepositUsdc) -> list[str]:
    """§6.1: USDC locked on Ethereum mints STB to the receiving wallet, once per deposit."""
    return _reasons(
        ("the recipient is not a wallet", not is_user_account(action.recipient)),
        ("the amount is not a whole number of micro-units", not _is_amount(action.amount)),
        ("the deposit id was minted already", action.deposit_id in history.deposits),
    )


def _redemption_allowed(state: ChainState, history: History, action: RedeemStb) -> list[str]:
    """§6.1: a holder redeems up to the STB it holds, while the bridge holds the USDC."""
    amount = action.amount
    return _reasons(
        ("the holder is not a user account", not is_user_account(action.holder)),
        ("the amount is not a whole number of micro-units", not _is_amount(amount)),
        (
            "the holder holds less STB than the amount",
            _is_amount(amount) and _held(state, action.holder, Token.STB) < amount,
        ),
        (
            "the bridge holds less USDC than the amount",
            _is_amount(amount) and state.ledger.usdc_locked < amount,
        ),
    )


def _is_positive_amount(value: object) -> bool:
    return _is_amount(value) and value != 0


def _delegation_allowed(state: ChainState, history: History, action: Delegate) -> list[str]:
    """§4.2: a user bonds a positive amount of the STR it holds to a registered validator."""
    amount = action.amount
    return _reasons(
        ("the delegator is not a user account", not is_user_account(action.delegator)),
        ("the amount is not positive", not _is_positive_amount(amount)),
        ("the validator is not registered", action.validator not in state.staking.validators),
        (
            "the delegator holds less STR than the amount",
            _is_amount(amount) and _held(state, action.delegator, Token.STR) < amount,
        ),
    )


def _undelegation_allowed(state: ChainState, history: History, action: Undelegate) -> list[str]:
    """§4.2: a user takes back a positive amount of at most what it bonded to the validator."""
    amount = action.amount
    bonded = state.staking.delegations.get((action.delegator, action.validator), 0)
    return _reasons(
        ("the delegator is not a user account", not is_user_account(action.delegator)),
        ("the amount is not positive", not _is_positive_amount(amount)),
        ("the bond is smaller than the amount", _is_amount(amount) and bonded < amount),
    )


def _prepayment_allowed(state: ChainState, history: History, action: Prepay) -> list[str]:
    """§4.3.1: the app's developer pays STB and STR it holds into the app's escrow, STR at a
    positive USD price."""
    escrow = state.escrows.escrows.get(action.app)
    price = action.price
    return _reasons(
        ("the app has no escrow", escrow is None),
        (
            "the payer is not the app's developer",
            escrow is not None and action.payer != escrow.developer,
        ),
        (
            "an amount is not a whole number of micro-units",
            not (_is_amount(action.ustb) and _is_amount(action.ustr)),
        ),
        (
            "the payer holds less than it pays",
            _is_amount(action.ustb)
            and _is_amount(action.ustr)
            and (
                _held(state, action.payer, Token.STB) < action.ustb
                or _held(state, action.payer, Token.STR) < action.ustr
            ),
        ),
        (
            "STR is paid without a positive price",
            action.ustr != 0 and not (isinstance(price, Fraction) and price > 0),
        ),
    )


def _withdrawal_allowed(
    state: ChainState, history: History, action: WithdrawPrepayment
) -> list[str]:
    """§4.3.1: the developer takes back up to the escrow's balance (locked payments are held
    apart, in the locked escrow account)."""
    account = get_escrow_account(action.app)
    return _reasons(
        ("the app has no escrow", action.app not in state.escrows.escrows),
        (
            "an amount is not a whole number of micro-units",
            not (_is_amount(action.ustb) and _is_amount(action.ustr)),
        ),
        (
            "the escrow holds less than the amount",
            _is_amount(action.ustb)
            and _is_amount(action.ustr)
            and (
                _held(state, account, Token.STB) < action.ustb
                or _held(state, account, Token.STR) < action.ustr
            ),
        ),
    )


def _vote_allowed(state: ChainState, history: History, action: CastVote) -> list[str]:
    """§6.8: a holder votes on a submitted proposal while its voting period is open (until its
    end, exclusive: docs/model.md); an amendment's testing period holds no vote (Tezos)."""
    proposal = state.governance.proposals.get(action.proposal_id)
    return _reasons(
        ("the voter is not a user account", not is_user_account(action.voter)),
        ("there is no such proposal", proposal is None),
        (
            "the voting period is over",
            proposal is not None and state.now >= proposal.voting_end,
        ),
        (
            "the amendment is in its testing period, which holds no vote",
            proposal is not None and proposal.phase is AmendmentPhase.TESTING,
        ),
    )


def _outbound_allowed(state: ChainState, history: History, action: OutboundRequest) -> list[str]:
    """§4.5: an app that is open source, stakes more than the minimum's worth of STR or has been
    active longer than the minimum makes any number of requests; any other app makes up to the
    cap in the minute up to now. A stake is worth nothing without a positive price."""
    price = action.price
    params = state.params
    record = state.reputation.apps.get(action.app)
    valid_price = isinstance(price, Fraction) and price > 0
    exempt = valid_price and is_outbound_exempt(
        record, now=state.now, price=price, params=params, memory=history.first_active
    )
    made = requests_in_minute(history.outbound.get(action.app, ()), now=state.now)
    # §4.4: a node that makes the call is paid the base payout from the app's escrow.
    node = action.node
    paid_call = node is not None
    payout = params.market.external_request_payout_ustb
    escrow_stb = balance(state.ledger, get_escrow_account(action.app)).ustb
    return _reasons(
        ("the price is not positive", not valid_price),
        (
            "the app is capped and made the cap's requests in the minute",
            not exempt and made >= params.reputation.outbound_requests_per_minute,
        ),
        ("the node making the call is not registered", paid_call and node not in state.nodes),
        ("the app has no escrow", paid_call and action.app not in state.escrows.escrows),
        (
            "the app's escrow holds less STB than the external request's base payout (§4.4)",
            paid_call and escrow_stb < payout,
        ),
    )


def _complaint_allowed(state: ChainState, history: History, action: SubmitComplaint) -> list[str]:
    """§6.8: a user files a complaint under a new id with a deposit of at least the MinDeposit
    that it holds."""
    deposit = action.deposit_ustr
    minimum = state.params.governance.complaint_min_deposit_ustr
    return _reasons(
        ("the complainant is not a user account", not is_user_account(action.complainant)),
        (
            "the complaint id was filed already",
            action.complaint_id in state.complaints.complaints,
        ),
        ("the deposit is not a whole number of micro-units", not _is_amount(deposit)),
        ("the deposit is below the MinDeposit", _is_amount(deposit) and deposit < minimum),
        (
            "the complainant holds less STR than the deposit",
            _is_amount(deposit) and _held(state, action.complainant, Token.STR) < deposit,
        ),
    )


# --- Governance: proposals, tallies, subcommittees, Network Support (§6.5, §6.8) ----------------


def _proposal_allowed(state: ChainState, history: History, action: SubmitProposal) -> list[str]:
    """§6.8: a holder proposes to change known keys, each once and to a value inside its
    documented domain (docs/model.md), locking a deposit it holds; the hardened profile also
    refuses changes whose shares would no longer add up (DESIGN.md, GOV-PARAMS), a changed set
    outside the constitution's ranges, and a proposal mixing amendment keys with
    parameter-change keys (`oracle.governance.submission_problems`)."""
    changes = action.changes
    names = [f"{change.subspace}.{change.key}" for change in changes]
    problems = [
        problem
        for change, name in zip(changes, names, strict=True)
        if (problem := value_problem(name, change.value)) is not None
    ]
    deposit = action.deposit_ustr
    checks_coherence = state.profile.governance_checks_coherence
    incoherent = (
        checks_coherence
        and bool(changes)
        and not problems
        and len(set(names)) == len(names)
        and bool(incoherences(with_changes(state.params, changes)))
    )
    return _reasons(
        ("the proposer is not a user account", not is_user_account(action.proposer)),
        ("the proposal changes nothing", not changes),
        ("a key is changed twice", len(set(names)) != len(names)),
        ("a change is not a documented key and value: " + "; ".join(problems), bool(problems)),
        ("the changed shares would no longer add up (hardened)", incoherent),
        *(
            (f"the constitution refuses it: {reason}", True)
            for reason in (
                submission_problems(state, changes) if len(set(names)) == len(names) else []
            )
        ),
        ("the deposit is not a whole number of micro-units", not _is_amount(deposit)),
        (
            "the proposer holds less STR than the deposit",
            _is_amount(deposit) and _held(state, action.proposer, Token.STR) < deposit,
        ),
    )


def _tally_allowed(state: ChainState, history: History, action: Tally) -> list[str]:
    """§6.8: a proposal is tallied once, once its voting period is over (at its end, inclusive:
    docs/model.md), and its deposit goes back from the governance deposits."""
    proposal = state.governance.proposals.get(action.proposal_id)
    return _reasons(
        ("there is no such proposal", proposal is None),
        ("the proposal was tallied already", proposal is not None and proposal.result is not None),
        (
            "the voting period is not over",
            proposal is not None and state.now < proposal.voting_end,
        ),
        (
            "the governance deposits hold less than the proposal's deposit",
            proposal is not None
            and ustr_of(state.ledger, GOVERNANCE_DEPOSITS) < proposal.deposit_ustr,
        ),
    )


def _subcommittee_allowed(
    state: ChainState, history: History, action: CreateSubcommittee
) -> list[str]:
    """§6.8: "launching a subcommittee is trivial": any new, non-empty name."""
    return _reasons(
        ("the name is empty", not action.name),
        ("a subcommittee has the name already", action.name in state.governance.subcommittees),
    )


def _subcommittee_delegation_allowed(
    state: ChainState, history: History, action: DelegateToSubcommittee
) -> list[str]:
    """§6.8: a user delegates a positive amount of the STR it holds to a subcommittee."""
    amount = action.amount
    return _reasons(
        ("the delegator is not a user account", not is_user_account(action.delegator)),
        ("there is no such subcommittee", action.name not in state.governance.subcommittees),
        ("the amount is not positive", not _is_positive_amount(amount)),
        (
            "the delegator holds less STR than the amount",
            _is_amount(amount) and _held(state, action.delegator, Token.STR) < amount,
        ),
    )


def _subcommittee_undelegation_allowed(
    state: ChainState, history: History, action: UndelegateFromSubcommittee
) -> list[str]:
    """§6.8: a user takes back a positive amount of at most what it delegated to the
    subcommittee, out of the pool that holds it."""
    amount = action.amount
    delegated = state.governance.subcommittee_delegations.get((action.delegator, action.name), 0)
    return _reasons(
        ("the delegator is not a user account", not is_user_account(action.delegator)),
        ("the amount is not positive", not _is_positive_amount(amount)),
        ("the delegation is smaller than the amount", _is_amount(amount) and delegated < amount),
        (
            "the subcommittee pool holds less than the amount",
            _is_amount(amount) and ustr_of(state.ledger, SUBCOMMITTEE_POOL) < amount,
        ),
    )


def _committee_reasons(
    state: ChainState, committees: tuple[str, ...], signers: frozenset[AccountId]
) -> list[str]:
    """§6.8: a committee acts while active (more than the activation share of all STR delegated
    to it); the hardened reading (switch `committee_votes`) also needs its vote, signers holding
    more than 2/3 of its delegated STR."""
    return committee_power_problems(
        state,
        committees,
        signers,
        activation_bps=state.params.governance.subcommittee_activation_bps,
        votes=state.profile.committee_votes,
    )


def _grant_allowed(state: ChainState, history: History, action: GrantNetworkSupport) -> list[str]:
    """§6.5, §6.8: Network Support pays a wallet a grant out of what it holds while its
    subcommittee is active (more than the activation share of all STR delegated to it), and
    (hardened) on its committees' vote."""
    amount = action.amount
    active = is_active(
        delegated_to(state.governance, NETWORK_SUPPORT_COMMITTEE),
        circulating=circulating_str(state.ledger),
        activation_bps=state.params.governance.subcommittee_activation_bps,
    )
    committees = grant_committees(action.purpose)
    return _committee_reasons(state, committees, action.signers) + _reasons(
        ("the Network Support subcommittee is not active", not active),
        ("the recipient is not a wallet", not is_user_account(action.recipient)),
        ("the amount is not a whole number of micro-units", not _is_amount(amount)),
        (
            "Network Support holds less than the amount",
            _is_amount(amount) and ustr_of(state.ledger, NETWORK_SUPPORT) < amount,
        ),
    )


def _contribution_allowed(state: ChainState, history: History, action: FundInsurance) -> list[str]:
    """§4.5: a user pays STR it holds into the insurance pool."""
    amount = action.amount
    return _reasons(
        ("the contributor is not a user account", not is_user_account(action.contributor)),
        ("the amount is not a whole number of micro-units", not _is_amount(amount)),
        (
            "the contributor holds less STR than the amount",
            _is_amount(amount) and _held(state, action.contributor, Token.STR) < amount,
        ),
    )


def _payout_allowed(state: ChainState, history: History, action: PayInsurance) -> list[str]:
    """§4.5, §6.8: the insurance pool pays a wallet a bounty or a reimbursement out of what it
    holds while its committee is active, and (hardened) on the committee's vote."""
    amount = action.amount
    return _committee_reasons(state, (INSURANCE_PAYOUTS,), action.signers) + _reasons(
        ("the recipient is not a wallet", not is_user_account(action.recipient)),
        ("the claim is not a purpose of §4.5", not isinstance(action.claim, InsuranceClaim)),
        ("the amount is not a whole number of micro-units", not _is_amount(amount)),
        (
            "the insurance pool holds less than the amount",
            _is_amount(amount) and ustr_of(state.ledger, INSURANCE_POOL) < amount,
        ),
    )


def _node_slash_allowed(state: ChainState, history: History, action: SlashNode) -> list[str]:
    """§6.10, §6.8: the Complaint Network Committee slashes at most a registered node's stake
    while active, and (hardened) on its vote."""
    amount = action.amount
    stake = state.nodes.get(action.node)
    return _committee_reasons(state, (COMPLAINT_NETWORK,), action.signers) + _reasons(
        ("the node is not registered", stake is None),
        ("the amount is not a whole number of micro-units", not _is_amount(amount)),
        (
            "the node stakes less than the amount",
            stake is not None and _is_amount(amount) and stake.ustr < amount,
        ),
    )


# --- Complaints (§6.8) ---------------------------------------------------------------------------


def _resolution_allowed(state: ChainState, history: History, action: ResolveComplaint) -> list[str]:
    """§6.8: the validators resolve a complaint that was filed and is still open; its deposit
    is paid out of the complaint deposits."""
    complaint = state.complaints.complaints.get(action.complaint_id)
    return _reasons(
        ("there is no such complaint", complaint is None),
        (
            "the complaint is resolved already",
            complaint is not None and complaint.upheld is not None,
        ),
        (
            "the complaint deposits hold less than its deposit",
            complaint is not None
            and ustr_of(state.ledger, COMPLAINT_DEPOSITS) < complaint.deposit_ustr,
        ),
    )


# --- Blocks, double signs, slashes and the clock (§4.2, §6.10) ----------------------------------


def _slash_blocked(state: ChainState, history: History, validator: str) -> list[tuple[str, bool]]:
    """What stops a validator's slash whatever its cause: it is not registered, the bonded pool
    holds less than the bonds (the books already disagree), or its last slash is in the future."""
    memory = history.slashes.get(f"validator:{validator}")
    return [
        ("a validator is not registered", validator not in state.staking.validators),
        (
            "the bonded pool holds less than the bonds",
            ustr_of(state.ledger, BONDED_POOL) < bonded_total(state.staking),
        ),
        (
            "a validator was last slashed after now",
            memory is not None and memory.last_time > state.now,
        ),
    ]


def _equivocation_allowed(state: ChainState, history: History, action: Equivocate) -> list[str]:
    """§6.10, §4.2: two signed votes of one validator at one height and round for different
    blocks are admissible evidence, whichever comes first, and slash a registered validator
    once for that height and round. Equivocate signs blocks "-a" and "-b" at the next height,
    round 0: every double signer gives valid evidence."""
    height = state.height + 1
    checks = [("nobody double-signs", not action.double_signers)]
    for validator in sorted(action.double_signers):
        checks += _slash_blocked(state, history, validator)
        checks.append(
            (
                "a double-sign at this height and round was slashed already",
                (validator, height, 0) in state.staking.processed_evidence,
            )
        )
    return _reasons(*checks)


def _late_evidence_allowed(
    state: ChainState, history: History, action: ReportDoubleSign
) -> list[str]:
    """§6.10: evidence of a double sign the checker saw committed and nobody has reported yet
    is admissible, and slashes a registered validator."""
    checks = _slash_blocked(state, history, action.validator)
    checks.append(
        (
            "no unreported double sign of the validator at that height",
            (action.validator, action.height) not in history.infractions,
        )
    )
    return _reasons(*checks)


def _downtime_allowed(state: ChainState, history: History, action: ReportDowntime) -> list[str]:
    """§6.10 (Cosmos x/slashing): a validator of the active set that missed more than half of
    its watched blocks (the checker's own count) may be reported."""
    seats = state.params.consensus.max_validators
    checks = _slash_blocked(state, history, action.validator)
    checks += [
        (
            "the validator is not in the active set",
            action.validator not in active_set(state.staking, max_validators=seats),
        ),
        (
            "the validator signed at least half of its watched blocks",
            not is_down(history.signing.get(action.validator, ())),
        ),
    ]
    return _reasons(*checks)


def _unjail_allowed(state: ChainState, history: History, action: Unjail) -> list[str]:
    """§6.10 (Cosmos x/slashing): a jailed validator, not tombstoned, unjails once its jail
    has ended."""
    jailed = state.staking.jailed
    return _reasons(
        ("the validator is not jailed", action.validator not in jailed),
        ("the validator is tombstoned", action.validator in state.staking.tombstoned),
        (
            "the jail has not ended",
            action.validator in jailed and state.now < jailed[action.validator],
        ),
    )


def _completion_allowed(
    state: ChainState, history: History, action: CompleteUnbonding
) -> list[str]:
    """§4.2: matured unbonding entries are paid out at any time, unless the unbonding pool holds
    less than its entries (the books already disagree)."""
    entries = sum(entry.amount for entry in state.staking.unbonding.values())
    return _reasons(
        (
            "the unbonding pool holds less than its entries",
            ustr_of(state.ledger, UNBONDING_POOL) < entries,
        )
    )


def _rewards_allowed(state: ChainState, history: History, action: DistributeRewards) -> list[str]:
    """§6.9: a staking period's rewards are distributed at any time."""
    return []


def _slash_allowed(state: ChainState, history: History, action: SlashValidator) -> list[str]:
    """§6.10: a registered validator is slashed for a fault other than double signing."""
    return _reasons(*_slash_blocked(state, history, action.validator))


def _commit_allowed(state: ChainState, history: History, action: CommitBlock) -> list[str]:
    """§4.2: a block commits when its signers hold more than the threshold (2/3 at the defaults)
    of the active set's voting power."""
    consensus = state.params.consensus
    limit = consensus.max_validators
    total = total_power(state.staking, max_validators=limit)
    signed = power_of(state.staking, action.signers, max_validators=limit)
    over = total > 0 and signed * consensus.threshold_den > consensus.threshold_num * total
    return _reasons(("the signers hold no more than the threshold of voting power", not over))


def _advance_allowed(state: ChainState, history: History, action: AdvanceTime) -> list[str]:
    """The clock moves forward by any whole number of seconds, never back."""
    return _reasons(("the clock would move back", not _is_amount(action.seconds)))


def _mint_allowed(state: ChainState, history: History, action: MintInflation) -> list[str]:
    """§6.9: the inflation accrued since the last mint is minted at any time on or after it."""
    supply = state.supply
    return _reasons(
        ("the last mint is before genesis", supply.last_mint_time < supply.genesis_time),
        ("the last mint is after now", state.now < supply.last_mint_time),
    )


def _swap_allowed(state: ChainState, history: History, action: SwapReserve) -> list[str]:
    """§6.6, §6.7: the swap reserve's market order sells its STB to Stratoswap whenever the
    pool has both sides and its curve pays at least one ustr for it."""
    reserve = balance(state.ledger, SWAP_RESERVE).ustb
    pool = balance(state.ledger, STRATOSWAP_POOL)
    fee = state.params.market.stratoswap_fee_bps
    return _reasons(
        (
            "the pool lacks a side, so it has no price",
            reserve > 0 and not (pool.ustb and pool.ustr),
        ),
        (
            "the pool's curve pays nothing for the reserve's STB",
            reserve > 0 and curve_payout(pool.ustb, pool.ustr, reserve, fee) == 0,
        ),
    )


def _profile_allowed(state: ChainState, history: History, action: SetAppProfile) -> list[str]:
    """§4.5: an app states whether it is open source and how much STR it stakes."""
    stake = action.staked_ustr
    service = state.market.services.get(action.app)
    locked = service.stake_ustr if service is not None else None
    return _reasons(
        ("the stake is not a whole number of micro-units", not isinstance(stake, int) or stake < 0),
        (
            "hardened: a launched app stakes the STR it locked (§4.3.3)",
            state.profile.app_stake_locked and locked is not None and stake != locked,
        ),
    )


JUDGED: dict[type, Callable[[ChainState, History, Any], list[str]]] = {
    Transfer: _transfer_allowed,
    DepositUsdc: _deposit_allowed,
    RedeemStb: _redemption_allowed,
    Delegate: _delegation_allowed,
    Undelegate: _undelegation_allowed,
    Prepay: _prepayment_allowed,
    WithdrawPrepayment: _withdrawal_allowed,
    CastVote: _vote_allowed,
    OutboundRequest: _outbound_allowed,
    SubmitComplaint: _complaint_allowed,
    ResolveComplaint: _resolution_allowed,
    SubmitProposal: _proposal_allowed,
    Tally: _tally_allowed,
    CreateSubcommittee: _subcommittee_allowed,
    DelegateToSubcommittee: _subcommittee_delegation_allowed,
    UndelegateFromSubcommittee: _subcommittee_undelegation_allowed,
    GrantNetworkSupport: _grant_allowed,
    FundInsurance: _contribution_allowed,
    PayInsurance: _payout_allowed,
    SlashNode: _node_slash_allowed,
    Equivocate: _equivocation_allowed,
    ReportDoubleSign: _late_evidence_allowed,
    ReportDowntime: _downtime_allowed,
    Unjail: _unjail_allowed,
    CompleteUnbonding: _completion_allowed,
    DistributeRewards: _rewards_allowed,
    SlashValidator: _slash_allowed,
    CommitBlock: _commit_allowed,
    AdvanceTime: _advance_allowed,
    MintInflation: _mint_allowed,
    SwapReserve: _swap_allowed,
    AddLiquidity: add_liquidity_allowed,
    RemoveLiquidity: remove_liquidity_allowed,
    Swap: swap_allowed,
    SetAppProfile: _profile_allowed,
    **ROUND_JUDGES,
}
"""Action kind -> the reasons the whitepaper gives to refuse it on a state (none: allowed)."""


def check_allowed_applied(step: ChainStep) -> Observation | None:
    """ACT-ALLOWED, for an applied action of a judged kind: applied, it cannot have been wrongly
    refused (the evidence that the invariant was exercised; whether it should have been
    applied is the action contracts' question)."""
    if step.action is None or type(step.action) not in JUDGED:
        return None
    return check_applied_round(step) or holds("ACT-ALLOWED")


def _unnamed_constitution_refusal(
    before: ChainState, action: SubmitProposal, reasons: list[str], refused: Rejected
) -> str | None:
    """§6.8: a proposal refused only because it leaves the constitution (no other reason of the
    text applies) is refused for a reason that names a key it breaks, as the oracle reads it;
    else what is wrong with the refusal."""
    constitution = submission_problems(before, action.changes)
    if not constitution or len(reasons) != len(constitution):
        return None
    keys = [problem.split(" ", 1)[0] for problem in constitution]
    if any(key in refused.reason for key in keys):
        return None
    return (
        f"the proposal leaves the constitution ({'; '.join(constitution)}), but the refusal by"
        f" {refused.rule} names none of {keys}: {refused.reason}"
    )


def check_refusal(
    before: ChainState, history: History, action: Action, refused: Rejected
) -> tuple[Observation, ...]:
    """ACT-ALLOWED, for a refused action of a judged kind: the whitepaper gives a reason to
    refuse it on the state before (it holds), or it was allowed and the model refused it
    anyway (it breaks, naming the model's reason). A proposal the constitution alone refuses
    must be refused for a reason naming the key it breaks."""
    judge = JUDGED.get(type(action))
    if judge is None:
        return ()
    reasons = judge(before, history, action)
    if reasons:
        if isinstance(action, SubmitProposal) and any("constitution" in r for r in reasons):
            unnamed = _unnamed_constitution_refusal(before, action, reasons, refused)
            if unnamed is not None:
                return (violated("ACT-ALLOWED", unnamed),)
        return (holds("ACT-ALLOWED"),)
    return (
        violated(
            "ACT-ALLOWED",
            f"{type(action).__name__} was allowed by the whitepaper but refused by"
            f" {refused.rule}: {refused.reason}",
        ),
    )


def check_genesis_refused(refused: Rejected) -> Observation:
    """ACT-ALLOWED, for a genesis the model refused: every amount of a drawn genesis is in its
    range (`properties.strategies`), so building it is allowed and a refusal breaks the
    invariant, naming the model's reason."""
    return violated(
        "ACT-ALLOWED",
        f"a genesis with every amount in range was refused by {refused.rule}: {refused.reason}",
    )
