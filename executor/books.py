"""The executor's own books for one Trusted Function call: escrow, node stakes, track records.

The validators settle each round on these books, so every amount the executor reports is its
own: the §6.3 split and its STR side at the escrow's price (`oracle.payment`), the §4.4
validation fee, the §6.10 slash rate and loss (`oracle.slashing`), and the §3.4 track records.
Nothing here calls the model; GROUNDED compares what these books moved with what the model
moved, so a wrong amount on either side is a disagreement with the call as its counterexample.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from fractions import Fraction

from attrs import frozen

from executor.records import Deposit, Funding, NodeTrack, Reputation, get_node_account
from model.ledger import (
    BURN_ADDRESS,
    NETWORK_SUPPORT,
    NODE_STAKE_POOL,
    SWAP_RESERVE,
    Token,
    get_escrow_account,
    get_locked_escrow_account,
)
from model.params import Params
from model.profile import Profile
from model.trusted.settlement import NodeSlash, TokenMovement
from model.units import AccountId, AppId, NodeId
from oracle.payment import PaymentSplit, StrPayout, split_payment, str_payout
from oracle.payment import validation_payment_each as validation_share
from oracle.slashing import decayed_level, expired_windows, slash_rate_bps, slashed_amount

STB, STR = Token.STB.value, Token.STR.value


class SettlementRefusedError(Exception):
    """Raised when a round cannot be settled: a negative part of the split, an escrow that
    cannot cover a payment, no price for an STR part, or a validation prefund nobody can take."""


@frozen
class ValidationShare:
    """§4.4: the validators paid for one round, what each got, and what stayed in escrow."""

    selected: tuple[AccountId, ...]
    each_ustr: int
    remainder_ustr: int


def get_deposit_weighted_price(
    held_ustr: int, held_price: Fraction | None, deposit: Deposit
) -> Fraction | None:
    """§6.3.3: STR is valued "at the time of prepayment deposit"; with several deposits in one
    escrow, each STR held keeps its deposit's price, so the escrow's price is the average of
    the prices weighted by the STR each brought (docs/model.md)."""
    if deposit.ustr == 0:
        return held_price
    if held_ustr == 0 or held_price is None:
        return deposit.price
    value = held_ustr * held_price + deposit.ustr * deposit.price
    return value / (held_ustr + deposit.ustr)


def rank_validators(
    subscribers: tuple[AccountId, ...], round_id: int, *, seed: bytes | None = None
) -> tuple[AccountId, ...]:
    """§4.4's "randomized selection", as docs/model.md fixes it so both sides pick alike: by
    sha256 of the seed and the account id, ties by the id; the seed is the round's beacon seed
    when given, else (the literal reading) the round id, 8 bytes big-endian."""
    if seed is None:
        seed = round_id.to_bytes(8, "big")
    return tuple(
        sorted(subscribers, key=lambda a: (hashlib.sha256(seed + a.encode("utf-8")).digest(), a))
    )


class Books:
    """One call's books: the app's escrow and its price, node stakes and slash levels, the
    track records, and the net token movements of the settlement under way."""

    def __init__(
        self,
        *,
        app: AppId,
        funding: Funding,
        stakes: dict[str, int],
        params: Params,
        profile: Profile,
    ) -> None:
        self.app, self.params, self.profile = app, params, profile
        self.escrow = str(get_escrow_account(app))
        self.locked = str(get_locked_escrow_account(app))
        self.balances: defaultdict[tuple[str, str], int] = defaultdict(int)
        """What the books know each (account, token) holds: the escrow, its locked part."""
        self.price: Fraction | None = None
        for deposit in funding.deposits:
            self.price = get_deposit_weighted_price(
                self.balances[(self.escrow, STR)], self.price, deposit
            )
            self.balances[(self.escrow, STB)] += deposit.ustb
            self.balances[(self.escrow, STR)] += deposit.ustr
        self.stakes = dict(stakes)
        self.levels: dict[str, int] = {}
        self.last_slash: dict[str, int] = {}
        self.tracks: defaultdict[str, Counter[str]] = defaultdict(Counter)
        """Each node's entries by kind: majority, minority, absent."""
        self.app_complaints: defaultdict[str, int] = defaultdict(int)
        self.moves: defaultdict[tuple[str, str], int] = defaultdict(int)

    # --- Movements ------------------------------------------------------------------------------

    def open_settlement(self) -> None:
        """Start counting the movements of a new settlement."""
        self.moves.clear()

    def move(self, source: str, target: str, token: str, amount: int) -> None:
        self.moves[(source, token)] -= amount
        self.moves[(target, token)] += amount
        self.balances[(source, token)] -= amount
        self.balances[(target, token)] += amount

    def movements(self) -> tuple[TokenMovement, ...]:
        """The settlement's net change per account and token, zero changes left out."""
        return tuple(
            sorted(TokenMovement(a, t, delta) for (a, t), delta in self.moves.items() if delta)
        )

    def _withdraw(self, account: str, *, ustb: int, ustr: int, what: str) -> None:
        # Verify the account holds all of it: a payment moves entirely or not at all.
        held_stb, held_str = self.balances[(account, STB)], self.balances[(account, STR)]
        if held_stb < ustb or held_str < ustr:
            raise SettlementRefusedError(
                f"{what} withdraws {ustb} ustb and {ustr} ustr; {account} holds {held_stb} ustb "
                f"and {held_str} ustr"
            )

    # --- Node payment (§6.3, §3.3 Step 12) ------------------------------------------------------

    def split(self, cost: int) -> PaymentSplit:
        """§6.3: the split of one node's payment; a negative part is refused (GOV-PARAMS)."""
        split = split_payment(cost, self.params)
        if any(part < 0 for part in split.parts):
            raise SettlementRefusedError(f"the payment split of {cost} has a negative part")
        return split

    def str_side(self, split: PaymentSplit) -> StrPayout:
        """§6.3.3: the STR parts at the escrow's price; no price is needed when they are 0."""
        if split.str_total_usd == 0:
            return StrPayout(total=0, node=0, burn=0, network_support=0)
        # Verify a positive price was fixed at a deposit: STR is valued at it.
        if self.price is None or self.price <= 0:
            raise SettlementRefusedError("an STR part is owed but no STR price was deposited")
        return str_payout(split, self.price)

    def pay(self, node: str, cost: int) -> None:
        """§6.3: the node's STB (cost basis, STB profit) and STR profit, the swap reserve's STB,
        Network Support's and the burn's STR, all from the app's own escrow (§4.4)."""
        split = self.split(cost)
        payout = self.str_side(split)
        self._withdraw(self.escrow, ustb=split.stb_total, ustr=payout.total, what="a payment")
        account = str(get_node_account(NodeId(node)))
        self.move(self.escrow, account, STB, split.node_stb)
        self.move(self.escrow, str(SWAP_RESERVE), STB, split.stb_swap_reserve)
        self.move(self.escrow, account, STR, payout.node)
        self.move(self.escrow, str(NETWORK_SUPPORT), STR, payout.network_support)
        self.move(self.escrow, str(BURN_ADDRESS), STR, payout.burn)

    def lock(self, nodes: tuple[str, ...], cost: int) -> None:
        """§3.3 Step 12: on consensus FALSE each node's whole payment waits in locked escrow."""
        split = self.split(cost)
        payout = self.str_side(split)
        ustb, ustr = len(nodes) * split.stb_total, len(nodes) * payout.total
        self._withdraw(self.escrow, ustb=ustb, ustr=ustr, what="a locked payment")
        self.move(self.escrow, self.locked, STB, ustb)
        self.move(self.escrow, self.locked, STR, ustr)

    # --- Validation payment (§4.4) --------------------------------------------------------------

    def pay_validators(
        self,
        prefund: int,
        subscribers: tuple[AccountId, ...],
        *,
        round_id: int,
        seed: bytes | None = None,
    ) -> ValidationShare | None:
        """§4.4: the prefund divided equally among the validators, in STR from the escrow; with
        too little for the floor, as many as it pays at the floor, chosen at random (by the
        round's beacon `seed` when given, else by the round id)."""
        if prefund <= 0:
            return None
        self._withdraw(self.escrow, ustb=0, ustr=prefund, what="the validation prefund")
        floor = self.params.payment.validation_floor_ustr
        count = len(subscribers)
        if count and floor > 0 and prefund // count < floor:
            count = prefund // floor
        # Verify at least one validator can be paid.
        if count == 0:
            raise SettlementRefusedError(
                f"a prefund of {prefund} ustr pays none of {len(subscribers)} validators"
            )
        selected = rank_validators(subscribers, round_id, seed=seed)[:count]
        each = validation_share(prefund, count)
        for validator in selected:
            self.move(self.escrow, str(validator), STR, each)
        return ValidationShare(selected, each, prefund - each * count)

    # --- Slashing (§3.3 F11, §6.10) -------------------------------------------------------------

    def slash(self, node: str, *, now: int) -> NodeSlash:
        """§6.10: the node's rate at its level, decayed by the windows since its last slash;
        the loss comes from its stake and is burned, no more than the stake holds."""
        schedule = self.params.slashing
        level = 0
        if node in self.last_slash:
            windows = expired_windows(
                last_slash=self.last_slash[node], now=now, window=schedule.slash_window_seconds
            )
            level = decayed_level(self.levels[node], windows)
        rate = slash_rate_bps(
            base=schedule.slash_base_bps,
            factor=schedule.slash_factor,
            cap=schedule.slash_cap_bps if self.profile.slash_capped else None,
            level=level,
        )
        self.levels[node], self.last_slash[node] = level + 1, now
        stake = self.stakes[node]
        requested = slashed_amount(stake, rate)
        burned = min(requested, stake)
        self.stakes[node] = stake - burned
        self.move(str(NODE_STAKE_POOL), str(BURN_ADDRESS), STR, burned)
        return NodeSlash(NodeId(node), rate, requested, burned)

    # --- Reputation (§3.4, §3.5.2, §4.5) --------------------------------------------------------

    def record_round(
        self,
        *,
        assigned: tuple[str, ...],
        abstained: frozenset[str],
        committed: frozenset[str],
        consensus: bool,
        supermajority: tuple[str, ...],
        counted: tuple[str, ...],
        mismatched: tuple[str, ...],
        app_withheld_salts: bool,
    ) -> None:
        """§3.4: inclusion in (majority) or exclusion from (minority) a TRUE supermajority, a
        provable mismatch as minority, no commit or reveal as absent (§4.5 uptime). A node
        wronged by its app salt gets no entry and the app a complaint (§3.5.2); so do the
        committed nodes of a round the app stalled at F6, which costs the app one complaint."""
        for node in assigned:
            if node in abstained or (app_withheld_salts and node in committed):
                continue
            if consensus and node in supermajority:
                kind = "majority"
            elif node in mismatched or (consensus and node in counted):
                kind = "minority"
            elif node in counted:
                continue  # counted in a FALSE round: no TRUE operation to be in or out of
            else:
                kind = "absent"
            self.tracks[node][kind] += 1
        self.app_complaints[str(self.app)] += len(abstained) + int(app_withheld_salts)

    def reputation(self) -> Reputation:
        """The track records and app complaints the call left."""
        return Reputation(
            nodes=tuple(
                NodeTrack(node, t.total(), t["majority"], t["minority"], t["absent"])
                for node, t in sorted(self.tracks.items())
            ),
            app_complaints=tuple(sorted((a, n) for a, n in self.app_complaints.items() if n)),
        )
