"""Conservation and escrow invariants of the whole chain: what every state must hold, whatever
step led to it.

CONS-STR and ESCROW-SOLVENT sum the whole ledger and every pool's records after every step. Each
reading is a function of the very state parts it reads (`oracle.persistent.remember_last`): most
steps move no token and touch no record, and a part that is the very object it was one step
earlier gives the reading it gave then.
"""

from __future__ import annotations

from pyrsistent import PMap

from model.chain.actions import DepositUsdc, RedeemStb
from model.escrow import EscrowBook
from model.ledger import (
    BONDED_POOL,
    BURN_ADDRESS,
    NODE_STAKE_POOL,
    SUBCOMMITTEE_POOL,
    UNBONDING_POOL,
    Balance,
    Ledger,
    get_locked_escrow_account,
)
from model.staking import StakingState, UnbondingEntry
from model.trusted.settlement import NodeStake
from model.units import AccountId, AppId, NodeId
from oracle.ledger import (
    balance,
    is_escrow_account,
    negative_accounts,
    str_issued,
    total_stb_held,
    total_str_held,
    ustr_of,
)
from oracle.payment import read_locked
from oracle.persistent import remember_last
from oracle.staking import bonded_total
from properties.invariants.base import Observation, observe
from properties.invariants.step import ChainStep

# --- Conservation --------------------------------------------------------------------------------


def check_cons_str(step: ChainStep) -> Observation | None:
    """CONS-STR: all STR holdings + burned = genesis + minted, the burned STR sits at the burn
    address (§6.4), and each pool holds exactly the records it stands for: the bonded pool the
    bonds, the unbonding pool the unbonding entries, the node-stake pool the node stakes, the
    subcommittee pool its delegations."""
    state = step.after
    subcommittee_delegations = state.governance.subcommittee_delegations
    problems = _cons_str_problems(
        state.ledger, state.staking, state.nodes, subcommittee_delegations
    )
    return observe("CONS-STR", not problems, "; ".join(problems))


# A function of the very parts it reads: a step that touched none of them (most steps move no
# token) gets the problems the state before it had.
@remember_last(2)
def _cons_str_problems(
    ledger: Ledger,
    staking: StakingState,
    nodes: PMap[NodeId, NodeStake],
    subcommittee_delegations: PMap[tuple[AccountId, str], int],
) -> tuple[str, ...]:
    held, issued = total_str_held(ledger) + ledger.str_burned, str_issued(ledger)
    problems = []
    if held != issued:
        problems.append(f"holdings + burned = {held} but genesis + minted = {issued}")
    at_burn_address = ustr_of(ledger, BURN_ADDRESS)
    if at_burn_address != ledger.str_burned:
        problems.append(f"the burn address holds {at_burn_address}, {ledger.str_burned} burned")
    negative_bond, bonded = _bonds(staking)
    if negative_bond or ustr_of(ledger, BONDED_POOL) != bonded:
        problems.append("the bonded pool does not hold exactly the delegations")
    negative_stake, staked = _node_stakes(nodes)
    if negative_stake or ustr_of(ledger, NODE_STAKE_POOL) != staked:
        problems.append("the node stake pool does not hold exactly the node stakes")
    empty_entry, unbonding = _unbonding(staking.unbonding)
    if empty_entry or ustr_of(ledger, UNBONDING_POOL) != unbonding:
        problems.append("the unbonding pool does not hold exactly the unbonding entries")
    delegated = _delegated(subcommittee_delegations)
    if ustr_of(ledger, SUBCOMMITTEE_POOL) != delegated:
        problems.append("the subcommittee pool does not hold exactly the delegations")
    negative = negative_accounts(ledger)
    if negative:
        problems.append(f"negative balances: {negative}")
    return tuple(problems)


# The records' side of each pool, read once per record map: a step that moves tokens mostly
# leaves the bonds, stakes and delegations as they were.
@remember_last(2)
def _bonds(staking: StakingState) -> tuple[bool, int]:
    """Whether a bond is below nothing, and all STR bonded."""
    return any(amount < 0 for amount in staking.delegations.values()), bonded_total(staking)


@remember_last(2)
def _node_stakes(nodes: PMap[NodeId, NodeStake]) -> tuple[bool, int]:
    """Whether a node's stake is below nothing, and all STR the nodes stake."""
    stakes = [stake.ustr for stake in nodes.values()]
    return any(amount < 0 for amount in stakes), sum(stakes)


@remember_last(2)
def _unbonding(entries: PMap[int, UnbondingEntry]) -> tuple[bool, int]:
    """Whether an unbonding entry holds nothing or less, and all STR unbonding."""
    amounts = [entry.amount for entry in entries.values()]
    return any(amount <= 0 for amount in amounts), sum(amounts)


@remember_last(2)
def _delegated(subcommittee_delegations: PMap[tuple[AccountId, str], int]) -> int:
    """All STR delegated to subcommittees."""
    return sum(subcommittee_delegations.values())


def check_cons_stb(step: ChainStep) -> Observation | None:
    """CONS-STB: all STB holdings = USDC locked in the bridge, and both move only by the
    bridge: by a deposit the checker has not seen before (its own record, not the model's) and
    by a redemption."""
    ledger = step.after.ledger
    held = total_stb_held(ledger)
    problems = []
    if held != ledger.usdc_locked:
        problems.append(f"STB held {held} but USDC locked {ledger.usdc_locked}")
    if step.before is not None:
        expected = 0
        action = step.action
        if isinstance(action, DepositUsdc):
            if action.deposit_id in step.history.deposits:
                problems.append(f"bridge deposit {action.deposit_id!r} was accepted twice")
            expected = action.amount
        elif isinstance(action, RedeemStb):
            expected = -action.amount
        moved = held - total_stb_held(step.before.ledger)
        if moved != expected:
            problems.append(f"STB supply moved by {moved}, the bridge by {expected}")
    return observe("CONS-STB", not problems, "; ".join(problems))


# --- Escrows -----------------------------------------------------------------------------------


# A function of the very parts it reads, as `_cons_str_problems`.
@remember_last(2)
def _escrow_problems(ledger: Ledger, escrows: EscrowBook) -> tuple[str, ...]:
    """§4.3.1, §3.3 Step 12: no escrow holds less than nothing, and each locked escrow account
    holds exactly what its app's locked records owe."""
    problems = list(_negative_escrows(ledger.balances))
    for app, owed_stb, owed_str in _locked_owed(escrows):
        held = balance(ledger, get_locked_escrow_account(app))
        if (held.ustb, held.ustr) != (owed_stb, owed_str):
            problems.append(
                f"{get_locked_escrow_account(app)} holds {held.ustb} ustb and {held.ustr} ustr,"
                f" its locked payments owe {owed_stb} ustb and {owed_str} ustr"
            )
    return tuple(problems)


@remember_last(2)
def _negative_escrows(balances: PMap[AccountId, Balance]) -> tuple[str, ...]:
    """Every escrow account holding less than nothing, as the problem it is, sorted."""
    return tuple(
        sorted(
            f"{account} holds {held.ustb} ustb and {held.ustr} ustr"
            for account, held in balances.items()
            if (held.ustb < 0 or held.ustr < 0) and is_escrow_account(account)
        )
    )


@remember_last(2)
def _locked_owed(escrows: EscrowBook) -> tuple[tuple[AppId, int, int], ...]:
    """Each app with what its locked records owe (ustb, ustr), by app."""
    owed = []
    for app, book in sorted(escrows.escrows.items()):
        owed_stb = owed_str = 0
        for record in book.locked.values():
            for split, payout in read_locked(record):
                owed_stb += split.stb_total
                owed_str += payout.total
        owed.append((app, owed_stb, owed_str))
    return tuple(owed)


def check_escrow_solvent(step: ChainStep) -> Observation | None:
    """ESCROW-SOLVENT: no escrow negative; locked escrow accounts match their records."""
    problems = _escrow_problems(step.after.ledger, step.after.escrows)
    return observe("ESCROW-SOLVENT", not problems, "; ".join(problems))
