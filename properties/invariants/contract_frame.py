"""What every action contract shares: the frame of a step (the state fields, ledger
balances and counters an action may touch, every other one unchanged), the once-only check and
the verdict of a list of problems. Oracle code: it reads raw state and calls no model rule."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any, TypeGuard, TypeVar

import attrs
from pyrsistent import PMap

from model.chain.state import ChainState
from model.governance import (
    GovernanceState,
)
from model.ledger import (
    BURN_ADDRESS,
    Ledger,
    Token,
)
from model.units import AccountId
from oracle.effects import BalanceKey, get_balance_changes
from oracle.payment import (
    StrPayout,
)
from oracle.persistent import changed_items
from properties.invariants.base import Observation, observe
from properties.invariants.step import ChainStep

STR, STB = Token.STR, Token.STB

_STATE_FIELDS = tuple(field.name for field in attrs.fields(ChainState))
_GOVERNANCE_FIELDS = tuple(field.name for field in attrs.fields(GovernanceState))
_NO_PAYOUT = StrPayout(total=0, node=0, burn=0, network_support=0)

Expected = dict[BalanceKey, int]
"""The change each (account, token) should see; every key left out should not move."""

K = TypeVar("K")


# --- Shared readings of a step -------------------------------------------------------------------


def _move(expected: Expected, account: AccountId, token: Token, amount: int) -> None:
    """Add `amount` (negative: a debit) to what `account` should receive of `token`."""
    if amount:
        key = (account, token)
        expected[key] = expected.get(key, 0) + amount


def _untouched(
    before: object, after: object, names: Iterable[str], allowed: Iterable[str]
) -> list[str]:
    """The fields of `names` outside `allowed` that differ between two records."""
    changed = []
    for name in names:
        old, new = getattr(before, name), getattr(after, name)
        # An untouched part is the very same object: the cheap test first.
        if old is not new and name not in allowed and old != new:
            changed.append(name)
    return changed


def _frame(before: ChainState, after: ChainState, *allowed: str) -> list[str]:
    """What the step changed outside the parts of the chain state its action may touch."""
    changed = _untouched(before, after, _STATE_FIELDS, allowed)
    return (
        [f"the step changed {', '.join(changed)}, which this action never touches"]
        if changed
        else []
    )


def _counters(
    before: Ledger, after: Ledger, *, minted: int = 0, burned: int = 0, usdc: int = 0
) -> list[str]:
    """The issuance counters moved by exactly what the action mints, burns and bridges."""
    counters = (
        ("str_genesis", after.str_genesis - before.str_genesis, 0),
        ("str_minted", after.str_minted - before.str_minted, minted),
        ("str_burned", after.str_burned - before.str_burned, burned),
        ("usdc_locked", after.usdc_locked - before.usdc_locked, usdc),
    )
    return [
        f"counter {name} moved {moved}, expected {want}"
        for name, moved, want in counters
        if moved != want
    ]


def _ledger(
    before: Ledger, after: Ledger, expected: Expected, *, minted: int = 0, usdc: int = 0
) -> list[str]:
    """Every balance moved exactly as `expected`, STR burned only to the burn address (counted
    in `str_burned`), minted STR counted in `str_minted`, bridged USDC in `usdc_locked`."""
    actual = get_balance_changes(before, after)
    wrong = [
        key for key in actual.keys() | expected.keys() if actual.get(key, 0) != expected.get(key, 0)
    ]
    problems = [
        f"{account} {token.value}: moved {actual.get((account, token), 0)}, expected"
        f" {expected.get((account, token), 0)}"
        for account, token in sorted(wrong, key=str)
    ]
    burned = expected.get((BURN_ADDRESS, STR), 0)
    return problems + _counters(before, after, minted=minted, burned=burned, usdc=usdc)


def _map_change(
    before: Mapping[K, int], after: Mapping[K, int], key: K, delta: int, what: str
) -> list[str]:
    """`key` of a map of amounts moved by exactly `delta` (0 reads as absent), no other key."""
    problems = []
    old, new = before.get(key, 0), after.get(key, 0)
    if new != old + delta:
        problems.append(f"{what} {key} went from {old} to {new}, expected {old + delta}")
    others_before = {k: v for k, v in before.items() if k != key and v}
    others_after = {k: v for k, v in after.items() if k != key and v}
    if others_before != others_after:
        problems.append(f"{what} other than {key} changed")
    return problems


def _governance(before: ChainState, after: ChainState, *allowed: str) -> list[str]:
    changed = _untouched(before.governance, after.governance, _GOVERNANCE_FIELDS, allowed)
    return [f"governance {', '.join(changed)} changed"] if changed else []


def _others_unchanged(before: PMap[K, Any], after: PMap[K, Any], key: K, what: str) -> list[str]:
    """No entry of a record map but `key` was added, removed or changed."""
    if before is after:
        return []
    same_size = len(before) - (key in before) == len(after) - (key in after)
    # Only the entries that are not the very same record as before are compared.
    if not same_size or any(k != key and old != v for k, v, old in changed_items(before, after)):
        return [f"{what} other than {key!r} changed"]
    return []


def check_once(step: ChainStep, done_before: bool, done_after: bool, what: str) -> Observation:
    """ACT-ONCE (§6.1, §6.8, §3.3, §6.10): a thing already done is refused or changes nothing;
    one not done yet is recorded as done."""
    assert step.before is not None
    if done_before:
        changed = _frame(step.before, step.after)
        return observe("ACT-ONCE", not changed, f"{what} happened a second time: {changed}")
    return observe("ACT-ONCE", done_after, f"{what} was accepted but is not recorded as done")


def _verdict(problems: list[str]) -> tuple[bool, str]:
    """`observe`'s verdict and detail from the problems a contract found (none: it held)."""
    return not problems, "; ".join(problems)


def _is_positive(price: Fraction | None) -> TypeGuard[Fraction]:
    """A usable STR price: a positive rational (a Fraction keeps its sign in the numerator)."""
    return price is not None and price.numerator > 0


def _amount_problems(**amounts: int) -> list[str]:
    return [f"{name} {value} is negative" for name, value in amounts.items() if value < 0]


# --- §6.1, §6.2: the bridge and transfers --------------------------------------------------------
