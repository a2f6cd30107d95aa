"""What every chain handler shares: the step it returns, writing a rule's result back, and the
accounts several rules read (the active validators' operators, each account's bonds)."""

from __future__ import annotations

from model.chain.actions import Effect
from model.chain.state import ChainState, get_validator_operator
from model.committees import get_committee_refusal
from model.ledger import (
    get_balance,
    get_escrow_account,
    get_locked_escrow_account,
    is_user_account,
)
from model.records import evolve
from model.staking import get_active_set
from model.units import AccountId, Outcome, Rejected

Step = tuple[ChainState, tuple[Effect, ...]]
"""The chain after an action, and the effects the action had."""


def done(state: ChainState, *effects: Effect) -> Step:
    """The step that leaves the chain in `state` with `effects`."""
    return state, tuple(effects)


def write_back(state: ChainState, result: object, *fields: str) -> Outcome[Step]:
    """A rule's result written into the chain's `fields`, in order (a tuple result fills them
    one by one; values past the named fields are the rule's receipt); a refusal passes through."""
    if isinstance(result, Rejected):
        return result
    values = result if isinstance(result, tuple) else (result,)
    return done(evolve(state, **dict(zip(fields, values, strict=False))))


def check_signer(rule: str, account: AccountId) -> Rejected | None:
    """§6.2: an action that spends from or speaks for an account needs that account's signature,
    and nobody signs for a module pool or an app's escrow (their balances must match their own
    records): such an account as signer is refused, as a transfer from it is."""
    if not is_user_account(account):
        return Rejected(rule, f"{account} is a module or escrow account and cannot sign")
    return None


def check_committee_vote(
    rule: str, state: ChainState, committees: tuple[str, ...], signers: frozenset[AccountId]
) -> Rejected | None:
    """§6.2, §6.8: a committee's power is used only on its voters' own signatures (nobody signs
    for a module pool or an escrow), while each of `committees` is active and (profile switch
    `committee_votes`) its vote passed (`model.committees`)."""
    for signer in sorted(signers):
        # Verify the voter is a user account.
        if (refused := check_signer(rule, signer)) is not None:
            return refused
    # Verify the committees are active and (hardened) voted.
    refusal = get_committee_refusal(
        state.ledger,
        state.governance,
        committees=committees,
        signers=signers,
        profile=state.profile,
    )
    return None if refusal is None else Rejected(rule, refusal)


def get_validator_accounts(state: ChainState) -> tuple[AccountId, ...]:
    """§4.4, §6.8: the operator accounts of the active validator set, in set order."""
    return tuple(
        get_validator_operator(validator)
        for validator in get_active_set(state.staking, state.params)
    )


def get_held_str_by_account(state: ChainState) -> dict[AccountId, int]:
    """§6.8: "each STR token represents one pro-rata vote": the STR each account holds outside
    its liquid balance, which votes with it: bonded to validators (§4.2), delegated to a
    subcommittee, staked by the account's node (§6.9), and prepaid into its app's escrow, open
    or locked (§4.3.1: the developer's until a round pays it out)."""
    held: dict[AccountId, int] = {}

    def add(account: AccountId, amount: int) -> None:
        held[account] = held.get(account, 0) + amount

    for (delegator, _), amount in state.staking.delegations.items():
        add(delegator, amount)
    for (delegator, _), amount in state.governance.subcommittee_delegations.items():
        add(delegator, amount)
    for stake in state.nodes.values():
        add(stake.account, stake.ustr)
    for app, escrow in state.escrows.escrows.items():
        for account in (get_escrow_account(app), get_locked_escrow_account(app)):
            add(escrow.developer, get_balance(state.ledger, account).ustr)
    return held
