"""VAL-PAY and PAY-EXTERNAL: what a round's validation prefund pays and whom, and the base
payout of an external request (§4.4).

§4.4: "Validators offer to perform for each round with the validator reward equating to the
total pre-fund divided by the number of validators. A validation payment floor amount can be
established [...] If a greater number of validators subscribe to an operation than the total
payment available, a randomized selection will designate the validators for this specific
round." The subscribers are the round's committee as its record names it (§3.3); the draw is the
round's beacon: subscribers ranked by sha256(beacon seed || account), ties by the account. The
check recomputes all of it from the record, the bonds (operator accounts) and the balances.
"""

from __future__ import annotations

import hashlib

from model.chain.actions import OutboundRequest, RoundEffect, RunRound
from model.chain.state import ChainState
from model.ledger import Token, get_escrow_account
from model.units import AccountId, AppId, ValidatorId
from oracle.effects import get_balance_changes
from properties.invariants.base import Observation, observe
from properties.invariants.step import ChainStep

STR, STB = Token.STR, Token.STB


def subscribers_of(before: ChainState, validators: tuple[str, ...]) -> tuple[AccountId, ...]:
    """§4.4: the operator accounts of the validators that offered for the round (its committee)."""
    known = before.staking.validators
    members = [ValidatorId(v) for v in validators]
    return tuple(known[v].operator for v in members if v in known)


def paid_count(prefund: int, subscribers: int, floor: int) -> int:
    """§4.4: every subscriber while prefund // subscribers reaches the floor; otherwise as many
    as the prefund pays at the floor."""
    if subscribers == 0:
        return 0
    if floor > 0 and prefund // subscribers < floor:
        return prefund // floor
    return subscribers


def beacon_order(subscribers: tuple[AccountId, ...], seed: bytes) -> list[AccountId]:
    """§4.4 "randomized selection" by the round's beacon: sha256(seed || account), then account."""
    return sorted(subscribers, key=lambda a: (hashlib.sha256(seed + a.encode("utf-8")).digest(), a))


def check_val_pay(step: ChainStep) -> Observation | None:
    """VAL-PAY (§4.4): a round's validation prefund pays each selected validator prefund //
    count, count = all subscribers unless the floor cannot be met, then prefund // floor of
    them, the first in the beacon's draw; the remainder stays in the app's escrow; nobody is paid
    below the floor."""
    before, action = step.before, step.action
    if before is None or not isinstance(action, RunRound) or action.validation_prefund_ustr <= 0:
        return None
    effects = [e for e in step.effects if isinstance(e, RoundEffect) and e.outcome is not None]
    if not effects:
        return None
    outcome = effects[0].outcome
    assert outcome is not None
    prefund = action.validation_prefund_ustr
    floor = before.params.payment.validation_floor_ustr
    subscribers = subscribers_of(before, outcome.validators)
    count = paid_count(prefund, len(subscribers), floor)
    problems: list[str] = []
    if count == 0:
        problems.append(f"a prefund of {prefund} ustr was settled with nobody to pay at the floor")
    if outcome.beacon_seed is None:
        problems.append("the round records no beacon to draw its validators with")
    if problems:
        return observe("VAL-PAY", False, "; ".join(problems))
    assert outcome.beacon_seed is not None
    selected = set(beacon_order(subscribers, bytes.fromhex(outcome.beacon_seed))[:count])
    each = prefund // count
    changes = get_balance_changes(before.ledger, step.after.ledger)
    for account in sorted(set(subscribers)):
        got = changes.get((account, STR), 0)
        want = each if account in selected else 0
        if got != want:
            problems.append(f"{account} was paid {got} ustr, §4.4 pays it {want}")
    below = sorted(a for a in set(subscribers) if 0 < changes.get((a, STR), 0) < floor)
    if below:
        problems.append(f"{below} were paid below the floor of {floor} ustr")
    # With no node owed anything, the escrow gives exactly the validators' shares.
    if outcome.cost == 0 or not (outcome.paid or outcome.escrow_locked):
        escrow = get_escrow_account(AppId(outcome.app))
        drawn = -changes.get((escrow, STR), 0)
        if drawn != each * count:
            problems.append(
                f"the escrow gave {drawn} ustr, {count} x {each}; the remainder"
                f" {prefund - each * count} stays in it"
            )
    return observe("VAL-PAY", not problems, "; ".join(problems))


def check_pay_external(step: ChainStep) -> Observation | None:
    """PAY-EXTERNAL (§4.4 External Request Payouts): an outbound request made by a node that the
    chain let through moved exactly the base payout per external request in STB from the app's
    own escrow to the node's account, and no other STB; an unpaid one moved none."""
    before, action = step.before, step.action
    if before is None or not isinstance(action, OutboundRequest):
        return None
    payout = before.params.market.external_request_payout_ustb
    stake = before.nodes.get(action.node) if action.node is not None else None
    problems: list[str] = []
    expected: dict[tuple[AccountId, Token], int] = {}
    if action.node is not None:
        if stake is None:
            problems.append(f"a call made by {action.node}, not a registered node, went through")
        elif payout:
            expected = {
                (get_escrow_account(action.app), STB): -payout,
                (stake.account, STB): payout,
            }
    changes = {
        key: delta
        for key, delta in get_balance_changes(before.ledger, step.after.ledger).items()
        if key[1] is STB
    }
    for account, token in sorted(changes.keys() | expected.keys(), key=str):
        got, want = changes.get((account, token), 0), expected.get((account, token), 0)
        if got != want:
            problems.append(f"{account} moved {got} ustb, §4.4's base payout moves {want}")
    return observe("PAY-EXTERNAL", not problems, "; ".join(problems))
