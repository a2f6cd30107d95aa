"""ACT-ALLOWED: what the whitepaper allows is applied, not refused.

The action contracts (`properties.invariants.actions`) judge what an applied action did; a model
that refuses too much passes them all, since a refusal changes nothing. These checks judge each
refusal instead: from the raw state before it (balances, bonds, escrow records, the validator
list) and the checker's own memory of bridge deposits, they decide, by the words of the
section, whether the action was allowed; a refused action that was allowed breaks ACT-ALLOWED.

Only the actions whose preconditions the whitepaper states in full are judged here: transfers
(§6.2), the bridge (§6.1), bonds (§4.2), an app's prepayment (§4.3.1), votes and complaints (§6.8)
and outbound requests (§4.5). A refusal of any other
kind is not judged (it neither holds nor breaks the invariant); an applied action of a judged
kind counts as evidence that the invariant was exercised.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

from model.chain.actions import (
    Action,
    CastVote,
    Delegate,
    DepositUsdc,
    OutboundRequest,
    Prepay,
    RedeemStb,
    SubmitComplaint,
    Transfer,
    Undelegate,
    WithdrawPrepayment,
)
from model.chain.state import ChainState
from model.ledger import Token, get_escrow_account
from model.units import Rejected
from oracle.effects import is_user_account
from oracle.ledger import balance
from oracle.reputation import is_outbound_exempt, requests_in_minute
from properties.invariants.base import Observation, holds, violated
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
    end, exclusive: docs/model.md)."""
    proposal = state.governance.proposals.get(action.proposal_id)
    return _reasons(
        ("the voter is not a user account", not is_user_account(action.voter)),
        ("there is no such proposal", proposal is None),
        (
            "the voting period is over",
            proposal is not None and state.now >= proposal.voting_end,
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
    exempt = valid_price and is_outbound_exempt(record, now=state.now, price=price, params=params)
    made = requests_in_minute(history.outbound.get(action.app, ()), now=state.now)
    return _reasons(
        ("the price is not positive", not valid_price),
        (
            "the app is capped and made the cap's requests in the minute",
            not exempt and made >= params.reputation.outbound_requests_per_minute,
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
}
"""Action kind -> the reasons the whitepaper gives to refuse it on a state (none: allowed)."""


def check_allowed_applied(step: ChainStep) -> Observation | None:
    """ACT-ALLOWED, for an applied action of a judged kind: applied, it cannot have been wrongly
    refused (the evidence that the invariant was exercised; whether it should have been
    applied is the action contracts' question)."""
    if step.action is None or type(step.action) not in JUDGED:
        return None
    return holds("ACT-ALLOWED")


def check_refusal(
    before: ChainState, history: History, action: Action, refused: Rejected
) -> tuple[Observation, ...]:
    """ACT-ALLOWED, for a refused action of a judged kind: the whitepaper gives a reason to
    refuse it on the state before (it holds), or it was allowed and the model refused it
    anyway (it breaks, naming the model's reason)."""
    judge = JUDGED.get(type(action))
    if judge is None:
        return ()
    if judge(before, history, action):
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
