"""Raw reads of the ledger: balances, what is held in all, the issuance counters, net movements.

Conservation (§6.1, §6.2, §6.4, §6.9) is judged by summing the balances the ledger holds and
comparing them with its counters, never through the model's own totals, so a model that loses or
mints a unit in its bookkeeping cannot also hide it from the check.
"""

from __future__ import annotations

from collections.abc import Mapping

from pyrsistent import PMap

from model.ledger import (
    BURN_ADDRESS,
    Balance,
    Ledger,
    get_escrow_account,
    get_locked_escrow_account,
)
from model.units import AccountId, AppId
from oracle.persistent import changed_items, remember_last, removed_keys

STR = "str"
"""The STR token's name in movements (§6.2)."""

STB = "stb"
"""The STB token's name in movements (§6.1)."""

ESCROW_PREFIXES: tuple[str, str] = (
    str(get_escrow_account(AppId(""))),
    str(get_locked_escrow_account(AppId(""))),
)
"""Every app's escrow and locked escrow account start with one of these (§4.3.1, §3.3 Step 12)."""

NOTHING = Balance()
"""The balance of an account the ledger has never seen."""

Movements = dict[tuple[str, str], int]
"""(account, token) -> net change, zero changes left out."""


def balance(ledger: Ledger, account: AccountId) -> Balance:
    """What `account` holds; an account the ledger never saw holds nothing."""
    found = ledger.balances.get(account)
    return NOTHING if found is None else found


def ustr_of(ledger: Ledger, account: AccountId) -> int:
    """The ustr `account` holds."""
    return balance(ledger, account).ustr


def ustb_of(ledger: Ledger, account: AccountId) -> int:
    """The ustb `account` holds."""
    return balance(ledger, account).ustb


def total_str_held(ledger: Ledger) -> int:
    """§6.2, §6.4: the STR every account holds, the burn address left out (its STR is burned)."""
    return _str_held(ledger.balances)


# Read once per balances map: a step that moves no token keeps the very same map, and the state
# before a step is the state after the one before it.
@remember_last(2)
def _str_held(balances: PMap[AccountId, Balance]) -> int:
    return sum(b.ustr for account, b in balances.items() if account != BURN_ADDRESS)


def total_stb_held(ledger: Ledger) -> int:
    """§6.1: the STB every account holds (redeemed STB is destroyed, so nothing is left out)."""
    return _stb_held(ledger.balances)


@remember_last(2)
def _stb_held(balances: PMap[AccountId, Balance]) -> int:
    return sum(b.ustb for b in balances.values())


def str_issued(ledger: Ledger) -> int:
    """§6.2, §6.9: STR ever issued, from the counters: genesis allocation plus minted."""
    return ledger.str_genesis + ledger.str_minted


def str_circulating(ledger: Ledger) -> int:
    """§6.4, §6.9: STR in existence from the counters: genesis + minted - burned."""
    return ledger.str_genesis + ledger.str_minted - ledger.str_burned


def is_escrow_account(account: AccountId | str) -> bool:
    """An app's escrow or locked escrow account (§4.3.1)."""
    return str(account).startswith(ESCROW_PREFIXES)


def negative_accounts(ledger: Ledger) -> list[str]:
    """Every account holding less than nothing of a token, sorted."""
    return list(_negative_accounts(ledger.balances))


@remember_last(2)
def _negative_accounts(balances: PMap[AccountId, Balance]) -> tuple[str, ...]:
    return tuple(sorted(str(a) for a, b in balances.items() if b.ustr < 0 or b.ustb < 0))


def movements(before: Ledger, after: Ledger) -> Movements:
    """The net change of every account in each token from `before` to `after`."""
    moved: Movements = {}
    # An account whose balance is the very same record in both ledgers did not move.
    changed = [account for account, _, _ in changed_items(before.balances, after.balances)]
    for account in sorted({*changed, *removed_keys(before.balances, after.balances)}):
        old, new = balance(before, account), balance(after, account)
        for token, delta in ((STR, new.ustr - old.ustr), (STB, new.ustb - old.ustb)):
            if delta:
                moved[(str(account), token)] = delta
    return moved


def add_movement(moved: Movements, account: AccountId | str, token: str, delta: int) -> None:
    """Add `delta` of `token` to `account` in `moved`, dropping entries that net to zero."""
    key = (str(account), token)
    total = moved.get(key, 0) + delta
    if total:
        moved[key] = total
    else:
        moved.pop(key, None)


def movement_differences(expected: Mapping[tuple[str, str], int], got: Movements) -> list[str]:
    """Each (account, token) whose net change is not the expected one, as readable text."""
    keys = sorted(set(expected) | set(got))
    return [
        f"{account} {token} {got.get((account, token), 0):+d} (expected"
        f" {expected.get((account, token), 0):+d})"
        for account, token in keys
        if expected.get((account, token), 0) != got.get((account, token), 0)
    ]
