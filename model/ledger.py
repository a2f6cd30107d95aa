"""The token ledger: STR and STB balances of accounts and module pools, and supply counters.

Every token movement of the model goes through the four primitives here (transfer, mint, burn,
and the bridge's STB mint/redeem in `model.supply`), which keep issuance counters apart from
the balances. CONS-STR and CONS-STB are then checkable at any state by comparing the two.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import Enum

import attrs
from attrs import field, frozen
from pyrsistent import PMap

from model.maps import dmap, set_each
from model.records import evolve
from model.units import AccountId, AppId, Outcome, Rejected

# Module accounts (§4.3.1, §6.4, §6.5, §6.7, §6.8, §6.9). User accounts are any other id.
BURN_ADDRESS = AccountId("0x0")
"""§6.4: STR sent here is burned; it can never leave."""
BONDED_POOL = AccountId("module:bonded")
"""STR bonded to validators, self-bond and delegations (§4.2)."""
NETWORK_SUPPORT = AccountId("module:network_support")
"""§6.5: STR for core development, app mining and bug bounties."""
SWAP_RESERVE = AccountId("module:swap_reserve")
"""§6.7: STB waiting to be swapped for STR and burned."""
STRATOSWAP_POOL = AccountId("module:stratoswap")
"""§6.6: the STR/STB liquidity pool the swap reserve trades against."""
INSURANCE_POOL = AccountId("module:insurance")
"""§4.5: reimbursement of nodes and bounties for proving cybercrime."""
RESERVE_POOL = AccountId("module:reserve_pool")
"""§6.8: receives the refund share of rejected complaints' MinDeposit."""
REWARDS_POOL = AccountId("module:rewards")
"""§6.9: newly minted STR awaiting distribution to stakers."""
SUBCOMMITTEE_POOL = AccountId("module:subcommittees")
"""§6.8: STR delegated to subcommittees, held so each unit backs at most one."""
COMPLAINT_DEPOSITS = AccountId("module:complaints")
"""§6.8: MinDeposits of complaints under review."""
VALIDATION_POOL = AccountId("module:validation")
"""§4.4: validation payments owed to validators of Trusted Function rounds."""
GOVERNANCE_DEPOSITS = AccountId("module:gov_deposits")
"""§6.8: deposits of parameter-change proposals while they are voted on."""
NODE_STAKE_POOL = AccountId("module:node_stakes")
"""§6.9: STR that nodes stake to serve apps; slashed under §3.3 F11."""
UNBONDING_POOL = AccountId("module:unbonding")
"""§4.2 (Cosmos x/staking): undelegated STR waiting out the unbonding period, still slashable."""
APP_STAKE_POOL = AccountId("module:app_stake")
"""§4.3.3: STR that developers stake to launch their apps' services."""

MODULE_ACCOUNTS: tuple[AccountId, ...] = (
    BURN_ADDRESS,
    BONDED_POOL,
    NETWORK_SUPPORT,
    SWAP_RESERVE,
    STRATOSWAP_POOL,
    INSURANCE_POOL,
    RESERVE_POOL,
    REWARDS_POOL,
    SUBCOMMITTEE_POOL,
    COMPLAINT_DEPOSITS,
    VALIDATION_POOL,
    GOVERNANCE_DEPOSITS,
    NODE_STAKE_POOL,
    UNBONDING_POOL,
    APP_STAKE_POOL,
)


def get_escrow_account(app: AppId) -> AccountId:
    """§4.3.1: the application-specific escrow holding the developer's prepayment."""
    return AccountId(f"escrow:{app}")


def get_locked_escrow_account(app: AppId) -> AccountId:
    """§3.3 Step 12: round payments locked after consensus FALSE, until resolved."""
    return AccountId(f"escrow-locked:{app}")


# The escrow account ids of every app share these prefixes (an app id is never empty).
_ESCROW_PREFIXES = (get_escrow_account(AppId("")), get_locked_escrow_account(AppId("")))


# MODULE_ACCOUNTS as a set, for the membership test every payment and signature makes.
_MODULE_ACCOUNT_SET = frozenset(MODULE_ACCOUNTS)


def is_user_account(account: AccountId) -> bool:
    """An account a payment may go to: neither a module pool nor any app's escrow."""
    return account not in _MODULE_ACCOUNT_SET and not account.startswith(_ESCROW_PREFIXES)


class Token(Enum):
    """The two native tokens (§6.1, §6.2)."""

    STR = "str"
    STB = "stb"


# The member itself, read as a global: under Python 3.11 every `Token.STR` goes through the enum
# metaclass's `__getattr__` hook (about 50 ns), and each token movement reads it several times.
_STR = Token.STR


@frozen
class Balance:
    """What one account holds, in micro-units of each token."""

    ustr: int = 0
    ustb: int = 0

    def of(self, token: Token) -> int:
        return self.ustr if token is _STR else self.ustb

    def plus(self, token: Token, amount: int) -> Balance:
        # Built directly, not with attrs.evolve: every token movement passes here (3x faster).
        if token is _STR:
            return Balance(self.ustr + amount, self.ustb)
        return Balance(self.ustr, self.ustb + amount)


EMPTY = Balance()


def _empty_balances() -> PMap[AccountId, Balance]:
    return dmap()


@frozen
class Ledger:
    """All balances, and the issuance counters that balances must agree with."""

    balances: PMap[AccountId, Balance] = field(factory=_empty_balances)
    str_genesis: int = 0
    """STR allocated at genesis."""
    str_minted: int = 0
    """STR minted since genesis (inflation, §6.9)."""
    str_burned: int = 0
    """STR sent to the burn address (§6.4); equals the burn address's balance."""
    usdc_locked: int = 0
    """USDC (micro-dollars) locked in the STB Minter on Ethereum, as the bridge reports (§6.1)."""


def get_balance(ledger: Ledger, account: AccountId) -> Balance:
    """The balance of `account`; an account never seen holds nothing."""
    return ledger.balances.get(account, EMPTY)


def _credit(ledger: Ledger, account: AccountId, token: Token, amount: int) -> Ledger:
    balance = get_balance(ledger, account).plus(token, amount)
    return _with_balances(ledger, ledger.balances.set(account, balance))


def _with_balances(ledger: Ledger, balances: PMap[AccountId, Balance]) -> Ledger:
    """`ledger` with `balances`, its counters kept: `attrs.evolve(ledger, balances=balances)`.

    Built directly, as `Balance.plus` is: every token movement passes here (2x faster)."""
    return Ledger(
        balances, ledger.str_genesis, ledger.str_minted, ledger.str_burned, ledger.usdc_locked
    )


def _move(
    ledger: Ledger, sender: AccountId, recipient: AccountId, token: Token, amount: int
) -> Ledger:
    """`_credit` of `-amount` to `sender`, then of `amount` to `recipient`, as one new ledger."""
    # Every transfer and burn moves tokens between two accounts: one copy of the balances and
    # one new ledger instead of two of each, on the model's hottest path.
    return _with_balances(ledger, _moved(ledger.balances, sender, recipient, token, amount))


def _moved(
    balances: PMap[AccountId, Balance],
    sender: AccountId,
    recipient: AccountId,
    token: Token,
    amount: int,
) -> PMap[AccountId, Balance]:
    sent = balances.get(sender, EMPTY).plus(token, -amount)
    held = sent if recipient == sender else balances.get(recipient, EMPTY)
    received = held.plus(token, amount)
    return set_each(balances, ((sender, sent), (recipient, received)))


def _check_amount(rule: str, amount: int) -> Rejected | None:
    # An exact int (nearly every amount) needs neither isinstance.
    if type(amount) is not int and (isinstance(amount, bool) or not isinstance(amount, int)):
        return Rejected(rule, f"amount must be an integer of micro-units, got {amount!r}")
    if amount < 0:
        return Rejected(rule, f"amount must not be negative, got {amount}")
    return None


def create_genesis(
    str_allocations: Mapping[AccountId, int],
    *,
    stb_deposits: Mapping[AccountId, int] | None = None,
) -> Outcome[Ledger]:
    """§6.2, §6.1: the ledger at genesis: STR allocations, and STB backed by USDC already bridged."""
    # Every credit lands in one dict of balances, made a ledger once at the end.
    balances: dict[AccountId, Balance] = {}
    str_genesis = 0
    for account in sorted(str_allocations):
        amount = str_allocations[account]
        # Verify each allocation is a non-negative amount to a holder that can spend it.
        refused = _check_amount("create_genesis", amount)
        if refused is not None:
            return refused
        if account == BURN_ADDRESS:
            return Rejected("create_genesis", "cannot allocate genesis STR to the burn address")
        balances[account] = balances.get(account, EMPTY).plus(Token.STR, amount)
        str_genesis += amount
    deposits = stb_deposits or {}
    usdc_locked = 0
    for account in sorted(deposits):
        amount = deposits[account]
        refused = _check_amount("create_genesis", amount)
        if refused is not None:
            return refused
        if account == BURN_ADDRESS:
            return Rejected("create_genesis", "cannot allocate genesis STB to the burn address")
        balances[account] = balances.get(account, EMPTY).plus(Token.STB, amount)
        usdc_locked += amount
    return Ledger(dmap(balances), str_genesis=str_genesis, usdc_locked=usdc_locked)


def process_transfer(
    ledger: Ledger, *, sender: AccountId, recipient: AccountId, token: Token, amount: int
) -> Outcome[Ledger]:
    """§6.1, §6.2: move `amount` of `token` between accounts; burning goes through `process_burn`."""
    refused = _check_amount("process_transfer", amount)
    if refused is not None:
        return refused
    # Verify burned tokens stay burned and burning is counted.
    if sender == BURN_ADDRESS:
        return Rejected("process_transfer", "tokens at the burn address can never move")
    if recipient == BURN_ADDRESS:
        return Rejected("process_transfer", "send to the burn address with process_burn")
    # Verify the sender holds the amount.
    held = get_balance(ledger, sender).of(token)
    if held < amount:
        return Rejected(
            "process_transfer", f"{sender} holds {held} u{token.value}, cannot send {amount}"
        )
    if amount == 0 or sender == recipient:
        return ledger
    return _move(ledger, sender, recipient, token, amount)


@frozen
class Move:
    """One `process_transfer`, or one `process_burn` when `burn` (to BURN_ADDRESS), waiting for
    the ledger: a step of `model.payment.apply_steps`, which applies a run of them at once."""

    sender: AccountId
    recipient: AccountId
    token: Token
    amount: int
    burn: bool = False

    def __call__(self, ledger: Ledger) -> Outcome[Ledger]:
        if self.burn:
            return process_burn(ledger, holder=self.sender, amount=self.amount)
        return process_transfer(
            ledger,
            sender=self.sender,
            recipient=self.recipient,
            token=self.token,
            amount=self.amount,
        )


def process_moves(ledger: Ledger, moves: Iterable[Move]) -> Outcome[Ledger]:
    """§6.1, §6.2, §6.4: each move in turn, as `move(ledger)` after `move(ledger)` gives, built
    as one new ledger.

    A transfer that plainly succeeds (a positive amount the sender holds, between two different
    accounts, neither of them the burn address) is applied to a dict of the changed balances;
    any other move, and every burn, is handed to its own primitive on the ledger so far, so a
    refusal, a zero amount or a malformed one is decided, and worded, exactly as that primitive
    does, and `process_burn` alone counts what is burned."""
    balances = ledger.balances
    changed: dict[AccountId, Balance] = {}
    for move in moves:
        sender, recipient, token, amount = move.sender, move.recipient, move.token, move.amount
        held = changed.get(sender) or balances.get(sender, EMPTY)
        if (
            not move.burn
            and type(amount) is int
            and amount > 0
            and sender not in (recipient, BURN_ADDRESS)
            and recipient != BURN_ADDRESS
            and held.of(token) >= amount
        ):
            changed[sender] = held.plus(token, -amount)
            received = changed.get(recipient) or balances.get(recipient, EMPTY)
            changed[recipient] = received.plus(token, amount)
            continue
        # Anything else: the primitive itself, on the ledger the moves so far give.
        result = move(_with_changed(ledger, changed))
        if isinstance(result, Rejected):
            return result
        ledger, balances, changed = result, result.balances, {}
    return _with_changed(ledger, changed)


def _with_changed(ledger: Ledger, changed: dict[AccountId, Balance]) -> Ledger:
    return _with_balances(ledger, set_each(ledger.balances, changed.items())) if changed else ledger


def process_transfer_str(
    ledger: Ledger, *, sender: AccountId, recipient: AccountId, amount: int
) -> Outcome[Ledger]:
    """§6.2: `process_transfer` of STR, the shorthand governance and complaints use."""
    return process_transfer(
        ledger, sender=sender, recipient=recipient, token=Token.STR, amount=amount
    )


def process_mint_str(ledger: Ledger, *, recipient: AccountId, amount: int) -> Outcome[Ledger]:
    """§6.9: create `amount` new STR for `recipient` (inflation); counted in `str_minted`."""
    refused = _check_amount("process_mint_str", amount)
    if refused is not None:
        return refused
    if recipient == BURN_ADDRESS:
        return Rejected("process_mint_str", "cannot mint to the burn address")
    ledger = _credit(ledger, recipient, Token.STR, amount)
    return evolve(ledger, str_minted=ledger.str_minted + amount)


def process_burn(ledger: Ledger, *, holder: AccountId, amount: int) -> Outcome[Ledger]:
    """§6.4: send `amount` STR from `holder` to the burn address 0x0, counted in `str_burned`."""
    refused = _check_amount("process_burn", amount)
    if refused is not None:
        return refused
    if holder == BURN_ADDRESS:
        return Rejected("process_burn", "tokens at the burn address are burned already")
    if amount == 0:
        return ledger
    held = ledger.balances.get(holder, EMPTY).ustr
    if held < amount:
        return Rejected("process_burn", f"{holder} holds {held} ustr, cannot burn {amount}")
    # One new ledger: the holder's STR moved to the burn address, and counted as burned.
    balances = _moved(ledger.balances, holder, BURN_ADDRESS, _STR, amount)
    return Ledger(
        balances,
        ledger.str_genesis,
        ledger.str_minted,
        ledger.str_burned + amount,
        ledger.usdc_locked,
    )


def process_bridge_mint_stb(
    ledger: Ledger, *, recipient: AccountId, amount: int
) -> Outcome[Ledger]:
    """§6.1: USDC locked on Ethereum mints the same amount of STB to `recipient`."""
    refused = _check_amount("process_bridge_mint_stb", amount)
    if refused is not None:
        return refused
    if recipient == BURN_ADDRESS:
        return Rejected("process_bridge_mint_stb", "cannot mint STB to the burn address")
    ledger = _credit(ledger, recipient, Token.STB, amount)
    return attrs.evolve(ledger, usdc_locked=ledger.usdc_locked + amount)


def process_bridge_burn_stb(ledger: Ledger, *, holder: AccountId, amount: int) -> Outcome[Ledger]:
    """§6.1: `holder` redeems `amount` STB, destroyed here and released as USDC on Ethereum."""
    refused = _check_amount("process_bridge_burn_stb", amount)
    if refused is not None:
        return refused
    held = get_balance(ledger, holder).ustb
    if held < amount:
        return Rejected(
            "process_bridge_burn_stb", f"{holder} holds {held} ustb, cannot redeem {amount}"
        )
    if ledger.usdc_locked < amount:
        return Rejected("process_bridge_burn_stb", "the bridge holds less USDC than requested")
    ledger = _credit(ledger, holder, Token.STB, -amount)
    return evolve(ledger, usdc_locked=ledger.usdc_locked - amount)


# --- Supply: the circulating STR that inflation and governance measure against ---------------


def get_str_circulating_supply(ledger: Ledger) -> int:
    """STR in existence and not burned: genesis + minted - burned (§6.9's inflation base)."""
    return ledger.str_genesis + ledger.str_minted - ledger.str_burned
