"""What a chain action may touch, read from the raw state: whose keys an account has, which
balances a step moved, who may be paid as a validator. The action contracts (ACT-*) compare what
a step did with these readings.

The contracts run after every machine step, so the balance diff compares only the records a step
replaced: a ledger shares every untouched balance record with the ledger it came from
(`oracle.persistent.changed_items`).
"""

from __future__ import annotations

from model.ledger import MODULE_ACCOUNTS, Ledger, Token
from model.params import Params
from model.staking import StakingState
from model.units import AccountId
from oracle.ledger import is_escrow_account
from oracle.persistent import ABSENT, changed_items, removed_keys
from oracle.staking import active_set

BalanceKey = tuple[AccountId, Token]
"""One account's holding of one token."""

_MODULES = frozenset(MODULE_ACCOUNTS)


def is_user_account(account: AccountId) -> bool:
    """§4.3.1, §6.2: an account somebody holds the keys of: no module pool, no app's escrow."""
    return account not in _MODULES and not is_escrow_account(account)


def get_balance_changes(before: Ledger, after: Ledger) -> dict[BalanceKey, int]:
    """Every (account, token) whose balance differs between two ledgers, with the change."""
    if before.balances is after.balances:
        return {}
    changes: dict[BalanceKey, int] = {}
    # An untouched balance is the very same record in both ledgers: only the others are read.
    for account, balance, prior in changed_items(before.balances, after.balances):
        prior_str, prior_stb = (0, 0) if prior is ABSENT else (prior.ustr, prior.ustb)
        if balance.ustr != prior_str:
            changes[(account, Token.STR)] = balance.ustr - prior_str
        if balance.ustb != prior_stb:
            changes[(account, Token.STB)] = balance.ustb - prior_stb
    for account in removed_keys(before.balances, after.balances):
        prior = before.balances[account]
        if prior.ustr:
            changes[(account, Token.STR)] = -prior.ustr
        if prior.ustb:
            changes[(account, Token.STB)] = -prior.ustb
    return changes


def get_active_operators(staking: StakingState, params: Params) -> tuple[AccountId, ...]:
    """§4.2, §4.4, §6.8: the operator accounts of the active validator set, the accounts a
    validation prefund or a complaint's deposit may pay."""
    active = active_set(staking, max_validators=params.consensus.max_validators)
    return tuple(staking.validators[v].operator for v in active if v in staking.validators)
